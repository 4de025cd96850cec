//! Decoding of one CloudWatch Logs subscription payload: base64 → gzip (all members) → capped
//! buffer → JSON with borrowed strings.
//!
//! We do not use `aws_lambda_events`' `AwsLogs` decoder: it stops after the first gzip member,
//! has no size cap and parses from a stream. Here every member is inflated (libdeflate, see
//! [`super::gzip`]) into one buffer bounded by [`decompress`]'s `cap` (a gzip bomb costs at most
//! `cap + 1` bytes of memory), and the JSON is parsed from the buffer so message strings
//! borrow from it instead of being copied.

use std::borrow::Cow;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::gzip::{GzipError, Inflated};

/// Default for `MAX_DECOMPRESSED_BYTES`: 64 MiB. A 1 MB async payload of typical logs inflates
/// to roughly 10 MB, so this leaves room for very compressible logs and still fits a 128 MB Lambda.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: usize = 64 * 1024 * 1024;

/// `messageType` of a health check sent when a subscription is created.
pub const CONTROL_MESSAGE: &str = "CONTROL_MESSAGE";
/// `messageType` of a payload that carries log events.
pub const DATA_MESSAGE: &str = "DATA_MESSAGE";

/// Why a payload could not be decoded. Each message names the stage that failed.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("payload data is empty")]
    Empty,
    #[error("payload data is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("payload data is not valid gzip: {0}")]
    Gzip(GzipError),
    #[error("payload decompresses to more than MAX_DECOMPRESSED_BYTES ({cap} bytes); refusing to inflate further")]
    TooLarge { cap: usize },
    #[error("decompressed payload is not a CloudWatch Logs subscription document: {0}")]
    Json(#[from] serde_json::Error),
    #[error("decompressed payload is not a JSON object")]
    NotAnObject,
    #[error(
        "decompressed payload is not valid UTF-8 (first invalid byte at offset {valid_up_to})"
    )]
    NotUtf8 { valid_up_to: usize },
    #[error("logEvents[{index}].message is not a string")]
    MessageNotString { index: usize },
    #[error("unsupported messageType {0:?} (expected DATA_MESSAGE or CONTROL_MESSAGE)")]
    MessageType(String),
}

impl DecodeError {
    /// A stable, machine-readable name of the failing stage.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty",
            DecodeError::Base64(_) => "base64",
            DecodeError::Gzip(_) => "gzip",
            DecodeError::TooLarge { .. } => "too_large",
            DecodeError::Json(_)
            | DecodeError::NotAnObject
            | DecodeError::NotUtf8 { .. }
            | DecodeError::MessageNotString { .. } => "json",
            DecodeError::MessageType(_) => "message_type",
        }
    }
}

/// The decoded subscription document. Unknown fields (`policyLevel`, future additions) are
/// ignored; `id` is never read, so any id shape is accepted.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogsData<'a> {
    #[serde(borrow, default)]
    pub message_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub owner: Cow<'a, str>,
    #[serde(borrow, default)]
    pub log_group: Cow<'a, str>,
    #[serde(borrow, default)]
    pub log_stream: Cow<'a, str>,
    #[serde(borrow, default)]
    pub subscription_filters: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub policy_level: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub log_events: Vec<LogEvent<'a>>,
}

/// One log event. The message is kept as the raw JSON string literal (borrowed from the
/// decompressed buffer, escapes and all): most events are counted without ever being unescaped,
/// and [`LogEvent::message`] unescapes on demand (borrowing again when there is nothing to
/// unescape).
#[derive(Debug, Default, Deserialize)]
#[serde(from = "SerdeLogEvent")]
pub struct LogEvent<'a> {
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The JSON literal, quotes included (any JSON value on serde's path; [`parse`] rejects
    /// non-strings).
    pub(super) message: Option<&'a str>,
}

/// serde's view of an event (the reference path, see [`super::document`]).
#[derive(Deserialize)]
struct SerdeLogEvent<'a> {
    #[serde(default)]
    timestamp: i64,
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
}

impl<'a> From<SerdeLogEvent<'a>> for LogEvent<'a> {
    fn from(e: SerdeLogEvent<'a>) -> Self {
        LogEvent {
            timestamp: e.timestamp,
            message: e.message.map(RawValue::get),
        }
    }
}

impl<'a> LogEvent<'a> {
    /// The message text.
    pub fn message(&self) -> Cow<'a, str> {
        match self.message {
            Some(literal) => unescape(literal),
            None => Cow::Borrowed(""),
        }
    }

    /// The message as it appears inside the JSON string literal (escapes not resolved, no quotes).
    pub fn raw_message(&self) -> &'a str {
        match self.message {
            Some(text) => text.get(1..text.len().saturating_sub(1)).unwrap_or(""),
            None => "",
        }
    }
}

