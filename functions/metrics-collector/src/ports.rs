//! The two things a run talks to, as small traits so the handler is tested with fakes,
//! aws-smithy-mocks clients and moto.

use async_trait::async_trait;
use shared::summary::merge::ResultStatus;
use shared::summary::{ListRequest, ListedMetric};

/// One page of ListMetrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    pub metrics: Vec<ListedMetric>,
    pub next_token: Option<String>,
}

/// One metric query of a GetMetricData request.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySpec {
    pub id: String,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(String, String)>,
    pub period: u32,
    pub stat: &'static str,
}

/// A GetMetricData request (all its pages share it).
#[derive(Debug, Clone, PartialEq)]
pub struct DataRequest {
    /// Unix seconds.
    pub start: i64,
    pub end: i64,
    pub queries: Vec<QuerySpec>,
}

/// One `MetricDataResult` of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultPage {
    pub id: String,
    /// Unix seconds.
    pub timestamps: Vec<i64>,
    pub values: Vec<f64>,
    pub status: ResultStatus,
    pub messages: Vec<String>,
}

/// One page of GetMetricData.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataPage {
    pub results: Vec<ResultPage>,
    /// Response-level `Messages` (`Code: Value`).
    pub messages: Vec<String>,
    pub next_token: Option<String>,
}

/// A CloudWatch call that failed after the SDK's retries.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed: {message}")]
pub struct SourceError {
    pub operation: &'static str,
    pub message: String,
}

/// CloudWatch metrics (ListMetrics, GetMetricData).
#[async_trait]
pub trait MetricsSource: Send + Sync {
    async fn list_metrics(
        &self,
        request: &ListRequest,
        next_token: Option<String>,
    ) -> Result<ListPage, SourceError>;

    async fn get_metric_data(
        &self,
        request: &DataRequest,
        next_token: Option<String>,
    ) -> Result<DataPage, SourceError>;

    /// HTTP attempts made so far (retries included), when the source counts them.
    fn attempts(&self) -> Option<u64> {
        None
    }
}

/// A store write or read that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{location}: {message}")]
pub struct StoreError {
    pub location: String,
    pub message: String,
}

/// Where summaries are kept: S3 or a local directory.
#[async_trait]
pub trait SummaryStore: Send + Sync {
    /// The object's bytes, or `None` when it does not exist.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Creates or overwrites the object.
    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &'static str,
    ) -> Result<(), StoreError>;
    /// `s3://bucket` or the directory, for logs.
    fn location(&self) -> String;
}
