//! `coaching-local` with `COACHING_QUEUE_URL`: generate sends the generation's id to SQS and the
//! in-process worker long-polls the queue, as `coaching-ai-worker` consumes it on AWS. Runs
//! against moto (scripts/test starts it and exports `AWS_ENDPOINT_URL`).

mod common;

use common::*;
use std::time::Duration;

fn aws_env() -> Vec<(&'static str, String)> {
    [
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ]
    .into_iter()
    .map(|k| {
        (
            k,
            std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set")),
        )
    })
    .collect()
}

#[test]
#[ignore = "needs an SQS endpoint: scripts/test starts moto"]
fn a_generation_goes_through_the_sqs_queue_and_succeeds() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let queue_url = runtime.block_on(async {
        let config = coaching_aws::sdk_config().await;
        let sqs = aws_sdk_sqs::Client::new(&config);
        let name = format!("coaching-local-test-{}", std::process::id());
        sqs.create_queue()
            .queue_name(name)
            .send()
            .await
            .expect("queue")
            .queue_url
            .expect("url")
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut env = aws_env();
    env.push(("COACHING_QUEUE_URL", queue_url.clone()));
    let server = start(&dir.path().join("coaching.db"), &env);
    let coach = token("coach-ana", "coach");

    deliver(&server.base, "ev-1", 10, 1);
    deliver(&server.base, "ev-2", 20, 2);
    let id = draft_review_and_generate(&server.base, &coach);
    wait_for("the generation succeeded", Duration::from_secs(30), || {
        generation_status(&server.base, &coach, &id) == "succeeded"
    });
    // The worker deleted the message it processed: the queue is empty.
    let left = runtime.block_on(async {
        let config = coaching_aws::sdk_config().await;
        aws_sdk_sqs::Client::new(&config)
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            )
            .send()
            .await
            .expect("attributes")
    });
    let attrs = left.attributes.unwrap_or_default();
    for (name, value) in attrs {
        assert_eq!(value, "0", "{name:?} after the generation");
    }
}
