//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::dto::MoneyDto;
use crate::dto::coach::*;
use crate::dto::evaluation::*;
use crate::dto::insights::*;
use crate::dto::kinds::*;
use crate::dto::message::*;
use crate::dto::reschedule::*;
use crate::dto::session::*;
use crate::problem::{Problem, ProblemCode, ProblemField};
use crate::routes;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod bodies;
mod links;
mod problems;
mod unavailable;
pub use bodies::OptionalBodies;
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

#[derive(OpenApi)]
#[openapi(
    info(title = "Coaching API", version = "0.1.0",
        description = "Booked coaching calls, evaluation-driven coaching and recurring 1:1s. Errors are application/problem+json with a stable `code`."),
    paths(
        routes::meta::health, routes::meta::openapi, routes::meta::set_test_clock,
        routes::meta::get_test_clock, routes::meta::notifications,
        routes::coaches::put_settings, routes::coaches::get_settings, routes::coaches::slots,
        routes::insights::analytics, routes::insights::issue_calendar_token,
        routes::insights::calendar_feed,
        routes::sessions::create, routes::sessions::list, routes::sessions::get_one,
        routes::sessions::patch, routes::sessions::cancel, routes::sessions::complete,
        routes::sessions::no_show, routes::sessions::join,
        routes::sessions::request_review, routes::sessions::review,
        routes::reschedule::reschedule, routes::reschedule::list, routes::reschedule::get_one,
        routes::reschedule::approve, routes::reschedule::reject, routes::reschedule::run_job,
        routes::webhooks::evaluations, routes::evaluations::list, routes::evaluations::stats,
        routes::evaluations::put_criterion, routes::evaluations::delete_criterion,
        routes::evaluations::generate,
        routes::org::get_settings, routes::org::put_settings, routes::org::rotate_secret, routes::org::current_secret,
        routes::org::create_article, routes::org::list_articles, routes::org::delete_article,
        routes::continuity::create_template, routes::continuity::list_templates,
        routes::continuity::create_item, routes::continuity::patch_item,
        routes::continuity::list_items,
        routes::messages::post_message, routes::messages::list_messages,
    ),
    components(schemas(Problem, ProblemCode, ProblemField, PartyDto, GenerationStatusDto, JobActionKindDto, ReminderTypeDto, MoneyDto, AvailabilityDto, CoachSettingsBody, CoachSettingsDto, SlotDto, SlotsDto,
        AnalyticsDto, MonthRevenueDto, CalendarTokenDto,
        SessionDto, SessionListDto, SessionReviewDto, ReviewBody, CreateSessionBody, PatchSessionBody, CancelBody, CompletedDto, JoinDto,
        NotificationDto, NotificationListDto, TestClockDto,
        RescheduleBody, RejectBody, RequestStatusDto, RescheduleRequestDto, RescheduleRequestedDto,
        DecisionDto, RescheduleRequestListDto, JobNameDto, JobActionDto, JobRunDto,
        WebhookBody, ScoreDto, EvaluationDataDto, DeletedDataDto, WebhookOutcomeDto, WebhookAckDto,
        EvaluationDto, EvaluationListDto, RecentScoreDto, CriterionStatsRowDto, CriteriaStatsDto,
        CriterionBody, GenerateBody, GenerateAcceptedDto, OrgSettingsDto, WebhookSecretDto, CurrentWebhookSecretDto, WebhookSecretSourceDto, KbArticleBody, KbArticleDto, KbArticleListDto,
        routes::continuity::AgendaTemplateBody, routes::continuity::AgendaTemplateDto,
        routes::continuity::AgendaTemplateListDto, routes::continuity::ActionItemBody,
        routes::continuity::ActionItemPatchBody, routes::continuity::ActionItemListDto,
        MessageBody, MessageDto, MessageListDto)),
    modifiers(&BearerAuth, &Links, &Unavailable, &Problems, &OptionalBodies),
    tags((name = "sessions"), (name = "rescheduling"), (name = "coaches"), (name = "notifications"),
        (name = "jobs"), (name = "evaluations"), (name = "org"), (name = "meta"))
)]
pub struct ApiDocs;
