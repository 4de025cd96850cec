//! Times the collector's own work - selection, planning, building the SDK requests, merging
//! pages, building and serialising the summary - for N series, without any I/O.
//!
//! `cargo run --release -p metrics-collector --example core_bench -- [SERIES] [ITERATIONS]`
//! (see tools/bench/metrics_collector.sh). Prints the median per phase and per 500 series.

use std::time::{Duration, Instant};

use chrono::Utc;
use metrics_collector::cloudwatch::to_query;
use metrics_collector::handler::data_requests;
use shared::summary::document::RunTelemetry;
use shared::summary::merge::ResultStatus;
use shared::summary::{
    build_summary, plan, query_id, select, BuildInput, ListedMetric, Merger, ResourceFilter,
    Service, Window, WindowConfig,
};

fn listed(namespace: &str, metric: &str, dims: &[(&str, String)]) -> ListedMetric {
    ListedMetric {
        namespace: namespace.into(),
        metric: metric.into(),
        dimensions: dims
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect(),
    }
}

/// About `series` kept series (half ALB, half Lambda) plus per-AZ noise that is skipped.
fn inventory(series: usize) -> Vec<ListedMetric> {
    let mut out = Vec::with_capacity(series * 2);
    let albs = series / 2 / 8;
    for i in 0..albs {
        let lb = format!("app/lb-{i:05}/0123456789abcdef");
        for m in [
            "RequestCount",
            "HTTPCode_ELB_5XX_Count",
            "HTTPCode_Target_5XX_Count",
            "HTTPCode_Target_4XX_Count",
            "TargetResponseTime",
        ] {
            out.push(listed(
                "AWS/ApplicationELB",
                m,
                &[("LoadBalancer", lb.clone())],
            ));
            out.push(listed(
                "AWS/ApplicationELB",
                m,
                &[
                    ("LoadBalancer", lb.clone()),
                    ("AvailabilityZone", "us-east-1a".into()),
                ],
            ));
        }
        for tg in 0..3 {
            out.push(listed(
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                &[
                    ("LoadBalancer", lb.clone()),
                    ("TargetGroup", format!("targetgroup/t{tg}/1")),
                ],
            ));
        }
    }
    let functions = (series - albs * 8) / 4;
    for i in 0..functions {
        let f = format!("function-{i:05}");
        for m in ["Invocations", "Errors", "Throttles", "Duration"] {
            out.push(listed("AWS/Lambda", m, &[("FunctionName", f.clone())]));
            out.push(listed(
                "AWS/Lambda",
                m,
                &[
                    ("FunctionName", f.clone()),
                    ("Resource", format!("{f}:live")),
                ],
            ));
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let series: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let iterations: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let config = WindowConfig::default();
    let window = Window::aligned(Utc::now().timestamp(), &config);
    let listed_metrics = inventory(series);
    let filter = ResourceFilter::default();

    let phases = [
        "select",
        "plan",
        "requests",
        "merge",
        "summary",
        "serialize",
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); phases.len()];
    let mut totals = Vec::new();
    let mut kept = 0;
    let mut queries = 0;
    let mut bytes = 0;
    for _ in 0..iterations {
        let input = listed_metrics.clone();
        let t0 = Instant::now();
        let selection = select(input, &Service::ALL, &filter);
        let t1 = Instant::now();
        let p = plan(&selection.series, &window, true);
        let t2 = Instant::now();
        // What the adapter builds for every page: the domain requests and the SDK queries.
        let requests = data_requests(&selection, &p);
        let sdk: usize = requests
            .iter()
            .map(|r| r.queries.iter().map(to_query).count())
            .sum();
        assert_eq!(sdk, p.queries.len());
        let t3 = Instant::now();
        // Every query answers with one point per period (12 for PERIOD=300, 1 for the window
        // statistics), split over two pages to exercise the merge.
        let mut merger = Merger::new(p.queries.len());
        for (i, q) in p.queries.iter().enumerate() {
            let n = (window.seconds() / i64::from(q.period)).max(1);
            let ts: Vec<i64> = (0..n)
                .map(|k| window.start + k * i64::from(q.period))
                .collect();
            let vs: Vec<f64> = (0..n).map(|k| (k as f64) * 1.5 + (i % 7) as f64).collect();
            let half = ts.len() / 2;
            let id = query_id(i);
            merger.add_result(&id, &ts[..half], &vs[..half], ResultStatus::PartialData);
            merger.add_result(&id, &ts[half..], &vs[half..], ResultStatus::Complete);
        }
        let fetched = merger.finish();
        let t4 = Instant::now();
        let summary = build_summary(BuildInput {
            region: "us-east-1",
            generated_at: Utc::now(),
            window: &window,
            window_config: &config,
            enabled: &Service::ALL,
            selection: &selection,
            plan: &p,
            fetched: &fetched,
            previous: None,
            top_n: 10,
            run: RunTelemetry::default(),
        });
        let t5 = Instant::now();
        let doc = serde_json::to_vec(&summary).unwrap_or_default();
        let rows = summary.rows_jsonl().unwrap_or_default();
        let t6 = Instant::now();
        for (slot, d) in
            times
                .iter_mut()
                .zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5])
        {
            slot.push(d);
        }
        totals.push(t6 - t0);
        kept = selection.series.len();
        queries = p.queries.len();
        bytes = doc.len() + rows.len();
    }
    let total = median(totals);
    println!(
        "core_bench series={kept} queries={queries} listed={} iterations={iterations} output_bytes={bytes}",
        listed_metrics.len()
    );
    for (name, t) in phases.iter().zip(times) {
        println!(
            "  {name:<10} median {:>9.3} ms",
            median(t).as_secs_f64() * 1e3
        );
    }
    println!(
        "  total      median {:>9.3} ms  = {:.3} ms per 500 series",
        total.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 * 500.0 / kept.max(1) as f64
    );
}
