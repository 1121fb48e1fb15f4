//! The *hint*: what the step knows of the run before reading it (the runner's variables and
//! event, or the run inside a `workflow_run` event), from which the first round trip's requests
//! are guessed ([`super::guess`]).

use crate::env::RunnerEnv;
use crate::model::event::Event;
use crate::model::RunRef;
use crate::model::{Repository, Run};

/// The hint for `target`: the run in a `workflow_run` event, or, for the run the step is part
/// of, what the runner's variables and event say; `None` otherwise.
pub(crate) fn hint(
    target: &RunRef,
    env: &RunnerEnv,
    event: Option<&Event>,
    own: bool,
) -> Option<Run> {
    if let Some(up) = event.and_then(|e| e.workflow_run.as_ref()) {
        if up.id == Some(target.id) {
            return Some(up.clone());
        }
    }
    if !own {
        return None;
    }
    let repo = target.repo.to_string();
    let event_name = env.event_name.clone();
    let pr = event.and_then(|e| e.pull_request.as_ref());
    let head_sha = match event_name.as_deref() {
        Some("push") => event.and_then(|e| e.after.clone()),
        Some("pull_request" | "pull_request_target") => {
            pr.and_then(|p| p.head.as_ref()?.sha.clone())
        }
        _ => env.sha.clone(),
    };
    let head_repo = match event_name.as_deref() {
        Some("pull_request" | "pull_request_target") => pr
            .and_then(|p| p.head.as_ref()?.repo.as_ref()?.full_name.clone())
            .unwrap_or_else(|| repo.clone()),
        _ => repo.clone(),
    };
    // `owner/repo/.github/workflows/ci.yml@refs/heads/main` → `.github/workflows/ci.yml`
    let path = env.workflow_ref.as_deref().and_then(|r| {
        let r = r.split('@').next()?;
        r.find(".github/workflows/").map(|i| r[i..].to_owned())
    });
    let named = |full_name: String| {
        Some(Repository {
            full_name: Some(full_name),
            ..Repository::default()
        })
    };
    Some(Run {
        id: Some(target.id),
        run_attempt: target.attempt,
        name: env.workflow.clone(),
        path,
        event: event_name,
        head_branch: env
            .head_ref
            .clone()
            .or_else(|| env.ref_name.clone())
            .filter(|b| !b.is_empty()),
        head_sha: head_sha.filter(|s| !s.is_empty()),
        head_repository: named(head_repo),
        repository: named(repo),
        ..Run::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::commits::{self as commit_rules, Lineage};
    use crate::model::Repo;
    use crate::model::RunSource;

    fn target(attempt: Option<u64>) -> RunRef {
        RunRef {
            repo: Repo::parse("acme/api").unwrap(),
            id: 900,
            attempt,
            source: RunSource::Environment,
        }
    }

    fn env(event: &str) -> RunnerEnv {
        RunnerEnv {
            event_name: Some(event.into()),
            workflow: Some("CI".into()),
            workflow_ref: Some("acme/api/.github/workflows/ci.yml@refs/heads/main".into()),
            ref_name: Some("main".into()),
            sha: Some("merge0000".into()),
            ..RunnerEnv::default()
        }
    }

    #[test]
    fn the_hint_of_a_push_run_comes_from_the_runner() {
        let e: Event = serde_json::from_str(r#"{"after":"abc123"}"#).unwrap();
        let h = hint(&target(Some(2)), &env("push"), Some(&e), true).unwrap();
        assert_eq!(h.path.as_deref(), Some(".github/workflows/ci.yml"));
        assert_eq!(h.head_branch.as_deref(), Some("main"));
        assert_eq!(h.head_sha.as_deref(), Some("abc123"));
        assert_eq!((h.id, h.run_attempt), (Some(900), Some(2)));
        let lineage = Lineage::of(&h, None, None).unwrap();
        let q = commit_rules::previous_query(&h, &lineage).unwrap();
        assert_eq!(
            (q.workflow.as_str(), q.branch.as_deref(), q.event.as_deref()),
            ("ci.yml", Some("main"), Some("push"))
        );
        assert_eq!(
            hint(&target(None), &env("push"), None, false).map(|h| h.id),
            None
        );
    }

    #[test]
    fn the_hint_of_a_pull_request_uses_its_head() {
        let e: Event = serde_json::from_str(
            r#"{"pull_request":{"head":{"sha":"h1","repo":{"full_name":"fork/api"}}}}"#,
        )
        .unwrap();
        let mut env = env("pull_request");
        env.head_ref = Some("fix".into());
        env.ref_name = Some("42/merge".into());
        let h = hint(&target(None), &env, Some(&e), true).unwrap();
        assert_eq!(h.head_branch.as_deref(), Some("fix"));
        assert_eq!(h.head_sha.as_deref(), Some("h1"), "not the merge commit");
        assert_eq!(
            h.head_repository.and_then(|r| r.full_name).as_deref(),
            Some("fork/api")
        );
    }

    #[test]
    fn a_workflow_run_event_is_the_hint_of_its_run() {
        let e: Event =
            serde_json::from_str(r#"{"workflow_run":{"id":900,"head_sha":"s","workflow_id":5}}"#)
                .unwrap();
        let h = hint(&target(None), &RunnerEnv::default(), Some(&e), false).unwrap();
        assert_eq!((h.head_sha.as_deref(), h.workflow_id), (Some("s"), Some(5)));
    }
}
