//! The iCalendar (RFC 5545) feed of a user's sessions (docs/api.md#calendar-feed `GET /v1/calendar/{token}.ics`) and
//! its strong ETag, computed from what the feed lists rather than from its bytes.
//!
//! The body depends only on the sessions (never on the time of the request except through the
//! history window), so a calendar app polling an unchanged feed gets byte-identical bodies and
//! a `304` on `If-None-Match`: `DTSTAMP` is the session's `updatedAt`, events are sorted.
//!
//! Written here rather than with the `icalendar` crate's builder (0.17.17, which the tests use
//! as an independent parser). Its writer gets two things wrong that this feed must get right:
//! - folding (`properties::fold_line`): the loop continues while more than 75 octets remain,
//!   but a continuation line holds only 74 after its leading space, so a line whose remainder is
//!   exactly 75 octets (a 150- or 224-octet property, say) comes out as a 76-octet line;
//! - TEXT escaping (`text::escape_text`) escapes `\n` but passes `\r` and other control
//!   characters through, so a name typed with a CRLF puts a bare CR inside a content line.
//!
//! Folding is applied inside its property writer, so fixing it would mean unfolding and
//! refolding its output; the format we need is a handful of properties, escaping and folding,
//! about forty lines below.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use coaching_domain::UserId;
use coaching_domain::session::{Session, SessionStatus};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// `PRODID` of the feed.
pub const PRODID: &str = "-//coaching//sessions feed 1.0//EN";
/// `X-WR-CALNAME` (and RFC 7986 `NAME`): how calendar apps title the subscription.
pub const CALENDAR_NAME: &str = "Coaching sessions";
/// How far back the feed goes: a session that ended more than this many days before `now` is
/// left out, so a coach with years of weekly 1:1s does not get an ever-growing feed (calendar
/// apps drop such events from the subscription). A caller may load only the sessions ending
/// after `now - HISTORY_DAYS`.
pub const HISTORY_DAYS: i64 = 90;
/// Suggested polling interval (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`).
pub const REFRESH: &str = "PT1H";
/// The longest content line in octets, CRLF excluded (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The feed of `user`'s sessions; see [`Feed`]. No join URL: `POST /v1/sessions/{id}/join`
/// hands it out only from 15 minutes before the start.
pub fn calendar(user: &UserId, sessions: &[Session], now: DateTime<Utc>) -> String {
    Feed::of(user, sessions, now).render(|_| None)
}

/// The feed of `user`'s sessions with a join URL per event where `join_url` gives one.
pub fn calendar_with_join_urls(
    user: &UserId,
    sessions: &[Session],
    now: DateTime<Utc>,
    join_url: impl Fn(&Session) -> Option<String>,
) -> String {
    Feed::of(user, sessions, now).render(join_url)
}

/// The most characters of a session's notes a feed's `DESCRIPTION` carries: enough for the
/// agenda a calendar shows, while notes of up to 32 KB per session do not make a feed of
/// hundreds of sessions megabytes long (a calendar app downloads it every hour).
pub const MAX_DESCRIPTION_NOTES: usize = 1_000;

/// Changes whenever [`Feed::render`] writes other bytes for the same sessions, so that an ETag
/// of the old format never matches a body of the new one.
const FORMAT: &[u8] = b"coaching-ics-2";

static RENDERS: AtomicU64 = AtomicU64::new(0);

/// How many feeds this process rendered: a test's way to see that a 304 rendered none.
pub fn renders() -> u64 {
    RENDERS.load(Ordering::Relaxed)
}

/// The events of one user's feed: one per session of `sessions` in which `user` is the coach or
/// the client, that has a time (drafts have none) and that ended at most [`HISTORY_DAYS`]
/// before `now`, ordered by start. Others' sessions are skipped, whatever the caller passes.
#[derive(Debug)]
pub struct Feed<'a> {
    events: Vec<(&'a Session, DateTime<Utc>, DateTime<Utc>)>,
}

impl<'a> Feed<'a> {
    pub fn of(user: &UserId, sessions: &'a [Session], now: DateTime<Utc>) -> Self {
        let oldest_end = now - Duration::days(HISTORY_DAYS);
        let mut events: Vec<_> = sessions
            .iter()
            .filter(|s| &s.coach_id == user || &s.client_id == user)
            .filter(|s| s.status != SessionStatus::Draft)
            .filter_map(|s| Some((s, s.starts_at?, s.ends_at()?)))
            .filter(|(_, _, end)| *end >= oldest_end)
            .collect();
        events.sort_by(|a, b| (a.1, &a.0.id).cmp(&(b.1, &b.0.id)));
        Feed { events }
    }

