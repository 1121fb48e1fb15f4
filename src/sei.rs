//! Delivery to SEI: the webhook URL, the `Authorization` scheme, the `POST` of the payload with
//! the retries of [`crate::retry`], and what SEI answered, in words a user can act on. 202 (and
//! any 2xx) is success; the body SEI sends back is kept for the log.

use crate::retry::{self, Clock, Failed, Policy, Stop, Verdict};
use crate::secret::Secret;
use bytes::Bytes;
use std::cell::Cell;
use std::fmt;
use std::time::{Duration, SystemTime};

/// The webhook's path under the API base.
pub const WEBHOOK_PATH: &str = "/v1/custom-cicd";

/// How the key goes into `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Bearer` as the public page says, then `ApiKey` once on a 401/403.
    Auto,
    Bearer,
    ApiKey,
}

impl AuthScheme {
    /// The word that goes before the key.
    pub fn word(self) -> &'static str {
        match self {
            AuthScheme::Bearer | AuthScheme::Auto => "Bearer",
            AuthScheme::ApiKey => "ApiKey",
        }
    }

    /// The value of the `auth-scheme` input that pins this scheme.
    pub fn input_value(self) -> &'static str {
        match self {
            AuthScheme::Auto => "auto",
            AuthScheme::Bearer => "bearer",
            AuthScheme::ApiKey => "apikey",
        }
    }
}

/// The webhook URL for an `sei-url` input: a base gets `/v1/custom-cicd` appended, a URL that
/// already ends in it is kept. Only `http` and `https` URLs with a host are accepted.
pub fn endpoint(sei_url: &str) -> Result<String, String> {
    let trimmed = sei_url.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http:// and https:// URLs can be used".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must not carry a query or fragment".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "the URL must not carry a user or password (the key goes in `sei-token`)".into(),
        );
    }
    if trimmed.ends_with(WEBHOOK_PATH) {
        Ok(trimmed.to_owned())
    } else {
        Ok(format!("{trimmed}{WEBHOOK_PATH}"))
    }
}

/// What SEI answered to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// SEI's body, cut to a length fit for a log line.
    pub body: String,
    /// The scheme of the request that got this answer (`Auto` stands for its first, `Bearer`).
    pub scheme: AuthScheme,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The server's own words: the `payload`, `message` or `error` of a JSON body (SEI puts
    /// its reason for a 400 in `payload`), else the body.
    pub fn message(&self) -> String {
        let parsed: Option<serde_json::Value> = serde_json::from_str(&self.body).ok();
        parsed
            .as_ref()
            .and_then(|v| {
                ["payload", "message", "error"]
                    .iter()
                    .find_map(|k| v.get(k)?.as_str().filter(|s| !s.is_empty()))
            })
            .map(str::to_owned)
            .unwrap_or_else(|| self.body.clone())
    }
}

/// An attempt that did not get a 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// SEI answered with an error status.
    Status(Answer),
    /// No answer: connection refused, reset, cut off, timed out, TLS failed (`tls`: sending
    /// again would fail the same way).
    Transport { why: String, tls: bool },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status(a) => write!(f, "HTTP {}: {}", a.status, a.message()),
            Failure::Transport { why, .. } => write!(f, "no answer: {why}"),
        }
    }
}

impl Failure {
    /// True when sending the same bytes again cannot work: SEI refused the payload itself
    /// (400, 413), not the key, the URL or the moment.
    pub fn payload_refused(&self) -> bool {
        matches!(self, Failure::Status(a) if matches!(a.status, 400 | 413))
    }

    /// Whether to try again, and when.
    pub fn verdict(&self, now: SystemTime) -> Verdict {
        match self {
            Failure::Status(a) => retry::sei(a.status, a.retry_after.as_deref(), now),
            Failure::Transport { tls: true, .. } => Verdict::Final,
            Failure::Transport { .. } => Verdict::Retry { wait: None },
        }
    }
}

/// What a failure message says about the request besides SEI's answer.
pub struct Context<'a> {
    pub endpoint: &'a str,
    /// The `auth-scheme` input.
    pub scheme: AuthScheme,
    /// The `timeout` input.
    pub timeout: Duration,
    pub body_len: usize,
    /// What the payload holds, like `12 stages and 140 steps`.
    pub contents: &'a str,
}

