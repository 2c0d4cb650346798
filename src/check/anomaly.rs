//! The anomaly counters of `docs/consistency.md`, one function per anomaly,
//! and the report they fill: a count per anomaly and one finding per count.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::protocol::op::{OpKind, Version};
use crate::util::names;

use super::history::{Completion, Copy, FinalKey, HistOp};
use super::linear::Verdict;

/// Declares [`Anomalies`] and [`Anomaly`] from one list of fields, so the
/// struct, the enum, their names and their accessors cannot drift apart.
macro_rules! anomalies {
    ($($(#[$doc:meta])* $field:ident => $variant:ident,)*) => {
        /// How many times each anomaly was found (the JSON field names of
        /// docs/consistency.md).
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
        pub struct Anomalies {
            $($(#[$doc])* pub $field: u64,)*
        }

        /// One anomaly of docs/consistency.md.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Anomaly {
            $($(#[$doc])* $variant,)*
        }

        impl Anomaly {
            /// Every anomaly, in declaration order.
            pub const ALL: [Anomaly; 15] = [$(Anomaly::$variant),*];

            /// Its name: its JSON field name in docs/consistency.md, as `torture` prints it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Anomaly::$variant => stringify!($field),)*
                }
            }
        }

        impl Anomalies {
            /// The count of `anomaly`.
            pub fn get(&self, anomaly: Anomaly) -> u64 {
                match anomaly {
                    $(Anomaly::$variant => self.$field,)*
                }
            }

            fn slot(&mut self, anomaly: Anomaly) -> &mut u64 {
                match anomaly {
                    $(Anomaly::$variant => &mut self.$field,)*
                }
            }
        }
    };
}

anomalies! {
    /// Keys whose history the checker proves not linearizable.
    non_linearizable_keys => NonLinearizableKeys,
    /// Keys the checker could not decide within its budget.
    unknown_keys => UnknownKeys,
    /// Reads of a value older than a write (a delete too) acknowledged
    /// before they began, unless counted as `resurrected_delete`.
    stale_read => StaleRead,
    /// Not-found reads after an acknowledged create or update that no
    /// delete could have come after.
    stale_not_found => StaleNotFound,
    /// Reads, and keys' newest final copies, of a value written before a
    /// delete that was acknowledged before them.
    resurrected_delete => ResurrectedDelete,
    /// Acknowledged writes gone at the end: no copy left, or only older ones.
    lost_write => LostWrite,
    /// Creates and updates that did not succeed yet replaced, as reads or
    /// the final copy show, what a write acknowledged before them left.
    create_overwrote => CreateOverwrote,
    /// Reads older than a read that completed before they began.
    read_regression => ReadRegression,
    /// Reads returning the value of a write that failed.
    failed_write_visible => FailedWriteVisible,
    /// Live keys on fewer than N of their replicas at the end.
    under_replicated_end => UnderReplicatedEnd,
    /// Keys whose replicas disagree at the end.
    divergent_end => DivergentEnd,
    /// Keys with a value on more than N peers at the end.
    over_replicated_end => OverReplicatedEnd,
    /// The end-state part of `resurrected_delete`: keys whose newest final
    /// copy is a value written before an acknowledged delete.
    resurrected_end => ResurrectedEnd,
    /// The end-state part of `create_overwrote`: keys whose newest final
    /// copy is a failed create's or update's over what an acknowledged
    /// write left.
    overwritten_end => OverwrittenEnd,
    /// Peers that never failed removed by another's membership (filled in by the simulator).
    live_peer_removed => LivePeerRemoved,
}

impl Anomalies {
    /// Adds every count of `other` to this one.
    pub fn add(&mut self, other: &Anomalies) {
        for anomaly in Anomaly::ALL {
            *self.slot(anomaly) += other.get(anomaly);
        }
    }

    /// Every (anomaly, count), in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (Anomaly, u64)> + '_ {
        Anomaly::ALL
            .into_iter()
            .map(|anomaly| (anomaly, self.get(anomaly)))
    }

    /// Counts one more of `anomaly`.
    fn bump(&mut self, anomaly: Anomaly) {
        *self.slot(anomaly) += 1;
    }
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// An anomaly in JSON: its name.
impl Serialize for Anomaly {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A name that is no [`Anomaly`]'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownAnomaly(pub String);

impl fmt::Display for UnknownAnomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known = Anomaly::ALL.map(Anomaly::name);
        names::write_unknown(f, ("anomaly", "anomalies"), &self.0, known)
    }
}

impl std::error::Error for UnknownAnomaly {}

impl FromStr for Anomaly {
    type Err = UnknownAnomaly;

    fn from_str(name: &str) -> Result<Anomaly, UnknownAnomaly> {
        names::find(&Anomaly::ALL, Anomaly::name, name)
            .ok_or_else(|| UnknownAnomaly(name.to_owned()))
    }
}

/// One counted anomaly, explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The anomaly (its name in JSON).
    pub kind: Anomaly,
    /// The key it happened to.
    pub key: String,
    /// When: the read's completion, or the snapshot's tick.
    pub tick: u64,
    /// A short sentence naming the operations by transaction id.
    pub detail: String,
}

/// The checker's verdict on one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyVerdict {
    /// The key.
    pub key: String,
    /// How many operations its history holds.
    pub ops: u32,
    /// Linearizable, not, or unknown.
    pub verdict: Verdict,
}

