//! The native entry run by a real runner implementation, nektos/act, the way a user's workflow
//! runs it: `uses: sei-cicd/sei-cicd-action/native@v1`, resolved (`--local-repository`) to a copy
//! of a release commit (`action.yml` and `native/`, with the shipped Linux binary put in and
//! pinned by `dist/pin-native.sh`), in a job container, against the loopback emulators of GitHub
//! and SEI (host networking), on the default inputs. Three workflows: a final job of the run it
//! reports, a `workflow_run` reporter, and the README's Mode 1 as written, on `ubuntu-slim` (a
//! job container with no Docker and no Docker socket, as GitHub's `ubuntu-slim` runner is); in
//! each a later step reads the entry's outputs. A fourth is `examples/sweep-organization.yml`
//! itself on `ubuntu-slim`: the setup entry (`native/setup`) puts the binary on PATH and the
//! example's step sweeps an organization, twice, from its kept state.
//!
//! What act does not do as GitHub's runner does, and what the tests give it instead (see
//! shared/docs/github-notes.md): it sets no `job.check_run_id` and no `RUNNER_NAME` (passed with
//! `--env`, as the runner names itself), numbers runs 1 (`GITHUB_RUN_ID` by `--env`), and takes
//! `GITHUB_API_URL` only from `--env`.
//!
//! Runs when `SEI_CICD_ACT` names the act binary, `SEI_CICD_ACT_IMAGE` the job image
//! (`.ci/act-runner-image.sh`), `SEI_CICD_NATIVE_BINARY` the static x86_64 Linux binary, and
//! `DOCKER_HOST` a Docker API (`.ci/run native` sets all four, with podman). Otherwise each test
//! says it skipped.

use sei_cicd_testkit::action::{text, ActionEnv};
use sei_cicd_testkit::fixtures::{self, OTEL_REPO, OTEL_RUN, SKIP_DUP_REPO};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{Sei, SeiServer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GH_TOKEN: &str = "ghs_actRunnerGitHubToken0000000000000";
/// An SEI API key as SEI issues them (base64 of JSON: `sei_cicd_testkit::sei::api_key`).
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWFjdCIsImtleSI6ImFjdC03YzQxZDJlOGEwYjMifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
/// The runner the recorded run's reporting job ran on (`fixtures::otel_in_progress`).
const RUNNER_NAME: &str = "GitHub Actions 17";

/// act, its job image and the binary, or `None` (and a line saying the test skipped).
struct Act {
    act: PathBuf,
    image: String,
    binary: PathBuf,
}

fn act(test: &str) -> Option<Act> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (
        var("SEI_CICD_ACT"),
        var("SEI_CICD_ACT_IMAGE"),
        var("SEI_CICD_NATIVE_BINARY"),
        var("DOCKER_HOST"),
    ) {
        (Some(act), Some(image), Some(binary), Some(_)) => Some(Act {
            act: act.into(),
            image,
            binary: binary.into(),
        }),
        _ => {
            // Straight to stderr: the test harness would hide an eprintln! of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: set SEI_CICD_ACT, SEI_CICD_ACT_IMAGE, SEI_CICD_NATIVE_BINARY and \
                 DOCKER_HOST (.ci/run native does)."
            );
            None
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A user's repository (one workflow, committed) beside the release commit it uses.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new(act: &Act, repository: &str, workflow: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The release commit: the action's files as the release lays them out.
        let release = dir.path().join("release");
        std::fs::create_dir_all(&release).unwrap();
        std::fs::copy(root().join("action.yml"), release.join("action.yml")).unwrap();
        copy_entry(&root().join("native"), &release.join("native"));
        let binaries = dir.path().join("binaries");
        std::fs::create_dir_all(&binaries).unwrap();
        std::fs::copy(
            &act.binary,
            binaries.join("sei-cicd-x86_64-unknown-linux-musl"),
        )
        .unwrap();
        run_ok(
            Command::new("bash")
                .arg(root().join("dist/pin-native.sh"))
                .arg(&binaries)
                .arg(release.join("native")),
        );
        // The user's repository, whose origin names the reported repository.
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
        std::fs::write(repo.join(".github/workflows/workflow.yml"), workflow).unwrap();
        let git = |args: &[&str]| {
            run_ok(
                Command::new("git")
                    .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                    .args(args)
                    .current_dir(&repo),
            )
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "a workflow"]);
        git(&[
            "remote",
            "add",
            "origin",
            &format!("https://github.com/{repository}.git"),
        ]);
        Workspace { dir }
    }

    /// `act EVENT` on the workflow, with `vars` as `--env` and the two secrets from act's own
    /// environment (not its command line).
    fn act(
        &self,
        act: &Act,
        event: &str,
        event_file: Option<&Path>,
        vars: &[(&str, &str)],
    ) -> Output {
        self.act_with(act, event, event_file, vars, &[])
    }

    /// [`Self::act`] with more of act's flags.
    fn act_with(
        &self,
        act: &Act,
        event: &str,
        event_file: Option<&Path>,
        vars: &[(&str, &str)],
        flags: &[&str],
    ) -> Output {
        let mut command = Command::new(&act.act);
        command
            .arg(event)
            .args(["-W", ".github/workflows/workflow.yml"])
            .args(["-P", &format!("ubuntu-latest={}", act.image)])
            .args(["-P", &format!("ubuntu-slim={}", act.image)])
            .args(flags)
            .arg("--pull=false")
            .args([
                "--local-repository",
                &format!(
                    "sei-cicd/sei-cicd-action@v1={}",
                    self.dir.path().join("release").display()
                ),
            ])
            .args(["-s", "GITHUB_TOKEN", "-s", "SEI_API_KEY"])
            .env("GITHUB_TOKEN", GH_TOKEN)
            .env("SEI_API_KEY", SEI_KEY)
            .current_dir(self.dir.path().join("repo"));
        if let Some(file) = event_file {
            command.arg("-e").arg(file);
        }
        for (k, v) in vars {
            command.args(["--env", &format!("{k}={v}")]);
        }
        command.output().expect("run act")
    }
}

