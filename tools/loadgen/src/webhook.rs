//! The `webhook` mode: signed `evaluation.completed` deliveries (Standard Webhooks), each a
//! distinct evaluation, spread over a number of coachees. Also seeds the criteria-stats benchmark.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::Args;
use standardwebhooks::Webhook;

#[derive(Args)]
pub struct WebhookArgs {
    /// Server base URL, e.g. http://127.0.0.1:3000 (loopback only).
    #[arg(long)]
    pub base_url: String,
    /// The org the deliveries are for.
    #[arg(long)]
    pub org: String,
    /// The Standard Webhooks secret the server verifies with (`whsec_…`).
    #[arg(long)]
    pub secret: String,
    /// Number of deliveries (= evaluations).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: u64,
    /// Evaluation i belongs to coachee `<coachee-prefix><i mod coachees>`.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub coachees: u64,
    #[arg(long, default_value = "agent-")]
    pub coachee_prefix: String,
    /// Criteria scored in every evaluation.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub criteria: u32,
    /// `evaluatedAt` of evaluation 0 (RFC 3339); evaluation i is i minutes later.
    #[arg(long)]
    pub evaluated_from: String,
    /// Prefix of evaluation ids and webhook ids (distinct runs must not collide).
    #[arg(long, default_value = "ev-")]
    pub id_prefix: String,
    /// Stop issuing new requests after this many seconds.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub max_secs: u64,
}

/// The JSON body of delivery `i`: criterion `c` scores `(i + c) mod 5` of 4 (4 and 0..3: one in
/// five is full marks), with a comment on markdowns.
pub fn delivery_body(a: &WebhookArgs, first: DateTime<Utc>, i: u64) -> String {
    let at = first + Duration::minutes(i64::try_from(i).unwrap_or(i64::MAX / 120));
    let scores: Vec<serde_json::Value> = (0..a.criteria)
        .map(|c| {
            let score = (i + u64::from(c)) % 5;
            serde_json::json!({
                "criterionId": format!("crit-{c}"),
                "criterionName": format!("Criterion {c}"),
                "score": score.min(4),
                "maxScore": 4,
                "soft": c % 4 == 3,
                "comment": (score < 4).then(|| format!("Missed step {} of the checklist", score + 1)),
            })
        })
        .collect();
    serde_json::json!({
        "type": "evaluation.completed",
        "data": {
            "evaluationId": format!("{}{i}", a.id_prefix),
            "coacheeId": format!("{}{}", a.coachee_prefix, i % a.coachees),
            "scorecardId": "support-qa",
            "scorecardName": "Support QA",
            "ticketId": format!("T-{i}"),
            "ticketUrl": format!("https://desk.example.com/tickets/{i}"),
            "evaluatorId": "qa-1",
            "evaluatedAt": at.to_rfc3339_opts(SecondsFormat::Secs, true),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_are_distinct_valid_json_spread_over_coachees() {
        let a = WebhookArgs {
            base_url: "http://127.0.0.1:1".into(),
            org: "o".into(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            count: 10,
            coachees: 3,
            coachee_prefix: "agent-".into(),
            criteria: 8,
            evaluated_from: "2026-11-01T00:00:00Z".into(),
            id_prefix: "ev-".into(),
            max_secs: 1,
        };
        let first = "2026-11-01T00:00:00Z".parse().unwrap();
        let b: serde_json::Value = serde_json::from_str(&delivery_body(&a, first, 4)).unwrap();
        assert_eq!(b["data"]["evaluationId"], "ev-4");
        assert_eq!(b["data"]["coacheeId"], "agent-1");
        assert_eq!(b["data"]["evaluatedAt"], "2026-11-01T00:04:00Z");
        assert_eq!(b["data"]["scores"].as_array().unwrap().len(), 8);
        let hook = Webhook::new(&a.secret).unwrap();
        let headers = sign(&hook, "msg-1", "{}").unwrap();
        assert!(headers[2].1.starts_with("v1,"));
    }
}
