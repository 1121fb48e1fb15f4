//! When to try a request again and how long to wait first: the rules for GitHub and SEI alike,
//! pure, with the clock and the random source passed in, plus the small async loop that applies
//! them ([`run`]).
//!
//! - One deadline (`timeout`) bounds a whole command: every attempt, every wait. An attempt is cut
//!   when the deadline comes; no wait is started that would end past it.
//! - At most `max-attempts` attempts per request.
//! - Retried: transport errors (refused, reset, cut off, timed out) and the statuses in
//!   [`RETRYABLE`]; GitHub's rate limits too. Everything else is final: sending the same request
//!   again would get the same answer.
//! - The wait is the server's when it names one (`Retry-After` as seconds or an HTTP date,
//!   GitHub's `x-ratelimit-reset`), else an exponential backoff with jitter whose first step is
//!   scaled to the deadline, so every attempt fits in it.

use http::HeaderMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The default `timeout`.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default `max-attempts`.
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// The longest single attempt: one hung connection leaves time for another.
pub(crate) const ATTEMPT_CAP: Duration = Duration::from_secs(30);
/// The shortest attempt: a request that starts at the deadline still gets this long.
pub(crate) const ATTEMPT_FLOOR: Duration = Duration::from_secs(1);
/// The longest backoff between two attempts.
pub(crate) const WAIT_CAP: Duration = Duration::from_secs(30);
/// Bounds of the first backoff step.
const BASE_MAX: Duration = Duration::from_secs(1);
const BASE_MIN: Duration = Duration::from_millis(50);

/// Statuses worth another try: the server timed out, is busy or restarting, or a proxy in front
/// of it gave up.
pub(crate) const RETRYABLE: [u16; 7] = [408, 425, 429, 500, 502, 503, 504];

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// The deadline for the whole command, counted from its start.
    pub timeout: Duration,
    /// Attempts per request, the first included (1: no retry).
    pub max_attempts: u32,
    /// The first backoff step; each next one doubles.
    pub base: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new(DEFAULT_TIMEOUT, DEFAULT_MAX_ATTEMPTS)
    }
}

/// What one failed attempt means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Worth another try; `wait` is how long the server asked for, if it did.
    Retry { wait: Option<Duration> },
    /// Trying again would get the same answer.
    Final,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    Wait(Duration),
    Stop(Stop),
}

/// Why the trying stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The answer was final.
    Final,
    /// `max-attempts` were made.
    Attempts,
    /// The deadline came, or the wait the server asked for (`asked`) would end past it.
    Deadline { asked: Option<Duration> },
}

impl Policy {
    /// The log line of a retry after `made` attempts: `<what>; trying again in 1.2 s (attempt 2
    /// of 5)`.
    pub(crate) fn retry_line(
        &self,
        what: impl std::fmt::Display,
        made: u32,
        wait: Duration,
    ) -> String {
        format!(
            "{what}; trying again in {} (attempt {} of {})",
            crate::time::human(wait),
            made + 1,
            self.max_attempts
        )
    }

    /// A policy for a deadline and a number of attempts. The first backoff step is the deadline
    /// shared out so that all the doubling waits take at most half of it, between 50 ms and 1 s:
    /// 1 s for the defaults (waits of about 1, 2, 4, 8 s), 100 ms for a 3 s deadline.
    pub(crate) fn new(timeout: Duration, max_attempts: u32) -> Policy {
        let max_attempts = max_attempts.max(1);
        let steps = 2f64.powi(max_attempts.saturating_sub(1).min(30) as i32) - 1.0;
        let base = if steps >= 1.0 {
            timeout.div_f64(2.0 * steps).clamp(BASE_MIN, BASE_MAX)
        } else {
            BASE_MAX
        };
        Policy {
            timeout,
            max_attempts,
            base,
        }
    }

