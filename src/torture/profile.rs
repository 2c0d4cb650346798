//! The fault profiles of `ftkv torture` (docs/consistency.md): what faults
//! each one injects, spread around the timeouts of the run's own
//! configuration.

use crate::protocol::address::PeerId;
use crate::protocol::config::Config;
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
    /// The same, spaced 3 to `t_fail + t_remove` ticks.
    CrashFast,
    /// Up to N + 1 peers down at once (beyond the failure budget).
    CrashHeavy,
    /// Random message loss of 5–30 % on every link.
    Drops,
    /// Per-link delays of 2–40 ticks.
    Delays,
    /// Random two-sided partitions, healed, of lengths spread below, at
    /// and above `t_fail`, `t_remove − 1`, `t_remove` and `t_fail +
    /// t_remove`, up to 5 × `t_remove`.
    Partitions,
    /// Partitions that cannot remove a live peer: up to `t_remove −
    /// t_fail` ticks (a cut may find some peer's news of a member already
    /// up to `t_fail` ticks old), below, at and above `t_fail`.
    ShortPartitions,
    /// A peer cut off with one other peer.
    Isolate,
    /// One cut around the tombstone grace (mostly longer), started while
    /// the workload runs, so deletes fall inside it.
    LongPartitions,
    /// A side cut off, one of its peers crashed while cut, recovered after
    /// the heal; cuts across every timeout, the grace included, and
    /// recoveries up to past the grace.
    CutCrash,
    /// Crashes (up to N down at once), partitions and 10–30 % loss at once.
    Storm,
    /// A partition started while stabilization moves keys: `t_remove` to
    /// `t_remove + 2 t_fail` ticks after a crash, as its removal lands.
    StabCut,
    /// The workload and the faults start at tick 1, while the cluster is
    /// still forming: loss, a cut and a crash in the first ticks, then
    /// crashes within the budget.
    Formation,
    /// Everything together, from tick 1: crashes within the budget, loss,
    /// delays, and a run of cuts, cut-crashes, stab-cuts and long cuts.
    Mixed,
}

