//! Grounding: what a provider invents beyond what it was given is dropped.

use super::kb_links::kb_articles;
use super::*;

/// A provider that invents: criteria it was not given, evaluation ids it was not shown (another
/// coachee's, one before the period, one of the period it was not shown, made-up ones), KB
/// articles that were no candidates, repeats and a blank action item.
struct InventingGenerator {
    /// A real article that was no candidate.
    other_article: String,
}

#[async_trait]
impl Generator for InventingGenerator {
    fn provider(&self) -> &str {
        "openai"
    }
    fn model(&self) -> Option<&str> {
        Some("gpt-test")
    }
    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        let eid = |s: &str| EvaluationId::parse(s).expect("id");
        let invented = ["old", "lou-1", "e5", "made-up"].map(eid);
        let mut criteria: Vec<GeneratedCriterion> = input
            .criteria
            .iter()
            .map(|c| GeneratedCriterion {
                criterion_id: c.criterion_id.clone(),
                summary: format!("About {}.", c.name),
                linked_evaluation_ids: std::iter::once(c.recent_scores[0].evaluation_id.clone())
                    .chain(invented.iter().cloned())
                    .collect(),
            })
            .collect();
        criteria.push(GeneratedCriterion {
            criterion_id: CriterionId::parse("accuracy").expect("id"),
            summary: "Not asked for.".into(),
            linked_evaluation_ids: vec![eid("e1")],
        });
        criteria.push(GeneratedCriterion {
            criterion_id: input.criteria[0].criterion_id.clone(),
            summary: "Said twice.".into(),
            linked_evaluation_ids: vec![],
        });
        let mut kb: Vec<KbArticleId> = input.kb_candidates.iter().map(|a| a.id.clone()).collect();
        kb.push(KbArticleId::parse(self.other_article.clone()).expect("id"));
        kb.push(KbArticleId::parse("kb-made-up").expect("id"));
        Ok(GenerationOutput {
            criteria,
            notes: "  Notes from the provider.  ".into(),
            action_items: vec![
                GeneratedActionItem {
                    title: "Check the tickets".into(),
                    source_evaluation_ids: vec![eid("e2"), eid("lou-1"), eid("old"), eid("e2")],
                },
                GeneratedActionItem {
                    title: "   ".into(),
                    source_evaluation_ids: vec![eid("e1")],
                },
            ],
            kb_article_ids: kb,
        })
    }
}

#[tokio::test]
async fn whatever_a_provider_invents_beyond_what_it_was_given_is_dropped() {
    let (app, id) = world().await;
    let (linkable, others) = kb_articles(&app).await;
    app.put(
        "/v1/org/settings",
        &admin("admin-cy"),
        &json!({"includeSoftCriteria": false, "kbLinksEnabled": true}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, None).await;
    let generator = InventingGenerator {
        other_article: others.iter().next().expect("an article").clone(),
    };

    app.run_worker_with(&generator).await;

    let s = current(&app, &id).await;
    let g = &s["review"]["generation"];
    assert_eq!(g["status"], "succeeded");
    assert_eq!(
        (&g["provider"], &g["model"]),
        (&json!("openai"), &json!("gpt-test"))
    );
    assert_eq!(criterion_ids(&s), ["greeting", "billing", "resolution"]);
    for (cid, newest) in [("greeting", "e4"), ("billing", "e3"), ("resolution", "e3")] {
        let c = criterion(&s, cid);
        assert_eq!(texts(&c["linkedEvaluationIds"]), [newest], "{c}");
        assert!(
            c["summary"]
                .as_str()
                .is_some_and(|t| t.starts_with("About ")),
            "{c}"
        );
    }
    assert_eq!(s["notes"], "Notes from the provider.");
    assert_eq!(
        action_items(&s),
        [("Check the tickets".to_owned(), strings(&["e2"]))]
    );
    let kb = set(&field(&s["review"]["kbLinks"], "articleId"));
    assert_eq!(kb.len(), 5, "{kb:?}");
    assert!(kb.is_subset(&linkable), "{kb:?}");
    assert_eq!(
        set(&field(&s["review"]["ticketLinks"], "evaluationId")),
        set(&strings(&["e4"])),
        "e3 has no ticket"
    );
}

/// The builtin coaching, except that the provider wrote nothing about the first criterion.
struct BlankSummaryGenerator;

#[async_trait]
impl Generator for BlankSummaryGenerator {
    fn provider(&self) -> &str {
        "openai"
    }
    fn model(&self) -> Option<&str> {
        Some("gpt-test")
    }
    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        let mut out = coaching_ai::builtin::generate(input);
        out.criteria[0].summary = " \n ".into();
        Ok(out)
    }
}

#[tokio::test]
async fn a_criterion_the_provider_wrote_no_summary_for_is_not_written() {
    let (app, id) = world().await;
    generate_ok(&app, &id, None).await;

    app.run_worker_with(&BlankSummaryGenerator).await;

    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    for c in s["review"]["criteria"].as_array().expect("criteria") {
        assert_ne!(c["summary"], "", "a criterion without a summary: {c:#}");
    }
    assert_eq!(criterion_ids(&s), ["billing", "resolution"]);
}

// ----- a later generation ----------------------------------------------------------------------
