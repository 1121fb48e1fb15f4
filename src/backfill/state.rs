//! The `state` file: which run attempts a backfill delivered, and which failed (with the payload
//! kept for `replay`), so a backfill started again skips what was delivered and misses nothing.
//!
//! One JSON object a line, after a header line: `{"repo":"o/r","run":1,"attempt":1,
//! "status":"delivered"}`, the last line of a run attempt winning. Each outcome is appended as
//! it happens, in one write (a run delivered is on disk before the next is counted); at the
//! start and the end the file is rewritten whole, compacted, to a temporary file then renamed,
//! so it is always either the old file or the new one. A line cut short by a killed process, or
//! a line this version does not read, is skipped (that attempt is reported again: SEI keeps the
//! first report, so a second one is harmless).
//!
//! A sweep also keeps, per repository, what its last listing was ([`Watch`]): `{"repo":"o/r",
//! "listing":"runs?status=completed","etag":"W/\"…\"","since":"…","oldest":"…"}`, the last line
//! of a listing winning, so the next sweep asks GitHub whether it changed (see
//! [`super::listing`]).
//!
//! A state file may come back from a cache or an artifact someone else could write: a kept
//! payload it names is taken only inside the state's own folder for them (`<state>.payloads/`,
//! with the name a backfill gives it, [`kept_payload`]); any other path is refused (never read,
//! sent or deleted: that attempt is read from GitHub again) and counted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = r#"{"sei-cicd-backfill-state":1}"#;

/// One run attempt: `owner/repo` (lower case), run id, attempt.
pub(crate) type Key = (String, u64, u64);

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Delivered,
    /// Not delivered; the payload kept, when there is one.
    Failed(Option<PathBuf>),
}

#[derive(Serialize, Deserialize)]
struct Line {
    repo: String,
    run: u64,
    attempt: u64,
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payload: Option<String>,
}

/// What a sweep's conditional listing of a repository last saw: GitHub's `ETag` for it, the
/// start of the window it was read for (every completed run on it created since then was
/// handled), and the creation of the oldest run on it when the page was full (`None`: it held
/// every completed run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Watch {
    pub etag: String,
    pub since: DateTime<Utc>,
    pub oldest: Option<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize)]
struct WatchLine {
    repo: String,
    listing: String,
    etag: String,
    since: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oldest: Option<String>,
}

/// The state, in memory and on disk (no file: in memory only).
pub(crate) struct State {
    /// (repository, listing) → what its conditional listing last saw.
    watches: HashMap<(String, String), Watch>,
    path: Option<PathBuf>,
    file: Option<File>,
    /// Per repository, its name held once: a delivered attempt costs about 40 bytes of memory
    /// (a backfill of an organization holds every one it delivered).
    repos: HashMap<String, Attempts>,
    /// Lines that could not be read when the file was opened.
    pub skipped_lines: usize,
    /// Kept payloads the file named outside the state's folder for them, refused.
    pub refused_payloads: Vec<PathBuf>,
}

/// One repository's attempts, by (run id, attempt).
#[derive(Default)]
struct Attempts {
    delivered: HashSet<(u64, u64)>,
    failed: HashMap<(u64, u64), Option<PathBuf>>,
}

/// The key of an attempt.
pub(crate) fn key(repo: &str, run: u64, attempt: u64) -> Key {
    (repo.to_ascii_lowercase(), run, attempt)
}

impl State {
    /// No file: what this backfill delivers is known to it alone.
    pub(crate) fn memory() -> State {
        State {
            watches: HashMap::new(),
            path: None,
            file: None,
            repos: HashMap::new(),
            skipped_lines: 0,
            refused_payloads: Vec::new(),
        }
    }

    /// Reads the file (a missing or empty one is a new state), rewrites it compacted, and opens
    /// it to append. A file that is not a backfill state is refused, never overwritten.
    pub(crate) fn open(path: &Path) -> Result<State, String> {
        let mut state = State::read(path)?;
        state.compact().map_err(|e| {
            format!(
                "cannot write the state file {} (`state`): {e}",
                path.display()
            )
        })?;
        Ok(state)
    }

