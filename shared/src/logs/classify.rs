//! Classification of one log message: error, HTTP 5xx, failed login (with user and source).
//!
//! Precision matters as much as recall, so every rule looks at a *position* or a *field*, never
//! at a word anywhere in the line: a severity token must sit in the line's header, an HTTP
//! status is taken from its column, a JSON level from a level field. Cost matters too (tens of
//! thousands of events per invocation): one pass of a literal automaton (`GATE`, SIMD
//! accelerated) over the raw, still-escaped message says which rule families can apply at all;
//! most events stop there without being unescaped, parsed or regex-matched.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{packed, AhoCorasick, MatchKind};
use memchr::memmem;
use regex::Regex;
use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// `finder!("literal")`: a substring searcher for the literal, built once per call site
/// (building one per search cost more than the search itself on short lines).
macro_rules! finder {
    ($needle:literal) => {{
        static FINDER: LazyLock<memmem::Finder<'static>> =
            LazyLock::new(|| memmem::Finder::new($needle));
        &*FINDER
    }};
}

/// `split_once!(text, "literal")`: `text.split_once("literal")` with a [`finder!`] (std builds a
/// new two-way searcher on every call).
macro_rules! split_once {
    ($text:expr, $needle:literal) => {{
        let text: &str = $text;
        finder!($needle)
            .find(text.as_bytes())
            // The needle is ASCII, so both ends are character boundaries.
            .map(|at| (&text[..at], &text[at + $needle.len()..]))
    }};
}

/// `has!(text, "literal")`: whether `text` (`&str` or `&[u8]`) contains the literal.
macro_rules! has {
    ($line:expr, $needle:literal) => {{
        let hay: &[u8] = $line.as_ref();
        finder!($needle).find(hay).is_some()
    }};
}

/// What one log event is. One event may be several kinds (a 5xx access-log line is also an error;
/// `error: maximum authentication attempts exceeded …` is an error and a failed login).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classification<'a> {
    pub error: bool,
    pub http_5xx: bool,
    pub failed_login: Option<FailedLogin<'a>>,
    /// `Accepted <method> for USER from IP port N`: lets the aggregator discard publickey probes
    /// of the same connection that ended in a successful login.
    pub accepted_login: Option<Connection<'a>>,
}

/// A failed or refused authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedLogin<'a> {
    pub user: Option<Cow<'a, str>>,
    /// IP address or host name, as logged.
    pub source: Option<Cow<'a, str>>,
    /// `Failed publickey for USER …` of a valid user: a key the client offered that was not
    /// accepted. Clients routinely offer several keys before one works, so this counts only if
    /// the same connection (source + port) does not log `Accepted` in the batch.
    pub publickey_probe: Option<Connection<'a>>,
}

/// Source address and port of one SSH connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection<'a> {
    pub source: Cow<'a, str>,
    pub port: Cow<'a, str>,
}

impl Classification<'_> {
    pub fn is_failed_login(&self) -> bool {
        self.failed_login.is_some()
    }
}

/// Classifies one log message.
pub fn classify(message: &str) -> Classification<'_> {
    let bits = gate_bits(message.as_bytes());
    classify_text_or_json(message, bits)
}

/// Where the container's own line starts after the prefix containerd and CRI-O write before
/// every line of a container log file (`/var/log/containers/*.log`):
/// `2026-12-03T09:00:00.123456789Z stdout F ` (RFC 3339 time, the stream, `F` for a full line
/// or `P` for a partial one). Shipped without a CRI parser (the CloudWatch agent tailing those
/// files), the prefix would hide the line's own header, or its JSON, from the rules. The prefix
/// is ASCII that JSON never escapes, so the offset is the same in the raw and unescaped text.
/// Access-log lines are found behind it by their own rules; the rest is looked at in
/// `classify_text` (lines with gate literals) and at the end of `prefilter` (lines without).
#[inline(always)]
fn cri_line_start(b: &[u8]) -> Option<usize> {
    // Runs on every message: one byte refuses all but RFC 3339 time stamps.
    if b.get(10) != Some(&b'T') {
        return None;
    }
    cri_prefix_end(b)
}

#[inline(never)]
fn cri_prefix_end(b: &[u8]) -> Option<usize> {
    if b.len() < 30 || b[4] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let space = (19..b.len().min(40)).find(|&i| b[i] == b' ')?;
    let rest = &b[space + 1..];
    let after_stream = rest
        .strip_prefix(b"stdout ")
        .or_else(|| rest.strip_prefix(b"stderr "))?;
    match after_stream {
        [b'F' | b'P', b' ', ..] => Some(b.len() - after_stream.len() + 2),
        _ => None,
    }
}

fn classify_text_or_json(message: &str, bits: Bits) -> Classification<'_> {
    if message.trim_start().starts_with('{') {
        if let Some(c) = classify_json(message, bits) {
            return c;
        }
    }
    classify_text(message, bits)
}

/// The first, cheap step for an event whose message is still JSON-escaped (as it sits in the
/// decompressed payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefilter {
    /// Nothing but positional rules can apply, and they were evaluated on the raw text.
    Settled { error: bool, http_5xx: bool },
    /// Unescape the message and call [`classify_prefiltered`].
    Examine(Bits),
}

/// One bit per gate literal, and the non-literal flags at the top ([`JSON_NUMBER_5`] …).
type Mask = u128;

/// Gate literals found in a message, one bit per `GATE_LITERALS` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bits(Mask);

impl Bits {
    fn has(self, literal: usize) -> bool {
        self.0 & (1 << literal) != 0
    }
    fn any(self, mask: Mask) -> bool {
        self.0 & mask != 0
    }
}

/// Runs the gate on a raw (JSON-escaped, unquoted) message.
pub fn prefilter(raw: &str) -> Prefilter {
    let b = raw.as_bytes();
    if b.first() != Some(&b'{') {
        // Access logs are settled by position alone (their URL and User-Agent may say
        // anything); the raw text keeps the request's quotes as `\"`.
        if let Some(status) = clf_status(b, Quoting::JsonEscaped)
            .or_else(|| elb_status(b))
            .or_else(|| app_server_status(b, Quoting::JsonEscaped))
        {
            return access_log_verdict(b, status);
        }
    }
    let bits = gate_bits(b);
    if bits.0 != 0 {
        if b.first() == Some(&b'{') && !bits.any(!SEVERITY_BITS) {
            // `{"error":null,"level":"info",…}`: severity words only as field names.
            return Prefilter::Settled {
                error: false,
                http_5xx: false,
            };
        }
        return Prefilter::Examine(bits);
    }
    if b.first() == Some(&b'{') {
        // A JSON message with none of the gate literals: no JSON rule can fire.
        return Prefilter::Settled {
            error: false,
            http_5xx: false,
        };
    }
    if cri_line_start(b).is_some() {
        // A container log file's line without any gate literal: its JSON may still hold a 5xx
        // status, or its header a level; `classify_text` reads the container's own line.
        return Prefilter::Examine(bits);
    }
    // Positional rules read only bytes that JSON never escapes (headers).
    Prefilter::Settled {
        error: positional_level(b) == Some(true),
        http_5xx: false,
    }
}

/// An access-log line: its status column decides (a 5xx is also an error), and so does a
/// syslog `<PRI>` header in front of it; nothing in the request, referrer or User-Agent counts
/// (they are client-controlled), and it is never a login failure.
fn access_log_verdict(b: &[u8], status: u16) -> Prefilter {
    let http_5xx = (500..=599).contains(&status);
    Prefilter::Settled {
        error: http_5xx || positional_level(b) == Some(true),
        http_5xx,
    }
}

/// Classifies the unescaped `message` of an event whose [`prefilter`] said `Examine`.
pub fn classify_prefiltered<'a>(message: &'a str, prefilter: Prefilter) -> Classification<'a> {
    match prefilter {
        Prefilter::Examine(bits) => classify_text_or_json(message, bits),
        Prefilter::Settled { error, http_5xx } => Classification {
            error,
            http_5xx,
            ..Classification::default()
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Gate

/// Literals (case-sensitive) that every non-positional rule needs. Keep it a superset: an event
/// without any of them is never examined further. Indices are used as bits; keep ≤ 64.
const GATE_LITERALS: &[&str] = &[
    // 0..=20: severity words (header tokens, logfmt values, JSON level values)
    "err",
    "Err",
    "ERR",
    "fatal",
    "Fatal",
    "FATAL",
    "crit",
    "Crit",
    "CRIT",
    "alert",
    "Alert",
    "ALERT",
    "emerg",
    "Emerg",
    "EMERG",
    "panic",
    "Panic",
    "PANIC",
    "severe",
    "Severe",
    "SEVERE",
    // 21..=26: Lambda runtime and stack traces
    "timed out",
    "exited",
    "Traceback",
    "Exception in thread",
    "Runtime.",
    "Status: ",
    // 27..=46: authentication ("Fail": `Failed `, and `Login Failure`/`Login Failed.`, whose
    // capital F neither `fail` nor `FAIL` finds)
    "Fail",
    "FAIL",
    "fail",
    "nvalid",
    "llegal user",
    "REFUSED",
    "refused connect",
    "not allowed",
    "denied",
    "user unknown",
    "ignoring max",
    "not known",
    "authentication methods",
    "incorrect password",
    "authenticating user",
    "Couldn't authenticate",
    "Accepted ",
    "maximum authentication",
    "ejected", // rejected, Rejected
    // 46: MongoDB ≥ 4.4 structured logs (`{"t":{"$date":…},"s":"E",…}`): the severity is `s`
    // (a literal without quotes, so it matches the JSON-escaped payload text too)
    "$date",
    // 47..=50: JSON-only shapes (platform events, klog in envelopes; the quoted one twice:
    // unescaped, and as it appears JSON-escaped inside a payload)
    "everity",
    "platform.",
    "log\":\"",
    "log\\\":\\\"",
    // 51: Grafana/log15 `lvl=eror`
    "eror",
    // 52..=55: more authentication (CloudTrail, Apache/nginx basic auth)
    "ConsoleLogin",
    "not found: ",
    "mismatch",
    "was not found in",
    // 56: journald JSON export (`journalctl -o json`) syslog priority
    "PRIORITY",
    // 57: an access-log status column starting with 5 right after the quoted request, for
    // access logs wrapped in a JSON envelope (`{"log":"1.2.3.4 - - […] \"GET / …\" 502 …"}`);
    // bare access-log lines are settled by position before the gate runs
    "\" 5",
    // 58..=59: a Java stack frame on its own line (`\n\tat com.example.Handler…`), as text and
    // as it sits JSON-escaped in a payload
    "\n\tat ",
    "\\n\\tat ",
    // 60: Dovecot's passdb verdict `passwd-file(U,IP): unknown user`
    "unknown user",
    // 61: OpenStack's WSGI access line (`"GET /v2/servers HTTP/1.1" status: 500 len: …`); the
    // quote matches both the plain and the JSON-escaped (`\"`) text
    "\" status: ",
    // 62: Auth0's tenant log events (`{"log_id":"…","type":"fp",…}`), whose failed logins are
    // named only by a type code
    "log_id",
    // 63: AWS Step Functions' `TaskTimedOut`, `ExecutionTimedOut`, … (its `Failed` events hold
    // `Fail`)
    "TimedOut",
    // 64: Dropbear's `Bad password attempt for 'U' from IP:PORT` and `Login attempt for
    // nonexistent user from IP:PORT` (no other gate literal; logged without a level)
    "attempt for ",
    // 65: FreeRADIUS's `Login incorrect[ (reason)]: [U] (from client …)` (no other literal; its
    // own log has no level)
    "Login incorrect",
    // The top three bits are not literals: see JSON_NUMBER_5, JSON_NUMBER_6, SEVERITY_IN_VALUE.
];

const _: () = assert!(GATE_LITERALS.len() <= WINDOWS_EVENT);

const SEVERITY_BITS: Mask = ((1 << 21) - 1) | (1 << L_EROR);
const LAMBDA_BITS: Mask = 0b11_1111 << 21;
const AUTH_BITS: Mask = (((1 << 19) - 1) << 27)
    | (0b1111 << 52)
    | (1 << L_UNKNOWN_USER)
    | (1 << L_ATTEMPT_FOR)
    | (1 << L_LOGIN_INCORRECT)
    | (1 << WINDOWS_EVENT);
const L_EROR: usize = 51;
const L_NOT_FOUND_COLON: usize = 53;
const L_MISMATCH: usize = 54;
const L_NOT_FOUND_IN: usize = 55;
/// Not a literal: in a JSON object, a level- or status-like key whose value (number or numeric
/// string) starts with 5 (`"status":503`, `"level":50`, `"elb_status_code": "502"`).
const JSON_NUMBER_5: usize = Mask::BITS as usize - 3;
/// Not a literal: the same with 6 (`"level":60`, pino/bunyan fatal).
const JSON_NUMBER_6: usize = Mask::BITS as usize - 2;
const JSON_5XX_BITS: Mask = 1 << JSON_NUMBER_5;
/// Not a literal: in a JSON object, a severity word outside a key name (`"level":"error"`, or in
/// a value). Without it the severity words are only field names (`{"error":null,…}`).
const SEVERITY_IN_VALUE: usize = Mask::BITS as usize - 1;
/// `Fail` (title case): sshd's `Failed <method>`, apps' `Login Failure`.
const L_FAIL_TITLE: usize = 27;
const L_FAIL_UPPER: usize = 28;
const L_FAIL: usize = 29;
const L_INVALID: usize = 30;
const L_ILLEGAL: usize = 31;
const L_REFUSED_UPPER: usize = 32;
const L_REFUSED_CONNECT: usize = 33;
const L_NOT_ALLOWED: usize = 34;
const L_DENIED: usize = 35;
const L_USER_UNKNOWN: usize = 36;
const L_IGNORING_MAX: usize = 37;
const L_NOT_KNOWN: usize = 38;
const L_AUTH_METHODS: usize = 39;
const L_INCORRECT_PASSWORD: usize = 40;
const L_AUTHENTICATING_USER: usize = 41;
const L_COULDNT_AUTH: usize = 42;
const L_ACCEPTED: usize = 43;
const L_MAX_AUTH: usize = 44;
const L_UNKNOWN_USER: usize = 60;
const L_WSGI_STATUS: usize = 61;
const L_LOG_ID: usize = 62;
/// Only gates (no rule tests its bit): a Step Functions event is read in full when it has it.
#[cfg(test)]
const L_TIMED_OUT_CAMEL: usize = 63;
const L_ATTEMPT_FOR: usize = 64;
const L_LOGIN_INCORRECT: usize = 65;
/// Not a literal: a Windows event as the CloudWatch agent ships it, by its first bytes (`<Event `
/// for XML, `[Security] [` for text). Events 4771 and 4776 hold no gate literal, and a literal
/// for the provider name cost more (0.6–4.4 M instructions on the bench payload, Teddy's
/// fingerprints) than this prefix test.
const WINDOWS_EVENT: usize = Mask::BITS as usize - 4;
const L_ERR: usize = 0;
const L_JAVA_FRAME: usize = 58;
const L_JAVA_FRAME_ESCAPED: usize = 59;
const JAVA_FRAME_BITS: Mask = (1 << L_JAVA_FRAME) | (1 << L_JAVA_FRAME_ESCAPED);

/// The literal gate: aho-corasick's packed SIMD searcher (Teddy on x86-64 and aarch64) used
/// directly, which reports matches without re-confirming each one with an automaton; the full
/// automaton where no SIMD searcher is available.
///
/// The literals are split into [`GATE_GROUPS`] searchers. One Teddy over all 65 literals packs
/// several into each of its 16 buckets, and on ordinary lower-case text most positions then
/// match some bucket's nibble fingerprint and must be verified; smaller groups scan the text
/// more than once but verify far fewer false candidates. Which group a literal joins matters:
/// Dropbear's `attempt for ` cost 2.5 M instructions on the bench payload (1.6 %) in the
/// second group, whatever its text, and 0.2 M in the first; FreeRADIUS's `Login incorrect`
/// 0.22 M in the first and 0.05 M in the second. Teddy's buckets shift with every pattern,
/// so measure (callgrind) before moving one. Other splits tried were worse (160.6–168.6 M
/// against 159.3 M).
enum Gate {
    /// Each searcher with the literal index of each of its patterns.
    Packed(Vec<(Vec<usize>, packed::Searcher)>),
    Automaton(AhoCorasick),
}

/// Literal index ranges (start, end exclusive) of the gate's searchers; each literal in exactly
/// one.
const GATE_GROUPS: &[&[(usize, usize)]] = &[&[(0, 21), (64, 65)], &[(21, 64), (65, 66)]];

static GATE: LazyLock<Gate> = LazyLock::new(|| {
    let packed: Option<Vec<(Vec<usize>, packed::Searcher)>> = GATE_GROUPS
        .iter()
        .map(|ranges| {
            let indices: Vec<usize> = ranges.iter().flat_map(|&(start, end)| start..end).collect();
            packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(indices.iter().map(|&i| GATE_LITERALS[i]))
                .build()
                .map(|searcher| (indices, searcher))
        })
        .collect();
    match packed {
        Some(searchers) => Gate::Packed(searchers),
        None => Gate::Automaton(
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(GATE_LITERALS)
                .expect("static literal set"),
        ),
    }
});

impl Gate {
    /// Calls `found(literal index, end of the match)` for each non-overlapping match of each
    /// searcher.
    fn for_each(&self, hay: &[u8], mut found: impl FnMut(usize, usize)) {
        match self {
            Gate::Packed(searchers) => {
                for (indices, searcher) in searchers {
                    for m in searcher.find_iter(hay) {
                        found(indices[m.pattern().as_usize()], m.end());
                    }
                }
            }
            Gate::Automaton(automaton) => {
                for m in automaton.find_iter(hay) {
                    found(m.pattern().as_usize(), m.end());
                }
            }
        }
    }
}

fn gate_bits(hay: &[u8]) -> Bits {
    let json = hay.trim_ascii_start().first() == Some(&b'{');
    let mut bits: Mask = 0;
    GATE.for_each(hay, |literal, end| {
        bits |= 1 << literal;
        if json
            && SEVERITY_BITS & (1 << literal) != 0
            && (!ends_inside_key(&hay[end..]) || names_error_type(hay, literal, end))
        {
            bits |= 1 << SEVERITY_IN_VALUE;
        }
    });
    if json {
        bits |= numeric_level_or_status(hay);
    } else if hay.starts_with(b"<Event ") || hay.starts_with(b"[Security] [") {
        bits |= 1 << WINDOWS_EVENT;
    }
    Bits(bits)
}

/// Whether the literal `err` ending at `end` starts the key `"errorType"`: a Lambda runtime's
/// error document (`{"errorMessage":…,"errorType":"java.lang.RuntimeException",…}`) names
/// its failure only by that key, so the key counts like a severity word in a value.
fn names_error_type(hay: &[u8], literal: usize, end: usize) -> bool {
    let rest = &hay[end..];
    literal == L_ERR
        && end >= 4
        && hay[end - 4] == b'"'
        && (rest.starts_with(b"orType\":") || rest.starts_with(b"orType\\\":"))
}

/// In a JSON object (plain or JSON-escaped), whether the text after a literal finishes a key
/// name: more name characters, then `":` (or `\":` when escaped).
fn ends_inside_key(rest: &[u8]) -> bool {
    let name_len = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
        .count();
    let rest = &rest[name_len..];
    rest.starts_with(b"\":") || rest.starts_with(b"\\\":")
}

/// Positions of the colons in `hay`. A JSON log has a dozen in a few hundred bytes (keys, times),
/// where restarting `memchr` for each one cost more than finding them: on x86-64 this compares
/// 64 bytes at a time into a bit mask (SSE2) and walks its bits.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn colons(hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let blocks = hay.chunks_exact(64);
    let tail_at = hay.len() - blocks.remainder().len();
    let tail = memchr::memchr_iter(b':', blocks.remainder()).map(move |i| tail_at + i);
    blocks
        .enumerate()
        .flat_map(|(block, chunk)| {
            let chunk: &[u8; 64] = chunk.try_into().expect("64-byte block");
            let mut mask = colon_mask(chunk);
            std::iter::from_fn(move || {
                (mask != 0).then(|| {
                    let at = mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    block * 64 + at
                })
            })
        })
        .chain(tail)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn colons(hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b':', hay)
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn colon_mask(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SAFETY: this build targets CPUs with SSE2 (the cfg above; every x86-64 CPU has it), and
    // each load reads 16 bytes inside the 64-byte block.
    unsafe {
        let colon = _mm_set1_epi8(b':' as i8);
        let mut mask = 0u64;
        for (i, chunk) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            mask |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, colon)) as u16) << (16 * i);
        }
        mask
    }
}

