//! Turning merged query answers into the summary document.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::catalogue::{Cadence, Service, Stat};
use super::cost::estimated_cost_usd;
use super::document::{
    Change, DataStatus, MetricValue, PartSummary, PreviousRef, ResourceSummary, RunTelemetry,
    ServiceChange, ServiceSummary, Summary, TopEntry, WindowInfo, SCHEMA,
};
use super::merge::{Fetched, QueryData, QueryState};
use super::plan::{Plan, Selection};
use super::window::{Window, WindowConfig, DAY};

/// Everything [`build_summary`] needs.
pub struct BuildInput<'a> {
    pub region: &'a str,
    pub generated_at: DateTime<Utc>,
    pub window: &'a Window,
    pub window_config: &'a WindowConfig,
    pub enabled: &'a [Service],
    pub selection: &'a Selection,
    pub plan: &'a Plan,
    pub fetched: &'a Fetched,
    /// The previous window's summary and its store key, when one was found.
    pub previous: Option<(&'a str, &'a Summary)>,
    pub top_n: usize,
    /// Calls, duration, failed batches and `percentiles_requested` as measured by the caller;
    /// the counts derived from the plan and answers are filled in here.
    pub run: RunTelemetry,
}

/// Per-service choices: which derived numbers rank offenders, which are compared with the
/// previous window, which are summed into totals.
struct Rules {
    top: &'static [&'static str],
    change: &'static [&'static str],
    additive: &'static [&'static str],
}

fn rules(service: Service) -> Rules {
    match service {
        Service::Alb => Rules {
            top: &[
                "error_rate_5xx",
                "latency_p99_s",
                "latency_avg_s",
                "unhealthy_hosts_max",
            ],
            change: &[
                "requests",
                "http_5xx",
                "error_rate_5xx",
                "latency_avg_s",
                "latency_p99_s",
                "unhealthy_hosts_max",
            ],
            additive: &[
                "requests",
                "http_5xx",
                "http_4xx",
                "target_connection_errors",
            ],
        },
        Service::Nlb => Rules {
            top: &["tcp_resets", "unhealthy_hosts_max"],
            change: &[
                "new_flows",
                "processed_bytes",
                "tcp_resets",
                "active_flows_max",
            ],
            additive: &["new_flows", "processed_bytes", "tcp_resets"],
        },
        Service::Elb => Rules {
            top: &[
                "error_rate_5xx",
                "latency_max_s",
                "surge_queue_max",
                "unhealthy_hosts_max",
            ],
            change: &[
                "requests",
                "http_5xx",
                "error_rate_5xx",
                "latency_avg_s",
                "latency_max_s",
            ],
            additive: &["requests", "http_5xx", "http_4xx", "spillover"],
        },
        Service::S3 => Rules {
            top: &["size_growth_bytes", "objects_growth"],
            change: &["size_bytes", "objects"],
            additive: &[
                "size_bytes",
                "objects",
                "size_growth_bytes",
                "objects_growth",
            ],
        },
        Service::Lambda => Rules {
            top: &[
                "error_rate",
                "throttle_rate",
                "duration_p99_ms",
                "iterator_age_max_ms",
            ],
            change: &[
                "invocations",
                "errors",
                "error_rate",
                "throttles",
                "duration_avg_ms",
                "duration_p99_ms",
            ],
            additive: &["invocations", "errors", "throttles"],
        },
    }
}

/// Builds the summary document.
pub fn build_summary(input: BuildInput<'_>) -> Summary {
    let BuildInput {
        region,
        generated_at,
        window,
        window_config,
        enabled,
        selection,
        plan,
        fetched,
        previous,
        top_n,
        mut run,
    } = input;

    let mut services: BTreeMap<String, ServiceSummary> = BTreeMap::new();
    for &service in enabled {
        services.insert(
            service.key().to_owned(),
            ServiceSummary {
                namespace: service.namespace().to_owned(),
                resources: Vec::new(),
                totals: BTreeMap::new(),
                top: BTreeMap::new(),
                idle: Vec::new(),
                change: None,
            },
        );
    }

    // Series are sorted by (service, resource): walk contiguous groups.
    let series = &selection.series;
    let mut start = 0;
    while start < series.len() {
        let service = series[start].service();
        let resource = &series[start].resource;
        let mut end = start + 1;
        while end < series.len()
            && series[end].service() == service
            && &series[end].resource == resource
        {
            end += 1;
        }
        let summary = summarise_resource(service, resource, start..end, selection, plan, fetched);
        if let Some(s) = services.get_mut(service.key()) {
            s.resources.push(summary);
        }
        start = end;
    }

    let previous_services = previous.map(|(_, p)| &p.services);
    for (key, s) in services.iter_mut() {
        let Some(service) = Service::ALL.iter().copied().find(|x| x.key() == key) else {
            continue;
        };
        let rules = rules(service);
        s.idle = s
            .resources
            .iter()
            .filter(|r| r.idle == Some(true))
            .map(|r| r.id.clone())
            .collect();
        s.totals = totals(service, &rules, &s.resources);
        for metric in rules.top {
            s.top
                .insert((*metric).to_owned(), top(&s.resources, metric, top_n));
        }
        if let Some(prev) = previous_services.and_then(|p| p.get(key)) {
            apply_change(s, prev, &rules);
        }
    }

    run.listed_metrics = selection.listed;
    run.series = selection.series.len();
    run.skipped_dimension_sets = selection.skipped_dimension_sets;
    run.filtered_out = selection.filtered_out;
    run.queries = plan.queries.len();
    run.partial_results = fetched.count(QueryState::Partial);
    run.failed_queries = fetched.count(QueryState::Failed) + fetched.count(QueryState::Unanswered);
    run.queries_without_data = fetched.without_points();
    run.estimated_cost_usd = estimated_cost_usd(run.metrics_requested, run.list_metrics_calls);
    run.messages = fetched.messages.clone();
    if fetched.messages_dropped > 0 {
        run.messages.push(format!(
            "{} more messages not kept",
            fetched.messages_dropped
        ));
    }
    if fetched.unknown_ids > 0 {
        run.messages.push(format!(
            "{} results carried ids this run did not send (ignored)",
            fetched.unknown_ids
        ));
    }
    let complete = run.partial_results == 0 && run.failed_queries == 0 && run.failed_batches == 0;

    Summary {
        schema: SCHEMA.to_owned(),
        generated_at,
        region: region.to_owned(),
        window: WindowInfo {
            start: epoch(window.start),
            end: epoch(window.end),
            period_seconds: window.period,
            window_seconds: window.seconds(),
            settle_delay_seconds: window_config.settle_delay,
            daily_start: epoch(window.daily_start),
            daily_end: epoch(window.daily_end),
        },
        complete,
        services,
        previous: previous.map(|(key, p)| PreviousRef {
            key: key.to_owned(),
            window_end: p.window.end,
        }),
        run,
    }
}

