//! The API Lambda function's adapter: identity from the API Gateway JWT authorizer's claims.
//! The Router itself is the shared one (`coaching_http::router`).

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
