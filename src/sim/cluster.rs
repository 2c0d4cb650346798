//! The simulation: a clock, the peers and the network, driven one tick at
//! a time from one seed. It queues the events it produces until an
//! [`crate::sim::event_log::EventLog`] drains them.
//!
//! Actions (fail, recover, client requests) happen at the current tick
//! `now`, before that tick runs. A tick then starts the peers due to start,
//! delivers every message due, in (delivery tick, sequence) order, and lets
//! each live peer tick, in id order. Nothing else decides anything: the same
//! options and actions give the same events on every platform.
//!
//! A peer ticks only when it has work: at the tick of each of its inputs
//! (its start, a message, a client request) and at the next deadline it
//! reports after each tick ([`Peer::next_deadline`]). Skipping its other
//! ticks changes nothing the peer does ([`Sim::set_wake_every_tick`] ticks
//! every live peer every tick instead, to check that).

use std::fmt;
use std::hash::Hasher;

use crate::protocol::address::PeerId;
use crate::protocol::config::MAX_PEERS;
use crate::protocol::config::{Config, Level};
use crate::protocol::coordinator::Invocation;
use crate::protocol::event::{DropReason, Event, EventKind};
use crate::protocol::op::OpKind;
use crate::protocol::out::Out;
use crate::protocol::peer::Peer;
use crate::protocol::settings::ConfigError;
use crate::sim::network::{InFlight, LinkRule, Network, Sent, MAX_DELAY};
use crate::util::fingerprint::debug_into;

/// The longest key a client may use, in bytes.
pub(crate) const MAX_KEY_BYTES: usize = 256;
/// The longest value a client may write, in bytes.
pub(crate) const MAX_VALUE_BYTES: usize = 4096;

/// How a simulation is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOptions {
    /// How many peers (1..=[`MAX_PEERS`]). Peer `i` starts at tick `i / 4`.
    pub peers: u32,
    /// The seed every random choice derives from.
    pub seed: u64,
    /// Protocol timings and replication.
    pub config: Config,
    /// Whether to record every message sent and lost as events.
    pub trace_messages: bool,
}

impl SimOptions {
    /// `peers` peers, seed `seed`, default timings, no message tracing.
    pub fn new(peers: u32, seed: u64) -> SimOptions {
        SimOptions {
            peers,
            seed,
            config: Config::default(),
            trace_messages: false,
        }
    }

    fn validate(&self) -> Result<(), SimError> {
        if !(1..=MAX_PEERS).contains(&self.peers) {
            return Err(SimError::PeerCount(self.peers));
        }
        self.config
            .validate_ring(self.peers)
            .map_err(SimError::Config)
    }
}

/// The largest loss a link may be given, in percent of its messages.
pub(crate) const MAX_LOSS: u8 = 100;

