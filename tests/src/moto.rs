//! moto (PyPI `moto[server]`) as the local AWS endpoint: one server per test, killed on drop.

use std::process::Command;
use std::time::Duration;

use crate::process::ChildGuard;
use crate::tools::{free_port, http_get_status, poll_until, venv_bin};

/// How long a cold `moto_server` may take to import and listen on a loaded 2-core machine.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Attempts when another process grabs the chosen port between probing and binding.
const PORT_ATTEMPTS: usize = 5;

/// A running `moto_server -H 127.0.0.1 -p PORT`.
#[derive(Debug)]
pub struct Moto {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    pub port: u16,
    process: ChildGuard,
}

impl Moto {
    /// Starts a fresh moto server on a free port and waits until it answers HTTP.
    ///
    /// Panics with instructions when the tools virtualenv is missing, or with the server's log
    /// when it does not come up.
    pub fn start() -> Moto {
        let program = venv_bin("moto_server");
        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port();
            let mut command = Command::new(&program);
            command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            let mut process = ChildGuard::spawn("moto", command, false)
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
            let answered = poll_until(STARTUP_TIMEOUT, || {
                if process.exited().is_some() {
                    return Some(false);
                }
                // moto's own API root; any HTTP status means werkzeug is serving.
                http_get_status(port, "/moto-api/").map(|_| true)
            });
            match answered {
                Some(true) if process.exited().is_none() => {
                    return Moto {
                        endpoint: format!("http://127.0.0.1:{port}"),
                        port,
                        process,
                    }
                }
                Some(_) => {
                    // Exited early: most likely lost the port race; try another port.
                    last_error = process.log_tail(2000);
                }
                None => panic!(
                    "moto_server did not answer on port {port} within {STARTUP_TIMEOUT:?}; log:\n{}",
                    process.log_tail(4000)
                ),
            }
        }
        panic!("moto_server failed to start {PORT_ATTEMPTS} times; last log:\n{last_error}");
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// The server's log so far (for assertion messages).
    pub fn log_tail(&self, max_bytes: usize) -> String {
        self.process.log_tail(max_bytes)
    }

    /// Stops the server now (also done on drop).
    pub fn stop(mut self) {
        self.process.stop();
    }
}
