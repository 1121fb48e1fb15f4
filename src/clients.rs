//! The clients a command reaches GitHub and SEI through, made once when it starts and shared by
//! everything it runs (`report`, `backfill`, `verify`, `serve`): GitHub's HTTP client, SEI's,
//! and GitHub's API client on the first ([`Clients::github`]). Both HTTP clients trust the same
//! roots (the public ones, the system's, `ca-cert`'s) and keep their connections for every
//! request of the command. A command done with GitHub before it builds its payload (`report`)
//! lets the bundle go with the read and keeps a handle on SEI's client (a `reqwest::Client` is
//! a shared handle): GitHub's idle connections, and their buffers, go when the read ends.

use crate::config::{Delivery, GitHubAccess};
use crate::github::client::GitHub;
use crate::http::{self, Redirects};
use crate::retry::{Policy, SystemClock};
use crate::secret::Secret;

pub(crate) struct Clients {
    /// GitHub's: follows redirects (GitHub answers a renamed repository with one), dropping
    /// `Authorization` when one leaves the host.
    pub github_http: reqwest::Client,
    /// SEI's ([`crate::delivery::client`]): never follows a redirect (a POST turned into a GET
    /// would lose the report).
    pub sei: reqwest::Client,
}

/// How a command uses GitHub's API client.
pub(crate) struct GitHubUse<'a> {
    pub access: &'a GitHubAccess,
    /// The token: `github-token`, or an App installation's.
    pub token: &'a Secret,
    /// Retries and the deadline ([`Delivery::policy`]).
    pub policy: Policy,
    /// The deadline counts from this clock's start.
    pub clock: SystemClock,
    /// Requests in flight at most, across every handle.
    pub in_flight: usize,
}

impl Clients {
    /// Both HTTP clients, trusting `delivery`'s roots.
    pub(crate) fn new(delivery: &Delivery) -> Result<Clients, String> {
        let sei = crate::delivery::client(delivery).map_err(|failed| failed.message)?;
        let github_http =
            http::client(&delivery.ca_certs, Redirects::Follow).map_err(|e| format!("{e:#}"))?;
        Ok(Clients { github_http, sei })
    }

    /// GitHub's API client on [`Self::github_http`], as `using` says; `say` hears of each retry.
    /// Must be called inside the runtime.
    pub(crate) fn github(
        &self,
        using: GitHubUse,
        say: impl Fn(&str) + Send + Sync + 'static,
    ) -> Result<GitHub, String> {
        Ok(
            GitHub::new(self.github_http.clone(), &using.access.api_url, using.token)
                .map_err(|e| e.to_string())?
                .with_retry(using.policy, using.clock, say)
                .with_in_flight(using.in_flight),
        )
    }
}
