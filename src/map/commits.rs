//! `scm_commit_ids`: which commits a run reports (input `commits`).
//!
//! Lead time for changes is measured from each commit to the run that shipped it, so a run must
//! carry every commit it is the first to build, not only its head. Three modes:
//! - `since-last-success` (default): the commits between the previous successful run of the
//!   same workflow and this run (the compare API), newest first. Which run is "previous"
//!   depends on what the run is for ([`Lineage`]): a branch (the same branch, the same event,
//!   the same head repository), a merge queue (the branch it merges into) or a tag (the previous
//!   tag of the same family, run by the same event);
//! - `event`: the commits of the run's own event (a push's commits, a pull request's commits);
//! - `head`: the head commit only.
//!
//! SEI keeps at most [`MAX`]; the newest are kept. Every decision here is pure: the GitHub calls
//! that feed it live in `github::fetch`, and any look-up that fails falls back to the head commit.

use crate::model::event::Event;
use crate::model::{Comparison, Run};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::ops::RangeInclusive;

/// SEI's limit on `scm_commit_ids` (the reference client sends at most this many).
pub const MAX: usize = 100;
/// GitHub lists at most this many commits in a push event; a longer push is truncated.
pub const PUSH_EVENT_LIMIT: usize = 2048;
/// Commits per compare page (GitHub's maximum for `per_page`).
pub const COMPARE_PAGE: u64 = 100;
/// Runs per page when looking for the previous success: a few, since runs are big objects
/// (about 14 kB each), and the filters make the first one the answer in the common case.
pub const PREVIOUS_PAGE: u64 = 5;
/// Pages of runs read at most, one after the other, when the newest hold only others' runs
/// (pull requests from forks' branches of the same name, other tag families).
pub const MAX_PREVIOUS_PAGES: u64 = 5;

/// The `commits` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    Head,
    Event,
    #[default]
    SinceLastSuccess,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "head" => Some(Mode::Head),
            "event" => Some(Mode::Event),
            "since-last-success" => Some(Mode::SinceLastSuccess),
            _ => None,
        }
    }
}

/// What the run builds on: where its previous success is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lineage {
    /// A branch: earlier runs on it, from the same head repository.
    Branch(String),
    /// A merge queue's temporary branch: earlier runs on the branch it merges into; when there
    /// is none, the queue's own range from the commit it starts at.
    MergeQueue {
        base: String,
        base_sha: Option<String>,
    },
    /// A tag: earlier runs for another tag of the same family (the tag's name up to its first
    /// digit: `v` for `v1.2.0`, `api/v` for `api/v1.2.0`).
    Tag { tag: String, family: String },
}

impl Lineage {
    /// What the run is for: `tag` when it is for a tag (see `branch::tag`), else its head
    /// branch (a merge queue's, read from its name); `None` when the run names no branch.
    pub fn of(run: &Run, tag: Option<&str>, own_event: Option<&Event>) -> Option<Lineage> {
        if let Some(t) = tag.filter(|t| !t.is_empty()) {
            return Some(Lineage::Tag {
                tag: t.to_owned(),
                family: family(t).to_owned(),
            });
        }
        let head = run.head_branch.as_deref().filter(|b| !b.is_empty())?;
        if let Some(base) = super::branch::merge_queue_base(head) {
            let from_event = own_event
                .and_then(|e| e.merge_group.as_ref())
                .and_then(|m| m.base_sha.clone())
                .filter(|s| is_commit(s));
            return Some(Lineage::MergeQueue {
                base: base.to_owned(),
                base_sha: from_event
                    .or_else(|| super::branch::merge_queue_base_sha(head).map(str::to_owned)),
            });
        }
        Some(Lineage::Branch(head.to_owned()))
    }

