//! Snapshot tests of the Slack JSON for every message kind, plus limit and escaping tests.
//! Fixtures in `fixtures/` are realistic SNS events of each shape (see the alarm-notifier
//! reference notes): 2024-format, legacy (null description, no AlarmArn), HTTP envelope,
//! metric-math, anomaly, composite, our alerts, EventBridge events, Backup text, plain text,
//! Slack payloads and unknown JSON.

use serde_json::{json, Value};

use super::blocks::{
    all_texts, MAX_BLOCKS, MAX_FIELDS, MAX_FIELD_CHARS, MAX_HEADER_CHARS, MAX_SECTION_CHARS,
};
use super::*;

fn options() -> RenderOptions {
    RenderOptions {
        mention: Some("<!here>".to_owned()),
    }
}

fn render_event(raw: &str) -> Vec<Rendered> {
    let event: Value = serde_json::from_str(raw).expect("fixture is JSON");
    notifications(&event)
        .iter()
        .map(|n| render(n, &options()))
        .collect()
}

fn snapshot_value(rendered: &[Rendered]) -> Value {
    Value::Array(
        rendered
            .iter()
            .map(|r| {
                json!({
                    "kind": r.kind,
                    "is_ok": r.is_ok,
                    "mentioned": r.mentioned,
                    "payload": r.payload,
                    "plain_text": r.plain_text,
                })
            })
            .collect(),
    )
}

