//! The adapters of the domain's process-level ports that every function shares, whatever its
//! runtime (`coaching-local`, a Lambda function, a tool): the clocks, id generation and the
//! log event publisher. They lived in the HTTP crate, which made the AI worker and the jobs
//! depend on axum for a clock.

mod clock;
mod events;
mod ids;

pub use clock::{SystemClock, TestClock};
pub use events::LogPublisher;
pub use ids::UlidIds;
