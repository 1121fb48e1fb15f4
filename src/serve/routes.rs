//! The HTTP side: `POST /webhook` (deliveries), `GET /healthz`, `GET /readyz`, `GET /metrics`.
//! A delivery is answered at once, whatever GitHub's API and SEI are doing: its signature is
//! checked, what it asks for decided, and a run attempt to report put in the queue. Answers:
//! 202 taken for reporting, 200 `ping`, ignored and duplicates, 401 a missing or wrong
//! signature (the body not used), 413 a body over [`MAX_BODY`], 400 a `workflow_run` that names
//! no run, 503 a full queue or a stop under way (GitHub shows the delivery failed; the
//! redelivery pass asks for it again).

use super::event::{self, Decision};
use super::log::About;
use super::metrics::event_label;
use super::queue::Offer;
use super::Shared;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// The largest body taken: GitHub caps a delivery's payload at 25 MB, so no delivery it sends
/// is refused for its size. A `workflow_run` delivery is 20 to 40 kB.
pub(crate) const MAX_BODY: usize = 25 * 1024 * 1024;
/// Bodies being read at once hold at most this many bytes together (counted in KiB by their
/// `Content-Length`): memory stays bounded whatever is sent, signed or not.
pub(crate) const BODY_BUDGET_KIB: usize = 64 * 1024;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/webhook", post(webhook))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(shared)
}

fn answer(status: StatusCode, text: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        serde_json::json!({ "status": text }).to_string(),
    )
        .into_response()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// At most 100 characters of a header sent from outside, for the log.
fn short(text: &str) -> String {
    text.chars().take(100).collect()
}

async fn webhook(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let arrived = Instant::now();
    let event = header(&headers, "x-github-event").unwrap_or("").to_owned();
    let delivery = short(header(&headers, "x-github-delivery").unwrap_or(""));
    let about = About {
        delivery: (!delivery.is_empty()).then(|| delivery.clone()),
        ..About::default()
    };
    let Some(signature) = headers
        .get("x-hub-signature-256")
        .map(|v| v.as_bytes().to_vec())
    else {
        s.metrics
            .delivery(event_label(&event, false), "unauthorized");
        let why = super::signature::Refused::Missing.as_str();
        s.log
            .warn(&format!("refused a delivery (401): {why}"), &about);
        return answer(StatusCode::UNAUTHORIZED, why);
    };
    let length = header(&headers, "content-length").and_then(|v| v.parse::<usize>().ok());
    if length.is_some_and(|n| n > MAX_BODY) {
        s.metrics.delivery(event_label(&event, false), "too_large");
        s.log.warn(
            &format!("refused a delivery (413): its body is over {MAX_BODY} bytes"),
            &about,
        );
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
    }
    let kib = (length.unwrap_or(MAX_BODY) / 1024 + 1).min(BODY_BUDGET_KIB) as u32;
    let Ok(_budget) = s.budget.acquire_many(kib).await else {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "stopping");
    };
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            s.metrics.delivery(event_label(&event, false), "too_large");
            s.log.warn(
                "refused a delivery (413): its body is over the limit or broke off",
                &about,
            );
            return answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large or cut");
        }
    };
    if let Err(refused) = s.key.check(Some(&signature), &body) {
        s.metrics
            .delivery(event_label(&event, false), "unauthorized");
        let why = refused.as_str();
        s.log
            .warn(&format!("refused a delivery (401): {why}"), &about);
        return answer(StatusCode::UNAUTHORIZED, why);
    }
    let label = event_label(&event, true);
    match event::decide(&event, &body) {
        Decision::Ping => {
            s.metrics.delivery(label, "ping");
            s.log.info("ping: the webhook reaches this server", &about);
            answer(StatusCode::OK, "pong")
        }
        Decision::Ignore(why) => {
            s.metrics.delivery(label, "ignored");
            s.log.debug(&format!("ignored: {why}"), &about);
            answer(StatusCode::OK, "ignored")
        }
        Decision::Bad(why) => {
            s.metrics.delivery(label, "bad_request");
            s.log
                .warn(&format!("refused a delivery (400): {why}"), &about);
            answer(
                StatusCode::BAD_REQUEST,
                "not a workflow_run this server can report",
            )
        }
        Decision::Report(wanted) => {
            let t = &wanted.target;
            let about = About {
                repository: Some(t.repo.to_string()),
                run_id: Some(t.id),
                run_attempt: t.attempt,
                ..about
            };
            match s.intake.offer(delivery, *wanted, arrived) {
                Offer::Taken => {
                    s.metrics.delivery(label, "accepted");
                    s.log.info("accepted: queued for reporting", &about);
                    answer(StatusCode::ACCEPTED, "accepted")
                }
                Offer::Duplicate(what) => {
                    s.metrics.delivery(label, "duplicate");
                    s.log.info(
                        &format!("duplicate: this {what} was taken already; not reported again"),
                        &about,
                    );
                    answer(StatusCode::OK, "duplicate")
                }
                Offer::Full => {
                    s.metrics.delivery(label, "queue_full");
                    s.log.warn(
                        &format!(
                            "refused (503): the queue is full ({} waiting); GitHub shows the \
                             delivery failed and the redelivery pass asks for it again",
                            s.intake.capacity()
                        ),
                        &about,
                    );
                    answer(StatusCode::SERVICE_UNAVAILABLE, "queue full")
                }
                Offer::Closed => {
                    s.metrics.delivery(label, "stopping");
                    s.log.warn(
                        "refused (503): stopping; the redelivery pass or the sweep takes it",
                        &about,
                    );
                    answer(StatusCode::SERVICE_UNAVAILABLE, "stopping")
                }
            }
        }
    }
}

async fn healthz() -> Response {
    answer(StatusCode::OK, "ok")
}

/// Ready while deliveries are taken: started, not stopping, and room in the queue.
async fn readyz(State(s): State<Arc<Shared>>) -> Response {
    if !s.ready.load(Ordering::SeqCst) {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "not ready");
    }
    if s.intake.depth() >= s.intake.capacity() {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "queue full");
    }
    answer(StatusCode::OK, "ready")
}

async fn metrics(State(s): State<Arc<Shared>>) -> Response {
    let text = s.metrics.render(
        s.intake.depth(),
        s.intake.capacity(),
        s.ready.load(Ordering::SeqCst),
    );
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4")],
        text,
    )
        .into_response()
}
