//! `branch_name`: the branch a run is for, as SEI filters on it. GitHub's `head_branch` is right
//! for a push to a branch, and wrong or ambiguous elsewhere:
//! - a pull request from a fork: `head_branch` is the fork's branch (`main` of someone else), so
//!   it becomes `<fork owner>:<branch>`, GitHub's own label for it (for `pull_request*` events,
//!   the only ones a fork's branch triggers);
//! - a merge queue: `head_branch` is the queue's temporary `gh-readonly-queue/<base>/pr-...`,
//!   so it becomes `<base>`, the branch the queue merges into;
//! - a tag: `head_branch` is the bare tag name (`v1.1`), indistinguishable from a branch of that
//!   name, so it becomes `refs/tags/<tag>`: known from the run's own event, from a `release`
//!   run, or, for a reporter that has not the run's event, from GitHub's refs ([`tag`]).
//!
//! A run started by `workflow_run` runs on the default branch, and is reported on it: its own
//! `head_branch`, the branch of the commits it reports, whichever mode reports it (the upstream
//! run is named in the trigger chain).

use crate::model::event::Event;
use crate::model::Run;

const MERGE_QUEUE_PREFIX: &str = "gh-readonly-queue/";

/// Events whose run can be for a tag that the run does not name as one: GitHub's refs tell (a
/// tag pushed or created, a manual run started on a tag).
pub const TAG_EVENTS: &[&str] = &["push", "create", "workflow_dispatch"];

/// The branch name to report for `run`. `own_event` is the run's own event when known;
/// `head_is_tag` what GitHub's refs say of `head_branch` when it was looked up.
pub fn name(run: &Run, own_event: Option<&Event>, head_is_tag: Option<bool>) -> Option<String> {
    if let Some(t) = tag(run, own_event, head_is_tag) {
        return Some(format!("refs/tags/{t}"));
    }
    if let Some(base) = own_event
        .and_then(|e| e.merge_group.as_ref())
        .and_then(|m| m.base_ref.as_deref())
        .and_then(|r| r.strip_prefix("refs/heads/"))
    {
        return Some(base.to_owned());
    }
    let head = run.head_branch.as_deref().filter(|b| !b.is_empty())?;
    if let Some(base) = merge_queue_base(head) {
        return Some(base.to_owned());
    }
    if let Some(owner) = fork_owner(run) {
        return Some(format!("{owner}:{head}"));
    }
    Some(head.to_owned())
}

/// The tag the run is for, if it is for one: a tag push or a tag created (from the run's own
/// event, else from GitHub's refs), or a release.
pub fn tag(run: &Run, own_event: Option<&Event>, head_is_tag: Option<bool>) -> Option<String> {
    let event_name = run.event.as_deref().unwrap_or_default();
    if let Some(t) = own_event.and_then(|e| tag_of(event_name, e)) {
        return Some(t.to_owned());
    }
    let head = run.head_branch.as_deref().filter(|b| !b.is_empty())?;
    let tag = event_name == "release"
        || (TAG_EVENTS.contains(&event_name) && own_event.is_none() && head_is_tag == Some(true));
    tag.then(|| head.to_owned())
}

/// The owner of the fork a pull request run comes from, when it comes from one.
pub fn fork_owner(run: &Run) -> Option<String> {
    let pull_request = run
        .event
        .as_deref()
        .is_some_and(|e| e.starts_with("pull_request"));
    let repo = |r: &Option<crate::model::Repository>| {
        r.as_ref()
            .and_then(|r| r.full_name.as_deref())
            .map(str::to_owned)
    };
    match (
        pull_request,
        repo(&run.head_repository),
        repo(&run.repository),
    ) {
        (true, Some(head), Some(base)) if !head.eq_ignore_ascii_case(&base) => {
            Some(head.split('/').next().unwrap_or(&head).to_owned())
        }
        _ => None,
    }
}

/// `gh-readonly-queue/release/1.x/pr-42-0123abcd` → `release/1.x`.
pub fn merge_queue_base(head: &str) -> Option<&str> {
    let rest = head.strip_prefix(MERGE_QUEUE_PREFIX)?;
    let (base, last) = rest.rsplit_once('/')?;
    (last.starts_with("pr-") && !base.is_empty()).then_some(base)
}

/// The commit a merge queue branch starts from: GitHub names the branch
/// `gh-readonly-queue/<base>/pr-<number>-<base sha>`.
pub fn merge_queue_base_sha(head: &str) -> Option<&str> {
    merge_queue_base(head)?;
    let last = head.rsplit('/').next()?;
    let sha = last.rsplit('-').next()?;
    (sha.len() >= 7 && sha.chars().all(|c| c.is_ascii_hexdigit())).then_some(sha)
}

