//! Scenarios: a simulation plus every action a person took, with its tick —
//! and the share link that replays it exactly.
//!
//! A [`Session`] is what the playground and `ftkv replay` drive. Its link
//! is the text of a URL fragment:
//!
//! ```text
//! v=1&peers=10&seed=42&tick=350&do=120.fail.4;140.create.2.k%201.v
//! ```
//!
//! Actions are `tick.verb.args`: `fail.P`, `recover.P`, `create.P.key.value`,
//! `read.P.key`, `update.P.key.value`, `delete.P.key`, and the network
//! faults `part.P-Q-…` (those peers on one side, the rest on the other),
//! `heal` (partitions, losses and delays all gone), `loss.PCT` (every
//! link), `loss.P.Q.PCT` and `delay.P.Q.TICKS` (the directed link P → Q),
//! and `drop.SEQ` (lose the message in flight whose send order is SEQ,
//! [`crate::sim::network::InFlight::seq`]).
//! A request's verb may name a consistency level: `read:one.P.key`.
//!
//! with optional `preset=read` (a classic test case driven on the ring),
//! `t=fanout.t_fail.t_remove.join_retry.op_timeout.orphan_hold` (non-default
//! timings, then `.push_retry.ae_period.tombstone_grace` when those differ),
//! `rep=N.R.W` (replication other than 3.2.2), `rr=async` or `rr=blocking`
//! (read repair other than off), `vn=V` (V tokens per peer on the ring,
//! other than 1), `hh=on` (hinted handoff) and `ae=merkle` (Merkle-tree
//! anti-entropy; its period is the `ae_period` of `t=`), `free=700` (a
//! preset that reached its end went on as a free run there:
//! [`Session::continue_free`]; shown from that tick on, dropped by a fork
//! before it), the view (see [`crate::scenario::selection`]: `sel=P`, `key=K`,
//! `tx=T`), and last `&sum=`
//! eight hex digits of the xxh3 hash of all that comes before, so a
//! truncated or mangled link is refused, not replayed as some other
//! scenario. Peers are numbered from 1 (peer `n` is the address of
//! `n - 1`, e.g. `4` is `4.0.0.0:0`); keys and values are percent-encoded.
//! A link is untrusted input: its size, cluster, length and action count are
//! bounded, and anything that does not parse is an error that names it.
//!
//! # Time travel
//!
//! A session remembers its run up to the furthest tick it reached, its
//! [`Session::horizon`], and can show any tick of it again:
//!
//! - [`Session::seek`] to a tick from 0 to the horizon, back or forward,
//!   shows exactly what a fresh replay of the link cut at that tick shows
//!   ([`Session::from_link`] of the [`Session::link`] seen there): the
//!   simulation, the events up to that tick only, the history, the grade,
//!   and the link itself (`tick=` that tick, `do=` the actions up to and at
//!   that tick). It restores the latest checkpoint at or before the tick (a
//!   copy of the simulation, its readers and how long its log and action
//!   list were, kept every 100 ticks at first: see [`crate::scenario::timeline`]) and
//!   replays the recorded actions from there.
//! - Nothing is lost by looking back: the actions and events after the
//!   shown tick stay recorded, and seeking forward, up to the horizon,
//!   shows them again.
//! - [`Session::step`] in the past replays forward along the recorded
//!   future (the actions recorded for those ticks happen again, it does
//!   not fork); past the horizon it runs on as usual and moves the horizon.
//! - Acting in the past forks: any [`Session::act`] or
//!   [`Session::request`] that succeeds while the shown tick is before the
//!   horizon drops every recorded action after the shown tick (those at it
//!   stay: they had happened), drops the events, checkpoints and horizon
//!   beyond it, and records the new action; the link then lists only the
//!   kept actions and the new one. An action that fails forks nothing.
//!
//! Looking back changes nothing a run that never seeks would do or log.
//! The one thing a seek does not rewind is the person's own random choice
//! of a coordinator ([`Session::request`] without one): it is not part of
//! the run, and the link records the peer chosen, so replays stay exact.

pub mod selection;
pub mod timeline;

use std::fmt;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use xxhash_rust::xxh3::xxh3_64;

use crate::check::history::History;
use crate::check::record::Recorder;
use crate::classic::grader::{Grade, Grading};
use crate::classic::testcase::clip;
use crate::classic::{self, Driver};
use crate::protocol::address::PeerId;
use crate::protocol::config::{
    on_off, validate_vnodes, AeMode, AntiEntropy, Config, Level, MembershipTimings, ReadRepair,
    Replication, StoreTimings, MAX_VNODES,
};
use crate::protocol::op::OpKind;
use crate::scenario::selection::Selection;
use crate::scenario::timeline::Timeline;
use crate::sim::cluster::{Sim, SimError, SimOptions};
use crate::sim::event_log::EventLog;
use crate::sim::health::Samples;
use crate::sim::network::MAX_DELAY;
use crate::util::digits;
use crate::util::rng::{SimRng, STREAM_CLIENT};

/// The longest share link accepted, in bytes.
pub const MAX_LINK_BYTES: usize = 64 * 1024;
/// The largest cluster a share link may ask for.
pub const MAX_LINK_PEERS: u32 = 1000;
/// The most actions a share link may hold.
pub const MAX_ACTIONS: usize = 2000;
/// The latest tick a share link may ask to replay to.
pub const MAX_TICK: u64 = 20_000;
/// Bound on replay work: peers² × ticks (1,000 peers: 1,000 ticks).
pub const MAX_WORK: u64 = 1_000_000_000;

