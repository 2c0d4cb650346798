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
use crate::message::Stored;
use crate::op::{OpKind, Reason, Version};

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
    /// Why it failed.
    pub reason: Option<Reason>,
    /// The version written, or for a read the newest entry's version.
    pub version: Option<Version>,
}

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
    fn decide(&self, trans: u64, reason: Option<Reason>) -> Decision {
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
        Decision {
            trans,
            op: self.op,
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
    /// replicas; it decides on R answers (a read) or W (a write). Returns the decision at once if the quorum is out of reach
    /// (too few replicas).
    pub fn start(
        &mut self,
        now: u64,
        trans: u64,
        op: OpKind,
        key: &str,
        written: Option<&str>,
        asked: usize,
    ) -> Option<Decision> {
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
            Some(reason) => Some(pending.decide(trans, reason)),
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
        } else {
            p.fails += 1;
        }
        if let Some(found) = found {
            if p.newest.as_ref().is_none_or(|n| found.version > n.version) {
                p.newest = Some(found);
            }
        }
        let reason = p.verdict()?;
        let decision = p.decide(trans, reason);
        self.pending.remove(&trans);
        Some(decision)
    }

    /// Fails every transaction started `timeout` or more ticks before `now`.
    pub fn expire(&mut self, now: u64, timeout: u64) -> Vec<Decision> {
        if self.pending.is_empty() {
            // The common tick: nothing to look at, nothing to allocate.
            return Vec::new();
        }
        let late: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| now >= p.version.tick + timeout)
            .map(|(&t, _)| t)
            .collect();
        late.into_iter()
            .filter_map(|t| {
                let p = self.pending.remove(&t)?;
                Some(p.decide(t, Some(Reason::Timeout)))
            })
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
            value: Some(value.into()),
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
    fn two_not_found_answers_fail_a_read_without_waiting() {
        let mut c = Coordinator::default();
        c.start(0, 1, OpKind::Read, "k", None, 3);
        assert!(c.on_reply(1, false, None).is_none());
        let d = c.on_reply(1, false, None).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NotFound)));
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
        assert_eq!((d[0].ok, d[0].reason), (false, Some(Reason::Timeout)));
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
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NoQuorum)));
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn a_read_decides_on_the_first_two_answers_found_or_not() {
        let mut c = Coordinator::default();
        c.start(0, 1, OpKind::Read, "k", None, 3);
        assert!(c.on_reply(1, false, None).is_none());
        let d = c.on_reply(1, true, found("v", 1)).unwrap();
        assert!(d.ok);
        assert_eq!(d.version, Some(Version { tick: 1, trans: 0 }));
    }

    #[test]
    fn a_newer_tombstone_makes_a_read_not_found() {
        let mut c = Coordinator::default();
        c.start(0, 1, OpKind::Read, "k", None, 3);
        c.on_reply(1, true, found("old", 3));
        let tomb = Stored {
            value: None,
            version: Version { tick: 5, trans: 2 },
        };
        let d = c.on_reply(1, false, Some(tomb)).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NotFound)));
        assert_eq!(d.version, Some(Version { tick: 5, trans: 2 }));
    }

    #[test]
    fn a_precondition_failure_waits_for_every_replica() {
        let mut c = Coordinator::default();
        c.start(3, 1, OpKind::Create, "k", Some("v"), 3);
        assert!(c.on_reply(1, false, None).is_none());
        assert!(
            c.on_reply(1, false, None).is_none(),
            "the third may have created it"
        );
        let d = c.on_reply(1, false, None).unwrap();
        assert_eq!(d.reason, Some(Reason::Exists));
        assert_eq!(d.version, Some(Version { tick: 3, trans: 1 }));
    }

    #[test]
    fn a_write_some_replicas_performed_fails_without_quorum() {
        let mut c = Coordinator::default();
        c.start(0, 1, OpKind::Update, "k", Some("v"), 3);
        c.on_reply(1, false, None);
        c.on_reply(1, true, None);
        let d = c.on_reply(1, false, None).unwrap();
        assert_eq!(d.reason, Some(Reason::NoQuorum));
        // Two refusals and silence: it may still have been performed.
        c.start(0, 2, OpKind::Delete, "k", None, 3);
        c.on_reply(2, false, None);
        assert!(c.on_reply(2, false, None).is_none());
        assert_eq!(c.expire(10, 10)[0].reason, Some(Reason::Timeout));
    }
}
