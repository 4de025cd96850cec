//! Handler behaviour with in-memory fakes of both ports (no network): the delivery policy,
//! error types and messages, secret resolution and NOTIFY_ON_OK.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alarm_notifier::delivery::RetryPolicy;
use alarm_notifier::ports::{ChatSender, PostOutcome, WebhookError, WebhookSource};
use alarm_notifier::{Config, Notifier, WebhookUrl};
use async_trait::async_trait;
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde_json::{json, Value};

const URL: &str = "https://hooks.slack.com/services/T000/B000/FAKEFAKEFAKE";

struct FakeSlack {
    script: Mutex<VecDeque<PostOutcome>>,
    bodies: Mutex<Vec<(String, Duration)>>,
}

impl FakeSlack {
    fn new(script: Vec<PostOutcome>) -> Arc<Self> {
        Arc::new(FakeSlack {
            script: Mutex::new(script.into()),
            bodies: Mutex::new(Vec::new()),
        })
    }
    fn bodies(&self) -> Vec<Value> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|(b, _)| serde_json::from_str(b).unwrap())
            .collect()
    }
}

#[async_trait]
impl ChatSender for FakeSlack {
    async fn post(&self, url: &WebhookUrl, body: String, timeout: Duration) -> PostOutcome {
        assert_eq!(url.expose(), URL);
        self.bodies.lock().unwrap().push((body, timeout));
        self.script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(PostOutcome::Delivered)
    }
}

struct FakeSecret {
    calls: AtomicUsize,
    result: Result<&'static str, WebhookError>,
}

#[async_trait]
impl WebhookSource for FakeSecret {
    async fn webhook_url(&self) -> Result<WebhookUrl, WebhookError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.result.clone().map(|u| WebhookUrl::parse(u).unwrap())
    }
}

fn config(extra: &[(&str, &str)]) -> Config {
    let mut env: std::collections::HashMap<String, String> =
        [("SLACK_WEBHOOK_URL".to_string(), URL.to_string())].into();
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    Config::from_env(&move |k: &str| env.get(k).cloned()).unwrap()
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        default_retry_after: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn notifier(slack: Arc<FakeSlack>, extra: &[(&str, &str)]) -> (Notifier, Arc<FakeSecret>) {
    let secret = Arc::new(FakeSecret {
        calls: AtomicUsize::new(0),
        result: Ok(URL),
    });
    (
        Notifier::new(&config(extra), secret.clone(), slack).with_policy(policy()),
        secret,
    )
}

fn event(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ctx(secs: u64) -> Context {
    let mut c = Context::default();
    c.deadline = (SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(secs))
        .as_millis() as u64;
    c
}

#[tokio::test]
async fn success_is_one_post_per_record_and_the_secret_is_resolved_once() {
    let slack = FakeSlack::new(vec![]);
    let (n, secret) = notifier(slack.clone(), &[]);
    let r = n
        .handle(LambdaEvent::new(
            event("sns-backup-multi-record.json"),
            ctx(30),
        ))
        .await
        .unwrap();
    assert_eq!(serde_json::to_value(r).unwrap(), json!({"delivered": 2}));
    assert_eq!(slack.bodies().len(), 2);
    assert_eq!(secret.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn request_timeout_is_cut_to_the_time_left() {
    let slack = FakeSlack::new(vec![]);
    let (n, _) = notifier(slack.clone(), &[]);
    n.handle(LambdaEvent::new(
        event("sns-cloudwatch-metric-alarm.json"),
        ctx(3),
    ))
    .await
    .unwrap();
    let timeout = slack.bodies.lock().unwrap()[0].1;
    assert!(timeout <= Duration::from_secs(3), "{timeout:?}");
}

#[tokio::test]
async fn rate_limit_without_retry_after_uses_the_default_wait() {
    let slack = FakeSlack::new(vec![PostOutcome::RateLimited { retry_after: None }]);
    let (n, _) = notifier(slack.clone(), &[]);
    let r = n
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-metric-alarm.json"),
            ctx(30),
        ))
        .await
        .unwrap();
    assert_eq!(r.delivered, 1);
    assert_eq!(slack.bodies().len(), 2);
}

#[tokio::test]
async fn endless_rate_limiting_gives_up() {
    let slack = FakeSlack::new(vec![
        PostOutcome::RateLimited {
            retry_after: Some(Duration::from_millis(10))
        };
        20
    ]);
    let (n, _) = notifier(slack.clone(), &[]);
    let err = n
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-metric-alarm.json"),
            ctx(30),
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("rate_limited"), "{err}");
    assert_eq!(slack.bodies().len(), 6, "first try + 5 waits");
}

#[tokio::test]
async fn network_errors_use_the_configured_attempts() {
    let slack = FakeSlack::new(vec![
        PostOutcome::Transient {
            status: None,
            code: "connect_error".into()
        };
        10
    ]);
    let (n, _) = notifier(slack.clone(), &[("SLACK_MAX_ATTEMPTS", "5")]);
    let n = n.with_policy(RetryPolicy {
        max_attempts: 5,
        ..policy()
    });
    let err = n
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-metric-alarm.json"),
            ctx(30),
        ))
        .await
        .unwrap_err();
    assert_eq!(slack.bodies().len(), 5);
    let d: Diagnostic = err.into();
    assert_eq!(d.error_type, "SlackDeliveryFailed");
    assert!(
        d.error_message.contains("connect_error after 5 posts"),
        "{}",
        d.error_message
    );
}

