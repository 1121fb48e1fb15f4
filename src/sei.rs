//! Delivery to SEI: the webhook URL, the `Authorization` scheme, the `POST` of the payload with
//! the retries of [`crate::retry`], and what SEI answered, in words a user can act on. 202 (and
//! any 2xx) is success; the beginning of the body SEI sends back is kept for the log
//! ([`crate::http::SEI_ANSWER_KEPT`]). A redirect is never followed: a 3xx is a failure that names
//! where it pointed ([`Failure::Redirect`]).

use crate::retry::{self, Clock, Failed, Policy, Stop, Verdict};
use crate::secret::Secret;
use bytes::Bytes;
use std::cell::Cell;
use std::time::{Duration, SystemTime};

/// The webhook's path under the API base.
pub(crate) const WEBHOOK_PATH: &str = "/v1/custom-cicd";
/// The instances' path under the API base (`GET .../{id}`, `POST` to register one).
pub(crate) const INSTANCES_PATH: &str = "/v1/cicd/instances";

/// SEI's API bases by region, as Harness's integration page lists them, for messages.
pub(crate) const REGIONS: &[(&str, &str)] = &[
    ("PROD1", "https://app.harness.io/prod1/sei/api/v1/"),
    ("PROD2", "https://app.harness.io/gratis/sei/api/v1/"),
    ("PROD3", "https://app3.harness.io/sei/api/v1/"),
    ("PROD4", "https://prod4.harness.io/sei/api/v1/"),
    ("EU", "https://accounts.eu.harness.io/sei/api/v1/"),
];

/// How the key goes into `Authorization`: the `auth-scheme` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthScheme {
    /// Chosen from the key itself ([`AuthScheme::for_key`]).
    Auto,
    Bearer,
    ApiKey,
}

/// What a key looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// An SEI API key: base64 of a JSON object (`{"company":..,"id":..,"key":..}`).
    ApiKey,
    /// A JWT (three dot-separated base64url parts): a login session token.
    Jwt,
    /// Neither.
    Other,
}

impl KeyKind {
    /// Tells an SEI API key from a JWT by their shape; the key is never shown.
    pub(crate) fn of(key: &str) -> KeyKind {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        use base64::Engine;
        let json_object = |bytes: Vec<u8>| {
            matches!(
                serde_json::from_slice::<serde_json::Value>(&bytes),
                Ok(serde_json::Value::Object(_))
            )
        };
        let key = key.trim();
        let parts: Vec<&str> = key.split('.').collect();
        let base64url = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if parts.len() == 3
            && parts.iter().all(|p| base64url(p))
            && URL_SAFE_NO_PAD.decode(parts[0]).is_ok_and(json_object)
        {
            return KeyKind::Jwt;
        }
        if STANDARD.decode(key).is_ok_and(json_object) {
            return KeyKind::ApiKey;
        }
        KeyKind::Other
    }

    /// How the key is described in messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeyKind::ApiKey => "the key looks like an SEI API key",
            KeyKind::Jwt => "the key looks like a login session token (a JWT)",
            KeyKind::Other => "the key looks like neither an SEI API key nor a JWT",
        }
    }
}

impl AuthScheme {
    /// The scheme a request carries: `auto` sends a JWT as `Bearer` and anything else as
    /// `ApiKey`, the only scheme SEI's server takes an API key with.
    pub(crate) fn for_key(self, key: &str) -> AuthScheme {
        match self {
            AuthScheme::Auto if KeyKind::of(key) == KeyKind::Jwt => AuthScheme::Bearer,
            AuthScheme::Auto => AuthScheme::ApiKey,
            pinned => pinned,
        }
    }

