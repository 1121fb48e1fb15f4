//! The runner's `docker run` for a container action, so tests run the action's image the way a
//! workflow step does. What the runner does (actions/runner, `ContainerActionHandler`):
//! - mounts `$RUNNER_TEMP/_github_home` at `/github/home` (and makes it `HOME`), the folder of the
//!   event file at `/github/workflow`, the folder of the `GITHUB_OUTPUT`/`GITHUB_STEP_SUMMARY`
//!   files at `/github/file_commands`, and the workspace at `/github/workspace`, the working
//!   directory;
//! - passes every variable by name (`-e NAME`, the value in the engine's own environment, so no
//!   secret is on a command line), after rewriting host paths under those four folders into
//!   container paths. Other paths stay host paths: `RUNNER_TEMP` names a folder that does not
//!   exist in the container;
//! - runs the image with `runs.args` of `action.yml` after its entrypoint.
//!
//! One difference: host networking, so that the container reaches the loopback emulators (the
//! runner uses the job's bridge network).

use crate::action::{action_yml, ActionEnv};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

/// What `action.yml` says under `runs:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runs {
    pub using: String,
    pub image: String,
    pub args: Vec<String>,
}

/// Reads `runs:` from `action.yml` (the shape the file keeps: two-space keys, `args` as a
/// four-space list).
pub fn action_runs() -> Runs {
    let mut runs = Runs {
        using: String::new(),
        image: String::new(),
        args: Vec::new(),
    };
    let mut inside = false;
    for line in action_yml().lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line == "runs:";
            continue;
        }
        if !inside {
            continue;
        }
        let unquote = |v: &str| v.trim().trim_matches('"').to_owned();
        if let Some(v) = line.strip_prefix("  using:") {
            runs.using = unquote(v);
        } else if let Some(v) = line.strip_prefix("  image:") {
            runs.image = unquote(v);
        } else if let Some(v) = line.strip_prefix("    - ") {
            runs.args.push(unquote(v));
        }
    }
    runs
}

/// An engine command line (`podman` or `docker`) and the environment it runs with.
#[derive(Debug, Clone)]
pub struct ContainerRun {
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
}

/// The host folders of `env` the runner mounts, with their container paths.
fn mounts(env: &ActionEnv) -> Vec<(PathBuf, &'static str)> {
    vec![
        (env.path("temp/_github_home"), "/github/home"),
        (env.path("workflow"), "/github/workflow"),
        (env.path("file_commands"), "/github/file_commands"),
        (env.path("workspace"), "/github/workspace"),
    ]
}

/// The runner's path translation: a value that is one of the mounted host folders, or a path
/// under one, becomes the container path; anything else is passed as it is.
pub fn translate(value: &str, mounts: &[(PathBuf, &str)]) -> String {
    for (host, inside) in mounts {
        let host = host.display().to_string();
        if value == host {
            return (*inside).to_owned();
        }
        if let Some(rest) = value.strip_prefix(&format!("{host}/")) {
            return format!("{inside}/{rest}");
        }
    }
    value.to_owned()
}

/// The `run` command line for `image` with `args`, from the step's variables in `env`.
pub fn runner_command(env: &ActionEnv, image: &str, args: &[String]) -> ContainerRun {
    let mounts = mounts(env);
    let mut vars = env.vars().clone();
    vars.insert(
        "HOME".to_owned(),
        env.path("temp/_github_home").display().to_string(),
    );
    let mut cmd: Vec<String> = ["run", "--rm", "--network", "host", "--workdir"]
        .map(str::to_owned)
        .to_vec();
    cmd.push("/github/workspace".to_owned());
    for (host, inside) in &mounts {
        cmd.push("-v".to_owned());
        cmd.push(format!("{}:{inside}", host.display()));
    }
    let mut engine_env = BTreeMap::new();
    for (name, value) in vars {
        cmd.push("-e".to_owned());
        cmd.push(name.clone());
        engine_env.insert(name, translate(&value, &mounts));
    }
    cmd.push(image.to_owned());
    cmd.extend(args.iter().cloned());
    ContainerRun {
        args: cmd,
        env: engine_env,
    }
}

/// Runs `image` as the step of `env` with `engine` (`podman`, `docker`), with the arguments
/// `action.yml` gives. The engine inherits this process's environment (its own settings such as
/// `CONTAINERS_CONF`); only the step's variables reach the container.
pub fn run(engine: &str, env: &ActionEnv, image: &str) -> Output {
    std::fs::create_dir_all(env.path("temp/_github_home")).unwrap();
    let run = runner_command(env, image, &action_runs().args);
    start(engine, run)
}

/// Like [`run`], for a runner that mounts nothing at `/github/home` and gives the container
/// `RUNNER_TEMP=/tmp`, a folder of its own (nektos/act): no folder inside the container is one
/// the job's other steps see.
pub fn run_without_home(engine: &str, env: &ActionEnv, image: &str) -> Output {
    let mut run = runner_command(env, image, &action_runs().args);
    if let Some(i) = run.args.iter().position(|a| a.ends_with(":/github/home")) {
        run.args.drain(i - 1..=i);
    }
    run.env.insert("RUNNER_TEMP".to_owned(), "/tmp".to_owned());
    start(engine, run)
}

fn start(engine: &str, run: ContainerRun) -> Output {
    Command::new(engine)
        .args(&run.args)
        .envs(&run.env)
        .output()
        .unwrap_or_else(|e| panic!("run {engine}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_mounts_are_translated_and_others_kept() {
        let env = ActionEnv::new("o/r", 1, "push", "http://127.0.0.1:1");
        let m = mounts(&env);
        let out = env.path("file_commands/set_output").display().to_string();
        assert_eq!(translate(&out, &m), "/github/file_commands/set_output");
        let ws = env.path("workspace").display().to_string();
        assert_eq!(translate(&ws, &m), "/github/workspace");
        let temp = env.path("temp").display().to_string();
        assert_eq!(translate(&temp, &m), temp, "RUNNER_TEMP stays a host path");
        let near = format!("{ws}2/x");
        assert_eq!(
            translate(&near, &m),
            near,
            "a prefix of a name is not a folder"
        );
    }

    #[test]
    fn values_travel_in_the_engines_environment_not_on_its_command_line() {
        let mut env = ActionEnv::new("o/r", 1, "push", "http://127.0.0.1:1");
        env.input("sei-token", "secret-value");
        let run = runner_command(&env, "img", &["report".to_owned()]);
        assert!(run.args.iter().all(|a| !a.contains("secret-value")));
        assert!(run.args.windows(2).any(|w| w == ["-e", "INPUT_SEI-TOKEN"]));
        assert_eq!(run.env["INPUT_SEI-TOKEN"], "secret-value");
        assert_eq!(run.env["HOME"], "/github/home");
        assert_eq!(run.env["GITHUB_EVENT_PATH"], "/github/workflow/event.json");
        assert_eq!(run.args[run.args.len() - 2..], ["img", "report"]);
    }
}
