//! One-shot phase timings of the log-processor pipeline on an event file, as a fresh process
//! pays them (cold memory): read, envelope + base64, inflate, parse, classify/aggregate.
//!
//!     cargo run --release -p shared --example phase_timings -- target/bench/log-processor-event.json
use std::time::Instant;

use serde::Deserialize;
use shared::logs::{parse, Base64Payload, Batch, DEFAULT_MAX_DECOMPRESSED_BYTES};

#[derive(Deserialize)]
struct Event {
    awslogs: AwsLogs,
}
#[derive(Deserialize)]
struct AwsLogs {
    data: Base64Payload,
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: phase_timings EVENT_FILE");
    let t0 = Instant::now();
    let raw = std::fs::read(&path).expect("read event file");
    let t1 = Instant::now();
    let event: Event = serde_json::from_slice(&raw).expect("event JSON");
    let t2 = Instant::now();
    let buffer = event
        .awslogs
        .data
        .decompress(DEFAULT_MAX_DECOMPRESSED_BYTES)
        .expect("payload");
    let t3 = Instant::now();
    let logs = parse(&buffer).expect("document");
    let t4 = Instant::now();
    let mut batch = Batch::new(5);
    batch.add_payload(&logs);
    let groups = batch.finish();
    let t5 = Instant::now();
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
    println!(
        "read {:.2} ms | envelope+base64 {:.2} ms | inflate {:.2} ms | parse {:.2} ms | classify {:.2} ms | total {:.2} ms ({} events, {} groups)",
        ms(t0, t1),
        ms(t1, t2),
        ms(t2, t3),
        ms(t3, t4),
        ms(t4, t5),
        ms(t0, t5),
        logs.log_events.len(),
        groups.len()
    );
}
