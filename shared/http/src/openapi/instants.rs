//! Instants in query parameters (`from`, `to`): their schemas get [`INSTANT_PATTERN`] here, so
//! that the pattern is written once. A parameter's `#[param(pattern = ...)]` takes only a string
//! literal, and `#[param(schema_with = ...)]` would drop the parameter's description and
//! `required`; the parameters say `value_type = Option<String>, format = DateTime` and this
//! modifier adds the pattern to every such parameter.

use crate::dto::schema::INSTANT_PATTERN;
use utoipa::Modify;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr};

/// See the module documentation.
pub struct Instants;

impl Modify for Instants {
    fn modify(&self, doc: &mut OpenApi) {
        let operations = doc.paths.paths.values_mut().flat_map(|item| {
            [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
        });
        for operation in operations {
            let parameters = operation.parameters.iter_mut().flatten();
            for parameter in parameters {
                let RefOr::T(parameter) = parameter else {
                    continue;
                };
                if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut()
                    && object.format == Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))
                    && object.pattern.is_none()
                {
                    object.pattern = Some(INSTANT_PATTERN.to_owned());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::INSTANT_PATTERN;
    use utoipa::OpenApi;

    #[test]
    fn every_instant_parameter_has_the_instant_pattern() {
        let doc = serde_json::to_value(crate::openapi::ApiDocs::openapi()).unwrap();
        let mut instants = 0;
        for item in doc["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let schema = &parameter["schema"];
                    if schema["format"] == "date-time" {
                        assert_eq!(schema["pattern"], INSTANT_PATTERN, "{parameter}");
                        instants += 1;
                    }
                }
            }
        }
        assert_eq!(instants, 10, "the from/to of five queries");
    }
}
