//! Writes the deterministic benchmark event (a direct subscription payload of ~9 MB of
//! decompressed JSON, ~1 MB as base64) for the whole-process timing:
//!
//!     cargo run --release -p log-processor --example bench_event -- target/bench/log-processor-event.json [DECOMPRESSED_BYTES]

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/bench/log-processor-event.json".into()),
    );
    let target: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 9_000_000,
    };
    let document = shared::logs::synthetic::document(target, 1);
    let event =
        serde_json::json!({"awslogs": {"data": shared::logs::decode::encode(document.as_bytes())}})
            .to_string();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, &event)?;
    let events = serde_json::from_str::<serde_json::Value>(&document)?["logEvents"]
        .as_array()
        .map_or(0, Vec::len);
    eprintln!(
        "wrote {}: {} events, {} bytes of JSON, {} bytes of event",
        path.display(),
        events,
        document.len(),
        event.len()
    );
    Ok(())
}
