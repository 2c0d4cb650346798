//! Merkle-tree anti-entropy: two peers find the keys they disagree on by
//! comparing hashes, so that ranges they agree on cost one hash, not one
//! (key, version) pair per key as a flat digest does.
//!
//! **The tree.** A peer's tree for a neighbour covers the entries that
//! neighbour replicates (in the peer's own view), the same set a digest
//! lists. Each entry falls into a leaf by its ring position: the top
//! 4 × `depth` bits of the key's hash pick one of [`FANOUT`]^`depth`
//! leaves, so a node at level `l` holds the keys whose positions share
//! its top 4 × `l` bits. A leaf's hash is the sum (mod 2⁶⁴) of the xxh3
//! hashes of its (key, version) pairs, so it does not depend on the order
//! the entries are visited in; an inner node's is the xxh3 of its
//! children's hashes, and an empty node's is 0. Every hash is portable:
//! the same entries give the same tree on every platform.
//!
//! **The exchange** (initiator A, receiver B; every message carries the
//! depth A chose for its entry count, so both build the same shape):
//!
//! 1. A sends its root ([`Message::MerkleHashes`] at level 0).
//! 2. B compares each hash it gets with its own node. For an equal node,
//!    B confirms that A holds every entry under it (as a digest's equal
//!    version does); the differing nodes go back ([`Message::MerkleDiff`]).
//! 3. A answers a diff above the leaves with its hashes of the differing
//!    nodes' children (step 2 again, one level down), and a diff of leaves
//!    with their (key, version) pairs ([`Message::MerkleLeaves`]).
//! 4. B handles those pairs exactly like a digest restricted to those
//!    leaves ([`Store::reconcile`]): it pushes what is newer or missing on
//!    A, pulls what is newer on A, and confirms equal versions.
//!
//! Equal trees cost one message of one hash. Each level of difference
//! costs a round trip, so a repair takes `depth` + 1 round trips where a
//! digest takes one. Every step rebuilds the tree from the store, so the
//! exchange keeps no state: a lost message ends it, and the next round
//! starts over.

use std::rc::Rc;

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::protocol::address::PeerId;
use crate::protocol::message::{Message, TreeHashes};
use crate::protocol::op::Version;
use crate::protocol::out::Out;
use crate::protocol::ring::Ring;
use crate::protocol::store::Store;

/// Children per inner node.
pub(crate) const FANOUT: usize = 16;
/// Ring-position bits a level of the tree splits on (2⁴ = [`FANOUT`]).
const BITS: u32 = 4;
/// The deepest tree: 16³ = 4,096 leaves.
pub(crate) const MAX_DEPTH: u8 = 3;
/// About how many keys a leaf holds in a tree of the depth
/// [`depth_for`] picks: one more level costs a round trip and
/// [`FANOUT`] hashes per differing node, a fuller leaf costs a
/// (key, version) pair per key.
const LEAF_KEYS: usize = 8;

/// The depth for a tree of `count` entries: the shallowest (up to
/// [`MAX_DEPTH`]) whose leaves hold about [`LEAF_KEYS`] each or fewer.
pub(crate) fn depth_for(count: usize) -> u8 {
    let (mut depth, mut leaves) = (0, 1);
    while depth < MAX_DEPTH && leaves * LEAF_KEYS < count {
        depth += 1;
        leaves *= FANOUT;
    }
    depth
}

/// The node at `level` that a key at ring `position` falls under: the
/// top 4 × `level` bits of the position.
pub(crate) fn node_at(position: u64, level: u8) -> u32 {
    // Level 0 (a shift by 64) is the root, 0; at most 12 bits remain.
    position
        .checked_shr(64 - BITS * u32::from(level))
        .unwrap_or(0) as u32
}

/// The hash of one (key, version) pair.
fn pair_hash(key: &str, version: Version) -> u64 {
    let mut h = Xxh3::new();
    h.update(key.as_bytes());
    h.update(&version.tick.to_le_bytes());
    h.update(&version.trans.to_le_bytes());
    if version.undo {
        // Only an undo hashes its flag: every other pair hashes as before.
        h.update(&[1]);
    }
    h.digest()
}

