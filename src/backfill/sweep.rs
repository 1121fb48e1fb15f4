//! A sweep's conditional listing, run: with a state, a repository's newest completed runs are
//! asked first with the ETag the state kept ([`listing`] holds the rules: the URL, when a page
//! covers the window, how long a `304` stands); a `304` answers for the window at no cost of the
//! rate limit, a page that covers it is the window's listing, reported, its ETag kept.

use super::known::RepoKnown;
use super::listing;
use super::state;
use super::Ctx;
use crate::model::Repo;
use crate::retry::SystemClock;

impl Ctx<'_> {
    /// With a state, the conditional listing first: `true` when it answered for the window
    /// (unchanged since the last sweep, or holding the whole window, which is then reported),
    /// `false` when the window is to be listed.
    pub(super) async fn watched(
        &self,
        repo: &Repo,
        known: &RepoKnown<'_>,
        q: &listing::Query,
    ) -> bool {
        let cfg = self.cfg;
        if cfg.pace.state.is_none() {
            return false;
        }
        let name = repo.to_string();
        let key = listing::watch_key(q);
        let last = self.state.borrow().watch(&name, &key).cloned();
        let h = self.gh.handle(SystemClock::start());
        let asked = h
            .first_runs_page_if(
                repo,
                q.workflow,
                &listing::watch_query(q),
                listing::PAGE,
                last.as_ref().map(|w| w.etag.as_str()),
            )
            .await;
        let (page, etag) = match asked {
            Ok(answer) => answer,
            // The window's listing says what is wrong, if anything still is.
            Err(_) => return false,
        };
        let Some(page) = page else {
            // 304: nothing changed since the last sweep.
            let covered = last
                .as_ref()
                .is_some_and(|w| listing::still_covers(w, cfg.select.since));
            if covered {
                self.tally.borrow_mut().unchanged();
            }
            return covered;
        };
        // A run that could not be read is still one of the page's.
        let unreadable = page.workflow_runs.unreadable;
        let total = page.total_count.map(|t| t.saturating_sub(unreadable));
        let listing::Covered::Yes { runs, keep, oldest } = listing::covers(
            page.workflow_runs.items,
            total,
            cfg.select.since,
            cfg.select.until,
        ) else {
            return false;
        };
        self.chunk(
            repo,
            known,
            listing::Chunk {
                runs,
                cut: None,
                unreadable,
            },
        )
        .await;
        if let (Some(etag), true, false, false) =
            (etag, keep, cfg.behaviour.dry_run, self.stopped())
        {
            let watch = state::Watch {
                etag,
                since: cfg.select.since,
                oldest,
            };
            if let Err(e) = self.state.borrow_mut().set_watch(&name, &key, watch) {
                self.runner
                    .warning(&format!("could not write the state file (`state`): {e}"));
            }
        }
        true
    }
}