/// Level- and status-like keys whose numeric value can make an event an error or a 5xx: a
/// superset of the numeric cases of [`LEVEL_KEYS`] and [`HTTP_STATUS_KEYS`] (the full look
/// decides). Matched on the innermost key, so `{"http":{"status_code":502}}` counts.
fn numeric_sensitive_key(key: &[u8]) -> bool {
    const PARTS: &[&[u8]] = &[b"status", b"level", b"lvl", b"severity", b"response_code"];
    if key == b"@l" {
        return true;
    }
    PARTS.iter().any(|part| {
        key.windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part))
    })
}

/// One scan over the colons of a JSON object (plain or still JSON-escaped), tolerant of any
/// spacing (`"status" : 503`, `"status": "503"`, `"level":\t50`): a level- or status-like key
/// ([`numeric_sensitive_key`]) whose value starts with 5 or 6 sets [`JSON_NUMBER_5`] or
/// [`JSON_NUMBER_6`]. Numbers under other keys (`"duration_ms":530`) set nothing.
fn numeric_level_or_status(hay: &[u8]) -> Mask {
    let mut found: Mask = 0;
    for colon in colons(hay) {
        // Only right after a key (`"…" :`), not inside `12:59` or a URL.
        let before = hay[..colon].trim_ascii_end();
        let Some(key_and_quote) = before.strip_suffix(b"\"") else {
            continue;
        };
        let mut rest = &hay[colon + 1..];
        loop {
            match rest {
                [b' ' | b'\t' | b'\r' | b'\n', tail @ ..] => rest = tail,
                [b'\\', b't' | b'n' | b'r', tail @ ..] => rest = tail,
                _ => break,
            }
        }
        let rest = rest
            .strip_prefix(b"\\\"")
            .or_else(|| rest.strip_prefix(b"\""))
            .unwrap_or(rest);
        let bit = match rest.first() {
            Some(b'5') => 1 << JSON_NUMBER_5,
            Some(b'6') => 1 << JSON_NUMBER_6,
            _ => continue,
        };
        if found & bit != 0 {
            continue;
        }
        // The key: back to its opening quote; when escaped, both quotes carry a backslash.
        let key = key_and_quote.strip_suffix(b"\\").unwrap_or(key_and_quote);
        let key = match memchr::memrchr(b'"', key) {
            Some(open) => &key[open + 1..],
            None => continue,
        };
        if numeric_sensitive_key(key) {
            found |= bit;
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Text lines

/// The container's own line of a CRI container-log line (see [`cri_line_start`]); its gate
/// literals are looked up again, because a JSON line's are read differently (values,
/// numbers) from a text line's.
#[inline(never)]
fn classify_cri_content(content: &str) -> Classification<'_> {
    classify_text_or_json(content, gate_bits(content.as_bytes()))
}

fn classify_text(line: &str, bits: Bits) -> Classification<'_> {
    let b = line.as_bytes();
    if let Some(at) = cri_line_start(b) {
        return classify_cri_content(&line[at..]);
    }
    let status = access_log_status(b).or_else(|| {
        if bits.has(L_WSGI_STATUS) {
            openstack_wsgi_status(b)
        } else {
            None
        }
    });
    if let Some(status) = status {
        return classify_prefiltered(line, access_log_verdict(b, status));
    }
    let mut c = Classification {
        error: text_error(line, bits),
        ..Classification::default()
    };
    // `error: PAM: Authentication error for …`, Keycloak's `type=LOGIN_ERROR`, Vaultwarden's
    // `[ERROR] Username or password is incorrect.` and an LDAP server's refused bind (`RESULT
    // tag=97 err=49`) carry no auth literal of their own.
    if bits.any(AUTH_BITS)
        || (bits.any(SEVERITY_BITS)
            && (has!(line, "PAM: ")
                || has!(line, "LOGIN_ERROR")
                || has!(line, "password is incorrect. Try again.")
                || (bits.has(L_ERR) && has!(line, " err=49 "))))
    {
        c.failed_login = failed_login_text(line, bits);
        if c.failed_login.is_none() && bits.has(L_ACCEPTED) {
            c.accepted_login = accepted_login(line);
        }
    }
    c
}

// ----- errors in text lines

/// `Some(true)` for an error level word, `Some(false)` for another level word (any case).
fn level_word(word: &[u8]) -> Option<bool> {
    if word.is_empty() || word.len() > 13 {
        return None;
    }
    let mut lower = [0u8; 13];
    for (d, s) in lower.iter_mut().zip(word) {
        *d = s.to_ascii_lowercase();
    }
    match &lower[..word.len()] {
        b"error" | b"err" | b"fatal" | b"critical" | b"crit" | b"alert" | b"emerg"
        | b"emergency" | b"panic" | b"severe" | b"eror" => Some(true),
        b"info" | b"information" | b"informational" | b"inf" | b"debug" | b"dbg" | b"trace"
        | b"warn" | b"warning" | b"wrn" | b"notice" | b"fine" | b"finer" | b"finest"
        | b"config" | b"verbose" | b"note" | b"dbug" => Some(false),
        _ => None,
    }
}

/// Whether a text line reports an error, given the gate literals it contains.
fn text_error(line: &str, bits: Bits) -> bool {
    let b = line.as_bytes();
    if let Some(verdict) = positional_level(b) {
        return verdict;
    }
    if bits.any(LAMBDA_BITS) {
        if let Some(verdict) = lambda_platform(line) {
            return verdict;
        }
        if has!(b, "Traceback (most recent call last)") || has!(b, "Exception in thread \"") {
            return true;
        }
    }
    if let Some(verdict) = lambda_level_column(b) {
        return verdict;
    }
    if b.first() == Some(&b'(') && api_gateway_execution_error(b) {
        return true;
    }
    if !bits.any(SEVERITY_BITS) {
        // `FAILURE` (a BGL level) is gated by `FAIL`, an authentication literal.
        return dotnet_console_error(line)
            || (bits.has(L_FAIL_UPPER) && header_severity(line))
            || (bits.any(JAVA_FRAME_BITS)
                && header_level(line).is_none()
                && java_stack_trace(line));
    }
    if let Some(verdict) = logfmt_level(b) {
        return verdict;
    }
    header_level(line).unwrap_or_else(|| bits.any(JAVA_FRAME_BITS) && java_stack_trace(line))
}

/// A Java stack trace with no level header of its own, as `printStackTrace` and the Lambda Java
/// runtime (an unhandled exception, when the function logs text) write it: a line naming an
/// exception class (`java.lang.IllegalStateException: boom`, `Caused by: …`) before the first
/// `\tat …` frame line. A frame alone, or a trace under an `INFO`/`WARN` header, is not an
/// error here.
fn java_stack_trace(line: &str) -> bool {
    let Some(frame) = finder!("\n\tat ").find(line.as_bytes()) else {
        return false;
    };
    line[..frame].split('\n').any(|l| {
        let l = l.strip_prefix("Caused by: ").unwrap_or(l);
        let class = l.split(':').next().unwrap_or("").trim_end();
        class.contains('.')
            && class
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
            && ["Exception", "Error", "Throwable"]
                .iter()
                .any(|suffix| class.ends_with(suffix))
    })
}

/// .NET's console logger (`Microsoft.Extensions.Logging`, the ASP.NET Core default) starts each
/// entry with a four-letter level: `fail: Category[EventId]` is Error (`crit:` is read as a
/// header token like any other).
fn dotnet_console_error(line: &str) -> bool {
    line.strip_prefix("fail: ")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// Headers that carry the severity at a fixed place: klog (`E0523 12:00:00.123456 …`), syslog
/// `<PRI>`, Android logcat (`03-17 16:13:47.518  1702  1820 E ActivityManager: …`, also the
/// `time` and `brief` formats `E/Tag( 1702): …`) and the Windows CBS/CSI servicing log
/// (`2016-09-28 04:30:31, Error                 CBS    …`). They read only bytes that JSON
/// never escapes, so they also settle a still-escaped message.
fn positional_level(b: &[u8]) -> Option<bool> {
    match b {
        [l @ (b'E' | b'F' | b'I' | b'W'), m1, m2, d1, d2, b' ', h1, h2, b':', ..]
            if [m1, m2, d1, d2, h1, h2].iter().all(|c| c.is_ascii_digit()) =>
        {
            Some(matches!(l, b'E' | b'F'))
        }
        [b'<', rest @ ..] => {
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            if (1..=3).contains(&digits) && rest.get(digits) == Some(&b'>') {
                let pri: u32 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
                if pri <= 191 {
                    return Some(pri % 8 <= 3);
                }
            }
            None
        }
        // Separators first: most lines starting with a digit are neither (ISO or Java times).
        [d, ..] if d.is_ascii_digit() => match (b.get(2), b.get(10), b.get(19)) {
            (Some(b'-'), ..) => logcat_level(b),
            (_, Some(b' '), Some(b'.')) => logcat_level(b),
            (_, Some(b' '), Some(b',')) => windows_cbs_level(b),
            (_, Some(b'T'), _) => iso_time_level(b),
            _ => None,
        },
        [b'[', ..] => b.strip_prefix(b"[Container] ").and_then(codebuild_level),
        [_, b'/', ..] => logcat_brief_level(b),
        _ => None,
    }
}

/// A short level right after an ISO-8601 timestamp: Telegraf, also as the CloudWatch agent
/// logs (`2024-05-01T12:00:00Z E! [outputs.cloudwatchlogs] …`: `E!` is an error; `W!`, `I!`,
/// `D!`, `T!` are not), and MongoDB before 4.4 (`2024-05-01T12:00:00.000+0000 E  NETWORK
/// [conn1] …`: a one-letter severity `F`, `E`, `W`, `I`, `D`, `D1`…`D5`, then the component
/// (`NETWORK`, `REPL`, …, or `-`) and the `[context]`).
fn iso_time_level(b: &[u8]) -> Option<bool> {
    if b.len() < 11 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let space = b.iter().take(40).position(|&c| c == b' ')?;
    let rest = &b[space + 1..];
    if let [level @ (b'E' | b'W' | b'I' | b'D' | b'T'), b'!', b' ', ..] = rest {
        return Some(*level == b'E');
    }
    let (verdict, after) = match rest {
        [s @ (b'F' | b'E' | b'W' | b'I' | b'D'), b' ', after @ ..] => {
            (matches!(s, b'F' | b'E'), after)
        }
        [b'D', b'1'..=b'5', b' ', after @ ..] => (false, after),
        _ => return None,
    };
    let after = &after[after.iter().take_while(|&&c| c == b' ').count()..];
    let component = after
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || **c == b'-')
        .count();
    let after = &after[component..];
    let spaces = after.iter().take_while(|&&c| c == b' ').count();
    (component > 0 && spaces > 0 && after.get(spaces) == Some(&b'[')).then_some(verdict)
}

/// AWS CodeBuild's build log, after its `[Container] ` tag: `2024/05/01 12:00:00.123456 MESSAGE`.
/// A failed command or phase is an error: `Command did not exit successfully npm test exit
/// status 1`, `Phase complete: BUILD State: FAILED` (also `FAULT`, `TIMED_OUT`), and the `Phase
/// context status code: COMMAND_EXECUTION_ERROR Message: …` that follows (a successful phase
/// writes that line with an empty code). `Running command …` echoes the buildspec, so an
/// `ERROR` in the command is not a level. Other lines are left to the other rules.
fn codebuild_level(b: &[u8]) -> Option<bool> {
    if !matches_shape(b, b"9999/99/99 99:99:99.") {
        return None;
    }
    let fraction = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
    let message = b[20 + fraction..].strip_prefix(b" ")?;
    if message.starts_with(b"Command did not exit successfully ") {
        return Some(true);
    }
    if message.starts_with(b"Running command ") {
        return Some(false);
    }
    if let Some(code) = message.strip_prefix(b"Phase context status code: ") {
        return Some(!code.is_empty() && code[0] != b' ');
    }
    let phase = message.strip_prefix(b"Phase complete: ")?;
    let at = finder!(" State: ").find(phase)?;
    let state = &phase[at + 8..];
    let state = &state[..state
        .iter()
        .take_while(|c| !c.is_ascii_whitespace())
        .count()];
    Some(matches!(state, b"FAILED" | b"FAULT" | b"TIMED_OUT"))
}

/// Whether `b` matches `shape`, where `9` stands for any ASCII digit and every other byte for
/// itself.
fn matches_shape(b: &[u8], shape: &[u8]) -> bool {
    b.len() >= shape.len()
        && shape.iter().zip(b).all(|(&s, &c)| {
            if s == b'9' {
                c.is_ascii_digit()
            } else {
                s == c
            }
        })
}

/// A logcat priority letter: E(rror), F(atal) and A(ssert) are errors; V, D, I, W are not.
fn logcat_priority(letter: u8) -> Option<bool> {
    match letter {
        b'E' | b'F' | b'A' => Some(true),
        b'V' | b'D' | b'I' | b'W' => Some(false),
        _ => None,
    }
}

/// `logcat -v threadtime` (`MM-DD HH:MM:SS.mmm  PID  TID L Tag: …`, optionally with the year
/// first) and `-v time` (`MM-DD HH:MM:SS.mmm L/Tag( PID): …`).
fn logcat_level(b: &[u8]) -> Option<bool> {
    let b = if matches_shape(b, b"9999-") {
        &b[5..]
    } else {
        b
    };
    if !matches_shape(b, b"99-99 99:99:99.999 ") {
        return None;
    }
    let rest = &b[19..];
    if rest.get(1) == Some(&b'/') {
        return logcat_brief_level(rest);
    }
    // Threadtime: two space-padded numbers (PID, TID), then the letter between single spaces.
    let mut at = 0;
    for _ in 0..2 {
        at += rest[at..].iter().take_while(|&&c| c == b' ').count();
        let digits = rest[at..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        at += digits;
    }
    match rest.get(at..at + 3)? {
        [b' ', letter, b' '] => logcat_priority(*letter),
        _ => None,
    }
}

/// `logcat -v brief`: `L/Tag( PID): …` — the letter, a slash, a tag, then `(` PID `):`.
fn logcat_brief_level(b: &[u8]) -> Option<bool> {
    let verdict = logcat_priority(*b.first()?)?;
    let head = &b[..b.len().min(128)];
    let open = memchr::memchr(b'(', head)?;
    let close = open + 1 + memchr::memchr(b')', &head[open + 1..])?;
    let pid = head[open + 1..close].trim_ascii_start();
    let is_pid = !pid.is_empty() && pid.iter().all(u8::is_ascii_digit);
    (open > 2 && is_pid && head.get(close + 1) == Some(&b':')).then_some(verdict)
}

/// The Windows CBS/CSI servicing log (`C:\Windows\Logs\CBS\CBS.log`):
/// `YYYY-MM-DD HH:MM:SS, Level` and the level padded to a column with spaces.
fn windows_cbs_level(b: &[u8]) -> Option<bool> {
    if !matches_shape(b, b"9999-99-99 99:99:99, ") {
        return None;
    }
    let rest = &b[21..];
    let word = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !rest[word..].starts_with(b"  ") {
        return None;
    }
    level_word(&rest[..word])
}

/// Lambda's text log format puts the level in the third tab-separated column:
/// `2024-05-01T12:00:00.000Z<TAB>REQUEST_ID<TAB>LEVEL<TAB>…`, upper-case from Node.js
/// (`ERROR`, `INFO`, …) and Microsoft.Extensions.Logging's labels from .NET (`fail` is Error,
/// `crit` Critical; `trce`, `dbug`, `info`, `warn` are not errors).
fn lambda_level_column(b: &[u8]) -> Option<bool> {
    if !matches_shape(b, b"9999-99-99T") {
        return None;
    }
    // The three columns are short; a line without tabs near its start is not this format.
    let head = &b[..b.len().min(160)];
    let mut columns = head.splitn(4, |&c| c == b'\t');
    let (_time, request, level) = (columns.next()?, columns.next()?, columns.next()?);
    columns.next()?; // the message follows the level's tab
    if request.is_empty() || request.contains(&b' ') {
        return None;
    }
    match level {
        b"fail" => Some(true),
        b"trce" => Some(false),
        _ => level_word(level),
    }
}

/// Lambda runtime/platform lines: timeouts, runtime exits, and `REPORT`/`INIT_REPORT` lines whose
/// `Status:` is not `success`.
fn lambda_platform(line: &str) -> Option<bool> {
    let b = line.as_bytes();
    if has!(b, "Task timed out after")
        || has!(b, "Runtime.ExitError")
        || has!(b, "Runtime exited with error")
        || has!(b, "Process exited before completing request")
    {
        return Some(true);
    }
    if line.starts_with("REPORT RequestId:") || line.starts_with("INIT_REPORT ") {
        let status = line
            .find("Status: ")
            .map(|at| &line[at + "Status: ".len()..])
            .and_then(|rest| rest.split_whitespace().next());
        return Some(matches!(status, Some(s) if !s.eq_ignore_ascii_case("success")));
    }
    None
}

/// logfmt `level=error` (also `lvl=`, `severity=`, `loglevel=`, `log_level=`; value may be quoted).
fn logfmt_level(b: &[u8]) -> Option<bool> {
    let keys = [
        (finder!("level="), "level=".len()),
        (finder!("lvl="), "lvl=".len()),
        (finder!("severity="), "severity=".len()),
    ];
    for (key_finder, key_len) in keys {
        let mut from = 0;
        while let Some(at) = key_finder.find(&b[from..]).map(|i| i + from) {
            from = at + key_len;
            let boundary =
                at == 0 || matches!(b[at - 1], b' ' | b'\t' | b'_') || b[..at].ends_with(b"log");
            if !boundary {
                continue;
            }
            let value = &b[at + key_len..];
            let value = value.strip_prefix(b"\"").unwrap_or(value);
            let end = value
                .iter()
                .position(|c| !c.is_ascii_alphabetic())
                .unwrap_or(value.len());
            let word = &value[..end];
            if word.is_empty() {
                continue;
            }
            return Some(level_word(word) == Some(true));
        }
    }
    None
}

/// Looks for a severity token among the first tokens of the line (its header): `ERROR`,
/// `[error]`, `[core:error]`, `<error>`, `ERROR:root:`, syslog `prog[pid]: error: …`. The first
/// level-like token decides, so `INFO … ERROR …` is not an error. A bare lowercase word ("an
/// error occurred") is never a level.
fn header_severity(line: &str) -> bool {
    header_level(line) == Some(true)
}

/// The level among the first tokens of a line: `Some(true)` an error level, `Some(false)`
/// another level, `None` no level token (see [`header_severity`]).
fn header_level(line: &str) -> Option<bool> {
    const MAX_TOKENS: usize = 10;
    const MAX_BYTES: usize = 256;
    let mut end = line.len().min(MAX_BYTES);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    let head = &line[..end];
    let mut tokens = head
        .split_ascii_whitespace()
        .take(MAX_TOKENS)
        .enumerate()
        .peekable();
    while let Some((index, raw)) = tokens.next() {
        // Rails/Ruby Logger: `E, [2024-05-01T…] ERROR -- : …`
        if index == 0 && raw.len() == 2 && raw.ends_with(',') {
            match raw.as_bytes()[0] {
                b'E' | b'F' => return Some(true),
                b'I' | b'W' | b'D' => return Some(false),
                _ => {}
            }
        }
        // Elasticsearch/OpenSearch (`[2024-05-01T12:00:00,000][ERROR][o.e.b.Handler]`, also in
        // Amazon OpenSearch Service's application logs) and Envoy (`[2024-05-01
        // 12:00:00.000][15][error][upstream]`) glue their bracketed fields together.
        let b = raw.as_bytes();
        let glued = memchr::memchr_iter(b']', b).any(|i| b.get(i + 1) == Some(&b'['));
        let verdict = if glued {
            raw.split_inclusive(']').find_map(token_level)
        } else {
            token_level(raw)
        };
        if let Some(verdict) = verdict {
            return Some(verdict);
        }
        // Proxifier: `[10.30 17:03:41] chrome.exe - host:443 error : Could not connect …`;
        // BGL (Blue Gene/L RAS): `… RAS KERNEL FAILURE …`, its most severe level.
        if (tokens.peek().is_some_and(|&(_, next)| next == ":")
            && level_word(raw.as_bytes()) == Some(true))
            || raw == "FAILURE"
        {
            return Some(true);
        }
    }
    None
}

/// [`level_word`] of a word written in capitals (`ERROR`, `INFO`); `None` otherwise.
fn upper_level_word(word: &str) -> Option<bool> {
    let capitals = !word.is_empty() && word.bytes().all(|c| c.is_ascii_uppercase());
    capitals.then(|| level_word(word.as_bytes())).flatten()
}

/// `Some(true)` for an error level token, `Some(false)` for another level token, `None` when the
/// token is not a level.
fn token_level(raw: &str) -> Option<bool> {
    let bytes = raw.as_bytes();
    let bracketed = matches!(bytes.first(), Some(b'[' | b'<' | b'('))
        || matches!(bytes.last(), Some(b']' | b'>' | b')'));
    let colon = raw.trim_end_matches(['"', '\'']).ends_with(':');
    let core = raw.trim_matches(|c: char| "[]<>(){}\"'|:,;-".contains(c));
    if colon && core.len() > 40 {
        // RDS/Aurora PostgreSQL `%t:%r:%u@%d:[%p]:` glues the level to a long prefix:
        // `UTC:10.0.12.34(51234):app@orders:[4321]:ERROR:`; its last part is the level.
        let last = core.rsplit(':').next().unwrap_or("");
        return match level_word(last.as_bytes()) {
            Some(true) => Some(true),
            Some(false) if last.bytes().all(|c| c.is_ascii_uppercase()) => Some(false),
            _ => None,
        };
    }
    if core.is_empty() || core.len() > 40 {
        return None;
    }
    // Monolog (Laravel, Symfony): `[2024-05-01 12:00:00] production.ERROR: …`; Celery's worker
    // log: `[2024-05-01 12:00:00,000: ERROR/MainProcess] …` (level/process).
    let monolog = colon
        .then(|| core.rsplit_once('.'))
        .flatten()
        .map(|(_, level)| level);
    let celery = bracketed
        .then(|| core.split_once('/'))
        .flatten()
        .map(|(level, _)| level);
    if let Some(verdict) = [monolog, celery]
        .into_iter()
        .flatten()
        .find_map(upper_level_word)
    {
        return Some(verdict);
    }
    // `[core:error]` (Apache 2.4) and `ERROR:root:message` (Python basicConfig).
    let (first, last) = match (core.find(':'), core.rfind(':')) {
        (Some(f), Some(l)) => (&core[..f], Some(&core[l + 1..])),
        _ => (core, None),
    };
    let has_segments = last.is_some();
    for (segment, from_split) in [(first, has_segments), (last.unwrap_or(""), true)] {
        if segment.is_empty() {
            continue;
        }
        let Some(verdict) = level_word(segment.as_bytes()) else {
            continue;
        };
        let upper = segment.bytes().all(|c| c.is_ascii_uppercase());
        if verdict {
            // Lower-case or capitalised error words count only when marked as a level.
            if upper || bracketed || colon || from_split {
                return Some(true);
            }
        } else if upper || bracketed {
            // Other levels stop the scan only when they clearly are levels (`INFO`, `[warn]`).
            return Some(false);
        }
    }
    None
}

// ----- HTTP status by position

/// True when the line is an access log whose status column is 5xx: common/combined (nginx,
/// Apache, S3 server access logs, optionally behind a syslog or vhost prefix) or ALB/Classic ELB.
pub fn access_log_5xx(b: &[u8]) -> bool {
    access_log_status(b).is_some_and(|s| (500..=599).contains(&s))
}

/// The status column of an access-log line, if the line is one.
pub fn access_log_status(b: &[u8]) -> Option<u16> {
    clf_status(b, Quoting::Plain)
        .or_else(|| elb_status(b))
        .or_else(|| app_server_status(b, Quoting::Plain))
}

/// Access lines of application servers that are not common/combined: uvicorn (FastAPI,
/// Starlette: `INFO:     1.2.3.4:5678 - "GET /x HTTP/1.1" 500 Internal Server Error`), Gin
/// (`[GIN] 2024/05/01 - 12:00:00 | 500 |    1.2ms |  1.2.3.4 | GET      "/x"`) and API
/// Gateway's execution log (`(c0ffee00-…) Method completed with status: 502`, one line per
/// request with the status the client got).
fn app_server_status(b: &[u8], quoting: Quoting) -> Option<u16> {
    match b.first()? {
        b'0'..=b'9' => w3c_status(b, quoting),
        b'I' => uvicorn_status(b, quoting),
        b'[' if matches_shape(b, b"[GIN] 9999/99/99 - 99:99:99 | ") => three_digit_status(&b[30..]),
        b'(' => three_digit_status(
            api_gateway_message(b)?.strip_prefix(b"Method completed with status: ")?,
        ),
        _ => None,
    }
}

/// W3C extended log lines, by position. IIS (the CloudWatch agent ships them from Windows
/// instances) writes its fields space-separated and always in one order, whichever are chosen:
/// `date time [s-sitename s-computername s-ip] cs-method cs-uri-stem … sc-status sc-substatus
/// sc-win32-status [sc-bytes cs-bytes time-taken]`; the status is the first of three adjacent
/// numbers after the request, so a byte count of 503 further on is not taken. CloudFront's
/// standard log (also delivered to CloudWatch Logs) is tab-separated, default fields `date time
/// x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status …`.
fn w3c_status(b: &[u8], quoting: Quoting) -> Option<u16> {
    // Most lines that start with a digit are refused by one byte: ISO `T` stamps, `,`/`.` seconds.
    let tab: &[u8] = match (b.get(10)?, quoting) {
        (b' ', _) if b.get(19) == Some(&b' ') && matches_shape(b, b"9999-99-99 99:99:99 ") => {
            return iis_status(&b[20..]);
        }
        (b'\t', Quoting::Plain) => b"\t",
        (b'\\', Quoting::JsonEscaped) => b"\\t",
        _ => return None,
    };
    if !(matches_shape(b, b"9999-99-99") && b[10..].starts_with(tab)) {
        return None;
    }
    // Where fields 1..=8 start.
    let mut tabs = memchr::memmem::find_iter(b, tab);
    let mut starts = [0usize; 9];
    for start in starts.iter_mut().skip(1) {
        *start = tabs.next()? + tab.len();
    }
    let field = |i: usize| &b[starts[i]..starts[i + 1] - tab.len()];
    if !(field(1).len() == 8 && matches_shape(field(1), b"99:99:99") && is_http_method(field(5))) {
        return None;
    }
    let status = &b[starts[8]..];
    let after = status.get(3..)?;
    if !(after.is_empty() || after.starts_with(tab)) {
        return None;
    }
    three_digit_status(&status[..3])
}

/// IIS's fields after `date time `: cs-method within the first four (behind s-sitename,
/// s-computername, s-ip; a computer name may be all capitals too), cs-uri-stem right after it,
/// then the first `NNN N N` run.
fn iis_status(rest: &[u8]) -> Option<u16> {
    let mut tokens = rest.trim_ascii_end().split(|&c| c == b' ');
    let mut previous = tokens.next()?;
    let mut request_found = false;
    for _ in 0..4 {
        let next = tokens.next()?;
        if is_http_method(previous) && next.starts_with(b"/") {
            request_found = true;
            break;
        }
        previous = next;
    }
    if !request_found {
        return None;
    }
    let is_number = |t: &[u8]| !t.is_empty() && t.iter().all(u8::is_ascii_digit);
    let (mut first, mut second) = (tokens.next()?, tokens.next()?);
    for third in tokens {
        if first.len() == 3
            && (b'1'..=b'5').contains(&first[0])
            && is_number(second)
            && is_number(third)
        {
            if let Some(status) = three_digit_status(first) {
                return Some(status);
            }
        }
        (first, second) = (second, third);
    }
    None
}

/// An HTTP method as access logs write it: 3 to 10 capital letters (`GET`, `PROPFIND`, and the
/// odd verbs scanners send).
fn is_http_method(field: &[u8]) -> bool {
    (3..=10).contains(&field.len()) && field.iter().all(u8::is_ascii_uppercase)
}

/// The message of an API Gateway (REST API) execution log line, after its `(request id) `.
fn api_gateway_message(b: &[u8]) -> Option<&[u8]> {
    let inner = b.strip_prefix(b"(")?;
    let close = inner.iter().take(64).position(|&c| c == b')')?;
    inner[close + 1..].strip_prefix(b" ")
}

/// API Gateway execution log lines that report a failed integration: `(id) Execution failed due
/// to configuration error: …`, `(id) Lambda execution failed with status 200 due to customer
/// function error: …`.
fn api_gateway_execution_error(b: &[u8]) -> bool {
    api_gateway_message(b).is_some_and(|m| {
        m.starts_with(b"Execution failed due to ")
            || m.starts_with(b"Lambda execution failed with status ")
    })
}

/// OpenStack's WSGI access line (nova, cinder, glance, neutron, …: their default
/// `wsgi_log_format`), behind the service's own log header:
/// `2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-…] 10.11.10.1
/// "GET /v2/servers/detail HTTP/1.1" status: 500 len: 1893 time: 0.2477829`.
/// Gated by [`L_WSGI_STATUS`], so it runs only on lines that contain `" status: `.
fn openstack_wsgi_status(b: &[u8]) -> Option<u16> {
    let at = finder!("\" status: ").find(b)?;
    let request = &b[memchr::memrchr(b'"', &b[..at])? + 1..at];
    let version = &request[memchr::memrchr(b' ', request)? + 1..];
    if !starts_with_http_method(request) || !version.starts_with(b"HTTP/") {
        return None;
    }
    let after = &b[at + "\" status: ".len()..];
    let status = three_digit_status(after)?;
    after[3..].starts_with(b" len: ").then_some(status)
}

fn uvicorn_status(b: &[u8], quoting: Quoting) -> Option<u16> {
    let rest = b.strip_prefix(b"INFO:")?;
    let padding = rest.iter().take_while(|&&c| c == b' ').count();
    let rest = &rest[padding..];
    let client_end = memchr::memchr(b' ', rest)?;
    if padding == 0 || client_end == 0 {
        return None;
    }
    let request = quoting.strip_quote(rest[client_end..].strip_prefix(b" - ")?)?;
    if !starts_with_http_method(request) {
        return None;
    }
    // uvicorn percent-encodes the path: the next quote closes the request line.
    let close = memchr::memchr(b'"', request)?;
    three_digit_status(request[close + 1..].strip_prefix(b" ")?)
}

/// How quotes appear in the text a positional rule reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// The message itself.
    Plain,
    /// The message as it sits inside its JSON string literal (`"` written `\"`).
    JsonEscaped,
}

impl Quoting {
    /// `b` without its opening quote (`"`, or `\"` when JSON-escaped).
    fn strip_quote(self, b: &[u8]) -> Option<&[u8]> {
        match self {
            Quoting::Plain => b.strip_prefix(b"\""),
            Quoting::JsonEscaped => b.strip_prefix(b"\\\""),
        }
    }
}

/// Whether a quoted request line starts here: an upper-case method of 3–10 letters and a space.
fn starts_with_http_method(request: &[u8]) -> bool {
    let method_len = request
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    is_http_method(&request[..method_len]) && request.get(method_len) == Some(&b' ')
}

/// Common/combined log format: `… [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" STATUS SIZE …`.
/// The status is the token right after the first quoted field that follows the time stamp.
/// Also Envoy's default access log (App Mesh, ECS Service Connect, Istio), which stamps ISO 8601:
/// `[2026-11-23T04:00:00.310Z] "GET / HTTP/1.1" 503 UF …`, and HAProxy's HTTP log, whose status
/// follows the timers ([`haproxy_status`]).
fn clf_status(b: &[u8], quoting: Quoting) -> Option<u16> {
    let window = &b[..b.len().min(512)];
    let mut from = 0;
    while let Some(open) = memchr::memchr(b'[', &window[from..]).map(|i| i + from) {
        from = open + 1;
        let t = &window[open + 1..];
        // `10/Oct/2000:13:55:36 -0700`, or Werkzeug's and Django's `01/May/2024 12:00:00`.
        let is_clf_time = t.len() >= 21
            && t[0].is_ascii_digit()
            && t[2] == b'/'
            && t[3].is_ascii_alphabetic()
            && t[6] == b'/'
            && matches!(t[11], b':' | b' ');
        let is_iso_time = t.len() >= 20
            && t[..4].iter().all(u8::is_ascii_digit)
            && t[4] == b'-'
            && t[7] == b'-'
            && t[10] == b'T'
            && t[13] == b':';
        if !is_clf_time && !is_iso_time {
            continue;
        }
        // Both a few bytes away: a plain scan beats memchr's set-up.
        let close = t.iter().position(|&c| c == b']')?;
        let after_time = &t[close + 1..];
        if is_iso_time {
            // Envoy: the request (`"METHOD path protocol"`) follows the time stamp directly.
            // Many app logs start with an ISO time in brackets; only this shape is an access log.
            let request = after_time
                .strip_prefix(b" ")
                .and_then(|r| quoting.strip_quote(r));
            if !request.is_some_and(starts_with_http_method) {
                continue;
            }
        } else if !matches!(after_time.get(1), Some(b'"' | b'\\')) {
            if t[11] == b' ' {
                // Werkzeug/Django: only their request line follows this time stamp.
                continue;
            }
            // Not the quoted request of a common/combined line (the usual case): HAProxy?
            if let Some(status) = haproxy_status(after_time) {
                return Some(status);
            }
        }
        let quote = after_time.iter().position(|&c| c == b'"')?;
        let mut rest = &after_time[quote + 1..];
        // Find the closing quote, skipping `\"` escapes (Apache escapes quotes in the request).
        // Plain text: a quote after an odd run of backslashes is escaped. JSON-escaped text: every
        // quote is `\"`; Apache's `\"` became `\\\"` (a run of 3, 7, …).
        loop {
            let q = memchr::memchr(b'"', rest)?;
            let run = rest[..q].iter().rev().take_while(|c| **c == b'\\').count();
            let escaped = match quoting {
                Quoting::Plain => run % 2 == 1,
                Quoting::JsonEscaped => run % 4 == 3,
            };
            rest = &rest[q + 1..];
            if !escaped {
                break;
            }
        }
        return three_digit_status(rest.strip_prefix(b" ")?);
    }
    None
}

/// HAProxy's HTTP log (`option httplog`), after the accept date:
/// ` FRONTEND BACKEND/SERVER TR/Tw/Tc/Tr/Ta STATUS BYTES …` (four timers before HAProxy 1.5;
/// a timer is -1 when its phase never happened, and Ta may carry a `+`).
#[inline(never)]
fn haproxy_status(after_time: &[u8]) -> Option<u16> {
    let mut fields = after_time.strip_prefix(b" ")?.split(|c| *c == b' ');
    let frontend = fields.next()?;
    let backend = fields.next()?;
    let timers = fields.next()?;
    let is_timer = |t: &[u8]| {
        let digits = t
            .strip_prefix(b"+")
            .or_else(|| t.strip_prefix(b"-"))
            .unwrap_or(t);
        !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
    };
    let timer_count = timers.split(|c| *c == b'/').count();
    if frontend.is_empty()
        || !backend.contains(&b'/')
        || !(4..=5).contains(&timer_count)
        || !timers.split(|c| *c == b'/').all(is_timer)
    {
        return None;
    }
    three_digit_status(fields.next()?)
}

fn three_digit_status(b: &[u8]) -> Option<u16> {
    match b {
        [a, c, d, rest @ ..]
            if a.is_ascii_digit()
                && c.is_ascii_digit()
                && d.is_ascii_digit()
                && matches!(rest.first(), None | Some(b' ' | b'\t' | b'\r' | b'\n')) =>
        {
            Some(u16::from(a - b'0') * 100 + u16::from(c - b'0') * 10 + u16::from(d - b'0'))
        }
        _ => None,
    }
}

/// ALB (`type time elb client:port target:port t1 t2 t3 elb_status target_status …`) and Classic
/// ELB (`time elb client:port backend:port t1 t2 t3 elb_status backend_status …`) access logs; the
/// ELB's own status decides (it is what the client saw).
fn elb_status(b: &[u8]) -> Option<u16> {
    // Cheap refusal of most lines: an ELB line starts with its type word or an ISO time stamp.
    // (The same first field as the split below: leading spaces skipped.)
    let lead = b.iter().take_while(|c| **c == b' ').count();
    let first = &b[lead..];
    let starts_like_elb = matches!(first.first(), Some(b'h' | b'g' | b'w'))
        || (first.first().is_some_and(u8::is_ascii_digit) && first.get(10) == Some(&b'T'));
    if !starts_like_elb {
        return None;
    }
    let mut fields = b.split(|c| *c == b' ').filter(|f| !f.is_empty());
    let first = fields.next()?;
    let is_iso_time = |f: &[u8]| {
        f.len() >= 20 && f[..4].iter().all(u8::is_ascii_digit) && f[4] == b'-' && f[10] == b'T'
    };
    let status_index = if matches!(
        first,
        b"http" | b"https" | b"h2" | b"grpcs" | b"ws" | b"wss"
    ) {
        let time = fields.next()?;
        if !is_iso_time(time) {
            return None;
        }
        let _elb = fields.next()?;
        let client = fields.next()?;
        if !client.contains(&b':') {
            return None;
        }
        4 // target, t1, t2, t3, then elb_status_code
    } else if is_iso_time(first) {
        let _elb = fields.next()?;
        let client = fields.next()?;
        if !client.contains(&b':') {
            return None;
        }
        4
    } else {
        return None;
    };
    three_digit_status(fields.nth(status_index)?)
}

// ----- failed logins in text lines

/// The failed-login regexes, each compiled on first use: a batch needs few of them, and
/// compiling all of them up front cost milliseconds of every cold start.
macro_rules! login_regexes {
    ($($name:ident = $pattern:expr;)*) => {
        $(static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pattern).expect("static regex"));)*
    };
}

