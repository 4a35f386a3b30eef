//! The store contract: every MUST of the store ports (`coaching_domain::ports`), written once
//! as public async cases that take a store, so every adapter runs the very same checks.
//!
//! Each case works in fresh orgs of its own, so cases may share one store and run in parallel.
//! An adapter's tests either generate one `#[tokio::test]` per case with
//! [`store_contract_tests!`], or run them all in one test with [`run_all`].

mod calendar;
mod coaches;
mod continuity;
mod due;
mod evaluation_lists;
mod evaluation_races;
mod evaluations;
pub mod fixtures;
mod generations;
mod idempotency;
mod inbox;
mod lists;
mod locks;
mod messages;
mod org;
mod outbox;
mod race;
mod sessions;
mod webhooks_out;

pub use calendar::*;
pub use coaches::*;
pub use continuity::*;
pub use due::*;
pub use evaluation_lists::*;
pub use evaluation_races::*;
pub use evaluations::*;
pub use generations::*;
pub use idempotency::*;
pub use inbox::*;
pub use lists::*;
pub use locks::*;
pub use messages::*;
pub use org::*;
pub use outbox::*;
pub use race::*;
pub use sessions::*;
pub use webhooks_out::*;

use coaching_domain::ports::Store;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A running contract case.
pub type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
/// A contract case: panics when the store breaks the contract.
pub type Case = fn(Arc<dyn Store>) -> CaseFuture;

