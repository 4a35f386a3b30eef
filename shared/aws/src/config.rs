//! The AWS SDK configuration every client of ours is built from (the Lambda functions and
//! coaching-local): [`sdk_config`].

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::SharedHttpClient;
use std::sync::OnceLock;

use crate::http::{HttpsClient, Roots};

/// The shared configuration for AWS SDK clients, from the environment:
/// - region: `AWS_REGION` (else `AWS_DEFAULT_REGION`), else the SDK's region chain (profile, IMDS);
/// - credentials: the environment credentials provider when `AWS_ACCESS_KEY_ID` is set (always so
///   on Lambda), else the SDK's default chain (profile, web identity, ECS, IMDS);
/// - one HTTP client ([`crate::http`]), built once per process with its TLS configuration and
///   shared by every SDK client made from the returned config: on Lambda its trust anchors are
///   compiled in (no certificate files read), elsewhere the platform's;
/// - the rest as `aws_config::defaults` resolves it: `AWS_ENDPOINT_URL` (moto in the tests),
///   retry and timeout settings, profile files.
pub async fn sdk_config() -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
    if let Some(region) = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")) {
        loader = loader.region(Region::new(region));
    }
    if env("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The process's one HTTP client.
fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| HttpsClient::new(Roots::from_env()).shared())
        .clone()
}