    /// The word that goes before the key (of a scheme chosen with [`AuthScheme::for_key`]).
    pub(crate) fn word(self) -> &'static str {
        match self {
            AuthScheme::Bearer => "Bearer",
            AuthScheme::ApiKey | AuthScheme::Auto => "ApiKey",
        }
    }

    /// The value of the `auth-scheme` input that pins this scheme.
    pub(crate) fn input_value(self) -> &'static str {
        match self {
            AuthScheme::Auto => "auto",
            AuthScheme::Bearer => "bearer",
            AuthScheme::ApiKey => "apikey",
        }
    }
}

/// The API base for an `sei-url` input, as users paste it: with or without `/v1`, with or
/// without the trailing `/`, or the full webhook URL, all give the same base (no `/v1`, no
/// trailing `/`). Only `http` and `https` URLs with a host are accepted.
pub(crate) fn base(sei_url: &str) -> Result<String, String> {
    let trimmed = sei_url.trim().trim_end_matches('/');
    if !trimmed.contains("://") {
        return Err(format!(
            "the URL has no scheme: add https://, like `https://{trimmed}`"
        ));
    }
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
    let without_hook = trimmed.strip_suffix(WEBHOOK_PATH).unwrap_or(trimmed);
    let without_v1 = without_hook.trim_end_matches('/');
    let base = without_v1.strip_suffix("/v1").unwrap_or(without_v1);
    Ok(base.trim_end_matches('/').to_owned())
}

/// The webhook URL for an `sei-url` input: `<base>/v1/custom-cicd` (see [`base`]).
#[cfg(test)]
pub(crate) fn endpoint(sei_url: &str) -> Result<String, String> {
    Ok(format!("{}{WEBHOOK_PATH}", base(sei_url)?))
}

/// The API base of a webhook URL made by [`endpoint`].
pub(crate) fn base_of(endpoint: &str) -> &str {
    endpoint.strip_suffix(WEBHOOK_PATH).unwrap_or(endpoint)
}

/// What SEI answered to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub status: u16,
    /// SEI's body, cut to a length fit for a log line.
    pub body: String,
    /// The scheme of the request that got this answer (`Bearer` or `ApiKey`).
    pub scheme: AuthScheme,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
}

impl Answer {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The server's own words: the `payload`, `message` or `error` of a JSON body (SEI puts
    /// its reason for a 400 in `payload`), else the body.
    pub(crate) fn message(&self) -> String {
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

/// An attempt that did not get a 2xx, and how it reads in a retry line and a summary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Failure {
    /// SEI answered with an error status.
    #[error("HTTP {}: {}", .0.status, .0.message())]
    Status(Answer),
    /// SEI answered the first request 401, or 500 every time it was tried: SEI's server answers
    /// so a key it cannot take (a key sent with the wrong scheme, a key of another region, a
    /// key that is not one), so trying on would only spend the deadline.
    #[error(
        "HTTP {} to every try: most likely the key or its region: {}",
        .0.status,
        .0.message()
    )]
    KeyOrRegion(Answer),
    /// No answer: reset, cut off, timed out, TLS failed (`tls`: sending again would fail the
    /// same way).
    #[error("no answer: {why}")]
    Transport { why: String, tls: bool },
    /// The server cannot be reached at all (its name does not resolve, nothing listens): not
    /// worth the retries of a report's deadline.
    #[error("no answer: {}", .0.describe("SEI"))]
    Unreachable(crate::http::Unreachable),
    /// `sei-url` answered with a redirect (3xx), never followed: a 301, 302 or 303 would turn
    /// the POST into a GET of another page, a 307 or 308 send the payload and the key to
    /// another address.
    #[error(
        "HTTP {status}, a redirect to {}, not followed",
        .location.as_deref().unwrap_or("(no Location)")
    )]
    Redirect {
        status: u16,
        /// The `Location` it pointed at, shortened for a message.
        location: Option<String>,
    },
}

impl Failure {
    /// True when sending the same bytes again cannot work: SEI refused the payload itself
    /// (400, 413), not the key, the URL or the moment.
    pub(crate) fn payload_refused(&self) -> bool {
        matches!(self, Failure::Status(a) if matches!(a.status, 400 | 413))
    }