/// The bytes escaped in a key or value: all but letters, digits and `-_~`.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// Something a person did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Fail a live peer.
    Fail(PeerId),
    /// Restart a failed peer.
    Recover(PeerId),
    /// Split the cluster: these peers on one side, the rest on the other.
    Partition(Vec<PeerId>),
    /// Restore the whole network: partitions, losses, delays.
    Heal,
    /// Lose messages at random, in percent: on one directed link, or
    /// everywhere.
    Loss {
        /// The link `(from, to)`, or `None` for every link.
        link: Option<(PeerId, PeerId)>,
        /// The loss, 0 to 100 %.
        percent: u8,
    },
    /// Delay messages on one directed link.
    Delay {
        /// Sender.
        from: PeerId,
        /// Receiver.
        to: PeerId,
        /// Ticks a message takes (1 to 100).
        ticks: u64,
    },
    /// Lose one message in flight, named by its send order
    /// ([`crate::sim::network::InFlight::seq`], the same on every replay).
    Drop(u64),
    /// A client request through a chosen coordinator.
    Op {
        /// The coordinator.
        coordinator: PeerId,
        /// Which operation.
        op: OpKind,
        /// The key.
        key: String,
        /// The value (create, update).
        value: Option<String>,
        /// How many replicas it waits for.
        level: Level,
    },
}

/// An action at the tick it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timed {
    /// The tick (actions happen before that tick runs).
    pub tick: u64,
    /// What was done.
    pub action: Action,
}

/// How a scenario starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Number of peers.
    pub peers: u32,
    /// The seed.
    pub seed: u64,
    /// Protocol timings and replication.
    pub config: Config,
    /// A classic test case driven on the ring, by name.
    pub preset: Option<String>,
}

impl Setup {
    /// `peers` peers, seed `seed`, default timings, no preset.
    pub fn new(peers: u32, seed: u64) -> Setup {
        Setup {
            peers,
            seed,
            config: Config::default(),
            preset: None,
        }
    }

    /// The classic test case `name` (one of [`classic::CASES`]) with `seed`.
    pub fn preset(name: &str, seed: u64) -> Result<Setup, ScenarioError> {
        let test = classic::builtin(name).ok_or_else(|| {
            ScenarioError(format!(
                "no preset `{}` (presets: {})",
                clip(name),
                classic::CASES.join(", ")
            ))
        })?;
        Ok(Setup {
            peers: test.peers,
            preset: Some(name.to_owned()),
            ..Setup::new(test.peers, seed)
        })
    }
}

/// Why a scenario or a link was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

impl From<SimError> for ScenarioError {
    fn from(e: SimError) -> Self {
        ScenarioError(e.to_string())
    }
}

fn fail<T>(problem: String) -> Result<T, ScenarioError> {
    Err(ScenarioError(format!("share link: {problem}")))
}

/// A running scenario: the simulation, its event log and what reads the
/// log as it grows (the history, the preset's grade), the preset's driver,
/// the actions, and the checkpoints to travel back in time with.
#[derive(Clone, Debug)]
pub struct Session {
    setup: Setup,
    sim: Sim,
    log: EventLog,
    recorder: Recorder,
    grading: Option<Grading>,
    driver: Option<Driver>,
    /// Every action recorded, those after the shown tick included.
    actions: Vec<Timed>,
    /// How many of `actions` have happened by the shown tick.
    applied: usize,
    /// The furthest tick reached.
    horizon: u64,
    timeline: Timeline<Checkpoint>,
    client: SimRng,
    /// What the person is looking at (not part of the run).
    selection: Selection,
    /// The health counters over the run, up to the horizon.
    samples: Samples,
    /// The tick a preset went on from as a free run, if it did (its
    /// driver no longer drives; recorded like an action).
    free: Option<u64>,
}

/// A session's state at one tick, before the actions of that tick: all a
/// replay from there needs.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    sim: Sim,
    log_len: usize,
    applied: usize,
    recorder: Recorder,
    grading: Option<Grading>,
    driver: Option<Driver>,
}

impl Checkpoint {
    /// The copy of the simulation kept.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }
}

impl Session {
    /// A new scenario at tick 0. `trace_messages` records every message as
    /// an event (for watching; it changes nothing else).
    pub fn new(setup: Setup, trace_messages: bool) -> Result<Session, ScenarioError> {
        if !(1..=MAX_LINK_PEERS).contains(&setup.peers) {
            return Err(ScenarioError(format!(
                "a scenario has 1 to {MAX_LINK_PEERS} peers, not {}",
                setup.peers
            )));
        }
        if setup.preset.is_some() && setup.config != Config::default() {
            return Err(ScenarioError(format!(
                "a preset runs the classic settings ({}) and is graded on them, not `{}`",
                Config::default().settings(),
                setup.config.settings()
            )));
        }
        let driver = match &setup.preset {
            None => None,
            Some(name) => match classic::builtin(name) {
                Some(test) if test.peers == setup.peers => Some(Driver::new(test, setup.seed)),
                _ => {
                    return Err(ScenarioError(format!(
                        "no preset `{}` with {} peers",
                        clip(name),
                        setup.peers
                    )))
                }
            },
        };
        let sim = Sim::new(SimOptions {
            peers: setup.peers,
            seed: setup.seed,
            config: setup.config,
            trace_messages,
        })?;
        let client = SimRng::new(setup.seed, STREAM_CLIENT);
        let grading = driver.as_ref().map(|d| Grading::new(d.test().clone()));
        let start = Checkpoint {
            sim: sim.clone(),
            log_len: 0,
            applied: 0,
            recorder: Recorder::default(),
            grading: grading.clone(),
            driver: driver.clone(),
        };
        let timeline = Timeline::new(start, timeline::capacity(setup.peers));
        let mut samples = Samples::new(longest_run(setup.peers));
        samples.take(&sim);
        Ok(Session {
            setup,
            sim,
            log: EventLog::new(),
            recorder: Recorder::default(),
            grading,
            driver,
            actions: Vec::new(),
            applied: 0,
            horizon: 0,
            timeline,
            client,
            selection: Selection::default(),
            samples,
            free: None,
        })
    }