    /// For the log: ``on `main` ``, ``for an earlier tag `v*` ``.
    pub fn describe(&self) -> String {
        match self {
            Lineage::Branch(b) => format!("on `{b}`"),
            Lineage::MergeQueue { base, .. } => {
                format!("on `{base}`, the branch the merge queue merges into")
            }
            Lineage::Tag { family, .. } => format!("for an earlier tag `{family}*`"),
        }
    }

    /// Whether candidate runs must be told tags from branches with GitHub's refs: a tag push
    /// lists its runs beside the same workflow's branch runs (a release lists only tags).
    pub fn needs_tags(&self, event: Option<&str>) -> Option<&str> {
        match self {
            Lineage::Tag { family, .. } if event != Some("release") => Some(family),
            _ => None,
        }
    }
}

/// The family of a tag: its name up to the first digit (`v1.2.0` → `v`, `api/v2` → `api/v`,
/// `1.0` → ``).
pub fn family(tag: &str) -> &str {
    let at = tag.find(|c: char| c.is_ascii_digit()).unwrap_or(tag.len());
    &tag[..at]
}

/// The look-up of the previous successful run: `GET .../actions/workflows/{workflow}/runs`
/// with these filters (`status=success`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousQuery {
    /// The workflow file's name (`ci.yml`), or the workflow id for workflows that have no file
    /// under `.github/workflows/` (dynamic ones, like CodeQL's default setup).
    pub workflow: String,
    /// `branch=`: the lineage's branch; none for tags (their runs each have their own).
    pub branch: Option<String>,
    /// `event=`: runs started the way this one was (a push's previous success is a push's, so
    /// pull requests from forks' branches of the same name never hide it).
    pub event: Option<String>,
    /// Only runs created before this one (`created=<...`), when its creation time is known.
    pub created_before: Option<DateTime<Utc>>,
}

impl PreviousQuery {
    /// True when a page read for `self` can answer for `other`: the same workflow, branch and
    /// event. The creation filter only narrows the answer, and [`pick_previous`] applies it
    /// again.
    pub fn same_target(&self, other: &PreviousQuery) -> bool {
        self.workflow == other.workflow && self.branch == other.branch && self.event == other.event
    }
}

/// What to ask for the previous success of `run`, for `lineage`; `None` when the run names no
/// workflow.
pub fn previous_query(run: &Run, lineage: &Lineage) -> Option<PreviousQuery> {
    let file = run
        .path
        .as_deref()
        .and_then(|p| p.split('@').next())
        .and_then(|p| p.strip_prefix(".github/workflows/"))
        .filter(|f| !f.is_empty() && !f.contains('/'));
    let workflow = match file {
        Some(f) => f.to_owned(),
        None => run.workflow_id?.to_string(),
    };
    let event = run.event.clone().filter(|e| !e.is_empty());
    let (branch, event) = match lineage {
        Lineage::Branch(b) => (Some(b.clone()), event),
        // The base branch's own runs: pushes (the queue's merges land there).
        Lineage::MergeQueue { base, .. } => (Some(base.clone()), Some("push".to_owned())),
        Lineage::Tag { .. } => (None, event),
    };
    Some(PreviousQuery {
        workflow,
        branch,
        event,
        created_before: run.created_at,
    })
}

/// The answer of a previous-success look-up.
#[derive(Debug, Clone, Copy)]
pub enum Previous<'a> {
    Found(&'a Run),
    /// The workflow never succeeded on this lineage before this run.
    NoneBefore,
    /// The page was full of runs that do not qualify: read the next one.
    Unknown,
}

/// What qualifies as the previous success of `this`.
pub struct Want<'a> {
    pub this: &'a Run,
    pub lineage: &'a Lineage,
    /// For a tag lineage that needs them ([`Lineage::needs_tags`]): the repository's tags of
    /// the family. A candidate must be one of them.
    pub tags: Option<&'a HashSet<String>>,
}

