//! One run: discover, plan, fetch, summarise, store.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::summary::build::epoch;
use shared::summary::document::RunTelemetry;
use shared::summary::keys::{rows_key, summary_key};
use shared::summary::{
    build_summary, list_requests, plan, query_id, select, BuildInput, ListRequest, ListedMetric,
    Merger, Summary, Window, SCHEMA,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::{info, warn};

use crate::config::Config;
use crate::error::HandlerError;
use crate::ports::{DataPage, DataRequest, MetricsSource, QuerySpec, SourceError, SummaryStore};

/// A ListMetrics listing stops after this many pages (250,000 metrics of one name).
const MAX_LIST_PAGES: usize = 500;
/// A GetMetricData batch stops after this many pages; its unfinished queries stay `partial`.
const MAX_DATA_PAGES: usize = 100;
/// An event `time` further than this in the future is ignored (clock skew).
const MAX_FUTURE_SKEW_SECS: i64 = 300;

/// The response: where the summary went and what the run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub summary_key: String,
    pub resources: usize,
    pub series: usize,
    pub list_metrics_calls: u64,
    pub get_metric_data_calls: u64,
    pub metrics_requested: u64,
}

/// The collector with its clients, built once in `main`.
pub struct Collector {
    source: Arc<dyn MetricsSource>,
    store: Arc<dyn SummaryStore>,
    config: Config,
    region: String,
}

/// The time the window is anchored at: the event's `time` (EventBridge rules and Scheduler
/// both send the scheduled time), so a retried or duplicated delivery summarises the same
/// window; the clock when the event has no usable `time`.
pub fn anchor_time(event: &Value, now: DateTime<Utc>) -> DateTime<Utc> {
    let Some(raw) = event.get("time").and_then(Value::as_str) else {
        return now;
    };
    match DateTime::parse_from_rfc3339(raw) {
        Ok(t) if t.with_timezone(&Utc) <= now + Duration::seconds(MAX_FUTURE_SKEW_SECS) => {
            t.with_timezone(&Utc)
        }
        Ok(_) => {
            warn!(
                event_time = raw,
                "event time is in the future; using the clock"
            );
            now
        }
        Err(e) => {
            warn!(event_time = raw, error = %e, "event time is not RFC 3339; using the clock");
            now
        }
    }
}

/// What fetching produced besides the merged data.
struct FetchOutcome {
    calls: u64,
    metrics_requested: u64,
    failed_batches: usize,
    first_error: Option<String>,
}

