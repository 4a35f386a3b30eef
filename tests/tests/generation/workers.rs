//! Running, failing and dying workers, claims after a restart, and a drain of 200 generations.

use super::rewriting::{HAND_ITEM, HAND_NOTES};
use super::*;

/// A provider that fails every attempt, as one answering 503 does.
struct FailingGenerator;

const FAILURE: &str = "the provider answered 503 Service Unavailable on every attempt";

#[async_trait]
impl Generator for FailingGenerator {
    fn provider(&self) -> &str {
        "openai"
    }
    fn model(&self) -> Option<&str> {
        Some("gpt-test")
    }
    async fn generate(&self, _: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        Err(GenerateError {
            reason: FAILURE.into(),
            attempts: 3,
        })
    }
}

#[tokio::test]
async fn a_failing_provider_fails_the_generation_with_its_reason_and_tells_the_coach() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;
    let gid = generate_ok(&app, &id, None).await;

    app.run_worker_with(&FailingGenerator).await;

    let s = current(&app, &id).await;
    let g = &s["review"]["generation"];
    assert_eq!(g["status"], "failed");
    let error = g["error"].as_str().expect("error");
    assert!(error.contains(FAILURE), "{error}");
    assert_eq!(g["provider"], "openai");
    assert_eq!(g["model"], "gpt-test");
    assert_eq!(s["review"]["criteria"], before["review"]["criteria"]);
    assert_eq!(s["notes"], before["notes"]);
    assert_eq!(s["actionItems"], json!([]));
    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["data"]["generationId"], gid.as_str());
    assert_eq!(ready[0]["data"]["status"], "failed");
}

#[tokio::test]
async fn after_a_failed_generation_the_coach_generates_again() {
    let (app, id) = world().await;
    generate_ok(&app, &id, None).await;
    app.run_worker_with(&FailingGenerator).await;

    let again = generate_as(&app, &id, &coach(ANA), None).await;

    again.assert_status(202);
    app.run_worker().await;
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert!(s["review"]["generation"]["error"].is_null());
    assert_eq!(s["notes"], generated_notes());
}

// ----- a running generation, dead workers ------------------------------------------------------

/// The builtin generator, held inside `generate` until released (a slow provider).
#[derive(Default)]
struct GatedGenerator {
    entered: tokio::sync::Notify,
    release: tokio::sync::Notify,
}

#[async_trait]
impl Generator for GatedGenerator {
    fn provider(&self) -> &str {
        "builtin"
    }
    fn model(&self) -> Option<&str> {
        None
    }
    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        self.entered.notify_one();
        self.release.notified().await;
        Ok(coaching_ai::builtin::generate(input))
    }
}

/// A worker that dies (as under kill -9) after claiming the generation.
struct DyingGenerator;

#[async_trait]
impl Generator for DyingGenerator {
    fn provider(&self) -> &str {
        "builtin"
    }
    fn model(&self) -> Option<&str> {
        None
    }
    async fn generate(&self, _: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        panic!("the worker died")
    }
}

/// Processes `generation` with [`DyingGenerator`] on a task of its own, which dies.
async fn die_processing(app: &TestApp, generation: &str) {
    let services = app.services.clone();
    let org = OrgId::parse(ORG).expect("org");
    let gid = GenerationId::parse(generation).expect("id");
    let died = tokio::spawn(async move {
        services
            .process_generation(&DyingGenerator, &org, &gid)
            .await
    })
    .await;
    assert!(died.is_err(), "the worker was meant to die: {died:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_generation_is_shown_blocks_generate_and_keeps_what_the_coach_writes_meanwhile() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    let gate = std::sync::Arc::new(GatedGenerator::default());
    let worker = {
        let (services, gate) = (app.services.clone(), gate.clone());
        let org = OrgId::parse(ORG).expect("org");
        let gid = GenerationId::parse(gid.clone()).expect("id");
        tokio::spawn(async move { services.process_generation(&*gate, &org, &gid).await })
    };
    gate.entered.notified().await;

    let running = current(&app, &id).await;
    let again = generate_as(&app, &id, &coach(ANA), None).await;
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"notes": HAND_NOTES}),
    )
    .await
    .assert_status(200);
    app.put(
        &format!("/v1/sessions/{id}/criteria/tone"),
        &coach(ANA),
        &json!({"summary": "Tone, meanwhile.", "linkedEvaluationIds": []}),
    )
    .await
    .assert_status(200);
    gate.release.notify_one();
    let processed = worker.await.expect("task").expect("process");

    assert_eq!(running["review"]["generation"]["status"], "running");
    assert_eq!(running["review"]["generation"]["id"], gid.as_str());
    again.assert_problem(409, "conflict");
    assert_eq!(processed, Processed::Finished(GenerationStatus::Succeeded));
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(
        criterion_ids(&s),
        ["tone", "greeting", "billing", "resolution"]
    );
    assert_eq!(criterion(&s, "tone")["summary"], "Tone, meanwhile.");
    assert_eq!(s["notes"], format!("{HAND_NOTES}\n\n{}", generated_notes()));
    let mut expected = vec![(HAND_ITEM.to_owned(), Vec::new())];
    expected.extend(generated_action_items());
    assert_eq!(action_items(&s), expected);
}

