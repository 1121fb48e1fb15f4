//! GitHub never delivers a failed delivery again by itself. On start and then on an interval,
//! this lists the hook's deliveries of the last days (`GET /app/hook/deliveries` for the App,
//! `GET /orgs/{org}/hooks/{id}/deliveries` for an organization webhook, newest first, paged by
//! cursor) and asks GitHub to deliver again (`POST .../deliveries/{id}/attempts`) each
//! `workflow_run` delivery that failed and was never delivered since: deliveries are grouped
//! by `guid` (a redelivery keeps the guid of the first), and a guid with any success is done.
//! Each guid is asked at most [`MAX_ASKS`] times by one process. [`to_ask`] decides, purely.

use super::api::Api;
use super::log::{About, Log};
use super::metrics::Metrics;
use crate::config::serve::Hook;
use crate::retry::{Policy, SystemClock};
use crate::secret::Secret;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

/// One guid is asked again at most this many times by one process.
pub(crate) const MAX_ASKS: u32 = 5;
/// Pages of 100 deliveries read in one pass, at most.
pub(crate) const MAX_PAGES: usize = 100;
/// Redeliveries asked in one pass, at most (the rest wait for the next pass).
pub(crate) const MAX_PER_PASS: usize = 500;

/// One delivery as GitHub lists it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Listed {
    #[serde(default)]
    pub id: u64,
    #[serde(default)]
    pub guid: String,
    #[serde(default)]
    pub delivered_at: Option<String>,
    #[serde(default)]
    pub status_code: Option<u16>,
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
}

impl Listed {
    fn ok(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }

    fn time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::parse_from_rfc3339(self.delivered_at.as_deref()?)
            .ok()
            .map(|t| t.to_utc())
    }
}

/// The deliveries to ask again: for each `workflow_run` guid (`completed`, when the action is
/// listed) delivered since `since` with no success among its deliveries, its newest delivery;
/// not those `asked` [`MAX_ASKS`] times already. Oldest first.
pub(crate) fn to_ask(
    listed: &[Listed],
    since: chrono::DateTime<chrono::Utc>,
    asked: &HashMap<String, u32>,
) -> Vec<(u64, String)> {
    let mut by_guid: HashMap<&str, (bool, &Listed)> = HashMap::new();
    for d in listed {
        if d.guid.is_empty() || d.event.as_deref() != Some("workflow_run") {
            continue;
        }
        if d.action.as_deref().is_some_and(|a| a != "completed") {
            continue;
        }
        let e = by_guid.entry(&d.guid).or_insert((false, d));
        e.0 |= d.ok();
        if (d.time(), d.id) > (e.1.time(), e.1.id) {
            e.1 = d;
        }
    }
    let mut out: Vec<(Option<chrono::DateTime<chrono::Utc>>, u64, String)> = by_guid
        .into_iter()
        .filter(|(_, (ok, newest))| !ok && newest.time().is_some_and(|t| t >= since))
        .filter(|(guid, _)| asked.get(*guid).copied().unwrap_or(0) < MAX_ASKS)
        .map(|(guid, (_, newest))| (newest.time(), newest.id, guid.to_owned()))
        .collect();
    out.sort();
    out.into_iter().map(|(_, id, guid)| (id, guid)).collect()
}

