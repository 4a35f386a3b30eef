//! The notification types as the OpenAPI document names them: the inbox `type` and the
//! EventBridge `detail-type` (docs/api.md#notifications-reminders-and-jobs), and what each type's `data` holds (a `oneOf` by `type`, so a
//! generated client has a class per type). The domain's `NotificationType` stays free of
//! utoipa; [`NotificationTypeDto`] wraps it and documents its list (the `data` schemas match on
//! it exhaustively), and the API tests check every notification the services write against
//! [`check_data`].
use super::kinds::{GenerationStatusDto, PartyDto, ReminderLeadDto};
use super::sessions::SessionKindDto;
use chrono::{DateTime, Utc};
use coaching_domain::notification::NotificationType;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::openapi::schema::{
    Discriminator, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Its schema is a `oneOf` by `type` (below).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDto {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub session_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationListDto {
    pub items: Vec<NotificationDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// 1..200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `nextCursor` of the page before (any other value is 400).
    pub cursor: Option<String>,
}

/// The domain's notification type as the document names it (`NotificationType`): a string
/// enum of the domain's wire names, in the domain's order, so that the list is kept in one
/// place ([`NotificationType::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct NotificationTypeDto(pub NotificationType);

impl From<NotificationType> for NotificationTypeDto {
    fn from(notification_type: NotificationType) -> Self {
        Self(notification_type)
    }
}

impl PartialSchema for NotificationTypeDto {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(NotificationType::ALL.map(|t| t.as_str())))
            .into()
    }
}

impl ToSchema for NotificationTypeDto {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NotificationType")
    }
}

/// What every notification's `data` holds: the session as it was when the notification was
/// written. The types add their own fields (`notification_data!`).
macro_rules! notification_data {
    (
        $( $(#[$doc:meta])* $name:ident => $data:ident { $( $(#[$m:meta])* $field:ident : $ty:ty ),* $(,)? } )*
        // Types not about a session, whose data struct is written out below.
        ; others: $( $other:ident => $other_data:ident ),* $(,)?
    ) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
            #[serde(rename_all = "camelCase")]
            pub struct $data {
                /// The session's name.
                pub session_name: String,
                pub kind: SessionKindDto,
                pub coach_id: String,
                pub client_id: String,
                /// The session's start (after the change the notification reports).
                pub starts_at: Option<DateTime<Utc>>,
                pub duration_minutes: u32,
                $( $(#[$m])* pub $field: $ty, )*
            }
        )*

        /// The name of each type's `data` schema, by wire name.
        fn data_schema_name(t: NotificationTypeDto) -> Cow<'static, str> {
            match t {
                $( NotificationTypeDto(NotificationType::$name) => $data::name(), )*
                $( NotificationTypeDto(NotificationType::$other) => $other_data::name(), )*
            }
        }

        fn data_schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            $(
                schemas.push(($data::name().into_owned(), $data::schema()));
                <$data as ToSchema>::schemas(schemas);
            )*
            $(
                schemas.push(($other_data::name().into_owned(), $other_data::schema()));
                <$other_data as ToSchema>::schemas(schemas);
            )*
        }

        /// Whether `data` is what the document says a notification of type `t` carries (every
        /// field of its schema, nothing more: read as the type's struct and written again, it
        /// is the same JSON): for tests of what the services write.
        pub fn check_data(notification_type: NotificationTypeDto, data: &serde_json::Value) -> Result<(), String> {
            let again = match notification_type {
                $( NotificationTypeDto(NotificationType::$name) => serde_json::from_value::<$data>(data.clone())
                    .and_then(serde_json::to_value), )*
                $( NotificationTypeDto(NotificationType::$other) => serde_json::from_value::<$other_data>(data.clone())
                    .and_then(serde_json::to_value), )*
            }
            .map_err(|e| format!("{}: {e}", notification_type.as_str()))?;
            if &again == data {
                Ok(())
            } else {
                Err(format!("{}: {data} is not as documented ({again})", notification_type.as_str()))
            }
        }
    };
}

notification_data! {
    /// `session_booked`: a booking, or the next session of a recurring series (`seriesId`).
    SessionBooked => SessionBookedData {
        /// Who booked it (absent for the next session of a series).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        booked_by: Option<String>,
        /// The series the next session continues (only for those).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        series_id: Option<Option<String>>,
    }
    /// `session_rescheduled`: the session moved.
    SessionRescheduled => SessionRescheduledData {
        #[schema(required = true)]
        previous_starts_at: Option<DateTime<Utc>>,
        rescheduled_by: PartyDto,
        #[schema(required = true)]
        reason: Option<String>,
    }
    /// `session_cancelled`.
    SessionCancelled => SessionCancelledData {
        cancelled_by: PartyDto,
        #[schema(required = true)]
        reason: Option<String>,
    }
    /// `session_scheduled`: a draft review session got its time.
    SessionScheduled => SessionScheduledData {
        /// Who booked it, when it was booked with its time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        booked_by: Option<String>,
    }
    /// `reschedule_requested`: a client asks the coach to move the session.
    RescheduleRequested => RescheduleRequestedData {
        request_id: String,
        proposed_starts_at: DateTime<Utc>,
        #[schema(required = true)]
        reason: Option<String>,
        expires_at: DateTime<Utc>,
    }
    /// `reschedule_approved`: the session moved to the proposed time.
    RescheduleApproved => RescheduleApprovedData {
        request_id: String,
        #[schema(required = true)]
        previous_starts_at: Option<DateTime<Utc>>,
    }
    /// `reschedule_rejected`: the session keeps its time.
    RescheduleRejected => RescheduleRejectedData {
        request_id: String,
        #[schema(required = true)]
        reason: Option<String>,
    }
    /// `reschedule_expired`: nobody decided in time; the session keeps its time.
    RescheduleExpired => RescheduleExpiredData {
        request_id: String,
        proposed_starts_at: DateTime<Utc>,
        #[schema(required = true)]
        reason: Option<String>,
        expires_at: DateTime<Utc>,
    }
    /// `reminder_24h`: the session starts in 24 hours.
    Reminder24h => Reminder24hData {
        reminder: ReminderLeadDto,
    }
    /// `reminder_1h`: the session starts in an hour.
    Reminder1h => Reminder1hData {
        reminder: ReminderLeadDto,
    }
    /// `review_requested`: the coach asks the client to review the session.
    ReviewRequested => ReviewRequestedData {
        requested_by: String,
    }
    /// `coaching_ready`: a generation ended (`succeeded` or `failed`).
    CoachingReady => CoachingReadyData {
        generation_id: String,
        status: GenerationStatusDto,
    }
    /// `message_received`: the other participant wrote in the session's thread.
    MessageReceived => MessageReceivedData {
        session_id: String,
        message_id: String,
        author_id: String,
    }
    ; others: WebhookEndpointDisabled => WebhookEndpointDisabledData,
}

