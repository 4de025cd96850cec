use std::sync::Arc;

use alarm_notifier::Config;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let config = Config::from_env(&shared::env::process_env)
        .inspect_err(|e| tracing::error!(error = %e, "invalid configuration"))?;
    let notifier = Arc::new(alarm_notifier::build(&config).await?);
    shared::replay::serve_or_replay(move |event| {
        let notifier = Arc::clone(&notifier);
        async move { notifier.handle(event).await }
    })
    .await
}
