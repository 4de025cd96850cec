//! Tracing set-up used by every binary.

/// Installs the runtime's subscriber: level from `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG` (default
/// INFO), JSON lines when `AWS_LAMBDA_LOG_FORMAT=JSON` (Lambda's advanced logging controls).
pub fn init() {
    lambda_runtime::tracing::init_default_subscriber();
}