login_regexes! {
    INPUT_USERAUTH = r"input_userauth_request: (?:invalid|illegal) user (\S*)";
    PAM_ERROR = r"PAM: (?:User not known to the underlying authentication module|[Aa]uthentication (?:failure|error|failed)) for (?:(?:illegal|invalid) user )?(.*?) from (\S+)";
    MAX_ATTEMPTS = r"maximum authentication attempts exceeded for (?:(?:invalid|illegal) user )?(.*?) from (\S+)";
    TOO_MANY_DISCONNECTING = r"Disconnecting (?:invalid|authenticating) user (\S*) (\S+) port \d+";
    TOO_MANY_FOR = r"Too many authentication failures for (?:(?:invalid|illegal) user )?(\S+)";
    RECEIVED_DISCONNECT = r"Received disconnect from (?:(\S+) port \d+|([^\s:]+)):";
    CHANGE_OF_USERNAME = r"Disconnecting (?:invalid |authenticating )?user (\S*) (\S+) port \d+";
    NOT_ALLOWED_FROM = r"User (.*?) from (\S+) not allowed because";
    NOT_ALLOWED = r"User (\S+) not allowed because";
    AUTHENTICATING_USER = r"(?:Connection (?:closed|reset) by|Disconnected from) (?:authenticating|invalid) user (.*?) (\S+) port \d+";
    ROOT_REFUSED = r"ROOT LOGIN REFUSED(?: FROM (\S+))?";
    REFUSED_CONNECT = r"refused connect from (\S+)(?: \(([^)\s]+)\))?";
    KLOGIND = r"Authentication failed from (\S+)";
    POSTGRES = r#"password authentication failed for user "([^"]*)""#;
    RDS_POSTGRES_PREFIX = r"UTC:(?:([0-9A-Fa-f.:]+)\(\d+\)|\[local\]):([^@\s:]*)@";
    FREERADIUS_USER = r"\bLogin incorrect\b.*?: \[([^/\]\n]*)[/\]].*\(from client ";
    FREERADIUS_CLI = r"\(from client \S+ port \d+ cli ([^\s)]+)";
    DROPBEAR_BAD_PASSWORD = r"\b[Bb]ad (?:PAM )?password attempt for '([^']*)' from (\S+):\d+\s*$";
    DROPBEAR_NO_SUCH_USER = r"\b[Ll]ogin attempt for nonexistent user (?:'([^']*)' )?from (\S+):\d+\s*$";
    POSTGRES_CLIENT_FIELD = r"(?:^|[\s,\[])(?:client|host)=([^\s,()\[\]]+)";
    MYSQL = r"Access denied for user '([^']*)'@'([^']*)'";
    PHPMYADMIN = r"phpMyAdmin\[\d+\]: user denied: (\S+) \([^)]*\) from (\S+)";
    LOGIN_FAILED = r"FAILED LOGIN \(?\d+\)? (?:on '?\S+?'? )?(?:FROM '?(\S+?)'? )?FOR '?([^,']+)'?,";
    SU_FAILED = r"FAILED (?:SU \(to (\S+)\)|su for (\S+))";
    OPENSEARCH_USER = r#""audit_request_effective_user":"([^"]*)""#;
    OPENSEARCH_ADDRESS = r#""audit_request_remote_address":"([^"]*)""#;
    EXIM_AUTHENTICATOR = r"authenticator failed for (?:\S+ )?\(\S*\) \[([0-9A-Fa-f.:]+)\]";
    EXIM_SET_ID = r"\(set_id=([^)\s]+)\)";
    POLKIT_OWNER = r"\(owned by unix-user:([^)\s]+)\)";
    SUDO = r"sudo(?:\[\d+\])?:\s+(\S+) : \d+ incorrect password attempts?";
    CHKPWD = r"password check failed for user \(([^)]*)\)";
    DOVECOT_USER = r"user=<([^>]*)>";
    DOVECOT_RIP = r"rip=([^,\s]+)";
    VSFTPD = r#"(?:\[(\S+)\] )?FAIL LOGIN: Client "([^"]*)""#;
    APACHE_BASIC = r#"\[client ([^\]\s]+)\] (?:AH0161[78]: )?user (.+?)(?:: authentication failure for "| not found: )"#;
    NGINX_BASIC = r#"\*\d+ user "([^"]*)"(?:: password mismatch| was not found in "[^"]*"), client: ([^,\s]+)"#;
    FAILLOCK = r"Consecutive login failures for user (\S+)";
    SASL = r"\[([0-9A-Fa-f.:]+)\]: SASL (?:\S+ )?authentication failed";
    SENDMAIL_AUTH = r"\bAUTH failure \([^)\s]*\): .*?SASL\(-13\): .*?, user=(.*), relay=";
    SENDMAIL_RELAY = r"\[([0-9A-Fa-f.:]+)\](?: \(may be forged\))?\s*$";
    CYRUS_BADLOGIN = r": badlogin: [^\[]*\[([0-9A-Fa-f.:]+)\] (?:plaintext ([^\s\[]+) |[A-Za-z0-9-]+ \[)SASL\(-13\)";
    PROFTPD = r"\(\S*\[([^\]\s]+)\]\)[: -]+USER (\S+?):? \(Login failed\)";
    GITLAB = r"Failed Login: username=(\S+) ip=(\S+)";
    GITEA = r"Failed authentication attempt for (.+?) from (\S+)";
    RABBITMQ = r"(?:login refused|access denied): user '([^']*)' - invalid credentials";
    RABBITMQ_PEER = r"connection <[^>]*> \(([0-9A-Fa-f.:]+):\d+ -> ";
    ACTIVEMQ = r"User name \[([^\]]*)\] or password is invalid";
    ACTIVEMQ_PEER = r"connection to: [a-z+]+://([0-9A-Fa-f.:]+):\d+,";
    KEYCLOAK_USER = r#"[ ,]username="?([^",\s]+)"#;
    KEYCLOAK_IP = r#"[ ,]ipAddress="?([^",\s]+)"#;
    WINDOWS_XML_EVENT_ID = r"<EventID(?:\s[^>]*)?>(\d{1,5})</EventID>";
    WINDOWS_XML_USER = r#"<Data Name=['"]TargetUserName['"]>([^<]*)</Data>"#;
    WINDOWS_XML_IP = r#"<Data Name=['"]IpAddress['"]>([^<]*)</Data>"#;
    WINDOWS_XML_STATUS = r#"<Data Name=['"]Status['"]>([^<]*)</Data>"#;
    WINDOWS_XML_WORKSTATION = r#"<Data Name=['"]Workstation['"]>([^<]*)</Data>"#;
    WINDOWS_TEXT_USER = r"(?s)Account For Which Logon Failed:.*?Account Name:[ \t]*([^\r\n\t]*)";
    WINDOWS_TEXT_IP = r"Source Network Address:[ \t]*([^\s]*)";
    WINDOWS_TEXT_4771_USER = r"(?s)Account Information:.*?Account Name:[ \t]*([^\r\n\t]*)";
    WINDOWS_TEXT_4771_IP = r"Client Address:[ \t]*([^\s]*)";
    WINDOWS_TEXT_4776_USER = r"Logon Account:[ \t]*([^\r\n\t]*)";
    WINDOWS_TEXT_4776_HOST = r"Source Workstation:[ \t]*([^\r\n\t]*)";
    WINDOWS_TEXT_4776_STATUS = r"Error Code:[ \t]*(0[xX][0-9A-Fa-f]+)";
    MSSQL = r"Login failed for user '([^']*)'(?:.*\[CLIENT: ([0-9A-Fa-f.:]+)\])?";
    AUTH_FAILED_FOR_USER = r#"[Aa]uthentication failed for user \[?"?([^\]"\s]*)"#;
    OPENVPN_PAM = r"AUTH-PAM: BACKGROUND: user '([^']*)' failed to authenticate";
    SAMBA_NTLM = r"check_ntlm_password: +Authentication for user \[([^\]]*)\] -> \[[^\]]*\] FAILED with error NT_STATUS_";
    WEBMIN = r"\bInvalid login as (\S+) from (\S+)";
    ASTERISK_SIP = r"Registration from '[^']*' failed for '([^']+)' - (?:Wrong password|No matching peer found|Username/auth name mismatch|Not a local domain|Peer is not supposed to register|Device does not match ACL)";
    ASTERISK_SIP_USER = r"<sips?:([^@>;]+)@";
    PUREFTPD_SOURCE = r"\([^@()\s]*@([^)\s]+)\)";
    OPENVPN = r"(\S+) TLS Auth Error: Auth Username/Password verification failed";
    DOVECOT_PASSDB = r"\b[a-z-]{3,15}\(([^(),]*),([0-9A-Fa-f.:]+)(?:,[^()]*)?\): (?:pam_authenticate\(\) failed|invalid credentials|[Pp]assword mismatch|unknown user)";
    PAM_SSS_RECEIVED = r"pam_sss\([^)]*\): received for user (\S+?): \d+ \((?:Authentication failure|User not known to the underlying authentication module)\)";
    AUTH_FAILED_FROM = r"[Aa]uthentication failed for user \S+ from ([^ \t,;()\[\]]+)";
    APP_LOGIN_FAILED = r#"(?i-u:\b(?:(?:log[io]n|sign[- ]?in)(?: attempt)? fail(?:ed|ure)|failed (?:log[io]n|sign[- ]?in)(?: attempt)?|invalid (?:user ?name or password|credentials|log[io]n(?: attempt)?)))(?:: ('[^']*'|[^ \t'",;:()\[\]]+) \(Remote IP: |[ \t]*(?:$|[\r\n:.,;!("'-])|[ \t]+user(?:name)?=| for (?:(?i-u:user|account):? )?('[^']*'|"[^"]*"|[^ \t'",;:()\[\]]+)(?: from ([^ \t,;()\[\]]+))?| from ([^ \t,;()\[\]]+))"#;
}

