//! Wire types of outbound webhooks (docs/api.md#org-events-and-outbound-webhooks): endpoints, their secret (shown
//! once), deliveries with their attempts, and the deliveries job's answer.

use chrono::{DateTime, Utc};
use coaching_domain::outbound::{
    Delivery, DeliveryAttempt, DeliveryStatus, DisabledReason, EndpointStatus, WebhookEndpoint,
};
use coaching_domain::service::DeliveryRun;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEndpointBody {
    /// `http(s)`, at most 2,048 characters, no credentials; not an internal address (422
    /// `unsafe_url`).
    #[schema(schema_with = super::schema::http_url, example = "https://crm.example.com/hooks/coaching")]
    pub url: String,
    /// `["*"]` for every type, else known event types (an unknown one is 400 naming it); `*`
    /// among others is every type too.
    #[schema(schema_with = event_types, example = json!(["session.booked", "session.cancelled"]))]
    pub event_types: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// The subscribable event types (`ping` is every endpoint's, by its test) and `*`.
fn event_types() -> utoipa::openapi::schema::Array {
    use coaching_domain::outbound::OrgEventType;
    let names = std::iter::once("*").chain(
        OrgEventType::ALL
            .iter()
            .filter(|t| **t != OrgEventType::Ping)
            .map(|t| t.as_str()),
    );
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .enum_values(Some(names)),
        )
        .min_items(Some(1))
        .max_items(Some(OrgEventType::ALL.len()))
        .build()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookEndpointStatus)]
pub enum EndpointStatusDto {
    Enabled,
    Disabled,
}

impl From<EndpointStatusDto> for EndpointStatus {
    fn from(status: EndpointStatusDto) -> Self {
        match status {
            EndpointStatusDto::Enabled => Self::Enabled,
            EndpointStatusDto::Disabled => Self::Disabled,
        }
    }
}

impl From<EndpointStatus> for EndpointStatusDto {
    fn from(status: EndpointStatus) -> Self {
        match status {
            EndpointStatus::Enabled => Self::Enabled,
            EndpointStatus::Disabled => Self::Disabled,
        }
    }
}

/// Why an endpoint is disabled: `manual` (an admin), `gone` (it answered 410), `failing` (five
/// days of failed deliveries without a success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookEndpointDisabledReason)]
pub enum DisabledReasonDto {
    Manual,
    Gone,
    Failing,
}

impl From<DisabledReason> for DisabledReasonDto {
    fn from(reason: DisabledReason) -> Self {
        match reason {
            DisabledReason::Manual => Self::Manual,
            DisabledReason::Gone => Self::Gone,
            DisabledReason::Failing => Self::Failing,
        }
    }
}

/// `PATCH`: absent fields stay as they are.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEndpointPatchBody {
    #[serde(default)]
    #[schema(schema_with = super::schema::http_url)]
    pub url: Option<String>,
    #[serde(default)]
    #[schema(schema_with = event_types)]
    pub event_types: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "super::continuity::double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    /// `enabled` starts it afresh (nothing of the past is replayed); `disabled` stops every
    /// delivery to it.
    #[serde(default)]
    pub status: Option<EndpointStatusDto>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpointDto {
    pub id: String,
    pub url: String,
    /// `["*"]` or the subscribed types.
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub status: EndpointStatusDto,
    pub disabled_reason: Option<DisabledReasonDto>,
    /// Until then deliveries also carry the signature of the secret the last rotation replaced.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The first failed attempt since the last success; five days of it disable the endpoint.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&WebhookEndpoint> for WebhookEndpointDto {
    fn from(endpoint: &WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id.to_string(),
            url: endpoint.url.clone(),
            event_types: endpoint.event_types.to_wire(),
            description: endpoint.description.clone(),
            status: endpoint.status.into(),
            disabled_reason: endpoint.disabled_reason.map(Into::into),
            previous_secret_expires_at: endpoint.previous_secret.as_ref().map(|p| p.until),
            last_success_at: endpoint.last_success_at,
            failing_since: endpoint.failing_since,
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
        }
    }
}

/// An endpoint with its secret: only the answers of create and rotate carry it
/// (`Cache-Control: no-store`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpointWithSecretDto {
    #[serde(flatten)]
    pub endpoint: WebhookEndpointDto,
    /// The Standard Webhooks secret (`whsec_…`) receivers verify signatures with.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpointListDto {
    /// Oldest first.
    pub items: Vec<WebhookEndpointDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookDeliveryStatus)]
pub enum DeliveryStatusDto {
    Pending,
    Succeeded,
    Failed,
}

impl From<DeliveryStatus> for DeliveryStatusDto {
    fn from(status: DeliveryStatus) -> Self {
        match status {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Succeeded => Self::Succeeded,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}

impl From<DeliveryStatusDto> for DeliveryStatus {
    fn from(status: DeliveryStatusDto) -> Self {
        match status {
            DeliveryStatusDto::Pending => Self::Pending,
            DeliveryStatusDto::Succeeded => Self::Succeeded,
            DeliveryStatusDto::Failed => Self::Failed,
        }
    }
}

/// One attempt: the receiver's status (none when it never answered), how long it took, what
/// went wrong (`timeout`, `connect`, `unsafe_address`, `redirect`, `http_status`, …: a code,
/// then what happened) and at most 1 KB of the answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttemptDto {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    pub error: Option<String>,
    pub response_body: Option<String>,
}

impl From<&DeliveryAttempt> for DeliveryAttemptDto {
    fn from(attempt: &DeliveryAttempt) -> Self {
        Self {
            at: attempt.at,
            status_code: attempt.status_code,
            duration_ms: attempt.duration_ms,
            error: attempt.error.clone(),
            response_body: attempt.response_body.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDeliveryDto {
    pub id: String,
    pub endpoint_id: String,
    /// The `webhook-id` of every attempt: receivers drop repeats by it.
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatusDto,
    /// Oldest first (the last 20).
    pub attempts: Vec<DeliveryAttemptDto>,
    /// While pending: when the next attempt is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&Delivery> for WebhookDeliveryDto {
    fn from(delivery: &Delivery) -> Self {
        Self {
            id: delivery.id.to_string(),
            endpoint_id: delivery.endpoint_id.to_string(),
            event_id: delivery.event_id.to_string(),
            event_type: delivery.event_type.as_str().to_owned(),
            status: delivery.status.into(),
            attempts: delivery.attempts.iter().map(Into::into).collect(),
            next_attempt_at: delivery
                .next_attempt_at
                .filter(|_| delivery.status == DeliveryStatus::Pending),
            created_at: delivery.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDeliveryListDto {
    /// Newest first.
    pub items: Vec<WebhookDeliveryDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListParams {
    /// Only deliveries with this status.
    pub status: Option<DeliveryStatusDto>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// What `POST /v1/admin/jobs/deliveries/run` did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRunDto {
    /// Attempts made.
    pub attempted: usize,
    pub succeeded: usize,
    /// Attempts that failed: retried later, or `failed` past the schedule.
    pub failed: usize,
    /// Due deliveries another worker held meanwhile.
    pub skipped: usize,
    /// Due deliveries handed to the delivery queue instead (on AWS the deliveries function
    /// attempts them).
    pub handed_over: usize,
}

impl From<DeliveryRun> for DeliveryRunDto {
    fn from(run: DeliveryRun) -> Self {
        Self {
            attempted: run.attempted,
            succeeded: run.succeeded,
            failed: run.failed,
            skipped: run.skipped,
            handed_over: run.handed_over,
        }
    }
}
