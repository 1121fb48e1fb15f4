//! The native entry (`native/`: a composite action that starts the prebuilt binary on the runner,
//! without Docker) and its setup entry (`native/setup/`: the same binary, checked the same way, put
//! on PATH for later steps), checked against `action.yml` and run the way the runner runs a
//! composite step: its `run:` line in `bash --noprofile --norc -e -o pipefail`, with only the variables the
//! step's `env:` gives (a composite action gets no `INPUT_*` by itself), `GITHUB_ACTION_PATH`,
//! `RUNNER_OS` and `RUNNER_ARCH`. The binary is this build's, put into a copy of the entry by
//! `dist/pin-native.sh` as the release puts its binaries. `tests/act.rs` runs the entry under a
//! real runner implementation.
//!
//! `SEI_CICD_REGENERATE=1 cargo test --test it native::` rewrites `native/action.yml` from
//! `action.yml` after an input changed.

use sei_cicd_testkit::action::{action_yml, assert_no_secret, inputs_of, text, ActionEnv};
use sei_cicd_testkit::entry::{
    self, generate, input_variable, native_yml, outputs_of, section, step_of,
};
use sei_cicd_testkit::fixtures::{OTEL_REPO, OTEL_RUN};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{Sei, SeiServer};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_nativeEntryGitHubToken00000000000";
/// An SEI API key as SEI issues them (base64 of JSON: `sei_cicd_testkit::sei::api_key`).
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LW5hdGl2ZSIsImtleSI6Im5hdGl2ZS03YzQxZDJlOGEwYjMifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

/// The five release targets, as `binary.sh` names their binaries.
const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-gnu",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn the_native_entry_is_generated_from_action_yml() {
    let on_disk = native_yml();
    let want = generate(&action_yml(), &on_disk);
    if on_disk == want {
        return;
    }
    if std::env::var("SEI_CICD_REGENERATE").as_deref() == Ok("1") {
        std::fs::write(entry::native_dir().join("action.yml"), &want).unwrap();
        return;
    }
    panic!(
        "native/action.yml is not what action.yml gives: an input or output changed there.\n\
         Run `SEI_CICD_REGENERATE=1 cargo test --test it native::` and commit native/action.yml.\n\
         Expected:\n{want}"
    );
}

