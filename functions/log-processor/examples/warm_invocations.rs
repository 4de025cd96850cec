//! Per-invocation time of a warm container: one process handles the same event N times, as a
//! Lambda execution environment handles invocation after invocation. Each invocation gets the
//! event as fresh bytes (the runtime reads every body anew) and pays for its JSON, decoding,
//! classification, metrics and alerts; the process start-up is paid once and not counted.
//!
//!     cargo run --release -p log-processor --example warm_invocations -- target/bench/log-processor-event.json 30
//!
//! Prints the first invocation (lazy initialisation, cold caches) and the best and median of the
//! others, in ms and MB/s of decompressed JSON. Same configuration as the binary (environment);
//! `KEEP_DEFAULT_MALLOC=1` skips what the binary does after its first invocation
//! (`shared::huge_pages::keep_large_blocks_between_invocations`), to measure without it.

use std::time::Instant;

// The allocator the binary installs (see functions/log-processor/src/main.rs).
#[global_allocator]
static ALLOCATOR: shared::huge_pages::HugePageAlloc = shared::huge_pages::HugePageAlloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "target/bench/log-processor-event.json".into());
    let invocations: usize = args.next().map_or(Ok(30), |n| n.parse())?;
    if invocations < 2 {
        return Err("need at least 2 invocations (the first is reported apart)".into());
    }
    let config = log_processor::Config::from_lookup(&shared::env::process_env)?;
    let processor = log_processor::build(config).await;
    let json_bytes = decompressed_size(&std::fs::read(&path)?)?;

    let mut times_ms = Vec::with_capacity(invocations);
    let mut events = 0;
    for _ in 0..invocations {
        let body = std::fs::read(&path)?;
        let started = Instant::now();
        let event: log_processor::IncomingEvent = serde_json::from_slice(&body)?;
        drop(body);
        let response = processor.handle(event).await?;
        times_ms.push(started.elapsed().as_secs_f64() * 1e3);
        // As the binary does after its first invocation (functions/log-processor/src/main.rs).
        if times_ms.len() == 1 && std::env::var_os("KEEP_DEFAULT_MALLOC").is_none() {
            shared::huge_pages::keep_large_blocks_between_invocations();
        }
        if let log_processor::Response::Direct(direct) = response {
            events = direct.events;
        }
    }
    let first = times_ms[0];
    let mut warm = times_ms[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    let median = warm[warm.len() / 2];
    eprintln!(
        "rust warm invocations: first {first:.2} ms, then best {:.2} ms, median {median:.2} ms = {:.0} MB/s ({invocations} invocations, {events} events)",
        warm[0],
        json_bytes as f64 / median / 1e3,
    );
    Ok(())
}

/// Bytes of decompressed JSON in a direct-subscription event (for MB/s).
fn decompressed_size(event: &[u8]) -> Result<usize, Box<dyn std::error::Error>> {
    let event: serde_json::Value = serde_json::from_slice(event)?;
    let data = event["awslogs"]["data"]
        .as_str()
        .ok_or("not a direct-subscription event")?;
    Ok(shared::logs::decompress(
        data.as_bytes(),
        shared::logs::DEFAULT_MAX_DECOMPRESSED_BYTES,
    )?
    .len())
}
