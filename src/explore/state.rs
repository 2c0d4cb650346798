//! One state of the exploration: the simulation at a tick boundary, what
//! the client has done and seen, the fault budgets used, and the state's
//! fingerprint.

use xxhash_rust::xxh3::Xxh3;

use crate::check::record::Recorder;
use crate::protocol::address::PeerId;
use crate::protocol::event::{Event, EventKind};
use crate::protocol::message::Message;
use crate::sim::cluster::{PeerState, Sim};
use crate::util::fingerprint::debug_into;

/// The simulation at a tick boundary and everything the explorer keeps
/// beside it.
#[derive(Clone, Debug)]
pub(crate) struct State {
    /// The cluster, before the tick `sim.now()` runs.
    pub(crate) sim: Sim,
    /// The client history so far.
    pub(crate) recorder: Recorder,
    /// The failures and removals so far, in order: what the checker reads
    /// of the event stream besides the history (`live_peer_removed`).
    pub(crate) membership: Vec<Event>,
    /// The workload's next operation to invoke.
    pub(crate) next_op: usize,
    /// The transaction invoked and not decided yet, and its coordinator.
    pub(crate) waiting: Option<(u64, PeerId)>,
    /// Messages dropped so far.
    pub(crate) drops: u32,
    /// Holds so far.
    pub(crate) holds: u32,
    /// Crashes so far.
    pub(crate) crashes: u32,
    /// Recoveries so far.
    pub(crate) recoveries: u32,
    /// The most peers down at once so far.
    pub(crate) peak_down: u32,
}

/// Whether `msg` is traffic the explorer drops, holds and waits for: the
/// store's requests and replies, its replication (stabilization's and
/// anti-entropy's pushes and their acknowledgements) and read repair. Not
/// membership gossip, and not anti-entropy's comparisons (digests, pulls,
/// Merkle hashes and diffs): a peer sends those every round, whether or
/// not anything differs, so waiting for them the store would never be
/// quiet; they are delivered like gossip.
pub(crate) fn is_explored(msg: &Message) -> bool {
    !matches!(
        msg,
        Message::JoinReq { .. }
            | Message::JoinRep { .. }
            | Message::Gossip { .. }
            | Message::Digest { .. }
            | Message::Pull { .. }
            | Message::MerkleHashes(_)
            | Message::MerkleDiff { .. }
            | Message::MerkleLeaves { .. }
    )
}

impl State {
    /// The explorer's state of a cluster that has just settled.
    pub(crate) fn new(sim: Sim) -> State {
        let mut state = State {
            sim,
            recorder: Recorder::default(),
            membership: Vec::new(),
            next_op: 0,
            waiting: None,
            drops: 0,
            holds: 0,
            crashes: 0,
            recoveries: 0,
            peak_down: 0,
        };
        state.absorb();
        state
    }

    /// Reads the events the simulation produced since the last call: the
    /// history grows, the waiting request may be decided (or given up, if
    /// its coordinator crashed). Returns whether anything observable
    /// happened: a membership change or a decision.
    pub(crate) fn absorb(&mut self) -> bool {
        let events: Vec<Event> = self.sim.drain_events().collect();
        self.recorder.feed(&events);
        let mut eventful = false;
        for e in events {
            match e.kind {
                EventKind::Failed | EventKind::Removed { .. } => {
                    eventful = true;
                    self.membership.push(e);
                }
                EventKind::Joined { .. } => eventful = true,
                EventKind::Outcome {
                    coordinator: true,
                    trans,
                    ..
                } => {
                    eventful = true;
                    if self.waiting.is_some_and(|(t, _)| t == trans) {
                        self.waiting = None;
                    }
                }
                _ => {}
            }
        }
        if let Some((_, at)) = self.waiting {
            if self.sim.state(at) != Some(PeerState::Alive) {
                // Its coordinator crashed: the request will never be
                // decided, and the client moves on.
                self.waiting = None;
            }
        }
        eventful
    }

    /// The store messages due at this tick boundary, by send number.
    pub(crate) fn store_due_now(&self) -> impl Iterator<Item = u64> + '_ {
        let now = self.sim.now();
        self.sim
            .network()
            .in_flight()
            .take_while(move |m| m.deliver_at <= now)
            .filter(|m| is_explored(&m.msg))
            .map(|m| m.seq)
    }

    /// The receivers of the store messages due at this tick boundary.
    pub(crate) fn store_receivers_now(&self) -> Vec<PeerId> {
        let now = self.sim.now();
        let mut to: Vec<PeerId> = self
            .sim
            .network()
            .in_flight()
            .take_while(|m| m.deliver_at <= now)
            .filter(|m| is_explored(&m.msg))
            .map(|m| m.to)
            .collect();
        to.sort();
        to.dedup();
        to
    }

    /// Whether any store message is in flight.
    pub(crate) fn store_in_flight(&self) -> bool {
        self.sim.network().in_flight().any(|m| is_explored(&m.msg))
    }

    /// Whether something is under way: a store message in flight or a
    /// request not decided.
    pub(crate) fn busy(&self) -> bool {
        self.waiting.is_some() || self.store_in_flight()
    }

    /// The peers down now.
    pub(crate) fn failed_peers(&self) -> Vec<PeerId> {
        (0..self.sim.peer_count())
            .map(PeerId)
            .filter(|&id| self.sim.state(id) == Some(PeerState::Failed))
            .collect()
    }

    /// Which live peer suspects which member, one bit per pair: a change
    /// is a membership event too (hinted handoff acts on suspicions).
    pub(crate) fn suspicions(&self) -> u64 {
        let now = self.sim.now();
        let n = self.sim.peer_count();
        let mut bits = 0u64;
        for p in self.sim.alive_peers() {
            let Some(peer) = self.sim.peer(p) else {
                continue;
            };
            for m in (0..n).map(PeerId) {
                if peer.membership().suspects(m, now) {
                    bits |= 1 << (p.0 * n + m.0);
                }
            }
        }
        bits
    }

    /// Whether no live peer's membership lists `id` any more.
    pub(crate) fn removed_everywhere(&self, id: PeerId) -> bool {
        self.sim.alive_peers().into_iter().all(|p| {
            self.sim
                .peer(p)
                .is_none_or(|peer| !peer.membership().ids().contains(&id))
        })
    }

    /// A 128-bit hash of the cluster alone (its [`Sim::fingerprint`]):
    /// what decides how it ends once settled.
    pub(crate) fn cluster_fingerprint(&self) -> u128 {
        let mut h = Xxh3::new();
        self.sim.fingerprint(&mut h);
        h.digest128()
    }

    /// A 128-bit hash of what decides the rest of the run and its verdict:
    /// the cluster ([`Sim::fingerprint`]), the history and membership
    /// events so far, the workload's progress and the budgets used.
    pub(crate) fn fingerprint(&self) -> u128 {
        let mut h = Xxh3::new();
        self.sim.fingerprint(&mut h);
        debug_into(&mut h, self.recorder.history());
        debug_into(&mut h, &self.membership);
        debug_into(
            &mut h,
            &(
                self.next_op,
                self.waiting,
                self.drops,
                self.holds,
                self.crashes,
                self.recoveries,
                self.peak_down,
            ),
        );
        h.digest128()
    }
}
