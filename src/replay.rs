//! The `replay` command: sends a payload file that a failed `report` kept (its `payload-file`
//! output) to SEI again, byte for byte, with the same retry rules, TLS settings and messages.
//! Safe to run more than once: SEI keeps the first report of each (job, build number).
//! Exit code 0 when SEI took it, 1 when it did not, 2 for bad input (the file included).
//!
//! Only a payload is sent ([`check`]): a JSON object with the fields SEI requires and an
//! instance GUID. Any other file (a registry's `config.json` downloaded by mistake, an artifact
//! of someone else's) is refused before the key goes anywhere. A backfill sends the payloads its
//! state kept through the same check.

use crate::args::ReplayArgs;
use crate::command::{exit_code, Command, Context, Ending, Tokens};
use crate::config::{self, InputError};
use crate::delivery;
use crate::runner::Runner;
use serde_json::Value;
use std::path::Path;

impl Command for ReplayArgs {
    type Settings = config::Replay;
    const NAME: &'static str = "replay";

    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            sei: &self.sei,
            github: None,
        }
    }

    fn load(&self, cx: &Context) -> Result<(config::Replay, Vec<String>), Vec<InputError>> {
        let mut cfg = config::load_replay(self, cx.env)?;
        let warnings = std::mem::take(&mut cfg.warnings);
        Ok((cfg, warnings))
    }

    fn bad_input(&self, cx: &Context, errors: &[InputError]) -> u8 {
        for e in errors {
            cx.runner.error(&e.0);
        }
        finish(&cx.runner, "failed", None, Ending::BadInput)
    }

    async fn run(&self, cfg: config::Replay, cx: &Context<'_>) -> u8 {
        let runner = &cx.runner;
        let (body, about) = match read(&cfg.file) {
            Ok(b) => b,
            Err(why) => {
                runner.error(&why);
                return finish(runner, "failed", None, Ending::BadInput);
            }
        };
        runner.info(&format!(
            "Sending {} ({about}, {:.1} kB) to {}",
            cfg.file.display(),
            body.len() as f64 / 1000.0,
            cfg.delivery.sei_endpoint
        ));
        let body = bytes::Bytes::from(body);
        let client = match delivery::client(&cfg.delivery) {
            Ok(c) => c,
            Err(failed) => {
                runner.error(&failed.message);
                return finish(runner, "failed", None, Ending::NotDelivered);
            }
        };
        let sent = delivery::send(
            &cfg.delivery,
            &client,
            runner,
            &cx.clock,
            &body,
            &about.contents,
        );
        match sent.await {
            Ok(answer) => finish(runner, "delivered", Some(answer.status), Ending::Done),
            Err(failed) => {
                let then = if failed.payload_refused {
                    "The file is unchanged"
                } else {
                    "The file is unchanged: run the replay again"
                };
                runner.error(&format!("{}. {then}", failed.message));
                finish(runner, "failed", failed.http_status, Ending::NotDelivered)
            }
        }
    }
}

/// What the payload says about itself, for the log.
#[derive(Debug)]
pub(crate) struct About {
    pub run: String,
    pub contents: String,
}

impl std::fmt::Display for About {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, {}", self.run, self.contents)
    }
}

/// The largest file read: SEI's default payload limit is far below (`max-payload-bytes`).
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Reads the file; it must hold a payload, as `report` writes it ([`check`]).
fn read(path: &Path) -> Result<(Vec<u8>, About), String> {
    // The file the user names (a link to it too), read up to the bound.
    let read = || -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut body = Vec::new();
        std::fs::File::open(path)?
            .take(MAX_FILE + 1)
            .read_to_end(&mut body)?;
        if body.len() as u64 > MAX_FILE {
            return Err(std::io::Error::other(format!(
                "larger than {} MiB",
                MAX_FILE / (1024 * 1024)
            )));
        }
        Ok(body)
    };
    let body =
        read().map_err(|e| format!("cannot read the payload file {} ({e})", path.display()))?;
    let about = check(&body).map_err(|why| {
        format!(
            "{} is not a payload kept by `sei-cicd report` ({why}): nothing was sent",
            path.display()
        )
    })?;
    Ok((body, about))
}

/// The fields SEI requires of a payload, each with the other name SEI also reads.
const REQUIRED_TEXT: [(&str, &str); 5] = [
    ("pipeline", "job_name"),
    ("job_full_name", "job_full_name"),
    ("qualified_name", "job_normalized_full_name"),
    ("instance_name", "jenkins_instance_name"),
    ("result", "result"),
];

