//! docs/api.md#errors "No input makes the server answer 5xx": malformed bodies, wrong types, extreme numbers and
//! instants, odd ids, query strings and headers against every endpoint; every 4xx is problem+json.

use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

/// An endpoint, a body it would accept, and whether it takes a body at all.
struct Endpoint {
    method: Method,
    path: String,
    base: Option<Value>,
}

fn endpoints(session: &str) -> Vec<Endpoint> {
    let e = |method: Method, path: String, base: Option<Value>| Endpoint { method, path, base };
    vec![
        e(Method::GET, "/health".into(), None),
        e(Method::GET, "/openapi.json".into(), None),
        e(Method::GET, "/v1/test-clock".into(), None),
        e(Method::GET, "/v1/notifications".into(), None),
        e(
            Method::PUT,
            "/v1/coaches/coach-ana/settings".into(),
            Some(standard_settings()),
        ),
        e(Method::GET, "/v1/coaches/coach-ana/settings".into(), None),
        e(Method::GET, "/v1/coaches/coach-ana/slots".into(), None),
        e(
            Method::GET,
            "/v1/coaches/coach-ana/analytics?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
                .into(),
            None,
        ),
        e(Method::POST, "/v1/calendar-token".into(), None),
        e(Method::GET, format!("/v1/calendar/{session}.ics"), None),
        e(
            Method::POST,
            "/v1/sessions".into(),
            Some(paid("coach-ana", "client-bo", "2026-12-08T08:00:00Z", 30)),
        ),
        e(Method::GET, "/v1/sessions".into(), None),
        e(Method::GET, format!("/v1/sessions/{session}"), None),
        e(
            Method::PATCH,
            format!("/v1/sessions/{session}"),
            Some(json!({"notes": "n", "agenda": [{"text": "a"}]})),
        ),
        e(
            Method::POST,
            format!("/v1/sessions/{session}/cancel"),
            Some(json!({"reason": "r"})),
        ),
        e(
            Method::POST,
            format!("/v1/sessions/{session}/complete"),
            None,
        ),
        e(
            Method::POST,
            format!("/v1/sessions/{session}/no-show"),
            None,
        ),
        e(Method::POST, format!("/v1/sessions/{session}/join"), None),
        e(
            Method::POST,
            format!("/v1/sessions/{session}/reschedule"),
            Some(json!({"startsAt": "2026-12-08T09:00:00Z", "reason": "r"})),
        ),
        e(Method::GET, "/v1/reschedule-requests".into(), None),
        e(
            Method::GET,
            "/v1/reschedule-requests/01JR0000000000000000000001".into(),
            None,
        ),
        e(
            Method::POST,
            "/v1/reschedule-requests/01JR0000000000000000000001/approve".into(),
            None,
        ),
        e(
            Method::POST,
            "/v1/reschedule-requests/01JR0000000000000000000001/reject".into(),
            Some(json!({"reason": "r"})),
        ),
        e(Method::POST, "/v1/admin/jobs/reminders/run".into(), None),
        e(
            Method::POST,
            "/v1/admin/jobs/reschedule-expiry/run".into(),
            None,
        ),
        e(
            Method::GET,
            "/v1/coachees/client-bo/evaluations".into(),
            None,
        ),
        e(
            Method::GET,
            "/v1/coachees/client-bo/criteria-stats".into(),
            None,
        ),
        e(
            Method::PUT,
            format!("/v1/sessions/{session}/criteria/accuracy"),
            Some(json!({"summary": "s", "linkedEvaluationIds": []})),
        ),
        e(
            Method::DELETE,
            format!("/v1/sessions/{session}/criteria/accuracy"),
            None,
        ),
        e(Method::GET, "/v1/org/settings".into(), None),
        e(
            Method::PUT,
            "/v1/org/settings".into(),
            Some(json!({"includeSoftCriteria": false, "kbLinksEnabled": false})),
        ),
        e(Method::POST, "/v1/org/webhook-secret".into(), None),
        e(
            Method::POST,
            "/v1/kb-articles".into(),
            Some(json!({"title": "t", "url": "https://kb.example.com/t", "keywords": ["k"]})),
        ),
        e(Method::GET, "/v1/kb-articles".into(), None),
        e(Method::DELETE, format!("/v1/kb-articles/{session}"), None),
    ]
}

