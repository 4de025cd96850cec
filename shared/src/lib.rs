//! The pure core shared by the three functions.
//!
//! Nothing in here talks to AWS or Slack: decoding, classification, rendering and summary
//! building take plain data and return plain data, so they are tested on fixtures in
//! microseconds. The only I/O helpers are [`replay`] (read an event file for local runs) and
//! [`telemetry`] (tracing set-up); [`huge_pages`] is the
//! allocator `log-processor` installs for its megabyte-sized buffers.

pub mod alert;
pub mod env;
pub mod huge_pages;
pub mod logs;
pub mod replay;
pub mod slack;
pub mod summary;
pub mod telemetry;
