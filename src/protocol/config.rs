//! One configuration of the protocol: every timing, the replication
//! factors N, R and W (3, 2 and 2 by default), read repair, anti-entropy
//! (flat digests or Merkle trees, and how often), hinted handoff, the
//! consistency level a single request may ask for instead, the tokens each
//! peer owns on the ring (1 by default). The settings a person may change
//! are declared in [`crate::protocol::settings`].

use crate::protocol::op::OpKind;
use crate::util::names;

/// The largest cluster ftkv accepts.
pub const MAX_PEERS: u32 = 4096;

/// The membership protocol's timing knobs, in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MembershipTimings {
    /// How many random members each peer gossips to per tick.
    pub fanout: u32,
    /// Ticks without a heartbeat increase before a member is suspected.
    pub t_fail: u64,
    /// Ticks a member stays suspected before it is removed: it is removed
    /// once silent for `t_fail + t_remove` ticks, so a partition shorter
    /// than `t_remove` removes no live peer.
    pub t_remove: u64,
    /// Ticks a joining peer waits for the introducer before asking again.
    pub join_retry: u64,
}

impl Default for MembershipTimings {
    fn default() -> Self {
        MembershipTimings {
            fanout: 3,
            t_fail: 5,
            t_remove: 20,
            join_retry: 10,
        }
    }
}

/// The store's timings, in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreTimings {
    /// Ticks a peer keeps a copy it is no longer a replica of, once every
    /// replica confirmed it.
    pub orphan_hold: u64,
    /// Ticks between retries of an unconfirmed push.
    pub push_retry: u64,
    /// Ticks a tombstone is kept after its delete, and after the
    /// collecting peer's ring was last without some peer of the cluster,
    /// before it is collected (once its replicas confirmed it). Past it, a
    /// peer holding nothing for the key does not store it.
    pub tombstone_grace: u64,
}

impl Default for StoreTimings {
    fn default() -> Self {
        StoreTimings {
            orphan_hold: 20,
            push_retry: 5,
            tombstone_grace: 300,
        }
    }
}

/// The most replicas a key may have.
pub(crate) const MAX_N: u8 = 7;

/// The most tokens (virtual nodes) a peer may own on the ring.
pub(crate) const MAX_VNODES: u16 = 256;

/// The most tokens a simulated cluster's ring may hold when peers own more
/// than one: every peer keeps its own ring of every token.
pub(crate) const MAX_SIM_TOKENS: u32 = 16_384;

/// How many peers hold each key (N) and how many must answer a read (R)
/// or acknowledge a write (W).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replication {
    /// Replicas per key, 1..=`MAX_N`.
    pub n: u8,
    /// Answers a read waits for, 1..=N.
    pub r: u8,
    /// Acknowledgements a write waits for, 1..=N.
    pub w: u8,
}

impl Default for Replication {
    fn default() -> Self {
        Replication { n: 3, r: 2, w: 2 }
    }
}

impl Replication {
    /// How many answers `op` waits for: R for a read, W for a write.
    pub fn quorum(&self, op: OpKind) -> u8 {
        if op == OpKind::Read {
            self.r
        } else {
            self.w
        }
    }

    /// How many answers `op` waits for at consistency `level`.
    pub fn quorum_at(&self, op: OpKind, level: Level) -> u8 {
        match level {
            Level::One => 1,
            Level::Quorum => self.quorum(op),
            Level::All => self.n,
        }
    }

    /// Whether every read quorum meets every write quorum (R + W > N): a
    /// read then asks at least one replica that acknowledged any write
    /// acknowledged before it began.
    pub fn reads_meet_writes(&self) -> bool {
        u16::from(self.r) + u16::from(self.w) > u16::from(self.n)
    }

    /// Whether every two write quorums meet (2W > N): of two concurrent
    /// creates, at most one can be acknowledged.
    pub fn writes_meet_writes(&self) -> bool {
        2 * u16::from(self.w) > u16::from(self.n)
    }
}

/// How many replicas one request waits for, overriding R or W.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// One replica.
    One,
    /// R for a read, W for a write: the configuration's quorum.
    #[default]
    Quorum,
    /// All N replicas.
    All,
}

impl Level {
    /// Every level, weakest first.
    pub const ALL: [Level; 3] = [Level::One, Level::Quorum, Level::All];

    /// Its name in links, the CLI and the JS API.
    pub fn word(self) -> &'static str {
        match self {
            Level::One => "one",
            Level::Quorum => "quorum",
            Level::All => "all",
        }
    }

    /// The level named `word`.
    pub fn parse(word: &str) -> Option<Level> {
        names::find(&Level::ALL, Level::word, word)
    }
}

/// What a read does about replicas that answered with an older entry or
/// none: nothing, write the newest back after answering the client, or
/// write it back before answering.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReadRepair {
    /// No write-back (the classic store).
    #[default]
    Off,
    /// The read answers at once; the coordinator then writes the newest
    /// entry back to every replica that answered with an older one.
    Async,
    /// The read answers only once the newest entry is held by W replicas
    /// (write-backs acknowledged): what it returned, every later quorum
    /// read sees.
    Blocking,
}

