//! The job summary: what happened to the report, then the run, as Markdown for
//! `GITHUB_STEP_SUMMARY`. Pure: the outcome, the payload and the run's times in, text out.
//!
//! The delivery outcome leads, with an icon (delivered, not delivered and what to do, skipped and
//! why, dry run, inputs to fix); the run follows (its number, result, duration, branch, commit),
//! then a picture of its jobs ([`gantt`]) and a table of them. SEI's answer is shown once.

pub mod gantt;
pub mod timeline;

use crate::payload::Payload;
use crate::time::human;
use std::fmt::Write;
use std::path::Path;
pub use timeline::Timeline;

/// Stage rows shown before the table is cut (a summary is capped at 1 MiB by GitHub).
pub const MAX_ROWS: usize = 200;
/// Characters of SEI's answer shown at most.
const MAX_ANSWER: usize = 600;

/// Where the docs live, for links from a summary (relative links do not work there).
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/");

/// What happened to the report.
#[derive(Debug, Clone, Copy)]
pub enum What<'a> {
    Delivered {
        http_status: Option<u16>,
        /// SEI's answer, as it came.
        answer: &'a str,
    },
    NotDelivered {
        /// Why, and what the message says to fix.
        why: &'a str,
        /// Where the payload is kept, if it was built.
        payload_file: Option<&'a Path>,
        /// Sending the kept payload again may work (SEI was unreachable, failing): not a
        /// payload SEI refused.
        replayable: bool,
    },
    DryRun {
        payload_file: Option<&'a Path>,
    },
    Skipped {
        /// Why nothing is reported, and what would report it.
        why: &'a str,
    },
    BadInput {
        /// Every input problem, each naming the input, the value and the fix.
        errors: &'a [String],
    },
}

/// The run the report is about, when it was read.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    pub payload: &'a Payload,
    pub timeline: &'a Timeline,
    pub url: Option<&'a str>,
}

/// The whole summary section.
pub fn markdown(what: &What, run: Option<&Run>) -> String {
    let stages = run.map_or(0, |r| r.payload.job_run.stages.len().min(MAX_ROWS));
    let mut md = String::with_capacity(2048 + 100 * stages);
    outcome(&mut md, what, run.is_some());
    if let Some(run) = run {
        run_section(&mut md, run);
    }
    md
}

/// The heading and what to do.
fn outcome(md: &mut String, what: &What, built: bool) {
    let replay = format!("[When a report fails]({DOCS}docs/delivery.md#when-a-report-fails)");
    match *what {
        What::Delivered {
            http_status,
            answer,
        } => {
            md.push_str("### ✅ SEI: delivered\n\n");
            let code = http_status.map_or_else(String::new, |c| format!(" HTTP {c}"));
            let _ = write!(md, "SEI answered{code}");
            let answer = answer.trim();
            if !answer.is_empty() {
                let _ = write!(
                    md,
                    ": {}",
                    code_span(&crate::secret::shorten(answer, MAX_ANSWER))
                );
            }
            md.push_str("\n\n");
        }
        What::NotDelivered {
            why,
            payload_file,
            replayable,
        } => {
            let heading = if built {
                "not delivered"
            } else {
                "not reported"
            };
            let _ = writeln!(md, "### ❌ SEI: {heading}\n");
            let _ = writeln!(md, "{}\n", sentence(why));
            match (payload_file, replayable) {
                (Some(file), true) => {
                    let _ = writeln!(
                        md,
                        "**What to do:** nothing is lost yet: the payload is kept at {file}. \
                         `RUNNER_TEMP` is emptied when the job ends, so keep the file with an \
                         `actions/upload-artifact` step that runs when this step's `status` \
                         output is `failed`, then send it again with `sei-cicd replay <file>`: \
                         see {replay}.\n",
                        file = code_span(&file.display().to_string()),
                    );
                }
                (Some(file), false) => {
                    let _ = writeln!(
                        md,
                        "**What to do:** fix what the message names, then re-run this job; \
                         sending the same payload again would be refused too. The payload is \
                         kept at {} until the job ends.\n",
                        code_span(&file.display().to_string())
                    );
                }
                (None, _) => {
                    md.push_str(
                        "**What to do:** fix what the message names, then re-run this job, or \
                         report the run later with `run-id`.\n\n",
                    );
                }
            }
        }
        What::DryRun { payload_file } => {
            md.push_str("### 🧪 SEI: dry run, nothing sent\n\n");
            md.push_str("The log shows the payload SEI would receive");
            if let Some(file) = payload_file {
                let _ = write!(
                    md,
                    "; it is kept at {}",
                    code_span(&file.display().to_string())
                );
            }
            md.push_str(". Set `dry-run: false` to send it.\n\n");
        }
        What::Skipped { why } => {
            md.push_str("### ⏭️ SEI: skipped, nothing sent\n\n");
            let _ = writeln!(md, "{}\n", sentence(why));
        }
        What::BadInput { errors } => {
            let n = errors.len();
            let _ = writeln!(
                md,
                "### ⚠️ SEI: not reported, {n} input{} to fix\n",
                if n == 1 { "" } else { "s" }
            );
            for e in errors {
                let _ = writeln!(md, "- {}", one_line(e));
            }
            let _ = writeln!(
                md,
                "\n**What to do:** set them under `with:` in the step that runs the action; \
                 every input is described in [Inputs]({DOCS}docs/inputs.md).\n"
            );
        }
    }
}

