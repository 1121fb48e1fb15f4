//! Instants and spans in SEI's units: epoch milliseconds, ISO-8601 UTC with `Z`, and durations
//! in milliseconds that are never negative (clocks and reused jobs make end < start happen).
//! And how people read them: one duration format for every log line ([`human`]), the short form
//! SEI's stage descriptions and the job summary keep ([`compact`]), one clock ([`clock`]) and
//! one instant ([`stamp`]).

use chrono::{DateTime, SecondsFormat, Utc};
use std::time::Duration;

/// Epoch milliseconds.
pub(crate) fn epoch_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// `2024-12-22T17:11:31.000Z`: what the server's ISO-8601 instant parser takes.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Milliseconds from `start` to `end`, clamped at zero.
pub(crate) fn span_ms(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_milliseconds().max(0)
}

/// A length of time in a log line (every one says durations this way): `850 ms`, `2.5 s`,
/// `72 s`, then minutes from 100 s: `3m 20s`, `1h 02m 03s`.
pub(crate) fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 100_000 {
        let s = format!("{:.1}", d.as_secs_f64());
        format!("{} s", s.trim_end_matches(".0"))
    } else {
        compact(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

/// [`human`] of milliseconds (a payload's durations); negative ones are zero.
pub(crate) fn human_ms(ms: i64) -> String {
    human(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

/// The short form of a duration in SEI's stage descriptions (`queued 5s`, which SEI stores:
/// kept as it was) and in the job summary's run line, table and chart, which show the payload:
/// `850ms`, `5s`, `1m 12s`, `1h 02m 03s`.
pub(crate) fn compact(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s:02}s"),
        (h, m, s) => format!("{h}h {m:02}m {s:02}s"),
    }
}

/// A time of day in a log line, for what happens within the hour (a rate limit's reset):
/// `17:11:31 UTC`, from epoch seconds.
pub(crate) fn clock(epoch: u64) -> String {
    DateTime::from_timestamp(i64::try_from(epoch).unwrap_or(0), 0)
        .map(|t| t.format("%H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// An instant to the second, `2024-12-22T17:11:31Z`: in log lines (a window, a run's
/// creation), the state file, and GitHub's `created` filter, which reads it as written.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    #[test]
    fn units() {
        let a = parse_time("2024-12-22T17:11:31Z").unwrap();
        let b = parse_time("2024-12-22T09:11:55.500-08:00").unwrap();
        assert_eq!(epoch_ms(a), 1_734_887_491_000);
        assert_eq!(iso(b), "2024-12-22T17:11:55.500Z");
        assert_eq!(span_ms(a, b), 24_500);
        assert_eq!(span_ms(b, a), 0);
    }

    #[test]
    fn human_durations() {
        assert_eq!(compact(-5), "0ms");
        assert_eq!(compact(850), "850ms");
        assert_eq!(compact(74_000), "1m 14s");
        assert_eq!(compact(3_723_000), "1h 02m 03s");
    }

    #[test]
    fn log_durations() {
        let ms = Duration::from_millis;
        assert_eq!(human(ms(850)), "850 ms");
        assert_eq!(human(ms(2500)), "2.5 s");
        assert_eq!(human(Duration::from_secs(2)), "2 s");
        assert_eq!(human(Duration::from_secs(72)), "72 s");
        assert_eq!(human(ms(99_960)), "100 s");
        assert_eq!(human(Duration::from_secs(200)), "3m 20s");
        assert_eq!(human(Duration::from_secs(3600)), "1h 00m 00s");
        assert_eq!(human_ms(-5), "0 ms");
        assert_eq!(human_ms(72_400), "72.4 s");
    }

    #[test]
    fn clocks_and_instants() {
        assert_eq!(clock(1_734_887_491), "17:11:31 UTC");
        assert_eq!(
            stamp(parse_time("2024-12-22T09:11:31.750-08:00").unwrap()),
            "2024-12-22T17:11:31Z"
        );
    }
}
