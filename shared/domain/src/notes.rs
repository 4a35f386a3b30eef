//! Action items from notes: each line starting with `[]` or `- [ ]` becomes one, `@YYYY-MM-DD`
//! in the line sets its due date, and saving the same notes again adds nothing.

use chrono::NaiveDate;

/// The most `notes`, and the most `privateNotes`, a session holds: UTF-8 bytes, so that a
/// session with both at the limit still fits one stored record (a DynamoDB item holds 400 KB).
pub const MAX_NOTES_BYTES: usize = 32_768;

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn clip_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An action item found in notes: its title (without the marker and the due tag) and due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteItem {
    pub title: String,
    pub due_date: Option<NaiveDate>,
}

/// The action items `notes` asks for, in order, without repeats.
pub fn action_items_in(notes: &str) -> Vec<NoteItem> {
    let mut out: Vec<NoteItem> = Vec::new();
    for line in notes.lines() {
        let t = line.trim_start();
        let rest = if let Some(r) = t.strip_prefix("[]") {
            r
        } else if let Some(r) = t.strip_prefix("- [ ]").or_else(|| t.strip_prefix("* [ ]")) {
            r
        } else {
            continue;
        };
        let mut due_date = None;
        let mut words = Vec::new();
        for w in rest.split_whitespace() {
            if let Some(d) = w
                .strip_prefix('@')
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                due_date = Some(d);
            } else {
                words.push(w);
            }
        }
        let title = words.join(" ");
        if title.is_empty() {
            continue;
        }
        let title: String = title.chars().take(500).collect();
        if !out.iter().any(|i| i.title == title) {
            out.push(NoteItem { title, due_date });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_markers_make_items_and_due_tags_set_dates() {
        let notes = "Great call.\n[] Send the deck @2026-12-01\n  - [ ] Practise the opener\n- [x] done already\n[]   \nnot [] an item";
        let items = action_items_in(notes);
        assert_eq!(
            items,
            vec![
                NoteItem {
                    title: "Send the deck".into(),
                    due_date: NaiveDate::from_ymd_opt(2026, 12, 1)
                },
                NoteItem {
                    title: "Practise the opener".into(),
                    due_date: None
                },
            ]
        );
    }

    #[test]
    fn a_repeated_line_is_one_item_and_a_bad_date_stays_in_the_title() {
        let items = action_items_in("[] Call Ana\n[] Call Ana\n[] Ship it @2026-13-01");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].title, "Ship it @2026-13-01");
        assert_eq!(items[1].due_date, None);
    }
}
