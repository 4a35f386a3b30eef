//! Standard Webhooks signatures for outbound deliveries, with the reference crate: one `v1,…`
//! per secret, so that during a secret rotation a receiver with either secret can verify.

use base64::Engine;
use standardwebhooks::Webhook;

/// The prefix of every webhook secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// Why a payload could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// No secret at all: a delivery is never sent unsigned.
    #[error("no secret to sign with")]
    NoSecret,
    /// A secret that is not `whsec_` + base64 (position in the list, new first).
    #[error("secret #{index} is not a valid webhook secret: {reason}")]
    BadSecret { index: usize, reason: String },
    /// The payload is not UTF-8 (Standard Webhooks signs text).
    #[error("the payload is not UTF-8")]
    Payload,
}

/// The `webhook-signature` header value for `payload`: `v1,<base64>` for each of `secrets`, in
/// their order (the new secret first during a rotation), space-separated.
pub fn sign(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
) -> Result<String, SignError> {
    if secrets.is_empty() {
        return Err(SignError::NoSecret);
    }
    if std::str::from_utf8(payload).is_err() {
        return Err(SignError::Payload);
    }
    let mut out = Vec::with_capacity(secrets.len());
    for (index, secret) in secrets.iter().enumerate() {
        let bad = |reason: String| SignError::BadSecret { index, reason };
        let key = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
        if key.is_empty() {
            return Err(bad("it is empty".to_owned()));
        }
        let hook = Webhook::new(secret).map_err(|e| bad(e.to_string()))?;
        out.push(
            hook.sign(msg_id, timestamp, payload)
                .map_err(|e| bad(e.to_string()))?,
        );
    }
    Ok(out.join(" "))
}

/// A new webhook secret: `whsec_` + the standard base64 of 32 bytes from the OS CSPRNG.
///
/// # Panics
/// When the operating system has no random source to read (it always has on Linux and Lambda).
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("the OS random number generator");
    format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

#[cfg(test)]
mod tests;
