//! The guard's ranges, address by address, and the URL checks.

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse()
        .unwrap_or_else(|e| panic!("bad test address {s}: {e}"))
}

#[track_caller]
fn refused(s: &str, range: &str) {
    assert_eq!(unsafe_ip(ip(s)), Some(range), "{s}");
}

#[track_caller]
fn allowed(s: &str) {
    assert_eq!(unsafe_ip(ip(s)), None, "{s}");
}

#[test]
fn ipv4_ranges_are_refused_at_their_edges_and_their_neighbours_allowed() {
    refused("0.0.0.0", "unspecified");
    refused("0.1.2.3", "unspecified (\"this network\", 0.0.0.0/8)");
    refused("0.255.255.255", "unspecified (\"this network\", 0.0.0.0/8)");
    allowed("1.0.0.0");
    refused("127.0.0.1", "loopback");
    refused("127.255.255.254", "loopback");
    allowed("126.255.255.255");
    allowed("128.0.0.0");
    refused("10.0.0.0", "private");
    refused("10.255.255.255", "private");
    allowed("9.255.255.255");
    allowed("11.0.0.0");
    refused("172.16.0.0", "private");
    refused("172.31.255.255", "private");
    allowed("172.15.255.255");
    allowed("172.32.0.0");
    refused("192.168.0.1", "private");
    refused("192.168.255.255", "private");
    allowed("192.167.255.255");
    allowed("192.169.0.0");
    refused("169.254.169.254", "link-local");
    refused("169.254.0.0", "link-local");
    allowed("169.253.255.255");
    allowed("169.255.0.0");
    refused("100.64.0.0", "CGNAT (shared address space)");
    refused("100.127.255.255", "CGNAT (shared address space)");
    allowed("100.63.255.255");
    allowed("100.128.0.0");
    refused("224.0.0.1", "multicast");
    refused("239.255.255.255", "multicast");
    allowed("223.255.255.255");
    refused("240.0.0.1", "reserved");
    refused("255.255.255.254", "reserved");
    refused("255.255.255.255", "broadcast");
    allowed("8.8.8.8");
    allowed("93.184.216.34");
}

