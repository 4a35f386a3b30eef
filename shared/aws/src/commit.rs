//! The unit of work: one `TransactWriteItems` per `Changes` set, its cancellation reasons
//! mapped back, by item index, to the domain's store errors.

use crate::errors;
use crate::plan::{ItemRole, Plan};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::CancellationReason;
use coaching_domain::ports::{Changes, StoreError};
use std::time::Duration;

/// How often a transaction cancelled only by concurrent transactions on its items
/// (`TransactionConflict`, which real DynamoDB reports while another transaction holds an
/// item) is sent again before the set is reported as a conflict.
pub(crate) const CONFLICT_ATTEMPTS: u32 = 6;

/// Applies `changes` in one transaction: all of it or none of it. The SDK gives each call a
/// `ClientRequestToken`, so its own retries (after a timeout, say) cannot apply a set twice.
pub(crate) async fn commit(
    client: &Client,
    table: &str,
    changes: &Changes,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    changes.check_sizes()?;
    let plan = Plan::of(table, changes)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = client
            .transact_write_items()
            .set_transact_items(Some(plan.items.clone()))
            .send()
            .await;
        let e = match sent {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            e.as_service_error()
        else {
            return Err(errors::unavailable("TransactWriteItems", e));
        };
        if let Outcome::Failed(error) =
            outcome(cancelled.cancellation_reasons(), &plan.roles, changes)
        {
            return Err(error);
        }
        if attempt >= CONFLICT_ATTEMPTS {
            tracing::warn!(attempt, "transaction still contended, giving up");
            return Err(StoreError::Conflict);
        }
        tokio::time::sleep(backoff(attempt)).await;
    }
}

/// What a cancelled transaction means.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    /// A condition failed: the answer, whatever a retry would do.
    Failed(StoreError),
    /// Only concurrent transactions stood in the way: worth sending again.
    Contended,
}

/// Maps the reasons (one per item, in request order) to the error the domain expects, with the
/// SQLite adapter's precedence: a session's version, then the first taken lock in acquire
/// order, then the idempotency record, then a request's status, a reminder's take, a
/// generation record's status and claims, a message's or an event's absence, or a webhook
/// delivery's or endpoint's version.
pub(crate) fn outcome(
    reasons: &[CancellationReason],
    roles: &[ItemRole],
    changes: &Changes,
) -> Outcome {
    let failed: Vec<ItemRole> = reasons
        .iter()
        .zip(roles)
        .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
        .map(|(_, role)| *role)
        .collect();
    if failed.contains(&ItemRole::Session) {
        return Outcome::Failed(StoreError::Conflict);
    }
    let first_lock = failed
        .iter()
        .filter_map(|r| {
            if let ItemRole::Acquire(i) = r {
                Some(*i)
            } else {
                None
            }
        })
        .min();
    if let Some((key, _)) = first_lock.and_then(|i| changes.acquire_locks.get(i)) {
        return Outcome::Failed(StoreError::LockTaken(key.clone()));
    }
    if failed.contains(&ItemRole::Idempotency) {
        return Outcome::Failed(StoreError::IdempotencyKeyExists);
    }
    if failed.iter().any(|r| {
        matches!(
            r,
            ItemRole::Request
                | ItemRole::Take
                | ItemRole::Generation
                | ItemRole::Message
                | ItemRole::Event
                | ItemRole::Delivery
                | ItemRole::Endpoint
        )
    }) {
        return Outcome::Failed(StoreError::Conflict);
    }
    let codes: Vec<&str> = reasons
        .iter()
        .filter_map(|r| r.code())
        .filter(|c| *c != "None")
        .collect();
    if !failed.is_empty() || codes.is_empty() || codes.iter().any(|c| *c != "TransactionConflict") {
        let detail = reasons
            .iter()
            .map(|r| r.message().or(r.code()).unwrap_or("?"))
            .collect::<Vec<_>>();
        return Outcome::Failed(errors::cancelled_failure(
            reasons,
            format!("DynamoDB cancelled the transaction: {detail:?}"),
        ));
    }
    Outcome::Contended
}

