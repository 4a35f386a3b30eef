//! `docs/openapi.json` is the document `GET /openapi.json` serves, so that every change of the
//! API shows as a reviewed diff of that file. Pretty-printed with the keys of every object
//! sorted, so that the file only changes when the document does.
//!
//! Refresh it after a deliberate change with
//! `COACHING_UPDATE_OPENAPI=1 cargo test -p coaching-http --test openapi_snapshot`.

use serde_json::{Map, Value};
use std::path::PathBuf;

const REFRESH: &str =
    "COACHING_UPDATE_OPENAPI=1 cargo test -p coaching-http --test openapi_snapshot";

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

/// `v` with the keys of every object in sorted order (whatever map serde_json is built with).
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k, sorted(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The served document (`GET /openapi.json` answers `ApiDocs::openapi()`) as the snapshot file
/// holds it.
fn served() -> String {
    use utoipa::OpenApi;
    let doc = coaching_http::openapi::ApiDocs::openapi();
    let value = sorted(serde_json::to_value(doc).unwrap());
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

#[test]
fn the_committed_document_is_the_served_one() {
    let served = served();
    let path = snapshot_path();
    if std::env::var_os("COACHING_UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::write(&path, &served).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != served {
        let line = committed
            .lines()
            .zip(served.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(served.lines().count()));
        panic!(
            "docs/openapi.json differs from the document GET /openapi.json serves (first at line \
             {}: committed {:?}, served {:?}).\nIf the API change is intended, refresh the file \
             and commit it with the change:\n\n    {REFRESH}\n",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end of file>"),
            served.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}
