//! The resolver on its own: a name that resolves inside is refused even when the URL check is
//! skipped, and nothing connects.

use super::resolve::{ResolveError, resolve_checked};
// Names resolved here are in /etc/hosts (localhost): tests send traffic to loopback only.
use super::*;
use std::time::Duration;
use tokio::net::TcpListener;

#[tokio::test]
async fn localhost_resolved_is_refused_by_its_addresses() {
    let refused = resolve_checked("localhost", false).await;
    match refused {
        Err(ResolveError::Unsafe { ip, range, .. }) => {
            assert!(ip.is_loopback(), "{ip}");
            assert_eq!(range, "loopback");
        }
        other => panic!("expected Unsafe, got {other:?}"),
    }
    let allowed = resolve_checked("localhost", true).await.expect("resolves");
    assert!(allowed.iter().all(|a| a.ip().is_loopback()), "{allowed:?}");
}

#[tokio::test]
async fn the_resolver_refuses_a_name_inside_even_when_the_url_check_is_skipped() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let sender = Sender::new(SenderConfig::default()).expect("sender");
    let url = Url::parse(&format!("http://localhost:{port}/hook")).expect("url");
    let req = AttemptRequest {
        url: url.as_str(),
        msg_id: "evt_1",
        timestamp: 1,
        payload: b"{}",
        secrets: &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);

    let attempt = sender.send(url.clone(), &req, "v1,x", deadline).await;

    assert_eq!(attempt.error_code(), Some("unsafe_address"), "{attempt:?}");
    assert!(
        attempt.error.as_deref().unwrap_or("").contains("loopback"),
        "{attempt:?}"
    );
    assert_eq!(attempt.outcome, Outcome::Failed);
    assert_eq!(attempt.status_code, None);
    let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(accepted.is_err(), "something connected to the receiver");
}

#[test]
fn a_user_agent_that_is_no_header_is_a_build_error_not_a_panic() {
    let config = SenderConfig {
        user_agent: "bad\nagent".to_owned(),
        ..SenderConfig::default()
    };
    assert!(Sender::new(config).is_err());
}

#[test]
fn the_default_config_is_the_api_s() {
    let c = SenderConfig::default();
    assert!(!c.allow_private);
    assert_eq!(c.connect_timeout, Duration::from_secs(5));
    assert_eq!(c.attempt_timeout, Duration::from_secs(15));
    assert!(c.user_agent.starts_with("coaching-webhooks/"));
}
