//! The job summary: what happened to the report, then the run, as Markdown for
//! `GITHUB_STEP_SUMMARY`. Pure: the outcome, the payload and the run's times in, text out.
//!
//! Outside text (names from GitHub, SEI's or a gateway's answer, messages that carry them) is
//! rendered as text, never as Markdown or HTML: in a code span that cannot be closed from inside
//! ([`code_span`]), or escaped ([`text`] in prose, [`cell`] in a table).
//!
//! The delivery outcome leads, with an icon (delivered, not delivered and what to do, skipped and
//! why, dry run, inputs to fix); the run follows (its number, result, duration, branch, commit),
//! then a picture of its jobs ([`gantt`]) and a table of them. SEI's answer is shown once.

pub(crate) mod gantt;
pub(crate) mod timeline;

use crate::payload::Payload;
use crate::time::compact;
use std::fmt::Write;
use std::path::Path;
pub(crate) use timeline::Timeline;

/// Stage rows shown before the table is cut (a summary is capped at 1 MiB by GitHub).
pub(crate) const MAX_ROWS: usize = 200;
/// Characters of SEI's answer shown at most.
const MAX_ANSWER: usize = 600;

/// Where the docs live, for links from a summary (relative links do not work there).
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/");

/// What happened to the report.
#[derive(Debug, Clone, Copy)]
pub(crate) enum What<'a> {
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
pub(crate) struct Run<'a> {
    pub payload: &'a Payload,
    pub timeline: &'a Timeline,
    pub url: Option<&'a str>,
}

/// The whole summary section.
pub(crate) fn markdown(what: &What, run: Option<&Run>) -> String {
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
                (None, true) => {
                    md.push_str(
                        "**What to do:** the payload could not be kept for the job's later \
                         steps (the log says why), so nothing of it can be sent again: re-run \
                         this job once SEI answers, or report the run later with `run-id`.\n\n",
                    );
                }
                (None, false) => {
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
                let _ = writeln!(md, "- {}", text(e));
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
        Some(n) => format!("{} #{n}", cell(&p.pipeline)),
        None => cell(&p.pipeline),
    };
    let attempt = if tl.attempt > 1 {
        format!(", attempt {}", tl.attempt)
    } else {
        String::new()
    };
    let title = match run.url.and_then(link_target) {
        Some(url) => format!("[{number}]({url}){attempt}"),
        None => format!("{number}{attempt}"),
    };
    let _ = write!(
        md,
        "**{title}** · {} {} in {}",
        icon(&p.result),
        p.result,
        compact(p.duration)
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
                Some(t) => t.queued_ms().map(compact).unwrap_or_default(),
                None => String::new(),
            };
            let _ = writeln!(
                md,
                "| {} | {} {} | {queued} | {} | {} |",
                cell(&s.display_name),
                icon(&s.result),
                s.result,
                compact(s.duration_in_millis),
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

/// Outside text in a table cell, as text: every character Markdown or HTML reads escaped (`|`
/// too, which would end the cell), line breaks folded.
pub(crate) fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        escaped(&mut out, c);
    }
    out
}

/// One character as text: `<`, `>` and `&` as HTML entities, Markdown's punctuation with
/// a backslash (CommonMark takes any ASCII punctuation escaped), line breaks as spaces.
fn escaped(out: &mut String, c: char) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' | '#' | '$' => {
            out.push('\\');
            out.push(c);
        }
        '\n' | '\r' => out.push(' '),
        c if c.is_control() => out.push(' '),
        c => out.push(c),
    }
}

