//! The feed read back by an independent parser (the `icalendar` crate's), and its octets checked
//! one by one: CRLF, folding at 75 octets on UTF-8 boundaries, TEXT escaping, stability.

use super::*;
use coaching_domain::session::{Cancellation, NewSession, Party, SessionKind};
use coaching_domain::zone::Zone;
use coaching_domain::{Currency, Money, OrgId, SessionId};
use icalendar::{
    CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, Event, EventStatus,
};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

const NOW: &str = "2026-11-01T12:00:00Z";

fn session(id: &str, name: &str, start: &str) -> Session {
    let start = at(start);
    Session {
        price: Some(Money::new(7000, Currency::eur()).unwrap()),
        updated_at: at("2026-10-02T08:15:30Z"),
        ..Session::new(NewSession {
            id: SessionId::parse(id).unwrap(),
            org: OrgId::parse("org").unwrap(),
            kind: SessionKind::Paid,
            name: name.into(),
            coach_id: user("coach"),
            client_id: user("client"),
            starts_at: Some(start),
            duration_minutes: 45,
            buffer_minutes: 0,
            timezone: Zone::named("Europe/Berlin").unwrap(),
            created_by: user("coach"),
            now: at("2026-10-01T08:00:00Z"),
        })
    }
}

/// A session moved twice, one cancelled by the client, one of someone else's, one draft.
fn sessions() -> Vec<Session> {
    let mut moved = session("s-moved", "Weekly 1:1", "2026-11-05T09:30:00Z");
    moved.sequence = 2;
    moved.updated_at = at("2026-10-20T17:45:00Z");
    let mut cancelled = session("s-cancelled", "Intro call", "2026-11-03T14:00:00Z");
    cancelled.kind = SessionKind::Intro;
    cancelled.duration_minutes = 15;
    cancelled.status = SessionStatus::Cancelled;
    cancelled.cancellation = Some(Cancellation {
        by: Party::Client,
        by_user_id: user("client"),
        at: at("2026-10-30T10:00:00Z"),
        reason: None,
        fee: None,
    });
    cancelled.sequence = 1;
    cancelled.updated_at = at("2026-10-30T10:00:00Z");
    let mut others = session("s-others", "Not yours", "2026-11-04T10:00:00Z");
    others.coach_id = user("coach-2");
    others.client_id = user("client-2");
    let mut draft = session("s-draft", "Draft review", "2026-11-06T10:00:00Z");
    draft.kind = SessionKind::Review;
    draft.status = SessionStatus::Draft;
    draft.starts_at = None;
    vec![moved, others, cancelled, draft]
}

fn parse(body: &str) -> icalendar::Calendar {
    body.parse().unwrap()
}

fn events(cal: &icalendar::Calendar) -> Vec<&Event> {
    cal.components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn utc_time(t: &str) -> Option<DatePerhapsTime> {
    Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(at(t))))
}

fn summary_of(name: &str) -> String {
    let body = calendar(
        &user("client"),
        &[session("s1", name, "2026-11-05T09:30:00Z")],
        at(NOW),
    );
    let cal = parse(&body);
    events(&cal)[0].get_summary().unwrap().to_owned()
}

#[test]
fn the_parsed_feed_has_every_calendar_and_event_field() {
    let body = calendar_with_join_urls(&user("coach"), &sessions(), at(NOW), |s| {
        Some(format!("https://meet.example.com/{}", s.id))
    });
    let cal = parse(&body);
    for (name, value) in [
        ("VERSION", "2.0"),
        ("PRODID", PRODID),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("X-WR-CALNAME", CALENDAR_NAME),
        ("X-PUBLISHED-TTL", "PT1H"),
    ] {
        assert_eq!(cal.property_value(name), Some(value), "{name}");
    }
    let events = events(&cal);
    assert_eq!(
        events.len(),
        2,
        "neither someone else's session nor a draft"
    );

    // Ordered by start: the cancelled intro (3 Nov) before the moved 1:1 (5 Nov).
    let (cancelled, moved) = (events[0], events[1]);
    assert_eq!(moved.get_uid(), Some("s-moved@coaching"));
    assert_eq!(moved.get_timestamp(), Some(at("2026-10-20T17:45:00Z")));
    assert_eq!(moved.get_last_modified(), Some(at("2026-10-20T17:45:00Z")));
    assert_eq!(moved.get_start(), utc_time("2026-11-05T09:30:00Z"));
    assert_eq!(moved.get_end(), utc_time("2026-11-05T10:15:00Z"));
    assert_eq!(moved.get_sequence(), Some(2));
    assert_eq!(moved.get_status(), Some(EventStatus::Confirmed));
    assert_eq!(moved.get_summary(), Some("Weekly 1:1"));
    assert_eq!(
        moved.get_description(),
        Some("Kind: paid\nJoin: https://meet.example.com/s-moved")
    );

    assert_eq!(cancelled.get_uid(), Some("s-cancelled@coaching"));
    assert_eq!(cancelled.get_timestamp(), Some(at("2026-10-30T10:00:00Z")));
    assert_eq!(cancelled.get_start(), utc_time("2026-11-03T14:00:00Z"));
    assert_eq!(cancelled.get_end(), utc_time("2026-11-03T14:15:00Z"));
    assert_eq!(cancelled.get_sequence(), Some(1));
    assert_eq!(cancelled.get_status(), Some(EventStatus::Cancelled));
    assert_eq!(cancelled.get_summary(), Some("Intro call"));

    // Times are UTC in the raw text too, never floating or with a TZID.
    assert!(body.contains("\r\nDTSTART:20261105T093000Z\r\n"), "{body}");
    assert!(body.contains("\r\nDTEND:20261103T141500Z\r\n"), "{body}");
}

