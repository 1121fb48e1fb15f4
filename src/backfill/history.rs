//! The commits between two runs, from one listing of a branch's history instead of a compare per
//! run: `GET .../commits?sha=<branch>` pages (newest first, each commit with its parents) serve
//! every run of the branch. The answer is the compare API's: the commits reachable from the head
//! and not from the base, newest first. When the pages read cannot tell it for sure (a commit or
//! a parent not read yet, more than [`crate::map::commits::MAX`] commits, whose order the compare
//! decides), the answer is "read more" or "ask the compare": never a guess.
//!
//! Pure: the pages go in, the answer comes out.

use crate::model::ListedCommit;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// The part of a branch's history read so far.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// Each commit read, by sha (a long branch's history is held while its runs are reported:
    /// one entry a commit, each sha stored once).
    commits: HashMap<Box<str>, Node>,
    /// The listing reached the first commit (a page came back short).
    pub ended: bool,
    pub pages: u64,
}

#[derive(Debug)]
struct Node {
    /// Where the commit stands in the listing, newest first (0): a commit stands before its
    /// parents.
    position: usize,
    parents: Box<[Box<str>]>,
}

/// What the history can tell of `base...head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Between {
    /// The commits, newest first, and how many there are (as the compare's `total_commits`).
    Known(Vec<String>, u64),
    /// A later page may tell.
    NeedMore,
    /// Ask the compare API.
    Unknown,
}