/// A message in prose, as text: the code spans it holds stay code spans (their content is
/// literal, and each ends only at a run of backticks of its own length, so nothing inside closes
/// it early), everything else is escaped as in [`cell`], a backtick that opens no span included;
/// a line break is folded; what would start a block at the start of a line (`-`, `+`, `=`, `1.`)
/// is escaped too. So an error page's `<img>` is shown, never loaded, and a name cannot make a
/// link, a heading or a table.
pub(crate) fn text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 16);
    let run_at = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            escaped(&mut out, chars[i]);
            i += 1;
            continue;
        }
        let n = run_at(i);
        // The closing run: the next run of exactly `n` backticks.
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let m = run_at(j);
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                for &c in &chars[i..j + n] {
                    out.push(if c == '\n' || c == '\r' || c.is_control() {
                        ' '
                    } else {
                        c
                    });
                }
                i = j + n;
            }
            None => {
                for _ in 0..n {
                    out.push_str("\\`");
                }
                i += n;
            }
        }
    }
    // A block marker where a line starts (a sentence is written at one).
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else if digits > 0 && out[digits..].starts_with(['.', ')']) {
        out.insert(digits, '\\');
    }
    out
}

/// The target of a link to a page of GitHub: an `http(s)` URL, with anything that could end the
/// link or start markup percent-encoded; `None` for anything else (a `javascript:` URL, say).
fn link_target(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in parsed.as_str().chars() {
        match c {
            '(' | ')' | '<' | '>' | '"' | '\'' | '`' | '[' | ']' | ' ' | '\\' | '|' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// `text` as one inline code span, whatever backticks it holds, on one line.
pub(crate) fn code_span(text: &str) -> String {
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

/// A message as a sentence, as text ([`text`]): capital first, full stop last.
fn sentence(message: &str) -> String {
    let message = one_line(message.trim());
    let mut chars = message.chars();
    let mut out = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?', ')', '`']) {
        out.push('.');
    }
    text(&out)
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
        assert_eq!(cell("a|b [c](d) <e>"), "a\\|b \\[c\\](d) &lt;e&gt;");
        assert_eq!(cell("x\n| y"), "x \\| y");
    }

    /// What a renderer could take for markup in `md` outside code spans: an HTML tag, an image
    /// or a link.
    fn raw_markup(md: &str) -> bool {
        let mut outside = String::new();
        let mut inside = false;
        for c in md.chars() {
            if c == '`' {
                inside = !inside;
            } else if !inside {
                outside.push(c);
            }
        }
        outside.contains('<') || outside.contains("](") && !outside.contains("\\](")
    }

    #[test]
    fn outside_text_in_prose_is_text_and_our_code_spans_stay() {
        let page =
            "<html><body><img src=\"https://beacon.example/p.gif\"><h1>502</h1></body></html>";
        let out = text(&format!("SEI answered HTTP 502 at `sei-url`: {page}"));
        assert!(out.contains("`sei-url`"), "our code span kept: {out}");
        assert!(!raw_markup(&out), "{out}");
        assert!(
            out.contains("&lt;img src=\"https://beacon.example/p.gif\"&gt;"),
            "{out}"
        );
        // A name that tries to close a code span, open a link, an image or a heading.
        for hostile in [
            "a ` b",
            "``x` <b>y</b>",
            "![x](https://beacon.example/p.gif)",
            "[click](javascript:alert(1))",
            "# heading\n- item\n<script>",
            "`` ` `` <img>",
        ] {
            let out = text(hostile);
            assert!(!raw_markup(&out), "{hostile:?} became {out:?}");
            assert!(!out.contains('\n'), "{out}");
        }
        assert_eq!(text("- not a list"), "\\- not a list");
        assert_eq!(text("1. not a list"), "1\\. not a list");
        assert_eq!(text("deploy (prod) done."), "deploy (prod) done.");
    }

    #[test]
    fn a_link_goes_only_to_a_web_page() {
        assert_eq!(
            link_target("https://github.com/o/r/actions/runs/1").as_deref(),
            Some("https://github.com/o/r/actions/runs/1")
        );
        assert_eq!(
            link_target("https://x.example/a)(b").as_deref(),
            Some("https://x.example/a%29%28b")
        );
        assert_eq!(link_target("javascript:alert(1)"), None);
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(sentence("could not reach SEI"), "Could not reach SEI.");
        assert_eq!(sentence("fix `sei-url`"), "Fix `sei-url`");
        assert_eq!(sentence("done."), "Done.");
    }
}
