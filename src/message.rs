//! What peers say to each other over the emulated network.

use std::rc::Rc;

use crate::address::PeerId;
use crate::op::{OpKind, Version};
use crate::ring::ReplicaSet;

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
        /// For a successful read: the value found.
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
            Message::WriteBack { .. } => MessageKind::WriteBack,
            Message::WriteBackAck { .. } => MessageKind::WriteBackAck,
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
            MessageKind::WriteBack => "write-back",
            MessageKind::WriteBackAck => "write-back ack",
        }
    }
}
