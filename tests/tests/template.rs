//! template.yaml agrees with the code: function names and binaries, the environment each
//! function reads (`<crate>::ENV_VARS`), and the deployment rules of issue 5 (runtime, memory,
//! log retention, failure destinations, alarms, least-privilege IAM).
//!
//! The template uses SAM's short-form intrinsics (`!Ref`, `!Sub`, `!GetAtt`); serde_norway keeps
//! them as tagged values, which [`ref_target`] understands next to the long forms.

use std::collections::BTreeSet;
use std::path::Path;

use serde_norway::Value;

/// Variables the code reads that deliberately have no place in the Lambda environment.
/// Documented here and in the README's configuration table.
const LOCAL_ONLY: &[(&str, &str)] = &[
    (
        "SUMMARY_DIR",
        "metrics-collector writes to this folder only when SUMMARY_BUCKET is unset (local runs)",
    ),
    (
        "S3_FORCE_PATH_STYLE",
        "path-style S3 addressing for moto/MinIO; real S3 uses virtual-hosted style",
    ),
];

/// Lambda sets `AWS_*` variables itself (AWS_REGION, AWS_LAMBDA_*); they are reserved and a
/// template must not set them.
fn provided_by_lambda(name: &str) -> bool {
    name.starts_with("AWS_")
}

struct Function {
    logical_id: &'static str,
    binary: &'static str,
    env_vars: &'static [&'static str],
}

const FUNCTIONS: &[Function] = &[
    Function {
        logical_id: "LogProcessorFunction",
        binary: "log-processor",
        env_vars: log_processor::ENV_VARS,
    },
    Function {
        logical_id: "AlarmNotifierFunction",
        binary: "alarm-notifier",
        env_vars: alarm_notifier::ENV_VARS,
    },
    Function {
        logical_id: "MetricsCollectorFunction",
        binary: "metrics-collector",
        env_vars: metrics_collector::ENV_VARS,
    },
];

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
}

fn template() -> Value {
    let path = repo_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

fn resources(t: &Value) -> Vec<(String, &Value)> {
    t.get("Resources")
        .and_then(Value::as_mapping)
        .expect("Resources")
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v))
        .collect()
}

fn resource<'a>(t: &'a Value, id: &str) -> &'a Value {
    get(t, &["Resources", id]).unwrap_or_else(|| panic!("resource {id} missing"))
}

fn type_of(resource: &Value) -> &str {
    resource.get("Type").and_then(Value::as_str).unwrap_or("")
}

/// A function property, falling back to `Globals.Function`.
fn function_property<'a>(t: &'a Value, id: &str, name: &str) -> Option<&'a Value> {
    get(resource(t, id), &["Properties", name]).or_else(|| get(t, &["Globals", "Function", name]))
}

/// The logical id (or `AWS::…` pseudo parameter) a `!Ref X`, `{Ref: X}`, `!GetAtt X.Attr` or
/// `{Fn::GetAtt: [X, Attr]}` points at.
fn ref_target(value: &Value) -> Option<String> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str().map(str::to_owned),
        Value::Tagged(tagged) if tagged.tag == "GetAtt" => tagged
            .value
            .as_str()
            .and_then(|s| s.split('.').next())
            .map(str::to_owned),
        Value::Mapping(map) => {
            if let Some(target) = map.get("Ref").and_then(Value::as_str) {
                return Some(target.to_owned());
            }
            map.get("Fn::GetAtt")
                .and_then(Value::as_sequence)
                .and_then(|s| s.first())
                .and_then(Value::as_str)
                .map(str::to_owned)
        }
        _ => None,
    }
}

