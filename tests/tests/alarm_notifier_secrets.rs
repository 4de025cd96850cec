//! alarm-notifier reading the webhook URL from Secrets Manager (moto), then posting to the local
//! Slack sink: the real aws-sdk-secretsmanager adapter, the JSON and plain secret formats, and
//! the per-container cache (the secret is deleted after the first invocation; the second still
//! delivers).

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alarm_notifier::delivery::RetryPolicy;
use alarm_notifier::ports::WebhookSource;
use alarm_notifier::secrets::SecretsManagerWebhook;
use alarm_notifier::slack_webhook::SlackWebhook;
use alarm_notifier::{Config, Notifier};
use harness::slack_sink::WEBHOOK_PATH;
use harness::{Moto, SlackSink};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde_json::Value;
use std::sync::Arc;

fn event(name: &str) -> Value {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ctx() -> Context {
    let mut c = Context::default();
    c.deadline = (SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30))
        .as_millis() as u64;
    c
}

fn config(secret_arn: &str) -> Config {
    let env: HashMap<&str, String> =
        HashMap::from([("SLACK_WEBHOOK_SECRET_ARN", secret_arn.to_owned())]);
    Config::from_env(&move |k: &str| env.get(k).cloned()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_url_from_secrets_manager_is_fetched_once_and_cached() {
    let moto = Moto::start();
    let sdk = harness::sdk_config(&moto, None).await;
    let secrets = harness::secrets_client(&sdk);
    let sink = SlackSink::start();
    let json_secret = format!(r##"{{"webhook_url":"{}","channel":"#ops"}}"##, sink.url());
    let arn =
        harness::aws::create_secret(&secrets, "alarm-notifier/slack-webhook", &json_secret).await;

    let cfg = config(&arn);
    let source = Arc::new(SecretsManagerWebhook::new(
        aws_sdk_secretsmanager::Client::new(&sdk),
        arn.clone(),
    ));
    let sender = Arc::new(SlackWebhook::new(cfg.connect_timeout, cfg.request_timeout).unwrap());
    let notifier = Notifier::new(&cfg, source.clone(), sender).with_policy(RetryPolicy::default());

    let r = notifier
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-metric-alarm.json"),
            ctx(),
        ))
        .await
        .unwrap();
    assert_eq!(r.delivered, 1);
    assert_eq!(sink.request_count(), 1);
    assert_eq!(sink.requests()[0].path, WEBHOOK_PATH);

    // Cached per container: the secret can disappear and the next invocation still delivers.
    secrets
        .delete_secret()
        .secret_id(&arn)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    let r = notifier
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-composite-alarm.json"),
            ctx(),
        ))
        .await
        .unwrap();
    assert_eq!(r.delivered, 1);
    assert_eq!(sink.request_count(), 2);

    // A new container (fresh adapter) now fails with a stable error type, without the URL.
    let fresh = SecretsManagerWebhook::new(aws_sdk_secretsmanager::Client::new(&sdk), arn.clone());
    let err = fresh.webhook_url().await.unwrap_err();
    let cold = Notifier::new(
        &cfg,
        Arc::new(SecretsManagerWebhook::new(
            aws_sdk_secretsmanager::Client::new(&sdk),
            arn.clone(),
        )),
        Arc::new(SlackWebhook::new(cfg.connect_timeout, cfg.request_timeout).unwrap()),
    );
    let diagnostic: Diagnostic = cold
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-metric-alarm.json"),
            ctx(),
        ))
        .await
        .unwrap_err()
        .into();
    assert_eq!(
        diagnostic.error_type, "WebhookSecretUnavailable",
        "{}",
        diagnostic.error_message
    );
    assert!(!err.to_string().contains(WEBHOOK_PATH));
    assert!(!diagnostic.error_message.contains(WEBHOOK_PATH));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_and_invalid_secret_values() {
    let moto = Moto::start();
    let sdk = harness::sdk_config(&moto, None).await;
    let secrets = harness::secrets_client(&sdk);
    let sink = SlackSink::start();

    let plain = harness::aws::create_secret(&secrets, "slack-plain", sink.url()).await;
    let source = SecretsManagerWebhook::new(aws_sdk_secretsmanager::Client::new(&sdk), plain);
    assert_eq!(source.webhook_url().await.unwrap().expose(), sink.url());

    let bad =
        harness::aws::create_secret(&secrets, "slack-bad", r#"{"token":"xoxb-not-a-webhook"}"#)
            .await;
    let cfg = config(&bad);
    let notifier = Notifier::new(
        &cfg,
        Arc::new(SecretsManagerWebhook::new(
            aws_sdk_secretsmanager::Client::new(&sdk),
            bad,
        )),
        Arc::new(SlackWebhook::new(cfg.connect_timeout, cfg.request_timeout).unwrap()),
    );
    let d: Diagnostic = notifier
        .handle(LambdaEvent::new(event("sns-guardduty-finding.json"), ctx()))
        .await
        .unwrap_err()
        .into();
    assert_eq!(d.error_type, "WebhookSecretInvalid");
    assert!(!d.error_message.contains("xoxb"), "{}", d.error_message);
    assert_eq!(sink.request_count(), 0);
}

#[test]
fn the_binary_reads_the_secret_through_aws_endpoint_url() {
    // The product has no endpoint code: AWS_ENDPOINT_URL (moto) is read by aws-config.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let moto = Moto::start();
    let sink = SlackSink::start();
    let arn = runtime.block_on(async {
        let sdk = harness::sdk_config(&moto, None).await;
        harness::aws::create_secret(
            &harness::secrets_client(&sdk),
            "slack-bin",
            &format!(r#"{{"url":"{}"}}"#, sink.url()),
        )
        .await
    });
    let Some(binary) = built_binary() else {
        eprintln!("alarm-notifier binary not built next to the test executable; skipping the process variant");
        return;
    };
    let mut cmd = std::process::Command::new(binary);
    cmd.arg("--event")
        .arg(format!(
            "{}/../events/sns-log-processor-brute-force.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SLACK_WEBHOOK_SECRET_ARN", &arn)
        .env("RUST_LOG", "debug");
    for (k, v) in harness::aws_env(&moto, None) {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(all.trim_end().ends_with(r#"{"delivered":1}"#), "{all}");
    assert!(!all.contains(WEBHOOK_PATH), "{all}");
    assert_eq!(sink.request_count(), 1);
}

/// `target/<profile>/alarm-notifier`, when cargo built it (it does for `cargo test --workspace`).
fn built_binary() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?; // target/<profile>/deps -> target/<profile>
    let path = dir.join("alarm-notifier");
    path.exists().then_some(path)
}
