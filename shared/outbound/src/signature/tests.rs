//! Signing checked against the reference crate's own verifier.

use super::*;
use standardwebhooks::{HEADER_WEBHOOK_ID, HEADER_WEBHOOK_SIGNATURE, HEADER_WEBHOOK_TIMESTAMP};

const OLD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .try_into()
        .expect("fits i64")
}

fn headers(msg_id: &str, ts: i64, signature: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert(HEADER_WEBHOOK_ID, msg_id.parse().expect("id"));
    h.insert(
        HEADER_WEBHOOK_TIMESTAMP,
        ts.to_string().parse().expect("ts"),
    );
    h.insert(HEADER_WEBHOOK_SIGNATURE, signature.parse().expect("sig"));
    h
}

#[test]
fn one_secret_gives_one_v1_signature_that_the_reference_verifies() {
    let ts = now();
    let payload = br#"{"id":"evt_1","type":"ping"}"#;
    let sig = sign(&[OLD], "evt_1", ts, payload).expect("sign");
    assert!(sig.starts_with("v1,") && !sig.contains(' '), "{sig}");
    let hook = Webhook::new(OLD).expect("secret");
    hook.verify(payload, &headers("evt_1", ts, &sig))
        .expect("verifies");
}

#[test]
fn during_a_rotation_both_secrets_verify_and_the_new_one_comes_first() {
    let new = new_secret();
    let ts = now();
    let payload = "{\"id\":\"evt_2\",\"data\":{\"note\":\"Begrüßung — «höflich»\"}}".as_bytes();
    let sig = sign(&[&new, OLD], "evt_2", ts, payload).expect("sign");
    let parts: Vec<&str> = sig.split(' ').collect();
    assert_eq!(parts.len(), 2, "{sig}");
    assert_eq!(parts[0], sign(&[&new], "evt_2", ts, payload).expect("new"));
    assert_eq!(parts[1], sign(&[OLD], "evt_2", ts, payload).expect("old"));
    for secret in [new.as_str(), OLD] {
        let hook = Webhook::new(secret).expect("secret");
        hook.verify(payload, &headers("evt_2", ts, &sig))
            .unwrap_or_else(|e| panic!("{secret}: {e}"));
        // Another id, time or body does not verify.
        assert!(hook.verify(payload, &headers("evt_3", ts, &sig)).is_err());
        assert!(
            hook.verify(payload, &headers("evt_2", ts - 1, &sig))
                .is_err()
        );
        assert!(hook.verify(b"{}", &headers("evt_2", ts, &sig)).is_err());
    }
    let stranger = Webhook::new(&new_secret()).expect("secret");
    assert!(
        stranger
            .verify(payload, &headers("evt_2", ts, &sig))
            .is_err()
    );
}

#[test]
fn the_reference_vector_is_reproduced() {
    // The standardwebhooks crate's own test vector.
    let sig = sign(
        &["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
        "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
        1_649_367_553,
        br#"{"email":"test@example.com","username":"test_user"}"#,
    );
    assert_eq!(
        sig.as_deref(),
        Ok("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=")
    );
}

#[test]
fn no_secret_a_bad_secret_or_a_non_utf8_payload_is_an_error_not_a_panic() {
    assert_eq!(sign(&[], "evt", 1, b"{}"), Err(SignError::NoSecret));
    assert!(matches!(
        sign(&[OLD, "whsec_!!not base64!!"], "evt", 1, b"{}"),
        Err(SignError::BadSecret { index: 1, .. })
    ));
    assert!(matches!(
        sign(&["whsec_"], "evt", 1, b"{}"),
        Err(SignError::BadSecret { index: 0, .. })
    ));
    assert_eq!(
        sign(&[OLD], "evt", 1, &[0xff, 0xfe]),
        Err(SignError::Payload)
    );
}

#[test]
fn new_secrets_are_whsec_and_32_random_bytes() {
    use base64::Engine;
    let a = new_secret();
    let b = new_secret();
    assert_ne!(a, b);
    let key = a.strip_prefix("whsec_").expect("prefix");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key)
        .expect("standard base64");
    assert_eq!(bytes.len(), 32);
    assert!(Webhook::new(&a).is_ok());
}
