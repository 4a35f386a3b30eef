//! Org-level records: settings, agenda templates, knowledge-base articles, calendar tokens.

use crate::ids::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrgSettings {
    pub include_soft_criteria: bool,
    pub kb_links_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaTemplate {
    pub id: AgendaTemplateId,
    pub org: OrgId,
    pub owner_id: UserId,
    pub name: String,
    pub items: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbArticle {
    pub id: KbArticleId,
    pub org: OrgId,
    pub title: String,
    pub url: String,
    pub keywords: Vec<String>,
    pub created_at: DateTime<Utc>,
}