    /// The latest tick this scenario may reach: a preset's end (the
    /// classic 700 ticks), or the longest a share link may replay.
    /// A preset that goes on as a free run ([`Session::continue_free`])
    /// may reach the longest a share link may replay.
    pub fn max_tick(&self) -> u64 {
        if self.driver.is_some() && self.free.is_none() {
            return classic::TICKS;
        }
        longest_run(self.setup.peers)
    }

    /// Lets a preset that reached its end ([`classic::TICKS`]) go on as a
    /// free run: its driver drives no more, the same peers run on up to
    /// the longest a share link may replay, and requests complete as in
    /// any run. The grade stays that of the preset's ticks. The link
    /// records it (`free=700`). Doing it again is harmless.
    pub fn continue_free(&mut self) -> Result<(), ScenarioError> {
        let Some(driver) = &self.driver else {
            return Err(ScenarioError(
                "only a preset can continue as a free run".into(),
            ));
        };
        let now = self.sim.now();
        if !driver.is_done(&self.sim) || now > classic::TICKS {
            return Err(ScenarioError(format!(
                "a preset continues as a free run from its end, tick {}, not tick {now}",
                classic::TICKS
            )));
        }
        self.free = Some(now);
        Ok(())
    }

    /// The tick a preset went on from as a free run, if it did by the
    /// shown tick.
    pub fn free_from(&self) -> Option<u64> {
        self.free.filter(|&t| t <= self.sim.now())
    }

    /// Runs up to `n` ticks (a preset's driver acts before each); stops at
    /// [`Session::max_tick`] and returns how many ran. Before the horizon
    /// it replays the recorded future: the actions recorded for each tick
    /// happen again.
    pub fn step(&mut self, n: u64) -> u64 {
        let mut ran = 0;
        while ran < n && self.sim.now() < self.max_tick() {
            if let Some(driver) = self.driver.as_mut().filter(|d| !d.is_done(&self.sim)) {
                // The driver only errs when no peer is left to act on;
                // the person caused that and sees it on the ring.
                let _ = driver.act(&mut self.sim);
            }
            self.sim.run_tick();
            ran += 1;
            let now = self.sim.now();
            if self.timeline.due(now) {
                self.absorb();
                let checkpoint = self.checkpoint();
                self.timeline.save(now, checkpoint);
            }
            self.samples.take(&self.sim);
            self.replay_actions();
        }
        self.absorb();
        self.horizon = self.horizon.max(self.sim.now());
        ran
    }

