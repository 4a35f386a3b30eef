//! docs/api.md#evaluation-webhook: the signed evaluation webhook (Standard Webhooks): signatures and timestamps checked
//! against the real time, replays, the order of deliveries of one evaluation, bad bodies, and
//! the org's own secret after a rotation.

use base64::Engine;
use coaching_domain::Role;
use coaching_tests::*;
use serde_json::{Value, json};

/// The coachee every delivery here is about.
const KIM: &str = "agent-kim";
/// A valid Standard Webhooks secret that is not the server's.
const OTHER_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
/// An org that nobody set up: no user, no secret of its own.
const NEW_ORG: &str = "org-initech";

/// `evaluation.completed` of `id` for KIM: accuracy `score` of 4, with a comment.
fn ev(id: &str, score_value: f64) -> Value {
    completed(evaluation(
        id,
        KIM,
        "2026-11-20T10:00:00Z",
        json!([score(
            "accuracy",
            "Accuracy",
            Some(score_value),
            4.0,
            Some("Quoted the old refund policy")
        )]),
    ))
}

/// KIM's evaluations as an admin of ORG lists them.
async fn stored(app: &TestApp) -> Vec<Value> {
    app.all_evaluations(KIM, &admin("admin-cy"), "").await
}

/// The accuracy score of the only stored evaluation.
async fn stored_score(app: &TestApp) -> Value {
    let list = stored(app).await;
    assert_eq!(list.len(), 1, "{list:#?}");
    list[0]["scores"][0]["score"].clone()
}

#[track_caller]
fn assert_outcome(r: &Resp, outcome: &str) {
    r.assert_status(200);
    assert_eq!(r.body, json!({ "outcome": outcome }), "{r:#?}");
}

/// Asserts a 401 problem that says nothing was accepted.
#[track_caller]
fn assert_refused(r: &Resp) {
    r.assert_problem(401, "unauthenticated");
}

async fn rotate(app: &TestApp, token: &str) -> Resp {
    app.post_empty("/v1/org/webhook-secret", token).await
}

/// Rotates ORG's secret as its admin and returns the new secret.
async fn rotated(app: &TestApp) -> String {
    let r = rotate(app, &admin("admin-cy")).await;
    r.assert_status(201);
    r.body["secret"].as_str().expect("secret").to_owned()
}

// ----- signatures ------------------------------------------------------------------------------

#[tokio::test]
async fn a_correctly_signed_evaluation_is_applied_and_listed_as_sent() {
    let app = spawn_app().await;
    let data = json!({
        "evaluationId": "ev-1",
        "coacheeId": KIM,
        "scorecardId": "sc-support",
        "scorecardName": "Support QA",
        "ticketId": "T-100",
        "ticketUrl": "https://desk.example.com/tickets/T-100",
        "evaluatorId": "qa-lee",
        "evaluatedAt": "2026-11-20T10:00:00Z",
        "scores": [
            {"criterionId": "accuracy", "criterionName": "Accuracy", "score": 3.0, "maxScore": 4.0,
             "soft": false, "comment": "Quoted the old refund policy"},
            {"criterionId": "empathy", "criterionName": "Empathy", "score": null, "maxScore": 4.0,
             "soft": true, "comment": null},
        ],
    });

    let r = app
        .deliver(&Delivery::new("msg_1", &completed(data.clone())))
        .await;

    assert_outcome(&r, "applied");
    let list = stored(&app).await;
    assert_eq!(list.len(), 1, "{list:#?}");
    let e = &list[0];
    assert_eq!(e["id"], "ev-1");
    for field in [
        "coacheeId",
        "scorecardId",
        "scorecardName",
        "ticketId",
        "ticketUrl",
        "evaluatorId",
        "evaluatedAt",
    ] {
        assert_eq!(e[field], data[field], "{field}: {e:#?}");
    }
    // As sent, except that a score without a comment has none (rather than `null`).
    let mut scores = data["scores"].clone();
    scores[1].as_object_mut().unwrap().remove("comment");
    assert_eq!(e["scores"], scores, "{e:#?}");
    assert!(e["scores"][1].get("comment").is_none(), "{e:#?}");
    assert_eq!(e["receivedAt"], START, "received at the app's time");
}

#[tokio::test]
async fn a_delivery_signed_with_another_secret_is_401_and_stores_nothing() {
    let app = spawn_app().await;

    let r = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).signed_with(OTHER_SECRET))
        .await;

    assert_refused(&r);
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn a_body_changed_after_signing_is_401_and_stores_nothing() {
    let app = spawn_app().await;

    let r = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 1.0)).tampered(&ev("ev-1", 4.0)))
        .await;

    assert_refused(&r);
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn a_delivery_missing_any_signature_header_is_401_and_stores_nothing() {
    let app = spawn_app().await;

    for header in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let r = app
            .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).without(header))
            .await;

        assert_eq!(r.status(), 401, "without {header}: {r:#?}");
        assert_refused(&r);
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn an_unsigned_malformed_body_is_401_not_400() {
    let app = spawn_app().await;

    let r = app
        .deliver(&Delivery::raw("msg_1", "{not json").without("webhook-signature"))
        .await;

    assert_refused(&r);
}

