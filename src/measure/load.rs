//! How evenly a ring spreads keys over its peers, and how many keys change
//! owner when one peer joins or one leaves — what `ftkv ring` reports.
//!
//! A key is counted for its *primary*, the first of its replicas: with N
//! replicas each peer holds about N times as many copies, spread the same
//! way. A key *moves* when its primary changes.

use std::fmt;

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::protocol::config::MAX_PEERS;
use crate::protocol::config::MAX_VNODES;
use crate::protocol::ring::{key_position, Ring};

/// The most keys measured at once.
pub const MAX_KEYS: u64 = 1_000_000;

/// The load of one ring: keys per peer, and keys moved by a join and a
/// leave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Load {
    /// Peers on the ring, ids 0..peers.
    pub peers: u32,
    /// Tokens per peer.
    pub vnodes: u16,
    /// Keys placed: `key0`, `key1`, ….
    pub keys: u32,
    /// The fewest keys a peer is primary for.
    pub min: u32,
    /// Keys per peer on average (keys / peers).
    pub mean: f64,
    /// The most keys a peer is primary for.
    pub max: u32,
    /// `max / mean`: 1 is a perfect spread.
    pub max_over_mean: f64,
    /// Keys whose primary changes when peer `peers` (one more) joins.
    pub moved_on_join: u32,
    /// Keys whose primary changes when peer 0 leaves (all of them when it
    /// was the only one).
    pub moved_on_leave: u32,
}

/// Why a ring was not measured: a setting out of its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutOfRange {
    /// The setting: `peers`, `vnodes` or `keys`.
    pub name: &'static str,
    /// Its value.
    pub value: u64,
    /// Its largest value (the smallest is 1).
    pub max: u64,
}

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let OutOfRange { name, value, max } = self;
        write!(f, "{name} must be from 1 to {max}, not {value}")
    }
}

impl std::error::Error for OutOfRange {}

/// Checks 1 ≤ `value` ≤ `max`; the error names the setting.
fn within(name: &'static str, value: u64, max: u64) -> Result<u64, OutOfRange> {
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(OutOfRange { name, value, max })
    }
}

/// The primary of each key position on `ring`.
fn primaries(ring: &Ring, positions: &[u64]) -> Vec<Option<PeerId>> {
    let primary = |&p: &u64| ring.replicas_at(p).as_slice().first().copied();
    positions.iter().map(primary).collect()
}

impl Load {
    /// Measures peers 0..`peers` with `vnodes` tokens each and the keys
    /// `key0..key{keys-1}`. Refuses, naming the problem, `peers` outside
    /// 1..=[`MAX_PEERS`], `vnodes` outside 1..=`MAX_VNODES` and `keys`
    /// outside 1..=[`MAX_KEYS`].
    pub fn measure(peers: u64, vnodes: u64, keys: u64) -> Result<Load, OutOfRange> {
        let peers = within("peers", peers, u64::from(MAX_PEERS))? as u32;
        let vnodes = within("vnodes", vnodes, u64::from(MAX_VNODES))? as u16;
        let keys = within("keys", keys, MAX_KEYS)? as u32;
        let positions: Vec<u64> = (0..keys)
            .map(|i| key_position(&format!("key{i}")))
            .collect();
        let mut ring = Ring::new().with_n(1).with_vnodes(vnodes);
        ring.extend((0..peers).map(PeerId));
        let owners = primaries(&ring, &positions);
        let moved = |changed: Ring| {
            let after = primaries(&changed, &positions);
            after.iter().zip(&owners).filter(|(a, b)| a != b).count() as u32
        };
        let mut joined = ring.clone();
        joined.insert(PeerId(peers));
        let mut left = ring.clone();
        left.remove(PeerId(0));
        let mut counts = vec![0u32; peers as usize];
        for owner in owners.iter().flatten() {
            counts[owner.0 as usize] += 1;
        }
        let max = counts.iter().copied().max().unwrap_or(0);
        let mean = f64::from(keys) / f64::from(peers);
        Ok(Load {
            peers,
            vnodes,
            keys,
            min: counts.iter().copied().min().unwrap_or(0),
            mean,
            max,
            max_over_mean: f64::from(max) / mean,
            moved_on_join: moved(joined),
            moved_on_leave: moved(left),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_counted_once() {
        let load = Load::measure(7, 8, 5000).unwrap();
        assert!(load.min <= load.max);
        assert!((load.mean - 5000.0 / 7.0).abs() < 1e-9);
        assert!(load.moved_on_join > 0 && load.moved_on_join < 5000);
        assert!(load.moved_on_leave > 0 && load.moved_on_leave < 5000);
    }

    #[test]
    fn a_lone_peer_owns_everything_and_loses_it_all_on_leaving() {
        let load = Load::measure(1, 3, 100).unwrap();
        assert_eq!((load.min, load.max, load.max_over_mean), (100, 100, 1.0));
        assert_eq!(load.moved_on_leave, 100);
    }

    #[test]
    fn bad_input_names_the_problem() {
        assert_eq!(
            Load::measure(0, 1, 1).unwrap_err().to_string(),
            "peers must be from 1 to 4096, not 0"
        );
        assert_eq!(
            Load::measure(1, 257, 1).unwrap_err().to_string(),
            "vnodes must be from 1 to 256, not 257"
        );
        assert_eq!(
            Load::measure(1, 1, 1_000_001).unwrap_err().to_string(),
            "keys must be from 1 to 1000000, not 1000001"
        );
        let err = Load::measure(1, 0, 1).unwrap_err();
        assert_eq!(
            err,
            OutOfRange {
                name: "vnodes",
                value: 0,
                max: 256
            }
        );
    }
}