/// The tag the run's own event is about: a tag push, a tag created, a manual run on a tag, a
/// release.
fn tag_of<'a>(event_name: &str, event: &'a Event) -> Option<&'a str> {
    match event_name {
        "push" | "create" | "workflow_dispatch" => event
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
            name(&run("push", "main", "acme/api"), None, None).as_deref(),
            Some("main")
        );
        let e = event(r#"{"ref":"refs/heads/main"}"#);
        assert_eq!(
            name(&run("push", "main", "acme/api"), Some(&e), None).as_deref(),
            Some("main")
        );
        assert_eq!(name(&Run::default(), None, None), None);
    }

    #[test]
    fn a_fork_pull_request_names_the_fork() {
        let r = run("pull_request", "main", "contributor/api");
        assert_eq!(name(&r, None, None).as_deref(), Some("contributor:main"));
        let same = run("pull_request", "feature/x", "ACME/api");
        assert_eq!(name(&same, None, None).as_deref(), Some("feature/x"));
        let push = run("push", "main", "other/api");
        assert_eq!(
            name(&push, None, None).as_deref(),
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
        assert_eq!(name(&r, None, None).as_deref(), Some("release/1.x"));
        let e = event(r#"{"merge_group":{"base_ref":"refs/heads/main"}}"#);
        assert_eq!(name(&r, Some(&e), None).as_deref(), Some("main"));
        let odd = run("push", "gh-readonly-queue/nothing-else", "acme/api");
        assert_eq!(
            name(&odd, None, None).as_deref(),
            Some("gh-readonly-queue/nothing-else")
        );
    }

    #[test]
    fn tags_are_full_refs() {
        let r = run("push", "v1.2.3", "acme/api");
        assert_eq!(
            name(&r, None, None).as_deref(),
            Some("v1.2.3"),
            "unknowable without the event"
        );
        let e = event(r#"{"ref":"refs/tags/v1.2.3"}"#);
        assert_eq!(
            name(&r, Some(&e), None).as_deref(),
            Some("refs/tags/v1.2.3")
        );
        let e = event(r#"{"ref":"v2","ref_type":"tag"}"#);
        assert_eq!(
            name(&run("create", "v2", "acme/api"), Some(&e), None).as_deref(),
            Some("refs/tags/v2")
        );
        let rel = run("release", "v3", "acme/api");
        assert_eq!(name(&rel, None, None).as_deref(), Some("refs/tags/v3"));
        let e = event(r#"{"release":{"tag_name":"v3","target_commitish":"main"}}"#);
        assert_eq!(name(&rel, Some(&e), None).as_deref(), Some("refs/tags/v3"));
    }

    #[test]
    fn a_tag_without_the_event_is_known_from_githubs_refs() {
        let r = run("push", "v1.1", "acme/api");
        assert_eq!(
            name(&r, None, Some(true)).as_deref(),
            Some("refs/tags/v1.1")
        );
        assert_eq!(name(&r, None, Some(false)).as_deref(), Some("v1.1"));
        assert_eq!(tag(&r, None, Some(true)).as_deref(), Some("v1.1"));
        // The run's own event outranks the look-up, and other events are never tags by it.
        let e = event(r#"{"ref":"refs/heads/v1.1"}"#);
        assert_eq!(name(&r, Some(&e), Some(true)).as_deref(), Some("v1.1"));
        let schedule = run("schedule", "v1.1", "acme/api");
        assert_eq!(tag(&schedule, None, Some(true)), None);
    }

    #[test]
    fn a_manual_run_on_a_tag_is_for_the_tag_in_both_modes() {
        let r = run("workflow_dispatch", "v1.2", "acme/api");
        let e = event(r#"{"ref":"refs/tags/v1.2","inputs":{"environment":"production"}}"#);
        assert_eq!(name(&r, Some(&e), None).as_deref(), Some("refs/tags/v1.2"));
        assert_eq!(
            name(&r, None, Some(true)).as_deref(),
            Some("refs/tags/v1.2")
        );
        let e = event(r#"{"ref":"refs/heads/release/2.0"}"#);
        let r = run("workflow_dispatch", "release/2.0", "acme/api");
        assert_eq!(name(&r, Some(&e), None).as_deref(), Some("release/2.0"));
        assert_eq!(name(&r, None, Some(false)).as_deref(), Some("release/2.0"));
    }

    #[test]
    fn a_workflow_run_reports_its_own_branch_in_both_modes() {
        let r = run("workflow_run", "main", "acme/api");
        let e = event(
            r#"{"workflow_run":{"event":"pull_request","head_branch":"fix","head_repository":{"full_name":"someone/api"},"repository":{"full_name":"acme/api"}}}"#,
        );
        assert_eq!(name(&r, Some(&e), None).as_deref(), Some("main"));
        assert_eq!(name(&r, None, None).as_deref(), Some("main"));
    }

    #[test]
    fn merge_queue_branches_name_their_base_commit() {
        let b = "gh-readonly-queue/main/pr-42-0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
        assert_eq!(merge_queue_base(b), Some("main"));
        assert_eq!(
            merge_queue_base_sha(b),
            Some("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")
        );
        assert_eq!(merge_queue_base_sha("gh-readonly-queue/main/pr-42"), None);
        assert_eq!(merge_queue_base_sha("main"), None);
    }
}
