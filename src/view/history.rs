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

#[cfg(test)]
mod tests {
    use super::super::fixture::session;
    use super::*;
    use crate::protocol::address::PeerId;
    use crate::protocol::config::Level;
    use crate::protocol::op::OpKind;
    use crate::scenario::Action;

    #[test]
    fn the_history_has_one_row_per_operation() {
        let mut session = session();
        let rows = history(&session);
        assert_eq!(rows.len(), 2);
        let read = &rows[1];
        assert_eq!(
            (read.op, read.outcome, read.completed),
            ("read", "pending", None)
        );
        session.step(10);
        let rows = history(&session);
        let [create, read] = [&rows[0], &rows[1]];
        assert_eq!(
            (create.op, create.key.as_str(), create.coordinator.as_str()),
            ("create", "k", "2.0.0.0:0")
        );
        assert_eq!((create.outcome, create.reason), ("ok", None));
        assert_eq!(create.invoked, 40);
        assert!(create.completed.is_some_and(|tick| tick > 40));
        assert_eq!(create.value.as_deref(), Some("v"));
        let version = format!("40/{}", create.trans);
        assert_eq!(create.version.as_deref(), Some(version.as_str()));
        assert_eq!((read.outcome, read.value.as_deref()), ("ok", Some("v")));
        assert_eq!(read.version, create.version, "the read names the write");
        assert!(!create.indeterminate && !read.indeterminate);
    }
    #[test]
    fn a_write_without_a_decision_is_indeterminate() {
        let mut session = session();
        session
            .request(
                OpKind::Update,
                "k",
                Some("w"),
                Some(PeerId(4)),
                Level::Quorum,
            )
            .unwrap();
        session.act(Action::Fail(PeerId(4))).unwrap();
        session.step(20);
        let update = &history(&session)[2];
        assert_eq!((update.outcome, update.completed), ("pending", None));
        assert!(update.indeterminate);
    }
}
