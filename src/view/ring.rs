//! The whole ring at one tick: every peer with its tokens and what the
//! others believe of it, every key with its replicas and holders, the
//! messages in flight and the health counters.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::protocol::op::Version;
use crate::protocol::ring::{key_position, peer_position, token_position};
use crate::scenario::Session;
use crate::sim::cluster::{PeerState, Sim};
use crate::sim::health::{self, Tally};
use crate::sim::network::InFlight;

use super::words::{fraction, state_name};

/// The whole ring at one tick.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RingView {
    /// The tick that runs next.
    pub tick: u64,
    /// The latest tick this scenario may reach.
    pub max_tick: u64,
    /// N, R and W.
    pub replication: [u8; 3],
    /// Tokens (virtual nodes) per peer.
    pub vnodes: u16,
    /// Every peer.
    pub peers: Vec<PeerDot>,
    /// Every key some peer holds.
    pub keys: Vec<KeyDot>,
    /// Messages in flight (at most the number asked for, earliest first).
    pub messages: Vec<MessageDot>,
    /// The counters.
    pub health: Health,
}

/// A peer on the ring.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PeerDot {
    /// Its id (0-based).
    pub id: u32,
    /// Its address.
    pub address: String,
    /// Its ring position (that of its token 0).
    pub position: f64,
    /// The positions of all its tokens (virtual nodes), token 0 first.
    pub tokens: Vec<f64>,
    /// `alive`, `failed` or `waiting` (not started yet).
    pub state: &'static str,
    /// How many keys it holds.
    pub keys: usize,
    /// How many of them it keeps as hints for a home replica (hinted
    /// handoff).
    pub hints: usize,
    /// How many members its list has.
    pub members: usize,
    /// What the other live peers believe of it (clusters of up to
    /// [`MAX_BELIEF_PEERS`] peers; `None` above).
    pub believed: Option<Beliefs>,
    /// Which side of a partition the peer is on (0, 1, …, numbered by each
    /// side's lowest peer id); `None` while the network is in one piece.
    pub side: Option<u16>,
}

/// Clusters up to this size get [`PeerDot::believed`]: it costs a look at
/// every live peer's list for every peer, each frame.
pub const MAX_BELIEF_PEERS: u32 = 200;

/// How many other live peers consider a peer alive, suspect it, or do not
/// have it on their list at all (removed, or never joined), and which of
/// the three is the majority view.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Beliefs {
    /// On their list and heard from lately.
    pub alive: u32,
    /// On their list, silent for `t_fail` ticks or more.
    pub suspected: u32,
    /// Not on their list.
    pub removed: u32,
    /// `alive`, `suspected` or `removed`: the most common view (ties go to
    /// the earlier of the three; `alive` with no other live peer).
    pub majority: &'static str,
}

/// What every live peer of `live` other than `id` believes of `id`.
fn beliefs(sim: &Sim, live: &[PeerId], id: PeerId) -> Beliefs {
    let (mut alive, mut suspected, mut removed) = (0u32, 0u32, 0u32);
    for &observer in live.iter().filter(|&&o| o != id) {
        let Some(peer) = sim.peer(observer) else {
            continue;
        };
        let membership = peer.membership();
        if membership.ids().binary_search(&id).is_err() {
            removed += 1;
        } else if membership.suspects(id, sim.now()) {
            suspected += 1;
        } else {
            alive += 1;
        }
    }
    let majority = match (alive, suspected, removed) {
        (a, s, r) if a >= s && a >= r => "alive",
        (_, s, r) if s >= r => "suspected",
        _ => "removed",
    };
    Beliefs {
        alive,
        suspected,
        removed,
        majority,
    }
}

/// A key on the ring.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KeyDot {
    /// The key (text, never markup).
    pub key: String,
    /// Its ring position.
    pub position: f64,
    /// Its replicas as the first live peer's ring sees them.
    pub replicas: Vec<u32>,
    /// The live peers holding a copy, hints aside.
    pub holders: Vec<u32>,
    /// The live peers keeping a hint of it for a home replica.
    pub hinted: Vec<u32>,
}

/// A message in flight.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MessageDot {
    /// Its send order (`InFlight::seq`): what `dropMessage` takes.
    pub seq: u64,
    /// Sender id.
    pub from: u32,
    /// Receiver id.
    pub to: u32,
    /// What it is.
    pub kind: &'static str,
    /// Tick sent.
    pub sent_at: u64,
    /// Tick due.
    pub deliver_at: u64,
}

