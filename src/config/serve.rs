//! The inputs only `serve` has: where it listens (`listen`), the webhook secret
//! (`webhook-secret-file` or `SEI_CICD_WEBHOOK_SECRET`), GitHub as an App (`app-id`,
//! `app-private-key-file` or `SEI_CICD_APP_PRIVATE_KEY`) or as an organization webhook read with
//! `github-token` (`hook-organization`, `hook-id`), and how it runs (`workers`, `queue`,
//! `redeliver-every`, `redeliver-since`, `drain-timeout`). Every other input is `report`'s,
//! checked by its own concern; this file puts them together with [`load`].

use super::values::{given, parse_seconds, Problems};
use super::{Behaviour, Delivery, GitHubAccess, InputError, SendSettings};
use crate::args::{AppArgs, ServeArgs, ServerArgs};
use crate::env::RunnerEnv;
use crate::secret::{AppKey, Secret};
use std::net::SocketAddr;
use std::time::Duration;

pub(crate) const DEFAULT_LISTEN: &str = "0.0.0.0:8080";
pub(crate) const DEFAULT_WORKERS: usize = 16;
pub(crate) const MAX_WORKERS: usize = 100;
pub(crate) const DEFAULT_QUEUE: usize = 1000;
pub(crate) const MAX_QUEUE: usize = 100_000;
pub(crate) const DEFAULT_REDELIVER_EVERY: Duration = Duration::from_secs(600);
/// GitHub keeps a hook's deliveries for 3 days.
pub(crate) const DEFAULT_REDELIVER_SINCE: Duration = Duration::from_secs(3 * 24 * 3600);
/// Kubernetes waits 30 s after SIGTERM by default: 25 leave time to say what is left.
pub(crate) const DEFAULT_DRAIN: Duration = Duration::from_secs(25);

/// The checked settings of one `serve`.
#[derive(Debug, Clone)]
pub(crate) struct Serve {
    pub listen: SocketAddr,
    /// The webhook secret deliveries are signed with.
    pub secret: Secret,
    pub auth: Auth,
    /// Whose failed deliveries are asked again, if anyone's.
    pub hook: Hook,
    pub workers: usize,
    pub queue: usize,
    /// `None`: no redelivery pass.
    pub redeliver_every: Option<Duration>,
    pub redeliver_since: Duration,
    pub drain: Duration,
    pub delivery: Delivery,
    pub github: GitHubAccess,
    pub send: SendSettings,
    pub behaviour: Behaviour,
    pub warnings: Vec<String>,
}

impl Serve {
    /// The settings every report shares, as `report` has them.
    pub(crate) fn reporting(&self) -> super::Reporting {
        super::Reporting {
            delivery: self.delivery.clone(),
            github: self.github.clone(),
            send: self.send.clone(),
            behaviour: self.behaviour,
        }
    }
}

/// How GitHub is read.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    /// `github-token` for every repository (an organization webhook).
    Token,
    /// A GitHub App: an installation token for the installation each delivery names.
    App { id: u64, key: AppKey },
}

/// The webhook whose failed deliveries the redelivery pass asks again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hook {
    /// The App's own webhook (`/app/hook/deliveries`).
    App,
    /// An organization webhook (`/orgs/{org}/hooks/{id}/deliveries`).
    Organization { org: String, id: u64 },
    /// Not known: no redelivery pass (a token without `hook-organization` and `hook-id`).
    Unknown,
}