fn as_u64(value: Option<&Value>) -> Option<u64> {
    value.and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

#[test]
fn functions_are_the_three_binaries_built_with_cargo_lambda() {
    let t = template();
    let declared: BTreeSet<String> = resources(&t)
        .into_iter()
        .filter(|(_, r)| type_of(r) == "AWS::Serverless::Function")
        .map(|(id, _)| id)
        .collect();
    let expected: BTreeSet<String> = FUNCTIONS.iter().map(|f| f.logical_id.to_owned()).collect();
    assert_eq!(declared, expected, "functions in template.yaml");

    for f in FUNCTIONS {
        let r = resource(&t, f.logical_id);
        assert_eq!(
            get(r, &["Metadata", "BuildMethod"]).and_then(Value::as_str),
            Some("rust-cargolambda"),
            "{}",
            f.logical_id
        );
        assert_eq!(
            get(r, &["Metadata", "BuildProperties", "Binary"]).and_then(Value::as_str),
            Some(f.binary),
            "{}",
            f.logical_id
        );
        // The binary exists with that name in its package (cargo lambda build --bin <Binary>).
        let cargo_toml = std::fs::read_to_string(
            repo_root()
                .join("functions")
                .join(f.binary)
                .join("Cargo.toml"),
        )
        .unwrap();
        assert!(
            cargo_toml
                .split("[[bin]]")
                .skip(1)
                .any(|section| section.contains(&format!("name = \"{}\"", f.binary))),
            "functions/{}/Cargo.toml has no [[bin]] named {}",
            f.binary,
            f.binary
        );
        // CodeUri is the workspace root, where cargo lambda finds the binary.
        let code_uri = function_property(&t, f.logical_id, "CodeUri")
            .and_then(Value::as_str)
            .expect("CodeUri");
        assert!(
            repo_root().join(code_uri).join("Cargo.toml").exists(),
            "CodeUri {code_uri} of {} holds no Cargo.toml",
            f.logical_id
        );

        let prop = |name| function_property(&t, f.logical_id, name);
        assert_eq!(
            prop("Runtime").and_then(Value::as_str),
            Some("provided.al2023")
        );
        assert_eq!(prop("Handler").and_then(Value::as_str), Some("bootstrap"));
        let architectures: Vec<&str> = prop("Architectures")
            .and_then(Value::as_sequence)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(architectures, ["arm64"], "{}", f.logical_id);
        let memory = as_u64(prop("MemorySize")).expect("MemorySize");
        assert!(
            (128..=256).contains(&memory),
            "{} MemorySize {memory}",
            f.logical_id
        );
        let timeout = as_u64(prop("Timeout")).expect("Timeout");
        assert!(
            (3..=900).contains(&timeout),
            "{} Timeout {timeout}",
            f.logical_id
        );

        // Its log group is declared with a retention, and the function logs into it as JSON.
        let logging = prop("LoggingConfig").expect("LoggingConfig");
        assert_eq!(
            get(logging, &["LogFormat"]).and_then(Value::as_str),
            Some("JSON")
        );
        let group_id = get(logging, &["LogGroup"])
            .and_then(ref_target)
            .unwrap_or_else(|| panic!("{}: LoggingConfig.LogGroup is not a !Ref", f.logical_id));
        let group = resource(&t, &group_id);
        assert_eq!(type_of(group), "AWS::Logs::LogGroup");
        assert!(
            get(group, &["Properties", "RetentionInDays"]).is_some(),
            "{group_id} has no RetentionInDays"
        );
    }
}

#[test]
fn template_environment_matches_the_variables_the_code_reads() {
    let t = template();
    let local_only: BTreeSet<&str> = LOCAL_ONLY.iter().map(|(name, _)| *name).collect();
    for f in FUNCTIONS {
        let in_template: BTreeSet<String> = function_property(&t, f.logical_id, "Environment")
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_mapping)
            .map(|m| {
                m.keys()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let read_by_code: BTreeSet<String> = f
            .env_vars
            .iter()
            .filter(|name| !provided_by_lambda(name) && !local_only.contains(*name))
            .map(|name| name.to_string())
            .collect();

        let unknown: Vec<&String> = in_template
            .iter()
            .filter(|name| !f.env_vars.contains(&name.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "{} sets {unknown:?}, which {}'s code never reads (ENV_VARS = {:?})",
            f.logical_id,
            f.binary,
            f.env_vars
        );
        let reserved: Vec<&String> = in_template
            .iter()
            .filter(|n| provided_by_lambda(n))
            .collect();
        assert!(
            reserved.is_empty(),
            "{} sets reserved {reserved:?}",
            f.logical_id
        );
        let missing: Vec<&String> = read_by_code.difference(&in_template).collect();
        assert!(
            missing.is_empty(),
            "{} reads {missing:?}, which template.yaml does not set for {} \
             (add it, or list it in LOCAL_ONLY with the reason)",
            f.binary,
            f.logical_id
        );
        let local_in_template: Vec<&String> = in_template
            .iter()
            .filter(|n| local_only.contains(n.as_str()))
            .collect();
        assert!(
            local_in_template.is_empty(),
            "{} sets local-only {local_in_template:?}",
            f.logical_id
        );
    }
    // Every local-only exception is still read by some function (no stale exceptions).
    for (name, why) in LOCAL_ONLY {
        assert!(
            FUNCTIONS.iter().any(|f| f.env_vars.contains(name)),
            "LOCAL_ONLY lists {name} ({why}) but no function reads it"
        );
    }
}

#[test]
fn the_webhook_is_never_a_plain_value() {
    let t = template();
    let vars = function_property(&t, "AlarmNotifierFunction", "Environment")
        .and_then(|e| e.get("Variables"))
        .unwrap();
    let url_param = vars
        .get("SLACK_WEBHOOK_URL")
        .and_then(ref_target)
        .expect("!Ref parameter");
    assert_eq!(
        get(&t, &["Parameters", &url_param, "NoEcho"]).and_then(Value::as_bool),
        Some(true),
        "the webhook URL parameter must be NoEcho"
    );
    let secret_param = vars
        .get("SLACK_WEBHOOK_SECRET_ARN")
        .and_then(ref_target)
        .expect("!Ref parameter");
    assert!(get(&t, &["Parameters", &secret_param]).is_some());
}

/// Every Allow statement of every IAM policy in the template.
fn allow_statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (id, r) in resources(t) {
        if type_of(r) != "AWS::IAM::Role" {
            continue;
        }
        for policy in get(r, &["Properties", "Policies"])
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            for statement in get(policy, &["PolicyDocument", "Statement"])
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                // `Fn::If [cond, statement, NoValue]` wraps a conditional statement.
                let statement = match statement.get("Fn::If").and_then(Value::as_sequence) {
                    Some(branches) => branches.get(1).cloned().unwrap_or(Value::Null),
                    None => statement.clone(),
                };
                if statement.get("Effect").and_then(Value::as_str) == Some("Allow") {
                    out.push((id.clone(), statement));
                }
            }
        }
    }
    out
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn iam_is_least_privilege() {
    let t = template();
    // Actions that AWS offers no resource-level permissions for.
    let resource_star_ok = [
        "cloudwatch:GetMetricData",
        "cloudwatch:ListMetrics",
        "cloudwatch:PutMetricData",
    ];
    let statements = allow_statements(&t);
    assert!(statements.len() >= 8, "{statements:?}");
    for (role, statement) in &statements {
        let actions = strings(statement.get("Action"));
        assert!(!actions.is_empty(), "{role}: statement without Action");
        for action in &actions {
            assert!(
                !action.contains('*'),
                "{role}: wildcard action {action} in an Allow statement"
            );
        }
        let resources = strings(statement.get("Resource"));
        if resources.iter().any(|r| r == "*") {
            for action in &actions {
                assert!(
                    resource_star_ok.contains(&action.as_str()),
                    "{role}: {action} on Resource \"*\""
                );
            }
        }
        if actions.iter().any(|a| a == "cloudwatch:PutMetricData") {
            assert!(
                get(
                    statement,
                    &["Condition", "StringEquals", "cloudwatch:namespace"]
                )
                .is_some(),
                "{role}: PutMetricData must be limited to the metrics namespace"
            );
        }
    }
    // S3 access is limited to the summary prefix.
    let s3 = statements
        .iter()
        .find(|(_, s)| strings(s.get("Action")).iter().any(|a| a == "s3:PutObject"))
        .expect("an s3:PutObject statement");
    let resource = s3.1.get("Resource").expect("Resource");
    let sub = match resource {
        Value::Tagged(tagged) if tagged.tag == "Sub" => tagged.value.as_str().unwrap_or(""),
        _ => "",
    };
    assert_eq!(sub, "${SummaryBucket.Arn}/${SummaryPrefix}*");
}

#[test]
fn failures_are_kept_and_alarmed() {
    let t = template();
    let all = resources(&t);
    let alarm_targets: Vec<(String, String)> = all
        .iter()
        .filter(|(_, r)| type_of(r) == "AWS::CloudWatch::Alarm")
        .filter_map(|(id, r)| {
            let dimension = get(r, &["Properties", "Dimensions"])
                .and_then(Value::as_sequence)
                .and_then(|d| d.first())
                .and_then(|d| d.get("Value"))
                .and_then(ref_target)?;
            let actions: Vec<String> = get(r, &["Properties", "AlarmActions"])
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .filter_map(ref_target)
                .collect();
            assert_eq!(
                actions,
                ["AlertsTopic"],
                "{id} must notify the alerts topic"
            );
            let metric = get(r, &["Properties", "MetricName"])?.as_str()?.to_owned();
            Some((metric, dimension))
        })
        .collect();

    for f in FUNCTIONS {
        assert!(
            alarm_targets.contains(&("Errors".to_owned(), f.logical_id.to_owned())),
            "no Errors alarm on {}",
            f.logical_id
        );
    }
    for (function, queue) in [
        ("LogProcessorFunction", "LogProcessorFailureQueue"),
        ("AlarmNotifierFunction", "AlarmNotifierFailureQueue"),
    ] {
        let config = get(resource(&t, function), &["Properties", "EventInvokeConfig"])
            .unwrap_or_else(|| panic!("{function} has no EventInvokeConfig"));
        assert!(as_u64(config.get("MaximumRetryAttempts")).is_some());
        let on_failure = get(config, &["DestinationConfig", "OnFailure"]).expect("OnFailure");
        assert_eq!(on_failure.get("Type").and_then(Value::as_str), Some("SQS"));
        assert_eq!(
            on_failure
                .get("Destination")
                .and_then(ref_target)
                .as_deref(),
            Some(queue)
        );
        assert_eq!(type_of(resource(&t, queue)), "AWS::SQS::Queue");
        assert!(
            alarm_targets.contains(&(
                "ApproximateNumberOfMessagesVisible".to_owned(),
                queue.to_owned()
            )),
            "no depth alarm on {queue}"
        );
    }
    // The processor's own metrics are alarmed too.
    let dims_on_param: Vec<&str> = alarm_targets
        .iter()
        .filter(|(_, dim)| dim == "LogGroupName")
        .map(|(metric, _)| metric.as_str())
        .collect();
    assert!(dims_on_param.contains(&"FailedLogins") && dims_on_param.contains(&"Errors"));

    let outputs = t
        .get("Outputs")
        .and_then(Value::as_mapping)
        .expect("Outputs");
    for wanted in [
        "AlertsTopicArn",
        "SummaryBucketName",
        "LogProcessorFailureQueueUrl",
        "AlarmNotifierFailureQueueUrl",
    ] {
        assert!(outputs.contains_key(wanted), "output {wanted} missing");
    }
}

#[test]
fn triggers_subscription_policy_and_bucket() {
    let t = template();
    let event = |function: &str, name: &str| {
        get(resource(&t, function), &["Properties", "Events", name])
            .unwrap_or_else(|| panic!("{function} has no event {name}"))
            .clone()
    };
    let logs = event("LogProcessorFunction", "LogGroupSubscription");
    assert_eq!(
        logs.get("Type").and_then(Value::as_str),
        Some("CloudWatchLogs")
    );
    assert_eq!(
        get(&logs, &["Properties", "LogGroupName"])
            .and_then(ref_target)
            .as_deref(),
        Some("LogGroupName")
    );
    let sns = event("AlarmNotifierFunction", "Alerts");
    assert_eq!(sns.get("Type").and_then(Value::as_str), Some("SNS"));
    assert_eq!(
        get(&sns, &["Properties", "Topic"])
            .and_then(ref_target)
            .as_deref(),
        Some("AlertsTopic")
    );
    let schedule = event("MetricsCollectorFunction", "Schedule");
    assert_eq!(
        schedule.get("Type").and_then(Value::as_str),
        Some("Schedule")
    );
    let schedule_param = get(&schedule, &["Properties", "Schedule"])
        .and_then(ref_target)
        .expect("schedule from a parameter");
    assert_eq!(
        get(&t, &["Parameters", &schedule_param, "Default"]).and_then(Value::as_str),
        Some("rate(1 hour)")
    );

    // CloudWatch Logs may invoke the processor.
    let permission = resource(&t, "LogProcessorLogsPermission");
    assert_eq!(
        get(permission, &["Properties", "Principal"]).and_then(Value::as_str),
        Some("logs.amazonaws.com")
    );

    // The account-wide policy is opt-in and never feeds the processor its own log group.
    let policy = resource(&t, "LogProcessorAccountSubscriptionPolicy");
    assert_eq!(type_of(policy), "AWS::Logs::AccountPolicy");
    assert_eq!(
        policy.get("Condition").and_then(Value::as_str),
        Some("CreateAccountSubscriptionPolicy")
    );
    let selection = match get(policy, &["Properties", "SelectionCriteria"]) {
        Some(Value::Tagged(tagged)) => tagged.value.as_str().unwrap_or("").to_owned(),
        other => panic!("SelectionCriteria should be a !Sub, got {other:?}"),
    };
    assert!(
        selection.contains("NOT IN") && selection.contains("${LogProcessorLogGroup}"),
        "{selection}"
    );

    // Namespace is a parameter and reaches both the function and the alarms.
    let vars = get(
        resource(&t, "LogProcessorFunction"),
        &["Properties", "Environment", "Variables"],
    )
    .unwrap();
    assert_eq!(
        vars.get("METRICS_NAMESPACE")
            .and_then(ref_target)
            .as_deref(),
        Some("MetricsNamespace")
    );

    let bucket = resource(&t, "SummaryBucket");
    let props = bucket.get("Properties").unwrap();
    assert!(get(
        props,
        &["BucketEncryption", "ServerSideEncryptionConfiguration"]
    )
    .is_some());
    for flag in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            get(props, &["PublicAccessBlockConfiguration", flag]).and_then(Value::as_bool),
            Some(true),
            "{flag}"
        );
    }
    let rules = get(props, &["LifecycleConfiguration", "Rules"])
        .and_then(Value::as_sequence)
        .expect("lifecycle rules");
    assert!(rules.iter().any(|r| r.get("ExpirationInDays").is_some()));
}
