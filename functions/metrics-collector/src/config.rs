//! Configuration from environment variables (names in [`crate::ENV_VARS`]).

use std::path::PathBuf;

use shared::env::{bool_or, parse_or, var, ConfigError};
use shared::summary::keys::normalize_prefix;
use shared::summary::window::{DEFAULT_PERIOD, DEFAULT_SETTLE_DELAY, DEFAULT_WINDOW};
use shared::summary::{ResourceFilter, Service, WindowConfig};

pub const DEFAULT_PREFIX: &str = "metrics-summary/";
pub const DEFAULT_DIR: &str = "./summaries";
pub const DEFAULT_TOP_N: usize = 10;
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Where summaries go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreTarget {
    /// `SUMMARY_BUCKET` is set.
    S3 { bucket: String },
    /// `SUMMARY_BUCKET` is unset: files under `SUMMARY_DIR`.
    Local { dir: PathBuf },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreTarget,
    /// Normalised `SUMMARY_PREFIX` (empty or ending in `/`).
    pub prefix: String,
    pub s3_force_path_style: bool,
    pub window: WindowConfig,
    pub services: Vec<Service>,
    pub filter: ResourceFilter,
    pub top_n: usize,
    pub percentiles: bool,
    pub cloudwatch_max_attempts: u32,
    pub concurrency: usize,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(&shared::env::process_env)
    }

    pub fn from_lookup(env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let store = match var(env, "SUMMARY_BUCKET") {
            Some(bucket) => StoreTarget::S3 { bucket },
            None => StoreTarget::Local {
                dir: PathBuf::from(var(env, "SUMMARY_DIR").unwrap_or_else(|| DEFAULT_DIR.into())),
            },
        };
        let prefix = normalize_prefix(
            &var(env, "SUMMARY_PREFIX").unwrap_or_else(|| DEFAULT_PREFIX.to_owned()),
        );
        let window = WindowConfig {
            period: parse_or(env, "PERIOD", DEFAULT_PERIOD)?,
            window: parse_or(env, "WINDOW", DEFAULT_WINDOW)?,
            settle_delay: parse_or(env, "SETTLE_DELAY", DEFAULT_SETTLE_DELAY)?,
        };
        window.validate().map_err(|reason| ConfigError::Invalid {
            name: if reason.starts_with("PERIOD") {
                "PERIOD"
            } else {
                "WINDOW"
            },
            reason,
        })?;
        let mut services = Vec::new();
        for (name, service) in [
            ("COLLECT_ALB", Service::Alb),
            ("COLLECT_NLB", Service::Nlb),
            ("COLLECT_ELB", Service::Elb),
            ("COLLECT_S3", Service::S3),
            ("COLLECT_LAMBDA", Service::Lambda),
        ] {
            if bool_or(env, name, true)? {
                services.push(service);
            }
        }
        let include = var(env, "RESOURCE_INCLUDE");
        let exclude = var(env, "RESOURCE_EXCLUDE");
        let filter = ResourceFilter::new(include.as_deref(), exclude.as_deref()).map_err(|e| {
            ConfigError::Invalid {
                name: if e.starts_with("include") {
                    "RESOURCE_INCLUDE"
                } else {
                    "RESOURCE_EXCLUDE"
                },
                reason: e,
            }
        })?;
        let cloudwatch_max_attempts =
            parse_or(env, "CLOUDWATCH_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)?;
        if cloudwatch_max_attempts == 0 {
            return Err(ConfigError::Invalid {
                name: "CLOUDWATCH_MAX_ATTEMPTS",
                reason: "must be at least 1".into(),
            });
        }
        let concurrency = parse_or(env, "FETCH_CONCURRENCY", DEFAULT_CONCURRENCY)?;
        if !(1..=20).contains(&concurrency) {
            return Err(ConfigError::Invalid {
                name: "FETCH_CONCURRENCY",
                reason: format!("{concurrency} is outside 1..=20 (GetMetricData allows 50 TPS)"),
            });
        }
        Ok(Config {
            store,
            prefix,
            s3_force_path_style: bool_or(env, "S3_FORCE_PATH_STYLE", false)?,
            window,
            services,
            filter,
            top_n: parse_or(env, "TOP_N", DEFAULT_TOP_N)?,
            percentiles: bool_or(env, "PERCENTILES", true)?,
            cloudwatch_max_attempts,
            concurrency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use shared::env::lookup_from_pairs as env;

    #[test]
    fn defaults() {
        let c = Config::from_lookup(&env(&[])).unwrap();
        assert_eq!(
            c.store,
            StoreTarget::Local {
                dir: PathBuf::from("./summaries")
            }
        );
        assert_eq!(c.prefix, "metrics-summary/");
        assert_eq!(c.window, WindowConfig::default());
        assert_eq!(c.services, Service::ALL.to_vec());
        assert!(c.percentiles);
        assert!(!c.s3_force_path_style);
        assert_eq!(c.top_n, 10);
        assert!(c.filter.allows("anything"));
    }

    #[test]
    fn bucket_services_and_filters() {
        let c = Config::from_lookup(&env(&[
            ("SUMMARY_BUCKET", "b"),
            ("SUMMARY_PREFIX", "team/x"),
            ("COLLECT_S3", "false"),
            ("COLLECT_NLB", "0"),
            ("RESOURCE_EXCLUDE", "^test-"),
            ("S3_FORCE_PATH_STYLE", "true"),
            ("PERIOD", "60"),
            ("WINDOW", "900"),
        ]))
        .unwrap();
        assert_eq!(c.store, StoreTarget::S3 { bucket: "b".into() });
        assert_eq!(c.prefix, "team/x/");
        assert_eq!(
            c.services,
            vec![Service::Alb, Service::Elb, Service::Lambda]
        );
        assert!(!c.filter.allows("test-fn"));
        assert!(c.s3_force_path_style);
        assert_eq!(c.window.period, 60);
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (pairs, name) in [
            (vec![("PERIOD", "90")], "PERIOD"),
            (vec![("WINDOW", "1000")], "WINDOW"),
            (vec![("RESOURCE_INCLUDE", "(")], "RESOURCE_INCLUDE"),
            (vec![("COLLECT_ALB", "maybe")], "COLLECT_ALB"),
            (vec![("FETCH_CONCURRENCY", "0")], "FETCH_CONCURRENCY"),
            (
                vec![("CLOUDWATCH_MAX_ATTEMPTS", "0")],
                "CLOUDWATCH_MAX_ATTEMPTS",
            ),
        ] {
            let err = Config::from_lookup(&env(&pairs)).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[test]
    fn env_vars_lists_every_variable_read() {
        let read = std::cell::RefCell::new(Vec::new());
        let spy = |name: &str| {
            read.borrow_mut().push(name.to_owned());
            None
        };
        Config::from_lookup(&spy).unwrap();
        let mut read = read.into_inner();
        // SUMMARY_DIR is read only when SUMMARY_BUCKET is unset; both paths are covered here.
        read.sort();
        read.dedup();
        for name in &read {
            assert!(
                crate::ENV_VARS.contains(&name.as_str()),
                "{name} missing from ENV_VARS"
            );
        }
        assert_eq!(
            read.len(),
            crate::ENV_VARS.len(),
            "ENV_VARS lists a variable never read"
        );
    }
}
