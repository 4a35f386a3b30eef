//! Settings of the local server, read from the environment exactly as docs/api.md#running-the-api names them.

use std::net::SocketAddr;

/// The development secret used when `COACHING_JWT_SECRET` is unset. Never use it for real.
pub const DEV_JWT_SECRET: &str = "coaching-local-development-secret-do-not-use-in-production";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite { path: String },
    DynamoDb { table: String },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub store: StoreKind,
    pub jwt_secret: String,
    pub jwt_secret_is_default: bool,
    pub test_clock: bool,
    /// `COACHING_WEBHOOK_SECRET`: the master from which each org without a rotated secret of
    /// its own derives the one that verifies its deliveries.
    pub webhook_secret: Option<String>,
    /// `COACHING_QUEUE_URL`: generations go through this SQS queue instead of the embedded one.
    pub queue_url: Option<String>,
    /// `COACHING_PUBLIC_URL`: the base of the absolute URLs the API hands out (the calendar
    /// feed); unset: the host each request was sent to.
    pub public_url: Option<String>,
    /// `COACHING_HEADER_READ_TIMEOUT_MS` (default 10,000): how long a client may take to send
    /// a request's headers, and how long a keep-alive connection may sit idle.
    pub header_read_timeout: std::time::Duration,
    /// `COACHING_MAX_CONNECTIONS` (default 10,000; lowered to fit the file-descriptor limit).
    pub max_connections: usize,
    /// `COACHING_WEBHOOK_ALLOW_PRIVATE=1`: outbound webhook endpoints may point at loopback and
    /// private addresses (development and tests only).
    pub webhook_allow_private: bool,
}

/// A positive whole number of at most `max` from `name`, else `default`.
fn number(name: &str, default: u64, max: u64) -> Result<u64, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| format!("{name}={v}: use a whole number from 1 to {max}")),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Reads and checks every setting; the error names the variable at fault.
    pub fn from_env() -> Result<Config, String> {
        let addr = var("COACHING_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr
            .parse()
            .map_err(|_| format!("COACHING_ADDR={addr} is not host:port"))?;
        let store = match var("COACHING_STORE").as_deref().unwrap_or("sqlite") {
            "sqlite" => StoreKind::Sqlite {
                path: var("COACHING_SQLITE_PATH").unwrap_or_else(|| "coaching.db".into()),
            },
            "dynamodb" => StoreKind::DynamoDb {
                table: var("COACHING_TABLE").unwrap_or_else(|| "coaching".into()),
            },
            other => return Err(format!("COACHING_STORE={other}: use sqlite or dynamodb")),
        };
        let (jwt_secret, jwt_secret_is_default) = match var("COACHING_JWT_SECRET") {
            Some(s) => (s, false),
            None => (DEV_JWT_SECRET.to_owned(), true),
        };
        let test_clock = match var("COACHING_TEST_CLOCK").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => return Err(format!("COACHING_TEST_CLOCK={other}: use 1 or 0")),
        };
        match var("COACHING_AI_PROVIDER").as_deref() {
            None | Some("builtin") | Some("openai") => {}
            Some(other) => {
                return Err(format!(
                    "COACHING_AI_PROVIDER={other}: use builtin or openai"
                ));
            }
        }
        let webhook_allow_private = match var("COACHING_WEBHOOK_ALLOW_PRIVATE").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(format!(
                    "COACHING_WEBHOOK_ALLOW_PRIVATE={other}: use 1 or 0"
                ));
            }
        };
        let webhook_secret =
            coaching_http::webhook_secret_setting(var(coaching_http::WEBHOOK_SECRET_VAR))
                .map_err(|problem| format!("{} {problem}", coaching_http::WEBHOOK_SECRET_VAR))?;
        let public_url = match var("COACHING_PUBLIC_URL") {
            None => None,
            Some(u) => Some(coaching_http::public_url(&u).ok_or_else(|| {
                format!("COACHING_PUBLIC_URL={u} is not an http(s) URL such as https://coaching.example.com")
            })?),
        };
        Ok(Config {
            addr,
            store,
            jwt_secret,
            jwt_secret_is_default,
            test_clock,
            webhook_secret,
            webhook_allow_private,
            queue_url: var("COACHING_QUEUE_URL"),
            public_url,
            header_read_timeout: std::time::Duration::from_millis(number(
                "COACHING_HEADER_READ_TIMEOUT_MS",
                10_000,
                600_000,
            )?),
            max_connections: usize::try_from(number(
                "COACHING_MAX_CONNECTIONS",
                10_000,
                1_000_000,
            )?)
            .unwrap_or(10_000),
        })
    }
}
