//! `ci` and `cd`: is this run a build, a deployment, or both? A CI run filed as a deployment
//! inflates deployment frequency and corrupts change failure rate, so `ci-cd: auto` (the default)
//! decides from what the run did and why it ran, not from a word in its name, and says in one
//! line of the log what decided ([`Decision`]'s `Display`). The evidence adds up ([`RULES`], the
//! docs' table):
//!
//! 1. declared artifacts (input `artifacts`): an input consumed says CD, an output produced CI,
//!    as the Jenkins plugin does;
//! 2. environments: a job of the run deployed to a GitHub environment that `cd-environments`
//!    counts (a deployment whose status links to this run): CD. Deployments to other
//!    environments (previews, review apps, staging) do not count;
//! 3. the event: a `deployment` event (a deployer asked this workflow to deploy, to an
//!    environment that counts when it is known) or a `release`: CD. A `deployment_status` run
//!    reacts to a deployment (tests a preview, notifies): it is not one;
//! 4. hints, only when nothing above says CD and no artifact is declared: the workflow's name or
//!    file says `deploy` or the word `cd`, or the run is for a tag push. A hint decides CD only
//!    when nothing in the run contradicts it: a pull request event (`pull_request`,
//!    `pull_request_target`, `merge_group`), a `deployment_status` event, a `deployment` event to
//!    an environment that does not count, deployments found only to environments that do not
//!    count, or a word beside it that says otherwise (`preview`, `lint`, `check`, `ci`, ...).
//!    Words about releases (`release`, `changelog`, `notes`) are not hints: release tooling
//!    opens pull requests and drafts notes, it does not deploy;
//! 5. a run with no CD evidence is CI; an output artifact makes a CD run CI as well.

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

/// The evidence `auto` weighs: (evidence, what it says). The docs' table is this list.
pub const RULES: &[(&str, &str)] = &[
    (
        "declared artifacts (input `artifacts`)",
        "an `input` says CD, an `output` CI (both can hold)",
    ),
    (
        "a job deployed to a GitHub environment that `cd-environments` counts (a deployment whose status links to this run)",
        "CD",
    ),
    (
        "the event: `deployment` (to an environment that counts, when known) or `release`",
        "CD",
    ),
    (
        "a hint: the workflow's name or file says `deploy` or the word `cd`, or the run is for a tag push; only when no artifact is declared, nothing above says CD and nothing contradicts it (below)",
        "CD",
    ),
    ("no evidence of a deployment", "CI"),
];

/// Events that are never a deployment by a hint alone: a pull request's checks, a merge
/// queue's, and a reaction to a deployment.
pub const NOT_BY_HINT_EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "merge_group",
    "deployment_status",
];

/// Words beside a hint that say the workflow is about something other than deploying.
pub const CONTRADICTING_WORDS: &[&str] = &[
    "ci",
    "preview",
    "previews",
    "lint",
    "linter",
    "linting",
    "check",
    "checks",
    "draft",
    "drafter",
    "changelog",
    "pr",
    "dry",
    "undeploy",
    "cleanup",
    "teardown",
    "destroy",
];

/// `cd-environments` when not given: production-like names. Previews, review apps, staging and
/// GitHub Pages stay out of deployment frequency.
pub const DEFAULT_ENVIRONMENTS: &str = "production*, prod, prod-*, prod_*, prod/*, prd, live";

/// The `cd-environments` input: which environments count as a deployment. Patterns, matched
/// case-insensitively against the whole name, `*` standing for any characters; a pattern
/// starting with `!` leaves the names it matches out. The last pattern that matches decides; a
/// list of only `!` patterns starts from every environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environments {
    /// `(left out, pattern in lower case)`, in order.
    patterns: Vec<(bool, String)>,
}

impl Default for Environments {
    fn default() -> Self {
        Environments::parse(DEFAULT_ENVIRONMENTS).expect("the default patterns parse")
    }
}

