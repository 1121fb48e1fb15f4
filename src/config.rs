//! Checks the inputs and turns them into a [`Config`]. Every problem becomes one line that names
//! the input, shows the value (never a token's) and says how to fix it; all problems are reported
//! together, so a user fixes their workflow once.

use crate::args::{given, ReplayArgs, ReportArgs, SeiArgs};
pub use crate::delivery::Delivery;
use crate::env::RunnerEnv;
use crate::map::commits::Mode as CommitsMode;
use crate::map::{CiCd, Overrides};
use crate::payload::Artifact;
use crate::retry::{self, Policy};
use crate::secret::Secret;
use crate::sei::AuthScheme;
use rustls::pki_types::CertificateDer;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_SEI_URL: &str = "https://api.levelops.io";
pub const DEFAULT_INSTANCE_NAME: &str = "GitHub Actions";
pub const DEFAULT_API_URL: &str = "https://api.github.com";
pub const DEFAULT_SERVER_URL: &str = "https://github.com";
/// How long to wait, by default, for the other jobs of the run the reporter is in to settle.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(30);
/// Stands in for `instance-guid` in a dry run that was not given one.
pub const PLACEHOLDER_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// A repository, `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl fmt::Display for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl Repo {
    pub fn parse(text: &str) -> Option<Repo> {
        let (owner, name) = text.trim().split_once('/')?;
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (ok(owner) && ok(name)).then(|| Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// The checked settings of one `report`.
#[derive(Debug, Clone)]
pub struct Config {
    /// How to reach SEI, and the retries, deadline and trusted roots GitHub's requests follow too.
    pub delivery: Delivery,
    pub instance_guid: String,
    pub instance_name: String,
    pub github_token: Secret,
    pub api_url: String,
    pub server_url: String,
    pub run_id: Option<u64>,
    pub run_attempt: Option<u64>,
    pub repository: Option<Repo>,
    pub overrides: Overrides,
    pub ci_cd: CiCd,
    pub commits: CommitsMode,
    /// The `artifacts` input, parsed.
    pub artifacts: Vec<Artifact>,
    pub include_workflow_artifacts: bool,
    /// `job-check-run-id`: the reporter's own job, when the runner tells it.
    pub job_check_run_id: Option<u64>,
    /// `job-status`, lower-cased: `success`, `failure` or `cancelled`.
    pub job_status: Option<String>,
    pub wait_timeout: Duration,
    pub themes: Vec<String>,
    pub cfr_status: Option<bool>,
    pub params: Vec<(String, String)>,
    pub include_steps: bool,
    /// `max-payload-bytes`: steps are dropped to stay under it.
    pub max_payload_bytes: Option<usize>,
    pub dry_run: bool,
    pub fail_on_error: bool,
    pub github_data: Option<PathBuf>,
    /// Things worth a warning that do not stop the report.
    pub warnings: Vec<String>,
}

/// The checked settings of one `replay`.
#[derive(Debug, Clone)]
pub struct Replay {
    pub file: PathBuf,
    pub delivery: Delivery,
    pub warnings: Vec<String>,
}

/// One bad input: the message names the input, the value and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `fail-on-error` alone, read first so that even a report with bad inputs knows how to end.
pub fn fail_on_error(args: &ReportArgs) -> bool {
    given(&args.fail_on_error).is_some_and(|v| parse_bool(v) == Some(true))
}

/// Checks every input; returns all the problems found, not just the first.
pub fn load(args: &ReportArgs, env: &RunnerEnv) -> Result<Config, Vec<InputError>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut bad = |msg: String| errors.push(InputError(msg));

    let dry_run = flag(&args.dry_run, "dry-run", false, &mut bad);
    let include_steps = flag(&args.include_steps, "include-steps", true, &mut bad);
    let fail_on_error = flag(&args.fail_on_error, "fail-on-error", false, &mut bad);
    let cfr_status = given(&args.cfr_status).and_then(|v| {
        let b = parse_bool(v);
        if b.is_none() {
            bad(format!(
                "input `cfr-status` is `{v}`: use `true` or `false`, or leave it empty to send none"
            ));
        }
        b
    });

    let sei = reach(&args.sei, env, &mut bad, &mut warnings);
    let github_token = token(
        given(&args.github_token).or(env.github_token.as_deref()),
        "github-token",
        &mut bad,
    );

    let instance_guid = match given(&args.instance_guid) {
        Some(v) => match uuid::Uuid::parse_str(v) {
            Ok(u) => u.hyphenated().to_string(),
            Err(_) => {
                bad(format!(
                    "input `instance-guid` is `{v}`, which is not a UUID: use the id SEI gave the \
                     CI/CD instance, like `89d2491c-764a-4f77-93d9-18e8e372b795` (see the README, \
                     \"Get an instance GUID\")"
                ));
                String::new()
            }
        },
        None if dry_run => {
            warnings.push(format!(
                "input `instance-guid` is not given: the dry-run payload uses {PLACEHOLDER_GUID}"
            ));
            PLACEHOLDER_GUID.to_owned()
        }
        None => {
            bad(
                "input `instance-guid` is empty: set it to the UUID of your CI/CD instance in \
                 SEI (see the README, \"Get an instance GUID\")"
                    .to_owned(),
            );
            String::new()
        }
    };

    let run_id = number(&args.run_id, &mut bad, |v| {
        format!(
            "input `run-id` is `{v}`, which is not a run id: use the number after /actions/runs/ \
             in the run's URL, or `${{{{ github.run_id }}}}`"
        )
    });
    let run_attempt = number(&args.run_attempt, &mut bad, |v| {
        format!(
            "input `run-attempt` is `{v}`: use a whole number from 1, or `${{{{ github.run_attempt }}}}`"
        )
    });
    if run_attempt == Some(0) {
        bad("input `run-attempt` is `0`: attempts count from 1".to_owned());
    }
    let build_number = number(&args.build_number, &mut bad, |v| {
        format!(
            "input `build-number` is `{v}`: use a whole number, like `${{{{ github.run_number }}}}` \
             or `${{{{ github.run_id }}}}`"
        )
    });
    let repository = given(&args.repository).and_then(|v| {
        let r = Repo::parse(v);
        if r.is_none() {
            bad(format!(
                "input `repository` is `{v}`: use `owner/name`, like `octo-org/octo-repo`"
            ));
        }
        r
    });

    let ci_cd = match given(&args.ci_cd) {
        None => CiCd::Auto,
        Some(v) => CiCd::parse(v).unwrap_or_else(|| {
            bad(format!(
                "input `ci-cd` is `{v}`: use `auto` (decide from the run), `ci`, `cd` or `both`"
            ));
            CiCd::Auto
        }),
    };
    let commits = match given(&args.commits) {
        None => CommitsMode::default(),
        Some(v) => CommitsMode::parse(v).unwrap_or_else(|| {
            bad(format!(
                "input `commits` is `{v}`: use `since-last-success` (every commit since the \
                 last successful run), `event` (the commits of the event) or `head`"
            ));
            CommitsMode::default()
        }),
    };
    let artifacts = match given(&args.artifacts).map(crate::map::artifacts::parse) {
        None => Vec::new(),
        Some(Ok(a)) => a,
        Some(Err(lines)) => {
            for l in lines {
                bad(l);
            }
            Vec::new()
        }
    };
    let include_workflow_artifacts = flag(
        &args.include_workflow_artifacts,
        "include-workflow-artifacts",
        false,
        &mut bad,
    );
    let job_check_run_id = number(&args.job_check_run_id, &mut bad, |v| {
        format!(
            "input `job-check-run-id` is `{v}`, which is not a job id: leave it to its default \
             `${{{{ job.check_run_id }}}}`, or empty"
        )
    });
    let job_status = given(&args.job_status).and_then(|v| {
        let lower = v.to_ascii_lowercase();
        if crate::map::me::JOB_STATUSES.contains(&lower.as_str()) {
            Some(lower)
        } else {
            bad(format!(
                "input `job-status` is `{v}`: use `success`, `failure` or `cancelled` (by \
                 default `${{{{ job.status }}}}`)"
            ));
            None
        }
    });
    let wait_timeout = match given(&args.wait_timeout) {
        None => DEFAULT_WAIT_TIMEOUT,
        Some(v) => parse_seconds(v).unwrap_or_else(|| {
            bad(format!(
                "input `wait-timeout` is `{v}`: use a number of seconds, like `30`, `90s` or \
                 `2m` (`0` does not wait)"
            ));
            DEFAULT_WAIT_TIMEOUT
        }),
    };

    let max_payload_bytes = given(&args.max_payload_bytes).and_then(|v| {
        let n = parse_bytes(v);
        if n.is_none() {
            bad(format!(
                "input `max-payload-bytes` is `{v}`: use a number of bytes above 0, like \
                 `5000000`, `5MB` or `4MiB`, or leave it empty for no limit"
            ));
        }
        n
    });

    let params = given(&args.params)
        .map(|text| parse_params(text, &mut bad))
        .unwrap_or_default();

    let github_data = given(&args.github_data).map(PathBuf::from);

    let api_url = trim_url(env.api_url.as_deref().unwrap_or(DEFAULT_API_URL));
    if github_data.is_none() && crate::http::insecure(&api_url) {
        if sei.allow_insecure_http {
            warnings.push(format!(
                "GITHUB_API_URL `{api_url}` is plain http://: `github-token` travels unencrypted \
                 (`allow-insecure-http` is on)"
            ));
        } else {
            bad(format!(
                "GITHUB_API_URL is `{api_url}`: plain http:// to another machine would carry \
                 `github-token` unencrypted. Use the API's https:// URL, or set \
                 `allow-insecure-http: true` if the network in between is trusted"
            ));
        }
    }
    let server_url = trim_url(env.server_url.as_deref().unwrap_or(DEFAULT_SERVER_URL));
    let text = |v: &Option<String>| given(v).map(str::to_owned);

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        delivery: sei.delivery,
        instance_guid,
        instance_name: text(&args.instance_name).unwrap_or_else(|| DEFAULT_INSTANCE_NAME.into()),
        github_token,
        api_url,
        server_url,
        run_id,
        run_attempt,
        repository,
        overrides: Overrides {
            pipeline: text(&args.pipeline),
            job_full_name: text(&args.job_full_name),
            qualified_name: text(&args.qualified_name),
            project_name: text(&args.project_name),
            module_name: text(&args.module_name),
            build_number,
        },
        ci_cd,
        commits,
        artifacts,
        include_workflow_artifacts,
        job_check_run_id,
        job_status,
        wait_timeout,
        themes: split_list(given(&args.themes).unwrap_or_default()),
        cfr_status,
        params,
        include_steps,
        max_payload_bytes,
        dry_run,
        fail_on_error,
        github_data,
        warnings,
    })
}