/// Why an action was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// The peer count is outside 1..=[`MAX_PEERS`].
    PeerCount(u32),
    /// The settings do not fit ([`Config::validate`], in its own words).
    Config(ConfigError),
    /// There is no such peer.
    UnknownPeer(PeerId),
    /// The peer must be alive for this.
    NotAlive(PeerId),
    /// The peer must have failed for this.
    NotFailed(PeerId),
    /// A key or value is empty.
    Empty(&'static str),
    /// A key or value is longer than its limit.
    TooLong {
        /// `key` or `value`.
        what: &'static str,
        /// Its limit in bytes.
        max: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// A key or value holds a control character.
    ControlCharacter {
        /// `key` or `value`.
        what: &'static str,
        /// The character.
        found: char,
        /// Its byte offset.
        at: usize,
    },
    /// A create or update came without a value.
    NoValue(OpKind),
    /// A link from a peer to itself.
    SelfLink(PeerId),
    /// A loss over `MAX_LOSS` %.
    Loss(u8),
    /// A drop probability outside 0 to 1 (its text: an `f64` has no `Eq`).
    DropProbability(String),
    /// A delay outside 1..=`MAX_DELAY` ticks.
    Delay(u64),
    /// No peer is alive to act on.
    NoLivePeer {
        /// The tick it was asked at.
        tick: u64,
    },
    /// No message with this send order is in flight at this tick.
    NotInFlight {
        /// The message's send order asked for.
        seq: u64,
        /// The tick it was asked at.
        tick: u64,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::PeerCount(n) => write!(f, "a cluster has 1 to {MAX_PEERS} peers, not {n}"),
            SimError::Config(what) => write!(f, "bad option: {what}"),
            SimError::UnknownPeer(id) => write!(f, "no peer {id} in this cluster"),
            SimError::NotAlive(id) => write!(f, "peer {id} is not alive"),
            SimError::NotFailed(id) => write!(f, "peer {id} has not failed"),
            SimError::Empty(what) => write!(f, "the {what} must not be empty"),
            SimError::TooLong { what, max, len } => {
                write!(f, "a {what} is at most {max} bytes, not {len}")
            }
            SimError::ControlCharacter { what, found, at } => write!(
                f,
                "a {what} must not hold control characters, and this one holds U+{:04X} at byte {at}",
                u32::from(*found)
            ),
            SimError::NoValue(op) => write!(f, "{} needs a value", op.word()),
            SimError::SelfLink(id) => {
                write!(f, "a link joins two different peers, not {id} to itself")
            }
            SimError::Loss(percent) => write!(f, "a loss is 0 to {MAX_LOSS} %, not {percent}"),
            SimError::DropProbability(p) => write!(f, "a drop probability is 0 to 1, not {p}"),
            SimError::Delay(ticks) => write!(f, "a delay is 1 to {MAX_DELAY} ticks, not {ticks}"),
            SimError::NoLivePeer { tick } => {
                write!(f, "no live peer left at tick {tick} to act on")
            }
            SimError::NotInFlight { seq, tick } => {
                write!(f, "no message {seq} is in flight at tick {tick}")
            }
        }
    }
}

impl std::error::Error for SimError {}

/// Where a peer is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerState {
    /// Not started yet.
    Waiting,
    /// Running.
    Alive,
    /// Failed: neither sends nor receives.
    Failed,
}

#[derive(Clone, Debug)]
struct Slot {
    state: PeerState,
    start_at: u64,
    failed_at: u64,
    incarnations: u64,
    peer: Option<Peer>,
}

/// A whole simulated cluster.
#[derive(Clone, Debug)]
pub struct Sim {
    opts: SimOptions,
    now: u64,
    slots: Vec<Slot>,
    network: Network,
    /// Events since the log last drained them ([`Sim::drain_events`]).
    pending: Vec<Event>,
    next_trans: u64,
    outbox: Out,
    /// By peer id, the next tick the peer ticks at: the deadline it
    /// reported after its last tick, or the tick of an input since.
    deadlines: Vec<Option<u64>>,
    /// Whether every live peer ticks every tick, deadline or not.
    wake_every_tick: bool,
}

impl Sim {
    /// A cluster at tick 0 whose peers have not started yet.
    pub fn new(opts: SimOptions) -> Result<Sim, SimError> {
        opts.validate()?;
        let slots = (0..opts.peers)
            .map(|i| Slot {
                state: PeerState::Waiting,
                start_at: u64::from(i / 4),
                failed_at: 0,
                incarnations: 0,
                peer: None,
            })
            .collect();
        Ok(Sim {
            opts,
            now: 0,
            slots,
            network: Network::new(opts.peers, opts.seed),
            pending: Vec::new(),
            next_trans: 1,
            outbox: Out::default(),
            deadlines: vec![None; opts.peers as usize],
            wake_every_tick: false,
        })
    }

    /// The options this cluster was made with.
    pub fn options(&self) -> &SimOptions {
        &self.opts
    }

    /// The tick that runs next; actions happen at this tick.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Runs `n` ticks.
    pub fn run(&mut self, n: u64) {
        for _ in 0..n {
            self.run_tick();
        }
    }

