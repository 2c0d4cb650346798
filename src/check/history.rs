//! The history a run records — one entry per client operation — and the
//! snapshot of every peer's copies taken after the faults heal.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::protocol::op::{OpKind, Version};

pub use crate::protocol::op::Reason;

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Completion {
    /// The coordinator reported success.
    Ok,
    /// The coordinator reported failure, for this reason.
    Fail(Reason),
    /// The coordinator crashed before deciding.
    Never,
}

/// One client operation: what it was, when it ran and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistOp {
    /// The transaction id, unique within a run.
    pub trans: u64,
    /// The key it worked on.
    pub key: String,
    /// Create, read, update or delete.
    pub op: OpKind,
    /// The peer that coordinated it.
    pub coordinator: PeerId,
    /// The tick it was invoked at.
    pub invoked: u64,
    /// The tick it completed at; `None` iff the completion is `Never`.
    pub completed: Option<u64>,
    /// How it ended.
    pub completion: Completion,
    /// create/update: the value written; a read that completed Ok: the value
    /// returned; otherwise `None`.
    pub value: Option<String>,
    /// create/update/delete: the version the write stamped (always `Some`,
    /// `Version::new(invoked, trans)`); read: the version of the newest
    /// entry the read's quorum returned (a value's, or a tombstone's for a
    /// not-found read of a deleted key), `None` if the key was never seen.
    pub version: Option<Version>,
}

impl HistOp {
    /// Whether it is a create, update or delete.
    pub fn is_write(&self) -> bool {
        self.op != OpKind::Read
    }

    /// Whether it writes a value (create or update).
    pub fn writes_value(&self) -> bool {
        matches!(self.op, OpKind::Create | OpKind::Update)
    }

    /// Whether it completed `Ok` (was acknowledged).
    pub fn acked(&self) -> bool {
        self.completion == Completion::Ok
    }

    /// Whether it completed with a failure, whatever the reason.
    pub fn failed(&self) -> bool {
        matches!(self.completion, Completion::Fail(_))
    }

    /// Whether it is a read that returned a value.
    pub fn read_value(&self) -> bool {
        self.op == OpKind::Read && self.acked()
    }

    /// Whether it is a read that answered not-found.
    pub fn read_not_found(&self) -> bool {
        self.op == OpKind::Read && self.completion == Completion::Fail(Reason::NotFound)
    }

    /// Whether it is a write that may or may not have taken effect: it
    /// failed for lack of answers (`no-quorum`, `timeout`), never completed,
    /// or failed for a reason its kind cannot fail for.
    pub fn indeterminate(&self) -> bool {
        self.is_write()
            && match self.completion {
                Completion::Ok => false,
                Completion::Never => true,
                Completion::Fail(reason) => !self.fails_without_effect(reason),
            }
    }

    /// Whether it is a write that may have taken effect: acknowledged, or
    /// indeterminate.
    pub fn may_have_effect(&self) -> bool {
        self.is_write() && (self.acked() || self.indeterminate())
    }

    /// Whether it is a write that certainly had no effect: it failed for
    /// the reason its kind fails for when nothing changed (a create with
    /// `exists`, an update or delete with `not-found`).
    pub fn failed_without_effect(&self) -> bool {
        self.is_write() && !self.may_have_effect()
    }

    /// Whether it may have taken effect after `earlier` did and no later
    /// than tick `by`: it may have had an effect at all, it does not
    /// precede `earlier` (real time), and it was invoked by `by`.
    pub fn could_follow(&self, earlier: &HistOp, by: u64) -> bool {
        self.may_have_effect() && !self.precedes(earlier) && self.invoked <= by
    }

    /// Whether failing for `reason` means this write certainly had no effect.
    fn fails_without_effect(&self, reason: Reason) -> bool {
        matches!(
            (self.op, reason),
            (OpKind::Create, Reason::Exists) | (OpKind::Update | OpKind::Delete, Reason::NotFound)
        )
    }

    /// Whether it completed strictly before `other` was invoked (real-time
    /// order; an operation completing at the tick another is invoked at is
    /// concurrent with it).
    pub fn precedes(&self, other: &HistOp) -> bool {
        self.completed.is_some_and(|done| done < other.invoked)
    }

    /// The tick it ended at: its completion, else its invocation.
    pub fn end(&self) -> u64 {
        self.completed.unwrap_or(self.invoked).max(self.invoked)
    }

    /// A short description for findings: `update 7 "b"`.
    pub fn describe(&self) -> String {
        match &self.value {
            Some(value) => format!("{} {} {value:?}", self.op.word(), self.trans),
            None => format!("{} {}", self.op.word(), self.trans),
        }
    }
}