    /// The backoff after `failed` attempts (1 for the first), for a random `unit` in [0, 1):
    /// between half and all of `base * 2^(failed-1)`, at most [`WAIT_CAP`].
    pub(crate) fn backoff(&self, failed: u32, unit: f64) -> Duration {
        let exp = failed.saturating_sub(1).min(20) as i32;
        let full = self.base.mul_f64(2f64.powi(exp)).min(WAIT_CAP);
        full.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
    }

    /// How long the next attempt may take when `elapsed` of the deadline is gone: the rest of
    /// the deadline, at most [`ATTEMPT_CAP`], at least [`ATTEMPT_FLOOR`].
    pub(crate) fn attempt_timeout(&self, elapsed: Duration) -> Duration {
        self.timeout
            .saturating_sub(elapsed)
            .clamp(ATTEMPT_FLOOR.min(self.timeout), ATTEMPT_CAP)
    }

    /// After attempt number `made` failed with `verdict`, at `elapsed` into the deadline: wait,
    /// or stop. The server's wait is taken as asked, or not at all when it does not fit; the
    /// backoff is shortened to leave at least half of what remains for the attempt.
    pub(crate) fn next(&self, made: u32, elapsed: Duration, verdict: Verdict, unit: f64) -> Next {
        let Verdict::Retry { wait } = verdict else {
            return Next::Stop(Stop::Final);
        };
        if made >= self.max_attempts {
            return Next::Stop(Stop::Attempts);
        }
        let remaining = self.timeout.saturating_sub(elapsed);
        let deadline = Next::Stop(Stop::Deadline { asked: wait });
        let wait = match wait {
            Some(asked) if asked >= remaining => return deadline,
            Some(asked) => asked,
            None => self.backoff(made, unit).min(remaining / 2),
        };
        if remaining.saturating_sub(wait) < ATTEMPT_FLOOR.min(self.timeout) / 2 {
            return deadline;
        }
        Next::Wait(wait)
    }
}

/// Whether a status is worth another try.
pub(crate) fn retryable_status(status: u16) -> bool {
    RETRYABLE.contains(&status)
}

/// SEI's answer: a status from [`RETRYABLE`] is retried after its `Retry-After`, if any.
pub(crate) fn sei(status: u16, retry_after_header: Option<&str>, now: SystemTime) -> Verdict {
    if retryable_status(status) {
        Verdict::Retry {
            wait: retry_after_header.and_then(|v| retry_after(v, now)),
        }
    } else {
        Verdict::Final
    }
}

/// GitHub's answer. Besides [`RETRYABLE`]: a secondary rate limit (403 or 429 with
/// `retry-after`, or a message saying so) waits as asked; an exhausted primary limit
/// (`x-ratelimit-remaining: 0`) waits until `x-ratelimit-reset`. Any other 403 is final.
pub(crate) fn github(status: u16, headers: &HeaderMap, message: &str, now: SystemTime) -> Verdict {
    let asked = header(headers, "retry-after").and_then(|v| retry_after(v, now));
    let reset = rate_limit_reset(headers, now);
    let limited = message.to_ascii_lowercase().contains("rate limit");
    match status {
        403 | 429 if asked.is_some() => Verdict::Retry { wait: asked },
        403 | 429 if reset.is_some() => Verdict::Retry { wait: reset },
        403 if limited => Verdict::Retry { wait: None },
        s if retryable_status(s) => Verdict::Retry { wait: asked },
        _ => Verdict::Final,
    }
}

/// When GitHub's primary rate limit resets (`x-ratelimit-reset`, epoch seconds), when it is used
/// up (`x-ratelimit-remaining: 0`).
pub(crate) fn rate_limit_reset_at(headers: &HeaderMap) -> Option<u64> {
    if header(headers, "x-ratelimit-remaining")?.trim() != "0" {
        return None;
    }
    header(headers, "x-ratelimit-reset")?.trim().parse().ok()
}

