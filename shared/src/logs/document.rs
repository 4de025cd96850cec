//! A fast reader for the subscription document, with serde_json as the reference.
//!
//! serde_json inspects string bytes eight at a time (it must also reject raw control
//! characters); on a 9 MB payload that is a third of all instructions of an invocation. This
//! reader finds the end of each string with one 64-byte mask of quotes, backslashes and control
//! bytes per block ([`string_end`]) and walks the mask's bits, so escapes cost no new search.
//! Outside strings it accepts only spaces (CloudWatch writes compact JSON).
//!
//! It accepts exactly the document shape [`LogsData`] describes and returns `None` for anything
//! else: a control byte anywhere, a key written with escapes, a duplicate field, a value of an
//! unexpected type, a malformed token. The caller then parses with serde_json, which gives the
//! precise error, or the same data for a valid document this reader chose not to handle. So the
//! fast path can never change a result; tests compare both on every shape.

use std::borrow::Cow;

use super::decode::{unescape, LogEvent, LogsData};

/// Nesting depth at which unknown values are handed to serde_json (its own limit is 128).
const MAX_DEPTH: usize = 100;

/// Reads `text` (valid UTF-8) when it is a plain subscription document; `None` means "ask
/// serde_json".
pub(super) fn read(text: &str) -> Option<LogsData<'_>> {
    // Raw control bytes are found while strings are scanned ([`string_end`]); outside strings
    // only spaces are accepted, so any other byte there declines too.
    let mut r = Reader { text, i: 0 };
    let data = r.document()?;
    r.ws();
    (r.i == text.len()).then_some(data)
}

/// Whether any byte is below 0x20 (raw tab, newline, … — only legal outside strings).
/// Branch-free per chunk so the compiler vectorises it.
pub(super) fn has_control_bytes(b: &[u8]) -> bool {
    b.chunks(512)
        .any(|chunk| chunk.iter().fold(false, |seen, &c| seen | (c < 0x20)))
}

/// Position of the first `"` or `\\` at or after `at`.
///
/// Strings in a subscription document are short and JSON-in-JSON messages are full of `\\"`,
/// so most searches end within a few bytes: a 16-byte SSE2 step (part of every x86-64 CPU)
/// costs a handful of instructions where a `memchr2` call costs dozens. Elsewhere (aarch64
/// Lambda) `memchr2`'s NEON search does the job.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(super) fn next_quote_or_backslash(b: &[u8], at: usize) -> Option<usize> {
    // SAFETY: this build targets CPUs with SSE2 (the cfg above; every x86-64 CPU has it).
    unsafe { next_quote_or_backslash_sse2(b, at) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn next_quote_or_backslash_sse2(b: &[u8], mut at: usize) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    while at + 16 <= b.len() {
        // SAFETY: `at + 16 <= b.len()`, so the unaligned 16-byte load stays inside `b`.
        let chunk = unsafe { _mm_loadu_si128(b.as_ptr().add(at).cast::<__m128i>()) };
        let hits = _mm_or_si128(
            _mm_cmpeq_epi8(chunk, quote),
            _mm_cmpeq_epi8(chunk, backslash),
        );
        let mask = _mm_movemask_epi8(hits) as u32;
        if mask != 0 {
            return Some(at + mask.trailing_zeros() as usize);
        }
        at += 16;
    }
    memchr::memchr2(b'"', b'\\', b.get(at..)?).map(|k| at + k)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
pub(super) fn next_quote_or_backslash(b: &[u8], at: usize) -> Option<usize> {
    memchr::memchr2(b'"', b'\\', b.get(at..)?).map(|k| at + k)
}

/// The closing quote of the string literal whose body starts at `at`, and whether the body has
/// escapes; `None` for an invalid escape, a raw control byte (below 0x20) or no closing quote.
///
/// On x86-64 the body is examined 64 bytes at a time: one bit mask of quotes, backslashes and
/// control bytes per block ([`specials64`]), whose bits are then walked, so a JSON-in-JSON
/// message full of `\"` costs one block load per 64 bytes instead of one search per escape.
/// The last bytes of the document (less than a block) take [`string_end_portable`].
pub(super) fn string_end(b: &[u8], at: usize) -> Option<(usize, bool)> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        let mut at = at;
        let mut escaped = false;
        'blocks: while at + 64 <= b.len() {
            let mut mask = specials64(b, at);
            while mask != 0 {
                let pos = at + mask.trailing_zeros() as usize;
                match b[pos] {
                    b'"' => return Some((pos, escaped)),
                    b'\\' => {}
                    _ => return None, // a raw control byte
                }
                escaped = true;
                let next = pos + escape_len(b, pos)?;
                let offset = next - at;
                if offset >= 64 {
                    at = next;
                    continue 'blocks;
                }
                // Drop the escape's own bits (an escaped quote or backslash).
                mask &= !0u64 << offset;
            }
            at += 64;
        }
        string_end_portable(b, at).map(|(end, tail_escaped)| (end, escaped || tail_escaped))
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        string_end_portable(b, at)
    }
}

