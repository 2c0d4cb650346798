//! One peer: membership, the ring it builds from its own (possibly stale)
//! view, its store and its coordinator — a pure state machine. It takes a
//! tick, a message or a client request plus `now`, and it and its parts
//! write messages to send and events to record into one [`Out`]. No clock,
//! no I/O, and its randomness is its own seeded stream.
//!
//! Beside its output, a peer says when it next has work of its own
//! ([`Peer::next_deadline`], like quinn's `poll_timeout`): each part reports
//! its next deadline and the peer takes the earliest, so a driver may call
//! [`Peer::on_tick`] only at the peer's deadlines (and after its inputs)
//! instead of every tick, with the very same outputs.

use std::rc::Rc;

use crate::protocol::address::PeerId;
use crate::protocol::anti_entropy;
use crate::protocol::config::Config;
use crate::protocol::coordinator::{Coordinator, Invocation, Recipients};
use crate::protocol::event::EventKind;
use crate::protocol::membership::Membership;
use crate::protocol::merkle;
use crate::protocol::message::{Message, Request, Stored};
use crate::protocol::op::{OpKind, Version};
use crate::protocol::out::{Change, Out};
use crate::protocol::ring::{ReplicaSet, Ring};
use crate::protocol::store::{Answer, Store};
use crate::util::rng::{SimRng, STREAM_PEERS};

/// One peer of the simulation.
#[derive(Clone, Debug)]
pub struct Peer {
    id: PeerId,
    incarnation: u64,
    config: Config,
    membership: Membership,
    ring: Ring,
    ring_changed: bool,
    store: Store,
    coordinator: Coordinator,
    rng: SimRng,
    /// The earliest tick whose [`Peer::on_tick`] is still to come: the tick
    /// of the latest input (inputs at a tick come before that tick's
    /// `on_tick`), or the one after the latest `on_tick`.
    next_tick: u64,
}

impl Peer {
    /// Peer `id` in its `incarnation` (1 for the first start) of a cluster
    /// of `peers`, drawing from its own stream of `seed`.
    pub fn new(id: PeerId, incarnation: u64, peers: u32, seed: u64, config: Config) -> Peer {
        let stream = STREAM_PEERS + u64::from(id.0) + (incarnation << 40);
        Peer {
            id,
            incarnation,
            config,
            membership: Membership::new(id, incarnation, peers, config.membership),
            ring: Ring::new()
                .with_n(config.replication.n)
                .with_vnodes(config.vnodes),
            ring_changed: false,
            store: Store::new(peers),
            coordinator: Coordinator::new(config.replication, config.read_repair),
            rng: SimRng::new(seed, stream),
            next_tick: 0,
        }
    }

    /// Gives a restarting peer the keys it stored before it failed (they
    /// survive a crash, like a disk); it checks each with its replicas.
    pub fn restore(&mut self, mut store: Store) {
        store.restarted();
        self.store = store;
    }

    /// Fails the peer at tick `now`, before that tick runs: its state is
    /// frozen as ticking every tick until then would have left it.
    pub fn fail(&mut self, now: u64) {
        self.membership.stop(now);
    }

    /// Takes the stored keys out of a failed peer, to restore them.
    pub fn take_store(&mut self) -> Store {
        std::mem::take(&mut self.store)
    }

    /// Starts (or restarts) the peer at tick `now`: it asks to join.
    pub fn start(&mut self, now: u64, out: &mut Out) {
        self.next_tick = now;
        out.record(EventKind::Started {
            incarnation: self.incarnation,
        });
        self.membership.start(now, &mut self.rng, out);
        self.apply_changes(out);
    }