impl Profile {
    /// Every profile, in the order the table prints them. (`skew` of the
    /// first specification, see docs/consistency.md, needs modelled clocks:
    /// versions here use the one global tick.)
    pub const ALL: [Profile; 15] = [
        Profile::None,
        Profile::Crash,
        Profile::CrashFast,
        Profile::CrashHeavy,
        Profile::Drops,
        Profile::Delays,
        Profile::Partitions,
        Profile::ShortPartitions,
        Profile::Isolate,
        Profile::LongPartitions,
        Profile::CutCrash,
        Profile::Storm,
        Profile::StabCut,
        Profile::Formation,
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
            Profile::LongPartitions => "long-partitions",
            Profile::CutCrash => "cut-crash",
            Profile::Storm => "storm",
            Profile::StabCut => "stab-cut",
            Profile::Formation => "formation",
            Profile::Mixed => "mixed",
        }
    }

    /// The profile called `name`.
    pub fn parse(name: &str) -> Option<Profile> {
        names::find(&Profile::ALL, Profile::name, name)
    }

    /// Whether its workload and faults start while the cluster is still
    /// forming (tick 1) rather than once it has formed.
    pub fn forming(self) -> bool {
        matches!(self, Profile::Formation | Profile::Mixed)
    }

    /// Whether it makes cuts around the tombstone grace, so that its
    /// workload must span at least the grace and a few removals.
    pub fn long(self) -> bool {
        matches!(
            self,
            Profile::LongPartitions | Profile::CutCrash | Profile::Mixed
        )
    }

    /// The fewest peers a run of it has for `n` replicas: N + 2 where more
    /// than N − 1 may be down at once (so a peer stays up), else N + 1.
    pub fn min_peers(self, n: u8) -> u32 {
        let extra = match self {
            Profile::CrashHeavy | Profile::Storm => 2,
            _ => 1,
        };
        u32::from(n) + extra
    }

    /// The faults of one run on `peers` peers between ticks `from` and
    /// `until` under `config`, as timed actions (ascending ticks). A cut or
    /// a recovery begun before `until` may end after it. Everything is
    /// healed and recovered by the caller afterwards.
    pub fn faults(
        self,
        rng: &mut SimRng,
        config: &Config,
        peers: u32,
        from: u64,
        until: u64,
    ) -> Vec<Timed> {
        let t = Timeouts::of(config);
        let mut plan = Plan::new(peers, t);
        // The failure budget: N − 1 down at once; crash-heavy goes 2 past it.
        let budget = usize::from(config.replication.n) - 1;
        let slow = (t.t_remove, 3 * t.t_remove);
        let fast = (3, t.t_fail + t.t_remove);
        let first_cut = from + between(rng, (0, 40));
        match self {
            Profile::None => {}
            Profile::Crash => {
                let first = from + between(rng, slow);
                plan.crashes(rng, first, until, budget, slow);
            }
            Profile::CrashFast | Profile::CrashHeavy => {
                let first = from + between(rng, fast);
                let most = budget + if self == Profile::CrashHeavy { 2 } else { 0 };
                plan.crashes(rng, first, until, most, fast);
            }
            Profile::Drops => plan.loss(rng, from, until, (5, 30)),
            Profile::Delays => plan.delays(rng, from, until),
            Profile::Partitions => {
                plan.timeline(rng, first_cut, until, &[Episode::Cut], &t.medium())
            }
            Profile::ShortPartitions => {
                plan.timeline(rng, first_cut, until, &[Episode::Cut], &t.short())
            }
            Profile::Isolate => plan.isolate(rng, first_cut, until),
            Profile::LongPartitions => {
                // Begun in the workload's first half: half of it or more
                // runs inside the cut.
                let start = between(rng, (from, from + until.saturating_sub(from) / 2));
                plan.episode(rng, Episode::Long, start, &t.long());
            }
            Profile::CutCrash => {
                plan.timeline(rng, first_cut, until, &[Episode::CutCrash], &t.every())
            }
            Profile::Storm => {
                plan.loss(rng, from, until, (10, 30));
                let lengths: Vec<Band> = t.medium().into_iter().filter(|b| b.0 >= 3).collect();
                let length = pick(rng, &lengths);
                plan.cut(rng, first_cut, length);
                // The first crash falls inside the first cut, under loss.
                let crash = first_cut + between(rng, (1, length - 1));
                plan.crashes(rng, crash, until, budget + 1, fast);
                let next = first_cut + length + between(rng, slow);
                plan.timeline(rng, next, until, &[Episode::Cut], &lengths);
            }
            Profile::StabCut => {
                plan.timeline(rng, first_cut, until, &[Episode::StabCut], &t.medium())
            }
            Profile::Formation => {
                let lossy = from + between(rng, slow);
                plan.loss(rng, from, lossy, (10, 30));
                let (cut, length) = (from + between(rng, (0, 3)), pick(rng, &t.medium()));
                plan.cut(rng, cut, length);
                let crash = from + between(rng, (0, 3));
                let back = plan.early_crash(rng, crash);
                let first = back + between(rng, slow);
                plan.crashes(rng, first, until, budget, slow);
            }
            Profile::Mixed => {
                let first = from + between(rng, slow);
                plan.crashes(rng, first, until, budget, slow);
                plan.loss(rng, from, until, (5, 30));
                plan.delays(rng, from, until);
                let episodes = [
                    Episode::Cut,
                    Episode::Cut,
                    Episode::CutCrash,
                    Episode::StabCut,
                    Episode::Long,
                ];
                let first = from + between(rng, (0, 3));
                plan.timeline(rng, first, until, &episodes, &t.medium());
            }
        }
        plan.finish()
    }
}

/// The timeouts of a run's configuration that its faults are spread
/// around, in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Silence before a member is suspected.
    pub t_fail: u64,
    /// Silence before a member is removed.
    pub t_remove: u64,
    /// How long a tombstone is kept.
    pub grace: u64,
}

/// An inclusive range of ticks.
pub(crate) type Band = (u64, u64);

