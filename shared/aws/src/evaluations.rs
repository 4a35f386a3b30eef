//! Evaluations: the one item per evaluation (its state and the rank of the delivery that set
//! it), read by id with one GetItem, and a coachee's evaluations read from their own `ByUser`
//! partition by time: a list page with one Query (more only when a filter drops items past a
//! 1 MB page), every evaluation of a range with one Query per result page.

use crate::items::{DOC, Item, from_doc, index_attrs, instant, key, number, s, to_doc};
use crate::keys::{self, BY_USER, ceil_millis, encode_sort_key, position};
use crate::query::{Filter, Walk};
use crate::sessions::get;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use coaching_domain::evaluation::Evaluation;
use coaching_domain::ids::{EvaluationId, OrgId};
use coaching_domain::ports::{
    Cursor, EvaluationDelivery, EvaluationQuery, Page, StoreError, evaluation_cursor,
};
use std::collections::BTreeSet;

/// The rank (a number) of the delivery that set the stored state: a delivery replaces it only
/// with a higher one. Kept by tombstones.
pub(crate) const RANK: &str = "rank";
/// Bookkeeping of a live evaluation, for people reading the table and for filters.
pub(crate) const COACHEE: &str = "coachee";
pub(crate) const SCORECARD: &str = "scorecard";
/// `evaluated_at` as RFC 3339 with nine fraction digits: fixed width (years 1970 to 9999), so
/// string order is time order, to the nanosecond.
pub(crate) const EVALUATED_AT: &str = "evaluated_at";

/// DynamoDB's cap on the operands of one `IN`.
const MAX_IN: usize = 100;

/// The evaluation's item as `d` leaves it: the evaluation filed in its coachee's partition of
/// `ByUser` at its list position, or, for a deletion, a tombstone (no document, in no index)
/// keeping the rank.
pub(crate) fn evaluation_item(d: &EvaluationDelivery) -> Result<Item, StoreError> {
    let mut item = key(
        keys::evaluation_pk(&d.org, &d.evaluation_id),
        keys::EVALUATION_SK,
    );
    item.insert(RANK.to_owned(), number(d.rank));
    let Some(e) = &d.evaluation else {
        return Ok(item);
    };
    if e.id != d.evaluation_id || e.org != d.org {
        return Err(StoreError::Unavailable(
            "a delivery's evaluation must carry the delivery's evaluation id and org".into(),
        ));
    }
    item.insert(DOC.to_owned(), to_doc("evaluation", e)?);
    item.insert(COACHEE.to_owned(), s(e.coachee_id.as_str()));
    item.insert(SCORECARD.to_owned(), s(e.scorecard_id.as_str()));
    item.insert(EVALUATED_AT.to_owned(), instant(e.evaluated_at));
    let at = evaluation_cursor(e);
    index_attrs(
        &mut item,
        BY_USER,
        keys::user_evaluations_pk(&d.org, &e.coachee_id),
        &position(at.sort_key, &at.id),
    );
    Ok(item)
}

pub(crate) async fn evaluation(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &EvaluationId,
) -> Result<Option<Evaluation>, StoreError> {
    let item = get(
        client,
        table,
        keys::evaluation_pk(org, id),
        keys::EVALUATION_SK,
    )
    .await?;
    match item {
        // A tombstone has no document.
        Some(item) if item.contains_key(DOC) => from_doc("evaluation", &item).map(Some),
        _ => Ok(None),
    }
}

fn has_sub_millis(t: DateTime<Utc>) -> bool {
    !t.timestamp_subsec_nanos().is_multiple_of(1_000_000)
}

