//! Merging GetMetricData pages into one series of points per query.
//!
//! CloudWatch splits a large answer over `NextToken` pages; a query id can appear on several
//! pages, each with some of its points and a `StatusCode`. `PartialData` means "more points on
//! the next page", so the last status seen for an id is the one that counts. A batch whose call
//! failed (after the SDK's retries) marks its unfinished queries as failed instead of dropping
//! the whole run.

use super::plan::{parse_query_id, Batch};

/// `MetricDataResult.StatusCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultStatus {
    Complete,
    PartialData,
    InternalError,
    Forbidden,
    /// A status this code does not know (treated like an error).
    Other,
}

impl ResultStatus {
    pub fn parse(raw: &str) -> ResultStatus {
        match raw {
            "Complete" => ResultStatus::Complete,
            "PartialData" => ResultStatus::PartialData,
            "InternalError" => ResultStatus::InternalError,
            "Forbidden" => ResultStatus::Forbidden,
            _ => ResultStatus::Other,
        }
    }
}

/// Where a query ended up after all pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryState {
    /// Never seen in any answer.
    #[default]
    Unanswered,
    Complete,
    /// The last page still said `PartialData` (e.g. the page limit was reached).
    Partial,
    /// CloudWatch answered `InternalError`/`Forbidden`/unknown, or the call failed.
    Failed,
}

/// The merged answer for one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryData {
    /// (Unix seconds, value), ascending, one value per timestamp.
    pub points: Vec<(i64, f64)>,
    pub state: QueryState,
}

/// Accumulates pages for a plan with `queries` queries.
#[derive(Debug, Clone)]
pub struct Merger {
    data: Vec<QueryData>,
    /// Result ids that this plan never sent (ignored, counted).
    pub unknown_ids: usize,
    /// `Messages` from the responses (`Code: Value`), capped at [`MAX_MESSAGES`].
    pub messages: Vec<String>,
    /// Messages beyond the cap.
    pub messages_dropped: usize,
}

pub const MAX_MESSAGES: usize = 50;

impl Merger {
    pub fn new(queries: usize) -> Self {
        Merger {
            data: vec![QueryData::default(); queries],
            unknown_ids: 0,
            messages: Vec::new(),
            messages_dropped: 0,
        }
    }

    /// Adds one `MetricDataResult`. Timestamps and values are zipped; extra entries on either
    /// side (a malformed answer) are ignored.
    pub fn add_result(
        &mut self,
        id: &str,
        timestamps: &[i64],
        values: &[f64],
        status: ResultStatus,
    ) {
        let Some(entry) = parse_query_id(id).and_then(|i| self.data.get_mut(i)) else {
            self.unknown_ids += 1;
            return;
        };
        entry.points.extend(
            timestamps
                .iter()
                .copied()
                .zip(values.iter().copied())
                .filter(|(_, v)| v.is_finite()),
        );
        entry.state = match status {
            ResultStatus::Complete => QueryState::Complete,
            ResultStatus::PartialData => QueryState::Partial,
            ResultStatus::InternalError | ResultStatus::Forbidden | ResultStatus::Other => {
                QueryState::Failed
            }
        };
    }

    /// Records a response- or result-level message.
    pub fn add_message(&mut self, message: String) {
        if self.messages.len() < MAX_MESSAGES {
            self.messages.push(message);
        } else {
            self.messages_dropped += 1;
        }
    }

    /// Marks every query of `batch` that has not completed as failed (its call failed).
    pub fn fail_batch(&mut self, batch: &Batch) {
        let Some(entries) = self.data.get_mut(batch.queries.clone()) else {
            return;
        };
        for entry in entries.iter_mut() {
            if entry.state != QueryState::Complete {
                entry.state = QueryState::Failed;
            }
        }
    }

    /// Sorts points by time and keeps the last value sent for a repeated timestamp.
    pub fn finish(self) -> Fetched {
        let mut data = self.data;
        for entry in &mut data {
            if entry.points.windows(2).any(|w| w[0].0 >= w[1].0) {
                // Stable sort keeps page order, so the later page wins on duplicates.
                entry.points.sort_by_key(|(t, _)| *t);
                let mut deduped: Vec<(i64, f64)> = Vec::with_capacity(entry.points.len());
                for point in entry.points.drain(..) {
                    match deduped.last_mut() {
                        Some(last) if last.0 == point.0 => *last = point,
                        _ => deduped.push(point),
                    }
                }
                entry.points = deduped;
            }
        }
        Fetched {
            data,
            unknown_ids: self.unknown_ids,
            messages: self.messages,
            messages_dropped: self.messages_dropped,
        }
    }
}

