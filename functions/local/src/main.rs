//! `coaching-local`: every function of the coaching system in one process, on SQLite.
//! Wiring only: configuration, adapters, the shared Router, the server.

mod app;
mod check;
mod config;
mod deliveries;
mod serve;
mod shutdown;
mod ticker;
mod token;
mod worker;

use clap::{Parser, Subcommand};
use config::Config;
use std::process::ExitCode;

/// jemalloc with its background threads, so that memory freed when connections close goes
/// back to the system (dirty pages purged after `dirty_decay_ms`) instead of staying in glibc's
/// per-thread arenas: docs/benchmarks.md, "connections", has the figures of both.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser, Debug)]
#[command(
    name = "coaching-local",
    about = "The coaching API and its jobs in one process",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API on COACHING_ADDR (the default command).
    Serve,
    /// Print a development bearer token signed with COACHING_JWT_SECRET.
    Token {
        /// The user id (`sub`).
        #[arg(long)]
        sub: String,
        /// The organisation id (`org`).
        #[arg(long)]
        org: String,
        /// coach, client or admin; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Lifetime in hours.
        #[arg(long, default_value_t = 720)]
        ttl_hours: u64,
    },
    /// Verify the store's invariants (SQLite: COACHING_SQLITE_PATH) and print a report; exits
    /// 1 when one does not hold, 2 when the store cannot be read.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("coaching-local: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Token {
            sub,
            org,
            roles,
            ttl_hours,
        } => token::token(&config, &sub, &org, &roles, ttl_hours),
        Command::Check => check::run(&config),
        Command::Serve => app::serve(config),
    }
}
