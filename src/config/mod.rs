//! Checks the inputs and turns them into settings. Every problem becomes one line that names the
//! input, shows the value (never a token's) and says how to fix it; all problems are reported
//! together, so a user fixes their workflow once.
//!
//! One file per concern, as `--help` groups the flags: [`run_choice`] (which run), [`sei`] (reaching
//! SEI), [`github`] (reaching GitHub), [`send`] (what is sent), [`behaviour`], [`net`] (retries,
//! deadline, TLS), [`values`] (how one input's text becomes a value), and [`backfill`] (the
//! inputs only `backfill` has, and its settings), [`verify`] (`verify`'s), [`serve`] (`serve`'s).
//! This file puts them together for each command.

pub(crate) mod backfill;
pub(crate) mod behaviour;
pub(crate) mod github;
pub(crate) mod net;
pub(crate) mod run_choice;
pub(crate) mod sei;
pub(crate) mod send;
pub(crate) mod serve;
pub(crate) mod values;
pub(crate) mod verify;

use crate::args::{RegisterArgs, ReplayArgs, ReportArgs, ReportingArgs};
use crate::env::RunnerEnv;
pub(crate) use behaviour::{fail_on_error, Behaviour};
pub(crate) use github::GitHubAccess;
pub(crate) use run_choice::RunChoice;
pub(crate) use sei::Delivery;
pub(crate) use send::SendSettings;
pub(crate) use values::InputError;
use values::Problems;

/// The checked settings of one `report`.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// How to reach SEI, and the retries, deadline and trusted roots GitHub's requests follow too.
    pub delivery: Delivery,
    pub github: GitHubAccess,
    pub run: RunChoice,
    pub send: SendSettings,
    pub behaviour: Behaviour,
    /// Things worth a warning that do not stop the report.
    pub warnings: Vec<String>,
}

/// The checked settings of one `replay`.
#[derive(Debug, Clone)]
pub(crate) struct Replay {
    pub file: std::path::PathBuf,
    pub delivery: Delivery,
    pub warnings: Vec<String>,
}

/// How far back a backfill looks by default.
pub(crate) const DEFAULT_SINCE: chrono::Duration = chrono::Duration::days(30);

/// The checked settings of one `instance register`.
#[derive(Debug, Clone)]
pub(crate) struct Register {
    pub integration_id: String,
    pub name: String,
    pub delivery: Delivery,
    pub warnings: Vec<String>,
}

/// Checks `instance register`'s inputs.
pub(crate) fn load_register(
    args: &RegisterArgs,
    env: &RunnerEnv,
) -> Result<Register, Vec<InputError>> {
    let mut p = Problems::of(env);
    let net = net::load(&args.net, &mut p);
    let delivery = sei::load(&args.sei, &net, env, &mut p);
    let integration_id = values::given(&args.integration_id)
        .unwrap_or_default()
        .to_owned();
    if integration_id.is_empty() {
        p.bad(
            "input `integration-id` is empty: give the id of your custom CI/CD integration in \
             SEI (Integrations, then the integration: the number in its URL), like \
             --integration-id 4321"
                .to_owned(),
        );
    }
    let name = values::given(&args.name).unwrap_or_default().to_owned();
    if name.is_empty() {
        p.bad(
            "input `name` is empty: give the name SEI shows for the instance, like --name \
             \"GitHub Actions\""
                .to_owned(),
        );
    }
    sei::require_token(&delivery, &mut p);
    let (mut r, warnings) = p.finish(Register {
        integration_id,
        name,
        delivery,
        warnings: Vec::new(),
    })?;
    r.warnings = warnings;
    Ok(r)
}

/// What every command that reports runs has checked alike ([`ReportingArgs`]).
#[derive(Debug, Clone)]
pub(crate) struct Reporting {
    pub delivery: Delivery,
    pub github: GitHubAccess,
    pub send: SendSettings,
    pub behaviour: Behaviour,
}

/// Checks the inputs `report` and `backfill` share; `reads_api` is false when the runs come
/// from a saved folder.
pub(crate) fn reporting(
    args: &ReportingArgs,
    env: &RunnerEnv,
    reads_api: bool,
    p: &mut Problems,
) -> Reporting {
    let behaviour = behaviour::load(&args.behaviour, p);
    let net = net::load(&args.net, p);
    let delivery = sei::load(&args.sei, &net, env, p);
    if !behaviour.dry_run {
        sei::require_token(&delivery, p);
    }
    let mut send = send::load(&args.send, &args.instance, behaviour.dry_run, p);
    let github = github::load(&args.github, &net, env, reads_api, p);
    send.mapping.server_url = github.server_url.clone();
    Reporting {
        delivery,
        github,
        send,
        behaviour,
    }
}

