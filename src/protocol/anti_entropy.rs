//! Anti-entropy rounds: when a peer compares its copies with a ring
//! neighbour, and how — a flat digest ([`Store::digest`]) or the root of a
//! Merkle tree ([`merkle::start`]).

use crate::protocol::address::PeerId;
use crate::protocol::config::{AeMode, AntiEntropy};
use crate::protocol::merkle;
use crate::protocol::out::{next_turn, Out};
use crate::protocol::ring::Ring;
use crate::protocol::store::Store;

/// One anti-entropy round: sends a ring neighbour a digest of the entries
/// it replicates (as this peer's ring sees it), or in Merkle mode the root
/// of their tree, unless it is not this peer's turn or there is no
/// neighbour.
pub(crate) fn round(
    store: &Store,
    me: PeerId,
    ring: &Ring,
    now: u64,
    ae: AntiEntropy,
    out: &mut Out,
) {
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

/// The first tick at or after `from` at which [`round`] sends anything
/// for peer `me` on `ring`: its next turn, or `None` while it has no
/// neighbour (only a new ring, which comes with an input, gives it one).
pub(crate) fn next_round(me: PeerId, ring: &Ring, from: u64, ae: AntiEntropy) -> Option<u64> {
    if ring.neighbours(me).is_empty() {
        return None;
    }
    Some(next_turn(from, ae.period, u64::from(me.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_is_due_at_the_next_turn_and_never_without_a_neighbour() {
        let ae = AntiEntropy::default();
        let alone: Ring = [PeerId(3)].into_iter().collect();
        assert_eq!(next_round(PeerId(3), &alone, 0, ae), None);
        let ring: Ring = (0..5).map(PeerId).collect();
        let at = next_round(PeerId(3), &ring, 0, ae).unwrap();
        assert_eq!(at, ae.period - 3);
        let store = Store::default();
        for now in 0..=at {
            let mut out = Out::default();
            round(&store, PeerId(3), &ring, now, ae, &mut out);
            assert_eq!(out.sends.is_empty(), now < at, "tick {now}");
        }
        assert_eq!(
            next_round(PeerId(3), &ring, at + 1, ae),
            Some(at + ae.period)
        );
    }
}