#[tokio::test]
async fn an_expired_deadline_is_reported_not_ignored() {
    let slack = FakeSlack::new(vec![]);
    let (n, _) = notifier(slack.clone(), &[]);
    let mut c = Context::default();
    // A real epoch deadline one second ago (values before 2000 are emulator durations).
    c.deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        - 1_000;
    let err = n
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-metric-alarm.json"),
            c,
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("invocation_deadline"), "{err}");
    assert!(slack.bodies().is_empty());
}

#[tokio::test]
async fn plain_text_fallback_is_valid_slack_text() {
    let slack = FakeSlack::new(vec![PostOutcome::Rejected {
        status: 400,
        code: "invalid_blocks".into(),
    }]);
    let (n, _) = notifier(slack.clone(), &[("SLACK_MENTION", "<!subteam^S0ONCALL>")]);
    n.handle(LambdaEvent::new(
        event("sns-log-processor-brute-force.json"),
        ctx(30),
    ))
    .await
    .unwrap();
    let bodies = slack.bodies();
    assert_eq!(bodies.len(), 2);
    let text = bodies[1]["text"].as_str().unwrap();
    assert!(text.starts_with("<!subteam^S0ONCALL> "), "{text}");
    assert!(text.contains("203.0.113.7"), "{text}");
    assert_eq!(bodies[1].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn secret_errors_have_stable_types_and_skipped_events_need_no_secret() {
    let slack = FakeSlack::new(vec![]);
    let secret = Arc::new(FakeSecret {
        calls: AtomicUsize::new(0),
        result: Err(WebhookError::SecretUnavailable {
            secret_id: "slack".into(),
            reason: "AccessDeniedException".into(),
        }),
    });
    let n = Notifier::new(
        &config(&[("NOTIFY_ON_OK", "false")]),
        secret.clone(),
        slack.clone(),
    )
    .with_policy(policy());
    let err = n
        .handle(LambdaEvent::new(
            event("sns-cloudwatch-metric-alarm.json"),
            ctx(30),
        ))
        .await
        .unwrap_err();
    let d: Diagnostic = err.into();
    assert_eq!(d.error_type, "WebhookSecretUnavailable");
    assert!(d.error_message.contains("AccessDeniedException"));

    // An OK-only event with NOTIFY_ON_OK=false never touches the secret.
    let mut ok = event("sns-cloudwatch-metric-alarm.json");
    let msg = ok["Records"][0]["Sns"]["Message"]
        .as_str()
        .unwrap()
        .replace("\"NewStateValue\": \"ALARM\"", "\"NewStateValue\": \"OK\"");
    ok["Records"][0]["Sns"]["Message"] = Value::String(msg);
    secret.calls.store(0, Ordering::SeqCst);
    let r = n.handle(LambdaEvent::new(ok, ctx(30))).await.unwrap();
    assert_eq!((r.delivered, r.skipped), (0, 1));
    assert_eq!(secret.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn env_vars_list_every_variable_the_config_reads() {
    let read = Mutex::new(Vec::<String>::new());
    let _ = Config::from_env(&|k: &str| {
        read.lock().unwrap().push(k.to_owned());
        (k == "SLACK_WEBHOOK_URL").then(|| URL.to_owned())
    });
    let read = read.into_inner().unwrap();
    for k in &read {
        assert!(
            alarm_notifier::ENV_VARS.contains(&k.as_str()),
            "{k} missing from ENV_VARS"
        );
    }
    for k in alarm_notifier::ENV_VARS {
        assert!(read.iter().any(|r| r == k), "{k} listed but never read");
    }
}