    /// Runs tick `now`, then moves to the next one.
    pub fn run_tick(&mut self) {
        let now = self.now;
        for i in 0..self.slots.len() {
            let slot = &self.slots[i];
            if slot.state == PeerState::Waiting && slot.start_at == now {
                self.start_peer(i);
            }
        }
        while let Some(m) = self.network.pop_due(now) {
            let alive = self.state(m.to) == Some(PeerState::Alive);
            self.network.record_arrival(m.to, alive);
            if !alive {
                if self.opts.trace_messages {
                    self.record_drop(&m, DropReason::ReceiverFailed);
                }
                continue;
            }
            if let Some((peer, out)) = self.live_peer(m.to) {
                peer.on_message(now, m.from, m.msg, out);
            }
            self.wake(m.to);
            self.flush(m.to);
        }
        for i in 0..self.slots.len() {
            let due = self.deadlines[i].is_some_and(|at| at <= now);
            if !due && !self.wake_every_tick {
                continue;
            }
            let id = PeerId(i as u32);
            match self.live_peer(id) {
                Some((peer, out)) => {
                    peer.on_tick(now, out);
                    self.deadlines[i] = peer.next_deadline();
                }
                None => continue,
            }
            self.flush(id);
        }
        self.now += 1;
    }

    /// Ticks every live peer every tick when `on`, whatever its deadline;
    /// by default a peer ticks only at its deadlines. Both give the same
    /// events: this is there to check that they do.
    pub fn set_wake_every_tick(&mut self, on: bool) {
        self.wake_every_tick = on;
    }

    fn start_peer(&mut self, i: usize) {
        let id = PeerId(i as u32);
        let (seed, timings, now) = (self.opts.seed, self.opts.config, self.now);
        let peers = self.opts.peers;
        let slot = &mut self.slots[i];
        slot.incarnations += 1;
        slot.state = PeerState::Alive;
        // Stored keys survive a crash (a disk), unless the peer was down so
        // long that tombstones it missed may have been collected meanwhile.
        let kept = slot
            .peer
            .as_mut()
            .filter(|_| now - slot.failed_at <= timings.store.tombstone_grace)
            .map(Peer::take_store);
        let peer = slot
            .peer
            .insert(Peer::new(id, slot.incarnations, peers, seed, timings));
        if let Some(store) = kept {
            peer.restore(store);
        }
        peer.start(now, &mut self.outbox);
        self.wake(id);
        self.flush(id);
    }

    /// A live peer, and the output it writes into.
    fn live_peer(&mut self, id: PeerId) -> Option<(&mut Peer, &mut Out)> {
        let slot = self.slots.get_mut(id.0 as usize)?;
        match slot.state {
            PeerState::Alive => slot.peer.as_mut().map(|p| (p, &mut self.outbox)),
            _ => None,
        }
    }

    /// Ticks peer `id` at the current tick, after an input: it asks for
    /// its next deadline then (the input may have given it work).
    fn wake(&mut self, id: PeerId) {
        self.deadlines[id.0 as usize] = Some(self.now);
    }

    /// Sends what a peer produced and records its events, leaving the
    /// output empty (its buffers kept) for the next input.
    fn flush(&mut self, from: PeerId) {
        let now = self.now;
        for kind in self.outbox.events.drain(..) {
            self.pending.push(Event {
                tick: now,
                peer: from,
                kind,
            });
        }
        for (to, msg) in self.outbox.sends.drain(..) {
            if !self.opts.trace_messages {
                self.network.send(now, from, to, msg);
                continue;
            }
            // Kinds, transactions and sizes are looked at only for the trace.
            let (kind, trans, bytes) = (msg.kind(), msg.trans(), msg.wire_bytes());
            let (peer, kind) = match self.network.send(now, from, to, msg) {
                Sent::Queued { deliver_at, seq } => (
                    from,
                    EventKind::Sent {
                        to,
                        msg: kind,
                        deliver_at,
                        bytes,
                        seq,
                        trans,
                    },
                ),
                Sent::Dropped(reason) => (
                    to,
                    EventKind::Dropped {
                        from,
                        msg: kind,
                        reason,
                        seq: None,
                        trans,
                    },
                ),
            };
            self.pending.push(Event {
                tick: now,
                peer,
                kind,
            });
        }
    }

    /// Records that in-flight message `m` was lost for `reason`.
    fn record_drop(&mut self, m: &InFlight, reason: DropReason) {
        self.pending.push(Event {
            tick: self.now,
            peer: m.to,
            kind: EventKind::Dropped {
                from: m.from,
                msg: m.msg.kind(),
                reason,
                seq: Some(m.seq),
                trans: m.msg.trans(),
            },
        });
    }

