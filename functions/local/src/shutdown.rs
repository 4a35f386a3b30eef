//! Graceful shutdown: SIGTERM or SIGINT stops the server from accepting, lets in-flight requests
//! finish, and tells the job ticker and the generation worker to stop at their next safe point
//! (between items: every store write is one transaction, none spans an await of theirs).

use std::time::Duration;
use tokio::sync::watch;

/// How long in-flight requests, the ticker and the worker get after the signal; past it the
/// process exits anyway (a generation still running keeps its claim, which lapses, and the next
/// start takes it up again). Below the 10 s a supervisor usually waits before SIGKILL.
pub const GRACE: Duration = Duration::from_secs(6);

/// The receiving side of the stop request, cloned into each background task.
#[derive(Debug, Clone)]
pub struct Stop(watch::Receiver<bool>);

/// A new stop request, not yet made: send `true` to make it.
pub fn channel() -> (watch::Sender<bool>, Stop) {
    let (tx, rx) = watch::channel(false);
    (tx, Stop(rx))
}

impl Stop {
    /// True once the stop was requested (or its sender is gone).
    pub fn requested(&self) -> bool {
        *self.0.borrow() || self.0.has_changed().is_err()
    }

    /// Completes when the stop is requested (or its sender is gone).
    pub async fn wait(mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// Completes at the first SIGTERM or SIGINT (Ctrl-C).
pub async fn signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            // Not a reason to stop: wait for SIGTERM alone.
            tracing::warn!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
