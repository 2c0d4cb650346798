//! What the playground shows, as plain serializable snapshots of a
//! [`Session`]: the ring, one peer in detail, the events, one transaction,
//! the health counters, a preset's grade, the client history and the
//! history checker's report; a preset's guide ([`guide`]) and the run over
//! time ([`series`]). Computed here, in Rust, so the page only draws.

use std::collections::{BTreeMap, BTreeSet};

mod guide;
mod series;

pub use guide::{guide, GuideStep, GuideView};
pub use series::{series, SeriesView};

use serde::Serialize;

use crate::check::{Anomalies, Completion, Finding, KeyVerdict};
use crate::classic::grader::Grade;
use crate::protocol::address::PeerId;
use crate::protocol::config::Config;
use crate::protocol::event::{DropReason, Event, EventKind};
use crate::protocol::op::{OpKind, Reason, Version};
use crate::scenario::Session;
use crate::sim::cluster::{PeerState, Sim};
use crate::sim::health::{self, Tally};
use crate::sim::network::InFlight;
use crate::torture;

mod messages;

pub use messages::MessageRow;

/// A ring position as a fraction of the circle, 0 ≤ x < 1.
fn fraction(position: u64) -> f64 {
    position as f64 / 18_446_744_073_709_551_616.0
}

/// A version as the page shows it: `tick/transaction`.
fn version_text(version: Version) -> String {
    format!("{}/{}", version.tick, version.trans)
}

fn state_name(state: Option<PeerState>) -> &'static str {
    match state {
        Some(PeerState::Alive) => "alive",
        Some(PeerState::Failed) => "failed",
        _ => "waiting",
    }
}

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
    /// Its send order ([`InFlight::seq`]): what `dropMessage` takes.
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
                position: fraction(crate::protocol::ring::peer_position(id)),
                tokens: (0..vnodes)
                    .map(|i| fraction(crate::protocol::ring::token_position(id, i)))
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
            position: fraction(crate::protocol::ring::key_position(key)),
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

/// The network faults other than partitions: the loss on every link and
/// each directed link with a rule of its own.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinksView {
    /// Percent of messages lost on every link.
    pub loss: u8,
    /// The directed links with extra loss or a delay over one tick, in
    /// (from, to) order.
    pub links: Vec<LinkRow>,
}

/// One directed link's own rule.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkRow {
    /// Sender's address.
    pub from: String,
    /// Receiver's address.
    pub to: String,
    /// Percent of its messages lost (on top of the loss on every link).
    pub loss: u8,
    /// Ticks a message takes on it.
    pub delay: u64,
}

/// The loss on every link and the links with rules of their own now.
pub fn links(session: &Session) -> LinksView {
    let net = session.sim().network();
    let percent = |p: f64| (p * 100.0).round() as u8;
    LinksView {
        loss: percent(net.drop_prob()),
        links: net
            .link_rules()
            .filter(|(_, _, rule)| rule.delay > 1 || rule.drop_prob > 0.0)
            .map(|(from, to, rule)| LinkRow {
                from: from.to_string(),
                to: to.to_string(),
                loss: percent(rule.drop_prob),
                delay: rule.delay,
            })
            .collect(),
    }
}

/// Every setting of a cluster, named as the JS options of `new
/// Playground` name them, so the page can show them and pass them back.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// Replicas per key (N).
    pub n: u8,
    /// Read quorum (R).
    pub r: u8,
    /// Write quorum (W).
    pub w: u8,
    /// Tokens (virtual nodes) per peer.
    pub vnodes: u16,
    /// `off`, `async` or `blocking`.
    pub read_repair: &'static str,
    /// Hinted handoff (sloppy quorum) on.
    pub hinted_handoff: bool,
    /// `digest` or `merkle`.
    pub anti_entropy: &'static str,
    /// Ticks between two anti-entropy rounds of one peer.
    pub ae_period: u64,
    /// The settings text (`n=3,r=2,w=2`, then what is not the default).
    pub text: String,
}

/// The settings of `config`.
pub fn settings(config: &Config) -> SettingsView {
    let rep = config.replication;
    SettingsView {
        n: rep.n,
        r: rep.r,
        w: rep.w,
        vnodes: config.vnodes,
        read_repair: config.read_repair.word(),
        hinted_handoff: config.hinted_handoff,
        anti_entropy: config.anti_entropy.mode.word(),
        ae_period: config.anti_entropy.period,
        text: config.settings(),
    }
}

