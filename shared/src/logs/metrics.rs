//! The four per-log-group metrics, rendered as an Embedded Metric Format line or as
//! PutMetricData datums (pure data; the CloudWatch call lives in the function crate).
//!
//! The only dimension is `LogGroup`: a source address or user as a dimension would create a
//! billable custom metric per value.

use serde_json::json;

use super::aggregate::Counts;

pub const DEFAULT_NAMESPACE: &str = "LogProcessor";
pub const DIMENSION_LOG_GROUP: &str = "LogGroup";
pub const METRIC_EVENTS: &str = "Events";
pub const METRIC_ERRORS: &str = "Errors";
pub const METRIC_FAILED_LOGINS: &str = "FailedLogins";
pub const METRIC_HTTP_5XX: &str = "Http5xx";
pub const UNIT_COUNT: &str = "Count";

/// PutMetricData: at most 1,000 metric data per request.
pub const MAX_DATUMS_PER_REQUEST: usize = 1000;
/// PutMetricData: request body at most 1 MB; we stay below with a conservative estimate.
pub const MAX_REQUEST_BYTES: usize = 1_000_000;

/// Metrics of one log group for one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMetrics {
    pub log_group: String,
    pub counts: Counts,
    /// Milliseconds since the epoch (processing time: event times can be older than
    /// CloudWatch accepts).
    pub timestamp_ms: i64,
}

impl GroupMetrics {
    /// Name/value pairs in a fixed order.
    pub fn values(&self) -> [(&'static str, u64); 4] {
        [
            (METRIC_EVENTS, self.counts.events),
            (METRIC_ERRORS, self.counts.errors),
            (METRIC_FAILED_LOGINS, self.counts.failed_logins),
            (METRIC_HTTP_5XX, self.counts.http_5xx),
        ]
    }
}

/// One EMF document (a single JSON line) for one log group.
pub fn render_emf(namespace: &str, metrics: &GroupMetrics) -> String {
    let definitions: Vec<_> = metrics
        .values()
        .iter()
        .map(|(name, _)| json!({"Name": name, "Unit": UNIT_COUNT}))
        .collect();
    let mut doc = json!({
        "_aws": {
            "Timestamp": metrics.timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [[DIMENSION_LOG_GROUP]],
                "Metrics": definitions,
            }],
        },
        DIMENSION_LOG_GROUP: metrics.log_group,
    });
    if let Some(obj) = doc.as_object_mut() {
        for (name, value) in metrics.values() {
            obj.insert(name.to_owned(), json!(value));
        }
    }
    doc.to_string()
}

/// One PutMetricData datum.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDatum {
    pub name: &'static str,
    pub value: f64,
    pub log_group: String,
    pub timestamp_ms: i64,
}

impl MetricDatum {
    /// Upper bound of the datum's share of a request body (names, dimension, value, unit,
    /// timestamp and encoding overhead), used for batching.
    pub fn estimated_bytes(&self) -> usize {
        256 + self.name.len() + 2 * self.log_group.len()
    }
}

/// The datums of all groups, four per group.
pub fn datums(groups: &[GroupMetrics]) -> Vec<MetricDatum> {
    groups
        .iter()
        .flat_map(|g| {
            g.values().into_iter().map(|(name, value)| MetricDatum {
                name,
                value: value as f64,
                log_group: g.log_group.clone(),
                timestamp_ms: g.timestamp_ms,
            })
        })
        .collect()
}

/// Splits datums into PutMetricData requests of at most `MAX_DATUMS_PER_REQUEST` datums and
/// an estimated `MAX_REQUEST_BYTES` (minus room for the namespace and envelope).
pub fn batches(datums: Vec<MetricDatum>, namespace: &str) -> Vec<Vec<MetricDatum>> {
    let budget = MAX_REQUEST_BYTES - 4096 - namespace.len();
    let mut out: Vec<Vec<MetricDatum>> = Vec::new();
    let mut current: Vec<MetricDatum> = Vec::new();
    let mut bytes = 0;
    for d in datums {
        let size = d.estimated_bytes();
        if !current.is_empty() && (current.len() == MAX_DATUMS_PER_REQUEST || bytes + size > budget)
        {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(d);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str) -> GroupMetrics {
        GroupMetrics {
            log_group: name.into(),
            counts: Counts {
                events: 10,
                errors: 3,
                failed_logins: 2,
                http_5xx: 1,
            },
            timestamp_ms: 1_700_000_000_000,
        }
    }

    #[test]
    fn emf_line_is_valid_and_complete() {
        let line = render_emf("LogProcessor", &group("/aws/lambda/checkout"));
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000i64);
        let directive = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "LogProcessor");
        assert_eq!(directive["Dimensions"], serde_json::json!([["LogGroup"]]));
        let names: Vec<&str> = directive["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                assert_eq!(m["Unit"], "Count");
                m["Name"].as_str().unwrap()
            })
            .collect();
        assert_eq!(names, ["Events", "Errors", "FailedLogins", "Http5xx"]);
        assert_eq!(v["LogGroup"], "/aws/lambda/checkout");
        assert_eq!(v["Events"], 10);
        assert_eq!(v["Errors"], 3);
        assert_eq!(v["FailedLogins"], 2);
        assert_eq!(v["Http5xx"], 1);
    }

    #[test]
    fn batches_respect_count_and_size_limits() {
        let groups: Vec<_> = (0..600).map(|i| group(&format!("/g/{i}"))).collect();
        let all = datums(&groups);
        assert_eq!(all.len(), 2400);
        let split = batches(all, "LogProcessor");
        assert_eq!(
            split.iter().map(Vec::len).collect::<Vec<_>>(),
            [1000, 1000, 400]
        );

        let long = "x".repeat(512);
        let groups: Vec<_> = (0..300).map(|i| group(&format!("/{long}/{i}"))).collect();
        let split = batches(datums(&groups), "LogProcessor");
        assert!(split.len() > 1);
        for b in &split {
            assert!(b.len() <= MAX_DATUMS_PER_REQUEST);
            let bytes: usize = b.iter().map(MetricDatum::estimated_bytes).sum();
            assert!(bytes <= MAX_REQUEST_BYTES);
        }
        assert_eq!(split.iter().map(Vec::len).sum::<usize>(), 1200);
        assert!(batches(Vec::new(), "LogProcessor").is_empty());
    }
}
