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

use crate::address::PeerId;
use crate::message::{Message, TreeHashes};
use crate::op::Version;
use crate::out::Out;
use crate::ring::Ring;
use crate::store::Store;

/// Children per inner node.
pub const FANOUT: usize = 16;
/// Ring-position bits a level of the tree splits on (2⁴ = [`FANOUT`]).
const BITS: u32 = 4;
/// The deepest tree: 16³ = 4,096 leaves.
pub const MAX_DEPTH: u8 = 3;
/// About how many keys a leaf holds in a tree of the depth
/// [`depth_for`] picks: one more level costs a round trip and
/// [`FANOUT`] hashes per differing node, a fuller leaf costs a
/// (key, version) pair per key.
const LEAF_KEYS: usize = 8;

/// The depth for a tree of `count` entries: the shallowest (up to
/// [`MAX_DEPTH`]) whose leaves hold about [`LEAF_KEYS`] each or fewer.
pub fn depth_for(count: usize) -> u8 {
    let (mut depth, mut leaves) = (0, 1);
    while depth < MAX_DEPTH && leaves * LEAF_KEYS < count {
        depth += 1;
        leaves *= FANOUT;
    }
    depth
}

/// The node at `level` that a key at ring `position` falls under: the
/// top 4 × `level` bits of the position.
pub fn node_at(position: u64, level: u8) -> u32 {
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
pub struct Tree {
    /// `levels[l]` holds the [`FANOUT`]^`l` hashes of level `l`; the last
    /// level is the leaves.
    levels: Vec<Vec<u64>>,
}

impl Tree {
    /// The tree of depth `depth` (at most [`MAX_DEPTH`]) over `entries`,
    /// visited in any order.
    pub fn build<'a>(
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
    pub fn depth(&self) -> u8 {
        (self.levels.len() - 1) as u8
    }

    /// The root hash (0 for no entries).
    pub fn root(&self) -> u64 {
        self.levels[0][0]
    }

    /// The hash of `node` at `level`, if the tree has that node.
    pub fn hash(&self, level: u8, node: u32) -> Option<u64> {
        self.levels
            .get(usize::from(level))?
            .get(node as usize)
            .copied()
    }

    /// The hashes of the [`FANOUT`] children of `node` at `level` (empty
    /// at the leaves or past the tree).
    pub fn children(&self, level: u8, node: u32) -> &[u64] {
        let start = node as usize * FANOUT;
        self.levels
            .get(usize::from(level) + 1)
            .and_then(|below| below.get(start..start + FANOUT))
            .unwrap_or(&[])
    }

    /// Splits `hashes` (node, hash) of the other side at `level` into the
    /// nodes equal to this tree's and not empty, and the nodes that
    /// differ, both ascending if the nodes are.
    pub fn compare(
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
pub fn start(store: &Store, ring: &Ring, to: PeerId, out: &mut Out) {
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
pub fn on_hashes(store: &mut Store, ring: &Ring, from: PeerId, msg: &TreeHashes, out: &mut Out) {
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
pub fn on_diff(
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
pub fn on_leaves(
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
