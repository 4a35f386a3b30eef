//! Generation records: `ORG#o#GENERATION#id`/`GENERATION`, the job as JSON in `doc`, its
//! `status` and `claims` (what a conditional write compares), filed in the `Due` index
//! (`DUE#GENERATION#<day>`) while it has a due time. Read by id with one strongly consistent
//! GetItem; written only inside a commit's transaction ([`put`]).

use crate::DynamoStore;
use crate::items::{DOC, Item, STATUS, from_doc, index_attrs, key, number, s, to_doc};
use crate::keys::{self, DUE, Due};
use crate::sessions::get;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::builders::PutBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Put};
use chrono::{DateTime, Utc};
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationJob, GenerationPut};
use coaching_domain::ids::{GenerationId, OrgId};
use coaching_domain::ports::GenerationStore;
use coaching_domain::ports::StoreError;

/// How many times a worker claimed the record (a number), compared with `status` by a claim.
pub(crate) const CLAIMS: &str = "claims";

/// The stored spelling of a status: the domain's serde name.
pub(crate) fn status_name(status: GenerationStatus) -> &'static str {
    match status {
        GenerationStatus::Queued => "queued",
        GenerationStatus::Running => "running",
        GenerationStatus::Succeeded => "succeeded",
        GenerationStatus::Failed => "failed",
    }
}

/// The record's item: the document, status and claims; in the `Due` index by `due_at` while
/// that is set (queued, or running under a lease), in no index once finished.
pub(crate) fn item(job: &GenerationJob) -> Result<Item, StoreError> {
    let mut item = key(keys::generation_pk(&job.org, &job.id), keys::GENERATION_SK);
    item.insert(DOC.to_owned(), to_doc("generation", job)?);
    item.insert(STATUS.to_owned(), s(status_name(job.status)));
    item.insert(CLAIMS.to_owned(), number(i64::from(job.claims)));
    if let Some(due_at) = job.due_at {
        index_attrs(
            &mut item,
            DUE,
            keys::due_pk(Due::Generation, due_at),
            &keys::due_sk(due_at, &job.org, job.id.as_str()),
        );
    }
    Ok(item)
}

/// The transaction's Put of `put`: a new record only where none exists; a change only while the
/// stored record has exactly the expected status and claim count (a missing record fails the
/// comparison too).
pub(crate) fn put(table: &str, put: &GenerationPut) -> Result<PutBuilder, StoreError> {
    let builder = Put::builder()
        .table_name(table)
        .set_item(Some(item(&put.job)?));
    Ok(match put.expected {
        None => builder.condition_expression("attribute_not_exists(PK)"),
        Some((status, claims)) => builder
            .condition_expression("#status = :status AND #claims = :claims")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#claims", CLAIMS)
            .expression_attribute_values(":status", s(status_name(status)))
            .expression_attribute_values(":claims", AttributeValue::N(claims.to_string())),
    })
}

/// One strongly consistent GetItem: a worker reads what the last commit wrote.
pub(crate) async fn generation(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &GenerationId,
) -> Result<Option<GenerationJob>, StoreError> {
    let item = get(
        client,
        table,
        keys::generation_pk(org, id),
        keys::GENERATION_SK,
    )
    .await?;
    item.map(|i| from_doc("generation", &i)).transpose()
}

#[async_trait]
impl GenerationStore for DynamoStore {
    /// One strongly consistent GetItem.
    async fn generation(
        &self,
        org: &OrgId,
        id: &GenerationId,
    ) -> Result<Option<GenerationJob>, StoreError> {
        generation(&self.client, &self.table, org, id).await
    }

    /// One Query per `Due` day partition read (eight at most), oldest day first.
    async fn due_generations(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GenerationJob>, StoreError> {
        crate::due::due_generations(&self.client, &self.table, now, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use coaching_domain::generation::GenerationRequest;
    use coaching_domain::ids::SessionId;

    fn utc(t: &str) -> DateTime<Utc> {
        t.parse().unwrap()
    }

    fn job(status: GenerationStatus, claims: u32, due: Option<&str>) -> GenerationJob {
        GenerationJob {
            id: GenerationId::parse("g-1").unwrap(),
            org: OrgId::parse("o").unwrap(),
            session_id: SessionId::parse("s-1").unwrap(),
            request: GenerationRequest::default(),
            status,
            claims,
            lease_until: None,
            due_at: due.map(utc),
            created_at: utc("2030-03-04T09:00:00Z"),
        }
    }

    #[test]
    fn stored_status_names_are_the_domains_serde_names() {
        for status in [
            GenerationStatus::Queued,
            GenerationStatus::Running,
            GenerationStatus::Succeeded,
            GenerationStatus::Failed,
        ] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status_name(status))
            );
        }
    }

    #[test]
    fn a_record_is_due_while_it_has_a_due_time_and_in_no_index_once_finished() {
        let queued = item(&job(
            GenerationStatus::Queued,
            0,
            Some("2030-03-04T09:02:00Z"),
        ))
        .unwrap();
        assert_eq!(queued[keys::PK], s("ORG#o#GENERATION#g-1"));
        assert_eq!(queued[keys::SK], s("GENERATION"));
        assert_eq!(queued[STATUS], s("queued"));
        assert_eq!(queued[CLAIMS], AttributeValue::N("0".into()));
        assert_eq!(queued[DUE.pk], s("DUE#GENERATION#2030-03-04"));
        let due = queued[DUE.sk].as_s().unwrap();
        assert!(due.ends_with("#o#g-1"), "{due}");
        let done = item(&job(GenerationStatus::Succeeded, 1, None)).unwrap();
        assert_eq!(done[STATUS], s("succeeded"));
        assert!(!done.contains_key(DUE.pk) && !done.contains_key(DUE.sk));
    }

    #[test]
    fn a_new_record_must_not_exist_and_a_change_must_find_the_expected_status_and_claims() {
        let new = GenerationPut {
            job: job(GenerationStatus::Queued, 0, Some("2030-03-04T09:02:00Z")),
            expected: None,
        };
        let p = put("t", &new).unwrap().build().unwrap();
        assert_eq!(p.condition_expression(), Some("attribute_not_exists(PK)"));
        let claim = GenerationPut {
            job: job(GenerationStatus::Running, 2, Some("2030-03-04T09:04:00Z")),
            expected: Some((GenerationStatus::Queued, 1)),
        };
        let p = put("t", &claim).unwrap().build().unwrap();
        assert_eq!(
            p.condition_expression(),
            Some("#status = :status AND #claims = :claims")
        );
        let values = p.expression_attribute_values().unwrap();
        assert_eq!(values[":status"], s("queued"));
        assert_eq!(values[":claims"], AttributeValue::N("1".into()));
    }
}