impl Environments {
    /// Comma or newline separated patterns; `None` when there is none.
    pub fn parse(text: &str) -> Option<Environments> {
        let patterns: Vec<(bool, String)> = text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.strip_prefix('!') {
                Some(rest) => (true, rest.trim().to_ascii_lowercase()),
                None => (false, p.to_ascii_lowercase()),
            })
            .filter(|(_, p)| !p.is_empty())
            .collect();
        (!patterns.is_empty()).then_some(Environments { patterns })
    }

    /// Whether a deployment to `environment` counts.
    pub fn counts(&self, environment: &str) -> bool {
        let name = environment.trim().to_ascii_lowercase();
        let mut counted = self.patterns.iter().all(|(out, _)| *out);
        for (out, pattern) in &self.patterns {
            if glob(pattern, &name) {
                counted = !out;
            }
        }
        counted
    }

    /// The patterns as given, for the log: `production*, prod`.
    pub fn describe(&self) -> String {
        self.patterns
            .iter()
            .map(|(out, p)| if *out { format!("!{p}") } else { p.clone() })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `*` stands for any characters (none included); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split gives one part at least");
    let Some(mut left) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return left.is_empty();
    };
    for part in middle {
        match left.find(part) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.len() >= last.len() && left.ends_with(last)
}

/// What decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The `ci-cd` input said so.
    Input,
    Artifacts {
        inputs: usize,
        outputs: usize,
    },
    /// Deployed to these environments, which count.
    Deployed(Vec<String>),
    /// Deployed only to these environments, which do not count.
    NotCounted(Vec<String>),
    /// A `deployment` event; its environment when known.
    DeploymentEvent(Option<String>),
    /// A `deployment` event to an environment that does not count.
    DeploymentEventNotCounted(String),
    ReleaseEvent,
    /// A `deployment_status` run: a reaction to a deployment.
    ReactsToDeployment,
    /// A hint that decided CD: nothing contradicted it.
    Hint(Hint),
    /// A hint that did not decide, and why.
    Contradicted(Hint, Contradiction),
    /// Nothing said CD.
    NoEvidence,
}

/// A sign of a deployment that is not evidence by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// The workflow's name or file holds this word.
    Name(String),
    /// The run is for a tag push (or a tag created).
    Tag,
}

/// Why a hint did not decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contradiction {
    /// The run was started by this event.
    Event(String),
    /// The name or file also holds this word.
    Word(String),
    /// The run deployed, but only to environments that do not count.
    NotCounted(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub ci: bool,
    pub cd: bool,
    /// What made the decision, in the order of [`RULES`].
    pub reasons: Vec<Reason>,
}

/// How a run with these flags is named: `CI`, `CD` or `CI and CD`.
pub fn label(ci: bool, cd: bool) -> &'static str {
    match (ci, cd) {
        (true, true) => "CI and CD",
        (false, true) => "CD",
        _ => "CI",
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::Name(w) => write!(f, "the workflow's name says `{w}`"),
            Hint::Tag => write!(f, "the run is for a tag"),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Input => write!(f, "input `ci-cd`"),
            Reason::Artifacts { inputs, outputs } => write!(
                f,
                "declared artifacts: {inputs} input(s), {outputs} output(s)"
            ),
            Reason::Deployed(envs) => write!(f, "deployed to {}", quoted(envs)),
            Reason::NotCounted(envs) => write!(
                f,
                "deployed only to {}, which `cd-environments` does not count",
                quoted(envs)
            ),
            Reason::DeploymentEvent(Some(env)) => write!(f, "a `deployment` event to `{env}`"),
            Reason::DeploymentEvent(None) => write!(f, "a `deployment` event"),
            Reason::DeploymentEventNotCounted(env) => write!(
                f,
                "a `deployment` event to `{env}`, which `cd-environments` does not count"
            ),
            Reason::ReleaseEvent => write!(f, "a `release` event"),
            Reason::ReactsToDeployment => write!(
                f,
                "a `deployment_status` run reacts to a deployment, it is not one"
            ),
            Reason::Hint(h) => write!(f, "{h}, and nothing in the run says otherwise"),
            Reason::Contradicted(h, why) => {
                write!(f, "{h}, but ")?;
                match why {
                    Contradiction::Event(e) => {
                        write!(f, "a `{e}` run is never a deployment by a hint alone")
                    }
                    Contradiction::Word(w) => write!(f, "it also says `{w}`"),
                    Contradiction::NotCounted(envs) => write!(
                        f,
                        "it deployed only to {}, which `cd-environments` does not count",
                        quoted(envs)
                    ),
                }
            }
            Reason::NoEvidence => write!(f, "no evidence of a deployment"),
        }
    }
}

