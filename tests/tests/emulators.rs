//! The emulator harness proven with the real AWS SDKs: CloudWatch through the CBOR bridge
//! (values, timestamps, request compression, modelled errors), S3 path-style, SNS → SQS,
//! Secrets Manager.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricDatum, MetricStat, StandardUnit,
};
use harness::aws::{
    create_bucket, create_queue, create_secret, create_topic, get_object, list_keys,
    receive_bodies, subscribe_queue,
};
use harness::{cloudwatch_client, s3_client, sdk_config, secrets_client, sns_client, sqs_client};
use harness::{CborBridge, Moto};

/// A whole minute a few minutes ago, so GetMetricData's period buckets line up exactly.
fn recent_minute(minutes_ago: u64) -> DateTime {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    DateTime::from_secs((now / 60 - minutes_ago) as i64 * 60)
}

fn alb_dimension() -> Dimension {
    Dimension::builder()
        .name("LoadBalancer")
        .value("app/web/0123456789abcdef")
        .build()
}

#[tokio::test]
async fn cloudwatch_put_list_and_get_metric_data_through_the_bridge() {
    let moto = Moto::start();
    let bridge = CborBridge::start(&moto);
    let config = sdk_config(&moto, Some(&bridge)).await;
    // Built exactly like the product does: from the shared config, no endpoint code.
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);

    let first = recent_minute(10);
    let second = recent_minute(9);
    for (at, value) in [(first, 120.0), (second, 80.5)] {
        cloudwatch
            .put_metric_data()
            .namespace("AWS/ApplicationELB")
            .metric_data(
                MetricDatum::builder()
                    .metric_name("RequestCount")
                    .dimensions(alb_dimension())
                    .timestamp(at)
                    .value(value)
                    .unit(StandardUnit::Count)
                    .build(),
            )
            .send()
            .await
            .expect("PutMetricData through the bridge");
    }

    let listed = cloudwatch
        .list_metrics()
        .namespace("AWS/ApplicationELB")
        .dimensions(DimensionFilter::builder().name("LoadBalancer").build())
        .send()
        .await
        .expect("ListMetrics");
    let metrics = listed.metrics();
    assert_eq!(metrics.len(), 1, "{metrics:?}");
    assert_eq!(metrics[0].metric_name(), Some("RequestCount"));
    assert_eq!(metrics[0].dimensions(), &[alb_dimension()]);

    let query = MetricDataQuery::builder()
        .id("requests")
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/ApplicationELB")
                        .metric_name("RequestCount")
                        .dimensions(alb_dimension())
                        .build(),
                )
                .period(60)
                .stat("Sum")
                .build(),
        )
        .build();
    let data = cloudwatch
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(recent_minute(30))
        .end_time(recent_minute(0))
        .send()
        .await
        .expect("GetMetricData");
    let results = data.metric_data_results();
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result.id(), Some("requests"));
    assert_eq!(
        result.status_code(),
        Some(&aws_sdk_cloudwatch::types::StatusCode::Complete)
    );
    let mut points: Vec<(i64, f64)> = result
        .timestamps()
        .iter()
        .map(|t| t.secs())
        .zip(result.values().iter().copied())
        .collect();
    points.sort_by_key(|p| p.0);
    assert_eq!(points, vec![(first.secs(), 120.0), (second.secs(), 80.5)]);
}