#[tokio::test]
async fn a_timestamp_six_minutes_old_or_six_minutes_ahead_is_401_even_when_signed() {
    let app = spawn_app().await;

    for offset in [-360, 360] {
        let r = app
            .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(now_unix() + offset))
            .await;

        assert_eq!(r.status(), 401, "{offset} s: {r:#?}");
        assert_refused(&r);
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn a_timestamp_four_minutes_off_the_real_time_is_accepted_whatever_the_test_clock_says() {
    let app = spawn_app().await;
    // The test clock is far from the real time: the webhook must not use it.
    app.set_now("2031-01-01T00:00:00Z");

    let old = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(now_unix() - 240))
        .await;
    let ahead = app
        .deliver(&Delivery::new("msg_2", &ev("ev-2", 3.0)).at(now_unix() + 240))
        .await;

    assert_outcome(&old, "applied");
    assert_outcome(&ahead, "applied");
    assert_eq!(stored(&app).await.len(), 2);
}

#[tokio::test]
async fn a_timestamp_that_is_not_unix_seconds_is_401() {
    let app = spawn_app().await;

    for value in [
        "yesterday",
        "",
        "1.7e9",
        "0x6553f100",
        "99999999999999999999999",
    ] {
        let r = app
            .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).timestamp_header(value))
            .await;

        assert_eq!(r.status(), 401, "timestamp {value:?}: {r:#?}");
        assert_refused(&r);
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn the_extreme_timestamps_are_401_not_a_crash() {
    let app = spawn_app().await;

    for ts in [i64::MIN, i64::MIN + 1, i64::MAX, 0, -1] {
        // Signed correctly for that timestamp: only the time is wrong.
        let r = app
            .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts))
            .await;

        assert_eq!(r.status(), 401, "timestamp {ts}: {r:#?}");
        assert_refused(&r);
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn several_signatures_are_accepted_when_one_of_them_is_right() {
    let app = spawn_app().await;
    let ts = now_unix();
    let body = serde_json::to_vec(&ev("ev-1", 3.0)).expect("json");
    let right = sign(&org_secret(ORG).unwrap(), "msg_1", ts, &body);
    let wrong = sign(OTHER_SECRET, "msg_1", ts, &body);
    let right_b64 = right.trim_start_matches("v1,");

    let r = app
        .deliver(
            &Delivery::raw("msg_1", body)
                .at(ts)
                .signature(&format!("v2,{right_b64} {wrong} {right}")),
        )
        .await;

    assert_outcome(&r, "applied");
    assert_eq!(stored(&app).await.len(), 1);
}

