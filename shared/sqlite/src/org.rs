//! Org-level records: settings (a JSON document per org), the webhook secret, and
//! knowledge-base articles by (org, id).

use crate::SqliteStore;
use crate::codec::{from_json, to_json};
use crate::errors::{unavailable, unique_or_unavailable};
use crate::sessions::collect_docs;
use async_trait::async_trait;
use coaching_domain::ids::{KbArticleId, OrgId};
use coaching_domain::org::{KbArticle, OrgSettings};
use coaching_domain::ports::OrgStore;
use coaching_domain::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) fn org_settings(conn: &Connection, org: &OrgId) -> Result<OrgSettings, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM org_settings WHERE org = ?1")
        .and_then(|mut st| st.query_row([org.as_str()], |r| r.get(0)).optional())
        .map_err(unavailable)?;
    doc.map_or_else(
        || Ok(OrgSettings::default()),
        |d| from_json("org settings", &d),
    )
}

pub(crate) fn put_org_settings(
    conn: &Connection,
    org: &OrgId,
    settings: &OrgSettings,
) -> Result<(), StoreError> {
    let doc = to_json("org settings", settings)?;
    conn.prepare_cached(
        "INSERT INTO org_settings (org, doc) VALUES (?1, ?2) \
         ON CONFLICT (org) DO UPDATE SET doc = excluded.doc",
    )
    .and_then(|mut st| st.execute(params![org.as_str(), doc]))
    .map_err(unavailable)?;
    Ok(())
}

pub(crate) fn webhook_secret(conn: &Connection, org: &OrgId) -> Result<Option<String>, StoreError> {
    conn.prepare_cached("SELECT secret FROM webhook_secrets WHERE org = ?1")
        .and_then(|mut st| st.query_row([org.as_str()], |r| r.get(0)).optional())
        .map_err(unavailable)
}

pub(crate) fn put_webhook_secret(
    conn: &Connection,
    org: &OrgId,
    secret: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO webhook_secrets (org, secret) VALUES (?1, ?2) \
         ON CONFLICT (org) DO UPDATE SET secret = excluded.secret",
    )
    .and_then(|mut st| st.execute(params![org.as_str(), secret]))
    .map_err(unavailable)?;
    Ok(())
}

pub(crate) fn put_kb_article(conn: &Connection, article: &KbArticle) -> Result<(), StoreError> {
    let doc = to_json("knowledge-base article", article)?;
    conn.prepare_cached("INSERT INTO kb_articles (org, id, doc) VALUES (?1, ?2, ?3)")
        .and_then(|mut st| st.execute(params![article.org.as_str(), article.id.as_str(), doc]))
        .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
    Ok(())
}

pub(crate) fn delete_kb_article(
    conn: &Connection,
    org: &OrgId,
    id: &KbArticleId,
) -> Result<bool, StoreError> {
    let deleted = conn
        .prepare_cached("DELETE FROM kb_articles WHERE org = ?1 AND id = ?2")
        .and_then(|mut st| st.execute(params![org.as_str(), id.as_str()]))
        .map_err(unavailable)?;
    Ok(deleted > 0)
}

pub(crate) fn kb_articles(
    conn: &Connection,
    org: &OrgId,
    limit: u32,
    after: Option<&KbArticleId>,
) -> Result<Vec<KbArticle>, StoreError> {
    let (org, limit) = (org.as_str(), i64::from(limit));
    let docs = match after {
        None => collect_docs(
            conn,
            "SELECT doc FROM kb_articles WHERE org = ?1 ORDER BY id LIMIT ?2",
            params![org, limit],
        )?,
        Some(after) => collect_docs(
            conn,
            "SELECT doc FROM kb_articles WHERE org = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            params![org, after.as_str(), limit],
        )?,
    };
    docs.iter()
        .map(|d| from_json("knowledge-base article", d))
        .collect()
}

#[async_trait]
impl OrgStore for SqliteStore {
    async fn org_settings(&self, org: &OrgId) -> Result<OrgSettings, StoreError> {
        org_settings(&self.pool.reader(), org)
    }

    async fn put_org_settings(
        &self,
        org: &OrgId,
        settings: &OrgSettings,
    ) -> Result<(), StoreError> {
        put_org_settings(&self.pool.writer(), org, settings)
    }

    async fn webhook_secret(&self, org: &OrgId) -> Result<Option<String>, StoreError> {
        webhook_secret(&self.pool.reader(), org)
    }

    async fn put_webhook_secret(&self, org: &OrgId, secret: &str) -> Result<(), StoreError> {
        put_webhook_secret(&self.pool.writer(), org, secret)
    }

    async fn put_kb_article(&self, article: &KbArticle) -> Result<(), StoreError> {
        put_kb_article(&self.pool.writer(), article)
    }

    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> Result<bool, StoreError> {
        delete_kb_article(&self.pool.writer(), org, id)
    }

    async fn kb_articles(
        &self,
        org: &OrgId,
        limit: u32,
        after: Option<&KbArticleId>,
    ) -> Result<Vec<KbArticle>, StoreError> {
        kb_articles(&self.pool.reader(), org, limit, after)
    }
}
