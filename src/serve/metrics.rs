//! What `GET /metrics` shows, in Prometheus' text format (version 0.0.4), written by hand: a few
//! counters, gauges and histograms. Labels hold only names this file or GitHub's event list
//! chooses, never outside text as sent (an unauthenticated request's event is not a label).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// A latency histogram.
#[derive(Default)]
pub(crate) struct Histogram {
    inner: Mutex<(Vec<u64>, u64, f64)>,
}

impl Histogram {
    pub(crate) fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        let mut h = self.inner.lock().unwrap();
        if h.0.is_empty() {
            h.0 = vec![0; BUCKETS.len()];
        }
        if let Some(i) = BUCKETS.iter().position(|&b| s <= b) {
            h.0[i] += 1;
        }
        h.1 += 1;
        h.2 += s;
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let h = self.inner.lock().unwrap();
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cumulative += h.0.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", h.1);
        let _ = writeln!(out, "{name}_sum {}", h.2);
        let _ = writeln!(out, "{name}_count {}", h.1);
    }
}

/// Every metric `serve` keeps.
#[derive(Default)]
pub(crate) struct Metrics {
    /// (event, outcome) → deliveries.
    deliveries: Mutex<BTreeMap<(String, &'static str), u64>>,
    /// outcome → reports.
    reports: Mutex<BTreeMap<&'static str, u64>>,
    pub in_progress: AtomicI64,
    pub github_requests: AtomicU64,
    /// Reading a run from GitHub.
    pub github_seconds: Histogram,
    /// Sending a payload to SEI, retries included.
    pub sei_seconds: Histogram,
    /// From a delivery's arrival to SEI's answer.
    pub delivery_to_report_seconds: Histogram,
    /// installation (or `token`) → (remaining, limit).
    rate: Mutex<BTreeMap<String, (u64, u64)>>,
    pub redeliveries_asked: AtomicU64,
    /// outcome → redelivery passes.
    passes: Mutex<BTreeMap<&'static str, u64>>,
}

/// GitHub's webhook events, the only names that become a label (others count as `other`).
const EVENTS: &[&str] = &[
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "code_scanning_alert",
    "commit_comment",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "fork",
    "github_app_authorization",
    "gollum",
    "installation",
    "installation_repositories",
    "issue_comment",
    "issues",
    "label",
    "member",
    "membership",
    "merge_group",
    "meta",
    "milestone",
    "organization",
    "package",
    "page_build",
    "ping",
    "project",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "push",
    "registry_package",
    "release",
    "repository",
    "repository_dispatch",
    "security_advisory",
    "star",
    "status",
    "team",
    "team_add",
    "watch",
    "workflow_dispatch",
    "workflow_job",
    "workflow_run",
];

/// The label for an event name: itself when GitHub sends such events, else `other` (`-` for a
/// request that did not authenticate).
pub(crate) fn event_label(event: &str, authenticated: bool) -> String {
    if !authenticated {
        "-".to_owned()
    } else if EVENTS.contains(&event) {
        event.to_owned()
    } else {
        "other".to_owned()
    }
}

impl Metrics {
    pub(crate) fn delivery(&self, event: String, outcome: &'static str) {
        *self
            .deliveries
            .lock()
            .unwrap()
            .entry((event, outcome))
            .or_default() += 1;
    }

    pub(crate) fn report(&self, outcome: &'static str) {
        *self.reports.lock().unwrap().entry(outcome).or_default() += 1;
    }

    pub(crate) fn pass(&self, outcome: &'static str) {
        *self.passes.lock().unwrap().entry(outcome).or_default() += 1;
    }

    pub(crate) fn rate_limit(&self, who: String, remaining: u64, limit: u64) {
        self.rate.lock().unwrap().insert(who, (remaining, limit));
    }

    /// The deliveries counted with this outcome, all events together.
    #[cfg(test)]
    pub(crate) fn deliveries_with(&self, outcome: &str) -> u64 {
        let d = self.deliveries.lock().unwrap();
        d.iter()
            .filter(|((_, o), _)| *o == outcome)
            .map(|(_, n)| n)
            .sum()
    }

