//! The binary's `--event` replay: sample events, the response line, local store, diagnostics.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("metrics-collector-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The binary with a clean AWS environment that reaches nothing real.
fn command(summary_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_metrics-collector"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SUMMARY_DIR", summary_dir)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // Port 9 (discard) on localhost: connection refused, nothing leaves the machine.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("CLOUDWATCH_MAX_ATTEMPTS", "1");
    c
}

#[test]
fn sample_events_replay_into_the_local_store_with_keys_from_the_event_time() {
    let dir = temp_dir("replay");
    for event in ["schedule-eventbridge.json", "schedule-scheduler.json"] {
        // With every service off the run makes no CloudWatch call and writes an empty summary.
        let output = command(&dir)
            .args(["--event"])
            .arg(repo_root().join("events").join(event))
            .envs(
                [
                    "COLLECT_ALB",
                    "COLLECT_NLB",
                    "COLLECT_ELB",
                    "COLLECT_S3",
                    "COLLECT_LAMBDA",
                ]
                .map(|k| (k, "false")),
            )
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{event}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let response: serde_json::Value =
            serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        // Event time 05:00:00Z - 600 s settle delay -> window 03:50-04:50.
        assert_eq!(
            response["summary_key"],
            "metrics-summary/summary/dt=2026-11-23/20261123T045000Z-3600s.json",
            "{event}"
        );
        for field in [
            "resources",
            "series",
            "list_metrics_calls",
            "get_metric_data_calls",
            "metrics_requested",
        ] {
            assert_eq!(response[field], 0, "{event} {field}");
        }
        let key = response["summary_key"].as_str().unwrap();
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(key)).unwrap()).unwrap();
        assert_eq!(written["schema"], "metrics-collector.summary/v1");
        assert_eq!(written["complete"], true);
        assert!(dir
            .join("metrics-summary/resources/dt=2026-11-23/20261123T045000Z-3600s.jsonl")
            .is_file());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreachable_cloudwatch_is_a_list_metrics_failure_with_a_stable_error_type() {
    let dir = temp_dir("unreachable");
    let mut child = command(&dir)
        .args(["--event", "-"])
        .env("COLLECT_S3", "false")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"{}").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let error: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|_| panic!("{stderr}"));
    assert_eq!(error["errorType"], "MetricsCollector.ListMetricsFailed");
    assert!(!dir.exists(), "nothing written when discovery fails");
}

#[test]
fn invalid_configuration_stops_the_binary() {
    let output = command(&temp_dir("badconfig"))
        .args(["--event", "-"])
        .env("PERIOD", "90")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("PERIOD"));
}
