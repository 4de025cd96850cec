//! From listed metrics to GetMetricData batches.
//!
//! [`select`] keeps the series the catalogue needs (right dimension set, enabled service,
//! resource name allowed by the filter) in a stable order. [`plan`] turns each (series,
//! statistic) into one query with a short id `q<N>`, where `N` indexes [`Plan::queries`] - so a
//! result id maps back to its series and statistic without a lookup table - and cuts the
//! queries into batches of at most 500 (the GetMetricData limit) that share one time range.

use std::ops::Range;

use super::catalogue::{spec_index_for, Cadence, MetricSpec, Service, Stat, CATALOGUE};
use super::filter::ResourceFilter;
use super::window::{Window, DAY};

/// GetMetricData accepts at most 500 queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;

/// A metric as ListMetrics returned it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListedMetric {
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
}

/// A series the summary needs: one metric with one dimension set.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Index into [`CATALOGUE`].
    pub spec_index: usize,
    /// The resource id (`app/web/123`, function name, bucket name, Classic LB name).
    pub resource: String,
    /// The second dimension that splits a resource: `TargetGroup` for host counts,
    /// `StorageType` for S3 sizes.
    pub part: Option<(String, String)>,
    /// The dimensions to query, sorted by name.
    pub dimensions: Vec<(String, String)>,
}

impl Series {
    pub fn spec(&self) -> &'static MetricSpec {
        &CATALOGUE[self.spec_index]
    }

    pub fn service(&self) -> Service {
        self.spec().service
    }
}

/// What discovery kept and dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub series: Vec<Series>,
    /// Metrics ListMetrics returned.
    pub listed: usize,
    /// Dropped because the dimension set is not the one the summary uses (per AZ, per
    /// version, ...).
    pub skipped_dimension_sets: usize,
    /// Dropped by RESOURCE_INCLUDE / RESOURCE_EXCLUDE.
    pub filtered_out: usize,
    /// The same series listed twice (pages can overlap).
    pub duplicates: usize,
}

/// Keeps the series the summary needs, sorted by service, resource, part and catalogue order.
pub fn select(
    listed: Vec<ListedMetric>,
    enabled: &[Service],
    filter: &ResourceFilter,
) -> Selection {
    let mut selection = Selection {
        listed: listed.len(),
        ..Selection::default()
    };
    for metric in listed {
        let Some(spec_index) =
            spec_index_for(&metric.namespace, &metric.metric, &metric.dimensions)
        else {
            selection.skipped_dimension_sets += 1;
            continue;
        };
        let spec = &CATALOGUE[spec_index];
        if !enabled.contains(&spec.service) {
            selection.skipped_dimension_sets += 1;
            continue;
        }
        let resource_dimension = spec.service.resource_dimension();
        let Some(resource) = metric
            .dimensions
            .iter()
            .find(|(name, _)| name == resource_dimension)
            .map(|(_, value)| value.clone())
        else {
            selection.skipped_dimension_sets += 1;
            continue;
        };
        if !filter.allows(spec.service.resource_name(&resource)) {
            selection.filtered_out += 1;
            continue;
        }
        let mut dimensions = metric.dimensions;
        dimensions.sort();
        // A fixed dimension (StorageType=AllStorageTypes for object counts) does not split the
        // resource; any other second dimension (TargetGroup, StorageType) does.
        let fixed = spec.required_value.map(|(name, _)| name);
        let part = dimensions
            .iter()
            .find(|(name, _)| name != resource_dimension && Some(name.as_str()) != fixed)
            .cloned();
        selection.series.push(Series {
            spec_index,
            resource,
            part,
            dimensions,
        });
    }
    selection.series.sort_by(|a, b| {
        (
            a.service(),
            &a.resource,
            &a.part,
            a.spec_index,
            &a.dimensions,
        )
            .cmp(&(
                b.service(),
                &b.resource,
                &b.part,
                b.spec_index,
                &b.dimensions,
            ))
    });
    // The same series listed twice (overlapping pages) is adjacent after sorting.
    let before = selection.series.len();
    selection
        .series
        .dedup_by(|a, b| a.spec_index == b.spec_index && a.dimensions == b.dimensions);
    selection.duplicates = before - selection.series.len();
    selection
}