/// Every operation of a run, in invocation order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct History {
    /// The operations, in invocation order.
    pub ops: Vec<HistOp>,
}

impl History {
    /// The version of the write whose entry an undo stamped `version` put
    /// back on `key` (`value`, `None` for a tombstone): the newest write of
    /// that value (or delete) older than the write undone. Any other
    /// version is returned as it is, and so is an undo with no such write in
    /// the history.
    pub fn origin(&self, key: &str, version: Version, value: Option<&str>) -> Version {
        if !version.undo {
            return version;
        }
        let undone = version.written();
        self.ops
            .iter()
            .filter(|op| op.key == key && op.is_write())
            .filter(|op| match value {
                Some(v) => op.value.as_deref() == Some(v),
                None => op.op == OpKind::Delete,
            })
            .filter_map(|op| op.version.filter(|&w| w < undone))
            .max()
            .unwrap_or(version)
    }

    /// This history and `snapshot` with every version an undo stamped
    /// replaced by its [`History::origin`]: an undo puts back an older
    /// write's entry, and the checker judges that write's value.
    pub fn resolve_undos(&self, snapshot: Option<&Snapshot>) -> (History, Option<Snapshot>) {
        let mut history = self.clone();
        for op in history.ops.iter_mut().filter(|op| op.op == OpKind::Read) {
            if let Some(v) = op.version.filter(|v| v.undo) {
                op.version = Some(self.origin(&op.key, v, op.value.as_deref()));
            }
        }
        let snapshot = snapshot.map(|snapshot| {
            let mut snapshot = snapshot.clone();
            for final_key in &mut snapshot.keys {
                for copy in &mut final_key.copies {
                    copy.version = self.origin(&final_key.key, copy.version, copy.value.as_deref());
                }
            }
            snapshot
        });
        (history, snapshot)
    }

    /// The operations grouped by key, keys sorted, each group in invocation order.
    pub fn keys(&self) -> BTreeMap<&str, Vec<&HistOp>> {
        let mut keys: BTreeMap<&str, Vec<&HistOp>> = BTreeMap::new();
        for op in &self.ops {
            keys.entry(op.key.as_str()).or_default().push(op);
        }
        keys
    }

    /// The tick the final snapshot counts as taken at: one past the largest
    /// tick in the history (0 for an empty history).
    pub fn end_tick(&self) -> u64 {
        self.ops
            .iter()
            .map(HistOp::end)
            .max()
            .map_or(0, |tick| tick + 1)
    }
}

/// One peer's entry for a key at the end of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    /// The peer holding it.
    pub peer: PeerId,
    /// The entry's version.
    pub version: Version,
    /// The value, or `None` for a tombstone.
    pub value: Option<String>,
}

/// One key at the end of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalKey {
    /// The key.
    pub key: String,
    /// The key's true replica set at the end.
    pub replicas: Vec<PeerId>,
    /// Every peer's entry for the key, replica or not.
    pub copies: Vec<Copy>,
}

impl FinalKey {
    /// The newest copy (highest version) any peer holds.
    pub fn newest(&self) -> Option<&Copy> {
        self.copies.iter().max_by_key(|copy| copy.version)
    }

    /// The copy `peer` holds, if any.
    pub fn copy_on(&self, peer: PeerId) -> Option<&Copy> {
        self.copies.iter().find(|copy| copy.peer == peer)
    }
}

/// Every peer's copies, taken after the faults healed and a quiet period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The replication factor N.
    pub n: u32,
    /// Every key some peer holds or the history touched.
    pub keys: Vec<FinalKey>,
}

impl Snapshot {
    /// The final state of `key`, if the snapshot lists it.
    pub fn key(&self, key: &str) -> Option<&FinalKey> {
        self.keys.iter().find(|final_key| final_key.key == key)
    }
}

