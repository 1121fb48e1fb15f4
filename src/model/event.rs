//! The webhook event that started the workflow: the file at `GITHUB_EVENT_PATH` (or `event.json`
//! in a `github-data` folder). Only the fields the reporter reads are declared, all tolerant.

use crate::model::lenient;
use crate::model::{Actor, Repository, Run};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Event {
    /// What happened: `completed`, `requested`, `in_progress` (a `workflow_run` event), `opened`,
    /// `synchronize` (a pull request), `published` (a release)...
    #[serde(default, deserialize_with = "lenient::string")]
    pub action: Option<String>,
    /// Present for `workflow_run` events: the run that completed (or was requested).
    #[serde(default, deserialize_with = "lenient::object")]
    pub workflow_run: Option<Run>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub repository: Option<Repository>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub pull_request: Option<PullRequest>,
    /// The cron line, for `schedule` events.
    #[serde(default, deserialize_with = "lenient::string")]
    pub schedule: Option<String>,
    /// `refs/heads/main`, `refs/tags/v1.2.3`, for `push` events.
    #[serde(default, rename = "ref", deserialize_with = "lenient::string")]
    pub git_ref: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub sender: Option<Actor>,
    /// `workflow_dispatch` inputs, in the order the event lists them, values as text.
    #[serde(default, deserialize_with = "lenient::string_map")]
    pub inputs: Vec<(String, String)>,
    /// `push`: the pushed commits, oldest first (GitHub lists at most 2048).
    #[serde(default, deserialize_with = "lenient::list")]
    pub commits: Vec<PushCommit>,
    /// `push`: the branch head before and after the push (all zeros for a new branch).
    #[serde(default, deserialize_with = "lenient::string")]
    pub before: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub after: Option<String>,
    /// `create`/`delete`: `branch` or `tag`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub ref_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub release: Option<Release>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub merge_group: Option<MergeGroup>,
    /// `deployment` and `deployment_status` events: the deployment.
    #[serde(default, deserialize_with = "lenient::object")]
    pub deployment: Option<EventDeployment>,
}

/// The deployment of a `deployment` (or `deployment_status`) event.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventDeployment {
    #[serde(default, deserialize_with = "lenient::number")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub environment: Option<String>,
}

/// One commit of a `push` event.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PushCommit {
    /// The full SHA.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Release {
    #[serde(default, deserialize_with = "lenient::string")]
    pub tag_name: Option<String>,
}

/// `merge_group` events: the commits the queue tests and the branch it merges into.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeGroup {
    #[serde(default, deserialize_with = "lenient::string")]
    pub head_sha: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub base_sha: Option<String>,
    /// `refs/heads/main`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub base_ref: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PullRequest {
    #[serde(default, deserialize_with = "lenient::number")]
    pub number: Option<u64>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub head: Option<crate::model::GitRef>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub base: Option<crate::model::GitRef>,
}

impl Event {
    /// True for a pull request whose head lives in another repository: secrets are empty there.
    pub fn is_fork_pull_request(&self) -> bool {
        let Some(pr) = &self.pull_request else {
            return false;
        };
        let repo_of = |r: &Option<crate::model::GitRef>| {
            r.as_ref()
                .and_then(|r| r.repo.as_ref())
                .and_then(|r| r.full_name.clone())
        };
        match (repo_of(&pr.head), repo_of(&pr.base)) {
            (Some(head), Some(base)) => !head.eq_ignore_ascii_case(&base),
            _ => pr
                .head
                .as_ref()
                .and_then(|h| h.repo.as_ref())
                .and_then(|r| r.fork)
                .unwrap_or(false),
        }
    }
}

/// Parses an event file's text. The error names the file and where the JSON broke.
pub fn parse(text: &str, path: &Path) -> Result<Event, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "the event file {} is not a JSON object ({e})",
            path.display()
        )
    })
}

/// Reads and parses the event file.
pub fn load(path: &Path) -> Result<Event, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the event file {} ({e})", path.display()))?;
    parse(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fork_pull_requests_are_recognised() {
        let same = r#"{"pull_request":{"number":5,"head":{"repo":{"full_name":"a/b"}},"base":{"repo":{"full_name":"a/b"}}}}"#;
        let fork = r#"{"pull_request":{"number":5,"head":{"repo":{"full_name":"me/b","fork":true}},"base":{"repo":{"full_name":"a/b"}}}}"#;
        let p = Path::new("e.json");
        assert!(!parse(same, p).unwrap().is_fork_pull_request());
        assert!(parse(fork, p).unwrap().is_fork_pull_request());
        assert!(!parse("{}", p).unwrap().is_fork_pull_request());
    }

    #[test]
    fn broken_json_names_the_file() {
        let err = parse("{\"workflow_run\": {", Path::new("/x/event.json")).unwrap_err();
        assert!(err.contains("/x/event.json"), "{err}");
        assert!(err.contains("EOF"), "{err}");
    }
}
