//! The built `alarm-notifier` binary run with `--event FILE|-` against a local Slack webhook:
//! the replay contract (last stdout line is the response, exit 1 on handler error) and the
//! webhook URL absent from stdout and stderr even at TRACE level.

#[path = "../../../tests/src/slack_sink.rs"]
#[allow(dead_code)]
mod slack_sink;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use slack_sink::{ScriptedResponse, SlackSink, WEBHOOK_PATH};

fn repo_file(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn run(env: &[(&str, &str)], args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alarm-notifier"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "trace")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run alarm-notifier");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn all_output(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_no_secret(text: &str, url: &str) {
    let token = WEBHOOK_PATH.rsplit('/').next().unwrap();
    assert!(!text.contains(token), "webhook token leaked:\n{text}");
    assert!(!text.contains(url), "webhook URL leaked:\n{text}");
}

#[test]
fn replays_an_event_file_and_prints_the_response() {
    let sink = SlackSink::start();
    for format in ["TEXT", "JSON"] {
        let out = run(
            &[
                ("SLACK_WEBHOOK_URL", sink.url()),
                ("AWS_LAMBDA_LOG_FORMAT", format),
            ],
            &[
                "--event",
                &repo_file("events/sns-cloudwatch-metric-alarm.json"),
            ],
            None,
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}", all_output(&out));
        assert_eq!(
            stdout.trim_end().lines().last(),
            Some(r#"{"delivered":1}"#),
            "{}",
            all_output(&out)
        );
        assert_no_secret(&all_output(&out), sink.url());
    }
    assert_eq!(sink.request_count(), 2);
}

#[test]
fn reads_the_event_from_stdin() {
    let sink = SlackSink::start();
    let event = std::fs::read(repo_file("events/sns-backup-multi-record.json")).unwrap();
    let out = run(
        &[("SLACK_WEBHOOK_URL", sink.url())],
        &["--event", "-"],
        Some(&event),
    );
    assert!(out.status.success(), "{}", all_output(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .trim_end()
            .lines()
            .last(),
        Some(r#"{"delivered":2}"#),
        "{}",
        all_output(&out)
    );
    assert_eq!(sink.request_count(), 2);
}

#[test]
fn a_rejected_message_exits_1_with_the_slack_code_and_no_url() {
    let sink = SlackSink::start_with(vec![ScriptedResponse::channel_is_archived()]);
    let out = run(
        &[("SLACK_WEBHOOK_URL", sink.url())],
        &[
            "--event",
            &repo_file("events/sns-cloudwatch-composite-alarm.json"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(r#""errorType":"SlackRejected""#),
        "{stderr}"
    );
    assert!(stderr.contains("channel_is_archived"), "{stderr}");
    assert_no_secret(&all_output(&out), sink.url());
    assert_eq!(sink.request_count(), 1);
}

#[test]
fn connection_errors_do_not_leak_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}{WEBHOOK_PATH}");
    let out = run(
        &[("SLACK_WEBHOOK_URL", &url), ("SLACK_MAX_ATTEMPTS", "2")],
        &["--event", &repo_file("events/sns-guardduty-finding.json")],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("connect_error"),
        "{}",
        all_output(&out)
    );
    assert_no_secret(&all_output(&out), &url);
}

#[test]
fn invalid_configuration_fails_at_start_without_echoing_the_url() {
    let url = format!("http://hooks.example.com{WEBHOOK_PATH}");
    let out = run(
        &[("SLACK_WEBHOOK_URL", &url)],
        &[
            "--event",
            &repo_file("events/sns-cloudwatch-metric-alarm.json"),
        ],
        None,
    );
    assert!(!out.status.success());
    let text = all_output(&out);
    assert!(text.contains("SLACK_WEBHOOK_URL"), "{text}");
    assert_no_secret(&text, &url);
}
