//! Fixture-driven classification tests (`shared/tests/fixtures/logs/classify.txt`).

use super::classify::{access_log_status, classify};

const FIXTURES: &str = include_str!("../../tests/fixtures/logs/classify.txt");

struct Case {
    line_no: usize,
    kinds: Vec<String>,
    user: Option<String>,
    source: Option<String>,
    message: String,
}

fn cases() -> Vec<Case> {
    FIXTURES
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let parts: Vec<&str> = l.splitn(4, " | ").collect();
            assert_eq!(parts.len(), 4, "fixture line {} is malformed", i + 1);
            let opt = |s: &str| (s.trim() != "-").then(|| s.trim().to_owned());
            Case {
                line_no: i + 1,
                kinds: parts[0]
                    .split(',')
                    .map(|k| k.trim().to_owned())
                    .filter(|k| k != "none")
                    .collect(),
                user: opt(parts[1]),
                source: opt(parts[2]),
                // JSON fixtures keep their own escapes; text lines use \t and \n for real ones.
                message: if parts[3].starts_with('{') {
                    parts[3].to_owned()
                } else {
                    parts[3].replace("\\t", "\t").replace("\\n", "\n")
                },
            }
        })
        .collect()
}

#[test]
fn every_fixture_line_is_classified_as_labelled() {
    let cases = cases();
    assert!(cases.len() > 150, "fixtures went missing: {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let c = classify(&case.message);
        let want = |k: &str| case.kinds.iter().any(|x| x == k);
        let login = c.failed_login.as_ref();
        let got_user = login.and_then(|l| l.user.as_deref()).map(str::to_owned);
        let got_source = login.and_then(|l| l.source.as_deref()).map(str::to_owned);
        let ok = c.error == want("error")
            && c.http_5xx == want("5xx")
            && login.is_some() == want("login")
            && (!want("login") || (got_user == case.user && got_source == case.source));
        if !ok {
            failures.push(format!(
                "line {}: want {:?} user={:?} source={:?}; got error={} 5xx={} login={:?}\n    {}",
                case.line_no,
                case.kinds,
                case.user,
                case.source,
                c.error,
                c.http_5xx,
                login,
                case.message
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} misclassified:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Inside a payload, events go through the raw (still JSON-escaped) prefilter first; the
/// verdicts must be exactly those of the plain line path.
#[test]
fn payload_path_agrees_with_the_line_path() {
    use super::classify::{classify_prefiltered, prefilter};
    let cases = cases();
    let events: Vec<_> = cases
        .iter()
        .map(|c| serde_json::json!({"id": "", "timestamp": 1, "message": c.message}))
        .collect();
    let doc = serde_json::json!({"messageType": "DATA_MESSAGE", "logGroup": "/g", "logStream": "s", "logEvents": events}).to_string();
    let data = super::decode::parse(doc.as_bytes()).unwrap();
    for (case, event) in cases.iter().zip(&data.log_events) {
        let message = event.message();
        assert_eq!(message, case.message.as_str());
        let via_payload = classify_prefiltered(&message, prefilter(event.raw_message()));
        let via_line = classify(&case.message);
        assert_eq!(
            via_payload, via_line,
            "line {}: {}",
            case.line_no, case.message
        );
    }
}

#[test]
fn fixtures_cover_positives_and_negatives_of_each_kind() {
    let cases = cases();
    for kind in ["error", "5xx", "login"] {
        let positives = cases
            .iter()
            .filter(|c| c.kinds.iter().any(|k| k == kind))
            .count();
        assert!(
            positives >= 10,
            "{kind}: only {positives} positive fixtures"
        );
    }
    let negatives = cases.iter().filter(|c| c.kinds.is_empty()).count();
    assert!(negatives >= 40, "only {negatives} negative fixtures");
}

#[test]
fn publickey_for_a_valid_user_is_a_probe_not_yet_a_failure() {
    let c = classify("Nov 23 04:00:05 bastion sshd[79]: Failed publickey for deploy from 192.0.2.45 port 1024 ssh2: ED25519 SHA256:abc");
    let login = c.failed_login.expect("recognised");
    let probe = login.publickey_probe.expect("probe");
    assert_eq!(probe.source, "192.0.2.45");
    assert_eq!(probe.port, "1024");
    let c = classify("Nov 23 04:00:06 bastion sshd[79]: Accepted publickey for deploy from 192.0.2.45 port 1024 ssh2: ED25519 SHA256:def");
    assert!(c.failed_login.is_none());
    let accepted = c.accepted_login.expect("accepted");
    assert_eq!(
        (accepted.source.as_ref(), accepted.port.as_ref()),
        ("192.0.2.45", "1024")
    );
}

#[test]
fn accepted_logins_name_their_connection() {
    let connection = |line: &str| {
        classify(line)
            .accepted_login
            .map(|a| (a.source.into_owned(), a.port.into_owned()))
    };
    let of = |s: &str, p: &str| Some((s.to_owned(), p.to_owned()));
    assert_eq!(
        connection(
            "Nov 23 04:00:06 h sshd[1]: Accepted password for svc from 2001:db8::7 port 50122 ssh2"
        ),
        of("2001:db8::7", "50122")
    );
    // A user name with " from " in it: the first " from SOURCE port N" decides, as before.
    assert_eq!(
        connection("Nov 23 04:00:06 h sshd[1]: Accepted keyboard-interactive/pam for a from b from 192.0.2.9 port 22 ssh2"),
        of("192.0.2.9", "22")
    );
    assert_eq!(
        connection("Nov 23 04:00:06 h sshd[1]: Accepted password for  from 192.0.2.9 port 22 ssh2"),
        of("192.0.2.9", "22")
    );
    assert_eq!(
        connection(
            "Nov 23 04:00:06 h sshd[1]: Accepted publickey for deploy from 192.0.2.9 port ssh2"
        ),
        None
    );
    assert_eq!(
        connection("Nov 23 04:00:06 h sshd[1]: Accepted  for deploy from 192.0.2.9 port 22"),
        None
    );
}

#[test]
fn access_log_status_is_positional() {
    assert_eq!(
        access_log_status(
            br#"1.2.3.4 - - [23/Nov/2026:04:00:00 +0000] "GET /503 HTTP/1.1" 200 503"#
        ),
        Some(200)
    );
    assert_eq!(access_log_status(b"no brackets here 503"), None);
    assert_eq!(
        access_log_status(b"[23/Nov/2026:04:00:00 +0000] \"unterminated 503"),
        None
    );
}

#[test]
fn arbitrary_input_never_panics() {
    let nasty = [
        "",
        "{",
        "}",
        "{}",
        "{\"level\":",
        "<",
        "<999>",
        "<12",
        "E1",
        "[",
        "[23/Nov/2026:04:00:00",
        "[23/Nov/2026:04:00:00 +0000] \"",
        "[23/Nov/2026:04:00:00 +0000] \"GET\" 5",
        "h2 2026-11-23T04:12:05.123456Z",
        "Failed password for",
        "Failed password for  from ",
        "Invalid user",
        "Received disconnect from :",
        "level=",
        "ERROR:",
        "::::",
        "é[é]é",
        "REPORT RequestId: Status:",
        "{\"type\":\"platform.report\"}",
        "{\"level\":1e400}",
        "{\"status\":99999999999999999999}",
    ];
    for s in nasty {
        let _ = classify(s);
    }
    // Every prefix and a pile of multi-byte characters around each rule's anchors.
    let lines = cases();
    // The first 60 fixtures, and every sshd line (program tags, RFC 5424 structured data,
    // Solaris message ids and user names holding ` from ` are all cut somewhere).
    let chosen = lines
        .iter()
        .enumerate()
        .filter(|(i, case)| *i < 60 || case.message.contains("sshd"))
        .map(|(_, case)| case);
    for case in chosen {
        let m = &case.message;
        for (i, _) in m.char_indices() {
            let _ = classify(&m[..i]);
            let _ = classify(&m[i..]);
        }
    }
}

/// One labelled line of `corpus.tsv` (an independent reviewer's corpus of real-format logs).
struct CorpusRow {
    id: String,
    error: bool,
    http_5xx: bool,
    /// `y`, `n`, or `p` (publickey probe of a valid user: recognised, marked as a probe).
    login: char,
    user: Option<String>,
    source: Option<String>,
    line: String,
}

fn corpus() -> Vec<CorpusRow> {
    include_str!("../../tests/fixtures/logs/corpus.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.splitn(8, '\t').collect();
            assert_eq!(f.len(), 8, "corpus row is malformed: {l}");
            let opt = |s: &str| (s != "-").then(|| s.to_owned());
            CorpusRow {
                id: f[0].to_owned(),
                error: f[1] == "y",
                http_5xx: f[2] == "y",
                login: f[3].chars().next().unwrap_or('n'),
                user: opt(f[4]),
                source: opt(f[5]),
                line: f[7].replace("<TAB>", "\t").replace("<NL>", "\n"),
            }
        })
        .collect()
}

/// Whether the classification of `row.line` matches every label of the row.
fn corpus_row_matches(row: &CorpusRow) -> Result<(), String> {
    let c = classify(&row.line);
    let mut why = Vec::new();
    if c.error != row.error {
        why.push(format!("error want={} got={}", row.error, c.error));
    }
    if c.http_5xx != row.http_5xx {
        why.push(format!("5xx want={} got={}", row.http_5xx, c.http_5xx));
    }
    let want_login = row.login != 'n';
    match (&c.failed_login, want_login) {
        (Some(l), true) => {
            let user = l.user.as_deref().map(str::to_owned);
            let source = l.source.as_deref().map(str::to_owned);
            if user != row.user || source != row.source {
                why.push(format!(
                    "user/source want={:?}/{:?} got={user:?}/{source:?}",
                    row.user, row.source
                ));
            }
            if l.publickey_probe.is_some() != (row.login == 'p') {
                why.push(format!("publickey probe want={}", row.login == 'p'));
            }
        }
        (None, false) => {}
        (got, _) => why.push(format!("login want={want_login} got={}", got.is_some())),
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(format!("#{}: {}\n    {}", row.id, why.join("; "), row.line))
    }
}

#[test]
fn reviewer_corpus_is_classified_as_labelled() {
    let rows = corpus();
    assert!(
        rows.len() >= 431,
        "corpus rows went missing: {}",
        rows.len()
    );
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|r| corpus_row_matches(r).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} corpus lines misclassified:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The payload path (raw prefilter, then the unescaped message) agrees with the line path on
/// every corpus line.
#[test]
fn reviewer_corpus_payload_path_agrees_with_the_line_path() {
    use super::classify::{classify_prefiltered, prefilter};
    let rows = corpus();
    let events: Vec<_> = rows
        .iter()
        .map(|r| serde_json::json!({"id": r.id, "timestamp": 1, "message": r.line}))
        .collect();
    let doc = serde_json::json!({"messageType": "DATA_MESSAGE", "logGroup": "/g", "logStream": "s", "logEvents": events}).to_string();
    let data = super::decode::parse(doc.as_bytes()).unwrap();
    assert_eq!(data.log_events.len(), rows.len());
    for (row, event) in rows.iter().zip(&data.log_events) {
        let message = event.message();
        assert_eq!(message, row.line.as_str());
        let via_payload = classify_prefiltered(&message, prefilter(event.raw_message()));
        assert_eq!(
            via_payload,
            classify(&row.line),
            "#{}: {}",
            row.id,
            row.line
        );
    }
}
