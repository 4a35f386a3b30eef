//! The API Lambda function's adapter: identity from the API Gateway JWT authorizer's claims.
//! The Router itself is the shared one (`coaching_http::router`).

use coaching_aws::lambda::{ConfigError, TABLE_VAR, optional, required_in};
use coaching_domain::{Actor, Roles};
use coaching_http::auth::{AuthFailure, Authenticator, RolesClaim, actor_from_claims, parse_roles};
use http::request::Parts;
use lambda_http::request::RequestContext;
use std::collections::HashMap;

/// Reads `sub`, `org` (or Cognito's `custom:org`) and `roles` (or `cognito:groups`, which the
/// authorizer passes as a string like `"[coach admin]"`) from the verified JWT claims in the
/// request context. A request without authorizer claims is 401: the function never trusts a
/// token it did not see verified.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClaimsAuthenticator;

fn claim<'a>(claims: &'a HashMap<String, String>, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| claims.get(*n))
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// The actor the claims describe.
pub fn actor_from_authorizer_claims(
    claims: &HashMap<String, String>,
) -> Result<Actor, AuthFailure> {
    let sub =
        claim(claims, &["sub"]).ok_or_else(|| AuthFailure("the token has no sub claim".into()))?;
    let org = claim(claims, &["org", "custom:org"])
        .ok_or_else(|| AuthFailure("the token has no org claim".into()))?;
    let roles: Roles = ["roles", "cognito:groups", "custom:roles"]
        .iter()
        .filter_map(|n| claims.get(*n))
        .flat_map(|raw| {
            // Arrays arrive either as JSON text or as "[a b]".
            let parsed = serde_json::from_str::<Vec<String>>(raw)
                .map(RolesClaim::List)
                .unwrap_or_else(|_| RolesClaim::Text(raw.clone()));
            parse_roles(&parsed).iter().collect::<Vec<_>>()
        })
        .collect();
    actor_from_claims(sub, org, roles)
}

impl Authenticator for ClaimsAuthenticator {
    fn authenticate(&self, parts: &Parts) -> Result<Actor, AuthFailure> {
        let Some(RequestContext::ApiGatewayV2(ctx)) = parts.extensions.get::<RequestContext>()
        else {
            return Err(AuthFailure("no API Gateway request context".into()));
        };
        let claims = ctx
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|jwt| &jwt.claims)
            .ok_or_else(|| AuthFailure("the request carries no verified JWT claims".into()))?;
        actor_from_authorizer_claims(claims)
    }
}

/// The api function's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub table: String,
    /// `COACHING_QUEUE_URL`: `generate` sends the generation's id to the SQS queue the AI
    /// worker consumes; without it the reminder function's sweep hands queued generations over
    /// within a minute or two.
    pub queue_url: Option<String>,
    /// `COACHING_DELIVERY_QUEUE_URL`: new webhook deliveries are sent to this SQS queue after
    /// their commit, for the deliveries function; without it the reminder function's minute
    /// schedule hands them over.
    pub delivery_queue_url: Option<String>,
    /// `COACHING_WEBHOOK_SECRET`, the master secret: here only so that
    /// `GET /v1/org/webhook-secret` can show an org's admins their derived one (deliveries go
    /// to the webhooks function).
    pub webhook_secret: Option<String>,
    /// `COACHING_PUBLIC_URL` (a custom domain with a base path); else the feed URL is built
    /// from the request's Host and X-Forwarded-Proto, which API Gateway sets.
    pub public_url: Option<String>,
}

pub const QUEUE_URL_VAR: &str = "COACHING_QUEUE_URL";
pub const DELIVERY_QUEUE_URL_VAR: &str = "COACHING_DELIVERY_QUEUE_URL";
pub use coaching_http::WEBHOOK_SECRET_VAR;
pub const PUBLIC_URL_VAR: &str = "COACHING_PUBLIC_URL";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(optional)
    }

    /// The configuration from `lookup` (the environment in [`Config::from_env`]): a secret or
    /// URL that is set but unusable stops the start, naming the variable.
    pub fn from_lookup(
        lookup: impl Fn(&'static str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let webhook_secret = coaching_http::webhook_secret_setting(lookup(WEBHOOK_SECRET_VAR))
            .map_err(|problem| ConfigError::invalid(WEBHOOK_SECRET_VAR, problem))?;
        let public_url = match lookup(PUBLIC_URL_VAR) {
            None => None,
            Some(url) => Some(coaching_http::public_url(&url).ok_or_else(|| {
                ConfigError::invalid(
                    PUBLIC_URL_VAR,
                    "must be an http(s) URL with a host and no query or fragment",
                )
            })?),
        };
        Ok(Self {
            table: required_in(&lookup, TABLE_VAR)?,
            queue_url: lookup(QUEUE_URL_VAR),
            delivery_queue_url: lookup(DELIVERY_QUEUE_URL_VAR),
            webhook_secret,
            public_url,
        })
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    fn lookup(pairs: &[(&'static str, &str)]) -> impl Fn(&'static str) -> Option<String> {
        let pairs: Vec<(&'static str, String)> =
            pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn the_table_is_required_and_named_when_missing() {
        let err = Config::from_lookup(lookup(&[])).unwrap_err();
        assert_eq!(err.to_string(), "COACHING_TABLE is not set");
        let config = Config::from_lookup(lookup(&[(TABLE_VAR, "coaching")])).unwrap();
        assert_eq!(config.table, "coaching");
        assert_eq!(config.queue_url, None);
    }

    #[test]
    fn an_unusable_secret_or_public_url_stops_the_start_naming_the_variable() {
        let err = Config::from_lookup(lookup(&[(TABLE_VAR, "t"), (WEBHOOK_SECRET_VAR, "nope")]))
            .unwrap_err();
        assert_eq!(err.variable, WEBHOOK_SECRET_VAR);
        assert!(!err.to_string().contains("nope"), "never the value: {err}");
        let err = Config::from_lookup(lookup(&[(TABLE_VAR, "t"), (PUBLIC_URL_VAR, "ftp://x?y")]))
            .unwrap_err();
        assert_eq!(err.variable, PUBLIC_URL_VAR);
        let config = Config::from_lookup(lookup(&[
            (TABLE_VAR, "t"),
            (PUBLIC_URL_VAR, "https://api.example.com/coaching/"),
        ]))
        .unwrap();
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://api.example.com/coaching")
        );
    }
}