#[tokio::test]
async fn several_signatures_none_of_them_right_are_401() {
    let app = spawn_app().await;
    let ts = now_unix();
    let body = serde_json::to_vec(&ev("ev-1", 3.0)).expect("json");
    let wrong = sign(OTHER_SECRET, "msg_1", ts, &body);
    let right_b64 = sign(&org_secret(ORG).unwrap(), "msg_1", ts, &body)
        .trim_start_matches("v1,")
        .to_owned();

    for header in [
        format!("{wrong} v1,AAAA"),
        // The right MAC under another version label is not a v1 signature.
        format!("v1a,{right_b64} v2,{right_b64}"),
        format!("v1,{}", &right_b64[..20]),
        right_b64.clone(),
        String::new(),
    ] {
        let r = app
            .deliver(
                &Delivery::raw("msg_1", body.clone())
                    .at(ts)
                    .signature(&header),
            )
            .await;

        assert_eq!(r.status(), 401, "signature {header:?}: {r:#?}");
        assert_refused(&r);
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn an_org_that_set_no_secret_of_its_own_is_verified_with_the_secret_derived_for_it() {
    let app = spawn_app().await;
    let delivery = Delivery::new("msg_1", &ev("ev-1", 3.0)).to_org(NEW_ORG);

    let r = app.deliver(&delivery).await;

    assert_outcome(&r, "applied");
    let theirs = app
        .all_evaluations(KIM, &token("admin-ivy", NEW_ORG, &[Role::Admin]), "")
        .await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["id"], "ev-1");
    assert!(stored(&app).await.is_empty(), "ORG sees another org's");
}

#[tokio::test]
async fn a_delivery_signed_for_one_org_is_401_at_every_other_org_and_stores_nothing() {
    let app = spawn_app().await;
    let ours = Delivery::new("msg_1", &ev("ev-1", 3.0));

    // The exact bytes and headers that ORG's evaluation system sent, replayed to other orgs'
    // paths: an org that exists, and one nobody has seen.
    let at_theirs = app.deliver(&ours.clone().replayed_to(NEW_ORG)).await;
    let at_unseen = app
        .deliver(&ours.clone().replayed_to("never-seen-org"))
        .await;

    assert_refused(&at_theirs);
    assert_refused(&at_unseen);
    let theirs = app
        .all_evaluations(KIM, &token("admin-ivy", NEW_ORG, &[Role::Admin]), "")
        .await;
    assert!(theirs.is_empty(), "{theirs:#?}");
    // The same webhook-id still applies once at its own org: the refusals recorded nothing.
    assert_outcome(&app.deliver(&ours).await, "applied");
}

#[tokio::test]
async fn the_master_secret_itself_verifies_no_org() {
    let app = spawn_app().await;

    for org in [ORG, NEW_ORG] {
        let r = app
            .deliver(
                &Delivery::new("msg_1", &ev("ev-1", 3.0))
                    .to_org(org)
                    .signed_with(WEBHOOK_SECRET),
            )
            .await;

        assert_refused(&r);
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn an_admin_reads_the_org_secret_that_verifies_its_deliveries_and_it_is_no_other_orgs() {
    let app = spawn_app().await;

    let ours = app.get("/v1/org/webhook-secret", &admin("admin-cy")).await;
    let theirs = app
        .get(
            "/v1/org/webhook-secret",
            &token("admin-ivy", NEW_ORG, &[Role::Admin]),
        )
        .await;

    ours.assert_status(200);
    assert_eq!(ours.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(ours.body["source"], "derived");
    let secret = ours.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(secret, WEBHOOK_SECRET);
    assert_ne!(theirs.body["secret"], ours.body["secret"]);
    // What the admin read is what an evaluation system signs with.
    let r = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).signed_with(&secret))
        .await;
    assert_outcome(&r, "applied");
}

#[tokio::test]
async fn after_a_rotation_the_admin_reads_the_rotated_secret() {
    let app = spawn_app().await;
    let rotated_secret = rotated(&app).await;

    let r = app.get("/v1/org/webhook-secret", &admin("admin-cy")).await;

    r.assert_status(200);
    assert_eq!(r.body["secret"], rotated_secret.as_str());
    assert_eq!(r.body["source"], "rotated");
}

#[tokio::test]
async fn only_admins_read_the_webhook_secret() {
    let app = spawn_app().await;

    for who in [coach("coach-ana"), client("client-bo")] {
        app.get("/v1/org/webhook-secret", &who)
            .await
            .assert_problem(403, "forbidden");
    }
}

#[tokio::test]
async fn without_a_master_or_a_rotated_secret_there_is_no_secret_to_read() {
    let app = spawn_app_with_webhook_secret(None).await;

    app.get("/v1/org/webhook-secret", &admin("admin-cy"))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn an_org_id_that_cannot_exist_is_401_like_a_bad_signature() {
    let app = spawn_app().await;

    for org in ["org!acme", "org%20acme", &"o".repeat(129)] {
        let r = app
            .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).to_org(org))
            .await;

        assert_eq!(r.status(), 401, "org {org:?}: {r:#?}");
        assert_refused(&r);
    }
}

#[tokio::test]
async fn a_server_without_a_default_secret_refuses_deliveries_of_orgs_without_their_own() {
    let app = spawn_app_with_webhook_secret(None).await;

    let r = app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0))).await;

    assert_refused(&r);
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn a_rotated_org_secret_works_on_a_server_without_a_default_secret() {
    let app = spawn_app_with_webhook_secret(None).await;
    let secret = rotated(&app).await;

    let r = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).signed_with(&secret))
        .await;

    assert_outcome(&r, "applied");
    assert_eq!(stored(&app).await.len(), 1);
}

// ----- replays ---------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_webhook_id_again_is_a_duplicate_with_no_second_effect() {
    let app = spawn_app().await;
    let first = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(now_unix() - 30))
        .await;
    assert_outcome(&first, "applied");

    // A sender's retry: the same message id, signed again at a later time.
    let retry = app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0))).await;
    // Even with other content, the id was seen: nothing changes.
    let changed = app.deliver(&Delivery::new("msg_1", &ev("ev-1", 1.0))).await;

    assert_outcome(&retry, "duplicate");
    assert_outcome(&changed, "duplicate");
    assert_eq!(stored_score(&app).await, json!(3.0));
}

#[tokio::test]
async fn a_duplicate_of_a_deletion_does_not_delete_a_later_evaluation() {
    let app = spawn_app().await;
    let ts = now_unix();
    let deletion = Delivery::new("msg_del", &deleted("ev-1")).at(ts - 60);
    assert_outcome(&app.deliver(&deletion).await, "applied");
    assert_outcome(
        &app.deliver(&Delivery::new("msg_2", &ev("ev-1", 2.0)).at(ts - 30))
            .await,
        "applied",
    );

    let replayed = app.deliver(&deletion.clone().at(ts)).await;

    assert_outcome(&replayed, "duplicate");
    assert_eq!(stored_score(&app).await, json!(2.0));
}