    /// The state now, before the actions of this tick, all absorbed.
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            sim: self.sim.clone(),
            log_len: self.log.len(),
            applied: self.applied,
            recorder: self.recorder.clone(),
            grading: self.grading.clone(),
            driver: self.driver.clone(),
        }
    }

    /// Performs the recorded actions of this tick not performed yet (in
    /// the past: the recorded future).
    fn replay_actions(&mut self) {
        let now = self.sim.now();
        while let Some(timed) = self.actions.get(self.applied).filter(|t| t.tick == now) {
            // It worked when it was recorded, on the same state.
            apply(&mut self.sim, &timed.action).expect("a recorded action replays");
            self.applied += 1;
        }
    }

    /// The furthest tick this session reached: [`Session::seek`] goes to
    /// any tick from 0 to this one.
    pub fn horizon(&self) -> u64 {
        self.horizon
    }

    /// Shows tick `tick` (0 to [`Session::horizon`]) exactly as a fresh
    /// replay of the link cut there would: restores the latest checkpoint
    /// at or before it, unless going forward from now is shorter, and
    /// replays the recorded actions up to and at that tick.
    pub fn seek(&mut self, tick: u64) -> Result<(), ScenarioError> {
        if tick > self.horizon {
            return Err(ScenarioError(format!(
                "tick {tick} is past the furthest tick reached, {}",
                self.horizon
            )));
        }
        let (at, c) = self.timeline.latest(tick);
        let now = self.sim.now();
        if tick < now || at > now {
            self.sim = c.sim.clone();
            self.log.rewind(c.log_len);
            self.applied = c.applied;
            self.recorder = c.recorder.clone();
            self.grading = c.grading.clone();
            self.driver = c.driver.clone();
            self.replay_actions();
        }
        self.step(tick - self.sim.now());
        Ok(())
    }

    /// The checkpoints kept (for measuring them).
    pub fn timeline(&self) -> &Timeline<Checkpoint> {
        &self.timeline
    }

    /// Moves the simulation's new events to the log and its readers.
    fn absorb(&mut self) {
        let fresh = self.log.record(&mut self.sim);
        self.recorder.feed(fresh);
        if let Some(g) = &mut self.grading {
            // The preset's ticks only: a free run after it grades nothing.
            let graded = fresh.partition_point(|e| e.tick < classic::TICKS);
            g.feed(&fresh[..graded]);
        }
    }

    /// Performs `action` now and records it; before the horizon, forks
    /// (see the module docs).
    pub fn act(&mut self, action: Action) -> Result<Option<u64>, ScenarioError> {
        if self.applied >= MAX_ACTIONS {
            return Err(ScenarioError(format!(
                "a scenario holds at most {MAX_ACTIONS} actions"
            )));
        }
        let now = self.sim.now();
        if now >= self.max_tick() {
            if self.driver.is_some() && self.free.is_none() {
                return Err(ScenarioError(format!(
                    "the preset is over at tick {now}: continue it as a free run to act on"
                )));
            }
            if matches!(action, Action::Op { .. }) {
                return Err(ScenarioError(format!(
                    "tick {now} is the longest a share link can replay for {} peers: a request sent now could never complete",
                    self.setup.peers
                )));
            }
        }
        // An action takes no time: `now` stays the tick it is recorded at.
        let trans = apply(&mut self.sim, &action)?;
        self.actions.truncate(self.applied);
        self.log.cut();
        self.timeline.drop_after(now);
        self.samples.drop_after(now);
        self.free = self.free.filter(|&t| t <= now);
        self.horizon = now;
        self.absorb();
        self.actions.push(Timed { tick: now, action });
        self.applied += 1;
        Ok(trans)
    }

    /// A client request now through `coordinator`, or through a random live
    /// peer (recorded as chosen, so the link replays it exactly), waiting
    /// for as many replicas as `level` says. Returns the transaction id.
    pub fn request(
        &mut self,
        op: OpKind,
        key: &str,
        value: Option<&str>,
        coordinator: Option<PeerId>,
        level: Level,
    ) -> Result<u64, ScenarioError> {
        let coordinator = match coordinator {
            Some(id) => id,
            None => {
                let alive = self.sim.alive_peers();
                if alive.is_empty() {
                    return Err(ScenarioError("no live peer to coordinate".into()));
                }
                alive[self.client.below(alive.len() as u32) as usize]
            }
        };
        let action = Action::Op {
            coordinator,
            op,
            key: key.to_owned(),
            value: value.map(str::to_owned),
            level,
        };
        let trans = self.act_shareably(action)?;
        Ok(trans.unwrap_or_default())
    }

    /// Whether the scenario has been quiet for `ticks` ticks: every peer
    /// up, the network whole, and no fault, heal or recovery since.
    pub fn quiet_for(&self, ticks: u64) -> bool {
        let sim = &self.sim;
        let last_fault = self
            .actions()
            .iter()
            .rev()
            .find(|t| !matches!(t.action, Action::Op { .. }))
            .map_or(0, |t| t.tick);
        sim.alive_peers().len() == sim.peer_count() as usize
            && sim.network().is_clean()
            && sim.now() >= last_fault + ticks
    }

    /// The simulation.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Every event so far.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The history of every client request so far.
    pub fn history(&self) -> &History {
        self.recorder.history()
    }

    /// The preset's grade so far, if this is a preset.
    pub fn grade(&self) -> Option<&Grade> {
        self.grading.as_ref().map(Grading::grade)
    }

    /// How it started.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The actions taken up to and at the shown tick, in order.
    pub fn actions(&self) -> &[Timed] {
        &self.actions[..self.applied]
    }

    /// The preset's classic test case, if any.
    pub fn preset(&self) -> Option<&Driver> {
        self.driver.as_ref()
    }

    /// What is selected: the view a link restores.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// Selects a peer, key and transaction (each optional) for the link to
    /// restore; refuses a peer outside the cluster and a key that is no
    /// key. A transaction not sent by the shown tick (seen from before it,
    /// or dropped by a fork) stays selected but out of the link.
    pub fn select(&mut self, selection: Selection) -> Result<(), ScenarioError> {
        if let Some(problem) = selection.problem(self.setup.peers, |_| true) {
            return Err(ScenarioError(format!("cannot select: {problem}")));
        }
        self.selection = selection;
        Ok(())
    }

    /// The health counters sampled over the run, from tick 0 up to the
    /// horizon (the shown tick's future included).
    pub fn samples(&self) -> &Samples {
        &self.samples
    }

    /// The share link (URL fragment, without `#`) of this scenario now.
    pub fn link(&self) -> String {
        let s = &self.setup;
        let mut link = format!("v=1&peers={}&seed={}", s.peers, s.seed);
        if let Some(preset) = &s.preset {
            link.push_str(&format!("&preset={preset}"));
        }
        // Only the timings (the anti-entropy period among them) decide
        // `t=`: replication, read repair, vnodes, hinted handoff and the
        // anti-entropy mode have fields of their own.
        let ae = s.config.anti_entropy;
        let timings_only = Config {
            membership: s.config.membership,
            op_timeout: s.config.op_timeout,
            store: s.config.store,
            anti_entropy: AntiEntropy {
                mode: AeMode::default(),
                ..ae
            },
            ..Config::default()
        };
        if timings_only != Config::default() {
            let (t, m, st) = (s.config, s.config.membership, s.config.store);
            link.push_str(&format!(
                "&t={}.{}.{}.{}.{}.{}",
                m.fanout, m.t_fail, m.t_remove, m.join_retry, t.op_timeout, st.orphan_hold
            ));
            let (d, dae) = (StoreTimings::default(), AntiEntropy::default());
            if (st.push_retry, ae.period, st.tombstone_grace)
                != (d.push_retry, dae.period, d.tombstone_grace)
            {
                link.push_str(&format!(
                    ".{}.{}.{}",
                    st.push_retry, ae.period, st.tombstone_grace
                ));
            }
        }
        let rep = s.config.replication;
        if rep != Replication::default() {
            link.push_str(&format!("&rep={}.{}.{}", rep.n, rep.r, rep.w));
        }
        if s.config.read_repair != ReadRepair::Off {
            link.push_str(&format!("&rr={}", s.config.read_repair.word()));
        }
        if s.config.vnodes != 1 {
            link.push_str(&format!("&vn={}", s.config.vnodes));
        }
        if s.config.hinted_handoff {
            link.push_str("&hh=on");
        }
        if ae.mode != AeMode::default() {
            link.push_str(&format!("&ae={}", ae.mode.word()));
        }
        link.push_str(&format!("&tick={}", self.sim.now()));
        if let Some(free) = self.free_from() {
            link.push_str(&format!("&free={free}"));
        }
        if self.applied > 0 {
            let actions: Vec<String> = self.actions().iter().map(encode_action).collect();
            link.push_str("&do=");
            link.push_str(&actions.join(";"));
        }
        let log = &self.log;
        let view = self
            .selection
            .link_fields(escape, |t| log.transaction(t).next().is_some());
        // The view is not part of the run: left out when it does not fit.
        if link.len() + view.len() + SUM_FIELD_BYTES <= MAX_LINK_BYTES {
            link.push_str(&view);
        }
        seal(&link)
    }

    /// [`Session::act`] for a person acting now: refuses an action that
    /// would make [`Session::link`] longer than a link may be, so that
    /// every scenario made can be shared and replayed.
    pub fn act_shareably(&mut self, action: Action) -> Result<Option<u64>, ScenarioError> {
        let timed = Timed {
            tick: self.sim.now(),
            action,
        };
        let longer = self.link().len() + encode_action(&timed).len() + "&do=".len();
        if longer > MAX_LINK_BYTES {
            return Err(ScenarioError(format!(
                "this would make the share link about {longer} bytes, more than the {MAX_LINK_BYTES} a link may be: share this scenario as it is, or start a new one"
            )));
        }
        self.act(timed.action)
    }

    /// Replays a share link: the whole address or just its fragment.
    pub fn from_link(text: &str, trace_messages: bool) -> Result<Session, ScenarioError> {
        let parsed = parse_link(text)?;
        let mut session = Session::new(parsed.setup, trace_messages)?;
        let limit = match parsed.free {
            Some(_) => longest_run(session.setup.peers),
            None => session.max_tick(),
        };
        if parsed.tick > limit {
            return fail(format!(
                "tick {} is past the longest replay for {} peers ({})",
                parsed.tick, session.setup.peers, limit
            ));
        }
        for (index, timed) in parsed.actions.into_iter().enumerate() {
            if timed.tick > parsed.tick {
                return fail(format!(
                    "action {} is at tick {}, after the link's tick {}",
                    index + 1,
                    timed.tick,
                    parsed.tick
                ));
            }
            if timed.tick < session.sim.now() {
                return fail(format!("action {} is out of tick order", index + 1));
            }
            session.advance(timed.tick, parsed.free)?;
            if let Err(e) = session.act(timed.action) {
                return fail(format!("action {} at tick {}: {e}", index + 1, timed.tick));
            }
        }
        session.advance(parsed.tick, parsed.free)?;
        let log = &session.log;
        if let Some(problem) = parsed
            .selection
            .problem(session.setup.peers, |t| log.transaction(t).next().is_some())
        {
            return fail(format!("cannot select: {problem}"));
        }
        session.selection = parsed.selection;
        Ok(session)
    }

    /// Runs on to tick `to`, going on as a free run at tick `free` on the
    /// way if a link says so.
    fn advance(&mut self, to: u64, free: Option<u64>) -> Result<(), ScenarioError> {
        if let Some(free) = free.filter(|&f| f <= to && self.free.is_none()) {
            self.step(free - self.sim.now());
            self.continue_free()
                .or_else(|e| fail(format!("free={free}: {e}")))?;
        }
        self.step(to - self.sim.now());
        Ok(())
    }
}

