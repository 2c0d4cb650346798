//! Probabilistically Bounded Staleness (Bailis et al., VLDB 2012): the
//! probability p(t) that a read invoked t ticks after a write was
//! acknowledged returns that write (or a newer one), measured on the
//! simulator with no faults but random link delays.
//!
//! Each measurement is one create of a fresh key and one read of it, so no
//! read can influence another (nor would read repair, once it exists). A
//! seed is one cluster of [`PEERS`] peers: every directed link between two
//! peers gets a delay drawn from `low..=high` (a peer's messages to itself
//! keep 1 tick), then [`PER_T`] writes for every t = 0..=[`T_MAX`] start
//! one per tick over an anti-entropy period, each from a random
//! coordinator, and each acknowledged write's read goes, from another random
//! coordinator, t ticks after the acknowledgement (t = 0: the first tick
//! after it, when a client could first act on it). Requests wait as
//! long as any answer can take (the operation timeout is raised to
//! 2 × high + 2), so p counts every read that answered.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::protocol::config::Config;
use crate::protocol::event::EventKind;
use crate::protocol::op::{OpKind, Reason, Version};
use crate::sim::cluster::{Sim, SimError, SimOptions};
use crate::sim::network::MAX_DELAY;
use crate::util::rng::{SimRng, STREAM_STALENESS};

/// Peers per measured cluster (more than the largest N).
pub const PEERS: u32 = 8;
/// The largest t measured, in ticks.
pub const T_MAX: u64 = 100;
/// Writes per t per seed.
pub const PER_T: u64 = 5;
/// The tick the cluster has formed by, when the delays are set.
const START: u64 = 40;

/// Link delays: each directed link takes `low..=high` ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Delays {
    /// The shortest delay, at least 1.
    pub low: u64,
    /// The longest delay, at most `MAX_DELAY`.
    pub high: u64,
}

/// Why a delay range was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DelaysError {
    /// One end is no whole number.
    NotANumber {
        /// The range as given.
        text: String,
        /// The end that is not a number.
        part: String,
    },
    /// The ends are not 1 ≤ LO ≤ HI ≤ `MAX_DELAY`.
    OutOfRange {
        /// The range as given.
        text: String,
    },
}

impl fmt::Display for DelaysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DelaysError::NotANumber { text, part } => write!(
                f,
                "delays `{text}`: `{part}` is not a whole number (LO..HI)"
            ),
            DelaysError::OutOfRange { text } => write!(
                f,
                "delays `{text}`: need 1 <= LO <= HI <= {MAX_DELAY} ticks"
            ),
        }
    }
}

impl std::error::Error for DelaysError {}

impl Delays {
    /// Parses `LO..HI` (or a single number); the error names the problem.
    pub fn parse(text: &str) -> Result<Delays, DelaysError> {
        let (low, high) = text.split_once("..").unwrap_or((text, text));
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| DelaysError::NotANumber {
                    text: text.to_owned(),
                    part: s.to_owned(),
                })
        };
        let delays = Delays {
            low: number(low)?,
            high: number(high)?,
        };
        if delays.low < 1 || delays.high > MAX_DELAY || delays.low > delays.high {
            return Err(DelaysError::OutOfRange {
                text: text.to_owned(),
            });
        }
        Ok(delays)
    }
}

/// What the reads t ticks after an acknowledgement saw, over some seeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Per t = 0..=[`T_MAX`]: (reads that answered, of those returning the
    /// write or newer).
    counts: Vec<(u64, u64)>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            counts: vec![(0, 0); T_MAX as usize + 1],
        }
    }
}

impl Tally {
    /// Adds the counts of `other`.
    pub fn add(&mut self, other: &Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
    }
}

/// One point of the curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Ticks between the write's acknowledgement and the read.
    pub t: u64,
    /// The share of reads that returned the write or a newer one.
    pub p: f64,
    /// How many reads answered.
    pub reads: u64,
    /// How many of them returned the write or a newer one.
    pub fresh: u64,
}

