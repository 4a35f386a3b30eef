//! Selection, KB candidates and grounding: examples and properties.

use super::*;
use crate::stats::RecentScore;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn crit(id: &str, name: &str, markdowns: u32, avg: Option<f64>, soft: bool) -> CriterionSummary {
    CriterionSummary {
        criterion_id: CriterionId::parse(id).unwrap(),
        name: name.into(),
        soft,
        scored_count: markdowns + 1,
        average_score: avg,
        markdowns,
        recent_scores: (0..markdowns)
            .map(|i| RecentScore {
                evaluation_id: EvaluationId::parse(format!("{id}-e{i}")).unwrap(),
                score: 1.0,
                max_score: 2.0,
                comment: Some(format!("{name} comment {i}")),
                evaluated_at: Utc.timestamp_opt(1_700_000_000 + i64::from(i), 0).unwrap(),
                ticket_url: None,
            })
            .collect(),
    }
}

fn stats(criteria: Vec<CriterionSummary>) -> CriteriaStats {
    CriteriaStats {
        evaluation_count: 10,
        criteria,
    }
}

fn ids(s: &Selection) -> Vec<&str> {
    s.criteria.iter().map(|c| c.criterion_id.as_str()).collect()
}

#[test]
fn without_a_request_the_three_with_most_markdowns_are_chosen_soft_ones_left_out() {
    let s = stats(vec![
        crit("tone", "Tone", 9, Some(0.5), true),
        crit("a", "Accuracy", 5, Some(0.6), false),
        crit("b", "Brevity", 5, Some(0.4), false),
        crit("c", "Closing", 3, Some(0.9), false),
        crit("d", "Discovery", 2, Some(0.1), false),
        crit("z", "Zero", 0, Some(1.0), false),
    ]);
    let sel = select(&s, &GenerationRequest::default(), false).unwrap();
    assert_eq!(ids(&sel), ["b", "a", "c"]);
    assert_eq!(sel.excluded_soft, [CriterionId::parse("tone").unwrap()]);
    let sel = select(&s, &GenerationRequest::default(), true).unwrap();
    assert_eq!(ids(&sel), ["tone", "b", "a"]);
    assert!(sel.excluded_soft.is_empty());
}

#[test]
fn ties_go_to_the_lower_average_then_the_name_and_none_without_markdowns() {
    let s = stats(vec![
        crit("x", "Beta", 2, Some(0.5), false),
        crit("y", "Alpha", 2, Some(0.5), false),
        crit("w", "Gamma", 2, Some(0.2), false),
        crit("n", "None", 0, Some(0.0), false),
    ]);
    let sel = select(&s, &GenerationRequest::default(), false).unwrap();
    assert_eq!(ids(&sel), ["w", "y", "x"]);
    let only_none = stats(vec![crit("n", "None", 0, Some(0.0), false)]);
    assert!(
        select(&only_none, &GenerationRequest::default(), true)
            .unwrap()
            .criteria
            .is_empty()
    );
}

#[test]
fn asked_criteria_are_taken_as_asked_soft_or_not_and_an_unknown_one_is_named() {
    let s = stats(vec![
        crit("tone", "Tone", 1, Some(0.5), true),
        crit("a", "Accuracy", 5, Some(0.6), false),
    ]);
    let req = GenerationRequest {
        criterion_ids: vec![CriterionId::parse("tone").unwrap()],
        include_soft: false,
    };
    assert_eq!(ids(&select(&s, &req, false).unwrap()), ["tone"]);
    let req = GenerationRequest {
        criterion_ids: vec![CriterionId::parse("nope").unwrap()],
        include_soft: false,
    };
    assert_eq!(select(&s, &req, false).unwrap_err().as_str(), "nope");
}

fn article(id: &str, keywords: &[&str]) -> KbArticle {
    KbArticle {
        id: KbArticleId::parse(id).unwrap(),
        org: OrgId::parse("o").unwrap(),
        title: id.into(),
        url: format!("https://kb/{id}"),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        created_at: Utc.timestamp_opt(0, 0).unwrap(),
    }
}

#[test]
fn kb_candidates_match_names_and_markdown_comments_case_insensitively_at_most_five() {
    let c = vec![crit("tone", "Tone of voice", 2, Some(0.5), false)];
    let arts: Vec<KbArticle> = [
        article("k1", &["TONE"]),
        article("k2", &["comment 1"]),
        article("k3", &["refund"]),
    ]
    .into();
    let got: Vec<_> = kb_candidates(&c, &arts)
        .into_iter()
        .map(|a| a.id.to_string())
        .collect();
    assert_eq!(got, ["k1", "k2"]);
    let many: Vec<KbArticle> = (0..9)
        .map(|i| article(&format!("m{i}"), &["tone"]))
        .collect();
    assert_eq!(kb_candidates(&c, &many).len(), MAX_KB_LINKS);
}

fn input() -> GenerationInput {
    GenerationInput {
        coachee_id: UserId::parse("agent").unwrap(),
        session_name: "Review".into(),
        criteria: vec![crit("tone", "Tone", 2, Some(0.5), false)],
        kb_candidates: vec![article("k1", &["tone"])],
    }
}

