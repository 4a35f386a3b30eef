//! CPU-heavy requests (free slots over 62 days, the stats of thousands of evaluations, a
//! calendar feed of hundreds of sessions) take a turn first: at most one fewer at a time than
//! the machine has cores, so that the async workers always have a core for the others (a health
//! check, a booking) instead of sharing it with milliseconds of reading and arithmetic times the
//! number of such requests in flight. Requests waiting for a turn use no CPU. Within its turn a
//! request does its store reads as usual and its computation on Tokio's blocking pool
//! ([`compute`]), off the workers.

use crate::problem::ApiError;
use http::StatusCode;
use std::sync::OnceLock;
use tokio::sync::{Semaphore, SemaphorePermit};

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

/// A heavy request's turn, held until it is dropped.
#[derive(Debug)]
pub struct Turn(#[allow(dead_code)] SemaphorePermit<'static>);

/// Waits for a turn (without using CPU meanwhile).
pub async fn turn() -> Result<Turn, ApiError> {
    turns().acquire().await.map(Turn).map_err(|_| internal())
}

/// Runs `work` on the blocking pool within `_turn` and waits for it. A panic in it is a 500
/// `internal`, as a panic in a handler is.
pub async fn compute<T: Send + 'static>(
    _turn: &Turn,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "CPU work on the blocking pool failed");
        internal()
    })
}