/// Calls `$callback!` with every case's name: the one list of cases.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_cases {
    ($callback:ident! $args:tt) => {
        $crate::$callback! { $args
            a_created_session_reads_back_exactly_as_written,
            a_session_of_another_org_is_not_found,
            an_update_with_the_stored_version_replaces_the_session,
            an_update_with_a_stale_version_is_a_conflict_and_writes_nothing,
            an_update_of_a_session_that_does_not_exist_is_a_conflict,
            creating_a_session_whose_id_exists_is_a_conflict_and_keeps_the_first,
            one_change_set_writes_several_sessions_together,
            an_empty_change_set_commits_and_changes_nothing,
            of_concurrent_updates_from_one_version_exactly_one_wins,
            a_taken_lock_is_reported_by_the_first_taken_key_in_acquire_order,
            a_change_set_whose_second_lock_is_taken_leaves_nothing_behind,
            a_released_lock_can_be_taken_by_another_session,
            releasing_a_key_held_by_another_session_leaves_it_held,
            moving_a_session_releases_its_old_slot_and_takes_the_new_one_in_one_change_set,
            the_same_key_is_held_separately_in_each_org,
            slot_locks_of_different_coaches_never_collide,
            an_idempotency_record_reads_back_exactly_as_written,
            a_second_record_with_the_same_key_is_refused_and_writes_nothing,
            idempotency_keys_belong_to_one_user_in_one_org,
            each_scope_lists_exactly_its_sessions_in_start_order_with_drafts_last,
            a_client_never_sees_a_draft_whatever_the_filter,
            a_status_filter_keeps_only_the_listed_statuses,
            a_time_range_keeps_sessions_starting_in_it_and_never_drafts,
            pages_cover_the_whole_list_in_order_without_duplicates,
            coach_busy_lists_only_time_holding_sessions_starting_in_the_range,
            the_inbox_lists_a_recipients_notifications_newest_first,
            the_inbox_pages_backwards_from_strictly_before_a_notification,
            coach_settings_are_absent_until_put_and_then_read_back_exactly,
            putting_coach_settings_again_replaces_them,
            coach_settings_are_kept_per_org,
            of_fifty_concurrent_bookings_of_one_slot_exactly_one_wins,
            a_reschedule_request_reads_back_and_lists_for_both_participants,
            a_request_changes_status_only_from_the_expected_one,
            only_pending_requests_are_due_and_from_their_expiry_on,
            reminders_are_due_from_their_time_and_follow_puts_and_deletes,
            taking_a_reminder_needs_it_exactly_as_read,
            of_concurrent_takes_of_one_reminder_exactly_one_wins,
            of_concurrent_decisions_on_one_request_exactly_one_wins,
            every_notification_waits_in_the_outbox_until_published,
            a_change_set_that_fails_leaves_no_event_behind,
            a_completed_evaluation_reads_back_exactly_and_only_in_its_org,
            a_repeated_webhook_id_is_a_duplicate_and_changes_nothing,
            a_delivery_of_lower_or_equal_rank_is_stale_and_keeps_the_stored_state,
            a_higher_rank_replaces_the_evaluation_and_can_move_it_to_another_coachee,
            a_tombstone_hides_the_evaluation_from_every_read_and_older_deliveries_stay_stale,
            a_tombstone_of_an_unknown_evaluation_is_applied_and_blocks_older_deliveries,
            a_webhook_id_is_remembered_until_its_remember_until,
            of_concurrent_deliveries_of_one_evaluation_the_highest_rank_ends_stored,
            of_concurrent_deliveries_with_one_webhook_id_exactly_one_is_recorded,
            evaluation_lists_are_newest_first_and_filter_by_time_and_scorecard,
            time_bounds_of_evaluation_reads_are_exact_below_the_millisecond,
            all_evaluations_returns_exactly_the_matching_evaluations_of_a_coachee,
            org_settings_are_the_defaults_until_put_then_replaced_and_kept_per_org,
            a_webhook_secret_is_absent_until_put_then_replaced_and_kept_per_org,
            kb_articles_list_oldest_first_by_id_and_page_after_an_id,
            putting_a_kb_article_whose_id_exists_is_a_conflict_and_keeps_the_first,
            deleting_a_kb_article_removes_it_once_and_only_in_its_org,
            a_calendar_token_finds_its_user_until_a_new_one_replaces_it,
            calendar_tokens_are_kept_per_user_and_org_and_an_unknown_hash_finds_nothing,
            of_concurrent_new_calendar_tokens_of_one_user_exactly_one_resolves,
            agenda_templates_read_back_per_org_and_list_by_id_and_by_owner,
            the_action_item_index_follows_puts_and_lists_open_items_first,
            a_moved_action_item_ends_on_its_new_session_whatever_the_put_order,
            a_created_generation_reads_back_exactly_with_the_rest_of_its_set,
            a_generation_of_another_org_is_not_found,
            creating_a_generation_whose_id_exists_is_a_conflict_and_writes_nothing_else,
            a_generation_changes_only_from_the_expected_status_and_claims,
            generations_are_due_from_their_due_at_oldest_first_across_orgs,
            of_concurrent_claims_of_one_generation_exactly_one_wins,
            a_message_reads_back_exactly_with_the_notification_of_its_set,
            a_thread_is_oldest_first_by_time_then_id_and_pages_after_a_cursor,
            a_thread_holds_only_its_own_sessions_messages_of_its_org,
            a_message_stored_already_is_a_conflict_and_its_set_writes_nothing,
            endpoints_are_created_up_to_the_limit_and_read_back_only_in_their_org,
            of_concurrent_endpoint_creations_no_more_than_the_limit_succeed,
            an_endpoint_changes_only_from_its_stored_version,
            a_delivery_reads_back_with_its_event_in_the_outbox_and_only_in_its_org,
            a_change_set_with_a_stored_delivery_or_event_writes_nothing,
            a_delivery_changes_only_from_its_stored_version,
            deliveries_list_newest_first_by_endpoint_and_status_and_page_after_a_cursor,
            deliveries_are_due_from_their_next_attempt_soonest_first_across_orgs,
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __case_list {
    (() $($case:ident,)*) => {
        vec![$((stringify!($case), (|store| -> $crate::CaseFuture { Box::pin($crate::$case(store)) }) as $crate::Case),)*]
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __case_tests {
    (($make:expr) $($case:ident,)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let store = ($make)().await;
                $crate::$case(store).await;
            }
        )*
    };
}

/// One `#[tokio::test]` per contract case (named like the case), each with a fresh store from
/// `$make`: a function or closure returning a future of `Arc<dyn Store>`. Needs `tokio` (with
/// `macros` and `rt-multi-thread`) among the caller's dev-dependencies.
///
/// ```ignore
/// async fn store() -> Arc<dyn Store> { Arc::new(SqliteStore::open(":memory:").unwrap()) }
/// coaching_store_contract::store_contract_tests!(store);
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::__with_cases!(__case_tests!($make));
    };
}

/// Every case, by name, in a stable order.
pub fn cases() -> Vec<(&'static str, Case)> {
    __with_cases!(__case_list!())
}

/// Runs every case, one after the other, each on a fresh store from `make`; panics naming the
/// first case that fails. Needs a tokio runtime (multi-threaded for a real race).
pub async fn run_all<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    for (name, case) in cases() {
        let store = make().await;
        if let Err(e) = tokio::spawn(case(store)).await {
            panic!("store contract case `{name}` failed: {e}");
        }
    }
}
