//! The seeded org every operation is tried against: one resource of each kind with its ids,
//! what of it must never reach another org, and a snapshot to prove a refused call changed
//! nothing.

use crate::callers::Caller;
use coaching_tests::*;
use serde_json::{Value, json};

/// The coach of every seeded session.
pub const ANA: &str = "coach-ana";
/// The client of every seeded session and the coachee of the evaluations.
pub const BO: &str = "client-bo";
/// The evaluation delivered for BO, linked from the review's hand-written criterion.
pub const EVALUATION: &str = "ev-authz-1";
/// The criterion the coach wrote by hand on the review session.
pub const CRITERION: &str = "accuracy";
/// The start of the seeded scheduled session `session`.
pub const SESSION_START: &str = MON_0900;

/// Texts only the seeded org has: another org's body must hold none of them.
const TEXTS: &[&str] = &[
    "shared-notes-zq7",
    "private-notes-zq7",
    "review-name-zq7",
    "criterion-summary-zq7",
    "action-item-zq7",
    "kb-title-zq7",
    "template-name-zq7",
    "refund-comment-zq7",
    "message-zq7",
    "endpoint-zq7",
];

/// What the whole org may read (the knowledge base): hidden from another org only.
const ORG_WIDE: &[&str] = &["kb-title-zq7"];

pub struct World {
    pub app: TestApp,
    /// Paid, scheduled, a week ahead (Monday 2026-12-07 09:00 Berlin), with notes of both kinds.
    pub session: String,
    /// Paid and completed.
    pub completed: String,
    /// A scheduled review session of BO's November, with a generation and a hand criterion.
    pub review: String,
    /// The session of `request`.
    pub requested: String,
    /// BO's pending reschedule request.
    pub request: String,
    /// An action item of BO on `session`.
    pub item: String,
    pub article: String,
    pub template: String,
    pub generation: String,
    /// ANA's calendar feed token.
    pub calendar: String,
    /// BO's message on `session`.
    pub message: String,
    /// The org's outbound webhook endpoint.
    pub endpoint: String,
    /// A pending delivery (a ping) to `endpoint`.
    pub delivery: String,
}

impl World {
    /// A fresh app with one of everything, the clock back at [`START`].
    pub async fn seed() -> World {
        let app = spawn_app().await;
        let (ana, bo, cy) = (coach(ANA), client(BO), admin("admin-cy"));
        app.coach_with_settings(ANA).await;

        let session = id(&app.book_paid(ANA, BO, SESSION_START, 60).await);
        let notes = json!({"notes": "shared-notes-zq7", "privateNotes": "private-notes-zq7"});
        ok(app
            .patch(&format!("/v1/sessions/{session}"), &ana, &notes)
            .await);

        let completed = id(&app.book_paid(ANA, BO, "2026-11-30T10:00:00Z", 30).await);
        app.set_now("2026-11-30T10:05:00Z");
        ok(app
            .post_empty(&format!("/v1/sessions/{completed}/complete"), &ana)
            .await);
        app.set_now(START);

        // 26 hours ahead: BO's move becomes a request the coach decides.
        let requested = id(&app.book_paid(ANA, BO, "2026-12-01T10:00:00Z", 30).await);
        let moved = json!({"startsAt": "2026-12-01T13:00:00Z"});
        let r = app
            .post(&format!("/v1/sessions/{requested}/reschedule"), &bo, &moved)
            .await;
        let request = field(&ok(r), "/rescheduleRequest/id");

        let comment = Some("refund-comment-zq7");
        let scores = json!([score(CRITERION, "Accuracy", Some(1.0), 4.0, comment)]);
        app.deliver_evaluations(&[evaluation(EVALUATION, BO, "2026-11-10T10:00:00Z", scores)])
            .await;
        let review = json!({"kind": "review", "coachId": ANA, "clientId": BO,
            "name": "review-name-zq7", "durationMinutes": 45, "startsAt": "2026-12-08T08:00:00Z",
            "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"}});
        let review = id(&app.book_ok(&ana, &review).await);
        let r = app
            .post(&format!("/v1/sessions/{review}/generate"), &ana, &json!({}))
            .await;
        let generation = field(&ok(r), "/generation/id");
        app.run_worker().await;
        let criterion =
            json!({"summary": "criterion-summary-zq7", "linkedEvaluationIds": [EVALUATION]});
        let path = format!("/v1/sessions/{review}/criteria/{CRITERION}");
        ok(app.put(&path, &ana, &criterion).await);

