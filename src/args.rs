//! The command line. Every action input is a flag of the same name and is also read from
//! `INPUT_<NAME>` (upper-cased, hyphens kept), the way the runner passes inputs to a container
//! action. Values stay raw strings here; [`crate::config`] checks them and says what is wrong.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "sei-cicd",
    version,
    about = "Report GitHub Actions workflow runs to Harness SEI (custom CI/CD webhook).",
    long_about = "Report GitHub Actions workflow runs to Harness SEI through its custom CI/CD \
        webhook: every job as a stage, every step as a step, with commits, branch, trigger, \
        result and timing.\n\nEvery flag of `report` is also read from INPUT_<NAME> (hyphens \
        kept), as a GitHub Actions runner passes the action's inputs.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report one workflow run to SEI (the action's job).
    Report(Box<ReportArgs>),
    /// Send a payload file kept by a failed `report` to SEI again, with the same retry rules.
    Replay(Box<ReplayArgs>),
    /// Report many past runs: of repositories or a whole organization, by workflow and time,
    /// each exactly as `report` would (resumable with --state; on a schedule, a sweep).
    Backfill(Box<BackfillArgs>),
    /// Check that every run attempt of a window is in SEI as it was sent: reads back what SEI
    /// stored and compares it with GitHub's runs (--repair sends again what is missing).
    Verify(Box<VerifyArgs>),
    /// Manage the CI/CD instance in SEI that runs are reported to.
    #[command(subcommand)]
    Instance(InstanceCommand),
    /// Receive GitHub's `workflow_run` webhooks (a GitHub App or an organization webhook) and
    /// report every completed run attempt, each exactly as `report` would.
    Serve(Box<ServeArgs>),
}

/// `verify`: `backfill`'s selection, what to do with what it finds, and the inputs that made
/// the reports (they decide each run's job and build number in SEI, and shape a `--repair`).
#[derive(Debug, Clone, Default, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub check: CheckArgs,
    #[command(flatten)]
    pub sei: SeiArgs,
    #[command(flatten)]
    pub instance: InstanceArgs,
    #[command(flatten)]
    pub github: GitHubArgs,
    #[command(flatten)]
    pub send: SendArgs,
    #[command(flatten)]
    pub net: NetArgs,
}

/// What `verify` reads besides GitHub and SEI, and what it does with what it finds.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "What verify does")]
pub struct CheckArgs {
    /// A backfill's state file: also count what it delivered (read only, unless --repair
    /// records what it sends again) [default: no state]
    #[arg(long, value_name = "FILE")]
    pub state: Option<String>,

    /// Send again, through the same pipeline as `report`, every attempt SEI does not have (SEI
    /// keeps the first report of a run, so one it has is never changed)
    #[arg(long)]
    pub repair: bool,

    /// Print one JSON document on stdout instead of the table
    #[arg(long)]
    pub json: bool,
}

/// `instance ...`
#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Register a CI/CD instance in SEI and print its GUID (the `instance-guid` to report with).
    Register(Box<RegisterArgs>),
}

/// `instance register`: the instance to create, and how to reach SEI, read like `report`'s.
#[derive(Debug, Clone, Default, Args)]
pub struct RegisterArgs {
    /// Id of the SEI integration the instance belongs to (SEI: Integrations, your custom CI/CD
    /// integration) (required)
    #[arg(long, value_name = "ID")]
    pub integration_id: Option<String>,
    /// Name of the instance shown in SEI, like `GitHub Actions` (required)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub sei: SeiArgs,
    #[command(flatten)]
    pub net: NetArgs,
}

/// `backfill`: which runs, how the backfill runs, and every `report` input that shapes a run's
/// payload and its delivery (`timeout` bounds each run).
#[derive(Debug, Clone, Default, Args)]
pub struct BackfillArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub reporting: ReportingArgs,
}

/// The inputs every command that reports runs shares (`report`, `backfill`): where SEI is, the
/// instance, how to read GitHub, what is sent, how the command behaves, the network.
#[derive(Debug, Clone, Default, Args)]
pub struct ReportingArgs {
    #[command(flatten)]
    pub sei: SeiArgs,
    #[command(flatten)]
    pub instance: InstanceArgs,
    #[command(flatten)]
    pub github: GitHubArgs,
    #[command(flatten)]
    pub send: SendArgs,
    #[command(flatten)]
    pub behaviour: BehaviourArgs,
    #[command(flatten)]
    pub net: NetArgs,
}