/// Checks every input of `serve`.
pub(crate) fn load(args: &ServeArgs, env: &RunnerEnv) -> Result<Serve, Vec<InputError>> {
    let mut p = Problems::default();
    let super::Reporting {
        delivery,
        github,
        send,
        behaviour,
    } = super::reporting(&args.reporting, env, true, &mut p);
    let s = &args.server;
    let listen = listen(s, &mut p);
    let secret = webhook_secret(s, env, &mut p);
    let (auth, hook) = app(&args.app, env, &github, &mut p);
    let workers = count(&s.workers, "workers", DEFAULT_WORKERS, MAX_WORKERS, &mut p);
    let queue = count(&s.queue, "queue", DEFAULT_QUEUE, MAX_QUEUE, &mut p);
    let redeliver_every = match given(&s.redeliver_every) {
        None => Some(DEFAULT_REDELIVER_EVERY),
        Some(v) => match parse_seconds(v) {
            Some(d) if d.is_zero() => None,
            Some(d) if d >= Duration::from_secs(60) => Some(d),
            _ => {
                p.bad(format!(
                    "input `redeliver-every` is `{v}`: use seconds or minutes of at least a \
                     minute, like `600` or `10m`, or `0` to ask GitHub for no redelivery"
                ));
                None
            }
        },
    };
    let redeliver_since = match given(&s.redeliver_since) {
        None => DEFAULT_REDELIVER_SINCE,
        Some(v) => {
            let now = chrono::Utc::now();
            match super::backfill::parse_when(v, now, false)
                .and_then(|t| (now - t).to_std().ok())
                .filter(|d| !d.is_zero() && v.trim().ends_with(['s', 'm', 'h', 'd', 'w']))
            {
                Some(d) => d,
                None => {
                    p.bad(format!(
                        "input `redeliver-since` is `{v}`: use an age like `3d` (what GitHub \
                         keeps) or `12h`"
                    ));
                    DEFAULT_REDELIVER_SINCE
                }
            }
        }
    };
    let drain = match given(&s.drain_timeout) {
        None => DEFAULT_DRAIN,
        Some(v) => parse_seconds(v)
            .filter(|d| *d <= Duration::from_secs(3600))
            .unwrap_or_else(|| {
                p.bad(format!(
                    "input `drain-timeout` is `{v}`: use a number of seconds up to 3600, like \
                     `25` (a Deployment's terminationGracePeriodSeconds less a few)"
                ));
                DEFAULT_DRAIN
            }),
    };
    if send.mapping.overrides.build_number.is_some() {
        p.bad(
            "input `build-number` gives every run the same number, and SEI keeps only the first \
             report of a number: leave it out of `serve` (`build-numbers` chooses how each run's \
             number is made)"
                .to_owned(),
        );
    }
    if let Some(w) = super::send::event_commits_warning(&send, "a webhook delivery is not") {
        p.warn(w);
    }
    let (mut cfg, warnings) = p.finish(Serve {
        listen,
        secret,
        auth,
        hook,
        workers,
        queue,
        redeliver_every,
        redeliver_since,
        drain,
        delivery,
        github,
        send,
        behaviour,
        warnings: Vec::new(),
    })?;
    cfg.warnings = warnings;
    Ok(cfg)
}

fn listen(s: &ServerArgs, p: &mut Problems) -> SocketAddr {
    let v = given(&s.listen).unwrap_or(DEFAULT_LISTEN);
    v.parse().unwrap_or_else(|_| {
        p.bad(format!(
            "input `listen` is `{v}`: give an address and a port, like `0.0.0.0:8080` (every \
             interface) or `127.0.0.1:8080` (this machine only)"
        ));
        DEFAULT_LISTEN.parse().expect("a socket address")
    })
}

fn webhook_secret(s: &ServerArgs, env: &RunnerEnv, p: &mut Problems) -> Secret {
    let secret = match (given(&s.webhook_secret_file), env.webhook_secret.as_deref()) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(text) => Secret::new(text),
            Err(e) => {
                p.bad(format!(
                    "input `webhook-secret-file` is `{path}`, which cannot be read ({e}): give \
                     the file holding the webhook's secret (a mounted Secret, say)"
                ));
                return Secret::default();
            }
        },
        (None, Some(value)) => Secret::new(value),
        (None, None) => Secret::default(),
    };
    if secret.is_empty() {
        p.bad(
            "the webhook secret is empty: give the secret you set on the GitHub App or the \
             organization webhook, in a file (`--webhook-secret-file FILE`) or in \
             SEI_CICD_WEBHOOK_SECRET; deliveries are refused without one"
                .to_owned(),
        );
    }
    secret
}