#[test]
fn every_input_and_output_reaches_the_binary_as_in_the_container_action() {
    let native = native_yml();
    let action = action_yml();
    // The same inputs with the same defaults (the runner evaluates them the same way).
    assert_eq!(inputs_of(&native), inputs_of(&action));
    assert!(inputs_of(&action).len() > 20);
    // Each one as INPUT_<NAME>, hyphens kept, from the input of that name.
    let (run, env) = step_of(&native);
    let env: BTreeMap<String, String> = env.into_iter().collect();
    for (name, _) in inputs_of(&action) {
        assert_eq!(
            env.get(&input_variable(&name)).map(String::as_str),
            Some(format!("${{{{ inputs.{name} }}}}").as_str()),
            "input {name}"
        );
    }
    assert_eq!(input_variable("sei-token"), "INPUT_SEI-TOKEN");
    // The outputs, each the step's output of that name.
    assert_eq!(outputs_of(&native), outputs_of(&action));
    for name in outputs_of(&action) {
        assert!(
            native.contains(&format!("  {name}:\n    description: "))
                && native.contains(&format!(
                    "    value: ${{{{ steps.report.outputs.{name} }}}}\n"
                )),
            "output {name}"
        );
    }
    // Nothing compiles or downloads at start: one step, which sources run.sh.
    assert!(native
        .contains("\nruns:\n  using: composite\n  steps:\n    - id: report\n      shell: bash\n"));
    assert_eq!(run, r#"source "$GITHUB_ACTION_PATH/run.sh""#);
    for file in ["native/run.sh", "native/binary.sh", "native/setup/setup.sh"] {
        let script = read(file);
        for tool in [
            "curl",
            "wget",
            "cargo",
            "python",
            "gh ",
            "docker",
            "Invoke-WebRequest",
        ] {
            assert!(!script.contains(tool), "{file} uses {tool}");
        }
    }
    let script = read("native/run.sh");
    assert!(script.trim_end().ends_with("sei_cicd_native"));
    assert!(script.contains("\n  exec \"$sei_cicd_file\" report\n"));
    // Both entries check the binary with the one shared script, not copies of it.
    assert!(script.contains("\nsource \"${GITHUB_ACTION_PATH:-${BASH_SOURCE[0]%/*}}/binary.sh\"\n"));
    let setup = read("native/setup/setup.sh");
    assert!(
        setup.contains("\nsource \"${GITHUB_ACTION_PATH:-${BASH_SOURCE[0]%/*}}/../binary.sh\"\n")
    );
    for script in [&script, &setup] {
        for function in [
            "sei_cicd_sha256()",
            "sei_cicd_binary_name()",
            "sei_cicd_pinned()",
        ] {
            assert!(!script.contains(function), "{function} lives in binary.sh");
        }
    }
}

#[test]
fn the_setup_entry_is_one_step_with_no_inputs_and_the_path_output() {
    let setup = read("native/setup/action.yml");
    assert!(section(&setup, "inputs").is_empty(), "no inputs");
    assert_eq!(outputs_of(&setup), ["path"]);
    assert!(setup.contains("    value: ${{ steps.setup.outputs.path }}\n"));
    assert!(setup
        .contains("\nruns:\n  using: composite\n  steps:\n    - id: setup\n      shell: bash\n"));
    let (run, env) = step_of(&setup);
    assert_eq!(run, r#"source "$GITHUB_ACTION_PATH/setup.sh""#);
    // On main, as native/action.yml: nothing pinned (the release pins both alike).
    assert_eq!(env, [("SEI_CICD_SHA256".to_owned(), "\"\"".to_owned())]);
    let (_, native_env) = step_of(&native_yml());
    assert_eq!(native_env[0], env[0]);
}

#[test]
fn the_release_targets_are_the_same_everywhere() {
    let script = read("native/binary.sh");
    let pin = read("dist/pin-native.sh");
    let release = read(".github/workflows/release.yml");
    let deny = read("deny.toml");
    for target in TARGETS {
        let exe = if target.contains("windows") {
            ".exe"
        } else {
            ""
        };
        assert!(
            script.contains(&format!(" echo sei-cicd-{target}{exe} ;;")),
            "binary.sh: {target}"
        );
        assert!(
            pin.contains(&format!("\n  {target}\n")),
            "pin-native.sh: {target}"
        );
        assert!(
            release.contains(&format!("- target: {target}\n")),
            "release.yml: {target}"
        );
        assert!(
            deny.contains(&format!("\n  \"{target}\",")),
            "deny.toml: {target}"
        );
    }
    assert_eq!(script.matches(" echo sei-cicd-").count(), TARGETS.len());
}

/// This host's release target and its `RUNNER_OS`/`RUNNER_ARCH`, where the entry has a binary
/// for it and bash runs it.
fn host() -> Option<(&'static str, &'static str, &'static str)> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some(("x86_64-unknown-linux-musl", "Linux", "X64")),
        ("linux", "aarch64") => Some(("aarch64-unknown-linux-musl", "Linux", "ARM64")),
        ("macos", "x86_64") => Some(("x86_64-apple-darwin", "macOS", "X64")),
        ("macos", "aarch64") => Some(("aarch64-apple-darwin", "macOS", "ARM64")),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: no release target for this host, or no bash to run the entry"
            );
            None
        }
    }
}

/// The files of `native/` on main (a release commit adds `bin/`).
const ENTRY_FILES: [&str; 5] = [
    "action.yml",
    "run.sh",
    "binary.sh",
    "setup/action.yml",
    "setup/setup.sh",
];

/// A copy of the entry's files, with `binary` put in by `dist/pin-native.sh` as this host's
/// release binary (as a release commit carries it), or with no binary (as main does).
struct Entry {
    dir: tempfile::TempDir,
}

