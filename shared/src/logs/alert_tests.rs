//! Aggregation, alert building and cooldown.

use chrono::{DateTime, Duration, Utc};

use super::aggregate::{Batch, GroupSummary};
use super::alerts::*;
use super::decode::{parse, LogsData};
use crate::alert::{AlertKind, Severity};

fn now() -> DateTime<Utc> {
    "2026-11-23T04:30:00Z".parse().unwrap()
}

fn payload(group: &str, stream: &str, lines: &[String]) -> String {
    let events: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, m)| serde_json::json!({"id": i.to_string(), "timestamp": 1_763_870_400_000i64 + i as i64 * 1000, "message": m}))
        .collect();
    serde_json::json!({
        "messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": group,
        "logStream": stream, "subscriptionFilters": ["f"], "logEvents": events
    })
    .to_string()
}

fn summarise(docs: &[String], threshold: u64) -> Vec<GroupSummary> {
    let mut batch = Batch::new(threshold);
    for d in docs {
        let data: LogsData<'_> = parse(d.as_bytes()).unwrap();
        batch.add_payload(&data);
    }
    batch.finish()
}

fn brute_force_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for i in 0..7 {
        lines.push(format!("Nov 23 04:00:{i:02} bastion sshd[{}]: Failed password for invalid user user{i} from 203.0.113.7 port {} ssh2", 100 + i, 40000 + i));
    }
    for i in 0..5 {
        lines.push(format!("Nov 23 04:01:{i:02} bastion sshd-session[{}]: Failed password for root from 198.51.100.9 port {} ssh2", 200 + i, 50000 + i));
    }
    for i in 0..4 {
        lines.push(format!("Nov 23 04:02:{i:02} bastion sshd[{}]: Failed password for root from 192.0.2.1 port {} ssh2", 300 + i, 60000 + i));
    }
    lines.push("Nov 23 04:03:00 bastion sshd[400]: Accepted publickey for ec2-user from 10.0.0.8 port 50000 ssh2: ED25519 SHA256:x password=hunter2".to_owned());
    lines
}

#[test]
fn counts_per_group_across_payloads() {
    let a = payload("/var/log/secure", "i-1", &brute_force_lines());
    let b = payload(
        "/aws/lambda/api",
        "2026/11/23/[$LATEST]abc",
        &["ERROR boom".to_owned(), "INFO fine".to_owned()],
    );
    let c = payload(
        "/var/log/secure",
        "i-2",
        &["Nov 23 04:04:00 bastion sshd[1]: Invalid user x from 203.0.113.7 port 1".to_owned()],
    );
    let groups = summarise(&[a, b, c], 5);
    assert_eq!(groups.len(), 2);
    let secure = &groups[0];
    assert_eq!(secure.log_group, "/var/log/secure");
    assert_eq!(secure.log_streams, ["i-1", "i-2"]);
    assert_eq!(secure.counts.events, 18);
    assert_eq!(secure.counts.failed_logins, 17);
    assert_eq!(secure.sources["203.0.113.7"].count, 8);
    assert_eq!(secure.sources["203.0.113.7"].users.len(), 8);
    assert_eq!(groups[1].counts.errors, 1);
    assert_eq!(groups[1].counts.events, 2);
}