/// The native entries' files as main holds them (both action files and their scripts), not
/// `bin/`, which a release adds.
fn copy_entry(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "bin" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_entry(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

fn run_ok(command: &mut Command) {
    let out = command.output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{command:?}\n{stdout}\n{stderr}");
}

/// The lines a step printed, as act shows them (`[workflow/job]   | line`).
fn printed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.split_once("   | ").map(|(_, line)| line.to_owned()))
        .collect()
}

/// The later step's line with the entry's outputs.
const LATER_STEP: &str = r#"      - name: A later step reads the outputs
        env:
          RESULT: ${{ steps.sei.outputs.result }}
          EXECUTION_ID: ${{ steps.sei.outputs.execution-id }}
          STATUS: ${{ steps.sei.outputs.status }}
          HTTP_STATUS: ${{ steps.sei.outputs.http-status }}
          PAYLOAD_FILE: ${{ steps.sei.outputs.payload-file }}
        run: |
          echo "outputs: result=$RESULT execution-id=$EXECUTION_ID status=$STATUS http-status=$HTTP_STATUS"
          if [[ -s "$PAYLOAD_FILE" ]]; then echo "payload file: $PAYLOAD_FILE"; fi
"#;

fn sei_server() -> SeiServer {
    Sei::new().key(SEI_KEY).instance(GUID).start()
}