/// An inner node's hash: 0 if every child is empty, else the xxh3 of the
/// children's hashes (little-endian, in order).
fn inner_hash(children: &[u64]) -> u64 {
    if children.iter().all(|&h| h == 0) {
        return 0;
    }
    let bytes: Vec<u8> = children.iter().flat_map(|h| h.to_le_bytes()).collect();
    xxh3_64(&bytes)
}

/// A Merkle tree over (ring position, key, version) entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tree {
    /// `levels[l]` holds the [`FANOUT`]^`l` hashes of level `l`; the last
    /// level is the leaves.
    levels: Vec<Vec<u64>>,
}

impl Tree {
    /// The tree of depth `depth` (at most [`MAX_DEPTH`]) over `entries`,
    /// visited in any order.
    pub(crate) fn build<'a>(
        depth: u8,
        entries: impl IntoIterator<Item = (u64, &'a str, Version)>,
    ) -> Tree {
        let depth = depth.min(MAX_DEPTH);
        let mut leaves = vec![0u64; FANOUT.pow(u32::from(depth))];
        for (position, key, version) in entries {
            let leaf = &mut leaves[node_at(position, depth) as usize];
            *leaf = leaf.wrapping_add(pair_hash(key, version));
        }
        let mut levels = vec![leaves];
        while levels.len() <= usize::from(depth) {
            let below = &levels[levels.len() - 1];
            let above = below.chunks(FANOUT).map(inner_hash).collect();
            levels.push(above);
        }
        levels.reverse();
        Tree { levels }
    }

    /// The depth: the leaves' level.
    #[cfg(test)]
    pub(crate) fn depth(&self) -> u8 {
        (self.levels.len() - 1) as u8
    }

    /// The root hash (0 for no entries).
    pub(crate) fn root(&self) -> u64 {
        self.levels[0][0]
    }

    /// The hash of `node` at `level`, if the tree has that node.
    pub(crate) fn hash(&self, level: u8, node: u32) -> Option<u64> {
        self.levels
            .get(usize::from(level))?
            .get(node as usize)
            .copied()
    }

    /// The hashes of the [`FANOUT`] children of `node` at `level` (empty
    /// at the leaves or past the tree).
    pub(crate) fn children(&self, level: u8, node: u32) -> &[u64] {
        let start = node as usize * FANOUT;
        self.levels
            .get(usize::from(level) + 1)
            .and_then(|below| below.get(start..start + FANOUT))
            .unwrap_or(&[])
    }

    /// Splits `hashes` (node, hash) of the other side at `level` into the
    /// nodes equal to this tree's and not empty, and the nodes that
    /// differ, both ascending if the nodes are.
    pub(crate) fn compare(
        &self,
        level: u8,
        hashes: impl IntoIterator<Item = (u32, u64)>,
    ) -> (Vec<u32>, Vec<u32>) {
        let (mut equal, mut differ) = (Vec::new(), Vec::new());
        for (node, hash) in hashes {
            match self.hash(level, node) {
                Some(mine) if mine == hash => {
                    if hash != 0 {
                        equal.push(node);
                    }
                }
                _ => differ.push(node),
            }
        }
        (equal, differ)
    }
}

/// Whether `nodes` are strictly ascending nodes of `level` (a message's
/// lists are searched with binary search; anything else is refused).
fn valid_nodes(nodes: &[u32], level: u8) -> bool {
    let count = FANOUT.pow(u32::from(level.min(MAX_DEPTH)));
    nodes.windows(2).all(|w| w[0] < w[1]) && nodes.last().is_none_or(|&n| (n as usize) < count)
}

/// Whether `position` falls under one of `nodes` (ascending) at `level`.
fn under(nodes: &[u32], position: u64, level: u8) -> bool {
    nodes.binary_search(&node_at(position, level)).is_ok()
}

