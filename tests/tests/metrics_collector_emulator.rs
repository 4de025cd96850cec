//! metrics-collector end to end against moto: the real aws-sdk-cloudwatch through the CBOR
//! bridge, the real aws-sdk-s3 (path-style) for the store.
//!
//! moto limits (checked against moto 5.2.5's source and by probing, see README):
//! - GetMetricData with a percentile statistic (`p99`) answers HTTP 500 for the whole call, so
//!   these runs set `PERCENTILES=false`; p99 fields are then `null`, not faked.
//! - ListMetrics ignores `RecentlyActive`; GetMetricData never pages and always says `Complete`
//!   (paging, PartialData and throttling are covered by the aws-smithy-mocks tests in
//!   functions/metrics-collector/tests).

use std::time::Instant;

use aws_sdk_cloudwatch::primitives::DateTime as SdkTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use chrono::Utc;
use harness::aws::{create_bucket, get_object, list_keys};
use harness::{s3_client, sdk_config, CborBridge, Moto};
use metrics_collector::{collector_from_sdk, Config};
use shared::summary::document::{DataStatus, ResourceSummary, Summary};
use shared::summary::window::DAY;
use shared::summary::{Window, WindowConfig};

const BUCKET: &str = "metrics-summaries";

fn config(extra: &[(&str, &str)]) -> Config {
    let mut pairs = vec![
        ("SUMMARY_BUCKET", BUCKET),
        ("SUMMARY_PREFIX", "collector"),
        ("S3_FORCE_PATH_STYLE", "true"),
        ("PERCENTILES", "false"),
    ];
    pairs.extend_from_slice(extra);
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(&move |name: &str| {
        owned
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap()
}

fn dims(pairs: &[(&str, &str)]) -> Vec<Dimension> {
    pairs
        .iter()
        .map(|(n, v)| Dimension::builder().name(*n).value(*v).build())
        .collect()
}

fn datum(metric: &str, dimensions: &[(&str, &str)], at: i64, value: f64) -> MetricDatum {
    MetricDatum::builder()
        .metric_name(metric)
        .set_dimensions(Some(dims(dimensions)))
        .timestamp(SdkTime::from_secs(at))
        .value(value)
        .build()
}

async fn put(cloudwatch: &aws_sdk_cloudwatch::Client, namespace: &str, data: Vec<MetricDatum>) {
    for chunk in data.chunks(500) {
        cloudwatch
            .put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutMetricData {namespace}: {e:?}"));
    }
}

fn resource<'a>(s: &'a Summary, service: &str, id: &str) -> &'a ResourceSummary {
    s.services[service]
        .resources
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{service} {id} missing"))
}