/// Counters that show the ring break and heal.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Peers alive.
    pub alive: usize,
    /// Peers failed.
    pub failed: usize,
    /// Distinct keys held anywhere.
    pub keys: usize,
    /// Keys with fewer than N live copies.
    pub under_replicated: usize,
    /// Keys with fewer live copies than R or W (a quorum is out of reach).
    pub below_quorum: usize,
    /// Keys with more than N live copies.
    pub over_replicated: usize,
    /// Messages in flight.
    pub in_flight: usize,
    /// Keys whose latest acknowledged write stored a value that no live
    /// peer holds any more, not even as a hint: lost unless a failed
    /// holder comes back with it.
    pub lost: usize,
    /// Whether cut links split the peers into two or more sides that
    /// cannot reach one another.
    pub partitioned: bool,
    /// How many sides the peers are split into (1 when whole).
    pub sides: usize,
}

/// How many keys the client was told hold a value (their latest
/// acknowledged write, by version, is a create or update) have no live
/// copy among `keys`.
fn lost_keys(session: &Session, keys: &[KeyDot]) -> usize {
    let mut latest: BTreeMap<&str, (Version, bool)> = BTreeMap::new();
    for op in &session.history().ops {
        let (true, true, Some(v)) = (op.is_write(), op.acked(), op.version) else {
            continue;
        };
        let entry = latest.entry(op.key.as_str()).or_insert((v, false));
        if v >= entry.0 {
            *entry = (v, op.writes_value());
        }
    }
    let live: BTreeSet<&str> = keys
        .iter()
        .filter(|k| !k.holders.is_empty() || !k.hinted.is_empty())
        .map(|k| k.key.as_str())
        .collect();
    latest
        .iter()
        .filter(|(key, (_, stored))| *stored && !live.contains(*key))
        .count()
}

/// The ring now, with at most `max_messages` messages.
pub fn ring(session: &Session, max_messages: usize) -> RingView {
    let sim = session.sim();
    let ids: Vec<PeerId> = (0..sim.peer_count()).map(PeerId).collect();
    let vnodes = sim.options().config.vnodes;
    let sides = sim.network().sides();
    let side_count = sides.as_ref().map_or(1, |s| {
        s.iter().map(|&x| usize::from(x) + 1).max().unwrap_or(1)
    });
    let side_of = |id: PeerId| {
        sides
            .as_ref()
            .filter(|_| side_count > 1)
            .map(|s| s[id.0 as usize])
    };
    let live = sim.alive_peers();
    let peers = ids
        .iter()
        .map(|&id| {
            let peer = sim.peer(id);
            PeerDot {
                id: id.0,
                address: id.to_string(),
                position: fraction(peer_position(id)),
                tokens: (0..vnodes)
                    .map(|i| fraction(token_position(id, i)))
                    .collect(),
                state: state_name(sim.state(id)),
                keys: peer.map_or(0, |p| p.store().len()),
                hints: peer.map_or(0, |p| p.store().keys().filter(|k| k.hint.is_some()).count()),
                members: peer.map_or(0, |p| p.membership().ids().len()),
                believed: (sim.peer_count() <= MAX_BELIEF_PEERS).then(|| beliefs(sim, &live, id)),
                side: side_of(id),
            }
        })
        .collect();
    let observer = live.first().and_then(|&id| sim.peer(id));
    let holders = health::copies(sim);
    let keys: Vec<KeyDot> = holders
        .into_iter()
        .map(|(key, (holders, hinted))| KeyDot {
            key: key.to_owned(),
            position: fraction(key_position(key)),
            replicas: observer.map_or_else(Vec::new, |p| {
                p.ring()
                    .replicas(key)
                    .as_slice()
                    .iter()
                    .map(|r| r.0)
                    .collect()
            }),
            holders,
            hinted,
        })
        .collect();
    let rep = sim.options().config.replication;
    let tally = Tally::of(keys.iter().map(|k| k.holders.len()), rep);
    let health = Health {
        alive: live.len(),
        failed: ids
            .iter()
            .filter(|&&id| sim.state(id) == Some(PeerState::Failed))
            .count(),
        keys: keys.len(),
        under_replicated: tally.under_replicated as usize,
        below_quorum: tally.below_quorum as usize,
        over_replicated: tally.over_replicated as usize,
        in_flight: sim.network().in_flight_count(),
        lost: lost_keys(session, &keys),
        partitioned: side_count > 1,
        sides: side_count,
    };
    let messages = sim
        .network()
        .in_flight()
        .take(max_messages)
        .map(message_dot)
        .collect();
    RingView {
        tick: sim.now(),
        max_tick: session.max_tick(),
        replication: [rep.n, rep.r, rep.w],
        vnodes,
        peers,
        keys,
        messages,
        health,
    }
}