/// Slack's limits, checked on every rendered payload.
fn assert_within_limits(r: &Rendered) {
    let p = &r.payload;
    let top = p["blocks"].as_array().map(Vec::len).unwrap_or(0);
    let attached: usize = p["attachments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|a| a["blocks"].as_array().map(Vec::len).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    assert!(top + attached <= MAX_BLOCKS, "{} blocks", top + attached);
    let mut blocks: Vec<&Value> = p["blocks"]
        .as_array()
        .map(|b| b.iter().collect())
        .unwrap_or_default();
    if let Some(atts) = p["attachments"].as_array() {
        for a in atts {
            blocks.extend(a["blocks"].as_array().into_iter().flatten());
        }
    }
    for b in blocks {
        match b["type"].as_str() {
            Some("header") => {
                assert!(b["text"]["text"].as_str().unwrap().chars().count() <= MAX_HEADER_CHARS)
            }
            Some("section") => {
                if let Some(t) = b["text"]["text"].as_str() {
                    assert!(t.chars().count() <= MAX_SECTION_CHARS);
                }
                if let Some(fields) = b["fields"].as_array() {
                    assert!(fields.len() <= MAX_FIELDS);
                    for f in fields {
                        assert!(f["text"].as_str().unwrap().chars().count() <= MAX_FIELD_CHARS);
                    }
                }
            }
            Some("context") => assert!(b["elements"].as_array().unwrap().len() <= 10),
            other => panic!("unexpected block type {other:?}"),
        }
    }
    let mut texts = Vec::new();
    all_texts(p, &mut texts);
    let total: usize = texts.iter().map(|t| t.chars().count()).sum();
    assert!(total < 20_000, "total text {total}");
    assert!(
        p["text"].as_str().is_some_and(|t| !t.is_empty()),
        "top-level text fallback"
    );
}

macro_rules! snapshot_fixture {
    ($test:ident, $file:literal, $kinds:expr) => {
        #[test]
        fn $test() {
            let rendered = render_event(include_str!(concat!("fixtures/", $file, ".json")));
            let kinds: Vec<&str> = rendered.iter().map(|r| r.kind).collect();
            assert_eq!(kinds, $kinds);
            for r in &rendered {
                assert_within_limits(r);
            }
            insta::assert_json_snapshot!($file, snapshot_value(&rendered));
        }
    };
}

snapshot_fixture!(metric_alarm, "metric_alarm", ["cloudwatch_metric_alarm"]);
snapshot_fixture!(
    metric_alarm_legacy_null_description_no_arn,
    "metric_alarm_legacy",
    ["cloudwatch_metric_alarm"]
);
snapshot_fixture!(
    metric_alarm_http_envelope,
    "metric_alarm_http_envelope",
    ["cloudwatch_metric_alarm"]
);
snapshot_fixture!(
    metric_math_alarm,
    "metric_math_alarm",
    ["cloudwatch_metric_math_alarm"]
);
snapshot_fixture!(anomaly_alarm, "anomaly_alarm", ["cloudwatch_anomaly_alarm"]);
snapshot_fixture!(
    composite_alarm,
    "composite_alarm",
    ["cloudwatch_composite_alarm"]
);
snapshot_fixture!(
    brute_force_alert,
    "brute_force_alert",
    ["log_processor_alert"]
);
snapshot_fixture!(
    error_burst_alert,
    "error_burst_alert",
    ["log_processor_alert"]
);
snapshot_fixture!(
    eventbridge_alarm_state_change,
    "eventbridge_alarm_state_change",
    ["eventbridge_alarm_state_change"]
);
snapshot_fixture!(
    lambda_alarm_action,
    "lambda_alarm_action",
    ["eventbridge_alarm_state_change"]
);
snapshot_fixture!(
    guardduty_finding,
    "guardduty_finding",
    ["guardduty_finding"]
);
snapshot_fixture!(health_event, "health_event", ["aws_health_event"]);
snapshot_fixture!(
    job_state_change,
    "job_state_change",
    ["eventbridge_state_change"]
);
snapshot_fixture!(
    backup_multi_record,
    "backup_multi_record",
    ["aws_backup", "aws_backup"]
);
snapshot_fixture!(plain_text, "plain_text", ["plain_text"]);
snapshot_fixture!(slack_payload, "slack_payload", ["slack_payload"]);
snapshot_fixture!(generic_json, "generic_json", ["generic_json"]);

fn one(message: &Value) -> Rendered {
    let n = SnsNotification {
        message: message.to_string(),
        topic_arn: Some("arn:aws:sns:eu-west-1:123456789012:ops-alarms".into()),
        ..Default::default()
    };
    render(&n, &options())
}

fn metric_alarm_message() -> Value {
    let event: Value = serde_json::from_str(include_str!("fixtures/metric_alarm.json")).unwrap();
    serde_json::from_str(event["Records"][0]["Sns"]["Message"].as_str().unwrap()).unwrap()
}

#[test]
fn the_condition_reads_as_words() {
    let r = one(&metric_alarm_message());
    let text = r.payload["text"].as_str().unwrap();
    assert!(
        text.contains("Errors Sum ≥ 5 for 2 of 3 periods of 5 min"),
        "{text}"
    );
    assert!(text.starts_with("<!here> "), "{text}");
    assert!(r.mentioned);
    let link = r.payload.to_string();
    assert!(link.contains("https://eu-west-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=eu-west-1#alarmsV2:alarm/checkout-api-errors"));
}

#[test]
fn mention_only_on_alarm_and_high_severity() {
    let mut ok = metric_alarm_message();
    ok["NewStateValue"] = json!("OK");
    let r = one(&ok);
    assert!(r.is_ok && !r.mentioned);
    assert!(!r.payload.to_string().contains("<!here>"));
    let mut insufficient = metric_alarm_message();
    insufficient["NewStateValue"] = json!("INSUFFICIENT_DATA");
    assert!(!one(&insufficient).mentioned);
    let rendered = render_event(include_str!("fixtures/error_burst_alert.json"));
    assert!(!rendered[0].mentioned, "medium severity is not mentioned");
    let rendered = render_event(include_str!("fixtures/brute_force_alert.json"));
    assert!(rendered[0].mentioned, "high severity is mentioned");
    let none = render(
        &notifications(&serde_json::from_str(include_str!("fixtures/metric_alarm.json")).unwrap())
            [0],
        &RenderOptions::default(),
    );
    assert!(!none.mentioned);
}

#[test]
fn message_text_cannot_ping_or_forge_links() {
    let mut m = metric_alarm_message();
    m["AlarmName"] = json!("db <!channel> & co");
    m["AlarmDescription"] =
        json!("Hey <!channel> and <@U123>, see <https://evil.example|the runbook> & <!subteam^S1>");
    m["NewStateReason"] = json!("value > 5 <!everyone>");
    m["Trigger"]["Dimensions"] = json!([{"name": "Fn<@U999>", "value": "<!here>"}]);
    let r = one(&m);
    let body = r.body();
    for raw in [
        "<!channel>",
        "<@U123>",
        "<https://evil",
        "<!subteam",
        "<!everyone>",
        "<@U999>",
    ] {
        assert!(!body.contains(raw), "{raw} leaked into {body}");
        assert!(!r.plain_text.contains(raw), "{raw} leaked into plain text");
    }
    assert!(body.contains("&lt;!channel&gt;"));
    assert!(body.contains("&lt;@U123&gt;"));
    assert!(body.contains("db &lt;!channel&gt; &amp; co"));
    // Only the configured mention remains a real mention.
    assert!(body.contains("<!here>"));
    // No user text in backticks.
    assert!(!body.contains('`'));
    // Same for our alerts and plain text.
    let alert = json!({"schema":"log-processor.alert/v1","kind":"error_burst","severity":"low","summary":"<!channel> boom","log_group":"/g","generated_at":"2026-11-23T04:00:00Z","samples":[{"message":"<@U123> & <!here>"}]});
    let body = one(&alert).body();
    assert!(
        !body.contains("<!channel>") && !body.contains("<@U123>") && !body.contains("<!here>"),
        "{body}"
    );
    let n = SnsNotification {
        message: "ping <!channel> now".into(),
        subject: Some("<@U1> subject".into()),
        ..Default::default()
    };
    let body = render(&n, &options()).body();
    assert!(
        !body.contains("<!channel>") && !body.contains("<@U1>"),
        "{body}"
    );
}

#[test]
fn huge_description_is_truncated_with_an_ellipsis() {
    let mut m = metric_alarm_message();
    m["AlarmDescription"] = json!("x".repeat(50_000));
    m["AlarmName"] = json!("n".repeat(400));
    let r = one(&m);
    assert_within_limits(&r);
    assert_eq!(
        r.payload["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        MAX_HEADER_CHARS
    );
    assert!(r.payload["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .ends_with('…'));
    assert!(r.body().contains("x…"));
    assert!(r.plain_text.chars().count() <= blocks::MAX_PLAIN_CHARS);
}

#[test]
fn thirty_dimensions_fit() {
    let mut m = metric_alarm_message();
    let dims: Vec<Value> = (0..30)
        .map(|i| json!({"name": format!("Dim{i}"), "value": format!("value-{i}")}))
        .collect();
    m["Trigger"]["Dimensions"] = Value::Array(dims);
    let r = one(&m);
    assert_within_limits(&r);
    let body = r.body();
    assert!(body.contains("Dim9 = value-9"));
    assert!(!body.contains("Dim10 = value-10"));
    assert!(body.contains("… and 20 more"));
}

#[test]
fn many_triggering_children_fit() {
    let event: Value = serde_json::from_str(include_str!("fixtures/composite_alarm.json")).unwrap();
    let mut m: Value =
        serde_json::from_str(event["Records"][0]["Sns"]["Message"].as_str().unwrap()).unwrap();
    let children: Vec<Value> = (0..400)
        .map(|i| json!({"Arn": format!("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:child-{i}-{}", "z".repeat(60)), "State": {"Value": "ALARM", "Timestamp": "2026-11-23T04:05:12.271+0000"}}))
        .collect();
    let rule = (0..400)
        .map(|i| format!("ALARM(arn:aws:cloudwatch:eu-west-1:123456789012:alarm:child-{i})"))
        .collect::<Vec<_>>()
        .join(" OR ");
    m["TriggeringChildren"] = Value::Array(children);
    m["AlarmRule"] = json!(rule);
    let r = one(&m);
    assert_eq!(r.kind, "cloudwatch_composite_alarm");
    assert_within_limits(&r);
    let body = r.body();
    assert!(body.contains("Triggering alarms (400)"));
    assert!(body.contains("… and 375 more") || body.contains('…'));
}

#[test]
fn many_fields_and_sections_respect_the_block_budget() {
    // A generic JSON document with thousands of keys, and a huge plain text.
    let mut doc = serde_json::Map::new();
    for i in 0..3_000 {
        doc.insert(format!("key{i}"), json!("v".repeat(100)));
    }
    let r = one(&Value::Object(doc));
    assert_eq!(r.kind, "generic_json");
    assert_within_limits(&r);
    let n = SnsNotification {
        message: "line of text\n".repeat(20_000),
        ..Default::default()
    };
    let r = render(&n, &options());
    assert_within_limits(&r);
    assert!(r.body().contains("more details omitted"));
}

#[test]
fn odd_inputs_never_panic_and_are_never_dropped() {
    let odd = [
        "", "null", "42", "[]", "[1,2]", "\"just a string\"", "{}", "{\"AlarmName\":null}",
        "{\"AlarmName\":\"x\",\"Trigger\":\"not an object\",\"NewStateValue\":7}",
        "{\"AlarmName\":\"x\",\"Trigger\":{\"Metrics\":\"nope\",\"Period\":\"60\",\"Threshold\":\"5\"}}",
        "{\"detail-type\":\"GuardDuty Finding\",\"detail\":null}",
        "{\"detail-type\":\"AWS Health Event\",\"detail\":{\"eventDescription\":\"x\"}}",
        "{\"detail-type\":\"CloudWatch Alarm State Change\",\"detail\":{\"state\":{\"reasonData\":\"not json\"}}}",
        "{\"schema\":\"log-processor.alert/v1\",\"kind\":\"brute_force\"}",
        "{\"text\":\"\"}", "{\"blocks\":[]}", "{\"alarmData\":5}",
        "\"{\\\"AlarmName\\\":\\\"double-encoded\\\",\\\"NewStateValue\\\":\\\"ALARM\\\"}\"",
        "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":1}}}}}}}}}}",
        "not json <!channel> &",
    ];
    for raw in odd {
        let n = SnsNotification {
            message: raw.to_owned(),
            ..Default::default()
        };
        let r = render(&n, &options());
        assert_within_limits(&r);
        assert!(!r.plain_text.is_empty(), "{raw}");
    }
    let n = SnsNotification {
        message:
            "\"{\\\"AlarmName\\\":\\\"double-encoded\\\",\\\"NewStateValue\\\":\\\"ALARM\\\"}\""
                .into(),
        ..Default::default()
    };
    assert_eq!(render(&n, &options()).title, "ALARM: double-encoded");
}