/// The PBS curve of one configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Curve {
    /// The settings text of N, R and W.
    pub config: String,
    /// `[low, high]` link delay in ticks.
    pub delays: [u64; 2],
    /// How many seeds were measured.
    pub seeds: u64,
    /// p(t) for t = 0, 1, … up to the first t from which p stays 1, or
    /// [`T_MAX`].
    pub points: Vec<Point>,
}

impl Curve {
    /// The curve of `tally`, measured under `config` with `delays` over
    /// `seeds` seeds.
    pub fn of(config: &Config, delays: Delays, seeds: u64, tally: &Tally) -> Curve {
        let mut points: Vec<Point> = (0..)
            .zip(&tally.counts)
            .map(|(t, &(reads, fresh))| Point {
                t,
                p: if reads == 0 {
                    1.0
                } else {
                    fresh as f64 / reads as f64
                },
                reads,
                fresh,
            })
            .collect();
        let settled = points
            .iter()
            .rposition(|point| point.fresh < point.reads)
            .map_or(0, |last_stale| last_stale + 1);
        points.truncate((settled + 1).min(points.len()));
        Curve {
            config: config.settings(),
            delays: [delays.low, delays.high],
            seeds,
            points,
        }
    }
}

/// A request of a measurement awaiting its coordinator's decision.
enum Waiting {
    /// The create of `key`, whose read goes t ticks after it is acknowledged.
    Write { t: u64, key: String },
    /// The read t ticks after the create of `version`.
    Read { t: u64, version: Version },
}

/// Measures one seed: [`PER_T`] writes and reads for every t.
pub fn measure(config: &Config, delays: Delays, seed: u64) -> Result<Tally, SimError> {
    let mut rng = SimRng::new(seed, STREAM_STALENESS);
    let config = Config {
        op_timeout: config.op_timeout.max(2 * delays.high + 2),
        ..*config
    };
    let mut sim = Sim::new(SimOptions {
        config,
        ..SimOptions::new(PEERS, seed)
    })?;
    sim.run(START);
    for from in (0..PEERS).map(PeerId) {
        for to in (0..PEERS).map(PeerId).filter(|&to| to != from) {
            let ticks = delays.low + u64::from(rng.below((delays.high - delays.low + 1) as u32));
            sim.set_delay(from, to, ticks)?;
        }
    }
    let total = (T_MAX + 1) * PER_T;
    let batch = total.div_ceil(config.anti_entropy.period.max(1));
    let mut issued = 0;
    let mut waiting: BTreeMap<u64, Waiting> = BTreeMap::new();
    // Reads by the tick they go at: (t, the write's version, key).
    let mut due: BTreeMap<u64, Vec<(u64, Version, String)>> = BTreeMap::new();
    let mut tally = Tally::default();
    while issued < total || !waiting.is_empty() || !due.is_empty() {
        for _ in 0..batch.min(total - issued) {
            let t = issued % (T_MAX + 1);
            let key = format!("s{issued}");
            let trans = sim.client_op(random_peer(&mut rng), OpKind::Create, &key, Some("v"))?;
            waiting.insert(trans, Waiting::Write { t, key });
            issued += 1;
        }
        for (t, version, key) in due.remove(&sim.now()).unwrap_or_default() {
            let trans = sim.client_op(random_peer(&mut rng), OpKind::Read, &key, None)?;
            waiting.insert(trans, Waiting::Read { t, version });
        }
        sim.run_tick();
        for e in sim.drain_events() {
            let EventKind::Outcome {
                coordinator: true,
                trans,
                reason,
                version,
                ..
            } = e.kind
            else {
                continue;
            };
            match (waiting.remove(&trans), reason, version) {
                (Some(Waiting::Write { t, key }), None, Some(version)) => {
                    // t = 0: the first tick after the acknowledgement.
                    due.entry(e.tick + 1 + t)
                        .or_default()
                        .push((t, version, key));
                }
                (
                    Some(Waiting::Read { t, version: wrote }),
                    None | Some(Reason::NotFound),
                    read,
                ) => {
                    let slot = &mut tally.counts[t as usize];
                    slot.0 += 1;
                    slot.1 += u64::from(reason.is_none() && read >= Some(wrote));
                }
                _ => {}
            }
        }
    }
    Ok(tally)
}

