//! The anomaly counters of `docs/consistency.md`, one function per anomaly,
//! and the report they fill: a count per anomaly and one finding per count.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::protocol::op::{OpKind, Version};
use crate::util::names;

use super::history::{Completion, Copy, FinalKey, HistOp, Reason};
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
            pub const ALL: [Anomaly; 13] = [$(Anomaly::$variant),*];

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
    /// Reads of a value older than a write (a delete too) acknowledged before they began.
    stale_read => StaleRead,
    /// Not-found reads although a create or update was the newest write acknowledged before them.
    stale_not_found => StaleNotFound,
    /// Keys whose newest final copy is a value older than an acknowledged delete.
    resurrected_delete => ResurrectedDelete,
    /// Acknowledged writes gone at the end: no copy left, or only older ones.
    lost_write => LostWrite,
    /// Creates that failed with `exists` yet became what reads or the final copy show.
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

    /// The write whose version `read` returned.
    fn producer(&self, read: &HistOp) -> Option<&'a HistOp> {
        let version = read.version?;
        self.matching(move |op| op.is_write() && op.version == Some(version))
            .next()
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
    version.map_or_else(|| "none".into(), |v| format!("{}#{}", v.tick, v.trans))
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

fn stale_read(facts: &KeyFacts, report: &mut Report) {
    for read in facts.matching(HistOp::read_value) {
        // A delete is a write too: a value read after an acknowledged
        // delete is stale (under a partition, the other side's copy).
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

fn stale_not_found(facts: &KeyFacts, report: &mut Report) {
    for read in facts.matching(HistOp::read_not_found) {
        let last = facts.newest(|w| w.is_write() && w.acked() && w.precedes(read));
        if let Some(write) = last.filter(|w| w.writes_value() && w.version > read.version) {
            let detail = format!(
                "{} although {} was the last write acknowledged",
                read_text(read),
                write_text(write)
            );
            facts.record(report, Anomaly::StaleNotFound, read.end(), detail);
        }
    }
}

/// The acknowledged delete with the highest version above `version`, if any.
fn later_delete<'a>(facts: &KeyFacts<'a>, version: Option<Version>) -> Option<&'a HistOp> {
    facts.newest(|d| d.op == OpKind::Delete && d.acked() && d.version > version)
}

/// A deleted value that is back for good: the newest copy left after the
/// quiet period is older than an acknowledged delete. (A read that returns
/// a value older than an acknowledged delete is a `stale_read`: under a
/// partition the other side may still hold the copy; what matters is that
/// the delete wins once the sides meet.)
fn resurrected_delete(facts: &KeyFacts, report: &mut Report) {
    let Some(end) = facts.end else { return };
    if let Some(copy) = end.newest_value() {
        if let Some(delete) = later_delete(facts, Some(copy.version)) {
            let detail = format!(
                "the final copy on {} is version {}, older than {}",
                copy.peer,
                version_text(Some(copy.version)),
                write_text(delete)
            );
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

fn create_overwrote(facts: &KeyFacts, report: &mut Report) {
    let refused = facts.matching(|c| {
        c.op == OpKind::Create
            && c.completion == Completion::Fail(Reason::Exists)
            && c.version.is_some()
    });
    for create in refused {
        let shown = facts
            .matching(|r| r.op == OpKind::Read && r.version == create.version)
            .next();
        if let Some(read) = shown {
            let detail = format!("{} although {}", read_text(read), write_text(create));
            facts.record(report, Anomaly::CreateOverwrote, read.end(), detail);
        } else if let Some(end) = facts
            .end
            .filter(|end| end.newest().map(|copy| copy.version) == create.version)
        {
            let detail = format!("the final copy is that of {}", write_text(create));
            facts.record(report, Anomaly::CreateOverwrote, end.tick, detail);
        }
    }
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
        if let Some(write) = facts.producer(read).filter(|w| w.failed()) {
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
    use crate::check::history::{History, Snapshot};
    use crate::protocol::address::PeerId;
    use crate::protocol::op::OpKind::{Create, Delete, Update};
    use Completion::{Fail, Ok};
    use Reason::{Exists, NoQuorum, Timeout};

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
        let mut snapshot = snap(&[
            (0, v(12, 7), Some("c")),
            (1, v(12, 7), Some("c")),
            (2, v(12, 7), Some("c")),
        ]);
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
    fn stale_not_found() {
        let ops = [
            write(1, Create, Some("a"), (0, 1), Ok),
            read_none(2, (2, 3), None),
        ];
        assert_eq!(counted(&run(&ops, None), "stale_not_found", 1), [3]);
    }

    #[test]
    fn resurrected_delete_by_the_final_copy_and_stale_by_a_read() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let gone = write(2, Delete, None, (2, 3), Ok);
        let ops = [a.clone(), gone.clone(), read_of(3, (4, 5), &a)];
        let report = run(&ops, None);
        assert_eq!(counted(&report, "stale_read", 1), [5]);
        counted(&report, "resurrected_delete", 0);
        let report = run(&[a, gone], Some(&snap(&[(0, v(0, 1), Some("a"))])));
        assert_eq!(counted(&report, "resurrected_delete", 1), [4]);
    }

    #[test]
    fn lost_write_at_the_end() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 3), Ok);
        let all_a = snap(&[
            (0, v(0, 1), Some("a")),
            (1, v(0, 1), Some("a")),
            (2, v(0, 1), Some("a")),
        ]);
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
            Some(&snap(&[
                (0, v(2, 2), Some("b")),
                (1, v(2, 2), Some("b")),
                (2, v(2, 2), Some("b")),
            ])),
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
        let snapshot = snap(&[
            (0, v(2, 2), Some("b")),
            (1, v(2, 2), Some("b")),
            (2, v(2, 2), Some("b")),
        ]);
        assert_eq!(
            counted(&run(&[a, refused], Some(&snapshot)), "create_overwrote", 1),
            [4]
        );
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
        let report = run(&[a], Some(&snap(&four)));
        assert_eq!(counted(&report, "over_replicated_end", 1), [2]);
        counted(&report, "divergent_end", 0);
    }

    #[test]
    fn anomalies_name_get_add_and_iterate() {
        assert_eq!(Anomaly::ALL[0].name(), "non_linearizable_keys");
        assert_eq!(Anomaly::ALL[12].to_string(), "live_peer_removed");
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
