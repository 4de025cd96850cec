//! The two outbound ports of the handler, so it can be tested with fakes.

use async_trait::async_trait;
use shared::alert::Alert;
use shared::logs::alerts::{message_attributes, subject};
use shared::logs::metrics::GroupMetrics;

/// A downstream failure (SNS, CloudWatch, stdout). The message names the service and never
/// contains secrets.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// Where per-log-group metrics go (EMF on stdout, PutMetricData, nowhere).
#[async_trait]
pub trait MetricsSink: Send + Sync {
    /// Emits the metrics of one invocation; an error makes the invocation fail (and be retried).
    async fn put(&self, metrics: &[GroupMetrics]) -> Result<(), SinkError>;
}

/// How an alert was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Published to SNS with this message id.
    Published { message_id: String },
    /// `ALERT_TOPIC_ARN` is not set: written to the function log instead.
    Logged,
}

/// An alert ready to publish: the JSON body plus SNS subject and message attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingAlert {
    pub alert: Alert,
    /// SNS `Subject`, ≤ 100 characters.
    pub subject: String,
    /// SNS `Message`: the alert document as JSON.
    pub message: String,
    /// `kind`, `severity`, `log_group` (String attributes for filter policies).
    pub attributes: [(&'static str, String); 3],
}

impl OutgoingAlert {
    pub fn new(alert: Alert) -> Result<Self, SinkError> {
        let message = serde_json::to_string(&alert)
            .map_err(|e| SinkError(format!("cannot serialise the alert: {e}")))?;
        Ok(OutgoingAlert {
            subject: subject(&alert),
            attributes: message_attributes(&alert),
            message,
            alert,
        })
    }
}

/// Where alerts go (SNS, or the log when no topic is configured).
#[async_trait]
pub trait AlertPublisher: Send + Sync {
    async fn publish(&self, alert: &OutgoingAlert) -> Result<Delivery, SinkError>;
}