/// The newest successful run in `page` (newest first, at most `page_size` runs) that came
/// before `this`: not `this` (a re-run of a run that once succeeded is in the list), created
/// earlier, on the same lineage: the same branch built from the same repository (a fork's `main`
/// is not our `main`), or another tag of the same family.
pub fn pick_previous<'a>(page: &'a [Run], page_size: u64, want: &Want) -> Previous<'a> {
    let this = want.this;
    let repo_of = |r: &Run| {
        r.head_repository
            .as_ref()
            .and_then(|h| h.full_name.as_deref())
            .map(str::to_ascii_lowercase)
    };
    let ours = repo_of(this);
    let earlier = |r: &Run| match (r.created_at, this.created_at) {
        (Some(a), Some(b)) => a < b,
        _ => match (r.run_number, this.run_number) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        },
    };
    let on_lineage = |r: &Run| {
        let head = r.head_branch.as_deref().unwrap_or_default();
        match want.lineage {
            Lineage::Branch(b) | Lineage::MergeQueue { base: b, .. } => head == b,
            Lineage::Tag { tag, family: f } => {
                head != tag
                    && !head.is_empty()
                    && family(head) == f
                    && want.tags.is_none_or(|t| t.contains(head))
            }
        }
    };
    let mut candidates: Vec<&Run> = page
        .iter()
        .filter(|r| r.id.is_some() && r.id != this.id)
        .filter(|r| r.conclusion.as_deref().is_none_or(|c| c == "success"))
        .filter(|r| r.head_sha.as_deref().is_some_and(|s| !s.is_empty()))
        .filter(|r| earlier(r))
        .filter(|r| on_lineage(r))
        .filter(|r| match (&ours, repo_of(r)) {
            (Some(a), Some(b)) => *a == b,
            _ => true,
        })
        .collect();
    candidates.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    match candidates.first() {
        Some(r) => Previous::Found(r),
        None if page.len() as u64 >= page_size => Previous::Unknown,
        None => Previous::NoneBefore,
    }
}

/// The compare pages (of [`COMPARE_PAGE`] commits, oldest first) that hold the newest `cap`
/// commits of a range of `total`; page 1 is always read first, to learn `total`.
pub fn newest_pages(total: u64, cap: usize) -> RangeInclusive<u64> {
    let last = total.div_ceil(COMPARE_PAGE).max(1);
    let first_needed = total.saturating_sub(cap as u64) / COMPARE_PAGE + 1;
    first_needed..=last
}

/// The SHAs of compare pages given in page order (oldest first), newest first, at most `cap`.
pub fn newest_first<'a>(
    pages: impl IntoIterator<Item = &'a Comparison>,
    cap: usize,
) -> Vec<String> {
    let chronological: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.commits.iter())
        .filter_map(|c| c.sha.clone())
        .filter(|s| !s.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(cap.min(chronological.len()));
    for sha in chronological.into_iter().rev() {
        if out.len() == cap {
            break;
        }
        if !out.contains(&sha) {
            out.push(sha);
        }
    }
    out
}

/// What the run's own event says about its commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventCommits {
    /// The event lists them: newest first, capped.
    Listed(Vec<String>),
    /// The event is cut short or only names the ends: compare `base...head`.
    Compare { base: String, head: String },
    /// The event has no commits to offer; why, for the log.
    None(&'static str),
}

