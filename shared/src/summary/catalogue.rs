//! Which metrics the collector reads, with which statistics and dimension sets.
//!
//! The choices follow the AWS service documentation rather than the exporters' examples (which
//! sum host counts and average request counts): counts are `Sum`, host counts are `Maximum`
//! (unhealthy) / `Minimum` (healthy) per target group, queue and flow gauges are `Maximum`,
//! latency is `Average` plus `p99`, and S3 storage is the daily `Average`.
//! Only one dimension set per metric is kept (no per-AZ split, no per-version Lambda series), so
//! the number of metrics requested - which is what GetMetricData bills - stays one per resource
//! and statistic.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The services the collector summarises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// Application Load Balancer (`AWS/ApplicationELB`).
    Alb,
    /// Network Load Balancer (`AWS/NetworkELB`).
    Nlb,
    /// Classic Load Balancer (`AWS/ELB`).
    Elb,
    /// S3 daily storage metrics (`AWS/S3`).
    S3,
    /// Lambda functions (`AWS/Lambda`).
    Lambda,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::Alb,
        Service::Nlb,
        Service::Elb,
        Service::S3,
        Service::Lambda,
    ];

    pub fn namespace(self) -> &'static str {
        match self {
            Service::Alb => "AWS/ApplicationELB",
            Service::Nlb => "AWS/NetworkELB",
            Service::Elb => "AWS/ELB",
            Service::S3 => "AWS/S3",
            Service::Lambda => "AWS/Lambda",
        }
    }

    /// The short name used in the summary, store keys and configuration.
    pub fn key(self) -> &'static str {
        match self {
            Service::Alb => "alb",
            Service::Nlb => "nlb",
            Service::Elb => "elb",
            Service::S3 => "s3",
            Service::Lambda => "lambda",
        }
    }

    /// The dimension whose value identifies the resource.
    pub fn resource_dimension(self) -> &'static str {
        match self {
            Service::Alb | Service::Nlb => "LoadBalancer",
            Service::Elb => "LoadBalancerName",
            Service::S3 => "BucketName",
            Service::Lambda => "FunctionName",
        }
    }

    /// The human name of a resource id: `app/web/50dc6c495c0c9188` -> `web`; other services use
    /// the name itself as the id.
    pub fn resource_name(self, id: &str) -> &str {
        match self {
            Service::Alb | Service::Nlb => id.split('/').nth(1).unwrap_or(id),
            _ => id,
        }
    }
}

/// A CloudWatch statistic the collector requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stat {
    Sum,
    Average,
    Maximum,
    Minimum,
    P99,
}

impl Stat {
    /// The statistic as CloudWatch spells it in `MetricStat.Stat`.
    pub fn as_cloudwatch(self) -> &'static str {
        match self {
            Stat::Sum => "Sum",
            Stat::Average => "Average",
            Stat::Maximum => "Maximum",
            Stat::Minimum => "Minimum",
            Stat::P99 => "p99",
        }
    }

    /// Whether the window value can be computed exactly from per-period values (sum of sums, max
    /// of maxima, min of minima). Averages and percentiles cannot, so they are requested with one
    /// period covering the whole window and CloudWatch computes them over all samples.
    pub fn is_decomposable(self) -> bool {
        matches!(self, Stat::Sum | Stat::Maximum | Stat::Minimum)
    }

    pub fn is_percentile(self) -> bool {
        matches!(self, Stat::P99)
    }
}

/// How often CloudWatch publishes the metric, which decides the query period and time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cadence {
    /// Published per minute (or faster): read over the aligned window.
    Window,
    /// Published once a day (S3 storage): `Average`, period 86,400 s, 2-day look-back.
    Daily,
}

/// One metric of the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub struct MetricSpec {
    pub service: Service,
    pub metric: &'static str,
    /// The exact dimension-name set kept; every other combination (per AZ, per version, no
    /// dimension at all) is skipped.
    pub dimensions: &'static [&'static str],
    /// A dimension value that must match, e.g. `StorageType=AllStorageTypes` for object counts.
    pub required_value: Option<(&'static str, &'static str)>,
    pub stats: &'static [Stat],
    /// Load balancers and Lambda publish count metrics only when the count is non-zero, so a
    /// missing data point means zero for the derived numbers (raw values stay `null`).
    pub zero_when_absent: bool,
    pub cadence: Cadence,
}