/// The filter of `q` beyond what the key range says: its scorecards, and a bound that falls
/// between two milliseconds (the key holds whole milliseconds, so the range reads that
/// millisecond whole and this drops the part outside). `None` when the key range says it all.
fn filter(q: &EvaluationQuery) -> Option<Filter> {
    let mut parts = Vec::new();
    let mut f = Filter::default();
    let scorecards: BTreeSet<&str> = q.scorecards.iter().map(String::as_str).collect();
    if !scorecards.is_empty() {
        let scorecards: Vec<&str> = scorecards.into_iter().collect();
        let groups: Vec<String> = scorecards
            .chunks(MAX_IN)
            .enumerate()
            .map(|(g, chunk)| {
                let names: Vec<String> = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, sc)| {
                        let placeholder = format!(":sc{}", g * MAX_IN + i);
                        f.values.push((placeholder.clone(), s(*sc)));
                        placeholder
                    })
                    .collect();
                format!("#scorecard IN ({})", names.join(", "))
            })
            .collect();
        f.names
            .push(("#scorecard".to_owned(), SCORECARD.to_owned()));
        parts.push(format!("({})", groups.join(" OR ")));
    }
    let exact = [
        (q.from, ":from", "#at >= :from"),
        (q.to, ":to", "#at < :to"),
    ];
    let mut by_time = false;
    for (bound, placeholder, condition) in exact {
        if let Some(t) = bound.filter(|t| has_sub_millis(*t)) {
            f.values.push((placeholder.to_owned(), instant(t)));
            parts.push(condition.to_owned());
            by_time = true;
        }
    }
    if by_time {
        f.names.push(("#at".to_owned(), EVALUATED_AT.to_owned()));
    }
    if parts.is_empty() {
        return None;
    }
    f.expression = parts.join(" AND ");
    Some(f)
}

/// The walk of `q` newest first: the coachee's partition, keys from the millisecond of `from`
/// up to (not including) the first whole millisecond at or after `to`, and below `after`'s
/// position when that is lower.
fn walk(org: &OrgId, q: &EvaluationQuery, after: Option<&Cursor>) -> Walk {
    let lower = q.from.map(|t| encode_sort_key(t.timestamp_millis()));
    // No stored key equals a bare encoded time (they go on with `#id`): an exclusive bound
    // even where the walk's BETWEEN is inclusive.
    let mut upper = q.to.map(|t| encode_sort_key(ceil_millis(t)));
    let mut skip = None;
    if let Some(c) = after {
        let at = position(c.sort_key, &c.id);
        if upper.as_ref().is_none_or(|u| at < *u) {
            // `< upper` alone is exclusive; with a lower bound it becomes an inclusive BETWEEN.
            skip = lower.as_ref().map(|_| at.clone());
            upper = Some(at);
        }
    }
    Walk {
        index: Some(BY_USER),
        pk: keys::user_evaluations_pk(org, &q.coachee),
        lower,
        upper,
        filter: filter(q),
        skip,
        descending: true,
        consistent: false,
    }
}

fn decode(found: &[Item]) -> Result<Vec<Evaluation>, StoreError> {
    found.iter().map(|i| from_doc("evaluation", i)).collect()
}

pub(crate) async fn evaluations(
    client: &Client,
    table: &str,
    org: &OrgId,
    q: &EvaluationQuery,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Evaluation>, StoreError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let found = walk(org, q, after).run(client, table, Some(limit)).await?;
    let items = decode(&found)?;
    let full = limit > 0 && items.len() == limit;
    let next = items.last().filter(|_| full).map(evaluation_cursor);
    Ok(Page { items, next })
}

