//! What `verify` says, pure: the table for a terminal (and the log), the job summary, and the
//! `--json` document for scripts. Names from GitHub go through [`crate::summary::cell`] in
//! the summary, and never start a line of the table.

use super::compare::{Counts, Expected, Verdict};
use crate::backfill::tally::thousands;
use crate::time::stamp;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Lines of attempts shown in the table and the summary (the JSON holds them all).
pub(crate) const SHOWN: usize = 200;

/// What happened to a missing attempt sent again with `--repair`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Repair {
    /// SEI took it (2xx).
    Taken,
    Failed(String),
}

/// Everything one `verify` found.
pub(crate) struct Findings<'a> {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub instance_guid: &'a str,
    pub expected: &'a [Expected],
    pub verdicts: &'a [Verdict],
    /// By index in `expected`: what `--repair` did.
    pub repairs: &'a BTreeMap<usize, Repair>,
    /// Repositories (or SEI) that could not be read: nothing is known of them.
    pub unread: &'a [String],
}

/// The totals: attempts, delivered (with a state), stored, missing, different, repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub counts: Counts,
    pub repaired: u64,
}

impl Findings<'_> {
    pub(crate) fn per_workflow(&self) -> BTreeMap<(String, String), Counts> {
        super::compare::tally(self.expected, self.verdicts)
    }

    pub(crate) fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for c in self.per_workflow().values() {
            t.counts.attempts += c.attempts;
            t.counts.stored += c.stored;
            t.counts.missing += c.missing;
            t.counts.different += c.different;
            if let Some(d) = c.delivered {
                *t.counts.delivered.get_or_insert(0) += d;
            }
        }
        t.repaired = self
            .repairs
            .values()
            .filter(|r| **r == Repair::Taken)
            .count() as u64;
        t
    }

    /// Every attempt not stored as sent, with its index.
    fn not_stored(&self) -> impl Iterator<Item = (usize, &Expected, &Verdict)> {
        self.expected
            .iter()
            .zip(self.verdicts)
            .enumerate()
            .filter(|(_, (_, v))| **v != Verdict::Stored)
            .map(|(i, (e, v))| (i, e, v))
    }

    /// Nothing missing or different remains (what `--repair` sent and SEI took counts as there).
    pub(crate) fn all_stored(&self) -> bool {
        self.unread.is_empty()
            && self.not_stored().all(|(i, _, v)| {
                *v == Verdict::Missing && self.repairs.get(&i) == Some(&Repair::Taken)
            })
    }

    fn what(&self, i: usize, v: &Verdict) -> String {
        match (v, self.repairs.get(&i)) {
            (Verdict::Missing, Some(Repair::Taken)) => "missing: sent again, SEI took it".into(),
            (Verdict::Missing, Some(Repair::Failed(why))) => {
                format!("missing: sent again, not taken: {why}")
            }
            (Verdict::Missing, None) => "missing".into(),
            (Verdict::Different(d), _) => format!(
                "different: {}",
                d.iter()
                    .map(|d| format!("{} {} in GitHub, {} in SEI", d.field, d.github, d.sei))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            (Verdict::Stored, _) => "stored".into(),
        }
    }

    fn window(&self) -> String {
        format!(
            "runs created from {} to {}",
            stamp(self.since),
            stamp(self.until)
        )
    }
}

fn delivered(d: Option<u64>) -> String {
    d.map(thousands).unwrap_or_else(|| "-".into())
}

