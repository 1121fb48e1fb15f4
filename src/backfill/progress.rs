//! What a backfill tells while it runs and when it ends: a progress bar on a terminal
//! (indicatif, on stderr), one line a minute elsewhere (Actions logs, a pipe), and the final
//! counts (found, delivered, already delivered, skipped, failed), per repository too, for the
//! log and the job summary (outside text in it as text: [`crate::summary::text`]). The counting
//! and the text are pure; the bar is a thin shell.

use crate::summary::{code_span, text};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// How many run attempts ended how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Attempts found in the listings (and failed ones from the state found again).
    pub found: u64,
    pub delivered: u64,
    /// Delivered by an earlier start (the state says so): not sent again.
    pub already: u64,
    /// Found but not to be reported.
    pub skipped: u64,
    pub failed: u64,
}

impl Counts {
    /// Attempts with an outcome.
    pub(crate) fn done(&self) -> u64 {
        self.delivered + self.already + self.skipped + self.failed
    }
}

/// One line: `1,234 of 5,000 run attempts: 1,200 delivered, 30 already delivered, 0 skipped,
/// 4 failed`.
pub(crate) fn line(c: &Counts) -> String {
    format!(
        "{} of {} run attempts: {} delivered, {} already delivered, {} skipped, {} failed",
        thousands(c.done()),
        thousands(c.found),
        thousands(c.delivered),
        thousands(c.already),
        thousands(c.skipped),
        thousands(c.failed)
    )
}

/// `12,345`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Runs a minute, from `done` in `elapsed`.
pub(crate) fn per_minute(done: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        0.0
    } else {
        done as f64 * 60.0 / secs
    }
}

/// What the summary says besides the counts.
pub(crate) struct Ending<'a> {
    pub counts: &'a Counts,
    /// Per repository, in name order.
    pub repos: &'a BTreeMap<String, Counts>,
    /// Attempts not delivered: `owner/repo run N attempt A: why`.
    pub failures: &'a [String],
    /// Repositories whose runs could not be listed, and why.
    pub unlisted: &'a [String],
    /// The GitHub budget, in words.
    pub budget: &'a str,
    pub elapsed: Duration,
    /// Set when the backfill was stopped before the end.
    pub interrupted: bool,
    pub state: Option<&'a str>,
}

/// Rows shown before a table is cut.
const ROWS: usize = 100;

/// The job summary.
pub(crate) fn markdown(e: &Ending) -> String {
    let c = e.counts;
    let mut md = String::new();
    let _ = writeln!(md, "### SEI backfill\n");
    if e.interrupted {
        let _ = writeln!(
            md,
            "**Stopped before the end**: start it again with the same `--state` to go on.\n"
        );
    }
    let _ = writeln!(
        md,
        "| found | delivered | already delivered | skipped | failed |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n",
        thousands(c.found),
        thousands(c.delivered),
        thousands(c.already),
        thousands(c.skipped),
        thousands(c.failed)
    );
    let _ = writeln!(
        md,
        "{} in {}, {:.0} run attempts a minute. {}\n",
        thousands(c.done()),
        crate::retry::human(e.elapsed),
        per_minute(c.delivered + c.failed + c.skipped, e.elapsed),
        e.budget
    );
    if e.repos.len() > 1 {
        let _ = writeln!(
            md,
            "| repository | found | delivered | already | skipped | failed |\n|---|---:|---:|---:|---:|---:|"
        );
        for (name, r) in e.repos.iter().take(ROWS) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                code_span(name),
                r.found,
                r.delivered,
                r.already,
                r.skipped,
                r.failed
            );
        }
        if e.repos.len() > ROWS {
            let _ = writeln!(md, "\n... and {} more repositories.", e.repos.len() - ROWS);
        }
        md.push('\n');
    }
    if !e.unlisted.is_empty() {
        let _ = writeln!(md, "**Not listed** (tried again at the next start):\n");
        for u in e.unlisted.iter().take(ROWS) {
            let _ = writeln!(md, "- {}", text(u));
        }
        md.push('\n');
    }
    if !e.failures.is_empty() {
        let _ = writeln!(
            md,
            "**Not delivered** (kept{}; sent again at the next start):\n",
            e.state
                .map(|s| format!(" beside the state {}", code_span(s)))
                .unwrap_or_default()
        );
        for f in e.failures.iter().take(ROWS) {
            let _ = writeln!(md, "- {}", text(f));
        }
        if e.failures.len() > ROWS {
            let _ = writeln!(md, "- ... and {} more", e.failures.len() - ROWS);
        }
    }
    md
}

