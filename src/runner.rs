//! Talking to the GitHub Actions runner, or to a terminal when there is none.
//!
//! In a workflow (`GITHUB_ACTIONS=true`) messages are workflow commands on stdout (`::error::`,
//! `::warning::`, `::notice::`, `::add-mask::`), outputs go to `GITHUB_OUTPUT` and the summary to
//! `GITHUB_STEP_SUMMARY`. On a terminal, messages go to stderr and stdout carries only data.
//! Every line and file written here passes through [`Runner::redact`] first: a token that some
//! server echoes back is still never shown. A command that reports many runs gives each one a
//! [`Runner::capture`] handle, whose lines it keeps to say later, or not at all.

use crate::env::RunnerEnv;
use crate::secret::Secret;
use std::borrow::Cow;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Cloning gives another handle on the same runner: secrets masked through one are redacted
/// by all.
#[derive(Clone)]
pub struct Runner {
    actions: bool,
    /// `RUNNER_DEBUG=1`: debug lines on a terminal too.
    debug: bool,
    output_file: Option<PathBuf>,
    summary_file: Option<PathBuf>,
    secrets: Arc<Mutex<Vec<String>>>,
    /// Where a capturing handle keeps its lines instead of printing them.
    sink: Option<Arc<Mutex<Vec<Line>>>>,
}

/// A line a capturing handle kept: its level (`None` for a plain log line) and its text,
/// already redacted.
pub type Line = (Option<Level>, String);

/// Annotation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Notice,
    Warning,
    Error,
}

impl Runner {
    pub fn new(env: &RunnerEnv) -> Self {
        Runner {
            actions: env.in_actions,
            debug: env.debug,
            output_file: env.output_file.clone(),
            summary_file: env.summary_file.clone(),
            secrets: Arc::new(Mutex::new(Vec::new())),
            sink: None,
        }
    }

    /// A handle that keeps its log lines and annotations (see [`Runner::take_lines`]) instead
    /// of printing them; secrets, outputs and the summary are shared with `self`.
    pub fn capture(&self) -> Runner {
        Runner {
            sink: Some(Arc::new(Mutex::new(Vec::new()))),
            ..self.clone()
        }
    }

    /// The lines a capturing handle kept so far, oldest first.
    pub fn take_lines(&self) -> Vec<Line> {
        match &self.sink {
            Some(sink) => std::mem::take(&mut *sink.lock().unwrap()),
            None => Vec::new(),
        }
    }

    fn kept(&self, level: Option<Level>, msg: &str) -> bool {
        match &self.sink {
            Some(sink) => {
                sink.lock().unwrap().push((level, msg.to_owned()));
                true
            }
            None => false,
        }
    }

    /// True when outputs go to a file (`GITHUB_OUTPUT`), not to a terminal.
    pub fn has_output_file(&self) -> bool {
        self.output_file.is_some()
    }

    /// True inside a GitHub Actions job.
    pub fn in_actions(&self) -> bool {
        self.actions
    }

    /// Registers a secret: the runner masks it in the job log, and this process never prints it.
    pub fn mask(&self, secret: &Secret) {
        let value = secret.expose();
        if value.is_empty() {
            return;
        }
        if self.actions {
            // The runner consumes this line: it is how a value gets masked in the log.
            println!("::add-mask::{value}");
        }
        self.secrets.lock().unwrap().push(value.to_owned());
    }