/// The longest run of `peers` peers a share link may replay: a bound on
/// the work of a replay, peers² × ticks, and at most [`MAX_TICK`].
fn longest_run(peers: u32) -> u64 {
    let peers = u64::from(peers.max(1));
    (MAX_WORK / (peers * peers)).min(MAX_TICK)
}

/// How many peers the scenario of link `text` has (the link checked as
/// [`Session::from_link`] checks it, but not replayed).
pub fn link_peers(text: &str) -> Result<u32, ScenarioError> {
    parse_link(text).map(|parsed| parsed.setup.peers)
}

/// The length of the checksum field [`seal`] appends: `&sum=` and 8 hex digits.
const SUM_FIELD_BYTES: usize = "&sum=".len() + 8;

/// Appends the checksum field to the body of a link.
pub fn seal(body: &str) -> String {
    format!("{body}&sum={}", checksum(body))
}

fn checksum(body: &str) -> String {
    format!("{:08x}", xxh3_64(body.as_bytes()) & 0xffff_ffff)
}

/// Applies one action to the simulation; returns a transaction id for ops.
fn apply(sim: &mut Sim, action: &Action) -> Result<Option<u64>, ScenarioError> {
    Ok(match action {
        Action::Fail(id) => sim.fail(*id).map(|_| None)?,
        Action::Recover(id) => sim.recover(*id).map(|_| None)?,
        Action::Partition(side) => sim.partition(side).map(|_| None)?,
        Action::Heal => {
            sim.heal();
            None
        }
        Action::Loss { link, percent } => sim.set_loss(*link, *percent).map(|_| None)?,
        Action::Delay { from, to, ticks } => sim.set_delay(*from, *to, *ticks).map(|_| None)?,
        Action::Drop(seq) => sim.drop_message(*seq).map(|_| None)?,
        Action::Op {
            coordinator,
            op,
            key,
            value,
            level,
        } => Some(sim.client_op_at(*coordinator, *op, key, value.as_deref(), *level)?),
    })
}

