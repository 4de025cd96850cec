use std::sync::Arc;

use alarm_notifier::Config;

// One thread: a Lambda container handles one event at a time, and with no other worker
// thread no background task (the HTTP pool) can log after the replayed response, which
// `--event` promises as the last line of stdout.
#[tokio::main(flavor = "current_thread")]
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
