//! Store keys, derived from the window (never from the run time), so a retried or duplicated
//! schedule overwrites the same objects.
//!
//! ```text
//! <prefix>summary/dt=2026-11-23/20261123T040000Z-3600s.json     (the summary document)
//! <prefix>resources/dt=2026-11-23/20261123T040000Z-3600s.jsonl  (one row per resource)
//! ```
//! `dt` is the UTC date of the window end; the file name is the window end and the window
//! length (so collectors with different windows never overwrite each other). Summary and rows
//! live under separate prefixes so an Athena table over the rows reads only rows.

use super::window::Window;
use chrono::DateTime;

/// Normalises `SUMMARY_PREFIX`: no leading `/`, and a trailing `/` unless empty.
pub fn normalize_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim().trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/")
    }
}

fn stem(window: &Window) -> (String, String) {
    let end = DateTime::from_timestamp(window.end, 0).unwrap_or_default();
    (
        end.format("%Y-%m-%d").to_string(),
        format!("{}-{}s", end.format("%Y%m%dT%H%M%SZ"), window.seconds()),
    )
}

/// The key of the summary document for `window`.
pub fn summary_key(prefix: &str, window: &Window) -> String {
    let (date, name) = stem(window);
    format!("{prefix}summary/dt={date}/{name}.json")
}

/// The key of the JSON-Lines resource rows for `window`.
pub fn rows_key(prefix: &str, window: &Window) -> String {
    let (date, name) = stem(window);
    format!("{prefix}resources/dt={date}/{name}.jsonl")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::window::WindowConfig;

    #[test]
    fn keys_come_from_the_window_end() {
        let cfg = WindowConfig::default();
        // Two anchors in the same period -> the same window -> the same keys.
        let a = Window::aligned(1_795_407_000 + 600, &cfg);
        let b = Window::aligned(1_795_407_000 + 600 + 120, &cfg);
        assert_eq!(summary_key("p/", &a), summary_key("p/", &b));
        let w = Window::ending_at(1_795_406_400, &cfg);
        assert_eq!(
            summary_key("metrics-summary/", &w),
            "metrics-summary/summary/dt=2026-11-23/20261123T040000Z-3600s.json"
        );
        assert_eq!(
            rows_key("", &w),
            "resources/dt=2026-11-23/20261123T040000Z-3600s.jsonl"
        );
    }

    #[test]
    fn midnight_end_belongs_to_the_new_day() {
        let w = Window::ending_at(1_795_392_000, &WindowConfig::default()); // 2026-11-23T00:00Z
        assert!(summary_key("", &w).starts_with("summary/dt=2026-11-23/20261123T000000Z"));
    }

    #[test]
    fn prefix_normalisation() {
        assert_eq!(normalize_prefix(""), "");
        assert_eq!(normalize_prefix("/"), "");
        assert_eq!(normalize_prefix("a/b"), "a/b/");
        assert_eq!(normalize_prefix("/a/b/"), "a/b/");
    }
}