impl Timeouts {
    /// The timeouts of `config`.
    pub fn of(config: &Config) -> Timeouts {
        Timeouts {
            t_fail: config.membership.t_fail,
            t_remove: config.membership.t_remove,
            grace: config.store.tombstone_grace,
        }
    }

    /// The longest cut that removes no live peer, `t_remove − 1`: a member
    /// is removed once it has been suspected for `t_remove` ticks, and a
    /// cut's heal refreshes every member within a tick.
    pub fn safe_cut(&self) -> u64 {
        self.t_remove - 1
    }

    /// Cut lengths that remove no live peer: 1 to [`Timeouts::safe_cut`],
    /// below, at and above `t_fail` and up to the safe cut.
    fn short(&self) -> Vec<Band> {
        let safe = self.safe_cut();
        bands(&[self.t_fail, safe], 1, safe)
    }

    /// Cut lengths below, at and above every membership timeout (`t_fail`,
    /// the safe cut, `t_remove`, `t_fail + t_remove`), up to 5 ×
    /// `t_remove`.
    fn medium(&self) -> Vec<Band> {
        let (f, r) = (self.t_fail, self.t_remove);
        bands(&[f, self.safe_cut(), r, f + r], 1, 5 * r)
    }

    /// Cut lengths around the tombstone grace, a quarter each: below it
    /// (from `grace − t_remove`), at it, up to `t_remove` above it, and
    /// from there to twice the grace (or just there, if the grace is
    /// shorter than `t_remove`).
    fn long(&self) -> Vec<Band> {
        let (g, r) = (self.grace, self.t_remove);
        vec![
            (g.saturating_sub(r).max(1), g.saturating_sub(1).max(1)),
            (g, g),
            (g + 1, g + r),
            (g + r, (2 * g).max(g + r)),
        ]
    }

    /// Every length: [`Timeouts::medium`]'s and [`Timeouts::long`]'s.
    fn every(&self) -> Vec<Band> {
        let mut all = self.medium();
        all.extend(self.long());
        all
    }
}

/// Bands of lengths in `lo..=hi` spread around `thresholds`: for each, the
/// two ticks below it, it, the two above it, and the stretches between
/// (every band as likely as any other when drawn with [`pick`]).
fn bands(thresholds: &[u64], lo: u64, hi: u64) -> Vec<Band> {
    let mut sorted = thresholds.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut raw = Vec::new();
    let mut next = lo;
    for &t in &sorted {
        raw.push((next, t.saturating_sub(3)));
        raw.push((t.saturating_sub(2), t.saturating_sub(1)));
        raw.push((t, t));
        raw.push((t + 1, t + 2));
        next = next.max(t + 3);
    }
    raw.push((next, hi));
    let mut out: Vec<Band> = Vec::new();
    for (a, b) in raw {
        let band = (a.max(lo), b.min(hi));
        if band.0 <= band.1 && !out.contains(&band) {
            out.push(band);
        }
    }
    if out.is_empty() {
        out.push((lo, lo));
    }
    out
}

fn between(rng: &mut SimRng, (low, high): Band) -> u64 {
    low + u64::from(rng.below((high - low + 1) as u32))
}

/// A length from one of `bands`, the band drawn first.
fn pick(rng: &mut SimRng, bands: &[Band]) -> u64 {
    let band = bands[rng.below(bands.len() as u32) as usize];
    between(rng, band)
}

/// One stretch of a run of cuts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Episode {
    /// A side cut off and healed.
    Cut,
    /// A side cut off, one of its peers crashed while cut and recovered
    /// after the heal.
    CutCrash,
    /// A crash, then a cut as its removal lands.
    StabCut,
    /// A cut around the tombstone grace.
    Long,
}

/// Faults being planned.
struct Plan {
    peers: u32,
    timeouts: Timeouts,
    actions: Vec<Timed>,
    /// Network faults (loss, delays) that hold from one tick until before
    /// another: put back after every heal in between.
    background: Vec<(Band, Action)>,
}

impl Plan {
    fn new(peers: u32, timeouts: Timeouts) -> Plan {
        Plan {
            peers,
            timeouts,
            actions: Vec::new(),
            background: Vec::new(),
        }
    }

