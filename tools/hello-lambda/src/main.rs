//! coaching-hello-lambda: the smallest `lambda_http` function, as the cargo-lambda template
//! writes it (default tracing subscriber, one handler answering `200 {"status":"ok"}` to every
//! request). `scripts/bench-lambda` measures the api function's cold start and size against it.

use lambda_http::{Body, Error, Request, Response, run, service_fn};

async fn handler(_request: Request) -> Result<Response<Body>, Error> {
    let response = Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"status":"ok"}"#))?;
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    run(service_fn(handler)).await
}