/// The commits of the event that started the run: a push's commits (compared from `before`
/// when GitHub cut the list at [`PUSH_EVENT_LIMIT`]), a pull request's or a merge group's
/// range (compared from base to head).
pub fn from_event(event_name: &str, event: &Event) -> EventCommits {
    match event_name {
        "push" => {
            let listed: Vec<String> = event
                .commits
                .iter()
                .filter_map(|c| c.id.clone())
                .filter(|s| !s.is_empty())
                .collect();
            let before = event.before.clone().filter(|b| is_commit(b));
            let after = event.after.clone().filter(|a| is_commit(a));
            if listed.len() >= PUSH_EVENT_LIMIT {
                if let (Some(base), Some(head)) = (before, after) {
                    return EventCommits::Compare { base, head };
                }
            }
            if listed.is_empty() {
                return EventCommits::None("the push event lists no commits");
            }
            EventCommits::Listed(listed.into_iter().rev().take(MAX).collect())
        }
        "pull_request" | "pull_request_target" => {
            let sha = |r: Option<&crate::model::GitRef>| {
                r.and_then(|r| r.sha.clone()).filter(|s| is_commit(s))
            };
            let pr = event.pull_request.as_ref();
            match (
                sha(pr.and_then(|p| p.base.as_ref())),
                sha(pr.and_then(|p| p.head.as_ref())),
            ) {
                (Some(base), Some(head)) => EventCommits::Compare { base, head },
                _ => EventCommits::None("the pull request event names no base and head commits"),
            }
        }
        "merge_group" => {
            let mg = event.merge_group.as_ref();
            match (
                mg.and_then(|m| m.base_sha.clone()).filter(|s| is_commit(s)),
                mg.and_then(|m| m.head_sha.clone()).filter(|s| is_commit(s)),
            ) {
                (Some(base), Some(head)) => EventCommits::Compare { base, head },
                _ => EventCommits::None("the merge group event names no base and head commits"),
            }
        }
        _ => EventCommits::None("this event carries no commits"),
    }
}

