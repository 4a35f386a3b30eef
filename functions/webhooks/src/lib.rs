//! The webhooks Lambda function's pieces: the start-up check of `COACHING_WEBHOOK_SECRET` and the
//! Router its `main` serves (`coaching_http::webhook_router`), so that the fixture tests run
//! exactly what Lambda runs. The Router's state has no authenticator and its services only a
//! `DeliveryStore`: no bearer route can be mounted here, and nothing but deliveries reached.

use axum::Router;
use coaching_domain::ports::DeliveryStore;
use coaching_domain::service::Services;
use coaching_http::{WebhookState, webhook_router, webhook_secret_setting};
use std::sync::Arc;

pub use coaching_http::WEBHOOK_SECRET_VAR;

/// The default secret (it verifies the deliveries of orgs that have not rotated a secret of
/// their own) from the variable's value: `None` when unset or blank; an error naming the
/// variable, and never its value, when it is not a usable `whsec_` secret.
pub fn webhook_secret(raw: Option<String>) -> Result<Option<Arc<str>>, String> {
    webhook_secret_setting(raw)
        .map(|secret| secret.map(Arc::from))
        .map_err(|problem| format!("{WEBHOOK_SECRET_VAR} {problem}"))
}

/// [`webhook_secret`] of the process environment.
pub fn webhook_secret_from_env() -> Result<Option<Arc<str>>, String> {
    webhook_secret(std::env::var(WEBHOOK_SECRET_VAR).ok())
}

/// The function's Router: the webhook route and `/health`, nothing else. The test clock is
/// never on in AWS (and the webhook checks timestamps against the real time anyway).
pub fn app<S: DeliveryStore + ?Sized + 'static>(
    services: Services<S>,
    webhook_secret: Option<Arc<str>>,
) -> Router {
    webhook_router(WebhookState {
        services,
        webhook_secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "whsec_Y29hY2hpbmctd2ViaG9va3MtZml4dHVyZS1rZXktMzIh";

    #[test]
    fn an_unset_or_blank_secret_is_none() {
        assert_eq!(webhook_secret(None), Ok(None));
        assert_eq!(webhook_secret(Some(String::new())), Ok(None));
        assert_eq!(webhook_secret(Some("  ".into())), Ok(None));
    }

    #[test]
    fn a_whsec_secret_is_taken_as_it_is() {
        let secret = webhook_secret(Some(VALID.into())).unwrap().unwrap();
        assert_eq!(&*secret, VALID);
    }

    #[test]
    fn a_malformed_or_short_secret_fails_naming_the_variable_not_the_value() {
        for bad in [
            "hunter2",
            "whsec_not base64!",
            "whsec_c2hvcnQ=",
            VALID.trim_start_matches("whsec_"),
        ] {
            let err = webhook_secret(Some(bad.into())).unwrap_err();
            assert!(err.contains(WEBHOOK_SECRET_VAR), "{err}");
            assert!(!err.contains(bad), "the error repeats the secret: {err}");
        }
    }
}
