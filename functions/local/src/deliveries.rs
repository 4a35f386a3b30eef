//! The outbound webhook worker of `coaching-local` (docs/api.md#org-events-and-outbound-webhooks): what the
//! deliveries function and the minute schedule do on AWS. A commit that makes deliveries wakes
//! it ([`LocalDeliveries`], the delivery queue), and it looks at the due index every second for
//! retries (whose times follow the clock, the test clock too). Each due delivery is attempted in
//! a task of its own, so one slow receiver (up to 15 s an attempt) holds up no other; a
//! delivery already in flight here is not started twice, and the lease in its record keeps any
//! other process from attempting it meanwhile.

use crate::shutdown::Stop;
use async_trait::async_trait;
use coaching_domain::ids::DeliveryId;
use coaching_domain::outbound::Delivery;
use coaching_domain::ports::DeliveryQueue;
use coaching_domain::service::{Attempted, DELIVERY_BATCH, Services};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, Semaphore};

/// Attempts under way at once, at most.
const PARALLEL: usize = 64;
/// How often the due index is read without a wake-up.
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// The delivery queue of `coaching-local`: wakes the worker.
#[derive(Debug, Clone, Default)]
pub struct LocalDeliveries {
    wake: Arc<Notify>,
}

impl LocalDeliveries {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

#[async_trait]
impl DeliveryQueue for LocalDeliveries {
    async fn enqueue(&self, _deliveries: &[Delivery]) {
        self.wake.notify_one();
    }
}

/// Runs until `stop`: every wake-up and every second, each due delivery not already in
/// flight gets an attempt. Attempts under way when it stops are abandoned with the runtime;
/// their leases lapse and they are attempted again after the next start.
pub async fn run(services: Services, queue: Arc<LocalDeliveries>, stop: Stop) {
    let in_flight: Arc<Mutex<HashSet<DeliveryId>>> = Arc::default();
    let permits = Arc::new(Semaphore::new(PARALLEL));
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = queue.wake.notified() => {}
            _ = poll.tick() => {}
            () = stop.clone().wait() => return,
        }
        let due = match services
            .ports()
            .store
            .due_deliveries(services.now(), DELIVERY_BATCH)
            .await
        {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the due webhook deliveries");
                continue;
            }
        };
        for delivery in due {
            let fresh = in_flight
                .lock()
                .map(|mut set| set.insert(delivery.id.clone()))
                .unwrap_or(false);
            if !fresh {
                continue;
            }
            let (services, in_flight, permits) =
                (services.clone(), in_flight.clone(), permits.clone());
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                match services.attempt_delivery(&delivery.org, &delivery.id).await {
                    Ok(Attempted::Done(d)) => tracing::info!(
                        delivery = %d.id,
                        event = %d.event_id,
                        status = d.status.as_str(),
                        attempt = d.attempts.len(),
                        "webhook delivery attempted"
                    ),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(delivery = %delivery.id, error = %e, "webhook delivery failed")
                    }
                }
                if let Ok(mut set) = in_flight.lock() {
                    set.remove(&delivery.id);
                }
            });
        }
    }
}
