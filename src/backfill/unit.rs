//! The unit of a backfill's work: one run attempt, reported exactly as `report --run-id` would
//! report it (the same fetch through the repository's [`known`](super::known) answers, the same
//! [`pipeline`]), and how it ended told to the tally and the state. [`listed`] makes the units
//! of a listing's runs: every attempt of a re-run is its own.

use super::known::RepoKnown;
use super::state::{self, Key, Outcome};
use super::tally::Ended;
use super::Ctx;
use crate::github::fetch;
use crate::github::source::Source;
use crate::model::{Repo, Run};
use crate::model::{RunRef, RunSource};
use crate::pipeline::{self, Status};
use crate::retry::SystemClock;
use crate::runner::Level;

/// One run attempt to report.
pub(super) struct Unit {
    pub repo: Repo,
    pub id: u64,
    pub attempt: u64,
    /// The attempt as the listing shows it (the latest one); `None`: read it.
    pub run: Option<Run>,
    /// The run's branch, as the listing shows it (every attempt's).
    pub branch: Option<String>,
    pub workflow: String,
}

impl Unit {
    /// An attempt the state names (it failed before without a payload), read by id.
    pub(super) fn from_state(repo: Repo, id: u64, attempt: u64) -> Unit {
        Unit {
            repo,
            id,
            attempt,
            run: None,
            branch: None,
            workflow: "(from the state)".into(),
        }
    }
}

/// The attempts of a listing's runs to report, newest attempt first within a run: each run's
/// latest attempt holds the run as listed (moved, not copied), its earlier ones are read by id.
/// `wanted` hears of each attempt and says whether to report it (not when an earlier start
/// delivered it, say). Runs without an id are passed over.
pub(super) fn listed(
    repo: &Repo,
    runs: Vec<Run>,
    mut wanted: impl FnMut(&Key) -> bool,
) -> Vec<Unit> {
    let name = repo.to_string();
    let mut units = Vec::new();
    for run in runs {
        let Some(id) = run.id else { continue };
        let latest = run.run_attempt.unwrap_or(1).max(1);
        let workflow = run
            .name
            .clone()
            .or_else(|| run.path.clone())
            .unwrap_or_else(|| "?".into());
        let branch = run.head_branch.clone();
        let mut listed = Some(run);
        for attempt in (1..=latest).rev() {
            let run = listed.take();
            if !wanted(&state::key(&name, id, attempt)) {
                continue;
            }
            units.push(Unit {
                repo: repo.clone(),
                id,
                attempt,
                run,
                branch: branch.clone(),
                workflow: workflow.clone(),
            });
        }
    }
    units
}