#[test]
fn the_client_sees_the_same_sessions_and_no_join_url_without_one() {
    let body = calendar(&user("client"), &sessions(), at(NOW));
    let cal = parse(&body);
    let uids: Vec<_> = events(&cal).iter().map(|e| e.get_uid().unwrap()).collect();
    assert_eq!(uids, ["s-cancelled@coaching", "s-moved@coaching"]);
    assert_eq!(events(&cal)[1].get_description(), Some("Kind: paid"));
    let stranger = calendar(&user("stranger"), &sessions(), at(NOW));
    assert!(events(&parse(&stranger)).is_empty());
}

#[test]
fn sessions_that_ended_long_ago_leave_the_feed() {
    let old = session("s-old", "Old", "2026-08-01T09:00:00Z");
    let recent = session("s-recent", "Recent", "2026-08-10T09:00:00Z");
    // 90 days before NOW is 3 August 12:00 UTC.
    let body = calendar(&user("coach"), &[old, recent], at(NOW));
    let cal = parse(&body);
    let uids: Vec<_> = events(&cal).iter().map(|e| e.get_uid().unwrap()).collect();
    assert_eq!(uids, ["s-recent@coaching"]);
}

#[test]
fn commas_semicolons_backslashes_and_newlines_round_trip() {
    let name = "Q3, goals; \"plan\" \\ review\nline two: done";
    assert_eq!(summary_of(name), name);
    let body = calendar(
        &user("client"),
        &[session("s1", name, "2026-11-05T09:30:00Z")],
        at(NOW),
    );
    let raw = r#"SUMMARY:Q3\, goals\; "plan" \\ review\nline two: done"#;
    assert!(body.contains(&format!("\r\n{raw}\r\n")), "{body}");
}

#[test]
fn crlf_and_control_characters_in_a_name_never_reach_the_feed_raw() {
    assert_eq!(summary_of("a\r\nb\rc\u{7}d\te"), "a\nb\ncd\te");
    assert_eq!(summary_of("  "), "Coaching session");
}

#[test]
fn every_line_ends_in_crlf_and_nothing_else_breaks_a_line() {
    let mut all = sessions();
    all.push(session("s-nl", "a\nb\r\nc\rd", "2026-11-07T09:00:00Z"));
    let body = calendar(&user("coach"), &all, at(NOW));
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(body.ends_with("END:VCALENDAR\r\n"));
    let lines: Vec<&str> = body.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    for l in &lines {
        assert!(!l.contains(['\r', '\n']), "bare CR or LF in {l:?}");
        assert!(!l.is_empty());
    }
}

/// The body's physical lines, each checked: at most 75 octets, whole UTF-8 (split on bytes).
fn physical_lines(body: &str) -> Vec<&str> {
    let bytes = body.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len().saturating_sub(1) {
        if bytes[i] == b'\r' && bytes[i + 1] == b'\n' {
            let l = std::str::from_utf8(&bytes[start..i]).expect("a line splits a UTF-8 sequence");
            assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
            lines.push(l);
            start = i + 2;
        }
    }
    assert_eq!(start, bytes.len(), "text after the last CRLF");
    lines
}

#[test]
fn a_long_non_ascii_summary_is_folded_at_75_octets_and_unfolds_back() {
    // 200 characters of 1, 2, 3 and 4 octets.
    let name: String = "Zielklärung 目標 🧭 ".chars().cycle().take(200).collect();
    let body = calendar(
        &user("client"),
        &[session("s1", &name, "2026-11-05T09:30:00Z")],
        at(NOW),
    );
    let lines = physical_lines(&body);
    let first = lines
        .iter()
        .position(|l| l.starts_with("SUMMARY:"))
        .unwrap();
    let mut unfolded = lines[first].to_owned();
    for l in lines[first + 1..].iter().take_while(|l| l.starts_with(' ')) {
        unfolded.push_str(&l[1..]);
    }
    assert!(lines[first + 1].starts_with(' '), "folded");
    assert_eq!(unfolded, format!("SUMMARY:{name}"));
    assert_eq!(summary_of(&name), name);
}

