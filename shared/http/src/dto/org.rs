//! Wire types of an org's settings, its webhook secret and its knowledge base
//! (docs/api.md#evaluations).

use super::schema::{http_url, text};
use chrono::{DateTime, Utc};
use coaching_domain::org::{KbArticle, OrgSettings};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn text_200() -> utoipa::openapi::Object {
    text(200)
}
fn keywords() -> utoipa::openapi::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(text(100))
        .min_items(Some(1))
        .max_items(Some(20))
        .build()
}
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgSettingsDto {
    /// Generation also considers soft criteria.
    #[serde(default)]
    pub include_soft_criteria: bool,
    /// Generation adds knowledge-base links.
    #[serde(default)]
    pub kb_links_enabled: bool,
}

impl From<OrgSettings> for OrgSettingsDto {
    fn from(org_settings: OrgSettings) -> Self {
        Self {
            include_soft_criteria: org_settings.include_soft_criteria,
            kb_links_enabled: org_settings.kb_links_enabled,
        }
    }
}

impl From<OrgSettingsDto> for OrgSettings {
    fn from(org_settings_dto: OrgSettingsDto) -> Self {
        Self {
            include_soft_criteria: org_settings_dto.include_soft_criteria,
            kb_links_enabled: org_settings_dto.kb_links_enabled,
        }
    }
}

/// The org's new webhook secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookSecretDto {
    /// `whsec_` and 32 random bytes in base64 (Standard Webhooks).
    pub secret: String,
}

/// Where the org's current webhook secret comes from.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookSecretSourceDto {
    /// Derived for this org from the server's master secret (the org has not rotated one).
    Derived,
    /// Rotated by one of the org's admins.
    Rotated,
}

impl From<crate::webhook_secret::SecretSource> for WebhookSecretSourceDto {
    fn from(secret_source: crate::webhook_secret::SecretSource) -> Self {
        match secret_source {
            crate::webhook_secret::SecretSource::Derived => Self::Derived,
            crate::webhook_secret::SecretSource::Rotated => Self::Rotated,
        }
    }
}

/// The secret that verifies the org's evaluation deliveries now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentWebhookSecretDto {
    /// A Standard Webhooks secret (`whsec_` and base64).
    pub secret: String,
    pub source: WebhookSecretSourceDto,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KbArticleBody {
    #[schema(schema_with = text_200)]
    pub title: String,
    /// An http(s) URL.
    #[schema(schema_with = http_url)]
    pub url: String,
    /// 1 to 20 keywords of 1 to 100 characters, matched case-insensitively.
    #[schema(schema_with = keywords)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KbArticleDto {
    pub id: String,
    pub title: String,
    pub url: String,
    pub keywords: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<KbArticle> for KbArticleDto {
    fn from(kb_article: KbArticle) -> Self {
        Self {
            id: kb_article.id.to_string(),
            title: kb_article.title,
            url: kb_article.url,
            keywords: kb_article.keywords,
            created_at: kb_article.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KbArticleListDto {
    pub items: Vec<KbArticleDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KbParams {
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}