/// Hand-built operations for the checker's tests, all on key `k`.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    /// The version a write invoked at `tick` by transaction `trans` stamps.
    pub(crate) fn v(tick: u64, trans: u64) -> Version {
        Version::new(tick, trans)
    }

    fn op(trans: u64, op: OpKind, span: (u64, u64), completion: Completion) -> HistOp {
        HistOp {
            trans,
            key: "k".into(),
            op,
            coordinator: PeerId(0),
            invoked: span.0,
            completed: (completion != Completion::Never).then_some(span.1),
            completion,
            value: None,
            version: None,
        }
    }

    /// A create, update or delete over `span` (invoked, completed).
    pub(crate) fn write(
        trans: u64,
        kind: OpKind,
        value: Option<&str>,
        span: (u64, u64),
        completion: Completion,
    ) -> HistOp {
        HistOp {
            value: value.map(str::to_string),
            version: Some(v(span.0, trans)),
            ..op(trans, kind, span, completion)
        }
    }

    /// A read that returned what `write` wrote.
    pub(crate) fn read_of(trans: u64, span: (u64, u64), write: &HistOp) -> HistOp {
        HistOp {
            value: write.value.clone(),
            version: write.version,
            ..op(trans, OpKind::Read, span, Completion::Ok)
        }
    }

    /// A read that answered not-found, having seen `version` (a tombstone's) or nothing.
    pub(crate) fn read_none(trans: u64, span: (u64, u64), version: Option<Version>) -> HistOp {
        HistOp {
            version,
            ..op(
                trans,
                OpKind::Read,
                span,
                Completion::Fail(Reason::NotFound),
            )
        }
    }

    /// A read that ended without an answer.
    pub(crate) fn read_failed(trans: u64, span: (u64, u64), completion: Completion) -> HistOp {
        op(trans, OpKind::Read, span, completion)
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::*;
    use super::*;

    #[test]
    fn an_undo_is_judged_as_the_write_it_put_back() {
        let ok = Completion::Ok;
        let failed = Completion::Fail(Reason::NoQuorum);
        let a = write(1, OpKind::Create, Some("a"), (0, 2), ok);
        let gone = write(2, OpKind::Delete, None, (3, 5), ok);
        let b = write(3, OpKind::Create, Some("b"), (6, 8), ok);
        let c = write(4, OpKind::Create, Some("c"), (9, 11), failed);
        let undo = v(9, 4).undoing();
        let mut read = read_of(5, (12, 13), &b);
        read.version = Some(undo);
        let history = History {
            ops: vec![a, gone, b, c, read],
        };
        assert_eq!(history.origin("k", undo, Some("b")), v(6, 3));
        assert_eq!(
            history.origin("k", undo, None),
            v(3, 2),
            "a tombstone put back"
        );
        assert_eq!(
            history.origin("k", v(9, 4), Some("c")),
            v(9, 4),
            "not an undo"
        );
        assert_eq!(history.origin("k", undo, Some("zz")), undo, "no such write");
        let snapshot = Snapshot {
            n: 3,
            keys: vec![FinalKey {
                key: "k".into(),
                replicas: vec![PeerId(0)],
                copies: vec![Copy {
                    peer: PeerId(0),
                    version: undo,
                    value: Some("b".into()),
                }],
            }],
        };
        let (resolved, end) = history.resolve_undos(Some(&snapshot));
        assert_eq!(resolved.ops[4].version, Some(v(6, 3)));
        assert_eq!(end.unwrap().keys[0].copies[0].version, v(6, 3));
    }

    #[test]
    fn words_and_indeterminacy() {
        assert_eq!(Reason::NoQuorum.word(), "no-quorum");
        let timed_out = write(
            1,
            OpKind::Update,
            Some("a"),
            (0, 5),
            Completion::Fail(Reason::Timeout),
        );
        let missing = write(
            2,
            OpKind::Update,
            Some("a"),
            (0, 5),
            Completion::Fail(Reason::NotFound),
        );
        let odd = write(
            3,
            OpKind::Create,
            Some("a"),
            (0, 5),
            Completion::Fail(Reason::NotFound),
        );
        let crashed = write(4, OpKind::Delete, None, (0, 5), Completion::Never);
        assert!(timed_out.indeterminate() && !missing.indeterminate());
        assert!(odd.indeterminate() && crashed.indeterminate());
        assert_eq!(crashed.completed, None);
    }

    #[test]
    fn precedence_is_strict_and_keys_group_in_order() {
        let a = write(1, OpKind::Create, Some("a"), (0, 5), Completion::Ok);
        let b = HistOp {
            key: "j".into(),
            ..read_of(2, (5, 6), &a)
        };
        let c = read_of(3, (6, 7), &a);
        assert!(!a.precedes(&b) && a.precedes(&c));
        let history = History { ops: vec![a, b, c] };
        let keys = history.keys();
        assert_eq!(keys.keys().copied().collect::<Vec<_>>(), ["j", "k"]);
        assert_eq!(
            keys["k"].iter().map(|op| op.trans).collect::<Vec<_>>(),
            [1, 3]
        );
        assert_eq!(history.end_tick(), 8);
    }
}
