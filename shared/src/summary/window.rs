//! The time range a run summarises.
//!
//! CloudWatch data arrives late and keeps converging for minutes, so the window ends
//! `settle_delay` before the anchor time and both ends sit on a period boundary. Two runs with
//! the same anchor (a retried or duplicated schedule) get the same window and therefore write
//! the same store keys.

use serde::{Deserialize, Serialize};

pub const DEFAULT_PERIOD: u32 = 300;
pub const DEFAULT_WINDOW: u32 = 3600;
pub const DEFAULT_SETTLE_DELAY: u32 = 600;
/// S3 storage metrics are published once a day.
pub const DAY: i64 = 86_400;
/// S3 storage metrics are read over a two-day look-back so that the latest day and the one
/// before it (for growth) are both in range whenever CloudWatch has published them.
pub const DAILY_LOOKBACK_DAYS: i64 = 2;

/// Window settings (all in seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowConfig {
    pub period: u32,
    pub window: u32,
    pub settle_delay: u32,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            period: DEFAULT_PERIOD,
            window: DEFAULT_WINDOW,
            settle_delay: DEFAULT_SETTLE_DELAY,
        }
    }
}

impl WindowConfig {
    /// Checks the combination; the message names the offending setting.
    pub fn validate(&self) -> Result<(), String> {
        if self.period == 0 || !self.period.is_multiple_of(60) {
            return Err(format!(
                "PERIOD must be a positive multiple of 60 seconds, got {}",
                self.period
            ));
        }
        if self.window < self.period || !self.window.is_multiple_of(self.period) {
            return Err(format!(
                "WINDOW must be a multiple of PERIOD ({}), got {}",
                self.period, self.window
            ));
        }
        Ok(())
    }
}

/// A closed, period-aligned time range, in Unix seconds (`start` inclusive, `end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    pub period: u32,
    /// The range read for S3's daily storage metrics (midnight-aligned start).
    pub daily_start: i64,
    pub daily_end: i64,
}

impl Window {
    /// The window ending at `anchor - settle_delay`, rounded down to the period.
    pub fn aligned(anchor_epoch_secs: i64, config: &WindowConfig) -> Window {
        let period = i64::from(config.period.max(60));
        let end = (anchor_epoch_secs - i64::from(config.settle_delay)).div_euclid(period) * period;
        Window::ending_at(end, config)
    }

    /// The window that ends exactly at `end` (already aligned).
    pub fn ending_at(end: i64, config: &WindowConfig) -> Window {
        let start = end - i64::from(config.window);
        let daily_start = (end - DAILY_LOOKBACK_DAYS * DAY).div_euclid(DAY) * DAY;
        Window {
            start,
            end,
            period: config.period,
            daily_start,
            daily_end: end,
        }
    }

    /// The window just before this one (same length), whose summary the change is computed
    /// against.
    pub fn previous(&self, config: &WindowConfig) -> Window {
        Window::ending_at(self.start, config)
    }

    pub fn seconds(&self) -> i64 {
        self.end - self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-23T04:17:42Z
    const NOW: i64 = 1_795_407_462;

    #[test]
    fn default_window_is_aligned_and_delayed() {
        let w = Window::aligned(NOW, &WindowConfig::default());
        // now - 600 s = 04:07:42 -> rounded down to 04:05:00.
        assert_eq!(w.end, 1_795_406_700);
        assert_eq!(w.end % 300, 0);
        assert_eq!(w.seconds(), 3600);
        assert_eq!(w.start, w.end - 3600);
    }

    #[test]
    fn anchors_inside_one_period_give_the_same_window() {
        let cfg = WindowConfig::default();
        let a = Window::aligned(1_795_406_700 + 600, &cfg);
        let b = Window::aligned(1_795_406_700 + 600 + 299, &cfg);
        let c = Window::aligned(1_795_406_700 + 600 + 300, &cfg);
        assert_eq!(a, b);
        assert_eq!(c.end, a.end + 300);
    }

    #[test]
    fn hourly_period_aligns_to_the_hour() {
        let cfg = WindowConfig {
            period: 3600,
            window: 3600,
            settle_delay: 0,
        };
        let w = Window::aligned(NOW, &cfg);
        assert_eq!(w.end, 1_795_406_400); // 04:00:00
        assert_eq!(w.start, 1_795_402_800);
    }

    #[test]
    fn daily_range_starts_at_midnight_two_days_back() {
        let w = Window::aligned(NOW, &WindowConfig::default());
        assert_eq!(w.daily_start % DAY, 0);
        // 2026-11-21T00:00:00Z
        assert_eq!(w.daily_start, 1_795_219_200);
        assert_eq!(w.daily_end, w.end);
    }

    #[test]
    fn previous_window_is_adjacent() {
        let cfg = WindowConfig::default();
        let w = Window::aligned(NOW, &cfg);
        let p = w.previous(&cfg);
        assert_eq!(p.end, w.start);
        assert_eq!(p.seconds(), w.seconds());
    }

    #[test]
    fn pre_epoch_anchor_rounds_down_not_toward_zero() {
        let cfg = WindowConfig {
            period: 300,
            window: 300,
            settle_delay: 0,
        };
        assert_eq!(Window::aligned(-1, &cfg).end, -300);
    }

    #[test]
    fn validation() {
        assert!(WindowConfig::default().validate().is_ok());
        let bad_period = WindowConfig {
            period: 90,
            ..WindowConfig::default()
        };
        assert!(bad_period.validate().unwrap_err().contains("PERIOD"));
        let bad_window = WindowConfig {
            window: 1000,
            ..WindowConfig::default()
        };
        assert!(bad_window.validate().unwrap_err().contains("WINDOW"));
        let short = WindowConfig {
            window: 60,
            ..WindowConfig::default()
        };
        assert!(short.validate().is_err());
    }
}