/// Fields of every request body the API knows, plus some it does not.
const FIELDS: &[&str] = &[
    "kind",
    "coachId",
    "clientId",
    "startsAt",
    "durationMinutes",
    "name",
    "agendaTemplateId",
    "recurrence",
    "review",
    "timezone",
    "availability",
    "prices",
    "bufferMinutes",
    "minNoticeMinutes",
    "cancellationWindowHours",
    "lateCancellationFeePercent",
    "noShowFeePercent",
    "joinUrlTemplate",
    "notes",
    "privateNotes",
    "agenda",
    "reason",
    "now",
    "summary",
    "linkedEvaluationIds",
    "includeSoftCriteria",
    "kbLinksEnabled",
    "title",
    "url",
    "keywords",
    "",
    "__proto__",
];

fn nasty_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(-1),
        json!(0),
        json!(1.5),
        json!(1e308),
        json!(-1e308),
        json!(u64::MAX),
        json!(i64::MIN),
        serde_json::from_str("18446744073709551616").expect("big"),
        json!(""),
        json!(" "),
        json!("ü🙂\u{202e}\u{0000}"),
        json!("x".repeat(5000)),
        json!([]),
        json!([null]),
        json!({}),
        json!({"amount": 1}),
        json!(true),
        json!("0000-01-01T00:00:00Z"),
        json!("9999-12-31T23:59:59Z"),
        json!("1970-01-01T00:00:00Z"),
        json!("2026-12-07T08:00:00+14:00"),
        json!("2026-02-30T08:00:00Z"),
        json!("a/b/../../c"),
        json!("24:00"),
        json!("sun"),
        json!("Etc/GMT+12"),
        json!([{"weekday": "mon", "start": "00:00", "end": "24:00"}]),
        json!({"30": {"amount": 100000000, "currency": "JPY"}}),
        json!({"every": "week"}),
        json!({"periodStart": "9999-12-31T23:59:59Z", "periodEnd": "0000-01-01T00:00:00Z"}),
        json!([{"id": "x".repeat(300), "text": "t"}]),
    ]
}

fn raw_bodies() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        "",
        " ",
        "{",
        "}",
        "[",
        "null",
        "[]",
        "[{}]",
        "\"str\"",
        "123",
        "-0",
        "true",
        "{}",
        "{\"a\":",
        "{\"a\" 1}",
        "{'single': 'quotes'}",
        "1e999",
        "99999999999999999999999",
        "{\"durationMinutes\": 1e999}",
        "{\"notes\": \"\\ud800\"}",
        "{\"notes\": \"\\u0000\"}",
        "{} {}",
        "\u{feff}{}",
        "NaN",
        "Infinity",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    out.push(vec![0xff, 0xfe, 0x00]);
    out.push(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes());
    out.push(format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000)).into_bytes());
    out
}

fn odd_ids() -> Vec<String> {
    vec![
        "x".into(),
        "a%2Fb".into(),
        "a/b".into(),
        "x".repeat(500),
        "%C3%BC%F0%9F%99%82".into(),
        "..".into(),
        "%2E%2E".into(),
        "%00".into(),
        "%20".into(),
        "null".into(),
        "-1".into(),
        "01JZZZZZZZZZZZZZZZZZZZZZZZ".into(),
        "'%3B%20DROP%20TABLE%20sessions%3B--".into(),
    ]
}

