//! The eight callers of the matrix and their bearer tokens.

use coaching_http::auth::{Claims, RolesClaim};
use coaching_tests::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

/// Who calls. The participants of every seeded session are coach-ana and client-bo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// No `Authorization` header at all.
    NoToken,
    /// An admin's token of the seeded org, correctly signed, expired an hour ago.
    Expired,
    /// An admin's token of the seeded org, unexpired, signed with another secret.
    BadSignature,
    /// A user of another org holding every role (admin included).
    OtherOrgAdmin,
    /// client-cy: a client of the seeded org who takes part in none of the seeded sessions.
    Stranger,
    /// client-bo: the client (coachee) of every seeded session.
    Client,
    /// coach-ana: the coach of every seeded session.
    Coach,
    /// admin-cy: an admin of the seeded org.
    Admin,
}

/// The callers in the order of the table's columns.
pub const CALLERS: [Caller; 8] = [
    Caller::NoToken,
    Caller::Expired,
    Caller::BadSignature,
    Caller::OtherOrgAdmin,
    Caller::Stranger,
    Caller::Client,
    Caller::Coach,
    Caller::Admin,
];

impl Caller {
    /// The bearer token this caller sends, if any.
    pub fn token(self) -> Option<String> {
        match self {
            Caller::NoToken => None,
            Caller::Expired => Some(signed(-3600, SECRET)),
            Caller::BadSignature => Some(signed(3600, b"not-the-server-secret")),
            Caller::OtherOrgAdmin => Some(other_org("admin-eve")),
            Caller::Stranger => Some(client("client-cy")),
            Caller::Client => Some(client("client-bo")),
            Caller::Coach => Some(coach("coach-ana")),
            Caller::Admin => Some(admin("admin-cy")),
        }
    }
}

/// An all-roles token of admin-cy in the seeded org, expiring `exp_offset_secs` from now, signed
/// with `secret`: everything about it is right but the expiry or the signature.
fn signed(exp_offset_secs: i64, secret: &[u8]) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: "admin-cy".into(),
        org: ORG.into(),
        roles: RolesClaim::List(vec!["coach".into(), "client".into(), "admin".into()]),
        exp: (now + exp_offset_secs) as u64,
        iat: (now - 7200) as u64,
        nbf: None,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("encode")
}