impl LogsData<'_> {
    /// True for the destination health check: acknowledge, no metrics, no alerts.
    pub fn is_control(&self) -> bool {
        self.message_type.as_deref() == Some(CONTROL_MESSAGE)
    }
}

/// A JSON string literal as text: borrowed when it has no escapes (`Cow<str>`'s own
/// `Deserialize` always copies).
pub fn unescape(literal: &str) -> Cow<'_, str> {
    let inner = literal
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or(literal);
    // The literal was validated by the JSON parser: without a backslash its content is the text.
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Cow::Borrowed(inner);
    }
    if let Some(text) = unescape_simple(inner) {
        return Cow::Owned(text);
    }
    if let Ok(text) = serde_json::from_str::<String>(literal) {
        return Cow::Owned(text);
    }
    // Node and others write unpaired UTF-16 surrogates (`\ud800`), which serde_json rejects:
    // replace them with U+FFFD, as a lossy UTF-8 decoder would, instead of losing the text.
    let retried = without_lone_surrogates(literal)
        .and_then(|fixed| serde_json::from_str::<String>(&fixed).ok());
    match retried {
        Some(text) => Cow::Owned(text),
        // Not a valid literal at all: the raw text is still better than nothing.
        None => Cow::Borrowed(inner),
    }
}

/// The common case of [`unescape`] without serde_json's general machinery: only the
/// two-character escapes (`\"`, `\\`, `\n`, `\t`, …). `None` for anything else — `\u`
/// escapes, an invalid escape, a raw quote or control character — which serde_json then
/// handles (or rejects) exactly as before.
pub(super) fn unescape_simple(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let plain = |span: &str| !super::document::has_control_bytes(span.as_bytes());
    let mut out = String::with_capacity(inner.len());
    let mut from = 0;
    while let Some(at) = super::document::next_quote_or_backslash(b, from) {
        // A raw quote ends the literal early: not a valid literal body.
        let escape = (b[at] == b'\\').then(|| b.get(at + 1)).flatten()?;
        let span = &inner[from..at];
        if !plain(span) {
            return None;
        }
        out.push_str(span);
        out.push(match escape {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => return None,
        });
        from = at + 2;
    }
    let rest = &inner[from..];
    plain(rest).then(|| {
        out.push_str(rest);
        out
    })
}

/// `json` with every `\uXXXX` escape of an unpaired UTF-16 surrogate replaced by `\ufffd`;
/// `None` when there is none (then the text is not the reason a parse failed).
pub fn without_lone_surrogates(json: &str) -> Option<String> {
    fn hex4(b: &[u8]) -> Option<u16> {
        let digits = std::str::from_utf8(b.get(..4)?).ok()?;
        u16::from_str_radix(digits, 16).ok()
    }
    let b = json.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'\\', &b[i..]).map(|k| k + i) {
        match b.get(at + 1) {
            Some(b'u') => {
                let unit = hex4(&b[at + 2..]);
                let paired_high = matches!(unit, Some(0xD800..=0xDBFF))
                    && b.get(at + 6) == Some(&b'\\')
                    && b.get(at + 7) == Some(&b'u')
                    && matches!(hex4(&b[(at + 8).min(b.len())..]), Some(0xDC00..=0xDFFF));
                if paired_high {
                    i = at + 12;
                } else if matches!(unit, Some(0xD800..=0xDFFF)) {
                    let o = out.get_or_insert_with(|| String::with_capacity(json.len()));
                    o.push_str(&json[copied..at]);
                    o.push_str("\\ufffd");
                    copied = at + 6;
                    i = at + 6;
                } else {
                    i = at + 2;
                }
            }
            Some(_) => i = at + 2,
            None => break,
        }
    }
    let mut o = out?;
    o.push_str(&json[copied..]);
    Some(o)
}

/// Base64-decodes `data` and inflates every concatenated gzip member, refusing to produce more
/// than `cap` bytes.
pub fn decompress(data: &[u8], cap: usize) -> Result<Inflated, DecodeError> {
    inflate_capped(&base64_decode(data)?, cap)
}

pub(super) fn base64_decode(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let data = trim_ascii(data);
    if data.is_empty() {
        return Err(DecodeError::Empty);
    }
    // SIMD decoding (5× faster on a 1.4 MB payload) accepts exactly the canonical, padded
    // standard alphabet, like the `base64` crate's STANDARD engine; that crate runs only to name
    // what is wrong with a payload the fast decoder refused.
    match base64_simd::STANDARD.decode_to_vec(data) {
        Ok(decoded) => Ok(decoded),
        Err(_) => Ok(base64::engine::general_purpose::STANDARD.decode(data)?),
    }
}