#[test]
fn numbers_as_strings_are_accepted() {
    let mut m = metric_alarm_message();
    m["Trigger"]["Threshold"] = json!("5");
    m["Trigger"]["Period"] = json!("300");
    m["Trigger"]["Dimensions"] = json!([{"Name": "FunctionName", "Value": "checkout-api"}]);
    let r = one(&m);
    assert!(r.payload["text"]
        .as_str()
        .unwrap()
        .contains("Errors Sum ≥ 5 for 2 of 3 periods of 5 min"));
    assert!(r.body().contains("FunctionName = checkout-api"));
}

#[test]
fn region_and_account_fallbacks_for_messages_without_alarm_arn() {
    let r = render_event(include_str!("fixtures/metric_alarm_legacy.json"));
    let body = r[0].body();
    // Region from the display name "EU (Ireland)", account from AWSAccountId.
    assert!(body.contains("eu-west-1.console.aws.amazon.com"), "{body}");
    assert!(body.contains("123456789012"));
    assert!(r[0].is_ok);
}

#[test]
fn partitions_in_links() {
    let r = render_event(include_str!("fixtures/lambda_alarm_action.json"));
    assert!(r[0].body().contains("https://console.amazonaws.cn/cloudwatch/deeplink.js?region=cn-north-1#alarmsV2:alarm/lambda-throttles"));
    let mut m = metric_alarm_message();
    m["AlarmArn"] = json!("arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:gov-alarm");
    m["AlarmName"] = json!("gov-alarm");
    assert!(one(&m).body().contains("https://console.amazonaws-us-gov.com/cloudwatch/deeplink.js?region=us-gov-west-1#alarmsV2:alarm/gov-alarm"));
}

