//! The summary document (`metrics-collector.summary/v1`) and its per-resource JSON-Lines rows.
//!
//! Conventions (documented in the README):
//! - Every number that could not be measured is `null`, never `0`. `status` says why:
//!   `ok` (data points found), `no_data` (the series exists but had no point in the window),
//!   `partial` (CloudWatch still reported `PartialData` at the end), `error` (the query or its
//!   call failed).
//! - Load balancers and Lambda publish count metrics only when the count is non-zero. Derived
//!   counts and rates therefore treat a missing count as zero, and list the metric in
//!   `assumed_zero`, so a reader can tell "0 measured" from "0 because CloudWatch sent nothing".
//!   Raw `metrics` values stay `null` in that case.
//! - Percentiles are per resource; totals never average or sum them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The schema identifier of the summary document; bumped on incompatible changes.
pub const SCHEMA: &str = "metrics-collector.summary/v1";
/// The schema identifier of the JSON-Lines resource rows.
pub const ROW_SCHEMA: &str = "metrics-collector.resource-row/v1";

/// Why a value is (or is not) there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataStatus {
    Ok,
    NoData,
    Partial,
    Error,
}

/// One statistic of one series over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// Sum of the period sums, maximum of the period maxima, minimum of the minima; Average
    /// and p99 as CloudWatch computed them over the whole window; for S3 the latest daily value.
    pub value: Option<f64>,
    pub status: DataStatus,
    /// Number of data points CloudWatch returned.
    pub points: usize,
}

/// Value, previous value, difference and relative difference (percent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub previous: Option<f64>,
    pub current: Option<f64>,
    pub delta: Option<f64>,
    pub delta_pct: Option<f64>,
}

impl Change {
    pub fn between(previous: Option<f64>, current: Option<f64>) -> Change {
        let delta = match (previous, current) {
            (Some(p), Some(c)) => Some(c - p),
            _ => None,
        };
        let delta_pct = match (previous, delta) {
            (Some(p), Some(d)) if p != 0.0 => Some(d / p.abs() * 100.0),
            _ => None,
        };
        Change {
            previous,
            current,
            delta,
            delta_pct,
        }
    }
}

/// A sub-resource: a target group (host counts) or an S3 storage class (size).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartSummary {
    pub dimension: String,
    pub value: String,
    pub metrics: BTreeMap<String, MetricValue>,
}

/// One load balancer, bucket or function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceSummary {
    /// `app/<name>/<id>`, `net/<name>/<id>`, Classic LB name, bucket name or function name.
    pub id: String,
    pub name: String,
    /// No requests / new flows / invocations in the window; `null` for S3.
    pub idle: Option<bool>,
    /// Derived numbers (keys per service in the README).
    pub derived: BTreeMap<String, Option<f64>>,
    /// Count metrics treated as zero because CloudWatch sent no data point for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed_zero: Vec<String>,
    /// Raw statistics, keyed `Metric.Stat` (e.g. `TargetResponseTime.p99`).
    pub metrics: BTreeMap<String, MetricValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartSummary>,
    /// S3: the day (00:00 UTC) of the latest storage data point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<DateTime<Utc>>,
    /// Against the same resource in the previous window's summary.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub change: BTreeMap<String, Change>,
}

/// A top-N entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopEntry {
    pub id: String,
    pub name: String,
    pub value: f64,
}

/// Service-level change against the previous summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceChange {
    pub totals: BTreeMap<String, Change>,
    pub new_resources: Vec<String>,
    pub gone_resources: Vec<String>,
}

/// One service (`alb`, `nlb`, `elb`, `s3`, `lambda`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub namespace: String,
    pub resources: Vec<ResourceSummary>,
    /// Sums of additive numbers and rates computed from those sums (never percentiles).
    pub totals: BTreeMap<String, Option<f64>>,
    /// Worst first; only resources with a value above zero.
    pub top: BTreeMap<String, Vec<TopEntry>>,
    /// Ids of idle resources.
    pub idle: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<ServiceChange>,
}

/// The summarised time range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowInfo {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub period_seconds: u32,
    pub window_seconds: i64,
    pub settle_delay_seconds: u32,
    /// Range read for S3's daily storage metrics.
    pub daily_start: DateTime<Utc>,
    pub daily_end: DateTime<Utc>,
}

/// The previous window's summary the changes were computed against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousRef {
    pub key: String,
    pub window_end: DateTime<Utc>,
}

