//! A coach's settings: timezone, weekly wall-clock availability, prices and policies.

use crate::error::Errors;
use crate::ids::UserId;
use crate::money::{Currency, Money};
use crate::zone::Zone;
use chrono::{DateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Session lengths a paid session can have.
pub const PAID_DURATIONS: [u32; 3] = [30, 45, 60];

/// Wall-clock minutes after midnight, `0..=1440` (1440 = the end of the day, "24:00").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WallTime(u32);

impl WallTime {
    /// Parses `HH:MM` (24-hour, `24:00` allowed as an end).
    pub fn parse(s: &str) -> Result<Self, String> {
        let err = || format!("'{s}' is not a time of day HH:MM between 00:00 and 24:00");
        let (h, m) = s.split_once(':').ok_or_else(err)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(err());
        }
        let h: u32 = h.parse().map_err(|_| err())?;
        let m: u32 = m.parse().map_err(|_| err())?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(err());
        }
        Ok(Self(h * 60 + m))
    }
    pub fn minutes(&self) -> u32 {
        self.0
    }
}
impl TryFrom<String> for WallTime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<WallTime> for String {
    fn from(w: WallTime) -> String {
        format!("{:02}:{:02}", w.0 / 60, w.0 % 60)
    }
}

/// Parses `mon`..`sun` (also full English names, any case).
pub fn parse_weekday(s: &str) -> Result<Weekday, String> {
    match s.to_ascii_lowercase().as_str() {
        "mon" | "monday" => Ok(Weekday::Mon),
        "tue" | "tuesday" => Ok(Weekday::Tue),
        "wed" | "wednesday" => Ok(Weekday::Wed),
        "thu" | "thursday" => Ok(Weekday::Thu),
        "fri" | "friday" => Ok(Weekday::Fri),
        "sat" | "saturday" => Ok(Weekday::Sat),
        "sun" | "sunday" => Ok(Weekday::Sun),
        _ => Err(format!(
            "'{s}' is not a weekday (mon, tue, wed, thu, fri, sat, sun)"
        )),
    }
}

pub fn weekday_str(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// One weekly window of availability, wall-clock in the coach's timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailabilityWindow {
    #[serde(with = "weekday_serde")]
    pub weekday: Weekday,
    pub start: WallTime,
    pub end: WallTime,
}

mod weekday_serde {
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(d: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(super::weekday_str(*d))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_weekday(&s).map_err(serde::de::Error::custom)
    }
}

/// A coach's settings as stored. Every field is valid by construction through [`CoachSettingsInput::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoachSettings {
    pub coach_id: UserId,
    pub timezone: Zone,
    pub availability: Vec<AvailabilityWindow>,
    /// Price per paid duration in minutes (30, 45, 60).
    pub prices: BTreeMap<u32, Money>,
    pub buffer_minutes: u32,
    pub min_notice_minutes: u32,
    pub cancellation_window_hours: u32,
    pub late_cancellation_fee_percent: u8,
    pub no_show_fee_percent: u8,
    pub join_url_template: String,
    pub updated_at: DateTime<Utc>,
}

pub const DEFAULT_JOIN_URL_TEMPLATE: &str = "https://meet.example.com/{sessionId}";

impl CoachSettings {
    /// What a coach who never put settings has: UTC, no availability, no prices, the defaults.
    pub fn unset(coach_id: UserId, now: DateTime<Utc>) -> Self {
        Self {
            coach_id,
            timezone: Zone::utc(),
            availability: Vec::new(),
            prices: BTreeMap::new(),
            buffer_minutes: 0,
            min_notice_minutes: 60,
            cancellation_window_hours: 24,
            late_cancellation_fee_percent: 50,
            no_show_fee_percent: 100,
            join_url_template: DEFAULT_JOIN_URL_TEMPLATE.to_owned(),
            updated_at: now,
        }
    }
    /// The currency the coach charges in (the first price's, else EUR).
    pub fn currency(&self) -> Currency {
        self.prices
            .values()
            .next()
            .map(|m| m.currency())
            .unwrap_or_else(Currency::eur)
    }
    pub fn join_url(&self, session_id: &str) -> String {
        self.join_url_template.replace("{sessionId}", session_id)
    }
}

/// Raw settings as a caller sends them; [`validate`](Self::validate) turns them into [`CoachSettings`].
#[derive(Debug, Clone, Default)]
pub struct CoachSettingsInput {
    pub timezone: String,
    pub availability: Vec<(String, String, String)>,
    pub prices: Vec<(String, i64, String)>,
    pub buffer_minutes: Option<i64>,
    pub min_notice_minutes: Option<i64>,
    pub cancellation_window_hours: Option<i64>,
    pub late_cancellation_fee_percent: Option<i64>,
    pub no_show_fee_percent: Option<i64>,
    pub join_url_template: Option<String>,
}

fn bounded(errs: &mut Errors, field: &str, v: Option<i64>, default: i64, max: i64) -> i64 {
    let v = v.unwrap_or(default);
    if !(0..=max).contains(&v) {
        errs.add(field, format!("must be a whole number from 0 to {max}"));
        return default;
    }
    v
}

