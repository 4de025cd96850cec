//! The whole product offline: moto (+ the CBOR bridge) as AWS, a local Slack webhook, and the
//! three real binaries behind cargo-lambda's runtime API emulator. Used by
//! `tests/tests/pipeline.rs` (assertions on every hop) and `src/bin/demo.rs` (readable output).
//!
//! Hops:
//! 1. a CloudWatch Logs subscription event with an sshd brute-force burst → log-processor
//!    (EMF metrics line on stdout, alert published to SNS);
//! 2. the alert read back from an SQS queue subscribed to the topic, wrapped as the Lambda SNS
//!    event AWS would deliver → alarm-notifier → the Slack sink receives the message;
//! 3. ALB, Lambda and S3 metrics seeded into CloudWatch → metrics-collector → summary in S3.
//!
//! Every process is owned by a guard, so everything stops when the [`Pipeline`] drops, also
//! when a hop fails or an assertion panics.

use std::io::Write;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::primitives::DateTime as SdkTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use base64::Engine as _;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use shared::alert::Alert;
use shared::summary::document::Summary;
use shared::summary::{Window, WindowConfig};

use crate::aws::{self, Queue, TEST_ACCOUNT, TEST_REGION};
use crate::lambda::{InvokeError, LambdaEmulator, LambdaFunction};
use crate::slack_sink::RecordedRequest;
use crate::{CborBridge, Moto, SlackSink};

pub const LOG_PROCESSOR: &str = "log-processor";
pub const ALARM_NOTIFIER: &str = "alarm-notifier";
pub const METRICS_COLLECTOR: &str = "metrics-collector";

pub const ALERTS_TOPIC: &str = "alerts";
pub const ALERTS_QUEUE: &str = "alerts-to-notifier";
pub const SUMMARY_BUCKET: &str = "metrics-summaries";
pub const SUMMARY_PREFIX: &str = "metrics-summary/";
pub const METRICS_NAMESPACE: &str = "LogProcessor";

/// The scenario's log data: an SSH bastion under a password-guessing attack.
pub const LOG_GROUP: &str = "/var/log/secure";
pub const LOG_STREAM: &str = "bastion-1/i-0a1b2c3d4e5f60718";
pub const ATTACKER: &str = "203.0.113.77";
pub const ATTACKER_ATTEMPTS: u64 = 8;
pub const OTHER_SOURCE: &str = "198.51.100.9";
pub const OTHER_ATTEMPTS: u64 = 2;
pub const APP_ERRORS: u64 = 2;

/// The seeded CloudWatch metrics (summed over the collector's window).
pub const ALB_ID: &str = "app/shop-web/50dc6c495c0c9188";
pub const ALB_REQUESTS: [f64; 3] = [1200.0, 900.0, 900.0];
pub const ALB_TARGET_5XX: f64 = 45.0;
pub const ALB_RESPONSE_TIMES: [f64; 2] = [0.120, 0.180];
pub const LAMBDA_FUNCTION: &str = "checkout";
pub const LAMBDA_INVOCATIONS: [f64; 2] = [300.0, 200.0];
pub const LAMBDA_ERRORS: f64 = 5.0;
pub const LAMBDA_DURATIONS_MS: [f64; 2] = [80.0, 120.0];
pub const S3_BUCKET: &str = "shop-assets";
pub const S3_SIZE_DAY1: f64 = 5.0 * 1024.0 * 1024.0 * 1024.0;
pub const S3_SIZE_DAY2: f64 = 5.5 * 1024.0 * 1024.0 * 1024.0;
pub const S3_OBJECTS_DAY1: f64 = 120_000.0;
pub const S3_OBJECTS_DAY2: f64 = 123_456.0;

/// A failed hop: what went wrong and what the function printed.
#[derive(Debug)]
pub struct HopError(pub String);

impl std::fmt::Display for HopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HopError {}

/// Hop 1's results.
#[derive(Debug)]
pub struct LogHop {
    pub event: Value,
    pub event_bytes: usize,
    pub log_lines: Vec<String>,
    pub response: Value,
    /// The EMF line the function printed (CloudWatch turns it into metrics).
    pub emf: Option<Value>,
    /// The SNS notifications (envelopes) that reached the queue.
    pub notifications: Vec<Value>,
    /// Their `Message`, parsed as the documented alert schema.
    pub alerts: Vec<Alert>,
}