/// What the run did and cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunTelemetry {
    pub list_metrics_calls: u64,
    /// Every GetMetricData request sent, pages included.
    pub get_metric_data_calls: u64,
    /// Metrics ListMetrics returned.
    pub listed_metrics: usize,
    /// Series kept (one metric with one dimension set).
    pub series: usize,
    pub skipped_dimension_sets: usize,
    pub filtered_out: usize,
    /// Queries planned (series x statistics).
    pub queries: usize,
    /// Queries sent, summed over GetMetricData requests (pages re-send their queries): what
    /// CloudWatch bills.
    pub metrics_requested: u64,
    /// See README "API cost": GetMetricData metrics plus ListMetrics requests at $0.01 per 1,000.
    pub estimated_cost_usd: f64,
    pub duration_ms: u64,
    pub percentiles_requested: bool,
    /// Queries whose last answer was still `PartialData`.
    pub partial_results: usize,
    /// Queries that failed (error status or failed call).
    pub failed_queries: usize,
    /// Queries that returned no data point.
    pub queries_without_data: usize,
    /// GetMetricData batches whose call failed after the SDK's retries.
    pub failed_batches: usize,
    /// CloudWatch request attempts beyond the first of each call (throttling and transient
    /// errors the SDK retried); `null` when the client does not count attempts.
    pub sdk_retries: Option<u64>,
    /// `Messages` returned by CloudWatch (`Code: Value`).
    pub messages: Vec<String>,
}

/// The whole summary document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema: String,
    pub generated_at: DateTime<Utc>,
    pub region: String,
    pub window: WindowInfo,
    /// False when some queries failed or stayed partial: numbers may be low.
    pub complete: bool,
    pub services: BTreeMap<String, ServiceSummary>,
    pub previous: Option<PreviousRef>,
    pub run: RunTelemetry,
}

/// One JSON-Lines row per resource (Athena-friendly: flat columns plus maps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRow {
    pub schema: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub region: String,
    pub service: String,
    pub namespace: String,
    pub resource_id: String,
    pub resource_name: String,
    pub idle: Option<bool>,
    pub derived: BTreeMap<String, Option<f64>>,
    /// `Metric.Stat` -> value (`null` = no data; see `statuses`).
    pub metrics: BTreeMap<String, Option<f64>>,
    /// `Metric.Stat` -> status, only for values that are not `ok`.
    pub statuses: BTreeMap<String, DataStatus>,
    pub assumed_zero: Vec<String>,
    /// `key` -> delta against the previous window (only keys with both values).
    pub delta: BTreeMap<String, f64>,
}

impl Summary {
    /// The JSON-Lines body: one row per resource, services in key order.
    pub fn rows_jsonl(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = Vec::new();
        for (service, summary) in &self.services {
            for r in &summary.resources {
                let row = ResourceRow {
                    schema: ROW_SCHEMA.to_owned(),
                    window_start: self.window.start,
                    window_end: self.window.end,
                    region: self.region.clone(),
                    service: service.clone(),
                    namespace: summary.namespace.clone(),
                    resource_id: r.id.clone(),
                    resource_name: r.name.clone(),
                    idle: r.idle,
                    derived: r.derived.clone(),
                    metrics: r
                        .metrics
                        .iter()
                        .map(|(k, v)| (k.clone(), v.value))
                        .collect(),
                    statuses: r
                        .metrics
                        .iter()
                        .filter(|(_, v)| v.status != DataStatus::Ok)
                        .map(|(k, v)| (k.clone(), v.status))
                        .collect(),
                    assumed_zero: r.assumed_zero.clone(),
                    delta: r
                        .change
                        .iter()
                        .filter_map(|(k, c)| c.delta.map(|d| (k.clone(), d)))
                        .collect(),
                };
                serde_json::to_writer(&mut out, &row)?;
                out.push(b'\n');
            }
        }
        Ok(out)
    }

    pub fn resource_count(&self) -> usize {
        self.services.values().map(|s| s.resources.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_handles_missing_and_zero_previous() {
        let c = Change::between(Some(100.0), Some(150.0));
        assert_eq!(c.delta, Some(50.0));
        assert_eq!(c.delta_pct, Some(50.0));
        let z = Change::between(Some(0.0), Some(5.0));
        assert_eq!(z.delta, Some(5.0));
        assert_eq!(z.delta_pct, None);
        let n = Change::between(None, Some(5.0));
        assert_eq!((n.delta, n.delta_pct), (None, None));
        let neg = Change::between(Some(-2.0), Some(-1.0));
        assert_eq!(neg.delta_pct, Some(50.0));
    }
}