fn odd_query_values() -> Vec<String> {
    vec![
        "".into(),
        "%00".into(),
        "%C3%BC".into(),
        "-1".into(),
        "0".into(),
        "99999999999999999999".into(),
        "1e3".into(),
        "null".into(),
        "[]".into(),
        "2026-13-45T99:99:99Z".into(),
        "0000-01-01T00:00:00Z".into(),
        "9999-12-31T23:59:59Z".into(),
        "%2B262143-12-31T23:59:59Z".into(),
        "2026-12-07T08:00:00%2B14:00".into(),
        "x".repeat(5000),
        "scheduled,,cancelled".into(),
        "coach".into(),
        "admin".into(),
        "OTIyMzM3MjAzNjg1NDc3NTgwNzp4".into(), // "9223372036854775807:x"
        "LTkyMjMzNzIwMzY4NTQ3NzU4MDg6eA".into(), // "-9223372036854775808:x"
        "Ojo6Ojo6".into(),
    ]
}

/// Records a failure: a 5xx, or a 4xx that is not problem+json.
fn check(failures: &mut Vec<String>, what: &str, r: &Resp) {
    if r.status() >= 500 {
        failures.push(format!("{what} -> {} {}", r.status(), r.body));
    } else if r.status() >= 400 && !r.is_problem() {
        failures.push(format!(
            "{what} -> {} not problem+json ({})",
            r.status(),
            r.content_type()
        ));
    }
}

/// A world with coach settings and one session, and the tokens that can reach everything.
async fn world() -> (TestApp, String, Vec<String>) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let tokens = vec![
        coach("coach-ana"),
        client("client-bo"),
        admin("admin-cy"),
        other_org("eve"),
    ];
    (app, s["id"].as_str().expect("id").to_owned(), tokens)
}

fn assert_none(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} bad answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn malformed_bodies_never_cause_a_5xx() {
    let (app, session, tokens) = world().await;
    let mut failures = Vec::new();

    for ep in endpoints(&session) {
        for tok in &tokens {
            for raw in raw_bodies() {
                let call = Call::new(ep.method.clone(), &ep.path)
                    .token(tok)
                    .raw(raw.clone());
                let r = app.send(call).await;
                let shown = String::from_utf8_lossy(&raw)
                    .chars()
                    .take(40)
                    .collect::<String>();
                check(
                    &mut failures,
                    &format!("{} {} {shown:?}", ep.method, ep.path),
                    &r,
                );
            }
        }
    }

    assert_none(&failures);
}

#[tokio::test]
async fn wrong_types_and_extreme_values_in_every_field_never_cause_a_5xx() {
    let (app, session, tokens) = world().await;
    let mut failures = Vec::new();

    for ep in endpoints(&session) {
        let Some(base) = &ep.base else { continue };
        for field in FIELDS {
            for value in nasty_values() {
                let mut body = base.clone();
                body[*field] = value.clone();
                for tok in &tokens[..3] {
                    let r = app
                        .send(
                            Call::new(ep.method.clone(), &ep.path)
                                .token(tok)
                                .json(&body),
                        )
                        .await;
                    let shown = value.to_string().chars().take(40).collect::<String>();
                    check(
                        &mut failures,
                        &format!("{} {} {field}={shown}", ep.method, ep.path),
                        &r,
                    );
                }
            }
        }
    }

    assert_none(&failures);
}

