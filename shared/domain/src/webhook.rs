//! Evaluation webhook deliveries (docs/api.md#evaluation-webhook): the event an evaluation system sends, its rules, and the
//! order in which deliveries of one evaluation replace each other.
//!
//! Signatures are checked at the edge (Standard Webhooks); this module starts from a delivery
//! whose signature, id and timestamp were accepted.

use crate::error::{DomainError, Errors};
use crate::evaluation::{CriterionScore, Evaluation};
use crate::ids::*;
use crate::time::check_instant;
use chrono::{DateTime, Utc};

/// How long a delivery's `webhook-id` is remembered after its timestamp: a sender's retries of
/// one message (Standard Webhooks senders retry for about a day) are recognised for this long.
pub const WEBHOOK_ID_KEEP_HOURS: i64 = 72;
/// The longest `webhook-id` accepted.
pub const MAX_WEBHOOK_ID_LEN: usize = 255;
/// At most this many criterion scores in one evaluation.
pub const MAX_SCORES: usize = 100;
/// The longest evaluator comment (characters).
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// The largest evaluation stored, as JSON: a DynamoDB item holds at most 400 KB, and a coachee's
/// stats read every evaluation of the period. A larger one is refused with 413.
pub const MAX_EVALUATION_BYTES: usize = 256 * 1024;

/// One criterion score as the sender wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreInput {
    pub criterion_id: String,
    pub criterion_name: String,
    pub score: Option<f64>,
    pub max_score: f64,
    pub soft: bool,
    pub comment: Option<String>,
}

/// The `data` of an `evaluation.completed` event, as the sender wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationInput {
    pub evaluation_id: String,
    pub coachee_id: String,
    pub scorecard_id: String,
    pub scorecard_name: String,
    pub ticket_id: Option<String>,
    pub ticket_url: Option<String>,
    pub evaluator_id: Option<String>,
    pub evaluated_at: DateTime<Utc>,
    pub scores: Vec<ScoreInput>,
}

/// What a delivery says happened.
#[derive(Debug, Clone, PartialEq)]
pub enum EvaluationEvent {
    Completed(EvaluationInput),
    /// `evaluation.deleted`: only `data.evaluationId` matters.
    Deleted {
        evaluation_id: String,
    },
}

/// A delivery whose signature was verified: the `webhook-id`, the `webhook-timestamp` (unix
/// seconds) and the event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    pub webhook_id: String,
    pub timestamp: i64,
    pub event: EvaluationEvent,
}

/// The order of deliveries of one evaluation: a later `webhook-timestamp` wins; at the same
/// second a deletion wins over a completion (so a delete and a re-send in one second settle on
/// the delete, whatever order they arrive in). Stored with each evaluation's state.
pub fn delivery_rank(timestamp: i64, deleted: bool) -> i64 {
    timestamp
        .saturating_mul(2)
        .saturating_add(i64::from(deleted))
}

/// An absolute http(s) URL with a host, of at most 2048 characters, without spaces or control
/// characters: what a browser opens as a link.
pub fn is_http_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    !host.is_empty() && s.len() <= 2048 && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn text(errs: &mut Errors, field: &str, v: &str, max: usize) {
    if v.trim().is_empty() || v.chars().count() > max {
        errs.add(field, format!("must be 1 to {max} characters"));
    }
}

fn optional_text(errs: &mut Errors, field: &str, v: &Option<String>, max: usize) {
    if let Some(v) = v
        && v.chars().count() > max
    {
        errs.add(field, format!("at most {max} characters"));
    }
}