impl Entry {
    fn new(binary: Option<(&Path, &str)>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join("native");
        for file in ENTRY_FILES {
            let to = entry.join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(root().join("native").join(file), to).unwrap();
        }
        if let Some((binary, target)) = binary {
            let release = dir.path().join("release");
            std::fs::create_dir_all(&release).unwrap();
            std::fs::copy(binary, release.join(format!("sei-cicd-{target}"))).unwrap();
            let out = Command::new("bash")
                .arg(root().join("dist/pin-native.sh"))
                .arg(&release)
                .arg(&entry)
                .output()
                .unwrap();
            let (stdout, stderr) = text(&out);
            assert!(out.status.success(), "{stdout}\n{stderr}");
            assert!(
                stdout.ends_with(&format!("  sei-cicd-{target}\n")),
                "{stdout}"
            );
        }
        Entry { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("native")
    }

    fn binary(&self, target: &str) -> PathBuf {
        self.path().join("bin").join(format!("sei-cicd-{target}"))
    }

    /// Runs the entry's step as the runner runs a composite step of `env`'s job: the `run:` line
    /// in a script file, the step's `env:` evaluated against the inputs that `env` holds (as
    /// `with:` and the defaults make them), and no other `INPUT_*`.
    fn run(&self, env: &ActionEnv, os: &str, arch: &str) -> Output {
        self.run_action(&self.path(), env, os, arch)
    }

    /// The setup entry's step (`native/setup/action.yml`), as [`Self::run`] runs the entry's.
    fn setup(&self, env: &ActionEnv, os: &str, arch: &str) -> Output {
        self.run_action(&self.path().join("setup"), env, os, arch)
    }

    fn run_action(&self, action: &Path, env: &ActionEnv, os: &str, arch: &str) -> Output {
        let native = std::fs::read_to_string(action.join("action.yml")).unwrap();
        let (run, step_env) = step_of(&native);
        let script = env.path("temp/step.sh");
        std::fs::write(&script, format!("{run}\n")).unwrap();
        let mut vars: BTreeMap<String, String> = env
            .vars()
            .iter()
            .filter(|(k, _)| !k.starts_with("INPUT_"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, value) in step_env {
            let value = match value
                .strip_prefix("${{ inputs.")
                .and_then(|v| v.strip_suffix(" }}"))
            {
                Some(input) => env
                    .vars()
                    .get(&input_variable(input))
                    .cloned()
                    .unwrap_or_default(),
                None if value == "\"\"" => String::new(),
                None => value,
            };
            vars.insert(name, value);
        }
        vars.insert("GITHUB_ACTION_PATH".into(), action.display().to_string());
        vars.insert("RUNNER_OS".into(), os.into());
        vars.insert("RUNNER_ARCH".into(), arch.into());
        vars.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
        Command::new("bash")
            .args(["--noprofile", "--norc", "-e", "-o", "pipefail"])
            .arg(&script)
            .env_clear()
            .envs(&vars)
            .current_dir(env.path("workspace"))
            .output()
            .expect("run bash")
    }
}

fn otel_github() -> Server {
    GitHub::new()
        .token(GH_TOKEN)
        .max_per_page(3)
        .otel_run()
        .start()
}

/// A step of the run being reported (`on: push`): every input at its default, then `with:`.
fn step(github: &Server, sei: &SeiServer) -> ActionEnv {
    let mut env = ActionEnv::new(OTEL_REPO, OTEL_RUN, "push", &github.url());
    env.event(&json!({"ref": "refs/heads/main", "repository": {"full_name": OTEL_REPO}}))
        .action_defaults(GH_TOKEN)
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID);
    env
}

fn targets(server: &Server) -> Vec<String> {
    let mut t: Vec<String> = server
        .exchanges()
        .iter()
        .map(|e| e.request.target.clone())
        .collect();
    t.sort();
    t
}

#[test]
fn the_entry_reports_exactly_as_the_binary_it_starts() {
    let Some((target, os, arch)) = host() else {
        return;
    };
    let entry = Entry::new(Some((Path::new(BIN), target)));
    let (github, sei) = (
        otel_github(),
        Sei::new().key(SEI_KEY).instance(GUID).start(),
    );
    let env = step(&github, &sei);
    let out = entry.run(&env, os, arch);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("::error"), "{stdout}\n{stderr}");

    // The binary run straight, as a container action runs it, with the same inputs.
    let (github2, sei2) = (
        otel_github(),
        Sei::new().key(SEI_KEY).instance(GUID).start(),
    );
    let direct = step(&github2, &sei2);
    let direct_out = direct.run(Path::new(BIN));
    assert!(direct_out.status.success());

