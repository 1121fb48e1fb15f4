//! The inputs only `backfill` has: which runs (`repository`, `organization`, `include`,
//! `exclude`, `workflow`, `since`, `until`, `branch`, `event`) and how it runs (`concurrency`,
//! `state`, `max-requests-per-minute`). Every other input is `report`'s, checked by its own
//! concern; this file puts them together with [`load`].

use super::values::{given, Problems};
use super::{Behaviour, Delivery, GitHubAccess, InputError};
use super::{SendSettings, DEFAULT_SINCE};
use crate::args::{BackfillArgs, PaceArgs, SelectArgs};
use crate::env::RunnerEnv;
use crate::model::Repo;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use std::path::PathBuf;

/// The default and the bounds of `concurrency`.
pub(crate) const DEFAULT_CONCURRENCY: usize = 4;
pub(crate) const MAX_CONCURRENCY: usize = 64;
/// GitHub.com's secondary limit on REST requests a minute (one point per GET).
pub(crate) const DEFAULT_PER_MINUTE: u32 = 900;

/// The checked settings of one `backfill`.
#[derive(Debug, Clone)]
pub(crate) struct Backfill {
    pub delivery: Delivery,
    pub github: GitHubAccess,
    pub send: SendSettings,
    pub behaviour: Behaviour,
    pub select: Selection,
    pub pace: Pacing,
    pub warnings: Vec<String>,
}

/// Which runs: completed runs of these repositories, created in `since..=until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    pub repositories: Vec<Repo>,
    pub organization: Option<String>,
    /// Glob patterns on `owner/repo`, lower-cased.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// File names or names, as given.
    pub workflows: Vec<String>,
    pub since: DateTime<Utc>,
    /// The end of the window (the command's start when not given).
    pub until: DateTime<Utc>,
    pub branch: Option<String>,
    pub event: Option<String>,
}

/// How the backfill runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pacing {
    pub concurrency: usize,
    pub state: Option<PathBuf>,
    pub per_minute: u32,
    /// No run attempt starts after this long (`stop-after`).
    pub stop_after: Option<std::time::Duration>,
}

/// Checks every input of `backfill`, `now` being the command's start.
pub(crate) fn load(
    args: &BackfillArgs,
    env: &RunnerEnv,
    now: DateTime<Utc>,
) -> Result<Backfill, Vec<InputError>> {
    let mut p = Problems::of(env);
    let super::Reporting {
        delivery,
        github,
        send,
        behaviour,
    } = super::reporting(&args.reporting, env, true, &mut p);
    let select = selection(&args.select, now, "backfill", &mut p);
    let pace = pacing(&args.pace, &mut p);
    if send.mapping.overrides.build_number.is_some() {
        p.bad(
            "input `build-number` gives every run the same number, and SEI keeps only the first \
             report of a number: leave it out of a backfill (`build-numbers` chooses how each \
             run's number is made)"
                .to_owned(),
        );
    }
    if github.token.is_empty() {
        p.warn(
            "`github-token` is empty: without a token GitHub allows 60 requests an hour and only \
             public repositories (set GITHUB_TOKEN or --github-token)"
                .to_owned(),
        );
    }
    if let Some(w) = super::send::event_commits_warning(&send, "a backfill does not have") {
        p.warn(w);
    }
    let (mut cfg, warnings) = p.finish(Backfill {
        delivery,
        github,
        send,
        behaviour,
        select,
        pace,
        warnings: Vec::new(),
    })?;
    // A dry run of a backfill builds no payload: the placeholder GUID is never used.
    cfg.warnings = warnings
        .into_iter()
        .filter(|w| !w.contains(super::send::PLACEHOLDER_GUID))
        .collect();
    Ok(cfg)
}

