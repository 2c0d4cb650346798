//! What peers say to each other over the emulated network, and an
//! estimate of each message's size on a wire ([`Message::wire_bytes`]).

use std::rc::Rc;

use crate::protocol::address::PeerId;
use crate::protocol::op::{OpKind, Version};
use crate::protocol::ring::ReplicaSet;

/// One membership-list entry as carried by gossip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GossipEntry {
    /// Whose entry this is.
    pub id: PeerId,
    /// Which life of that peer (bumped each time it starts or recovers).
    pub incarnation: u64,
    /// Its heartbeat counter, increased once per tick by the peer itself.
    pub heartbeat: u64,
}

/// A stored value, or a tombstone, with its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The value text; `None` for a tombstone (the key was deleted).
    pub value: Option<String>,
    /// The version of the write that produced it.
    pub version: Version,
}

impl Stored {
    /// Whether this is a value rather than a tombstone.
    pub fn is_live(&self) -> bool {
        self.value.is_some()
    }
}

/// A coordinator's request to one replica: a [`Message::Request`].
#[derive(Clone, Debug)]
pub struct Request {
    /// The transaction id.
    pub trans: u64,
    /// Which operation.
    pub op: OpKind,
    /// The key.
    pub key: String,
    /// The value to write (create, update), with its version.
    pub write: Option<Stored>,
    /// The replica set as the coordinator sees it.
    pub replicas: ReplicaSet,
    /// Hinted handoff: the home replica this substitute stands in for.
    pub hint: Option<PeerId>,
}

/// Merkle anti-entropy ([`crate::protocol::merkle`]): the initiator's hashes of the
/// nodes at `level` of its tree of the keys the receiver replicates — the
/// root alone at level 0, else the [`crate::protocol::merkle::FANOUT`] children of
/// each of `parents`, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeHashes {
    /// The tree's depth (the leaves' level), chosen by the initiator.
    pub depth: u8,
    /// The level of the hashes (0: the root).
    pub level: u8,
    /// The nodes one level up whose children these are, ascending (empty
    /// at level 0).
    pub parents: Vec<u32>,
    /// The hashes, `FANOUT` per parent (one, the root, at level 0).
    pub hashes: Vec<u64>,
}

/// A message between two peers.
#[derive(Clone, Debug)]
pub enum Message {
    /// A starting peer asks the introducer to let it in.
    JoinReq {
        /// The joiner's incarnation.
        incarnation: u64,
        /// The joiner's heartbeat.
        heartbeat: u64,
    },
    /// The introducer's answer: its membership list.
    JoinRep {
        /// The live entries the introducer knows, itself included.
        members: Rc<[GossipEntry]>,
    },
    /// Periodic heartbeat gossip: the sender's live entries.
    Gossip {
        /// The live entries the sender knows, itself included.
        members: Rc<[GossipEntry]>,
    },
    /// A coordinator asks a replica to perform a CRUD operation (boxed:
    /// requests are rare, and every other message stays small to move).
    Request(Box<Request>),
    /// A replica's answer to a [`Message::Request`].
    Reply {
        /// The transaction id of the request.
        trans: u64,
        /// Whether the replica performed the operation.
        ok: bool,
        /// The entry the replica holds: for a read, the value or tombstone
        /// found; for a write, the one it held before (what a coordinator
        /// puts back when the write fails).
        found: Option<Stored>,
    },
    /// Stabilization or anti-entropy: a holder pushes its copy of a key.
    Replicate {
        /// The key.
        key: Rc<str>,
        /// The value (or tombstone) and version held.
        stored: Stored,
    },
    /// The receiver of a [`Message::Replicate`] confirms the version it now
    /// holds (the one pushed, or a newer one).
    ReplicateAck {
        /// The key.
        key: Rc<str>,
        /// The version the receiver holds.
        version: Version,
    },
    /// Anti-entropy: the versions the sender holds of the keys the receiver
    /// replicates.
    Digest {
        /// (key, version) pairs, sorted by key.
        entries: Vec<(Rc<str>, Version)>,
    },
    /// Anti-entropy: the receiver of a digest asks for newer copies.
    Pull {
        /// The keys wanted.
        keys: Vec<Rc<str>>,
    },
    /// Merkle anti-entropy (`crate::protocol::merkle`), from the initiator: its
    /// hashes of some nodes of its tree.
    MerkleHashes(TreeHashes),
    /// Merkle anti-entropy, from the receiver: the nodes at `level` whose
    /// hashes differ from its own.
    MerkleDiff {
        /// The tree's depth.
        depth: u8,
        /// The level of the nodes.
        level: u8,
        /// The differing nodes, ascending.
        nodes: Vec<u32>,
    },
    /// Merkle anti-entropy, from the initiator: the (key, version) pairs of
    /// the differing leaves, which the receiver handles like a digest of
    /// just those leaves.
    MerkleLeaves {
        /// The tree's depth (the leaves' level).
        depth: u8,
        /// The differing leaves, ascending.
        buckets: Vec<u32>,
        /// Their (key, version) pairs, sorted by key.
        entries: Vec<(Rc<str>, Version)>,
    },
    /// Read repair: a read's coordinator writes the newest entry it saw
    /// back to a replica that answered with an older one or none.
    WriteBack {
        /// The read's transaction id.
        trans: u64,
        /// The key.
        key: String,
        /// The newest entry: a value or a tombstone.
        stored: Stored,
    },
    /// A replica's answer to a [`Message::WriteBack`]: the version it now
    /// holds (the one written back, or a newer one).
    WriteBackAck {
        /// The read's transaction id.
        trans: u64,
        /// The version the replica holds now.
        version: Version,
    },
}

