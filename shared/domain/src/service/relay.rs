//! The outbox relay the jobs end with: claim a batch of events, hand it to the event
//! publisher, remove what it accepted, until the outbox is empty.

use super::jobs::MAX_ROUNDS;
use super::{Services, store_err};
use crate::error::DomainError;
use crate::ports::OutboxStore;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Outbox events claimed per round, and how long a claim holds.
pub const RELAY_BATCH: u32 = 100;
const CLAIM_SECONDS: i64 = 60;

/// What the outbox relay did, per org (the relay serves every org; an admin sees their own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relayed {
    /// Events the publisher accepted, by org.
    pub published_by_org: BTreeMap<String, usize>,
    /// Events the publisher refused this time, by org; they stay in the outbox.
    pub failed_by_org: BTreeMap<String, usize>,
}

impl Relayed {
    pub fn published(&self) -> usize {
        self.published_by_org.values().sum()
    }
    pub fn failed(&self) -> usize {
        self.failed_by_org.values().sum()
    }
    pub(crate) fn of_org(&self, org: &str) -> Relayed {
        let only = |counts: &BTreeMap<String, usize>| {
            counts
                .iter()
                .filter(|(o, _)| o.as_str() == org)
                .map(|(o, n)| (o.clone(), *n))
                .collect()
        };
        Relayed {
            published_by_org: only(&self.published_by_org),
            failed_by_org: only(&self.failed_by_org),
        }
    }
}

impl<S: OutboxStore + ?Sized> Services<S> {
    /// Publishes what the outbox holds: claims a batch, hands it to the event publisher, removes
    /// what it accepted, until the outbox is empty (or only holds what the publisher refused).
    /// Without a publisher (the api Lambda function) it leaves the outbox to the job functions.
    pub async fn relay_events(&self, now: DateTime<Utc>) -> Result<Relayed, DomainError> {
        let mut relayed = Relayed::default();
        let Some(publisher) = &self.ports.events else {
            return Ok(relayed);
        };
        // A claim is a lease in real time: it starts from the clock, or from the run's time when
        // that is later. A scheduled run's time is the minute it was scheduled for, which a late
        // (retried) invocation carries long after: leases from it would have lapsed already and
        // let a concurrent relay take the same events while this one publishes them.
        let now = now.max(self.now());
        let until = now + Duration::seconds(CLAIM_SECONDS);
        for _ in 0..MAX_ROUNDS {
            let events = self
                .ports
                .store
                .claim_events(now, until, RELAY_BATCH)
                .await
                .map_err(store_err)?;
            if events.is_empty() {
                break;
            }
            let accepted = publisher.publish(&events).await;
            let mut published = Vec::new();
            for (event, ok) in events
                .iter()
                .zip(accepted.iter().chain(std::iter::repeat(&false)))
            {
                let counts = if *ok {
                    published.push(event.clone());
                    &mut relayed.published_by_org
                } else {
                    &mut relayed.failed_by_org
                };
                *counts.entry(event.org.clone()).or_default() += 1;
            }
            self.ports
                .store
                .mark_published(&published)
                .await
                .map_err(store_err)?;
            if events.len() < RELAY_BATCH as usize || published.is_empty() {
                break;
            }
        }
        Ok(relayed)
    }
}