/// How a scenario started and what is selected in it: what the page shows
/// in its controls without reading the link's text.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioView {
    /// Number of peers.
    pub peers: u32,
    /// The seed, in decimal (a u64 does not fit a JS number).
    pub seed: String,
    /// The preset's classic test case, if any.
    pub preset: Option<String>,
    /// The selected peer's address.
    pub peer: Option<String>,
    /// The selected key.
    pub key: Option<String>,
    /// The open transaction.
    pub trans: Option<u64>,
}

/// The scenario of `session`: its start and its selection.
pub fn scenario(session: &Session) -> ScenarioView {
    let setup = session.setup();
    let selected = session.selection();
    ScenarioView {
        peers: setup.peers,
        seed: setup.seed.to_string(),
        preset: setup.preset.clone(),
        peer: selected.peer.map(|id| id.to_string()),
        key: selected.key.clone(),
        trans: selected.trans,
    }
}

/// One peer in detail, for the inspector.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PeerDetail {
    /// Its id.
    pub id: u32,
    /// Its address.
    pub address: String,
    /// `alive`, `failed` or `waiting`.
    pub state: &'static str,
    /// Which life this is (0 before it first starts).
    pub incarnation: u64,
    /// Its own heartbeat.
    pub heartbeat: u64,
    /// Its membership list.
    pub members: Vec<MemberRow>,
    /// Its stored keys.
    pub keys: Vec<StoredRow>,
    /// Messages it sent.
    pub sent: u64,
    /// Messages delivered to it.
    pub received: u64,
    /// Messages to it that were lost.
    pub dropped: u64,
}

/// One membership entry.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MemberRow {
    /// The member's address.
    pub address: String,
    /// Its incarnation.
    pub incarnation: u64,
    /// Its heartbeat as last heard.
    pub heartbeat: u64,
    /// Ticks since that heartbeat arrived.
    pub age: u64,
    /// Whether it is suspected.
    pub suspected: bool,
}

/// One stored key.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StoredRow {
    /// The key.
    pub key: String,
    /// Its value.
    pub value: String,
    /// Its version: `tick/transaction`.
    pub version: String,
    /// `replica`, `handing over` when this peer is no longer one, `hint
    /// for <address>` when it keeps the copy for a home replica, or
    /// `tombstone` for a deleted key whose tombstone is kept.
    pub role: String,
}

/// Peer `id` in detail, or `None` if there is no such peer.
pub fn peer(session: &Session, id: PeerId) -> Option<PeerDetail> {
    let sim = session.sim();
    let state = sim.state(id)?;
    let peer = sim.peer(id);
    let stats = sim.network().stats(id);
    Some(PeerDetail {
        id: id.0,
        address: id.to_string(),
        state: state_name(Some(state)),
        incarnation: peer.map_or(0, |p| p.incarnation()),
        heartbeat: peer.map_or(0, |p| p.membership().heartbeat(sim.now())),
        members: peer.map_or_else(Vec::new, |p| {
            p.membership()
                .view(sim.now())
                .into_iter()
                .map(|m| MemberRow {
                    address: m.id.to_string(),
                    incarnation: m.incarnation,
                    heartbeat: m.heartbeat,
                    age: m.age,
                    suspected: m.suspected,
                })
                .collect()
        }),
        keys: peer.map_or_else(Vec::new, |p| {
            p.store()
                .keys()
                .map(|k| StoredRow {
                    key: k.key.to_owned(),
                    value: k.stored.value.clone().unwrap_or_default(),
                    version: version_text(k.stored.version),
                    role: match (k.stored.is_live(), k.replica, k.hint) {
                        (false, _, _) => "tombstone".to_owned(),
                        (true, _, Some(hint)) => format!("hint for {}", hint.home),
                        (true, true, None) => "replica".to_owned(),
                        (true, false, None) => "handing over".to_owned(),
                    },
                })
                .collect()
        }),
        sent: stats.sent,
        received: stats.received,
        dropped: stats.dropped,
    })
}

/// One event, described.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EventRow {
    /// Its index in the stream.
    pub index: usize,
    /// The tick.
    pub tick: u64,
    /// The peer's id.
    pub peer: u32,
    /// The peer's address.
    pub address: String,
    /// A short kind, for filtering.
    pub kind: &'static str,
    /// What happened, in words (the `dbg.log` text where there is one).
    pub text: String,
    /// The transaction, for operations and outcomes.
    pub trans: Option<u64>,
    /// The other peer's id: a message's receiver (sent) or sender (lost),
    /// the member joined or removed.
    pub other: Option<u32>,
}

