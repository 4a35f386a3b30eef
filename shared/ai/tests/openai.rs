//! The openai generator against a local OpenAI-compatible server (wiremock): the request it
//! sends, the replies it reads, and the provider's failure modes (5xx, 4xx, 429 with
//! Retry-After, slow answers, unreadable content, invented ids, an unreachable host).

use chrono::{TimeZone, Utc};
use coaching_ai::{OpenAiConfig, OpenAiGenerator, Timing};
use coaching_domain::generation::{GenerationInput, ground};
use coaching_domain::org::KbArticle;
use coaching_domain::ports::{GenerateError, Generator};
use coaching_domain::stats::{CriterionSummary, RecentScore};
use coaching_domain::{CriterionId, EvaluationId, KbArticleId, OrgId, UserId};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "sk-test-7f3a9c1e5b";

fn score(evaluation: &str, score: f64, comment: &str, hour: i64) -> RecentScore {
    RecentScore {
        evaluation_id: EvaluationId::parse(evaluation).unwrap(),
        score,
        max_score: 4.0,
        comment: Some(comment.into()),
        evaluated_at: Utc.timestamp_opt(1_700_000_000 + hour * 3600, 0).unwrap(),
        ticket_url: Some(format!("https://desk.example/tickets/{evaluation}")),
    }
}

fn criterion(id: &str, name: &str, recent: Vec<RecentScore>) -> CriterionSummary {
    CriterionSummary {
        criterion_id: CriterionId::parse(id).unwrap(),
        name: name.into(),
        soft: false,
        scored_count: recent.len() as u32,
        average_score: Some(0.5),
        markdowns: recent.len() as u32,
        recent_scores: recent,
    }
}

fn input() -> GenerationInput {
    GenerationInput {
        coachee_id: UserId::parse("coachee-1").unwrap(),
        session_name: "March review".into(),
        criteria: vec![
            criterion(
                "crit-empathy",
                "Empathy",
                vec![
                    score("ev-2", 2.0, "Abrupt greeting", 2),
                    score("ev-1", 1.0, "abrupt greeting", 1),
                ],
            ),
            criterion(
                "crit-accuracy",
                "Accuracy",
                vec![score("ev-3", 2.0, "Wrong refund amount", 3)],
            ),
        ],
        kb_candidates: vec![KbArticle {
            id: KbArticleId::parse("kb-greetings").unwrap(),
            org: OrgId::parse("org-1").unwrap(),
            title: "Greeting customers".into(),
            url: "https://kb.example/greetings".into(),
            keywords: vec!["greeting".into()],
            created_at: Utc.timestamp_opt(1_600_000_000, 0).unwrap(),
        }],
    }
}

/// Short timeouts and backoff so the failure modes take milliseconds.
fn fast() -> Timing {
    Timing {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_millis(500),
        backoff_base: Duration::from_millis(10),
        jitter: 0.5,
        budget: Duration::from_secs(20),
    }
}

fn generator(base_url: String, timing: Timing) -> OpenAiGenerator {
    let config = OpenAiConfig {
        base_url,
        api_key: KEY.into(),
        model: "gpt-test".into(),
    };
    OpenAiGenerator::with_timing(config, timing).unwrap()
}

fn completion(content: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-test",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop",
        }],
    }))
}

fn reply() -> String {
    json!({
        "criteria": [
            {"criterionId": "crit-empathy", "summary": "Empathy averaged 50%.",
             "linkedEvaluationIds": ["ev-2", "ev-1"]},
            {"criterionId": "crit-accuracy", "summary": "Accuracy averaged 50%.",
             "linkedEvaluationIds": ["ev-3"]},
        ],
        "notes": "Hi, focus on greetings.",
        "actionItems": [{"title": "Greet warmly", "sourceEvaluationIds": ["ev-2", "ev-1"]}],
        "kbArticleIds": ["kb-greetings"],
    })
    .to_string()
}

/// Answers with `replies` in turn (the last one again after that) and notes when each request
/// arrived.
struct Script {
    replies: Vec<ResponseTemplate>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap();
        arrivals.push(Instant::now());
        let i = (arrivals.len() - 1).min(self.replies.len() - 1);
        self.replies[i].clone()
    }
}

