//! `serve`'s log, on stderr: one JSON object a line when stderr is not a terminal (a container's
//! log, read by a collector), else a plain line. Every line has a time, a level and a message;
//! lines about a delivery or a run carry its ids as fields. Outside text (names, answers, a
//! delivery's headers) is data: a JSON string escapes it, a plain line has its control
//! characters escaped, so it never starts a line of its own. Lines pass through the runner's
//! redaction: a token is never shown.

use crate::runner::Runner;
use std::io::Write;

/// What a line is about.
#[derive(Debug, Clone, Default)]
pub(crate) struct About {
    pub delivery: Option<String>,
    pub repository: Option<String>,
    pub run_id: Option<u64>,
    pub run_attempt: Option<u64>,
}

/// The log.
#[derive(Clone)]
pub(crate) struct Log {
    json: bool,
    debug: bool,
    runner: Runner,
}

impl Log {
    /// JSON lines unless stderr is a terminal; `debug` shows the lines of each report.
    pub(crate) fn new(runner: Runner, debug: bool) -> Log {
        Log {
            json: !std::io::IsTerminal::is_terminal(&std::io::stderr()),
            debug,
            runner,
        }
    }

    pub(crate) fn info(&self, msg: &str, about: &About) {
        self.line("info", msg, about)
    }

    pub(crate) fn warn(&self, msg: &str, about: &About) {
        self.line("warning", msg, about)
    }

    pub(crate) fn error(&self, msg: &str, about: &About) {
        self.line("error", msg, about)
    }

    pub(crate) fn debug(&self, msg: &str, about: &About) {
        if self.debug {
            self.line("debug", msg, about)
        }
    }

    fn line(&self, level: &str, msg: &str, about: &About) {
        let msg = self.runner.redact(msg);
        let text = if self.json {
            json_line(level, &msg, about, chrono::Utc::now())
        } else {
            plain_line(level, &msg, about)
        };
        // One write per line: lines of concurrent reports never interleave.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// `{"time":...,"level":...,"msg":...,"delivery":...,"repository":...,"run_id":...,
/// "run_attempt":...}` and a newline.
pub(crate) fn json_line(
    level: &str,
    msg: &str,
    about: &About,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let mut v = serde_json::json!({
        "time": crate::time::iso(now),
        "level": level,
        "msg": msg,
    });
    let o = v.as_object_mut().expect("an object");
    if let Some(d) = &about.delivery {
        o.insert("delivery".into(), d.as_str().into());
    }
    if let Some(r) = &about.repository {
        o.insert("repository".into(), r.as_str().into());
    }
    if let Some(id) = about.run_id {
        o.insert("run_id".into(), id.into());
    }
    if let Some(a) = about.run_attempt {
        o.insert("run_attempt".into(), a.into());
    }
    let mut line = v.to_string();
    line.push('\n');
    line
}

/// `level: message (delivery X, owner/repo run 1 attempt 2)` and a newline.
pub(crate) fn plain_line(level: &str, msg: &str, about: &About) -> String {
    let mut ids = Vec::new();
    if let Some(d) = &about.delivery {
        ids.push(format!("delivery {}", escape(d)));
    }
    match (&about.repository, about.run_id) {
        (Some(r), Some(id)) => ids.push(format!(
            "{} run {id}{}",
            escape(r),
            about
                .run_attempt
                .map(|a| format!(" attempt {a}"))
                .unwrap_or_default()
        )),
        (Some(r), None) => ids.push(escape(r)),
        _ => {}
    }
    let ids = if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", ids.join(", "))
    };
    format!("{level}: {}{ids}\n", escape(msg))
}

/// Control characters (a line break above all) written as escapes.
fn escape(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn about() -> About {
        About {
            delivery: Some("72d3162e-cc78-11e3-81ab-4c9367dc0958".into()),
            repository: Some("octo-org/octo-repo".into()),
            run_id: Some(30433642),
            run_attempt: Some(2),
        }
    }

    #[test]
    fn a_json_line_is_one_line_whatever_the_text() {
        let now = chrono::DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let line = json_line("info", "run \"CI\"\n::error::x", &about(), now);
        assert_eq!(line.matches('\n').count(), 1);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["msg"], "run \"CI\"\n::error::x");
        assert_eq!(v["run_id"], 30433642);
        assert_eq!(v["run_attempt"], 2);
        assert_eq!(v["time"], "2025-03-01T10:00:00.000Z");
    }

    #[test]
    fn a_plain_line_escapes_line_breaks() {
        let line = plain_line("warning", "a\nb", &about());
        assert_eq!(
            line,
            "warning: a\\nb (delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958, octo-org/octo-repo \
             run 30433642 attempt 2)\n"
        );
    }
}
