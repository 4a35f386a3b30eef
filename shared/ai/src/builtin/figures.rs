//! The figures behind the builtin text: percentages, the trend, and the markdown comments
//! grouped and ranked.

use coaching_domain::EvaluationId;
use coaching_domain::stats::RecentScore;

/// The two halves' percentages must be this many points apart to make a trend.
const TREND_POINTS: i64 = 5;

/// Direction of the scores over the period: the older half against the newer half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trend {
    TooFew,
    Improving(i64, i64),
    Declining(i64, i64),
    Steady(i64, i64),
}

/// Markdown comments that are the same once case and whitespace are normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Comment {
    /// As first (earliest) written, whitespace collapsed.
    pub(super) text: String,
    pub(super) key: String,
    /// Newest first.
    pub(super) evaluation_ids: Vec<EvaluationId>,
}

pub(super) fn is_markdown(r: &RecentScore) -> bool {
    r.score < r.max_score
}

pub(super) fn ratio(r: &RecentScore) -> Option<f64> {
    let x = r.score / r.max_score;
    x.is_finite().then_some(x)
}

pub(super) fn percent(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

pub(super) fn mean_percent(xs: &[f64]) -> i64 {
    percent(xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Older half against newer half (the middle score of an odd count belongs to neither),
/// compared as the whole percentages the text shows.
pub(super) fn trend(recent_newest_first: &[RecentScore]) -> Trend {
    let oldest_first: Vec<f64> = recent_newest_first.iter().rev().filter_map(ratio).collect();
    let half = oldest_first.len() / 2;
    if half == 0 {
        return Trend::TooFew;
    }
    let older = mean_percent(&oldest_first[..half]);
    let newer = mean_percent(&oldest_first[oldest_first.len() - half..]);
    if newer - older >= TREND_POINTS {
        Trend::Improving(older, newer)
    } else if older - newer >= TREND_POINTS {
        Trend::Declining(older, newer)
    } else {
        Trend::Steady(older, newer)
    }
}

pub(super) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn normalise(s: &str) -> String {
    collapse(s).to_lowercase()
}

/// Groups the markdowns' comments; most frequent first, ties to the most recently written.
pub(super) fn frequent_comments(markdowns_newest_first: &[&RecentScore]) -> Vec<Comment> {
    let mut groups: Vec<Comment> = Vec::new();
    for r in markdowns_newest_first {
        let Some(text) = r.comment.as_deref().map(collapse).filter(|t| !t.is_empty()) else {
            continue;
        };
        let key = text.to_lowercase();
        match groups.iter_mut().find(|g| g.key == key) {
            Some(g) => {
                // Walking newest to oldest: the last text seen is the first written.
                g.text = text;
                if !g.evaluation_ids.contains(&r.evaluation_id) {
                    g.evaluation_ids.push(r.evaluation_id.clone());
                }
            }
            None => groups.push(Comment {
                text,
                key,
                evaluation_ids: vec![r.evaluation_id.clone()],
            }),
        }
    }
    // Stable: equal counts keep the order of their most recent occurrence.
    groups.sort_by_key(|g| std::cmp::Reverse(g.evaluation_ids.len()));
    groups
}

pub(super) fn unique<'a>(ids: impl Iterator<Item = &'a EvaluationId>) -> Vec<EvaluationId> {
    let mut out: Vec<EvaluationId> = Vec::new();
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}