impl fmt::Display for Decision {
    /// `CI and CD (declared artifacts: 0 input(s), 1 output(s); deployed to `production`)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (", label(self.ci, self.cd))?;
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{r}")?;
        }
        write!(f, ")")
    }
}

/// Everything the rules look at.
pub struct Evidence<'a> {
    pub declared: &'a [Artifact],
    pub event: Option<&'a str>,
    /// Environments the run deployed to; `None` when they were not (or could not be) looked up.
    pub environments: Option<&'a [String]>,
    /// For a `deployment` run: the environment of the deployment that started it, when known.
    pub deployment_environment: Option<&'a str>,
    /// The run is for a tag (pushed or created).
    pub tag: bool,
    pub workflow_name: &'a str,
    pub workflow_path: Option<&'a str>,
    /// `cd-environments`.
    pub counted: &'a Environments,
}

/// Decides `ci` and `cd`.
pub fn decide(setting: Setting, e: &Evidence) -> Decision {
    let fixed = |ci, cd| Decision {
        ci,
        cd,
        reasons: vec![Reason::Input],
    };
    match setting {
        Setting::Ci => return fixed(true, false),
        Setting::Cd => return fixed(false, true),
        Setting::Both => return fixed(true, true),
        Setting::Auto => {}
    }
    let mut reasons = Vec::new();
    let mut cd = false;
    let inputs = e.declared.iter().filter(|a| a.input).count();
    let outputs = e.declared.iter().filter(|a| a.output).count();
    if inputs + outputs > 0 {
        reasons.push(Reason::Artifacts { inputs, outputs });
        cd |= inputs > 0;
    }
    // Environments: the ones that count, else the ones that do not.
    let (counted, left_out): (Vec<String>, Vec<String>) = e
        .environments
        .unwrap_or_default()
        .iter()
        .cloned()
        .partition(|env| e.counted.counts(env));
    if !counted.is_empty() {
        reasons.push(Reason::Deployed(counted));
        cd = true;
    }
    let event = e.event.unwrap_or_default();
    // A `deployment` event to an environment that does not count: said once, by the hint it
    // contradicts if there is one, else on its own.
    let mut not_counted_event = None;
    match event {
        "deployment" => match e.deployment_environment {
            Some(env) if !e.counted.counts(env) => not_counted_event = Some(env.to_owned()),
            env => {
                reasons.push(Reason::DeploymentEvent(env.map(str::to_owned)));
                cd = true;
            }
        },
        "release" => {
            reasons.push(Reason::ReleaseEvent);
            cd = true;
        }
        _ => {}
    }
    if !cd && inputs + outputs == 0 {
        let name_hint = name_hint(e.workflow_name, e.workflow_path);
        let tag = e.tag && matches!(event, "push" | "create");
        let hint = match (&name_hint, tag) {
            (Some(h), _) => Some(Hint::Name(h.word.clone())),
            (None, true) => Some(Hint::Tag),
            (None, false) => None,
        };
        if let Some(hint) = hint {
            let why = if NOT_BY_HINT_EVENTS.contains(&event) {
                Some(Contradiction::Event(event.to_owned()))
            } else if let Some(w) = contradicting_word(e.workflow_name, e.workflow_path) {
                Some(Contradiction::Word(w))
            } else if let Some(env) = not_counted_event.take() {
                Some(Contradiction::NotCounted(vec![env]))
            } else if !left_out.is_empty() {
                Some(Contradiction::NotCounted(left_out.clone()))
            } else {
                None
            };
            match why {
                Some(why) => reasons.push(Reason::Contradicted(hint, why)),
                None => {
                    reasons.push(Reason::Hint(hint));
                    cd = true;
                }
            }
        }
    }
    if let Some(env) = not_counted_event {
        reasons.push(Reason::DeploymentEventNotCounted(env));
    }
    if !cd {
        if !left_out.is_empty()
            && !reasons
                .iter()
                .any(|r| matches!(r, Reason::Contradicted(_, Contradiction::NotCounted(_))))
        {
            reasons.push(Reason::NotCounted(left_out));
        }
        if event == "deployment_status" {
            reasons.push(Reason::ReactsToDeployment);
        }
        if reasons.is_empty() {
            reasons.push(Reason::NoEvidence);
        }
    }
    Decision {
        ci: outputs > 0 || !cd,
        cd,
        reasons,
    }
}

