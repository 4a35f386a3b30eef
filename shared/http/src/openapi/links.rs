//! OpenAPI links: from each operation that creates something to the operations that take its
//! id, so that a client (or a stateful test) knows where every path id comes from.

use utoipa::Modify;
use utoipa::openapi::link::Link;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, RefOr};

/// One producer: its operation id, the answer that carries the id, where the id is in it
/// (a runtime expression), and the consumers with the parameter the id fills.
pub(crate) struct Producer {
    pub operation: &'static str,
    pub status: &'static str,
    pub value: &'static str,
    pub consumers: &'static [(&'static str, &'static str)],
}

/// Every operation taking a session's `id`.
const SESSION_CONSUMERS: &[(&str, &str)] = &[
    ("getSession", "id"),
    ("patchSession", "id"),
    ("cancelSession", "id"),
    ("completeSession", "id"),
    ("markNoShow", "id"),
    ("joinSession", "id"),
    ("requestReview", "id"),
    ("reviewSession", "id"),
    ("rescheduleSession", "id"),
    ("putReviewCriterion", "id"),
    ("deleteReviewCriterion", "id"),
    ("generateCoaching", "id"),
    ("createActionItem", "id"),
    ("postMessage", "id"),
    ("listMessages", "id"),
];

/// Operations that honour `If-Match`: a link to them also passes the producer's `ETag`, so a
/// client following it writes the version it just read.
const IF_MATCH_CONSUMERS: &[&str] = &[
    "patchSession",
    "putReviewCriterion",
    "deleteReviewCriterion",
];

/// The links the document carries. A consumer not in the document (yet) is left out.
pub(crate) const PRODUCERS: &[Producer] = &[
    Producer {
        operation: "createSession",
        status: "201",
        value: "$response.body#/id",
        consumers: SESSION_CONSUMERS,
    },
    Producer {
        operation: "rescheduleSession",
        status: "202",
        value: "$response.body#/rescheduleRequest/id",
        consumers: &[
            ("getRescheduleRequest", "id"),
            ("approveRescheduleRequest", "id"),
            ("rejectRescheduleRequest", "id"),
        ],
    },
    Producer {
        operation: "createActionItem",
        status: "201",
        value: "$response.body#/id",
        consumers: &[("patchActionItem", "id")],
    },
    Producer {
        operation: "createKbArticle",
        status: "201",
        value: "$response.body#/id",
        consumers: &[("deleteKbArticle", "articleId")],
    },
    Producer {
        operation: "issueCalendarToken",
        status: "201",
        value: "$response.body#/token",
        consumers: &[("getCalendarFeed", "token")],
    },
    Producer {
        operation: "putCoachSettings",
        status: "200",
        value: "$response.body#/coachId",
        consumers: &[
            ("getCoachSettings", "coachId"),
            ("listSlots", "coachId"),
            ("getCoachAnalytics", "coachId"),
        ],
    },
    Producer {
        operation: "createWebhookEndpoint",
        status: "201",
        value: "$response.body#/id",
        consumers: &[
            ("getWebhookEndpoint", "id"),
            ("patchWebhookEndpoint", "id"),
            ("deleteWebhookEndpoint", "id"),
            ("rotateWebhookEndpointSecret", "id"),
            ("testWebhookEndpoint", "id"),
            ("listWebhookDeliveries", "id"),
        ],
    },
    Producer {
        operation: "testWebhookEndpoint",
        status: "202",
        value: "$response.body#/id",
        consumers: &[("retryWebhookDelivery", "id")],
    },
    Producer {
        operation: "receiveEvaluations",
        status: "200",
        value: "$request.body#/data/coacheeId",
        consumers: &[
            ("listEvaluations", "coacheeId"),
            ("getCriteriaStats", "coacheeId"),
        ],
    },
];

fn operations_mut(doc: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ]
        .into_iter()
        .flatten()
    })
}

/// The operation ids the document has.
pub(crate) fn operation_ids(doc: &mut OpenApi) -> Vec<String> {
    operations_mut(doc)
        .filter_map(|op| op.operation_id.clone())
        .collect()
}

/// Adds [`PRODUCERS`]' links to the document.
pub struct Links;

impl Modify for Links {
    fn modify(&self, doc: &mut OpenApi) {
        let known = operation_ids(doc);
        for op in operations_mut(doc) {
            let Some(producer) = PRODUCERS
                .iter()
                .find(|p| op.operation_id.as_deref() == Some(p.operation))
            else {
                continue;
            };
            let Some(RefOr::T(response)) = op.responses.responses.get_mut(producer.status) else {
                continue;
            };
            for (consumer, parameter) in producer.consumers {
                if !known.iter().any(|k| k == consumer) {
                    continue;
                }
                let mut link = Link::builder()
                    .operation_id(*consumer)
                    .parameter(*parameter, producer.value);
                if IF_MATCH_CONSUMERS.contains(consumer) && response.headers.contains_key("ETag") {
                    link = link.parameter("If-Match", "$response.header.ETag");
                }
                let link = link.build();
                response
                    .links
                    .insert((*consumer).to_owned(), RefOr::T(link));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    #[test]
    fn every_linked_operation_is_in_the_document() {
        let mut doc = crate::openapi::ApiDocs::openapi();
        let known = operation_ids(&mut doc);

        for p in PRODUCERS {
            assert!(known.iter().any(|k| k == p.operation), "{}", p.operation);
            for (consumer, _) in p.consumers {
                assert!(known.iter().any(|k| k == consumer), "{consumer}");
            }
        }
    }

    #[test]
    fn every_operation_taking_a_session_id_is_linked_from_create_session() {
        let doc = serde_json::to_value(crate::openapi::ApiDocs::openapi()).unwrap();
        let links = &doc["paths"]["/v1/sessions"]["post"]["responses"]["201"]["links"];

        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/v1/sessions/{id}") {
                continue;
            }
            for (_, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap();
                assert!(links[id].is_object(), "{id} ({path}) is not linked");
            }
        }
    }
}
