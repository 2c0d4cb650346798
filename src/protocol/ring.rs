//! The consistent-hashing ring a peer builds from its own membership view.
//!
//! Peers and keys are placed by a stable 64-bit hash (xxh3 of the address
//! text or of the key), identical on every platform. Each peer owns
//! `vnodes` tokens (virtual nodes, 1 by default): token 0 sits where the
//! peer always sat, at the hash of its address, and token `i` at the hash
//! of `address#i`. A key's replicas are the first N (3 by default)
//! *distinct peers* owning a token at or clockwise of its position.
//! Tokens are ordered by (position, peer id, token index), so colliding
//! hashes never merge two peers and always sort the same way.

use xxhash_rust::xxh3::xxh3_64;

use crate::protocol::address::PeerId;
use crate::protocol::config::{Replication, MAX_N, MAX_VNODES};

/// The ring position of a peer: the hash of its address text. It is also
/// the position of the peer's token 0.
pub(crate) fn peer_position(id: PeerId) -> u64 {
    xxh3_64(id.to_string().as_bytes())
}

/// The ring position of token `index` of peer `id`: [`peer_position`] for
/// token 0, the hash of `address#index` for the others.
pub(crate) fn token_position(id: PeerId, index: u16) -> u64 {
    if index == 0 {
        peer_position(id)
    } else {
        xxh3_64(format!("{id}#{index}").as_bytes())
    }
}

/// The ring position of a key: the hash of its bytes.
pub(crate) fn key_position(key: &str) -> u64 {
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

/// One of a peer's places on the ring. Tokens sort by position, then peer
/// id, then index: the ring's order, collisions included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Token {
    /// Where it sits.
    pub position: u64,
    /// Whose it is.
    pub peer: PeerId,
    /// Which of the peer's tokens it is (0 sits at [`peer_position`]).
    pub index: u16,
}

/// The `vnodes` tokens of peer `id`, token 0 first.
fn tokens_of(id: PeerId, vnodes: u16) -> impl Iterator<Item = Token> {
    (0..vnodes).map(move |index| Token {
        position: token_position(id, index),
        peer: id,
        index,
    })
}

/// Every token of every peer in ring order, how many replicas a key has
/// and how many tokens each peer owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring {
    tokens: Vec<Token>,
    peers: usize,
    n: usize,
    vnodes: u16,
}

impl Default for Ring {
    fn default() -> Self {
        Ring::new()
    }
}

impl Ring {
    /// An empty ring whose keys have the default N (3) replicas, one token
    /// per peer.
    pub fn new() -> Ring {
        Ring {
            tokens: Vec::new(),
            peers: 0,
            n: usize::from(Replication::default().n),
            vnodes: 1,
        }
    }

    /// The same ring with `n` (1..=`MAX_N`) replicas per key.
    pub fn with_n(mut self, n: u8) -> Ring {
        self.n = usize::from(n.clamp(1, MAX_N));
        self
    }

    /// The same peers with `vnodes` (1..=`MAX_VNODES`) tokens each.
    pub fn with_vnodes(mut self, vnodes: u16) -> Ring {
        let ids = self.peers();
        self.tokens.clear();
        self.peers = 0;
        self.vnodes = vnodes.clamp(1, MAX_VNODES);
        self.extend(ids);
        self
    }

    /// Adds a peer with all its tokens; returns false if it was already
    /// there.
    pub fn insert(&mut self, id: PeerId) -> bool {
        let before = self.peers;
        self.extend([id]);
        self.peers > before
    }

    /// Removes a peer and all its tokens; returns false if it was not
    /// there.
    pub fn remove(&mut self, id: PeerId) -> bool {
        let before = self.tokens.len();
        self.tokens.retain(|t| t.peer != id);
        let removed = self.tokens.len() < before;
        if removed {
            self.peers -= 1;
        }
        removed
    }

    /// Whether peer `id` is on the ring.
    pub fn contains(&self, id: PeerId) -> bool {
        let first = tokens_of(id, 1).next();
        first.is_some_and(|t| self.tokens.binary_search(&t).is_ok())
    }

    /// How many peers are on the ring.
    pub fn len(&self) -> usize {
        self.peers
    }

    /// Whether the ring has no peer.
    pub fn is_empty(&self) -> bool {
        self.peers == 0
    }

    /// How many tokens each peer owns.
    pub fn vnodes(&self) -> u16 {
        self.vnodes
    }