fn cap<'a>(caps: &regex::Captures<'a>, i: usize) -> Option<Cow<'a, str>> {
    caps.get(i).and_then(|m| clean(m.as_str()))
}

/// The first capture group of `re`'s first match in `line`, cleaned.
fn first_group<'a>(re: &Regex, line: &'a str) -> Option<Cow<'a, str>> {
    re.captures(line).and_then(|c| cap(&c, 1))
}

/// Trims punctuation that loggers put around users and addresses; empty → `None`.
fn clean(s: &str) -> Option<Cow<'_, str>> {
    let s = s.trim().trim_end_matches([':', ',', ';', '.']);
    if s == "(null)" {
        // glibc's printf of a null string, as `login` logs a console failure's remote host
        return None;
    }
    let s = s.trim_matches(['\'', '"', '<', '>', '(', ')']);
    let s = match (s.strip_prefix('['), s.strip_suffix(']')) {
        (Some(_), Some(_)) => &s[1..s.len() - 1],
        _ => s,
    };
    if s.is_empty() || s == "-" || s == "UNKNOWN" {
        None
    } else {
        Some(Cow::Borrowed(s))
    }
}

fn login<'a>(user: Option<Cow<'a, str>>, source: Option<Cow<'a, str>>) -> Option<FailedLogin<'a>> {
    Some(FailedLogin {
        user,
        source,
        publickey_probe: None,
    })
}

/// `Failed <method> for [invalid user ]USER from SOURCE[ port N]` (sshd #1–#4), parsed by hand:
/// it is by far the most frequent auth line in a brute force.
fn failed_method(line: &str, sshd: bool) -> Option<FailedLogin<'_>> {
    let at = finder!("Failed ").find(line.as_bytes())?;
    let rest = &line[at + "Failed ".len()..];
    let (method, rest) = split_once!(rest, " for ")?;
    // sshd's method names (and app logs' "Failed login for …"); "Failed payment for order 1
    // from customer 2" is not an authentication.
    const SSHD_METHODS: &[&str] = &[
        "password",
        "publickey",
        "keyboard-interactive",
        "keyboard-interactive/pam",
        "hostbased",
        "none",
        "gssapi-with-mic",
        "gssapi-keyex",
        "gssapi",
        "unknown",
    ];
    const APP_METHODS: &[&str] = &["login", "logon", "authentication", "auth"];
    // sshd's methods count only in an sshd message; an app's `Failed login for …` anywhere.
    let known = |list: &[&str]| list.iter().any(|m| method.eq_ignore_ascii_case(m));
    if !(known(APP_METHODS) || (sshd && known(SSHD_METHODS))) {
        return None;
    }
    let (invalid, rest) = match rest
        .strip_prefix("invalid user ")
        .or_else(|| rest.strip_prefix("illegal user "))
    {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (user, rest) = split_user_from(rest)?;
    let mut words = rest.split(' ');
    let source = words.next().and_then(clean);
    if !source.as_deref().is_some_and(looks_like_host) {
        return None;
    }
    let port = match (words.next(), words.next()) {
        (Some("port"), Some(p)) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => p,
        _ => "",
    };
    let probe = if method == "publickey" && !invalid {
        source.clone().map(|s| Connection {
            source: s,
            port: Cow::Borrowed(port),
        })
    } else {
        None
    };
    Some(FailedLogin {
        user: clean(user),
        source,
        publickey_probe: probe,
    })
}

/// Splits `USER from SOURCE…` at the ` from ` sshd wrote. The user name is the client's choice
/// and may itself hold ` from HOST` (`Failed password for invalid user x from 10.0.0.9 from
/// 203.0.113.5 port 22 ssh2`), so the split is at the first ` from ` whose host is followed only
/// by what sshd puts there: ` port N`, ` sshN`, then the end, ` [preauth]` or `: ` and sshd's
/// own detail. Without such a one (applications' `Failed login for bob from IP - reason`), at
/// the first ` from `. An empty user (`invalid user  from …`) leaves `from ` at the start.
fn split_user_from(rest: &str) -> Option<(&str, &str)> {
    let starts_empty = rest.strip_prefix("from ").map(|after| ("", after));
    let mut candidates = starts_empty.into_iter().chain(
        finder!(" from ")
            .find_iter(rest.as_bytes())
            .map(|at| (&rest[..at], &rest[at + " from ".len()..])),
    );
    let first = candidates.next()?;
    // One ` from ` (nearly every line): nothing to choose between.
    let Some(second) = candidates.next() else {
        return Some(first);
    };
    [first, second]
        .into_iter()
        .chain(candidates)
        .find(|(_, after)| ends_like_sshd_source(after))
        .or(Some(first))
}

/// `HOST[ port N][ sshN]` then the end, ` [preauth]` or `: …`.
fn ends_like_sshd_source(after: &str) -> bool {
    let host_end = after.find(' ').unwrap_or(after.len());
    if !looks_like_host(&after[..host_end]) {
        return false;
    }
    let mut tail = &after[host_end..];
    if let Some(r) = tail.strip_prefix(" port ") {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        tail = &r[digits..];
    }
    if let Some(r) = tail.strip_prefix(" ssh") {
        tail = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let tail = tail.trim_ascii_end();
    tail.is_empty() || tail == " [preauth]" || tail.starts_with(": ")
}

/// `Invalid user USER from SOURCE[ port N]` / `Illegal user …` (sshd #5), by hand.
fn invalid_user(line: &str) -> Option<FailedLogin<'_>> {
    let at = finder!("Invalid user ")
        .find(line.as_bytes())
        .or_else(|| finder!("Illegal user ").find(line.as_bytes()))?;
    let rest = &line[at + "Invalid user ".len()..];
    let (user, source) = match split_user_from(rest) {
        Some((u, r)) => (u, Some(r)),
        None => (rest.split(' ').next().unwrap_or(""), None),
    };
    let source = source.and_then(|r| r.split(' ').next()).and_then(clean);
    match &source {
        Some(s) if looks_like_host(s) => {}
        // `Invalid user x` without an address: only sshd says that.
        None if has!(line, "sshd") => {}
        _ => return None,
    }
    login(clean(user), source)
}

/// How sshd's failed-authentication messages start (after `error: ` etc.).
const SSHD_SHAPES: &[&str] = &[
    "Failed ",
    "Invalid user ",
    "Illegal user ",
    "input_userauth_request: ",
    "Disconnecting",
    "Received disconnect from ",
    "maximum authentication attempts exceeded",
    "Too many authentication failures",
    "PAM: ",
    "User ",
    "Connection closed by ",
    "Connection reset by ",
    "Disconnected from ",
];

/// The message text of an sshd line: after the program tag (`sshd[PID]: `,
/// `sshd-session[PID]: `, `sshd: `, `[sshd]: `) and a Solaris `[ID N facility.level] ` when the
/// line has a tag in its header, else the whole line (a bare message, e.g. journald's
/// `MESSAGE`); then without `message repeated N times: [ ` and `error: `/`fatal: `. `None` when
/// the tag is only found past the header.
fn sshd_message(line: &str) -> Option<&str> {
    const HEADER: usize = 160;
    let mut msg = line.trim_start();
    // Only the header can hold the program tag; don't scan a long message for it.
    let head = &line.as_bytes()[..line.len().min(HEADER + "sshd-session[".len())];
    // The first `sshd` that is one of the tags (one search instead of one per tag).
    let tag = finder!("sshd").find_iter(head).find_map(|at| {
        ["sshd[", "sshd-session[", "sshd: ", "sshd]"]
            .into_iter()
            .find(|t| head[at..].starts_with(t.as_bytes()))
            .map(|t| (at, t))
    });
    if let Some((at, t)) = tag {
        // `[sshd]` (no PID, some BSD and appliance syslogs) must open with its bracket.
        let before = if t == "sshd]" { b"[" as &[u8] } else { b" /" };
        if at > HEADER || !(at == 0 || before.contains(&line.as_bytes()[at - 1])) {
            return None;
        }
        let rest = &line[at + t.len()..];
        msg = if t == "sshd]" {
            rest.strip_prefix(": ").or_else(|| rest.strip_prefix(' '))?
        } else if t.ends_with('[') {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            rest[digits..].strip_prefix("]: ")?
        } else {
            rest
        };
        msg = without_solaris_msgid(msg);
    } else if let Some(rest) = rfc5424_sshd_message(line) {
        msg = rest;
    }
    if let Some(rest) = msg.strip_prefix("message repeated ") {
        let (count, rest) = rest.split_once(" times: [ ")?;
        if !count.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        msg = rest;
    }
    Some(
        msg.strip_prefix("error: ")
            .or_else(|| msg.strip_prefix("fatal: "))
            .unwrap_or(msg),
    )
}