/// Where and how to post.
#[derive(Debug, Clone, Copy)]
pub struct Webhook<'a> {
    /// The full URL, from [`endpoint`].
    pub endpoint: &'a str,
    pub token: &'a Secret,
    pub scheme: AuthScheme,
}

/// Sends `body` to the webhook under `policy`: retried on a busy server or a broken connection,
/// inside the deadline; under `auto`, a 401/403 to `Bearer` is sent again at once with `ApiKey`,
/// which the later attempts keep. `waiting` hears of each retry before its wait. Every request
/// shares `body`'s bytes: a big payload is never copied.
pub async fn deliver(
    client: &reqwest::Client,
    hook: &Webhook<'_>,
    body: &Bytes,
    policy: &Policy,
    clock: &impl Clock,
    waiting: impl FnMut(&Failure, u32, Duration),
) -> Result<Answer, Failed<Failure>> {
    let Webhook {
        endpoint,
        token,
        scheme,
    } = *hook;
    let current = Cell::new(scheme);
    let attempt = |_, limit: Duration| {
        let current = &current;
        async move {
            let exchange = async {
                let first = send(client, endpoint, token, current.get(), body).await?;
                if current.get() == AuthScheme::Auto && matches!(first.status, 401 | 403) {
                    current.set(AuthScheme::ApiKey);
                    return send(client, endpoint, token, AuthScheme::ApiKey, body).await;
                }
                Ok(first)
            };
            let failure = match tokio::time::timeout(limit, exchange).await {
                Ok(Ok(answer)) if answer.is_success() => return Ok(answer),
                Ok(Ok(answer)) => Failure::Status(answer),
                Ok(Err(f)) => f,
                Err(_) => Failure::Transport {
                    why: format!("no answer within {}", retry::human(limit)),
                    tls: false,
                },
            };
            let verdict = failure.verdict(SystemTime::now());
            Err((failure, verdict))
        }
    };
    retry::run(policy, clock, attempt, waiting).await
}

async fn send(
    client: &reqwest::Client,
    endpoint: &str,
    token: &Secret,
    scheme: AuthScheme,
    body: &Bytes,
) -> Result<Answer, Failure> {
    let mut auth =
        reqwest::header::HeaderValue::try_from(format!("{} {}", scheme.word(), token.expose()))
            .map_err(|_| Failure::Transport {
                why: "the SEI token cannot be sent in a header".into(),
                tls: true,
            })?;
    auth.set_sensitive(true);
    let transport = |e: reqwest::Error| Failure::Transport {
        tls: crate::http::is_tls_error(&e),
        why: crate::http::describe(&e),
    };
    let response = client
        .post(endpoint)
        .header(reqwest::header::AUTHORIZATION, auth)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body.clone())
        .send()
        .await
        .map_err(transport)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.map_err(transport)?;
    Ok(Answer {
        status,
        body: crate::http::snippet(&text, 500),
        scheme,
        retry_after,
    })
}

/// The API base of an endpoint: what `sei-url` should be.
fn base(endpoint: &str) -> &str {
    endpoint.strip_suffix(WEBHOOK_PATH).unwrap_or(endpoint)
}