#[test]
fn slack_payload_detection_is_strict() {
    assert!(is_slack_payload(&json!({"text": "hi"})));
    assert!(is_slack_payload(
        &json!({"blocks": [{"type": "divider"}], "username": "x"})
    ));
    assert!(!is_slack_payload(&json!({"text": "hi", "level": "error"})));
    assert!(!is_slack_payload(&json!({"text": ""})));
}

#[test]
fn mentions_are_normalised() {
    assert_eq!(normalize_mention("<!here>").unwrap(), "<!here>");
    assert_eq!(normalize_mention("@channel").unwrap(), "<!channel>");
    assert_eq!(normalize_mention("here").unwrap(), "<!here>");
    assert_eq!(normalize_mention("U0123ABC").unwrap(), "<@U0123ABC>");
    assert_eq!(
        normalize_mention("S0123ABC").unwrap(),
        "<!subteam^S0123ABC>"
    );
    assert_eq!(
        normalize_mention("<!subteam^S0123ABC>").unwrap(),
        "<!subteam^S0123ABC>"
    );
    assert!(normalize_mention("<https://evil>").is_err());
    assert!(normalize_mention("hello world").is_err());
}

#[test]
fn eventbridge_composite_alarm_lists_triggering_alarms() {
    let event = json!({
        "version": "0", "id": "1", "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
        "account": "123456789012", "time": "2026-11-23T04:10:00Z", "region": "us-gov-west-1",
        "resources": ["arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:service-down"],
        "detail": {
            "alarmName": "service-down",
            "state": {"value": "ALARM", "reason": "arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:api-5xx transitioned to ALARM",
                "reasonData": "{\"triggeringAlarms\":[{\"arn\":\"arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:api-5xx\",\"state\":{\"value\":\"ALARM\",\"timestamp\":\"2026-11-23T04:09:58.000+0000\"}}]}",
                "timestamp": "2026-11-23T04:10:00.000+0000"},
            "previousState": {"value": "OK"},
            "configuration": {"alarmRule": "ALARM(\"arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:api-5xx\") OR ALARM(db-cpu)", "description": null}
        }
    });
    let r = one(&event);
    assert_eq!(r.kind, "eventbridge_alarm_state_change");
    assert!(r.mentioned);
    let body = r.body();
    assert!(body.contains("Triggered by api-5xx"), "{body}");
    assert!(
        body.contains("ALARM(\\\"api-5xx\\\") OR ALARM(db-cpu)"),
        "{body}"
    );
    assert!(body.contains("https://console.amazonaws-us-gov.com/cloudwatch/deeplink.js?region=us-gov-west-1#alarmsV2:alarm/service-down"), "{body}");
}

