//! Metric catalogue, window alignment and summary building (metrics-collector core).
//!
//! The flow of a run, all pure and I/O-free here (the function crate does the calls):
//! [`catalogue::list_requests`] -> ListMetrics pages -> [`plan::select`] -> [`plan::plan`] ->
//! GetMetricData pages fed to [`merge::Merger`] -> [`build::build_summary`] ->
//! [`keys::summary_key`] / [`document::Summary::rows_jsonl`].

pub mod build;
pub mod catalogue;
pub mod cost;
pub mod document;
pub mod filter;
pub mod keys;
pub mod merge;
pub mod plan;
pub mod window;

pub use build::{build_summary, BuildInput};
pub use catalogue::{list_requests, ListRequest, Service, Stat};
pub use document::{Summary, SCHEMA};
pub use filter::ResourceFilter;
pub use merge::{Fetched, Merger, ResultStatus};
pub use plan::{plan, query_id, select, Batch, ListedMetric, Plan, Selection};
pub use window::{Window, WindowConfig};