    /// Handles a message from `from` delivered at tick `now`.
    pub fn on_message(&mut self, now: u64, from: PeerId, msg: Message, out: &mut Out) {
        self.next_tick = now;
        match msg {
            Message::JoinReq {
                incarnation,
                heartbeat,
            } => {
                self.membership
                    .on_join_req(now, from, incarnation, heartbeat, out);
                self.apply_changes(out);
            }
            Message::JoinRep { members } | Message::Gossip { members } => {
                self.membership.on_list(now, &members, out);
                self.apply_changes(out);
            }
            Message::Request(request) => {
                let Request {
                    trans,
                    op,
                    key,
                    write,
                    replicas,
                    hint,
                } = *request;
                let answer = match (hint, &write) {
                    (Some(home), Some(w)) => {
                        if self.store.hint(&key, w, home, now) {
                            out.record(EventKind::Hinted {
                                key: key.clone(),
                                home,
                            });
                        }
                        Answer {
                            ok: true,
                            found: None,
                        }
                    }
                    _ => self.store.apply(op, &key, write.as_ref(), replicas),
                };
                let shown = match op {
                    OpKind::Read => answer.found.as_ref(),
                    _ => write.as_ref(),
                };
                out.record(EventKind::Outcome {
                    coordinator: false,
                    op,
                    trans,
                    key,
                    value: shown.and_then(|s| s.value.clone()),
                    ok: answer.ok,
                    reason: None,
                    version: shown.map(|s| s.version),
                });
                out.send(
                    from,
                    Message::Reply {
                        trans,
                        ok: answer.ok,
                        found: answer.found,
                    },
                );
            }
            Message::Reply { trans, ok, found } => {
                self.coordinator.on_reply(from, trans, ok, found, out);
            }
            Message::Replicate { key, stored } => {
                let timings = &self.config.store;
                let (changed, version) = self
                    .store
                    .replicate(&self.ring, &key, &stored, from, now, timings);
                out.send(
                    from,
                    Message::ReplicateAck {
                        key: Rc::clone(&key),
                        version,
                    },
                );
                if changed {
                    out.record(EventKind::Replicated {
                        key: key.to_string(),
                        from,
                    });
                }
            }
            Message::ReplicateAck { key, version } => {
                self.store.confirmed(&key, from, version);
            }
            Message::Digest { entries } => {
                self.store.on_digest(&self.ring, from, &entries, out);
            }
            Message::Pull { keys } => self.store.on_pull(from, &keys, out),
            Message::MerkleHashes(hashes) => {
                merkle::on_hashes(&mut self.store, &self.ring, from, &hashes, out);
            }
            Message::MerkleDiff {
                depth,
                level,
                nodes,
            } => merkle::on_diff(&self.store, &self.ring, from, depth, level, &nodes, out),
            Message::MerkleLeaves {
                depth,
                buckets,
                entries,
            } => {
                let store = &mut self.store;
                merkle::on_leaves(store, &self.ring, from, depth, &buckets, &entries, out);
            }
            Message::WriteBack { trans, key, stored } => {
                let timings = &self.config.store;
                let (changed, version) = self
                    .store
                    .write_back(&self.ring, &key, &stored, now, timings);
                out.send(from, Message::WriteBackAck { trans, version });
                if changed {
                    out.record(EventKind::Replicated { key, from });
                }
            }
            Message::WriteBackAck { trans, version } => {
                self.coordinator
                    .on_write_back_ack(from, trans, version, out);
            }
        }
    }

    /// One tick: membership, request timeouts, stabilization.
    pub fn on_tick(&mut self, now: u64, out: &mut Out) {
        self.next_tick = now + 1;
        self.membership.tick(now, &mut self.rng, out);
        self.apply_changes(out);
        self.coordinator.expire(now, self.config.op_timeout, out);
        let store = &self.config.store;
        self.store
            .stabilize(self.id, &self.ring, self.ring_changed, now, store, out);
        self.ring_changed = false;
        if self.membership.is_joined() {
            let ae = self.config.anti_entropy;
            anti_entropy::round(&self.store, self.id, &self.ring, now, ae, out);
        }
    }

    /// The earliest tick at which [`Peer::on_tick`] has something to do —
    /// send, draw from its randomness, record, or change state that
    /// matters — given no input before then: the earliest deadline of its
    /// parts (membership, the coordinator's timeouts, the store's pushes
    /// and sweeps, the next anti-entropy round), never before the tick
    /// whose `on_tick` is still to come. `None` before the peer starts and
    /// while nothing is due. Calling `on_tick` only at these ticks (and at
    /// the tick of each input) gives the same outputs as calling it every
    /// tick; it must be asked again after every input.
    #[inline]
    pub fn next_deadline(&self) -> Option<u64> {
        let from = self.next_tick;
        // Before the peer starts, nothing is due.
        let membership = self.membership.next_deadline(from)?;
        if membership == from || self.ring_changed {
            // Nothing can be earlier (a changed ring is stabilized at once).
            return Some(from);
        }
        Some(self.deadline_of_parts(from, membership))
    }

