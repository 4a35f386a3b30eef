//! Inbox notifications and the events published for them (docs/api.md#notifications).

use crate::ids::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationType {
    SessionBooked,
    SessionRescheduled,
    SessionCancelled,
    SessionScheduled,
    RescheduleRequested,
    RescheduleApproved,
    RescheduleRejected,
    RescheduleExpired,
    #[serde(rename = "reminder_24h")]
    Reminder24h,
    #[serde(rename = "reminder_1h")]
    Reminder1h,
    ReviewRequested,
    CoachingReady,
    MessageReceived,
    /// To the admins who made or last changed a webhook endpoint that was disabled: it
    /// answered `410 Gone`, or its deliveries failed for five days.
    WebhookEndpointDisabled,
}

impl NotificationType {
    pub const ALL: [NotificationType; 14] = [
        Self::SessionBooked,
        Self::SessionRescheduled,
        Self::SessionCancelled,
        Self::SessionScheduled,
        Self::RescheduleRequested,
        Self::RescheduleApproved,
        Self::RescheduleRejected,
        Self::RescheduleExpired,
        Self::Reminder24h,
        Self::Reminder1h,
        Self::ReviewRequested,
        Self::CoachingReady,
        Self::MessageReceived,
        Self::WebhookEndpointDisabled,
    ];
    /// The wire name: the inbox `type` and the EventBridge `detail-type`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SessionBooked => "session_booked",
            Self::SessionRescheduled => "session_rescheduled",
            Self::SessionCancelled => "session_cancelled",
            Self::SessionScheduled => "session_scheduled",
            Self::RescheduleRequested => "reschedule_requested",
            Self::RescheduleApproved => "reschedule_approved",
            Self::RescheduleRejected => "reschedule_rejected",
            Self::RescheduleExpired => "reschedule_expired",
            Self::Reminder24h => "reminder_24h",
            Self::Reminder1h => "reminder_1h",
            Self::ReviewRequested => "review_requested",
            Self::CoachingReady => "coaching_ready",
            Self::MessageReceived => "message_received",
            Self::WebhookEndpointDisabled => "webhook_endpoint_disabled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One inbox entry of one recipient. Stores write it together with the change that caused it,
/// and an outbox entry for its event, in one transaction.
///
/// Its JSON (camelCase, `type` for the kind) is also the event's `detail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: NotificationId,
    pub org: OrgId,
    pub recipient: UserId,
    #[serde(rename = "type")]
    pub kind: NotificationType,
    pub session_id: Option<SessionId>,
    pub created_at: DateTime<Utc>,
    pub data: serde_json::Value,
}
