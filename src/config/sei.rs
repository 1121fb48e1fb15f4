//! The inputs that say how to reach SEI: `sei-url` (turned into the webhook URL), `sei-token`
//! (or `SEI_TOKEN`) and `auth-scheme`; with the network inputs they make a [`Delivery`].

use super::net::Net;
use super::values::{given, token, without_userinfo, Problems};
use crate::args::SeiArgs;
use crate::env::RunnerEnv;
use crate::retry::Policy;
use crate::secret::Secret;
use crate::sei::AuthScheme;
use rustls::pki_types::CertificateDer;

pub(crate) const DEFAULT_SEI_URL: &str = "https://api.levelops.io";

/// How to reach SEI, checked from the inputs every command that talks to SEI shares.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    /// The API base, without `/v1` or a trailing `/`.
    pub sei_base: String,
    /// The full webhook URL, `<base>/v1/custom-cicd`.
    pub sei_endpoint: String,
    /// `sei-url` was not given: the default base is used.
    pub default_base: bool,
    pub sei_token: Secret,
    pub auth_scheme: AuthScheme,
    /// Retries and the deadline (`timeout`, `max-attempts`); GitHub's requests follow it too.
    pub policy: Policy,
    /// Roots trusted besides the public and system ones (`ca-cert`).
    pub ca_certs: Vec<CertificateDer<'static>>,
}

/// Checks the inputs that say how to reach SEI.
pub(crate) fn load(args: &SeiArgs, net: &Net, env: &RunnerEnv, p: &mut Problems) -> Delivery {
    let raw_url = given(&args.sei_url).unwrap_or(DEFAULT_SEI_URL);
    // What messages show: a user or password in the URL is not.
    let sei_url = &without_userinfo(raw_url);
    let sei_base = match crate::sei::base(raw_url) {
        Ok(url) => {
            if let Some(how) = crate::http::exposed(&url) {
                if net.allow_insecure_http {
                    p.warn(format!(
                        "`sei-url` `{sei_url}` is plain http://: `sei-token` travels \
                         unencrypted (`allow-insecure-http` is on)"
                    ));
                } else {
                    p.bad(super::values::plain_http_problem(
                        "input `sei-url`",
                        sei_url,
                        "sei-token",
                        &how,
                    ));
                }
            }
            url
        }
        Err(why) => {
            p.bad(format!(
                "input `sei-url` is `{sei_url}`: {why}. Use your SEI API base, like \
                 `https://app.harness.io/gratis/sei/api/v1/` (see the regions in the README)"
            ));
            String::new()
        }
    };

    let sei_token = token(
        given(&args.sei_token).or(env.sei_token.as_deref()),
        "sei-token",
        p,
    );

    let auth_scheme = match given(&args.auth_scheme)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("auto") => AuthScheme::Auto,
        Some("bearer") => AuthScheme::Bearer,
        Some("apikey") | Some("api-key") => AuthScheme::ApiKey,
        Some(_) => {
            p.bad(format!(
                "input `auth-scheme` is `{}`: use `auto`, `bearer` or `apikey`",
                given(&args.auth_scheme).unwrap_or_default()
            ));
            AuthScheme::Auto
        }
    };

    Delivery {
        sei_endpoint: format!("{sei_base}{}", crate::sei::WEBHOOK_PATH),
        sei_base,
        default_base: given(&args.sei_url).is_none(),
        sei_token,
        auth_scheme,
        policy: net.policy,
        ca_certs: net.ca_certs.clone(),
    }
}

/// A real send needs a key: one problem, the same words for every command.
pub(crate) fn require_token(delivery: &Delivery, p: &mut Problems) {
    // A token refused already (too short, not text) was said once: not again as empty.
    let said = p
        .errors
        .iter()
        .any(|e| e.0.starts_with("input `sei-token` "));
    if delivery.sei_token.is_empty() && !said {
        p.bad(
            "input `sei-token` is empty: pass your SEI API key from a secret, like \
             `sei-token: ${{ secrets.SEI_API_KEY }}` (on a terminal: SEI_TOKEN=... or --sei-token)"
                .to_owned(),
        );
    }
}
