//! The runner's environment (`GITHUB_*`, `RUNNER_*`), read once at start. Empty variables count
//! as unset. Everything downstream takes this struct, never `std::env`, so tests build it from a
//! table.

use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub(crate) struct RunnerEnv {
    /// `GITHUB_ACTIONS=true`: speak in workflow commands (`::error::`, `::add-mask::`).
    pub in_actions: bool,
    /// `RUNNER_DEBUG=1`: the runner's step debug logging is on.
    pub debug: bool,
    pub event_name: Option<String>,
    pub event_path: Option<PathBuf>,
    pub run_id: Option<String>,
    pub run_attempt: Option<String>,
    pub repository: Option<String>,
    /// `GITHUB_SERVER_URL` [default: `https://github.com`].
    pub server_url: Option<String>,
    /// `GITHUB_API_URL` [default: `https://api.github.com`].
    pub api_url: Option<String>,
    pub output_file: Option<PathBuf>,
    pub summary_file: Option<PathBuf>,
    pub runner_temp: Option<PathBuf>,
    /// `GITHUB_TOKEN`, when a workflow exports it (the runner does not pass it by itself).
    pub github_token: Option<String>,
    /// `SEI_TOKEN`: the key for command-line use, kept out of `ps` and shell history.
    pub sei_token: Option<String>,
    /// `RUNNER_NAME`: finds the reporter's own job among the jobs in progress when
    /// `job-check-run-id` is not available.
    pub runner_name: Option<String>,
    /// `GITHUB_WORKFLOW`: the workflow's name.
    pub workflow: Option<String>,
    /// `GITHUB_WORKFLOW_REF`: `owner/repo/.github/workflows/ci.yml@refs/heads/main`.
    pub workflow_ref: Option<String>,
    /// `GITHUB_REF_NAME`: the branch or tag the run is for (`main`, `v1.2.3`, `42/merge`).
    pub ref_name: Option<String>,
    /// `GITHUB_HEAD_REF`: the pull request's head branch, for `pull_request*` events.
    pub head_ref: Option<String>,
    /// `GITHUB_SHA`: the commit the run checks out.
    pub sha: Option<String>,
    /// `GITHUB_ACTOR`: who started the run (its first attempt).
    pub actor: Option<String>,
    /// `GITHUB_TRIGGERING_ACTOR`: who started this attempt (a re-run's is who re-ran it).
    pub triggering_actor: Option<String>,
    /// `SEI_CICD_CONTAINER_ACTION`: set by the action's image, so the binary knows it runs as a
    /// container action (whose own folders the job's other steps do not see).
    pub container_action: bool,
    /// The names of every `INPUT_*` variable set, to tell a misspelt one.
    pub input_names: Vec<String>,
    /// `SEI_CICD_WEBHOOK_SECRET`: `serve`'s webhook secret, when not in a file.
    pub webhook_secret: Option<String>,
    /// `SEI_CICD_APP_PRIVATE_KEY`: `serve`'s GitHub App key (PEM), when not in a file.
    pub app_private_key: Option<String>,
    /// Inputs (`sei-url`) whose `INPUT_*` variable holds bytes that are not UTF-8: each an input
    /// error ([`RunnerEnv::set_aside_inputs_not_utf8`]).
    pub inputs_not_utf8: Vec<String>,
}

impl RunnerEnv {
    /// Reads the process environment.
    pub(crate) fn from_process() -> Self {
        let mut env = Self::from_lookup(|k| std::env::var(k).ok());
        env.input_names = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .filter(|k| k.starts_with("INPUT_"))
            .collect();
        env
    }

    /// Takes every `INPUT_*` variable a command reads that is not UTF-8 out of the process's
    /// environment, before the flags are read (they would stop with no outputs and no
    /// annotation), and returns the inputs' names (`sei-url`), for [`Self::inputs_not_utf8`]:
    /// such an input is an input error like any other. Call at start, before any thread.
    pub(crate) fn set_aside_inputs_not_utf8() -> Vec<String> {
        let read = crate::args::all_input_variables();
        let mut names = Vec::new();
        for (key, value) in std::env::vars_os() {
            let Some(key) = key.to_str().filter(|k| read.iter().any(|r| r == k)) else {
                continue;
            };
            if let Some(name) = key.strip_prefix("INPUT_") {
                if value.to_str().is_none() {
                    names.push(name.to_ascii_lowercase());
                    std::env::remove_var(key);
                }
            }
        }
        names.sort();
        names
    }

    /// Reads variables through `get` (a map in tests).
    pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let path = |k: &str| var(k).map(PathBuf::from);
        RunnerEnv {
            in_actions: var("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            debug: var("RUNNER_DEBUG").is_some_and(|v| v == "1"),
            event_name: var("GITHUB_EVENT_NAME"),
            event_path: path("GITHUB_EVENT_PATH"),
            run_id: var("GITHUB_RUN_ID"),
            run_attempt: var("GITHUB_RUN_ATTEMPT"),
            repository: var("GITHUB_REPOSITORY"),
            server_url: var("GITHUB_SERVER_URL"),
            api_url: var("GITHUB_API_URL"),
            output_file: path("GITHUB_OUTPUT"),
            summary_file: path("GITHUB_STEP_SUMMARY"),
            runner_temp: path("RUNNER_TEMP"),
            github_token: var("GITHUB_TOKEN"),
            sei_token: var("SEI_TOKEN"),
            runner_name: var("RUNNER_NAME"),
            workflow: var("GITHUB_WORKFLOW"),
            workflow_ref: var("GITHUB_WORKFLOW_REF"),
            ref_name: var("GITHUB_REF_NAME"),
            head_ref: var("GITHUB_HEAD_REF"),
            sha: var("GITHUB_SHA"),
            actor: var("GITHUB_ACTOR"),
            triggering_actor: var("GITHUB_TRIGGERING_ACTOR"),
            container_action: var("SEI_CICD_CONTAINER_ACTION").is_some_and(|v| v == "true"),
            input_names: Vec::new(),
            webhook_secret: var("SEI_CICD_WEBHOOK_SECRET"),
            app_private_key: var("SEI_CICD_APP_PRIVATE_KEY"),
            inputs_not_utf8: Vec::new(),
        }
    }
}
