//! Outbound webhooks, one attempt at a time, safely (API §11): the part that talks to addresses
//! that users give. It knows nothing of deliveries, schedules or stores; the caller records the
//! [`Attempt`] and decides what comes next.
//!
//! - [`guard`] (the domain's, `coaching_domain::outbound::guard`): which URLs and addresses a
//!   webhook may reach. [`check_url`] answers at registration (400 for a malformed URL, 422
//!   `unsafe_url` for an internal one) and again at each attempt; [`unsafe_ip`] names the
//!   refused ranges.
//! - [`signature`]: Standard Webhooks signatures, one per secret during a rotation.
//! - [`sender`]: one signed POST, bounded in time and size, judged into an [`Attempt`];
//!   [`port`]: the domain's `WebhookSender` port on it.
//!
//! # Why the guard stands at resolution time
//! A host name that is public when an endpoint is registered can resolve to `127.0.0.1` or
//! `169.254.169.254` later: checking the name once, at registration, protects nothing. Checking
//! it by resolving it before the request and letting the HTTP client resolve it again is no
//! better, because the second answer can differ from the first (DNS rebinding: a zero TTL and an
//! attacker's name server alternating answers). So the check is made inside the HTTP client's
//! own resolver ([`reqwest::dns::Resolve`]): the addresses it checks are the very addresses it
//! hands to the connector, and there is no second lookup to rebind. A name is refused when any
//! of its addresses is internal, so no fallback between addresses can reach one. IP literals
//! never reach a resolver, so [`check_url`] refuses the internal ones before any connection;
//! proxies (which would resolve the name themselves) and redirects (a URL nobody checked) are
//! turned off.

pub use coaching_domain::outbound::guard;
pub mod port;
pub mod sender;
pub mod signature;

pub use guard::{UrlProblem, check_url, unsafe_ip};
pub use sender::{
    Attempt, AttemptRequest, BuildError, MAX_RESPONSE_BODY, Outcome, Sender, SenderConfig,
};
pub use signature::{SignError, new_secret, sign};
