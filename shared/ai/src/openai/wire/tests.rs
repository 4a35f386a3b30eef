//! The request body's shape, the strict schema, and which replies are read.

use super::*;
use chrono::{TimeZone, Utc};
use coaching_domain::UserId;
use coaching_domain::org::KbArticle;
use coaching_domain::stats::{CriterionSummary, RecentScore};
use coaching_domain::{CriterionId, OrgId};

fn input() -> GenerationInput {
    let score = |id: &str, score: f64, comment: &str| RecentScore {
        evaluation_id: EvaluationId::parse(id).unwrap(),
        score,
        max_score: 4.0,
        comment: Some(comment.into()),
        evaluated_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        ticket_url: Some(format!("https://desk.example/t/{id}")),
    };
    GenerationInput {
        coachee_id: UserId::parse("coachee-1").unwrap(),
        session_name: "Review".into(),
        criteria: vec![CriterionSummary {
            criterion_id: CriterionId::parse("empathy").unwrap(),
            name: "Empathy".into(),
            soft: true,
            scored_count: 2,
            average_score: Some(0.625),
            markdowns: 2,
            recent_scores: vec![score("ev-2", 3.0, "Rushed"), score("ev-1", 2.0, "Cold")],
        }],
        kb_candidates: vec![KbArticle {
            id: KbArticleId::parse("kb-1").unwrap(),
            org: OrgId::parse("org").unwrap(),
            title: "Warm greetings".into(),
            url: "https://kb.example/1".into(),
            keywords: vec!["cold".into()],
            created_at: Utc.timestamp_opt(1_600_000_000, 0).unwrap(),
        }],
    }
}

/// Every object in a strict schema requires all its properties and allows no others.
fn assert_strict(schema: &Value) {
    match schema {
        Value::Object(o) => {
            if o.get("type") == Some(&json!("object")) {
                let props: Vec<&String> = o["properties"].as_object().unwrap().keys().collect();
                let required: Vec<&str> = o["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(props, required);
                assert_eq!(o["additionalProperties"], json!(false));
            }
            o.values().for_each(assert_strict);
        }
        Value::Array(a) => a.iter().for_each(assert_strict),
        _ => {}
    }
}

#[test]
fn the_body_names_the_model_two_messages_and_a_strict_json_schema() {
    let body = request_body("gpt-test", &input());
    assert_eq!(body["model"], "gpt-test");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
    let format = &body["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], SCHEMA_NAME);
    assert_eq!(format["json_schema"]["strict"], true);
    assert_strict(&format["json_schema"]["schema"]);
}

#[test]
fn the_user_message_is_the_input_as_json() {
    let body = request_body("m", &input());
    let user: Value =
        serde_json::from_str(body["messages"][1]["content"].as_str().unwrap()).unwrap();
    let c = &user["criteria"][0];
    assert_eq!(c["criterionId"], "empathy");
    assert_eq!(c["averageScore"], 0.625);
    assert_eq!(c["recentScores"][0]["evaluationId"], "ev-2");
    assert_eq!(c["recentScores"][0]["comment"], "Rushed");
    assert_eq!(c["recentScores"][0]["markdown"], true);
    assert_eq!(
        c["recentScores"][1]["ticketUrl"],
        "https://desk.example/t/ev-1"
    );
    assert_eq!(
        user["kbArticles"],
        json!([{"id": "kb-1", "title": "Warm greetings", "keywords": ["cold"]}])
    );
}

#[test]
fn small_inputs_offer_their_ids_as_enums_large_ones_plain_strings() {
    let s = schema(&input());
    let criterion = &s["properties"]["criteria"]["items"]["properties"];
    assert_eq!(criterion["criterionId"]["enum"], json!(["empathy"]));
    assert_eq!(
        criterion["linkedEvaluationIds"]["items"]["enum"],
        json!(["ev-2", "ev-1"])
    );
    assert_eq!(
        s["properties"]["kbArticleIds"]["items"]["enum"],
        json!(["kb-1"])
    );

    let mut big = input();
    let template = big.criteria[0].recent_scores[0].clone();
    big.criteria[0].recent_scores = (0..200)
        .map(|i| RecentScore {
            evaluation_id: EvaluationId::parse(format!("ev-{i}")).unwrap(),
            ..template.clone()
        })
        .collect();
    let s = schema(&big);
    assert_eq!(
        s["properties"]["actionItems"]["items"]["properties"]["sourceEvaluationIds"]["items"],
        json!({"type": "string"})
    );
    big.kb_candidates.clear();
    big.criteria[0].recent_scores.truncate(1);
    assert_eq!(
        schema(&big)["properties"]["kbArticleIds"]["items"],
        json!({"type": "string"})
    );
}

fn completion(content: Value) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}),
    )
    .unwrap()
}

const REPLY: &str = r#"{"criteria":[{"criterionId":"empathy","summary":"S.","linkedEvaluationIds":["ev-1","not an id"]},
{"criterionId":"bad id!","summary":"x","linkedEvaluationIds":[]}],"notes":"N","actionItems":[{"title":"T","sourceEvaluationIds":["ev-2"]}],"kbArticleIds":["kb-1"]}"#;

#[test]
fn the_content_object_is_read_and_malformed_ids_dropped() {
    let out = parse_completion(&completion(json!(REPLY))).unwrap();
    assert_eq!(out.criteria.len(), 1);
    assert_eq!(out.criteria[0].criterion_id.as_str(), "empathy");
    assert_eq!(
        out.criteria[0].linked_evaluation_ids,
        [EvaluationId::parse("ev-1").unwrap()]
    );
    assert_eq!(out.notes, "N");
    assert_eq!(out.action_items[0].title, "T");
    assert_eq!(out.kb_article_ids, [KbArticleId::parse("kb-1").unwrap()]);
    let fenced = format!("```json\n{REPLY}\n```");
    assert_eq!(parse_content(&fenced), Some(out));
}

#[test]
fn anything_but_the_object_is_unreadable() {
    for content in [
        json!("Sure! here you go"),
        json!("[]"),
        json!("{\"criteria\": []}"),
        json!("{\"criteria\": {}, \"notes\": \"n\"}"),
        json!("```json\n{\"criteria\": [], \"notes\": \"n\"}"),
        Value::Null,
    ] {
        assert_eq!(
            parse_completion(&completion(content.clone())),
            None,
            "{content}"
        );
    }
    assert_eq!(parse_completion(b"not json"), None);
    assert_eq!(parse_completion(br#"{"choices": []}"#), None);
    assert!(parse_completion(&completion(json!("{\"criteria\": [], \"notes\": \"n\"}"))).is_some());
}