#[test]
fn one_brute_force_alert_lists_offending_sources_worst_first() {
    let groups = summarise(
        &[payload("/var/log/secure", "i-1", &brute_force_lines())],
        5,
    );
    let alerts = build_alerts(
        &groups[0],
        &AlertPolicy {
            region: Some("eu-west-1".into()),
            ..AlertPolicy::default()
        },
        now(),
    );
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(a.kind, AlertKind::BruteForce);
    assert_eq!(a.severity, Severity::High);
    assert_eq!(a.schema, "log-processor.alert/v1");
    assert_eq!(a.count, 12);
    assert_eq!(a.threshold, 5);
    assert_eq!(a.events_in_batch, 17);
    assert_eq!(a.account.as_deref(), Some("123456789012"));
    assert_eq!(a.region.as_deref(), Some("eu-west-1"));
    let sources: Vec<(&str, u64)> = a
        .sources
        .iter()
        .map(|s| (s.source.as_str(), s.count))
        .collect();
    assert_eq!(sources, [("203.0.113.7", 7), ("198.51.100.9", 5)]);
    assert_eq!(a.sources[0].users[0], "user0");
    assert_eq!(a.sources[1].users, ["root"]);
    assert!(a.sources[0].first_seen < a.sources[0].last_seen);
    assert_eq!(a.samples.len(), 2);
    assert!(a.samples[0].message.contains("203.0.113.7"));
    assert_eq!(a.samples[0].log_stream.as_deref(), Some("i-1"));
    assert!(
        a.summary
            .starts_with("2 sources made 12 failed logins in /var/log/secure"),
        "{}",
        a.summary
    );
    assert!(a.summary.contains("top 203.0.113.7 (7"), "{}", a.summary);
    let subject = subject(a);
    assert!(subject.chars().count() <= MAX_SUBJECT_CHARS);
    assert_eq!(
        subject,
        "[HIGH] Brute force: 12 failed logins from 2 sources in /var/log/secure"
    );
    let attrs = message_attributes(a);
    assert_eq!(attrs[0], ("kind", "brute_force".to_owned()));
    assert_eq!(attrs[1], ("severity", "high".to_owned()));
    assert_eq!(attrs[2], ("log_group", "/var/log/secure".to_owned()));
}

#[test]
fn more_than_ten_sources_are_capped_and_counted() {
    let lines: Vec<String> = (0..12)
        .flat_map(|s| {
            (0..5).map(move |i| {
                format!("sshd[1]: Failed password for root from 10.0.{s}.1 port {i} ssh2")
            })
        })
        .collect();
    let groups = summarise(&[payload("/g", "s", &lines)], 5);
    let alert = &build_alerts(&groups[0], &AlertPolicy::default(), now())[0];
    assert_eq!(alert.sources.len(), MAX_ALERT_SOURCES);
    assert_eq!(alert.more_sources, 2);
    assert_eq!(alert.count, 60);
    assert_eq!(alert.severity, Severity::Critical);
}

#[test]
fn error_burst_has_three_redacted_samples() {
    let mut lines: Vec<String> = (0..12)
        .map(|i| format!("2026-11-23 04:00:{i:02},000 ERROR [db] query failed password=hunter{i} token=abc{i}"))
        .collect();
    lines.push(
        "203.0.113.5 - - [23/Nov/2026:04:12:00 +0000] \"GET / HTTP/1.1\" 503 1 \"-\" \"-\""
            .to_owned(),
    );
    let groups = summarise(&[payload("/app", "s", &lines)], 5);
    let alerts = build_alerts(&groups[0], &AlertPolicy::default(), now());
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(a.kind, AlertKind::ErrorBurst);
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(a.count, 13);
    assert_eq!(a.threshold, 10);
    assert_eq!(a.samples.len(), 3);
    for s in &a.samples {
        assert!(!s.message.contains("hunter"), "{}", s.message);
        assert!(s.message.contains("password=[REDACTED]"), "{}", s.message);
        assert!(s.timestamp.is_some());
    }
    assert_eq!(
        a.summary,
        "13 errors among 13 events in /app in one batch (threshold 10), 1 of them HTTP 5xx."
    );
    assert_eq!(subject(a), "[MEDIUM] Error burst: 13 errors in /app");
}

#[test]
fn below_thresholds_no_alerts() {
    let lines: Vec<String> = (0..4)
        .map(|i| format!("sshd[1]: Failed password for root from 10.0.0.1 port {i} ssh2"))
        .chain((0..9).map(|i| format!("ERROR e{i}")))
        .collect();
    let groups = summarise(&[payload("/g", "s", &lines)], 5);
    assert!(build_alerts(&groups[0], &AlertPolicy::default(), now()).is_empty());
}

