//! How to reach GitHub: the token (`github-token`, or `GITHUB_TOKEN`), the API
//! (`GITHUB_API_URL`) and the web server links point at (`GITHUB_SERVER_URL`).

use super::net::Net;
use super::values::{given, token, trim_url, Problems};
use crate::args::GitHubArgs;
use crate::env::RunnerEnv;
use crate::secret::Secret;

pub(crate) const DEFAULT_API_URL: &str = "https://api.github.com";
pub(crate) const DEFAULT_SERVER_URL: &str = "https://github.com";

/// The checked way to GitHub.
#[derive(Debug, Clone)]
pub(crate) struct GitHubAccess {
    pub token: Secret,
    /// `GITHUB_API_URL`, no trailing slash.
    pub api_url: String,
    /// `GITHUB_SERVER_URL`, no trailing slash: `https://github.com` or an Enterprise Server.
    pub server_url: String,
}

/// Checks the way to GitHub; `reads_api` is false when the run comes from a saved folder (then
/// the API's URL does not matter).
pub(crate) fn load(
    args: &GitHubArgs,
    net: &Net,
    env: &RunnerEnv,
    reads_api: bool,
    p: &mut Problems,
) -> GitHubAccess {
    let token = token(
        given(&args.github_token).or(env.github_token.as_deref()),
        "github-token",
        p,
    );
    let api_url = trim_url(env.api_url.as_deref().unwrap_or(DEFAULT_API_URL));
    if let Some(how) = crate::http::exposed(&api_url).filter(|_| reads_api) {
        if net.allow_insecure_http {
            p.warn(format!(
                "GITHUB_API_URL `{api_url}` is plain http://: `github-token` travels unencrypted \
                 (`allow-insecure-http` is on)"
            ));
        } else {
            p.bad(super::values::plain_http_problem(
                "GITHUB_API_URL",
                &api_url,
                "github-token",
                &how,
            ));
        }
    }
    GitHubAccess {
        token,
        api_url,
        server_url: trim_url(env.server_url.as_deref().unwrap_or(DEFAULT_SERVER_URL)),
    }
}
