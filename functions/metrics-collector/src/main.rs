use std::sync::Arc;

use aws_config::BehaviorVersion;
use metrics_collector::{collector_from_sdk, Config};

// One thread: a Lambda container handles one event at a time, and with no other worker
// thread no background task (the HTTP pool) can log after the replayed response, which
// `--event` promises as the last line of stdout.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let config = Config::from_env()?;
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let collector = Arc::new(collector_from_sdk(&sdk, config));
    shared::replay::serve_or_replay(move |event| {
        let collector = Arc::clone(&collector);
        async move { collector.handle(event).await }
    })
    .await
}
