//! Sending a body to SEI the way every command does, with the settings checked from the inputs
//! they share ([`Delivery`], in [`crate::config`]): the client with the trusted roots, the retries said in the
//! log, the answer shown, the `auto` scheme's outcome turned into a notice, and a failure
//! explained in words a user can act on. The callers add what only they know (where the payload
//! is kept, how to send it again).

use crate::config::Delivery;
use crate::retry::SystemClock;
use crate::runner::Runner;
use crate::sei::{self, Answer, KeyKind};

/// A body SEI did not take.
#[derive(Debug)]
pub(crate) struct Undelivered {
    /// The last HTTP status SEI answered, if it answered at all.
    pub http_status: Option<u16>,
    /// The whole explanation, for the error annotation.
    pub message: String,
    /// The failure in a few words, for the summary.
    pub short: String,
    /// SEI refused this body (400, 413...): sending it again unchanged will not help.
    pub payload_refused: bool,
}

/// The HTTP client for SEI: the public roots, the system's, and `ca-cert`'s; it never follows a
/// redirect (a 3xx is a failure that names where it pointed).
pub(crate) fn client(d: &Delivery) -> Result<reqwest::Client, Undelivered> {
    crate::http::client(&d.ca_certs, crate::http::Redirects::Never).map_err(|e| Undelivered {
        http_status: None,
        message: format!("{e:#}"),
        short: format!("{e:#}"),
        payload_refused: false,
    })
}

/// The longest the instance check may take: it runs beside GitHub's reads and must not hold
/// the report up.
pub(crate) const INSTANCE_CHECK_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Asks SEI whether the instance `guid` will keep the runs reported to it, alongside the other
/// requests of a report; says in a debug line when it cannot tell.
pub(crate) async fn check_instance(
    d: &Delivery,
    client: &reqwest::Client,
    guid: &str,
    runner: &Runner,
) -> sei::Instance {
    let limit = d
        .policy
        .attempt_timeout(std::time::Duration::ZERO)
        .min(INSTANCE_CHECK_LIMIT);
    let found = sei::instance(
        client,
        &d.sei_base,
        guid,
        &d.sei_token,
        d.auth_scheme,
        limit,
    )
    .await;
    if let sei::Instance::Unchecked(why) = &found {
        runner.debug(&format!(
            "Could not check instance {guid} in SEI ({why}): reporting without the check"
        ));
    }
    found
}

/// What a payload holds, for messages: `12 stages and 80 steps`.
pub(crate) fn contents(stages: usize, steps: usize) -> String {
    format!("{stages} stages and {steps} steps")
}

/// Posts `body` with the retry policy over `client` (made with [`client`]); `contents` says
/// what it holds ("12 stages and 80 steps") for a message about its size.
pub(crate) async fn send(
    d: &Delivery,
    client: &reqwest::Client,
    runner: &Runner,
    clock: &SystemClock,
    body: &bytes::Bytes,
    contents: &str,
) -> Result<Answer, Undelivered> {
    let waiting = |f: &sei::Failure, n: u32, wait| {
        runner.info(&d.policy.retry_line(format_args!("SEI: {f}"), n, wait))
    };
    let webhook = sei::Webhook {
        endpoint: &d.sei_endpoint,
        token: &d.sei_token,
        scheme: d.auth_scheme,
    };
    match sei::deliver(client, &webhook, body, &d.policy, clock, waiting).await {
        Ok(answer) => {
            runner.info(&format!(
                "Delivered to {}: HTTP {} {}",
                d.sei_endpoint, answer.status, answer.body
            ));
            Ok(answer)
        }
        Err(failed) => {
            let ctx = sei::Context {
                endpoint: &d.sei_endpoint,
                scheme: d.auth_scheme,
                key: KeyKind::of(d.sei_token.expose()),
                default_base: d.default_base,
                timeout: d.policy.timeout,
                body_len: body.len(),
                contents,
            };
            Err(Undelivered {
                http_status: match &failed.error {
                    sei::Failure::Status(a) | sei::Failure::KeyOrRegion(a) => Some(a.status),
                    sei::Failure::Redirect { status, .. } => Some(*status),
                    _ => None,
                },
                message: sei::explain(&failed, &ctx),
                short: failed.error.to_string(),
                payload_refused: failed.error.payload_refused(),
            })
        }
    }
}
