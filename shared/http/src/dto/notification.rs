//! The notification types as the OpenAPI document names them: the inbox `type` and the
//! EventBridge `detail-type` (§9). The domain's `NotificationType` stays free of utoipa; this
//! mirror is checked against it (an exhaustive match and a test of every wire name).

use coaching_domain::notification::NotificationType;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NotificationType)]
pub enum NotificationTypeDto {
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
}

impl From<NotificationType> for NotificationTypeDto {
    fn from(t: NotificationType) -> Self {
        use NotificationType as T;
        // Exhaustive on purpose: a new domain type does not compile until it is listed here.
        match t {
            T::SessionBooked => Self::SessionBooked,
            T::SessionRescheduled => Self::SessionRescheduled,
            T::SessionCancelled => Self::SessionCancelled,
            T::SessionScheduled => Self::SessionScheduled,
            T::RescheduleRequested => Self::RescheduleRequested,
            T::RescheduleApproved => Self::RescheduleApproved,
            T::RescheduleRejected => Self::RescheduleRejected,
            T::RescheduleExpired => Self::RescheduleExpired,
            T::Reminder24h => Self::Reminder24h,
            T::Reminder1h => Self::Reminder1h,
            T::ReviewRequested => Self::ReviewRequested,
            T::CoachingReady => Self::CoachingReady,
            T::MessageReceived => Self::MessageReceived,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_type_has_its_wire_name_in_the_document() {
        for t in NotificationType::ALL {
            let name = serde_json::to_value(NotificationTypeDto::from(t)).unwrap();
            assert_eq!(name, t.as_str(), "{t:?}");
        }
    }

    #[test]
    fn the_inbox_type_is_an_enum_of_every_type_in_the_document() {
        use utoipa::OpenApi;
        let doc = serde_json::to_value(crate::openapi::ApiDocs::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];

        let names: Vec<&str> = schemas["NotificationType"]["enum"]
            .as_array()
            .expect("a NotificationType enum")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();

        let all: Vec<&str> = NotificationType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, all);
        assert_eq!(
            schemas["NotificationDto"]["properties"]["type"]["$ref"],
            "#/components/schemas/NotificationType"
        );
    }
}