const LB: &[&str] = &["LoadBalancer"];
const LB_TG: &[&str] = &["LoadBalancer", "TargetGroup"];
const CLB: &[&str] = &["LoadBalancerName"];
const FUNCTION: &[&str] = &["FunctionName"];
const BUCKET_STORAGE: &[&str] = &["BucketName", "StorageType"];

const SUM: &[Stat] = &[Stat::Sum];
const MAX: &[Stat] = &[Stat::Maximum];
const MIN: &[Stat] = &[Stat::Minimum];
const AVG: &[Stat] = &[Stat::Average];
const AVG_P99: &[Stat] = &[Stat::Average, Stat::P99];
const AVG_MAX: &[Stat] = &[Stat::Average, Stat::Maximum];
const AVG_P99_MAX: &[Stat] = &[Stat::Average, Stat::P99, Stat::Maximum];

const fn counted(
    service: Service,
    metric: &'static str,
    dimensions: &'static [&'static str],
) -> MetricSpec {
    MetricSpec {
        service,
        metric,
        dimensions,
        required_value: None,
        stats: SUM,
        zero_when_absent: true,
        cadence: Cadence::Window,
    }
}

const fn gauge(
    service: Service,
    metric: &'static str,
    dimensions: &'static [&'static str],
    stats: &'static [Stat],
) -> MetricSpec {
    MetricSpec {
        service,
        metric,
        dimensions,
        required_value: None,
        stats,
        zero_when_absent: false,
        cadence: Cadence::Window,
    }
}

/// The catalogue (reference: the ELB, S3 and Lambda CloudWatch metric pages).
pub static CATALOGUE: &[MetricSpec] = &[
    // Application Load Balancer. HTTPCode_ELB_* exist only per load balancer (the LB itself
    // answers), host counts only per target group.
    counted(Service::Alb, "RequestCount", LB),
    counted(Service::Alb, "HTTPCode_ELB_4XX_Count", LB),
    counted(Service::Alb, "HTTPCode_ELB_5XX_Count", LB),
    counted(Service::Alb, "HTTPCode_Target_4XX_Count", LB),
    counted(Service::Alb, "HTTPCode_Target_5XX_Count", LB),
    counted(Service::Alb, "TargetConnectionErrorCount", LB),
    gauge(Service::Alb, "TargetResponseTime", LB, AVG_P99),
    gauge(Service::Alb, "UnHealthyHostCount", LB_TG, MAX),
    gauge(Service::Alb, "HealthyHostCount", LB_TG, MIN),
    // Network Load Balancer: no latency and no HTTP codes exist.
    counted(Service::Nlb, "NewFlowCount", LB),
    counted(Service::Nlb, "ProcessedBytes", LB),
    counted(Service::Nlb, "TCP_Client_Reset_Count", LB),
    counted(Service::Nlb, "TCP_ELB_Reset_Count", LB),
    counted(Service::Nlb, "TCP_Target_Reset_Count", LB),
    gauge(Service::Nlb, "ActiveFlowCount", LB, MAX),
    gauge(Service::Nlb, "UnHealthyHostCount", LB_TG, MAX),
    gauge(Service::Nlb, "HealthyHostCount", LB_TG, MIN),
    // Classic Load Balancer.
    counted(Service::Elb, "RequestCount", CLB),
    counted(Service::Elb, "HTTPCode_Backend_4XX", CLB),
    counted(Service::Elb, "HTTPCode_Backend_5XX", CLB),
    counted(Service::Elb, "HTTPCode_ELB_4XX", CLB),
    counted(Service::Elb, "HTTPCode_ELB_5XX", CLB),
    counted(Service::Elb, "BackendConnectionErrors", CLB),
    counted(Service::Elb, "SpilloverCount", CLB),
    gauge(Service::Elb, "Latency", CLB, AVG_MAX),
    gauge(Service::Elb, "SurgeQueueLength", CLB, MAX),
    gauge(Service::Elb, "UnHealthyHostCount", CLB, MAX),
    gauge(Service::Elb, "HealthyHostCount", CLB, MIN),
    // S3 daily storage metrics (free). Request metrics (FilterId) are opt-in and billed; skipped.
    MetricSpec {
        service: Service::S3,
        metric: "BucketSizeBytes",
        dimensions: BUCKET_STORAGE,
        required_value: None,
        stats: AVG,
        zero_when_absent: false,
        cadence: Cadence::Daily,
    },
    MetricSpec {
        service: Service::S3,
        metric: "NumberOfObjects",
        dimensions: BUCKET_STORAGE,
        required_value: Some(("StorageType", "AllStorageTypes")),
        stats: AVG,
        zero_when_absent: false,
        cadence: Cadence::Daily,
    },
    // Lambda per function (not per alias/version, not the Region total).
    counted(Service::Lambda, "Invocations", FUNCTION),
    counted(Service::Lambda, "Errors", FUNCTION),
    counted(Service::Lambda, "Throttles", FUNCTION),
    gauge(Service::Lambda, "Duration", FUNCTION, AVG_P99_MAX),
    gauge(Service::Lambda, "ConcurrentExecutions", FUNCTION, MAX),
    gauge(Service::Lambda, "IteratorAge", FUNCTION, MAX),
];

