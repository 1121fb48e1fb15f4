//! `branch_name`: the branch a run is for, as SEI filters on it. GitHub's `head_branch` is right
//! for a push to a branch, and wrong or ambiguous elsewhere:
//! - a pull request from a fork: `head_branch` is the fork's branch (`main` of someone else), so
//!   it becomes `<fork owner>:<branch>`, GitHub's own label for it (for `pull_request*` events,
//!   the only ones a fork's branch triggers);
//! - a merge queue: `head_branch` is the queue's temporary `gh-readonly-queue/<base>/pr-...`,
//!   so it becomes `<base>`, the branch the queue merges into;
//! - a tag: `head_branch` is the bare tag name, indistinguishable from a branch of that name, so
//!   it becomes `refs/tags/<tag>` (known from the run's own event, or from a `release` run);
//! - a run started by `workflow_run`: `head_branch` is the default branch; the branch that
//!   matters is the upstream run's (known from the run's own event), with the same rules.

use crate::model::event::Event;
use crate::model::Run;

const MERGE_QUEUE_PREFIX: &str = "gh-readonly-queue/";

/// The branch name to report for `run`; `own_event` is the run's own event when known.
pub fn name(run: &Run, own_event: Option<&Event>) -> Option<String> {
    let event_name = run.event.as_deref().unwrap_or_default();
    if let Some(event) = own_event {
        if event_name == "workflow_run" {
            if let Some(upstream) = &event.workflow_run {
                if let Some(b) = from_run(upstream) {
                    return Some(b);
                }
            }
        }
        if let Some(tag) = tag_of(event_name, event) {
            return Some(format!("refs/tags/{tag}"));
        }
        if let Some(base) = event
            .merge_group
            .as_ref()
            .and_then(|m| m.base_ref.as_deref())
            .and_then(|r| r.strip_prefix("refs/heads/"))
        {
            return Some(base.to_owned());
        }
    }
    from_run(run)
}

/// The rules that need only the run: release tags, merge queues, forks.
pub fn from_run(run: &Run) -> Option<String> {
    let head = run.head_branch.as_deref().filter(|b| !b.is_empty())?;
    if run.event.as_deref() == Some("release") {
        return Some(format!("refs/tags/{head}"));
    }
    if let Some(base) = merge_queue_base(head) {
        return Some(base.to_owned());
    }
    let repo = |r: &Option<crate::model::Repository>| {
        r.as_ref()
            .and_then(|r| r.full_name.as_deref())
            .map(str::to_owned)
    };
    let pull_request = run
        .event
        .as_deref()
        .is_some_and(|e| e.starts_with("pull_request"));
    if let (true, Some(head_repo), Some(base_repo)) = (
        pull_request,
        repo(&run.head_repository),
        repo(&run.repository),
    ) {
        if !head_repo.eq_ignore_ascii_case(&base_repo) {
            let owner = head_repo.split('/').next().unwrap_or(&head_repo);
            return Some(format!("{owner}:{head}"));
        }
    }
    Some(head.to_owned())
}

/// `gh-readonly-queue/release/1.x/pr-42-0123abcd` → `release/1.x`.
fn merge_queue_base(head: &str) -> Option<&str> {
    let rest = head.strip_prefix(MERGE_QUEUE_PREFIX)?;
    let (base, last) = rest.rsplit_once('/')?;
    (last.starts_with("pr-") && !base.is_empty()).then_some(base)
}

/// The tag the run's own event is about: a tag push, a tag created, a release.
fn tag_of<'a>(event_name: &str, event: &'a Event) -> Option<&'a str> {
    match event_name {
        "push" | "create" => event
            .git_ref
            .as_deref()
            .and_then(|r| r.strip_prefix("refs/tags/"))
            .or_else(|| {
                (event.ref_type.as_deref() == Some("tag"))
                    .then_some(event.git_ref.as_deref())
                    .flatten()
            }),
        "release" => event.release.as_ref()?.tag_name.as_deref(),
        _ => None,
    }
    .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Repository;

    fn repo(name: &str) -> Option<Repository> {
        Some(Repository {
            full_name: Some(name.into()),
            ..Repository::default()
        })
    }

    fn run(event: &str, head: &str, head_repo: &str) -> Run {
        Run {
            event: Some(event.into()),
            head_branch: Some(head.into()),
            head_repository: repo(head_repo),
            repository: repo("acme/api"),
            ..Run::default()
        }
    }

    fn event(json: &str) -> Event {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_push_to_a_branch_is_the_branch() {
        assert_eq!(
            name(&run("push", "main", "acme/api"), None).as_deref(),
            Some("main")
        );
        let e = event(r#"{"ref":"refs/heads/main"}"#);
        assert_eq!(
            name(&run("push", "main", "acme/api"), Some(&e)).as_deref(),
            Some("main")
        );
        assert_eq!(name(&Run::default(), None), None);
    }

    #[test]
    fn a_fork_pull_request_names_the_fork() {
        let r = run("pull_request", "main", "contributor/api");
        assert_eq!(name(&r, None).as_deref(), Some("contributor:main"));
        let same = run("pull_request", "feature/x", "ACME/api");
        assert_eq!(name(&same, None).as_deref(), Some("feature/x"));
        let push = run("push", "main", "other/api");
        assert_eq!(
            name(&push, None).as_deref(),
            Some("main"),
            "only pull requests"
        );
    }

    #[test]
    fn a_merge_queue_reports_the_branch_it_merges_into() {
        let r = run(
            "merge_group",
            "gh-readonly-queue/release/1.x/pr-42-0123abcd",
            "acme/api",
        );
        assert_eq!(name(&r, None).as_deref(), Some("release/1.x"));
        let e = event(r#"{"merge_group":{"base_ref":"refs/heads/main"}}"#);
        assert_eq!(name(&r, Some(&e)).as_deref(), Some("main"));
        let odd = run("push", "gh-readonly-queue/nothing-else", "acme/api");
        assert_eq!(
            name(&odd, None).as_deref(),
            Some("gh-readonly-queue/nothing-else")
        );
    }

    #[test]
    fn tags_are_full_refs() {
        let r = run("push", "v1.2.3", "acme/api");
        assert_eq!(
            name(&r, None).as_deref(),
            Some("v1.2.3"),
            "unknowable without the event"
        );
        let e = event(r#"{"ref":"refs/tags/v1.2.3"}"#);
        assert_eq!(name(&r, Some(&e)).as_deref(), Some("refs/tags/v1.2.3"));
        let e = event(r#"{"ref":"v2","ref_type":"tag"}"#);
        assert_eq!(
            name(&run("create", "v2", "acme/api"), Some(&e)).as_deref(),
            Some("refs/tags/v2")
        );
        let rel = run("release", "v3", "acme/api");
        assert_eq!(name(&rel, None).as_deref(), Some("refs/tags/v3"));
        let e = event(r#"{"release":{"tag_name":"v3","target_commitish":"main"}}"#);
        assert_eq!(name(&rel, Some(&e)).as_deref(), Some("refs/tags/v3"));
    }

    #[test]
    fn a_workflow_run_reports_the_upstream_branch() {
        let r = run("workflow_run", "main", "acme/api");
        let e = event(
            r#"{"workflow_run":{"event":"pull_request","head_branch":"fix","head_repository":{"full_name":"someone/api"},"repository":{"full_name":"acme/api"}}}"#,
        );
        assert_eq!(name(&r, Some(&e)).as_deref(), Some("someone:fix"));
        assert_eq!(name(&r, None).as_deref(), Some("main"), "without the event");
    }
}