/// Checks the selection flags (`verify` takes the same).
pub(crate) fn selection(
    args: &SelectArgs,
    now: DateTime<Utc>,
    command: &str,
    p: &mut Problems,
) -> Selection {
    let mut repositories = Vec::new();
    for r in &args.repositories {
        match Repo::parse(r) {
            Some(repo) if !repositories.contains(&repo) => repositories.push(repo),
            Some(_) => {}
            None => p.bad(format!(
                "input `repository` is `{r}`: use {} (repeat --repository for more)",
                Repo::SPELLING
            )),
        }
    }
    let organization = given(&args.organization).and_then(|o| {
        let ok = o.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok || o.contains('/') {
            p.bad(format!(
                "input `organization` is `{o}`: use the organization's login, like `octo-org` \
                 (for one repository, --repository owner/name)"
            ));
            return None;
        }
        Some(o.to_owned())
    });
    if repositories.is_empty() && organization.is_none() && args.repositories.is_empty() {
        p.bad(format!(
            "no repository to {command}: give --repository owner/name (repeatable) or \
                 --organization ORG"
        ));
    }
    let patterns = |list: &[String], input: &str, p: &mut Problems| -> Vec<String> {
        list.iter()
            .filter_map(|g| {
                let g = g.trim();
                if g.is_empty() {
                    p.bad(format!(
                        "input `{input}` is empty: give a pattern on owner/name, like `octo-org/api-*`"
                    ));
                    return None;
                }
                Some(g.to_ascii_lowercase())
            })
            .collect()
    };
    let include = patterns(&args.include, "include", p);
    let exclude = patterns(&args.exclude, "exclude", p);
    let workflows = args
        .workflows
        .iter()
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let when = |value: &Option<String>, input: &str, end: bool, p: &mut Problems| {
        let v = given(value)?;
        let t = parse_when(v, now, end);
        if t.is_none() {
            p.bad(format!(
                "input `{input}` is `{v}`: use a date (`2025-03-01`), a date-time \
                 (`2025-03-01T10:00:00Z`) or an age (`2h`, `7d`, `4w`)"
            ));
        }
        t
    };
    let since = when(&args.since, "since", false, p).unwrap_or(now - DEFAULT_SINCE);
    let until = when(&args.until, "until", true, p).unwrap_or(now).min(now);
    if since > until {
        p.bad(format!(
            "input `since` ({}) comes after `until` ({}): the window is empty",
            crate::time::stamp(since),
            crate::time::stamp(until)
        ));
    }
    let text = |v: &Option<String>| given(v).map(str::to_owned);
    Selection {
        repositories,
        organization,
        include,
        exclude,
        workflows,
        since,
        until,
        branch: text(&args.branch),
        event: text(&args.event),
    }
}

fn pacing(args: &PaceArgs, p: &mut Problems) -> Pacing {
    let concurrency = match given(&args.concurrency) {
        None => DEFAULT_CONCURRENCY,
        Some(v) => match v.parse::<usize>() {
            Ok(n @ 1..=MAX_CONCURRENCY) => n,
            _ => {
                p.bad(format!(
                    "input `concurrency` is `{v}`: use a whole number from 1 to \
                     {MAX_CONCURRENCY}, like `4`"
                ));
                DEFAULT_CONCURRENCY
            }
        },
    };
    let per_minute = match given(&args.max_requests_per_minute) {
        None => DEFAULT_PER_MINUTE,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => {
                p.bad(format!(
                    "input `max-requests-per-minute` is `{v}`: use a whole number above 0, \
                     like `900`"
                ));
                DEFAULT_PER_MINUTE
            }
        },
    };
    let state = given(&args.state).map(PathBuf::from);
    if let Some(path) = &state {
        if path.is_dir() {
            p.bad(format!(
                "input `state` is `{}`, which is a folder: give a file, like `sei-backfill.state`",
                path.display()
            ));
        }
    }
    let stop_after = given(&args.stop_after).and_then(|v| {
        match parse_age(v.trim()).and_then(|d| d.to_std().ok()) {
            Some(d) if !d.is_zero() => Some(d),
            _ => {
                p.bad(format!(
                    "input `stop-after` is `{v}`: use a duration above 0 like `12m` or `2h` \
                     (s, m, h, d)"
                ));
                None
            }
        }
    });
    if stop_after.is_some() && state.is_none() {
        p.warn(
            "`stop-after` without `state`: what is left when it stops is not recorded, so the \
             next start begins again from the first run attempt (give `state` to go on)"
                .to_owned(),
        );
    }
    Pacing {
        concurrency,
        state,
        per_minute,
        stop_after,
    }
}

/// A moment as `since`/`until` take it: a date (its start, or with `end` its last second), a
/// date-time (RFC 3339, or without a zone: UTC), or an age before `now` (`90s`, `30m`, `2h`,
/// `7d`, `4w`).
pub(crate) fn parse_when(text: &str, now: DateTime<Utc>, end: bool) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Some(age) = parse_age(t) {
        return now.checked_sub_signed(age);
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let start = d.and_hms_opt(0, 0, 0)?.and_utc();
        return Some(if end {
            start + Duration::days(1) - Duration::seconds(1)
        } else {
            start
        });
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.to_utc());
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .map(|n| n.and_utc())
}