/// The events from index `since` on, at most `limit` of them.
pub fn events(session: &Session, since: usize, limit: usize) -> Vec<EventRow> {
    session
        .log()
        .events()
        .iter()
        .enumerate()
        .skip(since)
        .take(limit)
        .map(|(index, e)| describe(index, e))
        .collect()
}

/// The newest `limit` events from tick `from` on, newest first, of `peer`
/// (every peer when `None`) and of kind `kind`: `""` every kind but
/// messages sent and lost, `"*"` every kind, else one kind's name (as
/// [`EventRow::kind`]). The log is read from its end, so a frame costs what
/// it shows.
pub fn recent_events(
    session: &Session,
    peer: Option<PeerId>,
    kind: &str,
    from: u64,
    limit: usize,
) -> Vec<EventRow> {
    let wanted = |e: &Event| {
        let k = kind_of(e).0;
        match kind {
            "" => k != "send" && k != "drop",
            "*" => true,
            one => k == one,
        }
    };
    session
        .log()
        .events()
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, e)| e.tick >= from)
        .filter(|(_, e)| peer.is_none_or(|p| e.peer == p) && wanted(e))
        .take(limit)
        .map(|(index, e)| describe(index, e))
        .collect()
}

/// An event's short kind and its transaction, if any.
fn kind_of(e: &Event) -> (&'static str, Option<u64>) {
    match &e.kind {
        EventKind::Started { .. } => ("start", None),
        EventKind::Joined { .. } => ("join", None),
        EventKind::Removed { .. } => ("remove", None),
        EventKind::Failed => ("fail", None),
        EventKind::Operation { trans, .. } => ("operation", Some(*trans)),
        EventKind::Asked { trans, .. } => ("asked", Some(*trans)),
        EventKind::Outcome {
            coordinator: true,
            trans,
            ..
        } => ("coordinator", Some(*trans)),
        EventKind::Outcome { trans, .. } => ("replica", Some(*trans)),
        EventKind::Replicated { .. } | EventKind::Handed { .. } | EventKind::Collected { .. } => {
            ("stabilize", None)
        }
        EventKind::Hinted { .. } | EventKind::HintExpired { .. } => ("hint", None),
        EventKind::Sent { .. } => ("send", None),
        EventKind::Dropped { .. } => ("drop", None),
    }
}

fn describe(index: usize, e: &Event) -> EventRow {
    let (kind, trans) = kind_of(e);
    let text = crate::classic::dbglog::text(e).unwrap_or_else(|| match &e.kind {
        EventKind::Started { incarnation } => {
            format!("started (incarnation {incarnation}), asks to join")
        }
        EventKind::Replicated { key, from } => {
            format!("stored a copy of {key} handed over by {from}")
        }
        EventKind::Asked {
            replicas,
            substitutes,
            quorum,
            ..
        } => {
            let list = |ids: &[PeerId]| {
                let names: Vec<String> = ids.iter().map(PeerId::to_string).collect();
                names.join(", ")
            };
            let mut text = match replicas.is_empty() {
                true => "asked no replica: too few in its view".to_owned(),
                false => format!("asked {} for a quorum of {quorum}", list(replicas)),
            };
            if !substitutes.is_empty() {
                text.push_str(&format!(", with {} standing in", list(substitutes)));
            }
            text
        }
        EventKind::Handed { key } => format!("dropped its copy of {key}: no longer a replica"),
        EventKind::Collected { key } => format!("collected the tombstone of {key}"),
        EventKind::Hinted { key, home } => {
            format!("keeps {key} as a hint for {home}, which its coordinator suspects")
        }
        EventKind::HintExpired { key, home } => {
            format!("dropped its hint of {key} for {home}: no replica confirmed it in time")
        }
        EventKind::Sent {
            to,
            msg,
            deliver_at,
            ..
        } => {
            format!("sent {} to {to}, due at tick {deliver_at}", msg.label())
        }
        EventKind::Dropped {
            from, msg, reason, ..
        } => format!(
            "lost {} from {from}: {}",
            msg.label(),
            match reason {
                DropReason::Random => "dropped at random",
                DropReason::Partition => "link cut",
                DropReason::ReceiverFailed => "receiver down",
                DropReason::ByHand => "dropped by hand",
            }
        ),
        _ => String::new(),
    });
    let other = match &e.kind {
        EventKind::Sent { to, .. } => Some(to.0),
        EventKind::Dropped { from, .. } => Some(from.0),
        EventKind::Joined { member } | EventKind::Removed { member } => Some(member.0),
        EventKind::Hinted { home, .. } | EventKind::HintExpired { home, .. } => Some(home.0),
        _ => None,
    };
    EventRow {
        index,
        tick: e.tick,
        peer: e.peer.0,
        address: e.peer.to_string(),
        kind,
        text,
        trans,
        other,
    }
}

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

