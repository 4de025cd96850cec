//! The CloudWatch adapter and the handler against the real SDK client with stubbed responses
//! (aws-smithy-mocks): paging, PartialData, Messages, throttling and failures that moto cannot
//! produce.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_cloudwatch::config::retry::RetryConfig;
use aws_sdk_cloudwatch::error::ErrorMetadata;
use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataError, GetMetricDataOutput};
use aws_sdk_cloudwatch::operation::list_metrics::{ListMetricsError, ListMetricsOutput};
use aws_sdk_cloudwatch::primitives::DateTime as SdkTime;
use aws_sdk_cloudwatch::types::{Dimension, MessageData, Metric, MetricDataResult, StatusCode};
use aws_sdk_cloudwatch::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use chrono::{DateTime, Utc};
use metrics_collector::cloudwatch::{AttemptCounter, CloudWatchSource};
use metrics_collector::ports::{StoreError, SummaryStore};
use metrics_collector::{Collector, Config, HandlerError};
use shared::summary::Summary;

/// 2026-11-23T05:10:00Z: window 04:00-05:00 with the default 600 s settle delay.
const ANCHOR: i64 = 1_795_410_600;
const WINDOW_START: i64 = 1_795_406_400;

#[derive(Default)]
struct MemoryStore {
    objects: Mutex<HashMap<String, Vec<u8>>>,
    fail_puts: bool,
}

#[async_trait]
impl SummaryStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.objects.lock().unwrap().get(key).cloned())
    }
    async fn put(&self, key: &str, body: Vec<u8>, _: &'static str) -> Result<(), StoreError> {
        if self.fail_puts {
            return Err(StoreError {
                location: key.into(),
                message: "AccessDenied".into(),
            });
        }
        self.objects.lock().unwrap().insert(key.into(), body);
        Ok(())
    }
    fn location(&self) -> String {
        "memory".into()
    }
}

impl MemoryStore {
    fn summary(&self, key: &str) -> Summary {
        serde_json::from_slice(&self.objects.lock().unwrap()[key]).unwrap()
    }
}

fn lambda_only_config() -> Config {
    Config::from_lookup(&|name: &str| {
        match name {
            "COLLECT_ALB" | "COLLECT_NLB" | "COLLECT_ELB" | "COLLECT_S3" => Some("false"),
            "SUMMARY_BUCKET" => Some("test-bucket"),
            _ => None,
        }
        .map(str::to_owned)
    })
    .unwrap()
}

fn function_metric(name: &str) -> Metric {
    Metric::builder()
        .namespace("AWS/Lambda")
        .metric_name("Invocations")
        .dimensions(
            Dimension::builder()
                .name("FunctionName")
                .value(name)
                .build(),
        )
        .build()
}

/// ListMetrics: Invocations for fa, fb (page 1) and fc (page 2); other metric names empty.
fn list_rules() -> Vec<Rule> {
    vec![
        mock!(Client::list_metrics)
            .match_requests(|r| r.metric_name() == Some("Invocations") && r.next_token().is_none())
            .then_output(|| {
                ListMetricsOutput::builder()
                    .metrics(function_metric("fa"))
                    .metrics(function_metric("fb"))
                    .next_token("list-page-2")
                    .build()
            }),
        mock!(Client::list_metrics)
            .match_requests(|r| r.next_token() == Some("list-page-2"))
            .then_output(|| {
                ListMetricsOutput::builder()
                    .metrics(function_metric("fc"))
                    .build()
            }),
        mock!(Client::list_metrics)
            .match_requests(|r| r.metric_name() != Some("Invocations"))
            .then_output(|| ListMetricsOutput::builder().build()),
    ]
}

fn result(id: &str, points: &[(i64, f64)], status: StatusCode) -> MetricDataResult {
    let mut b = MetricDataResult::builder().id(id).status_code(status);
    for (offset, value) in points {
        b = b
            .timestamps(SdkTime::from_secs(WINDOW_START + offset * 300))
            .values(*value);
    }
    b.build()
}

fn client(rules: &[&Rule]) -> (Client, AttemptCounter) {
    let counter = AttemptCounter::default();
    let interceptor = counter.clone();
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, rules, move |c| c
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5))
        )
        .interceptor(interceptor.clone()));
    (client, counter)
}

fn collector((client, counter): (Client, AttemptCounter), store: Arc<MemoryStore>) -> Collector {
    Collector::new(
        Arc::new(CloudWatchSource::with_attempt_counter(client, counter)),
        store,
        lambda_only_config(),
        "us-east-1",
    )
}