    assert_eq!(
        targets(&github),
        targets(&github2),
        "the same GitHub requests"
    );
    let (got, want) = (sei.received(), sei2.received());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].status, 202);
    assert_eq!(got[0].authorization, want[0].authorization);
    assert_eq!(got[0].payload, want[0].payload, "the same payload");
    assert_eq!(
        got[0].payload.as_ref().unwrap()["instance_name"],
        "GitHub Actions",
        "a default"
    );

    // The outputs the entry maps, the summary and the payload file, as the binary writes them.
    let outputs = env.outputs();
    let mut direct_outputs = direct.outputs();
    assert_eq!(outputs["status"], "delivered");
    let file = outputs["payload-file"].clone();
    assert_eq!(
        Path::new(&file),
        env.path("temp/sei-cicd-payload-12456168064-1.json")
    );
    direct_outputs.insert("payload-file".into(), file.clone());
    assert_eq!(outputs, direct_outputs);
    assert_eq!(env.summary(), direct.summary());
    // Line by line, with numbers (times, ports) left out.
    let log = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| {
                l.split(|c: char| c.is_ascii_digit())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .collect()
    };
    assert_eq!(log(&stdout), log(&text(&direct_out).0), "the same log");
    assert!(stdout.contains(&format!("::add-mask::{SEI_KEY}")));
    assert_no_secret(&env, &out, &[SEI_KEY, GH_TOKEN]);
}

#[test]
fn the_step_fails_only_with_fail_on_error_as_the_binary_decides() {
    let Some((target, os, arch)) = host() else {
        return;
    };
    let entry = Entry::new(Some((Path::new(BIN), target)));
    let github = otel_github();
    let sei = Sei::new().key("another-key-entirely").start();
    for (fail_on_error, code) in [("false", 0), ("true", 1)] {
        let mut env = step(&github, &sei);
        env.input("fail-on-error", fail_on_error);
        let out = entry.run(&env, os, arch);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(code), "{stdout}\n{stderr}");
        assert!(stdout.contains("::error::"), "{stdout}");
        assert_eq!(env.outputs()["status"], "failed");
    }
}

/// The entry stopped before any binary started: exit code, its one error line, and the outputs.
fn assert_stopped(out: &Output, env: &ActionEnv, code: i32, says: &[&str]) {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(code), "{stdout}\n{stderr}");
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(errors.len(), 1, "one error:\n{stdout}");
    assert!(errors[0].starts_with("::error title=sei-cicd native entry::"));
    for s in says {
        assert!(errors[0].contains(s), "{s:?} in {}", errors[0]);
    }
    assert_eq!(stdout.lines().count(), 1, "nothing else:\n{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(env.outputs()["status"], "failed");
    assert_eq!(env.outputs()["result"], "");
    assert!(env.summary().starts_with("### SEI report: not run\n"));
}

fn offline_step() -> ActionEnv {
    let mut env = ActionEnv::new(OTEL_REPO, OTEL_RUN, "push", "http://127.0.0.1:9");
    env.action_defaults(GH_TOKEN);
    env
}

#[test]
fn an_unsupported_platform_is_one_clear_error() {
    let Some((target, _, _)) = host() else {
        return;
    };
    let entry = Entry::new(Some((Path::new(BIN), target)));
    for (os, arch) in [("Linux", "ARM"), ("Windows", "ARM64"), ("FreeBSD", "X64")] {
        for (fail_on_error, code) in [("false", 0), ("true", 1)] {
            let mut env = offline_step();
            env.input("fail-on-error", fail_on_error);
            let out = entry.run(&env, os, arch);
            assert_stopped(
                &out,
                &env,
                code,
                &[
                    &format!(
                        "No prebuilt binary for this runner (RUNNER_OS={os}, RUNNER_ARCH={arch})"
                    ),
                    "Linux x86_64 and arm64, macOS x86_64 and arm64, and Windows x86_64",
                    "uses: sei-cicd/sei-cicd-action@v1",
                ],
            );
        }
    }
}

#[test]
fn a_commit_without_binaries_says_to_use_a_release() {
    let entry = Entry::new(None);
    let env = offline_step();
    let out = entry.run(&env, "Linux", "X64");
    assert_stopped(
        &out,
        &env,
        0,
        &[
            "carries no prebuilt binaries (sei-cicd-x86_64-unknown-linux-musl is not under native/bin/)",
            "uses: sei-cicd/sei-cicd-action/native@v1",
        ],
    );
    // Binaries are committed on release commits only.
    assert!(read(".gitignore").lines().any(|l| l == "/native/bin/"));
}

