//! Pages of lists: a position (`Cursor`) and a page with its next cursor.

/// A position in a list ordered by (`sort_key`, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort_key: i64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when more items may follow.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// The page of at most `limit` items that the API hands out, from `items` read with a
    /// limit of `limit + 1` ([`fetch_limit`]): `next` (the position of the page's last item)
    /// is set exactly when more items followed, so a page is the last exactly when it has no
    /// `next`, and a cursor never leads to an empty page (unless items were deleted meanwhile).
    pub fn trimmed(mut items: Vec<T>, limit: u32, position: impl Fn(&T) -> Cursor) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        let next = items.last().filter(|_| more).map(position);
        Page { items, next }
    }
}

/// What a service asks a store for to fill a page of `limit`: one item more, which tells
/// whether another page follows ([`Page::trimmed`]).
pub fn fetch_limit(limit: u32) -> u32 {
    limit.saturating_add(1)
}
