//! The body SEI's `POST /v1/custom-cicd` takes: a flat JSON object (not the `data` wrapper the
//! public page mentions). Field names, units and vocabularies follow what the server reads
//! (`shared/docs/sei-contract.md`): epoch milliseconds, durations in milliseconds, `result` in the
//! Jenkins plugin's words, stage and step ids always present.
//!
//! serde_json writes the body ([`crate::pipeline`]), each object's fields in the order they are
//! declared here: the snapshots and the byte-for-byte check of every platform's payload hold
//! that order, so a field moves only on purpose.
//!
//! A big run has tens of thousands of steps, so stages and steps hold their text as
//! [`CompactString`] (ids, results, states and most names fit inline, in 24 bytes) and their
//! start as an [`IsoTime`]: mapping a step allocates little (see docs/benchmarks.md).

use crate::time;
use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One run of one pipeline, as SEI stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub pipeline: String,
    /// The job's identity in SEI: a job is unique on (instance, `job_full_name`).
    pub job_full_name: String,
    pub qualified_name: String,
    pub project_name: String,
    pub module_name: Option<String>,
    pub instance_guid: String,
    pub instance_name: String,
    pub instance_url: String,
    pub repo_url: String,
    pub branch_name: Option<String>,
    pub user_id: Option<String>,
    /// Epoch milliseconds.
    pub start_time: i64,
    /// Milliseconds.
    pub duration: i64,
    /// `SUCCESS`, `FAILURE`, `ABORTED` or `NOT_BUILT`.
    pub result: String,
    /// The run's identity within the job: the first report of a number wins.
    pub build_number: u64,
    pub execution_id: String,
    pub scm_commit_ids: Vec<String>,
    pub job_run_params: Vec<Param>,
    pub ci: bool,
    pub cd: bool,
    pub artifacts: Vec<Artifact>,
    pub trigger_chain: Vec<Trigger>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cfr_status: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub themes: Vec<String>,
    pub job_run: JobRun,
}

/// `{"type": "StringParameterValue", "name": ..., "value": ...}`; values are strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub value: String,
}

impl Param {
    pub fn string(name: impl Into<String>, value: impl Into<String>) -> Self {
        Param {
            kind: "StringParameterValue".into(),
            name: name.into(),
            value: value.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub input: bool,
    pub output: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub location: Option<String>,
    pub name: String,
    pub qualifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hash: Option<String>,
}

/// One cause in the chain, in the Jenkins plugin's words (`SCMTriggerCause`, `UserIdCause`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The upstream run's number, for `UpstreamCause`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub job_run_number: Option<u64>,
    /// The upstream run's own causes, for `UpstreamCause`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub direct_parents: Vec<Trigger>,
    /// The upstream run's GitHub run id, for `UpstreamCause`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub run_id: Option<u64>,
    /// The pull request's number, for a pull request's `SCMTriggerCause`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pull_request: Option<u64>,
    /// The schedule's cron line, for `TimerTriggerCause`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cron: Option<String>,
    /// For a re-run's `UserIdCause`: the attempt it re-ran (its build number is in
    /// `job_run_number`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rerun_of_attempt: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct JobRun {
    pub stages: Vec<Stage>,
}

/// A GitHub job. The server drops a stage without `id` and fails on a missing
/// `durationInMillis`, so both are always there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub id: CompactString,
    pub display_name: CompactString,
    pub display_description: CompactString,
    /// `SUCCESS`, `FAILURE`, `ABORTED`, `NOT_BUILT`, `UNKNOWN`.
    pub result: CompactString,
    /// `FINISHED`, `RUNNING`, `QUEUED`, `SKIPPED`, `NOT_BUILT`.
    pub state: CompactString,
    pub duration_in_millis: i64,
    /// ISO-8601 in UTC with `Z`.
    pub start_time: IsoTime,
    pub steps: Vec<Step>,
}

/// A GitHub step; `id` is the step number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub id: CompactString,
    pub display_name: CompactString,
    pub display_description: CompactString,
    pub result: CompactString,
    pub state: CompactString,
    pub duration_in_millis: i64,
    pub start_time: IsoTime,
}

/// An instant as SEI reads it: ISO-8601 in UTC with milliseconds and `Z`,
/// `2024-12-22T17:11:31.000Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoTime(pub DateTime<Utc>);

impl fmt::Display for IsoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&time::iso(self.0))
    }
}

impl PartialEq<&str> for IsoTime {
    fn eq(&self, other: &&str) -> bool {
        time::iso(self.0) == *other
    }
}

impl Serialize for IsoTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&time::iso(self.0))
    }
}

impl<'de> Deserialize<'de> for IsoTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        crate::model::lenient::parse_time(&text)
            .map(IsoTime)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an ISO-8601 instant")))
    }
}