#[tokio::test]
async fn a_refused_delivery_does_not_use_up_its_webhook_id() {
    let app = spawn_app().await;
    let unsigned = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).signed_with(OTHER_SECRET))
        .await;
    let invalid = app.deliver(&Delivery::new("msg_1", &ev("ev-1", 5.0))).await;
    assert_refused(&unsigned);
    invalid.assert_invalid_field("data.scores[0].score");

    // The sender fixes the delivery and sends it again under the same id.
    let fixed = app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0))).await;

    assert_outcome(&fixed, "applied");
    assert_eq!(stored_score(&app).await, json!(3.0));
}

#[tokio::test]
async fn another_webhook_id_with_the_same_content_and_time_is_stale() {
    let app = spawn_app().await;
    let ts = now_unix();
    assert_outcome(
        &app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts))
            .await,
        "applied",
    );

    let r = app
        .deliver(&Delivery::new("msg_2", &ev("ev-1", 3.0)).at(ts))
        .await;

    assert_outcome(&r, "stale");
    assert_eq!(stored(&app).await.len(), 1);
}

#[tokio::test]
async fn webhook_ids_and_evaluations_are_per_org() {
    let app = spawn_app().await;
    let ours = app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0))).await;

    // Another org's evaluation system uses the same message and evaluation ids.
    let theirs = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 1.0)).to_org(NEW_ORG))
        .await;
    let their_deletion = app
        .deliver(&Delivery::new("msg_2", &deleted("ev-1")).to_org(NEW_ORG))
        .await;

    assert_outcome(&ours, "applied");
    assert_outcome(&theirs, "applied");
    assert_outcome(&their_deletion, "applied");
    assert_eq!(stored_score(&app).await, json!(3.0), "ours untouched");
}

// ----- order of deliveries ---------------------------------------------------------------------

#[tokio::test]
async fn an_older_completion_arriving_later_is_stale_and_changes_nothing() {
    let app = spawn_app().await;
    let ts = now_unix();
    assert_outcome(
        &app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts))
            .await,
        "applied",
    );

    let r = app
        .deliver(&Delivery::new("msg_0", &ev("ev-1", 1.0)).at(ts - 60))
        .await;

    assert_outcome(&r, "stale");
    assert_eq!(stored_score(&app).await, json!(3.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_deliveries_of_one_evaluation_the_newest_ends_up_stored() {
    let app = spawn_app_on_file().await;
    let ts = now_unix();
    // Delivery i is sent at ts - 19 + i with accuracy i / 5: the newest says 3.8.
    let calls = (0..20i32)
        .map(|i| {
            Delivery::new(&format!("msg_{i}"), &ev("ev-1", f64::from(i) / 5.0))
                .at(ts - 19 + i64::from(i))
                .call()
        })
        .collect();

    let answers = app.send_all(calls).await;

    for r in &answers {
        r.assert_status(200);
    }
    assert_eq!(
        answers[19].body,
        json!({"outcome": "applied"}),
        "the newest is never stale"
    );
    assert_eq!(stored_score(&app).await, json!(3.8));
}

#[tokio::test]
async fn a_newer_completion_replaces_the_stored_evaluation() {
    let app = spawn_app().await;
    let ts = now_unix();
    assert_outcome(
        &app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts - 60))
            .await,
        "applied",
    );
    let mut newer = ev("ev-1", 1.0);
    newer["data"]["evaluatedAt"] = json!("2026-11-21T09:30:00Z");
    newer["data"]["scorecardName"] = json!("Support QA v2");

    let r = app.deliver(&Delivery::new("msg_2", &newer).at(ts)).await;

    assert_outcome(&r, "applied");
    let list = stored(&app).await;
    assert_eq!(list.len(), 1, "replaced, not added: {list:#?}");
    assert_eq!(list[0]["scores"][0]["score"], json!(1.0));
    assert_eq!(list[0]["evaluatedAt"], "2026-11-21T09:30:00Z");
    assert_eq!(list[0]["scorecardName"], "Support QA v2");
}

#[tokio::test]
async fn a_newer_completion_for_another_coachee_moves_the_evaluation_between_lists() {
    let app = spawn_app().await;
    let ts = now_unix();
    app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts - 60))
        .await;
    let mut corrected = ev("ev-1", 3.0);
    corrected["data"]["coacheeId"] = json!("agent-lou");

    let r = app
        .deliver(&Delivery::new("msg_2", &corrected).at(ts))
        .await;

    assert_outcome(&r, "applied");
    assert!(stored(&app).await.is_empty(), "no longer KIM's");
    assert_eq!(app.evaluation_ids("agent-lou").await, ["ev-1"]);
    let kim = app
        .get(
            &format!("/v1/coachees/{KIM}/criteria-stats"),
            &coach("coach-ana"),
        )
        .await;
    assert_eq!(kim.body["evaluationCount"], 0, "{kim:#?}");
}

