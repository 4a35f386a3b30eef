//! The local event publisher: every event goes to the log (target `coaching::events`), as
//! EventBridge would receive it (`source` = `coaching`, `detail-type` = the type).

use async_trait::async_trait;
use coaching_domain::ports::{EventPublisher, OutboxEvent};

#[derive(Debug, Clone, Copy, Default)]
pub struct LogPublisher;

#[async_trait]
impl EventPublisher for LogPublisher {
    async fn publish(&self, events: &[OutboxEvent]) -> Vec<bool> {
        for e in events {
            tracing::info!(
                target: "coaching::events",
                source = "coaching",
                detail_type = %e.kind,
                id = %e.id,
                org = %e.org,
                detail = %e.payload,
                "event published"
            );
        }
        vec![true; events.len()]
    }
}
