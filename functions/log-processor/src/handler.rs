//! The handler: decode every payload of the event, classify and count per log group, publish
//! alerts (with cooldown), emit metrics, answer.
//!
//! Failure semantics: a malformed payload is a clear error (direct invocation) or that record
//! in `batchItemFailures` (Kinesis); a failed alert publish or metrics write fails the whole
//! invocation so Lambda retries it (then the on-failure destination keeps it). Alerts go out
//! before metrics: a retry after a metrics failure finds the alert in the cooldown instead of
//! sending it twice.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{Deserialize, Serialize};
use shared::logs::alerts::{build_alerts, AlertPolicy, Cooldown, CooldownDecision};
use shared::logs::metrics::GroupMetrics;
use shared::logs::response::{BatchItemFailure, BatchResponse, DirectResponse};
use shared::logs::{parse, Base64Payload, Batch, DecodeError, GroupSummary};

use crate::config::Config;
use crate::ports::{AlertPublisher, Delivery, MetricsSink, OutgoingAlert, SinkError};

/// The invocation event: a direct subscription (`awslogs`) or a Kinesis batch (`Records`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncomingEvent {
    #[serde(default)]
    pub awslogs: Option<AwsLogsField>,
    #[serde(default, rename = "Records")]
    pub records: Option<Vec<KinesisRecord>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AwsLogsField {
    pub data: Base64Payload,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KinesisRecord {
    #[serde(default)]
    pub kinesis: Option<KinesisPayload>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KinesisPayload {
    #[serde(default)]
    pub data: Option<Base64Payload>,
    #[serde(default, rename = "sequenceNumber")]
    pub sequence_number: Option<String>,
}

/// What the handler returns: the direct summary or the Kinesis partial-batch response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Response {
    Direct(DirectResponse),
    Kinesis(BatchResponse),
}

/// Why an invocation failed. `error_type()` strings are stable (they appear in Lambda's error
/// response, CloudWatch Logs and failure destinations).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error("the event is neither a CloudWatch Logs subscription ({{\"awslogs\":{{\"data\":…}}}}) nor a Kinesis batch ({{\"Records\":[…]}})")]
    UnrecognisedEvent,
    #[error("malformed CloudWatch Logs payload ({stage}): {source}")]
    MalformedPayload {
        stage: &'static str,
        #[source]
        source: DecodeError,
    },
    #[error("Kinesis record {index} has no sequenceNumber, so it cannot be reported as a batch item failure")]
    MissingSequenceNumber { index: usize },
    #[error("publishing an alert failed: {0}")]
    AlertPublish(SinkError),
    #[error("emitting metrics failed: {0}")]
    Metrics(SinkError),
}

impl HandlerError {
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::UnrecognisedEvent => "UnrecognisedEvent",
            HandlerError::MalformedPayload { .. } => "MalformedPayload",
            HandlerError::MissingSequenceNumber { .. } => "MissingSequenceNumber",
            HandlerError::AlertPublish(_) => "AlertPublishFailed",
            HandlerError::Metrics(_) => "MetricsPublishFailed",
        }
    }
}

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Self {
        Diagnostic {
            error_type: e.error_type().to_owned(),
            error_message: e.to_string(),
        }
    }
}

/// The processor: configuration, ports, and the warm-container alert cooldown.
pub struct Processor {
    config: Config,
    metrics: Arc<dyn MetricsSink>,
    alerts: Arc<dyn AlertPublisher>,
    cooldown: Mutex<Cooldown>,
    clock: fn() -> DateTime<Utc>,
}

/// Outcome of one invocation's alerting.
struct AlertOutcome {
    published: u64,
}

impl Processor {
    pub fn new(
        config: Config,
        metrics: Arc<dyn MetricsSink>,
        alerts: Arc<dyn AlertPublisher>,
    ) -> Self {
        let cooldown = Mutex::new(Cooldown::new(config.alert_cooldown_seconds));
        Processor {
            config,
            metrics,
            alerts,
            cooldown,
            clock: Utc::now,
        }
    }