impl Collector {
    pub fn new(
        source: Arc<dyn MetricsSource>,
        store: Arc<dyn SummaryStore>,
        config: Config,
        region: impl Into<String>,
    ) -> Self {
        Collector {
            source,
            store,
            config,
            region: region.into(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The Lambda entry point: any JSON event is accepted.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Response, HandlerError> {
        let anchor = anchor_time(&event.payload, Utc::now());
        self.run(anchor).await
    }

    /// Summarises the window anchored at `anchor`.
    pub async fn run(&self, anchor: DateTime<Utc>) -> Result<Response, HandlerError> {
        let started = Instant::now();
        let attempts_before = self.source.attempts();
        let window = Window::aligned(anchor.timestamp(), &self.config.window);
        let key = summary_key(&self.config.prefix, &window);
        info!(
            window_start = %epoch(window.start),
            window_end = %epoch(window.end),
            services = ?self.config.services.iter().map(|s| s.key()).collect::<Vec<_>>(),
            summary_key = %key,
            "collecting"
        );

        let (listed, list_calls) = self.discover().await?;
        let selection = select(listed, &self.config.services, &self.config.filter);
        let plan = Arc::new(plan(&selection.series, &window, self.config.percentiles));
        info!(
            listed = selection.listed,
            series = selection.series.len(),
            skipped_dimension_sets = selection.skipped_dimension_sets,
            filtered_out = selection.filtered_out,
            queries = plan.queries.len(),
            batches = plan.batches.len(),
            "planned"
        );

        let previous_key = summary_key(&self.config.prefix, &window.previous(&self.config.window));
        let requests = data_requests(&selection, &plan);
        let mut merger = Merger::new(plan.queries.len());
        let (fetch, previous) = tokio::join!(
            self.fetch(requests, &plan, &mut merger),
            self.previous_summary(&previous_key)
        );

        let fetched = merger.finish();
        let run = RunTelemetry {
            list_metrics_calls: list_calls,
            get_metric_data_calls: fetch.calls,
            metrics_requested: fetch.metrics_requested,
            failed_batches: fetch.failed_batches,
            percentiles_requested: self.config.percentiles,
            sdk_retries: attempts_before
                .zip(self.source.attempts())
                .map(|(before, after)| {
                    after
                        .saturating_sub(before)
                        .saturating_sub(list_calls + fetch.calls)
                }),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            ..RunTelemetry::default()
        };
        let summary = build_summary(BuildInput {
            region: &self.region,
            generated_at: Utc::now(),
            window: &window,
            window_config: &self.config.window,
            enabled: &self.config.services,
            selection: &selection,
            plan: &plan,
            fetched: &fetched,
            previous: previous.as_ref().map(|p| (previous_key.as_str(), p)),
            top_n: self.config.top_n,
            run,
        });

        let rows = summary.rows_jsonl()?;
        let document = serde_json::to_vec(&summary)?;
        let rows_key = rows_key(&self.config.prefix, &window);
        // Rows first, summary last: the summary's presence means the run finished.
        self.store
            .put(&rows_key, rows, "application/x-ndjson")
            .await
            .map_err(HandlerError::StoreWrite)?;
        self.store
            .put(&key, document, "application/json")
            .await
            .map_err(HandlerError::StoreWrite)?;

        info!(
            store = %self.store.location(),
            summary_key = %key,
            resources = summary.resource_count(),
            series = summary.run.series,
            list_metrics_calls = summary.run.list_metrics_calls,
            get_metric_data_calls = summary.run.get_metric_data_calls,
            metrics_requested = summary.run.metrics_requested,
            estimated_cost_usd = summary.run.estimated_cost_usd,
            partial_results = summary.run.partial_results,
            sdk_retries = ?summary.run.sdk_retries,
            failed_queries = summary.run.failed_queries,
            complete = summary.complete,
            duration_ms = summary.run.duration_ms,
            "summary written"
        );

        if fetch.failed_batches > 0 {
            return Err(HandlerError::Incomplete {
                failed: fetch.failed_batches,
                batches: plan.batches.len(),
                first_error: fetch.first_error.unwrap_or_default(),
                key,
            });
        }
        Ok(Response {
            summary_key: key,
            resources: summary.resource_count(),
            series: summary.run.series,
            list_metrics_calls: summary.run.list_metrics_calls,
            get_metric_data_calls: summary.run.get_metric_data_calls,
            metrics_requested: summary.run.metrics_requested,
        })
    }

    /// Paginated ListMetrics for every catalogue metric of the enabled services, a few
    /// listings at a time. Any failure fails the run (nothing to summarise without discovery).
    async fn discover(&self) -> Result<(Vec<ListedMetric>, u64), HandlerError> {
        let semaphore = Arc::new(Semaphore::new(self.config.concurrency));
        let mut tasks = JoinSet::new();
        for request in list_requests(&self.config.services) {
            let source = Arc::clone(&self.source);
            let semaphore = Arc::clone(&semaphore);
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                list_all(source.as_ref(), &request).await
            });
        }
        let mut listed = Vec::new();
        let mut calls = 0;
        let mut failure = None;
        while let Some(joined) = tasks.join_next().await {
            let (metrics, n, result) = joined.map_err(|e| {
                HandlerError::ListMetrics(SourceError {
                    operation: "ListMetrics",
                    message: format!("listing task failed: {e}"),
                })
            })?;
            calls += n;
            listed.extend(metrics);
            if let Err(e) = result {
                failure.get_or_insert(e);
            }
        }
        match failure {
            Some(e) => Err(HandlerError::ListMetrics(e)),
            None => Ok((listed, calls)),
        }
    }

    /// Runs the GetMetricData batches (a few at a time), merging every page by query id.
    async fn fetch(
        &self,
        requests: Vec<DataRequest>,
        plan: &Arc<shared::summary::Plan>,
        merger: &mut Merger,
    ) -> FetchOutcome {
        let semaphore = Arc::new(Semaphore::new(self.config.concurrency));
        let mut tasks = JoinSet::new();
        for (index, request) in requests.into_iter().enumerate() {
            let source = Arc::clone(&self.source);
            let semaphore = Arc::clone(&semaphore);
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                let (pages, error, truncated) = fetch_all(source.as_ref(), &request).await;
                (index, request.queries.len(), pages, error, truncated)
            });
        }
        let mut outcome = FetchOutcome {
            calls: 0,
            metrics_requested: 0,
            failed_batches: 0,
            first_error: None,
        };
        while let Some(joined) = tasks.join_next().await {
            let Ok((index, queries, pages, error, truncated)) = joined else {
                // A panicked task cannot be attributed to a batch here; count it as failed.
                outcome.failed_batches += 1;
                outcome
                    .first_error
                    .get_or_insert("fetch task failed".into());
                continue;
            };
            outcome.calls += pages.len() as u64 + u64::from(error.is_some());
            outcome.metrics_requested += (pages.len() * queries) as u64;
            for page in pages {
                for message in page.messages {
                    warn!(batch = index, %message, "GetMetricData message");
                    merger.add_message(message);
                }
                for result in page.results {
                    for message in &result.messages {
                        merger.add_message(format!("{}: {message}", result.id));
                    }
                    merger.add_result(
                        &result.id,
                        &result.timestamps,
                        &result.values,
                        result.status,
                    );
                }
            }
            if truncated {
                let message = format!("batch {index}: stopped after {MAX_DATA_PAGES} pages");
                warn!("{message}");
                merger.add_message(message);
            }
            if let Some(e) = error {
                warn!(batch = index, error = %e, "GetMetricData batch failed after retries");
                if let Some(batch) = plan.batches.get(index) {
                    merger.fail_batch(batch);
                }
                outcome.failed_batches += 1;
                outcome.first_error.get_or_insert(e.to_string());
            }
        }
        outcome
    }

    /// The previous window's summary, if the store has one this version can read. Problems
    /// are logged, not fatal: the change section is then left out.
    async fn previous_summary(&self, key: &str) -> Option<Summary> {
        match self.store.get(key).await {
            Ok(None) => None,
            Ok(Some(bytes)) => match serde_json::from_slice::<Summary>(&bytes) {
                Ok(s) if s.schema == SCHEMA => Some(s),
                Ok(s) => {
                    warn!(key, schema = %s.schema, "previous summary has another schema; no change computed");
                    None
                }
                Err(e) => {
                    warn!(key, error = %e, "previous summary is unreadable; no change computed");
                    None
                }
            },
            Err(e) => {
                warn!(key, error = %e, "reading the previous summary failed; no change computed");
                None
            }
        }
    }
}

