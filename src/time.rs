//! Instants and spans in SEI's units: epoch milliseconds, ISO-8601 UTC with `Z`, and durations
//! in milliseconds that are never negative (clocks and reused jobs make end < start happen).

use chrono::{DateTime, SecondsFormat, Utc};

/// Epoch milliseconds.
pub fn epoch_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// `2024-12-22T17:11:31.000Z`: what the server's ISO-8601 instant parser takes.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Milliseconds from `start` to `end`, clamped at zero.
pub fn span_ms(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_milliseconds().max(0)
}

/// `1h 02m 03s`, `2m 05s`, `850ms`: for logs and the job summary.
pub fn human(ms: i64) -> String {
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
        assert_eq!(human(-5), "0ms");
        assert_eq!(human(850), "850ms");
        assert_eq!(human(74_000), "1m 14s");
        assert_eq!(human(3_723_000), "1h 02m 03s");
    }
}
