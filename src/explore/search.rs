//! The breadth-first search over schedules: its options and bounds, the
//! visited set of fingerprints, the frontier, and what it found — for each
//! anomaly the shortest schedule that shows it, as a share link replayed
//! and checked again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

use crate::check::anomaly::Anomaly;
use crate::check::anomaly::Report;
use crate::explore::choice::{Made, Model};
use crate::explore::ops::ClientOp;
use crate::explore::settle::{self, Ending};
use crate::explore::state::State;
use crate::protocol::address::PeerId;
use crate::protocol::config::Config;
use crate::scenario::action::Timed;
use crate::scenario::link;
use crate::scenario::{Session, Setup};
use crate::sim::cluster::{Sim, SimError, SimOptions};
use crate::torture;

/// The smallest cluster explored.
pub const MIN_PEERS: u32 = 3;
/// The largest cluster explored.
pub const MAX_PEERS: u32 = 5;
/// The tick the cluster has settled by: every peer sees every other
/// (torture's workload starts there too).
pub const START: u64 = 40;

/// How far the search goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The most choices in one schedule.
    pub depth: u32,
    /// The most store messages one schedule drops.
    pub max_drops: u32,
    /// The most store messages one schedule holds back a tick.
    pub max_holds: u32,
    /// The most crashes in one schedule.
    pub max_crashes: u32,
    /// The most recoveries in one schedule before the settling (which
    /// recovers every crashed peer anyway).
    pub max_recoveries: u32,
    /// The most distinct states the search visits.
    pub max_states: u64,
}

impl Default for Bounds {
    /// Depth 200, 1 drop, no hold, 1 crash, no recovery before the
    /// settling, 1,000,000 states.
    fn default() -> Bounds {
        Bounds {
            depth: 200,
            max_drops: 1,
            max_holds: 0,
            max_crashes: 1,
            max_recoveries: 0,
            max_states: 1_000_000,
        }
    }
}

/// What to explore.
#[derive(Clone, Debug)]
pub struct Options {
    /// The cluster's size, [`MIN_PEERS`] to [`MAX_PEERS`].
    pub peers: u32,
    /// The seed of the cluster.
    pub seed: u64,
    /// The settings.
    pub config: Config,
    /// The client's operations, invoked one after another.
    pub ops: Vec<ClientOp>,
    /// The bounds.
    pub bounds: Bounds,
}

/// Why an exploration could not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExploreError {
    /// A cluster size outside [`MIN_PEERS`]..=[`MAX_PEERS`].
    Peers(u32),
    /// No operation to invoke.
    NoOps,
    /// The settings do not fit the cluster.
    Sim(SimError),
    /// The cluster had not settled by tick [`START`].
    Unsettled,
    /// Operation `index` (from 1) cannot be invoked: `error`.
    Op {
        /// Its place in the workload, from 1.
        index: usize,
        /// Why the simulation refuses it.
        error: SimError,
    },
}

impl fmt::Display for ExploreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExploreError::Peers(n) => write!(
                f,
                "explore takes {MIN_PEERS} to {MAX_PEERS} peers, not {n}: every schedule of a larger cluster is too many"
            ),
            ExploreError::NoOps => f.write_str("there is no operation to explore"),
            ExploreError::Sim(e) => write!(f, "{e}"),
            ExploreError::Unsettled => {
                write!(f, "the cluster's membership has not settled by tick {START}")
            }
            ExploreError::Op { index, error } => write!(f, "operation {index}: {error}"),
        }
    }
}

impl std::error::Error for ExploreError {}

/// One anomaly the search found.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The anomaly.
    pub anomaly: Anomaly,
    /// The rules that judged the schedule that first showed it, in words
    /// ([`torture::Rules::describe`]).
    pub rules: String,
    /// Whether those rules say it must be zero: a violation.
    pub must_be_zero: bool,
    /// The choices of its shortest schedule.
    pub depth: u32,
    /// How many checked schedules showed it, judged the same way.
    pub schedules: u64,
    /// The checker's sentence about it, in the shortest schedule.
    pub detail: String,
    /// The shortest schedule, settling included, as a share link.
    pub link: String,
    /// Whether replaying the link and checking it (`ftkv check`) shows the
    /// anomaly too.
    pub replays: bool,
}

/// What the search did and found.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// States generated: every choice made, duplicates included.
    pub generated: u64,
    /// Distinct states visited.
    pub unique: u64,
    /// Terminal states settled and checked.
    pub checked: u64,
    /// The most choices of any state visited.
    pub depth_reached: u32,
    /// States not expanded because they were at the depth bound.
    pub cut_by_depth: u64,
    /// Whether the search stopped at `max_states`.
    pub hit_max_states: bool,
    /// Every anomaly found, with its shortest schedule, in the order found:
    /// once where its rules allow it and once where they say it must be
    /// zero, if it showed both ways.
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Whether every schedule within the fault budgets was explored: no
    /// bound on depth or states cut the search short.
    pub fn exhaustive(&self) -> bool {
        self.cut_by_depth == 0 && !self.hit_max_states
    }

    /// The anomalies found that their rules say must be zero.
    pub fn violations(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.must_be_zero).collect()
    }

    /// The first finding of `anomaly`, if it was found.
    pub fn finding(&self, anomaly: Anomaly) -> Option<&Finding> {
        self.findings.iter().find(|f| f.anomaly == anomaly)
    }
}

/// How a state was reached: the state it came from and the action taken
/// (none for an advance).
struct Step {
    parent: usize,
    action: Option<Timed>,
}