/// The kind of a message, for traces, counters and the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MessageKind {
    /// [`Message::JoinReq`].
    JoinReq,
    /// [`Message::JoinRep`].
    JoinRep,
    /// [`Message::Gossip`].
    Gossip,
    /// [`Message::Request`] for an operation.
    Request(OpKind),
    /// [`Message::Reply`].
    Reply,
    /// [`Message::Replicate`].
    Replicate,
    /// [`Message::ReplicateAck`].
    ReplicateAck,
    /// [`Message::Digest`].
    Digest,
    /// [`Message::Pull`].
    Pull,
    /// [`Message::MerkleHashes`].
    MerkleHashes,
    /// [`Message::MerkleDiff`].
    MerkleDiff,
    /// [`Message::MerkleLeaves`].
    MerkleLeaves,
    /// [`Message::WriteBack`].
    WriteBack,
    /// [`Message::WriteBackAck`].
    WriteBackAck,
}

impl Message {
    /// This message's kind.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::JoinReq { .. } => MessageKind::JoinReq,
            Message::JoinRep { .. } => MessageKind::JoinRep,
            Message::Gossip { .. } => MessageKind::Gossip,
            Message::Request(request) => MessageKind::Request(request.op),
            Message::Reply { .. } => MessageKind::Reply,
            Message::Replicate { .. } => MessageKind::Replicate,
            Message::ReplicateAck { .. } => MessageKind::ReplicateAck,
            Message::Digest { .. } => MessageKind::Digest,
            Message::Pull { .. } => MessageKind::Pull,
            Message::MerkleHashes(_) => MessageKind::MerkleHashes,
            Message::MerkleDiff { .. } => MessageKind::MerkleDiff,
            Message::MerkleLeaves { .. } => MessageKind::MerkleLeaves,
            Message::WriteBack { .. } => MessageKind::WriteBack,
            Message::WriteBackAck { .. } => MessageKind::WriteBackAck,
        }
    }

    /// The client transaction this message serves: a request, its reply,
    /// and a read repair's write-back and its acknowledgement.
    pub fn trans(&self) -> Option<u64> {
        match self {
            Message::Request(request) => Some(request.trans),
            Message::Reply { trans, .. }
            | Message::WriteBack { trans, .. }
            | Message::WriteBackAck { trans, .. } => Some(*trans),
            _ => None,
        }
    }
}

/// Wire-size estimate: a header per message (kind, sender, receiver).
const HEADER: usize = 8;
/// Wire-size estimate: a list's length prefix.
const LIST: usize = 4;
/// Wire-size estimate: a key's or value's length prefix, before its bytes.
const TEXT: usize = 2;
/// Wire-size estimate: a version (tick and transaction id; the undo flag
/// rides in the id's top bit).
const VERSION: usize = 16;
/// Wire-size estimate: a gossip entry (id, incarnation, heartbeat).
const GOSSIP_ENTRY: usize = 4 + 8 + 8;

