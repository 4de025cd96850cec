//! CloudWatch API cost of a run (us-east-1 list prices).
//!
//! GetMetricData is billed per metric requested ($0.01 per 1,000) with no free tier; each
//! request of a paged answer re-sends its queries and is counted again. ListMetrics costs
//! $0.01 per 1,000 requests after the first million requests a month (shared with other API
//! calls); the estimate counts it at the paid rate, so it is an upper bound. The pricing page
//! says up to five statistics of one metric in one request are billed as one metric; its
//! reading is disputed, so the estimate bills every statistic (upper bound again).

/// USD per metric requested with GetMetricData.
pub const USD_PER_METRIC_REQUESTED: f64 = 0.01 / 1000.0;
/// USD per ListMetrics request beyond the free tier.
pub const USD_PER_LIST_METRICS_REQUEST: f64 = 0.01 / 1000.0;

/// The estimated cost, rounded to a millionth of a dollar.
pub fn estimated_cost_usd(metrics_requested: u64, list_metrics_calls: u64) -> f64 {
    let raw = metrics_requested as f64 * USD_PER_METRIC_REQUESTED
        + list_metrics_calls as f64 * USD_PER_LIST_METRICS_REQUEST;
    (raw * 1e8).round() / 1e8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_thousand_metrics_cost_ten_cents() {
        assert!((estimated_cost_usd(10_000, 0) - 0.10).abs() < 1e-12);
        assert!((estimated_cost_usd(1_200, 30) - 0.0123).abs() < 1e-12);
        assert_eq!(estimated_cost_usd(0, 0), 0.0);
    }
}