#[test]
fn ipv6_ranges_are_refused_and_public_addresses_allowed() {
    refused("::1", "loopback");
    refused("::", "unspecified");
    refused("fc00::1", "unique-local");
    refused("fd12:3456:789a::1", "unique-local");
    refused("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique-local");
    allowed("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    refused("fe80::1", "link-local");
    refused("febf:ffff::1", "link-local");
    refused("fec0::1", "site-local");
    refused("ff02::1", "multicast");
    refused("ff0e::1", "multicast");
    refused("64:ff9b:1::a00:1", "NAT64 local-use");
    allowed("2001:4860:4860::8888");
    allowed("2606:4700:4700::1111");
    allowed("2a00:1450:4001:82a::200e");
}

#[test]
fn ipv6_forms_that_carry_an_ipv4_address_are_judged_by_it() {
    // IPv4-mapped.
    refused("::ffff:127.0.0.1", "loopback");
    refused("::ffff:7f00:1", "loopback");
    refused("::ffff:10.1.2.3", "private");
    refused("::ffff:169.254.169.254", "link-local");
    refused("::ffff:100.64.0.1", "CGNAT (shared address space)");
    refused("::ffff:0.0.0.0", "unspecified");
    refused("::ffff:224.0.0.1", "multicast");
    allowed("::ffff:8.8.8.8");
    // IPv4-compatible (deprecated).
    refused("::127.0.0.1", "loopback");
    refused("::192.168.1.1", "private");
    allowed("::8.8.8.8");
    // NAT64's well-known prefix.
    refused("64:ff9b::127.0.0.1", "loopback");
    refused("64:ff9b::a9fe:a9fe", "link-local");
    refused("64:ff9b::172.16.0.1", "private");
    allowed("64:ff9b::8.8.8.8");
    // 6to4.
    refused("2002:7f00:1::1", "loopback");
    refused("2002:c0a8:101::1", "private");
    allowed("2002:808:808::1");
}

#[track_caller]
fn invalid(raw: &str) -> String {
    match check_url(raw, false) {
        Err(UrlProblem::Invalid(msg)) => {
            // The same with allow_private: the shape is always checked.
            assert!(
                matches!(check_url(raw, true), Err(UrlProblem::Invalid(_))),
                "{raw}"
            );
            msg
        }
        other => panic!("{raw}: expected Invalid, got {other:?}"),
    }
}

#[track_caller]
fn unsafe_url(raw: &str) -> String {
    match check_url(raw, false) {
        Err(UrlProblem::Unsafe(msg)) => {
            assert!(check_url(raw, true).is_ok(), "{raw} with allow_private");
            msg
        }
        other => panic!("{raw}: expected Unsafe, got {other:?}"),
    }
}

#[test]
fn urls_of_the_wrong_shape_are_invalid_with_a_message_that_says_why() {
    assert!(invalid("ftp://example.com/hook").contains("http or https"));
    assert!(invalid("file:///etc/passwd").contains("http or https"));
    assert!(invalid("javascript:alert(1)").contains("http or https"));
    assert!(invalid("https://user:pw@example.com/").contains("credentials"));
    assert!(invalid("https://user@example.com/").contains("credentials"));
    assert!(invalid("https://:pw@example.com/").contains("credentials"));
    assert!(invalid("not a url").contains("cannot be parsed"));
    assert!(invalid("").contains("cannot be parsed"));
    assert!(invalid("https://").contains("cannot be parsed"));
    assert!(invalid("http://[::1/").contains("cannot be parsed"));
    assert!(invalid("http://256.0.0.1/").contains("cannot be parsed"));
    let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
    assert!(invalid(&long).contains("2048"));
}

#[test]
fn a_url_of_exactly_2048_characters_is_accepted() {
    let base = "https://example.com/";
    let raw = format!("{base}{}", "a".repeat(MAX_URL_CHARS - base.len()));
    assert_eq!(raw.chars().count(), MAX_URL_CHARS);
    assert!(check_url(&raw, false).is_ok());
    // Characters, not bytes: 2,048 two-byte characters are still 2,048.
    let raw = format!("{base}{}", "é".repeat(MAX_URL_CHARS - base.len()));
    assert!(check_url(&raw, false).is_ok());
}

#[test]
fn public_urls_pass_and_come_back_parsed() {
    let url = check_url("https://hooks.example.com/in?x=1", false).expect("public");
    assert_eq!(url.host_str(), Some("hooks.example.com"));
    assert!(check_url("http://8.8.8.8:8080/", false).is_ok());
    assert!(check_url("http://[2001:4860:4860::8888]/", false).is_ok());
    // A name is judged by what it resolves to, at each attempt: not here.
    assert!(check_url("http://internal.corp.example/", false).is_ok());
    assert!(check_url("http://localhost.example.com/", false).is_ok());
}

#[test]
fn localhost_and_its_subdomains_are_unsafe() {
    for raw in [
        "http://localhost/",
        "http://localhost:8080/hook",
        "http://LOCALHOST/",
        "http://localhost./",
        "https://api.localhost/",
        "https://a.b.localhost./x",
    ] {
        assert!(unsafe_url(raw).contains("localhost"), "{raw}");
    }
}

#[test]
fn unsafe_ip_literals_are_refused_in_every_spelling() {
    for raw in [
        "http://127.0.0.1/",
        "http://127.0.0.1:9000/hook",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://017700000001/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[0:0:0:0:0:ffff:7f00:1]/",
        "http://[64:ff9b::7f00:1]/",
    ] {
        assert!(unsafe_url(raw).contains("loopback"), "{raw}");
    }
    assert!(unsafe_url("http://169.254.169.254/latest/meta-data/").contains("link-local"));
    assert!(unsafe_url("http://0xa9.0xfe.0xa9.0xfe/").contains("link-local"));
    assert!(unsafe_url("http://2852039166/").contains("link-local"));
    assert!(unsafe_url("http://012.0.0.1/").contains("private"));
    assert!(unsafe_url("http://0xc0a80001/").contains("private"));
    assert!(unsafe_url("http://0/").contains("unspecified"));
    assert!(unsafe_url("http://[fd00::1]/").contains("unique-local"));
    assert!(unsafe_url("http://[fe80::1]/").contains("link-local"));
    assert!(unsafe_url("http://[ff02::1]/").contains("multicast"));
    assert!(unsafe_url("http://100.64.0.1/").contains("CGNAT"));
}

#[test]
fn the_url_crate_normalises_ipv4_spellings_to_dotted_decimal() {
    for raw in [
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://0x7F000001/",
        "http://127.1/",
    ] {
        let url = check_url(raw, true).expect(raw);
        assert_eq!(url.host(), Some(Host::Ipv4(Ipv4Addr::LOCALHOST)), "{raw}");
        assert_eq!(url.as_str(), "http://127.0.0.1/", "{raw}");
    }
}