/// act succeeded, the log shows no secret outside the `::add-mask::` lines that register it, and
/// the later step printed `outputs`.
fn assert_run(out: &Output, outputs: &str) -> Vec<String> {
    let (stdout, stderr) = text(out);
    assert!(out.status.success(), "act failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("Job succeeded"), "{stdout}");
    let lines = printed(&stdout);
    assert!(
        lines.iter().any(|l| l == outputs),
        "{outputs:?} in:\n{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("payload file: /")),
        "the payload file is there for later steps:\n{stdout}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("::error")), "{stdout}");
    for secret in [SEI_KEY, GH_TOKEN] {
        for text in [&stdout, &stderr] {
            for line in text.lines().filter(|l| l.contains(secret)) {
                assert!(
                    line.contains("::add-mask::"),
                    "a token in act's log: {line}"
                );
            }
        }
    }
    lines
}

fn asked_with_the_token(github: &Server) {
    let exchanges = github.exchanges();
    assert!(exchanges.len() >= 3, "the run and its jobs were read");
    for e in exchanges {
        assert_eq!(
            e.request.header("authorization"),
            Some(format!("Bearer {GH_TOKEN}").as_str()),
            "github-token defaults to github.token"
        );
    }
}

#[test]
fn act_runs_the_native_entry_as_the_final_job_of_the_run_it_reports() {
    let Some(act) = act("act_runs_the_native_entry_as_the_final_job_of_the_run_it_reports") else {
        return;
    };
    let (run, jobs) = fixtures::otel_in_progress();
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(OTEL_REPO, run, jobs)
        .start();
    let sei = sei_server();
    let workflow = format!(
        r#"name: Build
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo building
  report-to-sei:
    needs: [build]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - id: sei
        uses: sei-cicd/sei-cicd-action/native@v1
        with:
          sei-url: ${{{{ env.SEI_URL }}}}
          sei-token: ${{{{ secrets.SEI_API_KEY }}}}
          instance-guid: {GUID}
{LATER_STEP}"#
    );
    let ws = Workspace::new(&act, OTEL_REPO, &workflow);
    let out = ws.act(
        &act,
        "push",
        None,
        &[
            ("GITHUB_API_URL", &github.url()),
            ("SEI_URL", &sei.url()),
            ("GITHUB_RUN_ID", &OTEL_RUN.to_string()),
            ("RUNNER_NAME", RUNNER_NAME),
        ],
    );
    let lines = assert_run(
        &out,
        "outputs: result=SUCCESS execution-id=12456168064-1 status=delivered http-status=202",
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("(the run this step is part of)")),
        "{lines:?}"
    );
    asked_with_the_token(&github);

    let received = sei.received();
    assert_eq!(received.len(), 1, "one report");
    let r = &received[0];
    assert_eq!(r.status, 202);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let payload = r.payload.clone().unwrap();
    assert_eq!(payload["execution_id"], "12456168064-1");
    assert_eq!(payload["instance_guid"], GUID);
    assert_eq!(payload["instance_name"], "GitHub Actions", "the default");
    assert_eq!(
        payload["result"], "SUCCESS",
        "the run as if it ended now, with this job's status from job.status"
    );
    let stages = payload["job_run"]["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 5, "every job, this one included");
}

#[test]
fn act_runs_the_native_entry_as_a_workflow_run_reporter() {
    let Some(act) = act("act_runs_the_native_entry_as_a_workflow_run_reporter") else {
        return;
    };
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(
            SKIP_DUP_REPO,
            fixtures::skip_dup_run(),
            fixtures::skip_dup_jobs(),
        )
        .start();
    let sei = sei_server();
    let workflow = format!(
        r#"name: Report to SEI
on:
  workflow_run:
    workflows: [CI]
    types: [completed]
permissions:
  actions: read
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - id: sei
        uses: sei-cicd/sei-cicd-action/native@v1
        with:
          sei-url: ${{{{ env.SEI_URL }}}}
          sei-token: ${{{{ secrets.SEI_API_KEY }}}}
          instance-guid: {GUID}
{LATER_STEP}"#
    );
    let ws = Workspace::new(&act, SKIP_DUP_REPO, &workflow);
    let event = ws.dir.path().join("event.json");
    std::fs::write(&event, fixtures::skip_dup_completed_event().to_string()).unwrap();
    let out = ws.act(
        &act,
        "workflow_run",
        Some(&event),
        &[
            ("GITHUB_API_URL", &github.url()),
            ("SEI_URL", &sei.url()),
            ("RUNNER_NAME", RUNNER_NAME),
        ],
    );
    let lines = assert_run(
        &out,
        "outputs: result=SUCCESS execution-id=16620109074-1 status=delivered http-status=202",
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("from the workflow_run event")),
        "{lines:?}"
    );
    asked_with_the_token(&github);
    let received = sei.received();
    assert_eq!(received.len(), 1);
    let payload = received[0].payload.clone().unwrap();
    assert_eq!(
        payload["execution_id"], "16620109074-1",
        "the upstream run, not act's"
    );
    assert_eq!(received[0].status, 202);

    // The same payload as the binary run straight on the same event, the way a container action
    // runs it.
    let github2 = GitHub::new()
        .token(GH_TOKEN)
        .run(
            SKIP_DUP_REPO,
            fixtures::skip_dup_run(),
            fixtures::skip_dup_jobs(),
        )
        .start();
    let sei2 = sei_server();
    let mut env = ActionEnv::new(SKIP_DUP_REPO, 1, "workflow_run", &github2.url());
    env.event(&fixtures::skip_dup_completed_event())
        .action_defaults(GH_TOKEN)
        .input("sei-url", &sei2.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID);
    let direct = env.run(&act.binary);
    assert!(direct.status.success(), "{:?}", text(&direct));
    assert_eq!(sei2.received()[0].payload.as_ref(), Some(&payload));
}

/// The README's Mode 1, the cheapest reporter: the native entry on `ubuntu-slim`, a job container
/// without Docker (act mounts no Docker socket into it: `--container-daemon-socket -`), where a
/// container action could not start.
#[test]
fn act_runs_the_readme_s_mode_1_on_ubuntu_slim_a_job_container_without_docker() {
    let Some(act) =
        act("act_runs_the_readme_s_mode_1_on_ubuntu_slim_a_job_container_without_docker")
    else {
        return;
    };
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(
            SKIP_DUP_REPO,
            fixtures::skip_dup_run(),
            fixtures::skip_dup_jobs(),
        )
        .start();
    let sei = sei_server();
    // The README's Mode 1 (its permissions, runs-on and uses: lines), with the emulators' URL.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for line in [
        "    runs-on: ubuntu-slim",
        "      - uses: sei-cicd/sei-cicd-action/native@v1",
    ] {
        assert!(readme.contains(line), "the README's Mode 1 has {line:?}");
    }
    let workflow = format!(
        r#"name: Report to SEI
on:
  workflow_run:
    workflows: [CI]
    types: [completed]
permissions:
  actions: read
  contents: read
  deployments: read
jobs:
  report:
    runs-on: ubuntu-slim
    steps:
      - name: No Docker in this job container
        run: |
          if command -v docker >/dev/null || [[ -e /var/run/docker.sock ]]; then
            echo "docker is here"; exit 1
          fi
          echo "no docker here"
      - id: sei
        uses: sei-cicd/sei-cicd-action/native@v1
        with:
          sei-token: ${{{{ secrets.SEI_API_KEY }}}}
          instance-guid: {GUID}
          sei-url: ${{{{ env.SEI_URL }}}}
{LATER_STEP}"#
    );
    let ws = Workspace::new(&act, SKIP_DUP_REPO, &workflow);
    let event = ws.dir.path().join("event.json");
    std::fs::write(&event, fixtures::skip_dup_completed_event().to_string()).unwrap();
    let out = ws.act_with(
        &act,
        "workflow_run",
        Some(&event),
        &[
            ("GITHUB_API_URL", &github.url()),
            ("SEI_URL", &sei.url()),
            ("RUNNER_NAME", RUNNER_NAME),
        ],
        &["--container-daemon-socket", "-"],
    );
    let lines = assert_run(
        &out,
        "outputs: result=SUCCESS execution-id=16620109074-1 status=delivered http-status=202",
    );
    assert!(lines.iter().any(|l| l == "no docker here"), "{lines:?}");
    let received = sei.received();
    assert_eq!(received.len(), 1, "one report");
    assert_eq!(received[0].status, 202);
    assert!(
        received[0].problems.is_empty(),
        "{:?}",
        received[0].problems
    );
}

