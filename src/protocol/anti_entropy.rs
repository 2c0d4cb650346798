//! Anti-entropy rounds: when a peer compares its copies with a ring
//! neighbour, and how — a flat digest ([`Store::digest`]) or the root of a
//! Merkle tree ([`merkle::start`]).

use crate::protocol::address::PeerId;
use crate::protocol::config::{AeMode, AntiEntropy};
use crate::protocol::merkle;
use crate::protocol::out::Out;
use crate::protocol::ring::Ring;
use crate::protocol::store::Store;

/// One anti-entropy round: sends a ring neighbour a digest of the entries
/// it replicates (as this peer's ring sees it), or in Merkle mode the root
/// of their tree, unless it is not this peer's turn or there is no
/// neighbour.
pub fn round(store: &Store, me: PeerId, ring: &Ring, now: u64, ae: AntiEntropy, out: &mut Out) {
    let period = ae.period;
    if (now + u64::from(me.0)) % period != 0 {
        return;
    }
    let neighbours = ring.neighbours(me);
    if neighbours.is_empty() {
        return;
    }
    let to = neighbours[((now / period) % neighbours.len() as u64) as usize];
    if ae.mode == AeMode::Merkle {
        return merkle::start(store, ring, to, out);
    }
    out.send(to, store.digest(ring, to));
}
