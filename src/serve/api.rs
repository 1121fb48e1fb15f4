//! The few GitHub endpoints `serve` calls besides a run's reads (those go through
//! [`crate::github::client`]): an App's installation tokens, and a hook's deliveries and their
//! redelivery. Each request is retried under the policy like every other GitHub request
//! ([`crate::retry::github`]); a `Link: rel="next"` is followed only on the same API.

use crate::retry::{self, Policy, SystemClock, Verdict};
use crate::secret::Secret;
use std::time::SystemTime;

/// The GitHub API at `GITHUB_API_URL`.
#[derive(Clone)]
pub(crate) struct Api {
    http: reqwest::Client,
    /// No trailing slash.
    pub base: String,
}

/// A 2xx answer.
pub(crate) struct Answer {
    pub json: serde_json::Value,
    /// The next page (`Link: <...>; rel="next"`), on the same API.
    pub next: Option<String>,
}

impl Api {
    pub(crate) fn new(http: reqwest::Client, base: &str) -> Api {
        Api {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `method` on `path` (or a full URL on this API, a `next` link), as `Bearer token`,
    /// retried under `policy`.
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &Secret,
        policy: &Policy,
        clock: &SystemClock,
    ) -> Result<Answer, String> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            if !path.starts_with(&format!("{}/", self.base)) {
                return Err(format!("GitHub linked a page off the API: {path}"));
            }
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let attempt = |_, limit| self.once(method.clone(), &url, token, limit);
        retry::run(policy, clock, attempt, |_: &String, _, _| {})
            .await
            .map_err(|f| f.error)
    }

    async fn once(
        &self,
        method: reqwest::Method,
        url: &str,
        token: &Secret,
        limit: std::time::Duration,
    ) -> Result<Answer, (String, Verdict)> {
        let again = Verdict::Retry { wait: None };
        let mut req = self
            .http
            .request(method.clone(), url)
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .timeout(limit);
        if !token.is_empty() {
            req = req.header("authorization", format!("Bearer {}", token.expose()));
        }
        let shown = url.split('?').next().unwrap_or(url);
        let response = req.send().await.map_err(|e| {
            (
                format!("{method} {shown}: {}", crate::http::describe(&e)),
                again,
            )
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let next = headers
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .find(|part| part.contains("rel=\"next\""))
            .and_then(|part| {
                let start = part.find('<')? + 1;
                let end = part.find('>')?;
                Some(part[start..end].to_owned())
            });
        let body = response.bytes().await.map_err(|e| {
            (
                format!("{method} {shown}: {}", crate::http::describe(&e)),
                again,
            )
        })?;
        if !(200..300).contains(&status) {
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| crate::http::snippet(&String::from_utf8_lossy(&body), 200));
            let verdict = retry::github(status, &headers, &message, SystemTime::now());
            return Err((
                format!(
                    "{method} {shown}: HTTP {status} {}",
                    serde_json::Value::String(message)
                ),
                verdict,
            ));
        }
        let json = if body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&body)
                .map_err(|e| (format!("{method} {shown}: not JSON ({e})"), again))?
        };
        Ok(Answer { json, next })
    }
}
