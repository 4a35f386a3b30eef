//! Wire types (serde + OpenAPI schemas) and their conversions from the domain.
//!
//! One module per capability, next to its routes (`crate::routes::<capability>`); `kinds`,
//! `schema` and the money and integer helpers here are shared by several.

pub mod analytics;
pub mod calendar;
pub mod coaches;
pub mod continuity;
pub mod evaluations;
pub mod generation;
pub mod jobs;
pub mod kinds;
pub mod messages;
pub mod meta;
pub mod notifications;
pub mod org;
pub mod rescheduling;
pub mod schema;
pub mod sessions;
pub mod webhook_endpoints;
pub mod webhooks;

use coaching_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Money in integer minor units (cents): `{ "amount": 5000, "currency": "EUR" }` is 50.00 EUR.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyDto {
    #[schema(minimum = 0, maximum = 100000000, example = 5000)]
    #[serde(deserialize_with = "integer::required")]
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

/// Integer fields as JSON Schema counts them: `integer` includes `5.0`, which serde's integer
/// types refuse. Used with `deserialize_with` so the handlers accept every integer the
/// document allows; a fractional or out-of-range number is still refused.
pub mod integer {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer};

    fn from_number<E: Error>(n: serde_json::Number) -> Result<i64, E> {
        if let Some(i) = n.as_i64() {
            return Ok(i);
        }
        match n.as_f64() {
            // Exactly representable and inside i64: the cast is lossless.
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            _ => Err(E::custom(format!(
                "invalid value: {n}, expected an integer"
            ))),
        }
    }

    /// A required integer field.
    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        from_number(serde_json::Number::deserialize(d)?)
    }

    /// An optional integer field (`null` or absent: `None`; pair with `#[serde(default)]`).
    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<serde_json::Number>::deserialize(d)?
            .map(from_number)
            .transpose()
    }

    #[cfg(test)]
    mod tests {
        use serde::Deserialize;

        #[derive(Deserialize)]
        struct Body {
            #[serde(deserialize_with = "super::required")]
            n: i64,
        }

        fn parse(json: &str) -> Option<i64> {
            serde_json::from_str::<Body>(json).ok().map(|b| b.n)
        }

        #[test]
        fn whole_numbers_are_integers_however_they_are_written() {
            assert_eq!(parse(r#"{"n": 5}"#), Some(5));
            assert_eq!(parse(r#"{"n": 5.0}"#), Some(5));
            assert_eq!(parse(r#"{"n": -2e3}"#), Some(-2000));
        }

        #[test]
        fn fractions_strings_and_huge_numbers_are_refused() {
            assert_eq!(parse(r#"{"n": 5.5}"#), None);
            assert_eq!(parse(r#"{"n": "5"}"#), None);
            assert_eq!(parse(r#"{"n": 1e300}"#), None);
        }
    }
}