fn d(r: &ResourceSummary, key: &str) -> Option<f64> {
    *r.derived
        .get(key)
        .unwrap_or_else(|| panic!("{}: no derived {key}", r.id))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[tokio::test]
async fn collects_alb_nlb_classic_lambda_and_s3_into_moto_s3() {
    let moto = Moto::start();
    let bridge = CborBridge::start(&moto);
    let sdk = sdk_config(&moto, Some(&bridge)).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk);
    let s3 = s3_client(&sdk);
    create_bucket(&s3, BUCKET).await;

    let now = Utc::now();
    let window = Window::aligned(now.timestamp(), &WindowConfig::default());
    // Mid-period timestamps: period k of the window.
    let t = |k: i64| window.start + k * 300 + 30;
    let before_window = window.start - 1800;

    let web = [("LoadBalancer", "app/web/1111")];
    let tg_a = [
        ("LoadBalancer", "app/web/1111"),
        ("TargetGroup", "targetgroup/web-a/aaaa"),
    ];
    let tg_b = [
        ("LoadBalancer", "app/web/1111"),
        ("TargetGroup", "targetgroup/web-b/bbbb"),
    ];
    put(
        &cloudwatch,
        "AWS/ApplicationELB",
        vec![
            datum("RequestCount", &web, t(0), 100.0),
            datum("RequestCount", &web, t(1), 200.0),
            datum("RequestCount", &web, t(5), 300.0),
            datum("HTTPCode_ELB_5XX_Count", &web, t(1), 6.0),
            datum("HTTPCode_Target_5XX_Count", &web, t(5), 12.0),
            datum("HTTPCode_Target_4XX_Count", &web, t(0), 10.0),
            datum("TargetResponseTime", &web, t(0), 0.1),
            datum("TargetResponseTime", &web, t(1), 0.3),
            datum("UnHealthyHostCount", &tg_a, t(0), 0.0),
            datum("UnHealthyHostCount", &tg_a, t(1), 2.0),
            datum("UnHealthyHostCount", &tg_b, t(0), 1.0),
            datum("HealthyHostCount", &tg_a, t(0), 3.0),
            datum("HealthyHostCount", &tg_a, t(1), 1.0),
            // Per-AZ split: listed by CloudWatch, never requested.
            datum(
                "RequestCount",
                &[
                    ("LoadBalancer", "app/web/1111"),
                    ("AvailabilityZone", "us-east-1a"),
                ],
                t(0),
                999.0,
            ),
            // An ALB that had traffic before the window only.
            datum(
                "RequestCount",
                &[("LoadBalancer", "app/quiet/2222")],
                before_window,
                5.0,
            ),
        ],
    )
    .await;
    let tcp = [("LoadBalancer", "net/tcp/3333")];
    put(
        &cloudwatch,
        "AWS/NetworkELB",
        vec![
            datum("NewFlowCount", &tcp, t(0), 40.0),
            datum("NewFlowCount", &tcp, t(2), 60.0),
            datum("ActiveFlowCount", &tcp, t(0), 7.0),
            datum("ActiveFlowCount", &tcp, t(3), 11.0),
            datum("TCP_Target_Reset_Count", &tcp, t(2), 5.0),
            datum(
                "UnHealthyHostCount",
                &[
                    ("LoadBalancer", "net/tcp/3333"),
                    ("TargetGroup", "targetgroup/tcp/cccc"),
                ],
                t(0),
                0.0,
            ),
        ],
    )
    .await;
    let legacy = [("LoadBalancerName", "legacy")];
    put(
        &cloudwatch,
        "AWS/ELB",
        vec![
            datum("RequestCount", &legacy, t(0), 50.0),
            datum("RequestCount", &legacy, t(1), 50.0),
            datum("HTTPCode_Backend_5XX", &legacy, t(1), 5.0),
            datum("Latency", &legacy, t(0), 0.5),
            datum("Latency", &legacy, t(1), 1.5),
            datum("SurgeQueueLength", &legacy, t(1), 20.0),
        ],
    )
    .await;
    let orders = [("FunctionName", "orders")];
    put(
        &cloudwatch,
        "AWS/Lambda",
        vec![
            datum("Invocations", &orders, t(0), 100.0),
            datum("Invocations", &orders, t(1), 100.0),
            datum("Errors", &orders, t(1), 10.0),
            datum("Throttles", &orders, t(1), 50.0),
            datum("Duration", &orders, t(0), 100.0),
            datum("Duration", &orders, t(1), 300.0),
            // Per-version series: never requested.
            datum(
                "Invocations",
                &[("FunctionName", "orders"), ("Resource", "orders:live")],
                t(0),
                77.0,
            ),
            datum(
                "Invocations",
                &[("FunctionName", "idle-fn")],
                before_window,
                1.0,
            ),
        ],
    )
    .await;
    let day1 = window.daily_start;
    let day2 = day1 + DAY;
    let standard = [
        ("BucketName", "logs-bucket"),
        ("StorageType", "StandardStorage"),
    ];
    let glacier = [
        ("BucketName", "logs-bucket"),
        ("StorageType", "GlacierStorage"),
    ];
    let all = [
        ("BucketName", "logs-bucket"),
        ("StorageType", "AllStorageTypes"),
    ];
    put(
        &cloudwatch,
        "AWS/S3",
        vec![
            datum("BucketSizeBytes", &standard, day1, 1000.0),
            datum("BucketSizeBytes", &standard, day2, 1600.0),
            datum("BucketSizeBytes", &glacier, day2, 400.0),
            datum("NumberOfObjects", &all, day1, 10.0),
            datum("NumberOfObjects", &all, day2, 15.0),
        ],
    )
    .await;

    let collector = collector_from_sdk(&sdk, config(&[]));
    let response = collector.run(now).await.expect("collector run");

    let raw = get_object(&s3, BUCKET, &response.summary_key).await;
    let summary: Summary = serde_json::from_slice(&raw).expect("summary JSON");
    let inventory: Vec<String> = summary
        .services
        .values()
        .flat_map(|s| s.resources.iter())
        .map(|r| {
            format!(
                "{} {:?} {:?}",
                r.id,
                r.metrics.keys().collect::<Vec<_>>(),
                r.parts.len()
            )
        })
        .collect();
    // Series: ALB 9 (web: 5 LB-level + 3 per TG; quiet: 1), NLB 4, Classic 4, Lambda 5, S3 3,
    // plus the 2 storage series moto itself publishes for the summaries bucket.
    assert_eq!(response.series, 27, "{response:?} {inventory:#?}");
    assert_eq!(response.resources, 8, "{inventory:#?}");
    assert!(summary.services["s3"]
        .resources
        .iter()
        .any(|r| r.id == BUCKET));
    // One listing per catalogue metric name (moto never pages below 500 metrics).
    let listings = shared::summary::list_requests(&shared::summary::Service::ALL).len() as u64;
    assert_eq!(response.list_metrics_calls, listings);
    // The window batch and the S3 daily batch (different time range).
    assert_eq!(response.get_metric_data_calls, 2);
    assert_eq!(summary.schema, "metrics-collector.summary/v1");
    assert_eq!(summary.region, "us-east-1");
    assert!(summary.complete, "{:?}", summary.run);
    assert_eq!(summary.window.end.timestamp(), window.end);
    assert_eq!(summary.run.metrics_requested, response.metrics_requested);
    assert!(!summary.run.percentiles_requested);

    let w = resource(&summary, "alb", "app/web/1111");
    assert_eq!(w.name, "web");
    assert!(
        close(d(w, "requests"), 600.0),
        "AZ split not added: {:?}",
        d(w, "requests")
    );
    assert!(close(d(w, "http_5xx"), 18.0));
    assert!(close(d(w, "error_rate_5xx"), 0.03));
    assert!(close(d(w, "peak_error_rate_5xx"), 0.04));
    assert!(close(d(w, "rate_4xx"), 10.0 / 600.0));
    assert!(close(d(w, "latency_avg_s"), 0.2));
    assert_eq!(
        d(w, "latency_p99_s"),
        None,
        "p99 not requested from moto: null, not 0"
    );
    assert!(close(d(w, "unhealthy_hosts_max"), 2.0));
    assert!(close(d(w, "healthy_hosts_min"), 1.0));
    assert_eq!(w.idle, Some(false));
    assert!(w
        .assumed_zero
        .contains(&"HTTPCode_ELB_4XX_Count".to_string()));
    let q = resource(&summary, "alb", "app/quiet/2222");
    assert_eq!(q.idle, Some(true));
    assert_eq!(q.metrics["RequestCount.Sum"].status, DataStatus::NoData);
    assert_eq!(
        summary.services["alb"].idle,
        vec!["app/quiet/2222".to_string()]
    );
    assert_eq!(
        summary.services["alb"].top["error_rate_5xx"][0].id,
        "app/web/1111"
    );

    let n = resource(&summary, "nlb", "net/tcp/3333");
    assert!(close(d(n, "new_flows"), 100.0));
    assert!(close(d(n, "active_flows_max"), 11.0));
    assert!(close(d(n, "tcp_resets"), 5.0));
    assert!(close(d(n, "unhealthy_hosts_max"), 0.0));

    let l = resource(&summary, "elb", "legacy");
    assert!(close(d(l, "requests"), 100.0));
    assert!(close(d(l, "error_rate_5xx"), 0.05));
    assert!(close(d(l, "latency_avg_s"), 1.0));
    assert!(close(d(l, "latency_max_s"), 1.5));
    assert!(close(d(l, "surge_queue_max"), 20.0));

    let o = resource(&summary, "lambda", "orders");
    assert!(
        close(d(o, "invocations"), 200.0),
        "per-version series not added"
    );
    assert!(close(d(o, "error_rate"), 0.05));
    assert!(close(d(o, "throttle_rate"), 0.2));
    assert!(close(d(o, "duration_avg_ms"), 200.0));
    assert!(close(d(o, "duration_max_ms"), 300.0));
    assert_eq!(d(o, "duration_p99_ms"), None);
    assert_eq!(resource(&summary, "lambda", "idle-fn").idle, Some(true));

    let b = resource(&summary, "s3", "logs-bucket");
    assert!(close(d(b, "size_bytes"), 2000.0));
    assert!(close(d(b, "size_growth_bytes"), 1000.0));
    assert!(close(d(b, "objects"), 15.0));
    assert!(close(d(b, "objects_growth"), 5.0));
    assert_eq!(b.as_of.map(|t| t.timestamp()), Some(day2));

    // The per-resource JSON-Lines object sits next to it, date-partitioned by the window end.
    let keys = list_keys(&s3, BUCKET, "collector/").await;
    let date = summary.window.end.format("%Y-%m-%d").to_string();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter().all(|k| k.contains(&format!("/dt={date}/"))),
        "{keys:?}"
    );
    let rows_key = keys.iter().find(|k| k.ends_with(".jsonl")).unwrap();
    let rows = String::from_utf8(get_object(&s3, BUCKET, rows_key).await).unwrap();
    assert_eq!(rows.lines().count(), 8);
    for line in rows.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(row["schema"], "metrics-collector.resource-row/v1");
    }

    // The next window finds this summary and reports the change.
    let next = collector
        .run(now + chrono::Duration::seconds(3600))
        .await
        .expect("second run");
    let raw = get_object(&s3, BUCKET, &next.summary_key).await;
    let second: Summary = serde_json::from_slice(&raw).unwrap();
    assert_eq!(second.previous.as_ref().unwrap().key, response.summary_key);
    let w2 = resource(&second, "alb", "app/web/1111");
    let change = &w2.change["requests"];
    assert_eq!(change.previous, Some(600.0));
    assert_eq!(change.current, Some(0.0), "no traffic in the next hour");
}

