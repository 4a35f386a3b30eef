//! The HTTP client of every AWS SDK client built from [`crate::sdk_config`]: hyper 1 over rustls
//! (aws-lc-rs), HTTP/1.1, one connection pool per process, and a TLS root store built once.
//!
//! Why not the SDK's own client (`aws-smithy-http-client`): its trust store is the platform's
//! (rustls-native-certs: the CA bundle file and every file of the CA directory, PEM-decoded) or
//! PEM certificates, and it rebuilds the root store for every SDK client it is validated for.
//! That was most of a Lambda function's cold start (docs/lambda.md). Its
//! TLS configuration cannot be replaced; the SDK's advice is to bring an HTTP client of one's
//! own, which this is. On Lambda the roots are the Mozilla root program compiled in
//! (`webpki-roots`: no file read, no parsing); see [`Roots`].
//!
//! Like the SDK's client it applies the connect timeout (DNS, TCP and TLS) and the read timeout
//! (to the response headers) of each operation, and sorts failures so that the SDK retries
//! what it would retry. Unlike it: HTTP/1.1 only (all DynamoDB needs), and `HTTP(S)_PROXY` are
//! not honoured.

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::ErrorKind;
use http::Uri;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::collections::HashMap;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

/// Where the TLS trust anchors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The Mozilla root program as compiled into the binary (`webpki-roots`).
    Compiled,
    /// The platform's store, as rustls-native-certs reads it (honours `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR`): what the SDK's own client uses.
    Platform,
}

impl Roots {
    /// Compiled on Lambda (whose platform store, the ca-certificates package, is Mozilla's list
    /// too, only read from PEM files at every cold start), unless `SSL_CERT_FILE` or
    /// `SSL_CERT_DIR` name certificates to trust; the platform's everywhere else (developer
    /// machines may trust a CA of their own).
    pub(crate) fn from_env() -> Roots {
        Roots::choose(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    }

    fn choose(is_set: impl Fn(&str) -> bool) -> Roots {
        if is_set("AWS_LAMBDA_FUNCTION_NAME") && !is_set("SSL_CERT_FILE") && !is_set("SSL_CERT_DIR")
        {
            Roots::Compiled
        } else {
            Roots::Platform
        }
    }

    fn store(self) -> rustls::RootCertStore {
        match self {
            Roots::Compiled => rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
            Roots::Platform => {
                let loaded = rustls_native_certs::load_native_certs();
                for error in &loaded.errors {
                    tracing::warn!(%error, "loading the platform's root certificates");
                }
                let mut store = rustls::RootCertStore::empty();
                let (_, invalid) = store.add_parsable_certificates(loaded.certs);
                if invalid > 0 {
                    tracing::debug!(invalid, "platform root certificates skipped");
                }
                if store.is_empty() {
                    tracing::warn!("no platform root certificates: HTTPS requests will fail");
                }
                store
            }
        }
    }
}

/// The HTTP client: one TLS configuration, and one hyper client (one pool) per connect timeout
/// the SDK asks for (in practice one).
#[derive(Debug)]
pub(crate) struct HttpsClient {
    tls: Arc<rustls::ClientConfig>,
    by_connect_timeout: Mutex<HashMap<Option<Duration>, HyperClient>>,
}

type HyperClient = Client<ConnectTimeout<HttpsConnector<TcpConnector>>, SdkBody>;

impl HttpsClient {
    pub(crate) fn new(roots: Roots) -> HttpsClient {
        HttpsClient::with_roots(roots.store())
    }

    fn with_roots(roots: rustls::RootCertStore) -> HttpsClient {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("aws-lc-rs supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        HttpsClient {
            tls: Arc::new(tls),
            by_connect_timeout: Mutex::default(),
        }
    }

    pub(crate) fn shared(self) -> SharedHttpClient {
        SharedHttpClient::new(self)
    }

