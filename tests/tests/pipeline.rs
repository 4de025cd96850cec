//! The offline pipeline, hop by hop, with the real binaries behind `cargo lambda watch` and
//! `cargo lambda invoke`, moto (+ CBOR bridge) as AWS and a local Slack webhook.
//! Needs the function binaries built first: `cargo build --workspace --bins` (scripts/test does).

use harness::pipeline::*;
use shared::alert::{AlertKind, Severity};

#[tokio::test]
async fn logs_to_slack_and_metrics_to_s3_through_the_real_binaries() {
    let mut pipeline = Pipeline::start().await;

    // ---- hop 1: subscription event → log-processor → EMF line + alert on SNS → SQS
    let hop = pipeline
        .run_log_processor()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let events = hop.log_lines.len() as u64;
    let failed_logins = ATTACKER_ATTEMPTS + OTHER_ATTEMPTS;
    let r = &hop.response;
    assert_eq!(r["log_group"], LOG_GROUP, "{r}");
    assert_eq!(r["log_stream"], LOG_STREAM, "{r}");
    assert_eq!(r["events"], events, "{r}");
    assert_eq!(r["failed_logins"], failed_logins, "{r}");
    assert_eq!(r["errors"], APP_ERRORS, "{r}");
    assert_eq!(r["http_5xx"], 0, "{r}");
    assert_eq!(
        r["alerts_published"], 1,
        "only the brute force crosses a threshold: {r}"
    );

    let emf = hop.emf.as_ref().unwrap_or_else(|| {
        panic!(
            "no EMF line on stdout:\n{}",
            pipeline.function_output(LOG_PROCESSOR)
        )
    });
    let directive = &emf["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], METRICS_NAMESPACE, "{emf}");
    assert_eq!(
        directive["Dimensions"],
        serde_json::json!([["LogGroup"]]),
        "{emf}"
    );
    assert_eq!(emf["LogGroup"], LOG_GROUP);
    assert_eq!(emf["Events"], events);
    assert_eq!(emf["FailedLogins"], failed_logins);
    assert_eq!(emf["Errors"], APP_ERRORS);

    assert_eq!(hop.notifications.len(), 1, "{:?}", hop.notifications);
    let envelope = &hop.notifications[0];
    assert_eq!(envelope["TopicArn"], pipeline.topic_arn.as_str());
    let subject = envelope["Subject"].as_str().unwrap_or_default();
    assert!(
        subject.len() <= 100 && subject.contains("Brute force"),
        "{subject}"
    );
    assert_eq!(
        envelope["MessageAttributes"]["kind"]["Value"],
        "brute_force"
    );
    assert_eq!(
        envelope["MessageAttributes"]["log_group"]["Value"],
        LOG_GROUP
    );
    let alert = &hop.alerts[0];
    assert_eq!(alert.schema, shared::alert::ALERT_SCHEMA_V1);
    assert_eq!(alert.kind, AlertKind::BruteForce);
    assert!(alert.severity >= Severity::Medium, "{:?}", alert.severity);
    assert_eq!(alert.log_group, LOG_GROUP);
    assert_eq!(
        alert.sources.len(),
        1,
        "only the attacker reached the threshold: {alert:?}"
    );
    assert_eq!(alert.sources[0].source, ATTACKER);
    assert_eq!(alert.sources[0].count, ATTACKER_ATTEMPTS);
    assert!(
        alert.sources[0].users.iter().any(|u| u == "oracle"),
        "{alert:?}"
    );
    assert!(alert.summary.contains(ATTACKER), "{}", alert.summary);

    // ---- hop 2: the queued notification as an SNS event → alarm-notifier → Slack
    let notified = pipeline
        .run_alarm_notifier(&hop.notifications)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(notified.response, serde_json::json!({"delivered": 1}));
    assert_eq!(
        notified.slack_requests.len(),
        1,
        "one Slack POST per record"
    );
    let post = &notified.slack_requests[0];
    assert_eq!(post.method, "POST");
    let payload = post.json();
    let fallback = payload["text"].as_str().unwrap_or_default();
    assert!(fallback.contains("Brute force"), "{fallback}");
    assert!(fallback.contains(LOG_GROUP), "{fallback}");
    let readable = slack_as_text(&payload);
    assert!(
        readable.contains(ATTACKER),
        "the message names the source:\n{readable}"
    );
    assert!(
        !pipeline
            .function_output(ALARM_NOTIFIER)
            .contains(pipeline.slack.url()),
        "the webhook URL must never be logged"
    );

    // ---- hop 3: seeded ALB / Lambda / S3 metrics → metrics-collector → summary in S3
    let collected = pipeline
        .run_metrics_collector()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = &collected.summary;
    assert_eq!(summary.schema, "metrics-collector.summary/v1");
    assert_eq!(summary.region, "us-east-1");
    assert_eq!(summary.window.end.timestamp(), collected.window.end);
    assert!(summary.complete, "{:?}", summary.run);
    assert!(
        collected.summary_key.starts_with(SUMMARY_PREFIX),
        "{}",
        collected.summary_key
    );
    assert!(
        collected.objects.contains(&collected.summary_key),
        "{:?}",
        collected.objects
    );
    assert_eq!(
        collected.response["resources"].as_u64(),
        Some(
            summary
                .services
                .values()
                .map(|s| s.resources.len() as u64)
                .sum()
        )
    );

    let derived = |service: &str, id: &str, key: &str| -> f64 {
        let resource = summary.services[service]
            .resources
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{service} {id} missing from the summary"));
        resource
            .derived
            .get(key)
            .copied()
            .flatten()
            .unwrap_or_else(|| panic!("{service} {id}: {key} missing in {:?}", resource.derived))
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.abs().max(1.0);
    let requests: f64 = ALB_REQUESTS.iter().sum();
    assert!(close(derived("alb", ALB_ID, "requests"), requests));
    assert!(close(derived("alb", ALB_ID, "http_5xx"), ALB_TARGET_5XX));
    assert!(close(
        derived("alb", ALB_ID, "error_rate_5xx"),
        ALB_TARGET_5XX / requests
    ));
    assert!(close(derived("alb", ALB_ID, "latency_avg_s"), 0.150));
    let invocations: f64 = LAMBDA_INVOCATIONS.iter().sum();
    assert!(close(
        derived("lambda", LAMBDA_FUNCTION, "invocations"),
        invocations
    ));
    assert!(close(
        derived("lambda", LAMBDA_FUNCTION, "error_rate"),
        LAMBDA_ERRORS / invocations
    ));
    assert!(close(
        derived("lambda", LAMBDA_FUNCTION, "duration_avg_ms"),
        100.0
    ));
    assert!(close(derived("s3", S3_BUCKET, "size_bytes"), S3_SIZE_DAY2));
    assert!(close(
        derived("s3", S3_BUCKET, "size_growth_bytes"),
        S3_SIZE_DAY2 - S3_SIZE_DAY1
    ));
    assert!(close(derived("s3", S3_BUCKET, "objects"), S3_OBJECTS_DAY2));

    // Everything stops with the pipeline (and on any panic above, by the same drop).
    drop(pipeline);
}

/// A hop that fails (here: a panic half-way, as a failed assertion would) still stops every
/// process the pipeline started.
#[test]
fn a_failing_run_leaves_no_process_behind() {
    let (tx, rx) = std::sync::mpsc::channel();
    let run = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let pipeline = Pipeline::start().await;
            tx.send(pipeline.pids()).unwrap();
            panic!("simulated failure in a hop");
        })
    });
    assert!(run.join().is_err(), "the run panicked");
    let pids = rx.recv().unwrap();
    assert_eq!(pids.len(), 6);
    for pid in pids {
        // kill(pid, 0) probes for existence without sending anything.
        let alive = unsafe { libc::kill(pid as libc::pid_t, 0) } == 0;
        assert!(!alive, "process {pid} survived the failed run");
    }
}
