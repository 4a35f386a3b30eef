//! URL joining, which failures are retried, the reasons given, and the configuration.

use super::*;

#[test]
fn the_url_is_joined_with_one_slash() {
    for base in [
        "https://api.openai.com/v1",
        "https://api.openai.com/v1/",
        " https://api.openai.com/v1// ",
    ] {
        assert_eq!(
            chat_completions_url(base).unwrap().as_str(),
            "https://api.openai.com/v1/chat/completions"
        );
    }
    assert!(chat_completions_url("api.openai.com/v1").is_err());
    assert!(chat_completions_url("ftp://x.example/v1").is_err());
}

#[test]
fn only_429_5xx_timeouts_unreachable_and_unreadable_are_retried() {
    let status = |s: u16| Failure::Status {
        status: StatusCode::from_u16(s).unwrap(),
        retry_after: None,
    };
    for f in [
        status(429),
        status(500),
        status(503),
        Failure::Timeout,
        Failure::Unreachable,
        Failure::Unreadable,
    ] {
        assert!(f.retryable(), "{f:?}");
    }
    for s in [400, 401, 403, 404, 422] {
        assert!(!status(s).retryable(), "{s}");
    }
}

#[test]
fn reasons_say_what_happened_and_how_often() {
    let s500 = Failure::Status {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        retry_after: None,
    };
    let e = give_up(&[s500.clone(), s500.clone(), s500.clone()]);
    assert_eq!(e.reason, "the AI provider answered 500 three times");
    assert_eq!(e.attempts, 3);
    let s400 = Failure::Status {
        status: StatusCode::BAD_REQUEST,
        retry_after: None,
    };
    assert_eq!(
        give_up(&[s400]).reason,
        "the AI provider refused the request (400)"
    );
    assert_eq!(
        give_up(&[Failure::Timeout, Failure::Timeout]).reason,
        "the AI provider did not answer in time twice"
    );
    assert_eq!(
        give_up(&[s500, Failure::Timeout, Failure::Unreadable]).reason,
        "the AI provider's reply was not the expected JSON object on the last attempt"
    );
}

#[test]
fn config_comes_from_the_three_variables_and_names_a_missing_one() {
    let vars = |missing: &'static str| {
        move |name: &str| {
            (name != missing).then(|| match name {
                BASE_URL_VAR => "http://127.0.0.1:1/v1".to_owned(),
                API_KEY_VAR => "sk-secret".to_owned(),
                MODEL_VAR => "gpt-test".to_owned(),
                _ => String::new(),
            })
        }
    };
    let config = OpenAiConfig::from_vars(vars("none")).unwrap();
    assert_eq!(config.model, "gpt-test");
    assert!(!format!("{config:?}").contains("sk-secret"));
    for missing in [BASE_URL_VAR, API_KEY_VAR, MODEL_VAR] {
        let err = OpenAiConfig::from_vars(vars(missing)).unwrap_err();
        assert!(err.starts_with(&format!("{missing} is not set")), "{err}");
    }
    let blank =
        OpenAiConfig::from_vars(|name| Some(if name == MODEL_VAR { "  " } else { "x" }.to_owned()));
    assert!(
        blank
            .unwrap_err()
            .starts_with("COACHING_AI_MODEL is not set")
    );
}
