//! The real function binaries behind cargo-lambda's Lambda runtime API emulator.
//!
//! `cargo lambda watch` normally compiles each function with `cargo run` on first invoke. Under
//! `cargo test` that would block on cargo's build-directory lock (the test run holds it) and
//! rebuild what is already built, so the harness runs the emulator with `--only-lambda-apis`
//! and starts the prebuilt binaries from `target/debug` itself, each polling the emulator's
//! per-function runtime API (`AWS_LAMBDA_RUNTIME_API=http://127.0.0.1:PORT/.rt/<function>`).
//! Invocations go through `cargo lambda invoke`, exactly as a developer would send them.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::process::ChildGuard;
use crate::tools::{free_port, path_with_venv, poll_until, repo_root, tcp_listening, venv_bin};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Generous: a debug binary's first invocation includes its cold start.
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(120);

/// `cargo lambda watch --only-lambda-apis` on 127.0.0.1:PORT.
#[derive(Debug)]
pub struct LambdaEmulator {
    pub port: u16,
    process: ChildGuard,
    workdir: tempfile::TempDir,
}

/// Why an invocation failed.
#[derive(Debug)]
pub struct InvokeError {
    pub function: String,
    pub message: String,
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invoking {} failed: {}", self.function, self.message)
    }
}

impl std::error::Error for InvokeError {}

impl LambdaEmulator {
    /// Starts the emulator for the named functions.
    pub fn start(functions: &[&str]) -> LambdaEmulator {
        let cargo_lambda = venv_bin("cargo-lambda");
        // cargo-lambda runs `cargo metadata` where it starts and only accepts invocations for
        // binaries it finds there. A placeholder package outside the workspace that declares
        // the function names keeps it away from our Cargo.lock and target dir: it never builds
        // anything, the prebuilt binaries serve the invocations.
        let workdir = tempfile::Builder::new()
            .prefix("lambda-emulator-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
        let mut manifest = String::from(
            "[package]\nname = \"lambda-emulator\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
        );
        for function in functions {
            manifest.push_str(&format!(
                "\n[[bin]]\nname = \"{function}\"\npath = \"src/main.rs\"\n"
            ));
        }
        std::fs::create_dir_all(workdir.path().join("src"))
            .and_then(|_| std::fs::write(workdir.path().join("Cargo.toml"), manifest))
            .and_then(|_| std::fs::write(workdir.path().join("src/main.rs"), "fn main() {}\n"))
            .unwrap_or_else(|e| panic!("cannot write the emulator's placeholder package: {e}"));
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut command = Command::new(&cargo_lambda);
            command
                .args(["lambda", "watch", "--only-lambda-apis", "--ignore-changes"])
                .args([
                    "--invoke-address",
                    "127.0.0.1",
                    "--invoke-port",
                    &port.to_string(),
                ])
                .current_dir(workdir.path())
                .env("PATH", path_with_venv())
                .env("NO_COLOR", "1");
            let mut process = ChildGuard::spawn("cargo-lambda-watch", command, false)
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", cargo_lambda.display()));
            let up = poll_until(STARTUP_TIMEOUT, || {
                if process.exited().is_some() {
                    return Some(false);
                }
                // Most emulator routes long-poll, so a listening socket is the readiness signal.
                tcp_listening(port).then_some(true)
            });
            match up {
                Some(true) => {
                    return LambdaEmulator {
                        port,
                        process,
                        workdir,
                    }
                }
                Some(false) => last_log = process.log_tail(3000),
                None => panic!(
                    "cargo lambda watch did not listen on {port} within {STARTUP_TIMEOUT:?}:\n{}",
                    process.log_tail(3000)
                ),
            }
        }
        panic!("cargo lambda watch failed to start; last log:\n{last_log}");
    }

    /// The emulator's process id.
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// The emulator's log so far.
    pub fn log_tail(&self, max_bytes: usize) -> String {
        self.process.log_tail(max_bytes)
    }

    /// The runtime API base a function process polls.
    pub fn runtime_api(&self, function: &str) -> String {
        format!("http://127.0.0.1:{}/.rt/{function}", self.port)
    }

