//! The fault profiles of `ftkv torture` (docs/consistency.md): what faults
//! each one injects for a given N, and which anomalies a run of it must
//! never show under a given replication.

use crate::check::anomaly::Anomaly;
use crate::protocol::address::PeerId;
use crate::protocol::config::Replication;
use crate::scenario::{Action, Timed};
use crate::util::names;
use crate::util::rng::SimRng;

/// A fault profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Profile {
    /// No faults at all.
    None,
    /// Crashes and recoveries, at most N − 1 peers down at once (so at most
    /// N − 1 replicas of any key), spaced by at least the removal timeout.
    Crash,
    /// The same, spaced 3–25 ticks.
    CrashFast,
    /// Up to N + 1 peers down at once (beyond the failure budget).
    CrashHeavy,
    /// Random message loss of 5–30 % on every link.
    Drops,
    /// Per-link delays of 2–40 ticks.
    Delays,
    /// Random two-sided partitions of 10–100 ticks, healed.
    Partitions,
    /// Partitions shorter than the removal timeout: 3 to `t_remove −
    /// t_fail` ticks (a cut may find some peer's news of a member already
    /// up to `t_fail` ticks old).
    ShortPartitions,
    /// A coordinator cut off with one replica of a key.
    Isolate,
    /// All of the above at once.
    Mixed,
}

/// The removal timeout of the default timings, in ticks.
const T_REMOVE: u64 = 20;
/// The suspicion timeout of the default timings, in ticks.
const T_FAIL: u64 = 5;

impl Profile {
    /// Every profile, in the order the table prints them. (`skew` of the
    /// first specification, see docs/consistency.md, needs modelled clocks:
    /// versions here use the one global tick.)
    pub const ALL: [Profile; 10] = [
        Profile::None,
        Profile::Crash,
        Profile::CrashFast,
        Profile::CrashHeavy,
        Profile::Drops,
        Profile::Delays,
        Profile::Partitions,
        Profile::ShortPartitions,
        Profile::Isolate,
        Profile::Mixed,
    ];

    /// The name the CLI takes and prints.
    pub fn name(self) -> &'static str {
        match self {
            Profile::None => "none",
            Profile::Crash => "crash",
            Profile::CrashFast => "crash-fast",
            Profile::CrashHeavy => "crash-heavy",
            Profile::Drops => "drops",
            Profile::Delays => "delays",
            Profile::Partitions => "partitions",
            Profile::ShortPartitions => "short-partitions",
            Profile::Isolate => "isolate",
            Profile::Mixed => "mixed",
        }
    }

    /// The profile called `name`.
    pub fn parse(name: &str) -> Option<Profile> {
        names::find(&Profile::ALL, Profile::name, name)
    }

    /// The faults of one run on `peers` peers between ticks `from` and
    /// `until` for keys with `n` replicas, as timed actions (ascending
    /// ticks). Everything is healed and recovered by the caller afterwards.
    pub fn faults(self, rng: &mut SimRng, peers: u32, n: u8, from: u64, until: u64) -> Vec<Timed> {
        let mut plan = Plan::new(peers);
        // The failure budget: N − 1 down at once; crash-heavy goes 2 past it.
        let budget = usize::from(n) - 1;
        match self {
            Profile::None => {}
            Profile::Crash => plan.crashes(rng, from, until, budget, (T_REMOVE, 3 * T_REMOVE)),
            Profile::CrashFast => plan.crashes(rng, from, until, budget, (3, 25)),
            Profile::CrashHeavy => plan.crashes(rng, from, until, budget + 2, (3, 25)),
            Profile::Drops => plan.loss(rng, from, until),
            Profile::Delays => plan.delays(rng, from, until),
            Profile::Partitions => plan.partitions(rng, from, until, (10, 100)),
            Profile::ShortPartitions => plan.partitions(rng, from, until, (3, T_REMOVE - T_FAIL)),
            Profile::Isolate => plan.isolate(rng, from, until),
            Profile::Mixed => {
                plan.crashes(rng, from, until, budget, (T_REMOVE, 3 * T_REMOVE));
                plan.loss(rng, from, until);
                plan.delays(rng, from, until);
                plan.partitions(rng, from, until, (10, 60));
            }
        }
        plan.finish()
    }
}

/// What a run must never show: its profile's promises under its
/// replication (docs/consistency.md, "What must be zero").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The faults the run had.
    pub profile: Profile,
    /// The N, R and W it ran with.
    pub replication: Replication,
}

impl Rules {
    /// The rules of `profile` under `replication`.
    pub fn new(profile: Profile, replication: Replication) -> Rules {
        Rules {
            profile,
            replication,
        }
    }