#[test]
fn aws_sample_with_placeholders_and_an_empty_subject() {
    // The shape of the aws-lambda-go sample alarm: placeholder ARN and region, upper-case
    // statistic, long TreatMissingData spelling, empty Subject.
    let message = json!({"AlarmName":"EXAMPLE","AlarmDescription":"EXAMPLE","AWSAccountId":"123456789012","NewStateValue":"ALARM",
        "NewStateReason":"Threshold Crossed: 1 out of the last 1 datapoints [1234.0 (06/03/15 17:43:27)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
        "StateChangeTime":"2015-06-03T17:43:27.123+0000","Region":"EXAMPLE","AlarmArn":"arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE",
        "OldStateValue":"INSUFFICIENT_DATA","Trigger":{"MetricName":"NetworkOut","Namespace":"AWS/EC2","StatisticType":"Statistic",
        "Statistic":"AVERAGE","Unit":"Bytes","Dimensions":[{"value":"TestInstance","name":"InstanceId"}],"Period":60,"EvaluationPeriods":1,
        "ComparisonOperator":"GreaterThanThreshold","Threshold":0.0,"TreatMissingData":"- TreatMissingData:                    missing",
        "EvaluateLowSampleCountPercentile":""}});
    let n = SnsNotification {
        message: message.to_string(),
        subject: None,
        topic_arn: Some("arn:aws:sns:us-west-2:123456789012:alarms".into()),
        ..Default::default()
    };
    let r = render(&n, &options());
    assert_eq!(r.kind, "cloudwatch_metric_alarm");
    let text = r.payload["text"].as_str().unwrap();
    assert!(
        text.contains("NetworkOut Average &gt; 0 Bytes for 1 period of 1 min"),
        "{text}"
    );
    let body = r.body();
    assert!(
        !body.contains("REGION"),
        "placeholder region used in a link: {body}"
    );
    assert!(
        body.contains("region=us-west-2"),
        "topic region is the fallback: {body}"
    );
    assert!(body.contains("treated as missing"));
}