/// Hop 2's results.
#[derive(Debug)]
pub struct NotifierHop {
    pub event: Value,
    pub response: Value,
    pub slack_requests: Vec<RecordedRequest>,
}

/// Hop 3's results.
#[derive(Debug)]
pub struct CollectorHop {
    pub event: Value,
    pub window: Window,
    pub response: Value,
    pub summary_key: String,
    pub summary: Summary,
    pub summary_json: Value,
    pub objects: Vec<String>,
}

/// Everything running. Fields drop in order: functions, emulator, bridge, moto.
pub struct Pipeline {
    log_processor: LambdaFunction,
    alarm_notifier: LambdaFunction,
    metrics_collector: LambdaFunction,
    pub emulator: LambdaEmulator,
    pub slack: SlackSink,
    pub bridge: CborBridge,
    pub moto: Moto,
    pub sdk: SdkConfig,
    pub topic_arn: String,
    pub queue: Queue,
}

impl Pipeline {
    /// Starts moto, the CBOR bridge and the Slack sink; creates the topic, the queue subscribed
    /// to it and the bucket; starts the emulator and the three functions.
    pub async fn start() -> Pipeline {
        let moto = Moto::start();
        let bridge = CborBridge::start(&moto);
        let slack = SlackSink::start();
        let sdk = aws::sdk_config(&moto, Some(&bridge)).await;

        let sns = aws::sns_client(&sdk);
        let sqs = aws::sqs_client(&sdk);
        let s3 = aws::s3_client(&sdk);
        let topic_arn = aws::create_topic(&sns, ALERTS_TOPIC).await;
        let queue = aws::create_queue(&sqs, ALERTS_QUEUE).await;
        aws::subscribe_queue(&sns, &topic_arn, &queue).await;
        aws::create_bucket(&s3, SUMMARY_BUCKET).await;

        let emulator = LambdaEmulator::start(&[LOG_PROCESSOR, ALARM_NOTIFIER, METRICS_COLLECTOR]);
        let with = |pairs: &[(&str, &str)]| {
            let mut env = aws::aws_env(&moto, Some(&bridge));
            env.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            env
        };
        // Memory sizes as in template.yaml.
        let log_processor = LambdaFunction::start(
            &emulator,
            LOG_PROCESSOR,
            256,
            &with(&[
                ("ALERT_TOPIC_ARN", &topic_arn),
                ("METRICS_MODE", "emf"),
                ("METRICS_NAMESPACE", METRICS_NAMESPACE),
            ]),
        );
        let alarm_notifier = LambdaFunction::start(
            &emulator,
            ALARM_NOTIFIER,
            128,
            &with(&[("SLACK_WEBHOOK_URL", slack.url()), ("NOTIFY_ON_OK", "true")]),
        );
        let metrics_collector = LambdaFunction::start(
            &emulator,
            METRICS_COLLECTOR,
            256,
            &with(&[
                ("SUMMARY_BUCKET", SUMMARY_BUCKET),
                ("SUMMARY_PREFIX", SUMMARY_PREFIX),
                ("S3_FORCE_PATH_STYLE", "true"),
                // moto answers GetMetricData with percentile statistics with HTTP 500.
                ("PERCENTILES", "false"),
            ]),
        );
        Pipeline {
            log_processor,
            alarm_notifier,
            metrics_collector,
            emulator,
            slack,
            bridge,
            moto,
            sdk,
            topic_arn,
            queue,
        }
    }

    /// Process ids of everything the pipeline started (moto, bridge, emulator, functions).
    pub fn pids(&self) -> Vec<u32> {
        vec![
            self.moto.pid(),
            self.bridge.pid(),
            self.emulator.pid(),
            self.log_processor.pid(),
            self.alarm_notifier.pid(),
            self.metrics_collector.pid(),
        ]
    }

    fn function(&mut self, name: &str) -> &mut LambdaFunction {
        match name {
            LOG_PROCESSOR => &mut self.log_processor,
            ALARM_NOTIFIER => &mut self.alarm_notifier,
            _ => &mut self.metrics_collector,
        }
    }