#[tokio::test]
async fn a_deleted_evaluation_is_no_longer_listed() {
    let app = spawn_app().await;
    let ts = now_unix();
    app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts - 60))
        .await;
    app.deliver(&Delivery::new("msg_2", &ev("ev-2", 3.0)).at(ts - 60))
        .await;

    let r = app
        .deliver(&Delivery::new("msg_3", &deleted("ev-1")).at(ts))
        .await;

    assert_outcome(&r, "applied");
    assert_eq!(app.evaluation_ids(KIM).await, ["ev-2"]);
}

#[tokio::test]
async fn an_older_completion_after_a_deletion_stays_deleted() {
    let app = spawn_app().await;
    let ts = now_unix();
    app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts - 120))
        .await;
    assert_outcome(
        &app.deliver(&Delivery::new("msg_2", &deleted("ev-1")).at(ts))
            .await,
        "applied",
    );

    // The completion sent before the deletion, delivered late (a retry).
    let late = app
        .deliver(&Delivery::new("msg_3", &ev("ev-1", 2.0)).at(ts - 60))
        .await;

    assert_outcome(&late, "stale");
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn a_completion_newer_than_the_deletion_brings_the_evaluation_back() {
    let app = spawn_app().await;
    let ts = now_unix();
    app.deliver(&Delivery::new("msg_1", &deleted("ev-1")).at(ts - 60))
        .await;

    let r = app
        .deliver(&Delivery::new("msg_2", &ev("ev-1", 2.0)).at(ts))
        .await;

    assert_outcome(&r, "applied");
    assert_eq!(stored_score(&app).await, json!(2.0));
}

#[tokio::test]
async fn a_deletion_and_a_completion_of_the_same_second_settle_on_the_deletion_in_either_order() {
    let ts = now_unix();

    let app = spawn_app().await;
    app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).at(ts))
        .await;
    let deletion_second = app
        .deliver(&Delivery::new("msg_2", &deleted("ev-1")).at(ts))
        .await;
    assert_outcome(&deletion_second, "applied");
    assert!(stored(&app).await.is_empty());

    let app = spawn_app().await;
    app.deliver(&Delivery::new("msg_1", &deleted("ev-1")).at(ts))
        .await;
    let completion_second = app
        .deliver(&Delivery::new("msg_2", &ev("ev-1", 3.0)).at(ts))
        .await;
    assert_outcome(&completion_second, "stale");
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn deleting_an_unknown_evaluation_is_acknowledged() {
    let app = spawn_app().await;

    let r = app
        .deliver(&Delivery::new("msg_1", &deleted("ev-never-sent")))
        .await;

    assert_outcome(&r, "applied");
    assert!(stored(&app).await.is_empty());
}

// ----- bad bodies ------------------------------------------------------------------------------

/// A signed delivery of `body` that must be refused with 400 naming `field`, storing nothing.
async fn refused_naming(app: &TestApp, body: impl Into<Vec<u8>>, field: &str) {
    let r = app.deliver(&Delivery::raw("msg_bad", body)).await;

    r.assert_invalid_field(field);
    assert!(stored(app).await.is_empty(), "stored after {field}");
}

fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    *body.pointer_mut(pointer).expect("pointer") = value;
    body
}

