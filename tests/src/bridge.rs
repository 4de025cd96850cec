//! The rpc-v2-cbor → JSON bridge in front of moto (see `tests/support/cbor_bridge.py`):
//! aws-sdk-cloudwatch speaks CBOR, moto only CloudWatch's JSON and query protocols.

use std::io::{BufRead, BufReader, Read};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use crate::moto::Moto;
use crate::process::ChildGuard;
use crate::tools::{repo_root, venv_bin};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A running bridge; point aws-sdk-cloudwatch (or `AWS_ENDPOINT_URL_CLOUDWATCH`) at `endpoint`.
#[derive(Debug)]
pub struct CborBridge {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    pub port: u16,
    process: ChildGuard,
}

impl CborBridge {
    /// Starts the bridge for `moto` on a free port (the bridge binds port 0 and reports it).
    pub fn start(moto: &Moto) -> CborBridge {
        let python = venv_bin("python3");
        let script = repo_root().join("tests/support/cbor_bridge.py");
        let mut command = Command::new(&python);
        command
            .arg(&script)
            .args(["--moto", &moto.endpoint, "--port", "0"]);
        let mut process = ChildGuard::spawn("cbor-bridge", command, true)
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let stdout = process
            .child_mut()
            .stdout
            .take()
            .unwrap_or_else(|| panic!("cbor bridge stdout was not captured"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the bridge never blocks on a full pipe.
            let _ = std::io::copy(&mut reader.take(u64::MAX), &mut std::io::sink());
        });
        let line = rx.recv_timeout(STARTUP_TIMEOUT).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| {
                panic!(
                    "the CBOR bridge did not start (first line {line:?}); log:\n{}",
                    process.log_tail(4000)
                )
            });
        CborBridge {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            process,
        }
    }

    /// The bridge's process id.
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// The bridge's log so far (set `CBOR_BRIDGE_VERBOSE=1` to log every request).
    pub fn log_tail(&self, max_bytes: usize) -> String {
        self.process.log_tail(max_bytes)
    }
}