/// `serve`: where it listens, how deliveries are authenticated, how GitHub is reached (a token or
/// a GitHub App), how it runs, and every `report` input that shapes a run's payload and its
/// delivery (`timeout` bounds each run attempt).
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub reporting: ReportingArgs,
}

/// How `serve` listens and runs.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Serving webhooks")]
pub struct ServerArgs {
    /// Address and port to listen on [default: 0.0.0.0:8080]
    #[arg(long, env = "SEI_CICD_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<String>,

    /// File holding the webhook secret (or the secret itself in SEI_CICD_WEBHOOK_SECRET)
    /// (required)
    #[arg(long, env = "SEI_CICD_WEBHOOK_SECRET_FILE", value_name = "FILE")]
    pub webhook_secret_file: Option<String>,

    /// Run attempts reported at once [default: 16]
    #[arg(long, env = "SEI_CICD_WORKERS", value_name = "N")]
    pub workers: Option<String>,

    /// Deliveries accepted and waiting to be reported, at most; past it GitHub is answered 503
    /// and redelivers later [default: 1000]
    #[arg(long, env = "SEI_CICD_QUEUE", value_name = "N")]
    pub queue: Option<String>,

    /// How often failed deliveries are asked again from GitHub (0 turns it off)
    /// [default: 10m]
    #[arg(long, env = "SEI_CICD_REDELIVER_EVERY", value_name = "SECONDS")]
    pub redeliver_every: Option<String>,

    /// How far back failed deliveries are looked for: an age like 3d or 12h [default: 3d, what
    /// GitHub keeps]
    #[arg(long, env = "SEI_CICD_REDELIVER_SINCE", value_name = "AGE")]
    pub redeliver_since: Option<String>,

    /// Seconds a stop (SIGTERM, Ctrl-C) waits for the reports under way and queued
    /// [default: 25]
    #[arg(long, env = "SEI_CICD_DRAIN_TIMEOUT", value_name = "SECONDS")]
    pub drain_timeout: Option<String>,
}

/// GitHub as a GitHub App (installation tokens made from the App's key), or as an
/// organization webhook read with `github-token`.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Reaching GitHub as an App or an organization webhook")]
pub struct AppArgs {
    /// The GitHub App's id (its settings page: "App ID"); with --app-private-key-file
    #[arg(long, env = "SEI_CICD_APP_ID", value_name = "ID")]
    pub app_id: Option<String>,

    /// The App's private key, a PEM file GitHub generated (or the key itself in
    /// SEI_CICD_APP_PRIVATE_KEY)
    #[arg(long, env = "SEI_CICD_APP_PRIVATE_KEY_FILE", value_name = "FILE")]
    pub app_private_key_file: Option<String>,

    /// An organization webhook (with `github-token`): its organization, to ask GitHub again for
    /// its failed deliveries (with --hook-id)
    #[arg(long, env = "SEI_CICD_HOOK_ORGANIZATION", value_name = "ORG")]
    pub hook_organization: Option<String>,

    /// An organization webhook: its id (in its settings URL, .../settings/hooks/ID)
    #[arg(long, env = "SEI_CICD_HOOK_ID", value_name = "ID")]
    pub hook_id: Option<String>,
}

/// Which runs a backfill reports: completed runs of these repositories and workflows, created
/// in this window. Command-line flags only (no action input).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Which runs")]
pub struct SelectArgs {
    /// A repository to report, owner/name (repeatable)
    #[arg(long = "repository", value_name = "OWNER/NAME")]
    pub repositories: Vec<String>,

    /// Every repository of this organization (or user) the token can see
    #[arg(long, value_name = "ORG")]
    pub organization: Option<String>,

    /// Only repositories whose owner/name matches this pattern (`*` and `?`; repeatable)
    #[arg(long = "include", value_name = "GLOB")]
    pub include: Vec<String>,

    /// Leave out repositories whose owner/name matches this pattern (repeatable)
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Only this workflow, by file name (`ci.yml`) or name (`CI`) (repeatable) [default: all]
    #[arg(long = "workflow", value_name = "FILE_OR_NAME")]
    pub workflows: Vec<String>,

    /// Runs created from: a date (2025-03-01), a date-time (2025-03-01T10:00:00Z) or an age
    /// (2h, 7d) [default: 30d]
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Runs created until (a date counts whole): like --since [default: now]
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Only runs of this branch (or tag)
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,

    /// Only runs triggered by this event (push, pull_request, schedule, ...)
    #[arg(long, value_name = "EVENT")]
    pub event: Option<String>,
}

