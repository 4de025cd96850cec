//! Handler errors. A handler error makes Lambda retry the scheduled invocation; every retry
//! writes the same keys, so retrying is safe.

use lambda_runtime::Diagnostic;

use crate::ports::{SourceError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Discovery failed, so nothing can be summarised.
    #[error("{0}")]
    ListMetrics(SourceError),
    /// Writing the summary or the rows failed.
    #[error("writing the summary failed: {0}")]
    StoreWrite(StoreError),
    #[error("serialising the summary failed: {0}")]
    Serialize(#[from] serde_json::Error),
    /// Some GetMetricData batches failed after retries. The partial summary (marked
    /// `complete: false`) was written; the error asks Lambda to retry, which overwrites it.
    #[error("{failed} of {batches} GetMetricData batches failed ({first_error}); a partial summary was written to {key}")]
    Incomplete {
        failed: usize,
        batches: usize,
        first_error: String,
        key: String,
    },
}

impl HandlerError {
    /// Stable `errorType` strings for alarms and log queries.
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::ListMetrics(_) => "MetricsCollector.ListMetricsFailed",
            HandlerError::StoreWrite(_) => "MetricsCollector.SummaryWriteFailed",
            HandlerError::Serialize(_) => "MetricsCollector.SerializeFailed",
            HandlerError::Incomplete { .. } => "MetricsCollector.GetMetricDataFailed",
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
