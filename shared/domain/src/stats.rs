//! Per-criterion statistics of a coachee's evaluations (docs/api.md#criteria-stats): averages on the
//! 0..1 scale, markdowns, and the most recent scores with their comments and tickets.

use crate::evaluation::{CriterionStats, Evaluation};
use crate::ids::*;
use chrono::{DateTime, Utc};
use std::cmp::Ordering;
use std::collections::HashMap;

/// At most this many recent scores per criterion.
pub const RECENT_SCORES: usize = 25;

#[derive(Debug, Clone, PartialEq)]
pub struct RecentScore {
    pub evaluation_id: EvaluationId,
    pub score: f64,
    pub max_score: f64,
    pub comment: Option<String>,
    pub evaluated_at: DateTime<Utc>,
    pub ticket_url: Option<String>,
}

/// One criterion's figures over a set of evaluations.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionSummary {
    pub criterion_id: CriterionId,
    /// The name in the newest evaluation that has it (scored or not).
    pub name: String,
    /// As the newest evaluation that has it says.
    pub soft: bool,
    /// Evaluations with a (non-null) score for it.
    pub scored_count: u32,
    /// Mean of score / maxScore over the scored ones; `None` when none is scored.
    pub average_score: Option<f64>,
    /// Scores below their maximum.
    pub markdowns: u32,
    /// Scored ones, newest first, at most [`RECENT_SCORES`].
    pub recent_scores: Vec<RecentScore>,
}

