//! What the log-processor handler returns.

use serde::{Deserialize, Serialize};

/// Response of a direct (CloudWatch Logs → Lambda) invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectResponse {
    pub log_group: String,
    pub log_stream: String,
    pub events: u64,
    pub errors: u64,
    pub failed_logins: u64,
    pub http_5xx: u64,
    pub alerts_published: u64,
}

/// Response of a Kinesis invocation (`ReportBatchItemFailures`): the records to retry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItemFailure {
    /// The record's `sequenceNumber`.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}
