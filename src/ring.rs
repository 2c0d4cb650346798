//! The consistent-hashing ring a peer builds from its own membership view.
//!
//! Peers and keys are placed by a stable 64-bit hash (xxh3 of the address
//! text or of the key), identical on every platform. A key's replicas are the
//! first N (3 by default) distinct peers at or clockwise of its position. Peers
//! whose hashes collide are kept apart by their id, so a collision never
//! merges two peers.

use xxhash_rust::xxh3::xxh3_64;

use crate::address::PeerId;
use crate::config::{Replication, MAX_N};

/// The ring position of a peer: the hash of its address text.
pub fn peer_position(id: PeerId) -> u64 {
    xxh3_64(id.to_string().as_bytes())
}

/// The ring position of a key: the hash of its bytes.
pub fn key_position(key: &str) -> u64 {
    xxh3_64(key.as_bytes())
}

/// Up to N peers (at most [`MAX_N`]), in ring order starting at the
/// primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ReplicaSet {
    ids: [PeerId; MAX_N as usize],
    len: u8,
}

impl ReplicaSet {
    /// The replicas, primary first.
    pub fn as_slice(&self) -> &[PeerId] {
        &self.ids[..usize::from(self.len)]
    }

    /// Whether `id` is one of them.
    pub fn contains(&self, id: PeerId) -> bool {
        self.as_slice().contains(&id)
    }

    /// How many there are (fewer than N only on a ring of fewer peers).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the ring was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn push(&mut self, id: PeerId) {
        self.ids[usize::from(self.len)] = id;
        self.len += 1;
    }
}

/// Peers sorted by (position, id), and how many replicas a key has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring {
    nodes: Vec<(u64, PeerId)>,
    n: usize,
}

impl Default for Ring {
    fn default() -> Self {
        Ring::new()
    }
}

impl Ring {
    /// An empty ring whose keys have the default N (3) replicas.
    pub fn new() -> Ring {
        Ring {
            nodes: Vec::new(),
            n: usize::from(Replication::default().n),
        }
    }

    /// The same ring with `n` (1..=[`MAX_N`]) replicas per key.
    pub fn with_n(mut self, n: u8) -> Ring {
        self.n = usize::from(n.clamp(1, MAX_N));
        self
    }

    /// Adds a peer; returns false if it was already there.
    pub fn insert(&mut self, id: PeerId) -> bool {
        let node = (peer_position(id), id);
        match self.nodes.binary_search(&node) {
            Ok(_) => false,
            Err(at) => {
                self.nodes.insert(at, node);
                true
            }
        }
    }

