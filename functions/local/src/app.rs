//! `coaching-local serve`: the store, the generator, the clock, the generation queue, the
//! services over them, the ticker (the jobs) and the worker (generations), and the server, until
//! a signal stops them within the grace period.

use crate::config::{Config, StoreKind};
use crate::{deliveries, serve, shutdown, ticker, worker};
use coaching_domain::ports::{Clock, GenerationQueue, Outbound, Ports, Store};
use coaching_domain::service::Services;
use coaching_http::auth::JwtAuthenticator;
use coaching_http::{AppState, router_with_docs};
use coaching_runtime::{LogPublisher, SystemClock, TestClock, UlidIds};
use std::process::ExitCode;
use std::sync::Arc;

pub fn serve(config: Config) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("coaching-local: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(config));
    // Tasks left past the grace (a generation mid-provider-call) are dropped, not waited for.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    if config.jwt_secret_is_default {
        tracing::warn!(
            "COACHING_JWT_SECRET is not set: using the fixed DEVELOPMENT secret. Anyone can mint tokens for this server. \
             Set COACHING_JWT_SECRET for anything but local development."
        );
    }
    let store: Arc<dyn Store> = match &config.store {
        StoreKind::Sqlite { path } => {
            tracing::info!(path = %path, "store: sqlite");
            Arc::new(
                coaching_sqlite::SqliteStore::open(path)
                    .map_err(|e| format!("cannot open SQLite store at {path}: {e}"))?,
            )
        }
        StoreKind::DynamoDb { table } => {
            tracing::info!(table = %table, "store: dynamodb");
            let store = coaching_aws::DynamoStore::connect(table).await;
            store
                .ensure_table()
                .await
                .map_err(|e| format!("cannot use DynamoDB table {table}: {e}"))?;
            Arc::new(store)
        }
    };
    let generator = coaching_ai::generator_from_env()?;
    tracing::info!(
        provider = generator.provider(),
        model = generator.model().unwrap_or("-"),
        "AI generation provider"
    );
    let test_clock = config.test_clock.then(|| Arc::new(TestClock::new()));
    let clock: Arc<dyn Clock> = match &test_clock {
        Some(tc) => {
            tracing::warn!(
                "COACHING_TEST_CLOCK=1: PUT /v1/test-clock can set the time every rule uses"
            );
            tc.clone()
        }
        None => Arc::new(SystemClock),
    };
    let local_queue = worker::LocalQueue::new();
    let sqs = match &config.queue_url {
        Some(url) => {
            tracing::info!(queue = %url, "generation queue: SQS");
            Some(coaching_aws::SqsQueue::connect(url).await)
        }
        None => None,
    };
    let queue: Arc<dyn GenerationQueue> = match &sqs {
        Some(q) => Arc::new(q.clone()),
        None => local_queue.clone(),
    };
    if config.webhook_allow_private {
        tracing::warn!(
            "COACHING_WEBHOOK_ALLOW_PRIVATE=1: webhook endpoints may point at loopback and private addresses (development only)"
        );
    }
    let sender = coaching_outbound::Sender::new(coaching_outbound::SenderConfig {
        allow_private: config.webhook_allow_private,
        ..coaching_outbound::SenderConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let deliveries = deliveries::LocalDeliveries::new();
    let services = Services::new(Ports {
        store,
        clock,
        ids: Arc::new(UlidIds::new()),
        events: Some(Arc::new(LogPublisher)),
        queue: Some(queue),
        outbound: Outbound {
            session_view: coaching_http::session_event_view,
            sender: Some(Arc::new(sender)),
            queue: Some(deliveries.clone()),
            allow_private: config.webhook_allow_private,
        },
    });
    let (stop_tx, stop) = shutdown::channel();
    let delivery_worker = tokio::spawn(deliveries::run(services.clone(), deliveries, stop.clone()));
    let ticker = tokio::spawn(ticker::run(services.clone(), sqs.is_some(), stop.clone()));
    let worker = match sqs {
        Some(q) => tokio::spawn(worker::sqs(services.clone(), generator, q, stop.clone())),
        None => tokio::spawn(worker::embedded(
            services.clone(),
            generator,
            local_queue,
            stop.clone(),
        )),
    };
    let state = AppState {
        services,
        auth: Arc::new(JwtAuthenticator::new(config.jwt_secret.as_bytes())),
        test_clock,
        webhook_secret: config.webhook_secret.as_deref().map(Into::into),
        public_url: config.public_url.as_deref().map(Into::into),
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    tracing::info!(addr = %config.addr, "coaching-local serving http://{}", config.addr);
    let limits = serve::Limits {
        header_read_timeout: config.header_read_timeout,
        max_connections: serve::connection_cap(config.max_connections),
    };
    tracing::info!(
        max_connections = limits.max_connections,
        header_read_timeout_ms = limits.header_read_timeout.as_millis() as u64,
        "connection bounds"
    );
    let server = serve::serve(listener, router_with_docs(state), limits, stop.clone());
    let mut server = tokio::spawn(server);
    tokio::select! {
        ended = &mut server => {
            return match ended {
                Ok(()) => Err("the server stopped by itself".into()),
                Err(e) => Err(format!("server failed: {e}")),
            };
        }
        () = shutdown::signal() => {}
    }
    tracing::info!(
        "shutting down: finishing in-flight requests, stopping the ticker and the worker"
    );
    let _ = stop_tx.send(true);
    let stopped = async {
        let (server, _, _, _) = tokio::join!(server, ticker, worker, delivery_worker);
        server
    };
    match tokio::time::timeout(shutdown::GRACE, stopped).await {
        Ok(Ok(())) => {
            tracing::info!("stopped");
            Ok(())
        }
        Ok(Err(e)) => Err(format!("server failed while stopping: {e}")),
        Err(_) => {
            tracing::warn!(grace = ?shutdown::GRACE,
                "not everything stopped within the grace period: exiting anyway");
            Ok(())
        }
    }
}
