//! What a backfill counted as it ran, and what it says about it: run attempts found, delivered,
//! already delivered, skipped and failed, in all and per repository; the attempts not
//! delivered and the repositories not listed, with why; the attempts not reached when stopped,
//! the warnings, the listings unchanged since the last sweep, a dry run's counts. [`Tally`] is
//! the one place they change, and it writes their text: the closing lines of the log
//! ([`Tally::closing`]), GitHub's budget in words ([`Tally::budget`]) and the job summary
//! ([`Tally::markdown`]; outside text in it as text: [`crate::summary::text`]). Pure: the
//! backfill ([`super`]) tells it what happened and prints what it says.

use crate::github::client::RateLimit;
use crate::summary::{cell, code_span, text};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::time::Duration;

/// Lines of a dry run's listing, at most (the counts cover everything).
pub(crate) const DRY_RUN_LINES: usize = 10_000;
/// Rows shown before a table is cut.
const ROWS: usize = 100;
/// Rows of a dry run's table in the job summary, at most.
const DRY_RUN_ROWS: usize = 500;

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

    #[cfg(test)]
    pub(crate) fn add(&mut self, other: &Counts) {
        self.found += other.found;
        self.delivered += other.delivered;
        self.already += other.already;
        self.skipped += other.skipped;
        self.failed += other.failed;
    }
}

/// How a run attempt that was tried ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ended {
    Delivered,
    /// Not to be reported (the pipeline skipped it), or unreadable in the listing.
    Skipped,
    /// Not delivered: `owner/repo run N attempt A: why`, for the closing lines and the summary.
    Failed(String),
}

/// What GitHub's budget went to, as the client counted it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Budget {
    pub requests: u64,
    /// Requests answered `304 Not Modified` (free of the rate limit).
    pub not_modified: u64,
    /// The newest rate-limit headers.
    pub rate_limit: Option<RateLimit>,
    /// Time spent waiting for the rate limit to reset.
    pub waited: Duration,
}

/// What the closing lines and the summary say besides the tally.
#[derive(Debug, Clone, Default)]
pub(crate) struct Closing<'a> {
    pub elapsed: Duration,
    /// Stopped before the end (Ctrl-C, SIGTERM).
    pub interrupted: bool,
    pub dry_run: bool,
    /// GitHub's budget in words ([`Tally::budget`]).
    pub budget: &'a str,
    /// The state file (`--state`), as shown.
    pub state: Option<&'a str>,
    /// The payloads of failed attempts are kept beside the state file.
    pub kept_beside_state: bool,
}

/// A closing line and how it is said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Said {
    Info(String),
    Warning(String),
    Error(String),
    Notice(String),
}

/// Everything a backfill counts while it runs.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    totals: Counts,
    /// Per repository, by `owner/name`.
    repos: BTreeMap<String, Counts>,
    failures: Vec<String>,
    unlisted: Vec<String>,
    not_reached: u64,
    warned: u64,
    /// Listings GitHub answered `304 Not Modified`: nothing new since the last sweep.
    unchanged: u64,
    /// A dry run's attempts per (repository, workflow), and its lines printed.
    dry: BTreeMap<(String, String), u64>,
    dry_lines: usize,
    /// The `workflow` filters some repository has (lower-cased).
    workflows_seen: HashSet<String>,
}

impl Tally {
    /// The counts so far, in all.
    pub(crate) fn counts(&self) -> &Counts {
        &self.totals
    }

    /// Every repository listed shows in the summary, runs or not.
    pub(crate) fn repository(&mut self, repo: &str) {
        self.repos.entry(repo.to_owned()).or_default();
    }

    /// `n` run attempts found; `repo` when it is known (a kept payload's may not be).
    pub(crate) fn found(&mut self, repo: Option<&str>, n: u64) {
        self.totals.found += n;
        if let Some(r) = self.repo(repo) {
            r.found += n;
        }
    }

    /// A run attempt found that an earlier start delivered.
    pub(crate) fn already(&mut self, repo: &str) {
        self.totals.already += 1;
        self.repo(Some(repo)).expect("a repository").already += 1;
    }

    /// `n` runs of a listing that could not be read: found and skipped.
    pub(crate) fn unreadable(&mut self, repo: &str, n: u64) {
        self.found(Some(repo), n);
        self.totals.skipped += n;
        self.repo(Some(repo)).expect("a repository").skipped += n;
    }

    /// A run attempt tried ended.
    pub(crate) fn ended(&mut self, repo: Option<&str>, how: Ended) {
        let count = |c: &mut Counts| match &how {
            Ended::Delivered => c.delivered += 1,
            Ended::Skipped => c.skipped += 1,
            Ended::Failed(_) => c.failed += 1,
        };
        count(&mut self.totals);
        if let Some(r) = self.repo(repo) {
            count(r);
        }
        if let Ended::Failed(why) = how {
            self.failures.push(why);
        }
    }

