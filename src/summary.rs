//! The job summary: what was reported and what SEI said, as Markdown for `GITHUB_STEP_SUMMARY`.
//! Pure: payload and outcome in, text out.

use crate::map::time::human;
use crate::payload::Payload;
use std::fmt::Write;

/// Stage rows shown before the table is cut (a summary is capped at 1 MiB by GitHub).
pub const MAX_ROWS: usize = 200;

/// What happened to the payload, for the summary's SEI line.
pub struct Delivery<'a> {
    /// `delivered`, `dry-run`, `failed`, `skipped`.
    pub status: &'a str,
    pub http_status: Option<u16>,
    /// SEI's answer, or why nothing was sent.
    pub detail: &'a str,
}

pub fn markdown(p: &Payload, run_url: Option<&str>, delivery: &Delivery) -> String {
    let mut md = String::with_capacity(1024 + 80 * p.job_run.stages.len().min(MAX_ROWS));
    let _ = writeln!(
        md,
        "### SEI report: {} #{}\n",
        cell(&p.pipeline),
        p.build_number
    );
    let _ = write!(
        md,
        "**Result** {} {} · **Duration** {}",
        icon(&p.result),
        p.result,
        human(p.duration)
    );
    if let Some(b) = &p.branch_name {
        let _ = write!(md, " · **Branch** `{}`", cell(b));
    }
    if let Some(sha) = p.scm_commit_ids.first() {
        let _ = write!(md, " · **Commit** `{}`", &sha[..sha.len().min(7)]);
        if p.scm_commit_ids.len() > 1 {
            let _ = write!(md, " and {} before it", p.scm_commit_ids.len() - 1);
        }
    }
    if let Some(url) = run_url {
        let _ = write!(md, " · [run on GitHub]({url})");
    }
    let _ = writeln!(md, "\n");
    let sei = match (delivery.status, delivery.http_status) {
        ("delivered", Some(code)) => format!("delivered (HTTP {code})"),
        ("dry-run", _) => "dry run: nothing sent".to_owned(),
        ("skipped", _) => "skipped: nothing sent".to_owned(),
        (_, Some(code)) => format!("**not delivered** (HTTP {code})"),
        _ => "**not delivered**".to_owned(),
    };
    let _ = write!(md, "**SEI** {sei}");
    if !delivery.detail.is_empty() {
        let _ = write!(md, ": `{}`", delivery.detail.replace('`', "'"));
    }
    md.push('\n');
    let _ = writeln!(
        md,
        "\nJob `{}` · build number {} · execution `{}` · {}\n",
        cell(&p.job_full_name),
        p.build_number,
        p.execution_id,
        crate::map::cicd::label(p.ci, p.cd)
    );

    let stages = &p.job_run.stages;
    if stages.is_empty() {
        return md;
    }
    md.push_str("| Stage | Result | Duration | Steps |\n|---|---|---|---|\n");
    for s in stages.iter().take(MAX_ROWS) {
        let _ = writeln!(
            md,
            "| {} | {} {} | {} | {} |",
            cell(&s.display_name),
            icon(&s.result),
            s.result,
            human(s.duration_in_millis),
            s.steps.len()
        );
    }
    if stages.len() > MAX_ROWS {
        let _ = writeln!(md, "\n… and {} more stages.", stages.len() - MAX_ROWS);
    }
    md
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

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