#[test]
fn a_changed_binary_is_not_started() {
    let Some((target, os, arch)) = host() else {
        return;
    };
    let entry = Entry::new(Some((Path::new(BIN), target)));
    // The file is replaced after pinning by a script that would leave a mark if started.
    let binary = entry.binary(target);
    let mark = entry.dir.path().join("started");
    std::fs::write(&binary, format!("#!/bin/sh\ntouch '{}'\n", mark.display())).unwrap();
    let env = offline_step();
    let out = entry.run(&env, os, arch);
    assert_stopped(
        &out,
        &env,
        0,
        &[
            &format!(
                "bin/sei-cicd-{target} does not match the SHA-256 pinned in the entry's action.yml"
            ),
            "docs/entries.md",
        ],
    );
    assert!(!mark.exists(), "the changed binary never ran");

    // And a binary with no pinned checksum is not started either.
    let entry = Entry::new(Some((Path::new(BIN), target)));
    let yml = entry.path().join("action.yml");
    let pinned = std::fs::read_to_string(&yml).unwrap();
    let (_, env_lines) = step_of(&pinned);
    let sums = &env_lines
        .iter()
        .find(|(k, _)| k == "SEI_CICD_SHA256")
        .unwrap()
        .1;
    assert!(sums.contains(&format!("  sei-cicd-{target}\n")), "{sums}");
    let unpinned: String = pinned
        .lines()
        .filter(|l| !l.ends_with(&format!("  sei-cicd-{target}")))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&yml, unpinned).unwrap();
    let env = offline_step();
    let out = entry.run(&env, os, arch);
    assert_stopped(&out, &env, 0, &["No SHA-256 is pinned for bin/sei-cicd-"]);
}

#[test]
fn a_pinned_entry_is_still_the_generated_one() {
    let Some((target, _, _)) = host() else {
        return;
    };
    // What the release commit holds: pinning changes only SEI_CICD_SHA256 and adds bin/.
    let entry = Entry::new(Some((Path::new(BIN), target)));
    let pinned = std::fs::read_to_string(entry.path().join("action.yml")).unwrap();
    assert_eq!(generate(&action_yml(), &pinned), pinned);
    let (_, env) = step_of(&pinned);
    let sums = &env.iter().find(|(k, _)| k == "SEI_CICD_SHA256").unwrap().1;
    let sum = sums
        .strip_suffix(&format!("  sei-cicd-{target}\n"))
        .unwrap();
    assert!(
        sum.len() == 64 && sum.chars().all(|c| c.is_ascii_hexdigit()),
        "{sums}"
    );
    let block = format!("        SEI_CICD_SHA256: |\n          {sum}  sei-cicd-{target}\n");
    assert_eq!(
        pinned,
        native_yml().replace("        SEI_CICD_SHA256: \"\"\n", &block)
    );
    // The setup entry pinned alike, by the same script, and nothing else changed in it.
    assert_eq!(
        std::fs::read_to_string(entry.path().join("setup/action.yml")).unwrap(),
        read("native/setup/action.yml").replace("        SEI_CICD_SHA256: \"\"\n", &block)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(entry.binary(target))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "the release commits it executable");
    }
}

/// A step of a job, for the setup entry: `GITHUB_PATH` too (the runner's file of folders for the
/// later steps' PATH).
fn setup_step() -> ActionEnv {
    let mut env = offline_step();
    let add_path = env.path("file_commands/add_path");
    std::fs::write(&add_path, "").unwrap();
    env.var("GITHUB_PATH", &add_path.display().to_string());
    env
}

