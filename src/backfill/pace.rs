//! Keeping a long backfill within GitHub's limits, for every request of every run:
//! - the secondary limit on requests a minute (`max-requests-per-minute`, 900 on GitHub.com):
//!   requests start at least `60 s / N` apart;
//! - the primary limit (`x-ratelimit-remaining` until `x-ratelimit-reset`): when what is left
//!   (less a small reserve for the token's other users) will not cover what the backfill still
//!   needs, requests are spread so the budget lasts until the reset; when it is spent, requests
//!   wait for the reset, and the log says until when;
//! - requests in flight are bounded by the client ([`crate::github::client::GitHub::with_in_flight`]).
//!
//! The decisions are pure functions of the rate-limit headers, the time and the work left;
//! [`Pacer`] holds them between requests and is the client's [`Pace`].

use crate::github::client::{Pace, RateLimit};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Requests left to the token's other users: 1% of the limit.
pub(crate) fn reserve(limit: u64) -> u64 {
    limit / 100
}

/// The wait until the reset, when the budget is spent (down to the reserve) and the reset is
/// still ahead (a second more than it, which GitHub counts in whole seconds).
pub(crate) fn reset_wait(rate: Option<RateLimit>, now: u64) -> Option<Duration> {
    let r = rate?;
    (r.remaining <= reserve(r.limit) && r.reset >= now)
        .then(|| Duration::from_secs(r.reset - now + 1))
}

/// The least time between the starts of two requests: the per-minute limit's, or longer so the
/// budget left lasts until the reset when `needed` requests will not fit in it.
pub(crate) fn spacing(rate: Option<RateLimit>, now: u64, needed: u64, per_minute: u32) -> Duration {
    let floor = Duration::from_secs(60) / per_minute.max(1);
    let Some(r) = rate else {
        return floor;
    };
    let usable = r.remaining.saturating_sub(reserve(r.limit));
    if needed <= usable || usable == 0 || r.reset <= now {
        return floor;
    }
    let until_reset = Duration::from_secs(r.reset - now);
    floor.max(until_reset / u32::try_from(usable).unwrap_or(u32::MAX))
}

/// The client's pace for one backfill.
pub(crate) struct Pacer {
    per_minute: u32,
    inner: Mutex<Inner>,
    log: Box<dyn Fn(&str) + Send + Sync>,
}

#[derive(Default)]
struct Inner {
    rate: Option<RateLimit>,
    next: Option<Instant>,
    needed: u64,
    /// The reset last announced, so a wait is said once.
    announced_reset: u64,
    announced_spacing: bool,
    /// Time spent waiting for resets.
    waited: Duration,
}

impl Pacer {
    pub(crate) fn new(per_minute: u32, log: impl Fn(&str) + Send + Sync + 'static) -> Pacer {
        Pacer {
            per_minute,
            inner: Mutex::new(Inner::default()),
            log: Box::new(log),
        }
    }

    /// How many requests the backfill expects to need still.
    pub(crate) fn set_needed(&self, n: u64) {
        self.inner.lock().unwrap().needed = n;
    }

    /// Time spent waiting for the rate limit to reset.
    pub(crate) fn waited(&self) -> Duration {
        self.inner.lock().unwrap().waited
    }
}

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Pace for Pacer {
    fn wait(&self) -> Duration {
        let now = epoch_now();
        let mut g = self.inner.lock().unwrap();
        let mut wait = Duration::ZERO;
        if let Some(d) = reset_wait(g.rate, now) {
            let r = g.rate.unwrap_or(RateLimit {
                limit: 0,
                remaining: 0,
                reset: 0,
                used: 0,
            });
            if g.announced_reset != r.reset {
                g.announced_reset = r.reset;
                g.waited += d;
                (self.log)(&format!(
                    "GitHub's rate limit for the token is spent ({} of {} left) until {}: \
                     waiting {} for it to reset",
                    r.remaining,
                    r.limit,
                    crate::time::clock(r.reset),
                    crate::time::human(d)
                ));
            }
            wait = d;
        }
        let gap = spacing(g.rate, now, g.needed, self.per_minute);
        let floor = Duration::from_secs(60) / self.per_minute.max(1);
        if gap > floor && !g.announced_spacing {
            g.announced_spacing = true;
            if let Some(r) = g.rate {
                (self.log)(&format!(
                    "GitHub: about {} requests to go and {} left until {}: pacing to one \
                     request every {} so the budget lasts",
                    g.needed,
                    r.remaining,
                    crate::time::clock(r.reset),
                    crate::time::human(gap)
                ));
            }
        }
        let at = Instant::now() + wait;
        let start = match g.next {
            Some(next) if next > at => next,
            _ => at,
        };
        g.next = Some(start + gap);
        start.saturating_duration_since(Instant::now())
    }

    fn heard(&self, rate: RateLimit) {
        let mut g = self.inner.lock().unwrap();
        // Answers arrive out of order: a newer window, or fewer left in the same one.
        let newer = match g.rate {
            None => true,
            Some(old) => {
                rate.reset > old.reset
                    || (rate.reset == old.reset && rate.remaining < old.remaining)
            }
        };
        if newer {
            g.rate = Some(rate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(remaining: u64, reset: u64) -> Option<RateLimit> {
        Some(RateLimit {
            limit: 5000,
            remaining,
            reset,
            used: 5000 - remaining,
        })
    }

    #[test]
    fn the_per_minute_limit_spaces_requests() {
        assert_eq!(spacing(None, 0, 10, 900), Duration::from_secs(60) / 900);
        assert_eq!(
            spacing(rate(4000, 3600), 0, 100, 600),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn a_budget_too_small_for_the_work_is_spread_until_the_reset() {
        // 1,050 left, 50 kept in reserve: 1,000 requests over the 1,000 s to the reset.
        assert_eq!(
            spacing(rate(1050, 1000), 0, 5000, 900),
            Duration::from_secs(1)
        );
        // Enough left: no pacing beyond the per-minute limit.
        assert_eq!(
            spacing(rate(1050, 1000), 0, 900, 900),
            Duration::from_secs(60) / 900
        );
    }

    #[test]
    fn a_spent_budget_waits_for_the_reset() {
        assert_eq!(reset_wait(rate(0, 130), 100), Some(Duration::from_secs(31)));
        assert_eq!(
            reset_wait(rate(50, 130), 100),
            Some(Duration::from_secs(31)),
            "the reserve"
        );
        assert_eq!(reset_wait(rate(51, 130), 100), None);
        assert_eq!(reset_wait(rate(0, 90), 100), None, "the reset has passed");
        assert_eq!(reset_wait(None, 100), None);
    }

    #[test]
    fn the_pacer_keeps_the_newest_window_and_says_a_wait_once() {
        let said = std::sync::Arc::new(Mutex::new(Vec::new()));
        let s2 = said.clone();
        let p = Pacer::new(60_000, move |m| s2.lock().unwrap().push(m.to_owned()));
        let reset = epoch_now() + 2;
        p.heard(rate(10, reset).unwrap());
        p.heard(rate(20, reset).unwrap()); // older news of the same window
        assert!(p.wait() >= Duration::from_secs(2));
        assert!(p.wait() >= Duration::from_secs(2));
        assert_eq!(said.lock().unwrap().len(), 1, "{:?}", said.lock().unwrap());
        assert!(said.lock().unwrap()[0].contains("10 of 5000 left"));
    }
}
