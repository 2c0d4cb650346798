//! One transaction: whom its coordinator asked, who answered what, the
//! quorum decision and its messages.

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::protocol::event::EventKind;
use crate::protocol::op::{OpKind, Reason};
use crate::scenario::Session;

use super::messages::{self, MessageRow};

/// One transaction: who answered what, and the quorum decision.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TransactionView {
    /// Its id.
    pub trans: u64,
    /// `create`, `read`, `update` or `delete`.
    pub op: &'static str,
    /// The key.
    pub key: String,
    /// The coordinator's address.
    pub coordinator: String,
    /// Tick it started.
    pub started: u64,
    /// The replicas' answers, in arrival order.
    pub replies: Vec<Answer>,
    /// How many answers the coordinator waits for.
    pub quorum: u8,
    /// Every replica asked (substitutes last), with its answer or none.
    pub asked: Vec<Asked>,
    /// The coordinator's decision, once made.
    pub decision: Option<Answer>,
    /// Why it decided so: `quorum reached`, `quorum impossible`, `timed
    /// out`, `not found` or `exists`.
    pub verdict: Option<&'static str>,
    /// Its messages (requests, replies, read repair's write-backs), in
    /// send order, each with what became of it.
    pub messages: Vec<MessageRow>,
    /// Whether messages were traced: if not, `messages` holds what could
    /// be derived (see [`MessageRow::status`] `unknown`).
    pub traced: bool,
}

/// One replica a coordinator asked, and what became of it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Asked {
    /// Its address.
    pub address: String,
    /// Whether it stands in for a suspected home replica.
    pub substitute: bool,
    /// `ok`, `fail` or `none` (no answer, yet or ever).
    pub reply: &'static str,
    /// Why it refused: `exists` or `not found`.
    pub why: Option<&'static str>,
    /// When it answered.
    pub tick: Option<u64>,
}

/// The verdict's words for a decision that failed for `reason` (success
/// when `None`).
fn verdict(reason: Option<Reason>) -> &'static str {
    match reason {
        None => "quorum reached",
        Some(Reason::NoQuorum) => "quorum impossible",
        Some(Reason::Timeout) => "timed out",
        Some(Reason::NotFound) => "not found",
        Some(Reason::Exists) => "exists",
    }
}

/// One answer: a replica's or the coordinator's.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// Who.
    pub address: String,
    /// Success or failure.
    pub ok: bool,
    /// The value, where the log line shows one.
    pub value: Option<String>,
    /// When.
    pub tick: u64,
}

/// Transaction `trans`, if it exists.
pub fn transaction(session: &Session, trans: u64) -> Option<TransactionView> {
    let mut view: Option<TransactionView> = None;
    let mut op_kind = OpKind::Read;
    let mut coordinator = PeerId(0);
    let sim = session.sim();
    let traced = sim.options().trace_messages;
    let mut trail = messages::Trail::new(sim.now(), traced);
    for (_, e) in session.log().transaction(trans) {
        trail.on_event(e, coordinator, op_kind);
        match &e.kind {
            EventKind::Operation { op, key, .. } => {
                op_kind = *op;
                coordinator = e.peer;
                view = Some(TransactionView {
                    trans,
                    op: op.word(),
                    key: key.clone(),
                    coordinator: e.peer.to_string(),
                    started: e.tick,
                    replies: Vec::new(),
                    quorum: 0,
                    asked: Vec::new(),
                    decision: None,
                    verdict: None,
                    messages: Vec::new(),
                    traced,
                });
            }
            EventKind::Asked {
                quorum,
                replicas,
                substitutes,
                ..
            } => {
                let Some(v) = view.as_mut() else { continue };
                v.quorum = *quorum;
                let rows = replicas.iter().map(|&r| (r, false));
                let rows = rows.chain(substitutes.iter().map(|&s| (s, true)));
                v.asked = rows
                    .map(|(id, substitute)| Asked {
                        address: id.to_string(),
                        substitute,
                        reply: "none",
                        why: None,
                        tick: None,
                    })
                    .collect();
            }
            EventKind::Outcome {
                coordinator,
                value,
                ok,
                reason,
                ..
            } => {
                let Some(v) = view.as_mut() else { continue };
                let answer = Answer {
                    address: e.peer.to_string(),
                    ok: *ok,
                    value: value.clone(),
                    tick: e.tick,
                };
                if *coordinator {
                    v.verdict = Some(verdict(*reason));
                    v.decision = Some(answer);
                    continue;
                }
                let row = v
                    .asked
                    .iter_mut()
                    .find(|a| a.address == answer.address && a.reply == "none");
                if let Some(row) = row {
                    row.reply = if *ok { "ok" } else { "fail" };
                    row.why = match (*ok, op_kind) {
                        (true, _) => None,
                        (false, OpKind::Create) => Some("exists"),
                        (false, _) => Some("not found"),
                    };
                    row.tick = Some(e.tick);
                }
                v.replies.push(answer);
            }
            _ => {}
        }
    }
    let mut view = view?;
    view.messages = trail.finish(sim, trans);
    Some(view)
}
