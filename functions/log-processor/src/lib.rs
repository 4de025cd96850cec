//! log-processor: CloudWatch Logs subscription payloads (direct or via Kinesis) → error,
//! HTTP 5xx and failed-login counts per log group → CloudWatch metrics (EMF or PutMetricData)
//! and SNS alerts (brute force, error burst).
//!
//! The decoding/classification core lives in `shared::logs`; this crate holds configuration,
//! the two ports ([`MetricsSink`], [`AlertPublisher`]), their AWS adapters and the handler.

pub mod adapters;
pub mod config;
pub mod handler;
pub mod ports;

pub use config::{Config, MetricsMode, ENV_VARS};
pub use handler::{HandlerError, IncomingEvent, Processor, Response};
pub use ports::{AlertPublisher, Delivery, MetricsSink, OutgoingAlert, SinkError};

use std::sync::Arc;

/// Builds the processor with real adapters. SDK clients are created here, once per container,
/// and only when the configuration needs them (no AWS config is loaded for EMF + log-only).
pub async fn build(config: Config) -> Processor {
    let needs_aws = config.metrics_mode == MetricsMode::Api || config.alert_topic_arn.is_some();
    let sdk = if needs_aws {
        Some(aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await)
    } else {
        None
    };
    let metrics: Arc<dyn MetricsSink> = match (config.metrics_mode, &sdk) {
        (MetricsMode::Api, Some(sdk)) => Arc::new(adapters::CloudWatchMetrics {
            client: aws_sdk_cloudwatch::Client::new(sdk),
            namespace: config.metrics_namespace.clone(),
        }),
        (MetricsMode::Off, _) => Arc::new(adapters::NoMetrics),
        _ => Arc::new(adapters::EmfStdout {
            namespace: config.metrics_namespace.clone(),
        }),
    };
    let alerts: Arc<dyn AlertPublisher> = match (&config.alert_topic_arn, &sdk) {
        (Some(topic_arn), Some(sdk)) => Arc::new(adapters::SnsPublisher {
            client: aws_sdk_sns::Client::new(sdk),
            topic_arn: topic_arn.clone(),
        }),
        _ => Arc::new(adapters::LogOnlyPublisher),
    };
    Processor::new(config, metrics, alerts)
}