impl Ctx<'_> {
    /// Reports one run attempt, exactly as `report` would, and records how it ended.
    pub(super) async fn unit(&self, u: Unit, known: Option<&RepoKnown<'_>>) {
        let Ok(_slot) = self.slots.acquire().await else {
            return;
        };
        if self.stopped() {
            self.tally.borrow_mut().not_reached();
            return;
        }
        let cfg = self.cfg;
        let clock = SystemClock::start();
        let gh = self.gh.handle(clock.clone());
        let target = RunRef {
            repo: u.repo.clone(),
            id: u.id,
            attempt: Some(u.attempt),
            source: RunSource::Inputs,
        };
        let plan = fetch::Plan {
            // A run of the default branch (the organization's listing names it) is a branch's;
            // any other name is looked up once for the repository (the cache's tags).
            default_branch: self
                .default_branches
                .borrow()
                .get(&u.repo.to_string().to_ascii_lowercase())
                .cloned(),
            ..fetch::Plan::new(&cfg.send)
        };
        let cached = known.map(|k| k.for_run(&gh, u.branch.clone()));
        let src: &dyn Source = match &cached {
            Some(c) => c,
            None => &gh,
        };
        let log = self.runner.capture();
        let what = format!("{} run {} attempt {}", u.repo, u.id, u.attempt);
        let listed_branch = u.run.as_ref().and_then(|r| r.head_branch.clone());
        let (status, detail, kept) = match fetch::fetch_from(&gh, src, &target, u.run, &plan).await
        {
            Err(why) => {
                let why = why.to_string();
                log.error(&why);
                (Status::Failed, why, None)
            }
            Ok(data) => {
                let shape = pipeline::Shape {
                    send: &cfg.send,
                    repository: u.repo.to_string(),
                    job_status: None,
                };
                match pipeline::build(data, None, &shape, &log) {
                    Err(why) => {
                        log.error(&why);
                        (Status::Failed, why, None)
                    }
                    Ok(built) => {
                        let keep = pipeline::Keep::UntilDelivered(&self.place);
                        let route = pipeline::Route {
                            delivery: &cfg.delivery,
                            client: &self.sei,
                            dry_run: false,
                            refused: None,
                        };
                        let (o, _) = pipeline::send(built, &route, keep, &log, &clock).await;
                        (o.status, o.detail, o.payload_file)
                    }
                }
            }
        };
        if let (Some(known), Some(branch)) = (known, &listed_branch) {
            known.finished(branch);
        }
        for (level, text) in log.take_lines() {
            let label = match level {
                Some(Level::Error) => "error",
                Some(Level::Warning) => "warning",
                _ => continue,
            };
            if level == Some(Level::Warning) {
                self.tally.borrow_mut().warned();
            }
            (self.say)(&format!("{what}: {label}: {text}"));
        }
        let k = state::key(&u.repo.to_string(), u.id, u.attempt);
        let (ended, outcome) = match status {
            Status::Delivered => (Ended::Delivered, Some(Outcome::Delivered)),
            Status::Failed => (
                Ended::Failed(match &kept {
                    Some(p) => format!("{what}: {detail} (payload kept at {})", p.display()),
                    None => format!("{what}: {detail}"),
                }),
                Some(Outcome::Failed(kept)),
            ),
            Status::Skipped | Status::DryRun => (Ended::Skipped, None),
        };
        self.tally
            .borrow_mut()
            .ended(Some(&u.repo.to_string()), ended);
        if let Some(o) = outcome {
            self.record(k, o);
        }
        self.update();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: Option<u64>, attempt: Option<u64>, name: Option<&str>, path: Option<&str>) -> Run {
        Run {
            id,
            run_attempt: attempt,
            name: name.map(str::to_owned),
            path: path.map(str::to_owned),
            head_branch: Some("main".into()),
            conclusion: Some("success".into()),
            ..Run::default()
        }
    }

    #[test]
    fn every_attempt_of_a_rerun_is_a_unit_and_only_the_latest_holds_the_listed_run() {
        let repo = Repo::parse("Acme/API").unwrap();
        let runs = vec![
            run(
                Some(7),
                Some(3),
                Some("CI"),
                Some(".github/workflows/ci.yml"),
            ),
            run(Some(8), None, None, Some(".github/workflows/deploy.yml")),
            run(None, Some(1), Some("no id"), None),
            run(Some(9), Some(0), None, None),
        ];
        let mut asked = Vec::new();
        let units = listed(&repo, runs, |k| {
            asked.push(k.clone());
            true
        });
        let seen: Vec<(u64, u64, bool, &str)> = units
            .iter()
            .map(|u| (u.id, u.attempt, u.run.is_some(), u.workflow.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (7, 3, true, "CI"),
                (7, 2, false, "CI"),
                (7, 1, false, "CI"),
                (8, 1, true, ".github/workflows/deploy.yml"),
                (9, 1, true, "?"),
            ]
        );
        assert!(units.iter().all(|u| u.branch.as_deref() == Some("main")));
        assert!(units.iter().all(|u| u.repo == repo));
        assert_eq!(
            asked[0],
            ("acme/api".to_owned(), 7, 3),
            "keys in lower case"
        );
    }

    #[test]
    fn an_attempt_not_wanted_is_left_out_and_its_run_is_not_handed_on() {
        let repo = Repo::parse("acme/api").unwrap();
        let runs = vec![run(Some(7), Some(2), Some("CI"), None)];
        // The latest attempt was delivered before: the earlier one is read by id.
        let units = listed(&repo, runs, |k| k.2 != 2);
        assert_eq!(units.len(), 1);
        assert_eq!((units[0].attempt, units[0].run.is_none()), (1, true));
        let from_state = Unit::from_state(repo, 5, 1);
        assert_eq!(from_state.workflow, "(from the state)");
        assert!(from_state.run.is_none() && from_state.branch.is_none());
    }
}
