//! Serde helpers that never fail: AWS has sent `null`, `""`, numbers as strings and strings as
//! numbers in fields a strict type would reject. Each helper turns what it cannot use into
//! `None` (or an empty list) instead of an error, so one odd field never costs the message.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string, number or boolean as text; `null`, `""` and other types become `None`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(value_to_string(&Value::deserialize(d)?))
}

pub fn value_to_string(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A number, or a string holding one.
pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(value_to_f64(&Value::deserialize(d)?))
}

pub fn value_to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// A non-negative integer, from an integer, an integral float or a numeric string.
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(value_to_f64(&Value::deserialize(d)?)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n < 1.8e19)
        .map(|n| n as u64))
}

/// A boolean, or `"true"`/`"false"`.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// A nested object of type `T`, or `None` when it is absent, null or of another shape.
pub fn opt<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    Ok(serde_json::from_value(v).ok())
}

/// A list of `T`; items of another shape are skipped, a non-list gives an empty list.
pub fn vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// Metric dimensions in every spelling seen: `[{"name","value"}]` (alarm messages),
/// `[{"Name","Value"}]` (the API) and `{"Key": "value"}` (EventBridge alarm events).
pub fn dimensions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| {
                let name = item
                    .get("name")
                    .or_else(|| item.get("Name"))
                    .and_then(value_to_string)?;
                let value = item
                    .get("value")
                    .or_else(|| item.get("Value"))
                    .and_then(value_to_string)
                    .unwrap_or_default();
                Some((name, value))
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), value_to_string(v).unwrap_or_default()))
            .collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Probe {
        #[serde(deserialize_with = "string")]
        s: Option<String>,
        #[serde(deserialize_with = "f64")]
        f: Option<f64>,
        #[serde(deserialize_with = "u64")]
        n: Option<u64>,
        #[serde(deserialize_with = "dimensions")]
        d: Vec<(String, String)>,
    }

    #[test]
    fn odd_values_become_none_instead_of_errors() {
        let p: Probe = serde_json::from_str(r#"{"s":null,"f":"1.5","n":3.0,"d":[{"Name":"A","Value":"1"},{"name":"b","value":2},7]}"#).unwrap();
        assert_eq!(p.s, None);
        assert_eq!(p.f, Some(1.5));
        assert_eq!(p.n, Some(3));
        assert_eq!(
            p.d,
            vec![("A".into(), "1".into()), ("b".into(), "2".into())]
        );
        let p: Probe =
            serde_json::from_str(r#"{"s":12,"f":{},"n":-1,"d":{"FunctionName":"api"}}"#).unwrap();
        assert_eq!(p.s.as_deref(), Some("12"));
        assert_eq!(p.f, None);
        assert_eq!(p.n, None);
        assert_eq!(p.d, vec![("FunctionName".into(), "api".into())]);
    }
}
