//! The `builtin` generator: deterministic and offline coaching from the figures (average,
//! markdowns, trend) and the evaluators' own words (their most frequent markdown comments).

use async_trait::async_trait;
use coaching_domain::EvaluationId;
use coaching_domain::generation::{
    GeneratedActionItem, GeneratedCriterion, GenerationInput, GenerationOutput,
};
use coaching_domain::ports::{GenerateError, Generator};
use coaching_domain::stats::{CriterionSummary, RecentScore};
use figures::{Comment, Trend, frequent_comments, is_markdown, normalise, percent, trend, unique};

mod figures;

/// Markdown comments quoted in a criterion's summary.
const QUOTED_COMMENTS: usize = 3;
/// Action items drawn from one criterion's comments.
const ACTION_ITEMS_PER_CRITERION: usize = 2;
/// Longest quotation (characters); longer comments are cut with an ellipsis.
const MAX_QUOTE: usize = 120;

/// Provider `builtin`, no model. The same input always gives byte-identical output.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinGenerator;

#[async_trait]
impl Generator for BuiltinGenerator {
    fn provider(&self) -> &str {
        "builtin"
    }

    fn model(&self) -> Option<&str> {
        None
    }

    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        Ok(generate(input))
    }
}

/// The builtin generation itself (pure).
pub fn generate(input: &GenerationInput) -> GenerationOutput {
    let analyses: Vec<Analysis> = input.criteria.iter().map(Analysis::of).collect();
    let mut paragraphs = vec![greeting(&analyses)];
    paragraphs.extend(analyses.iter().map(Analysis::paragraph));
    GenerationOutput {
        criteria: analyses.iter().map(Analysis::criterion).collect(),
        notes: paragraphs.join("\n\n"),
        action_items: analyses.iter().flat_map(Analysis::action_items).collect(),
        kb_article_ids: input.kb_candidates.iter().map(|a| a.id.clone()).collect(),
    }
}

struct Analysis<'a> {
    c: &'a CriterionSummary,
    /// Percent of the maximum; `None` when nothing was scored.
    average: Option<i64>,
    trend: Trend,
    /// Most frequent first; ties to the one written most recently.
    comments: Vec<Comment>,
    /// The markdowns among the recent scores, newest first.
    markdown_ids: Vec<EvaluationId>,
}

impl<'a> Analysis<'a> {
    fn of(c: &'a CriterionSummary) -> Self {
        let markdowns: Vec<&RecentScore> =
            c.recent_scores.iter().filter(|r| is_markdown(r)).collect();
        Analysis {
            c,
            average: c
                .average_score
                .filter(|a| a.is_finite() && c.scored_count > 0)
                .map(percent),
            trend: trend(&c.recent_scores),
            comments: frequent_comments(&markdowns),
            markdown_ids: unique(markdowns.iter().map(|r| &r.evaluation_id)),
        }
    }

    fn quoted(&self) -> &[Comment] {
        &self.comments[..self.comments.len().min(QUOTED_COMMENTS)]
    }

    /// Over the period, unless the recent scores are only part of it.
    fn window(&self) -> String {
        let n = self.c.recent_scores.len();
        if (n as u64) < u64::from(self.c.scored_count) {
            format!("Over its {n} most recent scores")
        } else {
            "Over the period".to_owned()
        }
    }

    fn summary(&self) -> String {
        let name = &self.c.name;
        let Some(average) = self.average else {
            return format!(
                "{name} had no scored evaluations in this period. There is nothing to summarise yet."
            );
        };
        let figures = format!(
            "{name} averaged {average}% of the maximum score, with {} out of {}.",
            count(self.c.markdowns, "markdown"),
            count(self.c.scored_count, "scored evaluation"),
        );
        let trend = match self.trend {
            Trend::TooFew => "There are too few scores to show a trend.".to_owned(),
            Trend::Improving(a, b) | Trend::Declining(a, b) | Trend::Steady(a, b) => format!(
                "{} it is {}: {a}% in the older half of its scores, {b}% in the newer half.",
                self.window(),
                match self.trend {
                    Trend::Improving(..) => "improving",
                    Trend::Declining(..) => "declining",
                    _ => "steady",
                },
            ),
        };
        let words = if !self.comments.is_empty() {
            let quotes: Vec<String> = self.quoted().iter().map(quote_with_count).collect();
            format!("Evaluators most often wrote {}.", join_and(&quotes))
        } else if self.c.markdowns > 0 {
            "Its markdowns came without comments.".to_owned()
        } else {
            "No evaluator marked it down.".to_owned()
        };
        format!("{figures} {trend} {words}")
    }