/// All merged answers of a run, indexed like [`super::plan::Plan::queries`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetched {
    pub data: Vec<QueryData>,
    pub unknown_ids: usize,
    pub messages: Vec<String>,
    pub messages_dropped: usize,
}

impl Fetched {
    pub fn count(&self, state: QueryState) -> usize {
        self.data.iter().filter(|d| d.state == state).count()
    }

    pub fn without_points(&self) -> usize {
        self.data.iter().filter(|d| d.points.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_merged_by_id_and_sorted() {
        let mut m = Merger::new(2);
        // Page 1 (descending, as CloudWatch's default scan order) with PartialData.
        m.add_result("q0", &[600, 300], &[3.0, 2.0], ResultStatus::PartialData);
        m.add_result("q1", &[600], &[9.0], ResultStatus::Complete);
        // Page 2 finishes q0.
        m.add_result("q0", &[0], &[1.0], ResultStatus::Complete);
        let f = m.finish();
        assert_eq!(f.data[0].points, [(0, 1.0), (300, 2.0), (600, 3.0)]);
        assert_eq!(f.data[0].state, QueryState::Complete);
        assert_eq!(f.data[1].points, [(600, 9.0)]);
    }

    #[test]
    fn last_status_wins_and_partial_stays_partial() {
        let mut m = Merger::new(1);
        m.add_result("q0", &[0], &[1.0], ResultStatus::PartialData);
        let f = m.finish();
        assert_eq!(f.data[0].state, QueryState::Partial);
        assert_eq!(f.count(QueryState::Partial), 1);
    }

    #[test]
    fn duplicate_timestamps_keep_the_later_page() {
        let mut m = Merger::new(1);
        m.add_result("q0", &[300, 0], &[5.0, 1.0], ResultStatus::PartialData);
        m.add_result("q0", &[300], &[6.0], ResultStatus::Complete);
        assert_eq!(m.finish().data[0].points, [(0, 1.0), (300, 6.0)]);
    }

    #[test]
    fn unknown_ids_mismatched_lengths_and_nan_are_tolerated() {
        let mut m = Merger::new(1);
        m.add_result("zz", &[0], &[1.0], ResultStatus::Complete);
        m.add_result("q5", &[0], &[1.0], ResultStatus::Complete);
        m.add_result(
            "q0",
            &[0, 300, 600],
            &[1.0, f64::NAN],
            ResultStatus::Complete,
        );
        let f = m.finish();
        assert_eq!(f.unknown_ids, 2);
        assert_eq!(f.data[0].points, [(0, 1.0)]);
    }

    #[test]
    fn failed_batch_marks_only_unfinished_queries() {
        let mut m = Merger::new(3);
        m.add_result("q0", &[0], &[1.0], ResultStatus::Complete);
        m.add_result("q1", &[0], &[1.0], ResultStatus::PartialData);
        m.fail_batch(&Batch {
            start: 0,
            end: 1,
            queries: 0..3,
        });
        let f = m.finish();
        assert_eq!(f.data[0].state, QueryState::Complete);
        assert_eq!(f.data[1].state, QueryState::Failed);
        assert_eq!(
            f.data[1].points,
            [(0, 1.0)],
            "points already received are kept"
        );
        assert_eq!(f.data[2].state, QueryState::Failed);
    }

    #[test]
    fn error_statuses_fail_the_query_and_messages_are_capped() {
        let mut m = Merger::new(1);
        m.add_result("q0", &[], &[], ResultStatus::parse("Forbidden"));
        for i in 0..(MAX_MESSAGES + 3) {
            m.add_message(format!("m{i}"));
        }
        assert_eq!(m.messages.len(), MAX_MESSAGES);
        assert_eq!(m.messages_dropped, 3);
        assert_eq!(m.finish().data[0].state, QueryState::Failed);
        assert_eq!(ResultStatus::parse("Weird"), ResultStatus::Other);
    }
}
