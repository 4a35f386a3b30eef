//! AI coaching generation (docs/api.md#review-sessions-and-ai-generation): `generate` records a queued generation and hands its id to the
//! queue; a worker claims it (conditionally: status and claim count), builds the input, calls the
//! generator and writes the grounded result into the session, all or nothing. The generation
//! record is the truth; the queue only carries its id.
//!
//! Three rooms: [`request`] (the endpoint's use case: record and hand over), [`worker`] (claim,
//! build the input, generate, write) and [`sweep`] (hand due records over again, release dead
//! claims, drain for the embedded worker).

mod request;
mod sweep;
mod worker;

use crate::evaluation::{Generation, GenerationInputs, GenerationStatus};
use crate::generation::GenerationJob;
use crate::session::{Session, SessionStatus};
use chrono::{DateTime, Utc};

/// How long a worker's claim holds: past the generator's 60 s and the writes around it.
pub const LEASE_SECONDS: i64 = 120;
/// Most KB articles read as candidates.
const MAX_KB_READ: u32 = 1_000;
/// Read-modify-write rounds before a write gives up on a session that keeps changing.
const ROUNDS: usize = 5;
/// A generation queued or running for this long no longer blocks a new one.
pub const ABANDONED_AFTER_HOURS: i64 = 24;

/// `t` without its sub-millisecond part: the stores keep due times in whole milliseconds, so a
/// record made due "now" is due at the same `now` (not a fraction of a millisecond later).
fn whole_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// What a worker did with one generation id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// It finished the generation with this status.
    Finished(GenerationStatus),
    /// Nothing to do: unknown id, already finished, or claimed by another worker meanwhile.
    Skipped,
    /// Another worker's claim holds until then.
    Busy(DateTime<Utc>),
}

/// Why a session takes no generated coaching any more, if it does not.
fn not_writable(s: &Session) -> Option<String> {
    matches!(s.status, SessionStatus::Cancelled | SessionStatus::NoShow).then(|| {
        format!(
            "the session was marked {} before the generation finished",
            s.status.as_str()
        )
    })
}

fn mirror(job: &GenerationJob, out: Option<&Generation>) -> Generation {
    let mut g = out.cloned().unwrap_or(Generation {
        id: job.id.clone(),
        status: job.status,
        error: None,
        provider: None,
        model: None,
        inputs: GenerationInputs::default(),
        attempts: 0,
        requested_at: job.created_at,
        finished_at: None,
    });
    g.status = job.status;
    g.attempts = job.claims;
    g
}
