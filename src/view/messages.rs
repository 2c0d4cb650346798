//! The messages of one transaction, in send order, and what became of
//! each: the sequence diagram of "one request, end to end".
//!
//! With message tracing on, every request, reply and read-repair
//! write-back of the transaction is in the event log's index of the
//! transaction (its `Sent` and `Dropped` events), so the rows are exact.
//! Without tracing they are derived from the transaction's other events:
//! a request to each replica asked (at the `Asked` tick; a write's requests
//! to substitutes at a tick not recorded), arrived when that replica
//! answered, and each replica's reply at its answer tick. A drop by hand is
//! recorded either way, and a derived message still in flight is found in
//! the network's queue; anything else about a derived message is unknown.

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::protocol::event::{DropReason, Event, EventKind};
use crate::protocol::message::MessageKind;
use crate::protocol::op::OpKind;
use crate::sim::cluster::Sim;
use crate::sim::network::MAX_DELAY;

/// One message of a transaction, and what became of it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MessageRow {
    /// Its send order in the network (what `dropMessage` takes); `None`
    /// when it was lost as it was sent, or when it is not traced and not in
    /// flight.
    pub seq: Option<u64>,
    /// The sender's address.
    pub from: String,
    /// The receiver's address.
    pub to: String,
    /// What it is: `read request`, `reply`, `write-back`, ...
    pub kind: &'static str,
    /// The tick it was sent at; `None` when not traced and not derivable
    /// (a write's request to a substitute).
    pub sent: Option<u64>,
    /// `arrived`, `lost`, `in-flight`, or `unknown` (not traced).
    pub status: &'static str,
    /// The tick it arrived at or was lost at.
    pub at: Option<u64>,
    /// Why it was lost: `random`, `partition`, `receiver failed` or `by
    /// hand`.
    pub reason: Option<&'static str>,
}

/// The message rows of one transaction, built from its events in order.
pub(super) struct Trail {
    rows: Vec<Row>,
    /// The tick that runs next: a message due before it has arrived.
    now: u64,
    /// Whether messages are traced (else the rows are derived).
    traced: bool,
    /// The tick the coordinator asked the replicas at.
    asked_at: u64,
}

/// A row while it is built: its parties and kind kept for matching.
struct Row {
    from: PeerId,
    to: PeerId,
    kind: MessageKind,
    shown: MessageRow,
}

impl Trail {
    /// An empty trail of a transaction seen at tick `now`, of a run whose
    /// messages are `traced` or not.
    pub(super) fn new(now: u64, traced: bool) -> Trail {
        Trail {
            rows: Vec::new(),
            now,
            traced,
            asked_at: now,
        }
    }

    fn push(&mut self, from: PeerId, to: PeerId, kind: MessageKind, sent: Option<u64>) {
        self.rows.push(Row {
            from,
            to,
            kind,
            shown: MessageRow {
                seq: None,
                from: from.to_string(),
                to: to.to_string(),
                kind: kind.label(),
                sent,
                status: "unknown",
                at: None,
                reason: None,
            },
        });
    }

    /// The first derived row whose fate is unknown from `from` to `to` of
    /// `kind`.
    fn unsettled(&self, from: PeerId, to: PeerId, kind: MessageKind) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.shown.status == "unknown" && (r.from, r.to, r.kind) == (from, to, kind))
    }

    /// Takes in one event of the transaction (traced or not; `coordinator`
    /// is the transaction's, `op` its operation).
    pub(super) fn on_event(&mut self, e: &Event, coordinator: PeerId, op: OpKind) {
        match &e.kind {
            EventKind::Sent {
                to,
                msg,
                deliver_at,
                seq,
                ..
            } => {
                self.push(e.peer, *to, *msg, Some(e.tick));
                let now = self.now;
                let shown = &mut self.rows.last_mut().expect("just pushed").shown;
                shown.seq = Some(*seq);
                (shown.status, shown.at) = match *deliver_at < now {
                    true => ("arrived", Some(*deliver_at)),
                    false => ("in-flight", None),
                };
            }
            EventKind::Dropped {
                from,
                msg,
                reason,
                seq,
                ..
            } => {
                let to = e.peer;
                let found = match self.traced {
                    true => self
                        .rows
                        .iter()
                        .position(|r| seq.is_some() && r.shown.seq == *seq),
                    false => self.unsettled(*from, to, *msg),
                };
                let at = found.unwrap_or_else(|| {
                    // Lost as it was sent (then it is sent now), or a
                    // message no derived row stands for.
                    let sent = seq.is_none().then_some(e.tick);
                    self.push(*from, to, *msg, sent);
                    self.rows.len() - 1
                });
                lose(&mut self.rows[at].shown, *seq, e.tick, *reason);
            }
            // Untraced: derive the requests and replies.
            EventKind::Asked {
                replicas,
                substitutes,
                ..
            } if !self.traced => {
                self.asked_at = e.tick;
                let kind = MessageKind::Request(op);
                for &r in replicas {
                    self.push(coordinator, r, kind, Some(e.tick));
                }
                // A read asks its substitutes at once, a write later.
                let sent = (op == OpKind::Read).then_some(e.tick);
                for &s in substitutes {
                    self.push(coordinator, s, kind, sent);
                }
            }
            EventKind::Outcome {
                coordinator: false, ..
            } if !self.traced => {
                if let Some(at) = self.unsettled(coordinator, e.peer, MessageKind::Request(op)) {
                    let shown = &mut self.rows[at].shown;
                    (shown.status, shown.at) = ("arrived", Some(e.tick));
                }
                self.push(e.peer, coordinator, MessageKind::Reply, Some(e.tick));
            }
            _ => {}
        }
    }

    /// The rows, in send order. Untraced, the derived messages of `trans`
    /// still in flight are looked for in `sim`'s network: one pass over the
    /// messages in flight, only while a message whose fate is unknown may
    /// still be on its way: sent at most [`MAX_DELAY`] ticks ago (a
    /// substitute's request, at a tick not known, goes out before the
    /// request times out).
    pub(super) fn finish(mut self, sim: &Sim, trans: u64) -> Vec<MessageRow> {
        let latest = self.asked_at + sim.options().config.op_timeout;
        let now = self.now;
        let may_fly = |r: &Row| {
            let sent = r.shown.sent.unwrap_or(latest);
            r.shown.status == "unknown" && sent + MAX_DELAY >= now
        };
        if !self.traced && self.rows.iter().any(may_fly) {
            for m in sim.network().in_flight() {
                if m.msg.trans() != Some(trans) {
                    continue;
                }
                if let Some(at) = self.unsettled(m.from, m.to, m.msg.kind()) {
                    let shown = &mut self.rows[at].shown;
                    shown.seq = Some(m.seq);
                    shown.status = "in-flight";
                }
            }
        }
        self.rows.into_iter().map(|r| r.shown).collect()
    }
}

fn lose(row: &mut MessageRow, seq: Option<u64>, tick: u64, reason: DropReason) {
    row.seq = seq.or(row.seq);
    row.status = "lost";
    row.at = Some(tick);
    row.reason = Some(reason.word());
}
