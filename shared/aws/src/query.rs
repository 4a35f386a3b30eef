//! One walk over a partition (of the table or of an index) in key order: the key condition,
//! the optional status filter, and the paging that fills a list from as few Query calls as
//! the data allows (one, unless a filter drops items past DynamoDB's 1 MB page).

use crate::errors;
use crate::items::{Item, STATUS, s};
use crate::keys::{self, Index};
use aws_sdk_dynamodb::Client;
use coaching_domain::ports::StoreError;
use coaching_domain::session::SessionStatus;

/// A Query of one partition.
#[derive(Debug, Clone, Default)]
pub(crate) struct Walk {
    /// `None`: the table itself.
    pub(crate) index: Option<Index>,
    pub(crate) pk: String,
    /// Sort keys at or above this.
    pub(crate) lower: Option<String>,
    /// Sort keys below this. With a `lower` bound the condition is `BETWEEN`, which is
    /// inclusive: callers pass an `upper` that no stored sort key equals.
    pub(crate) upper: Option<String>,
    /// Keep only items whose `status` is one of these (all when empty).
    pub(crate) statuses: Vec<SessionStatus>,
    /// Drop the item with exactly this sort key (a cursor's own position).
    pub(crate) skip: Option<String>,
    pub(crate) descending: bool,
    /// Strongly consistent reads (the table only; indexes cannot).
    pub(crate) consistent: bool,
}

impl Walk {
    /// The first `want` items (every item when `None`) in key order.
    pub(crate) async fn run(
        &self,
        client: &Client,
        table: &str,
        want: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut out = Vec::new();
        if want == Some(0) {
            return Ok(out);
        }
        if let (Some(lower), Some(upper)) = (&self.lower, &self.upper)
            && lower > upper
        {
            return Ok(out); // An empty range; DynamoDB refuses a BETWEEN whose bounds cross.
        }
        let (pk_name, sk_name) = self.index.map_or((keys::PK, keys::SK), |i| (i.pk, i.sk));
        let mut condition = "#pk = :pk".to_owned();
        let mut query = client
            .query()
            .table_name(table)
            .set_index_name(self.index.map(|i| i.name.to_owned()))
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", s(self.pk.as_str()))
            .scan_index_forward(!self.descending)
            .consistent_read(self.consistent && self.index.is_none());
        match (&self.lower, &self.upper) {
            (None, None) => {}
            (Some(_), None) => condition.push_str(" AND #sk >= :lower"),
            (None, Some(_)) => condition.push_str(" AND #sk < :upper"),
            (Some(_), Some(_)) => condition.push_str(" AND #sk BETWEEN :lower AND :upper"),
        }
        if self.lower.is_some() || self.upper.is_some() {
            query = query.expression_attribute_names("#sk", sk_name);
        }
        if let Some(lower) = &self.lower {
            query = query.expression_attribute_values(":lower", s(lower.as_str()));
        }
        if let Some(upper) = &self.upper {
            query = query.expression_attribute_values(":upper", s(upper.as_str()));
        }
        query = query.key_condition_expression(condition);
        if !self.statuses.is_empty() {
            let names: Vec<String> = (0..self.statuses.len())
                .map(|i| format!(":status{i}"))
                .collect();
            for (name, status) in names.iter().zip(&self.statuses) {
                query = query.expression_attribute_values(name, s(status.as_str()));
            }
            query = query
                .filter_expression(format!("#status IN ({})", names.join(", ")))
                .expression_attribute_names("#status", STATUS);
        } else if let Some(want) = want {
            // Without a filter, the page is exactly the next items (plus the cursor's own).
            let limit = want + usize::from(self.skip.is_some());
            query = query.limit(i32::try_from(limit).unwrap_or(i32::MAX));
        }
        let mut start = None;
        loop {
            let page = query
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| errors::unavailable("Query", e))?;
            for item in page.items() {
                if self.skip.is_some()
                    && item.get(sk_name).and_then(|v| v.as_s().ok()) == self.skip.as_ref()
                {
                    continue;
                }
                out.push(item.clone());
                if want.is_some_and(|w| out.len() >= w) {
                    return Ok(out);
                }
            }
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => return Ok(out),
            }
        }
    }
}
