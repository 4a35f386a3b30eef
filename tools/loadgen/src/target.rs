//! Target checks for coaching-loadgen: the generator only ever talks plain HTTP to a loopback
//! address (127.0.0.0/8, ::1 or `localhost`, which is pinned to 127.0.0.1), and only with headers
//! that parse.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// A checked target: the parsed URL, plus the address `localhost` must resolve to (if used).
#[derive(Debug, Clone)]
pub struct Target {
    pub url: Url,
    pub pinned_localhost: Option<SocketAddr>,
}

/// Parses `raw` and refuses anything but `http://` to a loopback host.
pub fn loopback_url(raw: &str) -> Result<Target, String> {
    let url = Url::parse(raw).map_err(|e| format!("invalid URL {raw:?}: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "refusing {raw:?}: only http:// to a loopback address is allowed"
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| format!("refusing {raw:?}: the URL has no host"))?;
    let port = url.port_or_known_default().unwrap_or(80);
    if host.eq_ignore_ascii_case("localhost") {
        let pinned = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        return Ok(Target {
            url,
            pinned_localhost: Some(pinned),
        });
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => Ok(Target {
            url,
            pinned_localhost: None,
        }),
        _ => Err(format!(
            "refusing {raw:?}: host {host} is not a loopback address (127.0.0.1, [::1] or localhost)"
        )),
    }
}

/// Parses repeated `--header 'Name: value'` arguments.
pub fn parse_headers(raw: &[String]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for h in raw {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| format!("header {h:?} is not of the form 'Name: value'"))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|e| format!("bad header name in {h:?}: {e}"))?;
        let mut value = HeaderValue::from_str(value.trim())
            .map_err(|e| format!("bad header value in {h:?}: {e}"))?;
        if name == reqwest::header::AUTHORIZATION {
            value.set_sensitive(true);
        }
        map.append(name, value);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_loopback_hosts() {
        for ok in [
            "http://127.0.0.1:3000/health",
            "http://localhost:8080/",
            "http://LOCALHOST/x",
            "http://[::1]:9000/v1/sessions/abc",
            "http://127.0.0.2:1/",
        ] {
            assert!(loopback_url(ok).is_ok(), "{ok} should be accepted");
        }
        let t = loopback_url("http://localhost:8080/").unwrap();
        assert_eq!(
            t.pinned_localhost,
            Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)))
        );
        assert!(
            loopback_url("http://127.0.0.1:1/")
                .unwrap()
                .pinned_localhost
                .is_none()
        );
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "http://10.0.0.1:3000/",
            "http://example.com/",
            "https://127.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
            "http://0.0.0.0:3000/",
            "ftp://127.0.0.1/",
            "not a url",
            "/relative",
        ] {
            assert!(loopback_url(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn headers_parse() {
        let m = parse_headers(&[
            "Authorization: Bearer abc.def".to_string(),
            "X-Thing:1".to_string(),
        ])
        .unwrap();
        assert_eq!(m["authorization"], "Bearer abc.def");
        assert!(m["authorization"].is_sensitive());
        assert_eq!(m["x-thing"], "1");
        assert!(parse_headers(&["no colon".to_string()]).is_err());
        assert!(parse_headers(&["bad name: x".to_string()]).is_err());
    }
}