fn anchor() -> DateTime<Utc> {
    DateTime::from_timestamp(ANCHOR, 0).unwrap()
}

fn throttling() -> GetMetricDataError {
    GetMetricDataError::generic(
        ErrorMetadata::builder()
            .code("Throttling")
            .message("Rate exceeded")
            .build(),
    )
}

fn complete_answer() -> GetMetricDataOutput {
    GetMetricDataOutput::builder()
        .metric_data_results(result("q0", &[(0, 10.0)], StatusCode::Complete))
        .metric_data_results(result("q1", &[(1, 20.0)], StatusCode::Complete))
        .metric_data_results(result("q2", &[], StatusCode::Complete))
        .build()
}

#[tokio::test]
async fn pages_are_merged_by_id_and_partial_data_continues() {
    let page1 = mock!(Client::get_metric_data)
        .match_requests(|r| r.next_token().is_none())
        .then_compute_output(|req| {
            // The ids sent map back to the functions in name order.
            let ids: Vec<_> = req
                .metric_data_queries()
                .iter()
                .map(|q| {
                    let m = q.metric_stat().unwrap();
                    (
                        q.id().unwrap().to_owned(),
                        m.metric().unwrap().dimensions()[0]
                            .value()
                            .unwrap()
                            .to_owned(),
                        m.stat().unwrap().to_owned(),
                        m.period().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                ids,
                [
                    ("q0".to_string(), "fa".to_string(), "Sum".to_string(), 300),
                    ("q1".into(), "fb".into(), "Sum".into(), 300),
                    ("q2".into(), "fc".into(), "Sum".into(), 300),
                ]
            );
            assert_eq!(req.start_time().unwrap().secs(), WINDOW_START);
            assert_eq!(req.end_time().unwrap().secs(), WINDOW_START + 3600);
            GetMetricDataOutput::builder()
                .metric_data_results(result(
                    "q0",
                    &[(0, 10.0), (1, 5.0)],
                    StatusCode::PartialData,
                ))
                .metric_data_results(result("q1", &[(1, 7.0)], StatusCode::Complete))
                .metric_data_results(result("q2", &[], StatusCode::Complete))
                .messages(
                    MessageData::builder()
                        .code("MaxQueryTimeRangeExceed")
                        .value("example message")
                        .build(),
                )
                .next_token("data-page-2")
                .build()
        });
    let page2 = mock!(Client::get_metric_data)
        .match_requests(|r| r.next_token() == Some("data-page-2"))
        .then_output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("q0", &[(2, 1.0), (3, 4.0)], StatusCode::Complete))
                .build()
        });
    let lists = list_rules();
    let mut rules: Vec<&Rule> = lists.iter().collect();
    rules.push(&page1);
    rules.push(&page2);
    let store = Arc::new(MemoryStore::default());
    let response = collector(client(&rules), store.clone())
        .run(anchor())
        .await
        .unwrap();

    assert_eq!(response.series, 3);
    assert_eq!(response.resources, 3);
    // Six Lambda metric names, plus the second Invocations page.
    assert_eq!(response.list_metrics_calls, 7);
    assert_eq!(response.get_metric_data_calls, 2);
    assert_eq!(
        response.metrics_requested, 6,
        "each page re-sends its 3 queries"
    );
    assert_eq!(page1.num_calls(), 1);
    assert_eq!(page2.num_calls(), 1);

    let summary = store.summary(&response.summary_key);
    let lambda = &summary.services["lambda"];
    let fa = lambda.resources.iter().find(|r| r.id == "fa").unwrap();
    assert_eq!(fa.derived["invocations"], Some(20.0));
    assert_eq!(fa.metrics["Invocations.Sum"].points, 4);
    let fc = lambda.resources.iter().find(|r| r.id == "fc").unwrap();
    assert_eq!(fc.idle, Some(true));
    assert_eq!(lambda.totals["invocations"], Some(27.0));
    assert!(summary.complete);
    assert_eq!(summary.run.partial_results, 0);
    assert_eq!(
        summary.run.messages,
        ["MaxQueryTimeRangeExceed: example message"]
    );
    assert!(response
        .summary_key
        .ends_with("summary/dt=2026-11-23/20261123T050000Z-3600s.json"));
    let rows_key = response.summary_key.replace("/summary/", "/resources/") + "l";
    let rows = String::from_utf8(store.objects.lock().unwrap()[&rows_key].clone()).unwrap();
    assert_eq!(rows.lines().count(), 3);
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk() {
    let data = mock!(Client::get_metric_data)
        .sequence()
        .error(throttling)
        .times(2)
        .output(complete_answer)
        .build();
    let lists = list_rules();
    let mut rules: Vec<&Rule> = lists.iter().collect();
    rules.push(&data);
    let store = Arc::new(MemoryStore::default());
    let response = collector(client(&rules), store.clone())
        .run(anchor())
        .await
        .unwrap();
    assert_eq!(data.num_calls(), 3, "two throttled attempts, then success");
    assert_eq!(
        response.get_metric_data_calls, 1,
        "retries are inside one call"
    );
    let summary = store.summary(&response.summary_key);
    assert!(summary.complete);
    let fb = summary.services["lambda"]
        .resources
        .iter()
        .find(|r| r.id == "fb")
        .unwrap();
    assert_eq!(fb.derived["invocations"], Some(20.0));
}