    /// `text` with every registered secret replaced by `***`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let secrets = self.secrets.lock().unwrap();
        if !secrets.iter().any(|s| text.contains(s.as_str())) {
            return Cow::Borrowed(text);
        }
        let mut out = text.to_owned();
        for s in secrets.iter() {
            out = out.replace(s.as_str(), "***");
        }
        Cow::Owned(out)
    }

    /// A line for the log.
    pub fn info(&self, msg: &str) {
        let msg = self.redact(msg);
        if self.kept(None, &msg) {
            return;
        }
        if self.actions {
            println!("{msg}");
        } else {
            eprintln!("{msg}");
        }
    }

    /// An annotation: shown on the run's page in a workflow, prefixed on a terminal.
    pub fn annotate(&self, level: Level, msg: &str) {
        let msg = self.redact(msg);
        if self.kept(Some(level), &msg) {
            return;
        }
        if self.actions {
            let cmd = match level {
                Level::Notice => "notice",
                Level::Warning => "warning",
                Level::Error => "error",
            };
            println!("::{cmd}::{}", escape_data(&msg));
        } else {
            let prefix = match level {
                Level::Notice => "note",
                Level::Warning => "warning",
                Level::Error => "error",
            };
            eprintln!("{prefix}: {msg}");
        }
    }

    pub fn error(&self, msg: &str) {
        self.annotate(Level::Error, msg)
    }

    /// A line for whoever debugs: `::debug::` in a workflow (shown when step debug logging is
    /// on), and on a terminal only with `RUNNER_DEBUG=1`.
    pub fn debug(&self, msg: &str) {
        let msg = self.redact(msg);
        if self.actions {
            println!("::debug::{}", escape_data(&msg));
        } else if self.debug {
            eprintln!("debug: {msg}");
        }
    }

    /// Each input to fix, as an error annotation.
    pub fn input_errors(&self, errors: &[crate::config::InputError]) {
        for e in errors {
            self.error(&e.0);
        }
    }

    /// The runtime a command's requests run on, or `None` (with the error said) when the
    /// process cannot make one.
    pub fn runtime(&self) -> Option<tokio::runtime::Runtime> {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => Some(rt),
            Err(e) => {
                self.error(&format!("could not start: {e}"));
                None
            }
        }
    }

    pub fn warning(&self, msg: &str) {
        self.annotate(Level::Warning, msg)
    }

    pub fn notice(&self, msg: &str) {
        self.annotate(Level::Notice, msg)
    }

    /// Prints `body` in a collapsed group of the log (plainly on a terminal, to stdout).
    pub fn data(&self, title: &str, body: &str) {
        let body = self.redact(body);
        if self.kept(None, &body) {
            return;
        }
        let mut out = io::stdout().lock();
        if self.actions {
            let _ = writeln!(out, "::group::{title}\n{body}\n::endgroup::");
        } else {
            let _ = writeln!(out, "{body}");
        }
    }

    /// Writes the step's outputs in one append to `GITHUB_OUTPUT`; without it, `name=value`
    /// lines to stdout (or to stderr when `stdout_taken`, so stdout stays one JSON document).
    pub fn set_outputs(&self, outputs: &[(&str, String)], stdout_taken: bool) -> io::Result<()> {
        let mut text = String::new();
        for (name, value) in outputs {
            let value = self.redact(value);
            if value.contains('\n') || value.contains('\r') {
                let mut delimiter = String::from("SEI_CICD_EOF");
                while value.contains(&delimiter) {
                    delimiter.push('_');
                }
                text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
            } else {
                text.push_str(&format!("{name}={value}\n"));
            }
        }
        match &self.output_file {
            Some(path) => append(path, &text),
            None if stdout_taken => {
                eprint!("{text}");
                Ok(())
            }
            None => {
                print!("{text}");
                Ok(())
            }
        }
    }

    /// Appends Markdown to the job summary, in one write; nothing without `GITHUB_STEP_SUMMARY`.
    pub fn append_summary(&self, markdown: &str) -> io::Result<()> {
        match &self.summary_file {
            Some(path) => append(path, &self.redact(markdown)),
            None => Ok(()),
        }
    }
}

/// One `write` of the whole text, so a reader never sees half of it.
fn append(path: &PathBuf, text: &str) -> io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(text.as_bytes())?;
    f.flush()
}

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_registered_secret() {
        let r = Runner::new(&RunnerEnv::default());
        r.mask(&Secret::new("abc123"));
        r.mask(&Secret::new(""));
        assert_eq!(r.redact("key=abc123; again abc123"), "key=***; again ***");
        let clone = r.clone();
        r.mask(&Secret::new("later"));
        assert_eq!(clone.redact("later"), "***", "a clone shares the secrets");
        assert!(matches!(r.redact("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn outputs_are_written_in_one_append_with_heredocs_for_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out");
        let r = Runner::new(&RunnerEnv {
            output_file: Some(file.clone()),
            ..RunnerEnv::default()
        });
        r.set_outputs(&[("a", "1".into()), ("b", "x\ny".into())], false)
            .unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        assert_eq!(text, "a=1\nb<<SEI_CICD_EOF\nx\ny\nSEI_CICD_EOF\n");
    }

    #[test]
    fn a_capturing_handle_keeps_its_lines_redacted() {
        let r = Runner::new(&RunnerEnv::default());
        let c = r.capture();
        r.mask(&Secret::new("s3cret"));
        c.info("token s3cret");
        c.warning("careful");
        assert_eq!(
            c.take_lines(),
            [
                (None, "token ***".to_owned()),
                (Some(Level::Warning), "careful".to_owned())
            ]
        );
        assert!(c.take_lines().is_empty());
        assert!(r.take_lines().is_empty(), "the parent prints");
    }

    #[test]
    fn command_data_is_escaped() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
    }
}