/// Whether `body` is a payload SEI takes: one JSON object with SEI's required fields as text,
/// an instance GUID (a UUID), and `start_time` and `duration` as whole numbers. What it holds,
/// for the log; else what is wrong.
pub(crate) fn check(body: &[u8]) -> Result<About, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(map) = &value else {
        return Err("not a JSON object".into());
    };
    let field = |a: &str, b: &str| map.get(a).or_else(|| map.get(b));
    let mut missing: Vec<&str> = REQUIRED_TEXT
        .iter()
        .filter(|(a, b)| {
            field(a, b)
                .and_then(Value::as_str)
                .is_none_or(|s| s.trim().is_empty())
        })
        .map(|(a, _)| *a)
        .collect();
    let guid = field("instance_guid", "jenkins_instance_guid").and_then(Value::as_str);
    if guid.is_none_or(|g| uuid::Uuid::parse_str(g.trim()).is_err()) {
        missing.push("instance_guid");
    }
    for number in ["start_time", "duration"] {
        if !map.get(number).is_some_and(|v| v.is_i64() || v.is_u64()) {
            missing.push(number);
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "no {} as SEI requires them",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let text = |k: &str| match map.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(v) if !v.is_null() => v.to_string(),
        _ => "?".to_owned(),
    };
    let stages = value
        .pointer("/job_run/stages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let steps: usize = stages
        .iter()
        .filter_map(|s| s.get("steps")?.as_array().map(Vec::len))
        .sum();
    Ok(About {
        run: format!(
            "{} #{}, execution {}",
            text("job_full_name"),
            text("build_number"),
            text("execution_id")
        ),
        contents: delivery::contents(stages.len(), steps),
    })
}

/// Writes `status` and `http-status` in a workflow; returns the exit code.
/// Writes the outputs and returns the exit code: a replay is always a deliberate command, so it
/// ends like one everywhere: 2 for bad input (the file included), 1 when SEI did not take it.
fn finish(runner: &Runner, status: &str, http: Option<u16>, ending: Ending) -> u8 {
    if runner.has_output_file() {
        let outputs = [
            ("status", status.to_owned()),
            (
                "http-status",
                http.map(|c| c.to_string()).unwrap_or_default(),
            ),
        ];
        if let Err(e) = runner.set_outputs(&outputs, false) {
            runner.error(&format!(
                "could not write the step outputs (GITHUB_OUTPUT): {e}"
            ));
        }
    }
    exit_code(false, None, ending)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

    #[test]
    fn reads_a_kept_payload_and_says_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.json");
        std::fs::write(
            &f,
            format!(
                r#"{{"pipeline":"CI","job_full_name":"o/r/CI","qualified_name":"o/r/CI",
                "instance_name":"GitHub Actions","instance_guid":"{GUID}","result":"SUCCESS",
                "start_time":1700000000000,"duration":5000,"build_number":7,"execution_id":"9-1",
                "job_run":{{"stages":[{{"steps":[{{}},{{}}]}},{{"steps":[]}}]}}}}"#
            ),
        )
        .unwrap();
        let (body, about) = read(&f).unwrap();
        assert_eq!(body, std::fs::read(&f).unwrap(), "sent byte for byte");
        assert_eq!(
            about.to_string(),
            "o/r/CI #7, execution 9-1, 2 stages and 2 steps"
        );
    }

    #[test]
    fn refuses_what_report_would_not_have_written() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.json");
        assert!(read(&f).unwrap_err().contains("cannot read"));
        std::fs::write(&f, "{\"job_full_name\": ").unwrap();
        assert!(read(&f).unwrap_err().contains("not JSON"));
        std::fs::write(&f, "[1]").unwrap();
        assert!(read(&f).unwrap_err().contains("not a JSON object"));
        // A container registry's config.json: JSON, an object, no payload.
        std::fs::write(&f, r#"{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNz"}}}"#).unwrap();
        let e = read(&f).unwrap_err();
        assert!(
            e.contains("is not a payload kept by `sei-cicd report`"),
            "{e}"
        );
        assert!(
            e.contains("`pipeline`") && e.contains("`instance_guid`"),
            "{e}"
        );
        assert!(e.contains("nothing was sent"), "{e}");
        // Every field but a GUID that is one.
        let almost = r#"{"pipeline":"CI","job_full_name":"x","qualified_name":"x","instance_name":"x",
            "instance_guid":"not-a-guid","result":"SUCCESS","start_time":1,"duration":1}"#;
        let e = check(almost.as_bytes()).unwrap_err();
        assert_eq!(e, "no `instance_guid` as SEI requires them");
        assert!(check(almost.replace("not-a-guid", GUID).as_bytes()).is_ok());
    }
}
