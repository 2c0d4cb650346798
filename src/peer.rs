//! One peer: membership, the ring it builds from its own (possibly stale)
//! view, its store and its coordinator — a pure state machine. It takes a
//! tick, a message or a client request plus `now`, and pushes messages to
//! send and events to record into an [`Outbox`]. No clock, no I/O, and its
//! randomness is its own seeded stream.

use std::rc::Rc;

use crate::address::PeerId;
use crate::config::Config;
use crate::coordinator::{Coordinator, Decision};
use crate::event::EventKind;
use crate::membership::{Change, Membership};
use crate::message::{Message, Request, Stored};
use crate::op::{OpKind, Version};
use crate::ring::Ring;
use crate::rng::{SimRng, STREAM_PEERS};
use crate::store::Store;

/// What a peer wants done after handling one input.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    /// Messages to send, in order.
    pub sends: Vec<(PeerId, Message)>,
    /// Events to record at this peer, in order.
    pub events: Vec<EventKind>,
}

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
    changes: Vec<Change>,
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
            ring: Ring::new().with_n(config.replication.n),
            ring_changed: false,
            store: Store::default(),
            coordinator: Coordinator::new(config.replication),
            rng: SimRng::new(seed, stream),
            changes: Vec::new(),
        }
    }

    /// Gives a restarting peer the keys it stored before it failed (they
    /// survive a crash, like a disk); it checks each with its replicas.
    pub fn restore(&mut self, mut store: Store) {
        store.restarted();
        self.store = store;
    }

    /// Takes the stored keys out of a failed peer, to restore them.
    pub fn take_store(&mut self) -> Store {
        std::mem::take(&mut self.store)
    }

    /// Starts (or restarts) the peer at tick `now`: it asks to join.
    pub fn start(&mut self, now: u64, out: &mut Outbox) {
        out.events.push(EventKind::Started {
            incarnation: self.incarnation,
        });
        self.membership
            .start(now, &mut self.rng, &mut out.sends, &mut self.changes);
        self.apply_changes(out);
    }

    /// Handles a message from `from` delivered at tick `now`.
    pub fn on_message(&mut self, now: u64, from: PeerId, msg: Message, out: &mut Outbox) {
        match msg {
            Message::JoinReq {
                incarnation,
                heartbeat,
            } => {
                self.membership.on_join_req(
                    now,
                    from,
                    incarnation,
                    heartbeat,
                    &mut out.sends,
                    &mut self.changes,
                );
                self.apply_changes(out);
            }
            Message::JoinRep { members } | Message::Gossip { members } => {
                self.membership.on_list(now, &members, &mut self.changes);
                self.apply_changes(out);
            }
            Message::Request(request) => {
                let Request {
                    trans,
                    op,
                    key,
                    write,
                    replicas,
                } = *request;
                let answer = self.store.apply(op, &key, write.as_ref(), replicas);
                let shown = match op {
                    OpKind::Read => answer.found.as_ref(),
                    _ => write.as_ref(),
                };
                out.events.push(EventKind::Outcome {
                    coordinator: false,
                    op,
                    trans,
                    key,
                    value: shown.and_then(|s| s.value.clone()),
                    ok: answer.ok,
                    reason: None,
                    version: shown.map(|s| s.version),
                });
                out.sends.push((
                    from,
                    Message::Reply {
                        trans,
                        ok: answer.ok,
                        found: answer.found,
                    },
                ));
            }
            Message::Reply { trans, ok, found } => {
                if let Some(decision) = self.coordinator.on_reply(trans, ok, found) {
                    out.events.push(decided(decision));
                }
            }
            Message::Replicate { key, stored } => {
                let (changed, version) = self.store.replicate(&self.ring, &key, &stored, from);
                out.sends.push((
                    from,
                    Message::ReplicateAck {
                        key: Rc::clone(&key),
                        version,
                    },
                ));
                if changed {
                    out.events.push(EventKind::Replicated {
                        key: key.to_string(),
                        from,
                    });
                }
            }
            Message::ReplicateAck { key, version } => {
                self.store.confirmed(&key, from, version);
            }
            Message::Digest { entries } => {
                self.store
                    .on_digest(&self.ring, from, &entries, &mut out.sends);
            }
            Message::Pull { keys } => self.store.on_pull(from, &keys, &mut out.sends),
        }
    }

    /// One tick: membership, request timeouts, stabilization.
    pub fn on_tick(&mut self, now: u64, out: &mut Outbox) {
        self.membership
            .tick(now, &mut self.rng, &mut out.sends, &mut self.changes);
        self.apply_changes(out);
        for decision in self.coordinator.expire(now, self.config.op_timeout) {
            out.events.push(decided(decision));
        }
        let store = &self.config.store;
        let swept = self.store.stabilize(
            self.id,
            &self.ring,
            self.ring_changed,
            now,
            store,
            &mut out.sends,
        );
        self.ring_changed = false;
        out.events.extend(
            swept
                .handed
                .into_iter()
                .map(|key| EventKind::Handed { key }),
        );
        out.events.extend(
            swept
                .collected
                .into_iter()
                .map(|key| EventKind::Collected { key }),
        );
        if self.membership.is_joined() {
            let digest = self.store.digest(self.id, &self.ring, now, store.ae_period);
            out.sends.extend(digest);
        }
    }

    /// Coordinates a client request at tick `now` as transaction `trans`.
    /// `value` is written by create and update, and ignored otherwise.
    pub fn client_op(
        &mut self,
        now: u64,
        trans: u64,
        op: OpKind,
        key: &str,
        value: Option<&str>,
        out: &mut Outbox,
    ) {
        let replicas = self.ring.replicas(key);
        let written = match op {
            OpKind::Create | OpKind::Update => value,
            OpKind::Read | OpKind::Delete => None,
        };
        let version = Version { tick: now, trans };
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
        let quorum = self.config.replication.quorum(op);
        let reachable = usize::from(quorum) <= replicas.len();
        for &to in replicas.as_slice().iter().filter(|_| reachable) {
            out.sends.push((
                to,
                Message::Request(Box::new(Request {
                    trans,
                    op,
                    key: key.to_owned(),
                    write: write.clone(),
                    replicas,
                })),
            ));
        }
        let early = self
            .coordinator
            .start(now, trans, op, key, written, replicas.len());
        if let Some(decision) = early {
            out.events.push(decided(decision));
        }
    }

    fn apply_changes(&mut self, out: &mut Outbox) {
        if self.changes.is_empty() {
            // Most inputs change no membership: skip the drain.
            return;
        }
        for change in self.changes.drain(..) {
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
            out.events.push(event);
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

fn decided(d: Decision) -> EventKind {
    EventKind::Outcome {
        coordinator: true,
        op: d.op,
        trans: d.trans,
        key: d.key,
        value: d.value,
        ok: d.ok,
        reason: d.reason,
        version: d.version,
    }
}
