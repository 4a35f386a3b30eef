//! The calendar feed's secret (docs/api.md#calendar-feed `POST /v1/calendar-token`): what the store keeps of a token
//! is its hash, so a leaked table never yields a working feed URL.

use std::fmt;

/// The SHA-256 of a calendar token, as 64 lowercase hex digits. The token itself is never
/// stored; the HTTP layer hashes the one in the feed URL and looks the hash up.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CalendarTokenHash(String);

/// Why a string is not a token hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 64 lowercase hexadecimal digits")]
pub struct InvalidTokenHash;

impl CalendarTokenHash {
    /// The hash of a SHA-256 digest.
    pub fn from_digest(digest: [u8; 32]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(hex)
    }

    /// Parses the stored form (64 lowercase hex digits).
    pub fn parse(hex: impl Into<String>) -> Result<Self, InvalidTokenHash> {
        let hex = hex.into();
        if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(hex))
        } else {
            Err(InvalidTokenHash)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Only a prefix: enough to tell two apart in a log, not enough to matter.
impl fmt::Debug for CalendarTokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CalendarTokenHash({}…)", &self.0[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_written_as_lowercase_hex_and_parses_back() {
        let mut digest = [0u8; 32];
        digest[0] = 0xab;
        digest[31] = 0x0f;
        let hash = CalendarTokenHash::from_digest(digest);
        assert_eq!(hash.as_str().len(), 64);
        assert!(hash.as_str().starts_with("ab00"));
        assert!(hash.as_str().ends_with("000f"));
        assert_eq!(CalendarTokenHash::parse(hash.as_str()), Ok(hash));
    }

    #[test]
    fn anything_but_64_lowercase_hex_digits_is_refused() {
        for bad in ["", "ab", &"A".repeat(64), &"g".repeat(64), &"a".repeat(65)] {
            assert_eq!(
                CalendarTokenHash::parse(bad),
                Err(InvalidTokenHash),
                "{bad}"
            );
        }
        assert!(CalendarTokenHash::parse("0".repeat(64)).is_ok());
    }
}