    /// The earliest deadline of the parts, at least `from`, when the
    /// membership's is `membership`, later than `from`.
    fn deadline_of_parts(&self, from: u64, membership: u64) -> u64 {
        let coordinator = self.coordinator.next_deadline(self.config.op_timeout);
        let store = self.store.next_deadline(self.id, from, &self.config.store);
        let ae = self.config.anti_entropy;
        let round = match self.membership.is_joined() {
            true => anti_entropy::next_round(self.id, &self.ring, from, ae),
            false => None,
        };
        [coordinator, store, round]
            .into_iter()
            .flatten()
            .fold(membership, u64::min)
            .max(from)
    }

    /// Coordinates a client request at tick `now` as transaction `trans`.
    /// `value` is written by create and update, and ignored otherwise.
    /// With hinted handoff, a home replica this peer suspects is asked and
    /// a substitute too (see [`Peer::substitutes`]).
    pub fn client_op(&mut self, now: u64, request: Invocation<'_>, out: &mut Out) {
        self.next_tick = now;
        let Invocation { trans, op, key, .. } = request;
        let replicas = self.ring.replicas(key);
        let (homes, substitutes) = self.substitutes(now, key, replicas);
        let written = match op {
            OpKind::Create | OpKind::Update => request.written,
            OpKind::Read | OpKind::Delete => None,
        };
        let version = Version::new(now, trans);
        let write = match op {
            OpKind::Read => None,
            OpKind::Delete => Some(Stored {
                value: None,
                version,
            }),
            OpKind::Create | OpKind::Update => Some(Stored {
                value: written.map(str::to_owned),
                version,
            }),
        };
        // A coordinator whose own view holds fewer replicas than a quorum
        // (it is alone, e.g. just restarted) fails at once and sends
        // nothing: a write it cannot commit must not reach any replica.
        // With substitutes, a write also needs a home replica to perform
        // it before any substitute is asked.
        let quorum = self.config.replication.quorum_at(op, request.level);
        let reach = match op {
            OpKind::Read => homes.len() + substitutes.len(),
            _ if homes.is_empty() => 0,
            _ => homes.len() + substitutes.len(),
        };
        let (homes, substitutes) = match usize::from(quorum) <= reach {
            true => (homes, substitutes),
            false => (Vec::new(), Vec::new()),
        };
        let message = |hint: Option<PeerId>| {
            Message::Request(Box::new(Request {
                trans,
                op,
                key: key.to_owned(),
                write: write.clone(),
                replicas,
                hint,
            }))
        };
        let mut hinted = Vec::new();
        for &(to, home) in &substitutes {
            match op {
                OpKind::Read => out.send(to, message(Some(home))),
                _ => hinted.push((to, message(Some(home)))),
            }
        }
        for &to in &homes {
            out.send(to, message(None));
        }
        // A read asked its substitutes already; a write asks them later.
        let asked = homes.len() + substitutes.len() - hinted.len();
        let stand_ins: Vec<PeerId> = substitutes.into_iter().map(|(to, _)| to).collect();
        out.record(EventKind::Asked {
            trans,
            quorum,
            replicas: homes,
            substitutes: stand_ins.clone(),
        });
        let request = Invocation { written, ..request };
        let to = Recipients {
            asked,
            homes: if asked == 0 {
                ReplicaSet::default()
            } else {
                replicas
            },
            substitutes: stand_ins,
            hinted,
        };
        self.coordinator.start(now, request, to, out);
    }

    /// The home replicas a request goes to, and the substitutes standing in
    /// for the ones this peer suspects: (substitute, home). The request
    /// goes to every replica in `replicas` (a suspected home may only be
    /// slow to gossip: asking it costs a message, and a read that skipped
    /// it could miss what it holds). With hinted handoff, each home this
    /// peer suspects at `now` also gets a stand-in: the next peer clockwise
    /// beyond the home replicas that it does not suspect, while there are
    /// such peers.
    fn substitutes(
        &self,
        now: u64,
        key: &str,
        replicas: ReplicaSet,
    ) -> (Vec<PeerId>, Vec<(PeerId, PeerId)>) {
        let homes = replicas.as_slice();
        if !self.config.hinted_handoff {
            return (homes.to_vec(), Vec::new());
        }
        let suspects = |id: PeerId| self.membership.suspects(id, now);
        let spare = self
            .ring
            .preference(key)
            .filter(|&id| !replicas.contains(id) && !suspects(id));
        let substitutes = homes
            .iter()
            .filter(|&&home| suspects(home))
            .zip(spare)
            .map(|(&home, spare)| (spare, home))
            .collect();
        (homes.to_vec(), substitutes)
    }

