//! Which run to report. In order: the run in a `workflow_run` event; else the `run-id`,
//! `run-attempt` and `repository` inputs; else the run the step is in (`GITHUB_RUN_ID`,
//! `GITHUB_RUN_ATTEMPT`, `GITHUB_REPOSITORY`).

use crate::config::RunChoice;
use crate::env::RunnerEnv;
use crate::model::event::Event;
use crate::model::{Repo, RunRef, RunSource};

/// Decides the run. `event` is the parsed event file, if it could be read.
pub(crate) fn resolve(
    cfg: &RunChoice,
    env: &RunnerEnv,
    event: Option<&Event>,
) -> Result<RunRef, String> {
    let env_repo = || env.repository.as_deref().and_then(Repo::parse);

    if env.event_name.as_deref() == Some("workflow_run") {
        if let Some(run) = event.and_then(|e| e.workflow_run.as_ref()) {
            let repo = run
                .repository
                .as_ref()
                .and_then(|r| r.full_name.as_deref())
                .or_else(|| event?.repository.as_ref()?.full_name.as_deref())
                .and_then(Repo::parse)
                .or_else(env_repo);
            if let (Some(id), Some(repo)) = (run.id, repo) {
                return Ok(RunRef {
                    repo,
                    id,
                    attempt: run.run_attempt,
                    source: RunSource::WorkflowRunEvent,
                });
            }
        }
    }

    if let Some(id) = cfg.run_id {
        let repo = cfg.repository.clone().or_else(env_repo).ok_or_else(|| {
            "input `repository` is empty and GITHUB_REPOSITORY is not set: give the run's \
             repository as `owner/name`"
                .to_owned()
        })?;
        return Ok(RunRef {
            repo,
            id,
            attempt: cfg.run_attempt,
            source: RunSource::Inputs,
        });
    }

    let Some(raw_id) = env.run_id.as_deref() else {
        return Err(
            "no run to report: give the `run-id` input (and `repository`), or run \
                    inside GitHub Actions, or use `github-data` with a saved run"
                .to_owned(),
        );
    };
    let id = raw_id.trim().parse::<u64>().map_err(|_| {
        format!("GITHUB_RUN_ID is `{raw_id}`, which is not a run id: unset it or give `run-id`")
    })?;
    let repo = cfg.repository.clone().or_else(env_repo).ok_or_else(|| {
        "GITHUB_REPOSITORY is not set: give the `repository` input as `owner/name`".to_owned()
    })?;
    let attempt = match env.run_attempt.as_deref() {
        Some(a) => Some(a.trim().parse::<u64>().map_err(|_| {
            format!("GITHUB_RUN_ATTEMPT is `{a}`, which is not a number: unset it or give `run-attempt`")
        })?),
        None => None,
    };
    Ok(RunRef {
        repo,
        id,
        attempt: cfg.run_attempt.or(attempt),
        source: RunSource::Environment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::RunArgs;

    fn cfg(a: RunArgs) -> RunChoice {
        let mut p = crate::config::values::Problems::default();
        let c = crate::config::run_choice::load(&a, &mut p);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        c
    }

    fn env(event: &str) -> RunnerEnv {
        RunnerEnv {
            event_name: Some(event.into()),
            run_id: Some("900".into()),
            run_attempt: Some("3".into()),
            repository: Some("me/reporter".into()),
            ..RunnerEnv::default()
        }
    }

    fn wr_event() -> Event {
        serde_json::from_str(
            r#"{"workflow_run":{"id":123,"run_attempt":2,"repository":{"full_name":"o/r"}}}"#,
        )
        .unwrap()
    }

    #[test]
    fn workflow_run_event_comes_first() {
        let r = resolve(
            &cfg(RunArgs {
                run_id: Some("5".into()),
                ..Default::default()
            }),
            &env("workflow_run"),
            Some(&wr_event()),
        )
        .unwrap();
        assert_eq!(
            (r.id, r.attempt, r.repo.to_string()),
            (123, Some(2), "o/r".into())
        );
        assert_eq!(r.source, RunSource::WorkflowRunEvent);
    }

    #[test]
    fn inputs_then_environment() {
        let r = resolve(
            &cfg(RunArgs {
                run_id: Some("5".into()),
                repository: Some("a/b".into()),
                ..Default::default()
            }),
            &env("push"),
            Some(&wr_event()),
        )
        .unwrap();
        assert_eq!(
            (r.id, r.attempt, r.repo.to_string()),
            (5, None, "a/b".into())
        );
        let r = resolve(&cfg(RunArgs::default()), &env("push"), None).unwrap();
        assert_eq!((r.id, r.attempt), (900, Some(3)));
        assert_eq!(r.repo.to_string(), "me/reporter");
        assert_eq!(r.source, RunSource::Environment);
    }

    #[test]
    fn nothing_to_report_says_what_to_give() {
        let e = resolve(&cfg(RunArgs::default()), &RunnerEnv::default(), None).unwrap_err();
        assert!(e.contains("`run-id`"), "{e}");
        let bad = RunnerEnv {
            run_id: Some("x1".into()),
            ..env("push")
        };
        let e = resolve(&cfg(RunArgs::default()), &bad, None).unwrap_err();
        assert!(e.contains("GITHUB_RUN_ID is `x1`"), "{e}");
    }
}
