//! Delivery to SEI: the webhook URL, the `Authorization` scheme, one `POST` of the payload, and
//! what SEI answered. 202 (and any 2xx) is success; the body SEI sends back is kept for the log.

use crate::secret::Secret;
use std::fmt;

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
    if trimmed.ends_with(WEBHOOK_PATH) {
        Ok(trimmed.to_owned())
    } else {
        Ok(format!("{trimmed}{WEBHOOK_PATH}"))
    }
}

/// What SEI answered to the request that settled the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// SEI's body, cut to a length fit for a log line.
    pub body: String,
    /// The scheme of the request that got this answer.
    pub scheme: AuthScheme,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A delivery that did not get a 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// SEI answered with an error status.
    Status(Answer),
    /// No answer: connection refused, reset, timed out, TLS failed.
    Transport(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status(a) => match a.status {
                401 | 403 => write!(
                    f,
                    "SEI refused the key (HTTP {}, `{}` scheme): check `sei-token`, `auth-scheme` \
                     and that `sei-url` is your account's region; SEI said: {}",
                    a.status,
                    a.scheme.word(),
                    a.body
                ),
                _ => write!(f, "SEI answered HTTP {}: {}", a.status, a.body),
            },
            Failure::Transport(why) => write!(f, "could not reach SEI: {why}"),
        }
    }
}

/// Sends `body` to `endpoint` once (twice under `auto` when the first scheme is refused).
pub async fn deliver(
    client: &reqwest::Client,
    endpoint: &str,
    token: &Secret,
    scheme: AuthScheme,
    body: &[u8],
) -> Result<Answer, Failure> {
    let first = send(client, endpoint, token, scheme, body).await?;
    if scheme == AuthScheme::Auto && matches!(first.status, 401 | 403) {
        let second = send(client, endpoint, token, AuthScheme::ApiKey, body).await?;
        return if second.is_success() {
            Ok(second)
        } else {
            Err(Failure::Status(second))
        };
    }
    if first.is_success() {
        Ok(first)
    } else {
        Err(Failure::Status(first))
    }
}

async fn send(
    client: &reqwest::Client,
    endpoint: &str,
    token: &Secret,
    scheme: AuthScheme,
    body: &[u8],
) -> Result<Answer, Failure> {
    let mut auth =
        reqwest::header::HeaderValue::try_from(format!("{} {}", scheme.word(), token.expose()))
            .map_err(|_| Failure::Transport("the SEI token cannot be sent in a header".into()))?;
    auth.set_sensitive(true);
    let response = client
        .post(endpoint)
        .header(reqwest::header::AUTHORIZATION, auth)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| Failure::Transport(crate::http::describe(&e)))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|e| Failure::Transport(crate::http::describe(&e)))?;
    Ok(Answer {
        status,
        body: crate::http::snippet(&text, 500),
        scheme,
    })
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
    }

    #[test]
    fn refused_key_message_names_the_inputs_to_check() {
        let f = Failure::Status(Answer {
            status: 401,
            body: "{\"message\":\"bad key\"}".into(),
            scheme: AuthScheme::ApiKey,
        });
        let m = f.to_string();
        assert!(m.contains("sei-token") && m.contains("auth-scheme") && m.contains("sei-url"));
        assert!(m.contains("ApiKey") && m.contains("bad key"));
    }
}
