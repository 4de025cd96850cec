//! Decoding edge cases: every malformed payload is a clear error, never a panic or an OOM.

use std::io::Write;

use base64::Engine as _;
use flate2::write::GzEncoder;
use flate2::Compression;

use super::decode::*;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn b64(data: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .encode(data)
        .into_bytes()
}

fn doc(events: &str) -> String {
    format!(
        r#"{{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/var/log/secure","logStream":"i-0abc","subscriptionFilters":["all"],"logEvents":[{events}]}}"#
    )
}

#[test]
fn round_trip_with_borrowed_messages() {
    let json = doc(
        r#"{"id":"36925713","timestamp":1763870400000,"message":"plain line"},{"id":"x","timestamp":1,"message":"with \"escape\""}"#,
    );
    let buf = decompress(&b64(&gzip(json.as_bytes())), DEFAULT_MAX_DECOMPRESSED_BYTES).unwrap();
    let data = parse(&buf).unwrap();
    assert_eq!(data.log_group, "/var/log/secure");
    assert_eq!(data.log_stream, "i-0abc");
    assert_eq!(data.owner, "123456789012");
    assert!(!data.is_control());
    assert_eq!(data.log_events.len(), 2);
    assert!(matches!(
        data.log_events[0].message(),
        std::borrow::Cow::Borrowed("plain line")
    ));
    assert_eq!(data.log_events[1].message(), "with \"escape\"");
    assert_eq!(data.log_events[1].raw_message(), r#"with \"escape\""#);
    assert_eq!(data.log_events[0].timestamp, 1_763_870_400_000);
}

#[test]
fn encode_is_the_inverse_of_decompress() {
    let json = doc(r#"{"id":"1","timestamp":1,"message":"m"}"#);
    let buf = decompress(encode(json.as_bytes()).as_bytes(), 1 << 20).unwrap();
    assert_eq!(&buf[..], json.as_bytes());
}

#[test]
fn bad_base64_is_named() {
    let err = decompress(b"not base64 at all!!", 1 << 20).unwrap_err();
    assert!(matches!(err, DecodeError::Base64(_)), "{err}");
    assert!(err.to_string().contains("base64"), "{err}");
}

#[test]
fn payload_data_is_decoded_while_the_event_is_parsed() {
    let json = doc(r#"{"id":"1","timestamp":1,"message":"m"}"#);
    let text = encode(json.as_bytes());
    // Plain, and with every `/` escaped as `\/` (legal JSON some producers write).
    let plain: Base64Payload = serde_json::from_str(&format!("{text:?}")).unwrap();
    let escaped: Base64Payload =
        serde_json::from_str(&format!("{:?}", text).replace('/', "\\/")).unwrap();
    assert_eq!(plain, escaped);
    assert_eq!(&plain.decompress(1 << 20).unwrap()[..], json.as_bytes());
    assert_eq!(plain, Base64Payload::from(text.as_str()));

    let empty: Base64Payload = serde_json::from_str(r#"" \n ""#).unwrap();
    assert!(matches!(empty.decompress(1 << 20), Err(DecodeError::Empty)));
    let invalid: Base64Payload = serde_json::from_str(r#""not base64!!""#).unwrap();
    assert!(matches!(
        invalid.decompress(1 << 20),
        Err(DecodeError::Base64(_))
    ));
    assert_eq!(
        format!("{plain:?}"),
        format!(
            "Base64Payload({} bytes)",
            base64_decode(text.as_bytes()).unwrap().len()
        )
    );
    // Not a string at all: the event itself is malformed.
    assert!(serde_json::from_str::<Base64Payload>("42").is_err());
}

#[test]
fn base64_accepts_only_canonical_padded_text() {
    for (text, decoded) in [("QQ==", &b"A"[..]), ("QUI=", b"AB"), ("QUJD", b"ABC")] {
        assert_eq!(base64_decode(text.as_bytes()).unwrap(), decoded, "{text}");
    }
    // Missing padding, bits left over in the last symbol, padding inside, other alphabets,
    // stray bytes: each refused with the reason the `base64` crate gives.
    for (text, reason) in [
        ("QQ", "Invalid padding"),
        ("QR==", "Invalid last symbol 82, offset 1."),
        ("QQ==QQ==", "Invalid symbol 61, offset 2."),
        ("-_==", "Invalid symbol 45, offset 0."),
        ("QU JD", "Invalid symbol 32, offset 2."),
        ("Q", "Invalid input length: 1"),
    ] {
        let err = Base64Payload::from_text(text)
            .decompress(1 << 20)
            .unwrap_err();
        assert!(err.to_string().ends_with(reason), "{text:?}: {err}");
    }
}

#[test]
fn empty_data_is_named() {
    assert!(matches!(decompress(b"", 1 << 20), Err(DecodeError::Empty)));
    assert!(matches!(
        decompress(b"  \n", 1 << 20),
        Err(DecodeError::Empty)
    ));
}

#[test]
fn not_gzip_is_named() {
    let err = decompress(&b64(b"{\"plain\":\"json\"}"), 1 << 20).unwrap_err();
    assert!(matches!(err, DecodeError::Gzip(_)), "{err}");
    assert!(err.to_string().contains("gzip"), "{err}");
}

#[test]
fn truncated_gzip_is_an_error() {
    let full = gzip(doc(r#"{"id":"1","timestamp":1,"message":"m"}"#).as_bytes());
    for cut in [full.len() / 2, full.len() - 4, full.len() - 1, 10] {
        let err = decompress(&b64(&full[..cut]), 1 << 20).unwrap_err();
        assert!(matches!(err, DecodeError::Gzip(_)), "cut {cut}: {err}");
    }
}

#[test]
fn two_gzip_members_form_one_document() {
    let json = doc(
        r#"{"id":"1","timestamp":1,"message":"first"},{"id":"2","timestamp":2,"message":"second"}"#,
    );
    let (a, b) = json.as_bytes().split_at(json.len() / 2);
    let mut both = gzip(a);
    both.extend(gzip(b));
    let buf = decompress(&b64(&both), 1 << 20).unwrap();
    let data = parse(&buf).unwrap();
    assert_eq!(data.log_events.len(), 2);
    assert_eq!(data.log_events[1].message(), "second");
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// 1 MB of compressed input that would inflate to 1 GiB: 1024 gzip members of 1 MiB of zeros.
fn gzip_bomb() -> Vec<u8> {
    let member = {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&vec![0u8; 1 << 20]).unwrap();
        gz.finish().unwrap()
    };
    let mut bomb = Vec::with_capacity(member.len() * 1024);
    for _ in 0..1024 {
        bomb.extend_from_slice(&member);
    }
    bomb
}

#[test]
fn gzip_bomb_stops_at_the_cap_without_inflating_it() {
    let bomb = gzip_bomb();
    assert!(bomb.len() < 2 << 20, "bomb is {} bytes", bomb.len());
    let encoded = b64(&bomb);
    let before = peak_rss_kib();
    let cap = 16 << 20;
    let err = decompress(&encoded, cap).unwrap_err();
    assert!(
        matches!(err, DecodeError::TooLarge { cap: c } if c == cap),
        "{err}"
    );
    assert!(err.to_string().contains("MAX_DECOMPRESSED_BYTES"), "{err}");
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        // 1 GiB was never allocated: the peak grew by about the cap, not by the bomb.
        assert!(
            after - before < 200 * 1024,
            "peak RSS grew by {} KiB",
            after - before
        );
    }
}

#[test]
fn exactly_the_cap_is_allowed() {
    let json = doc(r#"{"id":"1","timestamp":1,"message":"m"}"#);
    let encoded = b64(&gzip(json.as_bytes()));
    assert!(decompress(&encoded, json.len()).is_ok());
    assert!(matches!(
        decompress(&encoded, json.len() - 1),
        Err(DecodeError::TooLarge { .. })
    ));
}

#[test]
fn invalid_utf8_is_named_with_its_offset() {
    let bad = b"{\"logGroup\":\"g\",\"logEvents\":[{\"message\":\"caf\xe9\"}]}";
    let buf = decompress(&b64(&gzip(bad)), 1 << 20).unwrap();
    let err = parse(&buf).map(|_| ()).unwrap_err();
    assert!(
        matches!(err, DecodeError::NotUtf8 { valid_up_to: 44 }),
        "{err}"
    );
    assert_eq!(err.kind(), "json");
}

#[test]
fn invalid_json_is_named() {
    for bad in [
        &b"{not json"[..],
        b"[]",
        b"{\"logEvents\":[{\"message\":1}]}",
        b"",
    ] {
        let buf = decompress(&b64(&gzip(bad)), 1 << 20);
        let err = match buf {
            Ok(buf) => parse(&buf).map(|_| ()).unwrap_err(),
            Err(e) => e,
        };
        assert!(
            matches!(
                err,
                DecodeError::Json(_)
                    | DecodeError::Empty
                    | DecodeError::NotAnObject
                    | DecodeError::MessageNotString { .. }
            ),
            "{:?}: {err}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn control_message_is_recognised() {
    let json = r#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1763870400000,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}"#;
    let buf = decompress(&b64(&gzip(json.as_bytes())), 1 << 20).unwrap();
    let data = parse(&buf).unwrap();
    assert!(data.is_control());
}

#[test]
fn policy_level_and_unknown_fields_are_tolerated() {
    let json = r#"{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/g","logStream":"s","subscriptionFilters":["acct"],"policyLevel":"ACCOUNT_LEVEL_POLICY","futureField":{"x":[1,2]},"logEvents":[{"id":"","timestamp":1,"message":"m","extra":true}]}"#;
    let buf = decompress(&b64(&gzip(json.as_bytes())), 1 << 20).unwrap();
    let data = parse(&buf).unwrap();
    assert_eq!(data.policy_level.as_deref(), Some("ACCOUNT_LEVEL_POLICY"));
    assert_eq!(data.log_events.len(), 1);
}

#[test]
fn ids_are_opaque() {
    let json = doc(
        r#"{"id":36925713,"timestamp":1,"message":"numeric id"},{"id":"","timestamp":2,"message":"empty id"},{"timestamp":3,"message":"no id"}"#,
    );
    let buf = decompress(&b64(&gzip(json.as_bytes())), 1 << 20).unwrap();
    assert_eq!(parse(&buf).unwrap().log_events.len(), 3);
}

#[test]
fn unknown_message_type_is_an_error() {
    let json = r#"{"messageType":"SOMETHING_ELSE","logGroup":"/g","logEvents":[]}"#;
    let buf = decompress(&b64(&gzip(json.as_bytes())), 1 << 20).unwrap();
    assert!(matches!(parse(&buf), Err(DecodeError::MessageType(_))));
}

#[test]
fn empty_log_events_and_a_one_megabyte_event() {
    let json = doc("");
    let buf = decompress(&b64(&gzip(json.as_bytes())), 1 << 20).unwrap();
    assert!(parse(&buf).unwrap().log_events.is_empty());

    let big = format!("ERROR {}", "x".repeat(1 << 20));
    let json = doc(&format!(r#"{{"id":"1","timestamp":1,"message":"{big}"}}"#));
    let buf = decompress(&b64(&gzip(json.as_bytes())), DEFAULT_MAX_DECOMPRESSED_BYTES).unwrap();
    let data = parse(&buf).unwrap();
    assert_eq!(data.log_events[0].message().len(), big.len());
    assert!(super::classify(&data.log_events[0].message()).error);
}

#[test]
fn whitespace_around_base64_is_ignored() {
    let json = doc(r#"{"id":"1","timestamp":1,"message":"m"}"#);
    let mut encoded = b64(&gzip(json.as_bytes()));
    encoded.push(b'\n');
    assert!(decompress(&encoded, 1 << 20).is_ok());
}

#[test]
fn unescape_replaces_unpaired_surrogates_instead_of_dropping_the_text() {
    use super::decode::unescape;
    assert_eq!(unescape(r#""Jos\ud83d""#), "Jos\u{fffd}");
    assert_eq!(unescape(r#""a\udc00b\ud800""#), "a\u{fffd}b\u{fffd}");
    // A valid pair stays one character; an escaped backslash is not an escape.
    assert_eq!(unescape(r#""\ud83d\ude00 \\ud800""#), "\u{1f600} \\ud800");
    assert_eq!(unescape(r#""plain""#), "plain");
    // Not a valid literal at all: the raw text, never an empty message.
    assert_eq!(unescape(r#""bad \q escape""#), r"bad \q escape");
}

#[test]
fn payload_message_with_an_unpaired_surrogate_keeps_its_text() {
    let doc = br#"{"messageType":"DATA_MESSAGE","logGroup":"g","logStream":"s","logEvents":[{"id":"1","timestamp":1,"message":"\ud800 [error] disk full"}]}"#;
    let data = super::decode::parse(doc).unwrap();
    assert_eq!(data.log_events[0].message(), "\u{fffd} [error] disk full");
}

#[test]
fn unescape_matches_serde_json_on_every_escape_shape() {
    let bodies = [
        r#"tab\there"#,
        r#"quote \"x\" and \\ and \/ and \b\f\n\r\t"#,
        r#"{\"level\":\"error\",\"msg\":\"caf\u00e9\"}"#,
        r#"\ud83d\ude00 emoji"#,
        r#"ends with escape \n"#,
        r#"\"starts with escape"#,
        r#"é ü \t 😀"#,
        r#"trailing backslash \"#,
        r#"bad \q escape"#,
        "raw\ttab \\n",
        r#"raw " quote \n"#,
        r#"\u12"#,
    ];
    for body in bodies {
        let literal = format!("\"{body}\"");
        let expected: Option<String> = serde_json::from_str(&literal).ok();
        if let Some(expected) = expected {
            assert_eq!(unescape(&literal), expected, "{literal}");
        }
        // Where the fast path answers, it agrees with serde_json; where serde_json refuses,
        // the fast path must refuse too.
        if let Some(fast) = unescape_simple(body) {
            assert_eq!(
                Some(fast),
                serde_json::from_str::<String>(&literal).ok(),
                "{literal}"
            );
        }
    }
    assert_eq!(unescape_simple(bodies[0]).as_deref(), Some("tab\there"));
    assert!(unescape_simple(bodies[1]).is_some());
    assert!(unescape_simple(r#"\u00e9"#).is_none());
}