    /// Everything a function printed so far.
    pub fn function_output(&mut self, name: &str) -> String {
        self.function(name).output()
    }

    /// `cargo lambda invoke` with the function's output attached to any failure.
    pub fn invoke(&mut self, name: &str, event: &Value) -> Result<Value, HopError> {
        if let Some(status) = self.function(name).exit_status() {
            return Err(HopError(format!(
                "{name} is not running ({status}); its output:\n{}",
                tail(&self.function(name).output(), 4000)
            )));
        }
        self.emulator
            .invoke(name, event)
            .map_err(|InvokeError { message, .. }| {
                HopError(format!(
                    "{name} invocation failed: {message}\n--- {name} output ---\n{}",
                    tail(&self.function(name).output(), 4000)
                ))
            })
    }

    /// Hop 1: the brute-force log batch through the log-processor, the alert back from SQS.
    pub async fn run_log_processor(&mut self) -> Result<LogHop, HopError> {
        let now = Utc::now();
        let log_lines = brute_force_lines(now);
        let event = subscription_event(&log_lines, now);
        let event_bytes = serde_json::to_vec(&event).map(|v| v.len()).unwrap_or(0);
        let output_before = self.function_output(LOG_PROCESSOR).len();
        let response = self.invoke(LOG_PROCESSOR, &event)?;
        let output = self.function_output(LOG_PROCESSOR);
        let emf = output
            .get(output_before..)
            .unwrap_or("")
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line.trim()).ok())
            .find(|v| v.get("_aws").is_some());

        let sqs = aws::sqs_client(&self.sdk);
        let expected = response
            .get("alerts_published")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            .max(1) as usize;
        let bodies =
            aws::receive_bodies(&sqs, &self.queue, expected, Duration::from_secs(15)).await;
        let mut notifications = Vec::new();
        let mut alerts = Vec::new();
        for body in bodies {
            let envelope: Value = serde_json::from_str(&body)
                .map_err(|e| HopError(format!("queued notification is not JSON ({e}): {body}")))?;
            let message = envelope
                .get("Message")
                .and_then(Value::as_str)
                .unwrap_or("");
            let alert: Alert = serde_json::from_str(message).map_err(|e| {
                HopError(format!(
                    "SNS Message is not a log-processor alert ({e}): {message}"
                ))
            })?;
            alerts.push(alert);
            notifications.push(envelope);
        }
        Ok(LogHop {
            event,
            event_bytes,
            log_lines,
            response,
            emf,
            notifications,
            alerts,
        })
    }

    /// Hop 2: each queued notification as the SNS event Lambda would deliver → alarm-notifier.
    pub fn run_alarm_notifier(&mut self, notifications: &[Value]) -> Result<NotifierHop, HopError> {
        let before = self.slack.request_count();
        let event = sns_event(notifications, &self.topic_arn);
        let response = self.invoke(ALARM_NOTIFIER, &event)?;
        let slack_requests = self
            .slack
            .wait_for(before + notifications.len(), Duration::from_secs(10))
            .into_iter()
            .skip(before)
            .collect();
        Ok(NotifierHop {
            event,
            response,
            slack_requests,
        })
    }

    /// Hop 3: seeded metrics → metrics-collector → summary in S3.
    pub async fn run_metrics_collector(&mut self) -> Result<CollectorHop, HopError> {
        let now = Utc::now();
        let window = Window::aligned(now.timestamp(), &WindowConfig::default());
        seed_metrics(&self.sdk, &window).await?;
        let event = schedule_event(now);
        let response = self.invoke(METRICS_COLLECTOR, &event)?;
        let summary_key = response
            .get("summary_key")
            .and_then(Value::as_str)
            .ok_or_else(|| HopError(format!("no summary_key in {response}")))?
            .to_owned();
        let s3 = aws::s3_client(&self.sdk);
        let raw = aws::get_object(&s3, SUMMARY_BUCKET, &summary_key).await;
        let summary_json: Value = serde_json::from_slice(&raw)
            .map_err(|e| HopError(format!("summary is not JSON: {e}")))?;
        let summary: Summary = serde_json::from_value(summary_json.clone())
            .map_err(|e| HopError(format!("summary does not match its schema: {e}")))?;
        let objects = aws::list_keys(&s3, SUMMARY_BUCKET, SUMMARY_PREFIX).await;
        Ok(CollectorHop {
            event,
            window,
            response,
            summary_key,
            summary,
            summary_json,
            objects,
        })
    }
}

fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// The bastion's /var/log/secure lines: 8 failed passwords from the attacker (several users),
/// 2 from another address (below the threshold), a successful key login, and 2 application
/// errors from a co-located service.
pub fn brute_force_lines(now: DateTime<Utc>) -> Vec<String> {
    let stamp = |offset: i64| {
        (now - chrono::Duration::seconds(120 - offset))
            .format("%b %e %H:%M:%S")
            .to_string()
    };
    let users = [
        "root", "admin", "oracle", "ubuntu", "postgres", "test", "git", "deploy",
    ];
    let mut lines = Vec::new();
    lines.push(format!(
        "{} bastion sshd[4100]: Accepted publickey for deploy from 192.0.2.10 port 50022 ssh2: ED25519 SHA256:3nq0Xh3o",
        stamp(0)
    ));
    for (i, user) in users.iter().enumerate() {
        let invalid = if *user == "root" || *user == "deploy" {
            ""
        } else {
            "invalid user "
        };
        lines.push(format!(
            "{} bastion sshd[{}]: Failed password for {invalid}{user} from {ATTACKER} port {} ssh2",
            stamp(5 + i as i64 * 3),
            4101 + i,
            51000 + i * 7
        ));
    }
    for i in 0..OTHER_ATTEMPTS as usize {
        lines.push(format!(
            "{} bastion sshd[{}]: Failed password for root from {OTHER_SOURCE} port {} ssh2",
            stamp(40 + i as i64),
            4200 + i,
            40022 + i
        ));
    }
    for i in 0..APP_ERRORS as usize {
        lines.push(format!(
            "{} bastion orders-worker[2211]: 2026-11-23 04:00:4{i},000 ERROR [orders.sync] upstream call failed: POST https://api.internal/v1/orders returned 503 (attempt {})",
            stamp(50 + i as i64),
            i + 1
        ));
    }
    lines
}

/// The CloudWatch Logs subscription event (`awslogs.data` = base64(gzip(JSON))) for `lines`.
pub fn subscription_event(lines: &[String], now: DateTime<Utc>) -> Value {
    let start_ms = now.timestamp_millis() - 120_000;
    let log_events: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, message)| {
            json!({
                "id": format!("3{:055}", i),
                "timestamp": start_ms + i as i64 * 2500,
                "message": message,
            })
        })
        .collect();
    let data = json!({
        "messageType": "DATA_MESSAGE",
        "owner": TEST_ACCOUNT,
        "logGroup": LOG_GROUP,
        "logStream": LOG_STREAM,
        "subscriptionFilters": ["log-processor"],
        "logEvents": log_events,
    });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = gz
        .write_all(data.to_string().as_bytes())
        .and_then(|_| gz.finish())
        .unwrap_or_default();
    json!({"awslogs": {"data": base64::engine::general_purpose::STANDARD.encode(compressed)}})
}