    /// The evaluations whose comments the summary quotes, or else its markdowns.
    fn linked(&self) -> Vec<EvaluationId> {
        if self.comments.is_empty() {
            return self.markdown_ids.clone();
        }
        let quoted = self.quoted();
        unique(
            self.c
                .recent_scores
                .iter()
                .filter(|r| is_markdown(r))
                .filter(|r| {
                    let key = r.comment.as_deref().map(normalise);
                    quoted.iter().any(|q| Some(&q.key) == key.as_ref())
                })
                .map(|r| &r.evaluation_id),
        )
    }

    fn criterion(&self) -> GeneratedCriterion {
        GeneratedCriterion {
            criterion_id: self.c.criterion_id.clone(),
            summary: self.summary(),
            linked_evaluation_ids: self.linked(),
        }
    }

    /// The coachee's paragraph, in the second person.
    fn paragraph(&self) -> String {
        let name = &self.c.name;
        let Some(average) = self.average else {
            return format!("**{name}**: you had no scored evaluations in this period.");
        };
        let figures = format!(
            "**{name}**: you averaged {average}% with {} out of {}",
            count(self.c.markdowns, "markdown"),
            count(self.c.scored_count, "scored evaluation"),
        );
        let trend = match self.trend {
            Trend::TooFew => "; there are too few scores to show a trend.".to_owned(),
            Trend::Improving(a, b) => format!(", and you are improving ({a}% → {b}%)."),
            Trend::Declining(a, b) => format!(", and you have slipped ({a}% → {b}%)."),
            Trend::Steady(a, b) => format!(", and you are steady ({a}% → {b}%)."),
        };
        let advice = match self.comments.first() {
            Some(top) => format!(
                "The comment that came up most was {}: start there.",
                quote_with_count(top)
            ),
            None if self.c.markdowns > 0 => {
                "Your markdowns came without comments: go through those tickets with your coach."
                    .to_owned()
            }
            None => "Keep it up.".to_owned(),
        };
        format!("{figures}{trend} {advice}")
    }

    fn action_items(&self) -> Vec<GeneratedActionItem> {
        if self.comments.is_empty() {
            if self.markdown_ids.is_empty() {
                return Vec::new();
            }
            let n = u32::try_from(self.markdown_ids.len()).unwrap_or(u32::MAX);
            return vec![GeneratedActionItem {
                title: format!(
                    "{}: go through the {} with your coach",
                    self.c.name,
                    count(n, "marked-down ticket")
                ),
                source_evaluation_ids: self.markdown_ids.clone(),
            }];
        }
        self.comments
            .iter()
            .take(ACTION_ITEMS_PER_CRITERION)
            .map(|comment| GeneratedActionItem {
                title: format!("{}: work on {}", self.c.name, quote_with_count(comment)),
                source_evaluation_ids: comment.evaluation_ids.clone(),
            })
            .collect()
    }
}

fn greeting(analyses: &[Analysis]) -> String {
    if analyses.is_empty() {
        return "Hi, in this period your evaluations point to no particular focus area: keep up the good work.".to_owned();
    }
    let names: Vec<String> = analyses.iter().map(|a| a.c.name.clone()).collect();
    format!(
        "Hi, here is how this period went. Focus areas: {}.",
        join_and(&names)
    )
}

fn quote_with_count(c: &Comment) -> String {
    let text = if c.text.chars().count() > MAX_QUOTE {
        let cut: String = c.text.chars().take(MAX_QUOTE - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        c.text.clone()
    };
    let times = match c.evaluation_ids.len() {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    };
    format!("\"{text}\" ({times})")
}

fn count(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests;