/// A payload's `data` field (`awslogs.data`, `Records[].kinesis.data`), base64-decoded while
/// the event itself is deserialized, so the ~1 MB of base64 text is never copied into a
/// `String` first. A decoding problem is kept rather than raised: it belongs to this payload
/// (one bad Kinesis record is one batch item failure), not to the event's JSON.
#[derive(Clone, PartialEq, Eq)]
pub struct Base64Payload(Result<Vec<u8>, Base64Problem>);

/// The size, not the (up to megabytes of) bytes.
impl std::fmt::Debug for Base64Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Ok(bytes) => write!(f, "Base64Payload({} bytes)", bytes.len()),
            Err(problem) => write!(f, "Base64Payload({problem:?})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Base64Problem {
    Empty,
    Invalid(base64::DecodeError),
}

impl Base64Payload {
    /// Decodes base64 `text` (surrounding whitespace ignored).
    pub fn from_text(text: &str) -> Self {
        Base64Payload(base64_decode(text.as_bytes()).map_err(|e| match e {
            DecodeError::Base64(invalid) => Base64Problem::Invalid(invalid),
            _ => Base64Problem::Empty,
        }))
    }

    /// Inflates every gzip member, at most `cap` bytes (see [`decompress`]).
    pub fn decompress(&self, cap: usize) -> Result<Inflated, DecodeError> {
        match &self.0 {
            Ok(compressed) => inflate_capped(compressed, cap),
            Err(Base64Problem::Empty) => Err(DecodeError::Empty),
            Err(Base64Problem::Invalid(e)) => Err(DecodeError::Base64(e.clone())),
        }
    }
}

impl From<&str> for Base64Payload {
    fn from(text: &str) -> Self {
        Base64Payload::from_text(text)
    }
}

impl From<String> for Base64Payload {
    fn from(text: String) -> Self {
        Base64Payload::from_text(&text)
    }
}

impl<'de> Deserialize<'de> for Base64Payload {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Base64Payload;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a base64 string")
            }
            // serde_json hands over the text borrowed from the event (or from its scratch
            // buffer when the literal has escapes): decoded in place, never copied.
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Base64Payload, E> {
                Ok(Base64Payload::from_text(text))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// Inflates all gzip members of `compressed`, at most `cap` bytes of output.
pub fn inflate_capped(compressed: &[u8], cap: usize) -> Result<Inflated, DecodeError> {
    if compressed.is_empty() {
        return Err(DecodeError::Empty);
    }
    super::gzip::inflate_members(compressed, cap).map_err(|e| match e {
        GzipError::TooLarge { cap } => DecodeError::TooLarge { cap },
        other => DecodeError::Gzip(other),
    })
}

/// Parses the decompressed document. `messageType` must be `DATA_MESSAGE` or `CONTROL_MESSAGE`
/// when present.
pub fn parse(decompressed: &[u8]) -> Result<LogsData<'_>, DecodeError> {
    // serde would also accept a positional array for the struct; the document is an object.
    if trim_ascii(decompressed).first() != Some(&b'{') {
        return Err(DecodeError::NotAnObject);
    }
    // Validating the whole buffer once lets the readers borrow every string without
    // re-validating each one: simdutf8 (SIMD, several times std's speed), and std only to
    // locate the error.
    let text = match simdutf8::basic::from_utf8(decompressed) {
        Ok(text) => text,
        Err(_) => std::str::from_utf8(decompressed).map_err(|e| DecodeError::NotUtf8 {
            valid_up_to: e.valid_up_to(),
        })?,
    };
    let data = match super::document::read(text) {
        Some(data) => data,
        None => serde_json::from_str(text)?,
    };
    if let Some(index) = data
        .log_events
        .iter()
        .position(|e| e.message.is_some_and(|m| !m.starts_with('"')))
    {
        return Err(DecodeError::MessageNotString { index });
    }
    match data.message_type.as_deref() {
        None | Some(DATA_MESSAGE) | Some(CONTROL_MESSAGE) => Ok(data),
        Some(other) => Err(DecodeError::MessageType(other.chars().take(64).collect())),
    }
}

/// Gzip-compresses and base64-encodes a document: the inverse of [`decompress`], used to build
/// sample events, test payloads and benchmark inputs.
pub fn encode(document: &[u8]) -> String {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(document);
    let compressed = gz.finish().unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(compressed)
}

fn trim_ascii(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}
