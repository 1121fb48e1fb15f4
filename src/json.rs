//! The body SEI receives: compact JSON, byte for byte what `serde_json::to_vec` writes for the
//! [`Payload`], with the stages and steps written by hand.
//!
//! A run of 1,000 jobs has 20,000 steps or more, and serde_json spends most of its time on
//! their keys (each is escaped anew, in three writes) rather than on their values; here a key
//! is one copy of a constant and a value is checked once and copied once. Everything else (the
//! run's fields) goes through serde. The tests hold the two writers equal, so a field added to
//! a stage or a step without its line here fails them.

use crate::payload::{IsoTime, Payload, Stage, Step};
use crate::time::{iso, iso_bytes};

/// How serde ends a payload whose stages were taken out: `job_run` is the last field.
const EMPTY_TAIL: &[u8] = b"\"job_run\":{\"stages\":[]}}";

/// The payload as compact JSON. The stages are taken out while serde writes the rest, and put
/// back.
pub fn to_vec(payload: &mut Payload) -> serde_json::Result<Vec<u8>> {
    let stages = std::mem::take(&mut payload.job_run.stages);
    let head = serde_json::to_vec(payload);
    payload.job_run.stages = stages;
    let mut out = head?;
    if !out.ends_with(EMPTY_TAIL) {
        // The payload's fields were reordered: serde alone still writes the right bytes.
        return serde_json::to_vec(payload);
    }
    out.truncate(out.len() - b"]}}".len());
    let stages = &payload.job_run.stages;
    let steps: usize = stages.iter().map(|s| s.steps.len()).sum();
    out.reserve(stages.len() * 320 + steps * 200 + 3);
    for (i, stage) in stages.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_stage(&mut out, stage);
    }
    out.extend_from_slice(b"]}}");
    Ok(out)
}

fn write_stage(out: &mut Vec<u8>, s: &Stage) {
    out.extend_from_slice(b"{\"id\":");
    string(out, &s.id);
    out.extend_from_slice(b",\"displayName\":");
    string(out, &s.display_name);
    out.extend_from_slice(b",\"displayDescription\":");
    string(out, &s.display_description);
    out.extend_from_slice(b",\"result\":");
    string(out, &s.result);
    out.extend_from_slice(b",\"state\":");
    string(out, &s.state);
    out.extend_from_slice(b",\"durationInMillis\":");
    integer(out, s.duration_in_millis);
    out.extend_from_slice(b",\"startTime\":");
    time(out, s.start_time);
    out.extend_from_slice(b",\"steps\":[");
    for (i, step) in s.steps.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_step(out, step);
    }
    out.extend_from_slice(b"]}");
}

fn write_step(out: &mut Vec<u8>, s: &Step) {
    out.extend_from_slice(b"{\"id\":");
    string(out, &s.id);
    out.extend_from_slice(b",\"displayName\":");
    let name = out.len();
    string(out, &s.display_name);
    out.extend_from_slice(b",\"displayDescription\":");
    if s.display_description == s.display_name {
        // A step's description is its name: the escaped text is copied, not made again.
        let end = name + (out.len() - name - b",\"displayDescription\":".len());
        out.extend_from_within(name..end);
    } else {
        string(out, &s.display_description);
    }
    out.extend_from_slice(b",\"result\":");
    string(out, &s.result);
    out.extend_from_slice(b",\"state\":");
    string(out, &s.state);
    out.extend_from_slice(b",\"durationInMillis\":");
    integer(out, s.duration_in_millis);
    out.extend_from_slice(b",\"startTime\":");
    time(out, s.start_time);
    out.push(b'}');
}

/// An instant as a JSON string: digits need no escaping.
fn time(out: &mut Vec<u8>, t: IsoTime) {
    match iso_bytes(t.0) {
        Some(text) => {
            out.push(b'"');
            out.extend_from_slice(&text);
            out.push(b'"');
        }
        None => string(out, &iso(t.0)),
    }
}

