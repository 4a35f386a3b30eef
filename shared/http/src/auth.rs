//! Identity: turning a request into an authenticated [`Actor`]. Locally HS256 bearer tokens;
//! in AWS the API Gateway JWT authorizer's claims (a second implementation of [`Authenticator`]).

use crate::AppState;
use crate::problem::ApiError;
use axum::extract::FromRequestParts;
use coaching_domain::{Actor, OrgId, Role, Roles, UserId};
use http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Deserializer, Serialize};

/// Why a request is not authenticated (always a 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AuthFailure(pub String);

/// Finds the caller of a request.
pub trait Authenticator: Send + Sync {
    fn authenticate(&self, parts: &Parts) -> Result<Actor, AuthFailure>;
}

/// Roles as an array (`["coach","admin"]`) or a string (`"coach admin"`, Cognito's `"[coach admin]"`).
pub fn parse_roles(raw: &RolesClaim) -> Roles {
    match raw {
        RolesClaim::List(v) => v.iter().filter_map(|r| Role::parse(r)).collect(),
        RolesClaim::Text(s) => s
            .trim_matches(|c| c == '[' || c == ']')
            .split([' ', ','])
            .filter_map(Role::parse)
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RolesClaim {
    List(Vec<String>),
    Text(String),
}

/// The claims of our tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(alias = "custom:org")]
    pub org: String,
    /// Required: a token that says nothing of its roles is refused (401), not taken as none.
    #[serde(alias = "cognito:groups", deserialize_with = "roles_claim")]
    pub roles: RolesClaim,
    pub exp: u64,
    #[serde(default)]
    pub iat: u64,
    /// Not before (unix seconds), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
}

fn roles_claim<'de, D: Deserializer<'de>>(d: D) -> Result<RolesClaim, D::Error> {
    RolesClaim::deserialize(d)
}

/// Builds an actor from claim values, rejecting empty or malformed ids.
pub fn actor_from_claims(sub: &str, org: &str, roles: Roles) -> Result<Actor, AuthFailure> {
    let user = UserId::parse(sub)
        .map_err(|_| AuthFailure("the token's sub is not a valid user id".into()))?;
    let org = OrgId::parse(org)
        .map_err(|_| AuthFailure("the token's org is not a valid organisation id".into()))?;
    Ok(Actor::new(user, org, roles))
}

/// How far (seconds) `exp`, `nbf` and `iat` may be off the server's clock.
pub const LEEWAY_SECONDS: u64 = 30;

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A 401's detail for a token jsonwebtoken refused: what is wrong, in words a client can act on,
/// and never the parser's own message (which names its internals, e.g. the algorithms it knows).
fn why_refused(kind: &jsonwebtoken::errors::ErrorKind) -> AuthFailure {
    use jsonwebtoken::errors::ErrorKind as K;
    let detail = match kind {
        K::ExpiredSignature => "the token has expired (exp)",
        K::ImmatureSignature => "the token is not valid yet (nbf)",
        K::InvalidSignature => "the token's signature does not verify",
        K::InvalidAlgorithm | K::InvalidAlgorithmName | K::MissingAlgorithm => {
            "the token must be signed with HS256"
        }
        K::MissingRequiredClaim(_) | K::Json(_) => {
            "the token's claims must include sub, org, roles and exp, each of the right type"
        }
        _ => "the token is not a well-formed JWT",
    };
    AuthFailure(detail.into())
}

/// Verifies `Authorization: Bearer <HS256 JWT>` with a shared secret.
pub struct JwtAuthenticator {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtAuthenticator")
    }
}

impl JwtAuthenticator {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        Self {
            key: DecodingKey::from_secret(secret),
            validation,
        }
    }
}

impl Authenticator for JwtAuthenticator {
    fn authenticate(&self, parts: &Parts) -> Result<Actor, AuthFailure> {
        let header = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .ok_or_else(|| AuthFailure("missing Authorization: Bearer token".into()))?;
        let value = header
            .to_str()
            .map_err(|_| AuthFailure("malformed Authorization header".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| AuthFailure("the Authorization header must be 'Bearer <token>'".into()))?
            .trim();
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| why_refused(e.kind()))?;
        let c = data.claims;
        // jsonwebtoken checks exp and nbf but not iat: a token issued in the future (beyond
        // the same leeway) was minted with a wrong clock or to outlive its lifetime.
        if c.iat > unix_now().saturating_add(LEEWAY_SECONDS) {
            return Err(AuthFailure(
                "the token was issued in the future (iat)".into(),
            ));
        }
        actor_from_claims(&c.sub, &c.org, parse_roles(&c.roles))
    }
}

/// Signs a development token (what `coaching-local token` prints).
pub fn issue_token(
    secret: &[u8],
    sub: &str,
    org: &str,
    roles: &[Role],
    ttl_secs: u64,
) -> Result<String, String> {
    actor_from_claims(sub, org, roles.iter().copied().collect()).map_err(|e| e.0)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let claims = Claims {
        sub: sub.to_owned(),
        org: org.to_owned(),
        roles: RolesClaim::List(roles.iter().map(|r| r.as_str().to_owned()).collect()),
        exp: now + ttl_secs,
        iat: now,
        nbf: None,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|e| e.to_string())
}

/// The authenticated caller, as a handler argument.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        state
            .auth
            .authenticate(parts)
            .map(Caller)
            .map_err(|e| ApiError::unauthenticated(e.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_arrays_and_cognito_strings() {
        let r = parse_roles(&RolesClaim::Text("[coach admin]".into()));
        assert!(r.has(Role::Coach) && r.has(Role::Admin) && !r.has(Role::Client));
        let r = parse_roles(&RolesClaim::List(vec!["client".into(), "bogus".into()]));
        assert!(r.has(Role::Client) && !r.has(Role::Coach));
    }

    #[test]
    fn issued_tokens_verify_and_tampered_ones_do_not() {
        let t = issue_token(b"s3cret", "u1", "o1", &[Role::Coach], 60).unwrap();
        let auth = JwtAuthenticator::new(b"s3cret");
        let req = http::Request::builder()
            .header("authorization", format!("Bearer {t}"))
            .body(())
            .unwrap();
        let (parts, ()) = req.into_parts();
        let actor = auth.authenticate(&parts).unwrap();
        assert_eq!(actor.user.as_str(), "u1");
        assert!(actor.is_coach());
        let other = JwtAuthenticator::new(b"other");
        assert!(other.authenticate(&parts).is_err());
    }
}
