//! Per-log-group aggregation of classified events within one invocation.

use std::collections::HashMap;

/// The per-source maps are looked up once per failed-login line; SipHash showed up in profiles
/// (≈ 1 % of a maximal batch). foldhash is seeded per process, and the maps are capped at
/// [`MAX_TRACKED_SOURCES`] entries, so hostile source names cannot degrade them without bound.
type FastHash = foldhash::fast::RandomState;

use chrono::{DateTime, Utc};

use super::classify::{classify_prefiltered, prefilter, Classification, Connection, Prefilter};
use super::decode::LogsData;
use super::redact::{sample_text, sample_window};
use crate::alert::Sample;

/// Most distinct user names kept per source.
pub const MAX_USERS_PER_SOURCE: usize = 10;
/// Most error samples kept per log group.
pub const MAX_ERROR_SAMPLES: usize = 3;
/// Most distinct streams remembered per log group.
pub const MAX_STREAMS: usize = 50;
/// Distinct sources tracked per log group; beyond this, failed logins still count in the metric
/// but new addresses are not tracked individually (bounds memory on hostile input).
pub const MAX_TRACKED_SOURCES: usize = 100_000;

/// Counts for one log group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub events: u64,
    pub errors: u64,
    pub failed_logins: u64,
    pub http_5xx: u64,
}

/// Failed-login activity of one source within the invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceStats {
    pub count: u64,
    pub users: Vec<String>,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    /// The line that brought the source to the alert threshold; redacted when an alert takes it.
    pub sample: Option<PendingSample>,
}

/// A sample line kept for an alert but not yet redacted. Redaction runs six regexes, and a
/// brute-force batch brings hundreds of sources to the threshold while an alert shows three
/// samples; only [`PendingSample::redacted`] lets the text out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSample {
    timestamp_ms: i64,
    log_stream: Option<String>,
    /// At most the redaction window of the line.
    message: String,
}

impl PendingSample {
    /// The sample as it may leave the function: redacted and truncated.
    pub fn redacted(&self) -> Sample {
        Sample {
            timestamp: DateTime::<Utc>::from_timestamp_millis(self.timestamp_ms),
            log_stream: self.log_stream.clone(),
            message: sample_text(&self.message),
        }
    }
}

/// Everything the function needs to emit metrics and alerts for one log group.
#[derive(Debug, Clone, Default)]
pub struct GroupSummary {
    pub log_group: String,
    pub owner: String,
    pub log_streams: Vec<String>,
    pub counts: Counts,
    pub sources: HashMap<String, SourceStats, FastHash>,
    pub error_samples: Vec<Sample>,
    pub first_error_ms: Option<i64>,
    pub last_error_ms: Option<i64>,
    pub first_failed_login_ms: Option<i64>,
    pub last_failed_login_ms: Option<i64>,
    /// `Failed publickey` lines waiting to see whether their connection logs `Accepted`.
    pending_probes: HashMap<(String, String), Vec<PendingProbe>, FastHash>,
    /// Threshold used to pick the sample line of each source.
    sample_at: u64,
}

#[derive(Debug, Clone)]
struct PendingProbe {
    timestamp_ms: i64,
    user: Option<String>,
    stream: usize,
    message: String,
}

impl GroupSummary {
    /// `sample_at`: the failed-login count at which a source's sample line is captured (the
    /// brute-force threshold), so each alerting source has a line that shows it.
    pub fn new(log_group: &str, owner: &str, sample_at: u64) -> Self {
        GroupSummary {
            log_group: log_group.to_owned(),
            owner: owner.to_owned(),
            sample_at: sample_at.max(1),
            ..GroupSummary::default()
        }
    }

    /// Classifies and counts every event of one decoded payload of this group.
    pub fn add_payload(&mut self, data: &LogsData<'_>) {
        let stream = self.stream_index(&data.log_stream);
        for event in &data.log_events {
            // Most events are settled on the raw (still escaped) text; only the rest is
            // unescaped and examined.
            match prefilter(event.raw_message()) {
                Prefilter::Settled {
                    error: false,
                    http_5xx: false,
                } => self.add_plain(),
                settled @ Prefilter::Settled { .. } => {
                    let message = event.message();
                    let class = classify_prefiltered(&message, settled);
                    self.add(event.timestamp, &message, stream, &class);
                }
                examine => {
                    let message = event.message();
                    let class = classify_prefiltered(&message, examine);
                    self.add(event.timestamp, &message, stream, &class);
                }
            }
        }
    }

    fn stream_index(&mut self, stream: &str) -> usize {
        if let Some(i) = self.log_streams.iter().position(|s| s == stream) {
            return i;
        }
        if self.log_streams.len() < MAX_STREAMS {
            self.log_streams.push(stream.to_owned());
            self.log_streams.len() - 1
        } else {
            usize::MAX
        }
    }

    fn stream_name(&self, index: usize) -> Option<String> {
        self.log_streams.get(index).cloned()
    }

    /// Counts an event that is none of the kinds.
    fn add_plain(&mut self) {
        self.counts.events += 1;
    }

