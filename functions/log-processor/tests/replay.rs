//! The binary's local replay (`log-processor --event FILE|-`): EMF lines on stdout, the response
//! JSON as the last line, exit status 1 on a handler error. No AWS access needed (EMF, no topic).

use std::io::Write;
use std::process::{Command, Stdio};

fn events_dir() -> String {
    format!("{}/../../events", env!("CARGO_MANIFEST_DIR"))
}

fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_log-processor"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_LOG_LEVEL", "error")
        .env("RUST_LOG", "error");
    c
}

#[test]
fn replays_a_direct_event_with_emf_and_the_response_last() {
    let out = command()
        .args([
            "--event",
            &format!("{}/cwl-syslog-brute-force-and-errors.json", events_dir()),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with('{')).collect();
    let response: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(
        response,
        serde_json::json!({"log_group": "/ec2/bastion/syslog", "log_stream": "i-0a1b2c3d4e5f60718",
            "events": 56, "errors": 11, "failed_logins": 34, "http_5xx": 0, "alerts_published": 0})
    );
    let emf: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("_aws").is_some())
        .collect();
    assert_eq!(emf.len(), 1, "one EMF line per log group: {stdout}");
    assert_eq!(emf[0]["LogGroup"], "/ec2/bastion/syslog");
    assert_eq!(emf[0]["FailedLogins"], 34);
    assert_eq!(
        emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "LogProcessor"
    );
}

#[test]
fn replays_kinesis_from_stdin_and_fails_on_a_malformed_direct_payload() {
    let mut child = command()
        .args(["--event", "-"])
        .env("METRICS_MODE", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let event = std::fs::read(format!(
        "{}/kinesis-cwl-malformed-records.json",
        events_dir()
    ))
    .unwrap();
    child.stdin.take().unwrap().write_all(&event).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let response: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(response["batchItemFailures"].as_array().unwrap().len(), 2);
    assert!(!stdout.contains("_aws"), "METRICS_MODE=off prints no EMF");

    let dir = std::env::temp_dir().join(format!("lp-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"awslogs":{"data":"not base64!"}}"#).unwrap();
    let out = command().arg("--event").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("MalformedPayload") && stderr.contains("base64"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_configuration_stops_start_up() {
    let out = command()
        .args([
            "--event",
            &format!("{}/cwl-control-message.json", events_dir()),
        ])
        .env("METRICS_MODE", "statsd")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("METRICS_MODE"));
}