impl CoachSettingsInput {
    /// Checks every field and reports all problems at once.
    pub fn validate(
        self,
        coach_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<CoachSettings, crate::DomainError> {
        let mut errs = Errors::new();
        let timezone = errs.check(
            "timezone",
            self.timezone.parse::<Zone>().map_err(|_| {
                format!(
                    "'{}' is not an IANA timezone such as Europe/Berlin",
                    self.timezone
                )
            }),
        );
        if self.availability.len() > 100 {
            errs.add("availability", "at most 100 windows");
        }
        let mut availability = Vec::new();
        for (i, (day, start, end)) in self.availability.iter().enumerate() {
            let weekday = errs.check(&format!("availability[{i}].weekday"), parse_weekday(day));
            let start = errs.check(&format!("availability[{i}].start"), WallTime::parse(start));
            let end = errs.check(&format!("availability[{i}].end"), WallTime::parse(end));
            if let (Some(weekday), Some(start), Some(end)) = (weekday, start, end) {
                if end <= start {
                    errs.add(format!("availability[{i}].end"), "must be after start");
                } else {
                    availability.push(AvailabilityWindow {
                        weekday,
                        start,
                        end,
                    });
                }
            }
        }
        let mut prices = BTreeMap::new();
        let mut currency: Option<Currency> = None;
        for (key, amount, cur) in &self.prices {
            let field = format!("prices.{key}");
            let Some(minutes) = key
                .parse::<u32>()
                .ok()
                .filter(|m| PAID_DURATIONS.contains(m))
            else {
                errs.add(field, "prices are set for 30, 45 or 60 minutes");
                continue;
            };
            let Some(c) = errs.check(&format!("{field}.currency"), Currency::parse(cur)) else {
                continue;
            };
            if currency.is_some_and(|seen| seen != c) {
                errs.add(
                    format!("{field}.currency"),
                    "all prices must be in one currency",
                );
                continue;
            }
            currency = Some(c);
            if let Some(m) = errs.check(&format!("{field}.amount"), Money::new(*amount, c)) {
                prices.insert(minutes, m);
            }
        }
        let buffer_minutes =
            bounded(&mut errs, "bufferMinutes", self.buffer_minutes, 0, 240) as u32;
        let min_notice_minutes = bounded(
            &mut errs,
            "minNoticeMinutes",
            self.min_notice_minutes,
            60,
            60 * 24 * 60,
        ) as u32;
        let cancellation_window_hours = bounded(
            &mut errs,
            "cancellationWindowHours",
            self.cancellation_window_hours,
            24,
            24 * 30,
        ) as u32;
        let late_cancellation_fee_percent = bounded(
            &mut errs,
            "lateCancellationFeePercent",
            self.late_cancellation_fee_percent,
            50,
            100,
        ) as u8;
        let no_show_fee_percent = bounded(
            &mut errs,
            "noShowFeePercent",
            self.no_show_fee_percent,
            100,
            100,
        ) as u8;
        let join_url_template = self
            .join_url_template
            .unwrap_or_else(|| DEFAULT_JOIN_URL_TEMPLATE.to_owned());
        if !(join_url_template.starts_with("https://") || join_url_template.starts_with("http://"))
            || join_url_template.len() > 2048
            || join_url_template.chars().any(char::is_whitespace)
        {
            errs.add("joinUrlTemplate", "must be an http(s) URL without spaces, at most 2048 characters; {sessionId} is replaced");
        }
        errs.finish()?;
        Ok(CoachSettings {
            coach_id,
            timezone: timezone.unwrap_or(Zone::utc()),
            availability,
            prices,
            buffer_minutes,
            min_notice_minutes,
            cancellation_window_hours,
            late_cancellation_fee_percent,
            no_show_fee_percent,
            join_url_template,
            updated_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CoachSettingsInput {
        CoachSettingsInput {
            timezone: "Europe/Berlin".into(),
            availability: vec![("mon".into(), "09:00".into(), "17:00".into())],
            prices: vec![("30".into(), 5000, "EUR".into())],
            ..Default::default()
        }
    }

    #[test]
    fn valid_settings_get_the_contract_defaults() {
        let s = input()
            .validate(UserId::parse("c1").unwrap(), Utc::now())
            .unwrap();
        assert_eq!(s.buffer_minutes, 0);
        assert_eq!(s.min_notice_minutes, 60);
        assert_eq!(s.cancellation_window_hours, 24);
        assert_eq!(s.late_cancellation_fee_percent, 50);
        assert_eq!(s.no_show_fee_percent, 100);
        assert_eq!(s.join_url("abc"), "https://meet.example.com/abc");
    }

    #[test]
    fn every_bad_field_is_reported_by_name() {
        let mut i = input();
        i.timezone = "Mars/Olympus".into();
        i.availability
            .push(("funday".into(), "10:00".into(), "09:00".into()));
        i.availability
            .push(("tue".into(), "10:00".into(), "09:00".into()));
        i.prices.push(("20".into(), 100, "EUR".into()));
        i.no_show_fee_percent = Some(101);
        let Err(crate::DomainError::Validation(errs)) =
            i.validate(UserId::parse("c1").unwrap(), Utc::now())
        else {
            panic!("expected validation errors")
        };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "timezone",
                "availability[1].weekday",
                "availability[2].end",
                "prices.20",
                "noShowFeePercent"
            ]
        );
    }

    #[test]
    fn wall_times_parse_strictly() {
        assert_eq!(WallTime::parse("24:00").unwrap().minutes(), 1440);
        assert!(WallTime::parse("24:15").is_err());
        assert!(WallTime::parse("9:00").is_err());
        assert!(WallTime::parse("09:60").is_err());
        assert!(WallTime::parse("ab:cd").is_err());
    }
}
