//! The inputs of `verify`: `backfill`'s selection, `state`, `repair` and `json`, and the inputs
//! that made the reports (how to reach SEI and GitHub, and what shaped the payloads: they decide
//! each run's job and build number in SEI, and what `--repair` sends).

use super::backfill::{selection, Selection};
use super::values::{given, Problems};
use super::{Delivery, GitHubAccess, InputError, SendSettings};
use crate::args::{BehaviourArgs, ReportingArgs, VerifyArgs};
use crate::env::RunnerEnv;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// The checked settings of one `verify`.
#[derive(Debug, Clone)]
pub(crate) struct Verify {
    pub delivery: Delivery,
    pub github: GitHubAccess,
    pub send: SendSettings,
    pub select: Selection,
    /// A backfill's state file, to count what it delivered.
    pub state: Option<PathBuf>,
    pub repair: bool,
    pub json: bool,
    /// The command's start: the newest a stored run's start may be.
    pub now: DateTime<Utc>,
    pub warnings: Vec<String>,
}

/// Checks every input of `verify`, `now` being the command's start.
pub(crate) fn load(
    args: &VerifyArgs,
    env: &RunnerEnv,
    now: DateTime<Utc>,
) -> Result<Verify, Vec<InputError>> {
    let mut p = Problems::default();
    let reporting = ReportingArgs {
        sei: args.sei.clone(),
        instance: args.instance.clone(),
        github: args.github.clone(),
        send: args.send.clone(),
        behaviour: BehaviourArgs::default(),
        net: args.net.clone(),
    };
    let super::Reporting {
        delivery,
        github,
        send,
        ..
    } = super::reporting(&reporting, env, true, &mut p);
    let select = selection(&args.select, now, "verify", &mut p);
    if send.mapping.overrides.build_number.is_some() {
        p.bad(
            "input `build-number` gives every run the same number, so no run could be told \
             apart in SEI: leave it out (`build-numbers` says how each run's number was made)"
                .to_owned(),
        );
    }
    let state = given(&args.check.state).map(PathBuf::from);
    if let Some(path) = &state {
        if !path.is_file() {
            p.bad(format!(
                "input `state` is `{}`, which is not a file: give the state file a backfill \
                 wrote (`backfill --state FILE`), or leave it out",
                path.display()
            ));
        }
    }
    if github.token.is_empty() {
        p.warn(
            "`github-token` is empty: without a token GitHub allows 60 requests an hour and only \
             public repositories (set GITHUB_TOKEN or --github-token)"
                .to_owned(),
        );
    }
    let (mut cfg, warnings) = p.finish(Verify {
        delivery,
        github,
        send,
        select,
        state,
        repair: args.check.repair,
        json: args.check.json,
        now,
        warnings: Vec::new(),
    })?;
    cfg.warnings = warnings;
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    fn args(f: impl FnOnce(&mut VerifyArgs)) -> VerifyArgs {
        let mut a = VerifyArgs::default();
        a.sei.sei_token = Some("sei-key-as-long-as-a-real-one".into());
        a.instance.instance_guid = Some("89d2491c-764a-4f77-93d9-18e8e372b795".into());
        a.select.repositories = vec!["acme/api".into()];
        f(&mut a);
        a
    }

    fn now() -> DateTime<Utc> {
        parse_time("2025-06-15T12:00:00Z").unwrap()
    }

    #[test]
    fn every_bad_input_is_named_with_its_value_and_fix() {
        let e = load(
            &args(|a| {
                a.select.repositories.clear();
                a.select.since = Some("sometime".into());
                a.check.state = Some("/no/such/state".into());
                a.send.build_number = Some("7".into());
                a.sei.sei_token = None;
            }),
            &RunnerEnv::default(),
            now(),
        )
        .unwrap_err()
        .iter()
        .map(|e| e.0.clone())
        .collect::<Vec<_>>()
        .join("\n");
        for needle in [
            "no repository to verify",
            "`since` is `sometime`",
            "`state` is `/no/such/state`, which is not a file",
            "`build-number` gives every run the same number",
            "`sei-token` is empty",
        ] {
            assert!(e.contains(needle), "missing {needle:?} in\n{e}");
        }
    }

    #[test]
    fn defaults_are_backfill_s() {
        let c = load(&args(|_| {}), &RunnerEnv::default(), now()).unwrap();
        assert_eq!(c.select.since, now() - super::super::DEFAULT_SINCE);
        assert_eq!(c.select.until, now());
        assert!(!c.repair && !c.json && c.state.is_none());
    }
}
