//! Evaluations (docs/api.md#evaluations): recording webhook deliveries, a coachee's evaluation list and their
//! per-criterion statistics.

use super::{Services, store_err};
use crate::access::Actor;
use crate::error::{DomainError, Errors};
use crate::evaluation::Evaluation;
use crate::ids::*;
use crate::ports::{
    Cursor, DeliveryOutcome, EvaluationDelivery, EvaluationQuery, EvaluationStore, Page,
};
use crate::stats::{CriteriaStats, criteria_stats};
use crate::time::check_instant;
use crate::webhook::{
    EvaluationEvent, MAX_WEBHOOK_ID_LEN, WEBHOOK_ID_KEEP_HOURS, WebhookDelivery, delivery_rank,
};
use chrono::{DateTime, Duration, Utc};

/// A coachee's evaluations wanted by a list or the stats.
#[derive(Debug, Clone, Default)]
pub struct EvaluationFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub scorecard_id: Option<String>,
}

pub const DEFAULT_EVALUATION_PAGE: u32 = 50;
pub const MAX_EVALUATION_PAGE: u32 = 200;

/// Whether a webhook id is one we accept: 1 to 255 visible ASCII characters.
pub fn valid_webhook_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_WEBHOOK_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}

impl EvaluationFilter {
    fn query(&self, coachee: &UserId) -> Result<EvaluationQuery, DomainError> {
        let mut errs = Errors::new();
        for (field, t) in [("from", self.from), ("to", self.to)] {
            if let Some(t) = t {
                errs.check(field, check_instant(field, t).map_err(|_| "out of range"));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to <= from
        {
            errs.add("to", "must be after from");
        }
        if let Some(sc) = &self.scorecard_id
            && (sc.is_empty() || sc.len() > 128)
        {
            errs.add("scorecardId", "must be 1 to 128 characters");
        }
        errs.finish()?;
        Ok(EvaluationQuery {
            coachee: coachee.clone(),
            from: self.from,
            to: self.to,
            scorecards: self.scorecard_id.iter().cloned().collect(),
        })
    }
}

impl<S: EvaluationStore + ?Sized> Services<S> {
    /// Records a verified delivery for `org`. Bad data is 400 (413 when too large to store) and
    /// stores nothing; a repeated webhook id, an older delivery, or a deletion of an unknown
    /// evaluation change nothing and are not errors.
    pub async fn ingest_evaluation(
        &self,
        org: &OrgId,
        delivery: WebhookDelivery,
    ) -> Result<DeliveryOutcome, DomainError> {
        if !valid_webhook_id(&delivery.webhook_id) {
            return Err(DomainError::field(
                "webhook-id",
                "must be 1 to 255 visible ASCII characters",
            ));
        }
        let now = self.now();
        let (evaluation_id, evaluation) = match delivery.event {
            EvaluationEvent::Completed(input) => {
                let e = input.into_evaluation(org, now)?;
                (e.id.clone(), Some(e))
            }
            EvaluationEvent::Deleted { evaluation_id } => (
                EvaluationId::parse(evaluation_id)
                    .map_err(|e| DomainError::field("data.evaluationId", e.to_string()))?,
                None,
            ),
        };
        let sent_at = DateTime::<Utc>::from_timestamp(delivery.timestamp, 0).unwrap_or(now);
        let record = EvaluationDelivery {
            org: org.clone(),
            webhook_id: delivery.webhook_id,
            timestamp: delivery.timestamp,
            remember_until: sent_at.max(now) + Duration::hours(WEBHOOK_ID_KEEP_HOURS),
            evaluation_id,
            rank: delivery_rank(delivery.timestamp, evaluation.is_none()),
            evaluation,
        };
        let outcome = self
            .ports
            .store
            .record_delivery(&record)
            .await
            .map_err(store_err)?;
        Ok(outcome)
    }
}

impl Services {
    /// Coaches and admins of the org read anyone's evaluations; a client only their own.
    fn may_read_evaluations(actor: &Actor, coachee: &UserId) -> Result<(), DomainError> {
        if actor.is_admin() || actor.is_coach() || &actor.user == coachee {
            Ok(())
        } else {
            Err(DomainError::forbidden(
                "only coaches, admins and the coachee themself read a coachee's evaluations",
            ))
        }
    }

    /// A page of the coachee's evaluations, newest first.
    pub async fn list_evaluations(
        &self,
        actor: &Actor,
        coachee: &UserId,
        filter: EvaluationFilter,
        limit: Option<u32>,
        after: Option<Cursor>,
    ) -> Result<Page<Evaluation>, DomainError> {
        Self::may_read_evaluations(actor, coachee)?;
        let limit = limit.unwrap_or(DEFAULT_EVALUATION_PAGE);
        if limit == 0 || limit > MAX_EVALUATION_PAGE {
            return Err(DomainError::field(
                "limit",
                format!("must be 1 to {MAX_EVALUATION_PAGE}"),
            ));
        }
        let query = filter.query(coachee)?;
        let found = self
            .ports
            .store
            .evaluations(
                &actor.org,
                &query,
                crate::ports::fetch_limit(limit),
                after.as_ref(),
            )
            .await
            .map_err(store_err)?;
        Ok(Page::trimmed(
            found.items,
            limit,
            crate::ports::evaluation_cursor,
        ))
    }

    /// Per-criterion statistics of the coachee's evaluations in the filter.
    pub async fn criteria_stats(
        &self,
        actor: &Actor,
        coachee: &UserId,
        filter: EvaluationFilter,
    ) -> Result<CriteriaStats, DomainError> {
        Ok(criteria_stats(
            &self.stats_evaluations(actor, coachee, filter).await?,
        ))
    }

    /// The evaluations [`Services::criteria_stats`] computes from (access checked): the stats
    /// of thousands of evaluations are CPU work a server runs off its request workers.
    pub async fn stats_evaluations(
        &self,
        actor: &Actor,
        coachee: &UserId,
        filter: EvaluationFilter,
    ) -> Result<Vec<crate::evaluation::Evaluation>, DomainError> {
        Self::may_read_evaluations(actor, coachee)?;
        let query = filter.query(coachee)?;
        self.ports
            .store
            .all_evaluations(&actor.org, &query)
            .await
            .map_err(store_err)
    }
}
