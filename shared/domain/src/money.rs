//! Money in integer minor units with an ISO 4217 currency code. Never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A three-letter upper-case ISO 4217 code such as `EUR`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency must be three upper-case letters (ISO 4217), like EUR")]
    Currency,
    #[error("amount must be a whole number of minor units between 0 and 100000000")]
    Amount,
}

impl Currency {
    pub fn parse(s: &str) -> Result<Self, MoneyError> {
        let b = s.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([b[0], b[1], b[2]]))
        } else {
            Err(MoneyError::Currency)
        }
    }
    pub fn as_str(&self) -> &str {
        // Constructed from ASCII upper-case letters only.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
    pub fn eur() -> Self {
        Self(*b"EUR")
    }
}
impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, MoneyError> {
        Self::parse(&s)
    }
}
impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The largest amount accepted anywhere: one million in major units of a two-decimal currency.
pub const MAX_AMOUNT: i64 = 100_000_000;

/// A non-negative amount of minor units in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    amount: i64,
    currency: Currency,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Result<Self, MoneyError> {
        if (0..=MAX_AMOUNT).contains(&amount) {
            Ok(Self { amount, currency })
        } else {
            Err(MoneyError::Amount)
        }
    }
    pub fn zero(currency: Currency) -> Self {
        Self {
            amount: 0,
            currency,
        }
    }
    pub fn amount(&self) -> i64 {
        self.amount
    }
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// `percent` of this amount, rounded half up to a whole minor unit.
    pub fn percent(&self, percent: u8) -> Money {
        let amount = (self.amount * i64::from(percent) + 50) / 100;
        Money {
            amount,
            currency: self.currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up_in_minor_units() {
        let m = Money::new(4999, Currency::eur()).unwrap();
        assert_eq!(m.percent(50).amount(), 2500);
        assert_eq!(m.percent(100).amount(), 4999);
        assert_eq!(m.percent(0).amount(), 0);
        assert_eq!(
            Money::new(1, Currency::eur()).unwrap().percent(50).amount(),
            1
        );
    }

    #[test]
    fn money_rejects_negative_and_huge_amounts_and_bad_currencies() {
        assert!(Money::new(-1, Currency::eur()).is_err());
        assert!(Money::new(MAX_AMOUNT + 1, Currency::eur()).is_err());
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("USD").is_ok());
    }
}
