//! alarm-notifier delivery against a local Slack webhook (harness::SlackSink), through the real
//! reqwest adapter: one POST per message, 429 + Retry-After, 5xx retries, plain-text fallback
//! on invalid_blocks, permanent 4xx, timeouts, NOTIFY_ON_OK, and the webhook URL absent from
//! every log line and error.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use alarm_notifier::delivery::RetryPolicy;
use alarm_notifier::{Config, HandlerError, Notifier};
use harness::slack_sink::{ScriptedResponse, WEBHOOK_PATH};
use harness::SlackSink;
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde_json::{json, Value};

fn event_file(name: &str) -> Value {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../shared/src/slack/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        base_backoff: Duration::from_millis(40),
        max_backoff: Duration::from_millis(200),
        request_timeout: Duration::from_secs(5),
        ..RetryPolicy::default()
    }
}

async fn notifier(url: &str, extra: &[(&str, &str)]) -> Notifier {
    let mut env: HashMap<String, String> =
        HashMap::from([("SLACK_WEBHOOK_URL".into(), url.to_owned())]);
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    let config = Config::from_env(&move |k: &str| env.get(k).cloned()).unwrap();
    alarm_notifier::build(&config).await.unwrap()
}

/// A context whose deadline is `secs` from now, like Lambda's.
fn context(secs: u64) -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "test-request".into();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    ctx.deadline = (now + Duration::from_secs(secs)).as_millis() as u64;
    ctx
}

async fn invoke(
    n: &Notifier,
    event: Value,
    deadline_secs: u64,
) -> Result<alarm_notifier::Response, HandlerError> {
    n.handle(LambdaEvent::new(event, context(deadline_secs)))
        .await
}

#[tokio::test]
async fn one_post_per_record_with_blocks_and_text() {
    let sink = SlackSink::start();
    let n = notifier(sink.url(), &[("SLACK_MENTION", "<!here>")])
        .await
        .with_policy(fast_policy());
    let response = invoke(&n, event_file("sns-backup-multi-record.json"), 30)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"delivered": 2})
    );
    let requests = sink.requests();
    assert_eq!(requests.len(), 2, "exactly one POST per record");
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, WEBHOOK_PATH);
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        let body = r.json();
        assert!(body["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(body["blocks"].is_array());
    }
    assert!(requests[0].body.contains("completed successfully"));
    assert!(requests[1].body.contains("failed"));

    let response = invoke(&n, event_file("sns-cloudwatch-metric-alarm.json"), 30)
        .await
        .unwrap();
    assert_eq!(response.delivered, 1);
    let alarm = sink.requests()[2].json();
    assert!(
        alarm["text"].as_str().unwrap().starts_with("<!here> "),
        "{alarm}"
    );
    assert!(alarm["text"]
        .as_str()
        .unwrap()
        .contains("Errors Sum ≥ 5 for 2 of 3 periods of 5 min"));
    assert_eq!(alarm["attachments"][0]["color"], "#D00000");
}