/// How a backfill runs: concurrency, its state, and its pace toward GitHub.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "How the backfill runs")]
pub struct PaceArgs {
    /// Runs reported at once; also the most requests in flight to GitHub [default: 4]
    #[arg(long, value_name = "N")]
    pub concurrency: Option<String>,

    /// Record what was delivered in this file, and skip it when started again; payloads that
    /// failed are kept beside it (FILE.payloads/) and sent again first [default: no state]
    #[arg(long, value_name = "FILE")]
    pub state: Option<String>,

    /// Requests a minute to GitHub at most (GitHub.com's secondary limit is 900; an Enterprise
    /// Server may set another) [default: 900]
    #[arg(long, value_name = "N")]
    pub max_requests_per_minute: Option<String>,

    /// Start no run attempt after this long (like 12m or 2h): those under way finish and are
    /// recorded, the rest are left for the next start with the same --state, and the exit code
    /// is as if it had ended (for a job with a time limit, such as ubuntu-slim's 15 minutes)
    /// [default: no limit]
    #[arg(long, value_name = "DURATION")]
    pub stop_after: Option<String>,
}

/// The action's inputs, grouped as `--help` shows them. An empty value means "not given".
#[derive(Debug, Clone, Default, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub reporting: ReportingArgs,
}

/// `replay`: the payload file and the inputs that say how to reach SEI, read like `report`'s.
#[derive(Debug, Clone, Default, Args)]
pub struct ReplayArgs {
    /// The payload file a failed report kept (its `payload-file` output)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub sei: SeiArgs,
    #[command(flatten)]
    pub net: NetArgs,
}

/// Which run to report, and what the step knows of the run it is in.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Which run")]
pub struct RunArgs {
    /// Id of the workflow run to report, or its URL as the browser shows it
    /// (https://github.com/OWNER/REPO/actions/runs/ID[/attempts/N]) [default: the triggering
    /// run, or GITHUB_RUN_ID]
    #[arg(long, env = "INPUT_RUN-ID", value_name = "ID")]
    pub run_id: Option<String>,

    /// Attempt of the run to report [default: the run's latest, or GITHUB_RUN_ATTEMPT]
    #[arg(long, env = "INPUT_RUN-ATTEMPT", value_name = "N")]
    pub run_attempt: Option<String>,

    /// Repository of the run, owner/name [default: GITHUB_REPOSITORY]
    #[arg(long, env = "INPUT_REPOSITORY", value_name = "OWNER/NAME")]
    pub repository: Option<String>,

    /// Read run.json, jobs.json (or jobs-1.json, jobs-2.json, ...) and event.json from this
    /// folder instead of the GitHub API
    #[arg(long, env = "INPUT_GITHUB-DATA", value_name = "DIR")]
    pub github_data: Option<String>,

    /// Id of the reporter's own job, `${{ job.check_run_id }}` [default: found by RUNNER_NAME]
    #[arg(long, env = "INPUT_JOB-CHECK-RUN-ID", value_name = "ID")]
    pub job_check_run_id: Option<String>,

    /// Status of the reporter's own job: success, failure or cancelled, `${{ job.status }}`
    #[arg(long, env = "INPUT_JOB-STATUS", value_name = "STATUS")]
    pub job_status: Option<String>,

    /// Seconds to wait for the run's other jobs to settle when reporting the run it is in [default: 30]
    #[arg(long, env = "INPUT_WAIT-TIMEOUT", value_name = "SECONDS")]
    pub wait_timeout: Option<String>,
}

/// The inputs that say where SEI is and how the key is sent (shared by every command).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Reaching SEI")]
pub struct SeiArgs {
    /// Base URL of your region's SEI API, as Harness lists it (https://app.harness.io/gratis/sei/api/v1/),
    /// with or without /v1, or the full webhook URL [default: https://api.levelops.io]
    #[arg(long, env = "INPUT_SEI-URL", value_name = "URL")]
    pub sei_url: Option<String>,

    /// SEI API key, from a secret (the SEI_TOKEN variable also works)
    #[arg(
        long,
        env = "INPUT_SEI-TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub sei_token: Option<String>,

    /// How the key is sent: auto (an SEI API key as ApiKey, a JWT session token as Bearer),
    /// apikey or bearer [default: auto]
    #[arg(long, env = "INPUT_AUTH-SCHEME", value_name = "SCHEME")]
    pub auth_scheme: Option<String>,
}

/// The CI/CD instance in SEI the runs belong to.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Reaching SEI")]
pub struct InstanceArgs {
    /// UUID of the CI/CD instance registered in SEI (required)
    #[arg(long, env = "INPUT_INSTANCE-GUID", value_name = "UUID")]
    pub instance_guid: Option<String>,

