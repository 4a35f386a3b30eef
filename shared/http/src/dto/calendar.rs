//! docs/api.md#reviews-and-analytics wire types: the calendar feed's token.

use serde::Serialize;
use utoipa::ToSchema;
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
