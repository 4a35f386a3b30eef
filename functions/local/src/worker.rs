//! The in-process AI generation worker of `coaching-local`.
//!
//! Embedded queue (the default): the generation records are the queue. `generate` wakes the
//! worker ([`LocalQueue::enqueue`]), which drains every due record through the due index; it
//! also wakes by itself every few seconds for claims that lapsed. At start, claims held by a
//! killed process are released, so accepted generations resume after a restart.

use crate::shutdown::Stop;
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

/// Runs until `stop` is requested: releases stale claims, then drains due generations whenever
/// woken. The due read and the per-item loop are written out here (rather than calling
/// `Services::drain_due_generations`) so that a stop request is honoured between items.
pub async fn embedded(
    services: Services,
    generator: Arc<dyn Generator>,
    queue: Arc<LocalQueue>,
    stop: Stop,
) {
    match services.release_claims().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(released = n, "generations of a previous run taken up again"),
        Err(e) => tracing::error!(error = %e, "could not release earlier claims"),
    }
    loop {
        match drain(&services, generator.as_ref(), &stop).await {
            // A full batch: there may be more due at once.
            Ok(n) if n as u32 == DRAIN_BATCH => continue,
            Ok(0) => {}
            Ok(n) => tracing::debug!(processed = n, "generations processed"),
            Err(e) => {
                tracing::error!(error = %e, "generation worker: store failure");
                tokio::select! {
                    () = tokio::time::sleep(ERROR_PAUSE) => {}
                    () = stop.clone().wait() => return,
                }
            }
        }
        if stop.requested() {
            return;
        }
        tokio::select! {
            () = queue.wake.notified() => {}
            () = tokio::time::sleep(IDLE_WAKE) => {}
            () = stop.clone().wait() => return,
        }
    }
}

/// Processes up to [`DRAIN_BATCH`] due generations, one at a time, until `stop` is requested;
/// returns how many it read as due.
async fn drain(
    services: &Services,
    generator: &dyn Generator,
    stop: &Stop,
) -> Result<usize, String> {
    let due = services
        .ports()
        .store
        .due_generations(services.now(), DRAIN_BATCH)
        .await
        .map_err(|e| e.to_string())?;
    let n = due.len();
    for job in due {
        if stop.requested() {
            break;
        }
        services
            .process_generation(generator, &job.org, &job.id)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(n)
}

/// With `COACHING_QUEUE_URL`: the same worker code fed by SQS (long polling), as the
/// `coaching-ai-worker` function is on AWS. A message is deleted once its generation is done
/// with (finished, already finished, or held by another worker's claim: the sweep sends it again
/// if that claim lapses); after a store failure it is left to reappear after the queue's
/// visibility timeout. One that does not parse is left to the queue's redrive policy. A stop
/// request ends it between messages (the rest of the batch comes back later).
pub async fn sqs(
    services: Services,
    generator: Arc<dyn Generator>,
    queue: coaching_aws::SqsQueue,
    stop: Stop,
) {
    loop {
        let received = tokio::select! {
            r = queue.receive(10, 20) => r,
            () = stop.clone().wait() => return,
        };
        let messages = match received {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "generation worker: cannot receive from SQS");
                tokio::time::sleep(ERROR_PAUSE).await;
                continue;
            }
        };
        for m in messages {
            if stop.requested() {
                // Not deleted: it comes back after the visibility timeout.
                return;
            }
            let (org, id) = match coaching_aws::parse_message(&m.body) {
                Ok(parsed) => parsed,
                Err(e) => {
                    tracing::warn!(error = %e, receives = m.receive_count,
                        "a message that is not a generation: left to the redrive policy");
                    continue;
                }
            };
            match services
                .process_generation(generator.as_ref(), &org, &id)
                .await
            {
                Ok(outcome) => {
                    tracing::debug!(%org, generation = %id, ?outcome, "generation processed");
                    if let Err(e) = queue.delete(&m.receipt_handle).await {
                        tracing::warn!(error = %e, "processed message not deleted: it comes back and is skipped");
                    }
                }
                Err(e) => tracing::error!(%org, generation = %id, error = %e,
                    "generation failed on the store: the message comes back"),
            }
        }
    }
}