    /// Whether to try again, and when.
    pub(crate) fn verdict(&self, now: SystemTime) -> Verdict {
        match self {
            Failure::Status(a) => retry::sei(a.status, a.retry_after.as_deref(), now),
            Failure::KeyOrRegion(_) => Verdict::Final,
            Failure::Transport { tls: true, .. }
            | Failure::Unreachable(_)
            | Failure::Redirect { .. } => Verdict::Final,
            Failure::Transport { .. } => Verdict::Retry { wait: None },
        }
    }
}

/// What a failure message says about the request besides SEI's answer.
pub(crate) struct Context<'a> {
    pub endpoint: &'a str,
    /// The `auth-scheme` input.
    pub scheme: AuthScheme,
    /// What the key looks like, for `auto`'s choice.
    pub key: KeyKind,
    /// `sei-url` was not given: the default base was used.
    pub default_base: bool,
    /// The `timeout` input.
    pub timeout: Duration,
    pub body_len: usize,
    /// What the payload holds, like `12 stages and 140 steps`.
    pub contents: &'a str,
}

/// Where and how to post.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Webhook<'a> {
    /// The full URL, from [`endpoint`].
    pub endpoint: &'a str,
    pub token: &'a Secret,
    pub scheme: AuthScheme,
}

/// How many times the first request is tried while SEI answers it 500 (what SEI's server
/// answers a key it cannot take) before the report stops, instead of spending every attempt.
pub(crate) const KEY_OR_REGION_ATTEMPTS: u32 = 2;