/// Unix seconds to a UTC time (out-of-range values clamp to the epoch; they cannot come from
/// an aligned window).
pub fn epoch(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn metric_key(metric: &str, stat: Stat) -> String {
    format!("{metric}.{}", stat.as_cloudwatch())
}

/// The window value of one query's points.
fn window_value(stat: Stat, cadence: Cadence, points: &[(i64, f64)]) -> Option<f64> {
    if points.is_empty() {
        return None;
    }
    let values = points.iter().map(|(_, v)| *v);
    Some(match (cadence, stat) {
        // Daily metrics: the latest day.
        (Cadence::Daily, _) => points[points.len() - 1].1,
        (_, Stat::Sum) => values.sum(),
        (_, Stat::Maximum) => values.fold(f64::NEG_INFINITY, f64::max),
        (_, Stat::Minimum) => values.fold(f64::INFINITY, f64::min),
        // Requested with one period covering the window, so normally one point. If CloudWatch
        // splits it anyway, the average is the mean and the percentile the worst value.
        (_, Stat::Average) => values.sum::<f64>() / points.len() as f64,
        (_, Stat::P99) => values.fold(f64::NEG_INFINITY, f64::max),
    })
}

fn metric_value(stat: Stat, cadence: Cadence, data: Option<&QueryData>) -> MetricValue {
    let Some(data) = data else {
        return MetricValue {
            value: None,
            status: DataStatus::Error,
            points: 0,
        };
    };
    let (value, status) = match data.state {
        QueryState::Failed | QueryState::Unanswered => (None, DataStatus::Error),
        QueryState::Partial => (
            window_value(stat, cadence, &data.points),
            DataStatus::Partial,
        ),
        QueryState::Complete if data.points.is_empty() => (None, DataStatus::NoData),
        QueryState::Complete => (window_value(stat, cadence, &data.points), DataStatus::Ok),
    };
    MetricValue {
        value,
        status,
        points: data.points.len(),
    }
}

/// A target group or storage class of a resource: (dimension, value, values, points).
struct PartView<'a> {
    dimension: String,
    value: String,
    metrics: BTreeMap<String, MetricValue>,
    points: HashMap<String, &'a [(i64, f64)]>,
}

/// Raw values and points of one resource, and the bookkeeping of assumed zeros.
struct View<'a> {
    metrics: BTreeMap<String, MetricValue>,
    points: HashMap<String, &'a [(i64, f64)]>,
    parts: Vec<PartView<'a>>,
    assumed_zero: Vec<String>,
}

impl<'a> View<'a> {
    /// A count metric (Sum). Absent or without data points means zero (the services publish
    /// counts only when non-zero) and is recorded; a failed or still-partial empty query is
    /// unknown.
    fn count(&mut self, metric: &str) -> Option<f64> {
        match self.metrics.get(&metric_key(metric, Stat::Sum)) {
            Some(v) => match (v.status, v.value) {
                (DataStatus::Ok | DataStatus::Partial, Some(x)) => Some(x),
                (DataStatus::NoData, _) => {
                    self.assumed_zero.push(metric.to_owned());
                    Some(0.0)
                }
                _ => None,
            },
            None => {
                self.assumed_zero.push(metric.to_owned());
                Some(0.0)
            }
        }
    }

    fn stat(&self, metric: &str, stat: Stat) -> Option<f64> {
        self.metrics
            .get(&metric_key(metric, stat))
            .and_then(|v| v.value)
    }

    fn points(&self, metric: &str, stat: Stat) -> &'a [(i64, f64)] {
        self.points
            .get(&metric_key(metric, stat))
            .copied()
            .unwrap_or(&[])
    }

    fn part_values(&self, metric: &str, stat: Stat) -> impl Iterator<Item = f64> + '_ {
        let key = metric_key(metric, stat);
        self.parts
            .iter()
            .filter_map(move |p| p.metrics.get(&key).and_then(|v| v.value))
    }
}

fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? + b?)
}

fn ratio(numerator: Option<f64>, denominator: Option<f64>) -> Option<f64> {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
        _ => None,
    }
}

fn value_at(points: &[(i64, f64)], t: i64) -> f64 {
    points
        .binary_search_by_key(&t, |(ts, _)| *ts)
        .map(|i| points[i].1)
        .unwrap_or(0.0)
}

/// The worst per-period ratio sum(numerators) / denominator over periods with a non-zero
/// denominator (a missing numerator point is zero: ELB omits zero counts).
fn peak_ratio(numerators: &[&[(i64, f64)]], denominator: &[(i64, f64)]) -> Option<f64> {
    denominator
        .iter()
        .filter(|(_, d)| *d > 0.0)
        .map(|(t, d)| numerators.iter().map(|n| value_at(n, *t)).sum::<f64>() / d)
        .fold(None, |acc: Option<f64>, r| {
            Some(acc.map_or(r, |a| a.max(r)))
        })
}