    /// Applies the membership changes in `out` to the ring and the store,
    /// recording joins and removals.
    fn apply_changes(&mut self, out: &mut Out) {
        if out.changes.is_empty() {
            // Most inputs change no membership: skip the drain.
            return;
        }
        for change in std::mem::take(&mut out.changes) {
            let event = match change {
                Change::Added(member) => {
                    self.ring.insert(member);
                    EventKind::Joined { member }
                }
                Change::Removed(member) => {
                    self.ring.remove(member);
                    EventKind::Removed { member }
                }
                Change::Renewed(member) => {
                    self.store.forget_peer(member);
                    continue;
                }
            };
            self.ring_changed = true;
            out.record(event);
        }
    }

    /// Which life of this peer this is (1 for the first).
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    /// The ring as this peer sees it.
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// This peer's membership state.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// This peer's stored keys.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::Level;
    use crate::protocol::op::Reason;

    fn started(id: u32) -> Peer {
        let mut peer = Peer::new(PeerId(id), 1, 4, 7, Config::default());
        peer.start(0, &mut Out::default());
        peer
    }

    #[test]
    fn a_peer_has_no_deadline_before_it_starts_and_then_the_next_tick() {
        let mut peer = Peer::new(PeerId(1), 1, 4, 7, Config::default());
        assert_eq!(peer.next_deadline(), None, "not started");
        let mut out = Out::default();
        peer.start(3, &mut out);
        assert_eq!(peer.next_deadline(), Some(3), "its start tick is to come");
        peer.on_tick(3, &mut out);
        // Alone and not in a group: nothing until it asks to join again.
        let retry = 3 + Config::default().membership.join_retry;
        assert_eq!(peer.next_deadline(), Some(retry));
        let mut out = Out::default();
        for now in 4..retry {
            peer.on_tick(now, &mut out);
        }
        assert!(out.sends.is_empty() && out.events.is_empty());
        assert_eq!(peer.membership().heartbeat(retry), retry - 3);
        peer.on_tick(retry, &mut out);
        assert_eq!(out.sends.len(), 1, "the join request");
    }

    #[test]
    fn a_replica_answers_a_request_with_one_reply_and_one_line() {
        let mut peer = started(1);
        let ring: Ring = (0..3).map(PeerId).collect();
        let write = Stored {
            value: Some("v".into()),
            version: Version::new(4, 9),
        };
        let mut out = Out::default();
        let request = Message::Request(Box::new(Request {
            trans: 9,
            op: OpKind::Create,
            key: "k".into(),
            write: Some(write.clone()),
            replicas: ring.replicas("k"),
            hint: None,
        }));
        peer.on_message(5, PeerId(2), request, &mut out);
        assert_eq!(
            out.events,
            vec![EventKind::Outcome {
                coordinator: false,
                op: OpKind::Create,
                trans: 9,
                key: "k".into(),
                value: Some("v".into()),
                ok: true,
                reason: None,
                version: Some(write.version),
            }]
        );
        assert_eq!(out.sends.len(), 1);
        assert!(matches!(
            &out.sends[0],
            (
                PeerId(2),
                Message::Reply {
                    trans: 9,
                    ok: true,
                    found: None
                }
            )
        ));
        assert!(out.changes.is_empty(), "the peer applies its changes");
    }

    #[test]
    fn a_coordinator_alone_on_its_ring_sends_nothing_and_fails_at_once() {
        let mut peer = started(3);
        let mut out = Out::default();
        let request = Invocation {
            trans: 1,
            op: OpKind::Update,
            key: "k",
            written: Some("v"),
            level: Level::Quorum,
        };
        peer.client_op(6, request, &mut out);
        assert!(
            out.sends.is_empty(),
            "a write it cannot commit goes nowhere"
        );
        assert!(
            matches!(
                out.events.as_slice(),
                [
                    EventKind::Asked { trans: 1, quorum: 2, replicas, substitutes },
                    EventKind::Outcome {
                        coordinator: true,
                        ok: false,
                        reason: Some(Reason::NoQuorum),
                        ..
                    }
                ] if replicas.is_empty() && substitutes.is_empty()
            ),
            "{:?}",
            out.events
        );
    }
}
