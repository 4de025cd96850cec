//! Redaction and truncation of sample lines that leave the function in alerts.
//!
//! Samples go to SNS and on to Slack, so anything that looks like a credential is replaced
//! before the line is truncated (truncating first could leave half a secret behind).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Longest sample, in characters (an ellipsis marks a cut).
pub const MAX_SAMPLE_CHARS: usize = 500;
/// Only this much of a (possibly 1 MB) message is examined for a sample.
const REDACT_WINDOW_BYTES: usize = 4096;

pub const REDACTED: &str = "[REDACTED]";

struct Rule {
    pattern: Regex,
    replacement: &'static str,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |p: &str, replacement: &'static str| Rule {
        pattern: Regex::new(p).expect("static regex"),
        replacement,
    };
    vec![
        // Authorization headers and bearer tokens.
        rule(
            r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]+=*",
            "${1}${2}[REDACTED]",
        ),
        // AWS access key ids (long-term AKIA…, temporary ASIA…, and the other principal prefixes).
        rule(
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b",
            "[REDACTED-AWS-KEY]",
        ),
        // JSON members: "password": "…", "client_secret": "…", "token": "…".
        rule(
            r#"(?i)("[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|credential|authorization)[\w.-]*"\s*:\s*)"(?:[^"\\]|\\.)*""#,
            r#"${1}"[REDACTED]""#,
        ),
        // key=value / key: value pairs (query strings, logfmt, headers).
        rule(
            r#"(?i)\b([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|credential|authorization)[\w.-]*)(\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s&,;"']+)"#,
            "${1}${2}[REDACTED]",
        ),
        // Credentials in URLs: scheme://user:password@host
        rule(
            r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@",
            "${1}[REDACTED]@",
        ),
        // JSON Web Tokens.
        rule(
            r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
            "[REDACTED-JWT]",
        ),
    ]
});

/// Redacts credentials in `message` and truncates it to [`MAX_SAMPLE_CHARS`] characters.
pub fn sample_text(message: &str) -> String {
    let mut text: Cow<'_, str> = Cow::Borrowed(sample_window(message));
    for rule in RULES.iter() {
        if let Cow::Owned(replaced) = rule.pattern.replace_all(&text, rule.replacement) {
            text = Cow::Owned(replaced);
        }
    }
    truncate_chars(&text, MAX_SAMPLE_CHARS)
}

/// The part of `message` a sample is made from: at most [`REDACT_WINDOW_BYTES`], trailing
/// whitespace removed.
pub fn sample_window(message: &str) -> &str {
    let message = message.trim_end();
    &message[..floor_char_boundary(message, REDACT_WINDOW_BYTES)]
}

/// At most `max` characters; a cut is marked with `…` (counted in `max`).
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            let mut out = String::with_capacity(end + 3);
            out.push_str(&text[..end]);
            out.push('…');
            out
        }
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut at = max;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials() {
        let cases = [
            (
                "POST /login password=hunter2&user=bob",
                "password=[REDACTED]&user=bob",
                "hunter2",
            ),
            (
                r#"{"user":"bob","password":"p@ss \"w0rd\""}"#,
                r#""password":"[REDACTED]""#,
                "w0rd",
            ),
            (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
                "[REDACTED]",
                "eyJhbGci",
            ),
            (
                "using key AKIAIOSFODNN7EXAMPLE for upload",
                "[REDACTED-AWS-KEY]",
                "AKIAIOSFODNN7EXAMPLE",
            ),
            (
                "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "[REDACTED]",
                "wJalr",
            ),
            ("callback?token=abc123&x=1", "token=[REDACTED]", "abc123"),
            (
                "client_secret: s3cr3t next",
                "client_secret: [REDACTED]",
                "s3cr3t",
            ),
            (
                "connect postgres://app:topsecret@db:5432/x",
                "app:[REDACTED]@db",
                "topsecret",
            ),
            ("x-api-key=K-123 ok", "x-api-key=[REDACTED]", "K-123"),
        ];
        for (input, expected, secret) in cases {
            let out = sample_text(input);
            assert!(out.contains(expected), "{input:?} -> {out:?}");
            assert!(!out.contains(secret), "{input:?} leaked in {out:?}");
        }
    }

    #[test]
    fn leaves_ordinary_auth_lines_alone() {
        let line =
            "sshd[1]: Failed password for invalid user admin from 203.0.113.9 port 4242 ssh2";
        assert_eq!(sample_text(line), line);
    }

    #[test]
    fn truncates_on_char_boundaries() {
        let long = "é".repeat(600);
        let out = sample_text(&long);
        assert_eq!(out.chars().count(), MAX_SAMPLE_CHARS);
        assert!(out.ends_with('…'));
        let huge = format!("token=abc {}", "x".repeat(1_000_000));
        let out = sample_text(&huge);
        assert!(out.starts_with("token=[REDACTED] "));
        assert_eq!(out.chars().count(), MAX_SAMPLE_CHARS);
    }
}
