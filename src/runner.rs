//! Talking to the GitHub Actions runner, or to a terminal when there is none: the one writer of
//! every line the binary prints.
//!
//! In a workflow (`GITHUB_ACTIONS=true`) stdout is the runner's command channel: messages are
//! workflow commands (`::error::`, `::warning::`, `::notice::`, `::debug::`, `::add-mask::`),
//! outputs go to `GITHUB_OUTPUT` and the summary to `GITHUB_STEP_SUMMARY`. On a terminal,
//! messages go to stderr and stdout carries only data.
//!
//! Every line and file written here is redacted first ([`crate::secret::redact`]: a token a
//! server echoes back is never shown), and every line is escaped for where it goes, so no text
//! from outside (a job or workflow name, an environment, GitHub's or SEI's words) can start a
//! line or be read as a command:
//! - a command's data as the Actions toolkit escapes it (`%` `%25`, `\r` `%0D`, `\n` `%0A`), its
//!   properties also `:` `%3A` and `,` `%2C` ([`escape_data`], [`escape_property`]);
//! - a plain log line in a workflow ([`escape_plain`]): line breaks as in command data, `##[`
//!   (the runner's older command form, read anywhere in a line) as `##%5B`, and a `::` that
//!   would start the line as `%3A:`;
//! - a line on a terminal ([`escape_terminal`]): line breaks and every other control character
//!   shown as escapes (`\n`, `\r`, `\u{1b}`), so no text breaks a line, moves the cursor or
//!   recolours the terminal.
//!
//! A command that reports many runs gives each one a [`Runner::capture`] handle, whose lines it
//! keeps to say later (escaped then), or not at all.

use crate::env::RunnerEnv;
use crate::secret::{self, Secret};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Cloning gives another handle on the same runner. Secrets masked through any handle are
/// redacted by all (the redactor is the process's, [`crate::secret`]).
#[derive(Clone)]
pub(crate) struct Runner {
    actions: bool,
    /// `RUNNER_DEBUG=1`: debug lines on a terminal too.
    debug: bool,
    output_file: Option<PathBuf>,
    summary_file: Option<PathBuf>,
    /// Where a capturing handle keeps its lines instead of printing them.
    sink: Option<Arc<Mutex<Vec<Line>>>>,
}

/// A line a capturing handle kept: its level (`None` for a plain log line) and its text,
/// already redacted.
pub(crate) type Line = (Option<Level>, String);

/// Annotation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Notice,
    Warning,
    Error,
}

impl Runner {
    pub(crate) fn new(env: &RunnerEnv) -> Self {
        Runner {
            actions: env.in_actions,
            debug: env.debug,
            output_file: env.output_file.clone(),
            summary_file: env.summary_file.clone(),
            sink: None,
        }
    }

    /// A handle that keeps its log lines and annotations (see [`Runner::take_lines`]) instead
    /// of printing them; secrets, outputs and the summary are shared with `self`.
    pub(crate) fn capture(&self) -> Runner {
        Runner {
            sink: Some(Arc::new(Mutex::new(Vec::new()))),
            ..self.clone()
        }
    }

    /// The lines a capturing handle kept so far, oldest first.
    pub(crate) fn take_lines(&self) -> Vec<Line> {
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
    pub(crate) fn has_output_file(&self) -> bool {
        self.output_file.is_some()
    }

    /// True inside a GitHub Actions job.
    pub(crate) fn in_actions(&self) -> bool {
        self.actions
    }

    /// Registers a secret: the runner masks it in the job log, and this process never prints it.
    /// The `::add-mask::` line is escaped like any command's data; a value with line breaks is
    /// also masked line by line (the runner masks within a line). A value shorter than
    /// [`secret::MIN_LEN`] is no token (the inputs refuse it) and is not masked: masking it would
    /// garble the log and the outputs.
    pub(crate) fn mask(&self, secret: &Secret) {
        let value = secret.expose();
        if value.chars().count() < secret::MIN_LEN {
            return;
        }
        let lines = value
            .lines()
            .map(str::trim)
            .filter(|l| *l != value && l.chars().count() >= secret::MIN_LEN);
        for v in std::iter::once(value).chain(lines) {
            if self.actions {
                // The runner consumes this line: it is how a value gets masked in the log.
                println!("::add-mask::{}", escape_data(v));
            }
            secret::register(v);
        }
    }

    /// `text` with every registered secret replaced by `***`, in any form ([`secret::redact`]).
    pub(crate) fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        secret::redact(text)
    }

    /// A line for the log.
    pub(crate) fn info(&self, msg: &str) {
        let msg = self.redact(msg);
        if self.kept(None, &msg) {
            return;
        }
        if self.actions {
            println!("{}", escape_plain(&msg));
        } else {
            eprintln!("{}", escape_terminal(&msg));
        }
    }

