//! Reading back what SEI stored (`shared/docs/sei-dora.md` §3): `POST <base>/v1/cicd/job_runs/list`
//! for the runs of the jobs asked about, and `POST <base>/v1/cicd/jobs/list`, which any key may
//! read, to tell a wrong key from a key whose role may not list runs.
//!
//! What the client must get right, as the server is written: `filter.start_time` is a map of
//! **strings** of epoch seconds (a number there is a 500); there is no filter by build number
//! or `job_full_name`, so runs are asked by `job_normalized_full_names` (the `qualified_name`s
//! sent) and matched here by instance GUID, that name and `job_run_number`; the default `across`
//! lists only the last 90 days (`"across": "job_name"` lifts it); the default sort is by
//! duration, whose ties have no stable order across pages, so runs are sorted by `start_time`
//! and read page by page until a page is not full (`has_next` means only "this page was full").

use crate::config::Delivery;
use crate::model::lenient;
use crate::retry::{self, SystemClock, Verdict};
use anyhow::anyhow;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub(crate) const JOB_RUNS_LIST: &str = "/v1/cicd/job_runs/list";
pub(crate) const JOBS_LIST: &str = "/v1/cicd/jobs/list";
/// The roles whose keys may list runs (`CiCdAggregationsController`).
pub(crate) const LIST_ROLES: &str =
    "ADMIN, AUDITOR, PUBLIC_DASHBOARD, SUPER_ADMIN or ORG_ADMIN_USER";
/// Runs a page (SEI's default; it sets no cap).
pub(crate) const PAGE_SIZE: u64 = 1000;
/// Names in one query's `job_normalized_full_names`.
pub(crate) const NAMES_PER_QUERY: usize = 50;
/// Pages of one query at most (ten million runs).
const MAX_PAGES: u64 = 10_000;

/// One stored run, as `job_runs/list` records it (instants in ms, `duration` in seconds).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct Record {
    #[serde(default, deserialize_with = "lenient::string")]
    pub cicd_job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub job_run_number: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub start_time: Option<u64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub end_time: Option<u64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub duration: Option<u64>,
    /// The job's first `pipeline`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub job_name: Option<String>,
    /// The job's latest `qualified_name`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub job_normalized_full_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub cicd_instance_guid: Option<String>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default, deserialize_with = "lenient::list")]
    records: Vec<Record>,
}

/// Why SEI could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The key: wrong (401, or a 500 on the endpoint every key may read), or its role may not
    /// list runs (403). An input to fix.
    Key(String),
    /// SEI could not be reached, or failed.
    Failed(String),
}

impl ReadError {
    pub(crate) fn message(&self) -> &str {
        match self {
            ReadError::Key(m) | ReadError::Failed(m) => m,
        }
    }
}

/// The body of one `job_runs/list` request.
pub(crate) fn query(
    names: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    page: u64,
) -> serde_json::Value {
    json!({
        "page": page,
        "page_size": PAGE_SIZE,
        "filter": {
            "job_normalized_full_names": names,
            // Strings: the server parses them with Long.valueOf.
            "start_time": {"$gt": from.timestamp().to_string(), "$lt": to.timestamp().to_string()},
        },
        // Any `across` but the default `trend` lifts the 90-day limit of the list.
        "across": "job_name",
        "sort": [{"id": "start_time", "desc": false}],
    })
}