/// With no `Limit`, DynamoDB's own pages (1 MB of items read each): one Query per page of the
/// coachee's range, whatever else the table holds.
pub(crate) async fn all_evaluations(
    client: &Client,
    table: &str,
    org: &OrgId,
    q: &EvaluationQuery,
) -> Result<Vec<Evaluation>, StoreError> {
    decode(&walk(org, q, None).run(client, table, None).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use coaching_domain::ids::UserId;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn query() -> EvaluationQuery {
        EvaluationQuery {
            coachee: UserId::parse("u").unwrap(),
            from: None,
            to: None,
            scorecards: vec![],
        }
    }

    fn org() -> OrgId {
        OrgId::parse("o").unwrap()
    }

    #[test]
    fn whole_millisecond_bounds_are_the_key_range_alone() {
        let (from, to) = (utc("2030-01-01T00:00:00Z"), utc("2030-02-01T00:00:00Z"));
        let q = EvaluationQuery {
            from: Some(from),
            to: Some(to),
            ..query()
        };
        let w = walk(&org(), &q, None);
        assert_eq!(w.pk, "ORG#o#USER#u#EVALS");
        assert!(w.descending);
        assert_eq!(w.lower, Some(encode_sort_key(from.timestamp_millis())));
        assert_eq!(w.upper, Some(encode_sort_key(to.timestamp_millis())));
        assert_eq!((w.filter, w.skip), (None, None));
        // An evaluation at `from` is in, one at `to` is out.
        let at = |t: DateTime<Utc>| position(t.timestamp_millis(), "ev");
        assert!(w.lower.as_ref().unwrap() <= &at(from));
        assert!(w.upper.as_ref().unwrap() <= &at(to));
        assert!(w.upper.as_ref().unwrap() > &at(to - Duration::milliseconds(1)));
    }

    #[test]
    fn bounds_between_milliseconds_read_that_millisecond_and_filter_exactly() {
        let from = utc("2030-01-01T00:00:00.000500Z");
        let to = utc("2030-02-01T00:00:00.000500Z");
        let q = EvaluationQuery {
            from: Some(from),
            to: Some(to),
            scorecards: vec!["b".into(), "a".into(), "b".into()],
            ..query()
        };
        let w = walk(&org(), &q, None);
        assert_eq!(w.lower, Some(encode_sort_key(from.timestamp_millis())));
        assert_eq!(w.upper, Some(encode_sort_key(to.timestamp_millis() + 1)));
        let f = w.filter.unwrap();
        assert_eq!(
            f.expression,
            "(#scorecard IN (:sc0, :sc1)) AND #at >= :from AND #at < :to"
        );
        assert_eq!(f.values.len(), 4);
        assert_eq!(f.names.len(), 2);
    }

    #[test]
    fn many_scorecards_are_several_ins() {
        let q = EvaluationQuery {
            scorecards: (0..150).map(|i| format!("sc-{i}")).collect(),
            ..query()
        };
        let f = filter(&q).unwrap();
        assert_eq!(f.expression.matches(" IN (").count(), 2);
        assert!(f.expression.contains(" OR "));
        assert_eq!(f.values.len(), 150);
    }

    #[test]
    fn a_cursor_bounds_the_walk_below_its_position() {
        let c = Cursor {
            sort_key: utc("2030-01-15T00:00:00Z").timestamp_millis(),
            id: "ev-9".into(),
        };
        let at = position(c.sort_key, &c.id);
        let w = walk(&org(), &query(), Some(&c));
        assert_eq!((w.upper.as_ref(), w.skip.as_ref()), (Some(&at), None));
        let ranged = EvaluationQuery {
            from: Some(utc("2030-01-01T00:00:00Z")),
            to: Some(utc("2030-02-01T00:00:00Z")),
            ..query()
        };
        let w = walk(&org(), &ranged, Some(&c));
        assert_eq!((w.upper.as_ref(), w.skip.as_ref()), (Some(&at), Some(&at)));
        // A cursor past the range's end leaves the range as it is.
        let late = Cursor {
            sort_key: utc("2030-03-01T00:00:00Z").timestamp_millis(),
            id: "ev-1".into(),
        };
        let w = walk(&org(), &ranged, Some(&late));
        assert_eq!(
            w.upper,
            Some(encode_sort_key(ranged.to.unwrap().timestamp_millis()))
        );
        assert_eq!(w.skip, None);
    }
}