/// Checks `replay`'s inputs, like [`load`] does `report`'s.
pub fn load_replay(args: &ReplayArgs, env: &RunnerEnv) -> Result<Replay, Vec<InputError>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut bad = |msg: String| errors.push(InputError(msg));
    let sei = reach(&args.sei, env, &mut bad, &mut warnings);
    if sei.delivery.sei_token.is_empty() {
        bad(
            "input `sei-token` is empty: pass your SEI API key (on a terminal: SEI_TOKEN=... \
             or --sei-token)"
                .to_owned(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Replay {
        file: args.file.clone(),
        delivery: sei.delivery,
        warnings,
    })
}

struct Reach {
    delivery: Delivery,
    allow_insecure_http: bool,
}

/// Checks the inputs that say how to reach SEI.
fn reach(
    args: &SeiArgs,
    env: &RunnerEnv,
    bad: &mut impl FnMut(String),
    warnings: &mut Vec<String>,
) -> Reach {
    let allow_insecure_http = flag(&args.allow_insecure_http, "allow-insecure-http", false, bad);
    let raw_url = given(&args.sei_url).unwrap_or(DEFAULT_SEI_URL);
    // What messages show: a user or password in the URL is not.
    let sei_url = &without_userinfo(raw_url);
    let sei_endpoint = match crate::sei::endpoint(raw_url) {
        Ok(url) => {
            if crate::http::insecure(&url) {
                if allow_insecure_http {
                    warnings.push(format!(
                        "`sei-url` `{sei_url}` is plain http://: `sei-token` travels \
                         unencrypted (`allow-insecure-http` is on)"
                    ));
                } else {
                    bad(format!(
                        "input `sei-url` is `{sei_url}`: plain http:// to another machine would \
                         carry `sei-token` unencrypted. Use https://, or set \
                         `allow-insecure-http: true` if the network in between is trusted"
                    ));
                }
            }
            url
        }
        Err(why) => {
            bad(format!(
                "input `sei-url` is `{sei_url}`: {why}. Use your SEI API base, like \
                 `https://api.levelops.io` or `https://app.harness.io/gratis/sei/api`"
            ));
            String::new()
        }
    };

    let sei_token = token(
        given(&args.sei_token).or(env.sei_token.as_deref()),
        "sei-token",
        bad,
    );

    let auth_scheme = match given(&args.auth_scheme)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("auto") => AuthScheme::Auto,
        Some("bearer") => AuthScheme::Bearer,
        Some("apikey") | Some("api-key") => AuthScheme::ApiKey,
        Some(_) => {
            bad(format!(
                "input `auth-scheme` is `{}`: use `auto`, `bearer` or `apikey`",
                given(&args.auth_scheme).unwrap_or_default()
            ));
            AuthScheme::Auto
        }
    };

    let timeout = match given(&args.timeout) {
        None => retry::DEFAULT_TIMEOUT,
        Some(v) => parse_timeout(v).unwrap_or_else(|| {
            bad(format!(
                "input `timeout` is `{v}`: use a number of seconds from 1 to 3600, like `60`, \
                 `90s` or `2m`"
            ));
            retry::DEFAULT_TIMEOUT
        }),
    };
    let max_attempts = match given(&args.max_attempts) {
        None => retry::DEFAULT_MAX_ATTEMPTS,
        Some(v) => match v.parse::<u32>() {
            Ok(n @ 1..=MAX_ATTEMPTS) => n,
            _ => {
                bad(format!(
                    "input `max-attempts` is `{v}`: use a whole number from 1 (no retry) to \
                     {MAX_ATTEMPTS}, like `5`"
                ));
                retry::DEFAULT_MAX_ATTEMPTS
            }
        },
    };

    let ca_certs = match given(&args.ca_cert) {
        None => Vec::new(),
        Some(path) => ca_file(Path::new(path)).unwrap_or_else(|why| {
            bad(why);
            Vec::new()
        }),
    };

    Reach {
        delivery: Delivery {
            sei_endpoint,
            sei_token,
            auth_scheme,
            policy: Policy::new(timeout, max_attempts),
            ca_certs,
        },
        allow_insecure_http,
    }
}