/// One line of text, whatever it holds.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The table: one row per repository and workflow, the total, then each attempt not stored as
/// sent.
pub(crate) fn table(f: &Findings) -> String {
    let rows: Vec<[String; 7]> = f
        .per_workflow()
        .into_iter()
        .map(|((repo, workflow), c)| {
            [
                repo,
                one_line(&workflow),
                thousands(c.attempts),
                delivered(c.delivered),
                thousands(c.stored),
                thousands(c.missing),
                thousands(c.different),
            ]
        })
        .collect();
    let t = f.totals();
    let header = [
        "repository",
        "workflow",
        "attempts",
        "delivered",
        "stored",
        "missing",
        "different",
    ]
    .map(str::to_owned);
    let total = [
        "total".to_owned(),
        String::new(),
        thousands(t.counts.attempts),
        delivered(t.counts.delivered),
        thousands(t.counts.stored),
        thousands(t.counts.missing),
        thousands(t.counts.different),
    ];
    let all: Vec<&[String; 7]> = std::iter::once(&header)
        .chain(rows.iter())
        .chain(std::iter::once(&total))
        .collect();
    let width = |i: usize| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..7).map(width).collect();
    let mut out = format!("SEI verify: {}\n", f.window());
    for r in &all {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            if i < 2 {
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            } else {
                let _ = write!(line, "{}{cell}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let bad: Vec<_> = f.not_stored().collect();
    if !bad.is_empty() {
        out.push_str("\nNot stored as sent:\n");
        for (i, e, v) in bad.iter().take(SHOWN) {
            let _ = writeln!(
                out,
                "  {} run {} attempt {} (#{}): {}",
                e.repository,
                e.run_id,
                e.attempt,
                e.build_number,
                one_line(&f.what(*i, v))
            );
        }
        if bad.len() > SHOWN {
            let _ = writeln!(
                out,
                "  ... and {} more (--json lists them all)",
                bad.len() - SHOWN
            );
        }
    }
    for u in f.unread {
        let _ = writeln!(out, "\nNot read: {}", one_line(u));
    }
    out
}

/// The job summary.
pub(crate) fn markdown(f: &Findings) -> String {
    use crate::summary::cell;
    let t = f.totals();
    let mut md = String::from("### SEI verify\n\n");
    let verdict = if f.all_stored() {
        "✅ Every run attempt is stored in SEI as it was sent"
    } else {
        "❌ Not every run attempt is stored in SEI as it was sent"
    };
    let _ = writeln!(md, "{verdict} ({}).\n", cell(&f.window()));
    let _ = writeln!(
        md,
        "| repository | workflow | attempts | delivered | stored | missing | different |\n|---|---|---:|---:|---:|---:|---:|"
    );
    for ((repo, workflow), c) in f.per_workflow().iter().take(SHOWN) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(repo),
            cell(workflow),
            thousands(c.attempts),
            delivered(c.delivered),
            thousands(c.stored),
            thousands(c.missing),
            thousands(c.different)
        );
    }
    let _ = writeln!(
        md,
        "| **total** | | {} | {} | {} | {} | {} |\n",
        thousands(t.counts.attempts),
        delivered(t.counts.delivered),
        thousands(t.counts.stored),
        thousands(t.counts.missing),
        thousands(t.counts.different)
    );
    let bad: Vec<_> = f.not_stored().collect();
    if !bad.is_empty() {
        md.push_str("**Not stored as sent**:\n\n");
        for (i, e, v) in bad.iter().take(SHOWN) {
            let run = match &e.url {
                Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                    format!(
                        "[run {} attempt {}](<{}>)",
                        e.run_id,
                        e.attempt,
                        u.replace(['<', '>', ' '], "")
                    )
                }
                _ => format!("run {} attempt {}", e.run_id, e.attempt),
            };
            let _ = writeln!(
                md,
                "- {} {run} (build number {}): {}",
                cell(&e.repository),
                e.build_number,
                cell(&f.what(*i, v))
            );
        }
        if bad.len() > SHOWN {
            let _ = writeln!(md, "- ... and {} more", bad.len() - SHOWN);
        }
        md.push('\n');
    }
    for u in f.unread {
        let _ = writeln!(md, "**Not read**: {}\n", cell(u));
    }
    md
}

/// The `--json` document.
pub(crate) fn document(f: &Findings) -> Value {
    let t = f.totals();
    let workflows: Vec<Value> = f
        .per_workflow()
        .into_iter()
        .map(|((repo, workflow), c)| {
            json!({"repository": repo, "workflow": workflow, "attempts": c.attempts,
                   "delivered": c.delivered, "stored": c.stored, "missing": c.missing,
                   "different": c.different})
        })
        .collect();
    let attempts: Vec<Value> = f
        .not_stored()
        .map(|(i, e, v)| {
            let (status, differences) = match v {
                Verdict::Different(d) => (
                    "different",
                    d.iter()
                        .map(|d| json!({"field": d.field, "github": d.github, "sei": d.sei}))
                        .collect(),
                ),
                _ => ("missing", Vec::new()),
            };
            let repair = match f.repairs.get(&i) {
                Some(Repair::Taken) => json!({"sent": true, "taken": true}),
                Some(Repair::Failed(why)) => json!({"sent": true, "taken": false, "error": why}),
                None => Value::Null,
            };
            json!({"repository": e.repository, "workflow": e.workflow, "run_id": e.run_id,
                   "attempt": e.attempt, "build_number": e.build_number,
                   "qualified_name": e.qualified_name, "url": e.url, "status": status,
                   "differences": differences, "delivered": e.delivered, "repair": repair})
        })
        .collect();
    json!({
        "since": stamp(f.since),
        "until": stamp(f.until),
        "instance_guid": f.instance_guid,
        "all_stored": f.all_stored(),
        "totals": {"attempts": t.counts.attempts, "delivered": t.counts.delivered,
                   "stored": t.counts.stored, "missing": t.counts.missing,
                   "different": t.counts.different, "repaired": t.repaired},
        "workflows": workflows,
        "attempts": attempts,
        "not_read": f.unread,
    })
}
