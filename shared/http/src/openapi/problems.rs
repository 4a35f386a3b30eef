//! Problem answers in the document: every `Problem` body is `application/problem+json` (what
//! `ApiError` sends), and the answers every operation of a kind can give (a bad token, a body
//! or query that breaks the schema, an id that names nothing, a store failure) are listed on
//! each such operation in one place, each naming its problem `code`, so no handler can forget
//! one.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};

/// The media type of every error (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What each status means when an annotation gives no description of its own.
fn default_description(status: &str) -> Option<&'static str> {
    Some(match status {
        "400" => "`validation_failed`: malformed JSON, or a field or parameter outside its schema",
        "401" => "`unauthenticated`: no bearer token, or one that is expired or not signed by us",
        "403" => "`forbidden`: the caller's role or relation to the record does not allow this",
        "404" => "`not_found`: no such record in the caller's org that the caller may see",
        "409" => "`conflict`: the record changed state meanwhile",
        "412" => "`precondition_failed`: `If-Match` names an older version (`currentVersion`)",
        "413" => "`payload_too_large`: the body is over 1 MiB",
        "415" => "`unsupported_media_type`: the body is not `application/json`",
        "500" => "`internal`: an unexpected failure (nothing internal in the body)",
        _ => return None,
    })
}

fn is_problem(content: &RefOr<Content>) -> bool {
    let problem = Ref::from_schema_name("Problem");
    matches!(content, RefOr::T(c) if matches!(&c.schema, Some(RefOr::Ref(r)) if *r == problem))
}

fn problem_response(status: &str) -> Response {
    let mut r = Response::new(default_description(status).unwrap_or_default());
    r.content.insert(
        PROBLEM_JSON.to_owned(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
    );
    r
}

/// The statuses an operation can answer whatever its handler does, from its shape.
fn generic_statuses(op: &Operation) -> Vec<&'static str> {
    let mut statuses = vec!["500"];
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.push("401");
    }
    let params = op.parameters.iter().flatten().filter_map(|p| match p {
        RefOr::T(p) => Some(&p.parameter_in),
        RefOr::Ref(_) => None,
    });
    for place in params {
        match place {
            ParameterIn::Path => statuses.push("404"),
            ParameterIn::Query => statuses.push("400"),
            _ => {}
        }
    }
    if op.request_body.is_some() {
        statuses.extend(["400", "413", "415"]);
    }
    statuses
}

/// What a success answer without a description of its own is.
fn success_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No content",
        _ => "Success",
    }
}

/// The problem codes a response's description names (in backticks), also as the response's
/// `x-problem-codes` list, so that tools read them without parsing prose.
fn name_codes(response: &mut Response) {
    let codes: Vec<&str> = response
        .description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| crate::problem::PROBLEM_CODES.contains(w))
        .collect();
    if codes.is_empty() {
        return;
    }
    let mut extensions = response.extensions.take().unwrap_or_default();
    extensions.insert("x-problem-codes".to_owned(), serde_json::json!(codes));
    response.extensions = Some(extensions);
}

/// See the module documentation.
pub struct Problems;

impl Modify for Problems {
    fn modify(&self, doc: &mut OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                if path.starts_with("/v1/") {
                    for status in generic_statuses(op) {
                        op.responses
                            .responses
                            .entry(status.to_owned())
                            .or_insert_with(|| RefOr::T(problem_response(status)));
                    }
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    if let Some(json) = response.content.shift_remove("application/json") {
                        let key = if is_problem(&json) {
                            PROBLEM_JSON
                        } else {
                            "application/json"
                        };
                        response.content.insert(key.to_owned(), json);
                    }
                    if response.content.contains_key(PROBLEM_JSON)
                        && response.description.is_empty()
                    {
                        response.description =
                            default_description(status).unwrap_or_default().to_owned();
                    }
                    if status.starts_with('4') || status.starts_with('5') {
                        name_codes(response);
                    } else if response.description.is_empty() {
                        // OpenAPI requires a description on every response.
                        response.description = success_description(status).to_owned();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi as _;

    #[test]
    fn every_error_answer_is_problem_json_and_names_its_code() {
        let doc = serde_json::to_value(crate::openapi::ApiDocs::openapi()).unwrap();
        let mut uncoded = Vec::new();

        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, r) in op["responses"].as_object().unwrap() {
                    if !status.starts_with('4') && !status.starts_with('5') || r["$ref"].is_string()
                    {
                        continue;
                    }
                    let at = format!("{method} {path} {status}");
                    assert!(r["content"]["application/json"].is_null(), "{at}");
                    assert!(r["content"][super::PROBLEM_JSON].is_object(), "{at}");
                    let description = r["description"].as_str().unwrap_or_default();
                    if !description.contains('`') {
                        uncoded.push(format!("{at}: {description:?}"));
                    }
                }
            }
        }
        assert!(uncoded.is_empty(), "no problem code named: {uncoded:#?}");
    }
}
