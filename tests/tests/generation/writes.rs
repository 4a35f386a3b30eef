//! Writes happen once: a redelivered or concurrent generation, a superseded one, and a session
//! cancelled while its generation runs.

use super::rewriting::schedule;
use super::*;

#[tokio::test]
async fn running_the_worker_again_writes_nothing_twice() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    app.run_worker().await;
    let written = current(&app, &id).await;
    let inbox = app.inbox(&coach(ANA)).await;
    let org = OrgId::parse(ORG).expect("org");
    let gid = GenerationId::parse(gid).expect("id");

    let again = app.run_worker().await;
    let processed = app
        .services
        .process_generation(&coaching_ai::BuiltinGenerator, &org, &gid)
        .await
        .expect("process");

    assert_eq!(again, 0, "nothing is due any more");
    assert_eq!(processed, Processed::Skipped);
    assert_eq!(current(&app, &id).await, written);
    assert_eq!(app.inbox(&coach(ANA)).await, inbox);
    app.services.relay_events(t(START)).await.expect("relay");
    let ready: Vec<_> = app
        .events
        .published()
        .into_iter()
        .filter(|e| e.kind == "coaching_ready")
        .collect();
    assert_eq!(ready.len(), 1, "published once: {ready:#?}");
    assert_eq!(ready[0].payload["data"]["generationId"], gid.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_generation_processed_by_several_workers_at_once_writes_once() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings(ANA).await;
    app.deliver_evaluations(&evaluations()).await;
    let id = draft(&app, BO).await;
    let gid = GenerationId::parse(generate_ok(&app, &id, None).await).expect("id");
    let org = OrgId::parse(ORG).expect("org");

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (services, org, gid) = (app.services.clone(), org.clone(), gid.clone());
        tasks.push(tokio::spawn(async move {
            services
                .process_generation(&coaching_ai::BuiltinGenerator, &org, &gid)
                .await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("task").expect("process"));
    }

    let finished = outcomes
        .iter()
        .filter(|o| **o == Processed::Finished(GenerationStatus::Succeeded))
        .count();
    assert_eq!(finished, 1, "{outcomes:?}");
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(action_items(&s), generated_action_items());
    assert_eq!(s["notes"], generated_notes());
    assert_eq!(coaching_ready(&app).await.len(), 1);
}

#[tokio::test]
async fn a_generation_left_queued_for_a_day_is_superseded_by_a_new_one_and_writes_nothing() {
    let (app, id) = world().await;
    let abandoned = generate_ok(&app, &id, None).await;
    app.set_now(&plus(START, 25 * 60));

    let newer = generate_ok(&app, &id, None).await;
    let taken = app.run_worker().await;

    assert_eq!(taken, 2, "both records were due");
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["id"], newer.as_str());
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(s["notes"], generated_notes(), "written once");
    assert_eq!(action_items(&s), generated_action_items(), "written once");
    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["data"]["generationId"], newer.as_str());
    assert_ne!(abandoned, newer);
}

#[tokio::test]
async fn a_generation_its_session_no_longer_names_writes_nothing() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    // A newer generation took its place in the session: not reachable through the API (a
    // second generate is 409 while this one is queued), so the session is changed in the store.
    let org = OrgId::parse(ORG).expect("org");
    let sid = SessionId::parse(id.clone()).expect("id");
    let mut s = app
        .store
        .session(&org, &sid)
        .await
        .expect("read")
        .expect("session");
    let before = s.version;
    let review = s.review.as_mut().expect("review");
    let mut newer = review.generation.clone().expect("generation");
    newer.id = GenerationId::parse("gen-newer").expect("id");
    newer.status = GenerationStatus::Succeeded;
    newer.provider = Some("builtin".into());
    newer.inputs = GenerationInputs::default();
    review.generation = Some(newer);
    s.touch(t(START));
    app.store
        .commit(Changes {
            sessions: vec![SessionPut {
                session: s,
                expected_version: Some(before),
            }],
            ..Changes::default()
        })
        .await
        .expect("commit");
    let superseded = current(&app, &id).await;

    app.run_worker().await;

    assert_eq!(current(&app, &id).await, superseded);
    assert!(coaching_ready(&app).await.is_empty());
    let job = app
        .store
        .generation(&org, &GenerationId::parse(gid).expect("id"))
        .await
        .expect("read")
        .expect("record");
    assert!(
        matches!(
            job.status,
            GenerationStatus::Succeeded | GenerationStatus::Failed
        ),
        "its record is finished, not left due: {job:?}"
    );
}

// ----- a failing provider ----------------------------------------------------------------------

/// A provider that is slow enough for the coach to cancel the session while it works.
struct CancelledMeanwhile<'a> {
    app: &'a TestApp,
    session: String,
}

#[async_trait]
impl Generator for CancelledMeanwhile<'_> {
    fn provider(&self) -> &str {
        "builtin"
    }
    fn model(&self) -> Option<&str> {
        None
    }
    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        self.app
            .post(
                &format!("/v1/sessions/{}/cancel", self.session),
                &coach(ANA),
                &json!({"reason": "the coachee left"}),
            )
            .await
            .assert_status(200);
        coaching_ai::BuiltinGenerator.generate(input).await
    }
}

#[tokio::test]
async fn a_session_cancelled_while_its_generation_runs_gets_nothing_written_and_it_fails() {
    let (app, id) = world().await;
    schedule(&app, &id).await;
    let g = generate_ok(&app, &id, None).await;

    app.run_worker_with(&CancelledMeanwhile {
        app: &app,
        session: id.clone(),
    })
    .await;

    let s = current(&app, &id).await;
    assert_eq!(s["status"], "cancelled");
    let generation = &s["review"]["generation"];
    assert_eq!(generation["id"], g.as_str());
    assert_eq!(generation["status"], "failed", "{generation:#}");
    assert!(
        generation["error"]
            .as_str()
            .is_some_and(|e| e.contains("cancelled")),
        "{generation:#}"
    );
    assert!(criterion_ids(&s).is_empty(), "{s:#}");
    assert!(action_items(&s).is_empty(), "{s:#}");
    assert_eq!(s["notes"].as_str().unwrap_or(""), "");
    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0]["data"]["status"], "failed");
    // Nothing is left for a worker to pick up.
    assert_eq!(app.run_worker().await, 0);
}