    /// An annotation: shown on the run's page in a workflow, prefixed on a terminal.
    pub(crate) fn annotate(&self, level: Level, msg: &str) {
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
            println!("{}", command(cmd, &[], &msg));
        } else {
            let prefix = match level {
                Level::Notice => "note",
                Level::Warning => "warning",
                Level::Error => "error",
            };
            eprintln!("{prefix}: {}", escape_terminal(&msg));
        }
    }

    pub(crate) fn error(&self, msg: &str) {
        self.annotate(Level::Error, msg)
    }

    /// A line for whoever debugs: `::debug::` in a workflow (shown when step debug logging is
    /// on), and on a terminal only with `RUNNER_DEBUG=1`.
    pub(crate) fn debug(&self, msg: &str) {
        let msg = self.redact(msg);
        if self.actions {
            println!("{}", command("debug", &[], &msg));
        } else if self.debug {
            eprintln!("debug: {}", escape_terminal(&msg));
        }
    }

    pub(crate) fn warning(&self, msg: &str) {
        self.annotate(Level::Warning, msg)
    }

    pub(crate) fn notice(&self, msg: &str) {
        self.annotate(Level::Notice, msg)
    }

    /// Prints `body` in a collapsed group of the log (plainly on a terminal, to stdout), each of
    /// its lines escaped as a line of its own.
    pub(crate) fn data(&self, title: &str, body: &str) {
        let body = self.redact(body);
        if self.kept(None, &body) {
            return;
        }
        let mut text = String::with_capacity(body.len() + 64);
        if self.actions {
            let _ = writeln!(text, "{}", command("group", &[], title));
            for line in body.lines() {
                let _ = writeln!(text, "{}", escape_plain(line));
            }
            text.push_str("::endgroup::\n");
        } else {
            for line in body.lines() {
                let _ = writeln!(text, "{}", escape_terminal(line));
            }
        }
        let _ = io::stdout().lock().write_all(text.as_bytes());
    }

    /// One row of data on stdout, its fields separated by tabs (a listing a script reads on a
    /// terminal; a plain log line in a workflow). A tab or a line break inside a field is
    /// escaped like any other control character: a field never splits a row.
    pub(crate) fn row(&self, fields: &[&str]) {
        let mut line = String::new();
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                line.push('\t');
            }
            let field = self.redact(field);
            if self.actions {
                line.push_str(&escape_plain(&field).replace('\t', "\\t"));
            } else {
                line.push_str(&escape_terminal(&field));
            }
        }
        if self.kept(None, &line) {
            return;
        }
        println!("{line}");
    }

    /// Writes the step's outputs in one append to `GITHUB_OUTPUT`; without it, `name=value`
    /// lines to stdout (or to stderr when `stdout_taken`, so stdout stays one JSON document).
    pub(crate) fn set_outputs(
        &self,
        outputs: &[(&str, String)],
        stdout_taken: bool,
    ) -> io::Result<()> {
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
    pub(crate) fn append_summary(&self, markdown: &str) -> io::Result<()> {
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

/// A workflow command line: `::name k=v,k=v::data`, its properties and data escaped.
pub(crate) fn command(name: &str, properties: &[(&str, &str)], data: &str) -> String {
    let mut line = format!("::{name}");
    for (i, (k, v)) in properties.iter().enumerate() {
        line.push(if i == 0 { ' ' } else { ',' });
        let _ = write!(line, "{k}={}", escape_property(v));
    }
    let _ = write!(line, "::{}", escape_data(data));
    line
}

/// Escapes the data part of a workflow command as the Actions toolkit does (`%`, `\r`, `\n`),
/// and shows any other control character as an escape (`\u{1b}`): the runner decodes
/// `%25`, `%0D` and `%0A` back, and nothing in the data can end the line.
pub(crate) fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => push_visible(&mut out, c),
        }
    }
    out
}

/// Escapes a property of a workflow command as the Actions toolkit does: as data, and `:` and
/// `,`, which end a property.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A plain line of a workflow's log, which the runner must not read as a command: line breaks
/// escaped as in command data (`%0D`, `%0A`), other control characters shown as escapes, `##[`
/// (the runner's older command form, read anywhere in a line) as `##%5B`, and a `::` that would
/// start the line (after blanks, as the runner trims them) as `%3A:`. `%` is left as it is: the
/// runner shows a plain line as it comes.
pub(crate) fn escape_plain(s: &str) -> Cow<'_, str> {
    let clean = |c: char| !c.is_control() && !is_invisible(c);
    if s.chars().all(clean) && !s.contains("##[") && !starts_a_command(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => push_visible(&mut out, c),
        }
    }
    let mut out = out.replace("##[", "##%5B");
    if starts_a_command(&out) {
        let at = out.find("::").unwrap_or(0);
        out.replace_range(at..at + 1, "%3A");
    }
    Cow::Owned(out)
}