        let item = json!({"title": "action-item-zq7", "assigneeId": BO});
        let item = id(&ok(app
            .post(&format!("/v1/sessions/{session}/action-items"), &ana, &item)
            .await));
        let kb = json!({"title": "kb-title-zq7", "url": "https://kb.example.com/refunds",
            "keywords": ["refund"]});
        let article = id(&ok(app.post("/v1/kb-articles", &cy, &kb).await));
        let tpl = json!({"name": "template-name-zq7", "items": ["Wins", "Blockers"]});
        let template = id(&ok(app.post("/v1/agenda-templates", &ana, &tpl).await));
        let text = json!({"text": "message-zq7"});
        let message = id(&ok(app
            .post(&format!("/v1/sessions/{session}/messages"), &bo, &text)
            .await));
        let calendar = field(
            &ok(app.post_empty("/v1/calendar-token", &ana).await),
            "/token",
        );
        let hook = json!({"url": "https://hooks.example.com/endpoint-zq7",
            "eventTypes": ["*"], "description": "endpoint-zq7"});
        let endpoint = id(&ok(app.post("/v1/webhook-endpoints", &cy, &hook).await));
        let delivery = id(&ok(app
            .post_empty(&format!("/v1/webhook-endpoints/{endpoint}/test"), &cy)
            .await));
        World {
            app,
            session,
            completed,
            review,
            requested,
            request,
            item,
            article,
            template,
            generation,
            calendar,
            message,
            endpoint,
            delivery,
        }
    }

    /// What `caller` must never be shown: another org nothing of ours, a client who takes part
    /// in nothing nothing but the knowledge base, the participant client no private notes.
    pub fn hidden_from(&self, caller: Caller) -> Vec<String> {
        match caller {
            Caller::OtherOrgAdmin => self.secrets(),
            Caller::Stranger => {
                let org_wide = [self.article.as_str()]
                    .into_iter()
                    .chain(ORG_WIDE.iter().copied());
                let org_wide: Vec<&str> = org_wide.collect();
                let mut out = self.secrets();
                out.retain(|s| !org_wide.contains(&s.as_str()));
                out
            }
            Caller::Client => vec!["private-notes-zq7".to_owned()],
            _ => Vec::new(),
        }
    }

    /// Every id and text of the seeded org.
    fn secrets(&self) -> Vec<String> {
        let ids = [
            &self.session,
            &self.completed,
            &self.review,
            &self.requested,
            &self.request,
            &self.item,
            &self.article,
            &self.template,
            &self.generation,
            &self.calendar,
            &self.message,
            &self.endpoint,
            &self.delivery,
        ];
        let mut out: Vec<String> = ids.into_iter().cloned().collect();
        out.extend(TEXTS.iter().map(|t| (*t).to_owned()));
        out.push(EVALUATION.to_owned());
        out
    }

    /// What the seeded org holds, as its admin, coach and client read it.
    pub async fn snapshot(&self) -> Vec<Value> {
        let (cy, ana, bo) = (admin("admin-cy"), coach(ANA), client(BO));
        let mut paths: Vec<(String, &str)> = [
            &self.session,
            &self.completed,
            &self.review,
            &self.requested,
        ]
        .iter()
        .map(|s| (format!("/v1/sessions/{s}"), cy.as_str()))
        .collect();
        for p in [
            format!("/v1/reschedule-requests/{}", self.request),
            format!("/v1/coaches/{ANA}/settings"),
            "/v1/org/settings".into(),
            "/v1/kb-articles".into(),
            format!("/v1/action-items?assigneeId={BO}"),
            format!("/v1/coachees/{BO}/evaluations"),
            format!("/v1/sessions/{}/messages", self.session),
            "/v1/webhook-endpoints".into(),
            format!("/v1/webhook-endpoints/{}/deliveries", self.endpoint),
        ] {
            paths.push((p, &cy));
        }
        paths.push(("/v1/agenda-templates".into(), &ana));
        paths.push(("/v1/notifications".into(), &ana));
        paths.push(("/v1/notifications".into(), &bo));
        paths.push(("/v1/reschedule-requests".into(), &bo));
        let mut out = Vec::new();
        for (path, token) in paths {
            let r = self.app.get(&path, token).await;
            out.push(json!({"path": path, "status": r.status(), "body": r.body}));
        }
        out
    }
}

/// Asserts a 2xx while seeding; returns the body.
fn ok(r: Resp) -> Value {
    assert!((200..300).contains(&r.status()), "seeding failed: {r:#?}");
    r.body
}

fn id(v: &Value) -> String {
    field(v, "/id")
}

/// The string at the JSON `pointer` of `v`.
fn field(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {v}"))
        .to_owned()
}