/// [`string_end`] with `memchr2` and a control-byte check of each span (NEON on aarch64).
pub(super) fn string_end_portable(b: &[u8], mut at: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        let found = next_quote_or_backslash(b, at)?;
        if has_control_bytes(&b[at..found]) {
            return None;
        }
        if b[found] == b'"' {
            return Some((found, escaped));
        }
        escaped = true;
        at = found + escape_len(b, found)?;
    }
}

/// Length of the valid escape at `b[at]` (a backslash): 2, or 6 for `\uXXXX`.
#[inline(always)]
fn escape_len(b: &[u8], at: usize) -> Option<usize> {
    match b.get(at + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' if b.get(at + 2..at + 6)?.iter().all(u8::is_ascii_hexdigit) => Some(6),
        _ => None,
    }
}

/// Bit `i` set when `b[at + i]` is a quote, a backslash or below 0x20, for the 64 bytes from `at`.
/// Panics unless `at + 64 <= b.len()`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn specials64(b: &[u8], at: usize) -> u64 {
    let block: &[u8; 64] = b[at..at + 64].try_into().expect("64-byte block");
    // SAFETY: this build targets CPUs with SSE2 (the cfg above; every x86-64 CPU has it).
    unsafe { specials64_sse2(block) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn specials64_sse2(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let below_space = _mm_set1_epi8(0x1f);
    let mut mask = 0u64;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: `chunk` is 16 readable bytes; the load is unaligned.
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
        // max(v, 0x1f) == 0x1f exactly for the bytes 0x00..=0x1f (unsigned).
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, below_space), below_space);
        let hits = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            control,
        );
        mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * i);
    }
    mask
}

/// The value of at most 18 ASCII digits, eight at a time (SWAR: pairs, then quads, then the
/// two halves of a little-endian `u64`).
fn small_decimal(digits: &[u8]) -> i64 {
    debug_assert!(digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit));
    let mut chunks = digits.chunks_exact(8);
    let mut value = 0u64;
    for chunk in &mut chunks {
        let mut x = u64::from_le_bytes(chunk.try_into().expect("8 digits")) - 0x3030_3030_3030_3030;
        x = (x * 10 + (x >> 8)) & 0x00ff_00ff_00ff_00ff;
        x = (x * 100 + (x >> 16)) & 0x0000_ffff_0000_ffff;
        x = (x * 10_000 + (x >> 32)) & 0xffff_ffff;
        value = value * 100_000_000 + x;
    }
    for c in chunks.remainder() {
        value = value * 10 + u64::from(c - b'0');
    }
    // At most 18 digits: below 10^18 < i64::MAX.
    value as i64
}

struct Reader<'a> {
    text: &'a str,
    i: usize,
}

/// Keys of the document this reader knows; a repeat of any of them is left to serde_json
/// (which rejects duplicate fields).
#[derive(Clone, Copy)]
enum Field {
    MessageType = 0,
    Owner,
    LogGroup,
    LogStream,
    SubscriptionFilters,
    PolicyLevel,
    LogEvents,
}

