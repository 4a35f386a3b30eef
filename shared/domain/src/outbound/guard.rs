//! The server-side-request-forgery guard: which webhook URLs are acceptable at all, and which
//! addresses a webhook may never reach (API §11 "No server-side request forgery").
//!
//! [`check_url`] is the registration-time check (and the first step of every attempt): the
//! shape of the URL, `localhost`, and IP literals. A host name that is not an IP literal passes
//! it, because what it resolves to can change at any time: [`unsafe_ip`] is applied to every
//! address it resolves to, at each attempt, by the sender's resolver.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// The longest webhook URL accepted, in characters.
pub const MAX_URL_CHARS: usize = 2048;

/// Why a webhook URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    /// Not a URL a webhook can have (not http(s), too long, credentials, no host, unparseable):
    /// the caller answers 400 with this message.
    #[error("{0}")]
    Invalid(String),
    /// A URL that points inside (`localhost`, a loopback, private, link-local … IP literal): the
    /// caller answers 422 `unsafe_url` with this message.
    #[error("{0}")]
    Unsafe(String),
}

/// Checks a webhook URL and returns it parsed (WHATWG rules, as browsers and reqwest parse it:
/// `http://2130706433/`, `http://0177.0.0.1/` and `http://0x7f.1/` are all `127.0.0.1`).
///
/// With `allow_private` (`COACHING_WEBHOOK_ALLOW_PRIVATE=1`, development and tests only) the
/// address checks are skipped; the shape checks never are.
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    let chars = raw.chars().count();
    if chars > MAX_URL_CHARS {
        return Err(UrlProblem::Invalid(format!(
            "the URL is {chars} characters long; at most {MAX_URL_CHARS} are allowed"
        )));
    }
    let url = Url::parse(raw)
        .map_err(|e| UrlProblem::Invalid(format!("the URL cannot be parsed: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlProblem::Invalid(format!(
            "the URL must be http or https, not {}",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::Invalid(
            "the URL must not contain credentials (user:password@)".to_owned(),
        ));
    }
    let host = match url.host() {
        None => return Err(UrlProblem::Invalid("the URL has no host".to_owned())),
        Some(Host::Domain("")) => {
            return Err(UrlProblem::Invalid("the URL has no host".to_owned()));
        }
        Some(host) => host,
    };
    if allow_private {
        return Ok(url);
    }
    match host {
        Host::Domain(name) => {
            if is_localhost(name) {
                return Err(UrlProblem::Unsafe(format!(
                    "{name} names this machine (localhost)"
                )));
            }
        }
        Host::Ipv4(ip) => refuse_ip(IpAddr::V4(ip))?,
        Host::Ipv6(ip) => refuse_ip(IpAddr::V6(ip))?,
    }
    Ok(url)
}

fn refuse_ip(ip: IpAddr) -> Result<(), UrlProblem> {
    match unsafe_ip(ip) {
        Some(range) => Err(UrlProblem::Unsafe(format!(
            "{ip} is a {range} address, which webhooks may not reach"
        ))),
        None => Ok(()),
    }
}

/// `localhost` and its subdomains (RFC 6761 §6.3), with or without the root's trailing dot.
pub fn is_localhost(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// The name of the range `ip` is in when a webhook may not reach it, `None` when it may.
///
/// An IPv6 address that carries an IPv4 one (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
/// NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is judged by that IPv4 address, since that is where
/// its packets can end up; NAT64's local-use prefix `64:ff9b:1::/48` is refused whole.
pub fn unsafe_ip(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => unsafe_ipv4(v4),
        IpAddr::V6(v6) => unsafe_ipv6(v6),
    }
}

fn unsafe_ipv4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, _, _] = ip.octets();
    if ip.is_unspecified() {
        Some("unspecified")
    } else if a == 0 {
        Some("unspecified (\"this network\", 0.0.0.0/8)")
    } else if a == 127 {
        Some("loopback")
    } else if a == 10 || (a == 172 && (16..=31).contains(&b)) || (a == 192 && b == 168) {
        Some("private")
    } else if a == 169 && b == 254 {
        Some("link-local")
    } else if a == 100 && (64..=127).contains(&b) {
        Some("CGNAT (shared address space)")
    } else if ip.is_broadcast() {
        Some("broadcast")
    } else if (224..=239).contains(&a) {
        Some("multicast")
    } else if a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn unsafe_ipv6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    if let Some(v4) = embedded_ipv4(ip) {
        return unsafe_ipv4(v4);
    }
    // NAT64's local-use prefix (RFC 8215): translation inside one network, by definition.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return Some("NAT64 local-use");
    }
    match s[0] {
        x if x & 0xfe00 == 0xfc00 => Some("unique-local"),
        x if x & 0xffc0 == 0xfe80 => Some("link-local"),
        x if x & 0xffc0 == 0xfec0 => Some("site-local"),
        x if x & 0xff00 == 0xff00 => Some("multicast"),
        _ => None,
    }
}

/// The IPv4 address an IPv6 one stands for, when it is one of the forms that carry one.
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let o = ip.octets();
    let last32 = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return Some(last32);
    }
    // NAT64's well-known prefix 64:ff9b::/96 (RFC 6052).
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return Some(last32);
    }
    // 6to4 (RFC 3056): 2002:AABB:CCDD::/48 tunnels to AA.BB.CC.DD.
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

#[cfg(test)]
mod tests;
