//! The in-process AI generation worker of `coaching-local`.
//!
//! Embedded queue (the default): the generation records are the queue. `generate` wakes the
//! worker ([`LocalQueue::enqueue`]), which drains every due record through the due index; it
//! also wakes by itself every few seconds for claims that lapsed. At start, claims held by a
//! killed process are released, so accepted generations resume after a restart.

use async_trait::async_trait;
use coaching_domain::generation::GenerationJob;
use coaching_domain::ports::{GenerationQueue, Generator};
use coaching_domain::service::Services;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Generations one drain takes at most before looking again.
const DRAIN_BATCH: u32 = 32;
/// Without a wake-up, the worker looks at the due index this often (lapsed claims).
const IDLE_WAKE: Duration = Duration::from_secs(5);
/// After a store failure, the worker waits this long before trying again.
const ERROR_PAUSE: Duration = Duration::from_secs(1);

/// The embedded queue: enqueueing only wakes the worker (the record is already due).
#[derive(Debug, Default)]
pub struct LocalQueue {
    wake: Notify,
}

impl LocalQueue {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

#[async_trait]
impl GenerationQueue for LocalQueue {
    async fn enqueue(&self, _: &GenerationJob) -> Result<(), String> {
        self.wake.notify_one();
        Ok(())
    }

    fn resend_after(&self) -> chrono::Duration {
        chrono::Duration::zero()
    }
}

/// Runs until the process ends (or `stop` is notified): releases stale claims, then drains due
/// generations whenever woken.
pub async fn embedded(
    services: Services,
    generator: Arc<dyn Generator>,
    queue: Arc<LocalQueue>,
    stop: Arc<Notify>,
) {
    match services.release_claims().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(released = n, "generations of a previous run taken up again"),
        Err(e) => tracing::error!(error = %e, "could not release earlier claims"),
    }
    loop {
        match services
            .drain_due_generations(generator.as_ref(), DRAIN_BATCH)
            .await
        {
            // A full batch: there may be more due at once.
            Ok(n) if n as u32 == DRAIN_BATCH => continue,
            Ok(0) => {}
            Ok(n) => tracing::debug!(processed = n, "generations processed"),
            Err(e) => {
                tracing::error!(error = %e, "generation worker: store failure");
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
        tokio::select! {
            () = queue.wake.notified() => {}
            () = tokio::time::sleep(IDLE_WAKE) => {}
            () = stop.notified() => return,
        }
    }
}