#[test]
fn publickey_probes_count_only_without_a_later_accept() {
    let lines = vec![
        "sshd[1]: Failed publickey for deploy from 10.0.0.1 port 1000 ssh2: RSA SHA256:a"
            .to_owned(),
        "sshd[1]: Failed publickey for deploy from 10.0.0.1 port 1000 ssh2: ED25519 SHA256:b"
            .to_owned(),
        "sshd[1]: Accepted publickey for deploy from 10.0.0.1 port 1000 ssh2: ED25519 SHA256:c"
            .to_owned(),
        "sshd[2]: Failed publickey for deploy from 10.0.0.2 port 2000 ssh2: RSA SHA256:a"
            .to_owned(),
        "sshd[2]: Connection closed by authenticating user deploy 10.0.0.2 port 2000 [preauth]"
            .to_owned(),
    ];
    let groups = summarise(&[payload("/g", "s", &lines)], 5);
    let g = &groups[0];
    assert_eq!(
        g.counts.failed_logins, 2,
        "one rejected probe + the closed authenticating session"
    );
    assert_eq!(g.sources["10.0.0.2"].count, 2);
    assert!(!g.sources.contains_key("10.0.0.1"));
}

#[test]
fn subject_is_capped_at_100_chars() {
    let long_group = format!("/aws/{}", "very-long-name/".repeat(10));
    let lines: Vec<String> = (0..10).map(|i| format!("ERROR {i}")).collect();
    let groups = summarise(&[payload(&long_group, "s", &lines)], 5);
    let a = &build_alerts(&groups[0], &AlertPolicy::default(), now())[0];
    let s = subject(a);
    assert_eq!(s.chars().count(), MAX_SUBJECT_CHARS);
    assert!(s.ends_with('…'));
}

#[test]
fn cooldown_suppresses_repeats_and_reports_them_next_time() {
    let lines: Vec<String> = (0..10).map(|i| format!("ERROR {i}")).collect();
    let groups = summarise(&[payload("/g", "s", &lines)], 5);
    let fresh = || build_alerts(&groups[0], &AlertPolicy::default(), now()).remove(0);
    let mut cooldown = Cooldown::new(300);
    let t0 = now();

    let mut first = fresh();
    assert_eq!(cooldown.check(&mut first, t0), CooldownDecision::Send);
    assert_eq!(first.suppressed_alerts, 0);
    cooldown.sent(&first, t0);

    for minute in 1..=3 {
        let mut again = fresh();
        assert_eq!(
            cooldown.check(&mut again, t0 + Duration::minutes(minute)),
            CooldownDecision::Suppress
        );
    }
    // Another kind or another group is independent.
    let other_groups = summarise(&[payload("/other", "s", &lines)], 5);
    let mut other = build_alerts(&other_groups[0], &AlertPolicy::default(), now()).remove(0);
    assert_eq!(
        cooldown.check(&mut other, t0 + Duration::minutes(1)),
        CooldownDecision::Send
    );

    let mut after = fresh();
    let t1 = t0 + Duration::seconds(300);
    assert_eq!(cooldown.check(&mut after, t1), CooldownDecision::Send);
    assert_eq!(after.suppressed_alerts, 3);
    assert_eq!(after.suppressed_events, 30);
    cooldown.sent(&after, t1);

    let mut next = fresh();
    assert_eq!(
        cooldown.check(&mut next, t1 + Duration::seconds(301)),
        CooldownDecision::Send
    );
    assert_eq!(next.suppressed_alerts, 0, "counters reset once reported");
}