/// All pages of one listing: (metrics, calls made, error if a page failed).
async fn list_all(
    source: &dyn MetricsSource,
    request: &ListRequest,
) -> (Vec<ListedMetric>, u64, Result<(), SourceError>) {
    let mut metrics = Vec::new();
    let mut token: Option<String> = None;
    let mut calls = 0;
    loop {
        calls += 1;
        let page = match source.list_metrics(request, token.take()).await {
            Ok(page) => page,
            Err(e) => return (metrics, calls, Err(e)),
        };
        metrics.extend(page.metrics);
        match page.next_token {
            Some(next) if !next.is_empty() && (calls as usize) < MAX_LIST_PAGES => {
                token = Some(next)
            }
            Some(_) if (calls as usize) >= MAX_LIST_PAGES => {
                warn!(
                    namespace = request.namespace,
                    metric = request.metric,
                    "ListMetrics stopped after {MAX_LIST_PAGES} pages"
                );
                break;
            }
            _ => break,
        }
    }
    (metrics, calls, Ok(()))
}

/// All pages of one batch: (pages, error if a page failed, whether the page limit stopped it).
async fn fetch_all(
    source: &dyn MetricsSource,
    request: &DataRequest,
) -> (Vec<DataPage>, Option<SourceError>, bool) {
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        match source.get_metric_data(request, token.take()).await {
            Ok(mut page) => {
                let next = page.next_token.take().filter(|t| !t.is_empty());
                pages.push(page);
                match next {
                    None => return (pages, None, false),
                    Some(_) if pages.len() >= MAX_DATA_PAGES => return (pages, None, true),
                    Some(next) => token = Some(next),
                }
            }
            Err(e) => return (pages, Some(e), false),
        }
    }
}

/// The GetMetricData requests of a plan, one per batch (public for the benchmark).
pub fn data_requests(
    selection: &shared::summary::Selection,
    plan: &shared::summary::Plan,
) -> Vec<DataRequest> {
    plan.batches
        .iter()
        .map(|batch| DataRequest {
            start: batch.start,
            end: batch.end,
            queries: batch
                .queries
                .clone()
                .filter_map(|i| {
                    let q = plan.queries.get(i)?;
                    let series = selection.series.get(q.series)?;
                    let spec = series.spec();
                    Some(QuerySpec {
                        id: query_id(i),
                        namespace: spec.service.namespace(),
                        metric: spec.metric,
                        dimensions: series.dimensions.clone(),
                        period: q.period,
                        stat: q.stat.as_cloudwatch(),
                    })
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T05:10:30Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn eventbridge_and_scheduler_events_anchor_at_their_time() {
        let rule = json!({"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events",
            "time":"2026-11-23T05:00:00Z","detail":{}});
        let scheduler = json!({"version":"0","detail-type":"Scheduled Event","source":"aws.scheduler",
            "time":"2026-11-23T04:00:00Z","detail":"{}"});
        assert_eq!(
            anchor_time(&rule, now()).to_rfc3339(),
            "2026-11-23T05:00:00+00:00"
        );
        assert_eq!(
            anchor_time(&scheduler, now()).to_rfc3339(),
            "2026-11-23T04:00:00+00:00"
        );
    }

    #[test]
    fn any_other_json_uses_the_clock() {
        for event in [
            json!({}),
            json!(null),
            json!([1, 2]),
            json!("text"),
            json!({"time": 12}),
            json!({"time": "yesterday"}),
            json!({"time": "2026-11-23T06:00:00Z"}), // in the future
        ] {
            assert_eq!(anchor_time(&event, now()), now(), "{event}");
        }
        // Small clock skew is tolerated.
        let skewed = json!({"time": "2026-11-23T05:12:00Z"});
        assert_ne!(anchor_time(&skewed, now()), now());
    }
}
