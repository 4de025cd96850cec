//! `scripts/demo`: the whole pipeline offline, printed as a person would want to read it.
//! Same harness as tests/tests/pipeline.rs; exits non-zero when any hop fails.

use std::process::ExitCode;

use harness::pipeline::*;
use serde_json::Value;

fn heading(text: &str) {
    println!("\n\x1b[1m{text}\x1b[0m");
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn number(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(v) => format!("{v:.digits$}"),
        None => "no data".to_owned(),
    }
}

fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{:.2}%", v * 100.0),
        None => "no data".to_owned(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    heading(
        "Offline pipeline: moto (AWS) + CBOR bridge + cargo lambda watch + a local Slack webhook",
    );
    let mut pipeline = Pipeline::start().await;
    println!(
        "  moto (S3, SNS, SQS, CloudWatch)  {}",
        pipeline.moto.endpoint
    );
    println!(
        "  CloudWatch rpc-v2-cbor bridge    {}",
        pipeline.bridge.endpoint
    );
    println!(
        "  Lambda runtime API emulator      http://127.0.0.1:{} (cargo lambda watch --only-lambda-apis)",
        pipeline.emulator.port
    );
    // The path of a webhook URL is its secret: shown masked, as the product never logs it.
    let webhook = pipeline.slack.url();
    let masked = webhook
        .find("/services/")
        .map(|i| &webhook[..i])
        .unwrap_or(webhook);
    println!("  Slack incoming webhook (local)   {masked}/services/…");
    println!(
        "  SNS topic {}  →  SQS queue {}",
        pipeline.topic_arn, ALERTS_QUEUE
    );
    let mut failures = 0;

    // ---------------------------------------------------------------- hop 1
    heading(&format!(
        "[1/3] log-processor ← CloudWatch Logs subscription from {LOG_GROUP}"
    ));
    let mut notifications = Vec::new();
    match pipeline.run_log_processor().await {
        Ok(hop) => {
            println!(
                "  event: {} log lines, {} bytes of base64(gzip(JSON)); the lines:",
                hop.log_lines.len(),
                hop.event_bytes
            );
            println!("{}", indent(&hop.log_lines.join("\n"), "    | "));
            println!("  response: {}", hop.response);
            match &hop.emf {
                Some(emf) => {
                    let namespace = emf["_aws"]["CloudWatchMetrics"][0]["Namespace"]
                        .as_str()
                        .unwrap_or("?");
                    println!(
                        "  metrics (EMF line on stdout → CloudWatch namespace {namespace}, dimension LogGroup={}):",
                        emf["LogGroup"].as_str().unwrap_or("?")
                    );
                    println!(
                        "    Events={}  Errors={}  FailedLogins={}  Http5xx={}",
                        emf["Events"], emf["Errors"], emf["FailedLogins"], emf["Http5xx"]
                    );
                    println!("    {emf}");
                }
                None => println!("  metrics: no EMF line printed"),
            }
            for (envelope, alert) in hop.notifications.iter().zip(&hop.alerts) {
                println!(
                    "  alert published to SNS, read back from SQS (MessageAttributes kind={} severity={}):",
                    envelope["MessageAttributes"]["kind"]["Value"].as_str().unwrap_or("?"),
                    envelope["MessageAttributes"]["severity"]["Value"].as_str().unwrap_or("?")
                );
                println!(
                    "    Subject: {}",
                    envelope["Subject"].as_str().unwrap_or("")
                );
                println!("    {}", alert.summary);
                for source in &alert.sources {
                    println!(
                        "    source {:<15} {:>3} failed logins, users tried: {}",
                        source.source,
                        source.count,
                        source.users.join(", ")
                    );
                }
            }
            if hop.alerts.is_empty() {
                println!("  no alert reached the queue");
                failures += 1;
            }
            notifications = hop.notifications;
        }
        Err(e) => {
            println!("  FAILED: {e}");
            failures += 1;
        }
    }

    // ---------------------------------------------------------------- hop 2
    heading("[2/3] alarm-notifier ← the queued SNS notification, as the SNS event Lambda delivers");
    if notifications.is_empty() {
        println!("  skipped: no notification from hop 1");
    } else {
        match pipeline.run_alarm_notifier(&notifications) {
            Ok(hop) => {
                println!("  response: {}", hop.response);
                for post in &hop.slack_requests {
                    println!("  Slack received a POST; in the channel it reads:");
                    println!("{}", indent(&slack_as_text(&post.json()), "    "));
                }
                if hop.slack_requests.is_empty() {
                    println!("  Slack received nothing");
                    failures += 1;
                }
            }
            Err(e) => {
                println!("  FAILED: {e}");
                failures += 1;
            }
        }
    }

    // ---------------------------------------------------------------- hop 3
    heading("[3/3] metrics-collector ← scheduled event, over ALB / Lambda / S3 metrics seeded into CloudWatch");
    match pipeline.run_metrics_collector().await {
        Ok(hop) => {
            println!(
                "  window {} → {}",
                utc(hop.window.start),
                utc(hop.window.end)
            );
            println!("  response: {}", hop.response);
            println!("  summary s3://{SUMMARY_BUCKET}/{}", hop.summary_key);
            for key in hop.objects.iter().filter(|k| **k != hop.summary_key) {
                println!("  also     s3://{SUMMARY_BUCKET}/{key}");
            }
            let s = &hop.summary;
            let derived = |service: &str, id: &str, key: &str| -> Option<f64> {
                s.services
                    .get(service)?
                    .resources
                    .iter()
                    .find(|r| r.id == id)?
                    .derived
                    .get(key)
                    .copied()
                    .flatten()
            };
            println!("  headline numbers:");
            println!(
                "    ALB {ALB_ID}: {} requests, 5xx rate {}, avg latency {} ms",
                number(derived("alb", ALB_ID, "requests"), 0),
                percent(derived("alb", ALB_ID, "error_rate_5xx")),
                number(
                    derived("alb", ALB_ID, "latency_avg_s").map(|v| v * 1000.0),
                    0
                )
            );
            println!(
                "    Lambda {LAMBDA_FUNCTION}: {} invocations, error rate {}, avg duration {} ms",
                number(derived("lambda", LAMBDA_FUNCTION, "invocations"), 0),
                percent(derived("lambda", LAMBDA_FUNCTION, "error_rate")),
                number(derived("lambda", LAMBDA_FUNCTION, "duration_avg_ms"), 0)
            );
            println!(
                "    S3 {S3_BUCKET}: {} ({} in a day), {} objects ({} in a day)",
                derived("s3", S3_BUCKET, "size_bytes")
                    .map(bytes)
                    .unwrap_or_else(|| "no data".into()),
                derived("s3", S3_BUCKET, "size_growth_bytes")
                    .map(|v| format!("+{}", bytes(v)))
                    .unwrap_or_else(|| "no data".into()),
                number(derived("s3", S3_BUCKET, "objects"), 0),
                derived("s3", S3_BUCKET, "objects_growth")
                    .map(|v| format!("{v:+.0}"))
                    .unwrap_or_else(|| "no data".into())
            );
            for (service, summary) in &s.services {
                if !summary.idle.is_empty() {
                    println!("    idle {service}: {}", summary.idle.join(", "));
                }
            }
            let run: &Value = &hop.summary_json["run"];
            println!(
                "  run: {} ListMetrics + {} GetMetricData calls, {} metrics requested, complete={}",
                run["list_metrics_calls"],
                run["get_metric_data_calls"],
                run["metrics_requested"],
                s.complete
            );
        }
        Err(e) => {
            println!("  FAILED: {e}");
            failures += 1;
        }
    }

    drop(pipeline);
    if failures == 0 {
        heading("Demo finished: every hop worked; all local servers stopped.");
        ExitCode::SUCCESS
    } else {
        heading(&format!(
            "Demo FAILED: {failures} hop(s) failed (details above); all local servers stopped."
        ));
        ExitCode::FAILURE
    }
}