    fn hyper_client(&self, connect_timeout: Option<Duration>) -> HyperClient {
        let mut clients = self
            .by_connect_timeout
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        clients
            .entry(connect_timeout)
            .or_insert_with(|| {
                let mut tcp = TcpConnector::new();
                tcp.enforce_http(false);
                tcp.set_nodelay(true);
                let https = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config((*self.tls).clone())
                    .https_or_http()
                    .enable_http1()
                    .wrap_connector(tcp);
                Client::builder(TokioExecutor::new())
                    .pool_timer(TokioTimer::new())
                    .build(ConnectTimeout {
                        inner: https,
                        timeout: connect_timeout,
                    })
            })
            .clone()
    }
}

impl HttpClient for HttpsClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(Connector {
            client: self.hyper_client(settings.connect_timeout()),
            read_timeout: settings.read_timeout(),
        })
    }
}

/// One SDK operation's view of the client: its pool and its read timeout (request sent to
/// response headers received, as in the SDK's client).
#[derive(Debug)]
struct Connector {
    client: HyperClient,
    read_timeout: Option<Duration>,
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let sending = self.client.request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let response = match read_timeout {
                None => sending.await,
                Some(limit) => tokio::time::timeout(limit, sending)
                    .await
                    .map_err(|_| ConnectorError::timeout(TimedOut("read", limit).into()))?,
            }
            .map_err(classify)?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// Sorts a failed request the way the SDK's own client does, so that the retry strategy treats
/// it alike: timeouts, I/O and connection failures (retried), misuse, anything else.
fn classify(error: hyper_util::client::legacy::Error) -> ConnectorError {
    let error: BoxError = error.into();
    if find::<TimedOut>(error.as_ref()).is_some() {
        return ConnectorError::timeout(error);
    }
    if let Some(hyper_error) = find::<hyper::Error>(error.as_ref()) {
        if hyper_error.is_timeout() {
            return ConnectorError::timeout(error);
        }
        if hyper_error.is_user() {
            return ConnectorError::user(error);
        }
        if hyper_error.is_incomplete_message() {
            return ConnectorError::other(error, Some(ErrorKind::TransientError));
        }
        if hyper_error.is_closed() || hyper_error.is_canceled() {
            return ConnectorError::io(error);
        }
    }
    let connect = find::<hyper_util::client::legacy::Error>(error.as_ref())
        .is_some_and(hyper_util::client::legacy::Error::is_connect);
    if connect || find::<std::io::Error>(error.as_ref()).is_some() {
        return ConnectorError::io(error);
    }
    ConnectorError::other(error, None)
}

fn find<'a, E: Error + 'static>(mut error: &'a (dyn Error + 'static)) -> Option<&'a E> {
    loop {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        error = error.source()?;
    }
}

/// A connect or read timeout that expired.
#[derive(Debug)]
struct TimedOut(&'static str, Duration);

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {} timeout ({:?}) expired", self.0, self.1)
    }
}

impl Error for TimedOut {}

/// Bounds connection establishment (DNS, TCP and the TLS handshake) by the connect timeout.
#[derive(Debug, Clone)]
struct ConnectTimeout<C> {
    inner: C,
    timeout: Option<Duration>,
}