/// The wait until GitHub's primary rate limit resets, when `x-ratelimit-remaining` is 0 (one
/// second more than the reset time, which GitHub counts in whole seconds).
pub(crate) fn rate_limit_reset(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let reset = UNIX_EPOCH + Duration::from_secs(rate_limit_reset_at(headers)? + 1);
    Some(reset.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `Retry-After`: seconds (fractions accepted) or an HTTP date; a date in the past is no wait.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = http_date(value)?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// An HTTP date in any of its three forms: `Sun, 06 Nov 1994 08:49:37 GMT` (the one servers
/// send), `Sunday, 06-Nov-94 08:49:37 GMT` and `Sun Nov  6 08:49:37 1994`.
pub(crate) fn http_date(value: &str) -> Option<SystemTime> {
    use chrono::{DateTime, NaiveDateTime};
    let utc = if let Ok(d) = DateTime::parse_from_rfc2822(value) {
        d.to_utc()
    } else {
        let folded = value.split_whitespace().collect::<Vec<_>>().join(" ");
        [
            "%A, %d-%b-%y %H:%M:%S GMT",
            "%a %b %e %H:%M:%S %Y",
            "%a %b %d %H:%M:%S %Y",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&folded, f).ok())?
        .and_utc()
    };
    let secs = u64::try_from(utc.timestamp()).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

/// Time and chance, as [`run`] sees them.
pub(crate) trait Clock {
    /// Time gone since the deadline's start.
    fn elapsed(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&self, d: Duration) -> impl Future<Output = ()>;
    /// A number in [0, 1) for the jitter.
    fn random(&self) -> f64;
}

/// The real clock: a deadline that starts when this is made, tokio's timer, and std's
/// randomly keyed hasher as the random source (good enough to spread retries). Clones share
/// the deadline, and time granted with [`SystemClock::grant`].
#[derive(Debug, Clone)]
pub(crate) struct SystemClock {
    start: std::time::Instant,
    granted_ms: Arc<AtomicU64>,
}

impl SystemClock {
    pub(crate) fn start() -> SystemClock {
        SystemClock {
            start: std::time::Instant::now(),
            granted_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Moves the deadline `d` later, for this clock and its clones (time spent on purpose, like
    /// waiting for other jobs to finish, that `timeout` does not count).
    pub(crate) fn grant(&self, d: Duration) {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        self.granted_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        let granted = Duration::from_millis(self.granted_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(granted)
    }

    fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
        tokio::time::sleep(d)
    }

    fn random(&self) -> f64 {
        use std::hash::BuildHasher;
        let bits = std::collections::hash_map::RandomState::new().hash_one(self.start.elapsed());
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How a request that never succeeded ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failed<E> {
    /// The last attempt's error.
    pub error: E,
    pub attempts: u32,
    pub stop: Stop,
    /// Time gone in the deadline when it stopped.
    pub elapsed: Duration,
}

/// Runs `attempt` (given its number, from 1, and how long it may take) until it succeeds or
/// the policy says stop; calls `waiting` before each wait with the error, the number of the
/// attempt that failed and the wait.
pub(crate) async fn run<T, E, C, F, Fut>(
    policy: &Policy,
    clock: &C,
    mut attempt: F,
    mut waiting: impl FnMut(&E, u32, Duration),
) -> Result<T, Failed<E>>
where
    C: Clock,
    F: FnMut(u32, Duration) -> Fut,
    Fut: Future<Output = Result<T, (E, Verdict)>>,
{
    let mut made = 0;
    loop {
        made += 1;
        let limit = policy.attempt_timeout(clock.elapsed());
        let (error, verdict) = match attempt(made, limit).await {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        let elapsed = clock.elapsed();
        match policy.next(made, elapsed, verdict, clock.random()) {
            Next::Wait(d) => {
                waiting(&error, made, d);
                clock.sleep(d).await;
            }
            Next::Stop(stop) => {
                return Err(Failed {
                    error,
                    attempts: made,
                    stop,
                    elapsed,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// A clock that moves only when told: sleeping and attempts advance it.
    struct FakeClock {
        now: Cell<Duration>,
        random: Cell<f64>,
        slept: RefCell<Vec<Duration>>,
    }

    impl FakeClock {
        fn new(random: f64) -> Self {
            FakeClock {
                now: Cell::new(Duration::ZERO),
                random: Cell::new(random),
                slept: RefCell::new(Vec::new()),
            }
        }
        fn advance(&self, d: Duration) {
            self.now.set(self.now.get() + d);
        }
    }

    impl Clock for FakeClock {
        fn elapsed(&self) -> Duration {
            self.now.get()
        }
        fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
            self.slept.borrow_mut().push(d);
            self.advance(d);
            std::future::ready(())
        }
        fn random(&self) -> f64 {
            self.random.get()
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const RETRY: Verdict = Verdict::Retry { wait: None };

    #[test]
    fn the_first_step_is_scaled_to_the_deadline() {
        assert_eq!(Policy::default().base, S(1), "60 s, 5 attempts");
        assert_eq!(
            Policy::new(S(3), 5).base,
            MS(100),
            "3 s shared by 15 steps, halved"
        );
        assert_eq!(Policy::new(MS(100), 5).base, MS(50), "never below 50 ms");
        assert_eq!(Policy::new(S(600), 3).base, S(1), "never above 1 s");
        assert_eq!(
            Policy::new(S(60), 0).max_attempts,
            1,
            "at least one attempt"
        );
        // Every wait of a full run of attempts fits in half the deadline.
        for (timeout, attempts) in [(S(3), 5), (S(10), 4), (S(60), 5), (S(2), 2)] {
            let p = Policy::new(timeout, attempts);
            let total: Duration = (1..attempts).map(|n| p.backoff(n, 0.999_999)).sum();
            assert!(total <= timeout / 2, "{timeout:?} {attempts}: {total:?}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_between_half_and_all_and_is_capped() {
        let p = Policy::default();
        assert_eq!(p.backoff(1, 0.0), MS(500));
        assert_eq!(p.backoff(1, 1.0), S(1));
        assert_eq!(p.backoff(2, 0.0), S(1));
        assert_eq!(p.backoff(3, 0.5), MS(3000));
        assert_eq!(p.backoff(4, 1.0), S(8));
        assert_eq!(p.backoff(40, 1.0), WAIT_CAP);
        assert_eq!(p.backoff(40, 0.0), WAIT_CAP / 2);
        // A random source gone wrong cannot push the wait out of its bounds.
        assert_eq!(p.backoff(1, 7.0), S(1));
        assert_eq!(p.backoff(1, -1.0), MS(500));
    }

    #[test]
    fn retryable_statuses_and_final_ones() {
        let now = SystemTime::now();
        for s in [408, 425, 429, 500, 502, 503, 504] {
            assert_eq!(sei(s, None, now), RETRY, "{s}");
        }
        for s in [400, 401, 403, 404, 405, 413, 422, 501, 505, 301] {
            assert_eq!(sei(s, None, now), Verdict::Final, "{s}");
        }
    }

    #[test]
    fn retry_after_as_seconds_or_an_http_date() {
        let now = UNIX_EPOCH + S(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after("2", now), Some(S(2)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(retry_after("0.25", now), Some(MS(250)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(S(10))
        );
        assert_eq!(
            retry_after("Sunday, 06-Nov-94 08:49:57 GMT", now),
            Some(S(20))
        );
        assert_eq!(retry_after("Sun Nov  6 08:50:37 1994", now), Some(S(60)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past: no wait"
        );
        for bad in ["-1", "soon", "", "NaN", "inf", "1e999"] {
            assert_eq!(retry_after(bad, now), None, "{bad}");
        }
        assert_eq!(
            retry_after("9999999999", now),
            Some(S(86_400)),
            "capped at a day"
        );
        let h = Some("3");
        assert_eq!(sei(503, h, now), Verdict::Retry { wait: Some(S(3)) });
        assert_eq!(sei(429, h, now), Verdict::Retry { wait: Some(S(3)) });
        assert_eq!(
            sei(400, h, now),
            Verdict::Final,
            "a hint does not make 400 retryable"
        );
        assert_eq!(
            sei(503, Some("later"), now),
            RETRY,
            "a hint that does not parse"
        );
    }

    #[test]
    fn github_rate_limits() {
        let now = UNIX_EPOCH + S(1_700_000_000);
        // Secondary limit: 403 or 429 with retry-after.
        let h = headers(&[("retry-after", "30")]);
        assert_eq!(
            github(403, &h, "", now),
            Verdict::Retry { wait: Some(S(30)) }
        );
        assert_eq!(
            github(429, &h, "", now),
            Verdict::Retry { wait: Some(S(30)) }
        );
        // Secondary limit named only in the message.
        let msg = "You have exceeded a secondary rate limit. Please wait a few minutes.";
        assert_eq!(github(403, &HeaderMap::new(), msg, now), RETRY);
        // Primary limit used up: wait until the reset, one second more.
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1700000042"),
        ]);
        assert_eq!(
            github(403, &h, "API rate limit exceeded", now),
            Verdict::Retry { wait: Some(S(43)) }
        );
        assert_eq!(rate_limit_reset(&h, now + S(100)), Some(Duration::ZERO));
        // Remaining requests: not a rate limit, a permission problem.
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        assert_eq!(
            github(403, &h, "Resource not accessible by integration", now),
            Verdict::Final
        );
        assert_eq!(
            github(404, &HeaderMap::new(), "Not Found", now),
            Verdict::Final
        );
        assert_eq!(
            github(401, &HeaderMap::new(), "Bad credentials", now),
            Verdict::Final
        );
        assert_eq!(github(502, &HeaderMap::new(), "", now), RETRY);
    }

    #[test]
    fn next_retries_until_the_attempts_are_spent() {
        let p = Policy::new(S(60), 3);
        assert_eq!(p.next(1, S(0), RETRY, 0.0), Next::Wait(MS(500)));
        assert_eq!(p.next(2, S(1), RETRY, 0.0), Next::Wait(S(1)));
        assert_eq!(p.next(3, S(2), RETRY, 0.0), Next::Stop(Stop::Attempts));
        assert_eq!(
            p.next(1, S(0), Verdict::Final, 0.0),
            Next::Stop(Stop::Final)
        );
    }

    #[test]
    fn next_honours_the_server_and_the_deadline() {
        let p = Policy::new(S(60), 5);
        let asked = |s| Verdict::Retry { wait: Some(S(s)) };
        assert_eq!(
            p.next(1, S(0), asked(2), 0.0),
            Next::Wait(S(2)),
            "as asked, no jitter"
        );
        assert_eq!(p.next(1, S(10), asked(45), 0.0), Next::Wait(S(45)));
        assert_eq!(
            p.next(1, S(20), asked(45), 0.0),
            Next::Stop(Stop::Deadline { asked: Some(S(45)) }),
            "the server's wait does not fit: stop now rather than wait for nothing"
        );
        assert_eq!(
            p.next(1, S(59) + MS(700), asked(0), 0.0),
            Next::Stop(Stop::Deadline { asked: Some(S(0)) }),
            "no time left for an attempt"
        );
        // Our own backoff is shortened to leave half of what remains.
        let p = Policy::new(S(10), 5);
        assert_eq!(p.next(4, S(7), RETRY, 1.0), Next::Wait(MS(1500)));
        assert_eq!(
            p.next(4, S(9) + MS(800), RETRY, 1.0),
            Next::Stop(Stop::Deadline { asked: None })
        );
    }

    #[test]
    fn attempts_get_the_rest_of_the_deadline_within_bounds() {
        let p = Policy::default();
        assert_eq!(p.attempt_timeout(S(0)), ATTEMPT_CAP);
        assert_eq!(p.attempt_timeout(S(50)), S(10));
        assert_eq!(
            p.attempt_timeout(S(70)),
            ATTEMPT_FLOOR,
            "a late request still gets a try"
        );
        assert_eq!(Policy::new(MS(300), 5).attempt_timeout(S(0)), MS(300));
    }

    #[test]
    fn run_succeeds_after_transient_failures() {
        let clock = FakeClock::new(0.0);
        let p = Policy::default();
        let mut waits = Vec::new();
        let out = block_on(run(
            &p,
            &clock,
            |n, _| {
                clock.advance(MS(100));
                std::future::ready(if n < 3 { Err(("503", RETRY)) } else { Ok(n) })
            },
            |e, n, d| waits.push((*e, n, d)),
        ));
        assert_eq!(out, Ok(3));
        assert_eq!(waits, [("503", 1, MS(500)), ("503", 2, S(1))]);
        assert_eq!(clock.elapsed(), MS(1800));
    }

    #[test]
    fn run_stops_on_a_final_answer_at_once() {
        let clock = FakeClock::new(0.5);
        let calls = Cell::new(0);
        let out: Result<(), _> = block_on(run(
            &Policy::default(),
            &clock,
            |_, _| {
                calls.set(calls.get() + 1);
                std::future::ready(Err(("401", Verdict::Final)))
            },
            |_, _, _| panic!("no wait"),
        ));
        let f = out.unwrap_err();
        assert_eq!((f.error, f.attempts, f.stop), ("401", 1, Stop::Final));
        assert_eq!(calls.get(), 1);
        assert!(clock.slept.borrow().is_empty());
    }

    #[test]
    fn run_gives_up_after_max_attempts() {
        let clock = FakeClock::new(1.0);
        let out: Result<(), _> = block_on(run(
            &Policy::new(S(60), 4),
            &clock,
            |_, _| std::future::ready(Err(("reset", RETRY))),
            |_, _, _| {},
        ));
        let f = out.unwrap_err();
        assert_eq!((f.attempts, f.stop), (4, Stop::Attempts));
        assert_eq!(*clock.slept.borrow(), [S(1), S(2), S(4)]);
    }

    #[test]
    fn run_stays_inside_the_deadline_even_when_attempts_hang() {
        let clock = FakeClock::new(1.0);
        let limits = RefCell::new(Vec::new());
        let out: Result<(), _> = block_on(run(
            &Policy::new(S(5), 10),
            &clock,
            |_, limit| {
                limits.borrow_mut().push(limit);
                clock.advance(limit); // every attempt times out
                std::future::ready(Err(("timed out", RETRY)))
            },
            |_, _, _| {},
        ));
        let f = out.unwrap_err();
        assert!(matches!(f.stop, Stop::Deadline { asked: None }), "{f:?}");
        assert!(clock.elapsed() <= S(5), "{:?}", clock.elapsed());
        assert_eq!(
            limits.borrow()[0],
            S(5),
            "the first attempt may take it all"
        );
    }

    #[test]
    fn run_waits_as_long_as_the_server_asks() {
        let clock = FakeClock::new(0.0);
        let out = block_on(run(
            &Policy::default(),
            &clock,
            |n, _| {
                std::future::ready(if n == 1 {
                    Err(((), Verdict::Retry { wait: Some(S(2)) }))
                } else {
                    Ok(())
                })
            },
            |_, _, _| {},
        ));
        assert!(out.is_ok());
        assert_eq!(*clock.slept.borrow(), [S(2)]);
    }

    #[test]
    fn granted_time_is_not_counted_by_any_clone() {
        let c = SystemClock::start();
        let clone = c.clone();
        c.grant(S(3600));
        assert!(clone.elapsed() < MS(10), "{:?}", clone.elapsed());
    }

    #[test]
    fn system_clock_random_stays_in_the_unit_interval() {
        let c = SystemClock::start();
        for _ in 0..1000 {
            let r = c.random();
            assert!((0.0..1.0).contains(&r), "{r}");
        }
    }
}
