//! The endpoints API (admin only): create, list, read, change, delete, rotate the secret, send a
//! `ping`, and the deliveries log with its replay.

use super::super::{Services, store_err};
use crate::access::Actor;
use crate::error::{DomainError, Errors};
use crate::ids::*;
use crate::outbound::guard::{UrlProblem, check_url};
use crate::outbound::{
    Delivery, DeliveryPut, DeliveryStatus, EndpointPut, EndpointStatus, EventTypes,
    MAX_DESCRIPTION_CHARS, MAX_ENDPOINTS_PER_ORG, OrgEventType, RETRY_DELAYS_SECONDS,
    WebhookEndpoint,
};
use crate::ports::{Changes, Cursor, Page, SessionStore, StoreError, WebhookStore, fetch_limit};
use serde_json::json;

/// A new endpoint as the admin wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointInput {
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
}

/// What `PATCH` changes; `None` leaves a field as it is (`description: Some(None)` clears it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub status: Option<EndpointStatus>,
}

/// `GET /v1/webhook-endpoints/{id}/deliveries`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListDeliveries {
    pub status: Option<DeliveryStatus>,
    pub limit: u32,
    pub after: Option<Cursor>,
}

fn require_admin(actor: &Actor) -> Result<(), DomainError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only an admin manages the org's webhook endpoints",
        ))
    }
}

/// The endpoint's URL, checked: 400 naming `url` when it is not a usable http(s) URL, 422
/// `unsafe_url` when it points inside (loopback, private, link-local, …).
fn checked_url(raw: &str, allow_private: bool) -> Result<String, DomainError> {
    match check_url(raw, allow_private) {
        Ok(url) => Ok(url.to_string()),
        Err(UrlProblem::Invalid(why)) => Err(DomainError::field("url", why)),
        Err(UrlProblem::Unsafe(why)) => Err(DomainError::Unprocessable {
            code: "unsafe_url",
            detail: why,
        }),
    }
}

fn checked_description(errors: &mut Errors, description: Option<String>) -> Option<String> {
    let description = description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        errors.add(
            "description",
            format!("at most {MAX_DESCRIPTION_CHARS} characters"),
        );
    }
    description
}

impl<S: SessionStore + WebhookStore + ?Sized> Services<S> {
    /// Registers an endpoint with `secret` (a fresh `whsec_…` the caller made).
    pub async fn create_endpoint(
        &self,
        actor: &Actor,
        input: EndpointInput,
        secret: String,
    ) -> Result<WebhookEndpoint, DomainError> {
        require_admin(actor)?;
        let mut errors = Errors::new();
        let event_types = errors.check("eventTypes", EventTypes::parse(&input.event_types));
        let description = checked_description(&mut errors, input.description);
        errors.finish()?;
        let url = checked_url(&input.url, self.ports.outbound.allow_private)?;
        let now = self.now();
        let endpoint = WebhookEndpoint {
            id: WebhookEndpoint::new_id(&self.new_id())
                .ok_or_else(|| DomainError::Internal("an endpoint id".into()))?,
            org: actor.org.clone(),
            url,
            event_types: event_types.unwrap_or(EventTypes::All),
            description,
            status: EndpointStatus::Enabled,
            disabled_reason: None,
            secret,
            previous_secret: None,
            created_by: actor.user.clone(),
            updated_by: actor.user.clone(),
            created_at: now,
            updated_at: now,
            last_success_at: None,
            failing_since: None,
            version: 1,
        };
        match self
            .ports
            .store
            .create_endpoint(&endpoint, MAX_ENDPOINTS_PER_ORG)
            .await
        {
            Ok(()) => Ok(endpoint),
            Err(StoreError::Conflict) => Err(DomainError::conflict(format!(
                "the org has {MAX_ENDPOINTS_PER_ORG} webhook endpoints already, the most it may: delete one first"
            ))),
            Err(e) => Err(store_err(e)),
        }
    }

    pub async fn list_endpoints(&self, actor: &Actor) -> Result<Vec<WebhookEndpoint>, DomainError> {
        require_admin(actor)?;
        self.ports
            .store
            .endpoints(&actor.org)
            .await
            .map_err(store_err)
    }