/// Sends `body` to the webhook under `policy`: retried on a busy server or a broken connection,
/// inside the deadline; a first request answered 401, or 500 [`KEY_OR_REGION_ATTEMPTS`] times in
/// a row, stops as [`Failure::KeyOrRegion`]. The scheme is the one `hook.scheme` resolves to
/// for the key ([`AuthScheme::for_key`]): never another. `waiting` hears of each retry before
/// its wait. Every request shares `body`'s bytes: a big payload is never copied.
pub(crate) async fn deliver(
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
    let scheme = scheme.for_key(token.expose());
    // Whether every answer so far was 500 or 401: how SEI answers a key it cannot take.
    let key_suspect = Cell::new(true);
    let attempt =
        |made: u32, limit: Duration| {
            let key_suspect = &key_suspect;
            async move {
                let failure =
                    match tokio::time::timeout(limit, send(client, endpoint, token, scheme, body))
                        .await
                    {
                        Ok(Ok(answer)) if answer.is_success() => return Ok(answer),
                        Ok(Ok(answer)) => {
                            // 401 is a refusal: never the same key and scheme again. 500 may pass, so
                            // it is tried once more before it counts as a key SEI cannot take.
                            let first = key_suspect.get() && matches!(answer.status, 401 | 500);
                            key_suspect.set(first);
                            if first && (answer.status == 401 || made >= KEY_OR_REGION_ATTEMPTS) {
                                Failure::KeyOrRegion(answer)
                            } else {
                                Failure::Status(answer)
                            }
                        }
                        Ok(Err(f)) => {
                            key_suspect.set(false);
                            f
                        }
                        Err(_) => {
                            key_suspect.set(false);
                            Failure::Transport {
                                why: format!("no answer within {}", crate::time::human(limit)),
                                tls: false,
                            }
                        }
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
    let transport = |e: reqwest::Error| match crate::http::Unreachable::of(&e) {
        Some(u) => Failure::Unreachable(u),
        None => Failure::Transport {
            tls: crate::http::is_tls_error(&e),
            why: crate::http::describe(&e),
        },
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
    if response.status().is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| crate::http::snippet(&String::from_utf8_lossy(v.as_bytes()), 200));
        return Err(Failure::Redirect { status, location });
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (text, _) = crate::http::read_kept(response, crate::http::SEI_ANSWER_KEPT)
        .await
        .map_err(transport)?;
    Ok(Answer {
        status,
        body: crate::http::snippet(&text, 500),
        scheme,
        retry_after,
    })
}

/// What SEI says of the instance a report names, asked before sending: SEI answers 202 to a
/// report of an instance it does not know (or one with no integration attached) and then drops
/// it without a word, so this is the only way to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Instance {
    /// Registered, with an integration: its runs are stored.
    Ready,
    /// `GET .../v1/cicd/instances/{id}` answered 404.
    Unknown,
    /// Registered, but no integration is attached.
    NoIntegration,
    /// The check could not tell (the key may not read instances, SEI was busy...): the report
    /// goes ahead. Why, for a debug line.
    Unchecked(String),
}

impl Instance {
    /// Reads SEI's answer to the look-up.
    pub(crate) fn from_answer(status: u16, body: &str) -> Instance {
        match status {
            200..=299 => {
                let v: Option<serde_json::Value> = serde_json::from_str(body).ok();
                let integration = v.as_ref().and_then(|v| v.get("integration_id"));
                let attached = match integration {
                    Some(serde_json::Value::String(s)) => !s.trim().is_empty(),
                    Some(serde_json::Value::Number(_)) => true,
                    _ => false,
                };
                match v {
                    Some(serde_json::Value::Object(_)) if attached => Instance::Ready,
                    Some(serde_json::Value::Object(_)) => Instance::NoIntegration,
                    _ => Instance::Unchecked(format!(
                        "HTTP {status} with a body that is not an instance"
                    )),
                }
            }
            404 => Instance::Unknown,
            300..=399 => Instance::Unchecked(format!("HTTP {status}, a redirect (not followed)")),
            401 | 403 => Instance::Unchecked(format!(
                "HTTP {status}: the key may not read instances (in Harness, the key's role needs \
                 the collections view permission)"
            )),
            s => Instance::Unchecked(format!("HTTP {s}")),
        }
    }

    /// The error that stops a report of this instance, naming `instance-guid` and the fix; `None`
    /// when the report may go.
    pub(crate) fn problem(&self, guid: &str, base: &str) -> Option<String> {
        let register = "or register one with `sei-cicd instance register --integration-id <id> \
                        --name <name>` (docs/setup.md, \"Get an instance GUID\")";
        match self {
            Instance::Unknown => Some(format!(
                "input `instance-guid` is `{guid}`, which SEI at {base} does not know \
                 (GET {base}{INSTANCES_PATH}/{guid} answered 404): SEI would answer the report \
                 202 and then drop it, so nothing was sent. Use the id of a CI/CD instance of \
                 this SEI account and region, {register}"
            )),
            Instance::NoIntegration => Some(format!(
                "input `instance-guid` is `{guid}`, a CI/CD instance with no integration \
                 attached in SEI at {base}: SEI would answer the report 202 and then drop it, so \
                 nothing was sent. Attach the instance to a custom CI/CD integration in SEI, \
                 {register}"
            )),
            Instance::Ready | Instance::Unchecked(_) => None,
        }
    }
}

/// Asks SEI about instance `guid` (one attempt, within `limit`), with the key sent as for the
/// webhook.
pub(crate) async fn instance(
    client: &reqwest::Client,
    base: &str,
    guid: &str,
    token: &Secret,
    scheme: AuthScheme,
    limit: Duration,
) -> Instance {
    let scheme = scheme.for_key(token.expose());
    let Ok(mut auth) =
        reqwest::header::HeaderValue::try_from(format!("{} {}", scheme.word(), token.expose()))
    else {
        return Instance::Unchecked("the key cannot be sent in a header".into());
    };
    auth.set_sensitive(true);
    let url = format!("{base}{INSTANCES_PATH}/{guid}");
    let exchange = async {
        let response = client
            .get(&url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?;
        let status = response.status().as_u16();
        let (text, _) = crate::http::read_kept(response, crate::http::SEI_ANSWER_KEPT).await?;
        Ok::<_, reqwest::Error>((status, text))
    };
    match tokio::time::timeout(limit, exchange).await {
        Ok(Ok((status, body))) => Instance::from_answer(status, &body),
        Ok(Err(e)) => Instance::Unchecked(crate::http::describe(&e)),
        Err(_) => Instance::Unchecked(format!("no answer within {}", crate::time::human(limit))),
    }
}

/// `<base>/v1/cicd/instances`, for the webhook URL [`endpoint`] made of `sei-url`.
pub(crate) fn instances_url(webhook: &str) -> String {
    format!("{}{INSTANCES_PATH}", base_of(webhook))
}

/// One line that says what went wrong and what to do about it.
pub(crate) fn explain(failed: &Failed<Failure>, ctx: &Context) -> String {
    let tries = match failed.attempts {
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    };
    let took = crate::time::human(failed.elapsed);
    let stopped = match failed.stop {
        Stop::Final => String::new(),
        Stop::Attempts => format!(" (all {tries} of `max-attempts`, in {took})"),
        Stop::Deadline { asked: Some(wait) } => format!(
            " (after {tries}: SEI asked to wait {}, past the `timeout` of {})",
            crate::time::human(wait),
            crate::time::human(ctx.timeout)
        ),
        Stop::Deadline { asked: None } => format!(
            " (after {tries}, when the `timeout` of {} ran out)",
            crate::time::human(ctx.timeout)
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
        Failure::Unreachable(u) => format!(
            "could not reach SEI at {}: {}: check `sei-url`{}",
            ctx.endpoint,
            u.describe(ctx.endpoint),
            regions_hint(ctx)
        ),
        Failure::Redirect { status, location } => format!(
            "SEI at {} answered HTTP {status}, a redirect to {}: a report is never sent on to \
             another address (the POST would become a GET of another page, or the payload and \
             the key would go elsewhere), so nothing was delivered. Set `sei-url` to the address \
             SEI answers at itself: the API base of your region, like \
             `https://app.harness.io/gratis/sei/api/v1/`{}",
            ctx.endpoint,
            location.as_deref().unwrap_or("(no Location header)"),
            regions_hint(ctx)
        ),
        Failure::KeyOrRegion(a) => format!(
            "SEI answered the report HTTP {}{}, which is how SEI's server answers a key it \
             cannot take: most likely the key in `sei-token` or its region. It was sent as `{}` \
             ({}) to {}: check that `sei-token` holds an SEI API key that is current, that \
             `sei-url` is the base of the region your SEI account is in{}, and that \
             `auth-scheme` suits the key (`auto` sends an SEI API key as `ApiKey`); SEI said: {}",
            a.status,
            match failed.attempts {
                1 => String::new(),
                n => format!(" to all {n} attempts"),
            },
            a.scheme.word(),
            scheme_reason(ctx),
            base_of(ctx.endpoint),
            regions_hint(ctx),
            a.message()
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
            401 | 403 => format!(
                "SEI refused the key in `sei-token` (HTTP {}), {}, at {}: check that the key is \
                 current and belongs to the SEI account of this region (`sei-url`){}; SEI said: {}",
                a.status,
                how_sent(a.scheme, ctx),
                base_of(ctx.endpoint),
                regions_hint(ctx),
                a.message()
            ),
            404 => format!(
                "SEI answered HTTP 404 for POST {}: `sei-url` must be the base of your SEI API, \
                 like `https://app.harness.io/gratis/sei/api/v1/` (the path {WEBHOOK_PATH} is \
                 added to it), or the full webhook URL{}",
                ctx.endpoint,
                regions_hint(ctx)
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

/// `sent as `ApiKey` (`auth-scheme: auto`: the key looks like an SEI API key)`.
fn how_sent(used: AuthScheme, ctx: &Context) -> String {
    format!("sent as `{}` ({})", used.word(), scheme_reason(ctx))
}

/// Why the scheme was used: pinned by the input, or chosen by `auto` from the key's shape.
fn scheme_reason(ctx: &Context) -> String {
    match ctx.scheme {
        AuthScheme::Auto => format!("`auth-scheme: auto`: {}", ctx.key.describe()),
        pinned => format!("`auth-scheme: {}`", pinned.input_value()),
    }
}

/// When the default base was used: ` (if your SEI is on Harness, set `sei-url` to your
/// region's base: PROD1 ..., ...)`.
fn regions_hint(ctx: &Context) -> String {
    if !ctx.default_base {
        return String::new();
    }
    let list: Vec<String> = REGIONS
        .iter()
        .map(|(r, url)| format!("{r} {url}"))
        .collect();
    format!(
        " (`sei-url` is not set, so the legacy {} was used; on Harness set it to your \
         region's base: {})",
        base_of(ctx.endpoint),
        list.join(", ")
    )
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
        // The regional bases as Harness lists them (with `/v1/`), and every other form users
        // paste, reach the same webhook: never `/v1/v1/custom-cicd`.
        for pasted in [
            "https://app.harness.io/gratis/sei/api",
            "https://app.harness.io/gratis/sei/api/",
            "https://app.harness.io/gratis/sei/api/v1",
            "https://app.harness.io/gratis/sei/api/v1/",
            "https://app.harness.io/gratis/sei/api/v1/custom-cicd",
            "https://app.harness.io/gratis/sei/api/v1/custom-cicd/",
            " https://app.harness.io/gratis/sei/api/v1// ",
        ] {
            assert_eq!(
                endpoint(pasted).unwrap(),
                "https://app.harness.io/gratis/sei/api/v1/custom-cicd",
                "{pasted}"
            );
            assert_eq!(
                base(pasted).unwrap(),
                "https://app.harness.io/gratis/sei/api"
            );
        }
        for (_, url) in REGIONS {
            let e = endpoint(url).unwrap();
            assert!(e.ends_with("/sei/api/v1/custom-cicd"), "{e}");
        }
        let e = endpoint("app.harness.io/gratis/sei/api/v1/").unwrap_err();
        assert!(
            e.contains("add https://, like `https://app.harness.io/gratis/sei/api/v1`"),
            "{e}"
        );
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
            key: KeyKind::ApiKey,
            default_base: false,
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
            "sent as `ApiKey` (`auth-scheme: auto`: the key looks like an SEI API key)",
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
    fn a_key_sei_cannot_take_is_named_with_scheme_base_and_regions() {
        let a = answer(
            500,
            r#"{"message":"Internal Server Error"}"#,
            AuthScheme::ApiKey,
        );
        let f = failed(Failure::KeyOrRegion(a), 2, Stop::Final);
        let mut c = ctx(AuthScheme::Auto);
        let m = explain(&f, &c);
        for needle in [
            "HTTP 500 to all 2 attempts,",
            "most likely the key in `sei-token` or its region",
            "as `ApiKey` (`auth-scheme: auto`: the key looks like an SEI API key)",
            "to https://app.harness.io/gratis/sei/api:",
            "`sei-url`",
        ] {
            assert!(m.contains(needle), "{needle:?} in {m}");
        }
        assert!(
            !m.contains("PROD1"),
            "a base was given: no list of regions: {m}"
        );
        c.default_base = true;
        c.endpoint = "https://api.levelops.io/v1/custom-cicd";
        let m = explain(&f, &c);
        for (region, url) in REGIONS {
            assert!(m.contains(&format!("{region} {url}")), "{region} in {m}");
        }
        assert!(!m.contains('\n'));
    }

    #[test]
    fn what_sei_says_of_an_instance() {
        let ready =
            r#"{"id":"g","name":"GitHub Actions","integration_id":"4012","type":"jenkins"}"#;
        assert_eq!(Instance::from_answer(200, ready), Instance::Ready);
        let numeric = r#"{"id":"g","integration_id":4012}"#;
        assert_eq!(Instance::from_answer(200, numeric), Instance::Ready);
        for none in [
            r#"{"id":"g"}"#,
            r#"{"id":"g","integration_id":null}"#,
            r#"{"id":"g","integration_id":" "}"#,
        ] {
            assert_eq!(
                Instance::from_answer(200, none),
                Instance::NoIntegration,
                "{none}"
            );
        }
        assert_eq!(
            Instance::from_answer(404, "Instance not found."),
            Instance::Unknown
        );
        assert!(
            matches!(Instance::from_answer(403, ""), Instance::Unchecked(w) if w.contains("403"))
        );
        assert!(matches!(
            Instance::from_answer(500, ""),
            Instance::Unchecked(_)
        ));
        assert!(matches!(
            Instance::from_answer(200, "<html>"),
            Instance::Unchecked(_)
        ));
        let base = "https://app.harness.io/gratis/sei/api";
        let m = Instance::Unknown.problem("89d2491c", base).unwrap();
        for needle in [
            "input `instance-guid` is `89d2491c`",
            "GET https://app.harness.io/gratis/sei/api/v1/cicd/instances/89d2491c answered 404",
            "nothing was sent",
            "sei-cicd instance register",
        ] {
            assert!(m.contains(needle), "{needle:?} in {m}");
        }
        let m = Instance::NoIntegration.problem("89d2491c", base).unwrap();
        assert!(
            m.contains("no integration attached") && m.contains("`instance-guid`"),
            "{m}"
        );
        assert_eq!(Instance::Ready.problem("g", base), None);
        assert_eq!(Instance::Unchecked("x".into()).problem("g", base), None);
    }

    #[test]
    fn keys_are_told_apart_by_their_shape() {
        // base64 of {"company":"acme","id":"1","key":"k"}: an SEI API key.
        let api_key = "eyJjb21wYW55IjoiYWNtZSIsImlkIjoiMSIsImtleSI6ImsifQ==";
        assert_eq!(KeyKind::of(api_key), KeyKind::ApiKey);
        assert_eq!(AuthScheme::Auto.for_key(api_key), AuthScheme::ApiKey);
        // header {"alg":"HS256","typ":"JWT"}, a payload, a signature: a session token.
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl";
        assert_eq!(KeyKind::of(jwt), KeyKind::Jwt);
        assert_eq!(AuthScheme::Auto.for_key(jwt), AuthScheme::Bearer);
        for other in ["sei-key-123", "a.b.c", "", "eyJ.eyJ.x y"] {
            assert_eq!(KeyKind::of(other), KeyKind::Other, "{other}");
            assert_eq!(AuthScheme::Auto.for_key(other), AuthScheme::ApiKey);
        }
        assert_eq!(AuthScheme::Bearer.for_key(api_key), AuthScheme::Bearer);
        assert_eq!(AuthScheme::ApiKey.for_key(jwt), AuthScheme::ApiKey);
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
    fn a_redirect_is_a_failure_that_names_where_it_pointed_and_sei_url() {
        let f = Failure::Redirect {
            status: 308,
            location: Some("http://elsewhere.example/v1/custom-cicd".into()),
        };
        assert_eq!(
            f.verdict(SystemTime::now()),
            Verdict::Final,
            "never retried"
        );
        assert!(!f.payload_refused(), "the payload is kept for a replay");
        let m = explain(&failed(f, 1, Stop::Final), &ctx(AuthScheme::Auto));
        for needle in [
            "answered HTTP 308, a redirect to http://elsewhere.example/v1/custom-cicd",
            "nothing was delivered",
            "Set `sei-url`",
        ] {
            assert!(m.contains(needle), "{needle:?} in {m}");
        }
        assert!(matches!(
            Instance::from_answer(301, ""),
            Instance::Unchecked(w) if w.contains("redirect")
        ));
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
