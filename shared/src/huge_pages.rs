//! Large allocations backed by transparent huge pages.
//!
//! A fresh 4 KiB page costs a page fault when it is first written, about 1.8 µs each on the
//! benchmark VM (10 MiB of them: 4.1–5.2 ms; the same 10 MiB as 2 MiB huge pages: 1.1–1.3 ms).
//! A 1 MB payload brings several such buffers (the event body, the base64-decoded gzip, the
//! event index), each allocated and freed once per invocation. [`HugePageAlloc`] gives every
//! allocation of at least [`LARGE`] bytes a 2 MiB-aligned block rounded up to whole huge pages
//! and asks the kernel to back it with them; everything smaller goes to the system allocator
//! untouched. Where transparent huge pages are off (or not Linux) the advice is ignored and
//! only the rounding remains, which costs address space, not memory (untouched pages are never
//! resident). Each large block can make at most one partly used huge page resident: measured on
//! the maximal payload, peak RSS 21.3 → 24.6 MiB.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr::NonNull;

/// Size of a transparent huge page on x86-64 and on aarch64 with 4 KiB base pages.
pub const HUGE_PAGE: usize = 2 << 20;

/// Allocations from this size up are huge-page backed. Below it, rounding up to 2 MiB would
/// waste more than it saves.
pub const LARGE: usize = 512 << 10;

/// The global allocator of `log-processor`: the system allocator, with huge-page backed blocks
/// for large allocations (see the module documentation).
pub struct HugePageAlloc;

/// The block actually requested from the system for a large `layout`: whole huge pages,
/// huge-page aligned. `None` when that size would overflow.
fn large_block(layout: Layout) -> Option<Layout> {
    let size = layout.size().checked_next_multiple_of(HUGE_PAGE)?;
    Layout::from_size_align(size, layout.align().max(HUGE_PAGE)).ok()
}