fn max_of(values: impl Iterator<Item = f64>) -> Option<f64> {
    values.fold(None, |acc, v| Some(acc.map_or(v, |a: f64| a.max(v))))
}

fn min_of(values: impl Iterator<Item = f64>) -> Option<f64> {
    values.fold(None, |acc, v| Some(acc.map_or(v, |a: f64| a.min(v))))
}

fn summarise_resource(
    service: Service,
    resource: &str,
    range: std::ops::Range<usize>,
    selection: &Selection,
    plan: &Plan,
    fetched: &Fetched,
) -> ResourceSummary {
    let mut view = View {
        metrics: BTreeMap::new(),
        points: HashMap::new(),
        parts: Vec::new(),
        assumed_zero: Vec::new(),
    };
    for index in range {
        let s = &selection.series[index];
        let spec = s.spec();
        let queries = plan.by_series.get(index).cloned().unwrap_or(0..0);
        for q in queries {
            let Some(planned) = plan.queries.get(q) else {
                continue;
            };
            let data = fetched.data.get(q);
            let key = metric_key(spec.metric, planned.stat);
            let value = metric_value(planned.stat, spec.cadence, data);
            let points: &[(i64, f64)] = data.map(|d| d.points.as_slice()).unwrap_or(&[]);
            match &s.part {
                None => {
                    view.metrics.insert(key.clone(), value);
                    view.points.insert(key, points);
                }
                Some((dimension, part)) => {
                    let slot = match view
                        .parts
                        .iter()
                        .position(|p| &p.dimension == dimension && &p.value == part)
                    {
                        Some(i) => i,
                        None => {
                            view.parts.push(PartView {
                                dimension: dimension.clone(),
                                value: part.clone(),
                                metrics: BTreeMap::new(),
                                points: HashMap::new(),
                            });
                            view.parts.len() - 1
                        }
                    };
                    view.parts[slot].metrics.insert(key.clone(), value);
                    view.parts[slot].points.insert(key, points);
                }
            }
        }
    }

    let mut derived: BTreeMap<String, Option<f64>> = BTreeMap::new();
    let mut put = |k: &str, v: Option<f64>| {
        derived.insert(k.to_owned(), v);
    };
    let mut idle = None;
    let mut as_of = None;
    match service {
        Service::Alb => {
            let requests = view.count("RequestCount");
            let elb_5xx = view.count("HTTPCode_ELB_5XX_Count");
            let target_5xx = view.count("HTTPCode_Target_5XX_Count");
            let elb_4xx = view.count("HTTPCode_ELB_4XX_Count");
            let target_4xx = view.count("HTTPCode_Target_4XX_Count");
            let http_5xx = add(elb_5xx, target_5xx);
            let http_4xx = add(elb_4xx, target_4xx);
            put("requests", requests);
            put("elb_5xx", elb_5xx);
            put("target_5xx", target_5xx);
            put("http_5xx", http_5xx);
            put("http_4xx", http_4xx);
            put("error_rate_5xx", ratio(http_5xx, requests));
            put("rate_4xx", ratio(http_4xx, requests));
            put(
                "peak_error_rate_5xx",
                peak_ratio(
                    &[
                        view.points("HTTPCode_ELB_5XX_Count", Stat::Sum),
                        view.points("HTTPCode_Target_5XX_Count", Stat::Sum),
                    ],
                    view.points("RequestCount", Stat::Sum),
                ),
            );
            put(
                "target_connection_errors",
                view.count("TargetConnectionErrorCount"),
            );
            put(
                "latency_avg_s",
                view.stat("TargetResponseTime", Stat::Average),
            );
            put("latency_p99_s", view.stat("TargetResponseTime", Stat::P99));
            put(
                "unhealthy_hosts_max",
                max_of(view.part_values("UnHealthyHostCount", Stat::Maximum)),
            );
            put(
                "healthy_hosts_min",
                min_of(view.part_values("HealthyHostCount", Stat::Minimum)),
            );
            idle = requests.map(|r| r == 0.0);
        }
        Service::Nlb => {
            let new_flows = view.count("NewFlowCount");
            let client = view.count("TCP_Client_Reset_Count");
            let elb = view.count("TCP_ELB_Reset_Count");
            let target = view.count("TCP_Target_Reset_Count");
            put("new_flows", new_flows);
            put("processed_bytes", view.count("ProcessedBytes"));
            put("tcp_client_resets", client);
            put("tcp_elb_resets", elb);
            put("tcp_target_resets", target);
            put("tcp_resets", add(add(client, elb), target));
            put(
                "active_flows_max",
                view.stat("ActiveFlowCount", Stat::Maximum),
            );
            put(
                "unhealthy_hosts_max",
                max_of(view.part_values("UnHealthyHostCount", Stat::Maximum)),
            );
            put(
                "healthy_hosts_min",
                min_of(view.part_values("HealthyHostCount", Stat::Minimum)),
            );
            idle = new_flows.map(|n| n == 0.0);
        }
        Service::Elb => {
            let requests = view.count("RequestCount");
            let backend_5xx = view.count("HTTPCode_Backend_5XX");
            let elb_5xx = view.count("HTTPCode_ELB_5XX");
            let backend_4xx = view.count("HTTPCode_Backend_4XX");
            let elb_4xx = view.count("HTTPCode_ELB_4XX");
            let http_5xx = add(backend_5xx, elb_5xx);
            let http_4xx = add(backend_4xx, elb_4xx);
            put("requests", requests);
            put("backend_5xx", backend_5xx);
            put("elb_5xx", elb_5xx);
            put("http_5xx", http_5xx);
            put("http_4xx", http_4xx);
            put("error_rate_5xx", ratio(http_5xx, requests));
            put("rate_4xx", ratio(http_4xx, requests));
            put(
                "peak_error_rate_5xx",
                peak_ratio(
                    &[
                        view.points("HTTPCode_Backend_5XX", Stat::Sum),
                        view.points("HTTPCode_ELB_5XX", Stat::Sum),
                    ],
                    view.points("RequestCount", Stat::Sum),
                ),
            );
            put(
                "backend_connection_errors",
                view.count("BackendConnectionErrors"),
            );
            put("spillover", view.count("SpilloverCount"));
            put("latency_avg_s", view.stat("Latency", Stat::Average));
            put("latency_max_s", view.stat("Latency", Stat::Maximum));
            put(
                "surge_queue_max",
                view.stat("SurgeQueueLength", Stat::Maximum),
            );
            put(
                "unhealthy_hosts_max",
                view.stat("UnHealthyHostCount", Stat::Maximum),
            );
            put(
                "healthy_hosts_min",
                view.stat("HealthyHostCount", Stat::Minimum),
            );
            idle = requests.map(|r| r == 0.0);
        }
        Service::Lambda => {
            let invocations = view.count("Invocations");
            let errors = view.count("Errors");
            let throttles = view.count("Throttles");
            put("invocations", invocations);
            put("errors", errors);
            put("throttles", throttles);
            put("error_rate", ratio(errors, invocations));
            // Throttled requests are not counted in Invocations.
            put(
                "throttle_rate",
                ratio(throttles, add(invocations, throttles)),
            );
            put("duration_avg_ms", view.stat("Duration", Stat::Average));
            put("duration_p99_ms", view.stat("Duration", Stat::P99));
            put("duration_max_ms", view.stat("Duration", Stat::Maximum));
            put(
                "concurrency_max",
                view.stat("ConcurrentExecutions", Stat::Maximum),
            );
            put(
                "iterator_age_max_ms",
                view.stat("IteratorAge", Stat::Maximum),
            );
            idle = invocations.map(|n| n == 0.0);
        }
        Service::S3 => {
            // Size: sum over storage classes per day; growth = latest day - the day before.
            let mut size_by_day: BTreeMap<i64, f64> = BTreeMap::new();
            let size_key = metric_key("BucketSizeBytes", Stat::Average);
            for part in &view.parts {
                for (t, v) in part.points.get(&size_key).copied().unwrap_or(&[]) {
                    *size_by_day.entry(*t).or_insert(0.0) += v;
                }
            }
            let objects: BTreeMap<i64, f64> = view
                .points("NumberOfObjects", Stat::Average)
                .iter()
                .copied()
                .collect();
            let latest_and_previous = |days: &BTreeMap<i64, f64>| {
                let latest = days.iter().next_back().map(|(t, v)| (*t, *v));
                let previous = latest.and_then(|(t, _)| days.get(&(t - DAY)).copied());
                (latest, previous)
            };
            let (size, size_prev) = latest_and_previous(&size_by_day);
            let (objs, objs_prev) = latest_and_previous(&objects);
            let size_now = size.map(|(_, v)| v);
            let objs_now = objs.map(|(_, v)| v);
            let size_growth = add(size_now, size_prev.map(|p| -p));
            let objs_growth = add(objs_now, objs_prev.map(|p| -p));
            put("size_bytes", size_now);
            put("size_bytes_previous_day", size_prev);
            put("size_growth_bytes", size_growth);
            put(
                "size_growth_pct",
                ratio(size_growth, size_prev).map(|r| r * 100.0),
            );
            put("objects", objs_now);
            put("objects_previous_day", objs_prev);
            put("objects_growth", objs_growth);
            put(
                "objects_growth_pct",
                ratio(objs_growth, objs_prev).map(|r| r * 100.0),
            );
            as_of = size.or(objs).map(|(t, _)| epoch(t));
        }
    }

    let mut assumed_zero = view.assumed_zero;
    assumed_zero.sort();
    assumed_zero.dedup();
    ResourceSummary {
        id: resource.to_owned(),
        name: service.resource_name(resource).to_owned(),
        idle,
        derived,
        assumed_zero,
        metrics: view.metrics,
        parts: view
            .parts
            .into_iter()
            .map(|p| PartSummary {
                dimension: p.dimension,
                value: p.value,
                metrics: p.metrics,
            })
            .collect(),
        as_of,
        change: BTreeMap::new(),
    }
}

