//! The sender's DNS resolver: tokio's `lookup_host`, then the guard on every address, so that
//! the connector is only ever handed addresses that were checked in the same step.

use crate::guard::{is_localhost, unsafe_ip};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};

/// Why a name gave no address to connect to.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveError {
    /// One of its addresses is internal: the whole name is refused, not just that address, so
    /// that no fallback between addresses can reach the internal one.
    #[error("{host} resolves to {ip}, a {range} address, which webhooks may not reach")]
    Unsafe {
        host: String,
        ip: IpAddr,
        range: &'static str,
    },
    /// `localhost` reached the resolver (only when the URL check was skipped).
    #[error("{host} names this machine (localhost)")]
    Localhost { host: String },
    #[error("{host} does not resolve: {source}")]
    Lookup {
        host: String,
        source: std::io::Error,
    },
    #[error("{host} resolves to no address")]
    NoAddress { host: String },
}

/// Resolves with the system's resolver (tokio's `lookup_host`) and refuses the name when any
/// of its addresses is unsafe, unless `allow_private`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardedResolver {
    pub(crate) allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs = resolve_checked(&host, allow_private).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The addresses of `host` (port 0: reqwest puts the URL's), all of them checked.
pub(crate) async fn resolve_checked(
    host: &str,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|source| ResolveError::Lookup {
            host: host.to_owned(),
            source,
        })?
        .collect();
    if addrs.is_empty() {
        return Err(ResolveError::NoAddress {
            host: host.to_owned(),
        });
    }
    if !allow_private {
        for addr in &addrs {
            if let Some(range) = unsafe_ip(addr.ip()) {
                return Err(ResolveError::Unsafe {
                    host: host.to_owned(),
                    ip: addr.ip(),
                    range,
                });
            }
        }
        if is_localhost(host) {
            return Err(ResolveError::Localhost {
                host: host.to_owned(),
            });
        }
    }
    Ok(addrs)
}