/// `url` with any `user:password@` replaced by `***@`, for messages.
pub fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// The most `max-attempts` accepts.
pub const MAX_ATTEMPTS: u32 = 20;

/// `timeout`: like [`parse_seconds`] (`60`, `90s`, `2m`), from 1 s to an hour.
fn parse_timeout(v: &str) -> Option<Duration> {
    parse_seconds(v).filter(|d| (1..=3600).contains(&d.as_secs()))
}

fn ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    crate::http::load_ca(path).map_err(|why| {
        format!(
            "input `ca-cert` is `{}`, which {why}: give the path of a PEM file with the \
             certificate of the CA that signed your server's (Enterprise Server, a \
             TLS-intercepting proxy)",
            path.display()
        )
    })
}

/// `true`/`false` (and the usual yes/no, on/off, 1/0), any case.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// `30`, `30s`, `2m`: a whole number of seconds or minutes.
pub fn parse_seconds(v: &str) -> Option<Duration> {
    let v = v.trim().to_ascii_lowercase();
    let (digits, scale) = if let Some(d) = v.strip_suffix('m') {
        (d, 60)
    } else {
        (v.strip_suffix('s').unwrap_or(&v), 1)
    };
    let n: u64 = digits.trim().parse().ok()?;
    n.checked_mul(scale).map(Duration::from_secs)
}