impl<'a> Reader<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.i).copied()
    }

    /// Skips spaces (the only whitespace left once control bytes are excluded).
    fn ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(byte)).then(|| self.i += 1)
    }

    /// After the opening `{` or `[`: true when the container is empty (and consumes its end).
    fn empty(&mut self, close: u8) -> bool {
        self.ws();
        let empty = self.peek() == Some(close);
        if empty {
            self.i += 1;
        }
        empty
    }

    /// After a member: `,` (true, another follows) or the closing byte (false).
    fn more(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let next = self.peek()?;
        self.i += 1;
        match next {
            b',' => Some(true),
            c if c == close => Some(false),
            _ => None,
        }
    }

    /// A string literal: returns it with its quotes, escapes unresolved, and whether it has any.
    fn string(&mut self) -> Option<(&'a str, bool)> {
        self.ws();
        let start = self.i;
        if self.peek() != Some(b'"') {
            return None;
        }
        let (end, escaped) = string_end(self.bytes(), start + 1)?;
        self.i = end + 1;
        // Quotes are ASCII, so these are character boundaries.
        Some((&self.text[start..self.i], escaped))
    }

    /// A string value as text (unescaped when needed).
    fn text_value(&mut self) -> Option<Cow<'a, str>> {
        self.string().map(|(literal, _)| unescape(literal))
    }

    /// An object key followed by its colon; `None` for keys with escapes (left to serde_json).
    fn key(&mut self) -> Option<&'a [u8]> {
        // An event's own keys, written plainly, are recognised without a scan (three per event).
        self.ws();
        let b = self.bytes();
        for known in [&b"timestamp"[..], b"message", b"id"] {
            let end = self.i + 1 + known.len();
            if b.get(self.i) == Some(&b'"')
                && b.get(self.i + 1..end) == Some(known)
                && b.get(end) == Some(&b'"')
            {
                self.i = end + 1;
                self.eat(b':')?;
                return Some(known);
            }
        }
        let (literal, escaped) = self.string()?;
        self.eat(b':')?;
        (!escaped).then(|| &literal.as_bytes()[1..literal.len() - 1])
    }

    /// An integer that fits `i64`, in JSON's grammar (no leading zeros, no fraction/exponent)
    /// and as serde_json reads it.
    fn integer(&mut self) -> Option<i64> {
        self.ws();
        let b = self.bytes();
        let negative = b.get(self.i) == Some(&b'-');
        let digits_at = self.i + usize::from(negative);
        let digits = b.get(digits_at..).map_or(0, |rest| {
            rest.iter().take_while(|c| c.is_ascii_digit()).count()
        });
        let end = digits_at + digits;
        let value = if digits <= 18 {
            // Below 10^18: cannot overflow (millisecond timestamps have 13 digits).
            let magnitude = small_decimal(&b[digits_at..end]);
            if negative {
                -magnitude
            } else {
                magnitude
            }
        } else {
            // Accumulated with the final sign, so i64::MIN parses and overflow is caught.
            b[digits_at..end].iter().try_fold(0i64, |v, c| {
                let digit = i64::from(c - b'0');
                v.checked_mul(10)?
                    .checked_add(if negative { -digit } else { digit })
            })?
        };
        let leading_zero = digits > 1 && b[digits_at] == b'0';
        // serde_json reads `-0` as the float -0.0, which is not an i64.
        let minus_zero = negative && digits == 1 && b[digits_at] == b'0';
        if digits == 0
            || leading_zero
            || minus_zero
            || matches!(b.get(end), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        self.i = end;
        Some(value)
    }

    /// Skips any JSON value (validating its tokens).
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => {
                self.i += 1;
                if self.empty(b'}') {
                    return Some(());
                }
                loop {
                    self.string()?;
                    self.eat(b':')?;
                    self.skip_value(depth + 1)?;
                    if !self.more(b'}')? {
                        return Some(());
                    }
                }
            }
            b'[' => {
                self.i += 1;
                if self.empty(b']') {
                    return Some(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    if !self.more(b']')? {
                        return Some(());
                    }
                }
            }
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.bytes()
            .get(self.i..)?
            .starts_with(word.as_bytes())
            .then(|| self.i += word.len())
    }

    /// A number in JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let b = self.bytes();
        let digits = |at: usize| {
            b.get(at..)
                .map_or(0, |s| s.iter().take_while(|c| c.is_ascii_digit()).count())
        };
        let mut at = self.i + usize::from(b.get(self.i) == Some(&b'-'));
        let int = digits(at);
        if int == 0 || (int > 1 && b[at] == b'0') {
            return None;
        }
        at += int;
        if b.get(at) == Some(&b'.') {
            let frac = digits(at + 1);
            if frac == 0 {
                return None;
            }
            at += 1 + frac;
        }
        if matches!(b.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(b.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            let exp = digits(at);
            if exp == 0 {
                return None;
            }
            at += exp;
        }
        self.i = at;
        Some(())
    }

    fn document(&mut self) -> Option<LogsData<'a>> {
        self.eat(b'{')?;
        let mut data = LogsData::default();
        if self.empty(b'}') {
            return Some(data);
        }
        let mut seen = 0u8;
        loop {
            let key = self.key()?;
            let field = match key {
                b"messageType" => Some(Field::MessageType),
                b"owner" => Some(Field::Owner),
                b"logGroup" => Some(Field::LogGroup),
                b"logStream" => Some(Field::LogStream),
                b"subscriptionFilters" => Some(Field::SubscriptionFilters),
                b"policyLevel" => Some(Field::PolicyLevel),
                b"logEvents" => Some(Field::LogEvents),
                _ => None,
            };
            match field {
                None => self.skip_value(1)?,
                Some(field) => {
                    let bit = 1u8 << field as u8;
                    if seen & bit != 0 {
                        return None;
                    }
                    seen |= bit;
                    match field {
                        Field::MessageType => data.message_type = Some(self.text_value()?),
                        Field::Owner => data.owner = self.text_value()?,
                        Field::LogGroup => data.log_group = self.text_value()?,
                        Field::LogStream => data.log_stream = self.text_value()?,
                        Field::PolicyLevel => data.policy_level = Some(self.text_value()?),
                        Field::SubscriptionFilters => {
                            data.subscription_filters = self.text_array()?
                        }
                        Field::LogEvents => data.log_events = self.events()?,
                    }
                }
            }
            if !self.more(b'}')? {
                return Some(data);
            }
        }
    }

    /// An array whose elements `element` reads, into `out`.
    fn array<T>(
        &mut self,
        mut out: Vec<T>,
        element: impl Fn(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.eat(b'[')?;
        if self.empty(b']') {
            return Some(out);
        }
        loop {
            out.push(element(self)?);
            if !self.more(b']')? {
                return Some(out);
            }
        }
    }

    fn text_array(&mut self) -> Option<Vec<Cow<'a, str>>> {
        self.array(Vec::new(), Self::text_value)
    }

    fn events(&mut self) -> Option<Vec<LogEvent<'a>>> {
        // A typical event is a few hundred bytes; reserving for 64-byte events avoids regrowing
        // and costs nothing for pages never touched.
        let capacity = (self.text.len() - self.i) / 64;
        self.array(Vec::with_capacity(capacity), Self::event)
    }

    fn event(&mut self) -> Option<LogEvent<'a>> {
        self.eat(b'{')?;
        let mut event = LogEvent::default();
        if self.empty(b'}') {
            return Some(event);
        }
        let (mut has_timestamp, mut has_message) = (false, false);
        loop {
            match self.key()? {
                b"timestamp" if !has_timestamp => {
                    has_timestamp = true;
                    event.timestamp = self.integer()?;
                }
                b"message" if !has_message => {
                    has_message = true;
                    event.message = Some(self.string()?.0);
                }
                b"timestamp" | b"message" => return None,
                // `id` and anything else: never read.
                _ => self.skip_value(2)?,
            }
            if !self.more(b'}')? {
                return Some(event);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(text: &str) -> Result<LogsData<'_>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The fast reader either declines or agrees with serde_json exactly.
    fn agrees(text: &str) -> bool {
        match read(text) {
            Some(fast) => {
                let reference = serde(text).unwrap_or_else(|e| {
                    panic!("fast path accepted what serde rejects ({e}): {text}")
                });
                assert_eq!(format!("{fast:?}"), format!("{reference:?}"), "{text}");
                true
            }
            None => false,
        }
    }

    const DOC: &str = r#"{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/var/log/secure","logStream":"i-0abc","subscriptionFilters":["all","b\"q"],"logEvents":[{"id":"36925713406478","timestamp":1763870400000,"message":"plain"},{"id":"2","timestamp":-5,"message":"esc \"q\" \\ \/ \n \t \u00e9 \ud83d\ude00 caf\u00e9 ü"},{"timestamp":3,"message":""},{"id":7,"message":"no timestamp","extra":{"a":[1,-2.5e3,true,false,null,{"b":"c"}],"d":[]}}]}"#;

    #[test]
    fn plain_documents_take_the_fast_path_and_match_serde() {
        for text in [
            DOC,
            "{}",
            r#"{"logEvents":[]}"#,
            r#"{"logEvents":[{}]}"#,
            r#" { "logGroup" : "/g" , "logEvents" : [ { "timestamp" : 1 , "message" : "m" } ] } "#,
            // Order is free; account-level subscriptions add policyLevel; unknown fields are skipped.
            r#"{"logEvents":[{"message":"m","timestamp":2}],"logGroup":"/g","policyLevel":"ACCOUNT_LEVEL_POLICY","future":{"x":[1,{"y":null}]}}"#,
            r#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1763870400000,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}"#,
            // Escaped group names are unescaped, duplicate ignored fields are fine.
            r#"{"logGroup":"\/aws\/lambda\/f","logEvents":[{"id":1,"id":2,"timestamp":0,"message":"m"}]}"#,
            r#"{"logEvents":[{"timestamp":9223372036854775807},{"timestamp":-9223372036854775808}]}"#,
        ] {
            assert!(agrees(text), "fast path declined {text}");
        }
        let data = read(DOC).unwrap();
        assert_eq!(data.log_events.len(), 4);
        assert_eq!(
            data.log_events[1].raw_message(),
            r#"esc \"q\" \\ \/ \n \t \u00e9 \ud83d\ude00 caf\u00e9 ü"#
        );
        assert_eq!(
            data.log_events[1].message(),
            "esc \"q\" \\ / \n \t é 😀 café ü"
        );
        assert_eq!(data.log_events[3].timestamp, 0);
        assert_eq!(data.subscription_filters, ["all", "b\"q"]);
    }

    #[test]
    fn unusual_documents_are_left_to_serde() {
        for text in [
            // Pretty-printed (control bytes outside strings): valid, serde's job.
            "{\n  \"logGroup\": \"/g\",\n  \"logEvents\": []\n}",
            // A key written with an escape.
            r#"{"log\u0047roup":"/g"}"#,
            // A non-string message (parse() turns it into MessageNotString).
            r#"{"logEvents":[{"message":42}]}"#,
            r#"{"logEvents":[{"message":null}]}"#,
            // null where serde has its own rules.
            r#"{"messageType":null}"#,
        ] {
            assert!(read(text).is_none(), "{text}");
            assert!(serde(text).is_ok(), "{text}");
        }
        for text in [
            r#"{"logGroup":"/a","logGroup":"/b"}"#,
            r#"{"logEvents":[{"message":"a","message":"b"}]}"#,
            r#"{"logEvents":[{"timestamp":1.5,"message":"m"}]}"#,
            r#"{"logEvents":[{"timestamp":99999999999999999999,"message":"m"}]}"#,
            r#"{"logEvents":[{"timestamp":01,"message":"m"}]}"#,
            r#"{"logEvents":[{"timestamp":-0,"message":"m"}]}"#,
            r#"{"logEvents":[{"timestamp":9223372036854775808,"message":"m"}]}"#,
            r#"{"logEvents":[{"timestamp":-9223372036854775809,"message":"m"}]}"#,
            r#"{"logEvents":[{"timestamp":"1","message":"m"}]}"#,
            r#"{"logEvents":[{"message":"bad \x escape"}]}"#,
            r#"{"logEvents":[{"message":"bad \u12 escape"}]}"#,
            "{\"logEvents\":[{\"message\":\"raw\ttab\"}]}",
            r#"{"logGroup":"/g"} trailing"#,
            r#"{"logGroup":"/g",}"#,
            r#"{"x":[1,]}"#,
            r#"{"x":-}"#,
            r#"{"x":1.}"#,
            r#"{"x":1e}"#,
            r#"{"x":tru}"#,
            r#"{"logEvents":{}}"#,
            r#"{"subscriptionFilters":[1]}"#,
        ] {
            assert!(read(text).is_none(), "{text}");
            assert!(serde(text).is_err(), "{text}");
        }
        let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(120), "]".repeat(120));
        assert!(read(&deep).is_none());
    }

    #[test]
    fn every_truncation_and_corruption_agrees_with_serde() {
        // Cut everywhere, and replace each byte with each structural character: the fast path
        // must never accept what serde rejects, nor read anything differently.
        let mut fast = 0;
        for cut in 0..=DOC.len() {
            if let Some(prefix) = DOC.get(..cut) {
                agrees(prefix);
            }
        }
        for at in 0..DOC.len() {
            for replacement in [
                "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "0", "-", "e", "n", ".", "\\u",
                "\"\"", "é",
            ] {
                if !DOC.is_char_boundary(at) || !DOC.is_char_boundary(at + 1) {
                    continue;
                }
                let mutated = format!("{}{}{}", &DOC[..at], replacement, &DOC[at + 1..]);
                fast += usize::from(agrees(&mutated));
            }
        }
        // Many corruptions still leave a valid document (inside a message, say).
        assert!(fast > 1000, "{fast}");
    }

    #[test]
    fn quote_or_backslash_search_matches_memchr2_at_every_offset() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            for special_at in 0..=len {
                for special in [b'"', b'\\'] {
                    let mut b = vec![b'x'; len];
                    if special_at < len {
                        b[special_at] = special;
                    }
                    for from in 0..=len + 1 {
                        let expected = b
                            .get(from..)
                            .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                            .map(|k| from + k);
                        assert_eq!(
                            next_quote_or_backslash(&b, from),
                            expected,
                            "{len} {special_at} {from}"
                        );
                    }
                }
            }
        }
    }

    /// Block scanning agrees with the portable scan for every start offset, on bodies that put
    /// quotes, escapes (`\"`, `\\`, `\u` straddling a block edge) and control bytes before,
    /// on and after the 64-byte block edges.
    #[test]
    fn string_end_agrees_with_the_portable_scan_at_every_offset() {
        let pieces: [&[u8]; 12] = [
            b"\"",
            b"\\\"",
            b"\\\\",
            // Backslash runs of 3, 4 and 5 before a quote: escaped, closing, escaped.
            b"\\\\\\\"",
            b"\\\\\\\\\"",
            b"\\\\\\\\\\\"",
            b"\\u00e9",
            b"\\x",
            b"\\u12",
            b"\n",
            b"\x1f",
            "é".as_bytes(),
        ];
        let mut checked = 0;
        for len in [40, 63, 64, 65, 100, 127, 128, 129, 200] {
            for piece in pieces {
                for piece_at in (0..len).step_by(7).chain([61, 62, 63, 64, 65, 126, 127]) {
                    if piece_at >= len {
                        continue;
                    }
                    let mut b = vec![b'a'; len];
                    b.splice(
                        piece_at..(piece_at + piece.len()).min(len),
                        piece.iter().copied(),
                    );
                    b.extend_from_slice(b"\" tail");
                    for from in 0..b.len() {
                        assert_eq!(
                            string_end(&b, from),
                            string_end_portable(&b, from),
                            "len {len}, piece {piece:?} at {piece_at}, from {from}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50_000, "{checked}");
        // Escapes are reported; an unterminated body has no end.
        assert_eq!(string_end(&[b'a'; 70], 0), None);
        let escaped = [&[b'a'; 66][..], b"\\\"bc\""].concat();
        assert_eq!(string_end(&escaped, 0), Some((escaped.len() - 1, true)));
    }

    #[test]
    fn long_messages_with_escapes_agree_with_serde() {
        let valid = [
            "x".repeat(300),
            r#"{\"level\":\"error\",\"msg\":\"a \\\"quoted\\\" word\"}"#.repeat(9),
            format!("{}\\u00e9{}", "y".repeat(62), "z".repeat(80)),
            format!("{}\\\\{}", "y".repeat(63), "z".repeat(80)),
        ];
        let invalid = [
            format!("{}\u{1}{}", "y".repeat(70), "z".repeat(80)),
            format!("{}\\q{}", "y".repeat(70), "z".repeat(80)),
            format!("{}\\u12{}", "y".repeat(62), "z".repeat(80)),
        ];
        let document = |body: &str| {
            format!(
                r#"{{"logGroup":"/g","logEvents":[{{"id":"1","timestamp":1,"message":"{body}"}},{{"timestamp":2,"message":"{body}{body}"}}]}}"#
            )
        };
        for body in &valid {
            assert!(agrees(&document(body)), "fast path declined {body}");
        }
        for body in &invalid {
            assert!(read(&document(body)).is_none(), "{body}");
            assert!(serde(&document(body)).is_err(), "{body}");
        }
    }

    /// Random long messages built from pieces that matter to the block scan (quotes, escapes of
    /// every kind, broken escapes, control bytes, multi-byte characters) at random places: the
    /// fast path either declines or reads exactly what serde reads, and it declines only what
    /// serde rejects.
    #[test]
    fn random_long_messages_agree_with_serde() {
        const PIECES: [&str; 14] = [
            "a",
            "word ",
            "\\\"",
            "\\\\",
            "\\n",
            "\\/",
            "\\u00e9",
            "\\ud83d\\ude00",
            "é",
            "😀",
            "\\x",
            "\\u12",
            "\u{1}",
            "\"",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut accepted, mut declined) = (0, 0);
        for _ in 0..3000 {
            let mut body = String::new();
            let len = 40 + next() % 200;
            while (body.len() as u64) < len {
                // Mostly plain text, so most documents stay valid.
                let piece = match next() % 100 {
                    0..=59 => PIECES[0],
                    60..=69 => PIECES[1],
                    70..=97 => PIECES[2 + (next() % 8) as usize],
                    _ => PIECES[10 + (next() % 4) as usize],
                };
                body.push_str(piece);
            }
            let text = format!(
                r#"{{"logGroup":"/g","logEvents":[{{"id":"1","timestamp":1,"message":"{body}"}},{{"timestamp":2,"message":"x{body}"}}]}}"#
            );
            if agrees(&text) {
                accepted += 1;
            } else {
                assert!(
                    serde(&text).is_err(),
                    "fast path declined a valid document: {text}"
                );
                declined += 1;
            }
        }
        assert!(accepted > 300 && declined > 300, "{accepted} {declined}");
    }

    #[test]
    fn small_decimal_reads_every_length() {
        for text in [
            "0",
            "7",
            "12345678",
            "123456789",
            "1763870400000",
            "999999999999999999",
        ] {
            assert_eq!(
                small_decimal(text.as_bytes()),
                text.parse::<i64>().unwrap(),
                "{text}"
            );
        }
        let mut n = 1i64;
        for _ in 0..18 {
            assert_eq!(small_decimal(n.to_string().as_bytes()), n);
            assert_eq!(
                small_decimal((n - 1).max(0).to_string().as_bytes()),
                (n - 1).max(0)
            );
            n = n.saturating_mul(10);
        }
    }

    #[test]
    fn control_bytes_are_found_anywhere() {
        let mut b = vec![b'a'; 2000];
        assert!(!has_control_bytes(&b));
        for at in [0, 511, 512, 1999] {
            b[at] = b'\n';
            assert!(has_control_bytes(&b), "{at}");
            b[at] = b'a';
        }
        assert!(has_control_bytes(&[0x1f]));
        assert!(!has_control_bytes(&[0x20, 0x7f, 0x80, 0xff]));
    }
}
