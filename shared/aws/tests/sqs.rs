//! The SQS generation queue against moto (scripts/test starts it and exports
//! `AWS_ENDPOINT_URL`): a handed-over generation is received with its org and id and gone once
//! deleted; one received but not deleted comes back after its visibility timeout; after three
//! receives the redrive policy moves it to the dead-letter queue; a queue that does not exist
//! makes `enqueue` fail (the sweep sends again) without panicking.

use chrono::{DateTime, Utc};
use coaching_aws::{SqsQueue, parse_message};
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationJob, GenerationRequest};
use coaching_domain::ids::{GenerationId, OrgId, SessionId};
use coaching_domain::ports::GenerationQueue;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

async fn config() -> aws_config::SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.") || endpoint.starts_with("http://localhost"),
        "these tests create queues: point AWS_ENDPOINT_URL at a local moto (scripts/test starts one), not {endpoint:?}"
    );
    coaching_aws::sdk_config().await
}

fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{nanos:x}-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A queue of its own with these attributes; its URL.
async fn create_queue(sqs: &aws_sdk_sqs::Client, attributes: &[(&str, String)]) -> String {
    let attributes: HashMap<_, _> = attributes
        .iter()
        .map(|(k, v)| (aws_sdk_sqs::types::QueueAttributeName::from(*k), v.clone()))
        .collect();
    sqs.create_queue()
        .queue_name(unique("coaching-generations"))
        .set_attributes(Some(attributes))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned()
}

fn job(n: u32) -> GenerationJob {
    let now: DateTime<Utc> = "2030-03-04T09:00:00Z".parse().unwrap();
    GenerationJob {
        id: GenerationId::parse(format!("01JGEN{n}")).unwrap(),
        org: OrgId::parse("org-acme").unwrap(),
        session_id: SessionId::parse("s-1").unwrap(),
        request: GenerationRequest::default(),
        status: GenerationStatus::Queued,
        claims: 0,
        lease_until: None,
        due_at: Some(now + chrono::Duration::minutes(2)),
        created_at: now,
    }
}

#[tokio::test]
#[ignore = "needs a moto endpoint: scripts/test starts moto"]
async fn a_sent_generation_is_received_with_its_org_and_id_and_gone_once_deleted() {
    let config = config().await;
    let url = create_queue(&aws_sdk_sqs::Client::new(&config), &[]).await;
    let queue = SqsQueue::from_config(&config, &url);
    assert_eq!(queue.resend_after(), chrono::Duration::minutes(2));
    let (first, second) = (job(1), job(2));

    queue.enqueue(&first).await.unwrap();
    queue.enqueue(&second).await.unwrap();
    let mut received = Vec::new();
    for _ in 0..5 {
        received.extend(queue.receive(10, 1).await.unwrap());
        if received.len() == 2 {
            break;
        }
    }

    let mut named: Vec<_> = received
        .iter()
        .map(|m| parse_message(&m.body).unwrap())
        .collect();
    named.sort();
    assert_eq!(
        named,
        [
            (first.org.clone(), first.id.clone()),
            (second.org.clone(), second.id.clone())
        ]
    );
    assert!(
        received.iter().all(|m| m.receive_count == 1),
        "{received:?}"
    );
    for m in &received {
        queue.delete(&m.receipt_handle).await.unwrap();
    }
    assert_eq!(queue.receive(10, 0).await.unwrap(), []);
}

#[tokio::test]
#[ignore = "needs a moto endpoint: scripts/test starts moto"]
async fn a_message_received_but_not_deleted_comes_back_after_its_visibility_timeout() {
    let config = config().await;
    let url = create_queue(
        &aws_sdk_sqs::Client::new(&config),
        &[("VisibilityTimeout", "1".into())],
    )
    .await;
    let queue = SqsQueue::from_config(&config, &url);
    queue.enqueue(&job(1)).await.unwrap();

    let first = queue.receive(10, 1).await.unwrap();
    let hidden = queue.receive(10, 0).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let again = queue.receive(10, 1).await.unwrap();

    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(hidden, [], "invisible while a worker has it");
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].body, first[0].body);
    assert_eq!((first[0].receive_count, again[0].receive_count), (1, 2));
    queue.delete(&again[0].receipt_handle).await.unwrap();
    assert_eq!(queue.receive(10, 0).await.unwrap(), []);
}

#[tokio::test]
#[ignore = "needs a moto endpoint: scripts/test starts moto"]
async fn after_three_receives_a_message_moves_to_the_dead_letter_queue() {
    let config = config().await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let dlq_url = create_queue(&sqs, &[]).await;
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    let redrive = serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"});
    let url = create_queue(
        &sqs,
        &[
            ("VisibilityTimeout", "0".into()),
            ("RedrivePolicy", redrive.to_string()),
        ],
    )
    .await;
    let queue = SqsQueue::from_config(&config, &url);
    let dead = SqsQueue::from_config(&config, &dlq_url);
    let j = job(1);
    queue.enqueue(&j).await.unwrap();

    let mut counts = Vec::new();
    for _ in 0..3 {
        let got = queue.receive(10, 1).await.unwrap();
        assert_eq!(got.len(), 1, "{got:?}");
        counts.push(got[0].receive_count);
    }
    let fourth = queue.receive(10, 0).await.unwrap();
    let in_dlq = dead.receive(10, 1).await.unwrap();

    assert_eq!(counts, [1, 2, 3]);
    assert_eq!(fourth, [], "a fourth receive finds nothing");
    assert_eq!(in_dlq.len(), 1, "{in_dlq:?}");
    assert_eq!(parse_message(&in_dlq[0].body), Ok((j.org, j.id)));
}

#[tokio::test]
#[ignore = "needs a moto endpoint: scripts/test starts moto"]
async fn a_queue_that_does_not_exist_fails_enqueue_and_receive_with_an_error() {
    let config = config().await;
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
    let queue = SqsQueue::from_config(
        &config,
        &format!("{endpoint}/123456789012/{}", unique("missing")),
    );

    let sent = queue.enqueue(&job(1)).await;
    let received = queue.receive(1, 0).await;

    let e = sent.expect_err("no such queue");
    assert!(
        e.starts_with("SQS SendMessage failed: SQS answered "),
        "{e}"
    );
    assert!(
        received
            .expect_err("no such queue")
            .contains("ReceiveMessage")
    );
}
