//! The request each operation is tried with: path parameters filled from the seeded world, a
//! query and a valid minimal body, and the time it is sent at, so that authorization (never
//! validation, never the clock) decides the answer.

use crate::world::{ANA, BO, CRITERION, EVALUATION, SESSION_START, World};
use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

pub struct Request {
    pub method: Method,
    pub path: String,
    pub body: Option<Value>,
    /// The test clock for the call.
    pub now: String,
}

/// The request for `op` (`"METHOD /template"`) against `world`.
pub fn call_for(world: &World, op: &str) -> Request {
    let (method, template) = op.split_once(' ').expect("METHOD /path");
    let method: Method = method.parse().expect("method");
    let path = fill(world, template);
    let now = match op {
        // The session's start plus 20 minutes: it may be joined, completed, marked no-show.
        "POST /v1/sessions/{id}/complete"
        | "POST /v1/sessions/{id}/no-show"
        | "POST /v1/sessions/{id}/join" => plus(SESSION_START, 20),
        _ => START.to_owned(),
    };
    let query = match op {
        "GET /v1/coaches/{coachId}/slots" => {
            "?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z&durationMinutes=30"
        }
        "GET /v1/coaches/{coachId}/analytics" => {
            "?from=2026-11-01T00:00:00Z&to=2027-01-01T00:00:00Z"
        }
        // Asking for BO's items by name, so that a stranger asking is a real attempt.
        "GET /v1/action-items" => "?assigneeId=client-bo",
        _ => "",
    };
    Request {
        method,
        path: format!("{path}{query}"),
        body: body_for(op),
        now,
    }
}

/// `template` with each `{parameter}` replaced by the seeded id it stands for.
fn fill(world: &World, template: &str) -> String {
    // `{id}` names a different record under each collection.
    let id = if template.starts_with("/v1/reschedule-requests/") {
        &world.request
    } else if template.starts_with("/v1/webhook-endpoints/") {
        &world.endpoint
    } else if template.starts_with("/v1/webhook-deliveries/") {
        &world.delivery
    } else if template.starts_with("/v1/action-items/") {
        &world.item
    } else if template.ends_with("/review") || template.ends_with("/review-request") {
        &world.completed
    } else if template.contains("/criteria/") || template.ends_with("/generate") {
        &world.review
    } else {
        &world.session
    };
    template
        .replace("{id}", id)
        .replace("{coachId}", ANA)
        .replace("{coacheeId}", BO)
        .replace("{criterionId}", CRITERION)
        .replace("{articleId}", &world.article)
        .replace("{job}", "reminders")
        .replace("{orgId}", ORG)
        .replace("{token}", &world.calendar)
}

/// A body the operation accepts from an allowed caller.
fn body_for(op: &str) -> Option<Value> {
    let body = match op {
        "PUT /v1/test-clock" => json!({"now": START}),
        "PUT /v1/coaches/{coachId}/settings" => standard_settings(),
        "POST /v1/sessions" => paid(ANA, BO, "2026-12-09T08:00:00Z", 30),
        "PATCH /v1/sessions/{id}" => json!({"notes": "rewritten"}),
        "POST /v1/sessions/{id}/cancel" => json!({"reason": "travel"}),
        "POST /v1/sessions/{id}/review" => json!({"rating": 5, "comment": "helpful"}),
        "POST /v1/sessions/{id}/action-items" => {
            json!({"title": "Read the guide", "assigneeId": BO})
        }
        "POST /v1/sessions/{id}/reschedule" => json!({"startsAt": "2026-12-07T12:00:00Z"}),
        "POST /v1/reschedule-requests/{id}/reject" => json!({"reason": "busy"}),
        "POST /v1/orgs/{orgId}/webhooks/evaluations" => completed(evaluation(
            "ev-authz-2",
            BO,
            "2026-11-12T10:00:00Z",
            json!([score(CRITERION, "Accuracy", Some(3.0), 4.0, None)]),
        )),
        "PUT /v1/sessions/{id}/criteria/{criterionId}" => {
            json!({"summary": "Rewritten", "linkedEvaluationIds": [EVALUATION]})
        }
        "POST /v1/sessions/{id}/generate" => json!({}),
        "PUT /v1/org/settings" => json!({"includeSoftCriteria": false, "kbLinksEnabled": true}),
        "POST /v1/kb-articles" => {
            json!({"title": "Escalations", "url": "https://kb.example.com/esc", "keywords": ["escalation"]})
        }
        "POST /v1/agenda-templates" => json!({"name": "Monthly", "items": ["Goals"]}),
        "PATCH /v1/action-items/{id}" => json!({"done": true}),
        "POST /v1/sessions/{id}/messages" => json!({"text": "See you Monday"}),
        "POST /v1/webhook-endpoints" => {
            json!({"url": "https://hooks.example.com/new", "eventTypes": ["*"]})
        }
        "PATCH /v1/webhook-endpoints/{id}" => json!({"description": "renamed"}),
        _ => return None,
    };
    Some(body)
}
