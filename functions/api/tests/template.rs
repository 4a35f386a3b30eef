//! Reads `infra/template.yaml` and checks what cfn-lint cannot: that it deploys this workspace's
//! binaries, the table the DynamoDB store expects, and no more permission than the function needs.

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
