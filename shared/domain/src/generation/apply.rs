//! Writing a grounded generation into its review session: it replaces what an earlier
//! generation wrote (criteria, KB links, its part of the notes, its open action items) and keeps
//! what the coach wrote by hand.

use super::GenerationOutput;
use crate::evaluation::{Evaluation, KbLink, ReviewCriterion};
use crate::ids::*;
use crate::notes::{MAX_NOTES_BYTES, clip_bytes};
use crate::org::KbArticle;
use crate::service::ticket_links;
use crate::session::{ActionItem, Session};
use crate::stats::CriterionSummary;
use chrono::{DateTime, Utc};

/// What the generation was based on, besides its output.
#[derive(Debug, Clone, Copy)]
pub struct Basis<'a> {
    pub generation: &'a GenerationId,
    /// The selected criteria with their stats.
    pub criteria: &'a [CriterionSummary],
    /// The period's evaluations (for ticket links).
    pub evaluations: &'a [Evaluation],
    pub kb_candidates: &'a [KbArticle],
    pub now: DateTime<Utc>,
}

/// Generated notes go after what the coach wrote. A later generation replaces the earlier
/// generated part when it is still the end of the notes, untouched; once the coach edited it
/// or wrote after it, it is theirs and the new part follows it.
/// The notes stay within [`MAX_NOTES_BYTES`]: the generated part is cut (at a character
/// boundary) to what the coach's text leaves. Returns the notes and the generated part as
/// written into them.
fn merge_notes(notes: &str, earlier: Option<&str>, generated: &str) -> (String, String) {
    let notes = notes.trim_end();
    let hand = match earlier {
        Some(e) if !e.is_empty() && notes.ends_with(e) => &notes[..notes.len() - e.len()],
        _ => notes,
    };
    let hand = hand.trim_end();
    if hand.is_empty() {
        let generated = clip_bytes(generated, MAX_NOTES_BYTES).trim_end();
        return (generated.to_owned(), generated.to_owned());
    }
    let room = MAX_NOTES_BYTES.saturating_sub(hand.len() + 2);
    let generated = clip_bytes(generated, room).trim_end();
    if generated.is_empty() {
        (hand.to_owned(), String::new())
    } else {
        (format!("{hand}\n\n{generated}"), generated.to_owned())
    }
}

/// Applies `output` (already grounded) to the review session `s`. `new_id` makes action item ids.
pub fn apply_output(
    s: &mut Session,
    output: &GenerationOutput,
    basis: Basis<'_>,
    new_id: &mut dyn FnMut() -> Option<ActionItemId>,
) {
    let Some(review) = s.review.as_mut() else {
        return;
    };
    review.criteria.retain(|c| c.generated_by.is_none());
    for g in &output.criteria {
        if review
            .criteria
            .iter()
            .any(|c| c.criterion_id == g.criterion_id)
        {
            continue; // the coach's own text for this criterion stays
        }
        let summary = basis
            .criteria
            .iter()
            .find(|c| c.criterion_id == g.criterion_id);
        review.criteria.push(ReviewCriterion {
            criterion_id: g.criterion_id.clone(),
            name: summary
                .map(|c| c.name.clone())
                .unwrap_or_else(|| g.criterion_id.to_string()),
            summary: g.summary.clone(),
            stats: summary.map(CriterionSummary::stats),
            linked_evaluation_ids: g.linked_evaluation_ids.clone(),
            generated_by: Some(basis.generation.clone()),
        });
    }
    review.ticket_links = ticket_links(&review.criteria, basis.evaluations);
    review.kb_links = output
        .kb_article_ids
        .iter()
        .filter_map(|id| basis.kb_candidates.iter().find(|a| &a.id == id))
        .map(|a| KbLink {
            article_id: a.id.clone(),
            title: a.title.clone(),
            url: a.url.clone(),
        })
        .collect();
    let earlier = review.generated_notes.take();
    let (notes, generated) = merge_notes(&s.notes, earlier.as_deref(), &output.notes);
    s.notes = notes;
    review.generated_notes = (!generated.is_empty()).then_some(generated);
    s.action_items
        .retain(|a| a.done || a.generation_id.is_none());
    for item in &output.action_items {
        // A session holds a bounded number of action items (its index entries share the
        // commit's transaction): what does not fit is left out.
        if s.action_items.len() >= crate::service::MAX_ACTION_ITEMS {
            break;
        }
        let Some(id) = new_id() else { continue };
        s.action_items.push(ActionItem {
            id,
            session_id: s.id.clone(),
            title: item.title.clone(),
            due_date: None,
            assignee_id: s.client_id.clone(),
            done: false,
            source_evaluation_ids: item.source_evaluation_ids.clone(),
            created_at: basis.now,
            generation_id: Some(basis.generation.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(notes: &str, earlier: Option<&str>, generated: &str) -> String {
        merge_notes(notes, earlier, generated).0
    }

    #[test]
    fn generated_notes_replace_their_earlier_part_and_keep_the_coachs_text() {
        assert_eq!(merge("", None, "Gen 1"), "Gen 1");
        assert_eq!(merge("Mine.", None, "Gen 1"), "Mine.\n\nGen 1");
        assert_eq!(
            merge("Mine.\n\nGen 1", Some("Gen 1"), "Gen 2"),
            "Mine.\n\nGen 2"
        );
        // The coach rewrote the generated part: it is theirs now, and the new one follows it.
        assert_eq!(
            merge("Mine.\n\nGen 1, edited", Some("Gen X"), "Gen 2"),
            "Mine.\n\nGen 1, edited\n\nGen 2"
        );
        assert_eq!(merge("Mine.\n\nGen 1", Some("Gen 1"), ""), "Mine.");
        assert_eq!(
            merge("Mine.\n\nGen 1, edited", Some("Gen 1"), "Gen 2"),
            "Mine.\n\nGen 1, edited\n\nGen 2"
        );
    }

    #[test]
    fn generated_notes_are_cut_to_what_the_coachs_notes_leave_of_the_limit() {
        let mine = "m".repeat(MAX_NOTES_BYTES - 10);
        let generated = "é".repeat(100);

        let (notes, part) = merge_notes(&mine, None, &generated);

        assert!(notes.len() <= MAX_NOTES_BYTES, "{}", notes.len());
        assert_eq!(
            part,
            "é".repeat(4),
            "8 bytes of room, whole characters only"
        );
        assert!(notes.ends_with(&part));
        let (alone, _) = merge_notes("", None, &"x".repeat(MAX_NOTES_BYTES + 5));
        assert_eq!(alone.len(), MAX_NOTES_BYTES);
        let (full, none) = merge_notes(&"m".repeat(MAX_NOTES_BYTES), None, "Gen");
        assert_eq!((full.len(), none.as_str()), (MAX_NOTES_BYTES, ""));
    }
}
