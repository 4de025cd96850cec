//! `--event FILE` local replay, shared by the three binaries.
//!
//! `FUNCTION --event FILE` (or `-` for stdin) runs the handler once outside Lambda with the same
//! configuration, prints the response JSON as the last line of stdout and exits non-zero when the
//! handler fails. This is how an event from a failure destination is replayed and how the
//! benchmarks time the whole process. Without the flag the binary serves the Lambda runtime API.

use std::fmt::Debug;
use std::future::Future;
use std::path::PathBuf;

use lambda_runtime::streaming::Body;
use lambda_runtime::{service_fn, Context, Diagnostic, LambdaEvent};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// How the binary was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// Serve the Lambda runtime API (the normal case inside Lambda or `cargo lambda watch`).
    Lambda,
    /// Run once on the event read from this file.
    ReplayFile(PathBuf),
    /// Run once on the event read from standard input.
    ReplayStdin,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UsageError {
    #[error("--event needs a file name, or - for standard input")]
    MissingEventPath,
    #[error("unknown argument {0:?}; usage: [--event FILE|-]")]
    UnknownArgument(String),
}

/// Parses the command line (without the program name).
pub fn invocation_from_args<I>(args: I) -> Result<Invocation, UsageError>
where
    I: IntoIterator<Item = String>,
{
    let mut args = args.into_iter();
    let mut invocation = Invocation::Lambda;
    while let Some(arg) = args.next() {
        let path = if arg == "--event" {
            args.next().ok_or(UsageError::MissingEventPath)?
        } else if let Some(path) = arg.strip_prefix("--event=") {
            path.to_owned()
        } else {
            return Err(UsageError::UnknownArgument(arg));
        };
        invocation = match path.as_str() {
            "" => return Err(UsageError::MissingEventPath),
            "-" => Invocation::ReplayStdin,
            _ => Invocation::ReplayFile(PathBuf::from(path)),
        };
    }
    Ok(invocation)
}

/// Runs `handler` either under the Lambda runtime or once on a replayed event, depending on the
/// command line. In replay mode the process exits with status 1 on a handler error and 2 on a
/// usage or input problem.
pub async fn serve_or_replay<E, R, Err, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<R, Err>>,
    E: DeserializeOwned,
    R: Serialize,
    Err: Into<Diagnostic> + Debug,
{
    let invocation = match invocation_from_args(std::env::args().skip(1)) {
        Ok(invocation) => invocation,
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let raw = match &invocation {
        Invocation::Lambda => {
            return lambda_runtime::run::<E, _, R, R, Body, _, _>(service_fn(handler)).await;
        }
        Invocation::ReplayFile(path) => std::fs::read(path)
            .map_err(|e| format!("cannot read event file {}: {e}", path.display())),
        Invocation::ReplayStdin => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                .map(|_| buf)
                .map_err(|e| format!("cannot read the event from standard input: {e}"))
        }
    };
    let code = match raw {
        Ok(raw) => replay_once(&raw, &handler).await,
        Err(message) => {
            eprintln!("{message}");
            2
        }
    };
    std::process::exit(code);
}

/// Runs the handler once on `raw` (the event JSON), prints the response as the last line of
/// stdout (or the error as `{"errorType","errorMessage"}` on stderr) and returns the exit code.
pub async fn replay_once<E, R, Err, F, Fut>(raw: &[u8], handler: &F) -> i32
where
    F: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<R, Err>>,
    E: DeserializeOwned,
    R: Serialize,
    Err: Into<Diagnostic>,
{
    let event: E = match serde_json::from_slice(raw) {
        Ok(event) => event,
        Err(e) => {
            eprintln!("the event is not valid JSON of the expected shape: {e}");
            return 2;
        }
    };
    let mut context = Context::default();
    context.request_id = "local-replay".to_owned();
    match handler(LambdaEvent::new(event, context)).await {
        Ok(response) => match serde_json::to_string(&response) {
            Ok(line) => {
                println!("{line}");
                0
            }
            Err(e) => {
                eprintln!("cannot serialise the response: {e}");
                1
            }
        },
        Err(err) => {
            let diagnostic: Diagnostic = err.into();
            let line = serde_json::json!({
                "errorType": diagnostic.error_type,
                "errorMessage": diagnostic.error_message,
            });
            eprintln!("{line}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_arguments_means_lambda() {
        assert_eq!(invocation_from_args(args(&[])), Ok(Invocation::Lambda));
    }

    #[test]
    fn event_file_stdin_and_equals_forms() {
        assert_eq!(
            invocation_from_args(args(&["--event", "events/x.json"])),
            Ok(Invocation::ReplayFile(PathBuf::from("events/x.json")))
        );
        assert_eq!(
            invocation_from_args(args(&["--event", "-"])),
            Ok(Invocation::ReplayStdin)
        );
        assert_eq!(
            invocation_from_args(args(&["--event=a.json"])),
            Ok(Invocation::ReplayFile(PathBuf::from("a.json")))
        );
    }

    #[test]
    fn usage_errors() {
        assert_eq!(
            invocation_from_args(args(&["--event"])),
            Err(UsageError::MissingEventPath)
        );
        assert!(matches!(
            invocation_from_args(args(&["--bogus"])),
            Err(UsageError::UnknownArgument(_))
        ));
    }

    #[derive(Debug)]
    struct Failure;
    impl From<Failure> for Diagnostic {
        fn from(_: Failure) -> Self {
            Diagnostic {
                error_type: "Failure".into(),
                error_message: "it failed".into(),
            }
        }
    }

    #[tokio::test]
    async fn replay_runs_the_handler_and_maps_errors_to_exit_codes() {
        let ok = |ev: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, Failure>(serde_json::json!({"echo": ev.payload}))
        };
        assert_eq!(replay_once(br#"{"a":1}"#, &ok).await, 0);
        assert_eq!(replay_once(b"not json", &ok).await, 2);
        let failing = |_ev: LambdaEvent<serde_json::Value>| async move {
            Err::<serde_json::Value, _>(Failure)
        };
        assert_eq!(replay_once(b"{}", &failing).await, 1);
    }
}
