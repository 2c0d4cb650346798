//! One configuration of the protocol: every timing, the replication
//! factors N, R and W (3, 2 and 2 by default), read repair, anti-entropy
//! (flat digests or Merkle trees, and how often), hinted handoff, the
//! consistency level a single request may ask for instead, the tokens each
//! peer owns on the ring (1 by default), and the settings text
//! `n=3,r=1,w=1,ae=merkle` that changes them from the command line.

use crate::protocol::op::OpKind;

/// The largest cluster ftkv accepts.
pub const MAX_PEERS: u32 = 4096;

/// The membership protocol's timing knobs, in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MembershipTimings {
    /// How many random members each peer gossips to per tick.
    pub fanout: u32,
    /// Ticks without a heartbeat increase before a member is suspected.
    pub t_fail: u64,
    /// Ticks without a heartbeat increase before a member is removed.
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
    /// Ticks a tombstone is kept after its delete before it is collected.
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
pub const MAX_N: u8 = 7;

/// The most tokens (virtual nodes) a peer may own on the ring.
pub const MAX_VNODES: u16 = 256;

/// The most tokens a simulated cluster's ring may hold when peers own more
/// than one: every peer keeps its own ring of every token.
pub const MAX_SIM_TOKENS: u32 = 16_384;

/// How many peers hold each key (N) and how many must answer a read (R)
/// or acknowledge a write (W).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replication {
    /// Replicas per key, 1..=[`MAX_N`].
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

    /// Checks 1 ≤ R, W ≤ N ≤ [`MAX_N`]; the error names the problem.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_N).contains(&self.n) {
            return Err(format!("N must be from 1 to {MAX_N}, not {}", self.n));
        }
        for (name, value) in [("R", self.r), ("W", self.w)] {
            if !(1..=self.n).contains(&value) {
                return Err(format!(
                    "{name} must be from 1 to N = {}, not {value}",
                    self.n
                ));
            }
        }
        Ok(())
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
        Level::ALL.into_iter().find(|l| l.word() == word)
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
        ReadRepair::ALL.into_iter().find(|m| m.word() == word)
    }
}

/// How peers compare the keys they share in the background.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum AeMode {
    /// A flat digest: every (key, version) the neighbour replicates, in one
    /// message (the classic store).
    #[default]
    Digest,
    /// A Merkle-tree exchange ([`crate::protocol::merkle`]): hashes first, descending
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
        AeMode::ALL.into_iter().find(|m| m.word() == word)
    }
}

/// The most ticks between two anti-entropy rounds of one peer.
pub const MAX_AE_PERIOD: u64 = 10_000;

/// Anti-entropy: how a peer compares the keys it shares with a ring
/// neighbour, and how often (one neighbour per round, in turn).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AntiEntropy {
    /// Digest or Merkle tree.
    pub mode: AeMode,
    /// Ticks between two rounds of one peer, 1..=[`MAX_AE_PERIOD`].
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
    /// Tokens (virtual nodes) per peer on the ring, 1..=[`MAX_VNODES`].
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

/// Checks 1 ≤ `vnodes` ≤ [`MAX_VNODES`]; the error names the problem.
pub fn validate_vnodes(vnodes: u16) -> Result<(), String> {
    if (1..=MAX_VNODES).contains(&vnodes) {
        Ok(())
    } else {
        Err(format!(
            "vnodes must be from 1 to {MAX_VNODES}, not {vnodes}"
        ))
    }
}

/// The keys [`Config::with_settings`] takes, in the order
/// [`Config::settings`] names them.
pub const SETTINGS: [&str; 8] = [
    "n",
    "r",
    "w",
    "read-repair",
    "vnodes",
    "hinted-handoff",
    "ae",
    "ae-period",
];

