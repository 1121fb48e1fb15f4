//! `ci` and `cd`: is this run a build or a deployment? A CI run filed as a deployment inflates
//! deployment frequency and corrupts change failure rate, so `ci-cd: auto` (the default) decides
//! from evidence, in this order ([`RULES`], the README's table), and says which rule decided:
//!
//! 1. declared artifacts (input `artifacts`): inputs consumed make it CD, outputs produced make
//!    it CI (both can hold), as the Jenkins plugin does;
//! 2. the event: `deployment`, `deployment_status` and `release` runs are CD;
//! 3. environments: a job of the run deployed to a GitHub environment (a deployment whose
//!    status links to this run, found with the deployments API) makes it CD;
//! 4. the workflow's name or file: `deploy`, `release` (anywhere in a word) or the word `cd`
//!    (`CI/CD` stays CI) make it CD;
//! 5. otherwise CI.

use crate::model::{Deployment, DeploymentStatus, Run};
use crate::payload::Artifact;
use chrono::Duration;
use std::fmt;

/// The `ci-cd` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Setting {
    #[default]
    Auto,
    Ci,
    Cd,
    Both,
}

impl Setting {
    pub fn parse(text: &str) -> Option<Setting> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Setting::Auto),
            "ci" => Some(Setting::Ci),
            "cd" => Some(Setting::Cd),
            "both" | "ci,cd" | "ci+cd" => Some(Setting::Both),
            _ => None,
        }
    }
}

/// The rules of `auto`, in order: (evidence, what it decides). The README's table is this list.
pub const RULES: &[(&str, &str)] = &[
    (
        "declared artifacts (input `artifacts`)",
        "an `input` makes it CD, an `output` CI (both can hold)",
    ),
    (
        "the event: `deployment`, `deployment_status`, `release`",
        "CD",
    ),
    (
        "a job deployed to a GitHub environment (a deployment whose status links to this run)",
        "CD",
    ),
    (
        "the workflow's name or file holds `deploy` or `release`, or the word `cd` without `ci`",
        "CD",
    ),
    ("none of the above", "CI"),
];

/// Events that are deployments in themselves (rule 2).
pub const DEPLOYMENT_EVENTS: &[&str] = &["deployment", "deployment_status", "release"];

/// What decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The `ci-cd` input said so.
    Input,
    Artifacts {
        inputs: usize,
        outputs: usize,
    },
    Event(String),
    Environments(Vec<String>),
    Name(String),
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub ci: bool,
    pub cd: bool,
    pub rule: Rule,
}

/// How a run with these flags is named: `CI`, `CD` or `CI and CD`.
pub fn label(ci: bool, cd: bool) -> &'static str {
    match (ci, cd) {
        (true, true) => "CI and CD",
        (false, true) => "CD",
        _ => "CI",
    }
}

impl fmt::Display for Decision {
    /// `CD (rule 3: the run deployed to environment(s) `production`)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (", label(self.ci, self.cd))?;
        match &self.rule {
            Rule::Input => write!(f, "input `ci-cd`"),
            Rule::Artifacts { inputs, outputs } => write!(
                f,
                "rule 1: declared artifacts, {inputs} input(s) and {outputs} output(s)"
            ),
            Rule::Event(e) => write!(f, "rule 2: a `{e}` event"),
            Rule::Environments(envs) => write!(
                f,
                "rule 3: the run deployed to environment(s) {}",
                envs.iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Rule::Name(w) => write!(f, "rule 4: the workflow's name or file says `{w}`"),
            Rule::Default => write!(f, "rule 5: no sign of a deployment"),
        }?;
        write!(f, ")")
    }
}

/// Everything the rules look at.
pub struct Evidence<'a> {
    pub declared: &'a [Artifact],
    pub event: Option<&'a str>,
    /// Environments the run deployed to; `None` when they were not (or could not be) looked up.
    pub environments: Option<&'a [String]>,
    pub workflow_name: &'a str,
    pub workflow_path: Option<&'a str>,
}