    pub async fn get_endpoint(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<WebhookEndpoint, DomainError> {
        require_admin(actor)?;
        let id = EndpointId::parse(id).map_err(|_| DomainError::NotFound("webhook endpoint"))?;
        self.ports
            .store
            .endpoint(&actor.org, &id)
            .await
            .map_err(store_err)?
            .ok_or(DomainError::NotFound("webhook endpoint"))
    }

    /// Changes `url`, `eventTypes`, `description` or `status`. Enabling a disabled endpoint
    /// starts it afresh (no failing streak) and replays nothing of the past.
    pub async fn patch_endpoint(
        &self,
        actor: &Actor,
        id: &str,
        patch: EndpointPatch,
    ) -> Result<WebhookEndpoint, DomainError> {
        let current = self.get_endpoint(actor, id).await?;
        let mut errors = Errors::new();
        let event_types = patch
            .event_types
            .as_ref()
            .and_then(|list| errors.check("eventTypes", EventTypes::parse(list)));
        let description = patch
            .description
            .map(|d| checked_description(&mut errors, d));
        errors.finish()?;
        let url = match &patch.url {
            Some(raw) => Some(checked_url(raw, self.ports.outbound.allow_private)?),
            None => None,
        };
        let mut next = current.touched(self.now());
        next.updated_by = actor.user.clone();
        if let Some(url) = url {
            next.url = url;
        }
        if let Some(types) = event_types {
            next.event_types = types;
        }
        if let Some(description) = description {
            next.description = description;
        }
        match patch.status {
            Some(EndpointStatus::Enabled) if current.status == EndpointStatus::Disabled => {
                next.enable()
            }
            Some(EndpointStatus::Disabled) if current.status == EndpointStatus::Enabled => {
                next.disable(crate::outbound::DisabledReason::Manual)
            }
            _ => {}
        }
        self.put_endpoint(&current, next).await
    }

    /// Replaces the secret with `secret`; deliveries carry both signatures for a day.
    pub async fn rotate_endpoint_secret(
        &self,
        actor: &Actor,
        id: &str,
        secret: String,
    ) -> Result<WebhookEndpoint, DomainError> {
        let current = self.get_endpoint(actor, id).await?;
        let now = self.now();
        let mut next = current.touched(now);
        next.updated_by = actor.user.clone();
        next.rotate(secret, now);
        self.put_endpoint(&current, next).await
    }

    async fn put_endpoint(
        &self,
        current: &WebhookEndpoint,
        next: WebhookEndpoint,
    ) -> Result<WebhookEndpoint, DomainError> {
        let changes = Changes {
            endpoints: vec![EndpointPut {
                endpoint: next.clone(),
                expected_version: current.version,
            }],
            ..Changes::default()
        };
        match self.ports.store.commit(changes).await {
            Ok(()) => Ok(next),
            Err(StoreError::Conflict) => Err(DomainError::conflict(
                "the endpoint changed meanwhile; read it again and retry",
            )),
            Err(e) => Err(store_err(e)),
        }
    }

    pub async fn delete_endpoint(&self, actor: &Actor, id: &str) -> Result<(), DomainError> {
        let endpoint = self.get_endpoint(actor, id).await?;
        let deleted = self
            .ports
            .store
            .delete_endpoint(&actor.org, &endpoint.id)
            .await
            .map_err(store_err)?;
        if deleted {
            Ok(())
        } else {
            Err(DomainError::NotFound("webhook endpoint"))
        }
    }

    /// Sends the endpoint a `ping` (whatever it subscribes to, even when disabled: a test is
    /// how an admin checks a receiver before enabling it again). Never published to EventBridge.
    pub async fn test_endpoint(&self, actor: &Actor, id: &str) -> Result<Delivery, DomainError> {
        let endpoint = self.get_endpoint(actor, id).await?;
        let now = self.now();
        let event = self
            .org_event(
                &actor.org,
                OrgEventType::Ping,
                json!({"endpointId": endpoint.id, "requestedBy": actor.user}),
                now,
            )
            .ok_or_else(|| DomainError::Internal("an event id".into()))?;
        let delivery = self
            .new_delivery(&event, &endpoint.id)
            .ok_or_else(|| DomainError::Internal("a delivery id".into()))?;
        let changes = Changes {
            deliveries: vec![DeliveryPut {
                delivery: delivery.clone(),
                expected_version: None,
            }],
            ..Changes::default()
        };
        self.ports.store.commit(changes).await.map_err(store_err)?;
        self.hand_over_deliveries(std::slice::from_ref(&delivery))
            .await;
        Ok(delivery)
    }

    /// The endpoint's deliveries, newest first.
    pub async fn list_deliveries(
        &self,
        actor: &Actor,
        endpoint: &str,
        query: ListDeliveries,
    ) -> Result<Page<Delivery>, DomainError> {
        let endpoint = self.get_endpoint(actor, endpoint).await?;
        let items = self
            .ports
            .store
            .deliveries(
                &actor.org,
                &endpoint.id,
                query.status,
                fetch_limit(query.limit),
                query.after.as_ref(),
            )
            .await
            .map_err(store_err)?
            .items;
        Ok(Page::trimmed(
            items,
            query.limit,
            crate::ports::delivery_cursor,
        ))
    }

    /// Makes the delivery due now, also a `failed` one: one attempt, and if that fails too it
    /// is `failed` again (a pending one goes on with its schedule).
    pub async fn retry_delivery(&self, actor: &Actor, id: &str) -> Result<Delivery, DomainError> {
        require_admin(actor)?;
        let id = DeliveryId::parse(id).map_err(|_| DomainError::NotFound("webhook delivery"))?;
        let current = self
            .ports
            .store
            .delivery(&actor.org, &id)
            .await
            .map_err(store_err)?
            .ok_or(DomainError::NotFound("webhook delivery"))?;
        let now = self.now();
        if current.lease_until.is_some_and(|until| until > now) {
            return Err(DomainError::conflict(
                "an attempt of this delivery is under way; look again in a moment",
            ));
        }
        let mut next = current.touched(now);
        if current.status == DeliveryStatus::Failed {
            // One attempt: if it fails too, the schedule is used up again.
            next.failures = next.failures.max(RETRY_DELAYS_SECONDS.len() as u32);
        }
        next.status = DeliveryStatus::Pending;
        next.next_attempt_at = Some(now);
        next.lease_until = None;
        let changes = Changes {
            deliveries: vec![DeliveryPut {
                delivery: next.clone(),
                expected_version: Some(current.version),
            }],
            ..Changes::default()
        };
        match self.ports.store.commit(changes).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                return Err(DomainError::conflict(
                    "the delivery changed meanwhile; look again in a moment",
                ));
            }
            Err(e) => return Err(store_err(e)),
        }
        self.hand_over_deliveries(std::slice::from_ref(&next)).await;
        Ok(next)
    }
}