/// A server at `/v1/chat/completions` answering `replies` in turn; returns the arrivals.
async fn serve(replies: Vec<ResponseTemplate>) -> (MockServer, Arc<Mutex<Vec<Instant>>>) {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(Script {
            replies,
            arrivals: arrivals.clone(),
        })
        .mount(&server)
        .await;
    (server, arrivals)
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn assert_no_key(e: &GenerateError) {
    assert!(
        !e.reason.contains(KEY) && !e.to_string().contains(KEY),
        "{e}"
    );
}

#[tokio::test]
async fn a_reply_following_the_schema_is_the_output_and_the_request_carries_everything() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(completion(&reply()))
        .expect(1)
        .mount(&server)
        .await;
    // A trailing slash on the base URL does not double.
    let g = generator(format!("{}/v1/", server.uri()), fast());

    let out = g.generate(&input()).await.unwrap();

    assert_eq!((g.provider(), g.model()), ("openai", Some("gpt-test")));
    assert_eq!(out.criteria.len(), 2);
    assert_eq!(out.criteria[0].summary, "Empathy averaged 50%.");
    assert_eq!(out.notes, "Hi, focus on greetings.");
    assert_eq!(out.action_items[0].title, "Greet warmly");
    assert_eq!(
        out.kb_article_ids,
        [KbArticleId::parse("kb-greetings").unwrap()]
    );
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    let body: Value = sent[0].body_json().unwrap();
    assert_eq!(body["model"], "gpt-test");
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
    let user = body["messages"][1]["content"].as_str().unwrap();
    for id in [
        "crit-empathy",
        "crit-accuracy",
        "ev-1",
        "ev-2",
        "ev-3",
        "kb-greetings",
        "https://desk.example/tickets/ev-3",
        "Wrong refund amount",
    ] {
        assert!(user.contains(id), "{id} missing from {user}");
    }
}

#[tokio::test]
async fn a_provider_answering_500_three_times_fails_after_exactly_three_requests() {
    let (server, _) = serve(vec![ResponseTemplate::new(500)]).await;
    let g = generator(format!("{}/v1", server.uri()), fast());

    let err = g.generate(&input()).await.unwrap_err();

    assert_eq!(requests(&server).await, 3);
    assert_eq!(err.attempts, 3);
    assert_eq!(err.reason, "the AI provider answered 500 three times");
}

