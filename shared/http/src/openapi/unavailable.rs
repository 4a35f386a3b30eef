//! The 503 every store-backed operation can answer, added to the document in one place rather
//! than in each handler's annotations: when the data store cannot be reached, answers too
//! slowly or throttles (`store_unavailable`), or a request runs past the router's deadline
//! (`timeout`), the answer is 503 problem+json with `Retry-After`.

use crate::problem::{REQUEST_TIMEOUT, RETRY_AFTER_SECONDS};
use utoipa::Modify;
use utoipa::openapi::content::Content;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// The shared response's name under `components/responses`.
pub const RESPONSE: &str = "Unavailable";

/// Paths that never touch the store (served from memory), hence no 503 of the store.
const STORELESS: &[&str] = &["/v1/test-clock"];

/// Adds the shared 503 response to `components/responses` and a reference to it to every
/// operation under `/v1/` (all of them read or write the store) that does not list a 503.
pub struct Unavailable;

impl Modify for Unavailable {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .responses
            .insert(RESPONSE.to_owned(), RefOr::T(response()));
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/v1/") || STORELESS.contains(&path.as_str()) {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                operation
                    .responses
                    .responses
                    .entry("503".to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(RESPONSE)));
            }
        }
    }
}

fn response() -> Response {
    let mut response = described();
    let mut extensions = utoipa::openapi::extensions::Extensions::default();
    extensions.insert(
        "x-problem-codes".to_owned(),
        serde_json::json!(["store_unavailable", "timeout", "overloaded"]),
    );
    response.extensions = Some(extensions);
    response
}

fn described() -> Response {
    let retry_after = HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
        ))
        .description(Some(format!(
            "Seconds to wait before trying again ({RETRY_AFTER_SECONDS})."
        )))
        .build();
    ResponseBuilder::new()
        .description(format!(
            "`store_unavailable`: the data store cannot be reached, does not answer in time or is \
         throttling; `timeout`: the request took longer than {} s; `overloaded` (coaching-local): \
         the server is at its connection cap and could not make room. Nothing internal in the body. \
         A write that answered 503 may or may not have been applied: send it again with the \
         same `Idempotency-Key` where the operation takes one, or read before retrying.",
            REQUEST_TIMEOUT.as_secs()
        ))
        .header("Retry-After", retry_after)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use crate::openapi::ApiDocs;
    use utoipa::OpenApi;

    #[test]
    fn every_store_operation_documents_the_503_and_the_rest_do_not() {
        let doc = serde_json::to_value(ApiDocs::openapi()).unwrap();
        let shared = &doc["components"]["responses"][super::RESPONSE];
        assert_eq!(
            shared["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem"
        );
        assert_eq!(
            shared["headers"]["Retry-After"]["schema"]["type"],
            "integer"
        );
        let mut with = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let documented = operation["responses"].get("503").is_some();
                let store = path.starts_with("/v1/") && path != "/v1/test-clock";
                assert_eq!(documented, store, "{method} {path}");
                with += usize::from(documented);
            }
        }
        assert!(with > 30, "{with} operations with a 503");
    }
}