/// Turns SNS notifications as delivered to SQS into the Lambda SNS event AWS sends a
/// subscribed function (field spellings differ: `SigningCertURL` → `SigningCertUrl`, …).
pub fn sns_event(notifications: &[Value], topic_arn: &str) -> Value {
    let records: Vec<Value> = notifications
        .iter()
        .map(|n| {
            let text = |key: &str| n.get(key).cloned().unwrap_or(Value::Null);
            let attributes: serde_json::Map<String, Value> = n
                .get("MessageAttributes")
                .and_then(Value::as_object)
                .map(|attrs| {
                    attrs
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                json!({"Type": v.get("Type"), "Value": v.get("Value")}),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": format!("{topic_arn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"),
                "Sns": {
                    "Type": text("Type"),
                    "MessageId": text("MessageId"),
                    "TopicArn": text("TopicArn"),
                    "Subject": text("Subject"),
                    "Message": text("Message"),
                    "Timestamp": text("Timestamp"),
                    "SignatureVersion": n.get("SignatureVersion").cloned().unwrap_or(json!("1")),
                    "Signature": n.get("Signature").cloned().unwrap_or(json!("EXAMPLE")),
                    "SigningCertUrl": n.get("SigningCertURL").cloned().unwrap_or(json!("https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem")),
                    "UnsubscribeUrl": n.get("UnsubscribeURL").cloned().unwrap_or(json!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe")),
                    "MessageAttributes": attributes,
                }
            })
        })
        .collect();
    json!({ "Records": records })
}

/// The EventBridge scheduled event (its `time` anchors the collector's window).
pub fn schedule_event(now: DateTime<Utc>) -> Value {
    json!({
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": TEST_ACCOUNT,
        "time": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": TEST_REGION,
        "resources": [format!("arn:aws:events:{TEST_REGION}:{TEST_ACCOUNT}:rule/metrics-collector-hourly")],
        "detail": {}
    })
}

fn datum(
    metric: &str,
    dims: &[(&str, &str)],
    at: i64,
    value: f64,
    unit: StandardUnit,
) -> MetricDatum {
    MetricDatum::builder()
        .metric_name(metric)
        .set_dimensions(Some(
            dims.iter()
                .map(|(n, v)| Dimension::builder().name(*n).value(*v).build())
                .collect(),
        ))
        .timestamp(SdkTime::from_secs(at))
        .value(value)
        .unit(unit)
        .build()
}

/// Seeds one ALB, one Lambda function and one S3 bucket inside `window` (S3: two daily points).
pub async fn seed_metrics(sdk: &SdkConfig, window: &Window) -> Result<(), HopError> {
    let cloudwatch = aws_sdk_cloudwatch::Client::new(sdk);
    let period = i64::from(window.period);
    let at = |k: i64| window.start + k * period + 30;
    let alb = [("LoadBalancer", ALB_ID)];
    let lambda = [("FunctionName", LAMBDA_FUNCTION)];
    let mut alb_data: Vec<MetricDatum> = ALB_REQUESTS
        .iter()
        .enumerate()
        .map(|(k, v)| datum("RequestCount", &alb, at(k as i64), *v, StandardUnit::Count))
        .collect();
    alb_data.push(datum(
        "HTTPCode_Target_5XX_Count",
        &alb,
        at(1),
        ALB_TARGET_5XX,
        StandardUnit::Count,
    ));
    for (k, v) in ALB_RESPONSE_TIMES.iter().enumerate() {
        alb_data.push(datum(
            "TargetResponseTime",
            &alb,
            at(k as i64),
            *v,
            StandardUnit::Seconds,
        ));
    }
    let mut lambda_data: Vec<MetricDatum> = LAMBDA_INVOCATIONS
        .iter()
        .enumerate()
        .map(|(k, v)| {
            datum(
                "Invocations",
                &lambda,
                at(k as i64),
                *v,
                StandardUnit::Count,
            )
        })
        .collect();
    lambda_data.push(datum(
        "Errors",
        &lambda,
        at(1),
        LAMBDA_ERRORS,
        StandardUnit::Count,
    ));
    for (k, v) in LAMBDA_DURATIONS_MS.iter().enumerate() {
        lambda_data.push(datum(
            "Duration",
            &lambda,
            at(k as i64),
            *v,
            StandardUnit::Milliseconds,
        ));
    }
    let day1 = window.daily_start;
    let day2 = day1 + 86_400;
    let standard = [
        ("BucketName", S3_BUCKET),
        ("StorageType", "StandardStorage"),
    ];
    let all = [
        ("BucketName", S3_BUCKET),
        ("StorageType", "AllStorageTypes"),
    ];
    let s3_data = vec![
        datum(
            "BucketSizeBytes",
            &standard,
            day1,
            S3_SIZE_DAY1,
            StandardUnit::Bytes,
        ),
        datum(
            "BucketSizeBytes",
            &standard,
            day2,
            S3_SIZE_DAY2,
            StandardUnit::Bytes,
        ),
        datum(
            "NumberOfObjects",
            &all,
            day1,
            S3_OBJECTS_DAY1,
            StandardUnit::Count,
        ),
        datum(
            "NumberOfObjects",
            &all,
            day2,
            S3_OBJECTS_DAY2,
            StandardUnit::Count,
        ),
    ];
    for (namespace, data) in [
        ("AWS/ApplicationELB", alb_data),
        ("AWS/Lambda", lambda_data),
        ("AWS/S3", s3_data),
    ] {
        cloudwatch
            .put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(data))
            .send()
            .await
            .map_err(|e| HopError(format!("seeding {namespace}: {e:?}")))?;
    }
    Ok(())
}

/// A Slack Block Kit payload as a person reads it in the channel (mrkdwn links and escapes
/// resolved, fields as `label: value`, the attachment colour named).
pub fn slack_as_text(payload: &Value) -> String {
    let mut out = Vec::new();
    if let Some(text) = payload.get("text").and_then(Value::as_str) {
        out.push(format!("notification: {}", mrkdwn(text)));
    }
    render_blocks(payload.get("blocks"), "", &mut out);
    for attachment in payload
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let colour = attachment
            .get("color")
            .and_then(Value::as_str)
            .unwrap_or("");
        out.push(format!("┃ (colour bar {colour})"));
        render_blocks(attachment.get("blocks"), "┃ ", &mut out);
        if let Some(text) = attachment.get("text").and_then(Value::as_str) {
            out.extend(mrkdwn(text).lines().map(|l| format!("┃ {l}")));
        }
    }
    out.join("\n")
}

