//! The data a generation works on: one coachee's evaluations in one period, every score a
//! markdown, so the builtin generator selects all `CRITERIA` criteria and reads `EVALUATIONS`
//! (its cap of 25 most recent) scores of each. Delivered as signed `evaluation.completed`
//! webhooks (Standard Webhooks), as coaching-loadgen's `webhook` mode does.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use standardwebhooks::Webhook;

/// Criteria scored in every evaluation (the builtin generator selects at most 3).
pub const CRITERIA: usize = 3;
/// Evaluations of the coachee in the period (the generator reads at most 25 per criterion).
pub const EVALUATIONS: usize = 25;
/// The review period: `PERIOD_DAYS` from `--period-start`; evaluation i is i + 1 hours in.
pub const PERIOD_DAYS: i64 = 30;

const NAMES: [&str; CRITERIA] = ["Greeting", "Accuracy", "Resolution"];
/// Markdown comments per criterion; evaluation i quotes `COMMENTS[c][(i + c) % 4]`, so each
/// criterion has a most frequent comment for the builtin summary to quote.
const COMMENTS: [[&str; 4]; CRITERIA] = [
    [
        "No greeting",
        "Forgot the customer's name",
        "No greeting",
        "Greeted late",
    ],
    [
        "Wrong refund policy",
        "Missed the order number",
        "Wrong refund policy",
        "Quoted an old price",
    ],
    [
        "Closed without a fix",
        "No follow-up offered",
        "Closed without a fix",
        "Escalated too late",
    ],
];

/// The end of a period that starts at `start`.
pub fn period_end(start: DateTime<Utc>) -> DateTime<Utc> {
    start + Duration::days(PERIOD_DAYS)
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The evaluation id of delivery `i` (`<prefix><i>`); the webhook id is `msg-` + it.
pub fn evaluation_id(prefix: &str, i: usize) -> String {
    format!("{prefix}{i}")
}

/// The JSON body of delivery `i`: criterion `c` scores `(i + c) % 4` of 4 (always below full
/// marks: a markdown), with a comment.
pub fn delivery_body(prefix: &str, coachee: &str, start: DateTime<Utc>, i: usize) -> String {
    let at = start + Duration::hours(i64::try_from(i).unwrap_or(0) + 1);
    let scores: Vec<serde_json::Value> = (0..CRITERIA)
        .map(|c| {
            serde_json::json!({
                "criterionId": format!("{prefix}crit-{c}"),
                "criterionName": NAMES[c],
                "score": (i + c) % 4,
                "maxScore": 4,
                "soft": false,
                "comment": COMMENTS[c][(i + c) % 4],
            })
        })
        .collect();
    serde_json::json!({
        "type": "evaluation.completed",
        "data": {
            "evaluationId": evaluation_id(prefix, i),
            "coacheeId": coachee,
            "scorecardId": "support-qa",
            "scorecardName": "Support QA",
            "ticketId": format!("{prefix}T-{i}"),
            "ticketUrl": format!("https://desk.example.com/tickets/{prefix}{i}"),
            "evaluatorId": "qa-1",
            "evaluatedAt": rfc3339(at),
            "scores": scores,
        }
    })
    .to_string()
}

/// The Standard Webhooks headers of `body`, signed now (the server checks real time ±5 min).
pub fn sign(hook: &Webhook, id: &str, body: &str) -> Result<[(String, String); 3], String> {
    let ts = Utc::now().timestamp();
    let signature = hook
        .sign(id, ts, body.as_bytes())
        .map_err(|e| format!("cannot sign: {e}"))?;
    Ok([
        ("webhook-id".into(), id.to_owned()),
        ("webhook-timestamp".into(), ts.to_string()),
        ("webhook-signature".into(), signature),
    ])
}

/// The body of a draft review session for `coachee` over the period starting at `start`.
pub fn review_body(
    coach: &str,
    coachee: &str,
    start: DateTime<Utc>,
    n: usize,
) -> serde_json::Value {
    serde_json::json!({
        "kind": "review",
        "coachId": coach,
        "clientId": coachee,
        "name": format!("Generation benchmark review {n}"),
        "review": {"periodStart": rfc3339(start), "periodEnd": rfc3339(period_end(start))},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_score_is_a_markdown_with_a_comment_inside_the_period() {
        let start: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
        let mut ids = std::collections::BTreeSet::new();
        for i in 0..EVALUATIONS {
            let b: serde_json::Value =
                serde_json::from_str(&delivery_body("gen-", "gen-agent", start, i)).unwrap();
            assert!(ids.insert(b["data"]["evaluationId"].as_str().unwrap().to_owned()));
            assert_eq!(b["data"]["coacheeId"], "gen-agent");
            let at: DateTime<Utc> = b["data"]["evaluatedAt"].as_str().unwrap().parse().unwrap();
            assert!(at > start && at < period_end(start));
            let scores = b["data"]["scores"].as_array().unwrap();
            assert_eq!(scores.len(), CRITERIA);
            for s in scores {
                assert!(s["score"].as_u64().unwrap() < s["maxScore"].as_u64().unwrap());
                assert!(!s["comment"].as_str().unwrap().is_empty());
                assert_eq!(s["soft"], false);
            }
        }
        let hook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert!(sign(&hook, "msg-1", "{}").unwrap()[2].1.starts_with("v1,"));
    }

    #[test]
    fn review_bodies_are_drafts_over_the_period() {
        let start: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
        let b = review_body("coach-1", "gen-agent", start, 7);
        assert_eq!(b["kind"], "review");
        assert!(b.get("startsAt").is_none());
        assert_eq!(b["review"]["periodStart"], "2025-01-01T00:00:00Z");
        assert_eq!(b["review"]["periodEnd"], "2025-01-31T00:00:00Z");
    }
}
