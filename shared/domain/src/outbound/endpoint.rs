//! An org's outbound webhook endpoints: where its events are delivered, signed with the
//! endpoint's secret (both the new and the previous one for a day after a rotation).

use super::event::EventTypes;
use crate::ids::*;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// At most this many endpoints per org; the next one is refused (409).
pub const MAX_ENDPOINTS_PER_ORG: usize = 20;
/// How long deliveries carry the previous secret's signature after a rotation.
pub const SECRET_OVERLAP_HOURS: i64 = 24;
/// An endpoint whose deliveries have failed for this long without a success is disabled.
pub const DISABLE_AFTER_FAILING_DAYS: i64 = 5;
/// The longest `url` and `description` an endpoint takes.
pub const MAX_URL_CHARS: usize = 2_048;
pub const MAX_DESCRIPTION_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    Enabled,
    Disabled,
}

impl EndpointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
        }
    }
}

/// Why an endpoint is disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisabledReason {
    /// An admin disabled it (`PATCH … {"status": "disabled"}`).
    Manual,
    /// It answered `410 Gone`.
    Gone,
    /// Its deliveries failed for [`DISABLE_AFTER_FAILING_DAYS`] days without a success.
    Failing,
}

impl DisabledReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Gone => "gone",
            Self::Failing => "failing",
        }
    }
}

/// A secret that still signs until `until` (the one a rotation replaced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiringSecret {
    pub secret: String,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: EndpointId,
    pub org: OrgId,
    pub url: String,
    pub event_types: EventTypes,
    pub description: Option<String>,
    pub status: EndpointStatus,
    pub disabled_reason: Option<DisabledReason>,
    /// The Standard Webhooks secret (`whsec_…`); shown once, when made.
    pub secret: String,
    pub previous_secret: Option<RetiringSecret>,
    /// The admin who made it, and the last admin who changed it: who is told when it is
    /// disabled for failing (the system keeps no list of an org's admins).
    pub created_by: UserId,
    pub updated_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The first failed attempt since the last success (`None` while healthy).
    pub failing_since: Option<DateTime<Utc>>,
    /// Starts at 1; every stored change increments it.
    pub version: u64,
}

impl WebhookEndpoint {
    /// A new endpoint id: `we_` and a ULID.
    pub fn new_id(ulid: &str) -> Option<EndpointId> {
        EndpointId::parse(format!("we_{ulid}")).ok()
    }

    /// The secrets a delivery attempted at `now` is signed with: the current one first, then
    /// the previous one while its overlap lasts.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let Some(previous) = &self.previous_secret
            && now < previous.until
        {
            secrets.push(previous.secret.as_str());
        }
        secrets
    }

    /// Replaces the secret; the old one keeps signing for [`SECRET_OVERLAP_HOURS`].
    pub fn rotate(&mut self, secret: String, now: DateTime<Utc>) {
        let old = std::mem::replace(&mut self.secret, secret);
        self.previous_secret = Some(RetiringSecret {
            secret: old,
            until: now + Duration::hours(SECRET_OVERLAP_HOURS),
        });
    }

    /// Whether a failed attempt at `now` should disable it: no success for
    /// [`DISABLE_AFTER_FAILING_DAYS`] days while its deliveries fail.
    pub fn failing_too_long(&self, now: DateTime<Utc>) -> bool {
        self.failing_since
            .is_some_and(|since| now - since >= Duration::days(DISABLE_AFTER_FAILING_DAYS))
    }

    pub fn disable(&mut self, reason: DisabledReason) {
        self.status = EndpointStatus::Disabled;
        self.disabled_reason = Some(reason);
    }

    pub fn enable(&mut self) {
        self.status = EndpointStatus::Enabled;
        self.disabled_reason = None;
        self.failing_since = None;
    }

    /// The next stored version of it, changed at `now`.
    pub fn touched(&self, now: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.updated_at = now;
        next.version += 1;
        next
    }
}

/// One endpoint write inside a change set.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointPut {
    pub endpoint: WebhookEndpoint,
    /// The stored version MUST be this one (and `endpoint.version` is one more).
    pub expected_version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn endpoint(now: DateTime<Utc>) -> WebhookEndpoint {
        WebhookEndpoint {
            id: EndpointId::parse("we_1").unwrap(),
            org: OrgId::parse("org").unwrap(),
            url: "https://example.com/hook".into(),
            event_types: EventTypes::All,
            description: None,
            status: EndpointStatus::Enabled,
            disabled_reason: None,
            secret: "whsec_new".into(),
            previous_secret: None,
            created_by: UserId::parse("admin").unwrap(),
            updated_by: UserId::parse("admin").unwrap(),
            created_at: now,
            updated_at: now,
            last_success_at: None,
            failing_since: None,
            version: 1,
        }
    }

    #[test]
    fn a_rotated_secret_signs_beside_the_new_one_for_a_day_then_not() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap();
        let mut e = endpoint(now);
        e.secret = "whsec_old".into();
        e.rotate("whsec_new".into(), now);
        assert_eq!(e.signing_secrets(now), ["whsec_new", "whsec_old"]);
        let almost = now + Duration::hours(24) - Duration::seconds(1);
        assert_eq!(e.signing_secrets(almost), ["whsec_new", "whsec_old"]);
        assert_eq!(e.signing_secrets(now + Duration::hours(24)), ["whsec_new"]);
    }

    #[test]
    fn failing_for_five_days_is_too_long() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap();
        let mut e = endpoint(now);
        assert!(!e.failing_too_long(now + Duration::days(30)));
        e.failing_since = Some(now);
        assert!(!e.failing_too_long(now + Duration::days(5) - Duration::seconds(1)));
        assert!(e.failing_too_long(now + Duration::days(5)));
    }
}