#[tokio::test]
async fn malformed_json_is_400_and_stores_nothing() {
    let app = spawn_app().await;

    for raw in [
        &b"{\"type\": \"evaluation.completed\", \"data\": {"[..],
        b"",
        b"[]",
        b"{\"type\": \"evaluation.completed\", \"data\": {}} trailing",
    ] {
        let r = app.deliver(&Delivery::raw("msg_bad", raw)).await;

        assert_eq!(
            r.status(),
            400,
            "{:?}: {r:#?}",
            String::from_utf8_lossy(raw)
        );
        r.assert_problem(400, "validation_failed");
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn a_score_above_its_maximum_is_400_naming_it() {
    let app = spawn_app().await;

    refused_naming(
        &app,
        serde_json::to_vec(&ev("ev-1", 5.0)).expect("json"),
        "data.scores[0].score",
    )
    .await;
}

#[tokio::test]
async fn a_zero_maximum_is_400_naming_it() {
    let app = spawn_app().await;
    let body = with(ev("ev-1", 0.0), "/data/scores/0/maxScore", json!(0.0));
    let body = with(body, "/data/scores/0/score", Value::Null);

    refused_naming(
        &app,
        serde_json::to_vec(&body).expect("json"),
        "data.scores[0].maxScore",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_type_is_400_naming_it() {
    let app = spawn_app().await;
    let body = with(ev("ev-1", 3.0), "/type", json!("evaluation.updated"));

    refused_naming(&app, serde_json::to_vec(&body).expect("json"), "type").await;
}

#[tokio::test]
async fn each_bad_field_of_an_evaluation_is_400_naming_it() {
    let app = spawn_app().await;
    let twice = {
        let mut b = ev("ev-1", 3.0);
        let first = b["data"]["scores"][0].clone();
        b["data"]["scores"]
            .as_array_mut()
            .expect("scores")
            .push(first);
        b
    };
    let cases = [
        (
            with(ev("ev-1", 3.0), "/data/scores/0/score", json!(-1.0)),
            "data.scores[0].score",
        ),
        (
            with(ev("ev-1", 3.0), "/data/scores/0/maxScore", json!(-4.0)),
            "data.scores[0].maxScore",
        ),
        (
            with(
                ev("ev-1", 3.0),
                "/data/ticketUrl",
                json!("javascript:alert(1)"),
            ),
            "data.ticketUrl",
        ),
        (
            with(ev("ev-1", 3.0), "/data/evaluatedAt", json!("yesterday")),
            "data.evaluatedAt",
        ),
        (
            with(ev("ev-1", 3.0), "/data/evaluationId", json!("ev 1")),
            "data.evaluationId",
        ),
        (
            with(ev("ev-1", 3.0), "/data/coacheeId", json!("")),
            "data.coacheeId",
        ),
        (
            with(ev("ev-1", 3.0), "/data/scorecardId", json!("  ")),
            "data.scorecardId",
        ),
        (
            with(ev("ev-1", 3.0), "/data/scores/0/criterionId", json!("a/b")),
            "data.scores[0].criterionId",
        ),
        (
            with(ev("ev-1", 3.0), "/data/scores/0/score", json!("three")),
            "data.scores[0].score",
        ),
        (twice, "data.scores[1].criterionId"),
        (
            json!({"type": "evaluation.deleted", "data": {"evaluationId": "ev 1"}}),
            "data.evaluationId",
        ),
    ];

    for (body, field) in cases {
        refused_naming(&app, serde_json::to_vec(&body).expect("json"), field).await;
    }
}

#[tokio::test]
async fn a_missing_field_is_400_naming_that_field() {
    let app = spawn_app().await;
    let mut no_coachee = ev("ev-1", 3.0);
    no_coachee["data"]
        .as_object_mut()
        .expect("data")
        .remove("coacheeId");
    let no_evaluation_id = json!({"type": "evaluation.deleted", "data": {}});

    refused_naming(
        &app,
        serde_json::to_vec(&no_coachee).expect("json"),
        "data.coacheeId",
    )
    .await;
    refused_naming(
        &app,
        serde_json::to_vec(&no_evaluation_id).expect("json"),
        "data.evaluationId",
    )
    .await;
}

#[tokio::test]
async fn a_webhook_id_that_is_not_visible_ascii_is_400() {
    let app = spawn_app().await;

    for id in ["msg 1".to_owned(), "m".repeat(256)] {
        let r = app.deliver(&Delivery::new(&id, &ev("ev-1", 3.0))).await;

        r.assert_invalid_field("webhook-id");
    }
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn a_body_over_1_mib_is_413_and_stores_nothing() {
    let app = spawn_app().await;
    let body = with(
        ev("ev-1", 3.0),
        "/data/scores/0/comment",
        json!("x".repeat(1024 * 1024)),
    );

    let r = app.deliver(&Delivery::new("msg_1", &body)).await;

    r.assert_problem(413, "payload_too_large");
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn an_evaluation_too_large_to_store_is_413_and_stores_nothing() {
    let app = spawn_app().await;
    // 60 criteria with 5,000-character comments: about 300 KB, under the 1 MiB body limit.
    let scores: Vec<Value> = (0..60)
        .map(|i| {
            score(
                &format!("c{i}"),
                &format!("Criterion {i}"),
                Some(1.0),
                2.0,
                Some(&"y".repeat(5000)),
            )
        })
        .collect();
    let body = completed(evaluation(
        "ev-1",
        KIM,
        "2026-11-20T10:00:00Z",
        json!(scores),
    ));

    let r = app.deliver(&Delivery::new("msg_1", &body)).await;

    r.assert_problem(413, "payload_too_large");
    assert!(stored(&app).await.is_empty());
}

// ----- the org's own secret --------------------------------------------------------------------

#[tokio::test]
async fn an_admin_rotates_the_secret_and_sees_it_only_in_that_answer() {
    let app = spawn_app().await;

    let r = rotate(&app, &admin("admin-cy")).await;

    r.assert_status(201);
    let secret = r.body["secret"].as_str().expect("secret").to_owned();
    let key = secret.strip_prefix("whsec_").expect("whsec_ prefix");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key)
        .expect("base64");
    assert_eq!(bytes.len(), 32);
    let cache = r.headers.get("cache-control").and_then(|v| v.to_str().ok());
    assert_eq!(cache, Some("no-store"));
    let settings = app.get("/v1/org/settings", &admin("admin-cy")).await;
    settings.assert_status(200);
    assert_eq!(
        settings.body,
        json!({"includeSoftCriteria": false, "kbLinksEnabled": false})
    );
    assert!(!settings.body.to_string().contains(key));
    let again = rotated(&app).await;
    assert_ne!(again, secret, "each rotation is a new secret");
}

#[tokio::test]
async fn only_an_admin_rotates_the_secret() {
    let app = spawn_app().await;

    let as_coach = rotate(&app, &coach("coach-ana")).await;
    let as_client = rotate(&app, &client("client-bo")).await;
    let anonymous = app
        .request(
            http::Method::POST,
            "/v1/org/webhook-secret",
            None,
            None,
            &[],
        )
        .await;

    as_coach.assert_problem(403, "forbidden");
    as_client.assert_problem(403, "forbidden");
    anonymous.assert_problem(401, "unauthenticated");
    // Nothing rotated: the default secret still verifies ORG's deliveries.
    app.deliver_ok(&ev("ev-1", 3.0)).await;
}

#[tokio::test]
async fn after_a_rotation_only_the_new_secret_verifies_the_orgs_deliveries() {
    let app = spawn_app().await;
    let secret = rotated(&app).await;

    let with_default = app.deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0))).await;
    let with_new = app
        .deliver(&Delivery::new("msg_2", &ev("ev-2", 3.0)).signed_with(&secret))
        .await;

    assert_refused(&with_default);
    assert_outcome(&with_new, "applied");
    assert_eq!(app.evaluation_ids(KIM).await, ["ev-2"]);
}

#[tokio::test]
async fn rotating_again_invalidates_the_previous_secret() {
    let app = spawn_app().await;
    let first = rotated(&app).await;
    let second = rotated(&app).await;

    let with_first = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).signed_with(&first))
        .await;
    let with_second = app
        .deliver(&Delivery::new("msg_2", &ev("ev-2", 3.0)).signed_with(&second))
        .await;

    assert_refused(&with_first);
    assert_outcome(&with_second, "applied");
    assert_eq!(app.evaluation_ids(KIM).await, ["ev-2"]);
}