/// Everything the checker found in one run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The verdict per key, keys sorted.
    pub keys: Vec<KeyVerdict>,
    /// The counts.
    pub anomalies: Anomalies,
    /// One finding per count.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Counts one `kind` anomaly on `key` at `tick` and keeps its explanation.
    pub fn record(&mut self, kind: Anomaly, key: &str, tick: u64, detail: String) {
        self.anomalies.bump(kind);
        self.findings.push(Finding {
            kind,
            key: key.to_string(),
            tick,
            detail,
        });
    }
}

/// The end of a run as one key's counters see it.
#[derive(Clone, Copy, Debug)]
pub(super) struct End<'a> {
    /// The key's final state, `None` if no peer holds it.
    pub final_key: Option<&'a FinalKey>,
    /// The replication factor N.
    pub n: u32,
    /// The tick the snapshot counts as taken at.
    pub tick: u64,
}

impl End<'_> {
    fn newest(&self) -> Option<&Copy> {
        self.final_key.and_then(FinalKey::newest)
    }

    /// The newest copy, if it is a value rather than a tombstone.
    fn newest_value(&self) -> Option<&Copy> {
        self.newest().filter(|copy| copy.value.is_some())
    }
}

/// One key's evidence: its operations in invocation order and, with a
/// snapshot, its end.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeyFacts<'a> {
    /// The key.
    pub key: &'a str,
    /// Its operations.
    pub ops: &'a [&'a HistOp],
    /// Its final copies, when the run took a snapshot.
    pub end: Option<End<'a>>,
}

impl<'a> KeyFacts<'a> {
    /// The operations that satisfy `keep`.
    fn matching(&self, keep: impl Fn(&HistOp) -> bool) -> impl Iterator<Item = &'a HistOp> {
        self.ops.iter().copied().filter(move |op| keep(op))
    }

    /// The highest-versioned operation that satisfies `keep`.
    fn newest(&self, keep: impl Fn(&HistOp) -> bool) -> Option<&'a HistOp> {
        self.matching(keep).max_by_key(|op| op.version)
    }

    /// The write that stamped `version`.
    fn producer(&self, version: Option<Version>) -> Option<&'a HistOp> {
        let version = version?;
        self.matching(move |op| op.is_write() && op.version == Some(version))
            .next()
    }

    /// Whether an operation that satisfies `kind` may have taken effect
    /// after `earlier` and no later than tick `by`.
    fn could_follow(&self, earlier: &HistOp, by: u64, kind: impl Fn(&HistOp) -> bool) -> bool {
        self.ops
            .iter()
            .any(|op| kind(op) && op.could_follow(earlier, by))
    }

    /// The newest acknowledged delete that satisfies `before` and that the
    /// value of `version` cannot have come after: the write that stamped
    /// the version completed before the delete was invoked (or no write
    /// stamped it).
    fn outlived_delete(
        &self,
        version: Option<Version>,
        before: impl Fn(&HistOp) -> bool,
    ) -> Option<&'a HistOp> {
        let producer = self.producer(version);
        self.newest(|d| {
            d.op == OpKind::Delete
                && d.acked()
                && before(d)
                && producer.is_none_or(|write| write.precedes(d))
        })
    }

    /// The delete a value `read` returned was deleted by for good (see
    /// [`KeyFacts::outlived_delete`]), acknowledged before the read began.
    fn deleted_before(&self, read: &HistOp) -> Option<&'a HistOp> {
        self.outlived_delete(read.version, |d| d.precedes(read))
    }

    fn record(&self, report: &mut Report, kind: Anomaly, tick: u64, detail: String) {
        report.record(kind, self.key, tick, detail);
    }
}

/// Every counter, in the order of [`Anomaly::ALL`]; the linearizability
/// counts come from the search, `live_peer_removed` from the simulator.
const COUNTERS: [fn(&KeyFacts, &mut Report); 10] = [
    stale_read,
    stale_not_found,
    resurrected_delete,
    lost_write,
    create_overwrote,
    read_regression,
    failed_write_visible,
    under_replicated_end,
    divergent_end,
    over_replicated_end,
];

/// Runs every counter on one key.
pub(super) fn count(facts: &KeyFacts, report: &mut Report) {
    for counter in COUNTERS {
        counter(facts, report);
    }
}

fn version_text(version: Option<Version>) -> String {
    version.map_or_else(
        || "none".into(),
        |v| {
            format!(
                "{}#{}{}",
                v.tick,
                v.trans,
                if v.undo { " undo" } else { "" }
            )
        },
    )
}

/// `read 9 returned "a" (version 3#1)` or `read 9 answered not-found (version none)`.
fn read_text(read: &HistOp) -> String {
    let answer = match &read.value {
        Some(value) if read.acked() => format!("returned {value:?}"),
        _ => "answered not-found".into(),
    };
    format!(
        "read {} {answer} (version {})",
        read.trans,
        version_text(read.version)
    )
}

/// `update 4 "b" (version 7#4, ok at tick 9)`.
fn write_text(write: &HistOp) -> String {
    let outcome = match write.completion {
        Completion::Ok => "ok".to_string(),
        Completion::Fail(reason) => format!("failed {}", reason.word()),
        Completion::Never => "never completed".into(),
    };
    let at = write
        .completed
        .map_or_else(String::new, |tick| format!(" at tick {tick}"));
    format!(
        "{} (version {}, {outcome}{at})",
        write.describe(),
        version_text(write.version)
    )
}