/// Decides `ci` and `cd`.
pub fn decide(setting: Setting, e: &Evidence) -> Decision {
    let fixed = |ci, cd| Decision {
        ci,
        cd,
        rule: Rule::Input,
    };
    match setting {
        Setting::Ci => return fixed(true, false),
        Setting::Cd => return fixed(false, true),
        Setting::Both => return fixed(true, true),
        Setting::Auto => {}
    }
    let inputs = e.declared.iter().filter(|a| a.input).count();
    let outputs = e.declared.iter().filter(|a| a.output).count();
    if inputs + outputs > 0 {
        return Decision {
            ci: outputs > 0,
            cd: inputs > 0,
            rule: Rule::Artifacts { inputs, outputs },
        };
    }
    let cd = |rule| Decision {
        ci: false,
        cd: true,
        rule,
    };
    if let Some(ev) = e.event.filter(|ev| DEPLOYMENT_EVENTS.contains(ev)) {
        return cd(Rule::Event(ev.to_owned()));
    }
    if let Some(envs) = e.environments.filter(|envs| !envs.is_empty()) {
        return cd(Rule::Environments(envs.to_vec()));
    }
    if let Some(word) = name_says_cd(e.workflow_name, e.workflow_path) {
        return cd(Rule::Name(word));
    }
    Decision {
        ci: true,
        cd: false,
        rule: Rule::Default,
    }
}

/// Whether rule 3 can change the answer, i.e. whether looking up deployments is worth a request:
/// only for `auto`, when rules 1 and 2 do not decide and rule 4 would not say CD anyway.
pub fn needs_environments(setting: Setting, e: &Evidence) -> bool {
    setting == Setting::Auto
        && e.declared.is_empty()
        && !e.event.is_some_and(|ev| DEPLOYMENT_EVENTS.contains(&ev))
        && name_says_cd(e.workflow_name, e.workflow_path).is_none()
}

/// Rule 4: the word that makes the workflow's name or file a deployment, if any.
pub fn name_says_cd(name: &str, path: Option<&str>) -> Option<String> {
    let file = path
        .and_then(|p| p.split('@').next())
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .map(|f| f.trim_end_matches(".yml").trim_end_matches(".yaml"));
    for text in std::iter::once(name).chain(file) {
        let lower = text.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for stem in ["deploy", "release"] {
            if words.iter().any(|w| w.contains(stem)) {
                return Some(stem.to_owned());
            }
        }
        if words.contains(&"cd") && !words.contains(&"ci") {
            return Some("cd".to_owned());
        }
    }
    None
}

/// How much earlier than the run's start a deployment may be created and still be the run's
/// (clocks differ a little between GitHub's services).
const CLOCK_SLACK_SECONDS: i64 = 120;
/// Deployments whose statuses are read, at most.
pub const MAX_CANDIDATES: usize = 10;

/// The deployments on the run's head commit created while it ran: the ones whose statuses can
/// tell whether this run made them. Newest first, at most [`MAX_CANDIDATES`].
pub fn candidates<'a>(deployments: &'a [Deployment], run: &Run) -> Vec<&'a Deployment> {
    let start = run.run_started_at.or(run.created_at);
    let mut out: Vec<&Deployment> = deployments
        .iter()
        .filter(|d| d.id.is_some())
        .filter(|d| match (&d.sha, &run.head_sha) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        })
        .filter(|d| match (d.created_at, start) {
            (Some(c), Some(s)) => c >= s - Duration::seconds(CLOCK_SLACK_SECONDS),
            _ => true,
        })
        .collect();
    out.sort_by_key(|d| std::cmp::Reverse(d.created_at));
    out.truncate(MAX_CANDIDATES);
    out
}

/// The job id a deployment status points at, when it points into run `run_id`:
/// `Some(Some(job))` for `.../actions/runs/{run_id}/job/{job}`, `Some(None)` for the run itself.
pub fn links_to_run(status: &DeploymentStatus, run_id: u64) -> Option<Option<u64>> {
    let needle = format!("/actions/runs/{run_id}");
    [status.log_url.as_deref(), status.target_url.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|url| {
            let at = url.find(&needle)? + needle.len();
            let rest = &url[at..];
            if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
                return None; // runs/12 is not runs/123
            }
            let job = rest
                .strip_prefix("/job/")
                .and_then(|j| j.split(['/', '?', '#']).next())
                .and_then(|j| j.parse().ok());
            Some(job)
        })
}

