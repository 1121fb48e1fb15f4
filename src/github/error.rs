//! What can go wrong when GitHub is asked ([`Error`]), and every message about it, made here:
//! an answer that is not a 2xx (its status, path, message and when the rate limit resets), an
//! API that cannot be reached, one that does not answer in time, an answer's body that cannot be
//! read (too big, broken off, not text) or is not the JSON expected, and why the retries stopped.
//! Callers match on the kind (`organization` is a user when GitHub answers 404; a refusal
//! hints at the permission a look-up needs, [`Error::hint`]), never on the words.

use crate::model::RunRef;
use crate::time::human;
use std::time::Duration;

/// A request to GitHub that did not give an answer.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum Error {
    /// GitHub answered with a status that is not a 2xx.
    #[error("{0}")]
    Status(Refusal),
    /// [`Error::Status`] for the run or jobs a command reports, said with what to check.
    #[error("{}", run_refusal(.api, .run, .refusal))]
    Run {
        api: String,
        run: Box<RunRef>,
        refusal: Box<Refusal>,
    },
    /// The API could not be reached (no such host, refused, TLS); `wrong_url` when the address
    /// itself is most likely wrong.
    #[error(
        "could not reach the GitHub API at {api}: {why}{}",
        if *.wrong_url { ": check GITHUB_API_URL (on Enterprise Server, https://<host>/api/v3)" } else { "" }
    )]
    Unreachable {
        api: String,
        why: String,
        wrong_url: bool,
    },
    /// No answer within the attempt's time.
    #[error("the GitHub API did not answer {path} within {}", human(*.limit))]
    Timeout { path: String, limit: Duration },
    /// The answer's body could not be read whole.
    #[error("the GitHub API answer for {path} {body}")]
    Body { path: String, body: Body },
    /// The answer is not the JSON expected.
    #[error("the GitHub API answer for {path} is not the JSON expected ({why})")]
    Json { path: String, why: String },
    /// The retries stopped before an answer came: the last error, and why they stopped.
    #[error("{last} (gave up after {attempts} attempt(s) in {}{})", human(*.elapsed), stopped(.deadline))]
    GaveUp {
        last: Box<Error>,
        attempts: u32,
        elapsed: Duration,
        /// `Some(timeout)` when the deadline ran out; `None` when `max-attempts` did.
        deadline: Option<Duration>,
    },
    /// The primary rate limit is used up until past the deadline.
    #[error(
        "GitHub's API rate limit for `github-token` is used up until {until} (in {}), past the \
         `timeout` of {}: report this run later (`run-id`), or use a token with its own limit",
        human(*.wait),
        human(*.timeout)
    )]
    RateLimited {
        /// When it resets, `HH:MM:SS UTC`.
        until: String,
        wait: Duration,
        timeout: Duration,
    },
    /// GitHub asked to wait (a secondary rate limit) past the deadline.
    #[error(
        "GitHub answered {} for {api}{} and asked to wait {} (a secondary rate limit), past the \
         `timeout` of {}: {}",
        .refusal.status,
        .refusal.shown_path(),
        human(*.wait),
        human(*.timeout),
        .refusal.message
    )]
    AskedToWait {
        api: String,
        refusal: Box<Refusal>,
        wait: Duration,
        timeout: Duration,
    },
    /// The client could not be made (`what`, and the cause).
    #[error("{what}: {why}")]
    Setup { what: String, why: String },
}

/// Why an answer's body could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum Body {
    /// Larger than the bound: not read on (a retry would get the same).
    #[error(
        "is larger than {} MiB, more than any real answer (a page of 100 jobs is about 0.5 MB): \
         not read on, the request failed",
        .max / (1024 * 1024)
    )]
    TooBig { max: usize },
    #[error("broke off: {0}")]
    BrokeOff(String),
    #[error("is not UTF-8 ({0})")]
    NotText(String),
}

/// An answer that was not a 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    /// GitHub's `message`, or the start of the body.
    pub message: String,
    pub path: String,
    /// When the primary rate limit resets (epoch seconds), if it is used up.
    pub limit_reset: Option<u64>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GitHub answered {} for {}: {}",
            self.status,
            self.shown_path(),
            self.message
        )?;
        if let Some(at) = self.reset_clock() {
            write!(f, " (rate limit used up until {at})")?;
        }
        Ok(())
    }
}

impl Refusal {
    /// The request's path as a person reads it: the query's `%3C`, `%3A`, ... decoded
    /// (`created=<2024-12-22T17:11:25Z`, not `created=%3C2024-12-22T17%3A11%3A25Z`).
    pub(crate) fn shown_path(&self) -> String {
        readable(&self.path)
    }

    /// When the used-up rate limit resets, as `HH:MM:SS UTC`.
    pub(crate) fn reset_clock(&self) -> Option<String> {
        let at = chrono::DateTime::from_timestamp(i64::try_from(self.limit_reset?).ok()?, 0)?;
        Some(at.format("%H:%M:%S UTC").to_string())
    }
}

