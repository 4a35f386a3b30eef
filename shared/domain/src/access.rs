//! Who is calling: the authenticated actor, their roles, and the access rules built on them.

use crate::ids::{OrgId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Coach,
    Client,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "coach" | "coaches" => Some(Role::Coach),
            "client" | "clients" | "coachee" | "coachees" => Some(Role::Client),
            "admin" | "admins" => Some(Role::Admin),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Coach => "coach",
            Role::Client => "client",
            Role::Admin => "admin",
        }
    }
}

/// A set of roles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles(u8);

impl Roles {
    fn bit(r: Role) -> u8 {
        match r {
            Role::Coach => 1,
            Role::Client => 2,
            Role::Admin => 4,
        }
    }
    pub fn with(mut self, r: Role) -> Self {
        self.0 |= Self::bit(r);
        self
    }
    pub fn has(&self, r: Role) -> bool {
        self.0 & Self::bit(r) != 0
    }
    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        [Role::Coach, Role::Client, Role::Admin]
            .into_iter()
            .filter(|r| self.has(*r))
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        iter.into_iter().fold(Roles::default(), Roles::with)
    }
}

/// The authenticated caller: a user of one org with some roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub org: OrgId,
    pub roles: Roles,
}

impl Actor {
    pub fn new(user: UserId, org: OrgId, roles: Roles) -> Self {
        Self { user, org, roles }
    }
    pub fn is_admin(&self) -> bool {
        self.roles.has(Role::Admin)
    }
    pub fn is_coach(&self) -> bool {
        self.roles.has(Role::Coach)
    }
    pub fn is_client(&self) -> bool {
        self.roles.has(Role::Client)
    }
    /// True when the actor is `user` or an admin of the org.
    pub fn is_self_or_admin(&self, user: &UserId) -> bool {
        &self.user == user || self.is_admin()
    }
}
