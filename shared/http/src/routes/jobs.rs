//! docs/api.md#notifications-reminders-and-jobs: running the jobs now.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::jobs::{JobActionDto, JobNameDto, JobRunDto};
use crate::extract::ApiPath;
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use coaching_domain::service::Job;
use utoipa::OpenApi;

/// The job runs: this room's paths and schemas in the OpenAPI document ([`crate::openapi::ApiDocs`]
/// merges them).
#[derive(OpenApi)]
#[openapi(
    paths(run_job),
    components(schemas(JobNameDto, JobActionDto, JobRunDto))
)]
pub struct JobsApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v1/admin/jobs/{job}/run", post(run_job))
}
/// Runs a job now (admins), at the time every rule uses (the test clock when set), and returns
/// what it did. `reminders` delivers due `reminder_24h`/`reminder_1h`; `reschedule-expiry`
/// expires due requests. Reminders follow the session's current time: a move whose new 24 h mark
/// is still ahead gets a `reminder_24h` for the new time, even after one for the old time; of
/// several due reminders only the latest is sent, none once the session started. Both jobs then
/// publish the outbox (events of API actions go out with the next run); on AWS this endpoint
/// leaves that to the scheduled job functions, which publish within a minute. A run does
/// exactly what the every-minute schedule would do at that time, for every org; the answer
/// shows the caller's org's part.
#[utoipa::path(post, operation_id = "runJob", path = "/v1/admin/jobs/{job}/run", tag = "jobs",
    params(("job" = JobNameDto, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = JobRunDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "`not_found`: no such job")))]
pub async fn run_job(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(job): ApiPath<String>,
) -> Result<Json<JobRunDto>, ApiError> {
    let job = Job::parse(&job).ok_or_else(|| ApiError::not_found("job"))?;
    if !actor.is_admin() {
        return Err(coaching_domain::DomainError::forbidden("only an admin runs jobs").into());
    }
    let run = state.services.run_job(job, state.services.now()).await?;
    Ok(Json((&run.of_org(&actor.org)).into()))
}