#[tokio::test]
async fn twelve_hundred_series_take_exactly_three_get_metric_data_calls() {
    let moto = Moto::start();
    let bridge = CborBridge::start(&moto);
    let sdk = sdk_config(&moto, Some(&bridge)).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk);
    let s3 = s3_client(&sdk);
    create_bucket(&s3, BUCKET).await;

    let now = Utc::now();
    let window = Window::aligned(now.timestamp(), &WindowConfig::default());
    let data: Vec<MetricDatum> = (0..1200)
        .map(|i| {
            let name = format!("fn-{i:04}");
            datum(
                "Invocations",
                &[("FunctionName", name.as_str())],
                window.start + 60,
                f64::from(i % 7),
            )
        })
        .collect();
    put(&cloudwatch, "AWS/Lambda", data).await;

    let collector = collector_from_sdk(
        &sdk,
        config(&[
            ("COLLECT_ALB", "false"),
            ("COLLECT_NLB", "false"),
            ("COLLECT_ELB", "false"),
            ("COLLECT_S3", "false"),
        ]),
    );
    let response = collector.run(now).await.expect("collector run");
    assert_eq!(response.series, 1200);
    assert_eq!(response.metrics_requested, 1200);
    assert_eq!(response.get_metric_data_calls, 3, "ceil(1200 / 500)");
    // Invocations: 3 pages of at most 500; the five other Lambda metrics: one empty page each.
    assert_eq!(response.list_metrics_calls, 8);
    let summary: Summary =
        serde_json::from_slice(&get_object(&s3, BUCKET, &response.summary_key).await).unwrap();
    let expected: f64 = (0..1200).map(|i| f64::from(i % 7)).sum();
    assert_eq!(
        summary.services["lambda"].totals["invocations"],
        Some(expected)
    );
    assert_eq!(summary.services["lambda"].resources.len(), 1200);
    // A function that published a 0 is measured idle, not assumed idle.
    let zero = resource(&summary, "lambda", "fn-0000");
    assert_eq!(zero.idle, Some(true));
    assert!(!zero.assumed_zero.contains(&"Invocations".to_string()));
    assert!(zero.assumed_zero.contains(&"Errors".to_string()));
}

