//! `ci` and `cd`: is this attempt a build, a deployment, or both? A CI run filed as a deployment
//! inflates deployment frequency and corrupts change failure rate, so `ci-cd: auto` (the default)
//! decides from what **this attempt** did and why it ran, not from a word in its name, and says in
//! one line of the log what decided ([`Decision`]'s `Display`). The evidence adds up ([`RULES`],
//! the docs' table):
//!
//! 1. declared artifacts (input `artifacts`): an input consumed says CD, an output produced CI,
//!    as the Jenkins plugin does;
//! 2. environments: a job of this attempt that ran (a job a re-run reused counts for the attempt
//!    that reused it) deployed to a GitHub environment that `cd-environments` counts: a
//!    deployment whose status links to that job ([`of_attempt`]). Another attempt's deployment
//!    never counts; deployments to other environments (previews, review apps, staging) do not;
//! 3. the event: a `deployment` event (a deployer asked this workflow to deploy, to an
//!    environment that counts when it is known) or a `release`: CD. A `deployment_status` run
//!    reacts to a deployment (tests a preview, notifies): it is not one;
//! 4. hints, only when nothing above says CD and no artifact is declared, and only from what ran:
//!    a job of the attempt that ran and is named like a deploy (`deploy`, the word `cd`) decides,
//!    and the log names it; else the workflow's name or file, or a tag push. A job named like a
//!    deploy that did not run (skipped by its `if:`, never started) contradicts every hint, so
//!    a `Build and Deploy` push whose `deploy` job was skipped is CI. A hint also yields to a pull
//!    request event (`pull_request`, `pull_request_target`, `merge_group`), a `deployment_status`
//!    event, a `deployment` event to an environment that does not count, deployments only to
//!    environments that do not count, or a word beside it that says otherwise (`preview`,
//!    `lint`, `check`, ...; the workflow's `ci` yields to a deploy job that ran: a `CI/CD`
//!    pipeline that shipped is a deployment). Words about releases (`release`, `changelog`,
//!    `notes`) are not hints: release tooling opens pull requests and drafts notes;
//! 5. a fork's pull request is never a deployment, whatever the rules above or `ci-cd` say: an
//!    outsider's run must not count in deployment frequency;
//! 6. a run with no CD evidence is CI; an output artifact makes a CD run CI as well.

use crate::model::Job;
use crate::payload::Artifact;
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
        "a job of this attempt that ran deployed to a GitHub environment that `cd-environments` counts (a deployment whose status links to that job; a job a re-run reused counts for the attempt that reused it)",
        "CD",
    ),
    (
        "the event: `deployment` (to an environment that counts, when known) or `release`",
        "CD",
    ),
    (
        "a hint: a job of this attempt that ran is named like a deploy, else the workflow's name or file says `deploy` or the word `cd`, or the run is for a tag push; only when no artifact is declared, nothing above says CD and nothing contradicts it (a job named like a deploy that did not run, and the rest below)",
        "CD",
    ),
    (
        "a fork's pull request",
        "CI, whatever rules 1 to 4 or `ci-cd` say",
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

/// The `cd-environments` input: which environments count as a deployment. Patterns
/// ([`crate::glob`]: the whole name, any case, `*` any characters, `?` one); a pattern
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
            if crate::glob::matches(pattern, &name) {
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
    /// A fork's pull request: never a deployment.
    Fork(String),
    /// Nothing said CD.
    NoEvidence,
}

/// A sign of a deployment that is not evidence by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// A job of the attempt named like a deploy: its name, and the word.
    Job(String, String),
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
    /// The job named like a deploy did not run (skipped, never started).
    DidNotRun(String),
    /// No job of the attempt ran.
    NothingRan,
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
            Hint::Job(job, _) => write!(f, "the job `{job}` is named like a deploy"),
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
            Reason::Hint(h @ Hint::Job(..)) => {
                write!(f, "{h} and ran, and nothing in the run says otherwise")
            }
            Reason::Hint(h) => write!(f, "{h}, and nothing in the run says otherwise"),
            Reason::Contradicted(Hint::Job(job, _), Contradiction::DidNotRun(same))
                if job == same =>
            {
                write!(
                    f,
                    "the job `{job}` is named like a deploy, but it did not run"
                )
            }
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
                    Contradiction::DidNotRun(job) => {
                        write!(f, "the job `{job}`, named like a deploy, did not run")
                    }
                    Contradiction::NothingRan => write!(f, "no job of the attempt ran"),
                }
            }
            Reason::Fork(owner) => write!(
                f,
                "a pull request from a fork (`{owner}`) is never a deployment"
            ),
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