/// Every run SEI stored of the jobs `names` (qualified names) that started in `[from, to]`.
pub(crate) async fn runs(
    client: &reqwest::Client,
    d: &Delivery,
    names: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Record>, ReadError> {
    let url = format!("{}{JOB_RUNS_LIST}", d.sei_base);
    let mut all = Vec::new();
    for page in 0..MAX_PAGES {
        let body = query(names, from, to, page);
        let (status, text) = post(client, d, &url, &body).await?;
        match status {
            200..=299 => {}
            403 => {
                return Err(ReadError::Key(format!(
                    "SEI refused to list runs to this key (HTTP 403 for POST {url}): reading \
                     back what SEI stored needs an API key whose role is {LIST_ROLES} (in \
                     Harness, also the collections view permission). A key made only to report \
                     runs may not: give `verify` a key with one of those roles in `sei-token`"
                )))
            }
            401 => return Err(key_refused(&url, status)),
            s => {
                return Err(ReadError::Failed(format!(
                    "SEI answered HTTP {s} for POST {url}: {}",
                    crate::http::snippet(&text, 200)
                )))
            }
        }
        let page: Page = serde_json::from_str(&text).map_err(|e| {
            ReadError::Failed(format!(
                "SEI's answer to POST {url} is not a list of runs ({e})"
            ))
        })?;
        let n = page.records.len() as u64;
        all.extend(page.records);
        if n < PAGE_SIZE {
            return Ok(all);
        }
    }
    Ok(all)
}

/// Asks for one job: any valid key may (`jobs/list`), so a refusal here is the key itself.
pub(crate) async fn check_key(client: &reqwest::Client, d: &Delivery) -> Result<(), ReadError> {
    let url = format!("{}{JOBS_LIST}", d.sei_base);
    let body = json!({"page": 0, "page_size": 1, "filter": {}});
    let (status, text) = post(client, d, &url, &body).await?;
    match status {
        200..=299 => Ok(()),
        401 | 403 | 500 => Err(key_refused(&url, status)),
        s => Err(ReadError::Failed(format!(
            "SEI answered HTTP {s} for POST {url}: {}: check `sei-url` (your region's API base)",
            crate::http::snippet(&text, 200)
        ))),
    }
}

fn key_refused(url: &str, status: u16) -> ReadError {
    ReadError::Key(format!(
        "SEI refused `sei-token` (HTTP {status} for POST {url}): give a current SEI API key of \
         the account and region `sei-url` names (SEI answers 500, not 401, to a key that is not \
         an SEI API key, or to one sent as `Bearer`: see `auth-scheme`)"
    ))
}

/// One POST, retried under the policy (5xx, 429, broken connections), each with its own
/// deadline: the status and the body.
async fn post(
    client: &reqwest::Client,
    d: &Delivery,
    url: &str,
    body: &serde_json::Value,
) -> Result<(u16, String), ReadError> {
    let scheme = d.auth_scheme.for_key(d.sei_token.expose());
    let mut auth = reqwest::header::HeaderValue::try_from(format!(
        "{} {}",
        scheme.word(),
        d.sei_token.expose()
    ))
    .map_err(|_| ReadError::Key("`sei-token` cannot be sent in a header".into()))?;
    auth.set_sensitive(true);
    let clock = SystemClock::start();
    let attempt = |_, limit: Duration| {
        let auth = auth.clone();
        async move {
            let exchange = async {
                let r = client
                    .post(url)
                    .header(reqwest::header::AUTHORIZATION, auth)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .json(body)
                    .send()
                    .await?;
                let status = r.status().as_u16();
                Ok::<_, reqwest::Error>((status, r.text().await?))
            };
            match tokio::time::timeout(limit, exchange).await {
                Ok(Ok((status, _))) if retry::RETRYABLE.contains(&status) && status != 500 => {
                    Err((anyhow!("HTTP {status}"), Verdict::Retry { wait: None }))
                }
                Ok(Ok(answer)) => Ok(answer),
                Ok(Err(e)) => Err((
                    anyhow!("{}", crate::http::describe(&e)),
                    Verdict::Retry { wait: None },
                )),
                Err(_) => Err((
                    anyhow!("no answer within {}", crate::time::human(limit)),
                    Verdict::Retry { wait: None },
                )),
            }
        }
    };
    retry::run(&d.policy, &clock, attempt, |_, _, _| {})
        .await
        .map_err(|f| {
            ReadError::Failed(format!(
                "could not read SEI at {url}: {} ({} attempt(s))",
                f.error, f.attempts
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    #[test]
    fn the_query_sends_times_as_strings_lifts_the_90_days_and_sorts_by_start() {
        let q = query(
            &["acme/api/CI".into()],
            parse_time("2025-03-01T00:00:00Z").unwrap(),
            parse_time("2025-03-02T00:00:00Z").unwrap(),
            2,
        );
        assert_eq!(q["filter"]["start_time"]["$gt"], "1740787200");
        assert_eq!(q["filter"]["start_time"]["$lt"], "1740873600");
        assert_eq!(q["across"], "job_name");
        assert_eq!(q["sort"][0]["id"], "start_time");
        assert_eq!(q["page"], 2);
        assert_eq!(q["filter"]["job_normalized_full_names"][0], "acme/api/CI");
    }

    #[test]
    fn records_are_read_leniently() {
        let p: Page = serde_json::from_str(
            r#"{"records":[{"job_run_number":"1000000101","start_time":1740787200000,
                "end_time":1740787440000,"duration":240,"status":"SUCCESS",
                "job_normalized_full_name":"acme/api/CI","cicd_instance_guid":"g","extra":1},
                {"status":null}],"count":2}"#,
        )
        .unwrap();
        assert_eq!(p.records[0].job_run_number, Some(1_000_000_101));
        assert_eq!(p.records[0].duration, Some(240));
        assert_eq!(p.records[1], Record::default());
    }
}
