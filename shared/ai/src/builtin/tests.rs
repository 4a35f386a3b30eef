//! The builtin generator on a designed input: every sentence, item and id asserted.

use super::*;
use chrono::{TimeZone, Utc};
use coaching_domain::generation::GenerationInput;
use coaching_domain::org::KbArticle;
use coaching_domain::{CriterionId, KbArticleId, OrgId, UserId};

fn ev(id: &str) -> EvaluationId {
    EvaluationId::parse(id).unwrap()
}

/// `(evaluation, score, max, comment)`, oldest first; stored newest first as the stats are.
fn scores(oldest_first: &[(&str, f64, f64, Option<&str>)]) -> Vec<RecentScore> {
    oldest_first
        .iter()
        .enumerate()
        .rev()
        .map(|(i, (id, score, max, comment))| RecentScore {
            evaluation_id: ev(id),
            score: *score,
            max_score: *max,
            comment: comment.map(str::to_owned),
            evaluated_at: Utc
                .timestamp_opt(1_700_000_000 + i as i64 * 3600, 0)
                .unwrap(),
            ticket_url: Some(format!("https://desk.example/t/{id}")),
        })
        .collect()
}

fn criterion(
    id: &str,
    name: &str,
    scored: u32,
    average: Option<f64>,
    markdowns: u32,
    recent: Vec<RecentScore>,
) -> CriterionSummary {
    CriterionSummary {
        criterion_id: CriterionId::parse(id).unwrap(),
        name: name.into(),
        soft: false,
        scored_count: scored,
        average_score: average,
        markdowns,
        recent_scores: recent,
    }
}

fn kb(id: &str) -> KbArticle {
    KbArticle {
        id: KbArticleId::parse(id).unwrap(),
        org: OrgId::parse("org-1").unwrap(),
        title: format!("Article {id}"),
        url: format!("https://kb.example/{id}"),
        keywords: vec!["greeting".into()],
        created_at: Utc.timestamp_opt(1_600_000_000, 0).unwrap(),
    }
}

/// Empathy: improving, a comment written three ways (case and spacing) and one written once,
/// an unmarked comment that must not count. Accuracy: only 3 of its 4 scores are recent,
/// declining, markdowns without (or with blank) comments. Tone: steady, no markdown. Closing:
/// never scored.
fn designed() -> GenerationInput {
    let empathy = scores(&[
        ("e1", 1.0, 4.0, Some("Abrupt greeting")),
        ("e2", 2.0, 4.0, Some("abrupt   Greeting ")),
        ("e3", 4.0, 4.0, Some("Great tone")),
        ("e4", 2.0, 4.0, Some("No follow-up offered")),
        ("e5", 4.0, 4.0, None),
        ("e6", 3.0, 4.0, Some("ABRUPT greeting")),
    ]);
    let accuracy = scores(&[
        ("a1", 1.0, 2.0, Some("   ")),
        ("a2", 2.0, 2.0, Some("Spot on")),
        ("a3", 0.0, 2.0, None),
    ]);
    let tone = scores(&[("t1", 5.0, 5.0, None), ("t2", 5.0, 5.0, Some("Lovely"))]);
    GenerationInput {
        coachee_id: UserId::parse("coachee-1").unwrap(),
        session_name: "Monthly review".into(),
        criteria: vec![
            criterion("emp", "Empathy", 6, Some(4.0 / 6.0), 4, empathy),
            criterion("acc", "Accuracy", 4, Some(0.375), 3, accuracy),
            criterion("tone", "Tone", 2, Some(1.0), 0, tone),
            criterion("close", "Closing", 0, None, 0, Vec::new()),
        ],
        kb_candidates: vec![kb("kb-2"), kb("kb-1")],
    }
}

fn ids(xs: &[&str]) -> Vec<EvaluationId> {
    xs.iter().map(|x| ev(x)).collect()
}

#[test]
fn each_summary_states_average_markdowns_trend_and_the_most_frequent_comments() {
    let out = generate(&designed());
    let summaries: Vec<(&str, &str)> = out
        .criteria
        .iter()
        .map(|c| (c.criterion_id.as_str(), c.summary.as_str()))
        .collect();
    assert_eq!(
        summaries,
        [
            (
                "emp",
                "Empathy averaged 67% of the maximum score, with 4 markdowns out of 6 scored \
                 evaluations. Over the period it is improving: 58% in the older half of its \
                 scores, 75% in the newer half. Evaluators most often wrote \"Abrupt greeting\" \
                 (3 times) and \"No follow-up offered\" (once)."
            ),
            (
                "acc",
                "Accuracy averaged 38% of the maximum score, with 3 markdowns out of 4 scored \
                 evaluations. Over its 3 most recent scores it is declining: 50% in the older \
                 half of its scores, 0% in the newer half. Its markdowns came without comments."
            ),
            (
                "tone",
                "Tone averaged 100% of the maximum score, with 0 markdowns out of 2 scored \
                 evaluations. Over the period it is steady: 100% in the older half of its \
                 scores, 100% in the newer half. No evaluator marked it down."
            ),
            (
                "close",
                "Closing had no scored evaluations in this period. There is nothing to \
                 summarise yet."
            ),
        ]
    );
}

#[test]
fn summaries_link_the_quoted_comments_evaluations_or_else_the_markdowns() {
    let out = generate(&designed());
    let linked: Vec<Vec<EvaluationId>> = out
        .criteria
        .iter()
        .map(|c| c.linked_evaluation_ids.clone())
        .collect();
    assert_eq!(
        linked,
        [
            ids(&["e6", "e4", "e2", "e1"]),
            ids(&["a3", "a1"]),
            ids(&[]),
            ids(&[])
        ]
    );
}

