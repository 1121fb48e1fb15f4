//! Instants and spans in SEI's units: epoch milliseconds, ISO-8601 UTC with `Z`, and durations
//! in milliseconds that are never negative (clocks and reused jobs make end < start happen).

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// Epoch milliseconds.
pub(crate) fn epoch_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// `2024-12-22T17:11:31.000Z`: what the server's ISO-8601 instant parser takes.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    match iso_bytes(t) {
        Some(b) => b.iter().map(|&c| char::from(c)).collect(),
        None => t.to_rfc3339_opts(SecondsFormat::Millis, true),
    }
}

/// [`iso`] as 24 ASCII bytes, written by hand: a big run has one per step, and chrono's
/// formatter costs ten times more. `None` for years outside 0..=9999 and for leap seconds,
/// which [`iso`] leaves to chrono.
pub(crate) fn iso_bytes(t: DateTime<Utc>) -> Option<[u8; 24]> {
    let n = t.naive_utc();
    let (date, clock) = (n.date(), n.time());
    let (year, millis) = (date.year(), clock.nanosecond() / 1_000_000);
    if !(0..=9999).contains(&year) || millis > 999 {
        return None;
    }
    let mut b = *b"0000-00-00T00:00:00.000Z";
    let mut pair = |at: usize, v: u32| {
        b[at] = b'0' + (v / 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    };
    let year = year as u32;
    pair(0, year / 100);
    pair(2, year % 100);
    pair(5, date.month());
    pair(8, date.day());
    pair(11, clock.hour());
    pair(14, clock.minute());
    pair(17, clock.second());
    pair(20, millis / 10);
    b[22] = b'0' + (millis % 10) as u8;
    Some(b)
}

/// Milliseconds from `start` to `end`, clamped at zero.
pub(crate) fn span_ms(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_milliseconds().max(0)
}

/// `1h 02m 03s`, `2m 05s`, `850ms`: for logs and the job summary.
pub(crate) fn human(ms: i64) -> String {
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
    fn iso_matches_chrono_everywhere() {
        use chrono::TimeZone;
        let mut t = Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap();
        // Every ~9.7 days and an odd number of milliseconds, over two centuries, then
        // every day around a few leap years and century boundaries.
        for _ in 0..8000 {
            assert_eq!(iso(t), t.to_rfc3339_opts(SecondsFormat::Millis, true));
            t += chrono::Duration::milliseconds(839_999_937);
        }
        for start in [1896, 1900, 1999, 2000, 2024, 2100] {
            let mut t = Utc.with_ymd_and_hms(start, 1, 1, 23, 59, 59).unwrap();
            for _ in 0..800 {
                assert_eq!(iso(t), t.to_rfc3339_opts(SecondsFormat::Millis, true));
                t += chrono::Duration::milliseconds(86_400_001);
            }
        }
        for t in [
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(0, 2, 29, 12, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            // A leap second, which chrono keeps as 1,500 ms past 23:59:59.
            Utc.from_utc_datetime(
                &chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
                    .unwrap()
                    .and_hms_milli_opt(23, 59, 59, 1_500)
                    .unwrap(),
            ),
        ] {
            assert_eq!(iso(t), t.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(-5), "0ms");
        assert_eq!(human(850), "850ms");
        assert_eq!(human(74_000), "1m 14s");
        assert_eq!(human(3_723_000), "1h 02m 03s");
    }
}
