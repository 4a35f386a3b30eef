//! Reads `infra/template.yaml` and checks what cfn-lint cannot: that it deploys this workspace's
//! binaries, the table the DynamoDB store expects, no more permission than each function needs,
//! the authorizer on every route but the open ones, the generation queue's redrive and the
//! worker's event source, no secret in the template, and one architecture parameter (arm64 by
//! default) for every function.

use serde_json::{Value, json};

fn template() -> Value {
    let path = format!("{}/../../infra/template.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{path} is not plain YAML: {e}"))
}

fn package_manifest(dir: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../{dir}/Cargo.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn resources_of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

#[test]
fn every_function_is_a_workspace_binary_built_by_cargo_lambda() {
    let t = template();
    let functions = resources_of_type(&t, "AWS::Serverless::Function");
    assert!(!functions.is_empty());
    let manifest =
        std::fs::read_to_string(format!("{}/Cargo.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    for (name, f) in functions {
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{name}");
        let binary = f["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        // Each function's binary is declared by its package under functions/.
        let package = match name.as_str() {
            "ApiFunction" => manifest.clone(),
            "RemindersFunction" => package_manifest("reminders"),
            "RescheduleExpiryFunction" => package_manifest("reschedule-expiry"),
            "WebhooksFunction" => package_manifest("webhooks"),
            "AiWorkerFunction" => package_manifest("ai-worker"),
            "DeliveriesFunction" => package_manifest("deliveries"),
            other => panic!("{other}: a function the test does not know"),
        };
        assert!(
            package.contains(&format!("name = \"{binary}\"")),
            "{name}: {binary} is not a binary of its package"
        );
    }
    assert_eq!(t["Globals"]["Function"]["Runtime"], "provided.al2023");
    assert_eq!(t["Globals"]["Function"]["Handler"], "bootstrap");
    assert_eq!(
        t["Globals"]["Function"]["LoggingConfig"]["LogFormat"],
        "JSON"
    );
}

#[test]
fn the_table_has_the_keys_and_indexes_the_store_uses_with_recovery_and_ttl() {
    let t = template();
    let table = &t["Resources"]["Table"]["Properties"];
    let keys: Vec<&str> = table["KeySchema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AttributeName"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["PK", "SK"]);
    let indexes: Vec<&str> = table["GlobalSecondaryIndexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["IndexName"].as_str().unwrap())
        .collect();
    assert_eq!(indexes, ["ByRole", "ByUser", "ByOrg", "Due"]);
    assert_eq!(table["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(table["TimeToLiveSpecification"]["Enabled"], true);
}

#[test]
fn functions_may_touch_only_the_table_and_its_indexes() {
    let t = template();
    for (name, _) in resources_of_type(&t, "AWS::Serverless::Function") {
        for statement in statements(&t, name) {
            let actions = strings(&statement["Action"]);
            for action in &actions {
                assert!(!action.contains('*'), "{name}: wildcard action {action}");
                assert!(*action != "dynamodb:Scan", "{name}: Scan is never needed");
            }
            // Each statement grants one service's actions on that service's resources.
            let service = actions[0].split(':').next().unwrap();
            assert!(
                actions
                    .iter()
                    .all(|a| a.starts_with(&format!("{service}:"))),
                "{name}: {actions:?} mixes services"
            );
            let expected = match service {
                "dynamodb" => "Table",
                "events" => "EventBus",
                // The generation queue or the delivery queue (never a dead-letter queue: the
                // test of each queue says so).
                "sqs" => "Queue",
                "logs" => "LogGroup",
                other => panic!("{name}: a permission on {other}"),
            };
            for resource in statement["Resource"].as_array().unwrap() {
                let text = resource.to_string();
                assert!(
                    text.contains(expected),
                    "{name}: {text} is not the {expected}"
                );
            }
        }
    }
}

#[test]
fn the_api_is_behind_the_jwt_authorizer_except_health_openapi_and_the_calendar_feed() {
    let t = template();
    let auth = &t["Resources"]["HttpApi"]["Properties"]["Auth"];
    assert_eq!(auth["DefaultAuthorizer"], "CognitoJwt");
    assert!(auth["Authorizers"]["CognitoJwt"]["JwtConfiguration"]["issuer"].is_object());
    let events = t["Resources"]["ApiFunction"]["Properties"]["Events"]
        .as_object()
        .unwrap();
    for (name, e) in events {
        let path = e["Properties"]["Path"].as_str().unwrap();
        let open = e["Properties"]["Auth"]["Authorizer"] == "NONE";
        assert_eq!(
            open,
            path == "/health" || path == "/openapi.json" || path == "/v1/calendar/{file}",
            "{name} {path}"
        );
        if path == "/v1/calendar/{file}" {
            assert_eq!(e["Properties"]["Method"], "GET", "the feed is read-only");
        }
    }
}

#[test]
fn each_job_runs_every_minute_publishes_to_the_bus_and_reads_only_the_due_index() {
    let t = template();
    assert_eq!(t["Resources"]["EventBus"]["Type"], "AWS::Events::EventBus");
    for name in ["RemindersFunction", "RescheduleExpiryFunction"] {
        let f = &t["Resources"][name]["Properties"];
        let schedules: Vec<&serde_json::Value> = f["Events"]
            .as_object()
            .unwrap()
            .values()
            .filter(|e| e["Type"] == "Schedule")
            .collect();
        assert_eq!(schedules.len(), 1, "{name}");
        assert_eq!(schedules[0]["Properties"]["Schedule"], "rate(1 minute)");
        assert_eq!(
            f["Environment"]["Variables"]["COACHING_EVENT_BUS"]["Ref"],
            "EventBus"
        );
        let statements: Vec<&serde_json::Value> = f["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["Statement"].as_array().unwrap())
            .collect();
        let resources = serde_json::to_string(&statements).unwrap();
        assert!(resources.contains("/index/Due"), "{name}");
        assert!(
            !resources.contains("/index/*"),
            "{name}: a job queries the Due index only"
        );
        assert!(resources.contains("events:PutEvents"), "{name}");
    }
    // The API function never publishes: the jobs relay the outbox.
    let api =
        serde_json::to_string(&t["Resources"]["ApiFunction"]["Properties"]["Policies"]).unwrap();
    assert!(!api.contains("events:"));
}

/// Every `HttpApi` event of every function: (function, event, its properties).
fn http_routes(t: &Value) -> Vec<(String, String, Value)> {
    resources_of_type(t, "AWS::Serverless::Function")
        .into_iter()
        .flat_map(|(function, f)| {
            f["Properties"]["Events"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, e)| e["Type"] == "HttpApi")
                .map(|(event, e)| (function.clone(), event.clone(), e["Properties"].clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The IAM statements of a function: those of its inline policies, or, for a function with a
/// role of its own (`Role: Fn::GetAtt [<role>, Arn]`), of that role's inline policies. A policy
/// of any other kind (a SAM policy template, a managed policy) fails the test: its grants are
/// not in the template.
fn statements<'a>(t: &'a Value, function: &str) -> Vec<&'a Value> {
    let properties = &t["Resources"][function]["Properties"];
    if let Some(role) = properties["Role"]["Fn::GetAtt"][0].as_str() {
        assert!(
            properties["Policies"].is_null(),
            "{function}: Role and Policies"
        );
        let role = &t["Resources"][role];
        assert_eq!(role["Type"], "AWS::IAM::Role", "{function}");
        let role = &role["Properties"];
        assert!(
            role["ManagedPolicyArns"].is_null() && role["PermissionsBoundary"].is_null(),
            "{function}: its role's grants must all be in the template"
        );
        return role["Policies"]
            .as_array()
            .unwrap_or_else(|| panic!("{function}'s role has no Policies"))
            .iter()
            .flat_map(|p| {
                p["PolicyDocument"]["Statement"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{function}: {p} is not an inline policy"))
            })
            .collect();
    }
    assert!(
        properties["Role"].is_null(),
        "{function}: a role from outside the template"
    );
    properties["Policies"]
        .as_array()
        .unwrap_or_else(|| panic!("{function} has no Policies"))
        .iter()
        .flat_map(|p| {
            p["Statement"]
                .as_array()
                .unwrap_or_else(|| panic!("{function}: {p} is not an inline policy"))
        })
        .collect()
}

/// The actions a function is allowed on resources the statement names with `resource` (a
/// fragment of the resource's JSON, e.g. `GenerationQueue`), sorted.
fn actions_on<'a>(t: &'a Value, function: &str, resource: &str) -> Vec<&'a str> {
    let mut actions: Vec<&str> = statements(t, function)
        .into_iter()
        .filter(|s| s["Resource"].to_string().contains(resource))
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// Every string of `v`, keys aside, however deep.
fn string_values<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| string_values(i, out)),
        Value::Object(map) => map.values().for_each(|i| string_values(i, out)),
        _ => {}
    }
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn the_evaluation_webhook_alone_skips_the_authorizer_and_reaches_the_webhooks_function() {
    let t = template();
    // The Router's path, parameter names aside (API Gateway's {orgId}, axum's {org_id}).
    let router_path = coaching_http::routes::WEBHOOK_PATH.replace("{org_id}", "{orgId}");
    assert_eq!(router_path, "/v1/orgs/{orgId}/webhooks/evaluations");
    let routes = http_routes(&t);
    let webhooks: Vec<&(String, String, Value)> = routes
        .iter()
        .filter(|(function, _, _)| function == "WebhooksFunction")
        .collect();
    assert_eq!(webhooks.len(), 1, "the webhooks function has one route");
    let (_, _, hook) = webhooks[0];
    assert_eq!(hook["ApiId"]["Ref"], "HttpApi");
    assert_eq!(hook["Method"], "POST");
    assert_eq!(hook["Path"], router_path.as_str());
    assert_eq!(hook["Auth"]["Authorizer"], "NONE");
    // Payload 2.0 (SAM's default for HttpApi), which the function's lambda_http is built for.
    assert!(hook["PayloadFormatVersion"].is_null() || hook["PayloadFormatVersion"] == "2.0");

    for (function, event, e) in &routes {
        let path = e["Path"].as_str().unwrap();
        let open = (function == "ApiFunction"
            && (path == "/health" || path == "/openapi.json" || path == "/v1/calendar/{file}"))
            || (function == "WebhooksFunction" && path == router_path);
        let authorizer = &e["Auth"]["Authorizer"];
        if open {
            assert_eq!(authorizer, "NONE", "{function}.{event} {path}");
        } else {
            // No Auth (the API's default authorizer) or the JWT authorizer by name.
            assert!(
                authorizer.is_null() || authorizer == "CognitoJwt",
                "{function}.{event} {path} must stay behind the JWT authorizer"
            );
        }
    }
}

#[test]
fn the_webhooks_function_may_only_get_and_put_items_of_the_table() {
    let t = template();
    let statements = statements(&t, "WebhooksFunction");
    let mut actions: Vec<&str> = Vec::new();
    for statement in &statements {
        assert_eq!(statement["Effect"], "Allow");
        assert_eq!(
            statement["Resource"],
            serde_json::json!([{"Fn::GetAtt": ["Table", "Arn"]}]),
            "the table only: no index, no other resource"
        );
        actions.extend(strings(&statement["Action"]));
    }
    actions.sort_unstable();
    assert_eq!(actions, ["dynamodb:GetItem", "dynamodb:PutItem"]);
}

#[test]
fn no_function_has_a_wildcard_or_secret_store_permission() {
    let t = template();
    for (name, _) in resources_of_type(&t, "AWS::Serverless::Function") {
        for statement in statements(&t, name) {
            assert!(statement["NotAction"].is_null(), "{name}: NotAction");
            assert!(statement["NotResource"].is_null(), "{name}: NotResource");
            for action in strings(&statement["Action"]) {
                assert!(!action.contains('*'), "{name}: wildcard action {action}");
                // The webhook secret is resolved by CloudFormation at deploy time.
                for service in ["secretsmanager:", "ssm:", "kms:"] {
                    assert!(!action.starts_with(service), "{name}: {action}");
                }
            }
            for resource in statement["Resource"].as_array().unwrap() {
                assert!(
                    !resource.as_str().is_some_and(|r| r.contains('*')),
                    "{name}: wildcard resource {resource}"
                );
            }
        }
    }
}

#[test]
fn the_webhook_secret_comes_from_secrets_manager_never_from_the_template() {
    let t = template();
    // No value of the template (comments aside) is, or holds, a secret.
    let mut values = Vec::new();
    string_values(&t, &mut values);
    for v in values {
        assert!(
            !v.contains("whsec_"),
            "a webhook secret in the template: {v}"
        );
    }

    // The webhooks function verifies with it; the api function shows admins their org's
    // derived secret.
    for function in ["WebhooksFunction", "ApiFunction"] {
        let secret = &t["Resources"][function]["Properties"]["Environment"]["Variables"]["COACHING_WEBHOOK_SECRET"];
        let branches = secret["Fn::If"]
            .as_array()
            .unwrap_or_else(|| panic!("{function}: optional through Fn::If"));
        assert_eq!(branches.len(), 3);
        assert_eq!(branches[0], "HasWebhookSecret");
        assert_eq!(
            branches[1]["Fn::Sub"],
            "{{resolve:secretsmanager:${WebhookSecretId}:SecretString}}"
        );
        assert_eq!(branches[2]["Ref"], "AWS::NoValue");
    }

    // The condition is "a secret was named"; the parameter names a secret, it holds none.
    assert_eq!(
        t["Conditions"]["HasWebhookSecret"],
        serde_json::json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "WebhookSecretId"}, ""]}]})
    );
    let parameter = &t["Parameters"]["WebhookSecretId"];
    assert_eq!(parameter["Type"], "String");
    assert_eq!(parameter["Default"], "");

    // No other function (the worker, the jobs), and not the Globals, sees the secret.
    assert!(
        t["Globals"]["Function"]["Environment"]["Variables"]["COACHING_WEBHOOK_SECRET"].is_null()
    );
    for (name, f) in resources_of_type(&t, "AWS::Serverless::Function") {
        if name != "WebhooksFunction" && name != "ApiFunction" {
            assert!(
                f["Properties"]["Environment"]["Variables"]["COACHING_WEBHOOK_SECRET"].is_null(),
                "{name}"
            );
        }
    }
}

#[test]
fn the_api_function_gains_nothing_from_the_webhooks_function() {
    let t = template();
    // What the api function was granted before the webhooks function came: it may lose some,
    // never gain one (the webhook's secret and deliveries are the other function's), but
    // sending to the generation queue (`generate`).
    let before = [
        "sqs:SendMessage",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:TransactWriteItems",
        "dynamodb:DescribeTable",
    ];
    for statement in statements(&t, "ApiFunction") {
        for action in strings(&statement["Action"]) {
            assert!(before.contains(&action), "the api function gained {action}");
        }
    }
    // Its variables are the Globals' (the table, the log level), the queue's URL and the
    // master webhook secret (GET /v1/org/webhook-secret derives an org's from it); no IAM
    // right comes with the secret: it is resolved at deploy time.
    let variables = &t["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        variables["COACHING_QUEUE_URL"],
        json!({"Ref": "GenerationQueue"})
    );
    assert_eq!(
        variables["COACHING_DELIVERY_QUEUE_URL"],
        json!({"Ref": "DeliveryQueue"})
    );
    let names: Vec<&String> = variables.as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        [
            "COACHING_DELIVERY_QUEUE_URL",
            "COACHING_QUEUE_URL",
            "COACHING_WEBHOOK_SECRET"
        ]
    );
}

