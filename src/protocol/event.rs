//! The simulation's event stream: everything observable that happened.
//!
//! `dbg.log` is one rendering of this stream ([`crate::classic::dbglog`]); the grader
//! and the browser read it directly. Nothing parses `dbg.log` back.

use crate::protocol::address::PeerId;
use crate::protocol::message::MessageKind;
use crate::protocol::op::{OpKind, Reason, Version};

/// One thing that happened at one peer during one tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The tick it happened in.
    pub tick: u64,
    /// The peer it happened at (whose address the log line carries).
    pub peer: PeerId,
    /// What happened.
    pub kind: EventKind,
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// Lost at random (the drop probability).
    Random,
    /// The link is cut by a partition.
    Partition,
    /// The receiver had failed by the time it arrived.
    ReceiverFailed,
    /// A person dropped it while it was in flight
    /// ([`crate::scenario::Action::Drop`]).
    ByHand,
}

impl DropReason {
    /// Its word for the page: `random`, `partition`, `receiver failed` or
    /// `by hand`.
    pub fn word(self) -> &'static str {
        match self {
            DropReason::Random => "random",
            DropReason::Partition => "partition",
            DropReason::ReceiverFailed => "receiver failed",
            DropReason::ByHand => "by hand",
        }
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The peer started (or restarted after a recovery) and began to join.
    Started {
        /// Its incarnation: 1 for the first start, then one more per recovery.
        incarnation: u64,
    },
    /// The peer added `member` to its membership list (itself included).
    Joined {
        /// The member added.
        member: PeerId,
    },
    /// The peer removed `member` from its membership list.
    Removed {
        /// The member removed.
        member: PeerId,
    },
    /// The peer failed: it neither sends nor receives from now on.
    Failed,
    /// A client asked this peer, as coordinator, to perform an operation.
    Operation {
        /// Which operation.
        op: OpKind,
        /// Its transaction id.
        trans: u64,
        /// The key.
        key: String,
        /// The value written, or for read and delete the value expected
        /// (written into the log line only).
        value: Option<String>,
    },
    /// The coordinator of transaction `trans` sent its request to
    /// `replicas` (the home replicas it does not suspect, or all of them),
    /// and will ask `substitutes` in the others' stead (hinted handoff: a
    /// read at once, a write once a home replica performed it).
    Asked {
        /// The transaction id.
        trans: u64,
        /// How many answers it waits for (R or W, or its level's).
        quorum: u8,
        /// The replicas asked at once, in ring order.
        replicas: Vec<PeerId>,
        /// The substitutes standing in for suspected home replicas.
        substitutes: Vec<PeerId>,
    },
    /// A replica's (`coordinator == false`) or the coordinator's outcome.
    Outcome {
        /// Whether the coordinator logged it (else a replica).
        coordinator: bool,
        /// Which operation.
        op: OpKind,
        /// Its transaction id.
        trans: u64,
        /// The key.
        key: String,
        /// The value read or written, where the log line shows one.
        value: Option<String>,
        /// Success or failure.
        ok: bool,
        /// Why the coordinator failed it (`None` for success and replicas).
        reason: Option<Reason>,
        /// The version written, or for a read the version of the entry
        /// found (a value or a tombstone).
        version: Option<Version>,
    },
    /// Stabilization stored a copy of `key` handed over by `from`.
    Replicated {
        /// The key.
        key: String,
        /// Who sent it.
        from: PeerId,
    },
    /// Stabilization dropped this peer's copy of `key`: it is no replica.
    Handed {
        /// The key.
        key: String,
    },
    /// The tombstone of `key` was collected after its grace period.
    Collected {
        /// The key.
        key: String,
    },
    /// This peer keeps a write of `key` as a hint for home replica `home`
    /// (hinted handoff).
    Hinted {
        /// The key.
        key: String,
        /// The home replica the write was meant for.
        home: PeerId,
    },
    /// A hint no replica confirmed was dropped after its timeout.
    HintExpired {
        /// The key.
        key: String,
        /// The home replica it was kept for.
        home: PeerId,
    },
    /// A message left this peer (traced only when message tracing is on).
    Sent {
        /// Receiver.
        to: PeerId,
        /// What it was.
        msg: MessageKind,
        /// Tick at which it will arrive.
        deliver_at: u64,
        /// Its estimated size on a wire ([`crate::protocol::message::Message::wire_bytes`]).
        bytes: usize,
        /// Its send order in the network (`crate::sim::network::InFlight::seq`).
        seq: u64,
        /// The transaction it belongs to ([`crate::protocol::message::Message::trans`]).
        trans: Option<u64>,
    },
    /// A message from `from` was lost on the way to this peer (traced only
    /// when message tracing is on, except a drop by hand, always recorded).
    Dropped {
        /// Sender.
        from: PeerId,
        /// What it was.
        msg: MessageKind,
        /// Why.
        reason: DropReason,
        /// Its send order, once it was in flight (`None`: lost as it was
        /// sent, at random or to a partition).
        seq: Option<u64>,
        /// The transaction it belongs to ([`crate::protocol::message::Message::trans`]).
        trans: Option<u64>,
    },
}