impl Error {
    /// The status GitHub answered, when it answered (through the retries that gave up on it).
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Error::Status(r) => Some(r.status),
            Error::Run { refusal: r, .. } | Error::AskedToWait { refusal: r, .. } => Some(r.status),
            Error::GaveUp { last, .. } => last.status(),
            _ => None,
        }
    }

    /// ` (give `github-token` the `<permission>` permission)` when GitHub refused (403, 404: a
    /// token without the permission is told the resource does not exist); else nothing.
    pub(crate) fn hint(&self, permission: &str) -> String {
        match self.status() {
            Some(403 | 404) => format!(" (give `github-token` the `{permission}` permission)"),
            _ => String::new(),
        }
    }

    /// This error said of the run or jobs `run` a command reports: a refusal says what to
    /// check; anything else is as it was.
    pub(crate) fn of_run(self, api: &str, run: &RunRef) -> Error {
        match self {
            Error::Status(refusal) => Error::Run {
                api: api.to_owned(),
                run: Box::new(run.clone()),
                refusal: Box::new(refusal),
            },
            e => e,
        }
    }
}

/// How a refusal of the reported run reads: what to check for 404, 401 and 403.
fn run_refusal(api: &str, run: &RunRef, r: &Refusal) -> String {
    let path = r.shown_path();
    match r.status {
        404 => format!(
            "GitHub answered 404 for run {} of {} ({api}{path}): check `repository` and `run-id`, \
             and that `github-token` can read that repository's Actions \
             (`permissions: actions: read`, plus `contents: read` for a private repository; \
             the default token reads only its own repository)",
            run.id, run.repo
        ),
        401 => format!(
            "GitHub refused `github-token` (401: {}): pass a valid token, by default \
             `${{{{ github.token }}}}`",
            r.message
        ),
        403 => format!(
            "GitHub answered 403 for {api}{path} ({}): give `github-token` the `actions: read` \
             permission",
            r.message
        ),
        s => format!("GitHub answered {s} for {api}{path}: {}", r.message),
    }
}

/// Why the retries stopped, after "gave up after N attempt(s) in T".
fn stopped(deadline: &Option<Duration>) -> String {
    match deadline {
        Some(timeout) => format!(": the `timeout` of {} ran out", human(*timeout)),
        None => ", all of `max-attempts`".to_owned(),
    }
}

/// `path` with its percent-escapes decoded where they stand for printable text; an escape that
/// does not (a control character, broken UTF-8) stays as it was.
fn readable(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                let b = (h * 16 + l) as u8;
                if !b.is_ascii_control() {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Repo, RunSource};

    fn refusal(status: u16) -> Refusal {
        Refusal {
            status,
            message: "Not Found".into(),
            path: "/repos/o/r/actions/runs/7".into(),
            limit_reset: None,
        }
    }

    #[test]
    fn a_query_reads_as_written() {
        assert_eq!(
            readable("/repos/o/r/actions/workflows/ci.yml/runs?branch=main&created=%3C2024-12-22T17%3A11%3A25Z"),
            "/repos/o/r/actions/workflows/ci.yml/runs?branch=main&created=<2024-12-22T17:11:25Z"
        );
        assert_eq!(readable("/a%2"), "/a%2");
        assert_eq!(readable("/a%0Ab"), "/a%0Ab");
        assert_eq!(readable("/caf%C3%A9"), "/café");
    }

    #[test]
    fn hints_come_from_the_status_not_the_words() {
        let refused = Error::Status(refusal(403));
        assert_eq!(
            refused.hint("contents: read"),
            " (give `github-token` the `contents: read` permission)"
        );
        let gave_up = Error::GaveUp {
            last: Box::new(Error::Status(refusal(404))),
            attempts: 2,
            elapsed: Duration::from_secs(3),
            deadline: None,
        };
        assert!(gave_up.hint("actions: read").contains("`actions: read`"));
        // A message that only mentions a 404 is no refusal.
        let timeout = Error::Timeout {
            path: "/repos/o/r/compare/404...x".into(),
            limit: Duration::from_secs(30),
        };
        assert_eq!(timeout.hint("contents: read"), "");
        assert_eq!(Error::Status(refusal(502)).hint("contents: read"), "");
    }

    #[test]
    fn a_refused_run_says_what_to_check() {
        let run = RunRef {
            repo: Repo::parse("o/r").unwrap(),
            id: 7,
            attempt: None,
            source: RunSource::Inputs,
        };
        let e = Error::Status(refusal(404)).of_run("https://api.github.com", &run);
        assert!(
            e.to_string().starts_with(
                "GitHub answered 404 for run 7 of o/r (https://api.github.com/repos/o/r/actions/runs/7): \
                 check `repository` and `run-id`"
            ),
            "{e}"
        );
        let e = Error::Timeout {
            path: "/x".into(),
            limit: Duration::from_secs(1),
        };
        assert!(matches!(e.of_run("api", &run), Error::Timeout { .. }));
    }
}
