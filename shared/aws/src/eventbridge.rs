//! The EventBridge adapter of the `EventPublisher` port: every outbox event becomes one entry
//! (`source` = `coaching`, `detail-type` = the notification type, `detail` = the notification
//! JSON) on the system's bus, sent in `PutEvents` calls of up to ten entries (the API's limit),
//! never one call per event.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use coaching_domain::ports::{EventPublisher, OutboxEvent};
use std::time::Duration;

/// One `PutEvents` attempt, sent to read: EventBridge answers in milliseconds.
pub const PUT_EVENTS_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// One `PutEvents` call with its retries: the longest a frozen or unreachable EventBridge holds
/// a relay per chunk of ten events. The events it could not send stay in the outbox, claimed
/// for a minute, and go out with a later relay.
pub const PUT_EVENTS_OPERATION_TIMEOUT: Duration = Duration::from_secs(6);

/// The EventBridge client of `config` with time bounds on every call: connect 2 s (as to
/// DynamoDB), an attempt and the whole call as above. The SDK's defaults bound only the
/// connect: a frozen endpoint would hold the scheduled job until Lambda's timeout.
pub fn eventbridge_client(config: &aws_config::SdkConfig) -> Client {
    let conf = aws_sdk_eventbridge::config::Builder::from(config)
        .timeout_config(crate::time_bounds(
            PUT_EVENTS_ATTEMPT_TIMEOUT,
            PUT_EVENTS_OPERATION_TIMEOUT,
        ))
        .build();
    Client::from_conf(conf)
}

/// The `source` of every event the system publishes.
pub const SOURCE: &str = "coaching";
/// `PutEvents` takes at most ten entries.
pub const MAX_ENTRIES_PER_PUT: usize = 10;

#[derive(Clone, Debug)]
pub struct EventBridgePublisher {
    client: Client,
    bus: String,
}

impl EventBridgePublisher {
    pub fn new(client: Client, bus: &str) -> Self {
        Self {
            client,
            bus: bus.to_owned(),
        }
    }

    fn entry(&self, e: &OutboxEvent) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .source(SOURCE)
            .detail_type(&e.kind)
            .detail(e.payload.to_string())
            .event_bus_name(&self.bus)
            .resources(format!("coaching:{}:notification:{}", e.org, e.id))
            .build()
    }
}

#[async_trait]
impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, events: &[OutboxEvent]) -> Vec<bool> {
        let mut accepted = Vec::with_capacity(events.len());
        for chunk in events.chunks(MAX_ENTRIES_PER_PUT) {
            let sent = self
                .client
                .put_events()
                .set_entries(Some(chunk.iter().map(|e| self.entry(e)).collect()))
                .send()
                .await;
            match sent {
                // Entries answer in request order; a failed one carries an error code.
                Ok(out) => {
                    let results = out.entries();
                    for (i, e) in chunk.iter().enumerate() {
                        let ok = results
                            .get(i)
                            .is_some_and(|r| r.error_code().is_none() && r.event_id().is_some());
                        if !ok {
                            tracing::warn!(
                                id = %e.id,
                                error = ?results.get(i).and_then(|r| r.error_message()),
                                "EventBridge refused an event; it stays in the outbox"
                            );
                        }
                        accepted.push(ok);
                    }
                }
                Err(err) => {
                    tracing::warn!(
                        error = %aws_sdk_eventbridge::error::DisplayErrorContext(&err),
                        events = chunk.len(),
                        "PutEvents failed; the events stay in the outbox"
                    );
                    accepted.extend(std::iter::repeat_n(false, chunk.len()));
                }
            }
        }
        accepted
    }
}