/// A commit SHA that is not the all-zeros "no commit" of a new or deleted branch.
fn is_commit(sha: &str) -> bool {
    !sha.is_empty() && sha.chars().any(|c| c != '0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;
    use crate::model::{CommitRef, Repository};

    fn run(id: u64, number: u64, created: &str, repo: &str) -> Run {
        Run {
            id: Some(id),
            run_number: Some(number),
            created_at: parse_time(created),
            conclusion: Some("success".into()),
            head_sha: Some(format!("{id:040}")),
            head_branch: Some("main".into()),
            head_repository: Some(Repository {
                full_name: Some(repo.into()),
                ..Repository::default()
            }),
            ..Run::default()
        }
    }

    #[test]
    fn modes() {
        assert_eq!(Mode::parse("HEAD"), Some(Mode::Head));
        assert_eq!(Mode::parse(" event "), Some(Mode::Event));
        assert_eq!(
            Mode::parse("since-last-success"),
            Some(Mode::SinceLastSuccess)
        );
        assert_eq!(Mode::parse("all"), None);
        assert_eq!(Mode::default(), Mode::SinceLastSuccess);
    }

    #[test]
    fn the_query_uses_the_workflow_file_else_its_id() {
        let mut r = run(9, 3, "2025-03-01T10:00:00Z", "a/b");
        r.head_branch = Some("main".into());
        r.event = Some("push".into());
        r.path = Some(".github/workflows/ci.yml@refs/heads/main".into());
        r.workflow_id = Some(77);
        let lineage = Lineage::of(&r, None, None).unwrap();
        assert_eq!(lineage, Lineage::Branch("main".into()));
        let q = previous_query(&r, &lineage).unwrap();
        assert_eq!(q.workflow, "ci.yml");
        assert_eq!(
            (q.branch.as_deref(), q.event.as_deref()),
            (Some("main"), Some("push"))
        );
        assert_eq!(q.created_before, r.created_at);
        r.path = Some("dynamic/github-code-scanning/codeql".into());
        assert_eq!(previous_query(&r, &lineage).unwrap().workflow, "77");
        r.head_branch = None;
        assert_eq!(Lineage::of(&r, None, None), None);
    }

    #[test]
    fn lineages() {
        let mut r = run(9, 3, "2025-03-01T10:00:00Z", "a/b");
        r.path = Some(".github/workflows/ci.yml".into());
        r.event = Some("merge_group".into());
        r.head_branch =
            Some("gh-readonly-queue/main/pr-42-0a1b2c3d4e5f60718293a4b5c6d7e8f901234567".into());
        let mq = Lineage::of(&r, None, None).unwrap();
        assert_eq!(
            mq,
            Lineage::MergeQueue {
                base: "main".into(),
                base_sha: Some("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567".into())
            }
        );
        let q = previous_query(&r, &mq).unwrap();
        assert_eq!(
            (q.branch.as_deref(), q.event.as_deref()),
            (Some("main"), Some("push")),
            "the base branch's pushes"
        );
        r.event = Some("push".into());
        r.head_branch = Some("api/v1.2.0".into());
        let tag = Lineage::of(&r, Some("api/v1.2.0"), None).unwrap();
        assert_eq!(
            tag,
            Lineage::Tag {
                tag: "api/v1.2.0".into(),
                family: "api/v".into()
            }
        );
        assert_eq!(tag.needs_tags(Some("push")), Some("api/v"));
        assert_eq!(tag.needs_tags(Some("release")), None);
        let q = previous_query(&r, &tag).unwrap();
        assert_eq!((q.branch, q.event.as_deref()), (None, Some("push")));
        assert_eq!(family("v1.2.0"), "v");
        assert_eq!(family("1.0"), "");
        assert_eq!(family("latest"), "latest");
    }

    fn want<'a>(this: &'a Run, lineage: &'a Lineage) -> Want<'a> {
        Want {
            this,
            lineage,
            tags: None,
        }
    }

    #[test]
    fn the_previous_success_is_older_not_this_run_and_from_this_repository() {
        let this = run(50, 5, "2025-03-05T10:00:00Z", "acme/api");
        let main = Lineage::Branch("main".into());
        let page = [
            run(60, 6, "2025-03-06T10:00:00Z", "acme/api"), // newer
            run(50, 5, "2025-03-05T10:00:00Z", "acme/api"), // this run (an earlier attempt passed)
            run(45, 4, "2025-03-04T10:00:00Z", "fork/api"), // a fork's branch of the same name
            run(40, 3, "2025-03-03T10:00:00Z", "acme/api"),
            run(30, 2, "2025-03-02T10:00:00Z", "acme/api"),
        ];
        match pick_previous(&page, 5, &want(&this, &main)) {
            Previous::Found(r) => assert_eq!(r.id, Some(40)),
            other => panic!("{other:?}"),
        }
        // A short page with nothing older: there is no earlier success.
        assert!(matches!(
            pick_previous(&page[..2], 5, &want(&this, &main)),
            Previous::NoneBefore
        ));
        // A full page of newer runs or forks': the answer is further back.
        assert!(matches!(
            pick_previous(&page[..3], 3, &want(&this, &main)),
            Previous::Unknown
        ));
        // Another branch is not this lineage.
        let other = Lineage::Branch("dev".into());
        assert!(matches!(
            pick_previous(&page, 6, &want(&this, &other)),
            Previous::NoneBefore
        ));
    }

    #[test]
    fn the_previous_tag_is_of_the_same_family_and_a_tag() {
        let this = run(50, 5, "2025-03-05T10:00:00Z", "acme/api");
        let lineage = Lineage::Tag {
            tag: "v1.2.0".into(),
            family: "v".into(),
        };
        let on = |id, number, created: &str, head: &str| {
            let mut r = run(id, number, created, "acme/api");
            r.head_branch = Some(head.into());
            r
        };
        let page = [
            on(49, 4, "2025-03-04T12:00:00Z", "v1.2.0"), // this tag, pushed again
            on(48, 4, "2025-03-04T11:00:00Z", "main"),   // a branch run of the same workflow
            on(47, 4, "2025-03-04T10:00:00Z", "v2.x"),   // a branch of the family's shape
            on(46, 4, "2025-03-04T09:00:00Z", "web/v9"), // another family
            on(45, 4, "2025-03-03T10:00:00Z", "v1.1.0"),
        ];
        let tags: HashSet<String> = ["v1.0.0", "v1.1.0", "v1.2.0"]
            .map(String::from)
            .into_iter()
            .collect();
        let w = Want {
            this: &this,
            lineage: &lineage,
            tags: Some(&tags),
        };
        match pick_previous(&page, 5, &w) {
            Previous::Found(r) => assert_eq!(r.id, Some(45)),
            other => panic!("{other:?}"),
        }
        // A release lists tags only: the family alone decides.
        match pick_previous(&page[2..], 5, &want(&this, &lineage)) {
            Previous::Found(r) => assert_eq!(r.id, Some(47)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn newest_pages_cover_the_last_hundred() {
        assert_eq!(newest_pages(0, 100), 1..=1);
        assert_eq!(newest_pages(42, 100), 1..=1);
        assert_eq!(newest_pages(100, 100), 1..=1);
        assert_eq!(newest_pages(101, 100), 1..=2);
        assert_eq!(newest_pages(250, 100), 2..=3);
        assert_eq!(newest_pages(300, 100), 3..=3);
        assert_eq!(newest_pages(301, 100), 3..=4);
    }

    fn page(shas: &[&str]) -> Comparison {
        Comparison {
            commits: shas
                .iter()
                .map(|s| CommitRef {
                    sha: Some((*s).into()),
                })
                .collect(),
            ..Comparison::default()
        }
    }

    #[test]
    fn newest_first_reverses_and_caps() {
        let pages = [page(&["a", "b"]), page(&["c", "d", "c"])];
        assert_eq!(newest_first(&pages, 100), ["c", "d", "b", "a"]);
        assert_eq!(newest_first(&pages, 2), ["c", "d"]);
    }

    fn event(json: &str) -> Event {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn push_events_list_their_commits_newest_first() {
        let e =
            event(r#"{"before":"aaa1","after":"ccc3","commits":[{"id":"bbb2"},{"id":"ccc3"}]}"#);
        assert_eq!(
            from_event("push", &e),
            EventCommits::Listed(vec!["ccc3".into(), "bbb2".into()])
        );
        let e = event(r#"{"ref":"refs/tags/v1","commits":[]}"#);
        assert!(matches!(from_event("push", &e), EventCommits::None(_)));
    }

    #[test]
    fn a_truncated_push_is_compared_unless_the_branch_is_new() {
        let commits: Vec<String> = (0..PUSH_EVENT_LIMIT)
            .map(|i| format!(r#"{{"id":"{i:040x}"}}"#))
            .collect();
        let json = |before: &str| {
            format!(
                r#"{{"before":"{before}","after":"{:040}","commits":[{}]}}"#,
                9,
                commits.join(",")
            )
        };
        let e = event(&json(&format!("{:040}", 1)));
        assert_eq!(
            from_event("push", &e),
            EventCommits::Compare {
                base: format!("{:040}", 1),
                head: format!("{:040}", 9)
            }
        );
        // A new branch has no `before`: the listed commits are all there is.
        let e = event(&json(&"0".repeat(40)));
        match from_event("push", &e) {
            EventCommits::Listed(l) => {
                assert_eq!(l.len(), MAX);
                assert_eq!(l[0], format!("{:040x}", PUSH_EVENT_LIMIT - 1));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pull_requests_and_merge_groups_compare_base_to_head() {
        let e = event(r#"{"pull_request":{"base":{"sha":"b1"},"head":{"sha":"h1"}}}"#);
        assert_eq!(
            from_event("pull_request", &e),
            EventCommits::Compare {
                base: "b1".into(),
                head: "h1".into()
            }
        );
        let e = event(r#"{"merge_group":{"base_sha":"b2","head_sha":"h2"}}"#);
        assert_eq!(
            from_event("merge_group", &e),
            EventCommits::Compare {
                base: "b2".into(),
                head: "h2".into()
            }
        );
        assert!(matches!(
            from_event("schedule", &Event::default()),
            EventCommits::None(_)
        ));
    }
}
