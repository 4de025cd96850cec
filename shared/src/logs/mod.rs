//! CloudWatch Logs subscription decoding and log-event classification (log-processor core).
