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
use http::StatusCode;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// Where the reference is served: `/docs` redirects to `/docs/`, assets live below it.
pub const DOCS_PATH: &str = "/docs";

/// The reference's routes. The page loads the document from `/openapi.json` as any client
/// does, so it always shows what the server really serves (one document, not a copy).
pub fn router() -> Router {
    let config = Config::from("/openapi.json")
        .try_it_out_enabled(true)
        .persist_authorization(true);
    Router::from(SwaggerUi::new(DOCS_PATH).config(config))
        .layer(axum::middleware::map_response(problem_for_missing_asset))
}

/// The crate answers an unknown asset (`/docs/nope.js`) with an empty 404; every other 404 of
/// the API is problem+json, so this one is too.
async fn problem_for_missing_asset(response: Response) -> Response {
    if response.status() == StatusCode::NOT_FOUND {
        ApiError::not_found("documentation asset").into_response()
    } else {
        response
    }
}
