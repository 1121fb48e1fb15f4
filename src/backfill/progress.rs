//! What a backfill tells while it runs: a progress bar on a terminal (indicatif, on stderr),
//! one line a minute elsewhere (Actions logs, a pipe). A thin shell over the counts of
//! [`super::tally`], which also writes how it ended.

use super::tally::{line, per_minute, Counts};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::time::{Duration, Instant};

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