    /// A strong ETag (quoted hex SHA-256) of what the feed lists: each event's session id and
    /// version, which every stored change of a session bumps. Two bodies of equal ETags are
    /// equal, and computing it renders nothing, so answering 304 costs no rendering.
    pub fn etag(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(FORMAT);
        for (s, _, _) in &self.events {
            hash.update(s.id.as_str().as_bytes());
            hash.update(b"\0");
            hash.update(s.version.to_be_bytes());
        }
        let mut tag = String::with_capacity(66);
        tag.push('"');
        for byte in hash.finalize() {
            let _ = write!(tag, "{byte:02x}");
        }
        tag.push('"');
        tag
    }

    /// The iCalendar body. `STATUS` is `CANCELLED` for a cancelled session (calendar apps then
    /// remove or strike it) and `CONFIRMED` for the others (scheduled, completed, no-show: the
    /// time was held). `SEQUENCE` is the session's `sequence` (bumped on every move), `UID`
    /// `<session id>@coaching`. `DESCRIPTION` names the kind, the join URL when `join_url` gives
    /// one, and the first [`MAX_DESCRIPTION_NOTES`] characters of the shared notes (never the
    /// private ones: a feed URL travels to calendar servers).
    pub fn render(&self, join_url: impl Fn(&Session) -> Option<String>) -> String {
        RENDERS.fetch_add(1, Ordering::Relaxed);
        let mut out = String::with_capacity(256 + self.events.len() * 400);
        for (name, value) in [
            ("BEGIN", "VCALENDAR"),
            ("VERSION", "2.0"),
            ("PRODID", PRODID),
            ("CALSCALE", "GREGORIAN"),
            ("METHOD", "PUBLISH"),
            ("NAME", CALENDAR_NAME),
            ("X-WR-CALNAME", CALENDAR_NAME),
            ("REFRESH-INTERVAL;VALUE=DURATION", REFRESH),
            ("X-PUBLISHED-TTL", REFRESH),
        ] {
            line(&mut out, name, value);
        }
        for &(s, start, end) in &self.events {
            let status = match s.status {
                SessionStatus::Cancelled => "CANCELLED",
                _ => "CONFIRMED",
            };
            let summary = if s.name.trim().is_empty() {
                "Coaching session"
            } else {
                s.name.as_str()
            };
            let mut description = format!("Kind: {}", s.kind.as_str());
            if let Some(url) = join_url(s) {
                let _ = write!(description, "\nJoin: {url}");
            }
            let notes = s.notes.trim();
            if !notes.is_empty() {
                description.push_str("\n\n");
                let mut chars = notes.chars();
                description.extend(chars.by_ref().take(MAX_DESCRIPTION_NOTES));
                if chars.next().is_some() {
                    description.push('…');
                }
            }
            line(&mut out, "BEGIN", "VEVENT");
            line(&mut out, "UID", &text(&format!("{}@coaching", s.id)));
            line(&mut out, "DTSTAMP", &utc(s.updated_at));
            line(&mut out, "DTSTART", &utc(start));
            line(&mut out, "DTEND", &utc(end));
            line(&mut out, "SEQUENCE", &s.sequence.to_string());
            line(&mut out, "STATUS", status);
            line(&mut out, "SUMMARY", &text(summary));
            line(&mut out, "DESCRIPTION", &text(&description));
            line(&mut out, "LAST-MODIFIED", &utc(s.updated_at));
            line(&mut out, "END", "VEVENT");
        }
        line(&mut out, "END", "VCALENDAR");
        out
    }
}

/// A UTC DATE-TIME, form #2 (`19970714T173000Z`). Written field by field: `format` with a
/// strftime string parses that string again on every call, and a feed of 500 sessions makes
/// 2,000 of these (the parsing was a tenth of the feed's CPU time).
fn utc(t: DateTime<Utc>) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A TEXT value (RFC 5545 §3.3.11): `\`, `;`, `,` and newlines escaped. CR LF and a lone CR
/// are newlines too; other control characters are not allowed in TEXT and are dropped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends the content line `name:value` folded (RFC 5545 §3.1): at most 75 octets per line
/// before its CRLF, continuation lines starting with one space, never inside a UTF-8 sequence.
///
/// The line `name:value` is folded as its three parts are appended, without building it first
/// (one allocation fewer per line, eleven per event): the cuts fall where they would in the
/// whole line, since the joins of the parts are character boundaries too.
fn line(out: &mut String, name: &str, value: &str) {
    // Octets already on the current physical line, and how many it may hold.
    let (mut used, mut room) = (0, MAX_LINE_OCTETS);
    for part in [name, ":", value] {
        let mut rest = part;
        while used + rest.len() > room {
            let mut cut = room - used;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n ");
            rest = &rest[cut..];
            used = 0;
            // The leading space takes one octet of every continuation line.
            room = MAX_LINE_OCTETS - 1;
        }
        out.push_str(rest);
        used += rest.len();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests;