/// One GetMetricData query: a series, a statistic and the period it is requested at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedQuery {
    pub series: usize,
    pub stat: Stat,
    pub period: u32,
}

/// One GetMetricData request (before paging): a time range and a slice of the queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub start: i64,
    pub end: i64,
    pub queries: Range<usize>,
}

/// All queries of a run and how they are cut into calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub queries: Vec<PlannedQuery>,
    pub batches: Vec<Batch>,
    /// For each series, the range of its queries in `queries`.
    pub by_series: Vec<Range<usize>>,
}

/// The id of query `index`: short, stable for a given plan, valid for CloudWatch (starts with
/// a lower-case letter).
pub fn query_id(index: usize) -> String {
    format!("q{index}")
}

/// The inverse of [`query_id`]; `None` for ids this plan did not send.
pub fn parse_query_id(id: &str) -> Option<usize> {
    let digits = id.strip_prefix('q')?;
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.parse().ok()
}

/// Plans the queries. Sum/Maximum/Minimum are requested per `PERIOD` (their window value is
/// exact from the periods, and the periods give peaks); Average and percentiles with one
/// period spanning the whole window, because averaging per-period averages or percentiles is
/// wrong. S3's daily metrics use period 86,400 over the daily range, in their own batches since
/// a GetMetricData call has one time range. `percentiles = false` leaves out p99 (for emulators
/// that cannot compute it).
pub fn plan(series: &[Series], window: &Window, percentiles: bool) -> Plan {
    let window_seconds = u32::try_from(window.seconds()).unwrap_or(u32::MAX);
    let mut plan = Plan {
        queries: Vec::with_capacity(series.len() * 2),
        batches: Vec::new(),
        by_series: vec![0..0; series.len()],
    };
    for (cadence, start, end) in [
        (Cadence::Window, window.start, window.end),
        (Cadence::Daily, window.daily_start, window.daily_end),
    ] {
        let group_start = plan.queries.len();
        for (index, s) in series.iter().enumerate() {
            let spec = s.spec();
            if spec.cadence != cadence {
                continue;
            }
            let first = plan.queries.len();
            for &stat in spec.stats {
                if stat.is_percentile() && !percentiles {
                    continue;
                }
                let period = match cadence {
                    Cadence::Daily => DAY as u32,
                    Cadence::Window if stat.is_decomposable() => window.period,
                    Cadence::Window => window_seconds,
                };
                plan.queries.push(PlannedQuery {
                    series: index,
                    stat,
                    period,
                });
            }
            plan.by_series[index] = first..plan.queries.len();
        }
        let mut chunk_start = group_start;
        while chunk_start < plan.queries.len() {
            let chunk_end = (chunk_start + MAX_QUERIES_PER_CALL).min(plan.queries.len());
            plan.batches.push(Batch {
                start,
                end,
                queries: chunk_start..chunk_end,
            });
            chunk_start = chunk_end;
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::window::WindowConfig;

    pub(crate) fn listed(namespace: &str, metric: &str, dims: &[(&str, &str)]) -> ListedMetric {
        ListedMetric {
            namespace: namespace.into(),
            metric: metric.into(),
            dimensions: dims
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn window() -> Window {
        Window::ending_at(1_795_406_700, &WindowConfig::default())
    }

    #[test]
    fn selection_drops_unneeded_sets_filtered_names_and_duplicates() {
        let input = vec![
            listed("AWS/Lambda", "Invocations", &[("FunctionName", "prod-b")]),
            listed("AWS/Lambda", "Invocations", &[("FunctionName", "prod-a")]),
            listed("AWS/Lambda", "Invocations", &[("FunctionName", "prod-a")]),
            listed(
                "AWS/Lambda",
                "Invocations",
                &[("FunctionName", "prod-a"), ("Resource", "prod-a:live")],
            ),
            listed("AWS/Lambda", "Invocations", &[("FunctionName", "dev-x")]),
            listed("AWS/Lambda", "Invocations", &[]),
            listed(
                "AWS/ApplicationELB",
                "RequestCount",
                &[("LoadBalancer", "app/prod-web/1")],
            ),
        ];
        let filter = ResourceFilter::new(Some("^prod-"), None).unwrap();
        let sel = select(input, &[Service::Lambda], &filter);
        assert_eq!(sel.listed, 7);
        assert_eq!(sel.duplicates, 1);
        assert_eq!(sel.filtered_out, 1);
        assert_eq!(sel.skipped_dimension_sets, 3); // alias, region total, disabled ALB
        let names: Vec<_> = sel.series.iter().map(|s| s.resource.as_str()).collect();
        assert_eq!(names, ["prod-a", "prod-b"]);
    }

    #[test]
    fn filter_applies_to_the_load_balancer_name_not_the_id() {
        let input = vec![listed(
            "AWS/ApplicationELB",
            "RequestCount",
            &[("LoadBalancer", "app/web/50dc6c495c0c9188")],
        )];
        let filter = ResourceFilter::new(Some("^web$"), None).unwrap();
        assert_eq!(select(input, &[Service::Alb], &filter).series.len(), 1);
    }

    #[test]
    fn target_group_becomes_the_part() {
        let input = vec![listed(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            &[
                ("TargetGroup", "targetgroup/t/2"),
                ("LoadBalancer", "app/web/1"),
            ],
        )];
        let sel = select(input, &[Service::Alb], &ResourceFilter::default());
        let s = &sel.series[0];
        assert_eq!(s.resource, "app/web/1");
        assert_eq!(
            s.part,
            Some(("TargetGroup".to_string(), "targetgroup/t/2".to_string()))
        );
        assert_eq!(s.dimensions[0].0, "LoadBalancer");
    }

    #[test]
    fn periods_per_statistic_and_separate_daily_batch() {
        let input = vec![
            listed("AWS/Lambda", "Duration", &[("FunctionName", "f")]),
            listed(
                "AWS/S3",
                "BucketSizeBytes",
                &[("BucketName", "b"), ("StorageType", "StandardStorage")],
            ),
        ];
        let sel = select(input, &Service::ALL, &ResourceFilter::default());
        let w = window();
        let p = plan(&sel.series, &w, true);
        let lambda = sel.series.iter().position(|s| s.resource == "f").unwrap();
        let q: Vec<_> = p.queries[p.by_series[lambda].clone()].to_vec();
        assert_eq!(
            q.iter().map(|q| (q.stat, q.period)).collect::<Vec<_>>(),
            [
                (Stat::Average, 3600),
                (Stat::P99, 3600),
                (Stat::Maximum, 300)
            ]
        );
        assert_eq!(p.batches.len(), 2);
        assert_eq!((p.batches[0].start, p.batches[0].end), (w.start, w.end));
        assert_eq!(
            (p.batches[1].start, p.batches[1].end),
            (w.daily_start, w.daily_end)
        );
        assert_eq!(p.queries[p.batches[1].queries.start].period, 86_400);

        let without = plan(&sel.series, &w, false);
        assert!(without.queries.iter().all(|q| q.stat != Stat::P99));
        assert_eq!(without.queries.len(), 3);
    }

    #[test]
    fn batches_hold_at_most_500_queries() {
        let input: Vec<_> = (0..1200)
            .map(|i| {
                listed(
                    "AWS/Lambda",
                    "Invocations",
                    &[("FunctionName", &format!("f{i:04}"))],
                )
            })
            .collect();
        let sel = select(input, &Service::ALL, &ResourceFilter::default());
        let p = plan(&sel.series, &window(), true);
        assert_eq!(p.queries.len(), 1200);
        let sizes: Vec<_> = p.batches.iter().map(|b| b.queries.len()).collect();
        assert_eq!(sizes, [500, 500, 200]);
        // Every query is in exactly one batch, in order.
        let mut next = 0;
        for b in &p.batches {
            assert_eq!(b.queries.start, next);
            next = b.queries.end;
        }
        assert_eq!(next, 1200);
    }

    #[test]
    fn empty_selection_plans_no_calls() {
        let p = plan(&[], &window(), true);
        assert!(p.batches.is_empty());
    }

    #[test]
    fn query_ids_round_trip_and_reject_foreign_ids() {
        for i in [0usize, 7, 499, 12_345] {
            assert_eq!(parse_query_id(&query_id(i)), Some(i));
        }
        for bad in ["", "q", "x1", "q01", "q-1", "q1a", "Q1"] {
            assert_eq!(parse_query_id(bad), None, "{bad}");
        }
    }
}