/// The folders the step added to `GITHUB_PATH`.
fn added_to_path(env: &ActionEnv) -> Vec<String> {
    std::fs::read_to_string(env.path("file_commands/add_path"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_setup_entry_puts_the_pinned_binary_on_path_for_later_steps() {
    let Some((target, os, arch)) = host() else {
        return;
    };
    let entry = Entry::new(Some((Path::new(BIN), target)));
    let env = setup_step();
    let out = entry.setup(&env, os, arch);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    // One folder on PATH, under RUNNER_TEMP, holding `sei-cicd`: the pinned bytes, executable.
    let dir = env.path("temp/sei-cicd-bin");
    assert_eq!(added_to_path(&env), [dir.display().to_string()]);
    let file = dir.join("sei-cicd");
    assert_eq!(env.outputs()["path"], file.display().to_string());
    assert_eq!(env.outputs().len(), 1, "{:?}", env.outputs());
    assert!(
        std::fs::read(&file).unwrap() == std::fs::read(BIN).unwrap(),
        "the binary that was pinned"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
    let version = text(&Command::new(BIN).arg("--version").output().unwrap()).0;
    let version = version.trim_end();
    assert!(version.starts_with("sei-cicd "), "{version}");
    assert_eq!(
        stdout,
        format!(
            "{version} (bin/sei-cicd-{target}, SHA-256 as pinned) is on PATH for the next steps: {}\n",
            file.display()
        )
    );
    assert!(env.summary().is_empty(), "the summary is the commands' own");

    // A later step finds it by name, its PATH as the runner makes it (GITHUB_PATH's folders
    // first).
    let later = Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c"])
        .arg("command -v sei-cicd; sei-cicd --version")
        .env_clear()
        .env(
            "PATH",
            format!("{}:{}", dir.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .unwrap();
    assert_eq!(
        text(&later).0,
        format!("{}\n{version}\n", file.display()),
        "{:?}",
        text(&later)
    );

    // Run again in the same job (a second setup step): the same file, the same folder again.
    let again = entry.setup(&env, os, arch);
    assert!(again.status.success(), "{:?}", text(&again));
    assert_eq!(added_to_path(&env).len(), 2);
    assert!(std::fs::read(&file).unwrap() == std::fs::read(BIN).unwrap());
}

/// The setup entry stopped: its step failed with one error line saying each of `says`, and
/// nothing was put on PATH.
fn assert_setup_stopped(out: &Output, env: &ActionEnv, says: &[&str]) {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_eq!(stdout.lines().count(), 1, "one line:\n{stdout}");
    assert!(
        stdout.starts_with("::error title=sei-cicd setup::"),
        "{stdout}"
    );
    for s in says {
        assert!(stdout.contains(s), "{s:?} in {stdout}");
    }
    assert!(stderr.is_empty(), "{stderr}");
    if env.vars().contains_key("GITHUB_PATH") {
        assert!(added_to_path(env).is_empty());
    }
    assert!(env.outputs().is_empty(), "{:?}", env.outputs());
    assert!(!env.path("temp/sei-cicd-bin/sei-cicd").exists());
}

#[test]
fn the_setup_entry_fails_its_step_with_one_clear_error_before_a_binary_is_on_path() {
    // main: no binaries.
    let entry = Entry::new(None);
    let env = setup_step();
    let out = entry.setup(&env, "Linux", "X64");
    assert_setup_stopped(
        &out,
        &env,
        &[
            "carries no prebuilt binaries (sei-cicd-x86_64-unknown-linux-musl is not under native/bin/)",
            "Use a release tag or its commit SHA, e.g. uses: sei-cicd/sei-cicd-action/native/setup@v1.",
        ],
    );

    let Some((target, os, arch)) = host() else {
        return;
    };
    // Not a step of a job.
    let entry = Entry::new(Some((Path::new(BIN), target)));
    let mut env = setup_step();
    env.remove("GITHUB_PATH");
    let out = entry.setup(&env, os, arch);
    assert_setup_stopped(&out, &env, &["RUNNER_TEMP or GITHUB_PATH is not set"]);

    // A platform without a binary.
    for (os, arch) in [("Linux", "ARM"), ("Windows", "ARM64"), ("FreeBSD", "X64")] {
        let env = setup_step();
        let out = entry.setup(&env, os, arch);
        assert_setup_stopped(
            &out,
            &env,
            &[
                &format!("No prebuilt binary for this runner (RUNNER_OS={os}, RUNNER_ARCH={arch})"),
                "Linux x86_64 and arm64, macOS x86_64 and arm64, and Windows x86_64",
                "ghcr.io/sei-cicd/sei-cicd-action:1",
            ],
        );
    }

    // A binary changed after pinning is never copied nor started.
    let binary = entry.binary(target);
    let mark = entry.dir.path().join("started");
    std::fs::write(&binary, format!("#!/bin/sh\ntouch '{}'\n", mark.display())).unwrap();
    let env = setup_step();
    let out = entry.setup(&env, os, arch);
    assert_setup_stopped(
        &out,
        &env,
        &[&format!(
            "bin/sei-cicd-{target} does not match the SHA-256 pinned in the entry's action.yml"
        )],
    );
    assert!(!mark.exists(), "the changed binary never ran");

    // A binary pinned in native/action.yml but not in the setup entry's is not started either.
    let entry = Entry::new(Some((Path::new(BIN), target)));
    let yml = entry.path().join("setup/action.yml");
    let unpinned: String = std::fs::read_to_string(&yml)
        .unwrap()
        .lines()
        .filter(|l| !l.ends_with(&format!("  sei-cicd-{target}")))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&yml, unpinned).unwrap();
    let env = setup_step();
    let out = entry.setup(&env, os, arch);
    assert_setup_stopped(&out, &env, &["No SHA-256 is pinned for bin/sei-cicd-"]);
}
