//! The client side of CRUD: a coordinator sends each request to the key's
//! replicas, counts the replies, and decides once.
//!
//! A read decides on the first R answers, found or not: it returns the
//! newest entry among them, and a tombstone newer than any value means the
//! key is deleted. A write succeeds on W successful replies.
//! It fails for a precondition (`exists`, `not-found`) only when every
//! replica asked refused it — then it changed nothing anywhere; if some
//! replica performed it while too many refused, it fails `no-quorum`, and
//! after `op_timeout` ticks without a decision `timeout`: both may have
//! taken effect (indeterminate).

use std::collections::BTreeMap;

use crate::config::Replication;
use crate::event::EventKind;
use crate::message::Stored;
use crate::op::{OpKind, Reason, Version};
use crate::out::Out;

#[derive(Clone, Debug)]
struct Pending {
    op: OpKind,
    key: String,
    written: Option<String>,
    version: Version,
    asked: u8,
    quorum: u8,
    oks: u8,
    fails: u8,
    newest: Option<Stored>,
}

impl Pending {
    /// The coordinator's outcome line for this transaction.
    fn decide(&self, trans: u64, reason: Option<Reason>) -> EventKind {
        let read = self.op == OpKind::Read;
        let version = match read {
            true => self.newest.as_ref().map(|s| s.version),
            false => Some(self.version),
        };
        let value = match self.op {
            OpKind::Read if reason.is_none() => self.newest.as_ref().and_then(|s| s.value.clone()),
            OpKind::Create | OpKind::Update => self.written.clone(),
            _ => None,
        };
        EventKind::Outcome {
            coordinator: true,
            op: self.op,
            trans,
            key: self.key.clone(),
            value,
            ok: reason.is_none(),
            reason,
            version,
        }
    }

    /// The decision the replies so far force, if any: `Some(None)` for
    /// success, `Some(Some(reason))` for failure.
    fn verdict(&self) -> Option<Option<Reason>> {
        let unanswered = self.asked - self.oks - self.fails;
        let quorum = self.quorum;
        if self.asked < quorum {
            return Some(Some(Reason::NoQuorum));
        }
        if self.op == OpKind::Read {
            if self.oks + self.fails < quorum {
                return None;
            }
            let live = self.newest.as_ref().is_some_and(Stored::is_live);
            return Some((!live).then_some(Reason::NotFound));
        }
        if self.oks >= quorum {
            Some(None)
        } else if self.oks + unanswered >= quorum {
            None
        } else if self.oks > 0 {
            Some(Some(Reason::NoQuorum))
        } else if unanswered == 0 {
            Some(Some(match self.op {
                OpKind::Create => Reason::Exists,
                _ => Reason::NotFound,
            }))
        } else {
            None
        }
    }
}

/// The transactions a peer coordinates and has not decided yet.
#[derive(Clone, Debug, Default)]
pub struct Coordinator {
    pending: BTreeMap<u64, Pending>,
    replication: Replication,
}

impl Coordinator {
    /// A coordinator deciding with `replication`'s R and W.
    pub fn new(replication: Replication) -> Coordinator {
        Coordinator {
            pending: BTreeMap::new(),
            replication,
        }
    }