#[test]
fn scripts_bench_lambda_zips_every_function_of_the_template() {
    let t = template();
    let script = std::fs::read_to_string(format!(
        "{}/../../scripts/bench-lambda",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // ZIP_BINS="${BENCH_LAMBDA_ZIP_BINS:-a b c}": the default list.
    let zipped: Vec<&str> = script
        .lines()
        .find_map(|l| l.strip_prefix("ZIP_BINS=\"${BENCH_LAMBDA_ZIP_BINS:-"))
        .and_then(|rest| rest.split('}').next())
        .expect("bench-lambda sets ZIP_BINS")
        .split_whitespace()
        .collect();
    for (name, f) in resources_of_type(&t, "AWS::Serverless::Function") {
        let binary = f["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        assert!(
            zipped.contains(&binary),
            "{name}: scripts/bench-lambda does not zip {binary}"
        );
    }
}

/// The SQS event sources of a function: (event, its properties).
fn sqs_events<'a>(t: &'a Value, function: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"][function]["Properties"]["Events"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, e)| e["Type"] == "SQS")
        .map(|(name, e)| (name, &e["Properties"]))
        .collect()
}

#[test]
fn the_generation_queue_is_encrypted_and_redrives_to_its_dead_letter_queue_after_three_receives() {
    let t = template();
    let queue = &t["Resources"]["GenerationQueue"];
    assert_eq!(queue["Type"], "AWS::SQS::Queue");
    let queue = &queue["Properties"];
    assert_eq!(queue["SqsManagedSseEnabled"], true);
    assert_eq!(
        queue["RedrivePolicy"],
        json!({
            "deadLetterTargetArn": {"Fn::GetAtt": ["GenerationDeadLetterQueue", "Arn"]},
            "maxReceiveCount": 3,
        })
    );
    let dlq = &t["Resources"]["GenerationDeadLetterQueue"];
    assert_eq!(dlq["Type"], "AWS::SQS::Queue");
    let dlq = &dlq["Properties"];
    assert_eq!(dlq["SqsManagedSseEnabled"], true);
    assert!(dlq["RedrivePolicy"].is_null(), "the DLQ redrives nowhere");
    // A standard queue's DLQ keeps a message's first enqueue time: it must retain longer.
    let retention = |q: &Value| q["MessageRetentionPeriod"].as_u64().unwrap_or(345_600);
    assert!(retention(dlq) > retention(queue));
    assert_eq!(retention(dlq), 1_209_600, "the DLQ keeps messages 14 days");
}

#[test]
fn the_queues_visibility_timeout_is_at_least_six_times_the_workers_timeout() {
    let t = template();
    let visibility = t["Resources"]["GenerationQueue"]["Properties"]["VisibilityTimeout"]
        .as_u64()
        .expect("an explicit VisibilityTimeout");
    let worker = &t["Resources"]["AiWorkerFunction"]["Properties"];
    let timeout = worker["Timeout"]
        .as_u64()
        .or_else(|| t["Globals"]["Function"]["Timeout"].as_u64())
        .unwrap();
    assert!(
        visibility >= 6 * timeout,
        "visibility {visibility} s < 6 x the worker's {timeout} s"
    );
    // A claim outlives no invocation: the worker is stopped before its lease lapses.
    let lease = u64::try_from(coaching_domain::service::LEASE_SECONDS).unwrap();
    assert!(
        timeout < lease,
        "timeout {timeout} s >= the {lease} s lease"
    );
}

#[test]
fn the_worker_reads_the_queue_in_small_batches_and_reports_batch_item_failures() {
    let t = template();
    let events = sqs_events(&t, "AiWorkerFunction");
    assert_eq!(events.len(), 1, "one SQS event source");
    let (_, e) = events[0];
    assert_eq!(
        e["Queue"],
        json!({"Fn::GetAtt": ["GenerationQueue", "Arn"]})
    );
    let batch = e["BatchSize"].as_u64().expect("an explicit BatchSize");
    assert!((1..=10).contains(&batch), "BatchSize {batch}");
    assert_eq!(
        e["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"])
    );
    // No batching window: a coach waits for the generation.
    assert!(e["MaximumBatchingWindowInSeconds"].as_u64().unwrap_or(0) == 0);
    // No other function reads the queue (the deliveries function reads its own).
    for (name, _) in resources_of_type(&t, "AWS::Serverless::Function") {
        if name != "AiWorkerFunction" {
            let reads_it = sqs_events(&t, name)
                .iter()
                .any(|(_, e)| e["Queue"].to_string().contains("GenerationQueue"));
            assert!(!reads_it, "{name}");
        }
    }
}