/// A value older than an acknowledged write that precedes the read — a
/// delete included: under a partition, the other side's copy. A read of a
/// value that cannot have come after such a delete is a
/// `resurrected_delete` instead, and counted only there.
fn stale_read(facts: &KeyFacts, report: &mut Report) {
    for read in facts.matching(HistOp::read_value) {
        if facts.deleted_before(read).is_some() {
            continue;
        }
        let newer = facts
            .newest(|w| w.is_write() && w.acked() && w.precedes(read) && w.version > read.version);
        if let Some(write) = newer {
            let detail = format!(
                "{} after {} was acknowledged",
                read_text(read),
                write_text(write)
            );
            facts.record(report, Anomaly::StaleRead, read.end(), detail);
        }
    }
}

/// A not-found read after an acknowledged create or update that no delete
/// — acknowledged or indeterminate, not preceding the write, invoked by
/// the read's completion — could have come after.
fn stale_not_found(facts: &KeyFacts, report: &mut Report) {
    for read in facts.matching(HistOp::read_not_found) {
        let deletable =
            |write: &HistOp| facts.could_follow(write, read.end(), |d| d.op == OpKind::Delete);
        let last =
            facts.newest(|w| w.writes_value() && w.acked() && w.precedes(read) && !deletable(w));
        if let Some(write) = last {
            let detail = format!(
                "{} although {} was acknowledged and no delete could have come after it",
                read_text(read),
                write_text(write)
            );
            facts.record(report, Anomaly::StaleNotFound, read.end(), detail);
        }
    }
}

/// A deleted value back: a read returns, or the newest final copy holds,
/// a value whose write completed before a delete that was acknowledged
/// (before the read began, for a read) — no write of that value could
/// have come after the delete.
fn resurrected_delete(facts: &KeyFacts, report: &mut Report) {
    for read in facts.matching(HistOp::read_value) {
        if let Some(delete) = facts.deleted_before(read) {
            let detail = format!(
                "{} after {} was acknowledged, and no write of that value could have come after it",
                read_text(read),
                write_text(delete)
            );
            facts.record(report, Anomaly::ResurrectedDelete, read.end(), detail);
        }
    }
    let Some(end) = facts.end else { return };
    if let Some(copy) = end.newest_value() {
        if let Some(delete) = facts.outlived_delete(Some(copy.version), |_| true) {
            let detail = format!(
                "the final copy on {} is version {}, written before {}",
                copy.peer,
                version_text(Some(copy.version)),
                write_text(delete)
            );
            facts.record(report, Anomaly::ResurrectedEnd, end.tick, detail.clone());
            facts.record(report, Anomaly::ResurrectedDelete, end.tick, detail);
        }
    }
}

/// An acknowledged write gone for good: after the quiet period the newest
/// copy left is older than it (replaced by an older or earlier-failed
/// write, or every copy lost), or no copy is left and no delete can
/// explain it. (A read that returns an older value meanwhile is a
/// `stale_read`.)
fn lost_write(facts: &KeyFacts, report: &mut Report) {
    let Some(end) = facts.end else { return };
    let newest = end.newest().map(|copy| copy.version);
    for write in facts.matching(|w| w.writes_value() && w.acked()) {
        let lost = match newest {
            Some(version) => Some(version) < write.version,
            None => !facts
                .matching(|d| d.op == OpKind::Delete && (d.acked() || d.indeterminate()))
                .any(|d| d.version > write.version),
        };
        if lost {
            let detail = format!(
                "{} is gone: the newest copy left is version {}",
                write_text(write),
                version_text(newest)
            );
            facts.record(report, Anomaly::LostWrite, end.tick, detail);
        }
    }
}

/// A conditional write — a create or an update — that failed, for any
/// reason, yet shows, in a read invoked after it failed or as the newest
/// final copy, over what an acknowledged write left before it was invoked
/// (see [`overwritten`]). A read concurrent with the failed write may see
/// it on its way (counted as `failed_write_visible`): it was still in
/// progress. A write that never completed (its coordinator crashed) is
/// indeterminate and may take effect at any time: never counted here.
fn create_overwrote(facts: &KeyFacts, report: &mut Report) {
    for write in facts.matching(|w| w.writes_value() && w.failed()) {
        let read = facts
            .matching(|r| r.read_value() && r.version == write.version && write.precedes(r))
            .min_by_key(|read| read.end())
            .map(|read| (read.end(), read_text(read)));
        let at_end = facts.end.and_then(|end| {
            let copy = end
                .newest()
                .filter(|copy| Some(copy.version) == write.version)?;
            Some((
                end.tick,
                format!("the newest final copy, on {}, is its", copy.peer),
            ))
        });
        let overwrote = |(tick, shown): &(u64, String)| {
            let replaced = overwritten(facts, write, *tick)?;
            let detail = format!(
                "{} replaced {}, acknowledged before it was invoked: {shown}",
                write_text(write),
                write_text(replaced)
            );
            Some((*tick, detail))
        };
        if let Some((tick, detail)) = read.as_ref().or(at_end.as_ref()).and_then(overwrote) {
            facts.record(report, Anomaly::CreateOverwrote, tick, detail);
        }
        if let Some((tick, detail)) = at_end.as_ref().and_then(overwrote) {
            facts.record(report, Anomaly::OverwrittenEnd, tick, detail);
        }
    }
}

