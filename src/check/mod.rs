//! The history checker: per-key linearizability and the anomaly counters
//! of `docs/consistency.md`.
//!
//! [`check`] takes a run's [`History`] and, when the run ended with one, the
//! [`Snapshot`] of every peer's copies, and returns a [`Report`]: a verdict
//! per key, a count per anomaly and one [`Finding`] per count.

pub(crate) mod anomaly;
pub(crate) mod history;
pub(crate) mod linear;
pub(crate) mod record;

pub use anomaly::{Anomalies, Anomaly, Finding, KeyVerdict, Report, UnknownAnomaly};
pub use history::{Completion, Copy, FinalKey, HistOp, History, Reason, Snapshot};
pub use linear::{check_key, Verdict};
pub use record::{history, live_peers_removed, snapshot, FalseRemoval, Recorder};

use anomaly::{End, KeyFacts};

/// Checks a run: every key's history for linearizability (at most `budget`
/// search steps per key) and every anomaly, the end-state ones only with a
/// snapshot. `live_peer_removed` is left 0 for the simulator to fill in.
pub fn check(history: &History, snapshot: Option<&Snapshot>, budget: u64) -> Report {
    let (history, snapshot) = history.resolve_undos(snapshot);
    let (history, snapshot) = (&history, snapshot.as_ref());
    let mut keys = history.keys();
    for final_key in snapshot.iter().flat_map(|snapshot| &snapshot.keys) {
        keys.entry(final_key.key.as_str()).or_default();
    }
    let tick = history.end_tick();
    let mut report = Report::default();
    for (&key, ops) in &keys {
        if !ops.is_empty() {
            let verdict = check_key(ops, budget);
            let count = ops.len();
            let last = ops.iter().map(|op| op.end()).max().unwrap_or(0);
            match verdict {
                Verdict::NotLinearizable => {
                    let detail =
                        format!("no order of the key's {count} operations explains every answer");
                    report.record(Anomaly::NonLinearizableKeys, key, last, detail);
                }
                Verdict::Unknown => {
                    let detail = format!("the search of the key's {count} operations ran out of its budget of {budget} steps");
                    report.record(Anomaly::UnknownKeys, key, last, detail);
                }
                Verdict::Linearizable => {}
            }
            report.keys.push(KeyVerdict {
                key: key.to_string(),
                ops: u32::try_from(count).unwrap_or(u32::MAX),
                verdict,
            });
        }
        let end = snapshot.map(|snapshot| End {
            final_key: snapshot.key(key),
            n: snapshot.n,
            tick,
        });
        anomaly::count(&KeyFacts { key, ops, end }, &mut report);
    }
    report
}
