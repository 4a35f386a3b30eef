//! Building inbox notifications for the events of docs/api.md#notifications.

use super::Services;
use crate::ids::{NotificationId, UserId};
use crate::notification::{Notification, NotificationType};
use crate::session::Session;
use chrono::SecondsFormat;
use serde_json::json;

impl<S: ?Sized> Services<S> {
    /// One notification of `kind` about `session` for each recipient, created now.
    pub(crate) fn notify(
        &self,
        session: &Session,
        kind: NotificationType,
        recipients: &[&UserId],
        extra: serde_json::Value,
    ) -> Vec<Notification> {
        self.notify_at(session, kind, recipients, extra, self.now())
    }

    /// One notification of `kind` about `session` for each recipient, created at `now`.
    pub(crate) fn notify_at(
        &self,
        session: &Session,
        kind: NotificationType,
        recipients: &[&UserId],
        extra: serde_json::Value,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<Notification> {
        let mut data = json!({
            "sessionName": session.name,
            "kind": session.kind.as_str(),
            "coachId": session.coach_id,
            "clientId": session.client_id,
            "startsAt": session.starts_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            "durationMinutes": session.duration_minutes,
        });
        if let (Some(obj), serde_json::Value::Object(more)) = (data.as_object_mut(), extra) {
            obj.extend(more);
        }
        let mut seen: Vec<&UserId> = Vec::new();
        recipients
            .iter()
            .filter(|r| {
                let new = !seen.contains(r);
                seen.push(r);
                new
            })
            .filter_map(|r| {
                Some(Notification {
                    id: NotificationId::parse(self.new_id()).ok()?,
                    org: session.org.clone(),
                    recipient: (*r).clone(),
                    kind,
                    session_id: Some(session.id.clone()),
                    created_at: now,
                    data: data.clone(),
                })
            })
            .collect()
    }
}