/// Solaris/illumos syslog puts a message id and the facility before the text:
/// `sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive for …`.
fn without_solaris_msgid(msg: &str) -> &str {
    let Some(rest) = msg.strip_prefix("[ID ") else {
        return msg;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Some(rest) = rest[digits..].strip_prefix(' ').filter(|_| digits > 0) else {
        return msg;
    };
    match rest.split_once("] ") {
        Some((facility, text)) if !facility.is_empty() && !facility.contains([' ', ']']) => text,
        _ => msg,
    }
}

/// RFC 5424 `<PRI>1 TIME HOST sshd PROCID MSGID - MSG`: the MSG of an sshd line.
fn rfc5424_sshd_message(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('<')?;
    let (pri, rest) = rest.split_once(">1 ")?;
    if pri.is_empty() || pri.len() > 3 || !pri.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut fields = rest.splitn(6, ' ');
    let app = fields.nth(2)?;
    if app != "sshd" && app != "sshd-session" {
        return None;
    }
    without_structured_data(fields.nth(2)?)
}

/// The MSG after RFC 5424 STRUCTURED-DATA: `- MSG`, or `[id k="v"]…[…] MSG` (a `]` inside a
/// quoted value does not close its element; `\"` does not end the value).
fn without_structured_data(sd_and_msg: &str) -> Option<&str> {
    if let Some(msg) = sd_and_msg.strip_prefix("- ") {
        return Some(msg);
    }
    let b = sd_and_msg.as_bytes();
    let mut i = 0;
    while b.get(i) == Some(&b'[') {
        let mut quoted = false;
        i += 1;
        loop {
            match *b.get(i)? {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    if i == 0 {
        return None;
    }
    sd_and_msg[i..].strip_prefix(' ')
}

/// An IP address or a host name as sshd logs it (not "form" or "customer").
fn looks_like_host(s: &str) -> bool {
    s.len() <= 255
        && (s.contains('.') || s.contains(':'))
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b':' | b'-' | b'_' | b'%'))
}

/// `key=VALUE` from a PAM or logfmt line (`rhost=`, `user=`; not `ruser=`).
fn pam_field<'a>(line: &'a str, key: &memmem::Finder<'_>) -> Option<Cow<'a, str>> {
    let mut from = 0;
    while let Some(at) = key.find(&line.as_bytes()[from..]).map(|i| i + from) {
        let key_len = key.needle().len();
        from = at + key_len;
        let boundary = at == 0 || line.as_bytes()[at - 1].is_ascii_whitespace();
        if boundary {
            return line[at + key_len..]
                .split_ascii_whitespace()
                .next()
                .and_then(|v| {
                    // `rhost= user=x`: an empty value is followed directly by a space.
                    if line
                        .as_bytes()
                        .get(at + key_len)
                        .is_some_and(u8::is_ascii_whitespace)
                    {
                        None
                    } else {
                        clean(v)
                    }
                });
        }
    }
    None
}

/// Recognises the failed-authentication shapes of sshd (incl. OpenSSH ≥ 9.8 `sshd-session`),
/// PAM, login/su/sudo, klogind, FTP, databases and mail servers. Counted per line. `bits` says
/// which gate literals the line contains, so only the relevant shapes are tried.
fn failed_login_text(line: &str, bits: Bits) -> Option<FailedLogin<'_>> {
    // sshd shapes name any user and source; they count only where sshd writes them (see
    // `sshd_message`), so a request path quoted in an error log cannot forge one.
    let sshd = sshd_message(line).is_some_and(|m| SSHD_SHAPES.iter().any(|s| m.starts_with(s)));
    if bits.has(WINDOWS_EVENT) {
        if let Some(found) = windows_logon_failure(line) {
            return Some(found);
        }
    }
    if bits.has(L_FAIL_TITLE) {
        if let Some(found) = failed_method(line, sshd) {
            return Some(found);
        }
        if let Some(found) = kafka_auth_failure(line) {
            return Some(found);
        }
        // GitLab's auth log.
        if has!(line, "Failed Login: username=") {
            if let Some(c) = GITLAB.captures(line) {
                return login(cap(&c, 1), cap(&c, 2));
            }
        }
        // Gitea/Forgejo: `Failed authentication attempt for U from IP:PORT: reason`.
        if has!(line, "Failed authentication attempt for ") {
            if let Some(c) = GITEA.captures(line) {
                let source = c
                    .get(2)
                    .and_then(|m| clean(without_port(m.as_str().trim_end_matches(':'))));
                return login(cap(&c, 1), source);
            }
        }
    }
    if bits.has(L_ATTEMPT_FOR) {
        if let Some(found) = dropbear_failure(line) {
            return Some(found);
        }
        if has!(line, "Authentication attempt for unknown user") {
            return authentication_failure_for(line);
        }
    }
    if bits.has(L_LOGIN_INCORRECT) {
        if let Some(found) = freeradius_failure(line) {
            return Some(found);
        }
    }
    if sshd && (bits.has(L_INVALID) || bits.has(L_ILLEGAL)) {
        if has!(line, "input_userauth_request: ") {
            if let Some(c) = INPUT_USERAUTH.captures(line) {
                return login(cap(&c, 1), None);
            }
        }
        if has!(line, "Too many authentication failures") || has!(line, "Change of username") {
            if let Some(c) = TOO_MANY_DISCONNECTING.captures(line) {
                return login(cap(&c, 1), cap(&c, 2));
            }
        }
        if has!(line, " invalid user ") {
            if let Some(c) = AUTHENTICATING_USER.captures(line) {
                return login(cap(&c, 1), cap(&c, 2));
            }
        }
        if has!(line, "Invalid user ") || has!(line, "Illegal user ") {
            if let Some(found) = invalid_user(line) {
                return Some(found);
            }
        }
    }
    if bits.has(L_FAIL) {
        // `pam_ldap(sshd:auth): Authentication failure; user=bob`: nss-pam-ldapd's pam_ldap
        // logs `pam_strerror()`, capitalised.
        if has!(line, "authentication failure;")
            || has!(line, "authentication failures;")
            || has!(line, "): Authentication failure; user=")
        {
            return login(
                pam_field(line, finder!("user=")),
                pam_field(line, finder!("rhost=")),
            );
        }
        if has!(line, " res=failed") {
            if let Some(found) = auditd_login_failure(line) {
                return Some(found);
            }
        }
        if sshd && has!(line, "Too many authentication failures") {
            if let Some(c) = TOO_MANY_DISCONNECTING.captures(line) {
                return login(cap(&c, 1), cap(&c, 2));
            }
            if let Some(c) = TOO_MANY_FOR.captures(line) {
                return login(cap(&c, 1), None);
            }
            let source = RECEIVED_DISCONNECT
                .captures(line)
                .and_then(|c| cap(&c, 1).or_else(|| cap(&c, 2)));
            return login(None, source);
        }
        if sshd && has!(line, "Received disconnect from ") && has!(line, "Auth fail") {
            let source = RECEIVED_DISCONNECT
                .captures(line)
                .and_then(|c| cap(&c, 1).or_else(|| cap(&c, 2)));
            return login(None, source);
        }
        if has!(line, "Authentication failed from ") {
            let source = first_group(&KLOGIND, line);
            return login(None, source);
        }
        if has!(line, "Kerberos authentication failed") {
            return login(None, None);
        }
        if has!(line, "password authentication failed for user") {
            let user = first_group(&POSTGRES, line);
            // RDS/Aurora `%t:%r:%u@%d:[%p]:` prefix: client address and user.
            let prefix = if has!(line, "UTC:") {
                RDS_POSTGRES_PREFIX.captures(line)
            } else {
                None
            };
            // Else a `client=%h` or `host=%h` field (pgBadger's suggested
            // `user=%u,db=%d,app=%a,client=%h`).
            let source = prefix.as_ref().and_then(|c| cap(c, 1)).or_else(|| {
                first_group(&POSTGRES_CLIENT_FIELD, line).filter(|s| looks_like_host(s))
            });
            let user = user.or_else(|| prefix.as_ref().and_then(|c| cap(c, 2)));
            return login(user, source);
        }
        if has!(line, "password check failed for user") {
            let user = first_group(&CHKPWD, line);
            return login(user, None);
        }
        if has!(line, "(auth failed, ") {
            return login(
                first_group(&DOVECOT_USER, line),
                first_group(&DOVECOT_RIP, line),
            );
        }
        if let Some(found) = database_or_vpn_login(line) {
            return Some(found);
        }
    }
    if sshd
        && (bits.has(L_NOT_KNOWN) || bits.has(L_FAIL) || bits.any(SEVERITY_BITS))
        && has!(line, "PAM: ")
    {
        if let Some(c) = PAM_ERROR.captures(line) {
            return login(cap(&c, 1), cap(&c, 2));
        }
    }
    if bits.has(L_USER_UNKNOWN) && has!(line, "check pass; user unknown") {
        return login(None, None);
    }
    // pam_ldap (nss-pam-ldapd) for a user the directory does not have: `pam_ldap(sshd:auth): User
    // not known to the underlying authentication module; user=bob`.
    if bits.has(L_NOT_KNOWN)
        && has!(
            line,
            "): User not known to the underlying authentication module; user="
        )
    {
        return login(pam_field(line, finder!("user=")), None);
    }
    if bits.has(L_IGNORING_MAX) && has!(line, "ignoring max retries") {
        return login(None, None);
    }
    if sshd && bits.has(L_MAX_AUTH) && has!(line, "maximum authentication attempts exceeded") {
        return match MAX_ATTEMPTS.captures(line) {
            Some(c) => login(cap(&c, 1), cap(&c, 2)),
            None => login(None, None),
        };
    }
    if sshd
        && bits.has(L_AUTH_METHODS)
        && has!(line, "Received disconnect from ")
        && (has!(line, "No more user authentication methods")
            || has!(line, "No supported authentication methods")
            || has!(line, "No authentication methods available"))
    {
        let source = RECEIVED_DISCONNECT
            .captures(line)
            .and_then(|c| cap(&c, 1).or_else(|| cap(&c, 2)));
        return login(None, source);
    }
    if sshd && bits.has(L_NOT_ALLOWED) {
        if has!(line, "Change of username or service not allowed") {
            return match CHANGE_OF_USERNAME.captures(line) {
                Some(c) => login(cap(&c, 1), cap(&c, 2)),
                None => login(None, None),
            };
        }
        if has!(line, " not allowed because ") {
            if let Some(c) = NOT_ALLOWED_FROM.captures(line) {
                return login(cap(&c, 1), cap(&c, 2));
            }
            if let Some(c) = NOT_ALLOWED.captures(line) {
                return login(cap(&c, 1), None);
            }
        }
    }
    if sshd && bits.has(L_AUTHENTICATING_USER) {
        if let Some(c) = AUTHENTICATING_USER.captures(line) {
            return login(cap(&c, 1), cap(&c, 2));
        }
    }
    if bits.has(L_REFUSED_UPPER) && has!(line, "ROOT LOGIN REFUSED") {
        let source = first_group(&ROOT_REFUSED, line);
        return login(Some(Cow::Borrowed("root")), source);
    }
    if bits.has(L_REFUSED_CONNECT) {
        if let Some(c) = REFUSED_CONNECT.captures(line) {
            return login(None, cap(&c, 2).or_else(|| cap(&c, 1)));
        }
    }
    if bits.has(L_COULDNT_AUTH) && has!(line, "Couldn't authenticate user") {
        return login(None, None);
    }
    if bits.has(L_DENIED) && has!(line, "Access denied for user '") {
        if let Some(c) = MYSQL.captures(line) {
            return login(cap(&c, 1), cap(&c, 2));
        }
    }
    // phpMyAdmin's syslog auth log: `phpMyAdmin[1234]: user denied: bob (mysql-denied) from IP`.
    if bits.has(L_DENIED) && has!(line, "user denied: ") {
        if let Some(c) = PHPMYADMIN.captures(line) {
            return login(cap(&c, 1), cap(&c, 2));
        }
    }
    if bits.has(L_FAIL_UPPER) {
        // Samba: `check_ntlm_password:  Authentication for user [bob] -> [bob] FAILED with error
        // NT_STATUS_WRONG_PASSWORD` (the client is on another line).
        if has!(line, "check_ntlm_password:") {
            if let Some(user) = first_group(&SAMBA_NTLM, line) {
                return login(Some(user), None);
            }
        }
        if has!(line, "FAILED LOGIN") {
            return match LOGIN_FAILED.captures(line) {
                Some(c) => login(cap(&c, 2), cap(&c, 1)),
                None => login(None, None),
            };
        }
        if has!(line, "FAILED SU") || has!(line, "FAILED su for") {
            if let Some(c) = SU_FAILED.captures(line) {
                return login(cap(&c, 1).or_else(|| cap(&c, 2)), None);
            }
        }
        if has!(line, ",FAILED_CONNECT,") {
            if let Some(found) = audit_plugin_failed_connect(line) {
                return Some(found);
            }
        }
        if let Some(found) = transfer_legacy_auth_failure(line) {
            return Some(found);
        }
        // OpenSearch's audit log as its own log file writes it: `[…][INFO ][sgaudit ] [node]
        // {"audit_category":"FAILED_LOGIN",…}` (a JSON message is read by the JSON rules).
        if has!(line, "\"audit_category\":\"FAILED_LOGIN\"") {
            return login(
                first_group(&OPENSEARCH_USER, line),
                first_group(&OPENSEARCH_ADDRESS, line),
            );
        }
        // polkit: `Operator of unix-session:2 FAILED to authenticate to gain authorization for
        // action org.freedesktop.… for system-bus-name::1.50 […] (owned by unix-user:alice)`.
        if has!(line, "FAILED to authenticate") {
            return login(first_group(&POLKIT_OWNER, line), None);
        }
        if has!(line, "FAIL LOGIN: Client") {
            if let Some(c) = VSFTPD.captures(line) {
                return login(cap(&c, 1), cap(&c, 2));
            }
        }
    }
    if bits.has(L_INCORRECT_PASSWORD) {
        if let Some(c) = SUDO.captures(line) {
            return login(cap(&c, 1), None);
        }
    }
    web_or_mail_login(line, bits).or_else(|| app_login_failure(line, bits))
}

/// The MariaDB/MySQL audit plugin's CSV record of a refused connection, as RDS for MySQL and
/// MariaDB publish it to CloudWatch Logs: `TIMESTAMP,SERVERHOST,USER,HOST,CONNECTIONID,QUERYID,
/// FAILED_CONNECT,DATABASE,,RETCODE` (HOST is `host:port` since MariaDB 12). The fields are read
/// backwards from the operation, so a comma in the timestamp or server host does not matter.
fn audit_plugin_failed_connect(line: &str) -> Option<FailedLogin<'_>> {
    let at = finder!(",FAILED_CONNECT,").find(line.as_bytes())?;
    let mut fields = line[..at].rsplit(',');
    let numeric = |f: &str| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit());
    let (query_id, connection_id) = (fields.next()?, fields.next()?);
    if !numeric(query_id) || !numeric(connection_id) {
        return None;
    }
    let host = fields.next()?;
    let user = fields.next()?;
    login(clean(user), clean(without_port(host)))
}

/// MongoDB's text log before 4.4: `… authentication failed for USER on DB from client
/// IP:PORT ; REASON`. The user is the token before ` on `, the client the token after
/// ` from client ` without its port.
fn mongodb_text_auth_failure(line: &str) -> Option<FailedLogin<'_>> {
    let (_, rest) = split_once!(line, " authentication failed for ")?;
    let (user, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("on ")?;
    let (_, client) = split_once!(rest, " from client ")?;
    let client = client.split([' ', ';']).next()?;
    login(clean(user), clean(without_port(client)))
}

/// Kafka's broker log (Amazon MSK delivers it to CloudWatch Logs): `[SocketServer …] Failed
/// authentication with /203.0.113.9 (channelId=…) (Authentication failed during authentication
/// due to invalid credentials with SASL mechanism SCRAM-SHA-512)`. Only a refused SASL login
/// counts: the same words with `(SSL handshake failed)` are mostly TCP health checks and port
/// scans against the TLS listener, and `(Unexpected Kafka request …)` is a protocol mismatch.
fn kafka_auth_failure(line: &str) -> Option<FailedLogin<'_>> {
    let (_, rest) = split_once!(line, "Failed authentication with ")?;
    if !has!(rest, "(Authentication failed") {
        return None;
    }
    let peer = rest.split(' ').next()?;
    // `/IP` or `host/IP`
    let address = peer.rsplit_once('/').map_or(peer, |(_, a)| a);
    login(None, clean(address))
}

/// AWS Transfer Family's legacy (text) log, whose `ERRORS` stream holds the refused logins:
/// `ERRORS AUTH_FAILURE Method=password User=bob Message="…" SourceIP=203.0.113.9`. `SourceIP`
/// is the last field and is read from the end, so a tried user name holding ` SourceIP=` cannot
/// name another client.
fn transfer_legacy_auth_failure(line: &str) -> Option<FailedLogin<'_>> {
    let at = finder!("ERRORS AUTH_FAILURE ").find(line.as_bytes())?;
    if at > 0 && !line.as_bytes()[at - 1].is_ascii_whitespace() {
        return None;
    }
    let fields = &line[at + "ERRORS AUTH_FAILURE ".len()..];
    let source = fields.rfind(" SourceIP=").and_then(|i| {
        let value = &fields[i + " SourceIP=".len()..];
        clean(
            &value[..value
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(value.len())],
        )
    });
    login(pam_field(fields, finder!("User=")), source)
}

/// An application's own words for a failed login, in a text line or a JSON log's message:
/// `Login failed[ for [user ]U][ from IP]`, `Failed login attempt from IP`, `Sign-in failed`,
/// `Invalid username or password`, `Invalid credentials` (case-insensitive), and Nextcloud's
/// `Login failed: U (Remote IP: IP)` (its user only: a typed user name can hold a fake
/// `(Remote IP: …)`, so the client comes from the log's own `remoteAddr`). The phrase must end
/// there (`: reason`, ` for …`, ` from …`, ` user[name]=…`, a quote, punctuation or the end), so
/// `login failure count` and plurals (`3 failed login attempts`, `no login failures`) are not
/// failed logins, nor is a number right before it (`1 failed login attempt for bob`, a summary).
/// The ` user=` form is UW-IMAP's (`imapd[PID]: Login failed user=U auth=U host=NAME [IP]`) and
/// many apps' logfmt. With no user of its own, the phrase takes the name before it
/// ([`user_before_phrase`]).
fn app_login_failure(line: &str, bits: Bits) -> Option<FailedLogin<'_>> {
    static HINTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["login", "logon", "sign", "credentials", "password"])
            .expect("static hints")
    });
    if !(bits.has(L_FAIL)
        || bits.has(L_FAIL_TITLE)
        || bits.has(L_FAIL_UPPER)
        || bits.has(L_INVALID))
        || !HINTS.is_match(line)
    {
        return None;
    }
    // Grafana ≥ 10 names a failed form or basic-auth login by its error id:
    // `msg="Failed to authenticate request" client=auth.client.form error="[password-auth.failed]
    // failed to authenticate identity: [password-auth.invalid] invalid password"` (some versions
    // add a `msg=Unauthorized error="[password-auth.failed] …" remote_addr=IP` line).
    if has!(line, "[password-auth.failed]") {
        return login(None, logfmt_source(line));
    }
    // Webmin (Usermin): `Invalid login as root from 203.0.113.9`.
    if has!(line, "Invalid login as ") {
        if let Some(c) = WEBMIN.captures(line) {
            return login(cap(&c, 1), cap(&c, 2));
        }
    }
    let c = APP_LOGIN_FAILED.captures_iter(line).find(|c| {
        let before = line[..c.get(0).map_or(0, |m| m.start())].trim_end();
        let last_word = before.rsplit([' ', '\t']).next().unwrap_or("");
        last_word.is_empty() || !last_word.bytes().all(|b| b.is_ascii_digit())
    })?;
    let source = cap(&c, 3)
        .or_else(|| cap(&c, 4))
        .filter(|s| looks_like_host(s))
        .or_else(|| logfmt_source(line))
        .or_else(|| trailing_ip(line));
    let start = c.get(0).map_or(0, |m| m.start());
    let user = cap(&c, 1)
        .or_else(|| cap(&c, 2))
        .or_else(|| logfmt_user(line))
        .or_else(|| user_before_phrase(&line[..start]));
    login(user, source)
}

/// `user bob login failed`, `User 'admin' login failed from …`: the name right before an app's
/// failed-login phrase, after the word `user` or `account`.
fn user_before_phrase(before: &str) -> Option<Cow<'_, str>> {
    let mut words = before.trim_ascii_end().rsplit([' ', '\t']);
    let name = words.next()?;
    let keyword = words.next()?;
    if keyword.eq_ignore_ascii_case("user") || keyword.eq_ignore_ascii_case("account") {
        clean(name)
    } else {
        None
    }
}

/// The user of a logfmt-style line when the phrase names none (`msg="Invalid username or
/// password" user=bob`, courier's `LOGIN FAILED, user=bob, ip=[…]`).
fn logfmt_user(line: &str) -> Option<Cow<'_, str>> {
    [finder!("user="), finder!("username=")]
        .into_iter()
        .find_map(|key| pam_field(line, key))
}

/// The client of a logfmt line (Grafana's `… msg="Invalid username or password" …
/// remote_addr=203.0.113.9`).
fn logfmt_source(line: &str) -> Option<Cow<'_, str>> {
    [
        finder!("remote_addr="),
        finder!("remote_ip="),
        finder!("client_ip="),
        finder!("src_ip="),
        finder!("ip="),
    ]
    .into_iter()
    .find_map(|key| pam_field(line, key))
    .filter(|s| looks_like_host(s))
}

/// An IP address that ends the line (Bitwarden's `Failed login attempt. 192.168.0.16`): only a
/// literal address, so a trailing host or version number is not taken for the client.
fn trailing_ip(line: &str) -> Option<Cow<'_, str>> {
    let last = line.trim_ascii_end().rsplit([' ', '\t']).next()?;
    // UW-IMAP's `host=[IP]` and `host=NAME [IP]`.
    let last = last.rsplit_once("=[").map_or(last, |(_, value)| value);
    let last = last
        .trim_end_matches(['.', ',', ';', ')', ']'])
        .trim_start_matches(['(', '[']);
    last.parse::<std::net::IpAddr>()
        .is_ok()
        .then_some(Cow::Borrowed(last))
}

/// FreeRADIUS: `Login incorrect[ (module: reason)]: [U[/PASSWORD]] (from client NAS port N[ cli
/// C])`. The user is U (the password is there only with `auth_badpass = yes`, and samples
/// redact it); the client is the Calling-Station-Id `C` when it is an IP address (VPN
/// concentrators send one; Wi-Fi sends a MAC), never the NAS, which only relays the login.
/// `Login incorrect (Home Server failed to respond)` is a proxy outage, not a refused login.
fn freeradius_failure(line: &str) -> Option<FailedLogin<'_>> {
    if has!(line, "Login incorrect (Home Server failed to respond)") {
        return None;
    }
    let user = FREERADIUS_USER.captures(line)?;
    let source = FREERADIUS_CLI
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
        .filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        .map(Cow::Borrowed);
    login(cap(&user, 1), source)
}