    fn check(&self, id: PeerId) -> Result<PeerState, SimError> {
        self.state(id).ok_or(SimError::UnknownPeer(id))
    }

    /// Checks that `from → to` joins two peers of this cluster.
    fn check_link(&self, from: PeerId, to: PeerId) -> Result<(), SimError> {
        self.check(from)?;
        self.check(to)?;
        if from == to {
            return Err(SimError::SelfLink(from));
        }
        Ok(())
    }

    /// Fails a live peer at tick `now`.
    pub fn fail(&mut self, id: PeerId) -> Result<(), SimError> {
        if self.check(id)? != PeerState::Alive {
            return Err(SimError::NotAlive(id));
        }
        let slot = &mut self.slots[id.0 as usize];
        slot.state = PeerState::Failed;
        slot.failed_at = self.now;
        if let Some(peer) = &mut slot.peer {
            peer.fail(self.now);
        }
        self.pending.push(Event {
            tick: self.now,
            peer: id,
            kind: EventKind::Failed,
        });
        Ok(())
    }

    /// Restarts a failed peer at tick `now` with a new incarnation; it
    /// rejoins through the introducer. Its stored keys survive the crash
    /// (checked again with their replicas), unless it was down longer than
    /// the tombstone grace period: then it restarts empty.
    pub fn recover(&mut self, id: PeerId) -> Result<(), SimError> {
        if self.check(id)? != PeerState::Failed {
            return Err(SimError::NotFailed(id));
        }
        self.start_peer(id.0 as usize);
        Ok(())
    }

    /// Asks live peer `coordinator` to perform `op` at tick `now`; returns
    /// the transaction id whose outcome appears in the events. Create and
    /// update need a value; read and delete accept an expected value that
    /// only the operation's log line shows.
    pub fn client_op(
        &mut self,
        coordinator: PeerId,
        op: OpKind,
        key: &str,
        value: Option<&str>,
    ) -> Result<u64, SimError> {
        self.client_op_at(coordinator, op, key, value, Level::Quorum)
    }

    /// [`Sim::client_op`] at consistency `level`: one replica, the
    /// configured quorum, or all of them.
    pub fn client_op_at(
        &mut self,
        coordinator: PeerId,
        op: OpKind,
        key: &str,
        value: Option<&str>,
        level: Level,
    ) -> Result<u64, SimError> {
        if self.check(coordinator)? != PeerState::Alive {
            return Err(SimError::NotAlive(coordinator));
        }
        check_text("key", key, MAX_KEY_BYTES)?;
        match (op, value) {
            (OpKind::Create | OpKind::Update, None) => {
                return Err(SimError::NoValue(op));
            }
            (_, Some(v)) if v.len() > MAX_VALUE_BYTES => {
                return Err(SimError::TooLong {
                    what: "value",
                    max: MAX_VALUE_BYTES,
                    len: v.len(),
                });
            }
            _ => {}
        }
        for (what, text) in [("key", Some(key)), ("value", value)] {
            check_printable(what, text.unwrap_or_default())?;
        }
        let trans = self.next_trans;
        self.next_trans += 1;
        let now = self.now;
        self.pending.push(Event {
            tick: now,
            peer: coordinator,
            kind: EventKind::Operation {
                op,
                trans,
                key: key.to_owned(),
                value: value.map(str::to_owned),
            },
        });
        if let Some((peer, out)) = self.live_peer(coordinator) {
            let request = Invocation {
                trans,
                op,
                key,
                written: value,
                level,
            };
            peer.client_op(now, request, out);
        }
        self.wake(coordinator);
        self.flush(coordinator);
        Ok(trans)
    }

    /// Drops message `seq` (`InFlight::seq`) while it is in flight, at
    /// tick `now`: it never arrives. The loss is recorded as an event
    /// whether messages are traced or not.
    pub fn drop_message(&mut self, seq: u64) -> Result<(), SimError> {
        let m = self.network.remove(seq).ok_or(SimError::NotInFlight {
            seq,
            tick: self.now,
        })?;
        self.record_drop(&m, DropReason::ByHand);
        Ok(())
    }