impl Config {
    /// This configuration with the settings of `text` applied:
    /// comma-separated `key=value` pairs, each key of [`SETTINGS`] at most
    /// once, e.g. `n=3,r=1,w=1`. The result is validated; every error
    /// names the problem.
    pub fn with_settings(&self, text: &str) -> Result<Config, String> {
        if text.trim().is_empty() {
            return Err(format!(
                "no settings given (expected key=value pairs such as n=3,r=2,w=2; keys: {})",
                SETTINGS.join(", ")
            ));
        }
        let mut config = *self;
        let mut seen: Vec<&str> = Vec::new();
        for pair in text.split(',').map(str::trim) {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(format!("`{pair}` is not key=value"));
            };
            let (key, value) = (key.trim(), value.trim());
            if seen.contains(&key) {
                return Err(format!("setting `{key}` is given twice"));
            }
            seen.push(key);
            config.set(key, value)?;
        }
        config.replication.validate()?;
        validate_vnodes(config.vnodes)?;
        Ok(config)
    }

    /// The settings text of this configuration: N, R and W, then every
    /// other setting that is not its default, e.g. `n=3,r=2,w=2` or
    /// `n=3,r=1,w=1,read-repair=blocking,vnodes=64,hinted-handoff=on`.
    pub fn settings(&self) -> String {
        let Replication { n, r, w } = self.replication;
        let mut text = format!("n={n},r={r},w={w}");
        if self.read_repair != ReadRepair::Off {
            text.push_str(&format!(",read-repair={}", self.read_repair.word()));
        }
        if self.vnodes != 1 {
            text.push_str(&format!(",vnodes={}", self.vnodes));
        }
        if self.hinted_handoff {
            text.push_str(",hinted-handoff=on");
        }
        let (ae, default) = (self.anti_entropy, AntiEntropy::default());
        if ae.mode != default.mode {
            text.push_str(&format!(",ae={}", ae.mode.word()));
        }
        if ae.period != default.period {
            text.push_str(&format!(",ae-period={}", ae.period));
        }
        text
    }

    /// Sets one setting from its text (one arm per key of [`SETTINGS`]).
    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "n" => self.replication.n = number(key, value)?,
            "r" => self.replication.r = number(key, value)?,
            "w" => self.replication.w = number(key, value)?,
            "read-repair" => {
                self.read_repair = ReadRepair::parse(value).ok_or_else(|| {
                    format!("read-repair must be off, async or blocking, not `{value}`")
                })?;
            }
            "vnodes" => self.vnodes = number(key, value)?,
            "hinted-handoff" => {
                self.hinted_handoff = on_off(value)
                    .ok_or_else(|| format!("hinted-handoff must be on or off, not `{value}`"))?;
            }
            "ae" => {
                self.anti_entropy.mode = AeMode::parse(value)
                    .ok_or_else(|| format!("ae must be digest or merkle, not `{value}`"))?;
            }
            "ae-period" => {
                let period: u64 = number(key, value)?;
                if !(1..=MAX_AE_PERIOD).contains(&period) {
                    return Err(format!(
                        "ae-period must be from 1 to {MAX_AE_PERIOD} ticks, not {period}"
                    ));
                }
                self.anti_entropy.period = period;
            }
            _ => {
                return Err(format!(
                    "unknown setting `{key}` (settings: {})",
                    SETTINGS.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// Checks the ring of `peers` peers: `vnodes` in range, and with more
    /// than one token per peer at most [`MAX_SIM_TOKENS`] tokens in all.
    pub fn validate_ring(&self, peers: u32) -> Result<(), String> {
        validate_vnodes(self.vnodes)?;
        let tokens = u64::from(peers) * u64::from(self.vnodes);
        if self.vnodes > 1 && tokens > u64::from(MAX_SIM_TOKENS) {
            return Err(format!(
                "peers × vnodes must be at most {MAX_SIM_TOKENS} (every peer keeps a ring of every token), not {peers} × {} = {tokens}",
                self.vnodes
            ));
        }
        Ok(())
    }
}

/// `on` is true, `off` false, anything else `None`.
pub fn on_off(value: &str) -> Option<bool> {
    match value {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

/// The whole number `value` of setting `key`, or an error naming both.
fn number<T: TryFrom<u64>>(key: &str, value: &str) -> Result<T, String> {
    let whole: u64 = value
        .parse()
        .map_err(|_| format!("setting `{key}`: `{value}` is not a whole number"))?;
    T::try_from(whole).map_err(|_| format!("setting `{key}`: {value} is too large"))
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
    fn settings_text_changes_replication() {
        let base = Config::default();
        let weak = base.with_settings("n=3,r=1,w=1").unwrap();
        assert_eq!(weak.replication, Replication { n: 3, r: 1, w: 1 });
        assert_eq!(weak.settings(), "n=3,r=1,w=1");
        assert_eq!(weak.membership, base.membership, "timings are kept");
        let five = base.with_settings(" w = 3 , n=5,r=3 ").unwrap();
        assert_eq!(five.settings(), "n=5,r=3,w=3");
        assert_eq!(base.with_settings("n=3").unwrap(), base);
        assert_eq!(base.settings(), "n=3,r=2,w=2");
    }

    #[test]
    fn bad_settings_text_names_the_problem() {
        let err = |text: &str| Config::default().with_settings(text).unwrap_err();
        assert!(err("").starts_with("no settings given"), "{}", err(""));
        assert!(err("  ").starts_with("no settings given"));
        assert_eq!(
            err("x=1"),
            "unknown setting `x` (settings: n, r, w, read-repair, vnodes, hinted-handoff, ae, ae-period)"
        );
        assert_eq!(err("n=three"), "setting `n`: `three` is not a whole number");
        assert_eq!(err("r=-1"), "setting `r`: `-1` is not a whole number");
        assert_eq!(err("n=300"), "setting `n`: 300 is too large");
        assert_eq!(err("n=3,n=5"), "setting `n` is given twice");
        assert_eq!(err("n=3,,r=1"), "`` is not key=value");
        assert_eq!(err("n3"), "`n3` is not key=value");
        assert_eq!(err("n=1"), "R must be from 1 to N = 1, not 2");
        assert_eq!(err("r=4"), "R must be from 1 to N = 3, not 4");
        assert_eq!(err("n=8,r=1,w=1"), "N must be from 1 to 7, not 8");
    }

    #[test]
    fn replication_is_checked() {
        assert!(Replication::default().validate().is_ok());
        assert!(Replication { n: 5, r: 1, w: 5 }.validate().is_ok());
        let bad = |n, r, w| Replication { n, r, w }.validate().unwrap_err();
        assert_eq!(bad(8, 2, 2), "N must be from 1 to 7, not 8");
        assert_eq!(bad(0, 1, 1), "N must be from 1 to 7, not 0");
        assert_eq!(bad(3, 4, 2), "R must be from 1 to N = 3, not 4");
        assert_eq!(bad(3, 2, 0), "W must be from 1 to N = 3, not 0");
    }

    #[test]
    fn vnodes_are_checked() {
        let ring = |vnodes, peers| {
            Config {
                vnodes,
                ..Config::default()
            }
            .validate_ring(peers)
        };
        assert!(ring(1, 4096).is_ok());
        assert!(ring(256, 64).is_ok());
        assert_eq!(
            ring(0, 10).unwrap_err(),
            "vnodes must be from 1 to 256, not 0"
        );
        assert_eq!(
            ring(257, 10).unwrap_err(),
            "vnodes must be from 1 to 256, not 257"
        );
        assert_eq!(
            ring(256, 65).unwrap_err(),
            "peers × vnodes must be at most 16384 (every peer keeps a ring of every token), not 65 × 256 = 16640"
        );
    }

    #[test]
    fn vnodes_are_a_setting() {
        let c = Config::default()
            .with_settings("n=3,r=2,w=2,vnodes=64")
            .unwrap();
        assert_eq!(c.vnodes, 64);
        assert_eq!(c.settings(), "n=3,r=2,w=2,vnodes=64");
        let both = Config::default()
            .with_settings("vnodes=16,read-repair=async")
            .unwrap();
        assert_eq!(both.settings(), "n=3,r=2,w=2,read-repair=async,vnodes=16");
        assert_eq!(Config::default().with_settings(&both.settings()), Ok(both));
        assert_eq!(
            Config::default().with_settings("vnodes=1"),
            Ok(Config::default())
        );
        let err = |text: &str| Config::default().with_settings(text).unwrap_err();
        assert_eq!(err("vnodes=0"), "vnodes must be from 1 to 256, not 0");
        assert_eq!(err("vnodes=257"), "vnodes must be from 1 to 256, not 257");
        assert_eq!(err("vnodes=70000"), "setting `vnodes`: 70000 is too large");
        assert_eq!(
            err("vnodes=many"),
            "setting `vnodes`: `many` is not a whole number"
        );
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

    #[test]
    fn read_repair_is_a_setting() {
        let c = Config::default()
            .with_settings("n=3,r=2,w=2,read-repair=blocking")
            .unwrap();
        assert_eq!(c.read_repair, ReadRepair::Blocking);
        assert_eq!(c.settings(), "n=3,r=2,w=2,read-repair=blocking");
        assert_eq!(Config::default().settings(), "n=3,r=2,w=2");
        let err = Config::default()
            .with_settings("read-repair=eager")
            .unwrap_err();
        assert_eq!(
            err,
            "read-repair must be off, async or blocking, not `eager`"
        );
    }

    #[test]
    fn hinted_handoff_is_a_setting() {
        let c = Config::default()
            .with_settings("hinted-handoff=on,read-repair=async")
            .unwrap();
        assert!(c.hinted_handoff);
        assert_eq!(
            c.settings(),
            "n=3,r=2,w=2,read-repair=async,hinted-handoff=on"
        );
        let off = c.with_settings("hinted-handoff=off").unwrap();
        assert!(!off.hinted_handoff);
        let err = Config::default()
            .with_settings("hinted-handoff=yes")
            .unwrap_err();
        assert_eq!(err, "hinted-handoff must be on or off, not `yes`");
    }

    #[test]
    fn anti_entropy_is_a_setting() {
        let c = Config::default()
            .with_settings("ae=merkle,ae-period=40")
            .unwrap();
        let ae = AntiEntropy {
            mode: AeMode::Merkle,
            period: 40,
        };
        assert_eq!(c.anti_entropy, ae);
        assert_eq!(c.settings(), "n=3,r=2,w=2,ae=merkle,ae-period=40");
        let back = Config::default().with_settings(&c.settings()).unwrap();
        assert_eq!(back, c, "the settings text round-trips");
        let digest = Config::default().with_settings("ae=digest,ae-period=20");
        assert_eq!(digest.unwrap(), Config::default(), "the defaults");
        for mode in AeMode::ALL {
            assert_eq!(AeMode::parse(mode.word()), Some(mode));
        }
        let err = |text: &str| Config::default().with_settings(text).unwrap_err();
        assert_eq!(
            err("ae=gossip"),
            "ae must be digest or merkle, not `gossip`"
        );
        assert_eq!(
            err("ae-period=0"),
            "ae-period must be from 1 to 10000 ticks, not 0"
        );
        assert_eq!(
            err("ae-period=10001"),
            "ae-period must be from 1 to 10000 ticks, not 10001"
        );
        assert_eq!(
            err("ae-period=soon"),
            "setting `ae-period`: `soon` is not a whole number"
        );
    }
}
