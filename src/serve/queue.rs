//! The bounded queue between the HTTP side and the workers, and what this process has already
//! taken. A delivery is *taken* (answered 202) only when it fits in the queue; then its
//! `X-GitHub-Delivery` id and its run attempt are remembered, so that the same delivery (a
//! redelivery) or another delivery of the same attempt (two hooks, say) is answered 200 and not
//! reported twice. A delivery refused for its signature or answered 503 was never taken: its
//! redelivery is. A report that fails is forgotten again, so a later delivery of it is taken.
//! What is remembered is bounded (the oldest forgotten first); nothing of it matters across
//! processes: SEI keeps the first report of a run attempt anyway.

use super::event::Wanted;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::mpsc;

/// Ids and run attempts remembered, each.
pub(crate) const REMEMBERED: usize = 100_000;

/// One delivery taken, waiting for a worker.
#[derive(Debug)]
pub(crate) struct Job {
    /// `X-GitHub-Delivery` (empty when the request had none).
    pub delivery: String,
    pub wanted: Wanted,
    pub arrived: Instant,
    /// Its place in the order deliveries were taken.
    pub seq: u64,
}

impl Job {
    pub(crate) fn attempt_key(&self) -> AttemptKey {
        let t = &self.wanted.target;
        (
            t.repo.to_string().to_ascii_lowercase(),
            t.id,
            t.attempt.unwrap_or(1),
        )
    }
}

/// (owner/repo lower-cased, run id, attempt)
pub(crate) type AttemptKey = (String, u64, u64);

/// A set that forgets its oldest members past `cap`.
struct Bounded<K> {
    set: HashSet<K>,
    order: VecDeque<K>,
    cap: usize,
}