/// The catalogue entry for a listed metric, if the collector keeps this dimension set.
/// `dimensions` are the (name, value) pairs exactly as ListMetrics returned them.
pub fn spec_for(
    namespace: &str,
    metric: &str,
    dimensions: &[(String, String)],
) -> Option<&'static MetricSpec> {
    spec_index_for(namespace, metric, dimensions).map(|i| &CATALOGUE[i])
}

/// Like [`spec_for`], but the position in [`CATALOGUE`] (used to order series stably).
pub fn spec_index_for(
    namespace: &str,
    metric: &str,
    dimensions: &[(String, String)],
) -> Option<usize> {
    // Candidates by (namespace, metric) first: discovery calls this for every listed metric.
    static BY_NAME: OnceLock<HashMap<(&'static str, &'static str), Vec<usize>>> = OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut map: HashMap<(&'static str, &'static str), Vec<usize>> = HashMap::new();
        for (i, spec) in CATALOGUE.iter().enumerate() {
            map.entry((spec.service.namespace(), spec.metric))
                .or_default()
                .push(i);
        }
        map
    });
    let candidates = by_name.get(&(namespace, metric))?;
    candidates.iter().copied().find(|&i| {
        let spec = &CATALOGUE[i];
        dimensions.len() == spec.dimensions.len()
            && spec
                .dimensions
                .iter()
                .all(|want| dimensions.iter().any(|(name, _)| name == want))
            && spec
                .required_value
                .is_none_or(|(name, value)| dimensions.iter().any(|(n, v)| n == name && v == value))
    })
}

/// One `ListMetrics` listing: the namespace and metric name, and whether to restrict it to
/// metrics active in the last three hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub namespace: &'static str,
    pub metric: &'static str,
    /// `RecentlyActive=PT3H`; false for S3's daily storage metrics, which publish once a day
    /// and would otherwise disappear from the listing for most of the day.
    pub recently_active: bool,
}