fn totals(
    service: Service,
    rules: &Rules,
    resources: &[ResourceSummary],
) -> BTreeMap<String, Option<f64>> {
    let mut out: BTreeMap<String, Option<f64>> = BTreeMap::new();
    out.insert("resources".into(), Some(resources.len() as f64));
    out.insert(
        "idle_resources".into(),
        Some(resources.iter().filter(|r| r.idle == Some(true)).count() as f64),
    );
    for key in rules.additive {
        // Sum over resources that have the number; null when none has it.
        let sum = resources
            .iter()
            .filter_map(|r| r.derived.get(*key).copied().flatten())
            .fold(None, |acc: Option<f64>, v| Some(acc.unwrap_or(0.0) + v));
        out.insert((*key).to_owned(), sum);
    }
    let get = |out: &BTreeMap<String, Option<f64>>, k: &str| out.get(k).copied().flatten();
    match service {
        Service::Alb | Service::Elb => {
            let e = ratio(get(&out, "http_5xx"), get(&out, "requests"));
            let f = ratio(get(&out, "http_4xx"), get(&out, "requests"));
            out.insert("error_rate_5xx".into(), e);
            out.insert("rate_4xx".into(), f);
        }
        Service::Lambda => {
            let invocations = get(&out, "invocations");
            let throttles = get(&out, "throttles");
            let e = ratio(get(&out, "errors"), invocations);
            let t = ratio(throttles, add(invocations, throttles));
            out.insert("error_rate".into(), e);
            out.insert("throttle_rate".into(), t);
        }
        Service::Nlb | Service::S3 => {}
    }
    out
}

