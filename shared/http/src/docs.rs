//! `GET /docs`: the interactive API reference (Swagger UI) of the served OpenAPI document.
//!
//! The assets are compiled into the binary by `utoipa-swagger-ui` with its `vendored` feature:
//! nothing is fetched from a CDN when the page loads, nor downloaded when the crate builds.
//! Only `coaching-local` serves it ([`crate::router_with_docs`]): the assets are about 4.3 MB
//! (1.1 MB deflated), which would take the api Lambda function's zip from under 4 MB to the
//! edge of its 5 MB goal; there the document itself is open at `GET /openapi.json`.

use crate::problem::ApiError;
use axum::Router;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// Where the reference is served: `/docs` redirects to `/docs/`, assets live below it.
pub const DOCS_PATH: &str = "/docs";

/// The reference's routes. The page loads the document from `/openapi.json` as any client
/// does, so it always shows what the server really serves (one document, not a copy).
pub fn router() -> Router {
    // The bearer token a reader pastes into "Authorize" lives only as long as the page: not
    // persisted in localStorage, where any script of the origin could read it later.
    let config = Config::from("/openapi.json")
        .try_it_out_enabled(true)
        .persist_authorization(false);
    let header =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    Router::from(SwaggerUi::new(DOCS_PATH).config(config))
        .layer(axum::middleware::map_response(problem_for_missing_asset))
        .layer(header(header::CONTENT_SECURITY_POLICY, DOCS_CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
}

/// The reference's Content-Security-Policy: its own scripts, styles and the document only, no
/// inline script, never framed. Swagger UI sets inline `style` attributes and draws its icons
/// as `data:` SVGs, hence those two allowances (neither can run code).
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// The crate answers an unknown asset (`/docs/nope.js`) with an empty 404; every other 404 of
/// the API is problem+json, so this one is too.
async fn problem_for_missing_asset(response: Response) -> Response {
    if response.status() == StatusCode::NOT_FOUND {
        ApiError::not_found("documentation asset").into_response()
    } else {
        response
    }
}