/// Sendmail with `AUTH_FAIL_LOG_USER` (8.16+): `AUTH failure (LOGIN): authentication failure
/// (-13) SASL(-13): authentication failure: checkpass failed, user=U, relay=[HOST] [IP] (may be
/// forged)`, also `user not found (-20) SASL(-13): …`. The client is the last `relay=`, which
/// Sendmail writes after the user: a user name holding `, relay=[…]` cannot name another
/// client. Its `possible SMTP attack: command=AUTH, count=N` sums up a session and is not
/// counted.
fn sendmail_auth_failure(line: &str) -> Option<FailedLogin<'_>> {
    let c = SENDMAIL_AUTH.captures(line)?;
    let relay = &line[line.rfind(", relay=")? + ", relay=".len()..];
    let source = first_group(&SENDMAIL_RELAY, relay);
    login(cap(&c, 1), source)
}

/// WordPress through the wp-fail2ban plugin (`wordpress(site)[PID]: Authentication failure for
/// U from IP`, `Authentication attempt for unknown user U from IP`, either ending ` via
/// XML-RPC`), and apps that use the same words. A WordPress login may hold spaces, so the user is
/// everything before the last ` from HOST`; without one, the first word after the phrase. A
/// leading `user ` is a word, not the name (`Authentication failure for user bob`).
fn authentication_failure_for(line: &str) -> Option<FailedLogin<'_>> {
    let rest = [
        "Authentication failure for ",
        "Authentication attempt for unknown user",
    ]
    .iter()
    .find_map(|phrase| line.find(phrase).map(|at| &line[at + phrase.len()..]))?;
    let rest = rest.trim_start_matches([' ', ':']).trim_ascii_end();
    let rest = rest.strip_suffix(" via XML-RPC").unwrap_or(rest);
    if let Some((user, source)) = rest.rsplit_once(" from ") {
        if looks_like_host(source) {
            return login(clean(without_user_word(user)), clean(source));
        }
    }
    let name = without_user_word(rest).split_ascii_whitespace().next();
    login(name.and_then(clean), None)
}

/// `user bob` → `bob`: a leading `user ` is a word, not the name (`user` alone stays).
fn without_user_word(text: &str) -> &str {
    text.strip_prefix("user ")
        .or_else(|| text.strip_prefix("User "))
        .filter(|name| !name.is_empty())
        .unwrap_or(text)
}

/// Dropbear (the SSH server of OpenWrt, BusyBox and many appliances): `Bad password attempt for
/// 'U' from IP:PORT` (also `bad …` before 2013, and `Bad PAM password attempt …`) and `Login
/// attempt for nonexistent user from IP:PORT`. Dropbear always appends the port, so an IPv6
/// client is the part before the last colon. `Exit before auth … Max auth tries reached` sums
/// up attempts already counted and is not counted again.
fn dropbear_failure(line: &str) -> Option<FailedLogin<'_>> {
    let c = if has!(line, "password attempt for '") {
        DROPBEAR_BAD_PASSWORD.captures(line)?
    } else if has!(line, "ogin attempt for nonexistent user ") {
        DROPBEAR_NO_SUCH_USER.captures(line)?
    } else {
        return None;
    };
    login(cap(&c, 1), cap(&c, 2))
}

/// SQL Server's error log (RDS exports it): `Login failed for user 'U'. Reason: … [CLIENT: IP]`;
/// `Authentication failed for user [U]` (pure-ftpd, with its `(?@IP)` source, and the same words
/// elsewhere, also lower-case, with a `from IP`: Cockpit, SonarQube, …); OpenVPN's `IP:PORT TLS
/// Auth Error: Auth Username/Password verification failed` and its PAM plugin's `user 'U' failed
/// to authenticate`; Asterisk's refused SIP registrations.
fn database_or_vpn_login(line: &str) -> Option<FailedLogin<'_>> {
    if has!(line, "Login failed for user '") {
        let c = MSSQL.captures(line)?;
        return login(cap(&c, 1), cap(&c, 2));
    }
    // MongoDB before 4.4 (text log): `I ACCESS  [conn12] SASL SCRAM-SHA-1 authentication failed
    // for bob on admin from client 203.0.113.9:51234 ; UserNotFound: …`.
    if has!(line, " authentication failed for ") && has!(line, " from client ") {
        if let Some(found) = mongodb_text_auth_failure(line) {
            return Some(found);
        }
    }
    if has!(line, "Authentication failed for user ")
        || has!(line, "authentication failed for user ")
    {
        let user = first_group(&AUTH_FAILED_FOR_USER, line);
        let source = PUREFTPD_SOURCE
            .captures(line)
            .and_then(|c| cap(&c, 1))
            .or_else(|| {
                let c = AUTH_FAILED_FROM.captures(line)?;
                cap(&c, 1).filter(|s| looks_like_host(s))
            });
        return login(user, source);
    }
    // OpenVPN's PAM plugin: `AUTH-PAM: BACKGROUND: user 'bob' failed to authenticate: …` (the
    // client address is on openvpn's own line beside it).
    if has!(line, "AUTH-PAM: BACKGROUND: user '") {
        if let Some(user) = first_group(&OPENVPN_PAM, line) {
            return login(Some(user), None);
        }
    }
    // Asterisk (chan_sip): `Registration from '"100"<sip:100@203.0.113.9>' failed for
    // '198.51.100.7:5060' - Wrong password`, and its other refusals that fail2ban counts.
    if has!(line, "Registration from '") {
        if let Some(c) = ASTERISK_SIP.captures(line) {
            let source = c.get(1).and_then(|peer| clean(without_port(peer.as_str())));
            return login(first_group(&ASTERISK_SIP_USER, line), source);
        }
    }
    if has!(line, "Auth Username/Password verification failed") {
        // `[common_name/]IP:PORT` before the message.
        let source = OPENVPN.captures(line).and_then(|c| {
            let peer = c.get(1)?.as_str();
            let address = peer.rsplit_once('/').map_or(peer, |(_, a)| a);
            clean(without_port(address))
        });
        return login(None, source);
    }
    None
}

/// Windows Security events of a failed logon as the CloudWatch agent ships them: their XML (the
/// default `event_format`) or the text form `[Security] [LEVEL] [ID]
/// [Microsoft-Windows-Security-Auditing] [HOST] [message]`.
/// - 4625 "An account failed to log on" (RDP, SMB, WinRM on any machine);
/// - 4771 "Kerberos pre-authentication failed" (a domain controller, e.g. AWS Managed Microsoft
///   AD's forwarded security log);
/// - 4776 NTLM credential validation, a failure only when its status is not `0x0`; its source is
///   the workstation name the client gave.
fn windows_logon_failure(line: &str) -> Option<FailedLogin<'_>> {
    let text_id = finder!("] [Microsoft-Windows-Security-Auditing] [")
        .find(line.as_bytes())
        .and_then(|at| line[..at].rsplit_once("] [").map(|(_, id)| id));
    let (id, xml) = match text_id {
        Some(id) => (id, false),
        None if has!(line, "Microsoft-Windows-Security-Auditing") => {
            (WINDOWS_XML_EVENT_ID.captures(line)?.get(1)?.as_str(), true)
        }
        None => return None,
    };
    // For each event and form: the status that must be non-zero (4776), the user, the source.
    let (status, user, source): (Option<&Regex>, &Regex, &Regex) = match (id, xml) {
        ("4625", false) => (None, &WINDOWS_TEXT_USER, &WINDOWS_TEXT_IP),
        ("4771", false) => (None, &WINDOWS_TEXT_4771_USER, &WINDOWS_TEXT_4771_IP),
        ("4776", false) => (
            Some(&WINDOWS_TEXT_4776_STATUS),
            &WINDOWS_TEXT_4776_USER,
            &WINDOWS_TEXT_4776_HOST,
        ),
        ("4625" | "4771", true) => (None, &WINDOWS_XML_USER, &WINDOWS_XML_IP),
        ("4776", true) => (
            Some(&WINDOWS_XML_STATUS),
            &WINDOWS_XML_USER,
            &WINDOWS_XML_WORKSTATION,
        ),
        _ => return None,
    };
    if status.is_some_and(|s| !windows_status_failed(first_group(s, line).as_deref())) {
        return None;
    }
    // `clean` drops Windows' `-` (a local logon has no network address). An IPv4 client of a
    // dual-stack listener stays as Windows writes it (`::ffff:10.0.3.25`), like every other
    // source here.
    login(first_group(user, line), first_group(source, line))
}

/// A Windows NTSTATUS as an event writes it (`0xC000006A`, `0x0`): a failure unless zero.
fn windows_status_failed(status: Option<&str>) -> bool {
    status
        .and_then(|s| s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")))
        .filter(|hex| hex.bytes().all(|c| c.is_ascii_hexdigit()))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .is_some_and(|code| code != 0)
}

/// Basic-auth failures of Apache (`AH01617`/`AH01618`, 2.2 without codes) and nginx, Dovecot's
/// passdb verdicts (`pam(U,IP,<session>): pam_authenticate() failed: …`, `passwd-file(U,IP):
/// Password mismatch`/`invalid credentials`; its `unknown user` holds no gate literal), SSSD's
/// `pam_sss(…): received for user U: 7 (Authentication failure)`, faillock lockouts, postfix
/// SASL and proftpd failures, and Keycloak login errors.
fn web_or_mail_login(line: &str, bits: Bits) -> Option<FailedLogin<'_>> {
    if (bits.has(L_FAIL) || bits.has(L_NOT_FOUND_COLON)) && has!(line, "[client ") {
        if let Some(c) = APACHE_BASIC.captures(line) {
            // `[client 203.0.113.9:51235]` (2.4) or `[client 10.0.0.2]` (2.2).
            let source = cap(&c, 1).map(|s| match s.split_once(':') {
                Some((ip, port))
                    if !port.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Cow::Owned(ip.to_owned())
                }
                _ => s,
            });
            return login(cap(&c, 2), source);
        }
    }
    if (bits.has(L_FAIL) || bits.has(L_INVALID) || bits.has(L_MISMATCH) || bits.has(L_UNKNOWN_USER))
        && has!(line, "): ")
    {
        if let Some(c) = DOVECOT_PASSDB.captures(line) {
            return login(cap(&c, 1), cap(&c, 2));
        }
    }
    if bits.has(L_INVALID) {
        // RabbitMQ (also Amazon MQ): `PLAIN login refused: user 'guest' - invalid credentials`,
        // `HTTP access denied: user 'guest' - invalid credentials`; the client from the AMQP
        // connection line in front of it when the entry carries one.
        if has!(line, "' - invalid credentials") {
            if let Some(user) = first_group(&RABBITMQ, line) {
                return login(Some(user), first_group(&RABBITMQ_PEER, line));
            }
        }
        // ActiveMQ (also Amazon MQ): `Security error occurred on connection to:
        // tcp://203.0.113.5:51234, User name [admin] or password is invalid.`
        if has!(line, "] or password is invalid") {
            if let Some(user) = first_group(&ACTIVEMQ, line) {
                return login(Some(user), first_group(&ACTIVEMQ_PEER, line));
            }
        }
    }
    if (bits.has(L_FAIL) || bits.has(L_NOT_KNOWN)) && has!(line, "pam_sss(") {
        if let Some(c) = PAM_SSS_RECEIVED.captures(line) {
            return login(cap(&c, 1), None);
        }
    }
    if (bits.has(L_MISMATCH) || bits.has(L_NOT_FOUND_IN)) && has!(line, " user \"") {
        if let Some(c) = NGINX_BASIC.captures(line) {
            return login(cap(&c, 1), cap(&c, 2));
        }
    }
    if bits.has(L_FAIL) {
        if has!(line, "Consecutive login failures for user ") {
            return login(first_group(&FAILLOCK, line), None);
        }
        if has!(line, "AUTH failure (") {
            if let Some(found) = sendmail_auth_failure(line) {
                return Some(found);
            }
        }
        // Cyrus IMAP/POP: `imap[PID]: badlogin: host [IP] PLAIN [SASL(-13): authentication
        // failure: checkpass failed]` (`plaintext USER SASL(-13): …` names the user).
        if has!(line, ": badlogin: ") {
            if let Some(c) = CYRUS_BADLOGIN.captures(line) {
                return login(cap(&c, 2), cap(&c, 1));
            }
        }
        if has!(line, "SASL ") && has!(line, "authentication failed") {
            if let Some(c) = SASL.captures(line) {
                return login(None, cap(&c, 1));
            }
        }
        if has!(line, " (Login failed)") {
            if let Some(c) = PROFTPD.captures(line) {
                return login(cap(&c, 2), cap(&c, 1));
            }
        }
        // Exim: `dovecot_login authenticator failed for (helo) [203.0.113.5]:56789: 535
        // Incorrect authentication data (set_id=bob@example.com)`.
        if has!(line, " authenticator failed for ") {
            if let Some(c) = EXIM_AUTHENTICATOR.captures(line) {
                let user = first_group(&EXIM_SET_ID, line);
                return login(user, cap(&c, 1));
            }
        }
        // A PAM application reporting PAM's verdict in its own words, without naming anyone:
        // shadow's `su[4242]: pam_authenticate: Authentication failure`, `pam_authenticate():
        // Authentication failure`. (Dovecot's and pam_sss's forms, which name the user, are
        // taken above.)
        if has!(line, "pam_authenticate") && has!(line, ": Authentication failure") {
            return login(None, None);
        }
        if has!(line, "Authentication failure for ") {
            return authentication_failure_for(line);
        }
    }
    // OpenLDAP's slapd (`conn=1001 op=1 RESULT tag=97 err=49 text=`) and 389 Directory Server
    // (`conn=2 op=1 RESULT err=49 tag=97 nentries=0 …`): a bind refused with
    // invalidCredentials (wrong password or no such DN). The bound DN and the client are on the
    // connection's earlier `BIND` and `ACCEPT` lines, so this line counts without them.
    if bits.has(L_ERR) && has!(line, " err=49 ") && has!(line, "tag=97") && has!(line, " RESULT ") {
        return login(None, None);
    }
    // `LOGIN_ERROR` holds the severity literal `ERR`, and Vaultwarden logs at `[ERROR]`: lines
    // without a severity literal are not searched.
    if bits.any(SEVERITY_BITS) {
        return keycloak_login_error(line).or_else(|| vaultwarden_login(line));
    }
    None
}

/// The Linux audit log (`/var/log/audit/audit.log`, or the same record through journald or
/// audispd): a `USER_AUTH` (PAM authentication, as `aureport --auth` lists) or `USER_LOGIN`
/// (`aureport --login`) record with `res=failed`, e.g. `type=USER_AUTH msg=audit(…): … msg='op=
/// PAM:authentication grantors=? acct="root" exe="/usr/sbin/sshd" hostname=IP addr=IP
/// terminal=ssh res=failed'`. The user is `acct` (quoted, or hex when it holds a space or
/// quote); `(unknown)` and `?` are no user. The client is `addr`, else `hostname`.
fn auditd_login_failure(line: &str) -> Option<FailedLogin<'_>> {
    let is_auth_record = [
        finder!("type=USER_AUTH "),
        finder!("type=USER_LOGIN "),
        finder!("type=1100 "),
        finder!("type=1112 "),
        finder!("]: USER_AUTH "),
        finder!("]: USER_LOGIN "),
    ]
    .iter()
    .any(|f| f.find(line.as_bytes()).is_some());
    let failed = has!(line, " res=failed'") || line.trim_end().ends_with(" res=failed");
    if !(is_auth_record && failed) {
        return None;
    }
    let known = |v: &Cow<'_, str>| v != "?" && v != "unknown";
    let hex = !has!(line, " acct=\"");
    let user = pam_field(line, finder!("acct="))
        .map(|acct| match hex.then(|| audit_hex(&acct)).flatten() {
            Some(decoded) => Cow::Owned(decoded),
            None => acct,
        })
        .filter(known);
    let source = pam_field(line, finder!("addr="))
        .filter(known)
        .or_else(|| pam_field(line, finder!("hostname=")).filter(known));
    login(user, source)
}

/// An audit field the kernel wrote in hex because it holds a space, quote or control character
/// (`acct=6A6F686E20646F65` is `john doe`); `None` for anything else.
fn audit_hex(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let pairs = b.chunks_exact(2);
    if b.is_empty() || !pairs.remainder().is_empty() || !b.iter().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Option<Vec<u8>> = pairs
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Vaultwarden (bitwarden_rs): `[…][vaultwarden::api::identity][ERROR] Username or password is
/// incorrect. Try again. IP: 203.0.113.9. Username: bob@example.com.` (the user, an e-mail
/// address, may hold dots: it runs to the line's last dot).
fn vaultwarden_login(line: &str) -> Option<FailedLogin<'_>> {
    let (_, rest) = split_once!(line, "password is incorrect. Try again. IP: ")?;
    let (ip, user) = split_once!(rest, ". Username: ")?;
    login(clean(user), clean(ip).filter(|s| looks_like_host(s)))
}

/// Keycloak's event logger: `type=LOGIN_ERROR, realmId=…, ipAddress=IP, error=…, username=U`
/// (values quoted since Keycloak 17).
fn keycloak_login_error(line: &str) -> Option<FailedLogin<'_>> {
    if !(has!(line, "type=LOGIN_ERROR,") || has!(line, "type=\"LOGIN_ERROR\",")) {
        return None;
    }
    let user = KEYCLOAK_USER
        .captures(line)
        .and_then(|c| cap(&c, 1))
        .filter(|u| u != "null");
    let source = first_group(&KEYCLOAK_IP, line);
    login(user, source)
}

fn accepted_login(line: &str) -> Option<Connection<'_>> {
    // `Accepted METHOD for USER from SOURCE port N` (by hand: this runs on every successful
    // login, and a regex with captures cost more than the rest of the line's classification).
    for (at, _) in line.match_indices("Accepted ") {
        let rest = &line[at + "Accepted ".len()..];
        let method_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let Some(after_for) = rest[method_len..].strip_prefix(" for ") else {
            continue;
        };
        if method_len == 0 {
            continue;
        }
        // The user may be anything (even empty, or with spaces): the first ` from SOURCE port N`.
        let candidates = std::iter::once(0)
            .filter(|_| after_for.starts_with("from "))
            .chain(after_for.match_indices(" from ").map(|(i, _)| i + 1));
        for from in candidates {
            if after_for[..from].contains('\n') {
                break;
            }
            let tail = &after_for[from + "from ".len()..];
            let source_len = tail.find(char::is_whitespace).unwrap_or(tail.len());
            let port = tail[source_len..]
                .strip_prefix(" port ")
                .map(|p| &p[..p.bytes().take_while(u8::is_ascii_digit).count()]);
            if let (true, Some(port)) = (source_len > 0, port.filter(|p| !p.is_empty())) {
                return Some(Connection {
                    source: clean(&tail[..source_len])?,
                    port: Cow::Borrowed(port),
                });
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// JSON lines

/// Level-like keys, compared case-insensitively on the top-level object.
const LEVEL_KEYS: &[&str] = &[
    "level",
    "severity",
    "levelname",
    "level_name",
    "loglevel",
    "log_level",
    "log.level",
    "lvl",
    "@l",
    "@level",
    "severity_text",
    "severitytext",
    "status",
];

const HTTP_STATUS_KEYS: &[&str] = &[
    "status",
    "status_code",
    "statuscode",
    "http_status",
    "httpstatus",
    "elb_status_code",
    "http.status_code",
    "http.response.status_code",
    "res.statusCode",
    // CloudFront standard logs (v2) delivered to CloudWatch Logs as JSON: the status as a string
    "sc-status",
    // Traefik's JSON access log: what the client got (`OriginStatus` is the backend's answer)
    "DownstreamStatus",
    // Kong's log plugins; Google-style `httpRequest` (also written by some structured loggers)
    "response.status",
    "httpRequest.status",
    // Envoy as Istio writes its JSON access log (`accessLogEncoding: JSON`), and Envoy configs
    // that name `%RESPONSE_CODE%` the same way
    "response_code",
];

/// Top-level objects whose nested status field is one of [`HTTP_STATUS_KEYS`].
const STATUS_PARENTS: &[&str] = &["http", "res", "response", "httpRequest"];

const TEXT_KEYS: &[&str] = &["message", "msg", "log", "MESSAGE"];

/// Classifies a message that starts with `{`. `None` when it is not a JSON object (then it is
/// classified as text).
fn classify_json(message: &str, bits: Bits) -> Option<Classification<'_>> {
    classify_json_in(message, bits, Envelope::Outer)
}

/// Where a JSON object sits: an event's own message, or a JSON log line carried as the text of
/// a container envelope (`{"log":"{\"level\":\"error\",…}",…}`: Fluent Bit, FireLens, Docker).
/// Only one level of such nesting is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Envelope {
    Outer,
    Inner,
}

fn classify_json_in(message: &str, bits: Bits, envelope: Envelope) -> Option<Classification<'_>> {
    if !message.trim_end().ends_with('}') {
        return None;
    }
    if bits.0 == 0 {
        // No literal any JSON or embedded-text rule looks for: nothing to find.
        return Some(Classification::default());
    }
    match json_needs_full_look(message) {
        None => {
            // Unpaired surrogate escapes (`\ud800`, Node writes them) make serde_json reject the
            // whole object; read it with U+FFFD in their place rather than as text.
            let fixed = super::decode::without_lone_surrogates(message)?;
            match json_needs_full_look(&fixed)? {
                false => Some(Classification::default()),
                true => classify_json_full(&fixed, envelope),
            }
        }
        Some(false) => Some(Classification::default()),
        Some(true) => classify_json_full(message, envelope).or_else(|| {
            let fixed = super::decode::without_lone_surrogates(message)?;
            classify_json_full(&fixed, envelope)
        }),
    }
}

