//! docs/api.md#identity-and-access and issue 12: the authorization matrix. Every operation of the OpenAPI document the
//! running Router serves, under each of eight callers, against real seeded resources, checked
//! against the one expectation table in `table.rs`; a route the table does not name fails.
//!
//! The rule for calls that change state: each operation gets a freshly seeded world. The calls
//! that must be refused (and every call of another org's admin) run first in that world, and a
//! snapshot of the seeded org taken before and after them must be equal. Each caller allowed
//! to change something then gets a fresh world of its own, so "allowed" always means a 2xx
//! (never a 409 caused by an earlier caller's effect). Reads share one world. Bodies and times
//! (`requests.rs`) are valid for an allowed caller, so only authorization decides.
//!
//! Leaks: another org's body must hold none of the seeded ids and texts, a client who takes
//! part in nothing none but the knowledge base's, the participant client no private notes.
//! `--nocapture` prints the status each caller got.

mod callers;
mod requests;
mod table;
mod world;

use callers::{CALLERS, Caller};
use coaching_tests::*;
use http::Method;
use serde_json::Value;
use std::collections::BTreeSet;
use table::{Expect, ROWS, Row};
use world::World;

/// One operation of the document: `"METHOD /path"`, and whether it asks for a bearer token.
#[derive(Debug, Clone)]
struct Operation {
    key: String,
    bearer: bool,
}

/// Every operation of `GET /openapi.json`, as the running Router serves it.
async fn document_operations() -> Vec<Operation> {
    let app = spawn_app().await;
    let r = app
        .request(Method::GET, "/openapi.json", None, None, &[])
        .await;
    r.assert_status(200);
    operations_of(&r.body)
}

fn operations_of(doc: &Value) -> Vec<Operation> {
    let root_bearer = has_bearer(&doc["security"]);
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths in the document") {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            let Some(op) = item.get(method) else { continue };
            let bearer = match op.get("security") {
                Some(s) => has_bearer(s),
                None => root_bearer,
            };
            out.push(Operation {
                key: format!("{} {path}", method.to_uppercase()),
                bearer,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn has_bearer(security: &Value) -> bool {
    security
        .as_array()
        .is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()))
}

fn row_of(key: &str) -> Option<&'static Row> {
    ROWS.iter().find(|r| r.op == key)
}

#[tokio::test]
async fn every_operation_in_the_document_has_a_row_in_the_table() {
    let ops = document_operations().await;

    let missing: Vec<&str> = ops
        .iter()
        .filter(|o| row_of(&o.key).is_none())
        .map(|o| o.key.as_str())
        .collect();

    assert!(
        missing.is_empty(),
        "operations of /openapi.json without a row in the authorization table: {missing:#?}"
    );
}

#[tokio::test]
async fn every_row_of_the_table_names_an_operation_of_the_document_once() {
    let ops: BTreeSet<String> = document_operations()
        .await
        .into_iter()
        .map(|o| o.key)
        .collect();
    let mut seen = BTreeSet::new();

    let stale: Vec<&str> = ROWS
        .iter()
        .map(|r| r.op)
        .filter(|op| !ops.contains(*op))
        .collect();
    let twice: Vec<&str> = ROWS
        .iter()
        .map(|r| r.op)
        .filter(|op| !seen.insert(*op))
        .collect();

    assert!(
        stale.is_empty(),
        "rows naming no operation of the document: {stale:#?}"
    );
    assert!(twice.is_empty(), "operations with two rows: {twice:#?}");
}

#[tokio::test]
async fn every_bearer_operation_refuses_the_three_bad_tokens_in_the_table() {
    let ops = document_operations().await;

    let lax: Vec<&str> = ops
        .iter()
        .filter(|o| o.bearer)
        .filter_map(|o| row_of(&o.key))
        .filter(|r| r.expect[..3].iter().any(|e| *e != Expect::Unauthorized))
        .map(|r| r.op)
        .collect();

    assert!(
        lax.is_empty(),
        "bearer operations whose row lets a bad token in: {lax:#?}"
    );
}

#[tokio::test]
async fn every_operation_answers_each_caller_as_the_table_says_and_leaks_nothing() {
    let ops = document_operations().await;
    let mut failures = Vec::new();

    for op in &ops {
        let Some(row) = row_of(&op.key) else { continue };
        failures.extend(run_operation(op, row).await);
    }

    assert!(
        failures.is_empty(),
        "{} authorization failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs one operation under all eight callers (see the module comment for the world rule);
/// returns what went wrong.
async fn run_operation(op: &Operation, row: &Row) -> Vec<String> {
    let mut failures = Vec::new();
    let reads_only = op.key.starts_with("GET ");
    let world = World::seed().await;
    let before = world.snapshot().await;
    let shared: Vec<(usize, Caller)> = CALLERS
        .iter()
        .copied()
        .enumerate()
        .filter(|(i, c)| reads_only || *c == Caller::OtherOrgAdmin || !row.expect[*i].lets_in())
        .collect();
    for (i, caller) in &shared {
        failures.extend(check_call(&world, op, *caller, row.expect[*i]).await);
    }
    world.app.set_now(START);
    if world.snapshot().await != before {
        failures.push(format!(
            "{}: calls by {:?} changed the seeded org",
            op.key,
            shared.iter().map(|(_, c)| *c).collect::<Vec<_>>()
        ));
    }
    for (i, caller) in CALLERS.iter().copied().enumerate() {
        if shared.iter().any(|(_, c)| *c == caller) {
            continue;
        }
        let fresh = World::seed().await;
        failures.extend(check_call(&fresh, op, caller, row.expect[i]).await);
    }
    failures
}

/// One call of `op` by `caller`, checked against `expect` and against what it must not see.
async fn check_call(world: &World, op: &Operation, caller: Caller, expect: Expect) -> Vec<String> {
    let call = requests::call_for(world, &op.key);
    world.app.set_now(&call.now);
    let r = world
        .app
        .request(
            call.method.clone(),
            &call.path,
            caller.token().as_deref(),
            call.body.as_ref(),
            &[],
        )
        .await;
    let mut failures = Vec::new();
    let what = format!("{} as {caller:?} ({} {})", op.key, call.method, call.path);
    if let Some(problem) = expect.mismatch(&r) {
        failures.push(format!("{what}: expected {expect:?}, {problem}"));
    }
    // The feed's token is its credential: whoever holds it reads the feed by design.
    if expect != Expect::Public {
        let text = r.body.to_string();
        for secret in world.hidden_from(caller) {
            if text.contains(&secret) {
                failures.push(format!("{what}: the body holds {secret:?}: {text}"));
            }
        }
    }
    println!("{what}: {}", r.status());
    failures
}
