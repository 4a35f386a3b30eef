//! The delivery worker: one attempt of a due delivery under a lease, its outcome recorded, the
//! retry scheduled, and the endpoint's health kept (disabled on `410 Gone` or after five days of
//! failures, its admins told).
//!
//! Exactly once per success, as far as a record can make it: the lease is written before the
//! attempt, so no second worker sends while it holds; the outcome is written after. A crash
//! between the receiver's answer and that write leaves the lease to lapse and the delivery due
//! again: that one event goes out once more with the same `webhook-id`, which is why receivers
//! drop repeats. No other crash sends a succeeded delivery again, and none loses one.

use super::super::jobs::MAX_ROUNDS;
use super::super::{Services, store_err};
use crate::error::DomainError;
use crate::ids::*;
use crate::notification::{Notification, NotificationType};
use crate::outbound::{
    Delivery, DeliveryAttempt, DeliveryPut, DeliveryStatus, DisabledReason, EndpointPut,
    EndpointStatus, LEASE_SECONDS, OrgEventType, WebhookEndpoint, next_retry,
};
use crate::ports::{
    Changes, OutboundRequest, OutboundResult, SendOutcome, SessionStore, StoreError, WebhookStore,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// Due deliveries read per round.
pub const DELIVERY_BATCH: u32 = 100;
/// Attempts a run makes at once.
const PARALLEL_ATTEMPTS: usize = 16;

/// What a run over the due deliveries did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    /// Attempts made.
    pub attempted: usize,
    pub succeeded: usize,
    /// Attempts that failed (the delivery is retried later or, past the schedule, `failed`).
    pub failed: usize,
    /// Due deliveries another worker held, or that changed under this one.
    pub skipped: usize,
    /// Due deliveries handed to the delivery queue (a process that sends none itself: the api
    /// function on AWS).
    pub handed_over: usize,
}

/// What one call of [`Services::attempt_delivery`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempted {
    /// No such delivery, or not pending, or not due yet.
    NotDue,
    /// Another worker holds it, or it changed meanwhile.
    Held,
    /// An attempt was made (or the delivery failed without one: its endpoint is gone).
    Done(Delivery),
}

fn failure(at: DateTime<Utc>, code: &str, detail: &str) -> DeliveryAttempt {
    DeliveryAttempt {
        at,
        status_code: None,
        duration_ms: 0,
        error: Some(format!("{code}: {detail}")),
        response_body: None,
    }
}

impl<S: SessionStore + WebhookStore + ?Sized> Services<S> {
    /// `POST /v1/admin/jobs/deliveries/run` (admin): the org's due deliveries now. A process
    /// that sends webhooks attempts them; one that does not hands every due delivery to the
    /// delivery queue (as the minute schedule does).
    pub async fn run_deliveries_job(
        &self,
        actor: &crate::access::Actor,
    ) -> Result<DeliveryRun, DomainError> {
        if !actor.is_admin() {
            return Err(DomainError::forbidden("only an admin runs jobs"));
        }
        let now = self.now();
        if self.ports.outbound.sender.is_some() {
            self.run_due(now, Some(&actor.org)).await
        } else {
            Ok(DeliveryRun {
                handed_over: self.resend_due_deliveries(now).await?,
                ..DeliveryRun::default()
            })
        }
    }

    /// Attempts every delivery due at `now` (the later of it and the clock), a few at a time,
    /// until none is left.
    pub async fn run_due_deliveries(&self, now: DateTime<Utc>) -> Result<DeliveryRun, DomainError> {
        self.run_due(now, None).await
    }

    /// [`Self::run_due_deliveries`], only `org`'s deliveries when given: an admin's run never
    /// sends another org's webhooks (the schedule's run serves every org).
    async fn run_due(
        &self,
        now: DateTime<Utc>,
        org: Option<&OrgId>,
    ) -> Result<DeliveryRun, DomainError> {
        let now = now.max(self.now());
        let mut run = DeliveryRun::default();
        for _ in 0..MAX_ROUNDS {
            let due = self
                .ports
                .store
                .due_deliveries(now, DELIVERY_BATCH)
                .await
                .map_err(store_err)?;
            if due.is_empty() {
                break;
            }
            let mut progressed = false;
            for chunk in due.chunks(PARALLEL_ATTEMPTS) {
                let mine: Vec<&Delivery> = chunk
                    .iter()
                    .filter(|d| org.is_none_or(|o| *o == d.org))
                    .collect();
                let attempts = mine.iter().map(|d| self.attempt_delivery(&d.org, &d.id));
                for result in futures_util::future::join_all(attempts).await {
                    match result? {
                        Attempted::Done(d) => {
                            progressed = true;
                            run.attempted += 1;
                            if d.status == DeliveryStatus::Succeeded {
                                run.succeeded += 1;
                            } else {
                                run.failed += 1;
                            }
                        }
                        Attempted::Held | Attempted::NotDue => run.skipped += 1,
                    }
                }
            }
            if !progressed {
                break;
            }
        }
        Ok(run)
    }