    /// A repository (or one of its workflows) whose runs could not be listed, and why.
    pub(crate) fn unlisted(&mut self, why: String) {
        self.unlisted.push(why);
    }

    /// A run attempt not started: the backfill was stopped.
    pub(crate) fn not_reached(&mut self) {
        self.not_reached += 1;
    }

    /// A warning about a run attempt, said in the log with its run.
    pub(crate) fn warned(&mut self) {
        self.warned += 1;
    }

    /// A listing unchanged since the last sweep (`304 Not Modified`).
    pub(crate) fn unchanged(&mut self) {
        self.unchanged += 1;
    }

    /// A `workflow` filter that some repository has.
    pub(crate) fn workflow_seen(&mut self, wanted: &str) {
        self.workflows_seen.insert(wanted.to_ascii_lowercase());
    }

    /// The `workflow` filters of `wanted` that no repository has.
    pub(crate) fn workflows_not_seen<'w>(&self, wanted: &'w [String]) -> Vec<&'w str> {
        wanted
            .iter()
            .filter(|w| !self.workflows_seen.contains(&w.to_ascii_lowercase()))
            .map(String::as_str)
            .collect()
    }

    /// A run attempt a dry run would report; `true` while its line is to be printed (the
    /// first [`DRY_RUN_LINES`]).
    pub(crate) fn dry(&mut self, repo: &str, workflow: &str) -> bool {
        *self
            .dry
            .entry((repo.to_owned(), workflow.to_owned()))
            .or_default() += 1;
        let print = self.dry_lines < DRY_RUN_LINES;
        if print {
            self.dry_lines += 1;
        }
        print
    }

    /// Nothing went undelivered and every repository was listed.
    pub(crate) fn all_delivered(&self) -> bool {
        self.failures.is_empty() && self.unlisted.is_empty()
    }

    fn repo(&mut self, repo: Option<&str>) -> Option<&mut Counts> {
        Some(self.repos.entry(repo?.to_owned()).or_default())
    }

    /// What GitHub's budget went to, in words: `GitHub: 1,234 requests, 1.02 a run attempt
    /// reported; the token has 4,000 of 5,000 left until 17:11:31 UTC.`
    pub(crate) fn budget(&self, b: &Budget) -> String {
        let c = &self.totals;
        let reported = c.delivered + c.failed + c.skipped;
        let per = if reported > 0 {
            format!(
                ", {:.2} a run attempt reported",
                b.requests as f64 / reported as f64
            )
        } else {
            String::new()
        };
        let free = match (b.not_modified, self.unchanged) {
            (0, _) => String::new(),
            (n, 0) => format!(", {n} answered `304 Not Modified` (free)"),
            (n, q) => format!(
                ", {n} answered `304 Not Modified` (free; {q} listing(s) unchanged since the \
                 last sweep)"
            ),
        };
        let left = match b.rate_limit {
            Some(r) => format!(
                "; the token has {} of {} left until {}",
                thousands(r.remaining),
                thousands(r.limit),
                crate::time::clock(r.reset)
            ),
            None => String::new(),
        };
        let waited = match b.waited {
            d if d.is_zero() => String::new(),
            d => format!(
                "; waited {} for the rate limit to reset",
                crate::time::human(d)
            ),
        };
        format!(
            "GitHub: {} requests{per}{free}{left}{waited}.",
            thousands(b.requests)
        )
    }

    /// The lines that close the log, in order: a dry run's counts, how it ended, the budget,
    /// the warnings, what was not listed or delivered, and how to go on when stopped.
    pub(crate) fn closing(&self, e: &Closing) -> Vec<Said> {
        let c = &self.totals;
        let mut out = Vec::new();
        if e.dry_run {
            out.extend(self.dry_run_counts().into_iter().map(Said::Info));
            out.push(Said::Info(format!(
                "Done in {}: {} run attempts found, {} of them already delivered (dry run: \
                 nothing sent).",
                crate::time::human(e.elapsed),
                thousands(c.found),
                thousands(c.already)
            )));
        } else {
            out.push(Said::Info(format!(
                "Done in {}: {}.",
                crate::time::human(e.elapsed),
                line(c)
            )));
        }
        out.push(Said::Info(e.budget.to_owned()));
        if self.warned > 0 {
            out.push(Said::Warning(format!(
                "{} warning(s) about run attempts: see the log above (each names its run)",
                self.warned
            )));
        }
        out.extend(self.unlisted.iter().cloned().map(Said::Error));
        if !self.failures.is_empty() {
            out.push(Said::Error(format!(
                "{} run attempt(s) not delivered{}; they are sent again at the next start{}",
                self.failures.len(),
                if e.kept_beside_state {
                    " (their payloads kept beside the state file)"
                } else {
                    ""
                },
                if e.state.is_none() {
                    " with --state (without it, `sei-cicd replay` each kept payload)"
                } else {
                    ""
                }
            )));
        }
        if e.interrupted {
            out.push(Said::Notice(format!(
                "Stopped before the end: {} run attempt(s) not reached; start again{} to go on",
                self.not_reached,
                if e.state.is_some() {
                    " with the same --state"
                } else {
                    " (with --state, what was delivered is skipped)"
                }
            )));
        }
        out
    }

    /// A dry run's counts, per repository and workflow, for the log.
    fn dry_run_counts(&self) -> Vec<String> {
        let total: u64 = self.dry.values().sum();
        let mut out = vec![format!(
            "Dry run: {} run attempt(s) would be reported (nothing sent){}:",
            thousands(total),
            if self.dry_lines >= DRY_RUN_LINES {
                format!(", the first {DRY_RUN_LINES} listed above")
            } else {
                String::new()
            }
        )];
        let mut per_repo: BTreeMap<&str, u64> = BTreeMap::new();
        for ((repo, _), n) in &self.dry {
            *per_repo.entry(repo.as_str()).or_default() += n;
        }
        for (repo, n) in per_repo {
            out.push(format!("  {repo}: {n}"));
            for ((_, w), m) in self.dry.iter().filter(|((r, _), _)| r == repo) {
                out.push(format!("    {w}: {m}"));
            }
        }
        out
    }

    /// The job summary.
    pub(crate) fn markdown(&self, e: &Closing) -> String {
        let md = markdown(&Ending {
            counts: &self.totals,
            repos: &self.repos,
            failures: &self.failures,
            unlisted: &self.unlisted,
            budget: e.budget,
            elapsed: e.elapsed,
            interrupted: e.interrupted,
            state: e.state,
        });
        if !e.dry_run {
            return md;
        }
        let mut dry = String::from(
            "**Dry run**: what would be reported (nothing sent)\n\n| repository | workflow | run attempts |\n|---|---|---:|\n",
        );
        for ((repo, w), n) in self.dry.iter().take(DRY_RUN_ROWS) {
            // Workflow names come from the listing (a fork's too): text, not Markdown.
            let _ = writeln!(dry, "| {} | {} | {n} |", code_span(repo), cell(w));
        }
        format!("{md}\n{dry}")
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

/// The job summary's counts, per repository, and what was not listed or delivered.
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
        crate::time::human(e.elapsed),
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

    /// Two repositories: one with a delivered, an already delivered, a failed attempt and an
    /// unreadable run; one listed with nothing; a kept payload of a repository not named.
    fn a_backfill() -> Tally {
        let mut t = Tally::default();
        t.repository("acme/api");
        t.repository("acme/web");
        t.found(Some("acme/api"), 3);
        t.already("acme/api");
        t.ended(Some("acme/api"), Ended::Delivered);
        t.ended(
            Some("acme/api"),
            Ended::Failed("acme/api run 7 attempt 1: SEI answered HTTP 503".into()),
        );
        t.unreadable("acme/api", 1);
        t.found(None, 1);
        t.ended(None, Ended::Delivered);
        t
    }

    #[test]
    fn every_attempt_is_counted_once_in_all_and_in_its_repository() {
        let t = a_backfill();
        assert_eq!(
            *t.counts(),
            Counts {
                found: 5,
                delivered: 2,
                already: 1,
                skipped: 1,
                failed: 1
            }
        );
        assert_eq!(
            t.counts().done(),
            t.counts().found,
            "every attempt found ended"
        );
        assert_eq!(
            t.repos["acme/api"],
            Counts {
                found: 4,
                delivered: 1,
                already: 1,
                skipped: 1,
                failed: 1
            }
        );
        assert_eq!(t.repos["acme/web"], Counts::default());
        assert_eq!(
            t.repos.len(),
            2,
            "a payload of no known repository counts in all only"
        );
        assert!(!t.all_delivered());
        let mut sum = Counts::default();
        for c in t.repos.values() {
            sum.add(c);
        }
        assert_eq!(sum.found + 1, t.counts().found);
    }

    #[test]
    fn the_closing_lines_say_what_happened_and_how_to_go_on() {
        let mut t = a_backfill();
        t.warned();
        t.warned();
        t.unlisted("could not list the runs of acme/old: GitHub answered 404".into());
        t.not_reached();
        let closing = Closing {
            elapsed: Duration::from_millis(2500),
            interrupted: true,
            dry_run: false,
            budget: "GitHub: 9 requests.",
            state: None,
            kept_beside_state: false,
        };
        let lines = t.closing(&closing);
        assert_eq!(
            lines,
            vec![
                Said::Info(
                    "Done in 2.5 s: 5 of 5 run attempts: 2 delivered, 1 already delivered, 1 \
                     skipped, 1 failed."
                        .into()
                ),
                Said::Info("GitHub: 9 requests.".into()),
                Said::Warning(
                    "2 warning(s) about run attempts: see the log above (each names its run)"
                        .into()
                ),
                Said::Error("could not list the runs of acme/old: GitHub answered 404".into()),
                Said::Error(
                    "1 run attempt(s) not delivered; they are sent again at the next start with \
                     --state (without it, `sei-cicd replay` each kept payload)"
                        .into()
                ),
                Said::Notice(
                    "Stopped before the end: 1 run attempt(s) not reached; start again (with \
                     --state, what was delivered is skipped) to go on"
                        .into()
                ),
            ]
        );
        let with_state = Closing {
            state: Some("sweep.state"),
            kept_beside_state: true,
            ..closing
        };
        let lines = t.closing(&with_state);
        assert!(lines.contains(&Said::Error(
            "1 run attempt(s) not delivered (their payloads kept beside the state file); they \
             are sent again at the next start"
                .into()
        )));
        assert!(lines.iter().any(|l| matches!(l, Said::Notice(n)
            if n.ends_with("start again with the same --state to go on"))));
        let md = t.markdown(&with_state);
        assert!(md.contains("**Not listed**"), "{md}");
        assert!(md.contains("beside the state `sweep.state`"), "{md}");
    }

    #[test]
    fn a_quiet_backfill_says_only_how_it_ended() {
        let t = Tally::default();
        let lines = t.closing(&Closing {
            budget: "GitHub: 1 requests.",
            ..Closing::default()
        });
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(t.all_delivered());
    }

    #[test]
    fn a_dry_run_counts_every_attempt_and_lists_the_first_ones() {
        let mut t = Tally::default();
        let mut printed = 0;
        for i in 0..DRY_RUN_LINES + 5 {
            let w = if i % 2 == 0 { "CI" } else { "Deploy" };
            t.found(Some("acme/api"), 1);
            printed += usize::from(t.dry("acme/api", w));
        }
        assert!(
            !t.dry("acme/web", "CI <b>"),
            "past the lines: counted, not printed"
        );
        assert_eq!(printed, DRY_RUN_LINES);
        let closing = Closing {
            dry_run: true,
            budget: "GitHub: 3 requests.",
            ..Closing::default()
        };
        let lines = t.closing(&closing);
        assert_eq!(
            lines[..4],
            [
                Said::Info(format!(
                    "Dry run: 10,006 run attempt(s) would be reported (nothing sent), the first \
                     {DRY_RUN_LINES} listed above:"
                )),
                Said::Info("  acme/api: 10005".into()),
                Said::Info("    CI: 5003".into()),
                Said::Info("    Deploy: 5002".into()),
            ]
        );
        assert!(lines.contains(&Said::Info(
            "Done in 0 ms: 10,005 run attempts found, 0 of them already delivered (dry run: \
             nothing sent)."
                .into()
        )));
        let md = t.markdown(&closing);
        assert!(md.contains("| `acme/api` | Deploy | 5002 |"), "{md}");
        assert!(
            md.contains("| `acme/web` | CI &lt;b&gt; | 1 |"),
            "a workflow's name is text: {md}"
        );
    }

    #[test]
    fn a_workflow_no_repository_has_is_named() {
        let mut t = Tally::default();
        t.workflow_seen("CI.yml");
        let wanted = ["ci.yml".to_owned(), "deploy.yml".to_owned()];
        assert_eq!(t.workflows_not_seen(&wanted), ["deploy.yml"]);
    }

    #[test]
    fn the_budget_says_what_requests_went_to() {
        let mut t = a_backfill();
        let plain = Budget {
            requests: 1234,
            ..Budget::default()
        };
        assert_eq!(
            t.budget(&plain),
            "GitHub: 1,234 requests, 308.50 a run attempt reported."
        );
        t.unchanged();
        let all = Budget {
            requests: 10,
            not_modified: 3,
            rate_limit: Some(RateLimit {
                limit: 5000,
                remaining: 4000,
                reset: 1_734_887_491,
                used: 1000,
            }),
            waited: Duration::from_secs(2),
        };
        assert_eq!(
            t.budget(&all),
            "GitHub: 10 requests, 2.50 a run attempt reported, 3 answered `304 Not Modified` \
             (free; 1 listing(s) unchanged since the last sweep); the token has 4,000 of 5,000 \
             left until 17:11:31 UTC; waited 2 s for the rate limit to reset."
        );
        let fresh = Tally::default();
        assert_eq!(
            fresh.budget(&Budget {
                requests: 2,
                not_modified: 2,
                ..Budget::default()
            }),
            "GitHub: 2 requests, 2 answered `304 Not Modified` (free)."
        );
    }
}