const LOGIN_KEYS: &[&str] = &[
    "event",
    "event.action",
    "event.outcome",
    "action",
    "outcome",
    "result",
    "auth_result",
    "event_type",
    "eventtype",
    "type",
    "eventname",
    "audit_category",
    "activity-type",
    // AWS Client VPN's connection log (see `client_vpn_failure`)
    "connection-attempt-status",
];

/// One lean pass over the top level of a JSON log (keys borrowed, uninteresting values skipped
/// without building anything): does any field call for the full look? `None`: not JSON.
fn json_needs_full_look(message: &str) -> Option<bool> {
    struct Probe;
    impl<'de> Visitor<'de> for Probe {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut interesting = false;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                let key = key.as_ref();
                let watched = interesting_key(key);
                if !watched || interesting {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                let raw: &'de RawValue = map.next_value()?;
                interesting = field_is_interesting(key, raw.get());
            }
            Ok(interesting)
        }
    }
    let mut de = serde_json::Deserializer::from_str(message);
    let verdict = (&mut de).deserialize_map(Probe).ok()?;
    de.end().ok()?;
    Some(verdict)
}

fn interesting_key(key: &str) -> bool {
    // The case-insensitive names grouped by length: a key is compared with the few names of
    // its own length instead of all ≈ 50 (this runs for every top-level key of a JSON log).
    static BY_LENGTH: LazyLock<Vec<Vec<&'static str>>> = LazyLock::new(|| {
        let names = LEVEL_KEYS
            .iter()
            .chain(HTTP_STATUS_KEYS)
            .chain(TEXT_KEYS)
            .chain(LOGIN_KEYS)
            .chain(&["severity_number", "severitynumber"]);
        let mut by_length: Vec<Vec<&'static str>> = Vec::new();
        for name in names {
            if by_length.len() <= name.len() {
                by_length.resize(name.len() + 1, Vec::new());
            }
            by_length[name.len()].push(name);
        }
        by_length
    });
    BY_LENGTH
        .get(key.len())
        .is_some_and(|names| names.iter().any(|k| key.eq_ignore_ascii_case(k)))
        || key == "PRIORITY"
        || key == "s"
        || STATUS_PARENTS.contains(&key)
        || key == "responseElements"
        || key == "errorType"
        || key == "detail"
        || key == "log_id"
        || key == "EventID"
        || key == "atype"
        || key == "success"
        || key == "successful"
}

enum Scalar<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Object(&'a str),
    Other,
}

fn scalar(raw: &str) -> Scalar<'_> {
    match raw.as_bytes().first() {
        Some(b'"') => Scalar::Str(super::decode::unescape(raw)),
        Some(b'-' | b'0'..=b'9') => raw.parse::<f64>().map_or(Scalar::Other, Scalar::Num),
        Some(b'{' | b'[') => Scalar::Object(raw),
        _ => Scalar::Other,
    }
}

fn is_5xx_text(s: &str) -> bool {
    s.len() == 3 && s.starts_with('5') && s.bytes().all(|c| c.is_ascii_digit())
}

/// Whether one top-level field (raw JSON value) may make the event an error, a 5xx or a failed
/// login.
fn field_is_interesting(key: &str, raw: &str) -> bool {
    let value = scalar(raw);
    let is = |list: &[&str]| list.iter().any(|k| key.eq_ignore_ascii_case(k));
    if key.eq_ignore_ascii_case("severity_number") || key.eq_ignore_ascii_case("severitynumber") {
        return matches!(value, Scalar::Num(n) if n >= 17.0);
    }
    if key == "PRIORITY" {
        return journald_priority_is_error(&value);
    }
    if key == "errorType" {
        // A Lambda runtime's error document; `classify_json_full` checks its `errorMessage`.
        return matches!(&value, Scalar::Str(s) if !s.trim().is_empty());
    }
    if key == "s" {
        // MongoDB's severity; `classify_json_full` checks the rest of MongoDB's shape.
        return matches!(&value, Scalar::Str(s) if s == "E" || s == "F");
    }
    if is(TEXT_KEYS) {
        if let Scalar::Str(text) = &value {
            let b = text.as_bytes();
            return gate_bits(b).0 != 0
                || positional_level(b) == Some(true)
                || elb_status(b).is_some_and(|s| (500..=599).contains(&s));
        }
        // `"log": {"level": …}` (ECS) or a structured message: let the full look decide.
        return matches!(value, Scalar::Object(o) if gate_bits(o.as_bytes()).any(SEVERITY_BITS | AUTH_BITS));
    }
    if is(LEVEL_KEYS) || is(HTTP_STATUS_KEYS) {
        let level_key = is(LEVEL_KEYS);
        let status_key = key.eq_ignore_ascii_case("status") || is(HTTP_STATUS_KEYS);
        return match &value {
            Scalar::Str(s) => {
                (status_key && is_5xx_text(s))
                    || (level_key
                        && (level_word(s.trim().as_bytes()) == Some(true)
                            || s.eq_ignore_ascii_case("dpanic")))
            }
            Scalar::Num(n) => {
                (status_key && (500.0..600.0).contains(n))
                    || (level_key
                        && !key.eq_ignore_ascii_case("status")
                        && (50.0..100.0).contains(n))
            }
            _ => false,
        };
    }
    if key.eq_ignore_ascii_case("type") {
        if let Scalar::Str(s) = &value {
            // `response`: HashiCorp Vault's audit log (see `vault_login_failure`).
            if s.starts_with("platform.") || s.ends_with("TimedOut") || s == "response" {
                return true;
            }
        }
    }
    if key == "activity-type" && matches!(&value, Scalar::Str(s) if s == "ERROR") {
        // AWS Transfer Family (see `transfer_family_error`).
        return true;
    }
    if key == "log_id" {
        // An Auth0 tenant log event (see `auth0_login_failure`).
        return true;
    }
    if key == "atype" {
        // A MongoDB or Amazon DocumentDB audit record (see `mongodb_audit_failure`).
        return matches!(&value, Scalar::Str(s) if s == "authenticate");
    }
    if key == "success" || key == "successful" {
        // `"success": false` beside an authentication action (see `json_failed_login`).
        return raw == "false";
    }
    if key == "EventID" {
        // A Windows Security event in JSON (see `windows_json_failure`).
        let id = match &value {
            Scalar::Num(n) => *n,
            Scalar::Str(s) => s.trim().parse().unwrap_or(0.0),
            _ => 0.0,
        };
        return [4625.0, 4771.0, 4776.0].contains(&id);
    }
    let status_parent = STATUS_PARENTS.contains(&key);
    // `detail`: an EventBridge event's body (see `eventbridge_detail`).
    if status_parent || key == "responseElements" || key == "detail" || is(LOGIN_KEYS) {
        let bits = gate_bits(raw.as_bytes());
        if key == "detail" && bits.has(L_LOG_ID) {
            return true;
        }
        if status_parent {
            return raw.contains("tatus") && bits.any(JSON_5XX_BITS);
        }
        if key.eq_ignore_ascii_case("eventname")
            && (raw == "\"ConsoleLogin\"" || raw == "\"CredentialVerification\"")
        {
            return true;
        }
        return bits.any(AUTH_BITS) || raw.contains("bad") || raw.contains("Bad");
    }
    false
}

/// Classifies a JSON log with every rule (the message passed the lean look).
fn classify_json_full(message: &str, envelope: Envelope) -> Option<Classification<'static>> {
    let value: Value = serde_json::from_str(message).ok()?;
    let obj = value.as_object()?;
    let mut c = Classification::default();

    let level = json_level(obj);
    let platform = lambda_platform_json(obj);
    let status = json_http_status(obj);
    c.http_5xx = status.is_some_and(|s| (500..=599).contains(&s));

    // Text embedded in a JSON envelope (Fluent Bit / Docker `log`, journald `MESSAGE`, …): a
    // text line, or the JSON line of an app behind Fluent Bit or FireLens.
    let inner = TEXT_KEYS
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .map(str::trim_end)
        .filter(|s| !s.is_empty());
    let inner_class = inner.and_then(|text| {
        let bits = gate_bits(text.as_bytes());
        match (text.starts_with('{'), envelope) {
            (false, _) => Some(classify_text(text, bits)),
            (true, Envelope::Outer) => classify_json_in(text, bits, Envelope::Inner),
            (true, Envelope::Inner) => None,
        }
    });

    c.error = match (platform, level) {
        (Some(p), _) => p,
        (None, Some(l)) => l,
        (None, None) => {
            inner_class.as_ref().is_some_and(|ic| ic.error)
                || lambda_error_document(obj)
                || step_functions_failure(obj)
                || transfer_family_error(obj)
        }
    } || c.http_5xx;
    if let Some(ic) = &inner_class {
        if status.is_none() && ic.http_5xx {
            c.http_5xx = true;
            c.error = true;
        }
    }
    c.failed_login = json_failed_login(obj)
        .or_else(|| eventbridge_detail(obj).and_then(json_failed_login))
        .or_else(|| {
            inner_class
                .as_ref()
                .and_then(|ic| ic.failed_login.clone())
                .map(|l| with_json_identity(into_owned_login(l), obj))
        })
        .or_else(|| json_auth_failed_message(obj, inner?));
    if c.failed_login.is_none() {
        c.accepted_login = inner_class
            .and_then(|ic| ic.accepted_login)
            .map(|a| Connection {
                source: Cow::Owned(a.source.into_owned()),
                port: Cow::Owned(a.port.into_owned()),
            });
    }
    Some(c)
}

/// `{"msg":"authentication failed","user":"bob","remote_ip":"…"}`: a JSON log whose message is
/// just "authentication failed" (or "auth failed", "authentication failure", optionally with
/// `: reason`) counts when the log names the user or the client in its own fields. The same
/// words alone in a text line stay uncounted: they are as often an app's own outbound login
/// failing, with nobody named.
/// The event of an EventBridge rule whose target is a log group: `{"version":"0","detail-type":
/// "AWS Console Sign In via CloudTrail","source":"aws.signin","detail":{…CloudTrail record…}}`
/// (also Okta's System Log through its partner event source).
fn eventbridge_detail(obj: &Map<String, Value>) -> Option<&Map<String, Value>> {
    obj.get("detail-type")?.as_str()?;
    obj.get("detail")?.as_object()
}

fn json_auth_failed_message(obj: &Map<String, Value>, text: &str) -> Option<FailedLogin<'static>> {
    const PHRASES: &[&str] = &[
        "authentication failed",
        "authentication failure",
        "auth failed",
        "auth failure",
    ];
    let text = text.trim().trim_end_matches(['.', '!']);
    let says_so = PHRASES.iter().any(|p| {
        text.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
            && matches!(
                text.as_bytes().get(p.len()),
                None | Some(b':' | b',' | b';' | b'(')
            )
    });
    if !says_so {
        return None;
    }
    let (user, source) = (json_user(obj), json_source(obj));
    if user.is_none() && source.is_none() {
        return None;
    }
    login(user, source)
}

fn json_user(obj: &Map<String, Value>) -> Option<Cow<'static, str>> {
    json_string(obj, USER_KEYS).map(|s| Cow::Owned(s.to_owned()))
}

/// The client address of a JSON log, without the port many loggers append (Go's
/// `RemoteAddr`, Teleport's `addr.remote`: `203.0.113.9:52457`), so attempts group by address.
fn json_source(obj: &Map<String, Value>) -> Option<Cow<'static, str>> {
    json_string(obj, SOURCE_KEYS).map(|s| Cow::Owned(without_port(s).to_owned()))
}

/// A failed login read from a JSON log's message text (`"msg":"login failed"`) takes the user
/// and source the text does not name from the log's own fields (`"user"`, `"remote_ip"`, …).
fn with_json_identity(
    mut l: FailedLogin<'static>,
    obj: &Map<String, Value>,
) -> FailedLogin<'static> {
    l.user = l.user.or_else(|| json_user(obj));
    l.source = l.source.or_else(|| json_source(obj));
    l
}

fn into_owned_login(l: FailedLogin<'_>) -> FailedLogin<'static> {
    FailedLogin {
        user: l.user.map(|u| Cow::Owned(u.into_owned())),
        source: l.source.map(|s| Cow::Owned(s.into_owned())),
        publickey_probe: l.publickey_probe.map(|p| Connection {
            source: Cow::Owned(p.source.into_owned()),
            port: Cow::Owned(p.port.into_owned()),
        }),
    }
}

/// A value at a dotted path: the flat key (`"log.level"`) or the nested objects.
fn path<'v>(obj: &'v Map<String, Value>, dotted: &str) -> Option<&'v Value> {
    if let Some(v) = obj.get(dotted) {
        return Some(v);
    }
    let mut parts = dotted.split('.');
    let mut current = obj.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

/// journald's `PRIORITY` (a syslog severity written as a one-digit string): 0–3 are errors.
fn journald_priority_is_error(value: &Scalar<'_>) -> bool {
    match value {
        Scalar::Str(s) => matches!(s.as_ref(), "0" | "1" | "2" | "3"),
        Scalar::Num(n) => (0.0..=3.0).contains(n),
        _ => false,
    }
}

/// `Some(true)` error level, `Some(false)` another level, `None` no level field.
fn json_level(obj: &Map<String, Value>) -> Option<bool> {
    if let Some(verdict) = mongodb_severity(obj) {
        return Some(verdict);
    }
    let mut verdict = None;
    // journald: PRIORITY 0–3 is an error. A higher one is no verdict: services' stdout is
    // logged at 6 whatever it says, so the MESSAGE text decides then.
    let priority = match obj.get("PRIORITY") {
        Some(Value::String(s)) => Some(Scalar::Str(Cow::Borrowed(s.as_str()))),
        Some(Value::Number(n)) => n.as_f64().map(Scalar::Num),
        _ => None,
    };
    if priority.is_some_and(|p| journald_priority_is_error(&p)) {
        return Some(true);
    }
    for (key, value) in obj {
        let is_level_key = LEVEL_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k));
        let is_number_key = key.eq_ignore_ascii_case("severity_number")
            || key.eq_ignore_ascii_case("severitynumber");
        if is_number_key {
            if let Some(n) = value.as_f64() {
                // OpenTelemetry: 17–20 ERROR, 21–24 FATAL.
                return Some(n >= 17.0);
            }
        }
        if !is_level_key {
            continue;
        }
        match value {
            Value::String(s) => {
                if key.eq_ignore_ascii_case("status") && s.bytes().all(|c| c.is_ascii_digit()) {
                    continue; // an HTTP status written as a string
                }
                let s = s.trim();
                if level_word(s.as_bytes()) == Some(true) || s.eq_ignore_ascii_case("dpanic") {
                    return Some(true);
                }
                if verdict.is_none() {
                    verdict = Some(false);
                }
            }
            // bunyan/pino: 50 error, 60 fatal. A numeric `status` is HTTP, not a level.
            Value::Number(n) if !key.eq_ignore_ascii_case("status") => {
                if let Some(n) = n.as_f64() {
                    if (50.0..100.0).contains(&n) {
                        return Some(true);
                    }
                    if verdict.is_none() {
                        verdict = Some(false);
                    }
                }
            }
            _ => {}
        }
    }
    if verdict.is_none() {
        if let Some(Value::String(s)) = path(obj, "log.level") {
            return Some(level_word(s.trim().as_bytes()) == Some(true));
        }
    }
    verdict
}

/// Whether a JSON log is MongoDB's structured log (4.4 and later): `t` is `{"$date": …}`.
fn is_mongodb_log(obj: &Map<String, Value>) -> bool {
    matches!(obj.get("t"), Some(Value::Object(t)) if t.contains_key("$date"))
        && obj.get("c").is_some_and(Value::is_string)
}

/// MongoDB's one-letter severity `s`: `F` fatal and `E` error; `W`, `I` and `D1`–`D5` are not.
fn mongodb_severity(obj: &Map<String, Value>) -> Option<bool> {
    let severity = obj.get("s")?.as_str()?;
    if !is_mongodb_log(obj) {
        return None;
    }
    match severity {
        "F" | "E" => Some(true),
        "W" | "I" => Some(false),
        d if d.starts_with('D') => Some(false),
        _ => None,
    }
}

/// MongoDB's `Authentication failed` record (id 20249, component `ACCESS`): the user is
/// `attr.principalName` (`attr.user` in old versions), the source `attr.remote` (6.0+) or
/// `attr.client` (4.4/5.0), logged as `IP:port` or `[IPv6]:port`.
fn mongodb_auth_failure(obj: &Map<String, Value>) -> Option<FailedLogin<'static>> {
    if obj.get("c")?.as_str()? != "ACCESS"
        || obj.get("msg")?.as_str()? != "Authentication failed"
        || !is_mongodb_log(obj)
    {
        return None;
    }
    let attr = obj.get("attr").and_then(Value::as_object);
    let field = |keys: &[&str]| {
        attr.and_then(|a| keys.iter().find_map(|k| a.get(*k)?.as_str()))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let user = field(&["principalName", "user"]).map(|u| Cow::Owned(u.to_owned()));
    let source = field(&["remote", "client"])
        .map(without_port)
        .filter(|s| !s.is_empty())
        .map(|s| Cow::Owned(s.to_owned()));
    Some(FailedLogin {
        user,
        source,
        publickey_probe: None,
    })
}

/// An `authenticate` record of a MongoDB (Enterprise, Atlas) or Amazon DocumentDB audit log that
/// did not succeed. MongoDB: `"result"` non-zero (18 AuthenticationFailed, 11 UserNotFound, …),
/// client `remote.ip`. DocumentDB (its audit log in CloudWatch Logs): `param.success` false or
/// `param.error` non-zero, client `remote_ip` (`IP:port`). The user is `param.user`, the name
/// the client tried (`users` lists only who was already logged in on the connection).
fn mongodb_audit_failure(obj: &Map<String, Value>) -> Option<FailedLogin<'static>> {
    if obj.get("atype")?.as_str()? != "authenticate" {
        return None;
    }
    let param = obj.get("param").and_then(Value::as_object);
    let nonzero = |v: Option<&Value>| v.and_then(Value::as_f64).is_some_and(|n| n != 0.0);
    let failed = nonzero(obj.get("result"))
        || param.is_some_and(|p| {
            p.get("success").and_then(Value::as_bool) == Some(false) || nonzero(p.get("error"))
        });
    if !failed {
        return None;
    }
    let user = param
        .and_then(|p| p.get("user"))
        .and_then(Value::as_str)
        .and_then(trimmed_owned);
    let source = path(obj, "remote.ip")
        .and_then(Value::as_str)
        .or_else(|| {
            obj.get("remote_ip")
                .and_then(Value::as_str)
                .map(without_port)
        })
        .and_then(trimmed_owned);
    Some(FailedLogin {
        user,
        source,
        publickey_probe: None,
    })
}