impl History {
    /// Adds the next page (of `per_page` asked).
    pub(crate) fn add_page(&mut self, page: Vec<ListedCommit>, per_page: u64) {
        self.pages += 1;
        if (page.len() as u64) < per_page {
            self.ended = true;
        }
        for c in page {
            let Some(sha) = c.sha.map(|s| s.to_ascii_lowercase()) else {
                continue;
            };
            if self.commits.contains_key(sha.as_str()) {
                continue;
            }
            let parents = c
                .parents
                .into_iter()
                .filter_map(|p| p.sha.map(|s| s.to_ascii_lowercase().into_boxed_str()))
                .collect();
            let position = self.commits.len();
            self.commits
                .insert(sha.into_boxed_str(), Node { position, parents });
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// The commits of `base...head`, at most `cap` of them, as far as the pages read tell.
    pub(crate) fn between(&self, base: &str, head: &str, cap: usize) -> Between {
        let (base, head) = (base.to_ascii_lowercase(), head.to_ascii_lowercase());
        let more = if self.ended {
            Between::Unknown
        } else {
            Between::NeedMore
        };
        if !self.commits.contains_key(base.as_str()) || !self.commits.contains_key(head.as_str()) {
            return more;
        }
        // Both ends are painted and their paint carried to the parents, newest commit first (the
        // listing puts a commit before its parents, so a commit's paint is whole when its turn
        // comes). The commits painted by the head alone are the answer; the walk ends when no
        // commit waiting is the head's alone, so it costs the commits between the two runs, not
        // the whole history.
        const HEAD: u8 = 1;
        const BASE: u8 = 2;
        let mut paint: HashMap<&str, u8> = HashMap::new();
        let mut waiting: BinaryHeap<Reverse<(usize, &str)>> = BinaryHeap::new();
        let mut heads_alone = 0usize;
        for (c, p) in [(head.as_str(), HEAD), (base.as_str(), BASE)] {
            let entry = paint.entry(c).or_insert(0);
            if *entry == 0 {
                waiting.push(Reverse((self.commits[c].position, c)));
            }
            *entry |= p;
        }
        if paint[head.as_str()] == HEAD {
            heads_alone += 1;
        }
        let mut found: Vec<String> = Vec::new();
        while heads_alone > 0 {
            let Some(Reverse((_, c))) = waiting.pop() else {
                break;
            };
            let mine = paint[c];
            if mine == HEAD {
                heads_alone -= 1;
                found.push(c.to_owned());
                if found.len() > cap {
                    return Between::Unknown;
                }
            }
            for p in self.commits[c].parents.iter() {
                let Some(at) = self.commits.get(p).map(|n| n.position) else {
                    if mine == HEAD {
                        return more; // a parent not read yet: it may or may not be the base's
                    }
                    continue;
                };
                let before = paint.get(&**p).copied().unwrap_or(0);
                let after = before | mine;
                if after == before {
                    continue;
                }
                paint.insert(p, after);
                if before == 0 {
                    waiting.push(Reverse((at, p)));
                    if after == HEAD {
                        heads_alone += 1;
                    }
                } else if before == HEAD {
                    heads_alone -= 1; // now the base's too
                }
            }
        }
        if found.is_empty() {
            // The head is behind the base or is it: the compare lists nothing, and the run
            // reports its head.
            return Between::Known(vec![head], 0);
        }
        let total = found.len() as u64;
        Between::Known(found, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CommitRef;

    fn commit(sha: &str, parents: &[&str]) -> ListedCommit {
        ListedCommit {
            sha: Some(sha.into()),
            parents: parents
                .iter()
                .map(|p| CommitRef {
                    sha: Some((*p).into()),
                })
                .collect(),
        }
    }

    /// A linear history `c9 ← c8 ← ... ← c0`, newest first, in pages of `per_page`.
    fn linear(per_page: usize, pages: usize) -> History {
        let all: Vec<ListedCommit> = (0..10)
            .rev()
            .map(|i| {
                let parents: Vec<String> = if i > 0 {
                    vec![format!("c{}", i - 1)]
                } else {
                    vec![]
                };
                let p: Vec<&str> = parents.iter().map(String::as_str).collect();
                commit(&format!("c{i}"), &p)
            })
            .collect();
        let mut h = History::default();
        for chunk in all.chunks(per_page).take(pages) {
            h.add_page(chunk.to_vec(), per_page as u64);
        }
        h
    }

    #[test]
    fn a_linear_history_gives_the_commits_after_the_base() {
        let h = linear(4, 3);
        assert!(h.ended);
        assert_eq!(
            h.between("c3", "c6", 100),
            Between::Known(vec!["c6".into(), "c5".into(), "c4".into()], 3)
        );
        assert_eq!(
            h.between("c6", "c6", 100),
            Between::Known(vec!["c6".into()], 0)
        );
        assert_eq!(
            h.between("c6", "c3", 100),
            Between::Known(vec!["c3".into()], 0),
            "behind: the head alone, like report"
        );
        assert_eq!(
            h.between("c3", "c9", 5),
            Between::Unknown,
            "more than the cap"
        );
        assert_eq!(
            h.between("zz", "c9", 100),
            Between::Unknown,
            "the base is not on it"
        );
    }

    #[test]
    fn a_base_not_read_yet_needs_more_pages() {
        let h = linear(4, 1); // c9..c6
        assert!(!h.ended);
        assert_eq!(h.between("c2", "c9", 100), Between::NeedMore);
        assert_eq!(
            h.between("c7", "c9", 100),
            Between::Known(vec!["c9".into(), "c8".into()], 2)
        );
    }

    #[test]
    fn merges_count_both_sides_and_stop_at_what_the_base_reaches() {
        // m (merge of f2 into b2) ← b2 ← b1 ← root;  f2 ← f1 ← b1
        let mut h = History::default();
        h.add_page(
            vec![
                commit("m", &["b2", "f2"]),
                commit("f2", &["f1"]),
                commit("b2", &["b1"]),
                commit("f1", &["b1"]),
                commit("b1", &["root"]),
                commit("root", &[]),
            ],
            100,
        );
        assert_eq!(
            h.between("b2", "m", 100),
            Between::Known(vec!["m".into(), "f2".into(), "f1".into()], 3)
        );
        assert_eq!(
            h.between("b1", "m", 100),
            Between::Known(vec!["m".into(), "f2".into(), "b2".into(), "f1".into()], 4)
        );
        // A merge whose other parent was not read: unknown until it is.
        let mut h = History::default();
        h.add_page(
            vec![
                commit("m", &["b2", "old"]),
                commit("b2", &["b1"]),
                commit("b1", &[]),
            ],
            3,
        );
        assert_eq!(h.between("b1", "m", 100), Between::NeedMore);
    }
}
