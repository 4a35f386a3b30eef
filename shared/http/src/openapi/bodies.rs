//! Request bodies a handler takes as optional (`extract::OptionalJson`: an empty body means
//! the defaults) are optional in the document too; utoipa marks every body it sees required.

use utoipa::Modify;
use utoipa::openapi::{OpenApi, RefOr, Required};

/// The operations whose handler reads its body with `OptionalJson`.
pub const OPTIONAL_BODIES: &[&str] = &[
    "cancelSession",
    "rejectRescheduleRequest",
    "generateCoaching",
];

/// See the module documentation.
pub struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, doc: &mut OpenApi) {
        for item in doc.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put, &mut item.patch]
                .into_iter()
                .flatten()
            {
                let optional = op
                    .operation_id
                    .as_deref()
                    .is_some_and(|id| OPTIONAL_BODIES.contains(&id));
                if let (true, Some(RefOr::T(body))) = (optional, op.request_body.as_mut()) {
                    body.required = Some(Required::False);
                }
            }
        }
    }
}