#[test]
fn grounding_drops_invented_criteria_evaluations_and_articles() {
    let out = GenerationOutput {
        criteria: vec![
            GeneratedCriterion {
                criterion_id: CriterionId::parse("tone").unwrap(),
                summary: "  Fine.  ".into(),
                linked_evaluation_ids: vec![
                    EvaluationId::parse("tone-e0").unwrap(),
                    EvaluationId::parse("made-up").unwrap(),
                    EvaluationId::parse("tone-e0").unwrap(),
                ],
            },
            GeneratedCriterion {
                criterion_id: CriterionId::parse("invented").unwrap(),
                summary: "x".into(),
                linked_evaluation_ids: vec![],
            },
        ],
        notes: "Hi".into(),
        action_items: vec![
            GeneratedActionItem {
                title: "Greet warmly".into(),
                source_evaluation_ids: vec![EvaluationId::parse("tone-e1").unwrap()],
            },
            GeneratedActionItem {
                title: "   ".into(),
                source_evaluation_ids: vec![],
            },
        ],
        kb_article_ids: vec![
            KbArticleId::parse("k1").unwrap(),
            KbArticleId::parse("k9").unwrap(),
        ],
    };
    let g = ground(out, &input());
    assert_eq!(g.criteria.len(), 1);
    assert_eq!(g.criteria[0].summary, "Fine.");
    assert_eq!(
        g.criteria[0].linked_evaluation_ids,
        [EvaluationId::parse("tone-e0").unwrap()]
    );
    assert_eq!(g.action_items.len(), 1);
    assert_eq!(g.kb_article_ids, [KbArticleId::parse("k1").unwrap()]);
}

fn any_id() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("tone".to_owned()),
        Just("tone-e0".to_owned()),
        Just("tone-e1".to_owned()),
        Just("k1".to_owned()),
        "[a-z]{1,6}",
    ]
}

proptest! {
    /// Whatever a provider invents, every id in the grounded output was in its input.
    #[test]
    fn every_id_in_a_grounded_output_was_given(
        crits in proptest::collection::vec((any_id(), proptest::collection::vec(any_id(), 0..5)), 0..6),
        items in proptest::collection::vec(proptest::collection::vec(any_id(), 0..5), 0..6),
        kb in proptest::collection::vec(any_id(), 0..8),
    ) {
        let inp = input();
        let out = GenerationOutput {
            criteria: crits.into_iter().map(|(c, links)| GeneratedCriterion {
                criterion_id: CriterionId::parse(c).unwrap(),
                summary: "s".into(),
                linked_evaluation_ids: links.into_iter().map(|l| EvaluationId::parse(l).unwrap()).collect(),
            }).collect(),
            notes: String::new(),
            action_items: items.into_iter().map(|src| GeneratedActionItem {
                title: "t".into(),
                source_evaluation_ids: src.into_iter().map(|l| EvaluationId::parse(l).unwrap()).collect(),
            }).collect(),
            kb_article_ids: kb.into_iter().map(|k| KbArticleId::parse(k).unwrap()).collect(),
        };
        let given: HashSet<_> = inp.evaluation_ids().into_iter().collect();
        let g = ground(out, &inp);
        let mut crit_seen = HashSet::new();
        for c in &g.criteria {
            prop_assert!(inp.criteria.iter().any(|s| s.criterion_id == c.criterion_id));
            prop_assert!(crit_seen.insert(c.criterion_id.clone()));
            prop_assert!(c.linked_evaluation_ids.iter().all(|e| given.contains(e)));
        }
        for a in &g.action_items {
            prop_assert!(a.source_evaluation_ids.iter().all(|e| given.contains(e)));
        }
        prop_assert!(g.kb_article_ids.iter().all(|k| inp.kb_candidates.iter().any(|a| &a.id == k)));
        prop_assert!(g.kb_article_ids.len() <= MAX_KB_LINKS);
    }

    /// Selection never exceeds three, never takes a criterion without markdowns, and takes a
    /// soft one only when allowed.
    #[test]
    fn automatic_selection_respects_its_bounds(
        spec in proptest::collection::vec((0u32..6, proptest::option::of(0.0f64..1.0), any::<bool>()), 0..10),
        include_soft in any::<bool>(),
    ) {
        let s = stats(spec.iter().enumerate()
            .map(|(i, (m, avg, soft))| crit(&format!("c{i}"), &format!("C{i}"), *m, *avg, *soft))
            .collect());
        let sel = select(&s, &GenerationRequest::default(), include_soft).unwrap();
        prop_assert!(sel.criteria.len() <= AUTO_CRITERIA);
        for c in &sel.criteria {
            prop_assert!(c.markdowns > 0);
            prop_assert!(include_soft || !c.soft);
        }
        // Nothing left out ranks before something chosen.
        let eligible: Vec<_> = s.criteria.iter()
            .filter(|c| c.markdowns > 0 && (include_soft || !c.soft)).collect();
        prop_assert_eq!(sel.criteria.len(), eligible.len().min(AUTO_CRITERIA));
        if let Some(last) = sel.criteria.last() {
            for e in &eligible {
                if !sel.criteria.iter().any(|c| c.criterion_id == e.criterion_id) {
                    prop_assert!(coaching_order(last, e) == std::cmp::Ordering::Less);
                }
            }
        }
    }
}