fn random_peer(rng: &mut SimRng) -> PeerId {
    PeerId(rng.below(PEERS))
}

/// The curve over seeds `0..seeds`, on one thread (the CLI splits the
/// seeds over the cores with [`measure`] and [`Tally::add`]).
pub fn curve(config: &Config, delays: Delays, seeds: u64) -> Result<Curve, SimError> {
    let mut tally = Tally::default();
    for seed in 0..seeds {
        tally.add(&measure(config, delays, seed)?);
    }
    Ok(Curve::of(config, delays, seeds, &tally))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(settings: &str) -> Config {
        Config::default().with_settings(settings).unwrap()
    }

    fn delays(text: &str) -> Delays {
        Delays::parse(text).unwrap()
    }

    #[test]
    fn delays_parse_and_name_the_problem() {
        assert_eq!(delays("2..9"), Delays { low: 2, high: 9 });
        assert_eq!(delays("4"), Delays { low: 4, high: 4 });
        let err = |text| Delays::parse(text).unwrap_err().to_string();
        assert_eq!(
            err("0..3"),
            "delays `0..3`: need 1 <= LO <= HI <= 100 ticks"
        );
        assert_eq!(
            err("5..2"),
            "delays `5..2`: need 1 <= LO <= HI <= 100 ticks"
        );
        assert_eq!(
            err("1..101"),
            "delays `1..101`: need 1 <= LO <= HI <= 100 ticks"
        );
        assert_eq!(
            err("1..x"),
            "delays `1..x`: `x` is not a whole number (LO..HI)"
        );
        assert_eq!(
            Delays::parse(" 3..y").unwrap_err(),
            DelaysError::NotANumber {
                text: " 3..y".into(),
                part: "y".into()
            }
        );
    }

    #[test]
    fn intersecting_quorums_always_read_the_acknowledged_write() {
        for (settings, link) in [("n=3,r=2,w=2", "1..10"), ("n=5,r=2,w=4", "1..10")] {
            let curve = curve(&config(settings), delays(link), 8).unwrap();
            assert_eq!(curve.points.len(), 1, "{settings}: {curve:?}");
            let first = curve.points[0];
            assert_eq!((first.t, first.p), (0, 1.0));
            assert_eq!(first.reads, 8 * PER_T, "every read answered");
        }
    }

    #[test]
    fn one_replica_quorums_start_stale_under_delays_and_converge() {
        let curve = curve(&config("n=3,r=1,w=1"), delays("1..10"), 8).unwrap();
        let (first, last) = (curve.points[0], curve.points[curve.points.len() - 1]);
        assert!(first.p < 0.95, "{curve:?}");
        assert_eq!(last.p, 1.0, "every copy arrives within the delays");
        assert!((1..=20).contains(&last.t), "{curve:?}");
        assert_eq!(curve.delays, [1, 10]);
        assert_eq!(curve.config, "n=3,r=1,w=1");
        // Without delays every replica has the write by its acknowledgement.
        let lockstep = super::curve(&config("n=3,r=1,w=1"), delays("1..1"), 4).unwrap();
        assert_eq!(lockstep.points.len(), 1, "{lockstep:?}");
        assert_eq!(lockstep.points[0].p, 1.0);
    }

    #[test]
    fn the_curve_is_the_same_for_the_same_seeds() {
        let weak = config("n=3,r=1,w=1");
        let one = |seed| measure(&weak, delays("1..10"), seed).unwrap();
        assert_eq!(one(3), one(3));
        assert_ne!(one(3), one(4));
        let mut both = one(0);
        both.add(&one(1));
        assert_eq!(
            Curve::of(&weak, delays("1..10"), 2, &both),
            curve(&weak, delays("1..10"), 2).unwrap()
        );
    }
}