    /// `cargo lambda invoke FUNCTION --data-file <payload>`; returns the function's response.
    /// A function error (or a timeout) comes back as `Err` with cargo-lambda's message.
    pub fn invoke(&self, function: &str, payload: &Value) -> Result<Value, InvokeError> {
        let fail = |message: String| InvokeError {
            function: function.to_owned(),
            message,
        };
        let data_file = self.workdir.path().join(format!("{function}-event.json"));
        std::fs::write(
            &data_file,
            serde_json::to_vec_pretty(payload).unwrap_or_default(),
        )
        .map_err(|e| fail(format!("cannot write {}: {e}", data_file.display())))?;
        let child = Command::new(venv_bin("cargo-lambda"))
            .args(["lambda", "invoke", function, "--data-file"])
            .arg(&data_file)
            .args([
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &self.port.to_string(),
            ])
            .current_dir(self.workdir.path())
            .env("PATH", path_with_venv())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("cannot run cargo lambda invoke: {e}")))?;
        let pid = child.id() as libc::pid_t;
        let (tx, rx) = mpsc::channel();
        // Reads both pipes to the end (no pipe-buffer deadlock), off this thread for the timeout.
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let output = match rx.recv_timeout(INVOKE_TIMEOUT) {
            Ok(Ok(output)) => output,
            Ok(Err(e)) => return Err(fail(format!("waiting for cargo lambda invoke: {e}"))),
            Err(_) => {
                // SAFETY: kill(2) of the child we spawned and have not reaped yet (the reader
                // thread reaps it once it dies).
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
                return Err(fail(format!("no response within {INVOKE_TIMEOUT:?}")));
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(fail(format!("{}{}", stderr.trim(), stdout.trim())));
        }
        let last_line = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        serde_json::from_str(last_line)
            .map_err(|e| fail(format!("response is not JSON ({e}): {stdout}")))
    }
}

/// One function binary serving the emulator's runtime API.
#[derive(Debug)]
pub struct LambdaFunction {
    pub name: String,
    process: ChildGuard,
}

impl LambdaFunction {
    /// Starts `target/debug/<name>` (or `$CARGO_TARGET_DIR/debug/<name>`) with exactly `env`
    /// plus the Lambda runtime variables: nothing leaks in from the caller's environment
    /// (no AWS profile, no real credentials).
    pub fn start(
        emulator: &LambdaEmulator,
        name: &str,
        memory_mb: u32,
        env: &[(String, String)],
    ) -> LambdaFunction {
        let binary = function_binary(name);
        let mut command = Command::new(&binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", emulator.runtime_api(name))
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb.to_string())
            .env("NO_COLOR", "1")
            .envs(env.iter().map(|(k, v)| (k, v)));
        for passthrough in ["RUST_LOG", "RUST_BACKTRACE"] {
            if let Some(value) = std::env::var_os(passthrough) {
                command.env(passthrough, value);
            }
        }
        let process = ChildGuard::spawn(name, command, false)
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        LambdaFunction {
            name: name.to_owned(),
            process,
        }
    }

    /// The function's process id.
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// Everything the function printed so far (stdout and stderr: logs, EMF lines).
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.process.log_path()).unwrap_or_default()
    }

    /// `Some(description)` when the process has died (e.g. bad configuration at start-up).
    pub fn exit_status(&mut self) -> Option<String> {
        self.process.exited()
    }
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        }
        _ => repo_root().join("target"),
    }
}

/// The prebuilt debug binary of a function; panics with the build command when it is missing
/// or older than any source file it was built from (cargo's dep-info `<binary>.d` lists them),
/// so the pipeline never tests stale code.
pub fn function_binary(name: &str) -> PathBuf {
    let binary = target_dir().join("debug").join(name);
    let build = "cargo build --workspace --bins (scripts/test and scripts/demo do this first)";
    let built = std::fs::metadata(&binary)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: run `{build}`", binary.display()));
    let dep_info = binary.with_extension("d");
    if let Ok(text) = std::fs::read_to_string(&dep_info) {
        for source in dep_info_sources(&text) {
            let modified = std::fs::metadata(&source).and_then(|m| m.modified());
            match modified {
                Ok(modified) if modified > built => panic!(
                    "{} is older than {}: run `{build}`",
                    binary.display(),
                    source.display()
                ),
                Err(_) => panic!(
                    "{} was built from {}, which no longer exists: run `{build}`",
                    binary.display(),
                    source.display()
                ),
                Ok(_) => {}
            }
        }
    }
    binary
}

/// The prerequisites of a Makefile-style dep-info file (`target: src1 src2 …`, spaces in
/// paths escaped as `\ `).
fn dep_info_sources(text: &str) -> Vec<PathBuf> {
    let Some(first_line) = text.lines().next() else {
        return Vec::new();
    };
    let Some((_, prerequisites)) = first_line.split_once(": ") else {
        return Vec::new();
    };
    let mut sources = Vec::new();
    let mut current = String::new();
    let mut chars = prerequisites.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' => {
                if !current.is_empty() {
                    sources.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        sources.push(PathBuf::from(current));
    }
    sources
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_paths_with_escaped_spaces() {
        let text = "/t/debug/x: /src/a.rs /my\\ dir/b.rs\n\n/src/a.rs:\n";
        assert_eq!(
            dep_info_sources(text),
            vec![PathBuf::from("/src/a.rs"), PathBuf::from("/my dir/b.rs")]
        );
    }
}
