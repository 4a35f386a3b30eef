//! The evaluation webhook's body on the wire: parsed in two steps by the handler (`type`, then
//! `data` as that type needs), documented as one of two shapes by `type`.

use super::evaluation::{DeletedDataDto, EvaluationDataDto};
use serde::Deserialize;
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// A webhook delivery: `type` decides what `data` must hold.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookBody {
    /// `evaluation.completed` or `evaluation.deleted`.
    #[serde(rename = "type")]
    pub type_: String,
    /// [`EvaluationDataDto`] for `evaluation.completed`, [`DeletedDataDto`] for `evaluation.deleted`.
    pub data: serde_json::Value,
}

fn shape(type_: &str, data: Cow<'static, str>) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some(type_))
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([type_])),
        )
        .property("data", Ref::from_schema_name(data))
        .required("type")
        .required("data")
        .build()
        .into()
}

impl PartialSchema for WebhookBody {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(shape("evaluation.completed", EvaluationDataDto::name()))
            .item(shape("evaluation.deleted", DeletedDataDto::name()))
            .description(Some(
                "An evaluation completed (a newer one for the same `evaluationId` replaces it) \
                 or deleted.",
            ))
            .into()
    }
}

impl ToSchema for WebhookBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("WebhookBody")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            EvaluationDataDto::name().into(),
            EvaluationDataDto::schema(),
        ));
        schemas.push((DeletedDataDto::name().into(), DeletedDataDto::schema()));
        <EvaluationDataDto as ToSchema>::schemas(schemas);
    }
}
