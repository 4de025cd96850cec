//! Handler tests with fake ports: counts, alerts, cooldown, failure semantics, sample events.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lambda_runtime::Diagnostic;
use log_processor::handler::{AwsLogsField, KinesisPayload, KinesisRecord};
use log_processor::{
    AlertPublisher, Config, Delivery, IncomingEvent, MetricsSink, OutgoingAlert, Processor,
    Response, SinkError,
};
use shared::alert::{Alert, AlertKind};
use shared::logs::decode::encode;
use shared::logs::metrics::GroupMetrics;

#[derive(Default)]
struct FakeMetrics {
    calls: Mutex<Vec<Vec<GroupMetrics>>>,
    fail: Mutex<bool>,
}

#[async_trait]
impl MetricsSink for FakeMetrics {
    async fn put(&self, metrics: &[GroupMetrics]) -> Result<(), SinkError> {
        if *self.fail.lock().unwrap() {
            return Err(SinkError(
                "CloudWatch PutMetricData failed: throttled".into(),
            ));
        }
        self.calls.lock().unwrap().push(metrics.to_vec());
        Ok(())
    }
}

#[derive(Default)]
struct FakeSns {
    published: Mutex<Vec<OutgoingAlert>>,
    fail: Mutex<bool>,
}

#[async_trait]
impl AlertPublisher for FakeSns {
    async fn publish(&self, alert: &OutgoingAlert) -> Result<Delivery, SinkError> {
        if *self.fail.lock().unwrap() {
            return Err(SinkError("SNS Publish failed: AuthorizationError".into()));
        }
        let mut published = self.published.lock().unwrap();
        published.push(alert.clone());
        Ok(Delivery::Published {
            message_id: format!("msg-{}", published.len()),
        })
    }
}

static CLOCK_MS: AtomicI64 = AtomicI64::new(1_763_870_400_000);
fn test_clock() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(CLOCK_MS.load(Ordering::SeqCst)).unwrap()
}

struct Rig {
    processor: Processor,
    metrics: Arc<FakeMetrics>,
    sns: Arc<FakeSns>,
}

fn rig(config: Config) -> Rig {
    let metrics = Arc::new(FakeMetrics::default());
    let sns = Arc::new(FakeSns::default());
    let processor = Processor::new(config, metrics.clone(), sns.clone()).with_clock(test_clock);
    Rig {
        processor,
        metrics,
        sns,
    }
}

fn event_file(name: &str) -> IncomingEvent {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn direct(doc: &serde_json::Value) -> IncomingEvent {
    IncomingEvent {
        awslogs: Some(AwsLogsField {
            data: encode(doc.to_string().as_bytes()).into(),
        }),
        records: None,
    }
}

fn doc(group: &str, lines: &[&str]) -> serde_json::Value {
    let events: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, m)| serde_json::json!({"id": i.to_string(), "timestamp": 1_763_870_400_000i64 + i as i64, "message": m}))
        .collect();
    serde_json::json!({"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":group,"logStream":"s-1","subscriptionFilters":["f"],"logEvents":events})
}

fn direct_response(r: Response) -> shared::logs::response::DirectResponse {
    match r {
        Response::Direct(d) => d,
        other => panic!("expected a direct response, got {other:?}"),
    }
}

#[tokio::test]
async fn sample_direct_event_counts_and_alerts() {
    let rig = rig(Config::default());
    let response = direct_response(
        rig.processor
            .handle(event_file("cwl-syslog-brute-force-and-errors.json"))
            .await
            .unwrap(),
    );
    assert_eq!(response.log_group, "/ec2/bastion/syslog");
    assert_eq!(response.log_stream, "i-0a1b2c3d4e5f60718");
    assert_eq!(response.events, 56);
    assert_eq!(response.errors, 11);
    assert_eq!(response.failed_logins, 34);
    assert_eq!(response.http_5xx, 0);
    assert_eq!(response.alerts_published, 2);

    let json = serde_json::to_value(Response::Direct(response.clone())).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7);
    for k in [
        "log_group",
        "log_stream",
        "events",
        "errors",
        "failed_logins",
        "http_5xx",
        "alerts_published",
    ] {
        assert!(json.get(k).is_some(), "missing {k}");
    }

    let published = rig.sns.published.lock().unwrap();
    assert_eq!(published.len(), 2);
    let brute = &published[0];
    assert_eq!(brute.alert.kind, AlertKind::BruteForce);
    let sources: Vec<(&str, u64)> = brute
        .alert
        .sources
        .iter()
        .map(|s| (s.source.as_str(), s.count))
        .collect();
    assert_eq!(sources, [("203.0.113.7", 15), ("198.51.100.23", 12)]);
    assert_eq!(
        brute.alert.sources[0].users,
        ["root", "admin", "oracle", "test", "ubuntu", "postgres", "git", "deploy"]
    );
    assert_eq!(brute.alert.sources[1].users, ["admin"]);
    assert!(brute.subject.chars().count() <= 100);
    assert_eq!(brute.attributes[0], ("kind", "brute_force".to_owned()));
    let body: Alert = serde_json::from_str(&brute.message).unwrap();
    assert_eq!(body, brute.alert);

    let burst = &published[1];
    assert_eq!(burst.alert.kind, AlertKind::ErrorBurst);
    assert_eq!(burst.alert.count, 11);
    assert_eq!(burst.alert.samples.len(), 3);
    for s in &burst.alert.samples {
        assert!(s.message.contains("token=[REDACTED]"), "{}", s.message);
        assert!(!s.message.contains("tok_"), "{}", s.message);
    }

    let calls = rig.metrics.calls.lock().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].len(), 1);
    assert_eq!(calls[0][0].log_group, "/ec2/bastion/syslog");
    assert_eq!(calls[0][0].counts.failed_logins, 34);
}

