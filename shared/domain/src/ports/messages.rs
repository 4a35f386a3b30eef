//! Session threads.

use super::*;
use crate::ids::*;
use async_trait::async_trait;

/// Session threads (docs/api.md#messages): messages are written through [`Changes::messages`], in the transaction
/// of their `message_received` notification, so neither is ever stored without the other.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// The messages of `session` in `org`, oldest first ([`crate::message::message_cursor`]
    /// order), at most `limit`, strictly after `after`; `next` set when the page is full. An
    /// adapter MUST read only that session's thread (an index on session and time), and MUST
    /// return nothing for a session of another org.
    async fn messages(
        &self,
        org: &OrgId,
        session: &SessionId,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<crate::message::Message>, StoreError>;
}