#[test]
fn only_the_api_and_the_reminder_function_send_to_the_queue_and_only_send() {
    let t = template();
    for (name, _) in resources_of_type(&t, "AWS::Serverless::Function") {
        let sqs: Vec<&str> = actions_on(&t, name, "GenerationQueue");
        let expected: &[&str] = match name.as_str() {
            "ApiFunction" | "RemindersFunction" => &["sqs:SendMessage"],
            "AiWorkerFunction" => &[
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            _ => &[],
        };
        assert_eq!(sqs, expected, "{name}");
        // Nothing may touch the dead-letter queue: it is for people.
        assert!(
            actions_on(&t, name, "GenerationDeadLetterQueue").is_empty(),
            "{name}"
        );
        let url = &t["Resources"][name.as_str()]["Properties"]["Environment"]["Variables"]["COACHING_QUEUE_URL"];
        if expected == ["sqs:SendMessage"] {
            assert_eq!(url, &json!({"Ref": "GenerationQueue"}), "{name}");
        } else {
            assert!(url.is_null(), "{name} has no reason to know the queue");
        }
    }
    // Every SQS grant names one queue's ARN itself, never a pattern.
    for (name, _) in resources_of_type(&t, "AWS::Serverless::Function") {
        for statement in statements(&t, name) {
            if strings(&statement["Action"])[0].starts_with("sqs:") {
                let resource = &statement["Resource"];
                assert!(
                    *resource == json!([{"Fn::GetAtt": ["GenerationQueue", "Arn"]}])
                        || *resource == json!([{"Fn::GetAtt": ["DeliveryQueue", "Arn"]}]),
                    "{name}: {resource}"
                );
            }
        }
    }
}

#[test]
fn the_worker_may_only_read_what_a_generation_needs_and_put_its_result() {
    let t = template();
    // Its own role: SAM would attach AWSLambdaSQSQueueExecutionRole (every queue) to its own.
    let role = t["Resources"]["AiWorkerFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]
        .as_str()
        .expect("the worker has a role of its own");
    assert_eq!(role, "AiWorkerRole");
    let principal = &t["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(principal[0]["Principal"]["Service"], "lambda.amazonaws.com");

    assert_eq!(
        actions_on(&t, "AiWorkerFunction", "Table"),
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    );
    for statement in statements(&t, "AiWorkerFunction") {
        let text = statement["Resource"].to_string();
        if text.contains("/index/") {
            // The coachee's evaluations: the ByUser index, queried, nothing else.
            assert_eq!(
                statement["Resource"],
                json!([{"Fn::Sub": "${Table.Arn}/index/ByUser"}])
            );
            assert_eq!(strings(&statement["Action"]), ["dynamodb:Query"]);
        }
        if strings(&statement["Action"])[0].starts_with("logs:") {
            assert_eq!(
                statement["Resource"],
                json!([{"Fn::GetAtt": ["AiWorkerLogGroup", "Arn"]}])
            );
        }
    }
    assert_eq!(
        t["Resources"]["AiWorkerLogGroup"]["Properties"]["LogGroupName"]["Fn::Sub"],
        "/aws/lambda/coaching-ai-worker-${Stage}"
    );
    assert_eq!(
        t["Resources"]["AiWorkerFunction"]["Properties"]["FunctionName"]["Fn::Sub"],
        "coaching-ai-worker-${Stage}"
    );
}

#[test]
fn the_ai_provider_is_a_parameter_and_its_key_comes_from_secrets_manager() {
    let t = template();
    // No value of the template looks like a provider key (OpenAI's start with sk-).
    let mut values = Vec::new();
    string_values(&t, &mut values);
    for v in values {
        assert!(!v.contains("sk-"), "an API key in the template: {v}");
    }
    let provider = &t["Parameters"]["AiProvider"];
    assert_eq!(provider["Default"], "builtin");
    assert_eq!(provider["AllowedValues"], json!(["builtin", "openai"]));
    let variables = &t["Resources"]["AiWorkerFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        variables["COACHING_AI_PROVIDER"],
        json!({"Ref": "AiProvider"})
    );
    assert_eq!(
        variables["COACHING_AI_BASE_URL"],
        json!({"Ref": "AiBaseUrl"})
    );
    assert_eq!(variables["COACHING_AI_MODEL"], json!({"Ref": "AiModel"}));
    assert_eq!(
        variables["COACHING_AI_API_KEY"],
        json!({"Fn::If": [
            "HasAiApiKeySecret",
            {"Fn::Sub": "{{resolve:secretsmanager:${AiApiKeySecretId}:SecretString}}"},
            {"Ref": "AWS::NoValue"},
        ]})
    );
    assert_eq!(
        t["Conditions"]["HasAiApiKeySecret"],
        json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "AiApiKeySecretId"}, ""]}]})
    );
    assert_eq!(t["Parameters"]["AiApiKeySecretId"]["Default"], "");
    // Only the worker sees the provider's settings.
    assert!(t["Globals"]["Function"]["Environment"]["Variables"]["COACHING_AI_API_KEY"].is_null());
    for (name, f) in resources_of_type(&t, "AWS::Serverless::Function") {
        if name != "AiWorkerFunction" {
            let v = &f["Properties"]["Environment"]["Variables"];
            assert!(v["COACHING_AI_API_KEY"].is_null(), "{name}");
            assert!(v["COACHING_AI_PROVIDER"].is_null(), "{name}");
        }
    }
}

