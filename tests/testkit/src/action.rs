//! The runner's side of a container action, for running the real binary in tests: a temporary
//! folder with the files behind `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP` and the event,
//! the `GITHUB_*` variables, and inputs as `INPUT_<NAME>` with hyphens kept (with the defaults
//! `action.yml` declares, as the runner passes them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct ActionEnv {
    pub dir: tempfile::TempDir,
    vars: BTreeMap<String, String>,
}

impl ActionEnv {
    /// A workflow step of run `run_id` in `repo`, triggered by `event_name`, against the
    /// emulated API at `api_url`.
    pub fn new(repo: &str, run_id: u64, event_name: &str, api_url: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["file_commands", "workflow", "temp", "workspace"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let mut env = ActionEnv {
            dir,
            vars: BTreeMap::new(),
        };
        let out = env.path("file_commands/set_output");
        let summary = env.path("file_commands/step_summary");
        let temp = env.path("temp");
        let event = env.path("workflow/event.json");
        std::fs::write(&out, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        std::fs::write(&event, "{}").unwrap();
        for (k, v) in [
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("CI", "true".to_owned()),
            ("GITHUB_REPOSITORY", repo.to_owned()),
            ("GITHUB_RUN_ID", run_id.to_string()),
            ("GITHUB_RUN_ATTEMPT", "1".to_owned()),
            ("GITHUB_RUN_NUMBER", "1".to_owned()),
            ("GITHUB_EVENT_NAME", event_name.to_owned()),
            ("GITHUB_EVENT_PATH", event.display().to_string()),
            ("GITHUB_API_URL", api_url.to_owned()),
            ("GITHUB_SERVER_URL", "https://github.com".to_owned()),
            ("GITHUB_OUTPUT", out.display().to_string()),
            ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
            ("RUNNER_TEMP", temp.display().to_string()),
            ("RUNNER_NAME", "GitHub Actions 2".to_owned()),
            (
                "GITHUB_WORKSPACE",
                env.path("workspace").display().to_string(),
            ),
        ] {
            env.vars.insert(k.to_owned(), v);
        }
        env
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Sets `INPUT_<NAME>` the way the runner does (upper-cased, hyphens kept).
    pub fn input(&mut self, name: &str, value: &str) -> &mut Self {
        self.vars.insert(
            format!("INPUT_{}", name.to_uppercase().replace(' ', "_")),
            value.to_owned(),
        );
        self
    }

    /// Sets every input `action.yml` declares to its default, as the runner does before a step's
    /// `with:` applies. `${{ github.token }}` becomes `github_token`; any other expression
    /// becomes empty ("not given"), so a test sets the inputs it cares about afterwards.
    pub fn action_defaults(&mut self, github_token: &str) -> &mut Self {
        for (name, default) in action_inputs() {
            let value = match default.as_str() {
                "${{ github.token }}" => github_token.to_owned(),
                d if d.contains("${{") => String::new(),
                d => d.to_owned(),
            };
            self.input(&name, &value);
        }
        self
    }

    pub fn var(&mut self, name: &str, value: &str) -> &mut Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn remove(&mut self, name: &str) -> &mut Self {
        self.vars.remove(name);
        self
    }

    /// Writes the event file.
    pub fn event(&mut self, json: &serde_json::Value) -> &mut Self {
        std::fs::write(self.path("workflow/event.json"), json.to_string()).unwrap();
        self
    }

    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// `binary report` with exactly these variables (nothing inherited), in the workspace: to
    /// spawn it yourself.
    pub fn command(&self, binary: &Path) -> Command {
        let mut command = Command::new(binary);
        command
            .arg("report")
            .env_clear()
            .envs(&self.vars)
            .current_dir(self.path("workspace"));
        command
    }

    /// Runs [`Self::command`] to the end.
    pub fn run(&self, binary: &Path) -> Output {
        self.command(binary).output().expect("run the binary")
    }

    /// `GITHUB_OUTPUT` parsed into name → value (heredoc values included).
    pub fn outputs(&self) -> BTreeMap<String, String> {
        parse_outputs(&std::fs::read_to_string(self.path("file_commands/set_output")).unwrap())
    }

    pub fn summary(&self) -> String {
        std::fs::read_to_string(self.path("file_commands/step_summary")).unwrap()
    }
}

/// The repository's `action.yml`.
pub fn action_yml() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../action.yml");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `action.yml`'s inputs with their defaults (`""` when none), in order.
pub fn action_inputs() -> Vec<(String, String)> {
    inputs_of(&action_yml())
}

/// The inputs of an action file with their defaults (`""` when none), in order. Reads the shape
/// this project's action files keep (`inputs:`, two-space names, `default:` four spaces in), not
/// any YAML.
pub fn inputs_of(yml: &str) -> Vec<(String, String)> {
    let mut inputs: Vec<(String, String)> = Vec::new();
    let mut inside = false;
    for line in yml.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line == "inputs:";
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            if !name.starts_with(' ') {
                inputs.push((name.to_owned(), String::new()));
            }
        } else if let Some(value) = line.strip_prefix("    default:") {
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            inputs.last_mut().expect("a default under an input").1 = value.to_owned();
        }
    }
    inputs
}

/// Parses the `GITHUB_OUTPUT` file format.
pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_owned(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_owned(), v.to_owned());
        }
    }
    out
}

/// The forms a token can come back in: as it is, JSON-escaped (`\/`), URL-encoded (upper- and
/// lower-case hex), and cut short (its first 16 characters).
pub fn secret_forms(secret: &str) -> Vec<String> {
    let url = |lower: bool| {
        secret
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                    (b as char).to_string()
                } else if lower {
                    format!("%{b:02x}")
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let mut forms = vec![
        secret.to_owned(),
        secret.replace('/', "\\/"),
        url(false),
        url(true),
        secret.chars().take(16).collect(),
    ];
    forms.dedup();
    forms
}

/// No secret anywhere, in any of its forms ([`secret_forms`]), but in the `::add-mask::` lines
/// the runner consumes: not in the rest of stdout, stderr, the outputs, the summary, the payload
/// file, nor any file under `RUNNER_TEMP` (sub-folders included: a container's `HOME` is
/// `temp/_github_home`).
pub fn assert_no_secret(env: &ActionEnv, out: &Output, secrets: &[&str]) {
    let (stdout, stderr) = text(out);
    let stdout: String = stdout
        .lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut places = vec![
        ("stdout".to_owned(), stdout),
        ("stderr".to_owned(), stderr),
        (
            "outputs".to_owned(),
            std::fs::read_to_string(env.path("file_commands/set_output")).unwrap(),
        ),
        ("summary".to_owned(), env.summary()),
    ];
    if let Some(f) = env.outputs().get("payload-file").filter(|f| !f.is_empty()) {
        places.push((
            "payload file".to_owned(),
            std::fs::read_to_string(f).unwrap(),
        ));
    }
    for file in files_under(&env.path("temp")) {
        let content = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        places.push((format!("{} in RUNNER_TEMP", file.display()), content));
    }
    let forms: Vec<String> = secrets.iter().flat_map(|s| secret_forms(s)).collect();
    for (name, content) in places {
        for f in &forms {
            assert!(
                !content.contains(f.as_str()),
                "{name} shows a token (as `{f}`):\n{content}"
            );
        }
    }
}

/// Every file under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A finished process's standard output and error, as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