impl CriterionSummary {
    /// The compact figures a review session keeps with a criterion.
    pub fn stats(&self) -> CriterionStats {
        CriterionStats {
            scored_count: self.scored_count,
            average_score: self.average_score,
            markdowns: self.markdowns,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CriteriaStats {
    pub evaluation_count: u32,
    /// Most markdowns first; ties to the lower average (unscored last), then the name, then the id.
    pub criteria: Vec<CriterionSummary>,
}

/// The order criteria are shown and chosen in: most markdowns, then the lower average, the name
/// and the id.
pub fn coaching_order(a: &CriterionSummary, b: &CriterionSummary) -> Ordering {
    let avg = |s: &CriterionSummary| s.average_score.unwrap_or(f64::INFINITY);
    b.markdowns
        .cmp(&a.markdowns)
        .then_with(|| avg(a).total_cmp(&avg(b)))
        .then_with(|| a.name.cmp(&b.name))
        .then_with(|| a.criterion_id.cmp(&b.criterion_id))
}

struct Acc {
    summary: CriterionSummary,
    ratio_sum: f64,
}

/// Statistics of `evaluations`, in any order (the newest decides names and recent scores:
/// newest by `evaluated_at`, then by id).
pub fn criteria_stats(evaluations: &[Evaluation]) -> CriteriaStats {
    let mut order: Vec<&Evaluation> = evaluations.iter().collect();
    order.sort_by(|a, b| {
        b.evaluated_at
            .cmp(&a.evaluated_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    let mut by_id: HashMap<&CriterionId, Acc> = HashMap::new();
    for e in &order {
        for s in &e.scores {
            let acc = by_id.entry(&s.criterion_id).or_insert_with(|| Acc {
                summary: CriterionSummary {
                    criterion_id: s.criterion_id.clone(),
                    name: s.criterion_name.clone(),
                    soft: s.soft,
                    scored_count: 0,
                    average_score: None,
                    markdowns: 0,
                    recent_scores: Vec::new(),
                },
                ratio_sum: 0.0,
            });
            let Some(score) = s.score else { continue };
            let sum = &mut acc.summary;
            sum.scored_count += 1;
            acc.ratio_sum += score / s.max_score;
            if s.is_markdown() {
                sum.markdowns += 1;
            }
            if sum.recent_scores.len() < RECENT_SCORES {
                sum.recent_scores.push(RecentScore {
                    evaluation_id: e.id.clone(),
                    score,
                    max_score: s.max_score,
                    comment: s.comment.clone(),
                    evaluated_at: e.evaluated_at,
                    ticket_url: e.ticket_url.clone(),
                });
            }
        }
    }
    let mut criteria: Vec<CriterionSummary> = by_id
        .into_values()
        .map(|mut acc| {
            if acc.summary.scored_count > 0 {
                acc.summary.average_score =
                    Some(acc.ratio_sum / f64::from(acc.summary.scored_count));
            }
            acc.summary
        })
        .collect();
    criteria.sort_by(coaching_order);
    CriteriaStats {
        evaluation_count: u32::try_from(evaluations.len()).unwrap_or(u32::MAX),
        criteria,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::CriterionScore;

    fn ev(id: &str, at: &str, scores: &[(&str, Option<f64>, f64, Option<&str>)]) -> Evaluation {
        Evaluation {
            id: EvaluationId::parse(id).unwrap(),
            org: OrgId::parse("o").unwrap(),
            coachee_id: UserId::parse("c").unwrap(),
            scorecard_id: "sc".into(),
            scorecard_name: "SC".into(),
            ticket_id: None,
            ticket_url: Some(format!("https://t/{id}")),
            evaluator_id: None,
            evaluated_at: at.parse().unwrap(),
            scores: scores
                .iter()
                .map(|(c, s, m, comment)| CriterionScore {
                    criterion_id: CriterionId::parse(*c).unwrap(),
                    criterion_name: c.to_uppercase(),
                    score: *s,
                    max_score: *m,
                    soft: false,
                    comment: comment.map(str::to_owned),
                })
                .collect(),
            received_at: at.parse().unwrap(),
        }
    }

    #[test]
    fn averages_are_on_the_unit_scale_and_null_scores_are_not_scored() {
        let evals = [
            ev("e1", "2026-11-01T00:00:00Z", &[("a", Some(2.0), 4.0, None)]),
            ev(
                "e2",
                "2026-11-02T00:00:00Z",
                &[("a", Some(10.0), 10.0, None)],
            ),
            ev("e3", "2026-11-03T00:00:00Z", &[("a", None, 10.0, None)]),
        ];
        let s = criteria_stats(&evals);
        assert_eq!(s.evaluation_count, 3);
        let a = &s.criteria[0];
        assert_eq!(a.scored_count, 2);
        assert_eq!(a.markdowns, 1);
        assert!((a.average_score.unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(a.recent_scores[0].evaluation_id.as_str(), "e2");
    }

    #[test]
    fn most_markdowns_come_first_then_the_lower_average_then_the_name() {
        let evals = [
            ev(
                "e1",
                "2026-11-01T00:00:00Z",
                &[
                    ("b", Some(1.0), 2.0, None),
                    ("a", Some(1.0), 2.0, None),
                    ("z", Some(0.0), 2.0, None),
                    ("m", Some(1.0), 2.0, None),
                ],
            ),
            ev("e2", "2026-11-02T00:00:00Z", &[("m", Some(0.0), 2.0, None)]),
        ];
        let ids: Vec<_> = criteria_stats(&evals)
            .criteria
            .iter()
            .map(|c| c.criterion_id.as_str().to_owned())
            .collect();
        assert_eq!(ids, ["m", "z", "a", "b"]);
    }

    #[test]
    fn at_most_25_recent_scores_newest_first() {
        let evals: Vec<_> = (0..40)
            .map(|d| {
                ev(
                    &format!("e{d:02}"),
                    &format!("2026-10-01T00:{d:02}:00Z"),
                    &[("a", Some(1.0), 2.0, Some("x"))],
                )
            })
            .collect();
        let a = &criteria_stats(&evals).criteria[0];
        assert_eq!(a.recent_scores.len(), RECENT_SCORES);
        assert_eq!(a.recent_scores[0].evaluation_id.as_str(), "e39");
        assert_eq!(a.recent_scores[24].evaluation_id.as_str(), "e15");
        assert_eq!(a.markdowns, 40);
    }
}