    /// Whether anomaly `field` must be zero in every run. With
    /// no faults every anomaly must be zero, except what quorums that do
    /// not meet give up: fresh reads when R + W ≤ N (a read may ask only
    /// replicas the write has not reached yet), and linearizability too
    /// when 2W ≤ N (two concurrent creates may both be acknowledged).
    pub fn must_be_zero(&self, field: Anomaly) -> bool {
        let (profile, rep) = (self.profile, self.replication);
        match field {
            Anomaly::ResurrectedDelete
            | Anomaly::CreateOverwrote
            | Anomaly::OverReplicatedEnd
            | Anomaly::UnderReplicatedEnd
            | Anomaly::DivergentEnd => true,
            Anomaly::LostWrite => profile != Profile::CrashHeavy,
            Anomaly::LivePeerRemoved => !matches!(
                profile,
                Profile::Partitions | Profile::Isolate | Profile::Delays | Profile::Mixed
            ),
            Anomaly::StaleRead | Anomaly::StaleNotFound | Anomaly::ReadRegression => {
                profile == Profile::None && rep.reads_meet_writes()
            }
            Anomaly::NonLinearizableKeys => {
                profile == Profile::None && rep.reads_meet_writes() && rep.writes_meet_writes()
            }
            Anomaly::UnknownKeys | Anomaly::FailedWriteVisible => profile == Profile::None,
        }
    }
}

fn between(rng: &mut SimRng, (low, high): (u64, u64)) -> u64 {
    low + u64::from(rng.below((high - low + 1) as u32))
}

/// Faults being planned.
struct Plan {
    peers: u32,
    actions: Vec<Timed>,
}

impl Plan {
    fn new(peers: u32) -> Plan {
        Plan {
            peers,
            actions: Vec::new(),
        }
    }

    fn at(&mut self, tick: u64, action: Action) {
        self.actions.push(Timed { tick, action });
    }

    fn random_peer(&self, rng: &mut SimRng) -> PeerId {
        PeerId(rng.below(self.peers))
    }

    /// Crashes and recoveries spaced `gap` ticks, at most `max_down` down
    /// (none at all when it is 0).
    fn crashes(
        &mut self,
        rng: &mut SimRng,
        from: u64,
        until: u64,
        max_down: usize,
        gap: (u64, u64),
    ) {
        if max_down == 0 {
            return;
        }
        let mut down: Vec<PeerId> = Vec::new();
        let mut tick = from + between(rng, gap);
        while tick < until {
            let crash = down.len() < max_down && (down.is_empty() || rng.below(2) == 0);
            if crash {
                let id = self.random_peer(rng);
                if !down.contains(&id) {
                    down.push(id);
                    self.at(tick, Action::Fail(id));
                }
            } else {
                let id = down.remove(rng.below(down.len() as u32) as usize);
                self.at(tick, Action::Recover(id));
            }
            tick += between(rng, gap);
        }
        for id in down {
            self.at(until, Action::Recover(id));
        }
    }

    fn loss(&mut self, rng: &mut SimRng, from: u64, until: u64) {
        let percent = between(rng, (5, 30)) as u8;
        self.at(
            from,
            Action::Loss {
                link: None,
                percent,
            },
        );
        self.at(
            until,
            Action::Loss {
                link: None,
                percent: 0,
            },
        );
    }

    fn delays(&mut self, rng: &mut SimRng, from: u64, until: u64) {
        let links = between(rng, (2, u64::from(self.peers) * 2));
        for _ in 0..links {
            let (a, b) = (self.random_peer(rng), self.random_peer(rng));
            if a != b {
                let ticks = between(rng, (2, 40));
                self.at(
                    from,
                    Action::Delay {
                        from: a,
                        to: b,
                        ticks,
                    },
                );
                self.at(
                    until,
                    Action::Delay {
                        from: a,
                        to: b,
                        ticks: 1,
                    },
                );
            }
        }
    }

    fn partitions(&mut self, rng: &mut SimRng, from: u64, until: u64, length: (u64, u64)) {
        let mut tick = from + between(rng, (0, 40));
        while tick < until {
            let size = 1 + rng.below(self.peers / 2);
            let mut side: Vec<PeerId> = Vec::new();
            while side.len() < size as usize {
                let id = self.random_peer(rng);
                if !side.contains(&id) {
                    side.push(id);
                }
            }
            side.sort();
            let heal = (tick + between(rng, length)).min(until);
            self.at(tick, Action::Partition(side));
            self.at(heal, Action::Heal);
            tick = heal + between(rng, (T_REMOVE, 3 * T_REMOVE));
        }
    }