/// A JSON string, escaped as serde_json does: `\"`, `\\`, the short forms of backspace, tab,
/// newline, form feed and carriage return, `\u00xx` for other control characters, and every
/// other character as it is.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.push(b'"');
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0C => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xF)]);
        } else {
            out.extend_from_slice(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether any byte is a control character, `"` or `\\`: eight bytes at a time (the classic
/// "has a zero byte" and "has a byte less than n" word tricks, exact for whether any byte
/// matches), the last word overlapping the one before.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let hit = |word: [u8; 8]| {
        let x = u64::from_le_bytes(word);
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
        (x.wrapping_sub(ONES * 0x20) & !x & HIGHS)
            | zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            != 0
    };
    if bytes.len() < 8 {
        return bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    }
    let mut chunks = bytes.chunks_exact(8);
    let last: [u8; 8] = bytes[bytes.len() - 8..].try_into().unwrap_or([b'a'; 8]);
    chunks.any(|c| hit(c.try_into().unwrap_or([b'a'; 8]))) || hit(last)
}

/// An integer in decimal, two digits at a time.
fn integer(out: &mut Vec<u8>, n: i64) {
    // "00", "01", ... "99".
    const PAIRS: [u8; 200] = {
        let mut t = [0u8; 200];
        let mut i = 0;
        while i < 100 {
            t[2 * i] = b'0' + (i / 10) as u8;
            t[2 * i + 1] = b'0' + (i % 10) as u8;
            i += 1;
        }
        t
    };
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut v = n.unsigned_abs();
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[v as usize * 2..v as usize * 2 + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + v as u8;
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::JobRun;
    use compact_str::{format_compact, CompactString};

    fn serde(value: &impl serde::Serialize) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut every_ascii = String::new();
        for c in 0u8..=0x7F {
            every_ascii.push(char::from(c));
        }
        for s in [
            "",
            "plain",
            "Run actions/checkout@v4",
            "quote \" and backslash \\ and slash /",
            "tab\tnewline\ncr\rbs\u{8}ff\u{c}nul\u{0}esc\u{1b}us\u{1f}del\u{7f}",
            "matrix (ubuntu-latest, 3.12) · 🦀 ünïcödé \u{2028}\u{2029}",
            &every_ascii,
        ] {
            let mut out = Vec::new();
            string(&mut out, s);
            assert_eq!(String::from_utf8(out).unwrap(), serde(&s), "{s:?}");
        }
    }

    #[test]
    fn the_escape_check_finds_every_byte_that_needs_one_wherever_it_is() {
        for len in 0..20 {
            assert!(!needs_escape(&vec![b'a'; len]), "{len}");
            assert!(!needs_escape(&vec![0xC3; len]), "non-ASCII bytes need none");
            for at in 0..len {
                for b in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    assert!(needs_escape(&s), "{b:#x} at {at} of {len}");
                }
                for b in (0x20u8..=0xFF).filter(|b| !matches!(b, b'"' | b'\\')) {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    assert!(!needs_escape(&s), "{b:#x} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn integers_are_written_as_serde_json_writes_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            -1,
            -10,
            1_734_887_491_000,
            i64::MAX,
            i64::MIN,
        ] {
            let mut out = Vec::new();
            integer(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), serde(&n), "{n}");
        }
    }

    /// A payload with every optional field set and text that needs escaping everywhere.
    fn payload() -> Payload {
        let text = |i: usize| format_compact!("name \"{i}\" \\ tab\t· ünï {i}");
        let stages = (0..3)
            .map(|i| Stage {
                id: format_compact!("{}", 9_000_000_000u64 + i as u64),
                display_name: text(i),
                display_description: text(i + 10),
                result: CompactString::const_new("FAILURE"),
                state: CompactString::const_new("FINISHED"),
                duration_in_millis: -(i as i64) * 1000 + 1,
                // The last stage starts after year 9999, where chrono writes the time.
                start_time: IsoTime(
                    chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(i as i64 * 1_500_000),
                ),
                steps: (0..i)
                    .map(|k| Step {
                        id: format_compact!("{}", k + 1),
                        display_name: text(k),
                        display_description: text(k),
                        result: CompactString::const_new("SUCCESS"),
                        state: CompactString::const_new("FINISHED"),
                        duration_in_millis: 1_734_887_491_000,
                        start_time: IsoTime(
                            chrono::DateTime::UNIX_EPOCH
                                + chrono::Duration::milliseconds(k as i64 * 1001),
                        ),
                    })
                    .collect(),
            })
            .collect();
        let mut p: Payload = serde_json::from_value(serde_json::json!({
            "pipeline": "CI \"quoted\"", "job_full_name": "o/r/CI", "qualified_name": "o/r/CI",
            "project_name": "o/r", "module_name": "m", "instance_guid": "g",
            "instance_name": "GitHub Actions", "instance_url": "https://github.com",
            "repo_url": "https://github.com/o/r", "branch_name": null, "user_id": "me",
            "start_time": 1, "duration": 2, "result": "FAILURE", "build_number": 3,
            "execution_id": "1-1", "scm_commit_ids": ["abc"],
            "job_run_params": [{"type": "StringParameterValue", "name": "a", "value": "b"}],
            "ci": true, "cd": false,
            "artifacts": [{"input": false, "output": true, "type": "container",
                           "location": null, "name": "img", "qualifier": "1"}],
            "trigger_chain": [{"id": "x", "type": "UpstreamCause", "job_run_number": 4}],
            "cfr_status": true, "themes": ["t"], "job_run": {"stages": []}
        }))
        .unwrap();
        p.job_run = JobRun { stages };
        p
    }

    #[test]
    fn the_body_is_what_serde_json_writes() {
        let mut p = payload();
        let before = p.clone();
        let body = to_vec(&mut p).unwrap();
        assert_eq!(p, before, "the stages are put back");
        assert_eq!(String::from_utf8(body).unwrap(), serde(&p));

        let mut none = payload();
        none.job_run.stages.clear();
        none.themes.clear();
        none.cfr_status = None;
        assert_eq!(
            String::from_utf8(to_vec(&mut none).unwrap()).unwrap(),
            serde(&none)
        );
    }
}