/// Checks every input of `report`; returns all the problems found, not just the first.
pub(crate) fn load(args: &ReportArgs, env: &RunnerEnv) -> Result<Config, Vec<InputError>> {
    let mut p = Problems::of(env);
    let saved = values::given(&args.run.github_data).is_some();
    let shared = reporting(&args.reporting, env, !saved, &mut p);
    let run = run_choice::load(&args.run, &mut p);
    let (mut cfg, warnings) = p.finish(Config {
        delivery: shared.delivery,
        github: shared.github,
        run,
        send: shared.send,
        behaviour: shared.behaviour,
        warnings: Vec::new(),
    })?;
    cfg.warnings = warnings;
    Ok(cfg)
}

/// Checks `replay`'s inputs, like [`load`] does `report`'s.
pub(crate) fn load_replay(args: &ReplayArgs, env: &RunnerEnv) -> Result<Replay, Vec<InputError>> {
    let mut p = Problems::of(env);
    let net = net::load(&args.net, &mut p);
    let delivery = sei::load(&args.sei, &net, env, &mut p);
    sei::require_token(&delivery, &mut p);
    let (mut replay, warnings) = p.finish(Replay {
        file: args.file.clone(),
        delivery,
        warnings: Vec::new(),
    })?;
    replay.warnings = warnings;
    Ok(replay)
}

#[cfg(test)]
mod tests {
    use super::send::PLACEHOLDER_GUID;
    use super::*;
    use crate::map::commits::Mode as CommitsMode;
    use crate::map::CiCd;
    use crate::retry::Policy;
    use crate::sei::AuthScheme;
    use std::time::Duration;