impl ReadRepair {
    /// Every mode.
    pub const ALL: [ReadRepair; 3] = [ReadRepair::Off, ReadRepair::Async, ReadRepair::Blocking];

    /// Its name in links, the CLI and the JS API.
    pub fn word(self) -> &'static str {
        match self {
            ReadRepair::Off => "off",
            ReadRepair::Async => "async",
            ReadRepair::Blocking => "blocking",
        }
    }

    /// The mode named `word`.
    pub fn parse(word: &str) -> Option<ReadRepair> {
        names::find(&ReadRepair::ALL, ReadRepair::word, word)
    }
}

/// How peers compare the keys they share in the background.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum AeMode {
    /// A flat digest: every (key, version) the neighbour replicates, in one
    /// message (the classic store).
    #[default]
    Digest,
    /// A Merkle-tree exchange (`crate::protocol::merkle`): hashes first, descending
    /// only into the subtrees that differ; equal ranges cost one hash.
    Merkle,
}

impl AeMode {
    /// Every mode.
    pub const ALL: [AeMode; 2] = [AeMode::Digest, AeMode::Merkle];

    /// Its name in settings, links, the CLI and the JS API.
    pub fn word(self) -> &'static str {
        match self {
            AeMode::Digest => "digest",
            AeMode::Merkle => "merkle",
        }
    }

    /// The mode named `word`.
    pub fn parse(word: &str) -> Option<AeMode> {
        names::find(&AeMode::ALL, AeMode::word, word)
    }
}

/// The longest any protocol timing may be, in ticks (the anti-entropy
/// period among them).
pub(crate) const MAX_TIMING: u64 = 10_000;

/// The largest gossip fanout.
pub(crate) const MAX_FANOUT: u32 = 64;

/// Anti-entropy: how a peer compares the keys it shares with a ring
/// neighbour, and how often (one neighbour per round, in turn).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AntiEntropy {
    /// Digest or Merkle tree.
    pub mode: AeMode,
    /// Ticks between two rounds of one peer, 1..=`MAX_TIMING`.
    pub period: u64,
}

impl Default for AntiEntropy {
    fn default() -> Self {
        AntiEntropy {
            mode: AeMode::Digest,
            period: 20,
        }
    }
}

/// Every protocol setting: timings in ticks and replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Gossip and failure detection.
    pub membership: MembershipTimings,
    /// Ticks a coordinator waits for a quorum before it fails the request.
    pub op_timeout: u64,
    /// Hand-over, push retries, anti-entropy and tombstone collection.
    pub store: StoreTimings,
    /// N, R and W.
    pub replication: Replication,
    /// Tokens (virtual nodes) per peer on the ring, 1..=`MAX_VNODES`.
    pub vnodes: u16,
    /// Read repair.
    pub read_repair: ReadRepair,
    /// Hinted handoff (a sloppy quorum): a coordinator sends a request
    /// meant for a home replica it suspects to the next peer clockwise
    /// instead, which keeps the write as a hint for that home.
    pub hinted_handoff: bool,
    /// Anti-entropy mode and period.
    pub anti_entropy: AntiEntropy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            membership: MembershipTimings::default(),
            op_timeout: 10,
            store: StoreTimings::default(),
            replication: Replication::default(),
            vnodes: 1,
            read_repair: ReadRepair::Off,
            hinted_handoff: false,
            anti_entropy: AntiEntropy::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorums_meet() {
        let rep = |n, r, w| Replication { n, r, w };
        assert!(rep(3, 2, 2).reads_meet_writes() && rep(3, 2, 2).writes_meet_writes());
        assert!(!rep(3, 1, 1).reads_meet_writes() && !rep(3, 1, 1).writes_meet_writes());
        assert!(rep(3, 3, 1).reads_meet_writes() && !rep(3, 3, 1).writes_meet_writes());
        assert!(!rep(4, 2, 2).reads_meet_writes() && !rep(4, 2, 2).writes_meet_writes());
        assert!(!rep(5, 2, 3).reads_meet_writes() && rep(5, 2, 3).writes_meet_writes());
        assert!(rep(7, 7, 7).reads_meet_writes() && rep(1, 1, 1).writes_meet_writes());
    }

    #[test]
    fn levels_pick_one_the_quorum_or_all() {
        let rep = Replication { n: 5, r: 2, w: 4 };
        let at = |op, level| rep.quorum_at(op, level);
        assert_eq!(at(OpKind::Read, Level::One), 1);
        assert_eq!(at(OpKind::Read, Level::Quorum), 2);
        assert_eq!(at(OpKind::Delete, Level::Quorum), 4);
        assert_eq!(at(OpKind::Update, Level::All), 5);
        for level in Level::ALL {
            assert_eq!(Level::parse(level.word()), Some(level));
        }
        for mode in ReadRepair::ALL {
            assert_eq!(ReadRepair::parse(mode.word()), Some(mode));
        }
        assert_eq!(Level::parse("most"), None);
    }
}
