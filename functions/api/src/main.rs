//! The API Lambda function: wiring only. SDK clients and adapters are built once, before the
//! runtime loop; every invocation is served by the shared Router.

use coaching_api::{ClaimsAuthenticator, Config};
use coaching_aws::lambda::{Aws, init_logging};
use coaching_domain::ports::{Outbound, Store};
use coaching_http::{AppState, router};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_logging();
    let config = Config::from_env()?;
    let aws = Aws::connect(&config.table).await;
    let queue = config.queue_url.as_deref().map(|url| aws.queue(url));
    // No publisher: an admin's job run writes notifications and their outbox events, and the
    // scheduled job functions publish those to EventBridge within a minute (this function has
    // neither an EventBridge client nor the right to delete outbox items).
    // New webhook deliveries go to the delivery queue after their commit; this function never
    // sends a webhook itself (it has no sender, and no way out but AWS's endpoints).
    let outbound = Outbound {
        queue: config
            .delivery_queue_url
            .as_deref()
            .map(|url| aws.delivery_queue(url)),
        ..Outbound::new(coaching_http::session_event_view)
    };
    let services = aws.services(|store| store as Arc<dyn Store>, None, queue, outbound);
    let app = router(AppState {
        services,
        auth: Arc::new(ClaimsAuthenticator),
        // The test clock is never on in AWS.
        test_clock: None,
        webhook_secret: config.webhook_secret.map(Into::into),
        public_url: config.public_url.map(Into::into),
    });
    lambda_http::run(app).await
}