#[tokio::test]
async fn another_org_keeps_the_default_secret_when_one_org_rotates() {
    let app = spawn_app().await;
    let ours = rotated(&app).await;

    let default_to_them = app
        .deliver(&Delivery::new("msg_1", &ev("ev-1", 3.0)).to_org(OTHER_ORG))
        .await;
    let ours_to_them = app
        .deliver(
            &Delivery::new("msg_2", &ev("ev-2", 3.0))
                .to_org(OTHER_ORG)
                .signed_with(&ours),
        )
        .await;

    assert_outcome(&default_to_them, "applied");
    assert_refused(&ours_to_them);
    let theirs = app.all_evaluations(KIM, &other_org("admin-eve"), "").await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["id"], "ev-1");
}

// ----- interoperability ------------------------------------------------------------------------

/// Signs `body` as the Python `standardwebhooks` package does (`Webhook(secret).sign(msg_id,
/// timestamp, payload)`), with `$COACHING_TEST_PYTHON` or the workspace's `.venv/bin/python`.
fn python_sign(secret: &str, webhook_id: &str, timestamp: i64, body: &str) -> String {
    use std::io::Write;
    let python = std::env::var("COACHING_TEST_PYTHON").unwrap_or_else(|_| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root");
        root.join(".venv/bin/python").display().to_string()
    });
    let script = r#"
import datetime, sys
from standardwebhooks import Webhook
secret, msg_id, ts = sys.argv[1:4]
payload = sys.stdin.buffer.read().decode("utf-8")
at = datetime.datetime.fromtimestamp(int(ts), tz=datetime.timezone.utc)
print(Webhook(secret).sign(msg_id, at, payload))
"#;
    let mut child = std::process::Command::new(&python)
        .args(["-c", script, secret, webhook_id, &timestamp.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(body.as_bytes())
        .expect("write payload");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "{python} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

#[tokio::test]
#[ignore = "needs .venv with the standardwebhooks Python package: scripts/test runs it"]
async fn a_delivery_signed_by_the_python_reference_library_is_applied() {
    let app = spawn_app().await;
    let mut body = ev("ev-py", 2.0);
    body["data"]["scores"][0]["comment"] = json!("Begrüßung fehlte — «höflich» bleiben");
    let raw = serde_json::to_string(&body).expect("json");
    let ts = now_unix();

    // The org's secret as its admin reads it to configure the evaluation system.
    let secret = app
        .get("/v1/org/webhook-secret", &admin("admin-cy"))
        .await
        .body["secret"]
        .as_str()
        .expect("the org's secret")
        .to_owned();
    let signature = python_sign(&secret, "msg_py_1", ts, &raw);
    let r = app
        .deliver(
            &Delivery::raw("msg_py_1", raw.clone())
                .at(ts)
                .signature(&signature),
        )
        .await;

    assert_eq!(signature, sign(&secret, "msg_py_1", ts, raw.as_bytes()));
    assert_outcome(&r, "applied");
    let list = stored(&app).await;
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0]["scores"][0]["comment"],
        "Begrüßung fehlte — «höflich» bleiben"
    );
}