/// GitHub as an App or as a token, and the hook whose deliveries can be asked again.
fn app(a: &AppArgs, env: &RunnerEnv, github: &GitHubAccess, p: &mut Problems) -> (Auth, Hook) {
    let id = given(&a.app_id);
    let key_text = match (
        given(&a.app_private_key_file),
        env.app_private_key.as_deref(),
    ) {
        (Some(path), _) => match std::fs::read(path) {
            Ok(bytes) => Some((bytes, format!("input `app-private-key-file` is `{path}`"))),
            Err(e) => {
                p.bad(format!(
                    "input `app-private-key-file` is `{path}`, which cannot be read ({e}): give \
                     the PEM file GitHub generated for the App (its settings: Private keys)"
                ));
                return (Auth::Token, Hook::Unknown);
            }
        },
        (None, Some(text)) => Some((
            text.as_bytes().to_vec(),
            "SEI_CICD_APP_PRIVATE_KEY".to_owned(),
        )),
        (None, None) => None,
    };
    let hook_org = given(&a.hook_organization);
    let hook_id = given(&a.hook_id);
    match (id, key_text) {
        (Some(id), Some((text, named))) => {
            let id = id
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .unwrap_or_else(|| {
                    p.bad(format!(
                    "input `app-id` is `{id}`: give the App's number (its settings page, \"App \
                     ID\"), like `123456`"
                ));
                    0
                });
            let key = AppKey::from_pem(&text).unwrap_or_else(|why| {
                p.bad(format!(
                    "{named}, which {why}: give the private key GitHub generated for the App \
                     (a file starting `-----BEGIN RSA PRIVATE KEY-----`)"
                ));
                AppKey::none()
            });
            if !github.token.is_empty() {
                p.warn(
                    "both a GitHub App and `github-token` are given: the App's installation \
                     tokens are used, the token is not"
                        .to_owned(),
                );
            }
            if hook_org.is_some() || hook_id.is_some() {
                p.warn(
                    "`hook-organization` and `hook-id` are for an organization webhook: with an \
                     App, the App's own webhook deliveries are asked again"
                        .to_owned(),
                );
            }
            (Auth::App { id, key }, Hook::App)
        }
        (Some(_), None) => {
            p.bad(
                "input `app-id` is given without the App's private key: give \
                 `--app-private-key-file FILE` (or the key in SEI_CICD_APP_PRIVATE_KEY)"
                    .to_owned(),
            );
            (Auth::Token, Hook::Unknown)
        }
        (None, Some(_)) => {
            p.bad(
                "the App's private key is given without `app-id`: give `--app-id` too (the \
                 App's settings page, \"App ID\")"
                    .to_owned(),
            );
            (Auth::Token, Hook::Unknown)
        }
        (None, None) => {
            if github.token.is_empty() {
                p.bad(
                    "no way to read GitHub: give a GitHub App (`--app-id` and \
                     `--app-private-key-file`) or, for an organization webhook, a token \
                     (`--github-token` or GITHUB_TOKEN)"
                        .to_owned(),
                );
            }
            let hook = match (hook_org, hook_id) {
                (Some(org), Some(id)) => match id.parse::<u64>() {
                    Ok(id) => Hook::Organization {
                        org: org.to_owned(),
                        id,
                    },
                    Err(_) => {
                        p.bad(format!(
                            "input `hook-id` is `{id}`: give the webhook's number (its \
                             settings URL ends .../settings/hooks/ID)"
                        ));
                        Hook::Unknown
                    }
                },
                (None, None) => {
                    p.warn(
                        "no `hook-organization` and `hook-id`: failed deliveries are not asked \
                         again from GitHub; the daily sweep (`backfill`) reports their runs"
                            .to_owned(),
                    );
                    Hook::Unknown
                }
                _ => {
                    p.bad(
                        "give `hook-organization` and `hook-id` together (the organization \
                         webhook whose failed deliveries are asked again)"
                            .to_owned(),
                    );
                    Hook::Unknown
                }
            };
            (Auth::Token, hook)
        }
    }
}