/// A size in bytes: `5000000`, `5MB`/`5M`/`5000kB` (powers of 1000), `4MiB`/`4096KiB`
/// (powers of 1024), any case, with or without a space; `None` for anything else or for 0.
pub fn parse_bytes(v: &str) -> Option<usize> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (digits, unit) = v.split_at(split);
    let n: usize = digits.parse().ok()?;
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "m" | "mb" => 1_000_000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(unit).filter(|&b| b > 0)
}

fn flag(value: &Option<String>, input: &str, default: bool, bad: &mut impl FnMut(String)) -> bool {
    match given(value) {
        None => default,
        Some(v) => parse_bool(v).unwrap_or_else(|| {
            bad(format!("input `{input}` is `{v}`: use `true` or `false`"));
            default
        }),
    }
}

fn number(
    value: &Option<String>,
    bad: &mut impl FnMut(String),
    message: impl Fn(&str) -> String,
) -> Option<u64> {
    let v = given(value)?;
    v.parse::<u64>().map_err(|_| bad(message(v))).ok()
}

/// A token must fit in an HTTP header; the message never repeats it.
fn token(value: Option<&str>, input: &str, bad: &mut impl FnMut(String)) -> Secret {
    let secret = Secret::new(value.unwrap_or_default());
    if secret.expose().chars().any(|c| !c.is_ascii_graphic()) {
        bad(format!(
            "input `{input}` holds spaces or characters that cannot be sent in an HTTP header \
             (the value is not shown): paste the token again, with nothing around it"
        ));
        return Secret::default();
    }
    secret
}

