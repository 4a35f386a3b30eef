//! Org events and outbound webhooks (docs/api.md#org-events-and-outbound-webhooks): the events a use case
//! writes with its change, the deliveries they fan out to in the same transaction, the
//! endpoints an admin manages, and the worker that attempts deliveries.

mod deliver;
mod endpoints;

pub use deliver::{Attempted, DELIVERY_BATCH, DeliveryRun};
pub use endpoints::{EndpointInput, EndpointPatch, ListDeliveries};

use super::Services;
use crate::ids::*;
use crate::outbound::{
    Delivery, DeliveryPut, DeliveryStatus, EndpointStatus, OrgEvent, OrgEventType,
};
use crate::ports::{Changes, SessionStore, StoreError, WebhookStore};
use crate::session::Session;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

impl<S: ?Sized> Services<S> {
    /// An event of `kind` in `org` at `at` with `data`.
    pub(crate) fn org_event(
        &self,
        org: &OrgId,
        kind: OrgEventType,
        data: Value,
        at: DateTime<Utc>,
    ) -> Option<OrgEvent> {
        Some(OrgEvent {
            id: OrgEvent::new_id(&self.new_id())?,
            org: org.clone(),
            kind,
            timestamp: at,
            data,
        })
    }

    /// An event of `kind` about `session` (as it is after the change) at `at`: `extra`, the
    /// session's id and the session as an admin sees it, without its private notes.
    pub(crate) fn session_event(
        &self,
        kind: OrgEventType,
        session: &Session,
        extra: Value,
        at: DateTime<Utc>,
    ) -> Option<OrgEvent> {
        let mut data = json!({
            "sessionId": session.id,
            "session": (self.ports.outbound.session_view)(session),
        });
        if let (Some(obj), Value::Object(more)) = (data.as_object_mut(), extra) {
            obj.extend(more);
        }
        self.org_event(&session.org, kind, data, at)
    }
}

impl<S: SessionStore + WebhookStore + ?Sized> Services<S> {
    /// Commits `changes` with a delivery of each of its events to every enabled endpoint of
    /// the org subscribed to the event's type, in the same transaction, then hands the new
    /// deliveries to the delivery queue (a lost hand-over is found through the due index).
    pub(crate) async fn commit(&self, mut changes: Changes) -> Result<(), StoreError> {
        let new = self.fan_out(&mut changes).await?;
        self.ports.store.commit(changes).await?;
        self.hand_over_deliveries(&new).await;
        Ok(())
    }

    pub(crate) async fn hand_over_deliveries(&self, deliveries: &[Delivery]) {
        if let (false, Some(queue)) = (deliveries.is_empty(), &self.ports.outbound.queue) {
            queue.enqueue(deliveries).await;
        }
    }

    /// Adds the deliveries of `changes.events` to `changes`; returns them.
    async fn fan_out(&self, changes: &mut Changes) -> Result<Vec<Delivery>, StoreError> {
        let Some(org) = changes.events.first().map(|e| e.org.clone()) else {
            return Ok(Vec::new());
        };
        let endpoints = self.ports.store.endpoints(&org).await?;
        let mut new = Vec::new();
        for event in &changes.events {
            for endpoint in endpoints.iter().filter(|e| {
                e.status == EndpointStatus::Enabled && e.event_types.includes(event.kind)
            }) {
                if let Some(delivery) = self.new_delivery(event, &endpoint.id) {
                    new.push(delivery);
                }
            }
        }
        changes.deliveries.extend(new.iter().map(|d| DeliveryPut {
            delivery: d.clone(),
            expected_version: None,
        }));
        Ok(new)
    }

    /// A pending delivery of `event` to `endpoint`, due at once.
    pub(crate) fn new_delivery(&self, event: &OrgEvent, endpoint: &EndpointId) -> Option<Delivery> {
        Some(Delivery {
            id: Delivery::new_id(&self.new_id())?,
            org: event.org.clone(),
            endpoint_id: endpoint.clone(),
            event_id: event.id.clone(),
            event_type: event.kind,
            payload: event.body().to_string(),
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            failures: 0,
            next_attempt_at: Some(event.timestamp),
            lease_until: None,
            created_at: event.timestamp,
            updated_at: event.timestamp,
            version: 1,
        })
    }
}

impl<S: ?Sized> Services<S> {
    /// `action_item.created` for the items of `after` that `before` did not hold, and
    /// `action_item.completed` for those done now that were not (or are new and done): one event
    /// of each kind per change at most, listing its items (a save of notes with ten `[]` lines
    /// is one fact, and stays one delivery per endpoint).
    pub(crate) fn action_item_events(
        &self,
        before: &[crate::session::ActionItem],
        after: &Session,
        at: DateTime<Utc>,
    ) -> Vec<OrgEvent> {
        let mut created = Vec::new();
        let mut completed = Vec::new();
        for item in &after.action_items {
            let old = before.iter().find(|b| b.id == item.id);
            let listed = json!({"id": item.id, "title": item.title});
            if old.is_none() {
                created.push(listed.clone());
            }
            if item.done && !old.is_some_and(|b| b.done) {
                completed.push(listed);
            }
        }
        [
            (OrgEventType::ActionItemCreated, created),
            (OrgEventType::ActionItemCompleted, completed),
        ]
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .filter_map(|(kind, items)| {
            self.session_event(kind, after, json!({"actionItems": items}), at)
        })
        .collect()
    }
}