impl<K: Hash + Eq + Clone> Bounded<K> {
    fn new(cap: usize) -> Self {
        Bounded {
            set: HashSet::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    fn insert(&mut self, k: K) {
        if self.set.insert(k.clone()) {
            self.order.push_back(k);
            while self.order.len() > self.cap {
                if let Some(old) = self.order.pop_front() {
                    self.set.remove(&old);
                }
            }
        }
    }

    fn remove(&mut self, k: &K) {
        if self.set.remove(k) {
            self.order.retain(|o| o != k);
        }
    }

    fn contains(&self, k: &K) -> bool {
        self.set.contains(k)
    }
}

/// How an offer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Offer {
    Taken,
    /// Already taken: the same delivery id, or the same run attempt.
    Duplicate(&'static str),
    /// The queue is full: answer 503, GitHub shows it failed and it is redelivered.
    Full,
    /// Stopping: answer 503 as well.
    Closed,
}

struct Inner {
    tx: Option<mpsc::Sender<Job>>,
    deliveries: Bounded<String>,
    attempts: Bounded<AttemptKey>,
    /// Taken and not finished yet, by `seq`: what a stop leaves for the sweep.
    open: BTreeMap<u64, (String, AttemptKey)>,
    next_seq: u64,
}

/// The queue's sending side and the memory of what was taken.
pub(crate) struct Intake {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl Intake {
    /// A queue of `capacity` deliveries, and its receiving side for the workers.
    pub(crate) fn new(capacity: usize) -> (Intake, mpsc::Receiver<Job>) {
        Self::with_memory(capacity, REMEMBERED)
    }

    fn with_memory(capacity: usize, remembered: usize) -> (Intake, mpsc::Receiver<Job>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let intake = Intake {
            inner: Mutex::new(Inner {
                tx: Some(tx),
                deliveries: Bounded::new(remembered),
                attempts: Bounded::new(remembered),
                open: BTreeMap::new(),
                next_seq: 0,
            }),
            capacity: capacity.max(1),
        };
        (intake, rx)
    }

    /// Takes the delivery if it is new and fits.
    pub(crate) fn offer(&self, delivery: String, wanted: Wanted, arrived: Instant) -> Offer {
        let mut inner = self.inner.lock().unwrap();
        let Some(tx) = inner.tx.clone() else {
            return Offer::Closed;
        };
        if !delivery.is_empty() && inner.deliveries.contains(&delivery) {
            return Offer::Duplicate("delivery");
        }
        let seq = inner.next_seq;
        let job = Job {
            delivery,
            wanted,
            arrived,
            seq,
        };
        let key = job.attempt_key();
        if inner.attempts.contains(&key) {
            return Offer::Duplicate("run attempt");
        }
        let delivery = job.delivery.clone();
        match tx.try_send(job) {
            Ok(()) => {
                inner.next_seq += 1;
                if !delivery.is_empty() {
                    inner.deliveries.insert(delivery.clone());
                }
                inner.attempts.insert(key.clone());
                inner.open.insert(seq, (delivery, key));
                Offer::Taken
            }
            Err(mpsc::error::TrySendError::Full(_)) => Offer::Full,
            Err(mpsc::error::TrySendError::Closed(_)) => Offer::Closed,
        }
    }

    /// The job is done; when it `failed`, its delivery and run attempt are forgotten, so that
    /// a later delivery of it is taken.
    pub(crate) fn finished(&self, job: &Job, failed: bool) {
        let mut inner = self.inner.lock().unwrap();
        inner.open.remove(&job.seq);
        if failed {
            inner.deliveries.remove(&job.delivery);
            inner.attempts.remove(&job.attempt_key());
        }
    }

    /// Takes no more deliveries: the workers finish what is queued, then stop.
    pub(crate) fn close(&self) {
        self.inner.lock().unwrap().tx = None;
    }

    /// Deliveries queued, not yet with a worker.
    pub(crate) fn depth(&self) -> usize {
        match &self.inner.lock().unwrap().tx {
            Some(tx) => self.capacity - tx.capacity(),
            None => 0,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Taken and not finished: (delivery id, run attempt), oldest first.
    pub(crate) fn open(&self) -> Vec<(String, AttemptKey)> {
        self.inner.lock().unwrap().open.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Repo, Run};
    use crate::model::{RunRef, RunSource};

    fn wanted(id: u64, attempt: u64) -> Wanted {
        Wanted {
            target: RunRef {
                repo: Repo::parse("Acme/API").unwrap(),
                id,
                attempt: Some(attempt),
                source: RunSource::WorkflowRunEvent,
            },
            run: Run::default(),
            default_branch: None,
            installation: None,
        }
    }

    #[test]
    fn a_delivery_or_a_run_attempt_is_taken_once() {
        let (intake, mut rx) = Intake::new(10);
        let now = Instant::now();
        assert_eq!(intake.offer("d1".into(), wanted(1, 1), now), Offer::Taken);
        assert_eq!(
            intake.offer("d1".into(), wanted(1, 1), now),
            Offer::Duplicate("delivery")
        );
        assert_eq!(
            intake.offer("d2".into(), wanted(1, 1), now),
            Offer::Duplicate("run attempt")
        );
        assert_eq!(intake.offer("d3".into(), wanted(1, 2), now), Offer::Taken);
        assert_eq!(intake.depth(), 2);
        let job = rx.try_recv().unwrap();
        assert_eq!((job.delivery.as_str(), job.seq), ("d1", 0));
        assert_eq!(intake.open().len(), 2);
        intake.finished(&job, true);
        assert_eq!(intake.open().len(), 1);
        assert_eq!(
            intake.offer("d1".into(), wanted(1, 1), now),
            Offer::Taken,
            "a failed report is forgotten"
        );
    }

    #[test]
    fn a_full_queue_takes_nothing_and_remembers_nothing() {
        let (intake, mut rx) = Intake::new(1);
        let now = Instant::now();
        assert_eq!(intake.offer("a".into(), wanted(1, 1), now), Offer::Taken);
        assert_eq!(intake.offer("b".into(), wanted(2, 1), now), Offer::Full);
        rx.try_recv().unwrap();
        assert_eq!(
            intake.offer("b".into(), wanted(2, 1), now),
            Offer::Taken,
            "the 503'd delivery is taken when it comes again"
        );
        intake.close();
        assert_eq!(intake.offer("c".into(), wanted(3, 1), now), Offer::Closed);
    }

    #[test]
    fn memory_is_bounded() {
        let (intake, mut rx) = Intake::with_memory(10, 2);
        let now = Instant::now();
        for i in 0..3 {
            assert_eq!(
                intake.offer(format!("d{i}"), wanted(i, 1), now),
                Offer::Taken
            );
            let _ = rx.try_recv();
        }
        // d0 and its attempt are forgotten: the oldest went first.
        assert_eq!(intake.offer("d0".into(), wanted(0, 1), now), Offer::Taken);
        assert_eq!(
            intake.offer("d2".into(), wanted(2, 1), now),
            Offer::Duplicate("delivery")
        );
    }
}