    /// Starts transaction `trans` at tick `now`, already sent to `asked`
    /// replicas; it decides on R answers (a read) or W (a write). Records
    /// the decision at once if the quorum is out of reach (too few
    /// replicas).
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &mut self,
        now: u64,
        trans: u64,
        op: OpKind,
        key: &str,
        written: Option<&str>,
        asked: usize,
        out: &mut Out,
    ) {
        let quorum = self.replication.quorum(op);
        let pending = Pending {
            op,
            key: key.to_owned(),
            written: written.map(str::to_owned),
            version: Version { tick: now, trans },
            asked: asked.min(usize::from(u8::MAX)) as u8,
            quorum,
            oks: 0,
            fails: 0,
            newest: None,
        };
        match pending.verdict() {
            Some(reason) => out.record(pending.decide(trans, reason)),
            None => {
                self.pending.insert(trans, pending);
            }
        }
    }

    /// Counts a replica's reply; records the decision when it is reached.
    /// Replies to decided or unknown transactions are ignored.
    pub fn on_reply(&mut self, trans: u64, ok: bool, found: Option<Stored>, out: &mut Out) {
        let Some(p) = self.pending.get_mut(&trans) else {
            return;
        };
        if p.oks + p.fails >= p.asked {
            return;
        }
        if ok {
            p.oks += 1;
        } else {
            p.fails += 1;
        }
        if let Some(found) = found {
            if p.newest.as_ref().is_none_or(|n| found.version > n.version) {
                p.newest = Some(found);
            }
        }
        let Some(reason) = p.verdict() else {
            return;
        };
        out.record(p.decide(trans, reason));
        self.pending.remove(&trans);
    }

    /// Fails every transaction started `timeout` or more ticks before `now`.
    pub fn expire(&mut self, now: u64, timeout: u64, out: &mut Out) {
        let late: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| now >= p.version.tick + timeout)
            .map(|(&t, _)| t)
            .collect();
        for t in late {
            if let Some(p) = self.pending.remove(&t) {
                out.record(p.decide(t, Some(Reason::Timeout)));
            }
        }
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

    /// One decision, as the tests look at it.
    #[derive(Debug)]
    struct D {
        ok: bool,
        reason: Option<Reason>,
        value: Option<String>,
        version: Option<Version>,
    }

    /// The decisions one call recorded.
    fn decisions(out: Out) -> Vec<D> {
        assert!(out.sends.is_empty() && out.changes.is_empty());
        out.events
            .into_iter()
            .map(|e| match e {
                EventKind::Outcome {
                    coordinator: true,
                    ok,
                    reason,
                    value,
                    version,
                    ..
                } => D {
                    ok,
                    reason,
                    value,
                    version,
                },
                other => panic!("not a decision: {other:?}"),
            })
            .collect()
    }

    fn one(out: Out) -> Option<D> {
        let mut all = decisions(out);
        assert!(all.len() <= 1, "{all:?}");
        all.pop()
    }

    /// Starts `op` on key `k` as (tick, transaction), asking `asked`.
    fn start(
        c: &mut Coordinator,
        at: (u64, u64),
        op: OpKind,
        v: Option<&str>,
        asked: usize,
    ) -> Option<D> {
        let mut out = Out::default();
        c.start(at.0, at.1, op, "k", v, asked, &mut out);
        one(out)
    }

    fn reply(c: &mut Coordinator, trans: u64, ok: bool, found: Option<Stored>) -> Option<D> {
        let mut out = Out::default();
        c.on_reply(trans, ok, found, &mut out);
        one(out)
    }

    fn expire(c: &mut Coordinator, now: u64, timeout: u64) -> Vec<D> {
        let mut out = Out::default();
        c.expire(now, timeout, &mut out);
        decisions(out)
    }

    fn found(value: &str, tick: u64) -> Option<Stored> {
        Some(Stored {
            value: Some(value.into()),
            version: Version { tick, trans: 0 },
        })
    }

    #[test]
    fn two_successes_decide_success_once() {
        let mut c = Coordinator::default();
        assert!(start(&mut c, (0, 7), OpKind::Create, Some("v"), 3).is_none());
        assert!(reply(&mut c, 7, true, None).is_none());
        let d = reply(&mut c, 7, true, None).unwrap();
        assert_eq!((d.ok, d.value.as_deref()), (true, Some("v")));
        assert!(
            reply(&mut c, 7, true, None).is_none(),
            "the third reply is ignored"
        );
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn two_not_found_answers_fail_a_read_without_waiting() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        assert!(reply(&mut c, 1, false, None).is_none());
        let d = reply(&mut c, 1, false, None).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NotFound)));
        assert_eq!(d.value, None);
    }

    #[test]
    fn a_read_returns_the_newest_value_of_the_quorum() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        reply(&mut c, 1, true, found("new", 9));
        let d = reply(&mut c, 1, true, found("old", 3)).unwrap();
        assert_eq!(d.value.as_deref(), Some("new"));
    }

    #[test]
    fn one_success_then_silence_times_out_as_failure() {
        let mut c = Coordinator::default();
        start(&mut c, (10, 4), OpKind::Update, Some("nv"), 3);
        reply(&mut c, 4, true, None);
        assert!(expire(&mut c, 19, 10).is_empty());
        let d = expire(&mut c, 20, 10);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].ok, d[0].reason), (false, Some(Reason::Timeout)));
        assert_eq!(d[0].value.as_deref(), Some("nv"));
        assert!(
            reply(&mut c, 4, true, None).is_none(),
            "late replies are ignored"
        );
    }

    #[test]
    fn too_few_replicas_fail_at_once() {
        let mut c = Coordinator::default();
        let d = start(&mut c, (0, 1), OpKind::Delete, None, 1).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NoQuorum)));
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn a_read_decides_on_the_first_two_answers_found_or_not() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        assert!(reply(&mut c, 1, false, None).is_none());
        let d = reply(&mut c, 1, true, found("v", 1)).unwrap();
        assert!(d.ok);
        assert_eq!(d.version, Some(Version { tick: 1, trans: 0 }));
    }

    #[test]
    fn a_newer_tombstone_makes_a_read_not_found() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        reply(&mut c, 1, true, found("old", 3));
        let tomb = Stored {
            value: None,
            version: Version { tick: 5, trans: 2 },
        };
        let d = reply(&mut c, 1, false, Some(tomb)).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NotFound)));
        assert_eq!(d.version, Some(Version { tick: 5, trans: 2 }));
    }

    #[test]
    fn a_precondition_failure_waits_for_every_replica() {
        let mut c = Coordinator::default();
        start(&mut c, (3, 1), OpKind::Create, Some("v"), 3);
        assert!(reply(&mut c, 1, false, None).is_none());
        assert!(
            reply(&mut c, 1, false, None).is_none(),
            "the third may have created it"
        );
        let d = reply(&mut c, 1, false, None).unwrap();
        assert_eq!(d.reason, Some(Reason::Exists));
        assert_eq!(d.version, Some(Version { tick: 3, trans: 1 }));
    }

    #[test]
    fn a_write_some_replicas_performed_fails_without_quorum() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Update, Some("v"), 3);
        reply(&mut c, 1, false, None);
        reply(&mut c, 1, true, None);
        let d = reply(&mut c, 1, false, None).unwrap();
        assert_eq!(d.reason, Some(Reason::NoQuorum));
        // Two refusals and silence: it may still have been performed.
        start(&mut c, (0, 2), OpKind::Delete, None, 3);
        reply(&mut c, 2, false, None);
        assert!(reply(&mut c, 2, false, None).is_none());
        assert_eq!(expire(&mut c, 10, 10)[0].reason, Some(Reason::Timeout));
    }
}