    /// Hands every delivery due at `now` to the delivery queue (the minute schedule on AWS: due
    /// retries, and new deliveries whose hand-over after the commit was lost). Returns how many.
    pub async fn resend_due_deliveries(&self, now: DateTime<Utc>) -> Result<usize, DomainError> {
        if self.ports.outbound.queue.is_none() {
            return Ok(0);
        }
        let due = self
            .ports
            .store
            .due_deliveries(now.max(self.now()), DELIVERY_BATCH * 10)
            .await
            .map_err(store_err)?;
        self.hand_over_deliveries(&due).await;
        Ok(due.len())
    }

    /// One attempt of delivery `id`, if it is pending, due and held by no other worker.
    pub async fn attempt_delivery(
        &self,
        org: &OrgId,
        id: &DeliveryId,
    ) -> Result<Attempted, DomainError> {
        let Some(sender) = self.ports.outbound.sender.clone() else {
            return Err(DomainError::Internal(
                "this process sends no webhooks".into(),
            ));
        };
        let now = self.now();
        let Some(current) = self
            .ports
            .store
            .delivery(org, id)
            .await
            .map_err(store_err)?
        else {
            return Ok(Attempted::NotDue);
        };
        if current.status != DeliveryStatus::Pending
            || current.next_attempt_at.is_none_or(|at| at > now)
        {
            return Ok(Attempted::NotDue);
        }
        if current.lease_until.is_some_and(|until| until > now) {
            return Ok(Attempted::Held);
        }
        // The lease: until it lapses no other worker attempts it, and if this one dies the
        // delivery is due again when it does.
        let mut claimed = current.touched(now);
        claimed.lease_until = Some(now + Duration::seconds(LEASE_SECONDS));
        claimed.next_attempt_at = claimed.lease_until;
        if !self.put_delivery(&claimed, current.version).await? {
            return Ok(Attempted::Held);
        }
        let endpoint = self
            .ports
            .store
            .endpoint(org, &claimed.endpoint_id)
            .await
            .map_err(store_err)?;
        let (attempt, outcome, retry_after) = match &endpoint {
            None => (
                failure(now, "endpoint_deleted", "the endpoint no longer exists"),
                SendOutcome::Gone,
                None,
            ),
            Some(e)
                if e.status == EndpointStatus::Disabled
                    && claimed.event_type != OrgEventType::Ping =>
            {
                (
                    failure(now, "endpoint_disabled", "the endpoint is disabled"),
                    SendOutcome::Gone,
                    None,
                )
            }
            Some(e) => {
                let secrets = e.signing_secrets(now);
                let result = sender
                    .send(OutboundRequest {
                        url: &e.url,
                        event_id: claimed.event_id.as_str(),
                        payload: &claimed.payload,
                        secrets: &secrets,
                    })
                    .await;
                let OutboundResult {
                    outcome,
                    status_code,
                    duration_ms,
                    error,
                    response_body,
                    retry_after,
                } = result;
                (
                    DeliveryAttempt {
                        at: now,
                        status_code,
                        duration_ms,
                        error,
                        response_body,
                    },
                    outcome,
                    retry_after,
                )
            }
        };
        let done_at = self.now();
        let mut done = claimed.touched(done_at);
        done.record(attempt);
        done.lease_until = None;
        match outcome {
            SendOutcome::Succeeded => {
                done.status = DeliveryStatus::Succeeded;
                done.next_attempt_at = None;
            }
            SendOutcome::Gone => {
                done.failures += 1;
                done.status = DeliveryStatus::Failed;
                done.next_attempt_at = None;
            }
            SendOutcome::Failed => {
                done.failures += 1;
                done.next_attempt_at = next_retry(done.failures, done_at, retry_after);
                if done.next_attempt_at.is_none() {
                    done.status = DeliveryStatus::Failed;
                }
            }
        }
        if !self.put_delivery(&done, claimed.version).await? {
            // Only a lease that lapsed during the attempt gets here (the attempt outlived
            // LEASE_SECONDS): the delivery is attempted again when due.
            return Ok(Attempted::Held);
        }
        if let Some(endpoint) = endpoint {
            let sent = endpoint.status == EndpointStatus::Enabled;
            if sent {
                self.keep_health(endpoint, outcome, done_at).await;
            }
        }
        Ok(Attempted::Done(done))
    }

