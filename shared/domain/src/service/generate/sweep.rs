//! The sweep: due records handed to the queue again, claims of a dead process released, and
//! the embedded worker's drain.

use super::*;
use crate::error::DomainError;
use crate::evaluation::GenerationStatus;
use crate::generation::GenerationPut;
use crate::ports::{Changes, GenerationStore, Generator, SessionStore, StoreError};
use crate::service::{Services, store_err};
use chrono::{DateTime, Duration, Utc};

impl<S: GenerationStore + SessionStore + ?Sized> Services<S> {
    /// The sweep (SQS): hands every due queued generation, and every running one whose claim
    /// lapsed, to the queue again, and moves its due time on. Returns how many it handed over.
    pub async fn resend_due_generations(&self, now: DateTime<Utc>) -> Result<usize, DomainError> {
        let Some(queue) = self.ports.queue.clone() else {
            return Ok(0);
        };
        let due = self
            .ports
            .store
            .due_generations(now, 100)
            .await
            .map_err(store_err)?;
        let mut sent = 0;
        for job in due {
            let mut next = job.clone();
            next.due_at = Some(now + queue.resend_after());
            let changes = Changes {
                generations: vec![GenerationPut {
                    job: next,
                    expected: Some((job.status, job.claims)),
                }],
                ..Changes::default()
            };
            match self.ports.store.commit(changes).await {
                Ok(()) => {
                    if queue.enqueue(&job).await.is_ok() {
                        sent += 1;
                    }
                }
                Err(StoreError::Conflict) => {}
                Err(e) => return Err(store_err(e)),
            }
        }
        Ok(sent)
    }

    /// For a process that is its store's only worker (`coaching-local` with the embedded queue),
    /// at start: the claims of running generations were held by a process that is gone (killed),
    /// so they are released at once and the generations are due again. Returns how many.
    pub async fn release_claims(&self) -> Result<usize, DomainError> {
        let now = whole_ms(self.now());
        let held = self
            .ports
            .store
            .due_generations(now + Duration::seconds(LEASE_SECONDS), 1_000)
            .await
            .map_err(store_err)?;
        let mut released = 0;
        for job in held
            .into_iter()
            .filter(|j| j.status == GenerationStatus::Running)
        {
            let mut free = job.clone();
            free.lease_until = Some(now);
            free.due_at = Some(now);
            let changes = Changes {
                generations: vec![GenerationPut {
                    job: free,
                    expected: Some((job.status, job.claims)),
                }],
                ..Changes::default()
            };
            match self.ports.store.commit(changes).await {
                Ok(()) => released += 1,
                Err(StoreError::Conflict) => {}
                Err(e) => return Err(store_err(e)),
            }
        }
        Ok(released)
    }
}

impl<S: crate::ports::WorkerStore + ?Sized> Services<S> {
    /// The embedded worker's step: processes due generations (oldest first), at most `limit`.
    pub async fn drain_due_generations(
        &self,
        generator: &dyn Generator,
        limit: u32,
    ) -> Result<usize, DomainError> {
        let due = self
            .ports
            .store
            .due_generations(self.now(), limit)
            .await
            .map_err(store_err)?;
        let n = due.len();
        for job in due {
            self.process_generation(generator, &job.org, &job.id)
                .await?;
        }
        Ok(n)
    }
}
