//! Coach settings and slots on the wire (docs/api.md#coaches-and-slots).

use super::MoneyDto;
use chrono::{DateTime, Utc};
use coaching_domain::coach::{CoachSettings, CoachSettingsInput, weekday_str};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityDto {
    /// `mon` .. `sun`.
    #[schema(example = "mon", schema_with = weekday)]
    pub weekday: String,
    /// Wall-clock `HH:MM` in the coach's timezone.
    #[schema(example = "09:00", pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub start: String,
    /// Wall-clock `HH:MM`, after `start`; `24:00` is the end of the day.
    #[schema(example = "17:00", pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub end: String,
}

/// `PUT /v1/coaches/{coachId}/settings`. Omitted policy fields take their defaults.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CoachSettingsBody {
    /// IANA timezone, e.g. `Europe/Berlin`. The document lists the tz database's canonical
    /// `Area/Location` names and `UTC`; the server also accepts its legacy aliases (`Etc/GMT-1`,
    /// `US/Eastern`, ...).
    #[schema(example = "Europe/Berlin", schema_with = timezone_name)]
    pub timezone: String,
    #[serde(default)]
    pub availability: Vec<AvailabilityDto>,
    /// Prices by duration in minutes: keys `30`, `45`, `60`, all in one currency.
    #[serde(default)]
    #[schema(schema_with = price_list)]
    pub prices: BTreeMap<String, MoneyDto>,
    /// Minutes kept free after every session (default 0).
    #[schema(minimum = 0, maximum = 240)]
    #[serde(default, deserialize_with = "super::integer::optional")]
    pub buffer_minutes: Option<i64>,
    /// How far ahead a booking must be (default 60).
    #[schema(minimum = 0, maximum = 86400)]
    #[serde(default, deserialize_with = "super::integer::optional")]
    pub min_notice_minutes: Option<i64>,
    /// A client cancelling within this many hours of the start owes the late fee (default 24).
    #[schema(minimum = 0, maximum = 720)]
    #[serde(default, deserialize_with = "super::integer::optional")]
    pub cancellation_window_hours: Option<i64>,
    /// Percent of the price a late client cancellation costs (default 50).
    #[schema(minimum = 0, maximum = 100)]
    #[serde(default, deserialize_with = "super::integer::optional")]
    pub late_cancellation_fee_percent: Option<i64>,
    /// Percent of the price a no-show costs (default 100).
    #[schema(minimum = 0, maximum = 100)]
    #[serde(default, deserialize_with = "super::integer::optional")]
    pub no_show_fee_percent: Option<i64>,
    /// Meeting link: an http(s) URL without spaces, at most 2,048 characters; `{sessionId}` is
    /// replaced (default `https://meet.example.com/{sessionId}`).
    #[schema(schema_with = super::schema::http_url)]
    pub join_url_template: Option<String>,
}

/// The canonical IANA time zone names (`coaching_domain::zone::Zone::canonical_names`); the
/// handler accepts every name of `Zone::names`.
fn timezone_name() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(coaching_domain::zone::Zone::canonical_names()))
        .description(Some(
            "IANA time zone, e.g. `Europe/Berlin`. Listed are the tz database's canonical \
             `Area/Location` names and `UTC`; the server also accepts the database's legacy \
             aliases (`Etc/GMT-1`, `GMT0`, `US/Eastern`, ...).",
        ))
        .examples(["Europe/Berlin"])
        .build()
}

fn weekday() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]))
        .build()
}

/// A price for each paid duration the coach offers (`coaching_domain::coach`: 30, 45, 60).
fn price_list() -> utoipa::openapi::Object {
    use utoipa::ToSchema;
    let money = utoipa::openapi::Ref::from_schema_name(MoneyDto::name());
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Object)
        .property("30", money.clone())
        .property("45", money.clone())
        .property("60", money)
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .build()
}

impl CoachSettingsBody {
    pub fn into_input(self) -> CoachSettingsInput {
        CoachSettingsInput {
            timezone: self.timezone,
            availability: self
                .availability
                .into_iter()
                .map(|a| (a.weekday, a.start, a.end))
                .collect(),
            prices: self
                .prices
                .into_iter()
                .map(|(k, m)| (k, m.amount, m.currency))
                .collect(),
            buffer_minutes: self.buffer_minutes,
            min_notice_minutes: self.min_notice_minutes,
            cancellation_window_hours: self.cancellation_window_hours,
            late_cancellation_fee_percent: self.late_cancellation_fee_percent,
            no_show_fee_percent: self.no_show_fee_percent,
            join_url_template: self.join_url_template,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoachSettingsDto {
    pub coach_id: String,
    pub timezone: String,
    pub availability: Vec<AvailabilityDto>,
    pub prices: BTreeMap<String, MoneyDto>,
    pub buffer_minutes: u32,
    pub min_notice_minutes: u32,
    pub cancellation_window_hours: u32,
    pub late_cancellation_fee_percent: u8,
    pub no_show_fee_percent: u8,
    pub join_url_template: String,
    pub updated_at: DateTime<Utc>,
}

impl From<CoachSettings> for CoachSettingsDto {
    fn from(settings: CoachSettings) -> Self {
        Self {
            coach_id: settings.coach_id.to_string(),
            timezone: settings.timezone.name().to_owned(),
            availability: settings
                .availability
                .iter()
                .map(|w| AvailabilityDto {
                    weekday: weekday_str(w.weekday).to_owned(),
                    start: String::from(w.start),
                    end: String::from(w.end),
                })
                .collect(),
            prices: settings
                .prices
                .iter()
                .map(|(k, m)| (k.to_string(), MoneyDto::from(*m)))
                .collect(),
            buffer_minutes: settings.buffer_minutes,
            min_notice_minutes: settings.min_notice_minutes,
            cancellation_window_hours: settings.cancellation_window_hours,
            late_cancellation_fee_percent: settings.late_cancellation_fee_percent,
            no_show_fee_percent: settings.no_show_fee_percent,
            join_url_template: settings.join_url_template,
            updated_at: settings.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotDto {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotsDto {
    pub slots: Vec<SlotDto>,
}

/// `GET /v1/coaches/{coachId}/slots` parameters.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlotsParams {
    /// Start of the range (default: now).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    /// End of the range, after `from` and at most 62 days after it (default: `from` + 7 days).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
    /// 15, 30, 45, 60 .. 120 (default 30).
    #[param(schema_with = slot_durations)]
    pub duration_minutes: Option<u32>,
}

fn slot_durations() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some([15, 30, 45, 60, 75, 90, 105, 120]))
        .description(Some("The slot length in minutes (default 30)."))
        .build()
}