    /// Name of the CI/CD instance shown in SEI [default: GitHub Actions]
    #[arg(long, env = "INPUT_INSTANCE-NAME", value_name = "NAME")]
    pub instance_name: Option<String>,
}

/// How to read the run from GitHub (the API is `GITHUB_API_URL`).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Reaching GitHub")]
pub struct GitHubArgs {
    /// GitHub token with `actions: read` (the GITHUB_TOKEN variable also works)
    #[arg(
        long,
        env = "INPUT_GITHUB-TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub github_token: Option<String>,
}

/// What the payload says: names, numbers, commits, CI or CD, artifacts, extras.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "What is sent")]
pub struct SendArgs {
    /// Pipeline name in SEI [default: the workflow's name]
    #[arg(long, env = "INPUT_PIPELINE", value_name = "NAME")]
    pub pipeline: Option<String>,

    /// The job's identity in SEI [default: owner/repo/workflow name]
    #[arg(long, env = "INPUT_JOB-FULL-NAME", value_name = "NAME")]
    pub job_full_name: Option<String>,

    /// Qualified name in SEI [default: the job full name]
    #[arg(long, env = "INPUT_QUALIFIED-NAME", value_name = "NAME")]
    pub qualified_name: Option<String>,

    /// Project name in SEI [default: owner/repo]
    #[arg(long, env = "INPUT_PROJECT-NAME", value_name = "NAME")]
    pub project_name: Option<String>,

    /// Module name in SEI [default: none]
    #[arg(long, env = "INPUT_MODULE-NAME", value_name = "NAME")]
    pub module_name: Option<String>,

    /// Build number in SEI, a whole number below 2^31, instead of the one `build-numbers` makes
    #[arg(long, env = "INPUT_BUILD-NUMBER", value_name = "N")]
    pub build_number: Option<String>,

    /// How build numbers are made: per-attempt (every attempt of a run its own SEI run, like
    /// 1000448702 for run 4487 attempt 2) or run-number (the plain run number)
    /// [default: per-attempt]
    #[arg(long, env = "INPUT_BUILD-NUMBERS", value_name = "SCHEME")]
    pub build_numbers: Option<String>,

    /// Report the run as ci, cd or both, or decide from evidence: auto [default: auto]
    #[arg(long, env = "INPUT_CI-CD", value_name = "KIND")]
    pub ci_cd: Option<String>,

    /// GitHub environments whose deployments make a run CD (ci-cd: auto), comma or newline
    /// separated patterns with `*`, `!` to leave out [default: production*, prod, prod-*,
    /// prod_*, prod/*, prd, live]
    #[arg(long, env = "INPUT_CD-ENVIRONMENTS", value_name = "PATTERNS")]
    pub cd_environments: Option<String>,

    /// Commits to report: since-last-success, event or head [default: since-last-success]
    #[arg(long, env = "INPUT_COMMITS", value_name = "MODE")]
    pub commits: Option<String>,

    /// Artifacts the run built or used, one per line: `output|input [type] <reference> [key=value ...]`
    #[arg(long, env = "INPUT_ARTIFACTS", value_name = "LINES")]
    pub artifacts: Option<String>,

    /// Also report the run's uploaded artifacts as outputs [default: false]
    #[arg(long, env = "INPUT_INCLUDE-WORKFLOW-ARTIFACTS", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub include_workflow_artifacts: Option<String>,

    /// Run parameters, one name=value per line
    #[arg(long, env = "INPUT_PARAMS", value_name = "LINES")]
    pub params: Option<String>,

    /// SEI themes, comma or newline separated
    #[arg(long, env = "INPUT_THEMES", value_name = "LIST")]
    pub themes: Option<String>,

    /// Change failure rate status to send: true or false [default: not sent]
    #[arg(long, env = "INPUT_CFR-STATUS", value_name = "BOOL")]
    pub cfr_status: Option<String>,

    /// Send each job's steps: true or false [default: true]
    #[arg(long, env = "INPUT_INCLUDE-STEPS", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub include_steps: Option<String>,

    /// Keep the payload under this many bytes (like 5000000 or 5MB) by dropping steps, never
    /// stages [default: no limit]
    #[arg(long, env = "INPUT_MAX-PAYLOAD-BYTES", value_name = "BYTES")]
    pub max_payload_bytes: Option<String>,
}

