//! The bounds on a scenario and its share link: a link is untrusted input,
//! so its size, cluster, length, action count and replay work are bounded.

/// The longest share link accepted, in bytes.
pub const MAX_LINK_BYTES: usize = 64 * 1024;
/// The largest cluster a share link may ask for.
pub(crate) const MAX_LINK_PEERS: u32 = 1000;
/// The most actions a share link may hold.
pub(crate) const MAX_ACTIONS: usize = 2000;
/// The latest tick a share link may ask to replay to.
pub(crate) const MAX_TICK: u64 = 20_000;
/// Bound on replay work: peers² × ticks (1,000 peers: 1,000 ticks).
pub(crate) const MAX_WORK: u64 = 1_000_000_000;

/// The longest run of `peers` peers a share link may replay: a bound on
/// the work of a replay, peers² × ticks, and at most [`MAX_TICK`].
pub(crate) fn longest_run(peers: u32) -> u64 {
    let peers = u64::from(peers.max(1));
    (MAX_WORK / (peers * peers)).min(MAX_TICK)
}