#[test]
fn a_failed_delivery_keeps_the_suppressed_counts() {
    let lines: Vec<String> = (0..10).map(|i| format!("ERROR {i}")).collect();
    let groups = summarise(&[payload("/g", "s", &lines)], 5);
    let fresh = || build_alerts(&groups[0], &AlertPolicy::default(), now()).remove(0);
    let mut cooldown = Cooldown::new(60);
    let t0 = now();
    let mut a = fresh();
    cooldown.check(&mut a, t0);
    cooldown.sent(&a, t0);
    let mut b = fresh();
    assert_eq!(
        cooldown.check(&mut b, t0 + Duration::seconds(10)),
        CooldownDecision::Suppress
    );
    // Delivery of the next one fails (no `sent`), so the retry reports the same suppression.
    let mut c = fresh();
    assert_eq!(
        cooldown.check(&mut c, t0 + Duration::seconds(61)),
        CooldownDecision::Send
    );
    assert_eq!(c.suppressed_alerts, 1);
    let mut retry = fresh();
    assert_eq!(
        cooldown.check(&mut retry, t0 + Duration::seconds(62)),
        CooldownDecision::Send
    );
    assert_eq!(retry.suppressed_alerts, 1);
    // A zero cooldown never suppresses.
    let mut none = Cooldown::new(0);
    let mut x = fresh();
    none.check(&mut x, t0);
    none.sent(&x, t0);
    let mut y = fresh();
    assert_eq!(none.check(&mut y, t0), CooldownDecision::Send);
    // A huge cooldown does not overflow.
    let mut huge = Cooldown::new(u64::MAX);
    let mut z = fresh();
    huge.check(&mut z, t0);
    huge.sent(&z, t0);
    assert_eq!(
        huge.check(&mut fresh(), t0 + Duration::days(3650)),
        CooldownDecision::Suppress
    );
}

#[test]
fn brute_force_samples_are_redacted_when_the_alert_takes_them() {
    // A PAM line that logs the attempted password in the user field (real misconfigurations do).
    let lines: Vec<String> = (0..6)
        .map(|i| format!("Nov 23 04:00:{i:02} bastion sshd[{i}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.9  user=admin password=hunter{i}"))
        .collect();
    let groups = summarise(&[payload("/bastion", "s", &lines)], 5);
    let stats = &groups[0].sources["198.51.100.9"];
    assert_eq!(stats.count, 6);
    assert!(
        stats.sample.is_some(),
        "the fifth line is kept for the alert"
    );
    let alerts = build_alerts(&groups[0], &AlertPolicy::default(), now());
    let brute = alerts
        .iter()
        .find(|a| a.kind == AlertKind::BruteForce)
        .expect("brute-force alert");
    assert_eq!(brute.samples.len(), 1);
    let sample = &brute.samples[0];
    assert!(
        sample.message.contains("password=[REDACTED]"),
        "{}",
        sample.message
    );
    assert!(!sample.message.contains("hunter"), "{}", sample.message);
    assert_eq!(sample.log_stream.as_deref(), Some("s"));
    assert!(sample.timestamp.is_some());
}

/// Past `MAX_TRACKED_SOURCES` distinct sources, new ones are counted but not tracked, and the
/// sources already tracked keep counting.
#[test]
fn tracked_sources_are_capped_and_tracked_ones_keep_counting() {
    use super::aggregate::MAX_TRACKED_SOURCES;
    use super::classify::{Classification, FailedLogin};
    use std::borrow::Cow;

    let failed_from = |source: String| Classification {
        failed_login: Some(FailedLogin {
            user: Some(Cow::Borrowed("root")),
            source: Some(Cow::Owned(source)),
            publickey_probe: None,
        }),
        ..Classification::default()
    };
    let mut group = GroupSummary::new("/g", "123456789012", 5);
    let extra = 3;
    for i in 0..MAX_TRACKED_SOURCES + extra {
        group.add(
            1_000,
            "line",
            0,
            &failed_from(format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255)),
        );
    }
    for _ in 0..4 {
        group.add(2_000, "line", 0, &failed_from("10.0.0.0".to_owned()));
    }
    assert_eq!(group.sources.len(), MAX_TRACKED_SOURCES);
    assert_eq!(
        group.counts.failed_logins,
        (MAX_TRACKED_SOURCES + extra + 4) as u64
    );
    assert_eq!(group.sources["10.0.0.0"].count, 5);
    let last = MAX_TRACKED_SOURCES + extra - 1;
    let untracked = format!("10.{}.{}.{}", last >> 16, (last >> 8) & 255, last & 255);
    assert!(!group.sources.contains_key(&untracked));
}