/// Decodes `what`, percent-encoded in a link: every `%` starts an escape
/// of two hex digits, and the bytes are UTF-8.
fn unescape(text: &str, what: &str) -> Result<String, ScenarioError> {
    let bytes = text.as_bytes();
    if let Some(at) = bytes.iter().enumerate().position(|(i, &b)| {
        b == b'%'
            && !bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    }) {
        return fail(format!(
            "{what} `{}` has a % at byte {at} that is not followed by two hex digits",
            clip(text)
        ));
    }
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .or_else(|_| fail(format!("{what} is not UTF-8")))
}

/// A key or value percent-encoded for a link.
fn escape(text: &str) -> String {
    utf8_percent_encode(text, ESCAPED).to_string()
}

fn encode_action(t: &Timed) -> String {
    let text = escape;
    match &t.action {
        Action::Fail(id) => format!("{}.fail.{}", t.tick, id.0 + 1),
        Action::Recover(id) => format!("{}.recover.{}", t.tick, id.0 + 1),
        Action::Partition(side) => {
            let ids: Vec<String> = side.iter().map(|id| (id.0 + 1).to_string()).collect();
            format!("{}.part.{}", t.tick, ids.join("-"))
        }
        Action::Heal => format!("{}.heal", t.tick),
        Action::Loss {
            link: None,
            percent,
        } => format!("{}.loss.{percent}", t.tick),
        Action::Loss {
            link: Some((from, to)),
            percent,
        } => format!("{}.loss.{}.{}.{percent}", t.tick, from.0 + 1, to.0 + 1),
        Action::Delay { from, to, ticks } => {
            format!("{}.delay.{}.{}.{ticks}", t.tick, from.0 + 1, to.0 + 1)
        }
        Action::Drop(seq) => format!("{}.drop.{seq}", t.tick),
        Action::Op {
            coordinator,
            op,
            key,
            value,
            level,
        } => {
            let verb = match level {
                Level::Quorum => op.word().to_owned(),
                other => format!("{}:{}", op.word(), other.word()),
            };
            let mut s = format!("{}.{verb}.{}.{}", t.tick, coordinator.0 + 1, text(key));
            if let Some(v) = value {
                s.push('.');
                s.push_str(&text(v));
            }
            s
        }
    }
}

/// A parsed, not yet replayed, link.
struct ParsedLink {
    setup: Setup,
    tick: u64,
    actions: Vec<Timed>,
    selection: Selection,
    /// The tick a preset went on from as a free run.
    free: Option<u64>,
}