impl EvaluationInput {
    /// Checks every rule (naming each failing field under `data.`) and builds the evaluation.
    /// An evaluation too large to store is [`DomainError::PayloadTooLarge`].
    pub fn into_evaluation(
        self,
        org: &OrgId,
        received_at: DateTime<Utc>,
    ) -> Result<Evaluation, DomainError> {
        let mut errs = Errors::new();
        let id = errs.check("data.evaluationId", EvaluationId::parse(self.evaluation_id));
        let coachee = errs.check("data.coacheeId", UserId::parse(self.coachee_id));
        text(&mut errs, "data.scorecardId", &self.scorecard_id, 128);
        text(&mut errs, "data.scorecardName", &self.scorecard_name, 200);
        optional_text(&mut errs, "data.ticketId", &self.ticket_id, 128);
        optional_text(&mut errs, "data.evaluatorId", &self.evaluator_id, 128);
        if let Some(url) = &self.ticket_url
            && !is_http_url(url)
        {
            errs.add(
                "data.ticketUrl",
                "must be an http(s) URL of at most 2048 characters",
            );
        }
        if check_instant("data.evaluatedAt", self.evaluated_at).is_err() {
            errs.add(
                "data.evaluatedAt",
                "must be between 1970-01-01 and 9999-12-31",
            );
        }
        if self.scores.len() > MAX_SCORES {
            errs.add("data.scores", format!("at most {MAX_SCORES} scores"));
        }
        let mut scores = Vec::with_capacity(self.scores.len());
        for (i, s) in self.scores.into_iter().enumerate() {
            let at = |f: &str| format!("data.scores[{i}].{f}");
            let criterion = errs.check(&at("criterionId"), CriterionId::parse(s.criterion_id));
            text(&mut errs, &at("criterionName"), &s.criterion_name, 200);
            optional_text(&mut errs, &at("comment"), &s.comment, MAX_COMMENT_CHARS);
            if !(s.max_score.is_finite() && s.max_score > 0.0) {
                errs.add(at("maxScore"), "must be a number greater than 0");
            }
            if let Some(score) = s.score {
                if !score.is_finite() || score < 0.0 {
                    errs.add(at("score"), "must be a number of at least 0, or null");
                } else if score > s.max_score {
                    errs.add(at("score"), "must not exceed maxScore");
                }
            }
            if let Some(c) = criterion {
                if scores.iter().any(|x: &CriterionScore| x.criterion_id == c) {
                    errs.add(at("criterionId"), "appears twice in one evaluation");
                }
                scores.push(CriterionScore {
                    criterion_id: c,
                    criterion_name: s.criterion_name.trim().to_owned(),
                    score: s.score,
                    max_score: s.max_score,
                    soft: s.soft,
                    comment: s.comment.filter(|c| !c.trim().is_empty()),
                });
            }
        }
        errs.finish()?;
        let (Some(id), Some(coachee_id)) = (id, coachee) else {
            return Err(DomainError::Internal("checked ids missing".into()));
        };
        let evaluation = Evaluation {
            id,
            org: org.clone(),
            coachee_id,
            scorecard_id: self.scorecard_id.trim().to_owned(),
            scorecard_name: self.scorecard_name.trim().to_owned(),
            ticket_id: self.ticket_id.filter(|t| !t.trim().is_empty()),
            ticket_url: self.ticket_url,
            evaluator_id: self.evaluator_id.filter(|t| !t.trim().is_empty()),
            evaluated_at: self.evaluated_at,
            scores,
            received_at,
        };
        let size = serde_json::to_vec(&evaluation)
            .map_err(|e| DomainError::Internal(e.to_string()))?
            .len();
        if size > MAX_EVALUATION_BYTES {
            return Err(DomainError::PayloadTooLarge(format!(
                "an evaluation is stored up to {} KiB; this one is {} KiB",
                MAX_EVALUATION_BYTES / 1024,
                size.div_ceil(1024)
            )));
        }
        Ok(evaluation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EvaluationInput {
        EvaluationInput {
            evaluation_id: "ev-1".into(),
            coachee_id: "agent-1".into(),
            scorecard_id: "sc-1".into(),
            scorecard_name: "Support QA".into(),
            ticket_id: Some("T-1".into()),
            ticket_url: Some("https://desk.example.com/T-1".into()),
            evaluator_id: None,
            evaluated_at: "2026-11-20T10:00:00Z".parse().unwrap(),
            scores: vec![ScoreInput {
                criterion_id: "empathy".into(),
                criterion_name: "Empathy".into(),
                score: Some(2.0),
                max_score: 4.0,
                soft: true,
                comment: Some("Abrupt greeting".into()),
            }],
        }
    }

    fn org() -> OrgId {
        OrgId::parse("o").unwrap()
    }

    fn fields(e: DomainError) -> Vec<String> {
        match e {
            DomainError::Validation(v) => v.into_iter().map(|f| f.field).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_valid_evaluation_is_built_with_its_scores() {
        let e = input().into_evaluation(&org(), Utc::now()).unwrap();
        assert_eq!(e.scores.len(), 1);
        assert!(e.scores[0].is_markdown());
    }

    #[test]
    fn a_score_above_its_maximum_and_a_zero_maximum_are_refused_by_field() {
        let mut i = input();
        i.scores[0].score = Some(5.0);
        assert_eq!(
            fields(i.into_evaluation(&org(), Utc::now()).unwrap_err()),
            ["data.scores[0].score"]
        );
        let mut i = input();
        i.scores[0].max_score = 0.0;
        i.scores[0].score = None;
        assert_eq!(
            fields(i.into_evaluation(&org(), Utc::now()).unwrap_err()),
            ["data.scores[0].maxScore"]
        );
    }

    #[test]
    fn a_criterion_twice_and_a_bad_url_are_refused() {
        let mut i = input();
        i.scores.push(i.scores[0].clone());
        i.ticket_url = Some("javascript:alert(1)".into());
        let f = fields(i.into_evaluation(&org(), Utc::now()).unwrap_err());
        assert!(f.contains(&"data.scores[1].criterionId".to_owned()));
        assert!(f.contains(&"data.ticketUrl".to_owned()));
    }

    #[test]
    fn an_evaluation_too_large_to_store_is_payload_too_large() {
        let mut i = input();
        i.scores = (0..MAX_SCORES)
            .map(|n| ScoreInput {
                criterion_id: format!("c{n}"),
                comment: Some("é".repeat(MAX_COMMENT_CHARS)),
                ..i.scores[0].clone()
            })
            .collect();
        assert!(matches!(
            i.into_evaluation(&org(), Utc::now()),
            Err(DomainError::PayloadTooLarge(_))
        ));
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(is_http_url("https://desk.example.com/T-1?x=1"));
        assert!(is_http_url("http://user@host:8080"));
        for bad in [
            "https://",
            "https:///path",
            "ftp://x",
            "https://a b",
            "//x",
            "https://:80/",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn a_later_timestamp_ranks_higher_and_a_deletion_wins_within_its_second() {
        assert!(delivery_rank(101, false) > delivery_rank(100, true));
        assert!(delivery_rank(100, true) > delivery_rank(100, false));
        assert_eq!(delivery_rank(i64::MAX, true), i64::MAX);
    }
}