    /// The peers on the ring, in the ring order of their token 0.
    pub fn peers(&self) -> Vec<PeerId> {
        let zero = self.tokens.iter().filter(|t| t.index == 0);
        zero.map(|t| t.peer).collect()
    }

    /// Every token, in ring order.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The replicas of whatever hashes to `position`: the first N distinct
    /// peers owning a token at or clockwise of it, wrapping around.
    pub fn replicas_at(&self, position: u64) -> ReplicaSet {
        let mut set = ReplicaSet::default();
        let want = self.peers.min(self.n);
        if want == 0 {
            return set;
        }
        let start = self.tokens.partition_point(|t| t.position < position);
        let (before, after) = self.tokens.split_at(start);
        for t in after.iter().chain(before) {
            if !set.contains(t.peer) {
                set.push(t.peer);
                if set.len() == want {
                    break;
                }
            }
        }
        set
    }

    /// The replicas of `key`.
    pub fn replicas(&self, key: &str) -> ReplicaSet {
        self.replicas_at(key_position(key))
    }

    /// Every distinct peer owning a token at or clockwise of `key`'s
    /// position, in ring order: its replicas first, then the peers a sloppy
    /// quorum falls back to.
    pub fn preference(&self, key: &str) -> impl Iterator<Item = PeerId> + '_ {
        let start = self
            .tokens
            .partition_point(|t| t.position < key_position(key));
        let (before, after) = self.tokens.split_at(start);
        let mut seen: Vec<PeerId> = Vec::new();
        after.iter().chain(before).filter_map(move |t| {
            let fresh = !seen.contains(&t.peer);
            fresh.then(|| {
                seen.push(t.peer);
                t.peer
            })
        })
    }

    /// The peers that share a replica set with `id` for some key: around
    /// each of its tokens (in ring order), the first N − 1 other distinct
    /// peers clockwise, then the first N − 1 counter-clockwise — without
    /// `id` and without repeats. With one token per peer these are its
    /// N − 1 successors and predecessors. Empty if `id` is not on the ring.
    pub fn neighbours(&self, id: PeerId) -> Vec<PeerId> {
        let len = self.tokens.len();
        let reach = (self.n - 1).min(self.peers.saturating_sub(1));
        let mut out = Vec::new();
        for at in (0..len).filter(|&at| self.tokens[at].peer == id) {
            self.walk(id, reach, (1..len).map(|o| (at + o) % len), &mut out);
            self.walk(id, reach, (1..len).map(|o| (at + len - o) % len), &mut out);
        }
        out
    }

    /// Visits the tokens at `order` until `reach` distinct peers other
    /// than `me` are seen, adding those not yet in `out` to it.
    fn walk(
        &self,
        me: PeerId,
        reach: usize,
        order: impl Iterator<Item = usize>,
        out: &mut Vec<PeerId>,
    ) {
        let mut seen = Vec::with_capacity(reach);
        for at in order {
            if seen.len() == reach {
                break;
            }
            let peer = self.tokens[at].peer;
            if peer == me || seen.contains(&peer) {
                continue;
            }
            seen.push(peer);
            if !out.contains(&peer) {
                out.push(peer);
            }
        }
    }

    /// Merges `new` (sorted, none already here) into the tokens, from the
    /// back: one pass, whatever the number of tokens added.
    fn merge(&mut self, mut new: Vec<Token>) {
        let mut old = self.tokens.len();
        self.tokens.extend_from_slice(&new);
        let mut end = self.tokens.len();
        while let Some(&last) = new.last() {
            end -= 1;
            if old > 0 && self.tokens[old - 1] > last {
                self.tokens[end] = self.tokens[old - 1];
                old -= 1;
            } else {
                self.tokens[end] = last;
                new.pop();
            }
        }
    }
}

impl Extend<PeerId> for Ring {
    /// Adds every peer not on the ring yet, with all its tokens, in one
    /// sort and one merge.
    fn extend<I: IntoIterator<Item = PeerId>>(&mut self, ids: I) {
        let mut new = Vec::new();
        for id in ids {
            if !self.contains(id) {
                new.extend(tokens_of(id, self.vnodes));
            }
        }
        new.sort_unstable();
        new.dedup();
        self.peers += new.iter().filter(|t| t.index == 0).count();
        self.merge(new);
    }
}

