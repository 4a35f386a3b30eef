//! Wire types of the operational endpoints: the test clock
//! (docs/api.md#notifications-reminders-and-jobs).

use super::schema::instant;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestClockDto {
    #[schema(schema_with = instant)]
    pub now: DateTime<Utc>,
}
