//! What the payload says, as the user shapes it: the instance (`instance-guid`,
//! `instance-name`), names and numbers that replace derived ones (`pipeline`, `job-full-name`,
//! `qualified-name`, `project-name`, `module-name`, `build-number`), `ci-cd`, `cd-environments`,
//! `commits`,
//! `artifacts`, `include-workflow-artifacts`, `params`, `themes`, `cfr-status`,
//! `include-steps` and `max-payload-bytes`.

use super::values::{
    flag, given, number, parse_bool, parse_bytes, parse_params, split_list, Problems,
};
use crate::args::{InstanceArgs, SendArgs};
use crate::map::cicd::Environments;
use crate::map::commits::Mode as CommitsMode;
use crate::map::identity::{self, BuildNumbers};
use crate::map::{CiCd, Options, Overrides};

pub(crate) const DEFAULT_INSTANCE_NAME: &str = "GitHub Actions";
/// Stands in for `instance-guid` in a dry run that was not given one.
pub(crate) const PLACEHOLDER_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// The checked inputs that shape the payload: the mapping's options as [`crate::map`] reads them,
/// and the three that decide what is read and how big the body may be.
#[derive(Debug, Clone)]
pub(crate) struct SendSettings {
    /// Every input the mapping reads, checked into the options it takes. The run's own fields
    /// (`repository`, `job_status`, `now`) are set for each run it maps
    /// ([`crate::pipeline::options`]); `server_url` is `GITHUB_SERVER_URL`'s.
    pub mapping: Options,
    /// `commits`: which commits to look up.
    pub commits: CommitsMode,
    /// `include-workflow-artifacts`: read the run's uploaded artifacts.
    pub include_workflow_artifacts: bool,
    /// `max-payload-bytes`: steps are dropped to stay under it.
    pub max_payload_bytes: Option<usize>,
}