#[tokio::test]
async fn a_generation_whose_worker_died_is_taken_up_again_once_its_claim_lapses() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    die_processing(&app, &gid).await;

    let while_claimed = app.run_worker().await;
    let blocked = generate_as(&app, &id, &coach(ANA), None).await;
    app.set_now(&plus(START, 3));
    let after_lapse = app.run_worker().await;

    assert_eq!(while_claimed, 0, "the claim holds");
    blocked.assert_problem(409, "conflict");
    assert_eq!(after_lapse, 1);
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(s["notes"], generated_notes());
    assert_eq!(coaching_ready(&app).await.len(), 1);
}

#[tokio::test]
async fn released_claims_are_taken_up_at_once_after_a_restart() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    die_processing(&app, &gid).await;

    let released = app.services.release_claims().await.expect("release");
    let taken = app.run_worker().await;

    assert_eq!(released, 1);
    assert_eq!(taken, 1);
    assert_eq!(
        current(&app, &id).await["review"]["generation"]["status"],
        "succeeded"
    );
}

#[tokio::test]
async fn a_generation_whose_worker_died_three_times_fails_and_tells_the_coach() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    for _ in 0..3 {
        die_processing(&app, &gid).await;
        assert_eq!(app.services.release_claims().await.expect("release"), 1);
    }

    app.run_worker().await;

    let s = current(&app, &id).await;
    let g = &s["review"]["generation"];
    assert_eq!(g["status"], "failed");
    assert!(g["error"].as_str().is_some_and(|e| !e.is_empty()), "{g:#}");
    assert_eq!(s["actionItems"], json!([]));
    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["data"]["status"], "failed");
    generate_ok(&app, &id, None).await;
}

// ----- many --------------------------------------------------------------------------------------

#[tokio::test]
async fn two_hundred_queued_generations_are_all_drained_and_succeed() {
    let app = spawn_app().await;
    app.deliver_evaluations(&[evaluation(
        "only",
        BO,
        "2026-11-15T10:00:00Z",
        json!([of4("greeting", "Greeting", 2.0, Some("No greeting"))]),
    )])
    .await;
    let mut sessions = Vec::new();
    for _ in 0..200 {
        let id = draft(&app, BO).await;
        let gid = generate_ok(&app, &id, None).await;
        sessions.push((id, gid));
    }

    let taken = app.run_worker().await;

    assert_eq!(taken, 200);
    for (id, gid) in &sessions {
        let g = &current(&app, id).await["review"]["generation"];
        assert_eq!(g["id"], gid.as_str());
        assert_eq!(g["status"], "succeeded", "{id}: {g:#}");
    }
    let ready: BTreeSet<String> = coaching_ready(&app)
        .await
        .iter()
        .map(|n| n["data"]["generationId"].as_str().expect("id").to_owned())
        .collect();
    let queued: BTreeSet<String> = sessions.iter().map(|(_, g)| g.clone()).collect();
    assert_eq!(ready, queued);
    assert_eq!(app.run_worker().await, 0);
}