#[test]
fn every_function_runs_on_the_architecture_parameter_arm64_unless_told_x86_64() {
    let t = template();
    let architecture = &t["Parameters"]["Architecture"];
    assert_eq!(architecture["Default"], "arm64");
    assert_eq!(architecture["AllowedValues"], json!(["arm64", "x86_64"]));
    assert_eq!(
        t["Globals"]["Function"]["Architectures"],
        json!([{"Ref": "Architecture"}])
    );
    // No function overrides the global: one parameter decides for all of them.
    for (name, f) in resources_of_type(&t, "AWS::Serverless::Function") {
        assert!(f["Properties"]["Architectures"].is_null(), "{name}");
    }
}

#[test]
fn only_the_deliveries_function_sends_webhooks_and_it_reaches_nothing_but_its_queue_and_the_table()
{
    let t = template();
    let deliveries = &t["Resources"]["DeliveriesFunction"];
    assert_eq!(
        deliveries["Metadata"]["BuildProperties"]["Binary"],
        "coaching-deliveries"
    );
    let events = &deliveries["Properties"]["Events"]["Deliveries"];
    assert_eq!(events["Type"], "SQS");
    assert_eq!(
        events["Properties"]["Queue"]["Fn::GetAtt"][0],
        "DeliveryQueue"
    );
    assert_eq!(
        events["Properties"]["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"])
    );
    // Its own role: receive from its queue, read and write the table, its logs; nothing else.
    assert_eq!(
        actions_on(&t, "DeliveriesFunction", "DeliveryQueue"),
        [
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage"
        ]
    );
    for s in statements(&t, "DeliveriesFunction") {
        let resource = s["Resource"].to_string();
        assert!(
            ["DeliveryQueue", "Table", "DeliveriesLogGroup"]
                .iter()
                .any(|r| resource.contains(r)),
            "DeliveriesFunction reaches {resource}"
        );
    }
    // The queue: encrypted, dead letters after three receives, watched by an alarm.
    let queue = &t["Resources"]["DeliveryQueue"]["Properties"];
    assert_eq!(queue["SqsManagedSseEnabled"], true);
    assert_eq!(
        queue["RedrivePolicy"]["maxReceiveCount"],
        coaching_deliveries_max_receives()
    );
    assert_eq!(
        queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0],
        "DeliveryDeadLetterQueue"
    );
    let alarm = &t["Resources"]["DeliveryDeadLetterAlarm"]["Properties"];
    assert_eq!(
        alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0],
        "DeliveryDeadLetterQueue"
    );
    // The api hands new deliveries over and the reminder function due ones; no one else sends.
    for (name, _) in resources_of_type(&t, "AWS::Serverless::Function") {
        let sends = actions_on(&t, name, "DeliveryQueue").contains(&"sqs:SendMessage");
        assert_eq!(
            sends,
            name == "ApiFunction" || name == "RemindersFunction",
            "{name}"
        );
    }
}

/// The deliveries function's `MAX_RECEIVES` (functions/deliveries/src/lib.rs), read from its
/// source: this test crate does not link that function.
fn coaching_deliveries_max_receives() -> u64 {
    let path = format!("{}/../deliveries/src/lib.rs", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(path).unwrap();
    source
        .lines()
        .find_map(|l| l.strip_prefix("pub const MAX_RECEIVES: u32 = "))
        .and_then(|rest| rest.trim_end_matches(';').parse().ok())
        .expect("MAX_RECEIVES in functions/deliveries/src/lib.rs")
}