/// HashiCorp Vault's audit log: the `response` entry of a login (`request.path`
/// `auth/<mount>/login[/<user>]`) that carries an `error` (`invalid username or password`,
/// `invalid role or secret ID`, …). The `request` entry of the same call is not counted again.
/// The user is the path's last part (userpass, LDAP, Okta, RADIUS mounts), the client
/// `request.remote_address`.
fn vault_login_failure(obj: &Map<String, Value>) -> Option<FailedLogin<'static>> {
    if obj.get("type")?.as_str()? != "response" || obj.get("error")?.as_str()?.trim().is_empty() {
        return None;
    }
    let request = obj.get("request")?.as_object()?;
    let (_, after_login) = request
        .get("path")?
        .as_str()?
        .strip_prefix("auth/")?
        .split_once("/login")?;
    if !(after_login.is_empty() || after_login.starts_with('/')) {
        return None;
    }
    let user = after_login
        .strip_prefix('/')
        .filter(|u| !u.is_empty() && !u.contains('/'))
        .map(|u| Cow::Owned(u.to_owned()));
    let source = request
        .get("remote_address")
        .and_then(Value::as_str)
        .and_then(clean)
        .map(|s| Cow::Owned(s.into_owned()));
    Some(FailedLogin {
        user,
        source,
        publickey_probe: None,
    })
}

/// A JSON string field's value, trimmed; empty → `None`.
fn trimmed_owned(s: &str) -> Option<Cow<'static, str>> {
    let s = s.trim();
    (!s.is_empty()).then(|| Cow::Owned(s.to_owned()))
}

/// `10.0.0.5:51234` → `10.0.0.5`, `[2001:db8::1]:51234` → `2001:db8::1`; anything else as is.
fn without_port(address: &str) -> &str {
    if let Some(rest) = address.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(host, _)| host);
    }
    match address.rsplit_once(':') {
        Some((host, port))
            if !host.contains(':')
                && !port.is_empty()
                && port.bytes().all(|c| c.is_ascii_digit()) =>
        {
            host
        }
        _ => address,
    }
}

/// Lambda JSON-format platform records that end a phase (`platform.report`, `…RuntimeDone`, the
/// init and SnapStart restore ones) whose `record.status` is not `success` (`error`, `timeout`,
/// `failure`). Counted per record, as `Task timed out` and its `REPORT` line are in text format.
fn lambda_platform_json(obj: &Map<String, Value>) -> Option<bool> {
    const WITH_STATUS: &[&str] = &[
        "platform.report",
        "platform.initReport",
        "platform.restoreReport",
        "platform.runtimeDone",
        "platform.initRuntimeDone",
        "platform.restoreRuntimeDone",
    ];
    let kind = obj.get("type")?.as_str()?;
    if !WITH_STATUS.contains(&kind) {
        return None;
    }
    let status = obj
        .get("record")
        .and_then(Value::as_object)
        .and_then(|r| r.get("status"))
        .and_then(Value::as_str);
    Some(matches!(status, Some(s) if s != "success"))
}

/// AWS Step Functions' execution history as it logs it to CloudWatch Logs (`{"id":"7","type":
/// "ExecutionFailed","details":{"error":"States.TaskFailed",…},"execution_arn":"arn:aws:states:
/// …",…}`): an event whose type ends in `Failed` or `TimedOut` (a task, a Lambda function, a Map
/// run, the execution). `…Aborted` events follow a stop request and are not errors.
fn step_functions_failure(obj: &Map<String, Value>) -> bool {
    obj.contains_key("execution_arn")
        && obj
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with("Failed") || t.ends_with("TimedOut"))
}

/// AWS Transfer Family's structured log: `{"activity-type":"ERROR","resource-arn":
/// "arn:aws:transfer:…:server/s-…","message":"…",…}` (a failed file operation or server-side
/// failure in a session; refused logins are `AUTH_FAILURE`, a failed login, not an error).
fn transfer_family_error(obj: &Map<String, Value>) -> bool {
    obj.get("activity-type").and_then(Value::as_str) == Some("ERROR")
        && obj
            .get("resource-arn")
            .and_then(Value::as_str)
            .and_then(|arn| arn.split(':').nth(2))
            == Some("transfer")
}

/// The error document a Lambda runtime logs for an unhandled error when the function logs text
/// (Java: `{"errorMessage":"…","errorType":"java.lang.RuntimeException","stackTrace":[…]}`;
/// Python and Node.js write the same keys). A log with its own level field is decided by that.
fn lambda_error_document(obj: &Map<String, Value>) -> bool {
    obj.get("errorType")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty())
        && obj.get("errorMessage").is_some_and(Value::is_string)
}

fn json_http_status(obj: &Map<String, Value>) -> Option<u16> {
    for key in HTTP_STATUS_KEYS {
        let value = obj
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
            .or_else(|| {
                if key.contains('.') {
                    path(obj, key)
                } else {
                    None
                }
            });
        let status = match value {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) if s.len() == 3 && s.bytes().all(|c| c.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        };
        if let Some(s) = status.and_then(|s| u16::try_from(s).ok()) {
            if (100..=599).contains(&s) {
                return Some(s);
            }
        }
    }
    None
}

const USER_KEYS: &[&str] = &[
    "user",
    "username",
    "user_name",
    "userName",
    "user.name",
    "login",
    "email",
    "account",
    "userIdentity.userName",
    "principal",
    "actor.alternateId",
    "audit_request_effective_user",
];
const SOURCE_KEYS: &[&str] = &[
    "source_ip",
    "sourceIp",
    "sourceIP",
    "sourceIPAddress",
    "src_ip",
    "client_ip",
    "clientIp",
    "clientIP",
    "remote_addr",
    "remote_ip",
    "remoteAddress",
    "remoteAddr",
    "remoteIp",
    "remoteIP",
    "ipAddress",
    "ip",
    "ip_address",
    "source-ip",
    "audit_request_remote_address",
    "source.ip",
    "client.ip",
    "client.ipAddress",
    "source.address",
    "rhost",
    // Teleport's audit log
    "addr.remote",
];

fn json_string<'v>(obj: &'v Map<String, Value>, keys: &[&str]) -> Option<&'v str> {
    keys.iter()
        .find_map(|k| path(obj, k).and_then(Value::as_str))
        .map(str::trim)
        // `-`, and Nextcloud's `--`: no value
        .filter(|s| !s.is_empty() && *s != "-" && *s != "--")
}

fn lower_has_any(s: &str, needles: &[&str]) -> bool {
    let lower = s.to_ascii_lowercase();
    needles.iter().any(|n| lower.contains(n))
}

fn normalised(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// JSON application/audit logs reporting a failed login: an event name such as `login_failed`,
/// an `outcome`/`result` of failure on an authentication action (ECS), or a CloudTrail
/// `ConsoleLogin` failure.
fn json_failed_login(obj: &Map<String, Value>) -> Option<FailedLogin<'static>> {
    if let Some(login) = mongodb_auth_failure(obj) {
        return Some(login);
    }
    if let Some(login) = mongodb_audit_failure(obj) {
        return Some(login);
    }
    if let Some(login) = auth0_login_failure(obj) {
        return Some(login);
    }
    if let Some(login) = vault_login_failure(obj) {
        return Some(login);
    }
    if let Some(login) = windows_json_failure(obj) {
        return Some(login);
    }
    if let Some(login) = client_vpn_failure(obj) {
        return Some(login);
    }
    const FAILED_EVENT_NAMES: &[&str] = &[
        "loginfailed",
        "loginfailure",
        "failedlogin",
        "logonfailed",
        "logonfailure",
        "failedlogon",
        "signinfailed",
        "signinfailure",
        "failedsignin",
        "authfailed",
        "authfailure",
        "authenticationfailed",
        "authenticationfailure",
        "failedauthentication",
        "invalidlogin",
        "invalidcredentials",
        "badcredentials",
        "userloginfailed",
    ];
    // `session.start`: Okta's sign-in (`user.session.start`).
    const AUTH_WORDS: &[&str] = &[
        "login",
        "logon",
        "signin",
        "sign_in",
        "sign-in",
        "auth",
        "session.start",
    ];
    const FAILURE_OUTCOMES: &[&str] = &["failure", "failed", "fail", "denied", "rejected"];

    let event_names = [
        "event",
        "event.action",
        "action",
        "event_type",
        "eventType",
        "type",
        "eventName",
        // Amazon OpenSearch Service audit logs (`FAILED_LOGIN`), AWS Transfer Family
        // (`AUTH_FAILURE`)
        "audit_category",
        "activity-type",
    ];
    // An event name of an authentication action (`user.login`, `auth`), for a failure stated in
    // another field (`outcome`, `success`).
    let names_auth_action = || {
        event_names.iter().any(|k| {
            path(obj, k)
                .and_then(Value::as_str)
                .is_some_and(|v| lower_has_any(v, AUTH_WORDS))
        })
    };
    // The whole name, or its part after a namespace (`auth.login_failed`, `user:login.failed`).
    let failed_name = |v: &str| {
        std::iter::once(v)
            .chain(v.match_indices(['.', ':']).map(|(at, _)| &v[at + 1..]))
            .any(|name| FAILED_EVENT_NAMES.contains(&normalised(name).as_str()))
    };
    let mut is_failed = event_names.iter().any(|k| {
        path(obj, k)
            .and_then(Value::as_str)
            .is_some_and(failed_name)
    });
    if !is_failed {
        // `outcome.result`: Okta (`{"outcome":{"result":"FAILURE","reason":…}}`).
        let outcome = [
            "outcome",
            "outcome.result",
            "event.outcome",
            "result",
            "auth_result",
        ]
        .iter()
        .find_map(|k| path(obj, k).and_then(Value::as_str));
        if let Some(outcome) = outcome {
            if FAILURE_OUTCOMES
                .iter()
                .any(|f| outcome.eq_ignore_ascii_case(f))
            {
                let action_is_auth = names_auth_action();
                let category_is_auth = path(obj, "event.category").is_some_and(|v| match v {
                    Value::String(s) => s.eq_ignore_ascii_case("authentication"),
                    Value::Array(a) => a.iter().any(|x| {
                        x.as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case("authentication"))
                    }),
                    _ => false,
                });
                is_failed = action_is_auth || category_is_auth;
            }
        }
    }
    // `"success": false` beside an authentication action: Teleport's audit log
    // (`{"event":"user.login","code":"T1000W","user":"root","success":false,"error":"invalid
    // username, password or second factor","addr.remote":"IP:PORT",…}`) and apps that log the
    // same way. Only events holding a gate literal get here (`invalid`, `fail`, …): `false`
    // is none, so Teleport's `"event":"auth"` certificate refusals pass uncounted.
    if !is_failed
        && ["success", "successful"]
            .iter()
            .any(|k| obj.get(*k).and_then(Value::as_bool) == Some(false))
    {
        is_failed = names_auth_action();
    }
    // CloudTrail: {"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}}
    if !is_failed && obj.get("eventName").and_then(Value::as_str) == Some("ConsoleLogin") {
        is_failed =
            path(obj, "responseElements.ConsoleLogin").and_then(Value::as_str) == Some("Failure");
    }
    // IAM Identity Center (and WorkSpaces) sign-in, one event per credential tried:
    // {"eventName":"CredentialVerification","serviceEventDetails":{"CredentialVerification":
    // "Failure"},"additionalEventData":{"CredentialType":"PASSWORD"},…}
    if !is_failed && obj.get("eventName").and_then(Value::as_str) == Some("CredentialVerification")
    {
        is_failed = path(obj, "serviceEventDetails.CredentialVerification").and_then(Value::as_str)
            == Some("Failure");
    }
    if !is_failed {
        return None;
    }
    let user = json_string(obj, USER_KEYS)
        .or_else(|| {
            // ECS `user` may be an object; CloudTrail IAM users carry `userIdentity.arn` too.
            path(obj, "userIdentity.arn").and_then(Value::as_str)
        })
        .map(|s| Cow::Owned(s.to_owned()));
    Some(FailedLogin {
        user,
        source: json_source(obj),
        publickey_probe: None,
    })
}

/// A Windows Security event of a failed logon (see [`windows_logon_failure`]) as JSON shippers
/// without ECS fields write it (NXLog's `to_json()`, and public datasets such as OTRF's
/// Security-Datasets): `{"EventID":4625,"SourceName":"Microsoft-Windows-Security-Auditing",
/// "TargetUserName":"bob","IpAddress":"203.0.113.9",…}`; 4776 only with a non-zero `Status`.
fn windows_json_failure(obj: &Map<String, Value>) -> Option<FailedLogin<'static>> {
    let provider = ["SourceName", "ProviderName"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))?;
    if provider != "Microsoft-Windows-Security-Auditing" {
        return None;
    }
    let id = match obj.get("EventID")? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if s.trim().bytes().all(|c| c.is_ascii_digit()) => {
            s.trim().parse().ok()?
        }
        _ => return None,
    };
    let source_key = match id {
        4625 | 4771 => "IpAddress",
        4776 if windows_status_failed(obj.get("Status").and_then(Value::as_str)) => "Workstation",
        _ => return None,
    };
    let field = |key: &str| obj.get(key).and_then(Value::as_str).and_then(clean);
    Some(FailedLogin {
        user: field("TargetUserName").map(|u| Cow::Owned(u.into_owned())),
        source: field(source_key).map(|a| Cow::Owned(a.into_owned())),
        publickey_probe: None,
    })
}

/// An AWS Client VPN connection log entry of a refused connection attempt:
/// `{"connection-log-type":"connection-attempt","connection-attempt-status":"failed",
/// "connection-attempt-failure-reason":"…","username":"bob","device-ip":"203.0.113.9",…}`.
/// Client VPN does not log failed mutual (certificate) authentication, so a logged failure is
/// a user-based (AD or SAML) login refused by its authentication, the client connect handler
/// or the authorization policy. User from `username`, else the certificate's `common-name`;
/// client from `device-ip` (`client-ip` is the address the tunnel would have had). `NA` is
/// Client VPN's "no value".
fn client_vpn_failure(obj: &Map<String, Value>) -> Option<FailedLogin<'static>> {
    let field = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .and_then(clean)
            .filter(|v| v != "NA")
            .map(|v| Cow::Owned(v.into_owned()))
    };
    if obj.get("connection-log-type")?.as_str()? != "connection-attempt"
        || obj.get("connection-attempt-status")?.as_str()? != "failed"
    {
        return None;
    }
    Some(FailedLogin {
        user: field("username").or_else(|| field("common-name")),
        source: field("device-ip"),
        publickey_probe: None,
    })
}

/// Auth0's "Login - Failure" event codes (its log stream filter of that name): failed login,
/// by connector, by CORS, cross-origin, native social, incorrect password, invalid email or
/// username.
const AUTH0_LOGIN_FAILURES: &[&str] = &["f", "fc", "fco", "fcoa", "fens", "fp", "fu"];

/// An Auth0 tenant log event of a failed login: `{"log_id":"…","type":"fp","user_name":"…",
/// "ip":"…",…}`, or the same under `data` (`{"log_id":"…","data":{…}}`, the shape of Auth0's
/// log streams, also as the `detail` of its EventBridge partner events). The code counts only
/// beside a `log_id`, so another log's one-letter `type` is not taken for Auth0's.
fn auth0_login_failure(obj: &Map<String, Value>) -> Option<FailedLogin<'static>> {
    let event = std::iter::once(obj)
        .chain(obj.get("data").and_then(Value::as_object))
        .find(|event| {
            event
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|code| AUTH0_LOGIN_FAILURES.contains(&code))
        })?;
    if !(event.contains_key("log_id") || obj.contains_key("log_id")) {
        return None;
    }
    let user = ["user_name", "user_id"].iter().find_map(|k| {
        event
            .get(*k)
            .and_then(Value::as_str)
            .and_then(trimmed_owned)
    });
    Some(FailedLogin {
        user,
        source: json_source(event),
        publickey_probe: None,
    })
}

#[cfg(test)]
mod gate_index_tests {
    use super::*;

    /// The block scan finds exactly the colons `memchr` finds, at every length around the block
    /// edges and with colons on, before and after them.
    #[test]
    fn colons_are_found_like_memchr_finds_them() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..=200 {
            for _ in 0..20 {
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        match state % 5 {
                            0 => b':',
                            1 => b'"',
                            _ => b'a' + (state % 26) as u8,
                        }
                    })
                    .collect();
                let expected: Vec<usize> = memchr::memchr_iter(b':', &hay).collect();
                assert_eq!(colons(&hay).collect::<Vec<_>>(), expected, "{len}");
            }
        }
    }

    #[test]
    fn named_indices_point_at_their_literals() {
        for (index, literal) in [
            (L_FAIL_TITLE, "Fail"),
            (L_UNKNOWN_USER, "unknown user"),
            (L_WSGI_STATUS, "\" status: "),
            (L_LOG_ID, "log_id"),
            (L_TIMED_OUT_CAMEL, "TimedOut"),
            (L_ATTEMPT_FOR, "attempt for "),
            (L_LOGIN_INCORRECT, "Login incorrect"),
            (L_FAIL_UPPER, "FAIL"),
            (L_FAIL, "fail"),
            (L_INVALID, "nvalid"),
            (L_ILLEGAL, "llegal user"),
            (L_REFUSED_UPPER, "REFUSED"),
            (L_REFUSED_CONNECT, "refused connect"),
            (L_NOT_ALLOWED, "not allowed"),
            (L_DENIED, "denied"),
            (L_USER_UNKNOWN, "user unknown"),
            (L_IGNORING_MAX, "ignoring max"),
            (L_NOT_KNOWN, "not known"),
            (L_AUTH_METHODS, "authentication methods"),
            (L_INCORRECT_PASSWORD, "incorrect password"),
            (L_AUTHENTICATING_USER, "authenticating user"),
            (L_COULDNT_AUTH, "Couldn't authenticate"),
            (L_ACCEPTED, "Accepted "),
            (L_MAX_AUTH, "maximum authentication"),
            (L_JAVA_FRAME, "\n\tat "),
            (L_JAVA_FRAME_ESCAPED, "\\n\\tat "),
            (46, "$date"),
            (L_EROR, "eror"),
            (L_NOT_FOUND_COLON, "not found: "),
            (L_MISMATCH, "mismatch"),
            (L_NOT_FOUND_IN, "was not found in"),
        ] {
            assert_eq!(GATE_LITERALS[index], literal);
        }
        assert_eq!(GATE_LITERALS[L_ERR], "err");
        assert_eq!(GATE_LITERALS[20], "SEVERE");
        assert_eq!(GATE_LITERALS[21], "timed out");
        assert_eq!(GATE_LITERALS[26], "Status: ");
        assert_eq!(GATE_LITERALS[52], "ConsoleLogin");
        assert_eq!(GATE_LITERALS[55], "was not found in");
        assert_eq!(GATE_LITERALS[57], "\" 5");
        assert!(GATE_LITERALS.len() <= JSON_NUMBER_5);
    }

    #[test]
    fn every_gate_literal_is_in_exactly_one_searcher_group() {
        let mut seen = vec![0; GATE_LITERALS.len()];
        for index in GATE_GROUPS
            .iter()
            .flat_map(|g| g.iter())
            .flat_map(|&(start, end)| start..end)
        {
            seen[index] += 1;
        }
        assert_eq!(seen, vec![1; GATE_LITERALS.len()]);
    }
}