fn message_dot(m: &InFlight) -> MessageDot {
    MessageDot {
        seq: m.seq,
        from: m.from.0,
        to: m.to.0,
        kind: m.msg.kind().label(),
        sent_at: m.sent_at,
        deliver_at: m.deliver_at,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::session;
    use super::*;
    use crate::protocol::address::PeerId;
    use crate::protocol::config::Level;
    use crate::protocol::op::OpKind;
    use crate::scenario::{Action, Setup};

    #[test]
    fn a_key_acknowledged_but_held_by_no_live_peer_counts_as_lost() {
        let mut s = session();
        s.step(5);
        assert_eq!(ring(&s, 0).health.lost, 0);
        let holders = ring(&s, 0).keys[0].holders.clone();
        assert_eq!(holders.len(), 3);
        for &id in &holders {
            s.act(Action::Fail(PeerId(id))).unwrap();
        }
        assert_eq!(ring(&s, 0).health.lost, 1, "no live copy is left");
        for &id in &holders {
            s.act(Action::Recover(PeerId(id))).unwrap();
        }
        s.step(60);
        let h = ring(&s, 0).health;
        assert_eq!((h.keys, h.lost), (1, 0), "the holders came back with it");
        // A delete acknowledged afterwards is no loss.
        s.request(
            OpKind::Create,
            "k2",
            Some("v"),
            Some(PeerId(0)),
            Level::Quorum,
        )
        .unwrap();
        s.step(5);
        s.request(OpKind::Delete, "k2", None, Some(PeerId(0)), Level::Quorum)
            .unwrap();
        s.step(5);
        assert_eq!(ring(&s, 0).health.lost, 0);
    }
    #[test]
    fn the_ring_shows_every_token_of_every_peer() {
        let one = ring(&session(), 0);
        assert_eq!(one.vnodes, 1);
        assert!(one.peers.iter().all(|p| p.tokens == [p.position]));
        let mut setup = Setup::new(6, 3);
        setup.config.vnodes = 8;
        let view = ring(&Session::new(setup, false).unwrap(), 0);
        assert_eq!(view.vnodes, 8);
        for p in &view.peers {
            assert_eq!(p.tokens.len(), 8);
            assert_eq!(p.tokens[0], p.position);
            assert!(p.tokens.iter().all(|t| (0.0..1.0).contains(t)));
        }
    }
    #[test]
    fn the_ring_shows_each_side_of_a_partition() {
        let mut session = session();
        let whole = ring(&session, 0);
        assert!(!whole.health.partitioned);
        assert_eq!(whole.health.sides, 1);
        assert!(whole.peers.iter().all(|p| p.side.is_none()));

        session.act(Action::Partition(vec![PeerId(3)])).unwrap();
        let cut = ring(&session, 0);
        assert!(cut.health.partitioned);
        assert_eq!(cut.health.sides, 2);
        let sides: Vec<Option<u16>> = cut.peers.iter().map(|p| p.side).collect();
        let (a, b) = (Some(0), Some(1));
        assert_eq!(sides, [a, a, a, b, a, a]);

        // A second cut splits the larger side again: three sides.
        session
            .act(Action::Partition(vec![PeerId(0), PeerId(1)]))
            .unwrap();
        let three = ring(&session, 0);
        assert_eq!(three.health.sides, 3);
        let sides: Vec<Option<u16>> = three.peers.iter().map(|p| p.side).collect();
        assert_eq!(sides, [a, a, b, Some(2), b, b]);

        session.act(Action::Heal).unwrap();
        let healed = ring(&session, 0);
        assert!(!healed.health.partitioned);
        assert!(healed.peers.iter().all(|p| p.side.is_none()));
    }
}
