//! How well the store served its clients in a run: availability (the share
//! of requests that got a definite answer) and mean latency in ticks.
//!
//! A request is *available* when its coordinator answered it definitely:
//! `ok`, or a failure that says something about the key — `not-found`
//! (a read of an absent key, an update or delete of one) or `exists` (a
//! create of a present key). It is *unavailable* when it failed for lack
//! of replies (`no-quorum`, `timeout`) or never completed (its coordinator
//! crashed). Latency is completion − invocation over the available
//! requests only: a timeout's latency is the timeout, not the store's.

use serde::Serialize;

use crate::check::{Completion, History, Reason};

/// Counts of a run's (or many runs') client requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Every client request.
    pub requests: u64,
    /// Those answered definitely (ok, not-found, exists).
    pub available: u64,
    /// The sum of completion − invocation over the available requests.
    pub latency_ticks: u64,
}

impl Service {
    /// The counts of every request in `history`.
    pub fn of(history: &History) -> Service {
        let mut service = Service::default();
        for op in &history.ops {
            service.requests += 1;
            let definite = matches!(
                op.completion,
                Completion::Ok | Completion::Fail(Reason::NotFound | Reason::Exists)
            );
            if let (true, Some(done)) = (definite, op.completed) {
                service.available += 1;
                service.latency_ticks += done.saturating_sub(op.invoked);
            }
        }
        service
    }

    /// Adds the counts of `other`.
    pub fn add(&mut self, other: &Service) {
        self.requests += other.requests;
        self.available += other.available;
        self.latency_ticks += other.latency_ticks;
    }

    /// The share of requests answered definitely, 0 to 1 (1 with none).
    pub fn availability(&self) -> f64 {
        match self.requests {
            0 => 1.0,
            all => self.available as f64 / all as f64,
        }
    }

    /// The mean ticks from invocation to a definite answer (0 with none).
    pub fn mean_latency(&self) -> f64 {
        match self.available {
            0 => 0.0,
            answered => self.latency_ticks as f64 / answered as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::history::fixture::*;
    use crate::protocol::op::OpKind::{Create, Update};
    use Completion::{Fail, Never, Ok};

    #[test]
    fn definite_answers_are_available_and_timed() {
        let a = write(1, Create, Some("a"), (0, 2), Ok);
        let ops = vec![
            a.clone(),
            write(2, Create, Some("b"), (3, 9), Fail(Reason::Exists)),
            read_none(3, (4, 5), None),
            read_of(4, (6, 10), &a),
            write(5, Update, Some("c"), (7, 17), Fail(Reason::Timeout)),
            write(6, Update, Some("d"), (8, 9), Fail(Reason::NoQuorum)),
            read_failed(7, (9, 9), Never),
        ];
        let s = Service::of(&History { ops });
        assert_eq!(
            (s.requests, s.available, s.latency_ticks),
            (7, 4, 2 + 6 + 1 + 4)
        );
        assert!((s.availability() - 4.0 / 7.0).abs() < 1e-9);
        assert!((s.mean_latency() - 13.0 / 4.0).abs() < 1e-9);
        let mut twice = s;
        twice.add(&s);
        assert_eq!(twice.requests, 14);
        assert_eq!(twice.mean_latency(), s.mean_latency());
        let none = Service::default();
        assert_eq!((none.availability(), none.mean_latency()), (1.0, 0.0));
    }
}