/// Environments this run deployed to: each candidate deployment one of whose statuses links to
/// the run, as `(environment, job id)`, each environment once.
pub fn deployed_environments(
    checked: &[(&Deployment, Vec<DeploymentStatus>)],
    run_id: u64,
) -> Vec<(String, Option<u64>)> {
    let mut out: Vec<(String, Option<u64>)> = Vec::new();
    for (d, statuses) in checked {
        let Some(job) = statuses.iter().find_map(|s| links_to_run(s, run_id)) else {
            continue;
        };
        let env = d
            .environment
            .clone()
            .or_else(|| statuses.iter().find_map(|s| s.environment.clone()))
            .unwrap_or_else(|| "unnamed".to_owned());
        if !out.iter().any(|(e, _)| *e == env) {
            out.push((env, job));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    fn artifact(input: bool) -> Artifact {
        Artifact {
            input,
            output: !input,
            kind: "container".into(),
            location: None,
            name: "ghcr.io/acme/api".into(),
            qualifier: Some("1".into()),
            hash: None,
        }
    }

    fn evidence<'a>(
        declared: &'a [Artifact],
        event: &'a str,
        envs: Option<&'a [String]>,
        name: &'a str,
    ) -> Evidence<'a> {
        Evidence {
            declared,
            event: Some(event),
            environments: envs,
            workflow_name: name,
            workflow_path: Some(".github/workflows/main.yml"),
        }
    }

    #[test]
    fn inputs_pin_the_answer() {
        let e = evidence(&[], "release", None, "Deploy");
        let d = decide(Setting::Ci, &e);
        assert_eq!((d.ci, d.cd, d.rule), (true, false, Rule::Input));
        assert!(decide(Setting::Cd, &e).cd);
        let d = decide(Setting::Both, &e);
        assert!(d.ci && d.cd);
        assert_eq!(Setting::parse("AUTO"), Some(Setting::Auto));
        assert_eq!(Setting::parse("both"), Some(Setting::Both));
        assert_eq!(Setting::parse("deploy"), None);
    }

    #[test]
    fn rules_apply_in_order() {
        let prod = vec!["production".to_owned()];
        // 1: artifacts beat everything after them.
        let built = [artifact(false)];
        let d = decide(
            Setting::Auto,
            &evidence(&built, "release", Some(&prod), "Deploy"),
        );
        assert_eq!((d.ci, d.cd), (true, false));
        assert_eq!(
            d.rule,
            Rule::Artifacts {
                inputs: 0,
                outputs: 1
            }
        );
        let both = [artifact(false), artifact(true)];
        let d = decide(Setting::Auto, &evidence(&both, "push", None, "CI"));
        assert!(d.ci && d.cd);
        // 2: deployment events.
        let d = decide(
            Setting::Auto,
            &evidence(&[], "deployment_status", None, "CI"),
        );
        assert_eq!(
            (d.cd, d.rule),
            (true, Rule::Event("deployment_status".into()))
        );
        // 3: environments.
        let d = decide(Setting::Auto, &evidence(&[], "push", Some(&prod), "CI"));
        assert_eq!(d.rule, Rule::Environments(prod.clone()));
        assert!(d.to_string().contains("`production`"), "{d}");
        // 4: the name; 5: nothing.
        let d = decide(
            Setting::Auto,
            &evidence(&[], "push", Some(&[]), "Deploy to prod"),
        );
        assert_eq!(d.rule, Rule::Name("deploy".into()));
        let d = decide(Setting::Auto, &evidence(&[], "push", None, "Build"));
        assert_eq!((d.ci, d.cd, &d.rule), (true, false, &Rule::Default));
        assert_eq!(d.to_string(), "CI (rule 5: no sign of a deployment)");
    }

    #[test]
    fn names_that_mean_deployment() {
        let says = |n: &str, p: &str| name_says_cd(n, Some(p));
        assert_eq!(says("Deploy API", "x.yml"), Some("deploy".into()));
        assert_eq!(
            says("Build", ".github/workflows/deployment.yml"),
            Some("deploy".into())
        );
        assert_eq!(says("Publish release", "x.yml"), Some("release".into()));
        assert_eq!(says("CD", "x.yml"), Some("cd".into()));
        assert_eq!(
            says("build", ".github/workflows/cd.yaml@refs/heads/main"),
            Some("cd".into())
        );
        assert_eq!(says("CI/CD", "x.yml"), None, "a CI/CD pipeline stays CI");
        assert_eq!(says("abcd", "x.yml"), None);
        assert_eq!(says("Build", ".github/workflows/ci.yml"), None);
    }

    #[test]
    fn environments_are_looked_up_only_when_they_can_change_the_answer() {
        let e = |name| evidence(&[], "push", None, name);
        assert!(needs_environments(Setting::Auto, &e("Build")));
        assert!(!needs_environments(Setting::Auto, &e("Deploy")));
        assert!(!needs_environments(Setting::Ci, &e("Build")));
        assert!(!needs_environments(
            Setting::Auto,
            &evidence(&[], "release", None, "Build")
        ));
        let built = [artifact(false)];
        assert!(!needs_environments(
            Setting::Auto,
            &evidence(&built, "push", None, "Build")
        ));
    }

    fn deployment(id: u64, sha: &str, created: &str, env: &str) -> Deployment {
        Deployment {
            id: Some(id),
            sha: Some(sha.into()),
            environment: Some(env.into()),
            created_at: parse_time(created),
        }
    }

    fn status(url: &str) -> DeploymentStatus {
        DeploymentStatus {
            log_url: Some(url.into()),
            ..DeploymentStatus::default()
        }
    }

    #[test]
    fn only_deployments_whose_status_links_to_this_run_count() {
        let run = Run {
            id: Some(123),
            head_sha: Some("abc".into()),
            run_started_at: parse_time("2025-03-01T10:00:00Z"),
            ..Run::default()
        };
        let all = [
            deployment(1, "abc", "2025-03-01T10:05:00Z", "production"),
            deployment(2, "abc", "2025-03-01T10:06:00Z", "staging"),
            deployment(3, "abc", "2025-02-01T10:00:00Z", "production"), // before the run
            deployment(4, "def", "2025-03-01T10:05:00Z", "production"), // another commit
        ];
        let c = candidates(&all, &run);
        let ids: Vec<u64> = c.iter().filter_map(|d| d.id).collect();
        assert_eq!(ids, [2, 1], "newest first");
        let checked = vec![
            (
                c[0],
                // staging was deployed by another run on the same commit (run 1234, not 123)
                vec![status(
                    "https://github.com/acme/api/actions/runs/1234/job/9",
                )],
            ),
            (
                c[1],
                vec![status(
                    "https://github.com/acme/api/actions/runs/123/job/456",
                )],
            ),
        ];
        assert_eq!(
            deployed_environments(&checked, 123),
            [("production".to_owned(), Some(456))]
        );
    }

    #[test]
    fn status_links() {
        let s = |u: &str| links_to_run(&status(u), 77);
        assert_eq!(
            s("https://github.com/o/r/actions/runs/77/job/5"),
            Some(Some(5))
        );
        assert_eq!(s("https://github.com/o/r/actions/runs/77"), Some(None));
        assert_eq!(
            s("https://github.com/o/r/actions/runs/77?check_suite_focus=true"),
            Some(None)
        );
        assert_eq!(s("https://github.com/o/r/actions/runs/770/job/5"), None);
        assert_eq!(s("https://example.com/deploys/77"), None);
        let target_only = DeploymentStatus {
            target_url: Some("https://github.com/o/r/actions/runs/77/job/8".into()),
            ..DeploymentStatus::default()
        };
        assert_eq!(links_to_run(&target_only, 77), Some(Some(8)));
    }
}