impl FromIterator<PeerId> for Ring {
    fn from_iter<I: IntoIterator<Item = PeerId>>(ids: I) -> Ring {
        let mut ring = Ring::new();
        ring.extend(ids);
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

    /// A ring holding exactly `tokens` (any positions, collisions included).
    fn ring_with(tokens: &[(u64, u32, u16)]) -> Ring {
        let mut tokens: Vec<Token> = tokens
            .iter()
            .map(|&(position, peer, index)| Token {
                position,
                peer: PeerId(peer),
                index,
            })
            .collect();
        tokens.sort_unstable();
        let mut peers: Vec<PeerId> = tokens.iter().map(|t| t.peer).collect();
        peers.sort_unstable();
        peers.dedup();
        Ring {
            tokens,
            peers: peers.len(),
            ..Ring::new()
        }
    }

    /// A ring whose tokens at positions 1, 2, 3, … belong to `owners`.
    fn ring_in_order(owners: &[u32]) -> Ring {
        let tokens: Vec<(u64, u32, u16)> = (1..)
            .zip(owners)
            .map(|(at, &peer)| {
                let earlier = owners[..at as usize - 1].iter().filter(|&&p| p == peer);
                (at, peer, earlier.count() as u16)
            })
            .collect();
        ring_with(&tokens)
    }

    fn ids(set: ReplicaSet) -> Vec<u32> {
        set.as_slice().iter().map(|p| p.0).collect()
    }

    /// The reference: every token sorted, walked from the first at or past
    /// `position`, keeping the first N distinct peers.
    fn linear(ring: &Ring, position: u64) -> Vec<PeerId> {
        let all = ring.tokens();
        let start = all.iter().position(|t| t.position >= position).unwrap_or(0);
        let mut out = Vec::new();
        for o in 0..all.len() {
            let peer = all[(start + o) % all.len()].peer;
            if out.len() < ring.n && !out.contains(&peer) {
                out.push(peer);
            }
        }
        out
    }

    #[test]
    fn positions_are_stable_across_platforms() {
        // Pinned values: a change here changes every ring and every trace.
        assert_eq!(peer_position(PeerId(0)), xxh3_64(b"1.0.0.0:0"));
        assert_eq!(token_position(PeerId(0), 0), peer_position(PeerId(0)));
        assert_eq!(token_position(PeerId(4), 7), xxh3_64(b"5.0.0.0:0#7"));
        assert_eq!(key_position("abcde"), xxh3_64(b"abcde"));
        assert_eq!(xxh3_64(b""), 0x2d06_8005_38d3_94c2);
    }

    #[test]
    fn replicas_are_the_three_peers_at_or_clockwise_of_the_key() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let nodes: Vec<(u64, PeerId)> =
            ring.tokens().iter().map(|t| (t.position, t.peer)).collect();
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
    fn one_token_per_peer_is_the_old_placement() {
        let ring = ring_of(&[0, 3, 9, 17, 250, 4095]);
        assert_eq!(ring.vnodes(), 1);
        let mut old: Vec<(u64, PeerId)> = [0, 3, 9, 17, 250, 4095]
            .map(|i| (peer_position(PeerId(i)), PeerId(i)))
            .to_vec();
        old.sort_unstable();
        let now: Vec<(u64, PeerId)> = ring.tokens().iter().map(|t| (t.position, t.peer)).collect();
        assert_eq!(now, old);
    }

    #[test]
    fn small_rings_give_every_peer_once() {
        assert!(Ring::new().replicas("k").is_empty());
        let ring = ring_of(&[3, 7]);
        let set = ring.replicas("k");
        assert_eq!(set.len(), 2);
        assert!(set.contains(PeerId(3)) && set.contains(PeerId(7)));
        // Many tokens, still each peer once.
        let ring = ring.with_vnodes(32).with_n(7);
        assert_eq!(ring.tokens().len(), 64);
        for pos in [0, u64::MAX / 3, u64::MAX] {
            let mut set = ids(ring.replicas_at(pos));
            set.sort_unstable();
            assert_eq!(set, [3, 7]);
        }
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
        let mut ring = ring_with(&[(10, 1, 0), (10, 2, 0), (20, 3, 0)]);
        assert_eq!(ids(ring.replicas_at(10)), [1, 2, 3]);
        assert_eq!(ids(ring.replicas_at(11)), [3, 1, 2]);
        ring.remove(PeerId(1));
        assert_eq!(ids(ring.replicas_at(0)), [2, 3]);
    }

    #[test]
    fn colliding_tokens_sort_by_peer_then_index() {
        // Peer 2's token 5 and peer 1's token 3 share position 10, and peer 1
        // has a second token there too: order is (1,3), (1,4), (2,5).
        let ring = ring_with(&[(10, 2, 5), (10, 1, 4), (10, 1, 3), (5, 3, 0), (30, 4, 0)]);
        let order: Vec<(u32, u16)> = ring.tokens().iter().map(|t| (t.peer.0, t.index)).collect();
        assert_eq!(order, [(3, 0), (1, 3), (1, 4), (2, 5), (4, 0)]);
        assert_eq!(ids(ring.replicas_at(6)), [1, 2, 4]);
        assert_eq!(ids(ring.replicas_at(10)), [1, 2, 4]);
        assert_eq!(ids(ring.replicas_at(11)), [4, 3, 1]);
    }

    #[test]
    fn replicas_skip_tokens_of_peers_already_chosen() {
        // Peer 1 owns the three tokens after position 0: the next two
        // replicas come from further on.
        let ring = ring_in_order(&[1, 1, 1, 2, 1, 3]);
        assert_eq!(ids(ring.replicas_at(0)), [1, 2, 3]);
        assert_eq!(ids(ring.replicas_at(5)), [1, 3, 2]);
    }

    #[test]
    fn neighbours_with_vnodes_are_the_peers_sharing_a_replica_set() {
        let ring = ring_in_order(&[1, 2, 3, 4, 1, 5, 6]);
        // N = 3: around token (1, 1): 2, 3 clockwise and 6, 5 back; around
        // (5, 1): 5, 6 clockwise and 4, 3 back.
        let got: Vec<u32> = ring.neighbours(PeerId(1)).iter().map(|p| p.0).collect();
        assert_eq!(got, [2, 3, 6, 5, 4]);
        // Cross-check against every key position: exactly the peers that
        // share some replica set with peer 1.
        let mut sharing: Vec<u32> = (0..=8)
            .map(|pos| ring.replicas_at(pos))
            .filter(|set| set.contains(PeerId(1)))
            .flat_map(ids)
            .filter(|&p| p != 1)
            .collect();
        sharing.sort_unstable();
        sharing.dedup();
        let mut sorted = got;
        sorted.sort_unstable();
        assert_eq!(sorted, sharing);
    }

    #[test]
    fn insert_and_remove_are_idempotent_and_move_every_token() {
        let mut ring = ring_of(&[1, 2]).with_vnodes(16);
        assert_eq!((ring.len(), ring.tokens().len()), (2, 32));
        assert!(!ring.insert(PeerId(1)));
        assert!(ring.insert(PeerId(9)));
        assert_eq!((ring.len(), ring.tokens().len()), (3, 48));
        assert!(ring.tokens().windows(2).all(|w| w[0] < w[1]));
        assert!(ring.remove(PeerId(1)));
        assert!(!ring.remove(PeerId(1)));
        assert_eq!((ring.len(), ring.tokens().len()), (2, 32));
        assert!(ring.tokens().iter().all(|t| t.peer != PeerId(1)));
        assert_eq!(ring, ring_of(&[9, 2]).with_vnodes(16));
    }

    proptest! {
        #[test]
        fn replicas_are_distinct_and_match_a_linear_scan(
            ids in proptest::collection::btree_set(0u32..5000, 1..40),
            vnodes in 1u16..12,
            n in 1u8..=MAX_N,
            key_pos in any::<u64>(),
        ) {
            let ring = ids.iter().copied().map(PeerId).collect::<Ring>()
                .with_vnodes(vnodes).with_n(n);
            prop_assert_eq!(ring.tokens().len(), ids.len() * usize::from(vnodes));
            let set = ring.replicas_at(key_pos);
            prop_assert_eq!(set.len(), ids.len().min(usize::from(n)));
            let expect = linear(&ring, key_pos);
            prop_assert_eq!(set.as_slice(), expect.as_slice());
            // One by one or all at once: the same ring.
            let mut one_by_one = Ring::new().with_vnodes(vnodes).with_n(n);
            for &id in ids.iter().rev() {
                one_by_one.insert(PeerId(id));
            }
            prop_assert_eq!(one_by_one, ring);
        }
    }
}
