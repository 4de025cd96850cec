//! [`MetricsSource`] over aws-sdk-cloudwatch. Throttling and transient errors are retried by
//! the SDK's retry strategy (configured in [`crate::cloudwatch_client`]); what reaches this
//! adapter as an error has exhausted those retries.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_cloudwatch::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudwatch::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudwatch::error::{BoxError, DisplayErrorContext};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, MessageData, Metric, MetricDataQuery, MetricStat, RecentlyActive, ScanBy,
};
use aws_sdk_cloudwatch::Client;
use shared::summary::merge::ResultStatus;
use shared::summary::{ListRequest, ListedMetric};

use crate::ports::{DataPage, DataRequest, ListPage, MetricsSource, ResultPage, SourceError};

pub struct CloudWatchSource {
    client: Client,
    attempts: Option<AttemptCounter>,
}

impl CloudWatchSource {
    pub fn new(client: Client) -> Self {
        CloudWatchSource {
            client,
            attempts: None,
        }
    }

    /// A source whose client was built with `counter` as an interceptor, so the run can report
    /// how many attempts the SDK retried.
    pub fn with_attempt_counter(client: Client, counter: AttemptCounter) -> Self {
        CloudWatchSource {
            client,
            attempts: Some(counter),
        }
    }
}

/// Counts every HTTP attempt of a client (an SDK interceptor).
#[derive(Debug, Clone, Default)]
pub struct AttemptCounter(Arc<AtomicU64>);

impl AttemptCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "AttemptCounter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn message_text(m: &MessageData) -> String {
    format!(
        "{}: {}",
        m.code().unwrap_or("Message"),
        m.value().unwrap_or("")
    )
}

/// The SDK query for one planned query (public for the benchmark).
pub fn to_query(q: &crate::ports::QuerySpec) -> MetricDataQuery {
    let dimensions = q
        .dimensions
        .iter()
        .map(|(name, value)| Dimension::builder().name(name).value(value).build())
        .collect();
    MetricDataQuery::builder()
        .id(&q.id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(q.namespace)
                        .metric_name(q.metric)
                        .set_dimensions(Some(dimensions))
                        .build(),
                )
                .period(i32::try_from(q.period).unwrap_or(i32::MAX))
                .stat(q.stat)
                .build(),
        )
        .return_data(true)
        .build()
}

#[async_trait]
impl MetricsSource for CloudWatchSource {
    async fn list_metrics(
        &self,
        request: &ListRequest,
        next_token: Option<String>,
    ) -> Result<ListPage, SourceError> {
        let mut call = self
            .client
            .list_metrics()
            .namespace(request.namespace)
            .metric_name(request.metric)
            .set_next_token(next_token);
        if request.recently_active {
            call = call.recently_active(RecentlyActive::Pt3H);
        }
        let output = call.send().await.map_err(|e| SourceError {
            operation: "ListMetrics",
            message: DisplayErrorContext(&e).to_string(),
        })?;
        let metrics = output
            .metrics()
            .iter()
            .map(|m| ListedMetric {
                namespace: m.namespace().unwrap_or(request.namespace).to_owned(),
                metric: m.metric_name().unwrap_or(request.metric).to_owned(),
                dimensions: m
                    .dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_owned(),
                            d.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
            })
            .collect();
        Ok(ListPage {
            metrics,
            next_token: output.next_token().map(str::to_owned),
        })
    }

    async fn get_metric_data(
        &self,
        request: &DataRequest,
        next_token: Option<String>,
    ) -> Result<DataPage, SourceError> {
        let queries = request.queries.iter().map(to_query).collect();
        let output = self
            .client
            .get_metric_data()
            .start_time(DateTime::from_secs(request.start))
            .end_time(DateTime::from_secs(request.end))
            .scan_by(ScanBy::TimestampAscending)
            .set_metric_data_queries(Some(queries))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| SourceError {
                operation: "GetMetricData",
                message: DisplayErrorContext(&e).to_string(),
            })?;
        let results = output
            .metric_data_results()
            .iter()
            .map(|r| ResultPage {
                id: r.id().unwrap_or_default().to_owned(),
                timestamps: r.timestamps().iter().map(|t| t.secs()).collect(),
                values: r.values().to_vec(),
                // A missing status code is read as Complete (the field is always sent).
                status: r
                    .status_code()
                    .map(|s| ResultStatus::parse(s.as_str()))
                    .unwrap_or(ResultStatus::Complete),
                messages: r.messages().iter().map(message_text).collect(),
            })
            .collect();
        Ok(DataPage {
            results,
            messages: output.messages().iter().map(message_text).collect(),
            next_token: output.next_token().map(str::to_owned),
        })
    }

    fn attempts(&self) -> Option<u64> {
        self.attempts.as_ref().map(AttemptCounter::get)
    }
}