/// Whether the deployments are worth looking up: only for `auto`, when they can change the
/// answer or name the environment of a `deployment` run (not when a declared input or a
/// `release` event already makes it CD).
pub fn needs_environments(setting: Setting, declared: &[Artifact], event: Option<&str>) -> bool {
    setting == Setting::Auto && !declared.iter().any(|a| a.input) && event != Some("release")
}

/// A word of the workflow's name or file that hints at a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameHint {
    pub word: String,
}

/// The words of the workflow's name and of its file's name (without folder and extension).
fn words(name: &str, path: Option<&str>) -> Vec<String> {
    let file = path
        .and_then(|p| p.split('@').next())
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .map(|f| f.trim_end_matches(".yml").trim_end_matches(".yaml"));
    std::iter::once(name)
        .chain(file)
        .flat_map(|text| {
            text.to_ascii_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The hint of the workflow's name or file: a word holding `deploy` (not `undeploy`), or the
/// word `cd`.
pub fn name_hint(name: &str, path: Option<&str>) -> Option<NameHint> {
    let words = words(name, path);
    let word = if words
        .iter()
        .any(|w| w.contains("deploy") && !w.starts_with("undeploy"))
    {
        "deploy"
    } else if words.iter().any(|w| w == "cd") {
        "cd"
    } else {
        return None;
    };
    Some(NameHint { word: word.into() })
}

/// The first word of the workflow's name or file that contradicts a hint.
pub fn contradicting_word(name: &str, path: Option<&str>) -> Option<String> {
    words(name, path)
        .into_iter()
        .find(|w| CONTRADICTING_WORDS.contains(&w.as_str()))
}

/// How much earlier than the run's start a deployment may be created and still be the run's
/// (clocks differ a little between GitHub's services).
const CLOCK_SLACK_SECONDS: i64 = 120;
/// How much later than the run's creation the deployment that started a `deployment` run may
/// read as created (the same clocks).
const TRIGGER_SLACK_SECONDS: i64 = 5;
/// Deployments whose statuses are read, at most.
pub const MAX_CANDIDATES: usize = 10;

/// The deployments on the run's head commit created while it ran: the ones whose statuses can
/// tell whether this run made them. Newest first, at most [`MAX_CANDIDATES`].
pub fn candidates<'a>(deployments: &'a [Deployment], run: &Run) -> Vec<&'a Deployment> {
    let start = run.run_started_at.or(run.created_at);
    let mut out: Vec<&Deployment> = deployments
        .iter()
        .filter(|d| d.id.is_some())
        .filter(|d| same_commit(d, run))
        .filter(|d| match (d.created_at, start) {
            (Some(c), Some(s)) => c >= s - Duration::seconds(CLOCK_SLACK_SECONDS),
            _ => true,
        })
        .collect();
    out.sort_by_key(|d| std::cmp::Reverse(d.created_at));
    out.truncate(MAX_CANDIDATES);
    out
}

fn same_commit(d: &Deployment, run: &Run) -> bool {
    match (&d.sha, &run.head_sha) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    }
}