fn is_large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is allocated and freed by `System` with one and the same layout: a large
// block's layout is a pure function of the caller's (size, align) — `large_block` — and a block
// only changes size in place (`realloc`) when the new size maps to the same block layout.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !is_large(layout.size()) {
            // SAFETY: forwarded with the caller's guarantees (non-zero size).
            return unsafe { System.alloc(layout) };
        }
        let Some(block) = large_block(layout) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `block` has a non-zero size (at least one huge page).
        let ptr = unsafe { System.alloc(block) };
        if let Some(ptr) = NonNull::new(ptr) {
            prefer_huge_pages(ptr, block.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !is_large(layout.size()) {
            // SAFETY: forwarded with the caller's guarantees.
            return unsafe { System.alloc_zeroed(layout) };
        }
        // SAFETY: as `alloc`.
        let ptr = unsafe { self.alloc(layout) };
        if !ptr.is_null() {
            // Only the requested bytes: the rest of the last huge page stays untouched.
            // SAFETY: the block holds at least `layout.size()` writable bytes.
            unsafe { ptr.write_bytes(0, layout.size()) };
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !is_large(layout.size()) {
            // SAFETY: allocated by `System` with this layout (see `alloc` and `realloc`).
            return unsafe { System.dealloc(ptr, layout) };
        }
        if let Some(block) = large_block(layout) {
            // SAFETY: a large block was allocated by `System` with exactly `large_block(layout)`
            // (`alloc`, or `realloc` when it kept the block).
            unsafe { System.dealloc(ptr, block) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old_large = is_large(layout.size());
        let new_large = is_large(new_size);
        if !old_large && !new_large {
            // SAFETY: a small block of `System`, forwarded with the caller's guarantees.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: the caller guarantees that `new_size`, rounded up to the alignment, does not
        // overflow `isize`, and `layout.align()` is a valid alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if old_large && new_large && large_block(layout) == large_block(new_layout) {
            // Growing (or shrinking) within the same whole huge pages: nothing to move.
            return ptr;
        }
        // SAFETY: `new_layout` has a non-zero size (the caller guarantees `new_size > 0`).
        let new_ptr = unsafe { self.alloc(new_layout) };
        if !new_ptr.is_null() {
            // SAFETY: both blocks are live, distinct, and hold at least the copied bytes; the old
            // block is then freed with the layout it was allocated with.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new_ptr
    }
}

/// Keeps large blocks in the process between invocations (glibc only; elsewhere a no-op).
///
/// glibc serves a request above its mmap threshold with a fresh `mmap` and returns it to the
/// kernel on free; its dynamic threshold rises after the first such free, but a huge-page
/// aligned request is larger than the block that raised it, so every warm invocation got fresh
/// pages and the kernel zeroed ≈ 14 MB of them again (7 huge-page faults, ≈ 1.5 ms of a 14.5 ms
/// invocation). With the threshold at glibc's maximum (32 MiB) and trimming only above 64 MiB
/// of free heap, blocks up to 32 MiB come from the heap and stay there for the next invocation:
/// memory kept between invocations is bounded by the peak of one invocation. Call once, after
/// the first invocation: fresh mappings serve a cold invocation slightly faster than a growing
/// heap (0.3–0.5 ms on the maximal payload).
pub fn keep_large_blocks_between_invocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes malloc's tuning parameters (under malloc's own lock).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

/// Asks the kernel to back `len` bytes at `ptr` (a huge-page aligned allocation of that size)
/// with transparent huge pages. Advice only; where THP is off, or not Linux, nothing changes.
pub fn prefer_huge_pages(ptr: NonNull<u8>, len: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: madvise(MADV_HUGEPAGE) is advisory and does not change the contents of the range,
    // which is exactly the caller's own page-aligned allocation.
    unsafe {
        libc::madvise(ptr.as_ptr().cast(), len, libc::MADV_HUGEPAGE);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).expect("valid layout")
    }

    /// Fills `len` bytes with a pattern that depends on the position and `seed`.
    unsafe fn fill(ptr: *mut u8, len: usize, seed: u8) {
        for i in 0..len {
            unsafe { *ptr.add(i) = (i as u8).wrapping_mul(31).wrapping_add(seed) };
        }
    }

    unsafe fn holds_pattern(ptr: *const u8, len: usize, seed: u8) -> bool {
        (0..len).all(|i| unsafe { *ptr.add(i) } == (i as u8).wrapping_mul(31).wrapping_add(seed))
    }

    #[test]
    fn large_blocks_are_whole_aligned_huge_pages() {
        assert_eq!(
            large_block(layout(LARGE, 1)),
            Some(layout(HUGE_PAGE, HUGE_PAGE))
        );
        assert_eq!(
            large_block(layout(HUGE_PAGE + 1, 8)),
            Some(layout(2 * HUGE_PAGE, HUGE_PAGE))
        );
        // A stricter alignment than a huge page is kept.
        assert_eq!(
            large_block(layout(LARGE, 4 * HUGE_PAGE)),
            Some(layout(HUGE_PAGE, 4 * HUGE_PAGE))
        );
        // Sizes whose rounding overflows are refused, not wrapped.
        assert_eq!(large_block(layout(isize::MAX as usize - 10, 1)), None);
    }

    #[test]
    fn small_and_large_allocations_are_usable_and_aligned() {
        for (size, align) in [
            (1, 1),
            (100, 8),
            (LARGE - 1, 64),
            (LARGE, 1),
            (3 << 20, 4096),
        ] {
            let l = layout(size, align);
            unsafe {
                let ptr = HugePageAlloc.alloc(l);
                assert!(!ptr.is_null(), "{size} bytes");
                assert_eq!(ptr as usize % align, 0, "{size} bytes aligned to {align}");
                if is_large(size) {
                    assert_eq!(ptr as usize % HUGE_PAGE, 0, "{size} bytes on a huge page");
                }
                fill(ptr, size, 7);
                assert!(holds_pattern(ptr, size, 7));
                HugePageAlloc.dealloc(ptr, l);
            }
        }
    }

    #[test]
    fn zeroed_allocations_are_zero() {
        for size in [16, LARGE + 3] {
            let l = layout(size, 8);
            unsafe {
                let ptr = HugePageAlloc.alloc_zeroed(l);
                assert!(!ptr.is_null());
                assert!((0..size).all(|i| *ptr.add(i) == 0), "{size} bytes");
                HugePageAlloc.dealloc(ptr, l);
            }
        }
    }

    /// Growth within the same huge pages keeps the block; growth beyond them, and shrinking
    /// across the threshold, move the contents intact.
    #[test]
    fn realloc_keeps_contents_and_reuses_the_block_within_its_huge_pages() {
        unsafe {
            let mut l = layout(100, 8);
            let mut ptr = HugePageAlloc.alloc(l);
            fill(ptr, 100, 3);
            let steps = [
                LARGE + 10,    // small → large: moved
                HUGE_PAGE,     // same huge page: kept
                HUGE_PAGE + 1, // one more huge page: moved
                2 * HUGE_PAGE, // same two huge pages: kept
                HUGE_PAGE + 5, // shrink within the same two: kept
                LARGE - 1,     // large → small: moved
                200,           // small → small (system realloc)
            ];
            let mut len = 100;
            for new_size in steps {
                let before = ptr;
                let kept_expected = is_large(l.size())
                    && is_large(new_size)
                    && large_block(l) == large_block(layout(new_size, 8));
                ptr = HugePageAlloc.realloc(ptr, l, new_size);
                assert!(!ptr.is_null(), "realloc to {new_size}");
                if kept_expected {
                    assert_eq!(ptr, before, "realloc to {new_size} keeps the block");
                }
                let kept_len = len.min(new_size);
                assert!(
                    holds_pattern(ptr, kept_len, 3),
                    "contents after realloc to {new_size}"
                );
                l = layout(new_size, 8);
                fill(ptr, new_size, 3);
                len = new_size;
            }
            HugePageAlloc.dealloc(ptr, l);
        }
    }

    /// After `keep_large_blocks_between_invocations`, a large block freed and allocated again
    /// (as the next invocation does) comes back without page faults. A fresh 8 MiB block costs
    /// at least 4 (huge pages) or 2,048 (4 KiB pages).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn kept_large_blocks_come_back_without_page_faults() {
        fn thread_minor_faults() -> i64 {
            // SAFETY: getrusage writes one `rusage` into the zeroed value it is given.
            unsafe {
                let mut usage: libc::rusage = std::mem::zeroed();
                libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
                usage.ru_minflt
            }
        }
        unsafe fn touch_and_free(l: Layout) {
            unsafe {
                let ptr = HugePageAlloc.alloc(l);
                assert!(!ptr.is_null());
                for i in (0..l.size()).step_by(4096) {
                    ptr.add(i).write_volatile(1);
                }
                HugePageAlloc.dealloc(ptr, l);
            }
        }
        keep_large_blocks_between_invocations();
        let l = layout(8 << 20, 1);
        // Other tests allocate in parallel and may share this thread's malloc arena (and take
        // the freed block first), so a few attempts are allowed.
        let fewest = (0..3)
            .map(|_| unsafe {
                touch_and_free(l); // the first invocation: fresh pages
                let before = thread_minor_faults();
                touch_and_free(l);
                thread_minor_faults() - before
            })
            .min();
        assert!(fewest <= Some(2), "{fewest:?} page faults for a kept block");
    }

    /// Doubling growth from 1 KiB to 8 MiB, as a `Vec` collecting a request body grows (the
    /// tests do not install the allocator globally, so it is driven through its API).
    #[test]
    fn doubling_growth_through_the_threshold_keeps_contents() {
        unsafe {
            let mut l = layout(1024, 1);
            let mut ptr = HugePageAlloc.alloc(l);
            fill(ptr, 1024, 9);
            while l.size() < (8 << 20) {
                let new_size = l.size() * 2;
                ptr = HugePageAlloc.realloc(ptr, l, new_size);
                assert!(!ptr.is_null());
                assert!(holds_pattern(ptr, l.size(), 9));
                fill(ptr, new_size, 9);
                l = layout(new_size, 1);
            }
            HugePageAlloc.dealloc(ptr, l);
        }
    }
}