#[tokio::test]
async fn persistent_throttling_writes_a_partial_summary_and_returns_an_error() {
    let data = mock!(Client::get_metric_data)
        .sequence()
        .error(throttling)
        .repeatedly()
        .build();
    let lists = list_rules();
    let mut rules: Vec<&Rule> = lists.iter().collect();
    rules.push(&data);
    let store = Arc::new(MemoryStore::default());
    let err = collector(client(&rules), store.clone())
        .run(anchor())
        .await
        .unwrap_err();
    assert_eq!(data.num_calls(), 5, "CLOUDWATCH_MAX_ATTEMPTS default");
    assert_eq!(err.error_type(), "MetricsCollector.GetMetricDataFailed");
    let HandlerError::Incomplete { key, failed, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*failed, 1);
    assert!(err.to_string().contains("Throttling"), "{err}");
    let summary = store.summary(key);
    assert!(!summary.complete);
    assert_eq!(summary.run.failed_queries, 3);
    assert_eq!(summary.run.failed_batches, 1);
    assert_eq!(summary.run.sdk_retries, Some(4));
    let fa = &summary.services["lambda"].resources[0];
    assert_eq!(
        fa.derived["invocations"], None,
        "a failed count is unknown, not zero"
    );
    assert_eq!(fa.idle, None);
    let diagnostic: lambda_runtime::Diagnostic = err.into();
    assert_eq!(
        diagnostic.error_type,
        "MetricsCollector.GetMetricDataFailed"
    );
}

#[tokio::test]
async fn list_metrics_failure_fails_the_run_and_writes_nothing() {
    let denied = mock!(Client::list_metrics).then_error(|| {
        ListMetricsError::generic(
            ErrorMetadata::builder()
                .code("AccessDenied")
                .message("not allowed")
                .build(),
        )
    });
    let store = Arc::new(MemoryStore::default());
    let err = collector(client(&[&denied]), store.clone())
        .run(anchor())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "MetricsCollector.ListMetricsFailed");
    assert!(err.to_string().contains("AccessDenied"), "{err}");
    assert!(store.objects.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_write_is_a_handler_error() {
    let data = mock!(Client::get_metric_data).then_output(complete_answer);
    let lists = list_rules();
    let mut rules: Vec<&Rule> = lists.iter().collect();
    rules.push(&data);
    let store = Arc::new(MemoryStore {
        fail_puts: true,
        ..MemoryStore::default()
    });
    let err = collector(client(&rules), store)
        .run(anchor())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "MetricsCollector.SummaryWriteFailed");
}

#[tokio::test]
async fn the_next_window_reads_the_previous_summary_and_a_retry_overwrites_the_same_key() {
    let data = mock!(Client::get_metric_data).then_output(complete_answer);
    let lists = list_rules();
    let mut rules: Vec<&Rule> = lists.iter().collect();
    rules.push(&data);
    let store = Arc::new(MemoryStore::default());
    let c = collector(client(&rules), store.clone());
    let first = c.run(anchor()).await.unwrap();
    // A duplicated delivery a minute later lands in the same window and key.
    let retry = c
        .run(anchor() + chrono::Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(first.summary_key, retry.summary_key);
    assert_eq!(
        store.objects.lock().unwrap().len(),
        2,
        "summary + rows, overwritten"
    );
    let next = c
        .run(anchor() + chrono::Duration::seconds(3600))
        .await
        .unwrap();
    assert_ne!(next.summary_key, first.summary_key);
    let summary = store.summary(&next.summary_key);
    assert_eq!(summary.previous.as_ref().unwrap().key, first.summary_key);
    let fb = summary.services["lambda"]
        .resources
        .iter()
        .find(|r| r.id == "fb")
        .unwrap();
    assert_eq!(fb.change["invocations"].delta, Some(0.0));
    assert!(summary.services["lambda"].change.is_some());
}