#[tokio::test]
async fn control_message_is_acknowledged_without_metrics_or_alerts() {
    let rig = rig(Config::default());
    let response = direct_response(
        rig.processor
            .handle(event_file("cwl-control-message.json"))
            .await
            .unwrap(),
    );
    assert_eq!(response.events, 0);
    assert_eq!(response.alerts_published, 0);
    assert!(rig.metrics.calls.lock().unwrap().is_empty());
    assert!(rig.sns.published.lock().unwrap().is_empty());
}

#[tokio::test]
async fn sample_kinesis_event_aggregates_per_group() {
    let rig = rig(Config::default());
    let response = rig
        .processor
        .handle(event_file("kinesis-cwl-batch.json"))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        serde_json::json!({"batchItemFailures": []})
    );
    let calls = rig.metrics.calls.lock().unwrap();
    let groups: Vec<(&str, u64, u64, u64)> = calls[0]
        .iter()
        .map(|g| {
            (
                g.log_group.as_str(),
                g.counts.events,
                g.counts.errors,
                g.counts.http_5xx,
            )
        })
        .collect();
    // nginx: 40 lines, 4 × 502 and 3 × 504 (a 503 byte size does not count); lambda: ERROR,
    // timeout line and REPORT Status: timeout.
    assert_eq!(
        groups,
        [
            ("/ecs/shop/nginx", 40, 7, 7),
            ("/aws/lambda/checkout", 6, 3, 0)
        ]
    );
    assert!(rig.sns.published.lock().unwrap().is_empty());
}

#[tokio::test]
async fn malformed_kinesis_records_become_batch_item_failures() {
    let rig = rig(Config::default());
    let response = rig
        .processor
        .handle(event_file("kinesis-cwl-malformed-records.json"))
        .await
        .unwrap();
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"batchItemFailures": [
            {"itemIdentifier": "49590330925782350492173967162981340824537062796223030099"},
            {"itemIdentifier": "49590330925782350492173967162981340824537062796223030100"}
        ]})
    );
    // The good record was still processed.
    let calls = rig.metrics.calls.lock().unwrap();
    assert_eq!(calls[0][0].log_group, "/ecs/shop/nginx");
    assert_eq!(calls[0][0].counts.events, 40);
}

#[tokio::test]
async fn kinesis_record_without_data_fails_alone_and_without_sequence_fails_the_batch() {
    let rig = rig(Config::default());
    let event = IncomingEvent {
        awslogs: None,
        records: Some(vec![KinesisRecord {
            kinesis: Some(KinesisPayload {
                data: None,
                sequence_number: Some("1".into()),
            }),
        }]),
    };
    let json = serde_json::to_value(rig.processor.handle(event).await.unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": "1"}]})
    );

    let event = IncomingEvent {
        awslogs: None,
        records: Some(vec![KinesisRecord {
            kinesis: Some(KinesisPayload {
                data: Some("x".into()),
                sequence_number: None,
            }),
        }]),
    };
    let err = rig.processor.handle(event).await.unwrap_err();
    assert_eq!(err.error_type(), "MissingSequenceNumber");
}