/// The acknowledged write, preceding the conditional `write` (shown at
/// tick `by`), that `write` replaced although it must not have: for a
/// write that certainly had no effect (refused: a create with `exists`, an
/// update with `not-found`), the newest acknowledged write before it; for
/// an indeterminate create, an acknowledged create or update after which
/// no delete could have come by `by` (the key was present); for an
/// indeterminate update, an acknowledged delete after which no create
/// could have come by `by` (the key was absent).
fn overwritten<'a>(facts: &KeyFacts<'a>, write: &HistOp, by: u64) -> Option<&'a HistOp> {
    let before = |w: &HistOp| w.acked() && w.precedes(write);
    if write.failed_without_effect() {
        return facts.newest(|w| w.is_write() && before(w));
    }
    let (state, undoes): (fn(&HistOp) -> bool, OpKind) = match write.op {
        OpKind::Create => (HistOp::writes_value, OpKind::Delete),
        // An update: `write` writes a value, so it is a create or an update.
        _ => (|w| w.op == OpKind::Delete, OpKind::Create),
    };
    facts.newest(|w| state(w) && before(w) && !facts.could_follow(w, by, |u| u.op == undoes))
}

fn read_regression(facts: &KeyFacts, report: &mut Report) {
    // The later read returns a value: a not-found after a collected
    // tombstone has no version, and is no regression.
    let definite = |op: &HistOp| op.read_value() || op.read_not_found();
    for read in facts.matching(HistOp::read_value) {
        if let Some(earlier) =
            facts.newest(|r| definite(r) && r.precedes(read) && r.version > read.version)
        {
            let detail = format!("{} after {}", read_text(read), read_text(earlier));
            facts.record(report, Anomaly::ReadRegression, read.end(), detail);
        }
    }
}

fn failed_write_visible(facts: &KeyFacts, report: &mut Report) {
    for read in facts.matching(HistOp::read_value) {
        if let Some(write) = facts.producer(read.version).filter(|w| w.failed()) {
            let detail = format!("{}, written by {}", read_text(read), write_text(write));
            facts.record(report, Anomaly::FailedWriteVisible, read.end(), detail);
        }
    }
}

/// The key's replicas with the copy each holds, if any.
fn replica_copies(final_key: &FinalKey) -> impl Iterator<Item = Option<&Copy>> {
    final_key
        .replicas
        .iter()
        .map(|&peer| final_key.copy_on(peer))
}

fn under_replicated_end(facts: &KeyFacts, report: &mut Report) {
    let Some(end) = facts.end else { return };
    let (Some(final_key), Some(newest)) = (end.final_key, end.newest_value()) else {
        return;
    };
    let held = replica_copies(final_key)
        .filter(|copy| copy.is_some_and(|c| c.version == newest.version))
        .count();
    if u32::try_from(held).unwrap_or(u32::MAX) < end.n {
        let detail = format!(
            "version {} is on {held} of the key's replicas, fewer than {}",
            version_text(Some(newest.version)),
            end.n
        );
        facts.record(report, Anomaly::UnderReplicatedEnd, end.tick, detail);
    }
}

fn divergent_end(facts: &KeyFacts, report: &mut Report) {
    let Some(end) = facts.end else { return };
    let Some(final_key) = end.final_key else {
        return;
    };
    let held: Vec<Option<&Copy>> = replica_copies(final_key).collect();
    let versions: BTreeSet<Version> = held.iter().flatten().map(|copy| copy.version).collect();
    let any_value = held.iter().flatten().any(|copy| copy.value.is_some());
    let missing = held.iter().filter(|copy| copy.is_none()).count();
    if any_value && (versions.len() > 1 || missing > 0) {
        let shown: Vec<String> = versions.iter().map(|&v| version_text(Some(v))).collect();
        let detail = format!(
            "the replicas hold versions {} and {missing} hold nothing",
            shown.join(", ")
        );
        facts.record(report, Anomaly::DivergentEnd, end.tick, detail);
    }
}