#[test]
fn folding_keeps_every_line_within_75_octets_at_every_length_and_width() {
    // Lengths around 75, 149 and 223 octets are where the icalendar crate's folder emits 76.
    for unit in ["a", "é", "目", "🧭"] {
        for n in 0..=260 {
            let value = unit.repeat(n);
            let mut out = String::new();
            line(&mut out, "SUMMARY", &value);
            let lines = physical_lines(&out);
            assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
            let unfolded: String = lines
                .iter()
                .enumerate()
                .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
                .collect();
            assert_eq!(unfolded, format!("SUMMARY:{value}"), "{unit} × {n}");
            // Full lines are used: only the last may be short by more than a character.
            let full = lines[..lines.len() - 1]
                .iter()
                .all(|l| l.len() > 75 - unit.len());
            assert!(full, "{unit} × {n}: {lines:?}");
        }
    }
}

#[test]
fn the_same_sessions_give_the_same_bytes_and_etag_whatever_their_order() {
    let mut reversed = sessions();
    reversed.reverse();
    let etag = |list: &[Session], now: &str| Feed::of(&user("coach"), list, at(now)).etag();
    let a = calendar(&user("coach"), &sessions(), at(NOW));
    let b = calendar(&user("coach"), &reversed, at("2026-11-01T13:00:00Z"));
    assert_eq!(a, b);
    assert_eq!(
        etag(&sessions(), NOW),
        etag(&reversed, "2026-11-01T13:00:00Z")
    );
    let tag = etag(&sessions(), NOW);
    assert_eq!(tag.len(), 66);
    assert!(tag.starts_with('"') && tag.ends_with('"'));
    assert!(tag[1..65].bytes().all(|c| c.is_ascii_hexdigit()));

    let mut moved_again = sessions();
    moved_again[0].starts_at = Some(at("2026-11-12T09:30:00Z"));
    moved_again[0].sequence = 3;
    moved_again[0].version += 1;
    let c = calendar(&user("coach"), &moved_again, at(NOW));
    assert_ne!(tag, etag(&moved_again, NOW));
    assert_eq!(events(&parse(&c))[1].get_sequence(), Some(3));
}

#[test]
fn the_description_carries_at_most_a_thousand_characters_of_the_shared_notes_only() {
    let mut list = sessions();
    list[0].notes = format!("Agenda: {}", "é".repeat(5_000));
    list[0].private_notes = "SECRET private remark".into();
    list[2].notes = "Short, sweet; done".into();
    list[1].notes = "NOT-THIS-USERS".into();

    let body = calendar(&user("coach"), &list, at(NOW));

    let cal = parse(&body);
    let evs = events(&cal);
    let description = |e: &Event| {
        e.property_value("DESCRIPTION")
            .unwrap_or_default()
            .to_owned()
    };
    let long = evs
        .iter()
        .map(|e| description(e))
        .find(|d| d.contains("Agenda"))
        .expect("notes");
    let notes_part = long
        .split_once("\n\n")
        .map(|x| x.1)
        .unwrap_or_default()
        .to_owned();
    assert!(
        notes_part.chars().count() <= MAX_DESCRIPTION_NOTES + 1,
        "{}",
        notes_part.chars().count()
    );
    assert!(notes_part.ends_with('…'));
    assert!(
        evs.iter()
            .any(|e| description(e).ends_with("Short, sweet; done"))
    );
    assert!(!body.contains("SECRET"));
    assert!(!body.contains("NOT-THIS-USERS"));
}

#[test]
fn the_etag_changes_with_what_is_listed_and_with_nothing_else() {
    let base = Feed::of(&user("coach"), &sessions(), at(NOW)).etag();
    let mut edited = sessions();
    edited[2].notes = "new notes".into();
    edited[2].version += 1;
    let mut fewer = sessions();
    fewer.remove(0);
    // Sessions the feed does not list (another user's, a draft) change nothing.
    let mut elsewhere = sessions();
    elsewhere[1].version += 1;
    elsewhere[3].version += 1;

    assert_ne!(base, Feed::of(&user("coach"), &edited, at(NOW)).etag());
    assert_ne!(base, Feed::of(&user("coach"), &fewer, at(NOW)).etag());
    assert_eq!(base, Feed::of(&user("coach"), &elsewhere, at(NOW)).etag());
}
