//! metrics-collector: a scheduled Lambda that summarises ELB (ALB/NLB/Classic), S3 and Lambda
//! CloudWatch metrics for a closed, period-aligned window and writes the summary (plus one
//! JSON-Lines row per resource) to S3, or to a local directory when no bucket is configured.
//!
//! The pure work (catalogue, planning, merging, summary maths) lives in
//! [`shared::summary`]; this crate holds the configuration, the ports and their AWS adapters,
//! and the handler.

pub mod cloudwatch;
pub mod config;
pub mod error;
pub mod handler;
pub mod ports;
pub mod store;

use std::sync::Arc;

pub use config::{Config, StoreTarget};
pub use error::HandlerError;
pub use handler::{anchor_time, Collector, Response};

/// Every environment variable the configuration reads (template.yaml is checked against it).
/// aws-config additionally reads the standard `AWS_*` variables (region, credentials,
/// `AWS_ENDPOINT_URL*`).
pub const ENV_VARS: &[&str] = &[
    "CLOUDWATCH_MAX_ATTEMPTS",
    "COLLECT_ALB",
    "COLLECT_ELB",
    "COLLECT_LAMBDA",
    "COLLECT_NLB",
    "COLLECT_S3",
    "FETCH_CONCURRENCY",
    "PERCENTILES",
    "PERIOD",
    "RESOURCE_EXCLUDE",
    "RESOURCE_INCLUDE",
    "S3_FORCE_PATH_STYLE",
    "SETTLE_DELAY",
    "SUMMARY_BUCKET",
    "SUMMARY_DIR",
    "SUMMARY_PREFIX",
    "TOP_N",
    "WINDOW",
];

/// The CloudWatch client: the shared SDK config plus the retry policy (standard mode with
/// exponential backoff and jitter; throttling errors are retried).
pub fn cloudwatch_client(
    sdk: &aws_config::SdkConfig,
    max_attempts: u32,
    attempts: cloudwatch::AttemptCounter,
) -> aws_sdk_cloudwatch::Client {
    let config = aws_sdk_cloudwatch::config::Builder::from(sdk)
        .retry_config(
            aws_sdk_cloudwatch::config::retry::RetryConfig::standard()
                .with_max_attempts(max_attempts),
        )
        .interceptor(attempts)
        .build();
    aws_sdk_cloudwatch::Client::from_conf(config)
}

/// The S3 client; path-style addressing when `S3_FORCE_PATH_STYLE` is set (emulators).
pub fn s3_client(sdk: &aws_config::SdkConfig, force_path_style: bool) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(force_path_style)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Builds the collector with real clients from the SDK config.
pub fn collector_from_sdk(sdk: &aws_config::SdkConfig, config: Config) -> Collector {
    let attempts = cloudwatch::AttemptCounter::default();
    let source = Arc::new(cloudwatch::CloudWatchSource::with_attempt_counter(
        cloudwatch_client(sdk, config.cloudwatch_max_attempts, attempts.clone()),
        attempts,
    ));
    let store: Arc<dyn ports::SummaryStore> = match &config.store {
        StoreTarget::S3 { bucket } => Arc::new(store::S3Store::new(
            s3_client(sdk, config.s3_force_path_style),
            bucket.clone(),
        )),
        StoreTarget::Local { dir } => Arc::new(store::LocalStore::new(dir.clone())),
    };
    let region = sdk
        .region()
        .map(|r| r.as_ref().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    Collector::new(source, store, config, region)
}