impl<C> tower::Service<Uri> for ConnectTimeout<C>
where
    C: tower::Service<Uri> + Send,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match timeout {
                None => connecting.await.map_err(Into::into),
                Some(limit) => match tokio::time::timeout(limit, connecting).await {
                    Ok(connected) => connected.map_err(Into::into),
                    Err(_) => Err(TimedOut("connect", limit).into()),
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    #[test]
    fn compiled_roots_on_lambda_unless_certificates_are_named() {
        let with = |names: &'static [&'static str]| Roots::choose(move |n| names.contains(&n));
        assert_eq!(with(&["AWS_LAMBDA_FUNCTION_NAME"]), Roots::Compiled);
        assert_eq!(with(&[]), Roots::Platform);
        assert_eq!(
            with(&["AWS_LAMBDA_FUNCTION_NAME", "SSL_CERT_FILE"]),
            Roots::Platform
        );
        assert_eq!(
            with(&["AWS_LAMBDA_FUNCTION_NAME", "SSL_CERT_DIR"]),
            Roots::Platform
        );
    }

    #[test]
    fn the_compiled_roots_include_amazons() {
        let store = Roots::Compiled.store();
        assert!(store.len() > 100, "{} roots", store.len());
        // Amazon Root CA 1, the root of the DynamoDB endpoints' certificates.
        let amazon = store
            .roots
            .iter()
            .filter(|anchor| {
                anchor
                    .subject
                    .as_ref()
                    .windows(b"Amazon Root CA 1".len())
                    .any(|w| w == b"Amazon Root CA 1")
            })
            .count();
        assert_eq!(amazon, 1);
    }

    /// A loopback server that answers one connection with `response` (after reading the request
    /// head), or never answers when `response` is `None`.
    async fn server(response: Option<&'static str>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.unwrap();
                if n == 0 {
                    return;
                }
                head.extend_from_slice(&buf[..n]);
            }
            match response {
                Some(response) => socket.write_all(response.as_bytes()).await.unwrap(),
                None => tokio::time::sleep(Duration::from_secs(30)).await,
            }
        });
        format!("http://{addr}/")
    }

    fn connector(read_timeout: Option<Duration>) -> Connector {
        connector_with(HttpsClient::new(Roots::Compiled), read_timeout)
    }

    fn connector_with(client: HttpsClient, read_timeout: Option<Duration>) -> Connector {
        Connector {
            client: client.hyper_client(Some(Duration::from_secs(2))),
            read_timeout,
        }
    }

    fn get(uri: &str) -> HttpRequest {
        HttpRequest::try_from(
            http::Request::get(uri)
                .header("x-test", "1")
                .body(SdkBody::from("payload"))
                .unwrap(),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_response_comes_back_with_its_status_headers_and_body() {
        let uri = server(Some(
            "HTTP/1.1 201 Created\r\nx-answer: 42\r\ncontent-length: 5\r\n\r\nhello",
        ))
        .await;
        let response = connector(None).call(get(&uri)).await.unwrap();
        assert_eq!(response.status().as_u16(), 201);
        assert_eq!(response.headers().get("x-answer"), Some("42"));
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"hello");
    }

    #[tokio::test]
    async fn no_answer_within_the_read_timeout_is_a_timeout() {
        let uri = server(None).await;
        let error = connector(Some(Duration::from_millis(100)))
            .call(get(&uri))
            .await
            .unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
    }

    #[tokio::test]
    async fn a_refused_connection_is_an_io_error_the_sdk_retries() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        let error = connector(None).call(get(&uri)).await.unwrap_err();
        assert!(error.is_io(), "{error:?}");
    }

    #[tokio::test]
    async fn a_connection_closed_before_the_response_is_a_transient_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            drop(socket);
        });
        let error = connector(None).call(get(&uri)).await.unwrap_err();
        assert!(
            error.is_io() || error.as_other() == Some(ErrorKind::TransientError),
            "{error:?}"
        );
    }

    // TEST ONLY: a CA and a certificate for localhost and 127.0.0.1 it signed (P-256, valid
    // until 2126), made with openssl for these tests.
    const TEST_CA: &str = include_str!("../tests/fixtures/tls/ca.pem");
    const TEST_CERT: &str = include_str!("../tests/fixtures/tls/localhost.pem");
    const TEST_KEY: &str = include_str!("../tests/fixtures/tls/localhost.key");

    /// A loopback HTTPS server (the test certificate) answering one connection with 200 "tls".
    async fn tls_server() -> String {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(TEST_CERT.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(TEST_KEY.as_bytes()).unwrap(),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let Ok(mut tls) = acceptor.accept(socket).await else {
                return;
            };
            let mut buf = [0u8; 1024];
            let _ = tls.read(&mut buf).await.unwrap();
            tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\ntls")
                .await
                .unwrap();
            tls.flush().await.unwrap();
        });
        format!("https://localhost:{port}/")
    }

    #[tokio::test]
    async fn https_works_with_a_trusted_root() {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(TEST_CA.as_bytes()).unwrap())
            .unwrap();
        let uri = tls_server().await;
        let response = connector_with(HttpsClient::with_roots(roots), None)
            .call(get(&uri))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"tls");
    }

    #[tokio::test]
    async fn the_compiled_roots_refuse_an_unknown_ca() {
        let uri = tls_server().await;
        let error = connector(None).call(get(&uri)).await.unwrap_err();
        let text = format!("{:?}", error.into_source());
        assert!(text.contains("UnknownIssuer"), "{text}");
    }
}