// ----- no 5xx ----------------------------------------------------------------------------------

/// Wrong types and extreme values in every field of a correctly signed delivery: each is
/// answered (200, or a 4xx problem), never 5xx, and the coachee's list and stats still read.
#[tokio::test]
async fn no_signed_body_makes_the_webhook_answer_5xx() {
    let app = spawn_app().await;
    let pointers = [
        "/type",
        "/data",
        "/data/evaluationId",
        "/data/coacheeId",
        "/data/scorecardId",
        "/data/scorecardName",
        "/data/ticketId",
        "/data/ticketUrl",
        "/data/evaluatorId",
        "/data/evaluatedAt",
        "/data/scores",
        "/data/scores/0",
        "/data/scores/0/criterionId",
        "/data/scores/0/criterionName",
        "/data/scores/0/score",
        "/data/scores/0/maxScore",
        "/data/scores/0/soft",
        "/data/scores/0/comment",
    ];
    let values = [
        Value::Null,
        json!(-1),
        json!(0),
        json!(1.5),
        json!(1e308),
        json!(-1e308),
        json!(5e-324),
        json!(u64::MAX),
        json!(i64::MIN),
        serde_json::from_str("18446744073709551616").expect("big"),
        json!(""),
        json!(" "),
        json!("ü🙂\u{202e}\u{0000}"),
        json!("x".repeat(5000)),
        json!([]),
        json!({}),
        json!(true),
        json!("0000-01-01T00:00:00Z"),
        json!("1970-01-01T00:00:00Z"),
        json!("9999-12-31T23:59:59.999999999Z"),
        json!("2026-11-20T10:00:00+14:00"),
        json!("https://desk.example.com/\u{0000}"),
    ];
    let mut failures = Vec::new();
    let mut n = 0;
    for pointer in pointers {
        for value in &values {
            let mut body = ev(&format!("ev-{n}"), 3.0);
            *body.pointer_mut(pointer).expect("pointer") = value.clone();
            n += 1;
            let r = app
                .deliver(&Delivery::new(&format!("msg_{n}"), &body))
                .await;
            let ok = r.status() == 200 || (r.status() < 500 && r.is_problem());
            if !ok {
                failures.push(format!(
                    "{pointer}={value:.40} -> {} {}",
                    r.status(),
                    r.body
                ));
            }
        }
    }
    let raw: &[&[u8]] = &[
        b"null",
        b"{}",
        b"{\"type\": null}",
        b"{\"type\": \"evaluation.deleted\"}",
        b"{\"type\": \"evaluation.deleted\", \"data\": null}",
        b"{\"type\": \"evaluation.completed\", \"data\": {\"scores\": 1e999}}",
        b"{\"type\": \"evaluation.completed\", \"data\": \"\\ud800\"}",
        b"\xef\xbb\xbf{}",
    ];
    for body in raw {
        n += 1;
        let r = app
            .deliver(&Delivery::raw(&format!("msg_{n}"), *body))
            .await;
        if r.status() >= 500 || (r.status() >= 400 && !r.is_problem()) {
            failures.push(format!(
                "{} -> {} {}",
                String::from_utf8_lossy(body),
                r.status(),
                r.body
            ));
        }
    }

    let listed = list_all(&app, KIM).await;
    let figures = app
        .get(
            &format!("/v1/coachees/{KIM}/criteria-stats"),
            &coach("coach-ana"),
        )
        .await;
    assert!(
        failures.is_empty(),
        "{} bad answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(!listed.is_empty());
    figures.assert_status(200);
}

/// Every page of `coachee`'s evaluations, small pages, asserting each is 200.
async fn list_all(app: &TestApp, coachee: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..500 {
        let mut path = format!("/v1/coachees/{coachee}/evaluations?limit=7");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&path, &coach("coach-ana")).await;
        r.assert_status(200);
        out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
    panic!("endless paging")
}

#[tokio::test]
async fn a_delivery_naming_a_key_twice_is_400_naming_it_and_stores_nothing() {
    let app = spawn_app().await;
    // coacheeId twice: a parser that keeps the first and one that keeps the last would store
    // this evaluation for different people.
    let body = r#"{"type":"evaluation.completed","data":{"evaluationId":"ev-1","coacheeId":"agent-kim","coacheeId":"agent-zed","scorecardId":"sc","evaluatedAt":"2026-11-20T10:00:00Z","scores":[]}}"#;

    let r = app.deliver(&Delivery::raw("msg_1", body)).await;

    r.assert_invalid_field("data.coacheeId");
    assert!(stored(&app).await.is_empty());
    let theirs = app
        .all_evaluations("agent-zed", &admin("admin-cy"), "")
        .await;
    assert!(theirs.is_empty());
}