/// For a run started by a `deployment` event, without the event itself (a reporter in another
/// workflow): the deployment that started it, the newest of the head commit created no later
/// than the run.
pub fn triggering_deployment<'a>(
    deployments: &'a [Deployment],
    run: &Run,
) -> Option<&'a Deployment> {
    let created = run.created_at?;
    deployments
        .iter()
        .filter(|d| same_commit(d, run))
        .filter(|d| {
            d.created_at
                .is_some_and(|c| c <= created + Duration::seconds(TRIGGER_SLACK_SECONDS))
        })
        .max_by_key(|d| d.created_at)
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

    struct Case {
        declared: Vec<Artifact>,
        event: &'static str,
        envs: Option<Vec<String>>,
        deployment_env: Option<&'static str>,
        tag: bool,
        name: &'static str,
        path: &'static str,
    }

    fn case(event: &'static str, name: &'static str) -> Case {
        Case {
            declared: vec![],
            event,
            envs: None,
            deployment_env: None,
            tag: false,
            name,
            path: ".github/workflows/main.yml",
        }
    }

    impl Case {
        fn envs(mut self, envs: &[&str]) -> Self {
            self.envs = Some(envs.iter().map(|e| (*e).to_owned()).collect());
            self
        }
        fn decide(&self) -> Decision {
            let counted = Environments::default();
            decide(
                Setting::Auto,
                &Evidence {
                    declared: &self.declared,
                    event: Some(self.event),
                    environments: self.envs.as_deref(),
                    deployment_environment: self.deployment_env,
                    tag: self.tag,
                    workflow_name: self.name,
                    workflow_path: Some(self.path),
                    counted: &counted,
                },
            )
        }
        /// `(ci, cd, the log's words)`.
        fn says(&self) -> (bool, bool, String) {
            let d = self.decide();
            (d.ci, d.cd, d.to_string())
        }
    }

    #[test]
    fn inputs_pin_the_answer() {
        let counted = Environments::default();
        let e = Evidence {
            declared: &[],
            event: Some("release"),
            environments: None,
            deployment_environment: None,
            tag: false,
            workflow_name: "Deploy",
            workflow_path: None,
            counted: &counted,
        };
        let d = decide(Setting::Ci, &e);
        assert_eq!((d.ci, d.cd, d.reasons), (true, false, vec![Reason::Input]));
        assert!(decide(Setting::Cd, &e).cd);
        let d = decide(Setting::Both, &e);
        assert!(d.ci && d.cd);
        assert_eq!(Setting::parse("AUTO"), Some(Setting::Auto));
        assert_eq!(Setting::parse("both"), Some(Setting::Both));
        assert_eq!(Setting::parse("deploy"), None);
    }

    #[test]
    fn evidence_adds_up() {
        // An output artifact and a deployment to production: a build that shipped.
        let mut c = case("push", "Build").envs(&["production"]);
        c.declared = vec![artifact(false)];
        assert_eq!(
            c.says(),
            (
                true,
                true,
                "CI and CD (declared artifacts: 0 input(s), 1 output(s); deployed to `production`)"
                    .into()
            )
        );
        // Both kinds of artifact.
        let mut c = case("push", "CI");
        c.declared = vec![artifact(false), artifact(true)];
        let d = c.decide();
        assert!(d.ci && d.cd);
        // An input artifact alone: CD; declared artifacts silence the name.
        let mut c = case("pull_request", "Lint");
        c.declared = vec![artifact(true)];
        assert!(c.says().1);
        let mut c = case("push", "Deploy");
        c.declared = vec![artifact(false)];
        assert_eq!(
            c.says(),
            (
                true,
                false,
                "CI (declared artifacts: 0 input(s), 1 output(s))".into()
            )
        );
    }

    #[test]
    fn environments_count_by_pattern() {
        assert_eq!(
            case("push", "Build").envs(&["production"]).says(),
            (false, true, "CD (deployed to `production`)".into())
        );
        assert_eq!(
            case("push", "Build").envs(&["staging", "prod-eu"]).says(),
            (false, true, "CD (deployed to `prod-eu`)".into())
        );
        // A review app only: not a deployment, and the log says why.
        assert_eq!(
            case("pull_request", "Review app").envs(&["pr-42"]).says(),
            (
                true,
                false,
                "CI (deployed only to `pr-42`, which `cd-environments` does not count)".into()
            )
        );
        // A deploy workflow that deployed only to a preview: the name is contradicted.
        assert_eq!(
            case("push", "Deploy").envs(&["github-pages"]).says(),
            (
                true,
                false,
                "CI (the workflow's name says `deploy`, but it deployed only to `github-pages`, \
                 which `cd-environments` does not count)"
                    .into()
            )
        );
        // Looked up and nothing found: the name still hints (a deploy by script).
        assert_eq!(
            case("push", "Deploy").envs(&[]).says(),
            (
                false,
                true,
                "CD (the workflow's name says `deploy`, and nothing in the run says otherwise)"
                    .into()
            )
        );
    }

    #[test]
    fn patterns() {
        let d = Environments::default();
        for yes in [
            "production",
            "Production",
            "production-eu",
            "production/us-east-1",
            "prod",
            "prod-1",
            "prod_eu",
            "prod/eu",
            "prd",
            "live",
        ] {
            assert!(d.counts(yes), "{yes}");
        }
        for no in [
            "staging",
            "preview",
            "pr-42",
            "github-pages",
            "review/feature-x",
            "products",
            "dev",
        ] {
            assert!(!d.counts(no), "{no}");
        }
        let all_but_previews = Environments::parse("!*preview*, !pr-*").unwrap();
        assert!(all_but_previews.counts("staging"));
        assert!(!all_but_previews.counts("docs-preview"));
        assert!(!all_but_previews.counts("pr-7"));
        let last_wins = Environments::parse("*\n!staging*\nstaging-eu").unwrap();
        assert!(last_wins.counts("qa"));
        assert!(!last_wins.counts("staging-us"));
        assert!(last_wins.counts("staging-eu"));
        assert_eq!(Environments::parse(" , \n"), None);
        assert_eq!(last_wins.describe(), "*, !staging*, staging-eu");
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("*", ""));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn events() {
        assert_eq!(
            case("release", "Publish").says(),
            (false, true, "CD (a `release` event)".into())
        );
        let mut c = case("deployment", "Ops");
        c.deployment_env = Some("production");
        assert_eq!(
            c.says(),
            (
                false,
                true,
                "CD (a `deployment` event to `production`)".into()
            )
        );
        c.deployment_env = None;
        assert_eq!(c.says(), (false, true, "CD (a `deployment` event)".into()));
        // A deployer's request to deploy a review app: not counted, and the name cannot
        // overrule it.
        let mut c = case("deployment", "Deploy");
        c.deployment_env = Some("pr-42");
        assert_eq!(
            c.says(),
            (
                true,
                false,
                "CI (the workflow's name says `deploy`, but it deployed only to `pr-42`, which \
                 `cd-environments` does not count)"
                    .into()
            )
        );
        // A reaction to a deployment (tests against a preview) is not one.
        assert_eq!(
            case("deployment_status", "E2E on preview").says(),
            (
                true,
                false,
                "CI (a `deployment_status` run reacts to a deployment, it is not one)".into()
            )
        );
        assert_eq!(
            case("deployment_status", "Deploy notify").says(),
            (
                true,
                false,
                "CI (the workflow's name says `deploy`, but a `deployment_status` run is never \
                 a deployment by a hint alone; a `deployment_status` run reacts to a \
                 deployment, it is not one)"
                    .into()
            )
        );
    }

    #[test]
    fn pull_requests_are_never_a_deployment_by_name() {
        for event in ["pull_request", "pull_request_target", "merge_group"] {
            let (ci, cd, why) = case(event, "Deploy").says();
            assert_eq!((ci, cd), (true, false), "{event}");
            assert_eq!(
                why,
                format!(
                    "CI (the workflow's name says `deploy`, but a `{event}` run is never a \
                     deployment by a hint alone)"
                )
            );
        }
        // Evidence still counts on a pull request: it did deploy to production.
        assert!(
            case("pull_request", "Deploy")
                .envs(&["production"])
                .says()
                .1
        );
    }

    #[test]
    fn names_that_hint_and_names_that_do_not() {
        let says = |name: &'static str, path: &'static str| {
            let mut c = case("push", name);
            c.path = path;
            c.says()
        };
        let cd = |s: (bool, bool, String)| s.1;
        assert!(cd(says("Deploy API", "x.yml")));
        assert!(cd(says("Build", ".github/workflows/deployment.yml")));
        assert!(cd(says("CD", "x.yml")));
        assert!(cd(says("Build and deploy", "x.yml")));
        assert!(cd(says("Test and deploy", "x.yml")));
        assert!(cd(says(
            "build",
            ".github/workflows/cd.yaml@refs/heads/main"
        )));
        // About releases, not deployments.
        for name in [
            "Release",
            "Release Drafter",
            "release-please",
            "Publish release",
            "Changelog",
            "Pre-release checks",
            "Draft release notes",
        ] {
            assert!(!cd(says(name, "x.yml")), "{name}");
        }
        // A hint with a word that says otherwise.
        assert_eq!(
            says("Lint", ".github/workflows/cd-lint.yml"),
            (
                true,
                false,
                "CI (the workflow's name says `cd`, but it also says `lint`)".into()
            )
        );
        assert_eq!(
            says("CI/CD", "x.yml").2,
            "CI (the workflow's name says `cd`, but it also says `ci`)"
        );
        assert!(!cd(says("Deploy docs preview", "x.yml")));
        assert!(!cd(says("Undeploy", "x.yml")));
        assert!(!cd(says("abcd", "x.yml")));
        assert_eq!(
            says("Build", ".github/workflows/ci.yml"),
            (true, false, "CI (no evidence of a deployment)".into())
        );
    }

    #[test]
    fn a_tag_push_hints_at_a_release() {
        let mut c = case("push", "Release");
        c.tag = true;
        assert_eq!(
            c.says(),
            (
                false,
                true,
                "CD (the run is for a tag, and nothing in the run says otherwise)".into()
            )
        );
        let mut c = case("push", "CI");
        c.tag = true;
        assert_eq!(
            c.says(),
            (
                true,
                false,
                "CI (the run is for a tag, but it also says `ci`)".into()
            )
        );
        // A tag name on a run of another event is not a tag push.
        let mut c = case("workflow_dispatch", "Release");
        c.tag = true;
        assert!(!c.says().1);
    }

    #[test]
    fn environments_are_looked_up_unless_the_answer_is_settled() {
        assert!(needs_environments(Setting::Auto, &[], Some("push")));
        assert!(needs_environments(Setting::Auto, &[], Some("deployment")));
        assert!(needs_environments(
            Setting::Auto,
            &[artifact(false)],
            Some("push")
        ));
        assert!(!needs_environments(
            Setting::Auto,
            &[artifact(true)],
            Some("push")
        ));
        assert!(!needs_environments(Setting::Auto, &[], Some("release")));
        assert!(!needs_environments(Setting::Ci, &[], Some("push")));
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
    fn the_deployment_that_started_a_run() {
        let run = Run {
            head_sha: Some("abc".into()),
            created_at: parse_time("2025-03-01T10:00:02Z"),
            ..Run::default()
        };
        let all = [
            deployment(1, "abc", "2025-03-01T09:00:00Z", "staging"),
            deployment(2, "abc", "2025-03-01T10:00:01Z", "production"),
            deployment(3, "abc", "2025-03-01T10:03:00Z", "pr-9"), // made by the run
            deployment(4, "def", "2025-03-01T10:00:01Z", "qa"),   // another commit
        ];
        assert_eq!(
            triggering_deployment(&all, &run).and_then(|d| d.id),
            Some(2)
        );
        assert_eq!(triggering_deployment(&all[2..], &run).map(|d| d.id), None);
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