    fn isolate(&mut self, rng: &mut SimRng, from: u64, until: u64) {
        let mut tick = from + between(rng, (0, 40));
        while tick < until {
            let coordinator = self.random_peer(rng);
            let replica = PeerId((coordinator.0 + 1 + rng.below(self.peers - 1)) % self.peers);
            let mut side = vec![coordinator, replica];
            side.sort();
            let heal = (tick + between(rng, (20, 80))).min(until);
            self.at(tick, Action::Partition(side));
            self.at(heal, Action::Heal);
            tick = heal + between(rng, (T_REMOVE, 3 * T_REMOVE));
        }
    }

    fn finish(mut self) -> Vec<Timed> {
        self.actions.sort_by_key(|t| t.tick);
        self.actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::STREAM_DRIVER;

    /// The most peers a plan has down at once.
    fn most_down(plan: &[Timed]) -> usize {
        let mut down = Vec::new();
        let mut most = 0;
        for t in plan {
            match t.action {
                Action::Fail(id) => down.push(id),
                Action::Recover(id) => down.retain(|&d| d != id),
                _ => {}
            }
            most = most.max(down.len());
        }
        most
    }

    /// The most down at once over 40 seeds of `profile` for `n` replicas
    /// on `n + 2` peers.
    fn most_down_over_seeds(profile: Profile, n: u8) -> usize {
        (0..40)
            .map(|seed| {
                let mut rng = SimRng::new(seed, STREAM_DRIVER);
                most_down(&profile.faults(&mut rng, u32::from(n) + 2, n, 60, 700))
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn crash_plans_follow_n() {
        for n in [2, 3, 5, 7] {
            let budget = usize::from(n) - 1;
            for profile in [Profile::Crash, Profile::CrashFast, Profile::Mixed] {
                // Exactly the budget at worst: N − 1 down, never N.
                assert_eq!(
                    most_down_over_seeds(profile, n),
                    budget,
                    "{profile:?} n={n}"
                );
            }
            let heavy = most_down_over_seeds(Profile::CrashHeavy, n);
            assert!(
                (budget + 1..=budget + 2).contains(&heavy),
                "crash-heavy goes past the budget, to N + 1 at most (n={n}): {heavy}"
            );
        }
        assert_eq!(
            most_down_over_seeds(Profile::Crash, 1),
            0,
            "N = 1: no crash"
        );
        assert_eq!(most_down_over_seeds(Profile::CrashHeavy, 1), 2);
    }

    #[test]
    fn quorum_promises_follow_the_replication() {
        let rules = |profile, n, r, w| Rules::new(profile, Replication { n, r, w });
        let reads = [
            Anomaly::StaleRead,
            Anomaly::StaleNotFound,
            Anomaly::ReadRegression,
        ];
        for field in reads.into_iter().chain([Anomaly::NonLinearizableKeys]) {
            assert!(rules(Profile::None, 3, 2, 2).must_be_zero(field), "{field}");
            assert!(rules(Profile::None, 5, 3, 3).must_be_zero(field), "{field}");
            assert!(rules(Profile::None, 3, 1, 3).must_be_zero(field), "{field}");
            assert!(
                !rules(Profile::None, 3, 1, 1).must_be_zero(field),
                "{field}"
            );
            assert!(
                !rules(Profile::None, 5, 2, 3).must_be_zero(field),
                "{field}"
            );
            assert!(
                !rules(Profile::Crash, 3, 2, 2).must_be_zero(field),
                "{field}"
            );
        }
        // R + W > N but 2W ≤ N: reads are fresh, two creates may both win.
        for field in reads {
            assert!(rules(Profile::None, 3, 3, 1).must_be_zero(field), "{field}");
        }
        assert!(!rules(Profile::None, 3, 3, 1).must_be_zero(Anomaly::NonLinearizableKeys));
        for weak in [
            rules(Profile::None, 3, 1, 1),
            rules(Profile::Crash, 5, 1, 1),
        ] {
            for field in [
                Anomaly::LostWrite,
                Anomaly::ResurrectedDelete,
                Anomaly::DivergentEnd,
            ] {
                assert!(weak.must_be_zero(field), "{field} {weak:?}");
            }
        }
        assert!(rules(Profile::None, 3, 1, 1).must_be_zero(Anomaly::FailedWriteVisible));
        assert!(!rules(Profile::CrashHeavy, 3, 1, 1).must_be_zero(Anomaly::LostWrite));
    }
}
