//! The client history: every operation, its outcome and the version it
//! wrote or read.

use serde::Serialize;

use crate::check::Completion;
use crate::scenario::Session;

use super::words::version_text;

/// One client operation of the history.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    /// Its transaction id.
    pub trans: u64,
    /// The key.
    pub key: String,
    /// `create`, `read`, `update` or `delete`.
    pub op: &'static str,
    /// The coordinator's address.
    pub coordinator: String,
    /// The tick it was invoked at.
    pub invoked: u64,
    /// The tick the coordinator decided at, `None` before (or without) a
    /// decision.
    pub completed: Option<u64>,
    /// `ok`, `fail`, or `pending` while no decision came (or never will:
    /// the coordinator crashed).
    pub outcome: &'static str,
    /// Why it failed: `not-found`, `exists`, `no-quorum` or `timeout`.
    pub reason: Option<&'static str>,
    /// The value written, or the value a successful read returned.
    pub value: Option<String>,
    /// The version written, or the version a read returned: `tick/transaction`.
    pub version: Option<String>,
    /// Whether it is a write that may or may not have taken effect.
    pub indeterminate: bool,
}

/// The client history so far: every operation, in invocation order.
pub fn history(session: &Session) -> Vec<HistoryRow> {
    session
        .history()
        .ops
        .iter()
        .map(|op| {
            let indeterminate = op.indeterminate();
            let (outcome, reason) = match op.completion {
                Completion::Ok => ("ok", None),
                Completion::Fail(reason) => ("fail", Some(reason.word())),
                Completion::Never => ("pending", None),
            };
            HistoryRow {
                trans: op.trans,
                key: op.key.clone(),
                op: op.op.word(),
                coordinator: op.coordinator.to_string(),
                invoked: op.invoked,
                completed: op.completed,
                outcome,
                reason,
                value: op.value.clone(),
                version: op.version.map(version_text),
                indeterminate,
            }
        })
        .collect()
}
