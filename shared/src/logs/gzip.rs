//! Capped inflate of every concatenated gzip member, with libdeflate.
//!
//! libdeflate inflates a whole member into a caller-sized buffer, 1.5–2× faster than streaming
//! zlib and with a SIMD CRC-32. Its safe Rust wrapper (`libdeflater`) only exposes the
//! single-member call, which silently ignores everything after the first member, so this module
//! calls `libdeflate_gzip_decompress_ex` (which reports the input bytes consumed) through
//! `libdeflate-sys`, member after member. This module, the SSE2 scans in `document`
//! and [`classify`](mod@super::classify) and the allocator in [`crate::huge_pages`] hold the crate's only
//! `unsafe`.

use std::alloc::{self, Layout};
use std::ptr::NonNull;

use crate::huge_pages::{prefer_huge_pages, HUGE_PAGE};
use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE,
    libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// Why a gzip stream could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GzipError {
    #[error("gzip member {member} (at byte {offset}) is corrupt or truncated")]
    BadData { member: usize, offset: usize },
    #[error("inflates to more than {cap} bytes")]
    TooLarge { cap: usize },
    #[error("the gzip decompressor could not be allocated")]
    OutOfMemory,
}

/// An owned libdeflate decompressor (a few KiB of tables).
struct Decompressor(NonNull<libdeflate_decompressor>);

