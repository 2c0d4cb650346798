//! One peer in detail, for the inspector: its membership list, its stored
//! keys and its message counts.

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::scenario::Session;

use super::words::{state_name, version_text};

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
