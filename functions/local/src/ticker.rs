//! The one-minute job ticker of `coaching-local`: what EventBridge schedules do in AWS.

use crate::shutdown::Stop;
use coaching_domain::service::{Job, Services};

/// Both jobs every minute, at the time every rule uses (the test clock when set), and with SQS
/// the generation sweep (hands due generations whose message was lost, or whose claim lapsed,
/// to the queue again). A run that fails is logged; the next one tries again. A stop request
/// ends it between runs: a job run is a bounded batch of single-transaction items.
pub async fn run(services: Services, sweep: bool, stop: Stop) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = stop.clone().wait() => return,
        }
        for job in [Job::RescheduleExpiry, Job::Reminders] {
            if stop.requested() {
                return;
            }
            let now = services.now();
            match services.run_job(job, now).await {
                Ok(run) if run.actions.is_empty() && run.relay.published() == 0 => {
                    tracing::debug!(job = job.as_str(), %now, "job ran: nothing due");
                }
                Ok(run) => tracing::info!(
                    job = job.as_str(),
                    %now,
                    handled = run.actions.len(),
                    notifications = run.notifications(),
                    events = run.relay.published(),
                    "job ran"
                ),
                Err(e) => tracing::error!(job = job.as_str(), error = %e, "job failed"),
            }
        }
        if sweep && !stop.requested() {
            match services.resend_due_generations(services.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(resent = n, "generation sweep"),
                Err(e) => tracing::error!(error = %e, "generation sweep failed"),
            }
        }
    }
}
