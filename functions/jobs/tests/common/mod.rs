//! What the moto-backed publisher tests share: a bus whose one rule sends every `coaching`
//! event to a fresh SQS queue, and draining that queue, to see what the bus received.

use serde_json::{Value, json};

/// Routes every event of `bus` with source `coaching` to a new queue named `queue`, through a
/// rule named `rule`; returns the queue's URL.
pub async fn route_to_queue(
    eb: &aws_sdk_eventbridge::Client,
    sqs: &aws_sdk_sqs::Client,
    bus: &str,
    rule: &str,
    queue: &str,
) -> String {
    let queue_url = sqs
        .create_queue()
        .queue_name(queue)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    eb.put_rule()
        .name(rule)
        .event_bus_name(bus)
        .event_pattern(json!({"source": ["coaching"]}).to_string())
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule(rule)
        .event_bus_name(bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("queue")
                .arn(&queue_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    queue_url
}

/// The events (whole EventBridge envelopes) that reach the queue, read until `expected` arrived
/// or 20 receives found no more.
pub async fn drain(sqs: &aws_sdk_sqs::Client, queue_url: &str, expected: usize) -> Vec<Value> {
    let mut received: Vec<Value> = Vec::new();
    for _ in 0..20 {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            received.push(serde_json::from_str(m.body().unwrap()).unwrap());
        }
        if received.len() >= expected {
            break;
        }
    }
    received
}