fn render_blocks(blocks: Option<&Value>, prefix: &str, out: &mut Vec<String>) {
    for block in blocks.and_then(Value::as_array).into_iter().flatten() {
        let text = block
            .get("text")
            .and_then(|t| t.get("text"))
            .and_then(Value::as_str)
            .map(mrkdwn);
        match block.get("type").and_then(Value::as_str).unwrap_or("") {
            "header" => {
                if let Some(text) = text {
                    out.push(format!("{prefix}== {text} =="));
                }
            }
            "divider" => out.push(format!("{prefix}────────")),
            "context" => {
                let parts: Vec<String> = block
                    .get("elements")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.get("text").and_then(Value::as_str))
                    .map(mrkdwn)
                    .collect();
                out.push(format!("{prefix}({})", parts.join(" ")));
            }
            _ => {
                if let Some(text) = text {
                    out.extend(text.lines().map(|l| format!("{prefix}{l}")));
                }
                for field in block
                    .get("fields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let field = field
                        .get("text")
                        .and_then(Value::as_str)
                        .map(mrkdwn)
                        .unwrap_or_default();
                    let (label, value) = field.split_once('\n').unwrap_or((&field, ""));
                    out.push(format!("{prefix}  {label}: {}", value.replace('\n', ", ")));
                }
            }
        }
    }
}

/// Slack mrkdwn → plain text: `<url|label>` → `label (url)`, bold/italic markers dropped,
/// `&amp;`/`&lt;`/`&gt;` unescaped (Slack shows them as characters).
fn mrkdwn(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &rest[open + 1..open + close];
        match inner.split_once('|') {
            Some((url, label)) => out.push_str(&format!("{label} ({url})")),
            None if inner.starts_with('!') || inner.starts_with('@') => {
                out.push_str(&format!("<{inner}>"))
            }
            None => out.push_str(inner),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    // The emoji codes our messages use, as Slack displays them.
    for (code, emoji) in [
        (":red_circle:", "🔴"),
        (":large_green_circle:", "🟢"),
        (":large_orange_circle:", "🟠"),
        (":large_yellow_circle:", "🟡"),
        (":large_blue_circle:", "🔵"),
        (":white_circle:", "⚪"),
        (":warning:", "⚠️"),
        (":mag:", "🔍"),
        (":rotating_light:", "🚨"),
        (":information_source:", "ℹ️"),
    ] {
        out = out.replace(code, emoji);
    }
    out.replace('*', "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Human-readable byte size.
pub fn bytes(value: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = value;
    let mut unit = 0;
    while v.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// `epoch seconds` → RFC 3339 (for messages).
pub fn utc(epoch_secs: i64) -> String {
    Utc.timestamp_opt(epoch_secs, 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| epoch_secs.to_string())
}
