//! `coaching-local token`: a development bearer token signed with COACHING_JWT_SECRET.

use crate::config::Config;
use coaching_domain::Role;
use coaching_http::auth::issue_token;
use std::process::ExitCode;

pub fn token(config: &Config, sub: &str, org: &str, roles: &[String], ttl_hours: u64) -> ExitCode {
    let mut parsed = Vec::new();
    for r in roles {
        match Role::parse(r) {
            Some(role) => parsed.push(role),
            None => {
                eprintln!("coaching-local: unknown role '{r}' (coach, client, admin)");
                return ExitCode::from(2);
            }
        }
    }
    match issue_token(
        config.jwt_secret.as_bytes(),
        sub,
        org,
        &parsed,
        ttl_hours.saturating_mul(3600),
    ) {
        Ok(t) => {
            println!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coaching-local: {e}");
            ExitCode::from(2)
        }
    }
}