/// A whole number from 1 to `max`.
fn count(v: &Option<String>, input: &str, default: usize, max: usize, p: &mut Problems) -> usize {
    match given(v) {
        None => default,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                p.bad(format!(
                    "input `{input}` is `{text}`: use a whole number from 1 to {max}, like \
                     `{default}`"
                ));
                default
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    fn args() -> ServeArgs {
        let mut a = ServeArgs::default();
        a.reporting.sei.sei_token = some("sei-key-as-long-as-a-real-one");
        a.reporting.github.github_token = some("ghp_0123456789abcdefghijklmnopqrstuvwxyz");
        a.reporting.instance.instance_guid = some("89D2491C-764A-4F77-93D9-18E8E372B795");
        a
    }

    fn env() -> RunnerEnv {
        RunnerEnv {
            webhook_secret: some("s3cret"),
            ..RunnerEnv::default()
        }
    }

    fn errors(a: &ServeArgs, env: &RunnerEnv) -> Vec<String> {
        load(a, env).unwrap_err().into_iter().map(|e| e.0).collect()
    }

    #[test]
    fn defaults_with_a_token() {
        let c = load(&args(), &env()).unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:8080");
        assert_eq!(c.secret.expose(), "s3cret");
        assert!(matches!(c.auth, Auth::Token));
        assert_eq!(c.hook, Hook::Unknown);
        assert_eq!((c.workers, c.queue), (DEFAULT_WORKERS, DEFAULT_QUEUE));
        assert_eq!(c.redeliver_every, Some(Duration::from_secs(600)));
        assert_eq!(c.redeliver_since, DEFAULT_REDELIVER_SINCE);
        assert!(c.warnings.iter().any(|w| w.contains("hook-id")), "{c:?}");
    }

    #[test]
    fn every_bad_input_is_named() {
        let mut a = args();
        a.server.listen = some("8080");
        a.server.workers = some("0");
        a.server.queue = some("lots");
        a.server.redeliver_every = some("5");
        a.server.redeliver_since = some("yesterday");
        a.server.drain_timeout = some("soon");
        a.app.hook_organization = some("acme");
        let e = errors(&a, &RunnerEnv::default()).join("\n");
        for needle in [
            "`listen` is `8080`",
            "webhook secret is empty",
            "`workers` is `0`",
            "`queue` is `lots`",
            "`redeliver-every` is `5`",
            "`redeliver-since` is `yesterday`",
            "`drain-timeout` is `soon`",
            "`hook-organization` and `hook-id` together",
        ] {
            assert!(e.contains(needle), "missing {needle:?} in\n{e}");
        }
    }

    #[test]
    fn the_secret_comes_from_a_file_first() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        std::fs::write(&file, "from-file\n").unwrap();
        let mut a = args();
        a.server.webhook_secret_file = Some(file.display().to_string());
        let c = load(&a, &env()).unwrap();
        assert_eq!(c.secret.expose(), "from-file");
        a.server.webhook_secret_file = some("/no/such/file");
        let e = errors(&a, &env());
        assert!(
            e[0].contains("`webhook-secret-file` is `/no/such/file`"),
            "{e:?}"
        );
    }

    #[test]
    fn an_app_needs_its_id_and_a_real_key() {
        let mut a = args();
        a.app.app_id = some("123");
        let e = errors(&a, &env());
        assert!(e[0].contains("without the App's private key"), "{e:?}");
        let e = errors(
            &args(),
            &RunnerEnv {
                app_private_key: some(
                    "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                ),
                ..env()
            },
        );
        assert!(e[0].contains("without `app-id`"), "{e:?}");
        a.app.app_id = some("abc");
        let e = errors(
            &a,
            &RunnerEnv {
                app_private_key: some("not a key"),
                ..env()
            },
        );
        let all = e.join("\n");
        assert!(all.contains("`app-id` is `abc`"), "{all}");
        assert!(all.contains("SEI_CICD_APP_PRIVATE_KEY, which"), "{all}");
        assert!(!all.contains("not a key"), "the key is never shown: {all}");
    }

    #[test]
    fn an_organization_hook_is_named_by_both() {
        let mut a = args();
        a.app.hook_organization = some("acme");
        a.app.hook_id = some("42");
        let c = load(&a, &env()).unwrap();
        assert_eq!(
            c.hook,
            Hook::Organization {
                org: "acme".into(),
                id: 42
            }
        );
        a.reporting.github.github_token = None;
        let e = errors(&a, &env());
        assert!(e[0].contains("no way to read GitHub"), "{e:?}");
    }
}
