//! The summary's picture of a run: a Mermaid gantt chart (GitHub renders ```` ```mermaid ````
//! blocks in job summaries), one row per job, a grey bar for the time it waited for a runner
//! and a bar for the time it ran, colored by its result.
//!
//! Bounded for huge runs: at most [`MAX_JOBS`] rows (Mermaid's own limit is 50,000 characters of
//! diagram text; a summary's is 1 MiB), the jobs that started first. Jobs reused from an earlier
//! attempt are left out: their times are that attempt's, hours before this one perhaps. Job
//! names are made safe for Mermaid's grammar (no `:`, `;`, `#`, `%`, backticks or line breaks)
//! and for HTML (no `<`, `>`, `&`: outside text is text), and shortened.

use super::timeline::{JobTimes, Timeline};
use crate::payload::Stage;
use crate::time::{compact, epoch_ms};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Rows drawn at most.
pub(crate) const MAX_JOBS: usize = 60;
/// Characters of a job's name shown at most.
const MAX_NAME: usize = 30;

/// Colors by result, through Mermaid's task tags: `done` (grey) waits for a runner, a plain bar
/// passed, `crit` failed, `active` was cancelled, skipped or is still running. Where a viewer
/// ignores the theme, the default theme still tells them apart (grey, blue, red, light blue).
const INIT: &str = r##"%%{init: {"gantt": {"displayMode": "compact", "barHeight": 18, "barGap": 6, "leftPadding": 190, "fontSize": 12, "sectionFontSize": 12}, "themeVariables": {"taskBkgColor": "#4ac26b", "taskBorderColor": "#1a7f37", "taskTextColor": "#ffffff", "taskTextOutsideColor": "#1f2328", "taskTextLightColor": "#1f2328", "taskTextDarkColor": "#1f2328", "doneTaskBkgColor": "#d0d7de", "doneTaskBorderColor": "#8c959f", "critBkgColor": "#ff8182", "critBorderColor": "#cf222e", "activeTaskBkgColor": "#eac54f", "activeTaskBorderColor": "#9a6700", "sectionBkgColor": "#f6f8fa", "altSectionBkgColor": "#ffffff", "sectionBkgColor2": "#f6f8fa"}}}%%"##;

/// The legend's entries, in the order shown.
const LEGEND: [(Color, &str); 4] = [
    (Color::Wait, "grey: waiting for a runner"),
    (Color::Pass, "green: passed"),
    (Color::Fail, "red: failed"),
    (Color::Other, "yellow: cancelled, skipped or running"),
];

/// The colors a chart uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Color {
    Wait,
    Pass,
    Fail,
    Other,
}

/// What the chart holds.
pub(crate) struct Chart {
    /// The fenced Mermaid block, or empty when no job has a time to draw.
    pub block: String,
    /// Jobs drawn.
    pub drawn: usize,
    /// Jobs left out because of [`MAX_JOBS`].
    pub cut: usize,
    /// Jobs left out because they were reused from an earlier attempt.
    pub reused: usize,
    /// What the colors drawn mean, `Grey: waiting for a runner · green: passed`.
    pub legend: String,
}

