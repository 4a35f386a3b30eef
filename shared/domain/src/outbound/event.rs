//! Org events (docs/api.md#org-events-and-outbound-webhooks): one per fact, not per recipient,
//! written in the transaction of the change they report (through [`crate::ports::Changes`]),
//! published to EventBridge through the outbox and delivered to the org's subscribed endpoints.

use crate::ids::*;
use crate::ports::OutboxEvent;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

macro_rules! event_types {
    ($( $(#[$doc:meta])* $variant:ident => $wire:literal, )*) => {
        /// What an org event reports; its wire name is the event's `type` and the EventBridge
        /// `detail-type`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum OrgEventType {
            $( $(#[$doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl OrgEventType {
            /// Every type, in the order docs/api.md lists them.
            pub const ALL: &'static [OrgEventType] = &[$( Self::$variant, )*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )*
                }
            }
        }
    };
}

event_types! {
    /// A booking, or the next session of a recurring series.
    SessionBooked => "session.booked",
    /// A draft review session got a time.
    SessionScheduled => "session.scheduled",
    /// `previousStartsAt`, `startsAt`, `by`, `reason`.
    SessionRescheduled => "session.rescheduled",
    /// `by`, `reason`, `fee`.
    SessionCancelled => "session.cancelled",
    /// `nextSessionId` when a series continues.
    SessionCompleted => "session.completed",
    /// `fee`.
    SessionNoShow => "session.no_show",
    /// `reminder`: `24h` or `1h`, with the reminder notifications.
    SessionReminder => "session.reminder",
    RescheduleRequestCreated => "reschedule_request.created",
    RescheduleRequestApproved => "reschedule_request.approved",
    RescheduleRequestRejected => "reschedule_request.rejected",
    RescheduleRequestExpired => "reschedule_request.expired",
    ReviewRequested => "review.requested",
    ReviewSubmitted => "review.submitted",
    GenerationSucceeded => "generation.succeeded",
    GenerationFailed => "generation.failed",
    ActionItemCreated => "action_item.created",
    ActionItemCompleted => "action_item.completed",
    MessageCreated => "message.created",
    PackagePurchased => "package.purchased",
    PackageLow => "package.low",
    PackageExpiring => "package.expiring",
    /// An endpoint was disabled because its deliveries kept failing (`disabledReason`).
    WebhookEndpointDisabled => "webhook_endpoint.disabled",
    /// What `POST /v1/webhook-endpoints/{id}/test` sends; never published to EventBridge.
    Ping => "ping",
}

impl OrgEventType {
    pub fn parse(wire: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == wire)
    }
}

impl std::fmt::Display for OrgEventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The types an endpoint subscribes to: every one (`["*"]`) or the listed ones. `ping` reaches
/// an endpoint only through its `test`, whatever it subscribes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventTypes {
    All,
    Only(Vec<OrgEventType>),
}

impl EventTypes {
    /// From the wire list: `["*"]` (every type, also beside others), or known types (repeats
    /// dropped, order kept). An unknown type is named in the error; an empty list is refused.
    pub fn parse(list: &[String]) -> Result<Self, String> {
        if list.is_empty() {
            return Err("name at least one event type, or [\"*\"] for all of them".into());
        }
        let mut types = Vec::new();
        for wire in list {
            match OrgEventType::parse(wire).filter(|t| *t != OrgEventType::Ping) {
                Some(t) if !types.contains(&t) => types.push(t),
                Some(_) => {}
                None if wire == "*" => {}
                None => return Err(format!("unknown event type {wire:?}")),
            }
        }
        if list.iter().any(|t| t == "*") {
            return Ok(Self::All);
        }
        Ok(Self::Only(types))
    }

    /// The wire list.
    pub fn to_wire(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".to_owned()],
            Self::Only(types) => types.iter().map(|t| t.as_str().to_owned()).collect(),
        }
    }

    pub fn includes(&self, kind: OrgEventType) -> bool {
        kind != OrgEventType::Ping
            && match self {
                Self::All => true,
                Self::Only(types) => types.contains(&kind),
            }
    }
}

/// One fact that happened in an org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgEvent {
    pub id: EventId,
    pub org: OrgId,
    pub kind: OrgEventType,
    pub timestamp: DateTime<Utc>,
    /// The ids and what changed, plus the subject as an admin sees it minus private notes
    /// (`session`, with its `version`).
    pub data: Value,
}

impl OrgEvent {
    /// A new event id: `evt_` and a ULID.
    pub fn new_id(ulid: &str) -> Option<EventId> {
        EventId::parse(format!("evt_{ulid}")).ok()
    }

    /// The event as receivers get it: `{id, type, timestamp, data}`.
    pub fn body(&self) -> Value {
        json!({
            "id": self.id,
            "type": self.kind.as_str(),
            "timestamp": self.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
            "data": self.data,
        })
    }

    /// Its outbox entry: published to EventBridge with its type as the `detail-type` and its
    /// body as the `detail`.
    pub fn outbox_entry(&self) -> OutboxEvent {
        OutboxEvent {
            org: self.org.to_string(),
            id: self.id.to_string(),
            kind: self.kind.as_str().to_owned(),
            payload: self.body(),
            created_at: self.timestamp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_distinct_wire_name_that_parses_back() {
        let mut names: Vec<&str> = OrgEventType::ALL.iter().map(|t| t.as_str()).collect();
        for t in OrgEventType::ALL {
            assert_eq!(OrgEventType::parse(t.as_str()), Some(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OrgEventType::ALL.len());
        assert!(OrgEventType::parse("session.deleted").is_none());
    }

    #[test]
    fn a_filter_is_all_or_known_types_and_names_an_unknown_one() {
        let all = EventTypes::parse(&["*".into()]).unwrap();
        assert!(all.includes(OrgEventType::MessageCreated));
        assert!(!all.includes(OrgEventType::Ping));
        let some = EventTypes::parse(&[
            "session.booked".into(),
            "session.cancelled".into(),
            "session.booked".into(),
        ])
        .unwrap();
        assert_eq!(some.to_wire(), ["session.booked", "session.cancelled"]);
        assert!(some.includes(OrgEventType::SessionBooked));
        assert!(!some.includes(OrgEventType::SessionCompleted));
        let err =
            EventTypes::parse(&["session.booked".into(), "session.exploded".into()]).unwrap_err();
        assert!(err.contains("session.exploded"), "{err}");
        assert!(EventTypes::parse(&[]).is_err());
        assert_eq!(
            EventTypes::parse(&["session.booked".into(), "*".into()]),
            Ok(EventTypes::All)
        );
        assert!(EventTypes::parse(&["ping".into()]).is_err());
    }
}