/// The 10,000-series timing run (`tools/bench/metrics_collector.sh`): seeds moto, runs the
/// handler once and prints the time and API calls. Ignored in the normal test run because
/// moto's GetMetricData is slow (pure Python, it scans every stored point per query).
#[tokio::test]
#[ignore = "timing run; use tools/bench/metrics_collector.sh"]
async fn ten_thousand_series_timing() {
    let series: usize = std::env::var("BENCH_SERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let moto = Moto::start();
    let bridge = CborBridge::start(&moto);
    let sdk = sdk_config(&moto, Some(&bridge)).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk);
    let s3 = s3_client(&sdk);
    create_bucket(&s3, BUCKET).await;

    let now = Utc::now();
    let window = Window::aligned(now.timestamp(), &WindowConfig::default());
    // Half Lambda Invocations, half ALB RequestCount: one query per series.
    let seed_started = Instant::now();
    let half = series / 2;
    let lambda: Vec<MetricDatum> = (0..half)
        .map(|i| {
            let name = format!("fn-{i:05}");
            datum(
                "Invocations",
                &[("FunctionName", name.as_str())],
                window.start + 60,
                1.0,
            )
        })
        .collect();
    put(&cloudwatch, "AWS/Lambda", lambda).await;
    let alb: Vec<MetricDatum> = (0..series - half)
        .map(|i| {
            let id = format!("app/lb-{i:05}/0123456789abcdef");
            datum(
                "RequestCount",
                &[("LoadBalancer", id.as_str())],
                window.start + 60,
                2.0,
            )
        })
        .collect();
    put(&cloudwatch, "AWS/ApplicationELB", alb).await;
    let seed = seed_started.elapsed();

    let collector = collector_from_sdk(
        &sdk,
        config(&[
            ("COLLECT_NLB", "false"),
            ("COLLECT_ELB", "false"),
            ("COLLECT_S3", "false"),
        ]),
    );
    let started = Instant::now();
    let response = collector.run(now).await.expect("collector run");
    let elapsed = started.elapsed();
    assert_eq!(response.series, series);
    assert_eq!(
        response.get_metric_data_calls as usize,
        series.div_ceil(500),
        "{response:?}"
    );
    let summary: Summary =
        serde_json::from_slice(&get_object(&s3, BUCKET, &response.summary_key).await).unwrap();
    println!(
        "BENCH series={} seed_s={:.1} run_s={:.2} list_metrics_calls={} get_metric_data_calls={} metrics_requested={} estimated_cost_usd={} summary_bytes={}",
        series,
        seed.as_secs_f64(),
        elapsed.as_secs_f64(),
        response.list_metrics_calls,
        response.get_metric_data_calls,
        response.metrics_requested,
        summary.run.estimated_cost_usd,
        raw_len(&summary),
    );
}

fn raw_len(summary: &Summary) -> usize {
    serde_json::to_vec(summary).map(|v| v.len()).unwrap_or(0)
}
