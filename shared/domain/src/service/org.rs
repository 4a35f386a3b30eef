//! Org-level records (docs/api.md#org-settings-and-knowledge-base): settings, knowledge-base articles and the webhook secret.

use super::{Services, parse_id, store_err};
use crate::access::Actor;
use crate::error::{DomainError, Errors};
use crate::ids::*;
use crate::org::{KbArticle, OrgSettings};
use crate::ports::OrgStore;

pub const MAX_KB_KEYWORDS: usize = 20;
pub const DEFAULT_KB_PAGE: u32 = 100;
pub const MAX_KB_PAGE: u32 = 500;

/// A new knowledge-base article as the admin wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbArticleInput {
    pub title: String,
    pub url: String,
    pub keywords: Vec<String>,
}

fn require_admin(actor: &Actor, what: &str) -> Result<(), DomainError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(DomainError::forbidden(format!("only an admin can {what}")))
    }
}

impl Services {
    /// The org's settings (any member).
    pub async fn org_settings(&self, actor: &Actor) -> Result<OrgSettings, DomainError> {
        self.ports
            .store
            .org_settings(&actor.org)
            .await
            .map_err(store_err)
    }

    /// Replaces the org's settings (admin).
    pub async fn put_org_settings(
        &self,
        actor: &Actor,
        settings: OrgSettings,
    ) -> Result<OrgSettings, DomainError> {
        require_admin(actor, "change the org's settings")?;
        self.ports
            .store
            .put_org_settings(&actor.org, &settings)
            .await
            .map_err(store_err)?;
        Ok(settings)
    }

    /// Stores `secret` (a fresh `whsec_…` the caller generated) as the org's webhook secret
    /// (admin). From now on only it verifies the org's deliveries.
    pub async fn rotate_webhook_secret(
        &self,
        actor: &Actor,
        secret: &str,
    ) -> Result<(), DomainError> {
        require_admin(actor, "rotate the webhook secret")?;
        self.ports
            .store
            .put_webhook_secret(&actor.org, secret)
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// Adds an article (admin). Keywords are matched case-insensitively, so they are kept
    /// trimmed and lower-cased, without repeats.
    pub async fn create_kb_article(
        &self,
        actor: &Actor,
        input: KbArticleInput,
    ) -> Result<KbArticle, DomainError> {
        require_admin(actor, "add knowledge-base articles")?;
        let mut errs = Errors::new();
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errs.add("title", "must be 1 to 200 characters");
        }
        let url = input.url.trim();
        if !crate::webhook::is_http_url(url) {
            errs.add("url", "must be an http(s) URL of at most 2048 characters");
        }
        if input.keywords.is_empty() || input.keywords.len() > MAX_KB_KEYWORDS {
            errs.add("keywords", format!("1 to {MAX_KB_KEYWORDS} keywords"));
        }
        let mut keywords: Vec<String> = Vec::new();
        for (i, k) in input.keywords.iter().enumerate() {
            let k = k.trim().to_lowercase();
            if k.is_empty() || k.chars().count() > 100 {
                errs.add(format!("keywords[{i}]"), "must be 1 to 100 characters");
            } else if !keywords.contains(&k) {
                keywords.push(k);
            }
        }
        errs.finish()?;
        let article = KbArticle {
            id: parse_id("id", KbArticleId::parse(self.new_id()))?,
            org: actor.org.clone(),
            title: title.to_owned(),
            url: url.to_owned(),
            keywords,
            created_at: self.now(),
        };
        self.ports
            .store
            .put_kb_article(&article)
            .await
            .map_err(store_err)?;
        Ok(article)
    }

    /// Removes an article (admin); 404 when the org has none with that id.
    pub async fn delete_kb_article(
        &self,
        actor: &Actor,
        id: &KbArticleId,
    ) -> Result<(), DomainError> {
        require_admin(actor, "remove knowledge-base articles")?;
        let removed = self
            .ports
            .store
            .delete_kb_article(&actor.org, id)
            .await
            .map_err(store_err)?;
        if removed {
            Ok(())
        } else {
            Err(DomainError::NotFound("knowledge-base article"))
        }
    }

    /// A page of the org's articles, oldest first (any member).
    pub async fn kb_articles(
        &self,
        actor: &Actor,
        limit: Option<u32>,
        after: Option<&KbArticleId>,
    ) -> Result<crate::ports::Page<KbArticle>, DomainError> {
        let limit = limit.unwrap_or(DEFAULT_KB_PAGE);
        if limit == 0 || limit > MAX_KB_PAGE {
            return Err(DomainError::field(
                "limit",
                format!("must be 1 to {MAX_KB_PAGE}"),
            ));
        }
        let found = self
            .ports
            .store
            .kb_articles(&actor.org, crate::ports::fetch_limit(limit), after)
            .await
            .map_err(store_err)?;
        Ok(crate::ports::Page::trimmed(found, limit, |a| {
            crate::ports::Cursor {
                sort_key: 0,
                id: a.id.as_str().to_owned(),
            }
        }))
    }
}

impl<S: OrgStore + ?Sized> Services<S> {
    /// The org's own webhook secret, if it rotated one (for verifying deliveries).
    pub async fn org_webhook_secret(&self, org: &OrgId) -> Result<Option<String>, DomainError> {
        self.ports
            .store
            .webhook_secret(org)
            .await
            .map_err(store_err)
    }
}
