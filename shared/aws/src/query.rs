//! One walk over a partition (of the table or of an index) in key order: the key condition,
//! the optional filter, and the paging that fills a list from as few Query calls as the data
//! allows (one, unless a filter drops items past DynamoDB's 1 MB page).

use crate::errors;
use crate::items::{Item, STATUS, s};
use crate::keys::{self, Index};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use coaching_domain::ports::StoreError;

/// A `FilterExpression` with its own attribute names and values (placeholders must not clash
/// with the walk's `#pk`, `#sk`, `:pk`, `:lower`, `:upper`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Filter {
    pub(crate) expression: String,
    pub(crate) names: Vec<(String, String)>,
    pub(crate) values: Vec<(String, AttributeValue)>,
}

impl Filter {
    /// Items whose `status` is one of `statuses`; `None` (no filter) when there are none.
    pub(crate) fn status_in<'a>(statuses: impl IntoIterator<Item = &'a str>) -> Option<Filter> {
        let values: Vec<(String, AttributeValue)> = statuses
            .into_iter()
            .enumerate()
            .map(|(i, status)| (format!(":status{i}"), s(status)))
            .collect();
        if values.is_empty() {
            return None;
        }
        let names: Vec<&str> = values.iter().map(|(name, _)| name.as_str()).collect();
        Some(Filter {
            expression: format!("#status IN ({})", names.join(", ")),
            names: vec![("#status".to_owned(), STATUS.to_owned())],
            values,
        })
    }
}

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
    /// Keep only the items this filter passes (all when `None`).
    pub(crate) filter: Option<Filter>,
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
        if let Some(filter) = &self.filter {
            for (placeholder, name) in &filter.names {
                query = query.expression_attribute_names(placeholder, name);
            }
            for (placeholder, value) in &filter.values {
                query = query.expression_attribute_values(placeholder, value.clone());
            }
            query = query.filter_expression(&filter.expression);
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
