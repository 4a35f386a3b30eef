//! `POST /v1/sessions` on the wire: one flat body for the handler, and a schema that is one of
//! three shapes by `kind`, because what a booking needs depends on its kind (an intro is 15
//! minutes, a paid session 30, 45 or 60, a review has a name and a period and may be a draft).

use super::{RecurrenceDto, SessionKindDto};
use crate::dto::schema::{grid_instant, id, ids, instant, text};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use std::borrow::Cow;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// The review period of a `review` session.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewInputDto {
    #[schema(schema_with = instant)]
    pub period_start: DateTime<Utc>,
    /// After `periodStart`.
    #[schema(schema_with = instant)]
    pub period_end: DateTime<Utc>,
    /// At most 50 scorecards; none: all of them.
    #[serde(default)]
    #[schema(schema_with = scorecard_ids)]
    pub scorecard_ids: Vec<String>,
}

fn scorecard_ids() -> utoipa::openapi::Array {
    ids(50)
}

/// `POST /v1/sessions`. Its document schema is [`CreateSessionBody::schema`].
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSessionBody {
    pub kind: SessionKindDto,
    pub coach_id: String,
    pub client_id: String,
    /// Required for intro and paid; a review without it is a draft.
    pub starts_at: Option<DateTime<Utc>>,
    /// intro: 15 (default); paid: 30, 45 or 60; review: 15..120 in steps of 15 (default 30).
    pub duration_minutes: Option<u32>,
    pub name: Option<String>,
    pub agenda_template_id: Option<String>,
    pub recurrence: Option<RecurrenceDto>,
    pub review: Option<ReviewInputDto>,
}

/// One kind's shape: the fields every booking has, plus `kind`'s own.
fn shape(kind: &str, durations: &[u32], required: &[&str], example: serde_json::Value) -> Schema {
    let mut o = ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some(kind))
        .property(
            "kind",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([kind])),
        )
        .property(
            "coachId",
            id_with("the coach (an org member with coach settings)"),
        )
        .property("clientId", id_with("the client (coachee); not the coach"))
        .property("startsAt", grid_instant())
        .property(
            "durationMinutes",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .enum_values(Some(durations.iter().copied())),
        )
        .property("name", text(200))
        .property("agendaTemplateId", id())
        .property("recurrence", Ref::from_schema_name(RecurrenceDto::name()))
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .examples([example]);
    if kind == "review" {
        o = o.property("review", Ref::from_schema_name(ReviewInputDto::name()));
    }
    for r in ["kind", "coachId", "clientId"].iter().chain(required) {
        o = o.required(*r);
    }
    o.build().into()
}

fn id_with(description: &str) -> Schema {
    let mut s = id();
    s.description = Some(description.to_owned());
    Schema::Object(s)
}

impl PartialSchema for CreateSessionBody {
    fn schema() -> RefOr<Schema> {
        let intro = shape(
            "intro",
            &[15],
            &["startsAt"],
            json!({"kind": "intro", "coachId": "coach-ana", "clientId": "client-bo",
                "startsAt": "2026-12-07T12:00:00Z"}),
        );
        let paid = shape(
            "paid",
            &[30, 45, 60],
            &["startsAt", "durationMinutes"],
            json!({"kind": "paid", "coachId": "coach-ana", "clientId": "client-bo",
                "startsAt": "2026-12-07T09:00:00Z", "durationMinutes": 60}),
        );
        let review = shape(
            "review",
            &[15, 30, 45, 60, 75, 90, 105, 120],
            &["name", "review"],
            json!({"kind": "review", "coachId": "coach-ana", "clientId": "client-bo",
                "name": "November review",
                "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"}}),
        );
        OneOfBuilder::new()
            .item(intro)
            .item(paid)
            .item(review)
            .description(Some(
                "A booking: an `intro` (15 minutes, free), a `paid` session (30, 45 or 60 minutes) \
                 or a `review` (named, with a review period; without `startsAt` a draft). \
                 `startsAt` must be a free slot of the coach (else 409 `slot_unavailable`).",
            ))
            .into()
    }
}

impl ToSchema for CreateSessionBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CreateSessionBody")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((RecurrenceDto::name().into(), RecurrenceDto::schema()));
        schemas.push((ReviewInputDto::name().into(), ReviewInputDto::schema()));
        <RecurrenceDto as ToSchema>::schemas(schemas);
        <ReviewInputDto as ToSchema>::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> Vec<serde_json::Value> {
        let doc = serde_json::to_value(CreateSessionBody::schema()).unwrap();
        doc["oneOf"].as_array().unwrap().clone()
    }

    #[test]
    fn each_kinds_example_is_a_body_the_handler_parses() {
        for shape in shapes() {
            let example = shape["examples"][0].clone();

            let parsed: Result<CreateSessionBody, _> = serde_json::from_value(example.clone());

            assert!(parsed.is_ok(), "{example} does not parse: {parsed:?}");
        }
    }

    #[test]
    fn every_property_of_every_kind_is_a_field_of_the_body() {
        let fields = [
            "kind",
            "coachId",
            "clientId",
            "startsAt",
            "durationMinutes",
            "name",
            "agendaTemplateId",
            "recurrence",
            "review",
        ];
        for shape in shapes() {
            for (name, _) in shape["properties"].as_object().unwrap() {
                assert!(fields.contains(&name.as_str()), "{name} is not a field");
            }
            assert_eq!(shape["additionalProperties"], false);
        }
    }
}
