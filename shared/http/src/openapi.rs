//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::dto::MoneyDto;
use crate::dto::kinds::{GenerationStatusDto, JobActionKindDto, PartyDto, ReminderTypeDto};
use crate::problem::{Problem, ProblemCode, ProblemField};
use crate::routes;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod bodies;
mod instants;
mod links;
mod problems;
mod unavailable;
pub use bodies::OptionalBodies;
pub use instants::Instants;
pub use links::Links;
pub use problems::{PROBLEM_JSON, Problems};
pub use unavailable::Unavailable;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The rooms of the API, one per capability: each declares its handlers and wire types in
/// `#[openapi(paths(...), components(schemas(...)))]` next to them (`crate::routes::<capability>`).
/// A new room is added here; a new endpoint or type only to its room.
fn rooms() -> [utoipa::openapi::OpenApi; 15] {
    [
        routes::meta::MetaApi::openapi(),
        routes::notifications::NotificationsApi::openapi(),
        routes::coaches::CoachesApi::openapi(),
        routes::analytics::AnalyticsApi::openapi(),
        routes::calendar::CalendarApi::openapi(),
        routes::sessions::SessionsApi::openapi(),
        routes::rescheduling::ReschedulingApi::openapi(),
        routes::jobs::JobsApi::openapi(),
        routes::webhooks::WebhooksApi::openapi(),
        routes::evaluations::EvaluationsApi::openapi(),
        routes::generation::GenerationApi::openapi(),
        routes::org::OrgApi::openapi(),
        routes::continuity::ContinuityApi::openapi(),
        routes::messages::MessagesApi::openapi(),
        routes::webhook_endpoints::WebhookEndpointsApi::openapi(),
    ]
}

/// Merges the [`rooms`] into the document: their paths and schemas (before every other
/// modifier, which reads them).
struct Rooms;

impl Modify for Rooms {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for room in rooms() {
            openapi.merge(room);
        }
    }
}

/// The whole document: the shared schemas (problems, kinds, money) and the tags here, every
/// path and the rest of the schemas from the [`rooms`].
#[derive(OpenApi)]
#[openapi(
    info(title = "Coaching API", version = "0.1.0",
        description = "Booked coaching calls, evaluation-driven coaching and recurring 1:1s. Errors are application/problem+json with a stable `code`."),
    components(schemas(Problem, ProblemCode, ProblemField, PartyDto, GenerationStatusDto,
        JobActionKindDto, ReminderTypeDto, MoneyDto)),
    modifiers(&Rooms, &Instants, &BearerAuth, &Links, &Unavailable, &Problems, &OptionalBodies),
    tags((name = "sessions"), (name = "rescheduling"), (name = "coaches"), (name = "notifications"),
        (name = "jobs"), (name = "evaluations"), (name = "org"), (name = "webhooks",
        description = "Outbound webhooks: the org's endpoints, signed deliveries of its events, retries and the deliveries log"),
        (name = "meta"))
)]
pub struct ApiDocs;