#[tokio::test]
async fn rate_limited_waits_retry_after_then_delivers() {
    let sink = SlackSink::start_with(vec![ScriptedResponse::rate_limited(1)]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let response = invoke(&n, event_file("sns-cloudwatch-composite-alarm.json"), 30)
        .await
        .unwrap();
    assert_eq!(response.delivered, 1);
    let requests = sink.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].received_at - requests[0].received_at;
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    assert_eq!(
        requests[0].body, requests[1].body,
        "the same message is retried"
    );
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_fails_without_waiting() {
    let sink = SlackSink::start_with(vec![ScriptedResponse::rate_limited(30)]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let started = Instant::now();
    let err = invoke(&n, event_file("sns-cloudwatch-metric-alarm.json"), 5)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("rate_limited"), "{err}");
    assert_eq!(err.error_type(), "SlackDeliveryFailed");
    assert_eq!(sink.request_count(), 1);
}

#[tokio::test]
async fn server_errors_three_times_fail_naming_the_code() {
    let sink = SlackSink::start_with(vec![ScriptedResponse::server_error(); 3]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let err = invoke(&n, event_file("sns-cloudwatch-metric-alarm.json"), 30)
        .await
        .unwrap_err();
    assert_eq!(sink.request_count(), 3, "3 attempts");
    let message = err.to_string();
    assert!(
        message.contains("rollup_error") && message.contains("HTTP 500"),
        "{message}"
    );
    let diagnostic: Diagnostic = err.into();
    assert_eq!(diagnostic.error_type, "SlackDeliveryFailed");
}

#[tokio::test]
async fn a_server_error_then_success_is_delivered() {
    let sink = SlackSink::start_with(vec![ScriptedResponse::new(503, "service_unavailable")]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let response = invoke(&n, event_file("sns-log-processor-brute-force.json"), 30)
        .await
        .unwrap();
    assert_eq!(response.delivered, 1);
    assert_eq!(sink.request_count(), 2);
}

#[tokio::test]
async fn invalid_blocks_falls_back_to_plain_text() {
    let sink = SlackSink::start_with(vec![ScriptedResponse::invalid_blocks()]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let response = invoke(&n, event_file("sns-cloudwatch-anomaly-alarm.json"), 30)
        .await
        .unwrap();
    assert_eq!(response.delivered, 1);
    let requests = sink.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].json()["blocks"].is_array());
    let plain = requests[1].json();
    assert!(
        plain.get("blocks").is_none() && plain.get("attachments").is_none(),
        "{plain}"
    );
    let text = plain["text"].as_str().unwrap();
    assert!(text.contains("ALARM: orders-pod-cpu-anomaly"), "{text}");
    assert!(text.contains("outside the anomaly band"), "{text}");
}

#[tokio::test]
async fn invalid_payload_twice_is_an_error() {
    let sink = SlackSink::start_with(vec![
        ScriptedResponse::invalid_payload(),
        ScriptedResponse::invalid_payload(),
    ]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let err = invoke(&n, event_file("sns-cloudwatch-metric-alarm.json"), 30)
        .await
        .unwrap_err();
    assert_eq!(sink.request_count(), 2, "one plain-text retry only");
    assert!(err.to_string().contains("invalid_payload"), "{err}");
    assert_eq!(err.error_type(), "SlackRejected");
}

#[tokio::test]
async fn archived_channel_is_permanent_and_not_retried() {
    let sink = SlackSink::start_with(vec![ScriptedResponse::channel_is_archived()]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let err = invoke(&n, event_file("sns-cloudwatch-metric-alarm.json"), 30)
        .await
        .unwrap_err();
    // Give a wrongly scheduled retry the chance to show up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.request_count(), 1);
    let message = err.to_string();
    assert!(
        message.contains("channel_is_archived")
            && message.contains("HTTP 410")
            && message.contains("permanent"),
        "{message}"
    );
    assert_eq!(err.error_type(), "SlackRejected");
}

#[tokio::test]
async fn one_failed_record_fails_the_invocation_but_the_others_are_delivered() {
    let sink = SlackSink::start_with(vec![
        ScriptedResponse::ok(),
        ScriptedResponse::channel_not_found(),
    ]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let err = invoke(&n, event_file("sns-backup-multi-record.json"), 30)
        .await
        .unwrap_err();
    assert_eq!(sink.request_count(), 2);
    let message = err.to_string();
    assert!(
        message.starts_with("1 of 2 messages not delivered"),
        "{message}"
    );
    assert!(
        message.contains("record 2") && message.contains("channel_not_found"),
        "{message}"
    );
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let slow = ScriptedResponse::ok().delayed(Duration::from_millis(1_500));
    let sink = SlackSink::start_with(vec![slow.clone(), slow.clone(), slow]);
    let n = notifier(sink.url(), &[]).await.with_policy(RetryPolicy {
        request_timeout: Duration::from_millis(300),
        ..fast_policy()
    });
    let err = invoke(&n, event_file("sns-cloudwatch-metric-alarm.json"), 30)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("timeout"), "{err}");
    assert_eq!(sink.wait_for(3, Duration::from_secs(2)).len(), 3);
}

#[tokio::test]
async fn ok_messages_are_skipped_when_notify_on_ok_is_false() {
    let sink = SlackSink::start();
    let n = notifier(sink.url(), &[("NOTIFY_ON_OK", "false")])
        .await
        .with_policy(fast_policy());
    let ok_event = fixture("metric_alarm_legacy.json");
    let response = invoke(&n, ok_event.clone(), 30).await.unwrap();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({"delivered": 0, "skipped": 1})
    );
    assert_eq!(sink.request_count(), 0);
    // Default: OK is posted.
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    assert_eq!(invoke(&n, ok_event, 30).await.unwrap().delivered, 1);
    assert_eq!(sink.request_count(), 1);
}

#[tokio::test]
async fn an_http_subscription_envelope_and_an_empty_event_are_handled() {
    let sink = SlackSink::start();
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    let response = invoke(&n, fixture("metric_alarm_http_envelope.json"), 30)
        .await
        .unwrap();
    assert_eq!(response.delivered, 1);
    let response = invoke(&n, json!({"Records": []}), 30).await.unwrap();
    assert_eq!(response.delivered, 0);
    assert_eq!(sink.request_count(), 1);
}

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_webhook_url_never_appears_in_logs_or_errors() {
    use lambda_runtime::tracing::subscriber;
    use subscriber::util::SubscriberInitExt;

    let captured = Captured::default();
    let writer = captured.clone();
    let _guard = subscriber::fmt()
        .with_max_level(lambda_runtime::tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();

    let token = WEBHOOK_PATH.rsplit('/').next().unwrap();
    let mut errors = Vec::new();

    // Success, 429, 5xx, invalid_blocks fallback, permanent 4xx, timeouts.
    let sink = SlackSink::start_with(vec![
        ScriptedResponse::rate_limited(1),
        ScriptedResponse::server_error(),
        ScriptedResponse::invalid_blocks(),
        ScriptedResponse::server_error(),
        ScriptedResponse::server_error(),
        ScriptedResponse::server_error(),
        ScriptedResponse::channel_is_archived(),
    ]);
    let n = notifier(sink.url(), &[]).await.with_policy(fast_policy());
    for file in [
        "sns-cloudwatch-metric-alarm.json",
        "sns-cloudwatch-metric-alarm.json",
        "sns-cloudwatch-metric-alarm.json",
        "sns-cloudwatch-metric-alarm.json",
    ] {
        if let Err(e) = invoke(&n, event_file(file), 30).await {
            errors.push(e.to_string());
        }
    }
    assert_eq!(errors.len(), 2, "{errors:?}");

    // Connection refused: a port nobody listens on, with the same secret path.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let n = notifier(&format!("http://127.0.0.1:{closed}{WEBHOOK_PATH}"), &[])
        .await
        .with_policy(fast_policy());
    let err = invoke(&n, event_file("sns-cloudwatch-metric-alarm.json"), 30)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("connect_error"), "{err}");
    errors.push(err.to_string());
    let diagnostic: Diagnostic = err.into();
    errors.push(diagnostic.error_message);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("delivered to Slack"),
        "logs were captured:\n{logs}"
    );
    assert!(logs.contains("not delivered to Slack"), "{logs}");
    for text in errors.iter().chain(std::iter::once(&logs)) {
        assert!(!text.contains(token), "webhook token leaked:\n{text}");
        assert!(!text.contains(WEBHOOK_PATH), "webhook path leaked:\n{text}");
        assert!(!text.contains(sink.url()), "webhook URL leaked:\n{text}");
    }
}