/// A line for a terminal: every control character (line breaks, tabs, ESC...) and invisible
/// format character shown as an escape (`\n`, `\t`, `\u{1b}`), so a text cannot forge a line,
/// move the cursor or recolour the terminal.
pub(crate) fn escape_terminal(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| !c.is_control() && !is_invisible(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() || is_invisible(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `c`, or its escape (`\u{1b}`) when it is a control or invisible character (a tab is kept).
fn push_visible(out: &mut String, c: char) {
    if c != '\t' && (c.is_control() || is_invisible(c)) {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// Characters that show nothing but can hide what follows (zero-width spaces and joiners,
/// direction marks and overrides, the byte order mark).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// True when the runner would read `s` as a `::command::` (it trims leading blanks first).
fn starts_a_command(s: &str) -> bool {
    s.trim_start_matches(|c: char| c.is_whitespace() || c.is_control() || is_invisible(c))
        .starts_with("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token for these tests only (long enough to be one).
    const TOKEN: &str = "ghs_runnerTestToken00000000000000000000";

    #[test]
    fn redacts_every_registered_secret() {
        let r = Runner::new(&RunnerEnv::default());
        r.mask(&Secret::new(TOKEN));
        r.mask(&Secret::new(""));
        assert_eq!(
            r.redact(&format!("key={TOKEN}; again {TOKEN}")),
            "key=***; again ***"
        );
        let clone = r.clone();
        let later = "s3cret-registered-later-0000";
        r.mask(&Secret::new(later));
        assert_eq!(clone.redact(later), "***", "a clone shares the secrets");
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
        let token = "s3cret-captured-token-000";
        r.mask(&Secret::new(token));
        c.info(&format!("token {token}"));
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
    fn command_data_and_properties_are_escaped_as_the_toolkit_does() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(
            escape_property("a: b, c%\n"),
            "a%3A b%2C c%25%0A",
            "`:` and `,` end a property"
        );
        assert_eq!(
            command("error", &[("title", "x,y::z")], "line\n::add-mask::x"),
            "::error title=x%2Cy%3A%3Az::line%0A::add-mask::x"
        );
        assert_eq!(escape_data("\u{1b}[31mred"), "\\u{1b}[31mred");
    }

    /// Every line a text makes, as the runner splits the step's output into lines (`\n`, `\r`).
    fn lines(printed: &str) -> Vec<&str> {
        printed.split(['\n', '\r']).collect()
    }

    /// What the runner would take for a command in a line: `::` first (after blanks), or
    /// `##[` anywhere (its older form).
    fn is_command(line: &str) -> bool {
        line.trim_start().starts_with("::") || line.contains("##[")
    }

    #[test]
    fn outside_text_never_makes_a_command_of_a_plain_line() {
        for hostile in [
            "deploy\n::add-mask::everything",
            "x\r::stop-commands::tok",
            "::error::forged",
            "  \t::warning::forged after blanks",
            "\u{FEFF}::notice::after a byte order mark",
            "job ##[add-mask]secret in the middle",
            "name ##[stop-commands]x",
        ] {
            let line = escape_plain(hostile);
            assert_eq!(lines(&line).len(), 1, "one line: {line}");
            assert!(!is_command(&line), "{hostile:?} became {line:?}");
        }
        assert!(matches!(escape_plain("Reported as CI."), Cow::Borrowed(_)));
        assert_eq!(
            escape_plain("100% done"),
            "100% done",
            "% kept in a plain line"
        );
        assert_eq!(escape_plain("a\nb"), "a%0Ab");
    }

    #[test]
    fn a_line_on_a_terminal_is_one_line_and_moves_nothing() {
        assert_eq!(escape_terminal("a\nerror: forged"), "a\\nerror: forged");
        assert_eq!(escape_terminal("\u{1b}[2K\rgone"), "\\u{1b}[2K\\rgone");
        assert_eq!(escape_terminal("a\u{202E}b"), "a\\u{202e}b");
        assert!(matches!(escape_terminal("plain text"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_token_with_a_line_break_is_masked_line_by_line() {
        // What `mask` registers: the whole value and each line long enough to be a token.
        let first = "first-line-of-a-token-0000";
        let second = "second-line-of-a-token-000";
        let r = Runner::new(&RunnerEnv::default());
        r.mask(&Secret::new(format!("{first}\n{second}")));
        assert_eq!(r.redact(&format!("{first} and {second}")), "*** and ***");
        assert_eq!(
            command("add-mask", &[], &format!("{first}\n{second}")),
            format!("::add-mask::{first}%0A{second}"),
            "the whole value is one line the runner consumes"
        );
    }
}
