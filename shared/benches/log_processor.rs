//! log-processor core on the maximal synthetic payload (~9 MB of decompressed JSON, ~30k mixed
//! events): decode alone (the floor), classification alone, and the whole pure pipeline
//! (decode → classify → aggregate → alerts → EMF). Throughput is per byte of decompressed JSON.
//!
//!     cargo bench -p shared --bench log_processor

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shared::logs::alerts::{build_alerts, AlertPolicy};
use shared::logs::classify::{classify_prefiltered, prefilter, Prefilter};
use shared::logs::decode::encode;
use shared::logs::metrics::{render_emf, GroupMetrics};
use shared::logs::{decompress, parse, synthetic, Batch, DEFAULT_MAX_DECOMPRESSED_BYTES};

fn bench(c: &mut Criterion) {
    let document = synthetic::document(9_000_000, 1);
    let data = encode(document.as_bytes());
    let json_bytes = document.len() as u64;

    let mut group = c.benchmark_group("log_processor");
    group.throughput(Throughput::Bytes(json_bytes));
    group.sample_size(30);

    group.bench_function("decode_only", |b| {
        b.iter(|| {
            let buf =
                decompress(black_box(data.as_bytes()), DEFAULT_MAX_DECOMPRESSED_BYTES).unwrap();
            let logs = parse(&buf).unwrap();
            black_box(logs.log_events.len())
        })
    });

    let parsed_buf = decompress(data.as_bytes(), DEFAULT_MAX_DECOMPRESSED_BYTES).unwrap();
    let parsed = parse(&parsed_buf).unwrap();
    group.bench_function("classify_only", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for e in &parsed.log_events {
                // The payload path: prefilter on the raw text, examine only what it asks for.
                match prefilter(black_box(e.raw_message())) {
                    Prefilter::Settled { error, http_5xx } => {
                        n += usize::from(error) + usize::from(http_5xx)
                    }
                    examine => {
                        let message = e.message();
                        let c = classify_prefiltered(&message, examine);
                        n += usize::from(c.error)
                            + usize::from(c.http_5xx)
                            + usize::from(c.failed_login.is_some());
                    }
                }
            }
            black_box(n)
        })
    });

    group.bench_function("end_to_end", |b| {
        b.iter(|| {
            let buf =
                decompress(black_box(data.as_bytes()), DEFAULT_MAX_DECOMPRESSED_BYTES).unwrap();
            let logs = parse(&buf).unwrap();
            let mut batch = Batch::new(5);
            batch.add_payload(&logs);
            let groups = batch.finish();
            let policy = AlertPolicy::default();
            let now = chrono::Utc::now();
            let mut out = 0usize;
            for g in &groups {
                out += build_alerts(g, &policy, now).len();
                let line = render_emf(
                    "LogProcessor",
                    &GroupMetrics {
                        log_group: g.log_group.clone(),
                        counts: g.counts,
                        timestamp_ms: now.timestamp_millis(),
                    },
                );
                out += line.len();
            }
            black_box(out)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