#[tokio::test]
async fn arrays_nulls_and_scalars_instead_of_objects_never_cause_a_5xx() {
    let (app, session, tokens) = world().await;
    let mut failures = Vec::new();

    for ep in endpoints(&session) {
        let Some(base) = &ep.base else { continue };
        let Some(obj) = base.as_object() else {
            continue;
        };
        for key in obj.keys() {
            for value in [
                json!([base[key].clone()]),
                Value::Null,
                json!("s"),
                json!(1),
                json!([]),
            ] {
                let mut body = base.clone();
                body[key.as_str()] = value;
                let r = app
                    .send(
                        Call::new(ep.method.clone(), &ep.path)
                            .token(&tokens[0])
                            .json(&body),
                    )
                    .await;
                check(
                    &mut failures,
                    &format!("{} {} {key}", ep.method, ep.path),
                    &r,
                );
            }
        }
        for whole in [json!([base.clone()]), Value::Null, json!(0), json!("body")] {
            let r = app
                .send(
                    Call::new(ep.method.clone(), &ep.path)
                        .token(&tokens[0])
                        .json(&whole),
                )
                .await;
            check(
                &mut failures,
                &format!("{} {} whole={whole}", ep.method, ep.path),
                &r,
            );
        }
    }

    assert_none(&failures);
}

#[tokio::test]
async fn odd_ids_in_paths_never_cause_a_5xx() {
    let (app, session, tokens) = world().await;
    let mut failures = Vec::new();

    for id in odd_ids() {
        for ep in endpoints(&id) {
            for tok in &tokens {
                let mut call = Call::new(ep.method.clone(), &ep.path).token(tok);
                if let Some(b) = &ep.base {
                    call = call.json(b);
                }
                let r = app.send(call).await;
                check(&mut failures, &format!("{} {}", ep.method, ep.path), &r);
            }
        }
        for path in [
            format!("/v1/coachees/{id}/evaluations"),
            format!("/v1/coachees/{id}/criteria-stats"),
        ] {
            for tok in &tokens {
                let r = app.get(&path, tok).await;
                check(&mut failures, &format!("GET {path}"), &r);
            }
        }
        let criterion = format!("/v1/sessions/{session}/criteria/{id}");
        let r = app
            .put(&criterion, &tokens[0], &json!({"summary": "s"}))
            .await;
        check(&mut failures, &format!("PUT {criterion}"), &r);
        let r = app
            .request(Method::DELETE, &criterion, Some(&tokens[0]), None, &[])
            .await;
        check(&mut failures, &format!("DELETE {criterion}"), &r);
        for path in [
            format!("/v1/coaches/{id}/analytics?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"),
            format!("/v1/calendar/{id}.ics"),
            format!("/v1/calendar/{id}"),
        ] {
            let r = app.get(&path, &tokens[0]).await;
            check(&mut failures, &format!("GET {path}"), &r);
        }
        for path in [
            format!("/v1/coaches/{id}/settings"),
            format!("/v1/coaches/{id}/slots"),
        ] {
            let r = app.get(&path, &tokens[0]).await;
            check(&mut failures, &format!("GET {path}"), &r);
            let r = app.put(&path, &tokens[0], &standard_settings()).await;
            check(&mut failures, &format!("PUT {path}"), &r);
        }
    }

    assert_none(&failures);
}

#[tokio::test]
async fn odd_query_strings_never_cause_a_5xx() {
    let (app, _, tokens) = world().await;
    let mut failures = Vec::new();
    let queries: &[(&str, &[&str])] = &[
        (
            "/v1/coaches/coach-ana/slots",
            &["from", "to", "durationMinutes"],
        ),
        (
            "/v1/sessions",
            &["role", "status", "from", "to", "limit", "cursor"],
        ),
        ("/v1/notifications", &["limit", "cursor"]),
        (
            "/v1/coachees/client-bo/evaluations",
            &["from", "to", "scorecardId", "limit", "cursor"],
        ),
        (
            "/v1/coachees/client-bo/criteria-stats",
            &["from", "to", "scorecardId"],
        ),
        ("/v1/kb-articles", &["limit", "cursor"]),
        ("/v1/coaches/coach-ana/analytics", &["from", "to"]),
    ];

    for (path, params) in queries {
        for param in *params {
            for value in odd_query_values() {
                for tok in &tokens {
                    let r = app.get(&format!("{path}?{param}={value}"), tok).await;
                    let shown = value.chars().take(40).collect::<String>();
                    check(&mut failures, &format!("GET {path}?{param}={shown}"), &r);
                }
            }
        }
        for q in [
            "?&&&",
            "?=",
            "?from",
            "?from=1&from=2",
            "?unknown=1",
            "?%FF=%FE",
        ] {
            let r = app.get(&format!("{path}{q}"), &tokens[0]).await;
            check(&mut failures, &format!("GET {path}{q}"), &r);
        }
    }
    for (from, to) in [
        ("9999-12-31T00:00:00Z", "9999-12-31T23:59:59Z"),
        ("0000-01-01T00:00:00Z", "0000-01-02T00:00:00Z"),
        ("9999-12-25T00:00:00Z", ""),
    ] {
        let mut path = format!("/v1/coaches/coach-ana/slots?from={from}&durationMinutes=120");
        if !to.is_empty() {
            path.push_str(&format!("&to={to}"));
        }
        let r = app.get(&path, &tokens[0]).await;
        check(&mut failures, &format!("GET {path}"), &r);
    }

    assert_none(&failures);
}

