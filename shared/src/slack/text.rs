//! Text helpers for Slack mrkdwn: escaping, truncation with "…", and human formatting of
//! numbers, periods and CloudWatch timestamps.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};

/// Escapes `&`, `<` and `>` so text taken from a message is shown literally: a log line holding
/// `<!channel>` or `<@U123>` cannot ping anyone, and `<url|label>` cannot forge a link.
/// Slack decodes exactly these three entities in every text object, `plain_text` included.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Shortens `s` to at most `max` characters (Slack counts characters, not bytes), ending with
/// "…" when something was cut. Never leaves half an entity (`&am…`) or half of one of our own
/// `<url|label>` links behind, so the result is still valid mrkdwn.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if max == 0 {
        return Cow::Borrowed("");
    }
    // Fast path: byte length bounds the char count.
    if s.len() <= max || s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let cut = s
        .char_indices()
        .nth(max - 1)
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let mut head = &s[..cut];
    // A cut inside an entity such as "&amp;" leaves "&am": drop the fragment.
    if let Some(amp) = head.rfind('&') {
        if !head[amp..].contains(';') && head.len() - amp <= 5 {
            head = &head[..amp];
        }
    }
    // Every '<' in rendered text opens one of our links (message text is escaped); an unclosed
    // one would swallow the rest of the block.
    if let Some(open) = head.rfind('<') {
        if !head[open..].contains('>') {
            head = &head[..open];
        }
    }
    let mut out = String::with_capacity(head.len() + 3);
    out.push_str(head.trim_end());
    out.push('…');
    Cow::Owned(out)
}

/// Escapes then truncates: the usual treatment of one piece of message text.
pub fn esc_trunc(s: &str, max: usize) -> String {
    truncate(&esc(s), max).into_owned()
}

/// A number the way a person writes it: `5`, `0.592`, `1234.5`.
pub fn number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A period in seconds as words: `5 min`, `1 hour`, `30 s`.
pub fn period(seconds: u64) -> String {
    match seconds {
        0 => "0 s".to_owned(),
        s if s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s % 3_600 == 0 => plural(s / 3_600, "hour"),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

pub fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Parses the timestamp spellings AWS uses in alarm messages and events:
/// `2015-06-03T17:43:27.123+0000`, RFC 3339 (`…Z`, `…+00:00`) and RFC 2822 (AWS Health).
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(raw) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    // RFC 2822 with a weekday that does not match the date (seen in AWS Health samples):
    // ignore the weekday.
    if let Some((_, rest)) = raw.split_once(", ") {
        let rest = rest
            .trim_end_matches(" GMT")
            .trim_end_matches(" UTC")
            .trim_end_matches(" +0000");
        if let Ok(t) = NaiveDateTime::parse_from_str(rest, "%d %b %Y %H:%M:%S") {
            return Some(t.and_utc());
        }
    }
    None
}

/// A timestamp shown to the reader in UTC (`2026-11-23 04:05:00 UTC`); unparseable input is
/// shown as given.
pub fn time(raw: &str) -> String {
    match parse_time(raw) {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        None => raw.trim().to_owned(),
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters (for URL path/fragment
/// pieces built from alarm names and ids).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `SOME_STATE_VALUE` or `someCamelCase` → `Some state value` (for unknown status words).
pub fn humanize_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' {
            out.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

/// The last `/`- or `:`-separated part of an ARN or path (an alarm ARN → alarm name).
pub fn short_name(arn_or_path: &str) -> &str {
    if let Some(rest) = arn_or_path.strip_prefix("arn:") {
        // arn:partition:service:region:account:resource — the resource may hold ':' itself
        // (`alarm:name`), so take what follows the resource type.
        let resource = rest.splitn(5, ':').nth(4).unwrap_or(rest);
        // `type:name` (alarms: names may hold '/') or `type/…/name`.
        return match resource.split_once(':') {
            Some((_, name)) => name,
            None => resource.rsplit('/').next().unwrap_or(resource),
        };
    }
    arn_or_path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_the_three_control_characters() {
        assert_eq!(
            esc("a <!channel> & <@U123> 'x'"),
            "a &lt;!channel&gt; &amp; &lt;@U123&gt; 'x'"
        );
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncation_counts_characters_and_keeps_entities_and_links_whole() {
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
        assert_eq!(truncate("short", 5), "short");
        assert_eq!(truncate("ab &amp; cd", 6), "ab…");
        assert_eq!(truncate("see <https://x.example/abc|link> now", 12), "see…");
        assert_eq!(truncate("ééééééé", 3).chars().count(), 3);
    }

    #[test]
    fn numbers_periods_and_times() {
        assert_eq!(number(5.0), "5");
        assert_eq!(number(0.592), "0.592");
        assert_eq!(number(-3.25), "-3.25");
        assert_eq!(period(300), "5 min");
        assert_eq!(period(3600), "1 hour");
        assert_eq!(period(172_800), "2 days");
        assert_eq!(period(10), "10 s");
        assert_eq!(period(90), "90 s");
        assert_eq!(
            time("2015-06-03T17:43:27.123+0000"),
            "2015-06-03 17:43:27 UTC"
        );
        assert_eq!(time("2021-11-10T02:45:55Z"), "2021-11-10 02:45:55 UTC");
        assert_eq!(
            time("Sat, 05 Jun 2016 15:10:09 GMT"),
            "2016-06-05 15:10:09 UTC"
        );
        assert_eq!(time("yesterday"), "yesterday");
    }

    #[test]
    fn names_from_arns() {
        assert_eq!(
            short_name("arn:aws:cloudwatch:us-east-1:123456789012:alarm:node_failure"),
            "node_failure"
        );
        assert_eq!(
            short_name("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a:b"),
            "a:b"
        );
        assert_eq!(
            short_name("arn:aws:ecs:eu-west-1:1:task/cluster/abc"),
            "abc"
        );
        assert_eq!(short_name("plain"), "plain");
        assert_eq!(url_encode("a b/c"), "a%20b%2Fc");
        assert_eq!(humanize_key("eventTypeCode"), "event Type Code");
    }
}