/// The ListMetrics listings for the enabled services: one per (namespace, metric name), so the
/// listing never pages through the dozens of metrics the summary does not use.
pub fn list_requests(enabled: &[Service]) -> Vec<ListRequest> {
    let mut out: Vec<ListRequest> = Vec::new();
    for spec in CATALOGUE.iter().filter(|s| enabled.contains(&s.service)) {
        let namespace = spec.service.namespace();
        if out
            .iter()
            .any(|r| r.namespace == namespace && r.metric == spec.metric)
        {
            continue;
        }
        out.push(ListRequest {
            namespace,
            metric: spec.metric,
            recently_active: spec.cadence == Cadence::Window,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keeps_only_the_needed_dimension_sets() {
        let lb = dims(&[("LoadBalancer", "app/web/1")]);
        let lb_az = dims(&[
            ("LoadBalancer", "app/web/1"),
            ("AvailabilityZone", "us-east-1a"),
        ]);
        let lb_tg = dims(&[
            ("LoadBalancer", "app/web/1"),
            ("TargetGroup", "targetgroup/t/2"),
        ]);
        let ns = "AWS/ApplicationELB";
        assert!(spec_for(ns, "RequestCount", &lb).is_some());
        assert!(
            spec_for(ns, "RequestCount", &lb_az).is_none(),
            "no per-AZ split"
        );
        assert!(spec_for(ns, "RequestCount", &lb_tg).is_none());
        assert!(
            spec_for(ns, "UnHealthyHostCount", &lb).is_none(),
            "host counts only per TG"
        );
        let spec = spec_for(ns, "UnHealthyHostCount", &lb_tg).unwrap();
        assert_eq!(spec.stats, &[Stat::Maximum]);
        assert!(
            spec_for("AWS/ELB", "RequestCount", &lb).is_none(),
            "namespace matters"
        );
    }

    #[test]
    fn statistics_follow_the_service_docs() {
        let lb = dims(&[("LoadBalancer", "app/web/1")]);
        let ns = "AWS/ApplicationELB";
        assert_eq!(
            spec_for(ns, "RequestCount", &lb).unwrap().stats,
            &[Stat::Sum]
        );
        assert_eq!(
            spec_for(ns, "TargetResponseTime", &lb).unwrap().stats,
            &[Stat::Average, Stat::P99]
        );
        let nlb = dims(&[("LoadBalancer", "net/n/1")]);
        assert_eq!(
            spec_for("AWS/NetworkELB", "ActiveFlowCount", &nlb)
                .unwrap()
                .stats,
            &[Stat::Maximum]
        );
        let f = dims(&[("FunctionName", "f")]);
        assert_eq!(
            spec_for("AWS/Lambda", "ConcurrentExecutions", &f)
                .unwrap()
                .stats,
            &[Stat::Maximum]
        );
        let f_alias = dims(&[("FunctionName", "f"), ("Resource", "f:live")]);
        assert!(spec_for("AWS/Lambda", "Invocations", &f_alias).is_none());
        assert!(spec_for("AWS/Lambda", "Invocations", &[]).is_none());
        let clb = dims(&[("LoadBalancerName", "old")]);
        assert_eq!(
            spec_for("AWS/ELB", "Latency", &clb).unwrap().stats,
            &[Stat::Average, Stat::Maximum]
        );
        assert_eq!(
            spec_for("AWS/ELB", "SurgeQueueLength", &clb).unwrap().stats,
            &[Stat::Maximum]
        );
    }

    #[test]
    fn s3_needs_storage_type_and_all_storage_types_for_objects() {
        let std = dims(&[("BucketName", "b"), ("StorageType", "StandardStorage")]);
        let all = dims(&[("BucketName", "b"), ("StorageType", "AllStorageTypes")]);
        let filter = dims(&[("BucketName", "b"), ("FilterId", "EntireBucket")]);
        assert!(spec_for("AWS/S3", "BucketSizeBytes", &std).is_some());
        assert!(spec_for("AWS/S3", "NumberOfObjects", &std).is_none());
        assert!(spec_for("AWS/S3", "NumberOfObjects", &all).is_some());
        assert!(spec_for("AWS/S3", "AllRequests", &filter).is_none());
        assert!(spec_for("AWS/S3", "BucketSizeBytes", &dims(&[("BucketName", "b")])).is_none());
    }

    #[test]
    fn list_requests_are_per_metric_and_recently_active_except_s3() {
        let all = list_requests(&Service::ALL);
        let s3: Vec<_> = all.iter().filter(|r| r.namespace == "AWS/S3").collect();
        assert_eq!(s3.len(), 2);
        assert!(s3.iter().all(|r| !r.recently_active));
        assert!(all
            .iter()
            .filter(|r| r.namespace != "AWS/S3")
            .all(|r| r.recently_active));
        // ALB and NLB share metric names but are separate namespaces.
        assert_eq!(
            all.iter()
                .filter(|r| r.metric == "UnHealthyHostCount")
                .count(),
            3
        );
        let only_lambda = list_requests(&[Service::Lambda]);
        assert!(only_lambda.iter().all(|r| r.namespace == "AWS/Lambda"));
        assert_eq!(only_lambda.len(), 6);
    }

    #[test]
    fn resource_names() {
        assert_eq!(
            Service::Alb.resource_name("app/web/50dc6c495c0c9188"),
            "web"
        );
        assert_eq!(Service::Nlb.resource_name("net/tcp/1"), "tcp");
        assert_eq!(Service::Lambda.resource_name("fn"), "fn");
        assert_eq!(Service::Alb.resource_name("odd"), "odd");
    }
}
