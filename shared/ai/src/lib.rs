//! Coaching generators (docs/api.md#review-sessions-and-ai-generation): `builtin`, deterministic and offline, and `openai`, any
//! OpenAI-compatible chat completions provider; [`generator_from_env`] picks one.

pub mod builtin;
pub mod openai;
pub mod retry;

pub use builtin::BuiltinGenerator;
pub use openai::{OpenAiConfig, OpenAiGenerator};
pub use retry::Timing;

use coaching_domain::ports::Generator;
use std::sync::Arc;

pub const PROVIDER_VAR: &str = "COACHING_AI_PROVIDER";

/// The generator `COACHING_AI_PROVIDER` names: `builtin` (the default) or `openai` (configured
/// by [`OpenAiConfig::from_env`]).
pub fn generator_from_env() -> Result<Arc<dyn Generator>, String> {
    generator_from_vars(|name| std::env::var(name).ok())
}

/// As [`generator_from_env`], reading the variables through `var`.
pub fn generator_from_vars(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Arc<dyn Generator>, String> {
    let provider = var(PROVIDER_VAR)
        .map(|p| p.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match provider.as_str() {
        "" | "builtin" => Ok(Arc::new(BuiltinGenerator)),
        "openai" => Ok(Arc::new(OpenAiGenerator::new(OpenAiConfig::from_vars(
            var,
        )?)?)),
        other => Err(format!(
            "{PROVIDER_VAR} must be \"builtin\" or \"openai\", not {other:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_provider_variable_chooses_builtin_by_default_or_openai() {
        let g = generator_from_vars(vars(&[])).unwrap();
        assert_eq!((g.provider(), g.model()), ("builtin", None));
        let g = generator_from_vars(vars(&[(PROVIDER_VAR, "builtin")])).unwrap();
        assert_eq!(g.provider(), "builtin");
        let g = generator_from_vars(vars(&[
            (PROVIDER_VAR, "openai"),
            ("COACHING_AI_BASE_URL", "https://api.openai.com/v1"),
            ("COACHING_AI_API_KEY", "sk-secret"),
            ("COACHING_AI_MODEL", "gpt-4o-mini"),
        ]))
        .unwrap();
        assert_eq!((g.provider(), g.model()), ("openai", Some("gpt-4o-mini")));
    }

    #[test]
    fn an_unknown_provider_or_a_missing_variable_is_a_clear_error() {
        let err = generator_from_vars(vars(&[(PROVIDER_VAR, "gemini")]))
            .err()
            .unwrap();
        assert_eq!(
            err,
            "COACHING_AI_PROVIDER must be \"builtin\" or \"openai\", not \"gemini\""
        );
        let err = generator_from_vars(vars(&[
            (PROVIDER_VAR, "openai"),
            ("COACHING_AI_BASE_URL", "https://api.openai.com/v1"),
            ("COACHING_AI_MODEL", "gpt-4o-mini"),
        ]))
        .err()
        .unwrap();
        assert!(err.starts_with("COACHING_AI_API_KEY is not set"), "{err}");
    }
}
