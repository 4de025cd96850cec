//! Where the pinned Python tools live, and small helpers to find ports and wait for servers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The repository root (the parent of the `tests/` package).
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The virtualenv holding moto, cbor2, cfn-lint, cargo-lambda and zig: `$TOOLS_VENV` when set,
/// else `<repo>/.venv` (created by `scripts/setup`).
pub fn venv_dir() -> PathBuf {
    match std::env::var_os("TOOLS_VENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => repo_root().join(".venv"),
    }
}

/// A program from the tools virtualenv; panics with set-up instructions when it is missing.
pub fn venv_bin(name: &str) -> PathBuf {
    let path = venv_dir().join("bin").join(name);
    if !path.exists() {
        panic!(
            "{} not found. The emulator tests need the pinned Python tools: run `scripts/setup` \
             in {} (it creates .venv from tools/requirements.txt), or point TOOLS_VENV at a \
             virtualenv that has them.",
            path.display(),
            repo_root().display()
        );
    }
    path
}

/// A `PATH` value with the tools virtualenv first, so `cargo lambda` finds `python3 -m ziglang`.
pub fn path_with_venv() -> std::ffi::OsString {
    let mut paths = vec![venv_dir().join("bin")];
    if let Some(existing) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// A TCP port that was free a moment ago on 127.0.0.1 (callers retry if they lose the race).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("cannot bind an ephemeral port on 127.0.0.1: {e}"))
}

/// Sends `GET path` over HTTP/1.0 and returns the status code, or `None` when nothing answers.
pub fn http_get_status(port: u16, path: &str) -> Option<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).ok()?;
    let line = std::str::from_utf8(&head[..n]).ok()?;
    line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

/// True when something accepts TCP connections on 127.0.0.1:`port`.
pub fn tcp_listening(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// Polls `ready` every 100 ms until it returns `Some`, or `timeout` passes.
pub fn poll_until<T>(timeout: Duration, mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = ready() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