/// How a pass authenticates: the App's JWT, or the token.
pub(crate) enum Credential<'a> {
    App(&'a super::app::App),
    Token(&'a Secret),
}

/// The passes of one process: what it asked already.
pub(crate) struct Redeliver {
    api: Api,
    hook: Hook,
    since: Duration,
    asked: Mutex<HashMap<String, u32>>,
}

/// What one pass did.
#[derive(Debug, Default)]
pub(crate) struct Pass {
    pub listed: usize,
    pub asked: usize,
    pub refused: usize,
}

impl Redeliver {
    pub(crate) fn new(api: Api, hook: Hook, since: Duration) -> Redeliver {
        Redeliver {
            api,
            hook,
            since,
            asked: Mutex::new(HashMap::new()),
        }
    }

    fn deliveries_path(&self) -> Option<String> {
        match &self.hook {
            Hook::App => Some("/app/hook/deliveries".to_owned()),
            Hook::Organization { org, id } => Some(format!("/orgs/{org}/hooks/{id}/deliveries")),
            Hook::Unknown => None,
        }
    }

    /// One pass: list, decide, ask. Says in the log what it did.
    pub(crate) async fn pass(
        &self,
        cred: Credential<'_>,
        policy: &Policy,
        log: &Log,
        metrics: &Metrics,
    ) -> Result<Pass, String> {
        let Some(path) = self.deliveries_path() else {
            return Ok(Pass::default());
        };
        let clock = SystemClock::start();
        let token = match cred {
            Credential::App(app) => app.jwt()?,
            Credential::Token(t) => t.clone(),
        };
        let since = chrono::Utc::now()
            - chrono::Duration::from_std(self.since).unwrap_or(chrono::Duration::days(3));
        let mut listed: Vec<Listed> = Vec::new();
        let mut next = Some(format!("{path}?per_page=100"));
        let mut pages = 0;
        while let Some(page) = next.take() {
            pages += 1;
            let answer = self
                .api
                .send(reqwest::Method::GET, &page, &token, policy, &clock)
                .await
                .map_err(|e| format!("could not list the hook's deliveries: {e}"))?;
            let items: Vec<Listed> = serde_json::from_value(answer.json).unwrap_or_default();
            let older = items
                .iter()
                .filter_map(Listed::time)
                .min()
                .is_some_and(|t| t < since);
            let empty = items.is_empty();
            listed.extend(items);
            if !older && !empty && pages < MAX_PAGES {
                next = answer.next;
            }
        }
        let chosen = {
            let asked = self.asked.lock().unwrap();
            to_ask(&listed, since, &asked)
        };
        let mut pass = Pass {
            listed: listed.len(),
            ..Pass::default()
        };
        for (id, guid) in chosen.into_iter().take(MAX_PER_PASS) {
            *self.asked.lock().unwrap().entry(guid.clone()).or_default() += 1;
            let about = About {
                delivery: Some(guid),
                ..About::default()
            };
            let url = format!("{path}/{id}/attempts");
            match self
                .api
                .send(reqwest::Method::POST, &url, &token, policy, &clock)
                .await
            {
                Ok(_) => {
                    pass.asked += 1;
                    metrics.redeliveries_asked.fetch_add(1, Ordering::Relaxed);
                    log.info(
                        &format!("asked GitHub to deliver again failed delivery {id}"),
                        &about,
                    );
                }
                Err(e) => {
                    pass.refused += 1;
                    log.warn(
                        &format!("could not ask GitHub to deliver again delivery {id}: {e}"),
                        &about,
                    );
                }
            }
        }
        Ok(pass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: u64, guid: &str, at: &str, code: u16, action: &str) -> Listed {
        Listed {
            id,
            guid: guid.into(),
            delivered_at: Some(at.into()),
            status_code: Some(code),
            event: Some("workflow_run".into()),
            action: Some(action.into()),
        }
    }

    fn t(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn failed_guids_never_delivered_since_are_asked_once_each() {
        let listed = vec![
            // a: failed, then redelivered successfully: done.
            d(1, "a", "2025-03-01T10:00:00Z", 503, "completed"),
            d(5, "a", "2025-03-01T11:00:00Z", 202, "completed"),
            // b: failed twice: the newest is asked.
            d(2, "b", "2025-03-01T10:01:00Z", 503, "completed"),
            d(6, "b", "2025-03-01T11:01:00Z", 0, "completed"),
            // c: a success.
            d(3, "c", "2025-03-01T10:02:00Z", 202, "completed"),
            // e: a failed `requested`: nothing to report anyway.
            d(4, "e", "2025-03-01T10:03:00Z", 503, "requested"),
            // f: failed, but before the window.
            d(7, "f", "2025-02-20T10:00:00Z", 401, "completed"),
            // g: failed once.
            d(8, "g", "2025-03-01T09:00:00Z", 401, "completed"),
        ];
        let mut other = d(9, "h", "2025-03-01T10:00:00Z", 500, "completed");
        other.event = Some("push".into());
        let mut all = listed.clone();
        all.push(other);
        let since = t("2025-02-27T00:00:00Z");
        let asked = to_ask(&all, since, &HashMap::new());
        assert_eq!(asked, vec![(8, "g".to_owned()), (6, "b".to_owned())]);
        let mut tried = HashMap::new();
        tried.insert("g".to_owned(), MAX_ASKS);
        assert_eq!(to_ask(&all, since, &tried), vec![(6, "b".to_owned())]);
    }
}