impl Message {
    /// An estimate of this message's size on a wire, in bytes, the same
    /// for every kind: an 8-byte header; 4 per list length; a key or value
    /// as 2 plus its bytes; 16 per version; 8 per hash, tick, transaction
    /// id or counter; 4 per peer id or tree node; 1 per flag, level or
    /// operation.
    pub fn wire_bytes(&self) -> usize {
        let text = |t: &str| TEXT + t.len();
        let stored = |s: &Stored| 1 + s.value.as_deref().map_or(0, text) + VERSION;
        let pairs = |entries: &[(Rc<str>, Version)]| {
            LIST + entries
                .iter()
                .map(|(k, _)| text(k) + VERSION)
                .sum::<usize>()
        };
        HEADER
            + match self {
                Message::JoinReq { .. } => 8 + 8,
                Message::JoinRep { members } | Message::Gossip { members } => {
                    LIST + GOSSIP_ENTRY * members.len()
                }
                Message::Request(r) => {
                    8 + 1
                        + text(&r.key)
                        + 1
                        + r.write.as_ref().map_or(0, stored)
                        + 1
                        + 4 * r.replicas.len()
                }
                Message::Reply { found, .. } => 8 + 1 + 1 + found.as_ref().map_or(0, stored),
                Message::Replicate { key, stored: s } => text(key) + stored(s),
                Message::ReplicateAck { key, .. } => text(key) + VERSION,
                Message::Digest { entries } => pairs(entries),
                Message::Pull { keys } => LIST + keys.iter().map(|k| text(k)).sum::<usize>(),
                Message::MerkleHashes(TreeHashes {
                    parents, hashes, ..
                }) => 1 + 1 + LIST + 4 * parents.len() + LIST + 8 * hashes.len(),
                Message::MerkleDiff { nodes, .. } => 1 + 1 + LIST + 4 * nodes.len(),
                Message::MerkleLeaves {
                    buckets, entries, ..
                } => 1 + LIST + 4 * buckets.len() + pairs(entries),
                Message::WriteBack { key, stored: s, .. } => 8 + text(key) + stored(s),
                Message::WriteBackAck { .. } => 8 + VERSION,
            }
    }
}

impl MessageKind {
    /// A short label (`gossip`, `read request`, ...).
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::JoinReq => "join request",
            MessageKind::JoinRep => "join reply",
            MessageKind::Gossip => "gossip",
            MessageKind::Request(OpKind::Create) => "create request",
            MessageKind::Request(OpKind::Read) => "read request",
            MessageKind::Request(OpKind::Update) => "update request",
            MessageKind::Request(OpKind::Delete) => "delete request",
            MessageKind::Reply => "reply",
            MessageKind::Replicate => "replicate",
            MessageKind::ReplicateAck => "replicate ack",
            MessageKind::Digest => "digest",
            MessageKind::Pull => "pull",
            MessageKind::MerkleHashes => "merkle hashes",
            MessageKind::MerkleDiff => "merkle diff",
            MessageKind::MerkleLeaves => "merkle leaves",
            MessageKind::WriteBack => "write-back",
            MessageKind::WriteBackAck => "write-back ack",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_bytes_count_keys_versions_and_hashes_alike_for_both_modes() {
        let v = Version::new(1, 1);
        let digest = Message::Digest {
            entries: vec![("ab".into(), v), ("cde".into(), v)],
        };
        assert_eq!(digest.wire_bytes(), 8 + 4 + (2 + 2 + 16) + (2 + 3 + 16));
        let leaves = Message::MerkleLeaves {
            depth: 1,
            buckets: vec![3],
            entries: vec![("ab".into(), v)],
        };
        assert_eq!(leaves.wire_bytes(), 8 + 1 + 4 + 4 + 4 + (2 + 2 + 16));
        let root = Message::MerkleHashes(TreeHashes {
            depth: 2,
            level: 0,
            parents: Vec::new(),
            hashes: vec![7],
        });
        assert_eq!(root.wire_bytes(), 8 + 2 + 4 + 4 + 8);
        let diff = Message::MerkleDiff {
            depth: 2,
            level: 1,
            nodes: vec![1, 5],
        };
        assert_eq!(diff.wire_bytes(), 8 + 2 + 4 + 8);
        let push = Message::Replicate {
            key: "k".into(),
            stored: Stored {
                value: Some("vv".into()),
                version: v,
            },
        };
        assert_eq!(push.wire_bytes(), 8 + 3 + 1 + 4 + 16);
    }
}
