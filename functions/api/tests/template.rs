//! Reads `infra/template.yaml` and checks what cfn-lint cannot: that it deploys this workspace's
//! binaries, the table the DynamoDB store expects, no more permission than each function needs,
//! the authorizer on every route but the open ones, and no secret in the template.

use serde_json::Value;

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
    for (name, f) in resources_of_type(&t, "AWS::Serverless::Function") {
        for policy in f["Properties"]["Policies"].as_array().unwrap() {
            for statement in policy["Statement"].as_array().unwrap() {
                for action in statement["Action"].as_array().unwrap() {
                    let action = action.as_str().unwrap();
                    assert!(!action.contains('*'), "{name}: wildcard action {action}");
                    assert!(action != "dynamodb:Scan", "{name}: Scan is never needed");
                }
                for resource in statement["Resource"].as_array().unwrap() {
                    let text = resource.to_string();
                    let events = statement["Action"] == serde_json::json!(["events:PutEvents"]);
                    if events {
                        assert!(text.contains("EventBus"), "{name}: {text} is not the bus");
                    } else {
                        assert!(text.contains("Table"), "{name}: {text} is not the table");
                    }
                }
            }
        }
    }
}

#[test]
fn the_api_is_behind_the_jwt_authorizer_except_health_and_openapi() {
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
            path == "/health" || path == "/openapi.json",
            "{name} {path}"
        );
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

/// The IAM statements of a function's inline policies; a policy of any other kind (a SAM
/// policy template, a managed policy name) fails the test: its grants are not in the template.
fn statements<'a>(t: &'a Value, function: &str) -> Vec<&'a Value> {
    t["Resources"][function]["Properties"]["Policies"]
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
        let open = (function == "ApiFunction" && (path == "/health" || path == "/openapi.json"))
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

    let secret = &t["Resources"]["WebhooksFunction"]["Properties"]["Environment"]["Variables"]["COACHING_WEBHOOK_SECRET"];
    let branches = secret["Fn::If"]
        .as_array()
        .expect("optional through Fn::If");
    assert_eq!(branches.len(), 3);
    assert_eq!(branches[0], "HasWebhookSecret");
    assert_eq!(
        branches[1]["Fn::Sub"],
        "{{resolve:secretsmanager:${WebhookSecretId}:SecretString}}"
    );
    assert_eq!(branches[2]["Ref"], "AWS::NoValue");

    // The condition is "a secret was named"; the parameter names a secret, it holds none.
    assert_eq!(
        t["Conditions"]["HasWebhookSecret"],
        serde_json::json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "WebhookSecretId"}, ""]}]})
    );
    let parameter = &t["Parameters"]["WebhookSecretId"];
    assert_eq!(parameter["Type"], "String");
    assert_eq!(parameter["Default"], "");

    // No other function, and not the Globals, sees the secret.
    assert!(
        t["Globals"]["Function"]["Environment"]["Variables"]["COACHING_WEBHOOK_SECRET"].is_null()
    );
    for (name, f) in resources_of_type(&t, "AWS::Serverless::Function") {
        if name != "WebhooksFunction" {
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
    // never gain one (the webhook's secret and deliveries are the other function's).
    let before = [
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
    // Its variables are the Globals' (the table, the log level): no secret.
    assert!(t["Resources"]["ApiFunction"]["Properties"]["Environment"].is_null());
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