    /// Holds message `seq` (`InFlight::seq`) back one tick at tick `now`:
    /// it arrives one tick later than it was to, so after the other
    /// messages due at its old tick and after its receiver's tick then
    /// ([`Network::hold`]). Returns its new delivery tick. Records no
    /// event: the message is still in flight.
    pub fn hold_message(&mut self, seq: u64) -> Result<u64, SimError> {
        self.network.hold(seq).ok_or(SimError::NotInFlight {
            seq,
            tick: self.now,
        })
    }

    /// Whether [`Sim::partition`] of `side` would cut a link not cut yet:
    /// false when every peer is on `side`, or when `side` is already cut
    /// off from every other peer.
    pub fn partition_cuts_new_links(&self, side: &[PeerId]) -> bool {
        let inside: std::collections::BTreeSet<PeerId> = side.iter().copied().collect();
        inside.iter().any(|&a| {
            (0..self.opts.peers)
                .map(PeerId)
                .any(|b| !inside.contains(&b) && !self.network.is_cut(a, b))
        })
    }

    /// Splits the cluster in two: `side` on one side, every other peer on
    /// the other; no message crosses until [`Sim::heal`].
    pub fn partition(&mut self, side: &[PeerId]) -> Result<(), SimError> {
        for &id in side {
            self.check(id)?;
        }
        let inside: std::collections::BTreeSet<PeerId> = side.iter().copied().collect();
        for a in &inside {
            for b in (0..self.opts.peers).map(PeerId) {
                if !inside.contains(&b) {
                    self.network.cut(*a, b);
                }
            }
        }
        Ok(())
    }

    /// Restores the whole network: partitions, link losses and delays.
    pub fn heal(&mut self) {
        self.network.heal_all();
    }

    /// Loses messages at random with probability `percent`/100: on the
    /// directed link `link`, or everywhere.
    pub fn set_loss(
        &mut self,
        link: Option<(PeerId, PeerId)>,
        percent: u8,
    ) -> Result<(), SimError> {
        if percent > MAX_LOSS {
            return Err(SimError::Loss(percent));
        }
        let p = f64::from(percent) / 100.0;
        match link {
            None => self.network.set_drop_prob(p),
            Some((from, to)) => {
                self.check_link(from, to)?;
                let rule = self.network.link(from, to);
                self.network.set_link(
                    from,
                    to,
                    LinkRule {
                        drop_prob: p,
                        ..rule
                    },
                );
            }
        }
        Ok(())
    }

    /// Loses messages everywhere at random with probability `p`, from 0
    /// (no loss) to 1 (every message).
    pub fn set_drop_prob(&mut self, p: f64) -> Result<(), SimError> {
        if !(0.0..=1.0).contains(&p) {
            return Err(SimError::DropProbability(p.to_string()));
        }
        self.network.set_drop_prob(p);
        Ok(())
    }

    /// Makes messages on the directed link `from → to` take `ticks` ticks.
    pub fn set_delay(&mut self, from: PeerId, to: PeerId, ticks: u64) -> Result<(), SimError> {
        self.check_link(from, to)?;
        if !(1..=MAX_DELAY).contains(&ticks) {
            return Err(SimError::Delay(ticks));
        }
        let rule = self.network.link(from, to);
        self.network.set_link(
            from,
            to,
            LinkRule {
                delay: ticks,
                ..rule
            },
        );
        Ok(())
    }

    /// The state of `id`, or `None` if there is no such peer.
    pub fn state(&self, id: PeerId) -> Option<PeerState> {
        self.slots.get(id.0 as usize).map(|s| s.state)
    }

    /// A peer's protocol state (frozen as it was if it failed); `None`
    /// before it first starts.
    pub fn peer(&self, id: PeerId) -> Option<&Peer> {
        self.slots.get(id.0 as usize)?.peer.as_ref()
    }

    /// The number of peers.
    pub fn peer_count(&self) -> u32 {
        self.opts.peers
    }

    /// The live peers, in id order.
    pub fn alive_peers(&self) -> Vec<PeerId> {
        (0..self.opts.peers)
            .map(PeerId)
            .filter(|&id| self.state(id) == Some(PeerState::Alive))
            .collect()
    }