    /// Reads the file without writing it (`verify`); [`State::record`] then keeps nothing on
    /// disk until [`State::compact`].
    pub(crate) fn read(path: &Path) -> Result<State, String> {
        let shown = path.display();
        let mut state = State {
            watches: HashMap::new(),
            path: Some(path.to_owned()),
            file: None,
            repos: HashMap::new(),
            skipped_lines: 0,
            refused_payloads: Vec::new(),
        };
        let dir = state.payloads_dir();
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let mut lines = text.lines();
                match lines.next() {
                    None => {}
                    Some(first) if first.trim() == HEADER => {}
                    Some(_) => {
                        return Err(format!(
                            "input `state` is `{shown}`, which is not a backfill state file \
                             (its first line is not {HEADER}): give a new file or one a \
                             backfill wrote"
                        ))
                    }
                }
                for line in lines.filter(|l| !l.trim().is_empty()) {
                    if let Ok(w) = serde_json::from_str::<WatchLine>(line) {
                        let time = crate::model::lenient::parse_time;
                        match (time(&w.since), w.oldest.as_deref().map(time)) {
                            (Some(since), None | Some(Some(_))) => {
                                let watch = Watch {
                                    etag: w.etag,
                                    since,
                                    oldest: w.oldest.as_deref().and_then(time),
                                };
                                state
                                    .watches
                                    .insert((w.repo.to_ascii_lowercase(), w.listing), watch);
                            }
                            _ => state.skipped_lines += 1,
                        }
                        continue;
                    }
                    match serde_json::from_str::<Line>(line) {
                        Ok(l) => {
                            let outcome = match l.status.as_str() {
                                "delivered" => Outcome::Delivered,
                                "failed" => {
                                    let named = l.payload.map(PathBuf::from);
                                    let kept = named.as_deref().and_then(|p| {
                                        dir.as_deref().and_then(|d| kept_payload(d, p))
                                    });
                                    if let (Some(p), None) = (named, &kept) {
                                        state.refused_payloads.push(p);
                                    }
                                    Outcome::Failed(kept)
                                }
                                _ => {
                                    state.skipped_lines += 1;
                                    continue;
                                }
                            };
                            state.insert(key(&l.repo, l.run, l.attempt), outcome);
                        }
                        Err(_) => state.skipped_lines += 1,
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read the state file {shown} (`state`): {e}")),
        }
        Ok(state)
    }

    /// Where the payloads of failed runs are kept: `<state>.payloads/` beside the file.
    pub(crate) fn payloads_dir(&self) -> Option<PathBuf> {
        let p = self.path.as_ref()?;
        let mut name = p.file_name()?.to_os_string();
        name.push(".payloads");
        Some(p.with_file_name(name))
    }

    pub(crate) fn delivered(&self, k: &Key) -> bool {
        self.repos
            .get(&k.0)
            .is_some_and(|a| a.delivered.contains(&(k.1, k.2)))
    }

    /// The attempts that failed, with their kept payloads, in key order.
    pub(crate) fn failed(&self) -> Vec<(Key, Option<PathBuf>)> {
        let mut out: Vec<(Key, Option<PathBuf>)> = self
            .repos
            .iter()
            .flat_map(|(repo, a)| {
                a.failed
                    .iter()
                    .map(|(&(run, attempt), p)| ((repo.clone(), run, attempt), p.clone()))
            })
            .collect();
        out.sort();
        out
    }

    /// What the conditional listing `listing` of `repo` last saw.
    pub(crate) fn watch(&self, repo: &str, listing: &str) -> Option<&Watch> {
        self.watches
            .get(&(repo.to_ascii_lowercase(), listing.to_owned()))
    }

    /// Records what the conditional listing `listing` of `repo` saw, on disk at once.
    pub(crate) fn set_watch(&mut self, repo: &str, listing: &str, watch: Watch) -> io::Result<()> {
        let repo = repo.to_ascii_lowercase();
        if let Some(f) = &mut self.file {
            let mut text = serde_json::to_string(&watch_line(&repo, listing, &watch))
                .map_err(io::Error::other)?;
            text.push('\n');
            f.write_all(text.as_bytes())?;
            f.flush()?;
        }
        self.watches.insert((repo, listing.to_owned()), watch);
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn delivered_count(&self) -> usize {
        self.repos.values().map(|a| a.delivered.len()).sum()
    }

    /// The outcome in memory, the last one winning.
    fn insert(&mut self, k: Key, outcome: Outcome) {
        let (repo, run, attempt) = k;
        let a = match self.repos.get_mut(&repo) {
            Some(a) => a,
            None => self.repos.entry(repo).or_default(),
        };
        match outcome {
            Outcome::Delivered => {
                a.failed.remove(&(run, attempt));
                a.delivered.insert((run, attempt));
            }
            Outcome::Failed(p) => {
                a.delivered.remove(&(run, attempt));
                a.failed.insert((run, attempt), p);
            }
        }
    }

    /// Records an outcome, on disk at once (one appended line).
    pub(crate) fn record(&mut self, k: Key, outcome: Outcome) -> io::Result<()> {
        if let Some(f) = &mut self.file {
            let mut text = serde_json::to_string(&line(&k, &outcome)).map_err(io::Error::other)?;
            text.push('\n');
            f.write_all(text.as_bytes())?;
            f.flush()?;
        }
        self.insert(k, outcome);
        Ok(())
    }

    /// Rewrites the file whole (header and one line an attempt), then renames it into place,
    /// and opens it again to append.
    pub(crate) fn compact(&mut self) -> io::Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = self.write_compacted(&tmp);
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
            return written;
        }
        self.file = None;
        if let Err(e) = std::fs::rename(&tmp, &path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        self.file = Some(OpenOptions::new().append(true).open(&path)?);
        Ok(())
    }

    /// The header and one line an attempt, in key order, streamed to `to`.
    fn write_compacted(&self, to: &Path) -> io::Result<()> {
        let mut out = io::BufWriter::new(File::create(to)?);
        writeln!(out, "{HEADER}")?;
        let mut repos: Vec<(&String, &Attempts)> = self.repos.iter().collect();
        repos.sort_by_key(|(r, _)| *r);
        for (repo, a) in repos {
            let mut keys: Vec<(u64, u64)> =
                a.delivered.iter().chain(a.failed.keys()).copied().collect();
            keys.sort_unstable();
            for (run, attempt) in keys {
                let outcome = match a.failed.get(&(run, attempt)) {
                    Some(p) => Outcome::Failed(p.clone()),
                    None => Outcome::Delivered,
                };
                let l = line(&(repo.clone(), run, attempt), &outcome);
                serde_json::to_writer(&mut out, &l).map_err(io::Error::other)?;
                out.write_all(b"\n")?;
            }
        }
        let mut watches: Vec<(&(String, String), &Watch)> = self.watches.iter().collect();
        watches.sort_by_key(|(k, _)| *k);
        for ((repo, listing), w) in watches {
            serde_json::to_writer(&mut out, &watch_line(repo, listing, w))
                .map_err(io::Error::other)?;
            out.write_all(b"\n")?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    }
}

fn watch_line(repo: &str, listing: &str, w: &Watch) -> WatchLine {
    WatchLine {
        repo: repo.to_owned(),
        listing: listing.to_owned(),
        etag: w.etag.clone(),
        since: crate::time::stamp(w.since),
        oldest: w.oldest.map(crate::time::stamp),
    }
}

/// The kept payload a state line names at `path`, when it is one a backfill keeps: a file right
/// in `dir` (the state's `<state>.payloads/`, however the path spells it) named as a backfill
/// names them (`sei-cicd-payload-<execution>.json`); the path to read it at, under `dir`.
pub(crate) fn kept_payload(dir: &Path, path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let named = name.starts_with("sei-cicd-payload-")
        && name.ends_with(".json")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let parent = path.parent()?;
    let same = parent == dir
        || matches!(
            (parent.canonicalize(), dir.canonicalize()),
            (Ok(a), Ok(b)) if a == b
        );
    (named && same).then(|| dir.join(name))
}

fn line(k: &Key, o: &Outcome) -> Line {
    let (status, payload) = match o {
        Outcome::Delivered => ("delivered", None),
        Outcome::Failed(p) => ("failed", p.as_ref().map(|p| p.display().to_string())),
    };
    Line {
        repo: k.0.clone(),
        run: k.1,
        attempt: k.2,
        status: status.to_owned(),
        payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_survive_a_restart_and_the_last_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state");
        let mut s = State::open(&path).unwrap();
        s.record(
            key("Acme/API", 1, 1),
            Outcome::Failed(Some("/k/p.json".into())),
        )
        .unwrap();
        s.record(key("acme/api", 2, 1), Outcome::Delivered).unwrap();
        s.record(key("acme/api", 1, 1), Outcome::Delivered).unwrap();
        s.record(key("acme/api", 3, 2), Outcome::Failed(None))
            .unwrap();
        drop(s); // killed: no compaction at the end
        let s = State::open(&path).unwrap();
        assert!(s.delivered(&key("acme/api", 1, 1)) && s.delivered(&key("acme/api", 2, 1)));
        assert_eq!(s.failed(), [(key("acme/api", 3, 2), None)]);
        assert_eq!(s.delivered_count(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().count(),
            4,
            "compacted: header and three attempts\n{text}"
        );
        assert_eq!(
            s.payloads_dir().unwrap(),
            dir.path().join("sub/state.payloads")
        );
    }

    #[test]
    fn a_listing_s_etag_survives_a_restart_and_the_last_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        let t = |s: &str| crate::model::lenient::parse_time(s).unwrap();
        let mut s = State::open(&path).unwrap();
        let first = Watch {
            etag: "W/\"1\"".into(),
            since: t("2025-03-01T00:00:00Z"),
            oldest: None,
        };
        let second = Watch {
            etag: "W/\"2\"".into(),
            since: t("2025-03-01T00:15:00Z"),
            oldest: Some(t("2025-02-27T10:00:00Z")),
        };
        s.set_watch("Acme/API", "runs?status=completed", first)
            .unwrap();
        s.set_watch("acme/api", "runs?status=completed", second.clone())
            .unwrap();
        s.record(key("acme/api", 1, 1), Outcome::Delivered).unwrap();
        drop(s);
        let s = State::open(&path).unwrap();
        assert_eq!(s.watch("acme/api", "runs?status=completed"), Some(&second));
        assert_eq!(s.skipped_lines, 0);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().count(),
            3,
            "header, an attempt, a listing:\n{text}"
        );
        assert!(text
            .lines()
            .last()
            .unwrap()
            .starts_with(r#"{"repo":"acme/api","listing":"#));
    }

    #[test]
    fn kept_payloads_only_inside_the_states_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.state");
        let kept = dir.path().join("s.state.payloads");
        std::fs::create_dir_all(&kept).unwrap();
        let good = kept.join("sei-cicd-payload-7-1.json");
        let line = |run: u64, p: &str| {
            format!(
                r#"{{"repo":"a/b","run":{run},"attempt":1,"status":"failed","payload":{}}}"#,
                serde_json::to_string(p).unwrap()
            )
        };
        let hostile = [
            "/etc/passwd".to_owned(),
            format!("{}/../../etc/sei-cicd-payload-1-1.json", kept.display()),
            format!("{}/sei-cicd-payload-2-1.json", dir.path().display()),
            format!("{}/config.json", kept.display()),
            "/home/runner/.docker/config.json".to_owned(),
        ];
        let mut text = format!("{HEADER}\n{}\n", line(7, &good.display().to_string()));
        for (i, p) in hostile.iter().enumerate() {
            text.push_str(&line(100 + i as u64, p));
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        let s = State::open(&path).unwrap();
        let failed = s.failed();
        assert_eq!(
            failed.len(),
            1 + hostile.len(),
            "every attempt still failed"
        );
        assert_eq!(failed[0], (key("a/b", 7, 1), Some(good.clone())));
        assert!(
            failed[1..].iter().all(|(_, p)| p.is_none()),
            "refused: read from GitHub again: {failed:?}"
        );
        assert_eq!(s.refused_payloads.len(), hostile.len());
        let rewritten = std::fs::read_to_string(&path).unwrap();
        assert!(!rewritten.contains("passwd"), "{rewritten}");
        // The same folder spelt another way is the state's own.
        let other = format!(
            "{}/./s.state.payloads/sei-cicd-payload-7-1.json",
            dir.path().display()
        );
        assert_eq!(kept_payload(&kept, Path::new(&other)), Some(good));
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_a_foreign_file_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        std::fs::write(
            &path,
            format!(
                "{HEADER}\n{}\n{{\"repo\":\"a/b\",\"run\":2,\"att",
                r#"{"repo":"a/b","run":1,"attempt":1,"status":"delivered"}"#
            ),
        )
        .unwrap();
        let s = State::open(&path).unwrap();
        assert!(s.delivered(&key("a/b", 1, 1)));
        assert_eq!(s.skipped_lines, 1);
        let other = dir.path().join("README.md");
        std::fs::write(&other, "# not a state\n").unwrap();
        let e = State::open(&other).err().unwrap();
        assert!(e.contains("not a backfill state file"), "{e}");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "# not a state\n");
        std::fs::write(&other, "").unwrap();
        assert!(State::open(&other).is_ok(), "an empty file is a new state");
    }
}
