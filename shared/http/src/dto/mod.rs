//! Wire types (serde + OpenAPI schemas) and their conversions from the domain.

pub mod booking;
pub mod coach;
pub mod evaluation;
pub mod insights;
pub mod message;
pub mod reschedule;
pub mod schema;
pub mod session;

use coaching_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Money in integer minor units (cents): `{ "amount": 5000, "currency": "EUR" }` is 50.00 EUR.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyDto {
    #[schema(minimum = 0, maximum = 100000000, example = 5000)]
    pub amount: i64,
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

impl From<Money> for MoneyDto {
    fn from(m: Money) -> Self {
        Self {
            amount: m.amount(),
            currency: m.currency().as_str().to_owned(),
        }
    }
}

/// RFC 3339 in UTC with seconds, as every instant on the wire.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