    /// Hands out the events produced since the last call, in order; the
    /// run's whole history lives in an [`crate::sim::event_log::EventLog`].
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.pending.drain(..)
    }

    /// The emulated network.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Feeds into `hasher` what decides this cluster's future: the tick,
    /// the next transaction id, each peer's life and protocol state, and
    /// the messages in flight in delivery order. Left out, because they
    /// decide nothing: the messages' send numbers (they only name
    /// messages; the order they break ties in is the order fed), the
    /// network's counters, the deadlines (a peer does the same whether it
    /// ticks only at them or every tick) and the events not yet drained.
    /// The network's rules are left out too: the explorer that uses this
    /// never sets any. Two clusters fed alike behave alike, up to the
    /// hash's collisions.
    pub fn fingerprint<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_u64(self.now);
        hasher.write_u64(self.next_trans);
        for slot in &self.slots {
            hasher.write_u8(slot.state as u8);
            hasher.write_u64(slot.failed_at);
            hasher.write_u64(slot.incarnations);
            if let Some(peer) = &slot.peer {
                debug_into(hasher, peer);
            }
        }
        for m in self.network.in_flight() {
            hasher.write_u64(m.deliver_at);
            hasher.write_u32(m.from.0);
            hasher.write_u32(m.to.0);
            debug_into(hasher, &m.msg);
        }
    }
}

/// Refuses control characters (newlines, escapes) in a key or value: the
/// dbg.log and the CLI's output print keys and values as they are, so a
/// newline could forge a log line and an escape could drive a terminal.
pub(crate) fn check_printable(what: &'static str, text: &str) -> Result<(), SimError> {
    match text.char_indices().find(|(_, c)| c.is_control()) {
        Some((at, found)) => Err(SimError::ControlCharacter { what, found, at }),
        None => Ok(()),
    }
}

fn check_text(what: &'static str, text: &str, max: usize) -> Result<(), SimError> {
    if text.is_empty() {
        return Err(SimError::Empty(what));
    }
    if text.len() > max {
        return Err(SimError::TooLong {
            what,
            max,
            len: text.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> Sim {
        Sim::new(SimOptions::new(3, 1)).unwrap()
    }

    #[test]
    fn a_bad_option_is_refused_saying_which() {
        let mut opts = SimOptions::new(3, 1);
        opts.config.membership.fanout = 0;
        let err = Sim::new(opts).unwrap_err();
        assert_eq!(err, SimError::Config(ConfigError::Fanout(0)));
        assert!(err.to_string().starts_with("bad option: fanout"), "{err}");
        opts.config.membership.fanout = 3;
        opts.config.membership.t_remove = opts.config.membership.t_fail;
        let err = Sim::new(opts).unwrap_err();
        assert!(
            err.to_string().starts_with("bad option: t_remove ("),
            "{err}"
        );
    }

    #[test]
    fn bad_input_is_refused_saying_what() {
        let mut sim = sim();
        sim.run(20);
        let (a, b) = (PeerId(0), PeerId(1));
        assert_eq!(sim.set_loss(None, 101), Err(SimError::Loss(101)));
        assert_eq!(sim.set_delay(a, a, 2), Err(SimError::SelfLink(a)));
        assert_eq!(sim.set_delay(a, b, 0), Err(SimError::Delay(0)));
        let op = |sim: &mut Sim, op, key: &str, value| sim.client_op(a, op, key, value);
        assert_eq!(
            op(&mut sim, OpKind::Create, "", Some("v")),
            Err(SimError::Empty("key"))
        );
        assert_eq!(
            op(&mut sim, OpKind::Update, "k", None),
            Err(SimError::NoValue(OpKind::Update))
        );
        let err = op(&mut sim, OpKind::Create, "k", Some("a\u{1b}")).unwrap_err();
        assert_eq!(
            err,
            SimError::ControlCharacter {
                what: "value",
                found: '\u{1b}',
                at: 1
            }
        );
        assert_eq!(
            err.to_string(),
            "a value must not hold control characters, and this one holds U+001B at byte 1"
        );
        let long = "v".repeat(MAX_VALUE_BYTES + 1);
        let err = op(&mut sim, OpKind::Create, "k", Some(&long)).unwrap_err();
        assert!(matches!(err, SimError::TooLong { what: "value", .. }));
    }
}