/// The organization of the sweep test, and the repository its workflow is in.
const SWEEP_ORG: &str = "acme";
const SWEEP_HOME: &str = "acme/sei-sweep";

/// `examples/sweep-organization.yml` as act runs it here, the example's own text but for what
/// needs github.com or an account: the App's token step and the two Actions cache steps stand in
/// by steps of the same effect (the token is the `GITHUB_TOKEN` secret; the state is kept in a
/// host folder mounted at `/keep`), and `SEI_URL` is the emulator's. Every other line, the
/// trigger, `runs-on: ubuntu-slim`, the timeouts, the setup entry and the sweep's own step, is
/// the example's, so the example cannot drift from what this test runs. A first step shows that
/// the job container has no Docker.
fn sweep_example(sei_url: &str) -> String {
    let example = std::fs::read_to_string(root().join("examples/sweep-organization.yml")).unwrap();
    let (head, steps) = example.split_once("    steps:\n").expect("the job's steps");
    let url_line = "      SEI_URL: https://app.harness.io/gratis/sei/api/v1/ # your SEI region\n";
    assert_eq!(head.matches(url_line).count(), 1, "{head}");
    let head = head.replace(url_line, &format!("      SEI_URL: {sei_url}\n"));
    assert!(head.contains("\n    runs-on: ubuntu-slim "), "{head}");

    // The steps, each from its `      - ` line.
    let mut chunks: Vec<String> = Vec::new();
    for line in steps.lines() {
        if line.starts_with("      - ") || chunks.is_empty() {
            chunks.push(String::new());
        }
        let chunk = chunks.last_mut().unwrap();
        chunk.push_str(line);
        chunk.push('\n');
    }
    let mut out = format!(
        "{head}    steps:\n      - name: No Docker in this job container\n        run: |\n          \
         if command -v docker >/dev/null || [[ -e /var/run/docker.sock ]]; then\n            \
         echo \"docker is here\"; exit 1\n          fi\n          echo \"no docker here\"\n\n"
    );
    let mut stood_in = Vec::new();
    for chunk in chunks {
        let stand_in = if chunk.contains("uses: actions/create-github-app-token@") {
            "      - name: Token of the GitHub App (stands in; the token is secrets.GITHUB_TOKEN)\n        \
             id: app\n        run: echo \"the App's token stands in\"\n\n"
        } else if chunk.contains("uses: actions/cache/restore@") {
            "      - name: Restore the state of the last sweep (stands in for the cache)\n        \
             run: if [[ -d /keep/sei-state ]]; then cp -R /keep/sei-state \"$RUNNER_TEMP/\"; fi\n\n"
        } else if chunk.contains("uses: actions/cache/save@") {
            "      - name: Keep the state for the next sweep (stands in for the cache)\n        \
             if: always()\n        run: cp -R \"$RUNNER_TEMP/sei-state\" /keep/\n"
        } else {
            assert!(
                !chunk.contains("uses: actions/"),
                "a step to stand in for:\n{chunk}"
            );
            let token = "${{ steps.app.outputs.token }}";
            if chunk.contains(token) {
                assert!(chunk.contains("sei-cicd backfill"), "{chunk}");
                out.push_str(&chunk.replace(token, "${{ secrets.GITHUB_TOKEN }}"));
            } else {
                out.push_str(&chunk);
            }
            continue;
        };
        stood_in.push(chunk);
        out.push_str(stand_in);
    }
    assert_eq!(stood_in.len(), 3, "the App's token and the two cache steps");
    assert!(
        out.contains("        uses: sei-cicd/sei-cicd-action/native/setup@v1\n"),
        "{out}"
    );
    out
}