#[tokio::test]
async fn malformed_direct_payloads_are_clear_errors() {
    let rig = rig(Config {
        max_decompressed_bytes: 4096,
        ..Config::default()
    });
    let big = doc("/g", &[&"x".repeat(10_000)]);
    let cases = [
        ("!!!not base64", "base64"),
        ("aGVsbG8gd29ybGQ=", "gzip"),
        (&encode(b"{not json")[..], "json"),
        (
            &encode(big.to_string().as_bytes())[..],
            "MAX_DECOMPRESSED_BYTES",
        ),
    ];
    for (data, expected) in cases {
        let event = IncomingEvent {
            awslogs: Some(AwsLogsField { data: data.into() }),
            records: None,
        };
        let err = rig.processor.handle(event).await.unwrap_err();
        assert_eq!(err.error_type(), "MalformedPayload");
        let diagnostic: Diagnostic = err.into();
        assert_eq!(diagnostic.error_type, "MalformedPayload");
        assert!(
            diagnostic.error_message.contains(expected),
            "{expected}: {}",
            diagnostic.error_message
        );
    }
    let err = rig
        .processor
        .handle(IncomingEvent::default())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "UnrecognisedEvent");
    assert!(rig.metrics.calls.lock().unwrap().is_empty());
}

fn burst_event() -> IncomingEvent {
    let lines: Vec<String> = (0..12).map(|i| format!("ERROR job {i} failed")).collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    direct(&doc("/app", &refs))
}

#[tokio::test]
async fn sns_failure_fails_the_invocation_and_emits_no_metrics() {
    let rig = rig(Config::default());
    *rig.sns.fail.lock().unwrap() = true;
    let err = rig.processor.handle(burst_event()).await.unwrap_err();
    assert_eq!(err.error_type(), "AlertPublishFailed");
    assert!(err.to_string().contains("AuthorizationError"));
    assert!(
        rig.metrics.calls.lock().unwrap().is_empty(),
        "metrics wait for the retry"
    );
    // The retry (Lambda's) succeeds once SNS is back, and the alert was not lost to the cooldown.
    *rig.sns.fail.lock().unwrap() = false;
    let ok = direct_response(rig.processor.handle(burst_event()).await.unwrap());
    assert_eq!(ok.alerts_published, 1);
}

#[tokio::test]
async fn metrics_failure_fails_the_invocation_and_the_retry_does_not_repeat_the_alert() {
    let rig = rig(Config::default());
    *rig.metrics.fail.lock().unwrap() = true;
    let err = rig.processor.handle(burst_event()).await.unwrap_err();
    assert_eq!(err.error_type(), "MetricsPublishFailed");
    assert_eq!(rig.sns.published.lock().unwrap().len(), 1);
    *rig.metrics.fail.lock().unwrap() = false;
    let ok = direct_response(rig.processor.handle(burst_event()).await.unwrap());
    assert_eq!(ok.alerts_published, 0);
    assert_eq!(rig.sns.published.lock().unwrap().len(), 1);
    assert_eq!(rig.metrics.calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn cooldown_holds_back_repeats_in_a_warm_container() {
    let rig = rig(Config {
        alert_cooldown_seconds: 300,
        ..Config::default()
    });
    let start = 1_800_000_000_000;
    CLOCK_MS.store(start, Ordering::SeqCst);
    assert_eq!(
        direct_response(rig.processor.handle(burst_event()).await.unwrap()).alerts_published,
        1
    );
    CLOCK_MS.store(start + 60_000, Ordering::SeqCst);
    assert_eq!(
        direct_response(rig.processor.handle(burst_event()).await.unwrap()).alerts_published,
        0
    );
    CLOCK_MS.store(start + 120_000, Ordering::SeqCst);
    assert_eq!(
        direct_response(rig.processor.handle(burst_event()).await.unwrap()).alerts_published,
        0
    );
    CLOCK_MS.store(start + 301_000, Ordering::SeqCst);
    assert_eq!(
        direct_response(rig.processor.handle(burst_event()).await.unwrap()).alerts_published,
        1
    );
    let published = rig.sns.published.lock().unwrap();
    assert_eq!(published.len(), 2);
    assert_eq!(published[1].alert.suppressed_alerts, 2);
    assert_eq!(published[1].alert.suppressed_events, 24);
    // Metrics are never suppressed.
    assert_eq!(rig.metrics.calls.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn without_a_topic_alerts_are_logged_not_published() {
    let metrics = Arc::new(FakeMetrics::default());
    let processor = Processor::new(
        Config::default(),
        metrics.clone(),
        Arc::new(log_processor::adapters::LogOnlyPublisher),
    );
    let response = direct_response(processor.handle(burst_event()).await.unwrap());
    assert_eq!(response.errors, 12);
    assert_eq!(response.alerts_published, 0);
    assert_eq!(metrics.calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn empty_log_events_still_answer() {
    let rig = rig(Config::default());
    let response = direct_response(
        rig.processor
            .handle(direct(&doc("/quiet", &[])))
            .await
            .unwrap(),
    );
    assert_eq!(response.log_group, "/quiet");
    assert_eq!(response.events, 0);
}