#[test]
fn security_hub_and_ecs_events() {
    let hub = json!({"detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"123456789012","region":"eu-west-1",
        "detail":{"findings":[{"Title":"S3 bucket allows public read <access>","Severity":{"Label":"CRITICAL","Normalized":90},
        "ProductName":"Security Hub","AwsAccountId":"123456789012","Region":"eu-west-1","Description":"Bucket <b> is public",
        "Resources":[{"Id":"arn:aws:s3:::public-bucket","Type":"AwsS3Bucket"}],"Compliance":{"Status":"FAILED"},"Workflow":{"Status":"NEW"}}]}});
    let r = one(&hub);
    assert_eq!(r.kind, "security_hub_finding");
    assert!(r.mentioned);
    assert!(r.body().contains("&lt;access&gt;"));
    let ecs = json!({"detail-type":"ECS Task State Change","source":"aws.ecs","account":"123456789012","region":"eu-west-1","time":"2026-11-23T04:00:00Z",
        "resources":["arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c3d"],
        "detail":{"lastStatus":"STOPPED","desiredStatus":"STOPPED","stoppedReason":"Essential container in task exited","group":"service:orders",
        "taskArn":"arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c3d","containers":[{"name":"app","exitCode":137,"lastStatus":"STOPPED"}]}});
    let r = one(&ecs);
    assert_eq!(r.kind, "eventbridge_state_change");
    assert!(r.title.contains("0a1b2c3d STOPPED"), "{}", r.title);
    assert!(r.body().contains("Essential container in task exited"));
    assert!(!r.mentioned);
}

#[test]
fn truncated_and_mangled_messages_never_panic() {
    let fixtures = [
        include_str!("fixtures/metric_alarm.json"),
        include_str!("fixtures/anomaly_alarm.json"),
        include_str!("fixtures/composite_alarm.json"),
        include_str!("fixtures/brute_force_alert.json"),
        include_str!("fixtures/eventbridge_alarm_state_change.json"),
        include_str!("fixtures/guardduty_finding.json"),
        include_str!("fixtures/health_event.json"),
        include_str!("fixtures/backup_multi_record.json"),
    ];
    for raw in fixtures {
        let event: Value = serde_json::from_str(raw).unwrap();
        for n in notifications(&event) {
            let message = n.message.replace('e', "é").replace("0", "<0>");
            for variant in [n.message.clone(), message] {
                let cuts: Vec<usize> = variant.char_indices().map(|(i, _)| i).step_by(11).collect();
                for cut in cuts {
                    let mangled = SnsNotification {
                        message: variant[..cut].to_owned(),
                        ..n.clone()
                    };
                    let r = render(&mangled, &options());
                    assert!(r.payload["text"].is_string());
                }
            }
        }
    }
}
