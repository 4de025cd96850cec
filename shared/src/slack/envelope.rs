//! The SNS notifications inside an invocation event.
//!
//! Accepted shapes, so that no message is ever dropped for its wrapping:
//! - the Lambda SNS event `{"Records":[{"Sns":{…}}]}` (every record);
//! - the HTTP/S-subscription envelope `{"Type","MessageId","TopicArn","Subject","Message",…}`
//!   (also `SigningCertURL`/`UnsubscribeURL` spellings; keys matched case-insensitively);
//! - SQS records whose `body` is such an envelope (SNS → SQS → Lambda) or plain text;
//! - anything else (an alarm action invoking the function directly, an EventBridge event): the
//!   whole event is treated as one message.

use serde_json::{Map, Value};

use super::lenient::value_to_string;

/// One SNS notification, reduced to what rendering needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnsNotification {
    pub message_id: Option<String>,
    pub topic_arn: Option<String>,
    pub subject: Option<String>,
    /// The `Message` text (JSON text for alarms and events, free text otherwise).
    pub message: String,
    pub timestamp: Option<String>,
    /// `MessageAttributes` as name → string value.
    pub attributes: Vec<(String, String)>,
}

impl SnsNotification {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every notification in `event`, in order.
pub fn notifications(event: &Value) -> Vec<SnsNotification> {
    if let Some(records) = get_ci(event, "Records").and_then(Value::as_array) {
        return records.iter().map(from_record).collect();
    }
    if let Some(n) = from_envelope(event) {
        return vec![n];
    }
    vec![SnsNotification {
        message: value_text(event),
        ..Default::default()
    }]
}

fn from_record(record: &Value) -> SnsNotification {
    if let Some(n) = get_ci(record, "Sns").and_then(from_envelope) {
        return n;
    }
    if let Some(body) = get_ci(record, "body").and_then(Value::as_str) {
        if let Ok(inner) = serde_json::from_str::<Value>(body) {
            if let Some(n) = from_envelope(&inner) {
                return n;
            }
        }
        return SnsNotification {
            message_id: get_ci(record, "messageId").and_then(value_to_string),
            message: body.to_owned(),
            ..Default::default()
        };
    }
    SnsNotification {
        message: value_text(record),
        ..Default::default()
    }
}

/// An SNS envelope: an object with a `Message` member.
fn from_envelope(v: &Value) -> Option<SnsNotification> {
    let obj = v.as_object()?;
    let message = get_ci(v, "Message")?;
    Some(SnsNotification {
        message_id: get_ci(v, "MessageId").and_then(value_to_string),
        topic_arn: get_ci(v, "TopicArn").and_then(value_to_string),
        subject: get_ci(v, "Subject").and_then(value_to_string),
        message: value_text(message),
        timestamp: get_ci(v, "Timestamp").and_then(value_to_string),
        attributes: attributes(obj),
    })
}

fn attributes(obj: &Map<String, Value>) -> Vec<(String, String)> {
    let Some(Value::Object(attrs)) = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("MessageAttributes"))
        .map(|(_, v)| v)
    else {
        return Vec::new();
    };
    attrs
        .iter()
        .filter_map(|(name, attr)| {
            let value = match attr {
                Value::Object(_) => get_ci(attr, "Value").and_then(value_to_string),
                other => value_to_string(other),
            }?;
            Some((name.clone(), value))
        })
        .collect()
}

/// A string as is; any other JSON value as JSON text; null as "".
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Object member by exact key, else case-insensitively.
pub fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lambda_records_http_envelope_sqs_and_bare_events() {
        let lambda = json!({"Records":[
            {"EventSource":"aws:sns","Sns":{"MessageId":"1","TopicArn":"arn:aws:sns:eu-west-1:123456789012:t","Subject":null,"Message":"hello","Timestamp":"2026-11-23T04:00:00.000Z","MessageAttributes":{"severity":{"Type":"String","Value":"high"}}}},
            {"EventSource":"aws:sns","Sns":{"MessageId":"2","Message":"{\"a\":1}"}}
        ]});
        let ns = notifications(&lambda);
        assert_eq!(ns.len(), 2);
        assert_eq!(ns[0].subject, None);
        assert_eq!(ns[0].attribute("Severity"), Some("high"));
        assert_eq!(ns[1].message, "{\"a\":1}");

        let http = json!({"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:1:t","Subject":"ALARM: \"x\"","Message":"text","Timestamp":"t","SigningCertURL":"https://x","UnsubscribeURL":"https://y"});
        let ns = notifications(&http);
        assert_eq!(ns.len(), 1);
        assert_eq!(ns[0].message_id.as_deref(), Some("m"));

        let sqs = json!({"Records":[{"messageId":"q1","body":"{\"Type\":\"Notification\",\"Message\":\"inner\"}"},{"messageId":"q2","body":"raw text"}]});
        let ns = notifications(&sqs);
        assert_eq!(ns[0].message, "inner");
        assert_eq!(ns[1].message, "raw text");

        let bare = json!({"detail-type":"X","detail":{}});
        let ns = notifications(&bare);
        assert_eq!(ns.len(), 1);
        assert!(ns[0].message.contains("detail-type"));

        assert!(notifications(&json!({"Records":[]})).is_empty());
    }
}
