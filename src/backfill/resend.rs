//! The run attempts an earlier start could not deliver, as the state names them: a kept payload
//! that is still one ([`kept_body`]: read never through a link, checked as `replay` checks it) is
//! sent again first, as it is; an attempt without one (or whose file is not a payload) is read
//! from GitHub again, listed or not ([`sort`]).

use super::state::{Key, Outcome};
use super::tally::Ended;
use super::Ctx;
use crate::model::Repo;
use crate::retry::SystemClock;
use futures_util::stream::{self, StreamExt};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Kept payloads read at most.
const MAX_KEPT: u64 = 64 * 1024 * 1024;

/// What becomes of the attempts that failed before.
#[derive(Debug, Default)]
pub(super) struct Again {
    /// Sent again as kept, at the start.
    pub resend: Vec<(Key, PathBuf)>,
    /// Read from GitHub again: (repository, run, attempt) by key.
    pub rebuild: HashMap<Key, (Repo, u64, u64)>,
}

/// Sorts the attempts the state says failed (`failed`, with their kept payloads): a payload
/// that is a file and a payload is sent again, unless in a dry run; the rest is rebuilt;
/// `refused` hears why a kept file is not sent. A key whose repository is not `owner/name` is
/// dropped.
pub(super) fn sort(
    failed: Vec<(Key, Option<PathBuf>)>,
    dry_run: bool,
    mut refused: impl FnMut(String),
) -> Again {
    let mut again = Again::default();
    for (k, payload) in failed {
        let repo = Repo::parse(&k.0);
        // Only what is a payload is sent again; anything else is refused and rebuilt.
        let payload = payload
            .filter(|p| p.is_file())
            .filter(|p| match kept_body(p) {
                Ok(_) => true,
                Err(why) => {
                    refused(format!(
                        "{why}: not sent; run {} attempt {} of {} is read from GitHub again",
                        k.1, k.2, k.0
                    ));
                    false
                }
            });
        match (payload, repo) {
            (Some(p), Some(_)) if !dry_run => again.resend.push((k, p)),
            (_, Some(repo)) => {
                again.rebuild.insert(k.clone(), (repo, k.1, k.2));
            }
            (_, None) => {}
        }
    }
    again
}

/// A payload a backfill kept, read (never through a link) and checked to be a payload
/// ([`crate::replay::check`]) before it is sent again.
pub(super) fn kept_body(path: &Path) -> Result<Vec<u8>, String> {
    let body = crate::keep::read_kept(path, MAX_KEPT)
        .map_err(|e| format!("the kept payload {} cannot be read ({e})", path.display()))?;
    crate::replay::check(&body).map_err(|why| {
        format!(
            "the kept payload {} is not a payload ({why})",
            path.display()
        )
    })?;
    Ok(body)
}

impl Ctx<'_> {
    /// Sends again the payloads of attempts that failed before.
    pub(super) async fn resend(&self, kept: Vec<(Key, PathBuf)>) {
        if kept.is_empty() {
            return;
        }
        (self.say)(&format!(
            "Sending again {} payload(s) a backfill could not deliver before",
            kept.len()
        ));
        let d = &self.cfg.delivery;
        stream::iter(kept)
            .for_each_concurrent(self.cfg.pace.concurrency, |(k, path)| async move {
                let Ok(body) = kept_body(&path) else {
                    return; // checked at the start: gone since
                };
                let repo = Repo::parse(&k.0).map(|r| r.to_string());
                let clock = SystemClock::start();
                let log = self.runner.capture();
                let body = bytes::Bytes::from(body);
                let sent =
                    crate::delivery::send(d, &self.sei, &log, &clock, &body, "a kept payload")
                        .await;
                self.tally.borrow_mut().found(repo.as_deref(), 1);
                let (ended, outcome) = match sent {
                    Ok(_) => {
                        let _ = std::fs::remove_file(&path);
                        (Ended::Delivered, Outcome::Delivered)
                    }
                    Err(f) => (
                        Ended::Failed(format!(
                            "{} run {} attempt {}: {} (payload kept at {})",
                            k.0,
                            k.1,
                            k.2,
                            f.short,
                            path.display()
                        )),
                        Outcome::Failed(Some(path.clone())),
                    ),
                };
                self.tally.borrow_mut().ended(repo.as_deref(), ended);
                self.record(k, outcome);
                self.update();
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(repo: &str, run: u64, attempt: u64) -> Key {
        (repo.to_owned(), run, attempt)
    }

    /// What SEI requires of a payload, as `replay` checks it.
    const PAYLOAD: &str = r#"{"pipeline": "CI", "job_full_name": "acme/api/CI",
        "qualified_name": "acme/api/CI", "instance_name": "GitHub Actions", "result": "SUCCESS",
        "instance_guid": "89d2491c-764a-4f77-93d9-18e8e372b795", "start_time": 1, "duration": 2}"#;

    #[test]
    fn a_kept_payload_is_sent_again_and_anything_else_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        let not_a_payload = dir.path().join("other.json");
        std::fs::write(&good, PAYLOAD).unwrap();
        std::fs::write(&not_a_payload, "{\"hello\": 1}").unwrap();
        let failed = vec![
            (key("acme/api", 1, 1), Some(good.clone())),
            (key("acme/api", 2, 1), Some(not_a_payload.clone())),
            (key("acme/api", 3, 2), Some(dir.path().join("gone.json"))),
            (key("acme/api", 4, 1), None),
            (key("not a repository", 5, 1), None),
        ];
        let mut said = Vec::new();
        let again = sort(failed.clone(), false, |m| said.push(m));
        assert_eq!(again.resend, [(key("acme/api", 1, 1), good.clone())]);
        let mut rebuilt: Vec<&Key> = again.rebuild.keys().collect();
        rebuilt.sort();
        assert_eq!(
            rebuilt,
            [
                &key("acme/api", 2, 1),
                &key("acme/api", 3, 2),
                &key("acme/api", 4, 1)
            ]
        );
        assert_eq!(
            again.rebuild[&key("acme/api", 3, 2)],
            (Repo::parse("acme/api").unwrap(), 3, 2)
        );
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].contains("is not a payload")
                && said[0].ends_with("run 2 attempt 1 of acme/api is read from GitHub again"),
            "{said:?}"
        );
        // A dry run sends nothing: the kept payload's attempt is read again like the others.
        let dry = sort(failed, true, |_| {});
        assert!(dry.resend.is_empty());
        assert!(dry.rebuild.contains_key(&key("acme/api", 1, 1)));
    }

    #[cfg(unix)]
    #[test]
    fn a_kept_payload_is_never_read_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, PAYLOAD).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(kept_body(&real).is_ok());
        let e = kept_body(&link).unwrap_err();
        assert!(e.contains("cannot be read"), "{e}");
    }
}