/// The tree of `store`'s entries that `other` replicates, in `ring`.
fn tree(store: &Store, ring: &Ring, other: PeerId, depth: u8) -> Tree {
    let entries = store.shared(ring, other).map(|(k, p, v)| (p, &**k, v));
    Tree::build(depth, entries)
}

/// Starts an exchange with `to`: the root of this peer's tree of the
/// entries `to` replicates, at the depth its entry count calls for.
pub(crate) fn start(store: &Store, ring: &Ring, to: PeerId, out: &mut Out) {
    let depth = depth_for(store.shared(ring, to).count());
    let root = tree(store, ring, to, depth).root();
    out.send(
        to,
        Message::MerkleHashes(TreeHashes {
            depth,
            level: 0,
            parents: Vec::new(),
            hashes: vec![root],
        }),
    );
}

/// The receiver's step: compares the initiator `from`'s hashes (the
/// root, or the children of some nodes) with its own tree, confirms
/// `from` on the entries under equal nodes and sends back the nodes that
/// differ. A malformed message is ignored.
pub(crate) fn on_hashes(
    store: &mut Store,
    ring: &Ring,
    from: PeerId,
    msg: &TreeHashes,
    out: &mut Out,
) {
    let TreeHashes {
        depth,
        level,
        ref parents,
        ref hashes,
    } = *msg;
    let well_formed = match level {
        0 => parents.is_empty() && hashes.len() == 1,
        _ => hashes.len() == parents.len() * FANOUT && valid_nodes(parents, level - 1),
    };
    if depth > MAX_DEPTH || level > depth || !well_formed {
        return;
    }
    let nodes = parents
        .iter()
        .flat_map(|&p| (0..FANOUT as u32).map(move |c| p * FANOUT as u32 + c));
    let nodes: Vec<u32> = if level == 0 { vec![0] } else { nodes.collect() };
    let mine = tree(store, ring, from, depth);
    let (equal, differ) = mine.compare(level, nodes.into_iter().zip(hashes.iter().copied()));
    if !equal.is_empty() {
        store.confirm_shared(ring, from, |position| under(&equal, position, level));
    }
    if !differ.is_empty() {
        out.send(
            from,
            Message::MerkleDiff {
                depth,
                level,
                nodes: differ,
            },
        );
    }
}

/// The initiator's step: answers the differing `nodes` at `level` that
/// `from` found with its hashes of their children, or at the leaves with
/// the (key, version) pairs under them. A malformed message is ignored.
pub(crate) fn on_diff(
    store: &Store,
    ring: &Ring,
    from: PeerId,
    depth: u8,
    level: u8,
    nodes: &[u32],
    out: &mut Out,
) {
    if depth > MAX_DEPTH || level > depth || !valid_nodes(nodes, level) {
        return;
    }
    if level == depth {
        let entries = store
            .shared(ring, from)
            .filter(|&(_, position, _)| under(nodes, position, depth))
            .map(|(k, _, v)| (Rc::clone(k), v))
            .collect();
        out.send(
            from,
            Message::MerkleLeaves {
                depth,
                buckets: nodes.to_vec(),
                entries,
            },
        );
        return;
    }
    let mine = tree(store, ring, from, depth);
    let hashes = nodes.iter().flat_map(|&n| mine.children(level, n)).copied();
    out.send(
        from,
        Message::MerkleHashes(TreeHashes {
            depth,
            level: level + 1,
            parents: nodes.to_vec(),
            hashes: hashes.collect(),
        }),
    );
}