/// The settled cluster every schedule starts from, each operation checked
/// to be one the simulation accepts.
fn start(opts: &Options) -> Result<State, ExploreError> {
    if !(MIN_PEERS..=MAX_PEERS).contains(&opts.peers) {
        return Err(ExploreError::Peers(opts.peers));
    }
    if opts.ops.is_empty() {
        return Err(ExploreError::NoOps);
    }
    let mut sim = Sim::new(SimOptions {
        peers: opts.peers,
        seed: opts.seed,
        config: opts.config,
        trace_messages: false,
    })
    .map_err(ExploreError::Sim)?;
    sim.run(START);
    let settled = (0..opts.peers).map(PeerId).all(|id| {
        sim.peer(id)
            .is_some_and(|p| p.membership().ids().len() == opts.peers as usize)
    });
    if !settled {
        return Err(ExploreError::Unsettled);
    }
    for (at, op) in opts.ops.iter().enumerate() {
        let mut trial = sim.clone();
        trial
            .client_op(PeerId(0), op.op, &op.key, op.value.as_deref())
            .map_err(|error| ExploreError::Op {
                index: at + 1,
                error,
            })?;
    }
    Ok(State::new(sim))
}

/// Explores every schedule of `opts` within its bounds, breadth first, so
/// that the first schedule found to show an anomaly is a shortest one.
pub fn explore(opts: &Options) -> Result<Outcome, ExploreError> {
    let root = start(opts)?;
    let bounds = opts.bounds;
    let model = Model {
        ops: opts.ops.clone(),
        max_drops: bounds.max_drops,
        max_holds: bounds.max_holds,
        max_crashes: bounds.max_crashes,
        max_recoveries: bounds.max_recoveries,
        fast_forward: 2 * opts.config.membership.t_remove,
    };
    let setup = Setup {
        config: opts.config,
        ..Setup::new(opts.peers, opts.seed)
    };
    let mut outcome = Outcome::default();
    let mut visited: HashSet<u128> = HashSet::new();
    // How each cluster met in a terminal state ends once settled.
    let mut endings: HashMap<u128, Ending> = HashMap::new();
    visited.insert(root.fingerprint());
    outcome.unique = 1;
    let mut steps = vec![Step {
        parent: 0,
        action: None,
    }];
    let mut frontier: VecDeque<(State, usize, u32)> = VecDeque::from([(root, 0, 0)]);
    'search: while let Some((state, node, depth)) = frontier.pop_front() {
        outcome.depth_reached = outcome.depth_reached.max(depth);
        if model.is_terminal(&state) {
            outcome.checked += 1;
            let ending = endings
                .entry(state.cluster_fingerprint())
                .or_insert_with(|| settle::settle(&state, &model.ops));
            let report = settle::check(&state, ending);
            let rules = settle::rules(&state, &opts.config);
            for (anomaly, count) in report.anomalies.iter() {
                if count == 0 {
                    continue;
                }
                // One finding per anomaly and verdict: an anomaly first seen
                // where its rules allow it may later show where they do not.
                let must_be_zero = rules.must_be_zero(anomaly);
                let same =
                    |f: &&mut Finding| f.anomaly == anomaly && f.must_be_zero == must_be_zero;
                if let Some(f) = outcome.findings.iter_mut().find(same) {
                    f.schedules += 1;
                    continue;
                }
                let schedule = schedule(&steps, node);
                outcome.findings.push(finding(
                    &setup, schedule, ending, &report, anomaly, rules, depth,
                ));
            }
            continue;
        }
        if depth >= bounds.depth {
            outcome.cut_by_depth += 1;
            continue;
        }
        for choice in model.choices(&state) {
            let mut next = state.clone();
            let action = match model.apply(&mut next, choice) {
                Made::Act(timed) => Some(timed),
                Made::Ran => None,
                Made::Stalled => continue,
            };
            outcome.generated += 1;
            if !visited.insert(next.fingerprint()) {
                continue;
            }
            outcome.unique += 1;
            steps.push(Step {
                parent: node,
                action,
            });
            frontier.push_back((next, steps.len() - 1, depth + 1));
            if outcome.unique >= bounds.max_states {
                outcome.hit_max_states = true;
                break 'search;
            }
        }
    }
    Ok(outcome)
}

/// The actions of the schedule that reached `node`, in order.
fn schedule(steps: &[Step], mut node: usize) -> Vec<Timed> {
    let mut actions = Vec::new();
    while node != 0 {
        actions.extend(steps[node].action.clone());
        node = steps[node].parent;
    }
    actions.reverse();
    actions
}

/// The finding of `anomaly` in a schedule settled as `ending` says, with
/// its `report`: its link, replayed as `ftkv check` replays it to confirm
/// the anomaly shows.
fn finding(
    setup: &Setup,
    mut actions: Vec<Timed>,
    ending: &Ending,
    report: &Report,
    anomaly: Anomaly,
    rules: torture::Rules,
    depth: u32,
) -> Finding {
    actions.extend(ending.actions.iter().cloned());
    let link = link::seal(&link::body(setup, ending.end, None, &actions));
    let replays = Session::from_link(&link, false)
        .is_ok_and(|session| torture::check_session(&session).anomalies.get(anomaly) > 0);
    let detail = report
        .findings
        .iter()
        .find(|f| f.kind == anomaly)
        .map(|f| format!("{}: {}", f.key, f.detail))
        .unwrap_or_default();
    Finding {
        anomaly,
        rules: rules.describe(),
        must_be_zero: rules.must_be_zero(anomaly),
        depth,
        schedules: 1,
        detail,
        link,
        replays,
    }
}