/// Checks the inputs that shape the payload; a dry run may go without `instance-guid`.
pub(crate) fn load(
    args: &SendArgs,
    instance: &InstanceArgs,
    dry_run: bool,
    p: &mut Problems,
) -> SendSettings {
    let instance_guid = instance_guid(instance, dry_run, p);
    let build_number = number(&args.build_number, p, |v| {
        format!(
            "input `build-number` is `{v}`: use a whole number below 2147483648 (2^31), like \
             `${{{{ github.run_number }}}}`, or leave it empty"
        )
    })
    .filter(|&n| {
        let fits = n < identity::LIMIT;
        if !fits {
            p.bad(format!(
                "input `build-number` is `{n}`, which SEI cannot link to (it reads stored build \
                 numbers as 32-bit numbers): use a whole number below 2147483648 (2^31), like \
                 `${{{{ github.run_number }}}}`, or leave it empty (`build-numbers` then numbers \
                 each attempt)"
            ));
        }
        fits
    });
    let build_numbers = match given(&args.build_numbers) {
        None => BuildNumbers::default(),
        Some(v) => BuildNumbers::parse(v).unwrap_or_else(|| {
            p.bad(format!(
                "input `build-numbers` is `{v}`: use `per-attempt` (every attempt of a run its \
                 own SEI run, the default) or `run-number` (the plain run number: SEI keeps the \
                 first attempt reported)"
            ));
            BuildNumbers::default()
        }),
    };
    let ci_cd = match given(&args.ci_cd) {
        None => CiCd::Auto,
        Some(v) => CiCd::parse(v).unwrap_or_else(|| {
            p.bad(format!(
                "input `ci-cd` is `{v}`: use `auto` (decide from the run), `ci`, `cd` or `both`"
            ));
            CiCd::Auto
        }),
    };
    let cd_environments = match given(&args.cd_environments) {
        None => Environments::default(),
        Some(v) => Environments::parse(v).unwrap_or_else(|| {
            p.bad(format!(
                "input `cd-environments` is `{v}`: list environment names or patterns, comma or \
                 newline separated, like `production, prod-*` (`*` for any characters, `!` to \
                 leave out), or leave it empty for the default"
            ));
            Environments::default()
        }),
    };
    let commits = match given(&args.commits) {
        None => CommitsMode::default(),
        Some(v) => CommitsMode::parse(v).unwrap_or_else(|| {
            p.bad(format!(
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
                p.bad(l);
            }
            Vec::new()
        }
    };
    let include_workflow_artifacts = flag(
        &args.include_workflow_artifacts,
        "include-workflow-artifacts",
        false,
        p,
    );
    let cfr_status = given(&args.cfr_status).and_then(|v| {
        let b = parse_bool(v);
        if b.is_none() {
            p.bad(format!(
                "input `cfr-status` is `{v}`: use `true` or `false`, or leave it empty to send none"
            ));
        }
        b
    });
    let include_steps = flag(&args.include_steps, "include-steps", true, p);
    let max_payload_bytes = given(&args.max_payload_bytes).and_then(|v| {
        let n = parse_bytes(v);
        if n.is_none() {
            p.bad(format!(
                "input `max-payload-bytes` is `{v}`: use a number of bytes above 0, like \
                 `5000000`, `5MB` or `4MiB`, or leave it empty for no limit"
            ));
        }
        n
    });
    let params = given(&args.params)
        .map(|text| parse_params(text, p))
        .unwrap_or_default();
    let text = |v: &Option<String>| given(v).map(str::to_owned);
    SendSettings {
        mapping: Options {
            instance_guid,
            instance_name: text(&instance.instance_name)
                .unwrap_or_else(|| DEFAULT_INSTANCE_NAME.into()),
            server_url: String::new(),
            repository: String::new(),
            overrides: Overrides {
                pipeline: text(&args.pipeline),
                job_full_name: text(&args.job_full_name),
                qualified_name: text(&args.qualified_name),
                project_name: text(&args.project_name),
                module_name: text(&args.module_name),
                build_number,
            },
            ci_cd,
            cd_environments,
            artifacts,
            themes: split_list(given(&args.themes).unwrap_or_default()),
            cfr_status,
            params,
            job_status: None,
            include_steps,
            build_numbers,
            now: chrono::DateTime::UNIX_EPOCH,
        },
        commits,
        include_workflow_artifacts,
        max_payload_bytes,
    }
}

/// `instance-guid`, as SEI writes a UUID (lower case, hyphenated).
fn instance_guid(args: &InstanceArgs, dry_run: bool, p: &mut Problems) -> String {
    match given(&args.instance_guid) {
        Some(v) => match uuid::Uuid::parse_str(v) {
            Ok(u) if u.is_nil() && !dry_run => {
                p.bad(format!(
                    "input `instance-guid` is `{v}`, the placeholder a dry run uses: SEI drops \
                     every run of an instance it does not know. Set it to the UUID of your \
                     CI/CD instance in SEI (see \"Get an instance GUID\" in docs/setup.md)"
                ));
                String::new()
            }
            Ok(u) => u.hyphenated().to_string(),
            Err(_) => {
                p.bad(format!(
                    "input `instance-guid` is `{v}`, which is not a UUID: use the id SEI gave the \
                     CI/CD instance, like `89d2491c-764a-4f77-93d9-18e8e372b795` (see \
                     \"Get an instance GUID\" in docs/setup.md)"
                ));
                String::new()
            }
        },
        None if dry_run => {
            p.warn(format!(
                "input `instance-guid` is not given: the dry-run payload uses {PLACEHOLDER_GUID}"
            ));
            PLACEHOLDER_GUID.to_owned()
        }
        None => {
            p.bad(
                "input `instance-guid` is empty: set it to the UUID of your CI/CD instance in \
                 SEI (see \"Get an instance GUID\" in docs/setup.md)"
                    .to_owned(),
            );
            String::new()
        }
    }
}

/// The warning for `commits: event` in a command that reports runs without their own event
/// (`elsewhere` says what it has instead: "a backfill does not have"), or none.
pub(crate) fn event_commits_warning(send: &SendSettings, elsewhere: &str) -> Option<String> {
    (send.commits == crate::map::commits::Mode::Event).then(|| {
        format!(
            "`commits: event` reads the run's own event, which {elsewhere}: every run reports its \
             head commit (`since-last-success` finds the commits since the last successful run)"
        )
    })
}
