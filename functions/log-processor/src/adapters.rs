//! Adapters for the ports: SNS and CloudWatch (SDK clients built once in `main`), EMF on
//! stdout, and the log-only / no-op variants.

use std::io::Write as _;

use async_trait::async_trait;
use aws_sdk_cloudwatch::primitives::DateTime as SmithyDateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum as CwDatum, StandardUnit};
use aws_sdk_sns::types::MessageAttributeValue;
use shared::logs::metrics::{batches, datums, render_emf, GroupMetrics, DIMENSION_LOG_GROUP};

use crate::ports::{AlertPublisher, Delivery, MetricsSink, OutgoingAlert, SinkError};

/// `METRICS_MODE=emf`: one Embedded Metric Format JSON line per log group on stdout. Lambda
/// ships stdout to CloudWatch Logs, which extracts the metrics; no API call is made.
pub struct EmfStdout {
    pub namespace: String,
}

#[async_trait]
impl MetricsSink for EmfStdout {
    async fn put(&self, metrics: &[GroupMetrics]) -> Result<(), SinkError> {
        let mut out = String::new();
        for m in metrics {
            out.push_str(&render_emf(&self.namespace, m));
            out.push('\n');
        }
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| SinkError(format!("cannot write EMF metrics to stdout: {e}")))
    }
}

/// `METRICS_MODE=off`.
pub struct NoMetrics;

#[async_trait]
impl MetricsSink for NoMetrics {
    async fn put(&self, _metrics: &[GroupMetrics]) -> Result<(), SinkError> {
        Ok(())
    }
}

/// `METRICS_MODE=api`: PutMetricData, at most 1,000 datums and ~1 MB per request.
pub struct CloudWatchMetrics {
    pub client: aws_sdk_cloudwatch::Client,
    pub namespace: String,
}

#[async_trait]
impl MetricsSink for CloudWatchMetrics {
    async fn put(&self, metrics: &[GroupMetrics]) -> Result<(), SinkError> {
        for batch in batches(datums(metrics), &self.namespace) {
            let data: Vec<CwDatum> = batch
                .iter()
                .map(|d| {
                    CwDatum::builder()
                        .metric_name(d.name)
                        .dimensions(
                            Dimension::builder()
                                .name(DIMENSION_LOG_GROUP)
                                .value(&d.log_group)
                                .build(),
                        )
                        .value(d.value)
                        .unit(StandardUnit::Count)
                        .timestamp(SmithyDateTime::from_millis(d.timestamp_ms))
                        .build()
                })
                .collect();
            self.client
                .put_metric_data()
                .namespace(&self.namespace)
                .set_metric_data(Some(data))
                .send()
                .await
                .map_err(|e| {
                    SinkError(format!(
                        "CloudWatch PutMetricData failed: {}",
                        aws_sdk_cloudwatch::error::DisplayErrorContext(&e)
                    ))
                })?;
        }
        Ok(())
    }
}

/// Publishes alerts to an SNS topic.
pub struct SnsPublisher {
    pub client: aws_sdk_sns::Client,
    pub topic_arn: String,
}

#[async_trait]
impl AlertPublisher for SnsPublisher {
    async fn publish(&self, alert: &OutgoingAlert) -> Result<Delivery, SinkError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(&alert.subject)
            .message(&alert.message);
        for (name, value) in &alert.attributes {
            let attribute = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| SinkError(format!("cannot build SNS attribute {name}: {e}")))?;
            request = request.message_attributes(*name, attribute);
        }
        let output = request.send().await.map_err(|e| {
            SinkError(format!(
                "SNS Publish to {} failed: {}",
                self.topic_arn,
                aws_sdk_sns::error::DisplayErrorContext(&e)
            ))
        })?;
        Ok(Delivery::Published {
            message_id: output.message_id().unwrap_or_default().to_owned(),
        })
    }
}

/// `ALERT_TOPIC_ARN` unset: the alert document is written to the function log (WARN).
pub struct LogOnlyPublisher;

#[async_trait]
impl AlertPublisher for LogOnlyPublisher {
    async fn publish(&self, alert: &OutgoingAlert) -> Result<Delivery, SinkError> {
        tracing::warn!(
            kind = alert.alert.kind.as_str(),
            log_group = %alert.alert.log_group,
            subject = %alert.subject,
            alert = %alert.message,
            "alert not published: ALERT_TOPIC_ARN is not set"
        );
        Ok(Delivery::Logged)
    }
}
