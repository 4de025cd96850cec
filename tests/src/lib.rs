//! Test harness: local emulators for the integration tests, the offline pipeline and the demo.
//!
//! - [`Moto`]: `moto_server` from the pinned tools virtualenv (`scripts/setup`), one per test.
//! - [`CborBridge`]: lets aws-sdk-cloudwatch (rpc-v2-cbor) talk to moto (JSON protocol).
//! - [`sdk_config`] and the client/resource helpers in [`aws`].
//! - [`SlackSink`]: a local Slack incoming webhook that records what it receives.
//! - [`lambda`]: the real function binaries behind `cargo lambda watch --only-lambda-apis`.
//! - [`pipeline`]: the whole product offline (the pipeline test and `scripts/demo`).
//!
//! Every process is started in its own process group and killed when its guard drops, so a
//! failing assertion never leaves servers behind.

pub mod aws;
pub mod bridge;
pub mod lambda;
pub mod moto;
pub mod pipeline;
pub mod process;
pub mod slack_sink;
pub mod tools;

pub use aws::{
    aws_env, cloudwatch_client, s3_client, sdk_config, secrets_client, sns_client, sqs_client,
};
pub use bridge::CborBridge;
pub use moto::Moto;
pub use slack_sink::SlackSink;
