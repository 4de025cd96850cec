//! CloudWatch Logs subscription decoding and log-event classification (log-processor core).
//!
//! Pure and I/O-free: [`decode`] turns a base64+gzip payload into borrowed events, [`classify`](mod@classify)
//! says what each event is, [`aggregate`] counts per log group, [`metrics`] renders EMF lines and
//! PutMetricData datums, [`alerts`] builds alert documents and keeps the cooldown, [`redact`]
//! cleans sample lines, [`response`] holds the handler's response types.

pub mod aggregate;
pub mod alerts;
pub mod classify;
pub mod decode;
mod document;
pub mod gzip;
pub mod metrics;
pub mod redact;
pub mod response;
pub mod synthetic;

pub use aggregate::{Batch, Counts, GroupSummary};
pub use classify::{classify, Classification, FailedLogin};
pub use decode::{
    decompress, parse, Base64Payload, DecodeError, LogsData, DEFAULT_MAX_DECOMPRESSED_BYTES,
};
pub use gzip::Inflated;

#[cfg(test)]
mod alert_tests;
#[cfg(test)]
mod classify_tests;
#[cfg(test)]
mod decode_tests;