fn top(resources: &[ResourceSummary], metric: &str, n: usize) -> Vec<TopEntry> {
    let mut entries: Vec<TopEntry> = resources
        .iter()
        .filter_map(|r| {
            let value = r.derived.get(metric).copied().flatten()?;
            (value > 0.0).then(|| TopEntry {
                id: r.id.clone(),
                name: r.name.clone(),
                value,
            })
        })
        .collect();
    entries.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(n);
    entries
}

fn apply_change(current: &mut ServiceSummary, previous: &ServiceSummary, rules: &Rules) {
    let previous_by_id: HashMap<&str, &ResourceSummary> = previous
        .resources
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut new_resources = Vec::new();
    for r in current.resources.iter_mut() {
        let Some(p) = previous_by_id.get(r.id.as_str()) else {
            new_resources.push(r.id.clone());
            continue;
        };
        for key in rules.change {
            let now = r.derived.get(*key).copied().flatten();
            let before = p.derived.get(*key).copied().flatten();
            if now.is_some() || before.is_some() {
                r.change
                    .insert((*key).to_owned(), Change::between(before, now));
            }
        }
    }
    let current_ids: std::collections::HashSet<&str> =
        current.resources.iter().map(|r| r.id.as_str()).collect();
    let gone_resources = previous
        .resources
        .iter()
        .filter(|r| !current_ids.contains(r.id.as_str()))
        .map(|r| r.id.clone())
        .collect();
    let totals = current
        .totals
        .iter()
        .map(|(k, now)| {
            let before = previous.totals.get(k).copied().flatten();
            (k.clone(), Change::between(before, *now))
        })
        .collect();
    current.change = Some(ServiceChange {
        totals,
        new_resources,
        gone_resources,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::filter::ResourceFilter;
    use crate::summary::merge::{Merger, ResultStatus};
    use crate::summary::plan::{plan, query_id, select, ListedMetric};

    const END: i64 = 1_795_406_400; // 2026-11-23T04:00:00Z

    fn listed(namespace: &str, metric: &str, dims: &[(&str, &str)]) -> ListedMetric {
        ListedMetric {
            namespace: namespace.into(),
            metric: metric.into(),
            dimensions: dims
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// A tiny fake CloudWatch: answers every planned query from a table of
    /// (metric, stat, resource, part) -> points; unknown queries answer "no data".
    struct Fixture {
        window: Window,
        config: WindowConfig,
        selection: Selection,
        plan: Plan,
    }

    type Answer<'a> = (&'a str, Stat, &'a str, Option<&'a str>, Vec<(i64, f64)>);

    impl Fixture {
        fn new(listed: Vec<ListedMetric>, percentiles: bool) -> Fixture {
            let config = WindowConfig::default();
            let window = Window::ending_at(END, &config);
            let selection = select(listed, &Service::ALL, &ResourceFilter::default());
            let plan = plan(&selection.series, &window, percentiles);
            Fixture {
                window,
                config,
                selection,
                plan,
            }
        }

        fn fetch(&self, answers: &[Answer<'_>]) -> Fetched {
            let mut m = Merger::new(self.plan.queries.len());
            for (i, q) in self.plan.queries.iter().enumerate() {
                let s = &self.selection.series[q.series];
                let found = answers.iter().find(|(metric, stat, res, part, _)| {
                    *metric == s.spec().metric
                        && *stat == q.stat
                        && *res == s.resource
                        && part.map(str::to_owned) == s.part.as_ref().map(|p| p.1.clone())
                });
                let points = found.map(|a| a.4.clone()).unwrap_or_default();
                let (ts, vs): (Vec<i64>, Vec<f64>) = points.into_iter().unzip();
                m.add_result(&query_id(i), &ts, &vs, ResultStatus::Complete);
            }
            m.finish()
        }

        fn build(&self, fetched: &Fetched, previous: Option<(&str, &Summary)>) -> Summary {
            build_summary(BuildInput {
                region: "us-east-1",
                generated_at: epoch(END + 700),
                window: &self.window,
                window_config: &self.config,
                enabled: &Service::ALL,
                selection: &self.selection,
                plan: &self.plan,
                fetched,
                previous,
                top_n: 2,
                run: RunTelemetry {
                    metrics_requested: self.plan.queries.len() as u64,
                    list_metrics_calls: 10,
                    get_metric_data_calls: self.plan.batches.len() as u64,
                    ..RunTelemetry::default()
                },
            })
        }
    }

    fn p(offsets_and_values: &[(i64, f64)]) -> Vec<(i64, f64)> {
        let start = END - 3600;
        offsets_and_values
            .iter()
            .map(|(o, v)| (start + o * 300, *v))
            .collect()
    }

    fn alb_fixture() -> Fixture {
        let lb = |name: &str| format!("app/{name}/1");
        let mut l = Vec::new();
        for name in ["web", "api", "quiet"] {
            let id = lb(name);
            l.push(listed(
                "AWS/ApplicationELB",
                "RequestCount",
                &[("LoadBalancer", &id)],
            ));
            l.push(listed(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                &[("LoadBalancer", &id)],
            ));
        }
        l.push(listed(
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            &[("LoadBalancer", "app/web/1")],
        ));
        l.push(listed(
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            &[("LoadBalancer", "app/web/1")],
        ));
        l.push(listed(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            &[("LoadBalancer", "app/api/1")],
        ));
        for tg in ["targetgroup/a/1", "targetgroup/b/2"] {
            l.push(listed(
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                &[("LoadBalancer", "app/web/1"), ("TargetGroup", tg)],
            ));
        }
        // A per-AZ series that must not be requested.
        l.push(listed(
            "AWS/ApplicationELB",
            "RequestCount",
            &[
                ("LoadBalancer", "app/web/1"),
                ("AvailabilityZone", "us-east-1a"),
            ],
        ));
        Fixture::new(l, true)
    }

    fn alb_answers() -> Vec<Answer<'static>> {
        vec![
            (
                "RequestCount",
                Stat::Sum,
                "app/web/1",
                None,
                p(&[(0, 100.0), (1, 100.0), (2, 50.0)]),
            ),
            (
                "HTTPCode_ELB_5XX_Count",
                Stat::Sum,
                "app/web/1",
                None,
                p(&[(2, 5.0)]),
            ),
            (
                "HTTPCode_Target_5XX_Count",
                Stat::Sum,
                "app/web/1",
                None,
                p(&[(0, 2.0), (2, 5.0)]),
            ),
            (
                "TargetResponseTime",
                Stat::Average,
                "app/web/1",
                None,
                p(&[(0, 0.2)]),
            ),
            (
                "TargetResponseTime",
                Stat::P99,
                "app/web/1",
                None,
                p(&[(0, 1.5)]),
            ),
            (
                "RequestCount",
                Stat::Sum,
                "app/api/1",
                None,
                p(&[(0, 1000.0)]),
            ),
            (
                "HTTPCode_Target_4XX_Count",
                Stat::Sum,
                "app/api/1",
                None,
                p(&[(0, 10.0)]),
            ),
            (
                "TargetResponseTime",
                Stat::Average,
                "app/api/1",
                None,
                p(&[(0, 0.05)]),
            ),
            (
                "TargetResponseTime",
                Stat::P99,
                "app/api/1",
                None,
                p(&[(0, 3.0)]),
            ),
            (
                "UnHealthyHostCount",
                Stat::Maximum,
                "app/web/1",
                Some("targetgroup/a/1"),
                p(&[(0, 0.0), (1, 2.0)]),
            ),
            (
                "UnHealthyHostCount",
                Stat::Maximum,
                "app/web/1",
                Some("targetgroup/b/2"),
                p(&[(0, 1.0)]),
            ),
        ]
    }

    fn resource<'a>(s: &'a Summary, service: &str, id: &str) -> &'a ResourceSummary {
        s.services[service]
            .resources
            .iter()
            .find(|r| r.id == id)
            .unwrap()
    }

    fn d(r: &ResourceSummary, key: &str) -> Option<f64> {
        *r.derived
            .get(key)
            .unwrap_or_else(|| panic!("no derived {key}"))
    }

    #[test]
    fn alb_rates_latency_hosts_and_idle() {
        let f = alb_fixture();
        assert_eq!(f.selection.skipped_dimension_sets, 1);
        let s = f.build(&f.fetch(&alb_answers()), None);
        let web = resource(&s, "alb", "app/web/1");
        assert_eq!(d(web, "requests"), Some(250.0));
        assert_eq!(d(web, "http_5xx"), Some(12.0));
        assert_eq!(d(web, "error_rate_5xx"), Some(12.0 / 250.0));
        // Period 2: (5 + 5) / 50.
        assert_eq!(d(web, "peak_error_rate_5xx"), Some(0.2));
        assert_eq!(d(web, "latency_p99_s"), Some(1.5));
        assert_eq!(d(web, "unhealthy_hosts_max"), Some(2.0));
        assert_eq!(d(web, "rate_4xx"), Some(0.0));
        assert!(web
            .assumed_zero
            .contains(&"HTTPCode_ELB_4XX_Count".to_string()));
        assert_eq!(web.idle, Some(false));
        assert_eq!(web.parts.len(), 2);
        assert_eq!(web.metrics["RequestCount.Sum"].points, 3);

        let quiet = resource(&s, "alb", "app/quiet/1");
        assert_eq!(quiet.idle, Some(true));
        assert_eq!(d(quiet, "requests"), Some(0.0));
        assert_eq!(d(quiet, "error_rate_5xx"), None, "no rate without requests");
        assert_eq!(quiet.metrics["RequestCount.Sum"].value, None);
        assert_eq!(quiet.metrics["RequestCount.Sum"].status, DataStatus::NoData);
        assert!(quiet.assumed_zero.contains(&"RequestCount".to_string()));
        assert_eq!(d(quiet, "latency_p99_s"), None, "no data is not zero");

        let alb = &s.services["alb"];
        assert_eq!(alb.idle, vec!["app/quiet/1".to_string()]);
        assert_eq!(alb.totals["requests"], Some(1250.0));
        assert_eq!(alb.totals["http_5xx"], Some(12.0));
        assert_eq!(alb.totals["error_rate_5xx"], Some(12.0 / 1250.0));
        assert!(
            !alb.totals.contains_key("latency_p99_s"),
            "no cross-resource p99"
        );
        let worst_p99: Vec<_> = alb.top["latency_p99_s"]
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(worst_p99, ["app/api/1", "app/web/1"]);
        let worst_errors: Vec<_> = alb.top["error_rate_5xx"]
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(worst_errors, ["app/web/1"], "zero rates are not offenders");
        assert!(s.complete);
        assert_eq!(s.run.series, f.selection.series.len());
        assert_eq!(s.window.end, epoch(END));
    }

    #[test]
    fn failed_queries_are_unknown_not_zero() {
        let f = alb_fixture();
        let mut m = Merger::new(f.plan.queries.len());
        for b in &f.plan.batches {
            m.fail_batch(b);
        }
        let s = f.build(&m.finish(), None);
        let web = resource(&s, "alb", "app/web/1");
        assert_eq!(d(web, "requests"), None);
        assert_eq!(web.idle, None);
        assert_eq!(web.metrics["RequestCount.Sum"].status, DataStatus::Error);
        assert!(!s.complete);
        assert_eq!(s.run.failed_queries, f.plan.queries.len());
        assert!(s.services["alb"].idle.is_empty());
    }

    #[test]
    fn lambda_error_throttle_rates_and_durations() {
        let mut l = Vec::new();
        for name in ["fa", "fb"] {
            for metric in ["Invocations", "Errors", "Throttles", "Duration"] {
                l.push(listed("AWS/Lambda", metric, &[("FunctionName", name)]));
            }
        }
        let f = Fixture::new(l, true);
        let fetched = f.fetch(&[
            (
                "Invocations",
                Stat::Sum,
                "fa",
                None,
                p(&[(0, 90.0), (5, 10.0)]),
            ),
            ("Errors", Stat::Sum, "fa", None, p(&[(0, 5.0)])),
            ("Throttles", Stat::Sum, "fa", None, p(&[(1, 25.0)])),
            ("Duration", Stat::Average, "fa", None, p(&[(0, 120.0)])),
            ("Duration", Stat::P99, "fa", None, p(&[(0, 900.0)])),
            (
                "Duration",
                Stat::Maximum,
                "fa",
                None,
                p(&[(0, 400.0), (3, 1200.0)]),
            ),
            ("Invocations", Stat::Sum, "fb", None, p(&[(0, 100.0)])),
            ("Duration", Stat::P99, "fb", None, p(&[(0, 50.0)])),
        ]);
        let s = f.build(&fetched, None);
        let fa = resource(&s, "lambda", "fa");
        assert_eq!(d(fa, "invocations"), Some(100.0));
        assert_eq!(d(fa, "error_rate"), Some(0.05));
        assert_eq!(d(fa, "throttle_rate"), Some(25.0 / 125.0));
        assert_eq!(d(fa, "duration_p99_ms"), Some(900.0));
        assert_eq!(d(fa, "duration_max_ms"), Some(1200.0));
        assert_eq!(d(fa, "duration_avg_ms"), Some(120.0));
        let fb = resource(&s, "lambda", "fb");
        assert_eq!(d(fb, "error_rate"), Some(0.0));
        assert_eq!(d(fb, "duration_avg_ms"), None);
        let lambda = &s.services["lambda"];
        assert_eq!(lambda.totals["invocations"], Some(200.0));
        assert_eq!(lambda.totals["error_rate"], Some(5.0 / 200.0));
        assert_eq!(lambda.top["error_rate"][0].id, "fa");
        assert_eq!(
            lambda.top["duration_p99_ms"]
                .iter()
                .map(|e| e.value)
                .collect::<Vec<_>>(),
            [900.0, 50.0]
        );
    }

    #[test]
    fn s3_size_objects_and_growth() {
        let l = vec![
            listed(
                "AWS/S3",
                "BucketSizeBytes",
                &[("BucketName", "logs"), ("StorageType", "StandardStorage")],
            ),
            listed(
                "AWS/S3",
                "BucketSizeBytes",
                &[("BucketName", "logs"), ("StorageType", "GlacierStorage")],
            ),
            listed(
                "AWS/S3",
                "NumberOfObjects",
                &[("BucketName", "logs"), ("StorageType", "AllStorageTypes")],
            ),
            listed(
                "AWS/S3",
                "BucketSizeBytes",
                &[("BucketName", "new"), ("StorageType", "StandardStorage")],
            ),
        ];
        let f = Fixture::new(l, true);
        assert!(f
            .plan
            .batches
            .iter()
            .all(|b| b.start == f.window.daily_start));
        let day1 = f.window.daily_start;
        let day2 = day1 + DAY;
        let fetched = f.fetch(&[
            (
                "BucketSizeBytes",
                Stat::Average,
                "logs",
                Some("StandardStorage"),
                vec![(day1, 1000.0), (day2, 1500.0)],
            ),
            (
                "BucketSizeBytes",
                Stat::Average,
                "logs",
                Some("GlacierStorage"),
                vec![(day1, 500.0), (day2, 500.0)],
            ),
            (
                "NumberOfObjects",
                Stat::Average,
                "logs",
                None,
                vec![(day1, 10.0), (day2, 12.0)],
            ),
            (
                "BucketSizeBytes",
                Stat::Average,
                "new",
                Some("StandardStorage"),
                vec![(day2, 42.0)],
            ),
        ]);
        let s = f.build(&fetched, None);
        let logs = resource(&s, "s3", "logs");
        assert_eq!(d(logs, "size_bytes"), Some(2000.0));
        assert_eq!(d(logs, "size_bytes_previous_day"), Some(1500.0));
        assert_eq!(d(logs, "size_growth_bytes"), Some(500.0));
        assert_eq!(d(logs, "objects"), Some(12.0));
        assert_eq!(d(logs, "objects_growth"), Some(2.0));
        assert_eq!(logs.as_of, Some(epoch(day2)));
        assert_eq!(logs.idle, None);
        let new = resource(&s, "s3", "new");
        assert_eq!(d(new, "size_bytes"), Some(42.0));
        assert_eq!(d(new, "size_growth_bytes"), None, "one day is not growth");
        assert_eq!(d(new, "objects"), None);
        assert_eq!(s.services["s3"].top["size_growth_bytes"][0].id, "logs");
    }

    #[test]
    fn nlb_and_classic() {
        let l = vec![
            listed(
                "AWS/NetworkELB",
                "NewFlowCount",
                &[("LoadBalancer", "net/tcp/1")],
            ),
            listed(
                "AWS/NetworkELB",
                "ActiveFlowCount",
                &[("LoadBalancer", "net/tcp/1")],
            ),
            listed(
                "AWS/NetworkELB",
                "TCP_Target_Reset_Count",
                &[("LoadBalancer", "net/tcp/1")],
            ),
            listed("AWS/ELB", "RequestCount", &[("LoadBalancerName", "old")]),
            listed(
                "AWS/ELB",
                "HTTPCode_Backend_5XX",
                &[("LoadBalancerName", "old")],
            ),
            listed("AWS/ELB", "Latency", &[("LoadBalancerName", "old")]),
            listed(
                "AWS/ELB",
                "SurgeQueueLength",
                &[("LoadBalancerName", "old")],
            ),
        ];
        let f = Fixture::new(l, true);
        let fetched = f.fetch(&[
            (
                "NewFlowCount",
                Stat::Sum,
                "net/tcp/1",
                None,
                p(&[(0, 30.0)]),
            ),
            (
                "ActiveFlowCount",
                Stat::Maximum,
                "net/tcp/1",
                None,
                p(&[(0, 7.0), (1, 9.0)]),
            ),
            (
                "TCP_Target_Reset_Count",
                Stat::Sum,
                "net/tcp/1",
                None,
                p(&[(0, 3.0)]),
            ),
            (
                "RequestCount",
                Stat::Sum,
                "old",
                None,
                p(&[(0, 40.0), (1, 60.0)]),
            ),
            (
                "HTTPCode_Backend_5XX",
                Stat::Sum,
                "old",
                None,
                p(&[(1, 6.0)]),
            ),
            ("Latency", Stat::Average, "old", None, p(&[(0, 0.3)])),
            (
                "Latency",
                Stat::Maximum,
                "old",
                None,
                p(&[(0, 2.0), (1, 4.0)]),
            ),
            (
                "SurgeQueueLength",
                Stat::Maximum,
                "old",
                None,
                p(&[(1, 17.0)]),
            ),
        ]);
        let s = f.build(&fetched, None);
        let nlb = resource(&s, "nlb", "net/tcp/1");
        assert_eq!(nlb.name, "tcp");
        assert_eq!(d(nlb, "active_flows_max"), Some(9.0));
        assert_eq!(d(nlb, "tcp_resets"), Some(3.0));
        assert_eq!(nlb.idle, Some(false));
        let old = resource(&s, "elb", "old");
        assert_eq!(d(old, "error_rate_5xx"), Some(0.06));
        assert_eq!(d(old, "peak_error_rate_5xx"), Some(0.1));
        assert_eq!(d(old, "latency_max_s"), Some(4.0));
        assert_eq!(d(old, "surge_queue_max"), Some(17.0));
        assert_eq!(d(old, "unhealthy_hosts_max"), None);
    }

    #[test]
    fn change_against_previous_summary() {
        let f = alb_fixture();
        let previous = f.build(&f.fetch(&alb_answers()), None);
        let mut answers = alb_answers();
        answers[0].4 = p(&[(0, 500.0)]); // web: 250 -> 500 requests
        answers.retain(|a| a.2 != "app/api/1");
        let mut prev_json: Summary =
            serde_json::from_slice(&serde_json::to_vec(&previous).unwrap()).unwrap();
        prev_json
            .services
            .get_mut("alb")
            .unwrap()
            .resources
            .push(ResourceSummary {
                id: "app/gone/1".into(),
                name: "gone".into(),
                idle: Some(true),
                derived: BTreeMap::new(),
                assumed_zero: vec![],
                metrics: BTreeMap::new(),
                parts: vec![],
                as_of: None,
                change: BTreeMap::new(),
            });
        let s = f.build(&f.fetch(&answers), Some(("prev/key.json", &prev_json)));
        let web = resource(&s, "alb", "app/web/1");
        let c = &web.change["requests"];
        assert_eq!(
            (c.previous, c.current, c.delta, c.delta_pct),
            (Some(250.0), Some(500.0), Some(250.0), Some(100.0))
        );
        let alb = s.services["alb"].change.as_ref().unwrap();
        assert_eq!(alb.gone_resources, vec!["app/gone/1".to_string()]);
        assert!(alb.new_resources.is_empty());
        assert_eq!(s.previous.as_ref().unwrap().key, "prev/key.json");
        // api had no data this time: its requests change to an assumed zero.
        let api = resource(&s, "alb", "app/api/1");
        assert_eq!(api.change["requests"].current, Some(0.0));
    }

    #[test]
    fn document_round_trips_and_rows_are_one_line_each() {
        let f = alb_fixture();
        let s = f.build(&f.fetch(&alb_answers()), None);
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""schema":"metrics-collector.summary/v1""#));
        assert!(
            json.contains(r#""error_rate_5xx":null"#),
            "nulls are explicit"
        );
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let rows = s.rows_jsonl().unwrap();
        let text = String::from_utf8(rows).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), s.resource_count());
        let row: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(row["service"], "alb");
        assert_eq!(row["window_end"], "2026-11-23T04:00:00Z");
        assert!(row["metrics"].is_object());
    }

    #[test]
    fn cost_and_completeness_telemetry() {
        let f = alb_fixture();
        let mut m = Merger::new(f.plan.queries.len());
        m.add_result("q0", &[END - 3600], &[1.0], ResultStatus::PartialData);
        m.add_message("MaxDatapointsExceeded: too many points".into());
        let s = f.build(&m.finish(), None);
        assert_eq!(s.run.partial_results, 1);
        assert!(!s.complete);
        assert_eq!(
            s.run.messages,
            vec!["MaxDatapointsExceeded: too many points".to_string()]
        );
        let expected = (f.plan.queries.len() as f64 + 10.0) * 0.00001;
        assert!((s.run.estimated_cost_usd - expected).abs() < 1e-9);
    }
}
