//! What a simulation recorded, as the checker reads it: the client history
//! from the event stream, the snapshot of every live peer's copies, and the
//! live peers that membership removed.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::history::{Completion, Copy, FinalKey, HistOp, History, Snapshot};
use crate::protocol::event::{Event, EventKind};
use crate::protocol::op::{OpKind, Version};
use crate::protocol::ring::Ring;
use crate::sim::cluster::Sim;

/// The history of every client operation in `events`: invocation, then
/// the coordinator's decision, or [`Completion::Never`] when none came
/// (the coordinator crashed, or the run stopped first).
pub fn history(events: &[Event]) -> History {
    let mut recorder = Recorder::default();
    recorder.feed(events);
    recorder.history
}

/// Builds the history incrementally, as events arrive.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    history: History,
    by_trans: BTreeMap<u64, usize>,
}

impl Recorder {
    /// Adds what `events`, the next events of the run, tell.
    pub fn feed(&mut self, events: &[Event]) {
        for e in events {
            self.note(e);
        }
    }

    /// The history so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    fn note(&mut self, e: &Event) {
        let ops = &mut self.history.ops;
        match &e.kind {
            EventKind::Operation {
                op,
                trans,
                key,
                value,
            } => {
                self.by_trans.insert(*trans, ops.len());
                let writes = matches!(op, OpKind::Create | OpKind::Update);
                ops.push(HistOp {
                    trans: *trans,
                    key: key.clone(),
                    op: *op,
                    coordinator: e.peer,
                    invoked: e.tick,
                    completed: None,
                    completion: Completion::Never,
                    value: value.clone().filter(|_| writes),
                    version: (*op != OpKind::Read).then_some(Version::new(e.tick, *trans)),
                });
            }
            EventKind::Outcome {
                coordinator: true,
                trans,
                value,
                reason,
                version,
                ..
            } => {
                let Some(op) = self.by_trans.get(trans).map(|&at| &mut ops[at]) else {
                    return;
                };
                op.completed = Some(e.tick);
                op.completion = match reason {
                    None => Completion::Ok,
                    Some(r) => Completion::Fail(*r),
                };
                if op.op == OpKind::Read {
                    op.version = *version;
                    op.value = value.clone().filter(|_| reason.is_none());
                }
            }
            _ => {}
        }
    }
}

/// Every live peer's copy of every key it holds or the history names, with
/// each key's true replicas: the first N distinct live peers clockwise on
/// the ring of all live peers' tokens.
pub fn snapshot(sim: &Sim, history: &History) -> Snapshot {
    let alive = sim.alive_peers();
    let config = sim.options().config;
    let n = config.replication.n;
    let mut ring = Ring::new().with_n(n).with_vnodes(config.vnodes);
    ring.extend(alive.iter().copied());
    let mut keys: BTreeMap<String, Vec<Copy>> = history
        .ops
        .iter()
        .map(|op| (op.key.clone(), Vec::new()))
        .collect();
    for &id in &alive {
        let Some(peer) = sim.peer(id) else { continue };
        for k in peer.store().keys() {
            keys.entry(k.key.to_owned()).or_default().push(Copy {
                peer: id,
                version: k.stored.version,
                value: k.stored.value.clone(),
            });
        }
    }
    Snapshot {
        n: u32::from(n),
        keys: keys
            .into_iter()
            .map(|(key, copies)| FinalKey {
                replicas: ring.replicas(&key).as_slice().to_vec(),
                key,
                copies,
            })
            .collect(),
    }
}

/// One removal of a peer that had never failed, by another peer's
/// membership: (tick, remover, removed).
pub type FalseRemoval = (
    u64,
    crate::protocol::address::PeerId,
    crate::protocol::address::PeerId,
);

/// The removals of peers that had never failed when they were removed.
pub fn live_peers_removed(events: &[Event]) -> Vec<FalseRemoval> {
    let mut failed = BTreeSet::new();
    let mut found = Vec::new();
    for e in events {
        match e.kind {
            EventKind::Failed => {
                failed.insert(e.peer);
            }
            EventKind::Removed { member } if !failed.contains(&member) => {
                found.push((e.tick, e.peer, member));
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::address::PeerId;
    use crate::sim::cluster::SimOptions;

    #[test]
    fn only_removals_of_peers_that_never_failed_are_false() {
        let at = |tick, peer, kind| Event {
            tick,
            peer: PeerId(peer),
            kind,
        };
        let removed = |member| EventKind::Removed {
            member: PeerId(member),
        };
        let events = [
            at(1, 3, EventKind::Failed),
            at(5, 1, removed(3)),
            at(6, 1, removed(2)),
            at(7, 4, removed(2)),
            at(8, 2, EventKind::Failed),
            at(9, 5, removed(2)),
        ];
        let found = live_peers_removed(&events);
        assert_eq!(
            found,
            [(6, PeerId(1), PeerId(2)), (7, PeerId(4), PeerId(2))],
            "peer 3 had failed; peer 2 only by tick 8"
        );
    }

    #[test]
    fn the_history_pairs_invocations_with_decisions() {
        let mut sim = Sim::new(SimOptions::new(6, 3)).unwrap();
        sim.run(40);
        let c = sim
            .client_op(PeerId(1), OpKind::Create, "k", Some("v"))
            .unwrap();
        sim.run(5);
        let r = sim.client_op(PeerId(2), OpKind::Read, "k", None).unwrap();
        let u = sim
            .client_op(PeerId(3), OpKind::Update, "nope", Some("x"))
            .unwrap();
        sim.fail(PeerId(3)).unwrap();
        sim.run(20);
        let events: Vec<Event> = sim.drain_events().collect();
        let h = history(&events);
        assert_eq!(h.ops.len(), 3);
        let mut fed = Recorder::default();
        for chunk in events.chunks(7) {
            fed.feed(chunk);
        }
        assert_eq!(fed.history(), &h, "fed in pieces, the same history");
        let [create, read, update] = [&h.ops[0], &h.ops[1], &h.ops[2]];
        assert_eq!((create.trans, read.trans, update.trans), (c, r, u));
        assert_eq!(create.completion, Completion::Ok);
        assert_eq!(create.version, Some(Version::new(40, c)));
        assert_eq!(read.completion, Completion::Ok);
        assert_eq!(read.value.as_deref(), Some("v"));
        assert_eq!(read.version, create.version, "the read names the write");
        assert_eq!(
            update.completion,
            Completion::Never,
            "its coordinator crashed"
        );
        let snap = snapshot(&sim, &h);
        let k = snap.keys.iter().find(|k| k.key == "k").unwrap();
        assert_eq!(k.replicas.len(), 3);
        assert!(k.copies.len() >= 2);
        assert!(live_peers_removed(&events).is_empty());
    }
}