/// Two repositories of the organization with runs created in the last 3 hours (the sweep's
/// window), completed; and the repository the workflow is in, without runs.
fn sweep_backlogs() -> Vec<fixtures::Backlog> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let backlog = |repo: &str, runs: usize, first_id: u64| fixtures::Backlog {
        start: now - 2 * 3600,
        every: 900,
        rerun_every: 0,
        first_id,
        ..fixtures::Backlog::new(repo, runs)
    };
    vec![
        backlog("acme/api", 3, 7_100_000_000),
        backlog("acme/web", 2, 7_200_000_000),
    ]
}

/// The organization sweep as the example runs it, on `ubuntu-slim` (a job container without
/// Docker): the setup entry puts the release's binary on PATH, `sei-cicd backfill --organization`
/// reports every completed run of the organization's repositories to SEI with its state; a second
/// sweep from the kept state sends nothing again and pays for no listing (each answered `304`).
#[test]
fn act_runs_the_sweep_example_on_ubuntu_slim_with_the_setup_entry_without_docker() {
    let Some(act) =
        act("act_runs_the_sweep_example_on_ubuntu_slim_with_the_setup_entry_without_docker")
    else {
        return;
    };
    let backlogs = sweep_backlogs();
    let mut github = GitHub::new().token(GH_TOKEN).repo(SWEEP_HOME);
    for b in &backlogs {
        github = github.backlog(b);
    }
    let github = github.start();
    let sei = sei_server();
    let ws = Workspace::new(&act, SWEEP_HOME, &sweep_example(&sei.url()));
    let keep = ws.dir.path().join("keep");
    std::fs::create_dir_all(&keep).unwrap();
    let sweep = || {
        ws.act_with(
            &act,
            "workflow_dispatch",
            None,
            &[
                ("GITHUB_API_URL", &github.url()),
                ("RUNNER_NAME", RUNNER_NAME),
            ],
            &[
                "--container-daemon-socket",
                "-",
                "--container-options",
                &format!("-v {}:/keep", keep.display()),
                "--var",
                &format!("SEI_INSTANCE_GUID={GUID}"),
            ],
        )
    };

    let out = sweep();
    let lines = assert_swept(&out);
    assert!(lines.iter().any(|l| l == "no docker here"), "{lines:?}");
    let setup = lines
        .iter()
        .find(|l| l.contains("is on PATH for the next steps: "))
        .unwrap_or_else(|| panic!("the setup entry's line: {lines:?}"));
    assert!(
        setup.starts_with("sei-cicd ")
            && setup.contains(
                " (bin/sei-cicd-x86_64-unknown-linux-musl, SHA-256 as pinned) is on PATH for the \
                 next steps: /"
            )
            && setup.ends_with("/sei-cicd-bin/sei-cicd"),
        "{setup}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("the GitHub App installation on {SWEEP_ORG}"))),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("Done in ")
            && l.ends_with(
                ": 5 of 5 run attempts: 5 delivered, 0 already delivered, 0 skipped, 0 failed."
            )),
        "{lines:#?}"
    );
    // The job summary, which the binary writes itself (act shows it after the step).
    let (stdout, _) = text(&out);
    assert!(stdout.contains("Summary - ### SEI backfill\n"), "{stdout}");
    for row in [
        "| `acme/api` | 3 | 3 | 0 | 0 | 0 |",
        "| `acme/web` | 2 | 2 | 0 | 0 | 0 |",
    ] {
        assert!(
            stdout.contains(&format!("\n{row}\n")),
            "{row} in:\n{stdout}"
        );
    }
    // Every completed run attempt of the organization, once, delivered.
    let mut want: Vec<String> = backlogs
        .iter()
        .flat_map(|b| (0..b.runs).map(move |i| format!("{}-1", b.id(i))))
        .collect();
    want.sort();
    let delivered = |sei: &SeiServer| {
        let mut ids: Vec<String> = sei
            .received()
            .into_iter()
            .map(|r| {
                assert_eq!(r.status, 202);
                assert!(r.problems.is_empty(), "{:?}", r.problems);
                let payload = r.payload.unwrap();
                assert_eq!(payload["instance_guid"], GUID);
                payload["execution_id"].as_str().unwrap().to_owned()
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(delivered(&sei), want);
    asked_with_the_token(&github);
    // The organization listed as the App installation's repositories (the token is `ghs_`).
    let exchanges = github.exchanges();
    assert!(
        exchanges
            .iter()
            .any(|e| e.request.target.starts_with("/installation/repositories")),
        "{:#?}",
        exchanges
            .iter()
            .map(|e| &e.request.target)
            .collect::<Vec<_>>()
    );
    let state = std::fs::read_to_string(keep.join("sei-state/sweep.state")).unwrap();
    for id in &want {
        assert!(
            state.contains(id.split('-').next().unwrap()),
            "{id} in\n{state}"
        );
    }

    // The next sweep, from the state the last one kept: nothing new, nothing sent, no listing
    // paid for.
    let before = exchanges.len();
    let out = sweep();
    let lines = assert_swept(&out);
    assert_eq!(delivered(&sei), want, "nothing sent twice");
    assert!(
        lines.iter().any(|l| l.ends_with(
            "3 answered `304 Not Modified` (free; 3 listing(s) unchanged since the last sweep)."
        )),
        "{lines:#?}"
    );
    let again = &github.exchanges()[before..];
    let listings: Vec<_> = again
        .iter()
        .filter(|e| e.request.target.contains("/actions/runs?"))
        .collect();
    assert_eq!(listings.len(), 3, "a listing a repository: {lines:#?}");
    assert!(
        listings.iter().all(|e| e.status == Some(304)),
        "{:#?}",
        listings
            .iter()
            .map(|e| (&e.request.target, e.status))
            .collect::<Vec<_>>()
    );
    assert!(
        !again.iter().any(|e| e.request.target.contains("/jobs")),
        "no run read again"
    );
}

/// act succeeded, every step of the job too, and no secret is in its log outside the
/// `::add-mask::` lines that register it: the lines the steps printed.
fn assert_swept(out: &Output) -> Vec<String> {
    let (stdout, stderr) = text(out);
    assert!(out.status.success(), "act failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("Job succeeded"), "{stdout}");
    for secret in [SEI_KEY, GH_TOKEN] {
        for text in [&stdout, &stderr] {
            for line in text.lines().filter(|l| l.contains(secret)) {
                assert!(
                    line.contains("::add-mask::"),
                    "a token in act's log: {line}"
                );
            }
        }
    }
    let lines = printed(&stdout);
    assert!(!lines.iter().any(|l| l.starts_with("::error")), "{stdout}");
    lines
}