/// One line that says what went wrong and what to do about it.
pub fn explain(failed: &Failed<Failure>, ctx: &Context) -> String {
    let tries = match failed.attempts {
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    };
    let took = retry::human(failed.elapsed);
    let stopped = match failed.stop {
        Stop::Final => String::new(),
        Stop::Attempts => format!(" (all {tries} of `max-attempts`, in {took})"),
        Stop::Deadline { asked: Some(wait) } => format!(
            " (after {tries}: SEI asked to wait {}, past the `timeout` of {})",
            retry::human(wait),
            retry::human(ctx.timeout)
        ),
        Stop::Deadline { asked: None } => format!(
            " (after {tries}, when the `timeout` of {} ran out)",
            retry::human(ctx.timeout)
        ),
    };
    let url_suffix = format!(" ({})", ctx.endpoint);
    match &failed.error {
        Failure::Transport { why, tls: true } => format!(
            "the TLS connection to SEI at {} failed: {why}. If a private CA signs the server's \
             certificate (a TLS-intercepting proxy, say), give that CA's certificate in `ca-cert` \
             or SSL_CERT_FILE",
            ctx.endpoint,
            why = why.trim_end_matches(&url_suffix)
        ),
        Failure::Transport { why, .. } => format!(
            "could not reach SEI at {}{stopped}: {}",
            ctx.endpoint,
            why.trim_end_matches(&url_suffix)
        ),
        Failure::Status(a) if retry::retryable_status(a.status) => format!(
            "SEI answered HTTP {} at {}{stopped}: {}",
            a.status,
            ctx.endpoint,
            a.message()
        ),
        Failure::Status(a) => match a.status {
            400 => format!(
                "SEI rejected the payload (HTTP 400): \"{}\". It is built from the run and from \
                 the inputs that override its fields (`pipeline`, `job-full-name`, \
                 `qualified-name`, `instance-name`): check those, else please report this as a bug",
                a.message()
            ),
            401 | 403 => {
                let how = match (ctx.scheme, a.scheme) {
                    (AuthScheme::Auto, AuthScheme::ApiKey) => {
                        "sent as `Bearer`, then as `ApiKey` (`auth-scheme: auto`)".to_owned()
                    }
                    (configured, used) => format!(
                        "sent as `{}` (`auth-scheme: {}`)",
                        used.word(),
                        configured.input_value()
                    ),
                };
                format!(
                    "SEI refused the key in `sei-token` (HTTP {}), {how}, at {}: check that the \
                     key is current and belongs to the SEI account of this region (`sei-url`), \
                     and which scheme your SEI expects (`auth-scheme`); SEI said: {}",
                    a.status,
                    base(ctx.endpoint),
                    a.message()
                )
            }
            404 => format!(
                "SEI answered HTTP 404 for POST {}: `sei-url` must be the base of your SEI API, \
                 like `https://app.harness.io/gratis/sei/api` (the path {WEBHOOK_PATH} is added \
                 to it), or the full webhook URL",
                ctx.endpoint
            ),
            413 => format!(
                "SEI refused the payload as too large (HTTP 413, {:.1} kB with {}): set \
                 `max-payload-bytes` under the limit (the steps of passed jobs go first), or \
                 `include-steps: false` to send the stages without their steps",
                ctx.body_len as f64 / 1000.0,
                ctx.contents
            ),
            s => format!(
                "SEI answered HTTP {s} for POST {}: {}",
                ctx.endpoint,
                a.message()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_accepts_a_base_or_the_full_url() {
        assert_eq!(
            endpoint("https://api.levelops.io").unwrap(),
            "https://api.levelops.io/v1/custom-cicd"
        );
        assert_eq!(
            endpoint("https://app.harness.io/gratis/sei/api/").unwrap(),
            "https://app.harness.io/gratis/sei/api/v1/custom-cicd"
        );
        assert_eq!(
            endpoint("https://app3.harness.io/sei/api/v1/custom-cicd").unwrap(),
            "https://app3.harness.io/sei/api/v1/custom-cicd"
        );
        assert!(endpoint("api.levelops.io").is_err());
        assert!(endpoint("ftp://x").is_err());
        assert!(endpoint("https://x/?a=1").is_err());
        let creds = endpoint("https://me:s3cret@x/").unwrap_err();
        assert!(
            !creds.contains("s3cret") && creds.contains("`sei-token`"),
            "{creds}"
        );
    }

    const ENDPOINT: &str = "https://app.harness.io/gratis/sei/api/v1/custom-cicd";

    fn answer(status: u16, body: &str, scheme: AuthScheme) -> Answer {
        Answer {
            status,
            body: body.into(),
            scheme,
            retry_after: None,
        }
    }

    fn failed(error: Failure, attempts: u32, stop: Stop) -> Failed<Failure> {
        Failed {
            error,
            attempts,
            stop,
            elapsed: Duration::from_millis(7400),
        }
    }

    fn ctx(scheme: AuthScheme) -> Context<'static> {
        Context {
            endpoint: ENDPOINT,
            scheme,
            timeout: Duration::from_secs(60),
            body_len: 1_234_567,
            contents: "1000 stages and 3000 steps",
        }
    }

    fn message(status: u16, body: &str, used: AuthScheme, configured: AuthScheme) -> String {
        let f = failed(Failure::Status(answer(status, body, used)), 1, Stop::Final);
        let m = explain(&f, &ctx(configured));
        assert!(!m.contains('\n'), "one line: {m}");
        m
    }

    #[test]
    fn bad_request_shows_the_servers_own_message() {
        let m = message(
            400,
            r#"{"payload":"job_name/pipeline field is missing in request"}"#,
            AuthScheme::ApiKey,
            AuthScheme::Auto,
        );
        assert!(m.contains("HTTP 400"), "{m}");
        assert!(
            m.contains("\"job_name/pipeline field is missing in request\""),
            "{m}"
        );
        assert!(m.contains("`pipeline`"), "{m}");
    }

    #[test]
    fn refused_key_names_the_token_the_scheme_and_the_region() {
        let m = message(
            401,
            r#"{"message":"bad key"}"#,
            AuthScheme::ApiKey,
            AuthScheme::Auto,
        );
        for needle in [
            "`sei-token`",
            "HTTP 401",
            "`Bearer`, then as `ApiKey` (`auth-scheme: auto`)",
            "at https://app.harness.io/gratis/sei/api:",
            "`sei-url`",
            "SEI said: bad key",
        ] {
            assert!(m.contains(needle), "{needle:?} in {m}");
        }
        let m = message(403, "Forbidden", AuthScheme::Bearer, AuthScheme::Bearer);
        assert!(m.contains("HTTP 403") && m.contains("sent as `Bearer` (`auth-scheme: bearer`)"));
    }

    #[test]
    fn not_found_names_the_url_called() {
        let m = message(404, "", AuthScheme::ApiKey, AuthScheme::ApiKey);
        assert!(m.contains(&format!("POST {ENDPOINT}")), "{m}");
        assert!(m.contains("`sei-url`"), "{m}");
    }

    #[test]
    fn too_large_says_how_to_shrink_it() {
        let m = message(413, "", AuthScheme::ApiKey, AuthScheme::ApiKey);
        assert!(
            m.contains("HTTP 413, 1234.6 kB with 1000 stages and 3000 steps"),
            "{m}"
        );
        assert!(m.contains("`include-steps: false`"), "{m}");
        assert!(m.contains("`max-payload-bytes`"), "{m}");
    }

    #[test]
    fn exhausted_retries_say_how_many_and_why_it_stopped() {
        let busy = Failure::Status(answer(503, "busy", AuthScheme::ApiKey));
        let m = explain(
            &failed(busy.clone(), 5, Stop::Attempts),
            &ctx(AuthScheme::Auto),
        );
        assert!(m.contains("HTTP 503") && m.contains("all 5 attempts of `max-attempts`, in 7.4 s"));
        let asked = Stop::Deadline {
            asked: Some(Duration::from_secs(120)),
        };
        let m = explain(&failed(busy, 1, asked), &ctx(AuthScheme::Auto));
        assert!(
            m.contains("asked to wait 2m 00s, past the `timeout` of 60 s"),
            "{m}"
        );
        let reset = Failure::Transport {
            why: "connection reset".into(),
            tls: false,
        };
        let m = explain(
            &failed(reset, 3, Stop::Deadline { asked: None }),
            &ctx(AuthScheme::Auto),
        );
        assert!(
            m.contains(&format!("could not reach SEI at {ENDPOINT}")),
            "{m}"
        );
        assert!(m.contains("when the `timeout` of 60 s ran out") && m.contains("reset"));
    }

    #[test]
    fn tls_failures_point_at_ca_cert() {
        let f = Failure::Transport {
            why: "invalid peer certificate: UnknownIssuer".into(),
            tls: true,
        };
        assert_eq!(f.verdict(SystemTime::now()), Verdict::Final);
        let m = explain(&failed(f, 1, Stop::Final), &ctx(AuthScheme::Auto));
        assert!(
            m.contains("`ca-cert`") && m.contains("SSL_CERT_FILE"),
            "{m}"
        );
    }

    #[test]
    fn what_is_retried() {
        let now = SystemTime::now();
        let status = |s| Failure::Status(answer(s, "", AuthScheme::ApiKey));
        assert_eq!(status(503).verdict(now), Verdict::Retry { wait: None });
        assert_eq!(status(413).verdict(now), Verdict::Final);
        let mut limited = answer(429, "", AuthScheme::ApiKey);
        limited.retry_after = Some("2".into());
        assert_eq!(
            Failure::Status(limited).verdict(now),
            Verdict::Retry {
                wait: Some(Duration::from_secs(2))
            }
        );
        let reset = Failure::Transport {
            why: "reset".into(),
            tls: false,
        };
        assert_eq!(reset.verdict(now), Verdict::Retry { wait: None });
    }
}
