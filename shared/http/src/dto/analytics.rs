//! docs/api.md#reviews-and-analytics wire types: a coach's analytics.

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
    #[param(required = true, value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    /// Exclusive, RFC 3339; after `from`, at most 1,098 days later. Required.
    #[param(required = true, value_type = Option<String>, format = DateTime)]
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
    fn from(month_revenue: MonthRevenue) -> Self {
        Self {
            month: month_revenue.month,
            amount: month_revenue.amount,
            currency: month_revenue.currency.as_str().to_owned(),
        }
    }
}

impl From<Analytics> for AnalyticsDto {
    fn from(analytics: Analytics) -> Self {
        Self {
            sessions_completed: analytics.sessions_completed,
            client_retention_rate: analytics.client_retention_rate,
            average_rating: analytics.average_rating,
            revenue: analytics.revenue.into_iter().map(Into::into).collect(),
        }
    }
}