/// A job of the attempt, as the hints see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFact<'a> {
    pub id: Option<u64>,
    pub name: &'a str,
    /// It ran ([`ran`]): a skipped job, or one that never started, did nothing.
    pub ran: bool,
}

impl<'a> JobFact<'a> {
    pub fn of(job: &'a Job) -> JobFact<'a> {
        JobFact {
            id: job.id,
            name: job.name.as_deref().unwrap_or_default(),
            ran: ran(job),
        }
    }
}

/// Whether a job ran: not skipped, and it got a runner or started a step (a job that waited
/// for an approval that never came, or was cancelled in the queue, never started). A job
/// reused from an earlier attempt ran, in that attempt.
pub fn ran(job: &Job) -> bool {
    if job.conclusion.as_deref() == Some("skipped") {
        return false;
    }
    job.runner_name.as_deref().is_some_and(|r| !r.is_empty())
        || job.steps.iter().any(|s| s.started_at.is_some())
        || matches!(job.conclusion.as_deref(), Some("success" | "neutral"))
}

/// Everything the rules look at.
pub struct Evidence<'a> {
    pub declared: &'a [Artifact],
    pub event: Option<&'a str>,
    /// Environments this attempt deployed to, with the job that deployed (see [`of_attempt`]);
    /// `None` when they were not (or could not be) looked up.
    pub environments: Option<&'a [(String, Option<u64>)]>,
    /// For a `deployment` run: the environment of the deployment that started it, when known.
    pub deployment_environment: Option<&'a str>,
    /// The run is for a tag (pushed or created).
    pub tag: bool,
    pub workflow_name: &'a str,
    pub workflow_path: Option<&'a str>,
    /// The attempt's jobs; `None` when they are not known (then hints do not look at jobs).
    pub jobs: Option<&'a [JobFact<'a>]>,
    /// The owner of the fork the run's pull request comes from, if it does.
    pub fork: Option<&'a str>,
    /// `cd-environments`.
    pub counted: &'a Environments,
}

