//! The cold-start measurement: for every run a fresh loopback Runtime API and a fresh bootstrap
//! process; the time from spawning the process to the arrival of its response `POST`, with the
//! response checked to be an API Gateway response of the expected status. Several bootstraps
//! are measured interleaved (round-robin, the order alternating per round), so background load
//! hits them alike.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::Bytes;

use crate::server::{Invocation, Outcome, RuntimeApi};

/// Bytes of a bootstrap's stdout and stderr kept for the error message of a failed run.
const OUTPUT_TAIL_BYTES: usize = 8 * 1024;

/// How often a run checks whether the bootstrap exited without answering.
const EXIT_POLL: Duration = Duration::from_millis(2);

/// One binary under test.
#[derive(Debug, Clone)]
pub struct Target {
    pub label: String,
    pub path: PathBuf,
    /// This bootstrap's event, when not the shared one (e.g. an SQS event for a queue worker).
    pub event: Option<Bytes>,
}

/// Everything but the binaries.
#[derive(Debug, Clone)]
pub struct Settings {
    pub event: Bytes,
    pub function_name: String,
    pub memory_mb: u32,
    pub region: String,
    /// Per run: the bootstrap must have answered within this.
    pub run_timeout: Duration,
    /// The `statusCode` the API Gateway response must carry.
    pub expect_status: u16,
    /// Extra environment, applied last (overrides the defaults).
    pub env: Vec<(String, String)>,
}

/// One measured run.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Spawn to response `POST`.
    pub total: Duration,
    /// Spawn to the first `GET …/next` (the init phase).
    pub init: Option<Duration>,
}

/// The environment a bootstrap starts with: what Lambda sets for a `provided.al2023` function
/// (less what a local run cannot have), dummy credentials, and `COACHING_TABLE=bench`. The rest
/// of the parent's environment is not passed on.
pub fn base_env(settings: &Settings, runtime_api: SocketAddr) -> Vec<(String, String)> {
    let name = &settings.function_name;
    let pairs: [(&str, String); 19] = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin".into()),
        ("LANG", "en_US.UTF-8".into()),
        ("TZ", ":UTC".into()),
        ("LAMBDA_TASK_ROOT", "/var/task".into()),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023".into()),
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            settings.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench/[$LATEST]local".into()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".into()),
        ("AWS_REGION", settings.region.clone()),
        ("AWS_DEFAULT_REGION", settings.region.clone()),
        ("AWS_ACCESS_KEY_ID", "AKIDLOCALBENCHMARK00".into()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "local-benchmark-not-a-secret".into(),
        ),
        ("AWS_SESSION_TOKEN", "local-benchmark-session".into()),
        ("COACHING_TABLE", "bench".into()),
        ("_HANDLER", "bootstrap".into()),
    ];
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .chain(settings.env.iter().cloned())
        .collect()
}

/// Runs `warmup` unmeasured runs per target, then `runs` measured rounds; returns the samples
/// per target, in `targets` order. The first failed run ends the measurement.
pub async fn measure(
    targets: &[Target],
    settings: &Settings,
    runs: usize,
    warmup: usize,
) -> Result<Vec<Vec<Sample>>, String> {
    for target in targets {
        for _ in 0..warmup {
            run_once(target, settings)
                .await
                .map_err(|e| format!("{} (warm-up): {e}", target.label))?;
        }
    }
    let mut samples = vec![Vec::with_capacity(runs); targets.len()];
    for round in 0..runs {
        let mut order: Vec<usize> = (0..targets.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let sample = run_once(&targets[i], settings)
                .await
                .map_err(|e| format!("{} (run {}): {e}", targets[i].label, round + 1))?;
            samples[i].push(sample);
        }
    }
    Ok(samples)
}

/// What ended a run before it was checked.
enum Ending {
    Outcome(Outcome),
    Exited(ExitStatus),
    TimedOut,
}