    /// The text `GET /metrics` answers.
    pub(crate) fn render(&self, queue_depth: usize, queue_capacity: usize, ready: bool) -> String {
        let mut out = String::new();
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        head(
            &mut out,
            "sei_cicd_deliveries_total",
            "counter",
            "Webhook deliveries received, by event and outcome.",
        );
        for ((event, outcome), n) in self.deliveries.lock().unwrap().iter() {
            let _ = writeln!(
                out,
                "sei_cicd_deliveries_total{{event=\"{event}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        head(
            &mut out,
            "sei_cicd_reports_total",
            "counter",
            "Run attempts reported, by outcome (delivered, failed, dry_run, skipped).",
        );
        for (outcome, n) in self.reports.lock().unwrap().iter() {
            let _ = writeln!(out, "sei_cicd_reports_total{{outcome=\"{outcome}\"}} {n}");
        }
        head(
            &mut out,
            "sei_cicd_queue_depth",
            "gauge",
            "Deliveries accepted and waiting for a worker.",
        );
        let _ = writeln!(out, "sei_cicd_queue_depth {queue_depth}");
        head(
            &mut out,
            "sei_cicd_queue_capacity",
            "gauge",
            "Deliveries the queue holds at most (past it: 503).",
        );
        let _ = writeln!(out, "sei_cicd_queue_capacity {queue_capacity}");
        head(
            &mut out,
            "sei_cicd_reports_in_progress",
            "gauge",
            "Run attempts being reported now.",
        );
        let _ = writeln!(
            out,
            "sei_cicd_reports_in_progress {}",
            self.in_progress.load(Ordering::Relaxed)
        );
        head(
            &mut out,
            "sei_cicd_ready",
            "gauge",
            "1 while deliveries are taken.",
        );
        let _ = writeln!(out, "sei_cicd_ready {}", u8::from(ready));
        head(
            &mut out,
            "sei_cicd_github_requests_total",
            "counter",
            "Requests made to GitHub's API to read runs.",
        );
        let _ = writeln!(
            out,
            "sei_cicd_github_requests_total {}",
            self.github_requests.load(Ordering::Relaxed)
        );
        head(
            &mut out,
            "sei_cicd_github_rate_limit_remaining",
            "gauge",
            "GitHub's primary rate limit left, by installation (`token` for a token).",
        );
        for (who, (remaining, _)) in self.rate.lock().unwrap().iter() {
            let _ = writeln!(
                out,
                "sei_cicd_github_rate_limit_remaining{{installation=\"{who}\"}} {remaining}"
            );
        }
        self.github_seconds.write(
            &mut out,
            "sei_cicd_github_read_seconds",
            "Time to read one run attempt from GitHub (all its requests).",
        );
        self.sei_seconds.write(
            &mut out,
            "sei_cicd_sei_send_seconds",
            "Time to send one payload to SEI, retries included.",
        );
        self.delivery_to_report_seconds.write(
            &mut out,
            "sei_cicd_delivery_to_report_seconds",
            "From a delivery's arrival to SEI's answer to its report.",
        );
        head(
            &mut out,
            "sei_cicd_redeliveries_requested_total",
            "counter",
            "Failed deliveries GitHub was asked to deliver again.",
        );
        let _ = writeln!(
            out,
            "sei_cicd_redeliveries_requested_total {}",
            self.redeliveries_asked.load(Ordering::Relaxed)
        );
        head(
            &mut out,
            "sei_cicd_redelivery_passes_total",
            "counter",
            "Passes over the hook's recent deliveries, by outcome.",
        );
        for (outcome, n) in self.passes.lock().unwrap().iter() {
            let _ = writeln!(
                out,
                "sei_cicd_redelivery_passes_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_with_labels_from_a_closed_list() {
        let m = Metrics::default();
        m.delivery(event_label("workflow_run", true), "accepted");
        m.delivery(event_label("workflow_run", true), "accepted");
        m.delivery(event_label("x\"}\n", true), "ignored");
        m.delivery(event_label("workflow_run", false), "unauthorized");
        m.report("delivered");
        m.sei_seconds.observe(Duration::from_millis(70));
        let text = m.render(3, 10, true);
        for line in [
            "sei_cicd_deliveries_total{event=\"workflow_run\",outcome=\"accepted\"} 2",
            "sei_cicd_deliveries_total{event=\"other\",outcome=\"ignored\"} 1",
            "sei_cicd_deliveries_total{event=\"-\",outcome=\"unauthorized\"} 1",
            "sei_cicd_reports_total{outcome=\"delivered\"} 1",
            "sei_cicd_queue_depth 3",
            "sei_cicd_sei_send_seconds_bucket{le=\"0.05\"} 0",
            "sei_cicd_sei_send_seconds_bucket{le=\"0.1\"} 1",
            "sei_cicd_sei_send_seconds_count 1",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
        }
        assert_eq!(m.deliveries_with("accepted"), 2);
    }
}
