//! How healthy the ring is: where each key has live copies, the counters
//! the page shows ([`crate::view::Health`] is built from [`copies`] and
//! [`Tally`]), and [`Samples`] of those counters recorded as a run
//! advances, so the page can plot them over the whole run.
//!
//! A [`Sample`] is taken at every [`Samples::every`]-th tick, after the
//! tick ran and before the actions of that tick, the same point in a live
//! run, a replay after [`crate::scenario::Session::seek`] and a fresh
//! replay of a share link. The interval only depends on the cluster size
//! (the longest run it may have, divided by [`MAX_SAMPLES`]), so the
//! samples of a run are the same however it was reached, and bounded.

use std::collections::BTreeMap;

use crate::protocol::address::PeerId;
use crate::protocol::config::Replication;
use crate::sim::cluster::{PeerState, Sim};

/// The most samples one run keeps.
pub(crate) const MAX_SAMPLES: u64 = 4096;

/// Calls `f` for every copy of a key some peer holds (tombstones are no
/// copies: a deleted key leaves the ring), with the holder's id and
/// whether the copy is a hint for a home replica when the holder is live,
/// `None` when it failed.
fn each_copy<'a>(sim: &'a Sim, mut f: impl FnMut(&'a str, Option<(u32, bool)>)) {
    for id in (0..sim.peer_count()).map(PeerId) {
        let (Some(peer), Some(state)) = (sim.peer(id), sim.state(id)) else {
            continue;
        };
        let alive = state == PeerState::Alive;
        for k in peer.store().keys().filter(|k| k.stored.is_live()) {
            f(k.key, alive.then_some((id.0, k.hint.is_some())));
        }
    }
}

/// Per key held anywhere: the live peers holding a copy (hints aside) and
/// the live peers keeping a hint of it for a home replica, ids ascending.
pub(crate) fn copies(sim: &Sim) -> BTreeMap<&str, (Vec<u32>, Vec<u32>)> {
    let mut holders: BTreeMap<&str, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
    each_copy(sim, |key, holder| {
        let (copies, hints) = holders.entry(key).or_default();
        match holder {
            Some((id, true)) => hints.push(id),
            Some((id, false)) => copies.push(id),
            None => {}
        }
    });
    holders
}

/// How many keys have too few or too many live copies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Keys with fewer than N live copies.
    pub under_replicated: u32,
    /// Keys with fewer live copies than R or W (a quorum is out of reach).
    pub below_quorum: u32,
    /// Keys with more than N live copies.
    pub over_replicated: u32,
}

impl Tally {
    /// Counts the keys whose live copies number `counts`, under `rep`.
    pub(crate) fn of(counts: impl Iterator<Item = usize>, rep: Replication) -> Tally {
        let mut t = Tally::default();
        for n in counts {
            t.under_replicated += u32::from(n < usize::from(rep.n));
            t.below_quorum += u32::from(n < usize::from(rep.r.max(rep.w)));
            t.over_replicated += u32::from(n > usize::from(rep.n));
        }
        t
    }
}

/// The counters of one tick that the page plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The tick (sampled after the tick before it ran, before its actions).
    pub tick: u64,
    /// Peers failed.
    pub failed: u32,
    /// Keys with fewer than N live copies.
    pub under_replicated: u32,
    /// Keys with fewer live copies than R or W.
    pub below_quorum: u32,
    /// Messages in flight.
    pub in_flight: u32,
}

impl Sample {
    /// The counters of `sim` now.
    pub fn of(sim: &Sim) -> Sample {
        let rep = sim.options().config.replication;
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        each_copy(sim, |key, holder| {
            *counts.entry(key).or_default() += usize::from(matches!(holder, Some((_, false))));
        });
        let tally = Tally::of(counts.into_values(), rep);
        let failed = (0..sim.peer_count())
            .filter(|&i| sim.state(PeerId(i)) == Some(PeerState::Failed))
            .count();
        Sample {
            tick: sim.now(),
            failed: u32::try_from(failed).unwrap_or(u32::MAX),
            under_replicated: tally.under_replicated,
            below_quorum: tally.below_quorum,
            in_flight: u32::try_from(sim.network().in_flight_count()).unwrap_or(u32::MAX),
        }
    }
}

/// The samples of a run, in tick order, one every [`Samples::every`]
/// ticks from tick 0 up to the furthest tick reached.
#[derive(Clone, Debug)]
pub struct Samples {
    every: u64,
    kept: Vec<Sample>,
}

impl Samples {
    /// No samples yet, for a run of at most `max_ticks` ticks: one every
    /// `max_ticks / MAX_SAMPLES` ticks (rounded up, at least 1).
    pub fn new(max_ticks: u64) -> Samples {
        Samples {
            every: max_ticks.div_ceil(MAX_SAMPLES).max(1),
            kept: Vec::new(),
        }
    }

    /// Samples `sim` if its tick is due (a multiple of the interval) and
    /// not sampled yet; a replay of ticks already sampled adds nothing.
    pub fn take(&mut self, sim: &Sim) {
        let now = sim.now();
        let fresh = self.kept.last().is_none_or(|s| s.tick < now);
        if now % self.every == 0 && fresh {
            self.kept.push(Sample::of(sim));
        }
    }

    /// Forgets the samples after `tick` (a fork: their future is gone).
    pub fn drop_after(&mut self, tick: u64) {
        let keep = self.kept.partition_point(|s| s.tick <= tick);
        self.kept.truncate(keep);
    }

    /// Every sample, in tick order.
    pub fn all(&self) -> &[Sample] {
        &self.kept
    }

    /// The ticks between two samples.
    pub fn every(&self) -> u64 {
        self.every
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cluster::SimOptions;

    #[test]
    fn samples_are_taken_once_per_due_tick_and_forgotten_after_a_fork() {
        let mut sim = Sim::new(SimOptions::new(4, 1)).unwrap();
        let mut samples = Samples::new(3 * MAX_SAMPLES);
        assert_eq!(samples.every(), 3);
        for _ in 0..10 {
            samples.take(&sim);
            samples.take(&sim);
            sim.run_tick();
        }
        let ticks: Vec<u64> = samples.all().iter().map(|s| s.tick).collect();
        assert_eq!(ticks, [0, 3, 6, 9]);
        samples.drop_after(5);
        assert_eq!(samples.all().len(), 2);
        assert_eq!(Samples::new(10).every(), 1);
    }

    #[test]
    fn the_tally_counts_keys_by_their_live_copies() {
        let rep = Replication::default();
        let t = Tally::of([3, 2, 1, 0, 4].into_iter(), rep);
        assert_eq!(
            (t.under_replicated, t.below_quorum, t.over_replicated),
            (3, 2, 1)
        );
    }
}