fn parse_link(text: &str) -> Result<ParsedLink, ScenarioError> {
    if text.len() > MAX_LINK_BYTES {
        return fail(format!(
            "{} bytes is longer than the {MAX_LINK_BYTES} a link may be",
            text.len()
        ));
    }
    let fragment = text.split_once('#').map_or(text, |(_, f)| f).trim();
    if fragment.is_empty() {
        return fail("it is empty".into());
    }
    let Some((fragment, sum)) = fragment.rsplit_once("&sum=") else {
        return fail("it has no checksum (sum=); it is incomplete or not an ftkv link".into());
    };
    if sum != checksum(fragment) {
        return fail("it is damaged or incomplete: its checksum does not match".into());
    }
    let mut fields: [Option<&str>; 16] = [None; 16];
    const NAMES: [&str; 16] = [
        "v", "peers", "seed", "tick", "preset", "t", "do", "rep", "rr", "vn", "hh", "ae", "free",
        "sel", "key", "tx",
    ];
    for part in fragment.split('&') {
        let Some((name, value)) = part.split_once('=') else {
            return fail(format!("`{}` is not name=value", clip(part)));
        };
        let Some(at) = NAMES.iter().position(|&n| n == name) else {
            return fail(format!("unknown field `{}`", clip(name)));
        };
        if fields[at].replace(value).is_some() {
            return fail(format!("field `{name}` appears twice"));
        }
    }
    match fields[0] {
        Some("1") => {}
        Some(v) => return fail(format!("version `{}` is not supported (only 1)", clip(v))),
        None => return fail("the version field v=1 is missing".into()),
    }
    let number = |at: usize, max: u64| -> Result<u64, ScenarioError> {
        let Some(text) = fields[at] else {
            return fail(format!("the field `{}` is missing", NAMES[at]));
        };
        match digits::parse::<u64>(text) {
            Ok(n) if n <= max => Ok(n),
            _ => fail(format!(
                "{} must be a whole number up to {max}, not `{}`",
                NAMES[at],
                clip(text)
            )),
        }
    };
    let peers = number(1, u64::from(MAX_LINK_PEERS))? as u32;
    if peers == 0 {
        return fail(format!("peers must be 1 to {MAX_LINK_PEERS}, not 0"));
    }
    let seed = number(2, u64::MAX)?;
    let tick = number(3, MAX_TICK)?;
    let mut setup = match fields[4] {
        Some(name) => Setup::preset(name, seed).or_else(|e| fail(e.0))?,
        None => Setup::new(peers, seed),
    };
    if setup.peers != peers {
        return fail(format!(
            "preset {} has {} peers, not {peers}",
            clip(fields[4].unwrap_or("")),
            setup.peers
        ));
    }
    if let Some(t) = fields[5] {
        setup.config = parse_timings(t)?;
    }
    if let Some(rep) = fields[7] {
        setup.config.replication = parse_replication(rep)?;
    }
    if let Some(rr) = fields[8] {
        setup.config.read_repair = ReadRepair::parse(rr).ok_or_else(|| {
            ScenarioError(format!(
                "share link: read repair `{}` is not off, async or blocking",
                clip(rr)
            ))
        })?;
    }
    if fields[9].is_some() {
        let vnodes = number(9, u64::from(MAX_VNODES))? as u16;
        validate_vnodes(vnodes).or_else(fail)?;
        setup.config.vnodes = vnodes;
    }
    if let Some(hh) = fields[10] {
        setup.config.hinted_handoff = on_off(hh).ok_or_else(|| {
            ScenarioError(format!(
                "share link: hinted handoff `{}` is not on or off",
                clip(hh)
            ))
        })?;
    }
    if let Some(mode) = fields[11] {
        setup.config.anti_entropy.mode = AeMode::parse(mode).ok_or_else(|| {
            ScenarioError(format!(
                "share link: anti-entropy `ae={}` is not digest or merkle",
                clip(mode)
            ))
        })?;
    }
    let free = match fields[12] {
        None => None,
        Some(_) if fields[4].is_none() => {
            return fail("free= continues a preset, and the link has no preset".into())
        }
        Some(_) => match number(12, MAX_TICK)? {
            t if t != classic::TICKS => {
                return fail(format!(
                    "free={t}: a preset continues as a free run from its end, tick {}",
                    classic::TICKS
                ))
            }
            t if t > tick => return fail(format!("free={t} is after the link's tick {tick}")),
            t => Some(t),
        },
    };
    let mut actions = Vec::new();
    if let Some(list) = fields[6] {
        for (index, text) in list.split(';').enumerate() {
            if index >= MAX_ACTIONS {
                return fail(format!("more than {MAX_ACTIONS} actions"));
            }
            actions
                .push(parse_action(text, peers).or_else(|e| {
                    fail(format!("action {} `{}`: {}", index + 1, clip(text), e.0))
                })?);
        }
    }
    let selection = Selection {
        peer: match fields[13] {
            Some(_) => Some(PeerId(
                number(13, u64::from(peers))?
                    .checked_sub(1)
                    .map_or_else(|| fail("sel must name a peer from 1".into()), Ok)?
                    as u32,
            )),
            None => None,
        },
        key: fields[14]
            .map(|k| unescape(k, "the selected key"))
            .transpose()?,
        trans: fields[15].map(|_| number(15, u64::MAX)).transpose()?,
    };
    Ok(ParsedLink {
        setup,
        tick,
        actions,
        selection,
        free,
    })
}

/// The dot-separated whole numbers of a link field, or an error naming
/// the field `what`.
fn dotted<T: std::str::FromStr>(text: &str, what: &str) -> Result<Vec<T>, ScenarioError> {
    text.split('.')
        .map(|n| {
            digits::parse::<T>(n)
                .or_else(|why| fail(format!("{what} `{}`: `{}` {why}", clip(text), clip(n))))
        })
        .collect()
}

fn parse_replication(text: &str) -> Result<Replication, ScenarioError> {
    let numbers: Vec<u8> = dotted(text, "replication N.R.W")?;
    let [n, r, w] = numbers[..] else {
        return fail(format!("replication `{}` is not N.R.W", clip(text)));
    };
    let replication = Replication { n, r, w };
    replication
        .validate()
        .or_else(|e| fail(format!("replication: {e}")))?;
    Ok(replication)
}

