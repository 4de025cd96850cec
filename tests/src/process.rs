//! Child processes that cannot outlive the test: each runs in its own process group, which is
//! terminated (then killed) when the guard drops, also when a test panics half-way.

use std::fs::File;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running helper process (moto, the CBOR bridge, a Lambda binary, `cargo lambda watch`).
pub struct ChildGuard {
    name: String,
    child: Child,
    log_path: PathBuf,
    reaped: bool,
    // Keeps the log directory alive as long as the process.
    _log_dir: tempfile::TempDir,
}

impl ChildGuard {
    /// Spawns `command` in a new process group with stderr (and stdout unless the caller set
    /// it) appended to a log file. The child also gets SIGTERM if the spawning thread dies
    /// without dropping the guard (e.g. the test binary is killed), so nothing is left behind.
    pub fn spawn(name: &str, mut command: Command, capture_stdout: bool) -> io::Result<Self> {
        let log_dir = tempfile::Builder::new().prefix("harness-").tempdir()?;
        let log_path = log_dir.path().join(format!("{name}.log"));
        let log = File::create(&log_path)?;
        command.stdin(Stdio::null()).stderr(log.try_clone()?);
        if capture_stdout {
            command.stdout(Stdio::piped());
        } else {
            command.stdout(log);
        }
        command.process_group(0);
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = command.spawn()?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log_path,
            reaped: false,
            _log_dir: log_dir,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// The file that receives the process's stderr (and stdout unless captured).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last `max_bytes` of the log, for failure messages.
    pub fn log_tail(&self, max_bytes: usize) -> String {
        let text = std::fs::read(&self.log_path).unwrap_or_default();
        let start = text.len().saturating_sub(max_bytes);
        String::from_utf8_lossy(&text[start..]).into_owned()
    }

    /// `Some(description)` once the process has exited. The exited process is not reaped
    /// here: until [`ChildGuard::stop`] reaps it, its pid (= our process group id) cannot be
    /// reused, so signalling the group can never hit an unrelated process.
    pub fn exited(&mut self) -> Option<String> {
        if self.reaped {
            return Some("stopped".to_owned());
        }
        let pid = self.child.id() as libc::id_t;
        // SAFETY: zeroed siginfo_t is a valid out-parameter for waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid with WNOWAIT only inspects our own child; it does not reap it.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        // SAFETY: si_pid/si_status are valid to read after a successful waitid.
        let (child_pid, status, code) = unsafe { (info.si_pid(), info.si_status(), info.si_code) };
        if rc != 0 || child_pid == 0 {
            return None;
        }
        Some(if code == libc::CLD_EXITED {
            format!("exit status {status}")
        } else {
            format!("killed by signal {status}")
        })
    }

    /// SIGTERM to the whole group, SIGKILL to whatever is left after a grace period, then reap.
    pub fn stop(&mut self) {
        if self.reaped {
            return;
        }
        let group = self.child.id() as libc::pid_t;
        signal_group(group, libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && self.exited().is_none() {
            std::thread::sleep(Duration::from_millis(25));
        }
        // The leader is at most a zombie here, so the group id is still ours; grandchildren
        // that ignored SIGTERM go too.
        signal_group(group, libc::SIGKILL);
        let _ = self.child.wait();
        self.reaped = true;
    }
}

fn signal_group(group: libc::pid_t, signal: libc::c_int) {
    if group > 0 {
        // SAFETY: plain syscall; a negative pid addresses the process group we created.
        unsafe {
            libc::kill(-group, signal);
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for ChildGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildGuard")
            .field("name", &self.name)
            .field("pid", &self.child.id())
            .field("log", &self.log_path)
            .finish()
    }
}
