//! Checkpoints for time travel: copies of a run's state at regular ticks,
//! so that any earlier tick is reached by restoring the nearest checkpoint
//! at or before it and replaying at most one interval of ticks.
//!
//! A [`Timeline`] keeps a checkpoint every [`EVERY`] ticks (tick 0 always),
//! at most [`capacity`] of them. When one more would not fit, every other
//! checkpoint is dropped (tick 0 stays) and the interval doubles, so the
//! checkpoints always cover the whole run evenly and their memory stays
//! bounded: at most `capacity` copies of the state, whatever the length of
//! the run. The state is whatever the owner saves (a
//! [`crate::scenario::Session`] saves its simulation, the lengths of its
//! event log and action list, and its readers); the timeline only decides
//! when to save and which copy to start a replay from.

use std::collections::BTreeMap;

/// The first interval between checkpoints, in ticks.
pub(crate) const EVERY: u64 = 100;

/// The memory the checkpoints of one run may take, in bytes, as estimated
/// by [`capacity`].
pub(crate) const BUDGET_BYTES: u64 = 64 * 1024 * 1024;

/// The most checkpoints a run keeps, however small its cluster.
pub(crate) const MAX_CHECKPOINTS: usize = 64;

/// The fewest checkpoints a run keeps (tick 0 and one more), however large
/// its cluster.
pub(crate) const MIN_CHECKPOINTS: usize = 2;

/// Estimated bytes of a simulation per pair of peers: every peer's
/// membership list holds every other peer (measured 86 to 120 bytes per
/// pair at 100 and 1,000 peers with keys stored; `cargo bench` prints the
/// real figure).
const BYTES_PER_PAIR: u64 = 128;

/// How many checkpoints a run of `peers` peers keeps: `BUDGET_BYTES`
/// divided by the estimated size of one copy of its simulation, between
/// `MIN_CHECKPOINTS` and `MAX_CHECKPOINTS`.
pub fn capacity(peers: u32) -> usize {
    let pairs = u64::from(peers) * u64::from(peers);
    let fits = BUDGET_BYTES / (pairs * BYTES_PER_PAIR).max(1);
    usize::try_from(fits)
        .unwrap_or(MAX_CHECKPOINTS)
        .clamp(MIN_CHECKPOINTS, MAX_CHECKPOINTS)
}

/// Copies of a run's state `T` at regular ticks.
#[derive(Clone, Debug)]
pub struct Timeline<T> {
    saved: BTreeMap<u64, T>,
    every: u64,
    capacity: usize,
}

impl<T> Timeline<T> {
    /// A timeline whose first checkpoint is `start`, at tick 0, keeping at
    /// most `capacity` checkpoints (at least [`MIN_CHECKPOINTS`]).
    pub fn new(start: T, capacity: usize) -> Timeline<T> {
        Timeline {
            saved: BTreeMap::from([(0, start)]),
            every: EVERY,
            capacity: capacity.max(MIN_CHECKPOINTS),
        }
    }

    /// Whether a checkpoint is due at `tick`: a multiple of the interval
    /// later than every checkpoint kept.
    pub fn due(&self, tick: u64) -> bool {
        tick % self.every == 0 && self.saved.last_key_value().is_some_and(|(&t, _)| tick > t)
    }

    /// Keeps `state` as the checkpoint of `tick`; when that makes one too
    /// many, drops every other checkpoint and doubles the interval.
    pub fn save(&mut self, tick: u64, state: T) {
        self.saved.insert(tick, state);
        while self.saved.len() > self.capacity {
            self.every *= 2;
            let every = self.every;
            self.saved.retain(|&t, _| t % every == 0);
        }
    }

    /// The latest checkpoint at or before `tick`, with its tick.
    pub fn latest(&self, tick: u64) -> (u64, &T) {
        let (&at, state) = self
            .saved
            .range(..=tick)
            .next_back()
            .expect("the checkpoint of tick 0 is always kept");
        (at, state)
    }

    /// Forgets the checkpoints after `tick` (a fork: their future is gone).
    pub fn drop_after(&mut self, tick: u64) {
        self.saved.split_off(&(tick + 1));
    }

    /// The ticks of the checkpoints kept, in order.
    pub fn ticks(&self) -> impl Iterator<Item = u64> + '_ {
        self.saved.keys().copied()
    }

    /// The ticks between checkpoints now.
    pub fn every(&self) -> u64 {
        self.every
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Saves the tick itself at every due tick up to `end`.
    fn run(capacity: usize, end: u64) -> Timeline<u64> {
        let mut t = Timeline::new(0, capacity);
        for tick in 1..=end {
            if t.due(tick) {
                t.save(tick, tick);
            }
        }
        t
    }

    #[test]
    fn checkpoints_every_interval_and_the_latest_at_or_before() {
        let t = run(64, 2_050);
        assert_eq!(t.ticks().count(), 21);
        assert_eq!(t.latest(0), (0, &0));
        assert_eq!(t.latest(99), (0, &0));
        assert_eq!(t.latest(100), (100, &100));
        assert_eq!(t.latest(2_049), (2_000, &2_000));
    }

    #[test]
    fn a_full_timeline_thins_out_evenly_and_stays_bounded() {
        let t = run(8, 20_000);
        let ticks: Vec<u64> = t.ticks().collect();
        assert!(ticks.len() <= 8, "{ticks:?}");
        assert_eq!(ticks[0], 0);
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == t.every()));
        assert!(20_000 - ticks[ticks.len() - 1] < t.every());
    }

    #[test]
    fn a_fork_forgets_the_future_and_checkpoints_again() {
        let mut t = run(64, 1_000);
        t.drop_after(450);
        assert_eq!(t.ticks().last(), Some(400));
        assert!(!t.due(400) && t.due(500));
        t.drop_after(0);
        assert_eq!(t.ticks().collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn the_capacity_follows_the_cluster_size() {
        assert_eq!(capacity(10), MAX_CHECKPOINTS);
        assert_eq!(capacity(100), 52);
        assert_eq!(capacity(1_000), MIN_CHECKPOINTS);
    }
}