/// `webhook_endpoint_disabled` (to the admins who made or last changed the endpoint; no
/// session): an outbound webhook endpoint was disabled because it answered `410 Gone` or its
/// deliveries failed for five days.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpointDisabledData {
    pub endpoint_id: String,
    pub url: String,
    pub disabled_reason: super::webhook_endpoints::DisabledReasonDto,
    /// The first failed attempt since the last success.
    pub failing_since: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

impl NotificationTypeDto {
    pub const ALL: [NotificationTypeDto; NotificationType::ALL.len()] = {
        let mut all = [Self(NotificationType::ALL[0]); NotificationType::ALL.len()];
        let mut i = 1;
        while i < all.len() {
            all[i] = Self(NotificationType::ALL[i]);
            i += 1;
        }
        all
    };

    pub fn as_str(self) -> &'static str {
        self.0.as_str()
    }

    /// The wire name of this type's notification schema: `SessionBookedNotification`.
    fn envelope_name(self) -> String {
        let data = data_schema_name(self);
        format!("{}Notification", data.trim_end_matches("Data"))
    }

    pub fn parse(text: &str) -> Option<Self> {
        NotificationType::parse(text).map(Self)
    }
}

/// One notification of type `t`: `type` names it, `data` is its type's schema.
fn envelope(t: NotificationTypeDto) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([t.as_str()])),
        )
        .property(
            "sessionId",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .description(Some("The session it is about.")),
        )
        .property(
            "createdAt",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .property("data", Ref::from_schema_name(data_schema_name(t)))
        .required("id")
        .required("type")
        .required("sessionId")
        .required("createdAt")
        .required("data")
        .build()
        .into()
}

impl PartialSchema for NotificationDto {
    fn schema() -> RefOr<Schema> {
        let mut one_of = OneOfBuilder::new().description(Some(
            "An inbox notification: `type` says which, and what its `data` holds.",
        ));
        let mut mapping = Vec::new();
        for t in NotificationTypeDto::ALL {
            let name = t.envelope_name();
            one_of = one_of.item(Ref::from_schema_name(name.clone()));
            mapping.push((
                t.as_str().to_owned(),
                format!("#/components/schemas/{name}"),
            ));
        }
        one_of
            .discriminator(Some(Discriminator::with_mapping("type", mapping)))
            .into()
    }
}

impl ToSchema for NotificationDto {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NotificationDto")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for t in NotificationTypeDto::ALL {
            schemas.push((t.envelope_name(), envelope(t).into()));
        }
        data_schemas(schemas);
        schemas.push((
            NotificationTypeDto::name().into_owned(),
            NotificationTypeDto::schema(),
        ));
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

        // The inbox entry is one of a schema per type, told apart by `type`.
        let inbox = &schemas["NotificationDto"];
        assert_eq!(inbox["discriminator"]["propertyName"], "type");
        let variants = inbox["oneOf"].as_array().expect("a oneOf");
        assert_eq!(variants.len(), all.len());
        for (t, variant) in NotificationTypeDto::ALL.iter().zip(variants) {
            let name = t.envelope_name();
            let target = format!("#/components/schemas/{name}");
            assert_eq!(variant["$ref"], target.as_str());
            assert_eq!(
                inbox["discriminator"]["mapping"][t.as_str()],
                target.as_str()
            );
            let envelope = &schemas[name.as_str()];
            assert_eq!(
                envelope["properties"]["type"]["enum"],
                serde_json::json!([t.as_str()])
            );
            let data = envelope["properties"]["data"]["$ref"].as_str().unwrap();
            let data = data.trim_start_matches("#/components/schemas/");
            // Every type is about a session but the endpoint's.
            let subject = match t.0 {
                NotificationType::WebhookEndpointDisabled => "endpointId",
                _ => "sessionName",
            };
            assert!(schemas[data]["properties"][subject].is_object(), "{data}");
        }
    }

    #[test]
    fn the_mirror_lists_the_domain_types_in_order() {
        let mirror: Vec<&str> = NotificationTypeDto::ALL
            .iter()
            .map(|t| t.as_str())
            .collect();
        let domain: Vec<&str> = NotificationType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(mirror, domain);
        for t in NotificationTypeDto::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(NotificationTypeDto::parse(t.as_str()), Some(t));
        }
    }
}