    fn at(&mut self, tick: u64, action: Action) {
        self.actions.push(Timed { tick, action });
    }

    fn random_peer(&self, rng: &mut SimRng) -> PeerId {
        PeerId(rng.below(self.peers))
    }

    /// A side of 1 to peers / 2 random peers (at least 1), `with` among
    /// them if given, sorted.
    fn side(&self, rng: &mut SimRng, with: Option<PeerId>) -> Vec<PeerId> {
        let size = 1 + rng.below((self.peers / 2).max(1));
        let mut side: Vec<PeerId> = with.into_iter().collect();
        while side.len() < size as usize {
            let id = self.random_peer(rng);
            if !side.contains(&id) {
                side.push(id);
            }
        }
        side.sort();
        side
    }

    /// A network fault from `from` until `until`, undone there by `undo`.
    fn background(&mut self, (from, until): Band, action: Action, undo: Action) {
        self.at(from, action.clone());
        self.at(until, undo);
        self.background.push(((from, until), action));
    }

    /// Crashes and recoveries, the first at `first`, then spaced `gap`
    /// ticks, at most `max_down` down (none at all when it is 0).
    fn crashes(&mut self, rng: &mut SimRng, first: u64, until: u64, max_down: usize, gap: Band) {
        if max_down == 0 {
            return;
        }
        let mut down: Vec<PeerId> = Vec::new();
        let mut tick = first;
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

    /// Loss of `percent` (drawn once) on every link from `from` until
    /// `until`.
    fn loss(&mut self, rng: &mut SimRng, from: u64, until: u64, percent: Band) {
        let percent = between(rng, percent) as u8;
        let loss = |percent| Action::Loss {
            link: None,
            percent,
        };
        self.background((from, until), loss(percent), loss(0));
    }

    fn delays(&mut self, rng: &mut SimRng, from: u64, until: u64) {
        let links = between(rng, (2, u64::from(self.peers) * 2));
        for _ in 0..links {
            let (a, b) = (self.random_peer(rng), self.random_peer(rng));
            if a != b {
                let ticks = between(rng, (2, 40));
                let delay = |ticks| Action::Delay {
                    from: a,
                    to: b,
                    ticks,
                };
                self.background((from, until), delay(ticks), delay(1));
            }
        }
    }

    /// A random side cut off at `tick` for `length` ticks.
    fn cut(&mut self, rng: &mut SimRng, tick: u64, length: u64) {
        let side = self.side(rng, None);
        self.at(tick, Action::Partition(side));
        self.at(tick + length, Action::Heal);
    }

    /// Episodes of `kinds` (drawn each time) from `first` while they begin
    /// before `until`, `t_remove` to 3 × `t_remove` ticks apart; plain cuts
    /// and stab-cuts draw their lengths from `lengths`.
    fn timeline(
        &mut self,
        rng: &mut SimRng,
        first: u64,
        until: u64,
        kinds: &[Episode],
        lengths: &[Band],
    ) {
        let r = self.timeouts.t_remove;
        let mut tick = first;
        while tick < until {
            let kind = kinds[rng.below(kinds.len() as u32) as usize];
            tick = self.episode(rng, kind, tick, lengths) + between(rng, (r, 3 * r));
        }
    }

    /// One episode of `kind` from `tick`; returns the tick it is over.
    fn episode(&mut self, rng: &mut SimRng, kind: Episode, tick: u64, lengths: &[Band]) -> u64 {
        let t = self.timeouts;
        match kind {
            Episode::Cut => {
                let length = pick(rng, lengths);
                self.cut(rng, tick, length);
                tick + length
            }
            Episode::Long => {
                let length = pick(rng, &t.long());
                self.cut(rng, tick, length);
                tick + length
            }
            Episode::CutCrash => {
                let length = pick(rng, &t.every()).max(2);
                let victim = self.random_peer(rng);
                let side = self.side(rng, Some(victim));
                self.at(tick, Action::Partition(side));
                let crash = tick + pick(rng, &bands(&[t.t_fail, t.t_remove], 1, length - 1));
                self.at(crash, Action::Fail(victim));
                let heal = tick + length;
                self.at(heal, Action::Heal);
                let back = heal
                    + pick(
                        rng,
                        &bands(&[t.t_fail, t.t_remove, t.grace], 1, t.grace + t.t_remove),
                    );
                self.at(back, Action::Recover(victim));
                back
            }
            Episode::StabCut => {
                let victim = self.random_peer(rng);
                self.at(tick, Action::Fail(victim));
                let start = tick + between(rng, (t.t_remove, t.t_remove + 2 * t.t_fail));
                let length = pick(rng, lengths);
                self.cut(rng, start, length);
                let heal = start + length;
                let back = between(rng, (start + 1, heal + t.t_remove));
                self.at(back, Action::Recover(victim));
                heal.max(back)
            }
        }
    }

    /// A peer that has started by `tick` (peer i starts at tick i / 4)
    /// crashed then, recovered `t_fail` to 3 × `t_remove` ticks later;
    /// returns the recovery's tick.
    fn early_crash(&mut self, rng: &mut SimRng, tick: u64) -> u64 {
        let started = self.peers.min(4 * tick as u32).max(1);
        let victim = PeerId(rng.below(started));
        let t = self.timeouts;
        let back = tick + between(rng, (t.t_fail, 3 * t.t_remove));
        self.at(tick, Action::Fail(victim));
        self.at(back, Action::Recover(victim));
        back
    }

    fn isolate(&mut self, rng: &mut SimRng, first: u64, until: u64) {
        let r = self.timeouts.t_remove;
        let mut tick = first;
        while tick < until {
            let coordinator = self.random_peer(rng);
            let replica = PeerId((coordinator.0 + 1 + rng.below(self.peers - 1)) % self.peers);
            let mut side = vec![coordinator, replica];
            side.sort();
            let heal = (tick + between(rng, (r, 4 * r))).min(until);
            self.at(tick, Action::Partition(side));
            self.at(heal, Action::Heal);
            tick = heal + between(rng, (r, 3 * r));
        }
    }

    /// The actions by tick (stable: at one tick, as planned), each heal
    /// followed by the background faults it lifted that still hold.
    fn finish(mut self) -> Vec<Timed> {
        self.actions.sort_by_key(|t| t.tick);
        let mut out = Vec::with_capacity(self.actions.len());
        for timed in self.actions {
            let (tick, heal) = (timed.tick, timed.action == Action::Heal);
            out.push(timed);
            if heal {
                for ((from, until), action) in &self.background {
                    if (*from..*until).contains(&tick) {
                        out.push(Timed {
                            tick,
                            action: action.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::{MembershipTimings, Replication, StoreTimings};
    use crate::torture::rules::Spans;
    use crate::util::rng::STREAM_DRIVER;

    /// The fault window of the plans below.
    const FROM: u64 = 60;
    const UNTIL: u64 = 440;

    fn with_n(n: u8) -> Config {
        Config {
            replication: Replication { n, r: 1, w: 1 },
            ..Config::default()
        }
    }

    /// A configuration with these timeouts.
    fn timings(t_fail: u64, t_remove: u64, tombstone_grace: u64) -> Config {
        Config {
            membership: MembershipTimings {
                t_fail,
                t_remove,
                ..MembershipTimings::default()
            },
            store: StoreTimings {
                tombstone_grace,
                ..StoreTimings::default()
            },
            ..Config::default()
        }
    }

    /// Timeouts other than the defaults, to show the plans follow them.
    fn odd_timings() -> Config {
        timings(4, 30, 120)
    }

    /// The plans of `profile` for seeds 0..200 on 4–16 peers.
    fn plans(profile: Profile, config: &Config) -> Vec<Vec<Timed>> {
        (0..200)
            .map(|seed| {
                let mut rng = SimRng::new(seed, STREAM_DRIVER);
                let peers = 4 + (seed % 13) as u32;
                profile.faults(&mut rng, config, peers, FROM, UNTIL)
            })
            .collect()
    }

    /// Every cut length of every plan.
    fn cut_lengths(plans: &[Vec<Timed>]) -> Vec<u64> {
        plans
            .iter()
            .flat_map(|p| Spans::of(p).cuts.into_iter().map(|(a, b)| b - a))
            .collect()
    }

    /// The most of `plan`'s peers down at once.
    fn most_down(plan: &[Timed]) -> usize {
        let spans = Spans::of(plan);
        (0..=UNTIL + 1000)
            .map(|t| spans.downs.iter().filter(|d| d.0 <= t && t < d.1).count())
            .max()
            .unwrap_or(0)
    }

    /// The most down at once over the seeds of `profile` for `n` replicas.
    fn most_down_over_seeds(profile: Profile, n: u8) -> usize {
        plans(profile, &with_n(n))
            .iter()
            .map(|p| most_down(p))
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn crash_plans_follow_n() {
        for n in [2, 3, 5, 7] {
            let budget = usize::from(n) - 1;
            for profile in [Profile::Crash, Profile::CrashFast] {
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
            assert_eq!(most_down_over_seeds(Profile::Storm, n), budget + 1);
        }
        assert_eq!(
            most_down_over_seeds(Profile::Crash, 1),
            0,
            "N = 1: no crash"
        );
        assert_eq!(most_down_over_seeds(Profile::CrashHeavy, 1), 2);
    }

    #[test]
    fn bands_cover_their_range_around_each_threshold() {
        let all = bands(&[5, 15, 20, 25], 1, 100);
        for length in 1..=100 {
            assert!(
                all.iter().any(|b| b.0 <= length && length <= b.1),
                "{length}"
            );
        }
        for t in [5, 15, 20, 25] {
            for edge in [(t - 2, t - 1), (t, t), (t + 1, t + 2)] {
                assert!(all.iter().any(|b| b == &edge), "{edge:?} in {all:?}");
            }
        }
        assert!(all.iter().all(|b| 1 <= b.0 && b.0 <= b.1 && b.1 <= 100));
        assert_eq!(bands(&[5], 9, 3), [(9, 9)]);
    }

    #[test]
    fn partition_lengths_spread_across_every_timeout() {
        for config in [Config::default(), odd_timings()] {
            let t = Timeouts::of(&config);
            let (f, r, safe) = (t.t_fail, t.t_remove, t.safe_cut());
            let short = cut_lengths(&plans(Profile::ShortPartitions, &config));
            assert!(short.iter().all(|&l| (1..=safe).contains(&l)), "{short:?}");
            for seen in [f - 1, f, f + 1, safe] {
                assert!(short.contains(&seen), "short: {seen} of {t:?}");
            }
            let medium = cut_lengths(&plans(Profile::Partitions, &config));
            assert!(medium.iter().all(|&l| (1..=5 * r).contains(&l)));
            for seen in [
                f - 1,
                f,
                f + 1,
                safe,
                safe + 1,
                r - 1,
                r,
                r + 1,
                f + r,
                f + r + 1,
            ] {
                assert!(medium.contains(&seen), "partitions: {seen} of {t:?}");
            }
            assert!(medium.iter().any(|&l| l > f + r + 2 && l <= 5 * r));
        }
    }

    #[test]
    fn long_partitions_cut_once_around_the_grace_while_the_workload_runs() {
        for config in [Config::default(), odd_timings()] {
            let t = Timeouts::of(&config);
            let plans = plans(Profile::LongPartitions, &config);
            let mut seen = [0; 3];
            for plan in &plans {
                let cuts = Spans::of(plan).cuts;
                assert_eq!(cuts.len(), 1, "{plan:?}");
                let (start, heal) = cuts[0];
                assert!((FROM..=FROM + (UNTIL - FROM) / 2).contains(&start));
                let length = heal - start;
                assert!((t.grace - t.t_remove..=2 * t.grace).contains(&length));
                seen[length.cmp(&t.grace) as usize + 1] += 1;
            }
            // Below, at and above the grace; three quarters at or above.
            assert!(seen.iter().all(|&s| s > 0), "{seen:?}");
            assert!(seen[1] + seen[2] >= 120, "{seen:?}");
        }
    }

    #[test]
    fn cut_crash_crashes_a_cut_off_peer_and_recovers_it_after_the_heal() {
        for config in [Config::default(), odd_timings()] {
            let grace = config.store.tombstone_grace;
            let (mut long_cuts, mut long_downs) = (0, 0);
            for plan in plans(Profile::CutCrash, &config) {
                let spans = Spans::of(&plan);
                assert!(!spans.downs.is_empty());
                for &(down, up) in &spans.downs {
                    let (start, heal) = *spans
                        .cuts
                        .iter()
                        .find(|c| c.0 < down && down < c.1)
                        .expect("every crash falls inside a cut");
                    assert!(up > heal, "recovered after the heal");
                    // The crashed peer is on the cut-off side.
                    let victim = plan.iter().find_map(|t| match &t.action {
                        Action::Fail(id) if t.tick == down => Some(*id),
                        _ => None,
                    });
                    let side = plan.iter().find_map(|t| match &t.action {
                        Action::Partition(side) if t.tick == start => Some(side.clone()),
                        _ => None,
                    });
                    assert!(side.unwrap().contains(&victim.unwrap()));
                    long_cuts += usize::from(heal - start > grace);
                    long_downs += usize::from(up - down > grace);
                }
            }
            assert!(long_cuts > 0 && long_downs > 0, "{long_cuts} {long_downs}");
        }
    }

    #[test]
    fn storm_crashes_cuts_and_loses_at_once() {
        for plan in plans(Profile::Storm, &Config::default()) {
            let spans = Spans::of(&plan);
            let all_three = spans.cuts.iter().any(|c| {
                spans.downs.iter().any(|d| {
                    spans.losses.iter().any(|l| {
                        let (a, b) = (c.0.max(d.0).max(l.0), c.1.min(d.1).min(l.1));
                        a < b
                    })
                })
            });
            assert!(all_three, "{plan:?}");
            let percent = plan.iter().find_map(|t| match t.action {
                Action::Loss { percent, .. } => Some(percent),
                _ => None,
            });
            assert!((10..=30).contains(&percent.unwrap()));
            // The loss holds through every heal until the end of the faults.
            assert_eq!(spans.losses.len(), 1, "{plan:?}");
        }
    }

    #[test]
    fn stab_cut_cuts_as_a_crash_is_removed() {
        for config in [Config::default(), odd_timings()] {
            let t = Timeouts::of(&config);
            for plan in plans(Profile::StabCut, &config) {
                let spans = Spans::of(&plan);
                assert!(!spans.cuts.is_empty());
                for &(start, _) in &spans.cuts {
                    let after = spans.downs.iter().any(|d| {
                        (d.0 + t.t_remove..=d.0 + t.t_remove + 2 * t.t_fail).contains(&start)
                            && d.1 > start
                    });
                    assert!(after, "cut at {start}: {plan:?}");
                }
            }
        }
    }

    #[test]
    fn every_profile_plans_under_extreme_timeouts() {
        let tight = timings(1, 2, 1);
        for profile in Profile::ALL {
            for plan in plans(profile, &tight) {
                assert!(plan.windows(2).all(|w| w[0].tick <= w[1].tick));
                assert!(Spans::of(&plan).cuts.iter().all(|c| c.0 < c.1));
            }
        }
    }

    #[test]
    fn mixed_has_every_kind_of_fault() {
        let config = Config::default();
        let plans = plans(Profile::Mixed, &config);
        let spans: Vec<Spans> = plans.iter().map(|p| Spans::of(p)).collect();
        let crash_in_cut = spans.iter().any(|s| {
            s.downs
                .iter()
                .any(|d| s.cuts.iter().any(|c| c.0 < d.0 && d.0 < c.1 && d.1 > c.1))
        });
        assert!(crash_in_cut);
        let long = cut_lengths(&plans).into_iter().filter(|&l| l > 300).count();
        assert!(long > 0);
        assert!(spans.iter().filter(|s| s.delayed).count() > 150);
        assert!(spans.iter().all(|s| !s.losses.is_empty()));
        // Faults from the first ticks on.
        assert!(plans.iter().all(|p| p[0].tick <= FROM + 3));
    }
}
