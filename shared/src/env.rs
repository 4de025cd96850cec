//! Typed configuration from environment variables.
//!
//! Every reader takes a lookup function instead of touching `std::env` directly, so config
//! parsing is tested with a map and the binaries pass [`process_env`].

use std::fmt::Display;
use std::str::FromStr;

/// A configuration problem found at start-up. Messages name the variable; values of variables
/// that may hold secrets are never included (callers pass `reason` only).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {name} is required{hint}")]
    Missing { name: &'static str, hint: String },
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Reads the real process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The variable's value, trimmed; unset and empty both count as absent.
pub fn var(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Parses `name` with `FromStr`, or returns `default` when it is unset or empty.
pub fn parse_or<T>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    match var(lookup, name) {
        None => Ok(default),
        Some(raw) => raw.parse::<T>().map_err(|e| ConfigError::Invalid {
            name,
            reason: format!("{raw:?}: {e}"),
        }),
    }
}

/// A boolean flag: `true/false`, `1/0`, `yes/no`, `on/off` (any case).
pub fn bool_or(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match var(lookup, name) {
        None => Ok(default),
        Some(raw) => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::Invalid {
                name,
                reason: format!("{raw:?} is not a boolean (use true or false)"),
            }),
        },
    }
}

/// A lookup over fixed pairs, for tests and tools that build configuration without touching the
/// process environment.
pub fn lookup_from_pairs(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_to_unset_and_blank_values() {
        let env = lookup_from_pairs(&[("BLANK", "  ")]);
        assert_eq!(parse_or(&env, "UNSET", 5u64), Ok(5));
        assert_eq!(parse_or(&env, "BLANK", 7u64), Ok(7));
        assert_eq!(bool_or(&env, "UNSET", true), Ok(true));
    }

    #[test]
    fn values_are_trimmed_and_parsed() {
        let env = lookup_from_pairs(&[("N", " 42 "), ("FLAG", "No")]);
        assert_eq!(parse_or(&env, "N", 0u64), Ok(42));
        assert_eq!(bool_or(&env, "FLAG", true), Ok(false));
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let env = lookup_from_pairs(&[("N", "five"), ("FLAG", "maybe")]);
        let err = parse_or(&env, "N", 0u64).unwrap_err();
        assert!(err.to_string().contains("N is invalid"), "{err}");
        assert!(err.to_string().contains("\"five\""), "{err}");
        let err = bool_or(&env, "FLAG", false).unwrap_err();
        assert!(err.to_string().contains("FLAG is invalid"), "{err}");
    }
}