    fn some(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    fn args() -> ReportArgs {
        let mut a = ReportArgs::default();
        a.reporting.sei.sei_token = some("sei-key-for-config-tests-0000");
        a.reporting.instance.instance_guid = some("89D2491C-764A-4F77-93D9-18E8E372B795");
        a
    }

    /// [`args`], changed by `f`.
    fn with(f: impl FnOnce(&mut ReportArgs)) -> ReportArgs {
        let mut a = args();
        f(&mut a);
        a
    }

    fn config(a: ReportArgs) -> Config {
        load(&a, &RunnerEnv::default()).unwrap()
    }

    fn errors(a: ReportArgs) -> Vec<String> {
        load(&a, &RunnerEnv::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.0)
            .collect()
    }

    #[test]
    fn defaults() {
        let c = config(args());
        assert_eq!(
            c.delivery.sei_endpoint,
            "https://api.levelops.io/v1/custom-cicd"
        );
        assert_eq!(
            c.send.mapping.instance_guid,
            "89d2491c-764a-4f77-93d9-18e8e372b795"
        );
        assert_eq!(c.send.mapping.instance_name, "GitHub Actions");
        assert_eq!(c.github.api_url, "https://api.github.com");
        assert_eq!(c.github.server_url, "https://github.com");
        assert_eq!(c.delivery.auth_scheme, AuthScheme::Auto);
        assert_eq!(c.send.mapping.ci_cd, CiCd::Auto);
        assert_eq!(c.send.commits, CommitsMode::SinceLastSuccess);
        assert!(c.send.mapping.artifacts.is_empty() && !c.send.include_workflow_artifacts);
        assert_eq!(
            (c.run.job_check_run_id, c.run.job_status.as_deref()),
            (None, None)
        );
        assert_eq!(c.run.wait_timeout, Duration::from_secs(30));
        assert!(c.send.mapping.include_steps && !c.behaviour.dry_run && !c.behaviour.fail_on_error);
        assert_eq!(c.send.mapping.cfr_status, None);
    }

    #[test]
    fn empty_values_mean_not_given() {
        let c = config(with(|a| {
            a.reporting.sei.sei_url = some("");
            a.reporting.behaviour.dry_run = some(" ");
            a.run.run_id = some("");
            a.run.github_data = some("");
        }));
        assert_eq!(
            c.delivery.sei_endpoint,
            "https://api.levelops.io/v1/custom-cicd"
        );
        assert!(!c.behaviour.dry_run);
        assert_eq!(c.run.run_id, None);
        assert_eq!(c.run.github_data, None);
    }

    #[test]
    fn every_bad_input_is_named_with_its_value_and_fix() {
        let e = errors(with(|a| {
            a.reporting.sei.auth_scheme = some("basic");
            a.reporting.sei.sei_url = some("ftp://x");
            a.reporting.instance.instance_guid = some("not-a-uuid");
            a.run.run_id = some("12a");
            a.run.run_attempt = some("0");
            a.run.repository = some("just-a-name");
            a.reporting.send.ci_cd = some("deploy");
            a.reporting.behaviour.dry_run = some("maybe");
            a.reporting.send.params = some("version=1\nbroken");
            a.reporting.send.commits = some("all");
            a.reporting.send.artifacts = some("output ghcr.io/a/b:1\nship it");
            a.run.job_check_run_id = some("abc");
            a.run.job_status = some("green");
            a.run.wait_timeout = some("soon");
            a.reporting.send.include_workflow_artifacts = some("maybe");
        }));
        let all = e.join("\n");
        for needle in [
            "`instance-guid` is `not-a-uuid`",
            "`run-id` is `12a`",
            "github.run_id",
            "`run-attempt` is `0`",
            "`repository` is `just-a-name`",
            "`ci-cd` is `deploy`",
            "`dry-run` is `maybe`",
            "`params`, line 2: `broken`",
            "`auth-scheme` is `basic`",
            "`sei-url` is `ftp://x`",
            "`commits` is `all`",
            "`artifacts`, line 2: `ship it`",
            "`job-check-run-id` is `abc`",
            "`job-status` is `green`",
            "`wait-timeout` is `soon`",
            "`include-workflow-artifacts` is `maybe`",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in\n{all}");
        }
        assert_eq!(e.len(), 15, "{all}");
        assert!(e.iter().all(|l| !l.contains('\n')), "one line each");
    }

    #[test]
    fn missing_guid_is_an_error_except_in_a_dry_run() {
        let e = errors(with(|a| a.reporting.instance.instance_guid = None));
        assert!(e[0].contains("`instance-guid` is empty"), "{e:?}");
        let c = config(with(|a| {
            a.reporting.instance.instance_guid = None;
            a.reporting.behaviour.dry_run = some("true");
        }));
        assert_eq!(c.send.mapping.instance_guid, PLACEHOLDER_GUID);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn the_placeholder_guid_is_for_dry_runs_only() {
        let e = errors(with(|a| {
            a.reporting.instance.instance_guid = some(PLACEHOLDER_GUID)
        }));
        assert!(e[0].contains("the placeholder a dry run uses"), "{e:?}");
        let c = config(with(|a| {
            a.reporting.instance.instance_guid = some(PLACEHOLDER_GUID);
            a.reporting.behaviour.dry_run = some("true");
        }));
        assert_eq!(c.send.mapping.instance_guid, PLACEHOLDER_GUID);
    }

    #[test]
    fn token_problems_never_echo_the_token() {
        let e = errors(with(|a| a.reporting.sei.sei_token = some("abc def-secret")));
        assert!(e[0].contains("`sei-token`"));
        assert!(!e[0].contains("def-secret"), "{e:?}");
    }

    #[test]
    fn tokens_also_come_from_the_environment() {
        let env = RunnerEnv {
            github_token: Some("ghs_configTestToken0000000000000000000".into()),
            sei_token: Some("sei-key-from-the-environment-0000".into()),
            ..RunnerEnv::default()
        };
        let c = load(&with(|a| a.reporting.sei.sei_token = some("")), &env).unwrap();
        assert_eq!(
            c.delivery.sei_token.expose(),
            "sei-key-from-the-environment-0000"
        );
        assert_eq!(
            c.github.token.expose(),
            "ghs_configTestToken0000000000000000000"
        );
    }

    #[test]
    fn lists_and_params() {
        let c = config(with(|a| {
            a.reporting.send.params = some("version = 1.2\n\nurl=https://x/?a=b\n");
            a.reporting.send.themes = some("x, x/y");
            a.reporting.send.cfr_status = some("TRUE");
        }));
        assert_eq!(
            c.send.mapping.params,
            [
                ("version".to_owned(), "1.2".to_owned()),
                ("url".to_owned(), "https://x/?a=b".to_owned())
            ]
        );
        assert_eq!(c.send.mapping.themes, ["x", "x/y"]);
        assert_eq!(c.send.mapping.cfr_status, Some(true));
    }

    #[test]
    fn the_new_inputs_read_what_the_runner_passes() {
        let c = config(with(|a| {
            a.reporting.send.ci_cd = some("CD");
            a.reporting.send.commits = some("event");
            a.reporting.send.artifacts = some("output container ghcr.io/acme/api:1.4.2");
            a.reporting.send.include_workflow_artifacts = some("true");
            a.run.job_check_run_id = some("41234567890");
            a.run.job_status = some("Failure");
            a.run.wait_timeout = some("2m");
        }));
        assert_eq!(c.send.mapping.ci_cd, CiCd::Cd);
        assert_eq!(c.send.commits, CommitsMode::Event);
        assert_eq!(c.send.mapping.artifacts[0].name, "ghcr.io/acme/api");
        assert!(c.send.include_workflow_artifacts);
        assert_eq!(c.run.job_check_run_id, Some(41234567890));
        assert_eq!(c.run.job_status.as_deref(), Some("failure"));
        assert_eq!(c.run.wait_timeout, Duration::from_secs(120));
    }

    #[test]
    fn credentials_in_a_url_are_never_shown() {
        let e = errors(with(|a| {
            a.reporting.sei.sei_url = some("https://me:s3cret@sei.example.com")
        }));
        assert!(!e[0].contains("s3cret") && e[0].contains("https://***@sei.example.com"));
    }

    #[test]
    fn retry_inputs() {
        let c = config(args());
        assert_eq!(c.delivery.policy, Policy::default());
        let c = config(with(|a| {
            a.reporting.net.timeout = some("2m");
            a.reporting.net.max_attempts = some("1");
        }));
        assert_eq!(c.delivery.policy.timeout, Duration::from_secs(120));
        assert_eq!(c.delivery.policy.max_attempts, 1);
        let e = errors(with(|a| {
            a.reporting.net.timeout = some("0");
            a.reporting.net.max_attempts = some("21");
        }));
        assert!(
            e[0].contains("input `timeout` is `0`: use a number of seconds"),
            "{e:?}"
        );
        assert!(e[1].contains("input `max-attempts` is `21`"), "{e:?}");
    }

    #[test]
    fn plain_http_only_to_this_machine_unless_allowed() {
        let http = |url: &str, api: &str, allow: Option<&str>| {
            load(
                &with(|a| {
                    a.reporting.sei.sei_url = some(url);
                    a.reporting.net.allow_insecure_http = allow.map(Into::into);
                }),
                &RunnerEnv {
                    api_url: Some(api.into()),
                    ..RunnerEnv::default()
                },
            )
        };
        assert!(http("http://127.0.0.1:8080", "http://localhost:9/api/v3", None).is_ok());
        assert!(http("http://[::1]:8080", "https://api.github.com", None).is_ok());
        let e = http("http://sei.corp", "http://ghe.corp/api/v3", None).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].0.contains("input `sei-url` is `http://sei.corp`"),
            "{e:?}"
        );
        assert!(e[0].0.contains("unencrypted") && e[0].0.contains("allow-insecure-http"));
        assert!(
            e[1].0
                .starts_with("GITHUB_API_URL is `http://ghe.corp/api/v3`"),
            "{e:?}"
        );
        let c = http("http://sei.corp", "http://ghe.corp/api/v3", Some("true")).unwrap();
        assert_eq!(c.delivery.sei_endpoint, "http://sei.corp/v1/custom-cicd");
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        // A saved run reads no API: its URL does not matter.
        let c = load(
            &with(|a| a.run.github_data = some("examples/x")),
            &RunnerEnv {
                api_url: Some("http://ghe.corp/api/v3".into()),
                ..RunnerEnv::default()
            },
        );
        assert!(c.is_ok());
    }

