//! The client side of CRUD: a coordinator sends each request to the key's
//! replicas, counts the replies, and decides once — success on a quorum of
//! successful replies, failure as soon as a quorum can no longer be reached
//! or when `op_timeout` ticks pass without one.

use std::collections::BTreeMap;

use crate::message::Stored;
use crate::op::{OpKind, QUORUM};

/// A coordinator's decision on one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The transaction id.
    pub trans: u64,
    /// Which operation.
    pub op: OpKind,
    /// The key.
    pub key: String,
    /// The value the log line shows: written (create, update) or read.
    pub value: Option<String>,
    /// Whether a quorum succeeded.
    pub ok: bool,
}

#[derive(Clone, Debug)]
struct Pending {
    op: OpKind,
    key: String,
    written: Option<String>,
    started: u64,
    asked: u8,
    oks: u8,
    fails: u8,
    newest: Option<Stored>,
}

impl Pending {
    fn decide(&self, trans: u64, ok: bool) -> Decision {
        let value = match (self.op, ok) {
            (OpKind::Read, true) => self.newest.as_ref().map(|s| s.value.clone()),
            (OpKind::Create | OpKind::Update, _) => self.written.clone(),
            _ => None,
        };
        Decision {
            trans,
            op: self.op,
            key: self.key.clone(),
            value,
            ok,
        }
    }

    /// The decision the replies so far force, if any.
    fn verdict(&self) -> Option<bool> {
        let unanswered = self.asked - self.oks - self.fails;
        if self.oks >= QUORUM {
            Some(true)
        } else if self.oks + unanswered < QUORUM {
            Some(false)
        } else {
            None
        }
    }
}

/// The transactions a peer coordinates and has not decided yet.
#[derive(Clone, Debug, Default)]
pub struct Coordinator {
    pending: BTreeMap<u64, Pending>,
}

impl Coordinator {
    /// Starts transaction `trans`, already sent to `asked` replicas. Returns
    /// the decision at once if a quorum is out of reach (too few replicas).
    pub fn start(
        &mut self,
        now: u64,
        trans: u64,
        op: OpKind,
        key: &str,
        written: Option<&str>,
        asked: usize,
    ) -> Option<Decision> {
        let pending = Pending {
            op,
            key: key.to_owned(),
            written: written.map(str::to_owned),
            started: now,
            asked: asked.min(usize::from(u8::MAX)) as u8,
            oks: 0,
            fails: 0,
            newest: None,
        };
        match pending.verdict() {
            Some(ok) => Some(pending.decide(trans, ok)),
            None => {
                self.pending.insert(trans, pending);
                None
            }
        }
    }

    /// Counts a replica's reply; returns the decision when it is reached.
    /// Replies to decided or unknown transactions are ignored.
    pub fn on_reply(&mut self, trans: u64, ok: bool, found: Option<Stored>) -> Option<Decision> {
        let p = self.pending.get_mut(&trans)?;
        if p.oks + p.fails >= p.asked {
            return None;
        }
        if ok {
            p.oks += 1;
            if let Some(found) = found {
                if p.newest.as_ref().is_none_or(|n| found.version > n.version) {
                    p.newest = Some(found);
                }
            }
        } else {
            p.fails += 1;
        }
        let ok = p.verdict()?;
        let decision = p.decide(trans, ok);
        self.pending.remove(&trans);
        Some(decision)
    }

    /// Fails every transaction started `timeout` or more ticks before `now`.
    pub fn expire(&mut self, now: u64, timeout: u64) -> Vec<Decision> {
        let late: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| now >= p.started + timeout)
            .map(|(&t, _)| t)
            .collect();
        late.into_iter()
            .filter_map(|t| self.pending.remove(&t).map(|p| p.decide(t, false)))
            .collect()
    }

    /// How many transactions await a decision.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::Version;

    fn found(value: &str, tick: u64) -> Option<Stored> {
        Some(Stored {
            value: value.into(),
            version: Version { tick, trans: 0 },
        })
    }

    #[test]
    fn two_successes_decide_success_once() {
        let mut c = Coordinator::default();
        assert!(c.start(0, 7, OpKind::Create, "k", Some("v"), 3).is_none());
        assert!(c.on_reply(7, true, None).is_none());
        let d = c.on_reply(7, true, None).unwrap();
        assert_eq!((d.ok, d.value.as_deref()), (true, Some("v")));
        assert!(
            c.on_reply(7, true, None).is_none(),
            "the third reply is ignored"
        );
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn two_failures_decide_failure_without_waiting() {
        let mut c = Coordinator::default();
        c.start(0, 1, OpKind::Read, "k", None, 3);
        assert!(c.on_reply(1, false, None).is_none());
        let d = c.on_reply(1, false, None).unwrap();
        assert!(!d.ok);
        assert_eq!(d.value, None);
    }

    #[test]
    fn a_read_returns_the_newest_value_of_the_quorum() {
        let mut c = Coordinator::default();
        c.start(0, 1, OpKind::Read, "k", None, 3);
        c.on_reply(1, true, found("new", 9));
        let d = c.on_reply(1, true, found("old", 3)).unwrap();
        assert_eq!(d.value.as_deref(), Some("new"));
    }

    #[test]
    fn one_success_then_silence_times_out_as_failure() {
        let mut c = Coordinator::default();
        c.start(10, 4, OpKind::Update, "k", Some("nv"), 3);
        c.on_reply(4, true, None);
        assert!(c.expire(19, 10).is_empty());
        let d = c.expire(20, 10);
        assert_eq!(d.len(), 1);
        assert!(!d[0].ok);
        assert_eq!(d[0].value.as_deref(), Some("nv"));
        assert!(
            c.on_reply(4, true, None).is_none(),
            "late replies are ignored"
        );
    }

    #[test]
    fn too_few_replicas_fail_at_once() {
        let mut c = Coordinator::default();
        let d = c.start(0, 1, OpKind::Delete, "k", None, 1).unwrap();
        assert!(!d.ok);
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn one_failure_with_two_left_keeps_waiting() {
        let mut c = Coordinator::default();
        c.start(0, 1, OpKind::Read, "k", None, 3);
        assert!(c.on_reply(1, false, None).is_none());
        assert!(c.on_reply(1, true, found("v", 1)).is_none());
        assert!(c.on_reply(1, true, found("v", 1)).unwrap().ok);
    }
}