/// How the command behaves.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Behaviour")]
pub struct BehaviourArgs {
    /// Build and print the payload, send nothing [default: false]
    #[arg(long, env = "INPUT_DRY-RUN", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub dry_run: Option<String>,

    /// In a workflow, exit 1 when the report fails instead of an error annotation and exit 0;
    /// outside one, `false` turns off the exit code 1 of a report not delivered [default: false
    /// in a workflow]
    #[arg(long, env = "INPUT_FAIL-ON-ERROR", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub fail_on_error: Option<String>,
}

/// Retries, the deadline and TLS, for GitHub and SEI alike (shared by every command).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Network (GitHub and SEI)")]
pub struct NetArgs {
    /// Seconds the whole command may take, retries and waits included; a report's wait-timeout
    /// comes on top [default: 60]
    #[arg(long, env = "INPUT_TIMEOUT", value_name = "SECONDS")]
    pub timeout: Option<String>,

    /// Attempts per request, the first included; 1 turns retries off [default: 5]
    #[arg(long, env = "INPUT_MAX-ATTEMPTS", value_name = "N")]
    pub max_attempts: Option<String>,

    /// A PEM file of CA certificates to trust as well (Enterprise Server, a TLS-intercepting proxy)
    #[arg(long, env = "INPUT_CA-CERT", value_name = "FILE")]
    pub ca_cert: Option<String>,

    /// Allow plain http:// URLs to other machines; the token then travels unencrypted [default: false]
    #[arg(long, env = "INPUT_ALLOW-INSECURE-HTTP", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub allow_insecure_http: Option<String>,
}

/// The value of an input, with an empty or blank value read as "not given".
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The variables the runner sets for `command`'s inputs (`report`, `instance register`):
/// `INPUT_SEI-TOKEN`, ...
pub fn input_variables(command: &str) -> Vec<String> {
    use clap::CommandFactory;
    let mut sub = Cli::command();
    for word in command.split_whitespace() {
        match sub.find_subcommand(word) {
            Some(s) => sub = s.clone(),
            None => return Vec::new(),
        }
    }
    sub.get_arguments()
        .filter_map(|a| a.get_env())
        .filter_map(|e| e.to_str())
        .filter(|e| e.starts_with("INPUT_"))
        .map(str::to_owned)
        .collect()
}

/// Every `INPUT_*` variable any command reads.
pub fn all_input_variables() -> Vec<String> {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, out: &mut Vec<String>) {
        out.extend(
            cmd.get_arguments()
                .filter_map(|a| a.get_env())
                .filter_map(|e| e.to_str())
                .filter(|e| e.starts_with("INPUT_"))
                .map(str::to_owned),
        );
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), &mut out);
    out.sort();
    out.dedup();
    out
}

/// A warning for each of `set` that is an input of `command` spelt with underscores
/// (`INPUT_SEI_TOKEN`): the runner keeps an input's hyphens, so that variable is ignored.
pub fn misspelt_inputs(command: &str, set: &[String]) -> Vec<String> {
    let known = input_variables(command);
    let mut out: Vec<String> = set
        .iter()
        .filter(|name| !known.contains(name))
        .filter_map(|name| {
            let hyphens = name.replacen("INPUT_", "", 1).replace('_', "-");
            let real = format!("INPUT_{hyphens}");
            known.contains(&real).then(|| {
                let flag = hyphens.to_ascii_lowercase();
                format!(
                    "{name} is set, but the runner passes inputs with their hyphens kept \
                     ({real}), so it is ignored: set {real} instead, or pass `--{flag}`"
                )
            })
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_spelt_with_underscores_are_named_with_the_right_spelling() {
        let set = [
            "INPUT_SEI_TOKEN".to_owned(),
            "INPUT_DRY-RUN".to_owned(),
            "INPUT_NOT_AN_INPUT".to_owned(),
            "INPUT_REPOSITORY".to_owned(),
        ];
        let w = misspelt_inputs("report", &set);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with(
                "INPUT_SEI_TOKEN is set, but the runner passes inputs with their \
                              hyphens kept (INPUT_SEI-TOKEN), so it is ignored"
            ),
            "{}",
            w[0]
        );
        assert!(w[0].ends_with("`--sei-token`"), "{}", w[0]);
        assert!(input_variables("replay").contains(&"INPUT_SEI-URL".to_owned()));
        let all = all_input_variables();
        assert!(all.contains(&"INPUT_SEI-URL".to_owned()), "every command's");
        assert!(all.contains(&"INPUT_WAIT-TIMEOUT".to_owned()), "report's");
    }
}
