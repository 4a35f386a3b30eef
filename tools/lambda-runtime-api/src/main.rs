//! coaching-lambda-runtime-api: a minimal local AWS Lambda Runtime API, loopback only, that
//! hands one event (a JSON file) to a Lambda `bootstrap` binary; and the cold-start benchmark of
//! `scripts/bench-lambda` built on it.
//!
//! - `serve --event FILE [--addr 127.0.0.1:9001]`: serves the event once, prints the function's
//!   response (or error) body to stdout and exits (0 for a response, 1 for an error). Start the
//!   bootstrap yourself with `AWS_LAMBDA_RUNTIME_API` set to the address.
//! - `coldstart --bootstrap PATH --event FILE --runs 20 [--env K=V]...`: per run, a fresh
//!   loopback port and a fresh bootstrap process; measures spawn → response `POST`, checks the
//!   API Gateway `statusCode`, kills the process. Prints one JSON line per bootstrap
//!   (`{bootstrap, runs, median_ms, p90_ms, min_ms, max_ms, ...}`) to stdout and a human line
//!   to stderr. `--bootstrap` may be repeated: the binaries are then measured interleaved.

mod coldstart;
mod server;
mod stats;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axum::body::Bytes;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use coldstart::{Settings, Target};
use server::{Invocation, Outcome, RuntimeApi};
use stats::{Summary, round3};

#[derive(Parser)]
#[command(
    name = "coaching-lambda-runtime-api",
    about = "Minimal local Lambda Runtime API (one event) and a cold-start benchmark; loopback only"
)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Serve one event on a loopback address, print the answer, exit.
    Serve(ServeArgs),
    /// Measure cold starts: spawn → first response, fresh process per run.
    Coldstart(ColdstartArgs),
}

#[derive(Args)]
struct Common {
    /// The event to hand out (e.g. an API Gateway HTTP API payload 2.0 JSON file).
    #[arg(long)]
    event: PathBuf,
    /// AWS_LAMBDA_FUNCTION_NAME, also in the invoked function ARN.
    #[arg(long, default_value = "bench")]
    function_name: String,
    /// AWS_REGION (and the region in the ARN).
    #[arg(long, default_value = "us-east-1")]
    region: String,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    common: Common,
    /// Where to listen: a loopback address.
    #[arg(long, default_value = "127.0.0.1:9001")]
    addr: SocketAddr,
    /// Give up after this long without an answer.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout_secs: u64,
}

#[derive(Args)]
struct ColdstartArgs {
    #[command(flatten)]
    common: Common,
    /// A bootstrap binary; repeat to compare several (measured interleaved).
    #[arg(long, required = true)]
    bootstrap: Vec<PathBuf>,
    /// A name per --bootstrap, in the same order (default: the path).
    #[arg(long)]
    label: Vec<String>,
    /// An event file per --bootstrap, in the same order, instead of --event (e.g. an SQS
    /// event for a queue worker, whose partial batch response is then accepted).
    #[arg(long)]
    target_event: Vec<PathBuf>,
    /// Measured runs per bootstrap.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1000))]
    runs: u64,
    /// Unmeasured runs per bootstrap first (page cache, dynamic loader).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=10))]
    warmup: u64,
    /// Per-run limit: spawn to answer.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=300_000))]
    timeout_ms: u64,
    /// The statusCode the API Gateway response must have.
    #[arg(long, default_value_t = 200)]
    expect_status: u16,
    /// AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
    #[arg(long, default_value_t = 1024)]
    memory_mb: u32,
    /// Extra environment for the bootstrap (overrides the defaults); repeatable.
    #[arg(long = "env", value_name = "K=V", value_parser = parse_env)]
    env: Vec<(String, String)>,
}

fn parse_env(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() && !k.contains('\0') && !v.contains('\0') => {
            Ok((k.to_owned(), v.to_owned()))
        }
        _ => Err(format!("expected K=V, got {s:?}")),
    }
}

fn read_event(path: &PathBuf) -> Result<Bytes, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    Ok(Bytes::from(bytes))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.mode {
        Mode::Serve(args) => serve(args).await,
        Mode::Coldstart(args) => coldstart(args).await,
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("coaching-lambda-runtime-api: {message}");
            ExitCode::from(2)
        }
    }
}

async fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    let invocation = Invocation {
        event: read_event(&args.common.event)?,
        function_name: args.common.function_name.clone(),
        region: args.common.region.clone(),
        timeout: Duration::from_secs(args.timeout_secs),
    };
    let mut api = RuntimeApi::start(args.addr, invocation)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    eprintln!(
        "Runtime API on {}: start the bootstrap with AWS_LAMBDA_RUNTIME_API={} \
         AWS_LAMBDA_FUNCTION_NAME={} AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024 \
         AWS_LAMBDA_FUNCTION_VERSION='$LATEST' (request id {})",
        api.addr(),
        api.addr(),
        args.common.function_name,
        api.request_id()
    );
    let outcome = tokio::time::timeout(Duration::from_secs(args.timeout_secs), api.outcome()).await;
    api.stop().await;
    let code = match outcome {
        Ok(Some(Outcome::Response { body, .. })) => {
            println!("{}", String::from_utf8_lossy(&body));
            ExitCode::SUCCESS
        }
        Ok(Some(Outcome::InvocationError {
            error_type, body, ..
        }))
        | Ok(Some(Outcome::InitError {
            error_type, body, ..
        })) => {
            eprintln!(
                "the function reported an error ({})",
                error_type.as_deref().unwrap_or("no type")
            );
            println!("{}", String::from_utf8_lossy(&body));
            ExitCode::from(1)
        }
        Ok(Some(Outcome::Protocol { message, .. })) => return Err(message),
        Ok(None) | Err(_) => {
            return Err(format!("no answer within {} s", args.timeout_secs));
        }
    };
    Ok(code)
}

#[derive(Serialize)]
struct Report<'a> {
    bootstrap: &'a str,
    #[serde(flatten)]
    summary: Summary,
    /// Spawn → first `GET …/next`: the init phase alone.
    init_median_ms: Option<f64>,
    warmup_runs: u64,
    samples_ms: Vec<f64>,
}

async fn coldstart(args: ColdstartArgs) -> Result<ExitCode, String> {
    if !args.label.is_empty() && args.label.len() != args.bootstrap.len() {
        return Err(format!(
            "{} --label for {} --bootstrap: give one per bootstrap or none",
            args.label.len(),
            args.bootstrap.len()
        ));
    }
    if !args.target_event.is_empty() && args.target_event.len() != args.bootstrap.len() {
        return Err(format!(
            "{} --target-event for {} --bootstrap: give one per bootstrap or none",
            args.target_event.len(),
            args.bootstrap.len()
        ));
    }
    let mut targets: Vec<Target> = Vec::with_capacity(args.bootstrap.len());
    for (i, path) in args.bootstrap.iter().enumerate() {
        targets.push(Target {
            label: args
                .label
                .get(i)
                .cloned()
                .unwrap_or_else(|| path.display().to_string()),
            path: path.clone(),
            event: args.target_event.get(i).map(read_event).transpose()?,
        });
    }
    for target in &targets {
        if !target.path.is_file() {
            return Err(format!("{} is not a file", target.path.display()));
        }
    }
    let settings = Settings {
        event: read_event(&args.common.event)?,
        function_name: args.common.function_name,
        memory_mb: args.memory_mb,
        region: args.common.region,
        run_timeout: Duration::from_millis(args.timeout_ms),
        expect_status: args.expect_status,
        env: args.env,
    };
    let runs = usize::try_from(args.runs).map_err(|e| e.to_string())?;
    let warmup = usize::try_from(args.warmup).map_err(|e| e.to_string())?;
    let samples = coldstart::measure(&targets, &settings, runs, warmup).await?;

    for (target, samples) in targets.iter().zip(samples) {
        let totals: Vec<Duration> = samples.iter().map(|s| s.total).collect();
        let inits: Vec<Duration> = samples.iter().filter_map(|s| s.init).collect();
        let summary = Summary::of(&totals).ok_or("no samples")?;
        eprintln!(
            "{}: {} runs, median {:.3} ms, p90 {:.3} ms, min {:.3} ms, max {:.3} ms",
            target.label,
            summary.runs,
            summary.median_ms,
            summary.p90_ms,
            summary.min_ms,
            summary.max_ms
        );
        let report = Report {
            bootstrap: &target.label,
            summary,
            init_median_ms: Summary::of(&inits).map(|s| s.median_ms),
            warmup_runs: args.warmup,
            samples_ms: totals
                .iter()
                .map(|d| round3(d.as_secs_f64() * 1000.0))
                .collect(),
        };
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
    }
    Ok(ExitCode::SUCCESS)
}