fn over_replicated_end(facts: &KeyFacts, report: &mut Report) {
    let Some(end) = facts.end else { return };
    let Some(final_key) = end.final_key else {
        return;
    };
    let holders: BTreeSet<_> = final_key
        .copies
        .iter()
        .filter(|copy| copy.value.is_some())
        .map(|copy| copy.peer)
        .collect();
    if u32::try_from(holders.len()).unwrap_or(u32::MAX) > end.n {
        let detail = format!("{} peers hold a value, more than {}", holders.len(), end.n);
        facts.record(report, Anomaly::OverReplicatedEnd, end.tick, detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::history::fixture::*;
    use crate::check::history::{History, Reason, Snapshot};
    use crate::protocol::address::PeerId;
    use crate::protocol::op::OpKind::{Create, Delete, Update};
    use Completion::{Fail, Ok};
    use Reason::{Exists, NoQuorum, NotFound, Timeout};

    fn run(ops: &[HistOp], snapshot: Option<&Snapshot>) -> Report {
        let history = History { ops: ops.to_vec() };
        crate::check::check(&history, snapshot, 1_000_000)
    }

    /// A snapshot of key `k` (N = 3, replicas peers 0–2) from (peer, version, value).
    fn snap(copies: &[(u32, Version, Option<&str>)]) -> Snapshot {
        let copies = copies
            .iter()
            .map(|&(peer, version, value)| Copy {
                peer: PeerId(peer),
                version,
                value: value.map(str::to_string),
            })
            .collect();
        let replicas = vec![PeerId(0), PeerId(1), PeerId(2)];
        Snapshot {
            n: 3,
            keys: vec![FinalKey {
                key: "k".into(),
                replicas,
                copies,
            }],
        }
    }

    /// A snapshot of key `k` with `version` of `value` on each of its 3 replicas.
    fn on_all(version: Version, value: &str) -> Snapshot {
        snap(&[
            (0, version, Some(value)),
            (1, version, Some(value)),
            (2, version, Some(value)),
        ])
    }

    /// Asserts `field` counted `count` with as many findings, and returns the findings' ticks.
    fn counted(report: &Report, name: &str, count: u64) -> Vec<u64> {
        let field: Anomaly = name.parse().unwrap();
        let ticks: Vec<u64> = report
            .findings
            .iter()
            .filter(|f| f.kind == field)
            .map(|f| f.tick)
            .collect();
        assert_eq!(
            report.anomalies.get(field),
            count,
            "{field}: {:#?}",
            report.findings
        );
        assert_eq!(u64::try_from(ticks.len()).unwrap(), count);
        ticks
    }

    #[test]
    fn clean_history_and_healthy_snapshot_count_nothing() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(3, Update, Some("b"), (4, 5), Ok);
        let c = write(7, Create, Some("c"), (12, 13), Ok);
        let x = HistOp {
            key: "j".into(),
            ..write(9, Create, Some("x"), (0, 2), Ok)
        };
        let gone = HistOp {
            key: "j".into(),
            ..write(10, Delete, None, (3, 4), Ok)
        };
        let ops = [
            a.clone(),
            read_of(2, (2, 3), &a),
            b.clone(),
            read_of(4, (6, 7), &b),
            write(5, Delete, None, (8, 9), Ok),
            read_none(6, (10, 11), Some(v(8, 5))),
            c.clone(),
            read_of(8, (14, 15), &c),
            x,
            gone,
        ];
        let mut snapshot = on_all(v(12, 7), "c");
        snapshot.keys[0].copies.push(Copy {
            peer: PeerId(5),
            version: v(8, 5),
            value: None,
        });
        snapshot.keys.push(FinalKey {
            key: "j".into(),
            replicas: vec![PeerId(0), PeerId(1), PeerId(2)],
            copies: vec![Copy {
                peer: PeerId(1),
                version: v(3, 10),
                value: None,
            }],
        });
        let report = run(&ops, Some(&snapshot));
        assert!(
            report.anomalies.iter().all(|(_, count)| count == 0),
            "{report:#?}"
        );
        assert!(report.findings.is_empty());
        let verdicts: Vec<(&str, u32, Verdict)> = report
            .keys
            .iter()
            .map(|k| (k.key.as_str(), k.ops, k.verdict))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("j", 2, Verdict::Linearizable),
                ("k", 8, Verdict::Linearizable)
            ]
        );
    }

    #[test]
    fn stale_read_and_non_linearizable_key() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let ops = [
            a.clone(),
            write(2, Update, Some("b"), (2, 3), Ok),
            read_of(3, (4, 5), &a),
        ];
        let report = run(&ops, None);
        assert_eq!(counted(&report, "stale_read", 1), [5]);
        let stale = report
            .findings
            .iter()
            .find(|f| f.kind == Anomaly::StaleRead)
            .unwrap();
        assert_eq!(
            stale.detail,
            r#"read 3 returned "a" (version 0#1) after update 2 "b" (version 2#2, ok at tick 3) was acknowledged"#
        );
        counted(&report, "non_linearizable_keys", 1);
        assert_eq!(report.keys[0].verdict, Verdict::NotLinearizable);
    }

    #[test]
    fn unknown_key_past_the_budget() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let ops = [
            a.clone(),
            write(2, Update, Some("b"), (2, 3), Ok),
            read_of(3, (4, 5), &a),
        ];
        let report = crate::check::check(&History { ops: ops.to_vec() }, None, 1);
        counted(&report, "unknown_keys", 1);
        counted(&report, "non_linearizable_keys", 0);
    }

    #[test]
    fn stale_not_found_after_an_acknowledged_write_no_delete_could_follow() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let ops = [a.clone(), read_none(2, (2, 3), None)];
        assert_eq!(counted(&run(&ops, None), "stale_not_found", 1), [3]);
        // An update acknowledged after a delete: the delete cannot follow it.
        let gone = write(3, Delete, None, (2, 3), Ok);
        let b = write(4, Update, Some("b"), (4, 5), Ok);
        let ops = [a.clone(), gone, b, read_none(5, (6, 7), Some(v(2, 3)))];
        assert_eq!(counted(&run(&ops, None), "stale_not_found", 1), [7]);
        // A delete refused `not-found` had no effect; one invoked after
        // the read completed comes too late.
        let refused = write(6, Delete, None, (2, 3), Fail(NotFound));
        let late = write(7, Delete, None, (6, 7), Ok);
        let ops = [a.clone(), refused, read_none(8, (4, 5), None), late];
        counted(&run(&ops, None), "stale_not_found", 1);
    }

    #[test]
    fn not_found_after_a_delete_that_could_have_come_after_is_no_stale_not_found() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        // The coordinator crashed: the delete never completed, yet reached
        // the replicas (the crash profiles), and its tombstone was collected.
        for completion in [Completion::Never, Fail(Timeout), Fail(NoQuorum), Ok] {
            let gone = write(2, Delete, None, (2, 3), completion);
            let ops = [a.clone(), gone, read_none(3, (10, 11), None)];
            let report = run(&ops, None);
            counted(&report, "stale_not_found", 0);
            assert_eq!(report.anomalies.non_linearizable_keys, 0);
        }
        // Invoked at the tick the read completes: concurrent, so it may
        // come first.
        let gone = write(2, Delete, None, (11, 12), Completion::Never);
        let ops = [a.clone(), read_none(3, (10, 11), None), gone];
        counted(&run(&ops, None), "stale_not_found", 0);
        // Concurrent with the create, older by version: it may still come after.
        let gone = write(2, Delete, None, (0, 1), Ok);
        let later = write(1, Create, Some("a"), (1, 2), Ok);
        let ops = [gone, later, read_none(3, (4, 5), None)];
        counted(&run(&ops, None), "stale_not_found", 0);
        // The read saw a newer tombstone.
        let gone = write(2, Delete, None, (2, 3), Ok);
        let ops = [a, gone, read_none(3, (4, 5), Some(v(2, 2)))];
        counted(&run(&ops, None), "stale_not_found", 0);
    }

    #[test]
    fn a_read_of_a_deleted_value_is_resurrected_not_stale() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let gone = write(2, Delete, None, (2, 3), Ok);
        let ops = [a.clone(), gone.clone(), read_of(3, (4, 5), &a)];
        let report = run(&ops, None);
        assert_eq!(counted(&report, "resurrected_delete", 1), [5]);
        counted(&report, "stale_read", 0);
        counted(&report, "resurrected_end", 0);
        let found = report
            .findings
            .iter()
            .find(|f| f.kind == Anomaly::ResurrectedDelete)
            .unwrap();
        assert_eq!(
            found.detail,
            r#"read 3 returned "a" (version 0#1) after delete 2 (version 2#2, ok at tick 3) was acknowledged, and no write of that value could have come after it"#
        );
        // Other writes that could have come after the delete do not
        // explain the deleted value.
        let b = write(4, Create, Some("b"), (4, 6), Completion::Never);
        let ops = [a.clone(), gone.clone(), b, read_of(3, (5, 6), &a)];
        counted(&run(&ops, None), "resurrected_delete", 1);
    }

    #[test]
    fn a_value_that_could_have_come_after_the_delete_is_not_resurrected() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let gone = write(2, Delete, None, (2, 3), Ok);
        // Recreated after the delete.
        let b = write(3, Create, Some("b"), (4, 5), Ok);
        let ops = [a.clone(), gone.clone(), b.clone(), read_of(4, (6, 7), &b)];
        let report = run(&ops, None);
        assert!(
            report.anomalies.iter().all(|(_, count)| count == 0),
            "{report:#?}"
        );
        // Written concurrently with the delete, older by version: it may
        // have come after the delete, but it is older than it — stale.
        let c = write(3, Update, Some("c"), (1, 4), Fail(Timeout));
        let ops = [a.clone(), c.clone(), gone.clone(), read_of(4, (5, 6), &c)];
        let report = run(&ops, None);
        counted(&report, "resurrected_delete", 0);
        assert_eq!(counted(&report, "stale_read", 1), [6]);
        // The delete was not acknowledged before the read began.
        let slow = write(2, Delete, None, (2, 5), Ok);
        let ops = [a.clone(), slow, read_of(3, (4, 5), &a)];
        counted(&run(&ops, None), "resurrected_delete", 0);
        // A failed delete: the value may stay.
        let maybe = write(2, Delete, None, (2, 3), Fail(NoQuorum));
        let ops = [a.clone(), maybe, read_of(3, (4, 5), &a)];
        let report = run(&ops, None);
        counted(&report, "resurrected_delete", 0);
        counted(&report, "stale_read", 0);
    }

    #[test]
    fn resurrected_delete_by_the_final_copy() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let gone = write(2, Delete, None, (2, 3), Ok);
        let report = run(
            &[a.clone(), gone.clone()],
            Some(&snap(&[(0, v(0, 1), Some("a"))])),
        );
        assert_eq!(counted(&report, "resurrected_delete", 1), [4]);
        assert_eq!(counted(&report, "resurrected_end", 1), [4], "the end part");
        // A value written concurrently with the delete may have come after it.
        let c = write(3, Update, Some("c"), (1, 4), Ok);
        let all_c = on_all(v(1, 3), "c");
        let report = run(&[a.clone(), c, gone.clone()], Some(&all_c));
        counted(&report, "resurrected_delete", 0);
        // The tombstone is the newest copy.
        let report = run(
            &[a, gone],
            Some(&snap(&[(0, v(2, 2), None), (1, v(0, 1), Some("a"))])),
        );
        counted(&report, "resurrected_delete", 0);
    }

    #[test]
    fn lost_write_at_the_end() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 3), Ok);
        let all_a = on_all(v(0, 1), "a");
        assert_eq!(
            counted(&run(&[a.clone(), b], Some(&all_a)), "lost_write", 1),
            [4]
        );
        counted(
            &run(std::slice::from_ref(&a), Some(&snap(&[]))),
            "lost_write",
            1,
        );
        let maybe_gone = write(3, Delete, None, (2, 3), Fail(Timeout));
        counted(&run(&[a, maybe_gone], Some(&snap(&[]))), "lost_write", 0);
    }

    #[test]
    fn lost_write_replaced_by_an_earlier_failed_write() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let failed = write(2, Update, Some("b"), (2, 3), Fail(Timeout));
        let c = write(3, Update, Some("c"), (4, 5), Ok);
        let report = run(
            &[a, failed.clone(), c, read_of(4, (6, 7), &failed)],
            Some(&on_all(v(2, 2), "b")),
        );
        assert_eq!(counted(&report, "lost_write", 1), [8]);
        counted(&report, "failed_write_visible", 1);
        counted(&report, "stale_read", 1);
    }

    #[test]
    fn create_overwrote_seen_by_a_read_or_left_at_the_end() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let refused = write(2, Create, Some("b"), (2, 3), Fail(Exists));
        let report = run(
            &[a.clone(), refused.clone(), read_of(3, (4, 5), &refused)],
            None,
        );
        assert_eq!(counted(&report, "create_overwrote", 1), [5]);
        counted(&report, "overwritten_end", 0);
        let found = report
            .findings
            .iter()
            .find(|f| f.kind == Anomaly::CreateOverwrote)
            .unwrap();
        assert_eq!(
            found.detail,
            r#"create 2 "b" (version 2#2, failed exists at tick 3) replaced create 1 "a" (version 0#1, ok at tick 1), acknowledged before it was invoked: read 3 returned "b" (version 2#2)"#
        );
        let b_everywhere = on_all(v(2, 2), "b");
        let report = run(&[a.clone(), refused.clone()], Some(&b_everywhere));
        assert_eq!(counted(&report, "create_overwrote", 1), [4]);
        assert_eq!(counted(&report, "overwritten_end", 1), [4], "the end part");
        // Read and left at the end: one count each.
        let ops = [a.clone(), refused.clone(), read_of(3, (4, 5), &refused)];
        let report = run(&ops, Some(&b_everywhere));
        assert_eq!(counted(&report, "create_overwrote", 1), [5]);
        assert_eq!(
            counted(&report, "overwritten_end", 1),
            [6],
            "at the end of the run"
        );
        // Failed for any reason: the key was present.
        for completion in [Fail(NoQuorum), Fail(Timeout)] {
            let failed = write(2, Create, Some("b"), (2, 3), completion);
            let report = run(&[a.clone(), failed], Some(&b_everywhere));
            counted(&report, "create_overwrote", 1);
        }
        // Never completed: its coordinator crashed, it may land any time.
        let lost = write(2, Create, Some("b"), (2, 3), Completion::Never);
        let report = run(&[a.clone(), lost], Some(&b_everywhere));
        counted(&report, "create_overwrote", 0);
        // A read while the failed create was still in progress.
        let failed = write(2, Create, Some("b"), (2, 5), Fail(NoQuorum));
        let ops = [a.clone(), failed.clone(), read_of(3, (4, 6), &failed)];
        counted(&run(&ops, None), "create_overwrote", 0);
    }

    #[test]
    fn an_update_that_revives_a_deleted_key_overwrote() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let gone = write(2, Delete, None, (2, 3), Ok);
        for completion in [Fail(NotFound), Fail(NoQuorum)] {
            let revived = write(3, Update, Some("b"), (4, 5), completion);
            let ops = [
                a.clone(),
                gone.clone(),
                revived.clone(),
                read_of(4, (6, 7), &revived),
            ];
            let report = run(&ops, None);
            assert_eq!(counted(&report, "create_overwrote", 1), [7]);
            counted(&report, "resurrected_delete", 0);
            counted(&report, "stale_read", 0);
        }
    }

    #[test]
    fn a_failed_conditional_write_whose_condition_may_have_held_overwrote_nothing() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let gone = write(2, Delete, None, (2, 3), Ok);
        // A create after an acknowledged delete: the key was absent.
        let b = write(3, Create, Some("b"), (4, 5), Fail(NoQuorum));
        let ops = [a.clone(), gone.clone(), b.clone(), read_of(4, (6, 7), &b)];
        counted(&run(&ops, None), "create_overwrote", 0);
        // A create after a delete that may have taken effect.
        let maybe = write(2, Delete, None, (2, 3), Completion::Never);
        let ops = [a.clone(), maybe, b.clone(), read_of(4, (6, 7), &b)];
        counted(&run(&ops, None), "create_overwrote", 0);
        // An update of a present key.
        let c = write(3, Update, Some("c"), (4, 5), Fail(Timeout));
        let ops = [a.clone(), c.clone(), read_of(4, (6, 7), &c)];
        counted(&run(&ops, None), "create_overwrote", 0);
        // An update after a delete and a create that may have come after it.
        let again = write(5, Create, Some("d"), (4, 5), Fail(Timeout));
        let c = write(3, Update, Some("c"), (6, 7), Fail(NoQuorum));
        let ops = [a.clone(), gone, again, c.clone(), read_of(4, (8, 9), &c)];
        counted(&run(&ops, None), "create_overwrote", 0);
        // Refused, but nothing was acknowledged before it; or its value never shows.
        let first = write(1, Create, Some("a"), (0, 3), Ok);
        let refused = write(2, Create, Some("b"), (1, 2), Fail(Exists));
        let ops = [first, refused.clone(), read_of(3, (4, 5), &refused)];
        counted(&run(&ops, None), "create_overwrote", 0);
        let refused = write(2, Create, Some("b"), (2, 3), Fail(Exists));
        let ops = [a.clone(), refused, read_of(3, (4, 5), &a)];
        counted(&run(&ops, None), "create_overwrote", 0);
    }

    #[test]
    fn read_regression_while_a_write_is_incomplete() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 10), Ok);
        let report = run(
            &[
                a.clone(),
                b.clone(),
                read_of(3, (3, 4), &b),
                read_of(4, (5, 6), &a),
            ],
            None,
        );
        assert_eq!(counted(&report, "read_regression", 1), [6]);
        counted(&report, "stale_read", 0);
        counted(&report, "non_linearizable_keys", 1);
    }

    #[test]
    fn failed_write_visible_is_counted_though_linearizable() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let failed = write(2, Update, Some("b"), (2, 3), Fail(NoQuorum));
        let report = run(&[a, failed.clone(), read_of(3, (4, 5), &failed)], None);
        assert_eq!(counted(&report, "failed_write_visible", 1), [5]);
        assert_eq!(report.anomalies.non_linearizable_keys, 0);
    }

    #[test]
    fn failed_write_visible_not_for_acknowledged_or_never_completed_writes() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let crashed = write(2, Update, Some("b"), (2, 3), Completion::Never);
        let ops = [
            a.clone(),
            read_of(3, (2, 3), &a),
            crashed.clone(),
            read_of(4, (5, 6), &crashed),
        ];
        counted(&run(&ops, None), "failed_write_visible", 0);
    }

    #[test]
    fn read_regression_not_for_concurrent_reads_or_newer_values() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 10), Ok);
        // The older read overlaps the newer one; then a newer value.
        let ops = [
            a.clone(),
            b.clone(),
            read_of(3, (3, 5), &b),
            read_of(4, (5, 6), &a),
            read_of(5, (7, 8), &b),
        ];
        counted(&run(&ops, None), "read_regression", 0);
    }

    #[test]
    fn under_replicated_and_divergent_end() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 3), Ok);
        let two = snap(&[(0, v(0, 1), Some("a")), (1, v(0, 1), Some("a"))]);
        let report = run(std::slice::from_ref(&a), Some(&two));
        counted(&report, "under_replicated_end", 1);
        counted(&report, "divergent_end", 1);
        let mixed = snap(&[
            (0, v(2, 2), Some("b")),
            (1, v(2, 2), Some("b")),
            (2, v(0, 1), Some("a")),
        ]);
        let report = run(&[a.clone(), b], Some(&mixed));
        counted(&report, "divergent_end", 1);
        counted(&report, "under_replicated_end", 1);
        let gone = write(3, Delete, None, (2, 3), Ok);
        let tombstones = snap(&[(0, v(2, 3), None), (1, v(0, 1), None)]);
        let report = run(&[a, gone], Some(&tombstones));
        assert!(
            report.anomalies.iter().all(|(_, count)| count == 0),
            "{report:#?}"
        );
    }

    #[test]
    fn over_replicated_end() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let four: Vec<(u32, Version, Option<&str>)> =
            (0..4).map(|peer| (peer, v(0, 1), Some("a"))).collect();
        let report = run(std::slice::from_ref(&a), Some(&snap(&four)));
        assert_eq!(counted(&report, "over_replicated_end", 1), [2]);
        counted(&report, "divergent_end", 0);
        // Tombstones on more than N peers are no copies of a value.
        let gone = write(2, Delete, None, (2, 3), Ok);
        let tombstones: Vec<(u32, Version, Option<&str>)> =
            (0..5).map(|peer| (peer, v(2, 2), None)).collect();
        let report = run(&[a, gone], Some(&snap(&tombstones)));
        counted(&report, "over_replicated_end", 0);
    }

    #[test]
    fn anomalies_name_get_add_and_iterate() {
        assert_eq!(Anomaly::ALL[0].name(), "non_linearizable_keys");
        assert_eq!(Anomaly::ALL[14].to_string(), "live_peer_removed");
        let mut total = Anomalies {
            lost_write: 2,
            ..Anomalies::default()
        };
        total.add(&Anomalies {
            lost_write: 1,
            divergent_end: 4,
            ..Anomalies::default()
        });
        assert_eq!(
            (
                total.get(Anomaly::LostWrite),
                total.get(Anomaly::DivergentEnd),
                total.get(Anomaly::StaleRead)
            ),
            (3, 4, 0)
        );
        let nonzero: Vec<_> = total.iter().filter(|&(_, count)| count > 0).collect();
        assert_eq!(
            nonzero,
            [(Anomaly::LostWrite, 3), (Anomaly::DivergentEnd, 4)]
        );
    }

    #[test]
    fn every_anomaly_reads_back_from_its_name_and_an_unknown_name_is_refused() {
        for anomaly in Anomaly::ALL {
            assert_eq!(anomaly.name().parse(), Result::Ok(anomaly));
        }
        let err = "lost_writes".parse::<Anomaly>().unwrap_err();
        assert_eq!(err, UnknownAnomaly("lost_writes".into()));
        let text = err.to_string();
        assert!(
            text.starts_with(
                "no anomaly \"lost_writes\"; the anomalies are non_linearizable_keys,"
            ),
            "{text}"
        );
        assert!(text.ends_with(", live_peer_removed"), "{text}");
    }

    #[test]
    fn anomalies_and_findings_keep_their_names_in_json() {
        let mut report = Report::default();
        report.record(Anomaly::LostWrite, "k", 9, "gone".into());
        let json = serde_json::to_string(&report.findings).unwrap();
        assert_eq!(
            json,
            r#"[{"kind":"lost_write","key":"k","tick":9,"detail":"gone"}]"#
        );
    }
}