#[tokio::test]
async fn cloudwatch_large_compressed_put_metric_data_and_explicit_bridge_client() {
    let moto = Moto::start();
    let bridge = CborBridge::start(&moto);
    // Config without the bridge; the helper points the client at it explicitly.
    let config = sdk_config(&moto, None).await;
    let cloudwatch = cloudwatch_client(&config, &bridge);

    // 1,000 datums is far above the SDK's 10 KiB request-compression threshold (gzip body).
    let at = recent_minute(5);
    let datums: Vec<MetricDatum> = (0..1000)
        .map(|i| {
            MetricDatum::builder()
                .metric_name("Errors")
                .dimensions(
                    Dimension::builder()
                        .name("LogGroup")
                        .value(format!("/app/service-{i:04}"))
                        .build(),
                )
                .timestamp(at)
                .value(f64::from(i))
                .unit(StandardUnit::Count)
                .build()
        })
        .collect();
    cloudwatch
        .put_metric_data()
        .namespace("LogProcessor")
        .set_metric_data(Some(datums))
        .send()
        .await
        .expect("PutMetricData with 1,000 datums");

    let mut names = Vec::new();
    let mut pages = cloudwatch
        .list_metrics()
        .namespace("LogProcessor")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for metric in page.expect("ListMetrics page").metrics() {
            names.push(
                metric.dimensions()[0]
                    .value()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 1000, "every series is listed across pages");
    assert_eq!(names.first().map(String::as_str), Some("/app/service-0000"));
    assert_eq!(names.last().map(String::as_str), Some("/app/service-0999"));
}

#[tokio::test]
async fn cloudwatch_errors_reach_the_sdk_as_modelled_errors() {
    let moto = Moto::start();
    let bridge = CborBridge::start(&moto);
    let config = sdk_config(&moto, Some(&bridge)).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);

    // A modelled error: ListMetrics declares InvalidParameterValueException.
    let err = cloudwatch
        .list_metrics()
        .next_token("not-a-token")
        .send()
        .await
        .expect_err("a bogus NextToken is rejected");
    let service_error = err.into_service_error();
    assert!(
        service_error.is_invalid_parameter_value_exception(),
        "{service_error:?}"
    );
    assert_eq!(
        service_error.message(),
        Some("Request parameter NextToken is invalid")
    );

    // PutMetricData: Value and Values together are mutually exclusive.
    let err = cloudwatch
        .put_metric_data()
        .namespace("LogProcessor")
        .metric_data(
            MetricDatum::builder()
                .metric_name("Events")
                .value(1.0)
                .values(2.0)
                .build(),
        )
        .send()
        .await
        .expect_err("Value with Values is rejected");
    let service_error = err.into_service_error();
    assert!(
        service_error.is_invalid_parameter_value_exception(),
        "{service_error:?}"
    );

    // GetMetricData with EndTime before StartTime: an unmodelled service error whose code and
    // message still reach the caller intact.
    let query = MetricDataQuery::builder()
        .id("q")
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("LogProcessor")
                        .metric_name("Events")
                        .build(),
                )
                .period(60)
                .stat("Sum")
                .build(),
        )
        .build();
    let err = cloudwatch
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(recent_minute(0))
        .end_time(recent_minute(60))
        .send()
        .await
        .expect_err("EndTime before StartTime is rejected");
    let raw_status = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw_status, Some(400));
    let service_error = err.into_service_error();
    assert_eq!(service_error.code(), Some("ValidationError"));
    assert!(
        service_error
            .message()
            .unwrap_or_default()
            .contains("EndTime must be greater than StartTime"),
        "{service_error:?}"
    );
}

#[tokio::test]
async fn s3_put_and_get_path_style() {
    let moto = Moto::start();
    let config = sdk_config(&moto, None).await;
    let s3 = s3_client(&config);
    create_bucket(&s3, "summaries-test").await;
    let body = br#"{"schema":"test","n":1}"#.to_vec();
    s3.put_object()
        .bucket("summaries-test")
        .key("metrics/dt=2026-11-23/summary.json")
        .content_type("application/json")
        .body(body.clone().into())
        .send()
        .await
        .expect("PutObject");
    assert_eq!(
        get_object(&s3, "summaries-test", "metrics/dt=2026-11-23/summary.json").await,
        body
    );
    assert_eq!(
        list_keys(&s3, "summaries-test", "metrics/").await,
        vec!["metrics/dt=2026-11-23/summary.json".to_owned()]
    );
}

#[tokio::test]
async fn sns_publish_reaches_a_subscribed_sqs_queue() {
    let moto = Moto::start();
    let config = sdk_config(&moto, None).await;
    let sns = sns_client(&config);
    let sqs = sqs_client(&config);
    let topic = create_topic(&sns, "alerts").await;
    let queue = create_queue(&sqs, "alerts-tap").await;
    subscribe_queue(&sns, &topic, &queue).await;

    sns.publish()
        .topic_arn(&topic)
        .subject("Brute force from 203.0.113.7")
        .message(r#"{"kind":"brute_force"}"#)
        .message_attributes(
            "kind",
            aws_sdk_sns::types::MessageAttributeValue::builder()
                .data_type("String")
                .string_value("brute_force")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("Publish");

    let bodies = receive_bodies(&sqs, &queue, 1, Duration::from_secs(10)).await;
    assert_eq!(bodies.len(), 1);
    let envelope: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], topic.as_str());
    assert_eq!(envelope["Subject"], "Brute force from 203.0.113.7");
    assert_eq!(envelope["Message"], r#"{"kind":"brute_force"}"#);
    assert_eq!(
        envelope["MessageAttributes"]["kind"]["Value"],
        "brute_force"
    );
}

#[tokio::test]
async fn secrets_manager_round_trip() {
    let moto = Moto::start();
    let config = sdk_config(&moto, None).await;
    let secrets = secrets_client(&config);
    let arn = create_secret(&secrets, "slack-webhook", "http://127.0.0.1:1/hook").await;
    let value = secrets
        .get_secret_value()
        .secret_id(&arn)
        .send()
        .await
        .expect("GetSecretValue");
    assert_eq!(value.secret_string(), Some("http://127.0.0.1:1/hook"));
}
