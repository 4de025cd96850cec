use std::sync::{Arc, Once};

use log_processor::{Config, Processor};

// Megabyte-sized buffers (event body, decoded gzip, event index) on transparent huge pages:
// ~1 ms less page faulting per 1 MB payload (see shared::huge_pages).
#[global_allocator]
static ALLOCATOR: shared::huge_pages::HugePageAlloc = shared::huge_pages::HugePageAlloc;
static KEEP_LARGE_BLOCKS: Once = Once::new();

// One thread: an invocation is one sequential pass, and worker threads only add start-up time.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let config = Config::from_lookup(&shared::env::process_env)?;
    let processor: Arc<Processor> = Arc::new(log_processor::build(config).await);
    shared::replay::serve_or_replay(move |event| {
        let processor = Arc::clone(&processor);
        async move {
            let response = processor.handle_lambda(event).await;
            // Fresh mappings serve the cold invocation best; warm ones reuse the heap's pages.
            KEEP_LARGE_BLOCKS.call_once(shared::huge_pages::keep_large_blocks_between_invocations);
            response
        }
    })
    .await
}