fn trim_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// Splits `a, b` or one item per line; blanks dropped, duplicates kept once, order kept.
pub fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// Lines of `name=value`; blank lines are skipped; the value may hold `=`.
fn parse_params(text: &str, bad: &mut impl FnMut(String)) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                out.push((name.trim().to_owned(), value.trim().to_owned()))
            }
            _ => bad(format!(
                "input `params`, line {}: `{line}` is not `name=value`: write one parameter per \
                 line, like `version=1.4.2`",
                i + 1
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ReportArgs {
        ReportArgs {
            sei: SeiArgs {
                sei_token: Some("k".into()),
                ..SeiArgs::default()
            },
            instance_guid: Some("89D2491C-764A-4F77-93D9-18E8E372B795".into()),
            ..ReportArgs::default()
        }
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
        assert_eq!(c.instance_guid, "89d2491c-764a-4f77-93d9-18e8e372b795");
        assert_eq!(c.instance_name, "GitHub Actions");
        assert_eq!(c.api_url, "https://api.github.com");
        assert_eq!(c.server_url, "https://github.com");
        assert_eq!(c.delivery.auth_scheme, AuthScheme::Auto);
        assert_eq!(c.ci_cd, CiCd::Auto);
        assert_eq!(c.commits, CommitsMode::SinceLastSuccess);
        assert!(c.artifacts.is_empty() && !c.include_workflow_artifacts);
        assert_eq!((c.job_check_run_id, c.job_status.as_deref()), (None, None));
        assert_eq!(c.wait_timeout, Duration::from_secs(30));
        assert!(c.include_steps && !c.dry_run && !c.fail_on_error);
        assert_eq!(c.cfr_status, None);
    }

    #[test]
    fn empty_values_mean_not_given() {
        let a = ReportArgs {
            sei: SeiArgs {
                sei_url: Some("".into()),
                ..args().sei
            },
            dry_run: Some(" ".into()),
            run_id: Some("".into()),
            github_data: Some("".into()),
            ..args()
        };
        let c = config(a);
        assert_eq!(
            c.delivery.sei_endpoint,
            "https://api.levelops.io/v1/custom-cicd"
        );
        assert!(!c.dry_run);
        assert_eq!(c.run_id, None);
        assert_eq!(c.github_data, None);
    }

    #[test]
    fn every_bad_input_is_named_with_its_value_and_fix() {
        let e = errors(ReportArgs {
            sei: SeiArgs {
                auth_scheme: Some("basic".into()),
                sei_url: Some("ftp://x".into()),
                ..args().sei
            },
            instance_guid: Some("not-a-uuid".into()),
            run_id: Some("12a".into()),
            run_attempt: Some("0".into()),
            repository: Some("just-a-name".into()),
            ci_cd: Some("deploy".into()),
            dry_run: Some("maybe".into()),
            params: Some("version=1\nbroken".into()),
            commits: Some("all".into()),
            artifacts: Some("output ghcr.io/a/b:1\nship it".into()),
            job_check_run_id: Some("abc".into()),
            job_status: Some("green".into()),
            wait_timeout: Some("soon".into()),
            include_workflow_artifacts: Some("maybe".into()),
            ..args()
        });
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
        let e = errors(ReportArgs {
            instance_guid: None,
            ..args()
        });
        assert!(e[0].contains("`instance-guid` is empty"), "{e:?}");
        let c = config(ReportArgs {
            instance_guid: None,
            dry_run: Some("true".into()),
            ..args()
        });
        assert_eq!(c.instance_guid, PLACEHOLDER_GUID);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn token_problems_never_echo_the_token() {
        let e = errors(ReportArgs {
            sei: SeiArgs {
                sei_token: Some("abc def-secret".into()),
                ..args().sei
            },
            ..args()
        });
        assert!(e[0].contains("`sei-token`"));
        assert!(!e[0].contains("def-secret"), "{e:?}");
    }

    #[test]
    fn tokens_also_come_from_the_environment() {
        let env = RunnerEnv {
            github_token: Some("ghs_x".into()),
            sei_token: Some("sei_x".into()),
            ..RunnerEnv::default()
        };
        let c = load(
            &ReportArgs {
                sei: SeiArgs {
                    sei_token: Some("".into()),
                    ..args().sei
                },
                ..args()
            },
            &env,
        )
        .unwrap();
        assert_eq!(c.delivery.sei_token.expose(), "sei_x");
        assert_eq!(c.github_token.expose(), "ghs_x");
    }

    #[test]
    fn lists_and_params() {
        assert_eq!(split_list("a, b\nc,,a\n"), ["a", "b", "c"]);
        let c = config(ReportArgs {
            params: Some("version = 1.2\n\nurl=https://x/?a=b\n".into()),
            themes: Some("x, x/y".into()),
            cfr_status: Some("TRUE".into()),
            ..args()
        });
        assert_eq!(
            c.params,
            [
                ("version".to_owned(), "1.2".to_owned()),
                ("url".to_owned(), "https://x/?a=b".to_owned())
            ]
        );
        assert_eq!(c.themes, ["x", "x/y"]);
        assert_eq!(c.cfr_status, Some(true));
    }

    #[test]
    fn the_new_inputs_read_what_the_runner_passes() {
        let c = config(ReportArgs {
            ci_cd: Some("CD".into()),
            commits: Some("event".into()),
            artifacts: Some("output container ghcr.io/acme/api:1.4.2".into()),
            include_workflow_artifacts: Some("true".into()),
            job_check_run_id: Some("41234567890".into()),
            job_status: Some("Failure".into()),
            wait_timeout: Some("2m".into()),
            ..args()
        });
        assert_eq!(c.ci_cd, CiCd::Cd);
        assert_eq!(c.commits, CommitsMode::Event);
        assert_eq!(c.artifacts[0].name, "ghcr.io/acme/api");
        assert!(c.include_workflow_artifacts);
        assert_eq!(c.job_check_run_id, Some(41234567890));
        assert_eq!(c.job_status.as_deref(), Some("failure"));
        assert_eq!(c.wait_timeout, Duration::from_secs(120));
        assert_eq!(parse_seconds("0"), Some(Duration::ZERO));
        assert_eq!(parse_seconds("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse_seconds("-1"), None);
    }

    #[test]
    fn credentials_in_a_url_are_never_shown() {
        assert_eq!(without_userinfo("https://me:pw@x/a@b"), "https://***@x/a@b");
        assert_eq!(without_userinfo("me:pw@x"), "***@x");
        assert_eq!(without_userinfo("https://x/path"), "https://x/path");
        let e = errors(ReportArgs {
            sei: SeiArgs {
                sei_url: Some("https://me:s3cret@sei.example.com".into()),
                ..args().sei
            },
            ..args()
        });
        assert!(!e[0].contains("s3cret") && e[0].contains("https://***@sei.example.com"));
    }

    #[test]
    fn retry_inputs() {
        let c = config(args());
        assert_eq!(c.delivery.policy, Policy::default());
        let c = config(ReportArgs {
            sei: SeiArgs {
                timeout: Some("2m".into()),
                max_attempts: Some("1".into()),
                ..args().sei
            },
            ..args()
        });
        assert_eq!(c.delivery.policy.timeout, Duration::from_secs(120));
        assert_eq!(c.delivery.policy.max_attempts, 1);
        assert_eq!(parse_timeout("90s"), Some(Duration::from_secs(90)));
        for bad in ["0", "-1", "3601", "61m", "soon", "1.5"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
        let e = errors(ReportArgs {
            sei: SeiArgs {
                timeout: Some("0".into()),
                max_attempts: Some("21".into()),
                ..args().sei
            },
            ..args()
        });
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
                &ReportArgs {
                    sei: SeiArgs {
                        sei_url: Some(url.into()),
                        allow_insecure_http: allow.map(Into::into),
                        ..args().sei
                    },
                    ..args()
                },
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
            &ReportArgs {
                github_data: Some("examples/x".into()),
                ..args()
            },
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
        let e = errors(ReportArgs {
            sei: SeiArgs {
                ca_cert: Some(bad.display().to_string()),
                ..args().sei
            },
            ..args()
        });
        assert!(
            e[0].starts_with(&format!(
                "input `ca-cert` is `{}`, which holds no",
                bad.display()
            )),
            "{e:?}"
        );
        let c = config(ReportArgs {
            sei: SeiArgs {
                ca_cert: Some(String::new()),
                ..args().sei
            },
            ..args()
        });
        assert!(c.delivery.ca_certs.is_empty(), "empty means not given");
    }

    #[test]
    fn replay_checks_the_same_inputs() {
        let r = load_replay(
            &ReplayArgs {
                sei: SeiArgs {
                    sei_token: Some("k".into()),
                    timeout: Some("5".into()),
                    ..SeiArgs::default()
                },
                file: "p.json".into(),
            },
            &RunnerEnv::default(),
        )
        .unwrap();
        assert_eq!(
            r.delivery.sei_endpoint,
            "https://api.levelops.io/v1/custom-cicd"
        );
        assert_eq!(r.delivery.policy.timeout, Duration::from_secs(5));
        let e = load_replay(
            &ReplayArgs {
                sei: SeiArgs {
                    sei_url: Some("http://sei.corp".into()),
                    auth_scheme: Some("basic".into()),
                    ..SeiArgs::default()
                },
                ..ReplayArgs::default()
            },
            &RunnerEnv::default(),
        )
        .unwrap_err();
        let all: Vec<&str> = e.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all[0].contains("`sei-url`") && all[1].contains("`auth-scheme`"));
        assert!(all[2].contains("`sei-token` is empty"));
    }

    #[test]
    fn payload_limits_take_plain_bytes_or_a_unit() {
        for (text, bytes) in [
            ("5000000", 5_000_000),
            ("5MB", 5_000_000),
            ("5 mb", 5_000_000),
            ("5M", 5_000_000),
            ("750kB", 750_000),
            ("4MiB", 4 * 1024 * 1024),
            ("512 KiB", 512 * 1024),
            (" 900b ", 900),
        ] {
            assert_eq!(parse_bytes(text), Some(bytes), "{text}");
        }
        for bad in [
            "0",
            "0MB",
            "-1",
            "1.5MB",
            "5 GB",
            "MB",
            "five",
            "99999999999999999999",
        ] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
        let c = config(ReportArgs {
            max_payload_bytes: Some("2MB".into()),
            ..args()
        });
        assert_eq!(c.max_payload_bytes, Some(2_000_000));
        assert_eq!(config(args()).max_payload_bytes, None);
        let e = errors(ReportArgs {
            max_payload_bytes: Some("lots".into()),
            ..args()
        });
        assert!(
            e[0].contains("`max-payload-bytes` is `lots`") && e[0].contains("5MB"),
            "{e:?}"
        );
    }

    #[test]
    fn repositories() {
        assert_eq!(
            Repo::parse("octo-org/octo.repo_1").unwrap().to_string(),
            "octo-org/octo.repo_1"
        );
        for bad in ["", "a", "a/", "/b", "a/b/c", "a b/c"] {
            assert_eq!(Repo::parse(bad), None, "{bad}");
        }
    }
}
