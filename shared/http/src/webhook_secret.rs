//! The evaluation webhook's secrets (docs/api.md#evaluation-webhook): each org verifies its
//! deliveries with its own secret, never with one another org could also hold.
//!
//! An org that rotated a secret (`POST /v1/org/webhook-secret`) uses that one. Every other org
//! uses a secret derived from the master `COACHING_WEBHOOK_SECRET` and its id, so that a
//! delivery signed for one org never verifies at another org's path. The master itself
//! verifies nothing: whoever holds one org's secret learns nothing about another's (HMAC is a
//! pseudo-random function of the master key).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use coaching_domain::OrgId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key bytes of a Standard Webhooks secret (`whsec_` and base64 of at least 24 bytes);
/// `None` when it is not one.
fn key_of(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    (key.len() >= 24).then_some(key)
}

/// Whether `secret` is a usable Standard Webhooks secret: `whsec_` and base64 of at least 24
/// bytes (the Standard Webhooks minimum).
pub fn is_valid(secret: &str) -> bool {
    key_of(secret).is_some()
}

/// The org's default secret: `whsec_` and base64 of HMAC-SHA256(master key, "org:" + org id).
/// `None` when `master` is not a valid secret.
pub fn derive_for_org(master: &str, org: &OrgId) -> Option<String> {
    let key = key_of(master)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(b"org:");
    mac.update(org.as_str().as_bytes());
    Some(format!(
        "whsec_{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Where an org's current secret comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    /// Derived from the master secret and the org id.
    Derived,
    /// Rotated by the org's admin.
    Rotated,
}

/// The secret that verifies `org`'s deliveries: its own once it rotated one, else the one
/// derived from `master`; `None` when it has neither.
pub fn current(
    own: Option<String>,
    master: Option<&str>,
    org: &OrgId,
) -> Option<(String, SecretSource)> {
    match own {
        Some(s) => Some((s, SecretSource::Rotated)),
        None => master
            .and_then(|m| derive_for_org(m, org))
            .map(|s| (s, SecretSource::Derived)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn org(s: &str) -> OrgId {
        OrgId::parse(s).unwrap()
    }

    #[test]
    fn each_org_gets_its_own_stable_valid_secret_and_none_is_the_master() {
        let a = derive_for_org(MASTER, &org("org-a")).unwrap();
        let b = derive_for_org(MASTER, &org("org-b")).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, MASTER);
        assert!(is_valid(&a) && is_valid(&b));
        assert_eq!(derive_for_org(MASTER, &org("org-a")).unwrap(), a);
    }

    #[test]
    fn the_derivation_is_hmac_sha256_of_the_org_under_the_master_key() {
        // Computed independently: python3 -c 'import hmac,hashlib,base64;
        // k=base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        // print(base64.b64encode(hmac.new(k,b"org:acme",hashlib.sha256).digest()).decode())'
        assert_eq!(
            derive_for_org(MASTER, &org("acme")).unwrap(),
            "whsec_DAPom+wgGRuCkuMCm3GO12DGKBRk9naZOgUAxNem5Gw="
        );
    }

    #[test]
    fn a_rotated_secret_wins_and_without_either_there_is_none() {
        let o = org("acme");
        assert_eq!(
            current(Some("whsec_own".into()), Some(MASTER), &o),
            Some(("whsec_own".into(), SecretSource::Rotated))
        );
        assert_eq!(current(None, None, &o), None);
        assert_eq!(current(None, Some("not-a-secret"), &o), None);
        assert_eq!(
            current(None, Some(MASTER), &o).map(|(_, s)| s),
            Some(SecretSource::Derived)
        );
    }

    #[test]
    fn malformed_or_short_secrets_are_not_valid() {
        assert!(!is_valid("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        assert!(!is_valid("whsec_c2hvcnQ="));
        assert!(!is_valid("whsec_!!!"));
        assert!(is_valid(MASTER));
    }
}