#[tokio::test]
async fn odd_headers_never_cause_a_5xx() {
    let (app, session, tokens) = world().await;
    let mut failures = Vec::new();
    let long = "k".repeat(4000);
    let headers: Vec<(&str, &str)> = vec![
        ("idempotency-key", ""),
        ("idempotency-key", long.as_str()),
        ("idempotency-key", "ok-key"),
        ("if-match", ""),
        ("if-match", "*"),
        ("if-match", "W/\"\""),
        ("if-match", "\"18446744073709551615\""),
        ("if-match", "\"-1\""),
        ("if-match", "\"1\", \"2\""),
        ("if-none-match", "*"),
        ("if-none-match", "W/\"\", ,,"),
        ("content-type", "text/plain"),
        ("content-type", "application/json; charset=utf-16"),
        ("content-type", "application/problem+json"),
        ("content-type", "multipart/form-data; boundary=x"),
        ("content-type", ""),
        ("accept", "application/xml"),
    ];

    for ep in endpoints(&session) {
        for (name, value) in &headers {
            let mut call = Call::new(ep.method.clone(), &ep.path).token(&tokens[0]);
            if let Some(b) = &ep.base {
                call = call.json(b);
            }
            let r = app.send(call.header(name, value)).await;
            check(
                &mut failures,
                &format!("{} {} {name}: {value:.40}", ep.method, ep.path),
                &r,
            );
        }
    }

    assert_none(&failures);
}

#[tokio::test]
async fn extreme_test_clock_instants_never_cause_a_5xx() {
    let (app, session, tokens) = world().await;
    let mut failures = Vec::new();

    for now in [
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
    ] {
        let set = app
            .put("/v1/test-clock", &tokens[2], &json!({"now": now}))
            .await;
        check(&mut failures, &format!("PUT /v1/test-clock {now}"), &set);
        for ep in endpoints(&session) {
            let mut call = Call::new(ep.method.clone(), &ep.path).token(&tokens[0]);
            if let Some(b) = &ep.base {
                call = call.json(b);
            }
            let r = app.send(call).await;
            check(
                &mut failures,
                &format!("at {now}: {} {}", ep.method, ep.path),
                &r,
            );
        }
    }

    assert_none(&failures);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413_problem_on_every_endpoint_with_a_body() {
    let (app, session, tokens) = world().await;
    let big = format!("{{\"notes\": \"{}\"}}", "a".repeat((1 << 20) + 10));

    for ep in endpoints(&session).into_iter().filter(|e| e.base.is_some()) {
        let r = app
            .send(
                Call::new(ep.method.clone(), &ep.path)
                    .token(&tokens[0])
                    .raw(big.clone()),
            )
            .await;

        assert_eq!(r.status(), 413, "{} {}", ep.method, ep.path);
        assert!(r.is_problem(), "{} {}", ep.method, ep.path);
    }
}