    /// Writes `delivery` if its stored version is still `expected`; `false` when it is not.
    async fn put_delivery(&self, delivery: &Delivery, expected: u64) -> Result<bool, DomainError> {
        let changes = Changes {
            deliveries: vec![DeliveryPut {
                delivery: delivery.clone(),
                expected_version: Some(expected),
            }],
            ..Changes::default()
        };
        match self.ports.store.commit(changes).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }

    /// The endpoint's health after an attempt: a success ends a failing streak; a failure
    /// starts one, and one that has lasted [`crate::outbound::DISABLE_AFTER_FAILING_DAYS`]
    /// days disables the endpoint, as `410 Gone` does at once. Endpoint writes race with other
    /// deliveries' attempts: each is retried on a fresh read a few times, and a lost one is
    /// made good by the next attempt's.
    async fn keep_health(
        &self,
        mut endpoint: WebhookEndpoint,
        outcome: SendOutcome,
        now: DateTime<Utc>,
    ) {
        for _ in 0..3 {
            let Some(changes) = self.health_change(&endpoint, outcome, now) else {
                return;
            };
            match self.commit(changes).await {
                Err(StoreError::Conflict) => {}
                // Written, or the store failed: the next attempt's outcome tries again.
                _ => return,
            }
            match self.ports.store.endpoint(&endpoint.org, &endpoint.id).await {
                Ok(Some(fresh)) if fresh.status == EndpointStatus::Enabled => endpoint = fresh,
                _ => return,
            }
        }
    }

    /// The change an attempt's `outcome` makes to `endpoint`, if any.
    fn health_change(
        &self,
        endpoint: &WebhookEndpoint,
        outcome: SendOutcome,
        now: DateTime<Utc>,
    ) -> Option<Changes> {
        let mut next = endpoint.touched(now);
        match outcome {
            SendOutcome::Succeeded => {
                let stale = endpoint
                    .last_success_at
                    .is_none_or(|at| now - at > Duration::minutes(10));
                if endpoint.failing_since.is_none() && !stale {
                    return None;
                }
                next.failing_since = None;
                next.last_success_at = Some(now);
            }
            SendOutcome::Gone => next.disable(DisabledReason::Gone),
            SendOutcome::Failed => {
                if endpoint.failing_since.is_none() {
                    next.failing_since = Some(now);
                } else if endpoint.failing_too_long(now) {
                    next.disable(DisabledReason::Failing);
                } else {
                    return None;
                }
            }
        }
        let mut changes = Changes {
            endpoints: vec![EndpointPut {
                endpoint: next.clone(),
                expected_version: endpoint.version,
            }],
            ..Changes::default()
        };
        if next.status == EndpointStatus::Disabled {
            let reason = next.disabled_reason.map(|r| r.as_str());
            let data = json!({
                "endpointId": next.id,
                "url": next.url,
                "disabledReason": reason,
                "failingSince": next.failing_since,
                "lastSuccessAt": next.last_success_at,
            });
            changes.events.extend(self.org_event(
                &next.org,
                OrgEventType::WebhookEndpointDisabled,
                data.clone(),
                now,
            ));
            let mut admins = vec![&next.created_by];
            if next.updated_by != next.created_by {
                admins.push(&next.updated_by);
            }
            changes.notifications = admins
                .into_iter()
                .filter_map(|admin| {
                    Some(Notification {
                        id: NotificationId::parse(self.new_id()).ok()?,
                        org: next.org.clone(),
                        recipient: admin.clone(),
                        kind: NotificationType::WebhookEndpointDisabled,
                        session_id: None,
                        created_at: now,
                        data: data.clone(),
                    })
                })
                .collect();
        }
        Some(changes)
    }
}