#[tokio::test]
async fn a_400_fails_at_once_after_one_request() {
    let (server, _) = serve(vec![ResponseTemplate::new(400)]).await;
    let g = generator(format!("{}/v1", server.uri()), fast());

    let err = g.generate(&input()).await.unwrap_err();

    assert_eq!(requests(&server).await, 1);
    assert_eq!(err.attempts, 1);
    assert_eq!(err.reason, "the AI provider refused the request (400)");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_the_next_attempt_succeeds() {
    let (server, arrivals) = serve(vec![
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        completion(&reply()),
    ])
    .await;
    let g = generator(format!("{}/v1", server.uri()), fast());

    let out = g.generate(&input()).await;

    assert!(out.is_ok(), "{out:?}");
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2);
    let gap = arrivals[1] - arrivals[0];
    // The backoff alone would be about 10 ms.
    assert!(gap >= Duration::from_millis(950), "{gap:?}");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_time_left_fails_now_with_that_reason() {
    let (server, _) = serve(vec![
        ResponseTemplate::new(429).insert_header("Retry-After", "120"),
        completion(&reply()),
    ])
    .await;
    let g = generator(format!("{}/v1", server.uri()), fast());
    let started = Instant::now();

    let err = g.generate(&input()).await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(requests(&server).await, 1);
    assert_eq!(err.attempts, 1);
    assert_eq!(
        err.reason,
        "the AI provider asked to wait 120 s before trying again, longer than the time left"
    );
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_retried() {
    let (server, _) = serve(vec![
        completion(&reply()).set_delay(Duration::from_secs(3)),
        completion(&reply()),
    ])
    .await;
    let g = generator(format!("{}/v1", server.uri()), fast());
    let started = Instant::now();

    let out = g.generate(&input()).await;

    assert!(out.is_ok(), "{out:?}");
    assert_eq!(requests(&server).await, 2);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn content_that_is_not_the_object_three_times_fails_after_three_requests() {
    let (server, _) = serve(vec![completion("Sure! here you go")]).await;
    let g = generator(format!("{}/v1", server.uri()), fast());

    let err = g.generate(&input()).await.unwrap_err();

    assert_eq!(requests(&server).await, 3);
    assert_eq!(err.attempts, 3);
    assert_eq!(
        err.reason,
        "the AI provider's reply was not the expected JSON object three times"
    );
}

#[tokio::test]
async fn unreadable_content_then_a_good_reply_succeeds_on_the_second_attempt() {
    let (server, _) = serve(vec![completion("{\"criteria\": 1}"), completion(&reply())]).await;
    let g = generator(format!("{}/v1", server.uri()), fast());

    assert!(g.generate(&input()).await.is_ok());
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn invented_ids_in_the_reply_are_dropped_by_grounding() {
    let invented = json!({
        "criteria": [
            {"criterionId": "crit-empathy", "summary": "Real.",
             "linkedEvaluationIds": ["ev-1", "ev-999", "ev-1"]},
            {"criterionId": "crit-invented", "summary": "Made up.",
             "linkedEvaluationIds": ["ev-2"]},
        ],
        "notes": "Hi.",
        "actionItems": [{"title": "Do it", "sourceEvaluationIds": ["ev-777", "ev-3"]}],
        "kbArticleIds": ["kb-404", "kb-greetings"],
    })
    .to_string();
    let (server, _) = serve(vec![completion(&invented)]).await;
    let g = generator(format!("{}/v1", server.uri()), fast());
    let input = input();

    let out = ground(g.generate(&input).await.unwrap(), &input);

    let ev = |id: &str| EvaluationId::parse(id).unwrap();
    assert_eq!(out.criteria.len(), 1);
    assert_eq!(out.criteria[0].criterion_id.as_str(), "crit-empathy");
    assert_eq!(out.criteria[0].linked_evaluation_ids, [ev("ev-1")]);
    assert_eq!(out.action_items[0].source_evaluation_ids, [ev("ev-3")]);
    assert_eq!(
        out.kb_article_ids,
        [KbArticleId::parse("kb-greetings").unwrap()]
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_tried_three_times() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let g = generator(format!("http://127.0.0.1:{port}/v1"), fast());

    let err = g.generate(&input()).await.unwrap_err();

    assert_eq!(err.attempts, 3);
    assert_eq!(
        err.reason,
        "the AI provider could not be reached three times"
    );
}

#[tokio::test]
async fn no_attempt_starts_that_could_not_end_within_the_budget() {
    let (server, _) = serve(vec![completion(&reply()).set_delay(Duration::from_secs(3))]).await;
    let timing = Timing {
        request_timeout: Duration::from_millis(300),
        budget: Duration::from_millis(700),
        ..fast()
    };
    let g = generator(format!("{}/v1", server.uri()), timing);
    let started = Instant::now();

    let err = g.generate(&input()).await.unwrap_err();

    // Two attempts of 300 ms; a third would start with under 300 ms left.
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.attempts, 2);
    assert_eq!(err.reason, "the AI provider did not answer in time twice");
}

#[tokio::test]
async fn the_key_is_in_no_debug_output_and_no_error_even_when_the_provider_echoes_it() {
    let echo = ResponseTemplate::new(401).set_body_json(json!({
        "error": {"message": format!("Incorrect API key provided: {KEY}"), "type": "invalid_request_error"}
    }));
    let (server, _) = serve(vec![echo]).await;
    let g = generator(format!("{}/v1", server.uri()), fast());
    assert!(!format!("{g:?}").contains(KEY), "{g:?}");
    assert!(!format!("{g:#?}").contains(KEY));
    let config = OpenAiConfig {
        base_url: server.uri(),
        api_key: KEY.into(),
        model: "m".into(),
    };
    assert!(!format!("{config:?}").contains(KEY));

    let err = g.generate(&input()).await.unwrap_err();

    assert_eq!(err.reason, "the AI provider refused the request (401)");
    assert_no_key(&err);
    assert!(!format!("{err:?}").contains(KEY));
    for replies in [
        vec![ResponseTemplate::new(500)],
        vec![completion("Sure! here you go")],
        vec![ResponseTemplate::new(429).insert_header("Retry-After", "3600")],
    ] {
        let (server, _) = serve(replies).await;
        let err = generator(format!("{}/v1", server.uri()), fast())
            .generate(&input())
            .await
            .unwrap_err();
        assert_no_key(&err);
    }
}