/// The run: one line of facts, the chart, the table of jobs, the identity SEI keeps it under.
fn run_section(md: &mut String, run: &Run) {
    let p = run.payload;
    let tl = run.timeline;
    let number = match tl.run_number {
        Some(n) => format!("{} #{n}", escape(&p.pipeline)),
        None => escape(&p.pipeline),
    };
    let attempt = if tl.attempt > 1 {
        format!(", attempt {}", tl.attempt)
    } else {
        String::new()
    };
    let title = match run.url {
        Some(url) => format!("[{number}]({url}){attempt}"),
        None => format!("{number}{attempt}"),
    };
    let _ = write!(
        md,
        "**{title}** · {} {} in {}",
        icon(&p.result),
        p.result,
        human(p.duration)
    );
    if let Some(b) = &p.branch_name {
        let _ = write!(md, " · branch {}", code_span(b));
    }
    if let Some(sha) = p.scm_commit_ids.first() {
        let _ = write!(md, " · commit {}", code_span(&sha[..sha.len().min(7)]));
        if p.scm_commit_ids.len() > 1 {
            let _ = write!(md, " and {} before it", p.scm_commit_ids.len() - 1);
        }
    }
    let _ = writeln!(md, " · {}\n", crate::map::cicd::label(p.ci, p.cd));

    let stages = &p.job_run.stages;
    let chart = gantt::chart(stages, tl);
    if !chart.block.is_empty() {
        md.push_str(&chart.block);
        let _ = write!(md, "\n<sub>{}", chart.legend);
        if chart.cut > 0 {
            let _ = write!(
                md,
                ". The first {} jobs to start are drawn, {} more are not",
                chart.drawn, chart.cut
            );
        }
        if chart.reused > 0 {
            let _ = write!(
                md,
                ". {} job{} reused from an earlier attempt {} not drawn",
                chart.reused,
                if chart.reused == 1 { "" } else { "s" },
                if chart.reused == 1 { "is" } else { "are" }
            );
        }
        md.push_str(".</sub>\n\n");
    }

    if !stages.is_empty() {
        md.push_str("| Job | Result | Queued | Ran | Steps |\n|---|---|---|---|---|\n");
        for (i, s) in stages.iter().enumerate().take(MAX_ROWS) {
            let times = tl.job(i, &s.id);
            let queued = match times {
                Some(t) if t.reused => "reused".to_owned(),
                Some(t) => t.queued_ms().map(human).unwrap_or_default(),
                None => String::new(),
            };
            let _ = writeln!(
                md,
                "| {} | {} {} | {queued} | {} | {} |",
                escape(&s.display_name),
                icon(&s.result),
                s.result,
                human(s.duration_in_millis),
                s.steps.len()
            );
        }
        if stages.len() > MAX_ROWS {
            let _ = writeln!(md, "\n… and {} more jobs.", stages.len() - MAX_ROWS);
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "<sub>In SEI: job {} · build number {} · execution {}</sub>",
        code_span(&p.job_full_name),
        p.build_number,
        code_span(&p.execution_id)
    );
}

fn icon(result: &str) -> &'static str {
    match result {
        "SUCCESS" => "✅",
        "FAILURE" => "❌",
        "ABORTED" => "⏹️",
        "NOT_BUILT" => "⏭️",
        _ => "⏳",
    }
}

/// Text safe in a table cell and in a line of prose: `|`, `<`, `>`, `[` and `]` escaped (a job
/// name is not Markdown), line breaks folded.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '|' | '[' | ']' | '*' | '_' | '`' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` as one inline code span, whatever backticks it holds, on one line.
fn code_span(text: &str) -> String {
    let text = one_line(text);
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// A message as a sentence: capital first, full stop last.
fn sentence(text: &str) -> String {
    let text = one_line(text.trim());
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?', ')', '`']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_and_escape_nothing_else() {
        assert_eq!(code_span("a|b"), "`a|b`");
        assert_eq!(code_span("say `hi`"), "`` say `hi` ``");
        assert_eq!(code_span("x\ny"), "`x y`");
    }

    #[test]
    fn names_are_text_not_markdown() {
        assert_eq!(escape("a|b [c](d) <e>"), "a\\|b \\[c\\](d) &lt;e&gt;");
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(sentence("could not reach SEI"), "Could not reach SEI.");
        assert_eq!(sentence("done."), "Done.");
    }
}