    /// Replaces the clock (tests of the cooldown).
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> Self {
        self.clock = clock;
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Entry point for `lambda_runtime` / `serve_or_replay`.
    pub async fn handle_lambda(
        &self,
        event: LambdaEvent<IncomingEvent>,
    ) -> Result<Response, HandlerError> {
        self.handle(event.payload).await
    }

    pub async fn handle(&self, event: IncomingEvent) -> Result<Response, HandlerError> {
        match (event.awslogs, event.records) {
            (Some(awslogs), _) => self
                .handle_direct(&awslogs.data)
                .await
                .map(Response::Direct),
            (None, Some(records)) => self.handle_kinesis(&records).await.map(Response::Kinesis),
            (None, None) => Err(HandlerError::UnrecognisedEvent),
        }
    }

    fn policy(&self) -> AlertPolicy {
        AlertPolicy {
            failed_login_threshold: self.config.failed_login_threshold,
            error_threshold: self.config.error_alert_threshold,
            region: self.config.region.clone(),
        }
    }

    /// Decodes one payload into `batch`. Returns the (log group, log stream) of the payload and
    /// whether it was a control message.
    fn add_payload(
        &self,
        data: &Base64Payload,
        batch: &mut Batch,
    ) -> Result<(String, String, bool), DecodeError> {
        let buffer = data.decompress(self.config.max_decompressed_bytes)?;
        let logs = parse(&buffer)?;
        let ids = (logs.log_group.to_string(), logs.log_stream.to_string());
        if logs.is_control() {
            return Ok((ids.0, ids.1, true));
        }
        batch.add_payload(&logs);
        Ok((ids.0, ids.1, false))
    }

    async fn handle_direct(&self, data: &Base64Payload) -> Result<DirectResponse, HandlerError> {
        let mut batch = Batch::new(self.config.failed_login_threshold);
        let (log_group, log_stream, control) =
            self.add_payload(data, &mut batch).map_err(|source| {
                HandlerError::MalformedPayload {
                    stage: source.kind(),
                    source,
                }
            })?;
        if control {
            tracing::info!(
                message_type = "CONTROL_MESSAGE",
                "control message acknowledged; no metrics, no alerts"
            );
            return Ok(DirectResponse {
                log_group,
                log_stream,
                ..DirectResponse::default()
            });
        }
        let groups = batch.finish();
        let outcome = self.deliver(&groups).await?;
        let counts = groups.first().map(|g| g.counts).unwrap_or_default();
        let response = DirectResponse {
            log_group,
            log_stream,
            events: counts.events,
            errors: counts.errors,
            failed_logins: counts.failed_logins,
            http_5xx: counts.http_5xx,
            alerts_published: outcome.published,
        };
        tracing::info!(
            log_group = %response.log_group,
            log_stream = %response.log_stream,
            events = response.events,
            errors = response.errors,
            failed_logins = response.failed_logins,
            http_5xx = response.http_5xx,
            alerts_published = response.alerts_published,
            "processed log events"
        );
        Ok(response)
    }

    async fn handle_kinesis(
        &self,
        records: &[KinesisRecord],
    ) -> Result<BatchResponse, HandlerError> {
        let mut batch = Batch::new(self.config.failed_login_threshold);
        let mut failures = Vec::new();
        let mut control = 0u64;
        for (index, record) in records.iter().enumerate() {
            let payload = record.kinesis.as_ref();
            let sequence = payload
                .and_then(|k| k.sequence_number.clone())
                .filter(|s| !s.is_empty())
                .ok_or(HandlerError::MissingSequenceNumber { index })?;
            let outcome = match payload.and_then(|k| k.data.as_ref()) {
                Some(data) => self.add_payload(data, &mut batch),
                None => Err(DecodeError::Empty),
            };
            match outcome {
                Ok((_, _, true)) => control += 1,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(
                        sequence_number = %sequence,
                        stage = e.kind(),
                        error = %e,
                        "malformed Kinesis record reported as a batch item failure"
                    );
                    failures.push(BatchItemFailure {
                        item_identifier: sequence,
                    });
                }
            }
        }
        let groups = batch.finish();
        let outcome = self.deliver(&groups).await?;
        let total = groups
            .iter()
            .fold(shared::logs::Counts::default(), |mut t, g| {
                t.events += g.counts.events;
                t.errors += g.counts.errors;
                t.failed_logins += g.counts.failed_logins;
                t.http_5xx += g.counts.http_5xx;
                t
            });
        tracing::info!(
            records = records.len(),
            failed_records = failures.len(),
            control_messages = control,
            log_groups = groups.len(),
            events = total.events,
            errors = total.errors,
            failed_logins = total.failed_logins,
            http_5xx = total.http_5xx,
            alerts_published = outcome.published,
            "processed Kinesis batch"
        );
        Ok(BatchResponse {
            batch_item_failures: failures,
        })
    }

    /// Alerts first (each recorded in the cooldown once delivered), then metrics.
    async fn deliver(&self, groups: &[GroupSummary]) -> Result<AlertOutcome, HandlerError> {
        let now = (self.clock)();
        let policy = self.policy();
        let mut published = 0;
        for group in groups {
            for mut alert in build_alerts(group, &policy, now) {
                let decision = self
                    .cooldown
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .check(&mut alert, now);
                if decision == CooldownDecision::Suppress {
                    tracing::info!(
                        kind = alert.kind.as_str(),
                        log_group = %alert.log_group,
                        count = alert.count,
                        "alert suppressed by ALERT_COOLDOWN_SECONDS"
                    );
                    continue;
                }
                let outgoing = OutgoingAlert::new(alert).map_err(HandlerError::AlertPublish)?;
                let delivery = self
                    .alerts
                    .publish(&outgoing)
                    .await
                    .map_err(HandlerError::AlertPublish)?;
                self.cooldown
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .sent(&outgoing.alert, now);
                if let Delivery::Published { message_id } = delivery {
                    published += 1;
                    tracing::info!(
                        kind = outgoing.alert.kind.as_str(),
                        log_group = %outgoing.alert.log_group,
                        message_id = %message_id,
                        "alert published"
                    );
                }
            }
        }
        let metrics: Vec<GroupMetrics> = groups
            .iter()
            .map(|g| GroupMetrics {
                log_group: g.log_group.clone(),
                counts: g.counts,
                timestamp_ms: now.timestamp_millis(),
            })
            .collect();
        if !metrics.is_empty() {
            self.metrics
                .put(&metrics)
                .await
                .map_err(HandlerError::Metrics)?;
        }
        Ok(AlertOutcome { published })
    }
}