/// Exponential backoff with jitter: 10 ms, 20 ms, 40 ms, … each plus up to as much again.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 10u64 << attempt.min(6);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    Duration::from_millis(base + u64::from(nanos) % base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coaching_domain::ids::{SessionId, UserId};
    use coaching_domain::slots::LockKey;

    fn reason(code: &str) -> CancellationReason {
        CancellationReason::builder().code(code).build()
    }

    fn changes_with_locks(n: usize) -> Changes {
        let coach = UserId::parse("c").unwrap();
        let sid = SessionId::parse("s").unwrap();
        let acquire_locks = (0..n)
            .map(|i| {
                (
                    LockKey::Slot {
                        coach: coach.clone(),
                        block_start: chrono::DateTime::UNIX_EPOCH
                            + chrono::Duration::minutes(15 * i as i64),
                    },
                    sid.clone(),
                )
            })
            .collect();
        Changes {
            acquire_locks,
            ..Changes::default()
        }
    }

    #[test]
    fn the_first_taken_lock_in_acquire_order_is_reported() {
        let changes = changes_with_locks(3);
        let roles = [
            ItemRole::Session,
            ItemRole::Unconditional,
            ItemRole::Acquire(0),
            ItemRole::Acquire(1),
            ItemRole::Acquire(2),
        ];
        let reasons = [
            "None",
            "None",
            "None",
            "ConditionalCheckFailed",
            "ConditionalCheckFailed",
        ]
        .map(reason);
        let expected = StoreError::LockTaken(changes.acquire_locks[1].0.clone());
        assert_eq!(
            outcome(&reasons, &roles, &changes),
            Outcome::Failed(expected)
        );
    }

    #[test]
    fn a_version_conflict_wins_over_locks_and_idempotency() {
        let changes = changes_with_locks(1);
        let roles = [
            ItemRole::Session,
            ItemRole::Acquire(0),
            ItemRole::Idempotency,
        ];
        let reasons = [
            "ConditionalCheckFailed",
            "ConditionalCheckFailed",
            "ConditionalCheckFailed",
        ]
        .map(reason);
        assert_eq!(
            outcome(&reasons, &roles, &changes),
            Outcome::Failed(StoreError::Conflict)
        );
        let reasons = ["None", "None", "ConditionalCheckFailed"].map(reason);
        assert_eq!(
            outcome(&reasons, &roles, &changes),
            Outcome::Failed(StoreError::IdempotencyKeyExists)
        );
    }

    #[test]
    fn a_request_or_a_take_that_fails_is_a_conflict_after_locks_and_idempotency() {
        let changes = changes_with_locks(1);
        let roles = [
            ItemRole::Acquire(0),
            ItemRole::Idempotency,
            ItemRole::Request,
            ItemRole::Unconditional,
            ItemRole::Take,
        ];
        let outcome_of = |codes: [&str; 5]| outcome(&codes.map(reason), &roles, &changes);
        for codes in [
            ["None", "None", "ConditionalCheckFailed", "None", "None"],
            ["None", "None", "None", "None", "ConditionalCheckFailed"],
        ] {
            assert_eq!(outcome_of(codes), Outcome::Failed(StoreError::Conflict));
        }
        assert_eq!(
            outcome_of([
                "None",
                "ConditionalCheckFailed",
                "None",
                "None",
                "ConditionalCheckFailed"
            ]),
            Outcome::Failed(StoreError::IdempotencyKeyExists)
        );
        assert_eq!(
            outcome_of([
                "ConditionalCheckFailed",
                "None",
                "ConditionalCheckFailed",
                "None",
                "None"
            ]),
            Outcome::Failed(StoreError::LockTaken(changes.acquire_locks[0].0.clone()))
        );
    }

    #[test]
    fn a_generation_record_that_fails_its_condition_is_a_conflict_after_a_session() {
        let changes = changes_with_locks(0);
        let roles = [
            ItemRole::Session,
            ItemRole::Unconditional,
            ItemRole::Generation,
        ];
        let outcome_of = |codes: [&str; 3]| outcome(&codes.map(reason), &roles, &changes);
        assert_eq!(
            outcome_of(["None", "None", "ConditionalCheckFailed"]),
            Outcome::Failed(StoreError::Conflict)
        );
        assert_eq!(
            outcome_of(["ConditionalCheckFailed", "None", "ConditionalCheckFailed"]),
            Outcome::Failed(StoreError::Conflict)
        );
        assert_eq!(
            outcome_of(["None", "None", "TransactionConflict"]),
            Outcome::Contended
        );
    }

    #[test]
    fn an_event_delivery_or_endpoint_that_fails_its_condition_is_a_conflict_after_locks() {
        let changes = changes_with_locks(1);
        let roles = [
            ItemRole::Acquire(0),
            ItemRole::Event,
            ItemRole::Delivery,
            ItemRole::Endpoint,
        ];
        let outcome_of = |codes: [&str; 4]| outcome(&codes.map(reason), &roles, &changes);
        let failed = "ConditionalCheckFailed";
        for codes in [
            ["None", failed, "None", "None"],
            ["None", "None", failed, "None"],
            ["None", "None", "TransactionConflict", failed],
        ] {
            assert_eq!(outcome_of(codes), Outcome::Failed(StoreError::Conflict));
        }
        assert_eq!(
            outcome_of([failed, "None", failed, "None"]),
            Outcome::Failed(StoreError::LockTaken(changes.acquire_locks[0].0.clone()))
        );
    }

    #[test]
    fn only_concurrent_transactions_are_worth_a_retry() {
        let changes = changes_with_locks(1);
        let roles = [ItemRole::Session, ItemRole::Acquire(0)];
        let contended = ["None", "TransactionConflict"].map(reason);
        assert_eq!(outcome(&contended, &roles, &changes), Outcome::Contended);
        let throttled = ["ThrottlingError", "TransactionConflict"].map(reason);
        assert!(matches!(
            outcome(&throttled, &roles, &changes),
            Outcome::Failed(StoreError::Transient(_))
        ));
        let invalid = ["ValidationError", "None"].map(reason);
        assert!(matches!(
            outcome(&invalid, &roles, &changes),
            Outcome::Failed(StoreError::Unavailable(_))
        ));
        let taken = ["TransactionConflict", "ConditionalCheckFailed"].map(reason);
        assert!(matches!(
            outcome(&taken, &roles, &changes),
            Outcome::Failed(StoreError::LockTaken(_))
        ));
    }
}