impl Decompressor {
    fn new() -> Result<Self, GzipError> {
        // SAFETY: no preconditions; a null return means out of memory.
        let raw = unsafe { libdeflate_alloc_decompressor() };
        NonNull::new(raw)
            .map(Decompressor)
            .ok_or(GzipError::OutOfMemory)
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: allocated by libdeflate_alloc_decompressor, freed exactly once.
        unsafe { libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

enum Member {
    /// Input bytes consumed.
    Done(usize),
    BadData,
    NeedsMoreSpace,
}

impl Decompressor {
    /// Inflates the gzip member at the start of `input` into the spare capacity of `out`.
    fn member(&mut self, input: &[u8], out: &mut Inflated) -> Member {
        let spare = out.capacity() - out.len;
        let (mut consumed, mut written) = (0usize, 0usize);
        // SAFETY: `input` is valid for `input.len()` bytes of reads; `out` owns `capacity()`
        // bytes from its pointer, so the `spare` bytes after its length are valid for writes
        // (libdeflate never writes beyond `out_nbytes_avail`); both out-pointers point to live
        // locals.
        let result = unsafe {
            libdeflate_gzip_decompress_ex(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.ptr.as_ptr().add(out.len).cast(),
                spare,
                &mut consumed,
                &mut written,
            )
        };
        if result == libdeflate_result_LIBDEFLATE_SUCCESS && written <= spare {
            // libdeflate initialised these `written` bytes.
            out.len += written;
            Member::Done(consumed)
        } else if result == libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE {
            Member::NeedsMoreSpace
        } else {
            // BAD_DATA; SHORT_OUTPUT is only returned when no actual_out_nbytes pointer is
            // given. Anything unexpected is treated as corrupt input.
            Member::BadData
        }
    }
}

/// Inflates every gzip member of `compressed` (concatenated members are one stream, RFC 1952
/// §2.2), producing at most `cap` bytes. Memory use is bounded by `cap + 1` (rounded up to a
/// huge page) however large the members claim to be.
pub fn inflate_members(compressed: &[u8], cap: usize) -> Result<Inflated, GzipError> {
    let limit = cap.saturating_add(1);
    let mut decompressor = Decompressor::new()?;
    let mut out = Inflated::with_capacity(initial_capacity(compressed, limit))?;
    let mut input = compressed;
    let mut member = 0;
    while !input.is_empty() {
        member += 1;
        let offset = compressed.len() - input.len();
        let before = out.len;
        match decompressor.member(input, &mut out) {
            Member::Done(consumed) if consumed > 0 => input = &input[consumed..],
            Member::Done(..) | Member::BadData => {
                return Err(GzipError::BadData { member, offset })
            }
            Member::NeedsMoreSpace => {
                if out.capacity() >= limit {
                    return Err(GzipError::TooLarge { cap });
                }
                // Grow geometrically (bounded by the cap) and inflate this member again: the
                // capacity hint is exact for the usual single-member payload, so this is rare.
                out.len = before;
                let wanted = out.capacity().saturating_mul(2).max(1 << 16).min(limit);
                out.grow_to(wanted)?;
                member -= 1;
            }
        }
        if out.len > cap {
            return Err(GzipError::TooLarge { cap });
        }
    }
    Ok(out)
}

/// Inflated bytes, in a buffer that transparent huge pages can back entirely when it is large.
///
/// A 9 MB payload written into ordinary fresh memory costs ~2,200 page faults, a quarter of a
/// cold invocation; `madvise(MADV_HUGEPAGE)` on a `Vec` only helps for the 2 MiB-aligned middle
/// of it (~650 faults remain). Aligning the allocation to 2 MiB and rounding its size up to a
/// whole huge page leaves a handful. Small buffers use ordinary alignment.
pub struct Inflated {
    ptr: NonNull<u8>,
    len: usize,
    layout: Layout,
}

impl Inflated {
    fn with_capacity(capacity: usize) -> Result<Self, GzipError> {
        let layout = if capacity >= 2 * HUGE_PAGE {
            Layout::from_size_align(capacity.next_multiple_of(HUGE_PAGE), HUGE_PAGE)
        } else {
            Layout::from_size_align(capacity.max(1), 1)
        }
        .map_err(|_| GzipError::OutOfMemory)?;
        // SAFETY: the layout has a non-zero size.
        let ptr = NonNull::new(unsafe { alloc::alloc(layout) }).ok_or(GzipError::OutOfMemory)?;
        if layout.align() == HUGE_PAGE {
            prefer_huge_pages(ptr, layout.size());
        }
        Ok(Inflated {
            ptr,
            len: 0,
            layout,
        })
    }

    fn capacity(&self) -> usize {
        self.layout.size()
    }

    /// Moves the contents into a buffer of at least `capacity` bytes.
    fn grow_to(&mut self, capacity: usize) -> Result<(), GzipError> {
        let mut bigger = Inflated::with_capacity(capacity)?;
        bigger.len = self.len.min(bigger.capacity());
        // SAFETY: both buffers are live, distinct allocations of at least `bigger.len` bytes,
        // and the first `self.len` bytes of `self` are initialised.
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr.as_ptr(), bigger.ptr.as_ptr(), bigger.len)
        };
        *self = bigger;
        Ok(())
    }
}

impl std::ops::Deref for Inflated {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: the first `len` bytes of the allocation were written by libdeflate (or copied
        // from such bytes) and the allocation lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Inflated {
    fn drop(&mut self) {
        // SAFETY: allocated by `alloc::alloc` with exactly this layout, freed exactly once.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

impl std::fmt::Debug for Inflated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflated").field("len", &self.len).finish()
    }
}

impl PartialEq for Inflated {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// The last member's ISIZE trailer (its size mod 2^32) is exact for the common single-member
/// payload. It is only a hint: bounded by `limit`, never below 4× the input.
fn initial_capacity(compressed: &[u8], limit: usize) -> usize {
    compressed
        .len()
        .checked_sub(4)
        .and_then(|at| compressed.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map(|b| u32::from_le_bytes(b) as usize)
        .unwrap_or(0)
        .max(compressed.len().saturating_mul(4))
        .min(limit)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn members_larger_than_the_hint_grow_the_buffer() {
        // The last member is tiny, so the ISIZE hint is far too small for the first one.
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut stream = gzip(&big);
        stream.extend(gzip(b"tail"));
        let out = inflate_members(&stream, 64 << 20).unwrap();
        assert_eq!(out.len(), big.len() + 4);
        assert_eq!(&out[..big.len()], &big[..]);
        assert_eq!(&out[big.len()..], b"tail");
    }

    #[test]
    fn large_outputs_sit_in_whole_aligned_huge_pages() {
        let big: Vec<u8> = (0..5_000_000u32).map(|i| (i % 241) as u8).collect();
        let out = inflate_members(&gzip(&big), 64 << 20).unwrap();
        assert_eq!(&out[..], &big[..]);
        assert_eq!(out.as_ptr() as usize % HUGE_PAGE, 0);
        assert_eq!(out.capacity() % HUGE_PAGE, 0);
        // Small outputs are ordinary allocations.
        let small = inflate_members(&gzip(b"tiny"), 64 << 20).unwrap();
        assert_eq!(&small[..], b"tiny");
        assert!(small.capacity() < HUGE_PAGE);
        // An empty member inflates to nothing.
        assert!(inflate_members(&gzip(b""), 1024).unwrap().is_empty());
    }

    #[test]
    fn garbage_after_a_member_names_the_member() {
        let mut stream = gzip(b"first");
        let second_at = stream.len();
        stream.extend_from_slice(b"not gzip");
        assert_eq!(
            inflate_members(&stream, 1 << 20),
            Err(GzipError::BadData {
                member: 2,
                offset: second_at
            })
        );
    }

    #[test]
    fn the_cap_counts_across_members() {
        let mut stream = gzip(&[b'a'; 600]);
        stream.extend(gzip(&[b'b'; 600]));
        assert_eq!(inflate_members(&stream, 1200).unwrap().len(), 1200);
        assert_eq!(
            inflate_members(&stream, 1199),
            Err(GzipError::TooLarge { cap: 1199 })
        );
    }

    #[test]
    fn a_lying_size_trailer_is_only_a_hint() {
        let mut stream = gzip(&[b'x'; 10_000]);
        let n = stream.len();
        // ISIZE claims 4 GiB - 1; the CRC check still passes because it covers the data only…
        stream[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        // …but libdeflate verifies ISIZE against the output, so the member is rejected.
        assert!(matches!(
            inflate_members(&stream, 1 << 20),
            Err(GzipError::BadData { member: 1, .. })
        ));
    }
}