/// Says a line in the log (above the bar, on a terminal).
pub(crate) type Say = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// The bar on a terminal, or a line a minute.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_line: Instant,
    every: Duration,
}

impl Progress {
    /// A bar when stderr is a terminal outside Actions; else a line every `every`.
    pub(crate) fn new(terminal: bool, every: Duration) -> Progress {
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "[{bar:20}] {pos}/{len} attempts · {rate}/min · {eta} left · {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}", s.per_sec() * 60.0);
                })
                .progress_chars("=> "),
            );
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            started: now,
            last_line: now,
            every,
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Says where the backfill is: moves the bar, or prints `say(line)` once a minute.
    pub(crate) fn update(&mut self, c: &Counts, extra: &str, say: impl Fn(&str)) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(c.found);
                bar.set_position(c.done());
                bar.set_message(format!(
                    "{} delivered, {} already, {} failed · {extra}",
                    c.delivered, c.already, c.failed
                ));
            }
            None if self.last_line.elapsed() >= self.every => {
                self.last_line = Instant::now();
                say(&format!(
                    "{}; {:.0} a minute; {extra}",
                    line(c),
                    per_minute(c.done() - c.already, self.elapsed())
                ));
            }
            None => {}
        }
    }

    /// A log line for `runner`, printed above the bar when there is one.
    pub(crate) fn sayer(&self, runner: &crate::runner::Runner) -> Say {
        let bar = self.bar.clone();
        let runner = runner.clone();
        std::sync::Arc::new(move |m: &str| match &bar {
            Some(b) => b.suspend(|| runner.info(m)),
            None => runner.info(m),
        })
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_words() {
        let c = Counts {
            found: 5000,
            delivered: 1200,
            already: 30,
            skipped: 0,
            failed: 4,
        };
        assert_eq!(
            line(&c),
            "1,234 of 5,000 run attempts: 1,200 delivered, 30 already delivered, 0 skipped, 4 failed"
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(per_minute(120, Duration::from_secs(60)), 120.0);
    }

    #[test]
    fn the_summary_leads_with_the_counts_and_lists_what_failed() {
        let c = Counts {
            found: 3,
            delivered: 1,
            already: 1,
            skipped: 0,
            failed: 1,
        };
        let mut repos = BTreeMap::new();
        repos.insert("acme/api".to_owned(), c.clone());
        repos.insert("acme/web".to_owned(), Counts::default());
        let md = markdown(&Ending {
            counts: &c,
            repos: &repos,
            failures: &["acme/api run 7 attempt 1: SEI answered HTTP 503".into()],
            unlisted: &[],
            budget: "GitHub: 9 requests.",
            elapsed: Duration::from_secs(2),
            interrupted: true,
            state: Some("s.state"),
        });
        assert!(md.contains("| 3 | 1 | 1 | 0 | 1 |"), "{md}");
        assert!(md.contains("Stopped before the end"), "{md}");
        assert!(md.contains("| `acme/web` | 0 |"), "{md}");
        assert!(
            md.contains("- acme/api run 7 attempt 1: SEI answered HTTP 503"),
            "{md}"
        );
        assert!(md.contains("beside the state `s.state`"), "{md}");
    }
}
