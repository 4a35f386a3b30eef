//! docs/api.md#reviews-and-analytics wire types: a coach's analytics and the calendar feed's token.

use chrono::{DateTime, Utc};
use coaching_domain::analytics::{Analytics, MonthRevenue};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The range of the analytics: sessions starting at or after `from` and before `to`, both
/// required, at most three years apart.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsParams {
    /// Inclusive, RFC 3339. Required (a missing one is 400 naming it).
    #[param(required = true, value_type = Option<String>, format = DateTime, pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$")]
    pub from: Option<DateTime<Utc>>,
    /// Exclusive, RFC 3339; after `from`, at most 1,098 days later. Required.
    #[param(required = true, value_type = Option<String>, format = DateTime, pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$")]
    pub to: Option<DateTime<Utc>>,
}

/// Revenue of one calendar month (of the coach's time zone) in one currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonthRevenueDto {
    /// `YYYY-MM` in the coach's time zone, of the sessions' start.
    #[schema(example = "2026-11")]
    pub month: String,
    /// Integer minor units: prices of completed paid sessions, late-cancellation fees and
    /// no-show fees of the sessions that started (or were to start) in the month.
    #[schema(example = 14000)]
    pub amount: i64,
    #[schema(example = "EUR")]
    pub currency: String,
}

/// A coach's figures over `[from, to)`; every figure is of the sessions starting in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsDto {
    /// Completed sessions starting in the range.
    pub sessions_completed: u32,
    /// Share (0..1) of the clients with a completed session in the range who have at least two
    /// completed sessions with this coach starting before `to`; `null` when there is no such
    /// client.
    pub client_retention_rate: Option<f64>,
    /// Mean review rating (1..5) of the sessions in the range; `null` when none is rated.
    pub average_rating: Option<f64>,
    /// One row per month and currency with revenue, months ascending.
    pub revenue: Vec<MonthRevenueDto>,
}

impl From<MonthRevenue> for MonthRevenueDto {
    fn from(m: MonthRevenue) -> Self {
        Self {
            month: m.month,
            amount: m.amount,
            currency: m.currency.as_str().to_owned(),
        }
    }
}

impl From<Analytics> for AnalyticsDto {
    fn from(a: Analytics) -> Self {
        Self {
            sessions_completed: a.sessions_completed,
            client_retention_rate: a.client_retention_rate,
            average_rating: a.average_rating,
            revenue: a.revenue.into_iter().map(Into::into).collect(),
        }
    }
}

/// A new calendar feed token, shown this once (the server keeps only its SHA-256).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CalendarTokenDto {
    /// 32 random bytes, base64url without padding (43 characters).
    pub token: String,
    /// The feed's URL to subscribe to: `COACHING_PUBLIC_URL` (when set) or the host the request
    /// went to, then `/v1/calendar/{token}.ics`. Relative (the path only) when the request named
    /// no usable host.
    #[schema(
        example = "https://api.example.com/v1/calendar/q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c.ics"
    )]
    pub url: String,
}