/// `90s`, `30m`, `2h`, `7d`, `4w`.
fn parse_age(t: &str) -> Option<Duration> {
    let unit = t.chars().last()?;
    let n: i64 = t[..t.len() - unit.len_utf8()].trim().parse().ok()?;
    if n < 0 {
        return None;
    }
    match unit.to_ascii_lowercase() {
        's' => Duration::try_seconds(n),
        'm' => Duration::try_minutes(n),
        'h' => Duration::try_hours(n),
        'd' => Duration::try_days(n),
        'w' => Duration::try_weeks(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    fn now() -> DateTime<Utc> {
        parse_time("2025-06-15T12:00:00Z").unwrap()
    }

    fn args(f: impl FnOnce(&mut BackfillArgs)) -> BackfillArgs {
        let mut a = BackfillArgs::default();
        a.reporting.sei.sei_token = Some("sei-key-for-config-tests-0000".into());
        a.reporting.instance.instance_guid = Some("89d2491c-764a-4f77-93d9-18e8e372b795".into());
        a.select.repositories = vec!["acme/api".into()];
        f(&mut a);
        a
    }

    fn errors(a: BackfillArgs) -> String {
        load(&a, &RunnerEnv::default(), now())
            .unwrap_err()
            .iter()
            .map(|e| e.0.clone())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn moments_as_dates_date_times_and_ages() {
        let t = |s: &str, end| parse_when(s, now(), end).map(|d| d.to_rfc3339());
        assert_eq!(t("2h", false).unwrap(), "2025-06-15T10:00:00+00:00");
        assert_eq!(t("7d", false).unwrap(), "2025-06-08T12:00:00+00:00");
        assert_eq!(t("1w", false).unwrap(), "2025-06-08T12:00:00+00:00");
        assert_eq!(t("90s", false).unwrap(), "2025-06-15T11:58:30+00:00");
        assert_eq!(t("2025-03-01", false).unwrap(), "2025-03-01T00:00:00+00:00");
        assert_eq!(t("2025-03-01", true).unwrap(), "2025-03-01T23:59:59+00:00");
        assert_eq!(
            t("2025-03-01T10:00:00+02:00", false).unwrap(),
            "2025-03-01T08:00:00+00:00"
        );
        assert_eq!(
            t("2025-03-01 10:30", false).unwrap(),
            "2025-03-01T10:30:00+00:00"
        );
        for bad in ["yesterday", "2h30", "-2h", "2025-13-01", "", "7y"] {
            assert_eq!(t(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn defaults() {
        let c = load(&args(|_| {}), &RunnerEnv::default(), now()).unwrap();
        assert_eq!(c.select.since, now() - DEFAULT_SINCE);
        assert_eq!(c.select.until, now());
        assert_eq!(c.pace.concurrency, 4);
        assert_eq!(c.pace.per_minute, 900);
        assert_eq!(c.pace.state, None);
        assert_eq!(c.pace.stop_after, None);
        assert_eq!(c.select.repositories[0].to_string(), "acme/api");
    }

    #[test]
    fn every_bad_input_is_named_with_its_value_and_fix() {
        let e = errors(args(|a| {
            a.select.repositories = vec!["acme".into()];
            a.select.organization = Some("acme/x".into());
            a.select.since = Some("last week".into());
            a.select.until = Some("soon".into());
            a.select.include = vec![" ".into()];
            a.pace.concurrency = Some("0".into());
            a.pace.max_requests_per_minute = Some("fast".into());
            a.pace.stop_after = Some("0m".into());
            a.reporting.send.build_number = Some("7".into());
        }));
        for needle in [
            "`repository` is `acme`",
            "`organization` is `acme/x`",
            "`since` is `last week`",
            "`until` is `soon`",
            "`include` is empty",
            "`concurrency` is `0`",
            "`max-requests-per-minute` is `fast`",
            "`stop-after` is `0m`: use a duration above 0 like `12m`",
            "`build-number` gives every run the same number",
        ] {
            assert!(e.contains(needle), "missing {needle:?} in\n{e}");
        }
        let e = errors(args(|a| {
            a.select.repositories.clear();
            a.select.since = Some("2025-06-01".into());
            a.select.until = Some("2025-05-01".into());
        }));
        assert!(e.contains("no repository to backfill"), "{e}");
        assert!(e.contains("comes after `until`"), "{e}");
    }

    #[test]
    fn stop_after_is_a_duration_and_asks_for_a_state() {
        let c = load(
            &args(|a| a.pace.stop_after = Some("12m".into())),
            &RunnerEnv::default(),
            now(),
        )
        .unwrap();
        assert_eq!(c.pace.stop_after, Some(std::time::Duration::from_secs(720)));
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("`stop-after` without `state`")),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn a_dry_run_needs_no_sei_token_or_guid() {
        let c = load(
            &args(|a| {
                a.reporting.sei.sei_token = None;
                a.reporting.instance.instance_guid = None;
                a.reporting.behaviour.dry_run = Some("true".into());
            }),
            &RunnerEnv::default(),
            now(),
        );
        assert!(c.is_ok());
        let e = errors(args(|a| a.reporting.sei.sei_token = None));
        assert!(e.contains("`sei-token` is empty"), "{e}");
    }
}