/// The receiver's last step: handles the initiator's (key, version) pairs
/// of the differing leaves `buckets` like a digest of just those leaves.
pub(crate) fn on_leaves(
    store: &mut Store,
    ring: &Ring,
    from: PeerId,
    depth: u8,
    buckets: &[u32],
    entries: &[(Rc<str>, Version)],
    out: &mut Out,
) {
    if depth > MAX_DEPTH || !valid_nodes(buckets, depth) {
        return;
    }
    store.reconcile(
        ring,
        from,
        entries,
        |position| under(buckets, position, depth),
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::{Replication, StoreTimings};
    use crate::protocol::message::Stored;
    use crate::protocol::op::OpKind;
    use crate::protocol::ring::key_position;

    fn v(tick: u64) -> Version {
        Version::new(tick, tick)
    }

    fn pairs(n: u32, tick: u64) -> Vec<(String, Version)> {
        (0..n).map(|i| (format!("key{i}"), v(tick))).collect()
    }

    fn tree_of(depth: u8, pairs: &[(String, Version)]) -> Tree {
        Tree::build(
            depth,
            pairs.iter().map(|(k, v)| (key_position(k), k.as_str(), *v)),
        )
    }

    /// Descends from the root of `a` into the nodes that differ from `b`
    /// as the exchange does; returns the differing leaves.
    fn differing_leaves(a: &Tree, b: &Tree) -> Vec<u32> {
        let (_, mut differ) = b.compare(0, [(0, a.root())]);
        for level in 1..=a.depth() {
            let children = differ.iter().flat_map(|&p| {
                let hashes = a.children(level - 1, p).iter().copied();
                (p * FANOUT as u32..).zip(hashes)
            });
            differ = b.compare(level, children.collect::<Vec<_>>()).1;
        }
        differ
    }

    #[test]
    fn equal_entries_give_equal_trees_in_any_order() {
        let mut entries = pairs(300, 4);
        let depth = depth_for(entries.len());
        let a = tree_of(depth, &entries);
        entries.reverse();
        let b = tree_of(depth, &entries);
        assert_eq!(a, b);
        assert_ne!(a.root(), 0);
        assert!(differing_leaves(&a, &b).is_empty());
        assert_eq!(b.compare(0, [(0, a.root())]), (vec![0], vec![]));
    }

    #[test]
    fn one_changed_version_is_found_in_exactly_its_leaf() {
        let entries = pairs(1000, 4);
        let depth = MAX_DEPTH;
        let a = tree_of(depth, &entries);
        let mut changed = entries.clone();
        changed[417].1 = v(5);
        let b = tree_of(depth, &changed);
        assert_ne!(a.root(), b.root());
        let leaf = node_at(key_position("key417"), depth);
        assert_eq!(differing_leaves(&a, &b), vec![leaf]);
        // A missing key is found the same way, from either side.
        let mut fewer = entries.clone();
        fewer.remove(417);
        let c = tree_of(depth, &fewer);
        assert_eq!(differing_leaves(&a, &c), vec![leaf]);
        assert_eq!(differing_leaves(&c, &a), vec![leaf]);
    }

    #[test]
    fn an_empty_range_hashes_to_zero_everywhere() {
        assert_eq!(depth_for(0), 0);
        let empty = Tree::build(2, std::iter::empty());
        assert_eq!(empty.root(), 0);
        assert_eq!(empty.depth(), 2);
        assert!(empty.children(0, 0).iter().all(|&h| h == 0));
        assert_eq!(empty.children(2, 0), &[] as &[u64], "leaves have none");
        let full = tree_of(2, &pairs(3, 1));
        let leaves = differing_leaves(&full, &empty);
        assert_eq!(leaves.len(), 3, "each key's leaf differs from empty");
        // Equal empty nodes confirm nothing: they are not listed as equal.
        assert_eq!(empty.compare(1, [(4, 0)]), (vec![], vec![]));
    }

    #[test]
    fn hashes_are_deterministic_and_portable() {
        let mut bytes = b"key7".to_vec();
        bytes.extend(3u64.to_le_bytes());
        bytes.extend(9u64.to_le_bytes());
        assert_eq!(pair_hash("key7", Version::new(3, 9)), xxh3_64(&bytes));
        assert_ne!(pair_hash("key7", Version::new(9, 3)), xxh3_64(&bytes));
        let entries = pairs(50, 2);
        assert_eq!(tree_of(2, &entries), tree_of(2, &entries));
        let leaf = node_at(key_position("key0"), 1);
        let sum = entries
            .iter()
            .filter(|(k, _)| node_at(key_position(k), 1) == leaf)
            .fold(0u64, |s, (k, v)| s.wrapping_add(pair_hash(k, *v)));
        assert_eq!(tree_of(1, &entries).hash(1, leaf), Some(sum));
        assert_eq!(node_at(u64::MAX, 0), 0);
        assert_eq!(node_at(u64::MAX, 3), 4095);
        assert_eq!(node_at(0x123 << 52, 2), 0x12);
        assert_eq!(
            [depth_for(8), depth_for(9), depth_for(128), depth_for(129)],
            [0, 1, 1, 2]
        );
    }

    /// Runs an exchange that `a` starts with `b` on `ring` to its end,
    /// every message delivered at once, pushes, pulls and confirmations
    /// included. Returns the kinds of the messages, in order.
    fn exchange(
        ring: &Ring,
        a: (PeerId, &mut Store),
        b: (PeerId, &mut Store),
    ) -> Vec<&'static str> {
        let (mut a, mut b) = (a, b);
        let mut out = Out::default();
        start(a.1, ring, b.0, &mut out);
        let mut queue: Vec<(PeerId, PeerId, Message)> =
            out.sends.drain(..).map(|(to, m)| (a.0, to, m)).collect();
        let mut kinds = Vec::new();
        while !queue.is_empty() {
            let (from, to, msg) = queue.remove(0);
            kinds.push(msg.kind().label());
            let me = if to == a.0 { &mut a.1 } else { &mut b.1 };
            match msg {
                Message::MerkleHashes(h) => on_hashes(me, ring, from, &h, &mut out),
                Message::MerkleDiff {
                    depth,
                    level,
                    nodes,
                } => on_diff(me, ring, from, depth, level, &nodes, &mut out),
                Message::MerkleLeaves {
                    depth,
                    buckets,
                    entries,
                } => on_leaves(me, ring, from, depth, &buckets, &entries, &mut out),
                Message::Pull { keys } => me.on_pull(from, &keys, &mut out),
                Message::Replicate { key, stored } => {
                    let timings = StoreTimings::default();
                    let (_, version) = me.replicate(ring, &key, &stored, from, 0, &timings);
                    out.send(from, Message::ReplicateAck { key, version });
                }
                Message::ReplicateAck { key, version } => me.confirmed(&key, from, version),
                other => panic!("not anti-entropy: {other:?}"),
            }
            queue.extend(out.sends.drain(..).map(|(next, m)| (to, next, m)));
        }
        kinds
    }

    /// Peers 0, 1 and 2 (every key on all three) and two stores holding
    /// `keys` keys at version 1.
    fn two_stores(keys: u32) -> (Ring, Store, Store) {
        let ring: Ring = (0..3).map(PeerId).collect();
        let (mut a, mut b) = (Store::default(), Store::default());
        for (key, version) in pairs(keys, 1) {
            write(&ring, &mut a, &key, version);
            write(&ring, &mut b, &key, version);
        }
        (ring, a, b)
    }

    fn write(ring: &Ring, s: &mut Store, key: &str, version: Version) {
        let stored = Stored {
            value: Some(format!("v{}", version.tick)),
            version,
        };
        s.replicate(ring, key, &stored, PeerId(9), 0, &StoreTimings::default());
    }

    fn stored_v1() -> Stored {
        Stored {
            value: Some("v".into()),
            version: v(1),
        }
    }

    const A: PeerId = PeerId(0);
    const B: PeerId = PeerId(1);

    #[test]
    fn equal_stores_cost_one_message() {
        let (ring, mut a, mut b) = two_stores(200);
        assert_eq!(exchange(&ring, (A, &mut a), (B, &mut b)), ["merkle hashes"]);
    }

    #[test]
    fn a_missing_copy_is_pushed_or_pulled_whoever_starts() {
        for a_starts in [true, false] {
            let (ring, mut a, mut b) = two_stores(200);
            write(&ring, &mut a, "extra", v(3));
            let kinds = match a_starts {
                true => exchange(&ring, (A, &mut a), (B, &mut b)),
                false => exchange(&ring, (B, &mut b), (A, &mut a)),
            };
            assert_eq!(b.get("extra").map(|s| s.version), Some(v(3)), "{kinds:?}");
            let pushed = kinds.iter().filter(|&&k| k == "replicate").count();
            assert_eq!(pushed, 1, "only the missing key moves: {kinds:?}");
            assert_eq!(
                kinds.iter().filter(|&&k| k == "merkle leaves").count(),
                1,
                "{kinds:?}"
            );
            assert_eq!(exchange(&ring, (A, &mut a), (B, &mut b)), ["merkle hashes"]);
        }
    }

    #[test]
    fn a_stale_copy_is_replaced_by_the_newer_in_both_directions() {
        for a_newer in [true, false] {
            let (ring, mut a, mut b) = two_stores(300);
            let newer = if a_newer { &mut a } else { &mut b };
            write(&ring, newer, "key42", v(7));
            let kinds = exchange(&ring, (A, &mut a), (B, &mut b));
            let want = if a_newer { "pull" } else { "replicate" };
            assert!(kinds.contains(&want), "{kinds:?}");
            for s in [&a, &b] {
                assert_eq!(s.get("key42").map(|s| s.version), Some(v(7)));
                assert_eq!(s.get("key41").map(|s| s.version), Some(v(1)));
            }
            assert_eq!(exchange(&ring, (B, &mut b), (A, &mut a)), ["merkle hashes"]);
        }
    }

    #[test]
    fn equal_versions_are_confirmed_so_tombstones_are_collected() {
        let ring: Ring = (0..3).map(PeerId).collect();
        let set = ring.replicas("k");
        assert_eq!(set.len(), usize::from(Replication::default().n));
        let tombstone = Stored {
            value: None,
            version: v(2),
        };
        let holding = || {
            let mut s = Store::default();
            s.apply(OpKind::Create, "k", Some(&stored_v1()), set);
            s.apply(OpKind::Delete, "k", Some(&tombstone), set);
            s
        };
        let (mut a, mut b) = (holding(), holding());
        // b has it confirmed by 2 only; a's round of equal trees confirms a.
        b.confirmed("k", PeerId(2), tombstone.version);
        let timings = StoreTimings::default();
        let late = 10_000 * 16 + 1; // a sweep tick of peer 1, long past the grace
        let swept = |s: &mut Store| {
            let mut out = Out::default();
            s.stabilize(B, &ring, false, late, &timings, &mut out);
            out.events.len()
        };
        assert_eq!(swept(&mut b.clone()), 0, "unconfirmed by a: kept");
        assert_eq!(exchange(&ring, (A, &mut a), (B, &mut b)), ["merkle hashes"]);
        assert_eq!(swept(&mut b), 1, "confirmed by the equal root: collected");
        assert!(b.is_empty());
    }

    #[test]
    fn malformed_messages_are_ignored() {
        let (ring, mut a, _) = two_stores(20);
        let mut out = Out::default();
        let bad = TreeHashes {
            depth: 1,
            level: 1,
            parents: vec![0],
            hashes: vec![1, 2],
        };
        on_hashes(&mut a, &ring, B, &bad, &mut out);
        on_hashes(
            &mut a,
            &ring,
            B,
            &TreeHashes {
                depth: 9,
                level: 0,
                parents: vec![],
                hashes: vec![1],
            },
            &mut out,
        );
        on_diff(&a, &ring, B, 1, 1, &[5, 3], &mut out);
        on_diff(&a, &ring, B, 1, 2, &[0], &mut out);
        on_leaves(&mut a, &ring, B, 1, &[16], &[], &mut out);
        assert!(out.sends.is_empty());
    }
}
