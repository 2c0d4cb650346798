//! One configuration of the protocol: every timing, the replication
//! factors N, R and W (3, 2 and 2 by default) and the tokens each peer
//! owns on the ring (1 by default).

use crate::membership::MembershipTimings;
use crate::op::OpKind;
use crate::store::StoreTimings;

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

    /// Checks 1 ≤ R, W ≤ N ≤ [`MAX_N`]; the error names the problem.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_N).contains(&self.n) {
            return Err(format!("N must be 1..={MAX_N}, not {}", self.n));
        }
        for (name, value) in [("R", self.r), ("W", self.w)] {
            if !(1..=self.n).contains(&value) {
                return Err(format!("{name} must be 1..=N ({}), not {value}", self.n));
            }
        }
        Ok(())
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            membership: MembershipTimings::default(),
            op_timeout: 10,
            store: StoreTimings::default(),
            replication: Replication::default(),
            vnodes: 1,
        }
    }
}

/// Checks 1 ≤ `vnodes` ≤ [`MAX_VNODES`]; the error names the problem.
pub fn validate_vnodes(vnodes: u16) -> Result<(), String> {
    if (1..=MAX_VNODES).contains(&vnodes) {
        Ok(())
    } else {
        Err(format!("vnodes must be 1..={MAX_VNODES}, not {vnodes}"))
    }
}

impl Config {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_is_checked() {
        assert!(Replication::default().validate().is_ok());
        assert!(Replication { n: 5, r: 1, w: 5 }.validate().is_ok());
        let bad = |n, r, w| Replication { n, r, w }.validate().unwrap_err();
        assert_eq!(bad(8, 2, 2), "N must be 1..=7, not 8");
        assert_eq!(bad(0, 1, 1), "N must be 1..=7, not 0");
        assert_eq!(bad(3, 4, 2), "R must be 1..=N (3), not 4");
        assert_eq!(bad(3, 2, 0), "W must be 1..=N (3), not 0");
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
        assert_eq!(ring(0, 10).unwrap_err(), "vnodes must be 1..=256, not 0");
        assert_eq!(
            ring(257, 10).unwrap_err(),
            "vnodes must be 1..=256, not 257"
        );
        assert_eq!(
            ring(256, 65).unwrap_err(),
            "peers × vnodes must be at most 16384 (every peer keeps a ring of every token), not 65 × 256 = 16640"
        );
    }
}