/// A preset's grade.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GradeView {
    /// The test case.
    pub test: String,
    /// Points given.
    pub points: u32,
    /// Points possible.
    pub max: u32,
    /// Whether the run is over (else the grade is provisional).
    pub finished: bool,
    /// Whether the preset goes on as a free run at the shown tick (its
    /// grade stays that of its own ticks).
    pub continues_freely: bool,
    /// Points given by the checks whose window has closed: final points.
    pub settled: u32,
    /// Points possible in the checks whose window has closed.
    pub settled_max: u32,
    /// Each check.
    pub checks: Vec<CheckRow>,
}

/// One check of a grade.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CheckRow {
    /// What it checks.
    pub name: String,
    /// Points given.
    pub points: u32,
    /// Points possible.
    pub max: u32,
    /// What was counted.
    pub detail: String,
    /// The tick its window closes at: from then on nothing changes its
    /// points.
    pub closes_at: u64,
    /// Whether its window has closed by the shown tick (its points are
    /// final; before, they are provisional).
    pub closed: bool,
}

/// The grade of a preset's run so far, or `None` without a preset.
/// `points` and `max` count every check, provisional ones included (the
/// classic grader's total at the end); `settled` and `settledMax` only the
/// checks whose window has closed.
pub fn grade(session: &Session) -> Option<GradeView> {
    let driver = session.preset()?;
    let g: &Grade = session.grade()?;
    let now = session.sim().now();
    let checks: Vec<CheckRow> = g
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| CheckRow {
            name: c.name.clone(),
            points: c.points,
            max: c.max,
            detail: c.detail.clone(),
            closes_at: driver.window_end(i),
            closed: now >= driver.window_end(i),
        })
        .collect();
    let settled = checks.iter().filter(|c| c.closed);
    Some(GradeView {
        test: g.test.clone(),
        points: g.points(),
        max: g.max(),
        finished: driver.is_done(session.sim()),
        continues_freely: session.free_from().is_some(),
        settled: settled.clone().map(|c| c.points).sum(),
        settled_max: settled.map(|c| c.max).sum(),
        checks,
    })
}

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

/// The history checker's report on the session so far.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    /// The verdict per key (`linearizable`, `not-linearizable`, `unknown`),
    /// keys sorted.
    pub keys: Vec<KeyVerdict>,
    /// Every anomaly counter, by its spec name.
    pub anomalies: Anomalies,
    /// One finding per count: kind, key, tick, detail.
    pub findings: Vec<Finding>,
    /// Whether the end state was checked too: the session has been quiet
    /// (every peer up, the network whole, no fault) for
    /// [`torture::QUIET`] ticks.
    pub end_checked: bool,
    /// The anomalies found that must be zero: the `mixed` profile's rule,
    /// or the `none` profile's when the session took no fault action.
    pub must_be_zero: Vec<&'static str>,
}