/// One fresh Runtime API, one fresh process, one event.
pub async fn run_once(target: &Target, settings: &Settings) -> Result<Sample, String> {
    let invocation = Invocation {
        event: target
            .event
            .clone()
            .unwrap_or_else(|| settings.event.clone()),
        function_name: settings.function_name.clone(),
        region: settings.region.clone(),
        timeout: settings.run_timeout,
    };
    let mut api = RuntimeApi::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), invocation)
        .await
        .map_err(|e| format!("cannot start the Runtime API: {e}"))?;
    let mut command = Command::new(&target.path);
    command
        .env_clear()
        .envs(base_env(settings, api.addr()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let spawned_at = Instant::now();
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            api.stop().await;
            return Err(format!("cannot start {}: {e}", target.path.display()));
        }
    };
    let output = Arc::new(Mutex::new(Vec::new()));
    let drains = [
        drain(child.stdout.take(), output.clone()),
        drain(child.stderr.take(), output.clone()),
    ];

    let ending = wait(&mut api, &mut child, settings.run_timeout).await;
    let init = api.first_next_at().map(|at| at - spawned_at);
    let _ = child.kill();
    let _ = child.wait();
    // The pipes close with the process (unless it left children holding them: then give up
    // on the rest of the output rather than wait).
    let drained_by = Instant::now() + Duration::from_millis(500);
    for handle in drains.into_iter().flatten() {
        while !handle.is_finished() && Instant::now() < drained_by {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    api.stop().await;

    let tail = || {
        let bytes = output.lock().unwrap_or_else(|p| p.into_inner());
        let text = String::from_utf8_lossy(&bytes).trim_end().to_owned();
        if text.is_empty() {
            "(no output)".to_owned()
        } else {
            format!("its output (last {OUTPUT_TAIL_BYTES} bytes):\n{text}")
        }
    };
    match ending {
        Ending::Outcome(Outcome::Response { body, at }) => {
            check_response(&body, settings.expect_status)
                .map_err(|e| format!("{e}; {}", tail()))?;
            Ok(Sample {
                total: at - spawned_at,
                init,
            })
        }
        Ending::Outcome(Outcome::InvocationError {
            error_type, body, ..
        }) => Err(format!(
            "the function reported an invocation error ({}): {}; {}",
            error_type.as_deref().unwrap_or("no type"),
            String::from_utf8_lossy(&body),
            tail()
        )),
        Ending::Outcome(Outcome::InitError {
            error_type, body, ..
        }) => Err(format!(
            "the function reported an init error ({}): {}; {}",
            error_type.as_deref().unwrap_or("no type"),
            String::from_utf8_lossy(&body),
            tail()
        )),
        Ending::Outcome(Outcome::Protocol { message, .. }) => Err(format!("{message}; {}", tail())),
        Ending::Exited(status) => Err(format!(
            "the bootstrap exited ({status}) without answering; {}",
            tail()
        )),
        Ending::TimedOut => Err(format!(
            "no answer within {} ms; {}",
            settings.run_timeout.as_millis(),
            tail()
        )),
    }
}

/// The first outcome, or the process's exit, or the timeout, whichever comes first.
async fn wait(api: &mut RuntimeApi, child: &mut Child, timeout: Duration) -> Ending {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut poll = tokio::time::interval(EXIT_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            outcome = api.outcome() => {
                return match outcome {
                    Some(outcome) => Ending::Outcome(outcome),
                    None => Ending::TimedOut,
                };
            }
            _ = tokio::time::sleep_until(deadline) => return Ending::TimedOut,
            _ = poll.tick() => {
                if let Ok(Some(status)) = child.try_wait() {
                    // An answer may have raced the exit: take it if it is there.
                    return match tokio::time::timeout(Duration::from_millis(50), api.outcome()).await {
                        Ok(Some(outcome)) => Ending::Outcome(outcome),
                        _ => Ending::Exited(status),
                    };
                }
            }
        }
    }
}

/// Reads a child's pipe to the end, keeping the last [`OUTPUT_TAIL_BYTES`] bytes.
fn drain<R: Read + Send + 'static>(
    pipe: Option<R>,
    into: Arc<Mutex<Vec<u8>>>,
) -> Option<JoinHandle<()>> {
    let mut pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let mut out = into.lock().unwrap_or_else(|p| p.into_inner());
            out.extend_from_slice(&buf[..n]);
            if out.len() > OUTPUT_TAIL_BYTES {
                let cut = out.len() - OUTPUT_TAIL_BYTES;
                out.drain(..cut);
            }
        }
    }))
}

/// The response must be an API Gateway (HTTP API, payload 2.0) response object with
/// `statusCode` equal to `expected`, or an SQS partial batch response (`batchItemFailures`, a
/// list) of a queue worker.
pub fn check_response(body: &[u8], expected: u16) -> Result<(), String> {
    let shown = || String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned();
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("the response is not JSON ({e}): {}", shown()))?;
    if value.get("statusCode").is_none()
        && value
            .get("batchItemFailures")
            .is_some_and(serde_json::Value::is_array)
    {
        return Ok(());
    }
    let status = value
        .get("statusCode")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| format!("the response has no numeric statusCode: {}", shown()))?;
    if status != u64::from(expected) {
        return Err(format!(
            "the response has statusCode {status}, expected {expected}: {}",
            shown()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_expected_status() {
        let body = br#"{"statusCode":200,"headers":{},"body":"{}","isBase64Encoded":false}"#;
        assert!(check_response(body, 200).is_ok());
    }

    #[test]
    fn refuses_another_status_or_a_non_gateway_body() {
        let e = check_response(br#"{"statusCode":401}"#, 200).unwrap_err();
        assert!(e.contains("statusCode 401"), "{e}");
        assert!(check_response(br#"{"status":"ok"}"#, 200).is_err());
        assert!(check_response(br#"{"batchItemFailures":"x"}"#, 200).is_err());
    }

    #[test]
    fn accepts_an_sqs_partial_batch_response() {
        let body = br#"{"batchItemFailures":[{"itemIdentifier":"m-1"}]}"#;
        assert!(check_response(body, 200).is_ok());
        assert!(check_response(b"not json", 200).is_err());
    }

    #[test]
    fn extra_env_comes_last_and_so_wins() {
        let settings = Settings {
            event: Bytes::from_static(b"{}"),
            function_name: "api".into(),
            memory_mb: 1024,
            region: "us-east-1".into(),
            run_timeout: Duration::from_secs(1),
            expect_status: 200,
            env: vec![("COACHING_TABLE".into(), "other".into())],
        };
        let env = base_env(&settings, "127.0.0.1:9001".parse().unwrap());
        let last = env
            .iter()
            .rev()
            .find(|(k, _)| k == "COACHING_TABLE")
            .unwrap();
        assert_eq!(last.1, "other");
        for key in [
            "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_RUNTIME_API",
        ] {
            assert!(env.iter().any(|(k, _)| k == key), "{key} missing");
        }
        let api = env
            .iter()
            .find(|(k, _)| k == "AWS_LAMBDA_RUNTIME_API")
            .unwrap();
        assert_eq!(api.1, "127.0.0.1:9001");
    }
}