    #[test]
    fn ca_cert_must_be_a_pem_file() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("ca.pem");
        std::fs::write(&bad, "hello").unwrap();
        let e = errors(with(|a| {
            a.reporting.net.ca_cert = Some(bad.display().to_string())
        }));
        assert!(
            e[0].starts_with(&format!(
                "input `ca-cert` is `{}`, which holds no",
                bad.display()
            )),
            "{e:?}"
        );
        let c = config(with(|a| a.reporting.net.ca_cert = some("")));
        assert!(c.delivery.ca_certs.is_empty(), "empty means not given");
    }

    #[test]
    fn replay_checks_the_same_inputs() {
        let mut a = ReplayArgs {
            file: "p.json".into(),
            ..ReplayArgs::default()
        };
        a.sei.sei_token = some("sei-key-for-config-tests-0000");
        a.net.timeout = some("5");
        let r = load_replay(&a, &RunnerEnv::default()).unwrap();
        assert_eq!(
            r.delivery.sei_endpoint,
            "https://api.levelops.io/v1/custom-cicd"
        );
        assert_eq!(r.delivery.policy.timeout, Duration::from_secs(5));
        let mut a = ReplayArgs::default();
        a.sei.sei_url = some("http://sei.corp");
        a.sei.auth_scheme = some("basic");
        let e = load_replay(&a, &RunnerEnv::default()).unwrap_err();
        let all: Vec<&str> = e.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all[0].contains("`sei-url`") && all[1].contains("`auth-scheme`"));
        assert!(all[2].contains("`sei-token` is empty"));
    }

    #[test]
    fn payload_limits() {
        let c = config(with(|a| a.reporting.send.max_payload_bytes = some("2MB")));
        assert_eq!(c.send.max_payload_bytes, Some(2_000_000));
        assert_eq!(config(args()).send.max_payload_bytes, None);
        let e = errors(with(|a| a.reporting.send.max_payload_bytes = some("lots")));
        assert!(
            e[0].contains("`max-payload-bytes` is `lots`") && e[0].contains("5MB"),
            "{e:?}"
        );
    }
}