/// Decides `ci` and `cd`.
pub fn decide(setting: Setting, e: &Evidence) -> Decision {
    if let Some(owner) = e.fork {
        return Decision {
            ci: true,
            cd: false,
            reasons: vec![Reason::Fork(owner.to_owned())],
        };
    }
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
    let deployed = e.environments.unwrap_or_default();
    let (counted, left_out): (Vec<String>, Vec<String>) = unique(deployed.iter().map(|d| &d.0))
        .into_iter()
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
        if let Some((hint, why)) = weigh_hints(e, event, &left_out, &mut not_counted_event) {
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

/// Each name once, in order.
fn unique<'a>(names: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// The hint that speaks (a deploy job that ran; else the workflow's name or a tag push), and
/// what contradicts it, if anything. `None`: no hint at all.
fn weigh_hints(
    e: &Evidence,
    event: &str,
    left_out: &[String],
    not_counted_event: &mut Option<String>,
) -> Option<(Hint, Option<Contradiction>)> {
    let jobs = e.jobs.unwrap_or_default();
    // Jobs named like a deploy, and not like a preview, a lint, a dry run...
    let deploy_jobs: Vec<(&JobFact, NameHint)> = jobs
        .iter()
        .filter(|j| contradicting_word(j.name, None).is_none())
        .filter_map(|j| Some((j, name_hint(j.name, None)?)))
        .collect();
    let event_says = NOT_BY_HINT_EVENTS
        .contains(&event)
        .then(|| Contradiction::Event(event.to_owned()));
    if let Some((job, word)) = deploy_jobs.iter().find(|(j, _)| j.ran) {
        let hint = Hint::Job(job.name.to_owned(), word.word.clone());
        // Its own deployments, when it made some, must count.
        let own: Vec<String> = unique(
            e.environments
                .unwrap_or_default()
                .iter()
                .filter(|d| d.1.is_some() && d.1 == job.id)
                .map(|d| &d.0),
        );
        let why = event_says
            .or_else(|| {
                // The workflow's `ci` does not speak against a deploy job that ran.
                contradicting_word(e.workflow_name, e.workflow_path)
                    .filter(|w| w != "ci")
                    .map(Contradiction::Word)
            })
            .or_else(|| {
                not_counted_event
                    .take()
                    .map(|env| Contradiction::NotCounted(vec![env]))
            })
            .or_else(|| (!own.is_empty()).then_some(Contradiction::NotCounted(own)));
        return Some((hint, why));
    }
    let workflow = name_hint(e.workflow_name, e.workflow_path).map(|h| Hint::Name(h.word));
    let tag = (e.tag && matches!(event, "push" | "create")).then_some(Hint::Tag);
    let skipped = deploy_jobs.first().map(|(j, w)| (j.name, w));
    let hint = match (workflow.or(tag), skipped) {
        (Some(h), _) => h,
        // A deploy job alone that did not run: said, so the log names it.
        (None, Some((name, w))) => Hint::Job(name.to_owned(), w.word.clone()),
        (None, None) => return None,
    };
    let nothing_ran = e
        .jobs
        .is_some_and(|j| !j.is_empty() && !j.iter().any(|j| j.ran));
    let why = event_says
        .or_else(|| skipped.map(|(name, _)| Contradiction::DidNotRun(name.to_owned())))
        .or_else(|| nothing_ran.then_some(Contradiction::NothingRan))
        .or_else(|| contradicting_word(e.workflow_name, e.workflow_path).map(Contradiction::Word))
        .or_else(|| {
            not_counted_event
                .take()
                .map(|env| Contradiction::NotCounted(vec![env]))
        })
        .or_else(|| (!left_out.is_empty()).then(|| Contradiction::NotCounted(left_out.to_vec())));
    Some((hint, why))
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

#[cfg(test)]
mod tests {
    use super::*;

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
        envs: Option<Vec<(String, Option<u64>)>>,
        deployment_env: Option<&'static str>,
        tag: bool,
        name: &'static str,
        path: &'static str,
        /// `None`: the jobs are not known.
        jobs: Option<Vec<JobFact<'static>>>,
        fork: Option<&'static str>,
        setting: Setting,
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
            jobs: None,
            fork: None,
            setting: Setting::Auto,
        }
    }

    impl Case {
        fn envs(mut self, envs: &[&str]) -> Self {
            self.envs = Some(envs.iter().map(|e| ((*e).to_owned(), None)).collect());
            self
        }
        /// Jobs `(id, name, ran)`.
        fn jobs(mut self, jobs: &[(u64, &'static str, bool)]) -> Self {
            self.jobs = Some(
                jobs.iter()
                    .map(|(id, name, ran)| JobFact {
                        id: Some(*id),
                        name,
                        ran: *ran,
                    })
                    .collect(),
            );
            self
        }
        fn decide(&self) -> Decision {
            let counted = Environments::default();
            decide(
                self.setting,
                &Evidence {
                    declared: &self.declared,
                    event: Some(self.event),
                    environments: self.envs.as_deref(),
                    deployment_environment: self.deployment_env,
                    tag: self.tag,
                    workflow_name: self.name,
                    workflow_path: Some(self.path),
                    jobs: self.jobs.as_deref(),
                    fork: self.fork,
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
            jobs: None,
            fork: None,
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
    fn a_deploy_job_that_was_skipped_contradicts_the_name() {
        // `Build and Deploy` pushed on a feature branch: `deploy` skipped by its `if:`.
        let c = case("push", "Build and Deploy").jobs(&[(1, "build", true), (2, "deploy", false)]);
        assert_eq!(
            c.says(),
            (
                true,
                false,
                "CI (the workflow's name says `deploy`, but the job `deploy`, named like a \
                 deploy, did not run)"
                    .into()
            )
        );
        // The same workflow on `main`: `deploy` ran (by script, no environment).
        let c = case("push", "Build and Deploy").jobs(&[(1, "build", true), (2, "deploy", true)]);
        assert_eq!(
            c.says(),
            (
                false,
                true,
                "CD (the job `deploy` is named like a deploy and ran, and nothing in the run \
                 says otherwise)"
                    .into()
            )
        );
        // A deploy job alone decides, and is named in the log, whatever the workflow's name.
        let c = case("push", "Main").jobs(&[(1, "test", true), (2, "deploy-prod", true)]);
        assert!(c
            .says()
            .2
            .contains("the job `deploy-prod` is named like a deploy and ran"));
        let c = case("push", "Main").jobs(&[(1, "test", true), (2, "deploy-prod", false)]);
        assert_eq!(
            c.says(),
            (
                true,
                false,
                "CI (the job `deploy-prod` is named like a deploy, but it did not run)".into()
            )
        );
        // A matrix of deploys: the leg that ran decides.
        let c =
            case("push", "Release").jobs(&[(1, "deploy (eu)", false), (2, "deploy (us)", true)]);
        assert!(c.says().2.contains("the job `deploy (us)`"));
        // A `CI/CD` pipeline whose deploy job ran deployed; a preview deploy job is no deploy.
        let c = case("push", "CI/CD").jobs(&[(1, "build", true), (2, "deploy", true)]);
        assert!(c.says().1);
        let c = case("push", "CI/CD").jobs(&[(1, "deploy-preview", true)]);
        assert_eq!(
            c.says().2,
            "CI (the workflow's name says `cd`, but it also says `ci`)"
        );
        // A deploy job on a pull request: never by a hint alone.
        let c = case("pull_request", "Main").jobs(&[(1, "deploy", true)]);
        assert!(!c.says().1);
        // A tag push whose deploy job was skipped, and a run where nothing ran.
        let mut c = case("push", "Publish").jobs(&[(1, "deploy", false)]);
        c.tag = true;
        assert!(!c.says().1);
        let c = case("push", "Deploy").jobs(&[(1, "ship", false)]);
        assert_eq!(
            c.says().2,
            "CI (the workflow's name says `deploy`, but no job of the attempt ran)"
        );
        // The deploy job deployed only to staging: its deployment contradicts it.
        let mut c = case("push", "Main").jobs(&[(2, "deploy", true)]);
        c.envs = Some(vec![("staging".into(), Some(2))]);
        assert_eq!(
            c.says().2,
            "CI (the job `deploy` is named like a deploy, but it deployed only to `staging`, \
             which `cd-environments` does not count)"
        );
    }

    #[test]
    fn a_fork_is_never_a_deployment() {
        let mut c = case("pull_request_target", "Deploy preview").envs(&["production"]);
        c.fork = Some("outsider");
        assert_eq!(
            c.says(),
            (
                true,
                false,
                "CI (a pull request from a fork (`outsider`) is never a deployment)".into()
            )
        );
        c.setting = Setting::Cd;
        assert!(!c.says().1, "not even with `ci-cd: cd`");
    }

    #[test]
    fn a_job_ran_when_it_got_a_runner() {
        let job = |v: serde_json::Value| -> Job { serde_json::from_value(v).unwrap() };
        assert!(ran(&job(
            serde_json::json!({"status": "completed", "conclusion": "failure", "runner_name": "r1"})
        )));
        assert!(ran(&job(
            serde_json::json!({"status": "in_progress", "runner_name": "r1"})
        )));
        assert!(ran(&job(
            serde_json::json!({"status": "completed", "conclusion": "success"})
        )));
        assert!(!ran(&job(
            serde_json::json!({"status": "completed", "conclusion": "skipped", "runner_name": ""})
        )));
        // Rejected at its environment's approval, or cancelled in the queue: never started.
        assert!(!ran(&job(
            serde_json::json!({"status": "completed", "conclusion": "failure", "runner_name": null, "steps": []})
        )));
        assert!(!ran(&job(
            serde_json::json!({"status": "completed", "conclusion": "cancelled"})
        )));
        assert!(!ran(&job(serde_json::json!({"status": "waiting"}))));
    }
}
