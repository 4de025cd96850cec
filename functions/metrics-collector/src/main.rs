use std::sync::Arc;

use aws_config::BehaviorVersion;
use metrics_collector::{collector_from_sdk, Config};

#[tokio::main]
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