    /// Removes a peer; returns false if it was not there.
    pub fn remove(&mut self, id: PeerId) -> bool {
        match self.nodes.binary_search(&(peer_position(id), id)) {
            Ok(at) => {
                self.nodes.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// How many peers are on the ring.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the ring has no peer.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The peers with their positions, in ring order.
    pub fn nodes(&self) -> &[(u64, PeerId)] {
        &self.nodes
    }

    /// The replicas of whatever hashes to `position`: the first N peers at
    /// or clockwise of it, wrapping around.
    pub fn replicas_at(&self, position: u64) -> ReplicaSet {
        let mut set = ReplicaSet::default();
        let start = self.nodes.partition_point(|&(p, _)| p < position);
        let count = self.nodes.len().min(self.n);
        for offset in 0..count {
            let (_, id) = self.nodes[(start + offset) % self.nodes.len()];
            set.push(id);
        }
        set
    }

    /// The replicas of `key`.
    pub fn replicas(&self, key: &str) -> ReplicaSet {
        self.replicas_at(key_position(key))
    }

    /// Every distinct peer at or clockwise of `key`'s position, in ring
    /// order: its replicas first, then the peers a sloppy quorum falls
    /// back to.
    pub fn walk(&self, key: &str) -> impl Iterator<Item = PeerId> + '_ {
        let start = self.nodes.partition_point(|&(p, _)| p < key_position(key));
        let len = self.nodes.len();
        (0..len).map(move |offset| self.nodes[(start + offset) % len].1)
    }

    /// The peers that share a range with `id`: its N − 1
    /// successors and predecessors, without `id` and without repeats, in
    /// ring order (successors first). Empty if `id` is not on the ring.
    pub fn neighbours(&self, id: PeerId) -> Vec<PeerId> {
        let Some(at) = self.nodes.iter().position(|&(_, p)| p == id) else {
            return Vec::new();
        };
        let n = self.nodes.len();
        let reach = (self.n - 1).min(n - 1);
        let mut out = Vec::with_capacity(2 * reach);
        for offset in (1..=reach).chain((1..=reach).map(|o| n - o)) {
            let peer = self.nodes[(at + offset) % n].1;
            if !out.contains(&peer) {
                out.push(peer);
            }
        }
        out
    }
}

impl FromIterator<PeerId> for Ring {
    fn from_iter<I: IntoIterator<Item = PeerId>>(ids: I) -> Ring {
        let mut ring = Ring::new();
        for id in ids {
            ring.insert(id);
        }
        ring
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ring_of(ids: &[u32]) -> Ring {
        ids.iter().copied().map(PeerId).collect()
    }

    #[test]
    fn positions_are_stable_across_platforms() {
        // Pinned values: a change here changes every ring and every trace.
        assert_eq!(peer_position(PeerId(0)), xxh3_64(b"1.0.0.0:0"));
        assert_eq!(key_position("abcde"), xxh3_64(b"abcde"));
        assert_eq!(xxh3_64(b""), 0x2d06_8005_38d3_94c2);
    }

    #[test]
    fn replicas_are_the_three_peers_at_or_clockwise_of_the_key() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let nodes = ring.nodes().to_vec();
        // A key exactly at a peer's position starts at that peer.
        let (pos, first) = nodes[4];
        let set = ring.replicas_at(pos);
        assert_eq!(set.as_slice(), &[first, nodes[5].1, nodes[6].1]);
        // Just past it starts at the next one.
        let set = ring.replicas_at(pos + 1);
        assert_eq!(set.as_slice(), &[nodes[5].1, nodes[6].1, nodes[7].1]);
        // Past the last peer wraps around to the first.
        let set = ring.replicas_at(nodes[9].0 + 1);
        assert_eq!(set.as_slice(), &[nodes[0].1, nodes[1].1, nodes[2].1]);
        let set = ring.replicas_at(nodes[8].0);
        assert_eq!(set.as_slice(), &[nodes[8].1, nodes[9].1, nodes[0].1]);
    }

    #[test]
    fn small_rings_give_every_peer_once() {
        assert!(Ring::new().replicas("k").is_empty());
        let ring = ring_of(&[3, 7]);
        let set = ring.replicas("k");
        assert_eq!(set.len(), 2);
        assert!(set.contains(PeerId(3)) && set.contains(PeerId(7)));
    }

    #[test]
    fn n_sets_how_many_replicas_and_neighbours() {
        let ring: Ring = (0..10).map(PeerId).collect();
        assert_eq!(ring.replicas("k").len(), 3);
        assert_eq!(ring.neighbours(PeerId(4)).len(), 4);
        let five = ring.clone().with_n(5);
        let set = five.replicas("k");
        assert_eq!(set.len(), 5);
        assert_eq!(&set.as_slice()[..3], ring.replicas("k").as_slice());
        assert_eq!(five.neighbours(PeerId(4)).len(), 8);
        assert_eq!(ring.with_n(1).neighbours(PeerId(4)), Vec::<PeerId>::new());
    }

    #[test]
    fn colliding_positions_stay_distinct_peers() {
        let mut ring = Ring {
            nodes: vec![(10, PeerId(1)), (10, PeerId(2)), (20, PeerId(3))],
            ..Ring::new()
        };
        assert_eq!(
            ring.replicas_at(10).as_slice(),
            &[PeerId(1), PeerId(2), PeerId(3)]
        );
        assert_eq!(
            ring.replicas_at(11).as_slice(),
            &[PeerId(3), PeerId(1), PeerId(2)]
        );
        ring.nodes.remove(0);
        assert_eq!(ring.replicas_at(0).as_slice(), &[PeerId(2), PeerId(3)]);
    }

    #[test]
    fn insert_and_remove_are_idempotent() {
        let mut ring = ring_of(&[1, 2]);
        assert!(!ring.insert(PeerId(1)));
        assert!(ring.remove(PeerId(1)));
        assert!(!ring.remove(PeerId(1)));
        assert_eq!(ring.len(), 1);
    }

    proptest! {
        #[test]
        fn replicas_are_distinct_and_match_a_linear_scan(
            ids in proptest::collection::btree_set(0u32..5000, 1..40),
            key_pos in any::<u64>(),
        ) {
            let ids: Vec<u32> = ids.into_iter().collect();
            let ring = ring_of(&ids);
            let set = ring.replicas_at(key_pos);
            prop_assert_eq!(set.len(), ids.len().min(3));
            // Linear reference: sort all by (pos, id), rotate to the first >= key.
            let mut all: Vec<(u64, PeerId)> =
                ids.iter().map(|&i| (peer_position(PeerId(i)), PeerId(i))).collect();
            all.sort();
            let start = all.iter().position(|&(p, _)| p >= key_pos).unwrap_or(0);
            let expect: Vec<PeerId> =
                (0..set.len()).map(|o| all[(start + o) % all.len()].1).collect();
            prop_assert_eq!(set.as_slice(), expect.as_slice());
        }
    }
}
