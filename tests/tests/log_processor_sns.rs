//! log-processor against moto: the real SNS adapter publishes the alerts of the sample brute
//! force + error event to a topic with an SQS queue subscribed; the alerts are read back from
//! the queue (SNS notification envelope) and checked field by field. A second test runs
//! METRICS_MODE=api through the CBOR bridge and reads the datums back with GetMetricStatistics.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudwatch::primitives::DateTime as SdkTime;
use aws_sdk_cloudwatch::types::{Dimension, Statistic};
use harness::aws::{create_queue, create_topic, receive_bodies, subscribe_queue};
use harness::{sdk_config, sns_client, sqs_client, CborBridge, Moto};
use log_processor::adapters::{CloudWatchMetrics, NoMetrics, SnsPublisher};
use log_processor::{Config, IncomingEvent, Processor, Response};
use serde_json::Value;
use shared::alert::{Alert, AlertKind, Severity, ALERT_SCHEMA_V1};

fn event_file(name: &str) -> IncomingEvent {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn attribute(envelope: &Value, name: &str) -> String {
    let attr = &envelope["MessageAttributes"][name];
    assert_eq!(attr["Type"], "String", "attribute {name}: {attr}");
    attr["Value"]
        .as_str()
        .unwrap_or_else(|| panic!("attribute {name}: {attr}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_reach_an_sqs_queue_through_sns() {
    let moto = Moto::start();
    let sdk = sdk_config(&moto, None).await;
    let sns = sns_client(&sdk);
    let sqs = sqs_client(&sdk);
    let topic_arn = create_topic(&sns, "log-processor-alerts").await;
    let queue = create_queue(&sqs, "alerts-inbox").await;
    subscribe_queue(&sns, &topic_arn, &queue).await;

    let config = Config {
        alert_topic_arn: Some(topic_arn.clone()),
        region: Some("us-east-1".into()),
        ..Config::default()
    };
    let processor = Processor::new(
        config,
        Arc::new(NoMetrics),
        Arc::new(SnsPublisher {
            client: sns_client(&sdk),
            topic_arn: topic_arn.clone(),
        }),
    );
    let response = processor
        .handle(event_file("cwl-syslog-brute-force-and-errors.json"))
        .await
        .unwrap_or_else(|e| panic!("handler failed: {e}\nmoto log:\n{}", moto.log_tail(3000)));
    let Response::Direct(response) = response else {
        panic!("direct response expected")
    };
    assert_eq!(response.alerts_published, 2);

    let bodies = receive_bodies(&sqs, &queue, 2, Duration::from_secs(20)).await;
    assert_eq!(bodies.len(), 2, "messages in the queue: {bodies:?}");
    let mut envelopes: Vec<Value> = bodies
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    envelopes.sort_by_key(|e| attribute(e, "kind"));

    // --- brute force
    let envelope = &envelopes[0];
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], topic_arn.as_str());
    assert_eq!(
        envelope["Subject"],
        "[HIGH] Brute force: 27 failed logins from 2 sources in /ec2/bastion/syslog"
    );
    assert_eq!(attribute(envelope, "kind"), "brute_force");
    assert_eq!(attribute(envelope, "severity"), "high");
    assert_eq!(attribute(envelope, "log_group"), "/ec2/bastion/syslog");
    let alert: Alert = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    let raw: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    assert_eq!(raw["schema"], ALERT_SCHEMA_V1);
    assert_eq!(alert.kind, AlertKind::BruteForce);
    assert_eq!(alert.severity, Severity::High);
    assert_eq!(alert.log_group, "/ec2/bastion/syslog");
    assert_eq!(alert.log_streams, ["i-0a1b2c3d4e5f60718"]);
    assert_eq!(alert.account.as_deref(), Some("123456789012"));
    assert_eq!(alert.region.as_deref(), Some("us-east-1"));
    assert_eq!(alert.count, 27);
    assert_eq!(alert.threshold, 5);
    assert_eq!(alert.events_in_batch, 56);
    assert_eq!(alert.suppressed_alerts, 0);
    assert_eq!(alert.more_sources, 0);
    assert_eq!(alert.sources.len(), 2);
    let top = &alert.sources[0];
    assert_eq!(top.source, "203.0.113.7");
    assert_eq!(top.count, 15);
    assert_eq!(
        top.users,
        ["root", "admin", "oracle", "test", "ubuntu", "postgres", "git", "deploy"]
    );
    assert_eq!(
        top.first_seen.unwrap().to_rfc3339(),
        "2025-11-23T04:00:00+00:00"
    );
    assert!(top.last_seen > top.first_seen);
    assert_eq!(alert.sources[1].source, "198.51.100.23");
    assert_eq!(alert.sources[1].count, 12);
    assert_eq!(alert.sources[1].users, ["admin"]);
    assert_eq!(alert.first_seen, top.first_seen);
    assert_eq!(alert.samples.len(), 2);
    assert!(
        alert.samples[0].message.contains("203.0.113.7"),
        "{:?}",
        alert.samples[0]
    );
    assert_eq!(
        alert.samples[0].log_stream.as_deref(),
        Some("i-0a1b2c3d4e5f60718")
    );
    assert!(
        alert
            .summary
            .starts_with("2 sources made 27 failed logins in /ec2/bastion/syslog"),
        "{}",
        alert.summary
    );

    // --- error burst
    let envelope = &envelopes[1];
    assert_eq!(
        envelope["Subject"],
        "[MEDIUM] Error burst: 11 errors in /ec2/bastion/syslog"
    );
    assert_eq!(attribute(envelope, "kind"), "error_burst");
    assert_eq!(attribute(envelope, "severity"), "medium");
    let alert: Alert = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    assert_eq!(alert.kind, AlertKind::ErrorBurst);
    assert_eq!(alert.count, 11);
    assert_eq!(alert.threshold, 10);
    assert!(alert.sources.is_empty());
    assert_eq!(alert.samples.len(), 3);
    for sample in &alert.samples {
        assert!(sample.message.chars().count() <= 500);
        assert!(
            sample.message.contains("ERROR [orders.sync]"),
            "{}",
            sample.message
        );
        assert!(
            sample.message.contains("token=[REDACTED]"),
            "{}",
            sample.message
        );
        assert!(sample.timestamp.is_some());
    }

    // A second delivery of the same batch in this warm container is held back by the cooldown.
    let again = processor
        .handle(event_file("cwl-syslog-brute-force-and-errors.json"))
        .await
        .unwrap();
    let Response::Direct(again) = again else {
        panic!()
    };
    assert_eq!(again.alerts_published, 0);
    assert!(receive_bodies(&sqs, &queue, 1, Duration::from_secs(2))
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_to_a_missing_topic_fails_the_invocation() {
    let moto = Moto::start();
    let sdk = sdk_config(&moto, None).await;
    let topic_arn = "arn:aws:sns:us-east-1:123456789012:does-not-exist".to_owned();
    let processor = Processor::new(
        Config {
            alert_topic_arn: Some(topic_arn.clone()),
            ..Config::default()
        },
        Arc::new(NoMetrics),
        Arc::new(SnsPublisher {
            client: sns_client(&sdk),
            topic_arn,
        }),
    );
    let err = processor
        .handle(event_file("cwl-syslog-brute-force-and-errors.json"))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "AlertPublishFailed");
    assert!(err.to_string().contains("does-not-exist"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_mode_puts_metric_data_through_the_real_sdk() {
    let moto = Moto::start();
    let bridge = CborBridge::start(&moto);
    let sdk = sdk_config(&moto, Some(&bridge)).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk);
    let processor = Processor::new(
        Config::default(),
        Arc::new(CloudWatchMetrics {
            client: cloudwatch.clone(),
            namespace: "LogProcessorTest".into(),
        }),
        Arc::new(log_processor::adapters::LogOnlyPublisher),
    );
    processor
        .handle(event_file("kinesis-cwl-batch.json"))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "handler failed: {e}\nbridge log:\n{}",
                bridge.log_tail(3000)
            )
        });

    let now = chrono::Utc::now().timestamp();
    let sum = |metric: &'static str, group: &'static str| {
        let cloudwatch = cloudwatch.clone();
        async move {
            let out = cloudwatch
                .get_metric_statistics()
                .namespace("LogProcessorTest")
                .metric_name(metric)
                .dimensions(Dimension::builder().name("LogGroup").value(group).build())
                .start_time(SdkTime::from_secs(now - 600))
                .end_time(SdkTime::from_secs(now + 600))
                .period(60)
                .statistics(Statistic::Sum)
                .send()
                .await
                .unwrap_or_else(|e| panic!("GetMetricStatistics {metric}: {e:?}"));
            out.datapoints().iter().filter_map(|d| d.sum()).sum::<f64>()
        }
    };
    assert_eq!(sum("Events", "/ecs/shop/nginx").await, 40.0);
    assert_eq!(sum("Http5xx", "/ecs/shop/nginx").await, 7.0);
    assert_eq!(sum("Errors", "/ecs/shop/nginx").await, 7.0);
    assert_eq!(sum("FailedLogins", "/ecs/shop/nginx").await, 0.0);
    assert_eq!(sum("Events", "/aws/lambda/checkout").await, 6.0);
    assert_eq!(sum("Errors", "/aws/lambda/checkout").await, 3.0);

    let listed = cloudwatch
        .list_metrics()
        .namespace("LogProcessorTest")
        .send()
        .await
        .unwrap();
    for metric in listed.metrics() {
        let names: Vec<&str> = metric
            .dimensions()
            .iter()
            .filter_map(|d| d.name())
            .collect();
        assert_eq!(
            names,
            ["LogGroup"],
            "only the LogGroup dimension: {metric:?}"
        );
    }
    assert_eq!(listed.metrics().len(), 8);
}