/// The chart of `stages` with their times from `timeline` (stage `i` is job `i`).
pub(crate) fn chart(stages: &[Stage], timeline: &Timeline) -> Chart {
    let now = timeline.now;
    let mut rows: Vec<(&Stage, &JobTimes, DateTime<Utc>)> = Vec::new();
    let mut reused = 0;
    for (i, stage) in stages.iter().enumerate() {
        let Some(times) = timeline.job(i, &stage.id) else {
            continue;
        };
        if times.reused {
            reused += 1;
            continue;
        }
        if let Some(from) = times.created.or(times.started) {
            rows.push((stage, times, from));
        }
    }
    // The first to start first; stable, so GitHub's order breaks ties.
    rows.sort_by_key(|r| r.2);
    let cut = rows.len().saturating_sub(MAX_JOBS);
    rows.truncate(MAX_JOBS);
    if rows.is_empty() {
        return Chart {
            block: String::new(),
            drawn: 0,
            cut,
            reused,
            legend: String::new(),
        };
    }
    let first = rows.iter().map(|r| r.2).min().unwrap_or(now);
    let last = rows
        .iter()
        .map(|(_, t, from)| t.completed.or(t.started).unwrap_or(now).max(*from))
        .max()
        .unwrap_or(now);
    let (interval, format) = ticks(crate::time::span_ms(first, last));
    let mut md = String::with_capacity(1200 + rows.len() * 160);
    md.push_str("```mermaid\n");
    md.push_str(INIT);
    let _ = writeln!(
        md,
        "\ngantt\n  dateFormat x\n  axisFormat {format}\n  tickInterval {interval}\n  todayMarker off"
    );
    let mut used = Vec::with_capacity(4);
    for (i, (stage, times, from)) in rows.iter().enumerate() {
        let _ = writeln!(md, "  section {}", name(&stage.display_name));
        let started = times.started.filter(|s| s >= from);
        let queue_end = started.unwrap_or(if times.completed.is_some() {
            // Never started (skipped, cancelled while queued): no wait to show.
            *from
        } else {
            now
        });
        let queued = crate::time::span_ms(*from, queue_end);
        if queued > 0 {
            used.push(Color::Wait);
            // No text on the grey bar: it would spill over the next one; the run's bar and
            // the table say how long it waited.
            let _ = writeln!(
                md,
                "    {QUEUED} :done, q{i}, {}, {}",
                epoch_ms(*from),
                epoch_ms(queue_end)
            );
        }
        let Some(start) = started else {
            if queued == 0 {
                used.push(Color::Other);
                // Nothing ran and nothing waited: a mark where it would have been.
                let _ = writeln!(
                    md,
                    "    {} :active, j{i}, {}, {}",
                    label(&stage.result, 0),
                    epoch_ms(*from),
                    epoch_ms(*from)
                );
            }
            continue;
        };
        let end = times.completed.unwrap_or(now).max(start);
        let ran = crate::time::span_ms(start, end);
        let (tag, color) = match stage.result.as_str() {
            "SUCCESS" => ("", Color::Pass),
            "FAILURE" => ("crit, ", Color::Fail),
            _ => ("active, ", Color::Other),
        };
        used.push(color);
        let _ = writeln!(
            md,
            "    {} :{tag}j{i}, {}, {}",
            label(&stage.result, ran),
            epoch_ms(start),
            epoch_ms(end)
        );
    }
    md.push_str("```\n");
    let mut legend = LEGEND
        .iter()
        .filter(|(c, _)| used.contains(c))
        .map(|(_, text)| *text)
        .collect::<Vec<_>>()
        .join(" · ");
    if let Some(first) = legend.get(..1) {
        legend.replace_range(..1, &first.to_uppercase());
    }
    Chart {
        block: md,
        drawn: rows.len(),
        cut,
        reused,
        legend,
    }
}

/// The text of a wait's bar: a zero-width space (Mermaid needs a name, and shows this one as
/// nothing).
const QUEUED: &str = "\u{200b}";

/// The axis: a tick interval giving at most about ten ticks over `span_ms`, and a clock
/// format to match.
fn ticks(span_ms: i64) -> (&'static str, &'static str) {
    const STEPS: &[(i64, &str)] = &[
        (5_000, "5second"),
        (10_000, "10second"),
        (30_000, "30second"),
        (60_000, "1minute"),
        (120_000, "2minute"),
        (300_000, "5minute"),
        (600_000, "10minute"),
        (1_800_000, "30minute"),
        (3_600_000, "1hour"),
        (7_200_000, "2hour"),
        (21_600_000, "6hour"),
        (86_400_000, "1day"),
    ];
    let step = STEPS
        .iter()
        .find(|(ms, _)| span_ms / ms <= 10)
        .unwrap_or(&STEPS[STEPS.len() - 1]);
    let format = match step.0 {
        ms if ms < 60_000 => "%H:%M:%S",
        ms if ms < 21_600_000 => "%H:%M",
        _ => "%b %d %H:%M",
    };
    (step.1, format)
}

/// A bar's text: the result in a word when it is not a pass, and how long it ran.
fn label(result: &str, ms: i64) -> String {
    let word = match result {
        "SUCCESS" => "",
        "FAILURE" => "failed ",
        "ABORTED" => "cancelled ",
        "NOT_BUILT" => "skipped ",
        _ => "running ",
    };
    format!("{word}{}", compact(ms))
}