    /// Counts one classified event.
    pub fn add(
        &mut self,
        timestamp_ms: i64,
        message: &str,
        stream: usize,
        class: &Classification<'_>,
    ) {
        self.counts.events += 1;
        if class.http_5xx {
            self.counts.http_5xx += 1;
        }
        if class.error {
            self.counts.errors += 1;
            widen(
                &mut self.first_error_ms,
                &mut self.last_error_ms,
                timestamp_ms,
            );
            if self.error_samples.len() < MAX_ERROR_SAMPLES {
                let sample = self.sample(timestamp_ms, stream, message);
                self.error_samples.push(sample);
            }
        }
        if let Some(login) = &class.failed_login {
            if let Some(probe) = &login.publickey_probe {
                let key = (probe.source.to_string(), probe.port.to_string());
                if self.pending_probes.len() < MAX_TRACKED_SOURCES
                    || self.pending_probes.contains_key(&key)
                {
                    self.pending_probes
                        .entry(key)
                        .or_default()
                        .push(PendingProbe {
                            timestamp_ms,
                            user: login.user.as_deref().map(str::to_owned),
                            stream,
                            message: message.chars().take(4096).collect(),
                        });
                    return;
                }
            }
            self.count_failed_login(
                timestamp_ms,
                login.user.as_deref(),
                login.source.as_deref(),
                stream,
                message,
            );
        } else if let Some(accepted) = &class.accepted_login {
            self.resolve_accepted(accepted);
        }
    }

    fn resolve_accepted(&mut self, accepted: &Connection<'_>) {
        if self.pending_probes.is_empty() {
            return;
        }
        let key = (accepted.source.to_string(), accepted.port.to_string());
        self.pending_probes.remove(&key);
    }

    fn count_failed_login(
        &mut self,
        timestamp_ms: i64,
        user: Option<&str>,
        source: Option<&str>,
        stream: usize,
        message: &str,
    ) {
        self.counts.failed_logins += 1;
        widen(
            &mut self.first_failed_login_ms,
            &mut self.last_failed_login_ms,
            timestamp_ms,
        );
        let Some(source) = source else { return };
        let sample_at = self.sample_at;
        let needs_sample = {
            // One lookup for the usual case, a source already seen; a new source is tracked
            // while there is room.
            let stats = if let Some(stats) = self.sources.get_mut(source) {
                stats
            } else if self.sources.len() < MAX_TRACKED_SOURCES {
                self.sources.entry(source.to_owned()).or_default()
            } else {
                return;
            };
            stats.count += 1;
            widen(&mut stats.first_ms, &mut stats.last_ms, timestamp_ms);
            if let Some(user) = user {
                if stats.users.len() < MAX_USERS_PER_SOURCE
                    && !stats.users.iter().any(|u| u == user)
                {
                    stats.users.push(user.to_owned());
                }
            }
            stats.count == sample_at
        };
        if needs_sample {
            let sample = self.pending_sample(timestamp_ms, stream, message);
            if let Some(stats) = self.sources.get_mut(source) {
                stats.sample = Some(sample);
            }
        }
    }

    fn sample(&self, timestamp_ms: i64, stream: usize, message: &str) -> Sample {
        self.pending_sample(timestamp_ms, stream, message)
            .redacted()
    }

    fn pending_sample(&self, timestamp_ms: i64, stream: usize, message: &str) -> PendingSample {
        PendingSample {
            timestamp_ms,
            log_stream: self.stream_name(stream),
            message: sample_window(message).to_owned(),
        }
    }

    /// Ends the invocation: publickey probes whose connection never logged `Accepted` in the
    /// batch count as failed logins now.
    pub fn finish(&mut self) {
        let mut pending: Vec<((String, String), Vec<PendingProbe>)> =
            self.pending_probes.drain().collect();
        pending.sort_by_key(|(_, probes)| probes.first().map_or(i64::MIN, |p| p.timestamp_ms));
        for ((source, _port), probes) in pending {
            for probe in probes {
                self.count_failed_login(
                    probe.timestamp_ms,
                    probe.user.as_deref(),
                    Some(&source),
                    probe.stream,
                    &probe.message,
                );
            }
        }
    }

    /// Sources with at least `threshold` failed logins, worst first (ties: earliest first, then
    /// by address for a stable order).
    pub fn offending_sources(&self, threshold: u64) -> Vec<(&str, &SourceStats)> {
        let mut out: Vec<(&str, &SourceStats)> = self
            .sources
            .iter()
            .filter(|(_, s)| s.count >= threshold.max(1))
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        out.sort_by(|a, b| {
            b.1.count
                .cmp(&a.1.count)
                .then(a.1.first_ms.cmp(&b.1.first_ms))
                .then(a.0.cmp(b.0))
        });
        out
    }
}

fn widen(first: &mut Option<i64>, last: &mut Option<i64>, at: i64) {
    *first = Some(first.map_or(at, |f| f.min(at)));
    *last = Some(last.map_or(at, |l| l.max(at)));
}

/// The groups seen in one invocation, in first-seen order.
#[derive(Debug, Default)]
pub struct Batch {
    groups: Vec<GroupSummary>,
    sample_at: u64,
}

impl Batch {
    pub fn new(sample_at: u64) -> Self {
        Batch {
            groups: Vec::new(),
            sample_at,
        }
    }

    /// Adds one decoded DATA_MESSAGE payload (control messages must be skipped by the caller).
    pub fn add_payload(&mut self, data: &LogsData<'_>) {
        let index = match self
            .groups
            .iter()
            .position(|g| g.log_group == data.log_group)
        {
            Some(i) => i,
            None => {
                self.groups.push(GroupSummary::new(
                    &data.log_group,
                    &data.owner,
                    self.sample_at,
                ));
                self.groups.len() - 1
            }
        };
        self.groups[index].add_payload(data);
    }

    /// Finishes every group and returns them.
    pub fn finish(mut self) -> Vec<GroupSummary> {
        for g in &mut self.groups {
            g.finish();
        }
        self.groups
    }
}