/// Checks the session's history (and its end state, if quiet), as
/// `ftkv check` does.
pub fn check(session: &Session) -> CheckView {
    let report = torture::check_session(session);
    let profile = torture::rules_for(session);
    CheckView {
        must_be_zero: torture::violations(profile, &report.anomalies),
        keys: report.keys,
        anomalies: report.anomalies,
        findings: report.findings,
        end_checked: session.quiet_for(torture::QUIET),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::Level;
    use crate::protocol::op::OpKind;
    use crate::scenario::{Action, Setup};

    fn session() -> Session {
        let mut session = Session::new(Setup::new(6, 3), false).unwrap();
        session.step(40);
        session
            .request(
                OpKind::Create,
                "k",
                Some("v"),
                Some(PeerId(1)),
                Level::Quorum,
            )
            .unwrap();
        session.step(5);
        session
            .request(OpKind::Read, "k", None, Some(PeerId(2)), Level::Quorum)
            .unwrap();
        session
    }

    #[test]
    fn recent_events_are_the_newest_that_match_newest_first() {
        let s = session();
        let all = events(&s, 0, usize::MAX);
        let newest = |pred: &dyn Fn(&EventRow) -> bool, from: u64, n: usize| -> Vec<usize> {
            let mut rows: Vec<usize> = all
                .iter()
                .filter(|e| e.tick >= from && pred(e))
                .map(|e| e.index)
                .collect();
            rows.reverse();
            rows.truncate(n);
            rows
        };
        let index = |rows: Vec<EventRow>| rows.into_iter().map(|e| e.index).collect::<Vec<_>>();
        assert_eq!(
            index(recent_events(&s, None, "*", 0, 7)),
            newest(&|_| true, 0, 7)
        );
        assert_eq!(
            index(recent_events(&s, Some(PeerId(1)), "", 0, 50)),
            newest(
                &|e| e.peer == 1 && e.kind != "send" && e.kind != "drop",
                0,
                50
            )
        );
        let joins = index(recent_events(&s, None, "join", 0, 1000));
        assert!(!joins.is_empty());
        assert_eq!(joins, newest(&|e| e.kind == "join", 0, 1000));
        assert_eq!(
            index(recent_events(&s, None, "*", 44, 1000)),
            newest(&|_| true, 44, 1000)
        );
    }

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
    fn settings_name_every_option_and_the_text() {
        let d = settings(&Config::default());
        assert_eq!((d.n, d.r, d.w, d.vnodes), (3, 2, 2, 1));
        assert_eq!((d.read_repair, d.hinted_handoff), ("off", false));
        assert_eq!((d.anti_entropy, d.ae_period), ("digest", 20));
        assert_eq!(d.text, "n=3,r=2,w=2");
        let text =
            "n=5,r=3,w=3,read-repair=async,vnodes=16,hinted-handoff=on,ae=merkle,ae-period=40";
        let c = settings(&Config::default().with_settings(text).unwrap());
        assert_eq!((c.n, c.r, c.w, c.vnodes), (5, 3, 3, 16));
        assert_eq!((c.read_repair, c.hinted_handoff), ("async", true));
        assert_eq!((c.anti_entropy, c.ae_period), ("merkle", 40));
        assert_eq!(c.text, text);
    }

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

    #[test]
    fn a_clean_run_checks_clean() {
        let mut session = session();
        session.step(torture::QUIET);
        let view = check(&session);
        assert_eq!(view.keys.len(), 1);
        assert_eq!((view.keys[0].key.as_str(), view.keys[0].ops), ("k", 2));
        assert_eq!(view.keys[0].verdict.word(), "linearizable");
        assert!(view.findings.is_empty(), "{:?}", view.findings);
        assert!(view.anomalies.iter().all(|(_, count)| count == 0));
        assert!(view.must_be_zero.is_empty());
        assert!(view.end_checked, "no fault, quiet for long enough");
    }

    #[test]
    fn a_fault_leaves_the_end_unchecked_until_quiet() {
        let mut session = session();
        session
            .act(Action::Partition(vec![PeerId(0), PeerId(1)]))
            .unwrap();
        session.step(10);
        assert!(!check(&session).end_checked, "the network is cut");
        session.act(Action::Heal).unwrap();
        session.step(torture::QUIET);
        assert!(check(&session).end_checked);
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

    #[test]
    fn links_lists_the_rules_until_heal() {
        let mut s = session();
        assert_eq!(
            links(&s),
            LinksView {
                loss: 0,
                links: vec![]
            }
        );
        // The last one sets a rule back to the default: no rule.
        for action in [
            Action::Loss {
                link: None,
                percent: 20,
            },
            Action::Loss {
                link: Some((PeerId(2), PeerId(0))),
                percent: 30,
            },
            Action::Delay {
                from: PeerId(0),
                to: PeerId(1),
                ticks: 7,
            },
            Action::Loss {
                link: Some((PeerId(3), PeerId(4))),
                percent: 0,
            },
        ] {
            s.act(action).unwrap();
        }
        let row = |from: u32, to: u32, loss, delay| LinkRow {
            from: PeerId(from).to_string(),
            to: PeerId(to).to_string(),
            loss,
            delay,
        };
        assert_eq!(
            links(&s),
            LinksView {
                loss: 20,
                links: vec![row(0, 1, 0, 7), row(2, 0, 30, 1)],
            }
        );
        let same = s.act(Action::Delay {
            from: PeerId(1),
            to: PeerId(1),
            ticks: 3,
        });
        assert!(same
            .unwrap_err()
            .to_string()
            .contains("two different peers"));
        s.act(Action::Heal).unwrap();
        assert_eq!(
            links(&s),
            LinksView {
                loss: 0,
                links: vec![]
            }
        );
    }
}
