//! The problem codes of the document are the codes the server answers: every code a handler or
//! the domain can put into a problem (found in their source) is in `PROBLEM_CODES`, the
//! document's `ProblemCode` enum is exactly that list, and every error response names at least
//! one code of it (in backticks in its description), none outside it.

use coaching_http::problem::PROBLEM_CODES;
use std::collections::BTreeSet;
use std::path::Path;
use utoipa::OpenApi;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal that `text` starts with a call's arguments of, before the call's first
/// closing bracket: the code of `ApiError::new(StatusCode::CONFLICT, "conflict", ...)`.
fn literal_argument(text: &str) -> Option<&str> {
    let end = text.find(')').unwrap_or(text.len());
    let start = text[..end].find('"')? + 1;
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// Every code given to `ApiError::new`, `ApiError::unavailable` (and `Self::new` in
/// problem.rs) or as a `code: "..."` field (`DomainError::Unprocessable`) in the source of the
/// HTTP layer, the domain and coaching-local's server, with the file it was found in.
fn codes_in_source() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("../domain/src"), &mut files);
    // coaching-local's own server answers one more (503 `overloaded` at its connection cap).
    rust_files(&root.join("../../functions/local/src"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut calls = vec!["ApiError::new(", "ApiError::unavailable("];
        if file.ends_with("problem.rs") {
            calls.push("Self::new(");
        }
        for marker in calls {
            for (at, _) in text.match_indices(marker) {
                if let Some(code) = literal_argument(&text[at + marker.len()..])
                    && is_code(code)
                {
                    found.push((code.to_owned(), file.display().to_string()));
                }
            }
        }
        for (at, _) in text.match_indices("code: \"") {
            let rest = &text[at + "code: \"".len()..];
            if let Some(code) = rest.split('"').next()
                && is_code(code)
            {
                found.push((code.to_owned(), file.display().to_string()));
            }
        }
    }
    found
}

#[test]
fn every_code_the_source_answers_is_a_listed_problem_code() {
    let found = codes_in_source();
    assert!(
        found.len() > 15,
        "the scan found too few codes, is it broken? {found:?}"
    );
    let unknown: Vec<_> = found
        .iter()
        .filter(|(code, _)| !PROBLEM_CODES.contains(&code.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "codes answered but missing from PROBLEM_CODES (shared/http/src/problem.rs): {unknown:#?}"
    );
    // And the other way: no listed code that nothing answers any more.
    let answered: BTreeSet<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    let unused: Vec<_> = PROBLEM_CODES
        .iter()
        .filter(|c| !answered.contains(*c))
        .collect();
    assert!(unused.is_empty(), "listed but never answered: {unused:?}");
}

#[test]
fn the_documents_problem_code_enum_is_the_list() {
    let doc = serde_json::to_value(coaching_http::openapi::ApiDocs::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let listed: Vec<&str> = schemas["ProblemCode"]["enum"]
        .as_array()
        .expect("a ProblemCode enum")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, PROBLEM_CODES);
    assert_eq!(
        schemas["Problem"]["properties"]["code"]["$ref"],
        "#/components/schemas/ProblemCode"
    );
}

#[test]
fn every_error_response_names_its_codes_from_the_enum() {
    let doc = serde_json::to_value(coaching_http::openapi::ApiDocs::openapi()).unwrap();
    let mut unnamed = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, r) in op["responses"].as_object().unwrap() {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                // A shared response (`#/components/responses/Unavailable`).
                let r = match r["$ref"].as_str() {
                    Some(target) => {
                        let name = target.trim_start_matches("#/components/responses/");
                        &doc["components"]["responses"][name]
                    }
                    None => r,
                };
                let description = r["description"].as_str().unwrap_or_default();
                let named: Vec<&str> = description
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .filter(|w| PROBLEM_CODES.contains(w))
                    .collect();
                if named.is_empty() {
                    unnamed.push(format!("{method} {path} {status}: {description}"));
                }
                let listed: Vec<&str> = r["x-problem-codes"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                    .unwrap_or_default();
                assert_eq!(listed, named, "{method} {path} {status}: x-problem-codes");
            }
        }
    }
    assert!(unnamed.is_empty(), "no problem code named: {unnamed:#?}");
}

#[test]
fn the_join_conflict_names_too_early_and_conflict() {
    let doc = serde_json::to_value(coaching_http::openapi::ApiDocs::openapi()).unwrap();
    let codes =
        &doc["paths"]["/v1/sessions/{id}/join"]["post"]["responses"]["409"]["x-problem-codes"];
    assert_eq!(codes, &serde_json::json!(["too_early", "conflict"]));
}
