//! CPU-heavy parts of a request (free slots over 62 days, the stats of thousands of
//! evaluations, a calendar feed of hundreds of sessions) run on Tokio's blocking pool, at most
//! one fewer at a time than the machine has cores: the async workers keep serving other
//! requests (a health check, a booking) meanwhile, and always have a core to do it on, instead
//! of queueing behind, or sharing the CPU with, milliseconds of arithmetic times the number of
//! such requests in flight. Heavy requests over that bound wait their turn without using CPU.

use crate::problem::ApiError;
use http::StatusCode;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// How many CPU-heavy jobs run at once: the cores less one, at least one.
fn turns() -> &'static Semaphore {
    static TURNS: OnceLock<Semaphore> = OnceLock::new();
    TURNS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

fn internal() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "an internal error occurred",
    )
}

/// Runs `work` on the blocking pool when its turn comes and waits for it. A panic in it is a
/// 500 `internal`, as a panic in a handler is.
pub async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let turn = turns().acquire().await.map_err(|_| internal())?;
    let done = tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "CPU work on the blocking pool failed");
        internal()
    });
    drop(turn);
    done
}