/// A job's name as a section title: characters Mermaid's grammar reads (or Markdown's fence
/// would) replaced, blanks folded, at most [`MAX_NAME`] characters.
pub(crate) fn name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            ':' => '꞉',
            ';' => ',',
            '#' => '№',
            '%' => '٪',
            '`' => '\'',
            '{' => '(',
            '}' => ')',
            '<' => '‹',
            '>' => '›',
            '&' => '+',
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let mut out = out.trim_end().to_owned();
    if out.chars().count() > MAX_NAME {
        out = out
            .chars()
            .take(MAX_NAME - 1)
            .collect::<String>()
            .trim_end()
            .to_owned();
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("job");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::IsoTime;
    use compact_str::CompactString;

    fn t(s: &str) -> DateTime<Utc> {
        crate::model::lenient::parse_time(s).unwrap()
    }

    fn stage(id: u64, name: &str, result: &str) -> Stage {
        Stage {
            id: CompactString::from(id.to_string()),
            display_name: name.into(),
            display_description: "".into(),
            result: result.into(),
            state: "FINISHED".into(),
            duration_in_millis: 0,
            start_time: IsoTime(t("2024-12-22T17:11:00Z")),
            steps: vec![],
        }
    }

    fn times(id: u64, created: &str, started: &str, completed: &str) -> JobTimes {
        JobTimes {
            id: Some(id),
            created: Some(t(created)),
            started: Some(t(started)),
            completed: Some(t(completed)),
            reused: false,
        }
    }

    fn timeline(jobs: Vec<JobTimes>) -> Timeline {
        Timeline {
            run_number: Some(1),
            attempt: 1,
            jobs,
            now: t("2024-12-22T18:00:00Z"),
        }
    }

    #[test]
    fn a_bar_for_the_wait_and_one_for_the_run_colored_by_result() {
        let stages = [
            stage(1, "build", "SUCCESS"),
            stage(2, "test: unit", "FAILURE"),
        ];
        let tl = timeline(vec![
            times(
                1,
                "2024-12-22T17:11:20Z",
                "2024-12-22T17:11:32Z",
                "2024-12-22T17:11:56Z",
            ),
            times(
                2,
                "2024-12-22T17:12:00Z",
                "2024-12-22T17:12:05Z",
                "2024-12-22T17:13:05Z",
            ),
        ]);
        let c = chart(&stages, &tl);
        assert_eq!((c.drawn, c.cut, c.reused), (2, 0, 0));
        assert_eq!(
            c.legend,
            "Grey: waiting for a runner · green: passed · red: failed"
        );
        assert!(c.block.starts_with("```mermaid\n%%{init: "), "{}", c.block);
        assert!(c.block.ends_with("```\n"));
        assert!(c.block.contains(
            "  section build\n    \u{200b} :done, q0, 1734887480000, 1734887492000\n    24s :j0, 1734887492000, 1734887516000\n"
        ), "{}", c.block);
        assert!(c.block.contains("  tickInterval 10second\n"), "{}", c.block);
        assert!(c.block.contains("  section test꞉ unit\n"), "{}", c.block);
        assert!(
            c.block.contains("    failed 1m 00s :crit, j1, "),
            "{}",
            c.block
        );
    }

    #[test]
    fn huge_runs_are_capped_and_reused_jobs_left_out() {
        let stages: Vec<Stage> = (0..100).map(|i| stage(i, "shard", "SUCCESS")).collect();
        let mut jobs: Vec<JobTimes> = (0..100)
            .map(|i| {
                times(
                    i,
                    "2024-12-22T17:00:00Z",
                    &format!("2024-12-22T17:{:02}:00Z", i % 60),
                    "2024-12-22T17:59:00Z",
                )
            })
            .collect();
        jobs[0].reused = true;
        let c = chart(&stages, &timeline(jobs));
        assert_eq!((c.drawn, c.cut, c.reused), (MAX_JOBS, 99 - MAX_JOBS, 1));
        assert_eq!(c.block.matches("  section ").count(), MAX_JOBS);
        assert!(c.block.len() < 50_000, "Mermaid's limit");
    }

    #[test]
    fn a_job_still_waiting_waits_until_now() {
        let stages = [stage(1, "deploy", "UNKNOWN")];
        let mut j = times(
            1,
            "2024-12-22T17:59:00Z",
            "2024-12-22T17:59:00Z",
            "2024-12-22T17:59:00Z",
        );
        j.started = None;
        j.completed = None;
        let c = chart(&stages, &timeline(vec![j]));
        assert!(
            c.block
                .contains("    \u{200b} :done, q0, 1734890340000, 1734890400000\n"),
            "{}",
            c.block
        );
        assert!(!c.block.contains("j0"), "{}", c.block);
    }

    #[test]
    fn ticks_stay_few() {
        assert_eq!(ticks(74_000), ("10second", "%H:%M:%S"));
        assert_eq!(ticks(45 * 60_000), ("5minute", "%H:%M"));
        assert_eq!(ticks(30 * 86_400_000), ("1day", "%b %d %H:%M"));
    }

    #[test]
    fn names_cannot_break_the_diagram_or_the_fence() {
        assert_eq!(name("deploy: prod; #1 100%"), "deploy꞉ prod, №1 100٪");
        assert_eq!(name("a\n```\nb"), "a ''' b");
        assert_eq!(name("<img src=x> & co"), "‹img src=x› + co");
        assert_eq!(name("   "), "job");
        let long = name(&"x".repeat(80));
        assert_eq!(long.chars().count(), MAX_NAME);
        assert!(long.ends_with('…'));
        assert_eq!(name(&"y".repeat(MAX_NAME)), "y".repeat(MAX_NAME));
    }
}