#[test]
fn notes_greet_the_coachee_and_give_one_paragraph_per_criterion() {
    let out = generate(&designed());
    assert_eq!(
        out.notes,
        "Hi, here is how this period went. Focus areas: Empathy, Accuracy, Tone and Closing.\n\n\
         **Empathy**: you averaged 67% with 4 markdowns out of 6 scored evaluations, and you \
         are improving (58% → 75%). The comment that came up most was \"Abrupt greeting\" \
         (3 times): start there.\n\n\
         **Accuracy**: you averaged 38% with 3 markdowns out of 4 scored evaluations, and you \
         have slipped (50% → 0%). Your markdowns came without comments: go through those \
         tickets with your coach.\n\n\
         **Tone**: you averaged 100% with 0 markdowns out of 2 scored evaluations, and you are \
         steady (100% → 100%). Keep it up.\n\n\
         **Closing**: you had no scored evaluations in this period."
    );
}

#[test]
fn action_items_come_from_the_most_frequent_comments_with_their_evaluations() {
    let out = generate(&designed());
    let items: Vec<(&str, Vec<EvaluationId>)> = out
        .action_items
        .iter()
        .map(|a| (a.title.as_str(), a.source_evaluation_ids.clone()))
        .collect();
    assert_eq!(
        items,
        [
            (
                "Empathy: work on \"Abrupt greeting\" (3 times)",
                ids(&["e6", "e2", "e1"])
            ),
            (
                "Empathy: work on \"No follow-up offered\" (once)",
                ids(&["e4"])
            ),
            (
                "Accuracy: go through the 2 marked-down tickets with your coach",
                ids(&["a3", "a1"])
            ),
        ]
    );
}

#[test]
fn every_kb_candidate_is_kept_in_order() {
    let out = generate(&designed());
    assert_eq!(
        out.kb_article_ids,
        [
            KbArticleId::parse("kb-2").unwrap(),
            KbArticleId::parse("kb-1").unwrap()
        ]
    );
}

#[test]
fn at_most_three_comments_are_quoted_and_two_become_action_items_ties_to_the_most_recent() {
    let recent = scores(&[
        ("x1", 0.0, 1.0, Some("Old one")),
        ("x2", 0.0, 1.0, Some("Middle one")),
        ("x3", 0.0, 1.0, Some("Newest one")),
        ("x4", 0.0, 1.0, Some("Dropped")),
        ("x5", 0.0, 1.0, Some("Twice")),
        ("x6", 0.0, 1.0, Some("twice")),
    ]);
    let mut input = designed();
    input.criteria = vec![criterion("c", "Care", 6, Some(0.0), 6, recent)];
    let out = generate(&input);
    assert!(out.criteria[0].summary.ends_with(
        "Evaluators most often wrote \"Twice\" (twice), \"Dropped\" (once) and \"Newest one\" (once)."
    ));
    assert_eq!(
        out.criteria[0].linked_evaluation_ids,
        ids(&["x6", "x5", "x4", "x3"])
    );
    let titles: Vec<&str> = out.action_items.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Care: work on \"Twice\" (twice)",
            "Care: work on \"Dropped\" (once)"
        ]
    );
}

#[test]
fn a_single_score_is_too_few_for_a_trend_and_long_comments_are_cut() {
    let long = "word ".repeat(40);
    let recent = scores(&[("y1", 1.0, 2.0, Some(long.as_str()))]);
    let mut input = designed();
    input.criteria = vec![criterion("c", "Care", 1, Some(0.5), 1, recent)];
    input.kb_candidates.clear();
    let out = generate(&input);
    let quote = format!("{}…", "word ".repeat(24).trim_end());
    assert_eq!(
        out.criteria[0].summary,
        format!(
            "Care averaged 50% of the maximum score, with 1 markdown out of 1 scored evaluation. \
             There are too few scores to show a trend. Evaluators most often wrote \"{quote}\" (once)."
        )
    );
    assert!(out.notes.contains(
        "you averaged 50% with 1 markdown out of 1 scored evaluation; there are too few scores to show a trend."
    ));
    assert!(out.kb_article_ids.is_empty());
}

#[test]
fn no_criteria_still_greets_the_coachee() {
    let mut input = designed();
    input.criteria.clear();
    let out = generate(&input);
    assert_eq!(
        out.notes,
        "Hi, in this period your evaluations point to no particular focus area: keep up the good work."
    );
    assert!(out.criteria.is_empty() && out.action_items.is_empty());
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let a = generate(&designed());
    let b = generate(&designed());
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn the_trend_compares_the_older_and_newer_halves_at_five_points() {
    let t = |oldest_first: &[f64]| {
        let s: Vec<(String, f64)> = oldest_first
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("z{i}"), *x))
            .collect();
        let s: Vec<(&str, f64, f64, Option<&str>)> = s
            .iter()
            .map(|(id, x)| (id.as_str(), *x, 100.0, None))
            .collect();
        trend(&scores(&s))
    };
    assert_eq!(t(&[]), Trend::TooFew);
    assert_eq!(t(&[50.0]), Trend::TooFew);
    assert_eq!(t(&[50.0, 55.0]), Trend::Improving(50, 55));
    assert_eq!(t(&[50.0, 54.0]), Trend::Steady(50, 54));
    assert_eq!(t(&[55.0, 0.0, 50.0]), Trend::Declining(55, 50));
    assert_eq!(t(&[40.0, 60.0, 99.0, 60.0, 40.0]), Trend::Steady(50, 50));
}

#[test]
fn grounding_keeps_the_builtin_output_as_it_is() {
    let input = designed();
    let out = generate(&input);
    assert_eq!(
        coaching_domain::generation::ground(out.clone(), &input),
        out
    );
}