fn parse_timings(text: &str) -> Result<Config, ScenarioError> {
    let numbers: Vec<u64> = dotted(text, "timings")?;
    let d = StoreTimings::default();
    let (first, store) = match numbers[..] {
        [a, b, c, e, f, g] => (
            [a, b, c, e, f, g],
            [
                d.push_retry,
                AntiEntropy::default().period,
                d.tombstone_grace,
            ],
        ),
        [a, b, c, e, f, g, h, i, j] => ([a, b, c, e, f, g], [h, i, j]),
        _ => return fail(format!("timings `{}` need 6 or 9 numbers", clip(text))),
    };
    let [fanout, t_fail, t_remove, join_retry, op_timeout, orphan_hold] = first;
    let [push_retry, ae_period, tombstone_grace] = store;
    Ok(Config {
        membership: MembershipTimings {
            fanout: u32::try_from(fanout)
                .or_else(|_| fail(format!("timings: fanout {fanout} is too large")))?,
            t_fail,
            t_remove,
            join_retry,
        },
        op_timeout,
        store: StoreTimings {
            orphan_hold,
            push_retry,
            tombstone_grace,
        },
        anti_entropy: AntiEntropy {
            period: ae_period,
            ..AntiEntropy::default()
        },
        ..Config::default()
    })
}

fn parse_action(text: &str, peers: u32) -> Result<Timed, ScenarioError> {
    let bad = |why: &str| Err(ScenarioError(why.to_owned()));
    let parts: Vec<&str> = text.split('.').collect();
    let (Some(tick), Some(verb)) = (parts.first(), parts.get(1)) else {
        return bad("expected tick.verb...");
    };
    let Ok(tick) = digits::parse::<u64>(tick) else {
        return bad("the tick is not a whole number");
    };
    let args = &parts[2..];
    let peer = |text: &str| -> Result<PeerId, ScenarioError> {
        match digits::parse::<u32>(text) {
            Ok(n) if (1..=peers).contains(&n) => Ok(PeerId(n - 1)),
            _ => Err(ScenarioError(format!(
                "there is no peer `{}` among 1..={peers}",
                clip(text)
            ))),
        }
    };
    let number = |text: &str, what: &str, max: u64| -> Result<u64, ScenarioError> {
        match digits::parse::<u64>(text) {
            Ok(n) if n <= max => Ok(n),
            _ => Err(ScenarioError(format!(
                "{what} must be a whole number up to {max}, not `{}`",
                clip(text)
            ))),
        }
    };
    let text_at = |at: usize| -> Result<Option<String>, ScenarioError> {
        args.get(at)
            .map(|p| unescape(p, "a key or value"))
            .transpose()
    };
    let action = match (*verb, args) {
        ("fail", [id]) => Action::Fail(peer(id)?),
        ("recover", [id]) => Action::Recover(peer(id)?),
        ("fail" | "recover", _) => return bad("expected tick.fail.peer or tick.recover.peer"),
        ("part", [ids]) => {
            let mut side = Vec::new();
            for id in ids.split('-') {
                let id = peer(id)?;
                if side.contains(&id) {
                    return bad("a peer appears twice in the partition");
                }
                side.push(id);
            }
            Action::Partition(side)
        }
        ("part", _) => return bad("expected tick.part.peer-peer-..."),
        ("heal", []) => Action::Heal,
        ("heal", _) => return bad("expected tick.heal"),
        ("loss", [p]) => Action::Loss {
            link: None,
            percent: number(p, "a loss in percent", 100)? as u8,
        },
        ("loss", [a, b, p]) => Action::Loss {
            link: Some((peer(a)?, peer(b)?)),
            percent: number(p, "a loss in percent", 100)? as u8,
        },
        ("loss", _) => return bad("expected tick.loss.percent or tick.loss.from.to.percent"),
        ("delay", [a, b, d]) => {
            let ticks = number(d, "a delay in ticks", MAX_DELAY)?;
            if ticks == 0 {
                return bad("a delay is at least 1 tick");
            }
            Action::Delay {
                from: peer(a)?,
                to: peer(b)?,
                ticks,
            }
        }
        ("delay", _) => return bad("expected tick.delay.from.to.ticks"),
        ("drop", [seq]) => Action::Drop(number(seq, "a message number", u64::MAX)?),
        ("drop", _) => return bad("expected tick.drop.message"),
        (verb, _) => match parse_op(verb)? {
            Some((op, level)) => {
                let needs_value = matches!(op, OpKind::Create | OpKind::Update);
                if args.len() != 2 + usize::from(needs_value) {
                    return bad(if needs_value {
                        "expected tick.verb.peer.key.value"
                    } else {
                        "expected tick.verb.peer.key"
                    });
                }
                Action::Op {
                    coordinator: peer(args[0])?,
                    op,
                    key: text_at(1)?.unwrap_or_default(),
                    value: text_at(2)?,
                    level,
                }
            }
            None => {
                return bad(
                    "unknown action (fail, recover, part, heal, loss, delay, drop, create, read, update, delete)",
                )
            }
        },
    };
    Ok(Timed { tick, action })
}

/// A request's verb: `read`, or `read:one` with a consistency level;
/// `None` if it names no operation.
fn parse_op(verb: &str) -> Result<Option<(OpKind, Level)>, ScenarioError> {
    let (word, level) = verb.split_once(':').unwrap_or((verb, "quorum"));
    let Some(op) = OpKind::parse(word).filter(|op| op.word() == word) else {
        return Ok(None);
    };
    match Level::parse(level) {
        Some(level) => Ok(Some((op, level))),
        None => Err(ScenarioError(format!(
            "consistency level `{}` is not one, quorum or all",
            clip(level)
        ))),
    }
}
