//! A session: a simulation plus every action a person took, with its tick,
//! what reads its log as it grows, and the checkpoints to travel back in
//! time with ([`crate::scenario::travel`]). It is what the playground and
//! `ftkv replay` drive; [`Session::link`] is the share link that replays it
//! exactly ([`crate::scenario::link`]).

use crate::check::history::History;
use crate::check::record::Recorder;
use crate::classic::grader::{Grade, Grading};
use crate::classic::{self, Driver};
use crate::protocol::address::PeerId;
use crate::protocol::config::{Config, Level};
use crate::protocol::op::OpKind;
use crate::scenario::action::{self, Action, Timed};
use crate::scenario::error::{LinkError, ScenarioError};
use crate::scenario::limits::{longest_run, MAX_ACTIONS, MAX_LINK_BYTES, MAX_LINK_PEERS};
use crate::scenario::link::{self, SUM_FIELD_BYTES};
use crate::scenario::selection::Selection;
use crate::scenario::setup::Setup;
use crate::scenario::text;
use crate::scenario::timeline::{self, Timeline};
use crate::scenario::travel::Checkpoint;
use crate::sim::cluster::{Sim, SimOptions};
use crate::sim::event_log::EventLog;
use crate::sim::health::Samples;
use crate::util::rng::{SimRng, STREAM_CLIENT};

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

impl Session {
    /// A new scenario at tick 0. `trace_messages` records every message as
    /// an event (for watching; it changes nothing else).
    pub fn new(setup: Setup, trace_messages: bool) -> Result<Session, ScenarioError> {
        if !(1..=MAX_LINK_PEERS).contains(&setup.peers) {
            return Err(ScenarioError::PeerCount(setup.peers));
        }
        if setup.preset.is_some() && setup.config != Config::default() {
            return Err(ScenarioError::PresetSettings {
                settings: setup.config.settings(),
            });
        }
        let driver = match &setup.preset {
            None => None,
            Some(name) => match classic::builtin(name) {
                Some(test) if test.peers == setup.peers => Some(Driver::new(test, setup.seed)),
                _ => {
                    return Err(ScenarioError::PresetPeers {
                        name: name.clone(),
                        peers: setup.peers,
                    })
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
            return Err(ScenarioError::NotAPreset);
        };
        let now = self.sim.now();
        if !driver.is_done(&self.sim) || now > classic::TICKS {
            return Err(ScenarioError::NotAtPresetEnd(now));
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
            action::apply(&mut self.sim, &timed.action).expect("a recorded action replays");
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
            return Err(ScenarioError::PastHorizon {
                tick,
                horizon: self.horizon,
            });
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
            return Err(ScenarioError::TooManyActions);
        }
        let now = self.sim.now();
        if now >= self.max_tick() {
            if self.driver.is_some() && self.free.is_none() {
                return Err(ScenarioError::PresetOver(now));
            }
            if matches!(action, Action::Op { .. }) {
                return Err(ScenarioError::TooLateForRequest {
                    tick: now,
                    peers: self.setup.peers,
                });
            }
        }
        action::check(&action).map_err(ScenarioError::Action)?;
        // An action takes no time: `now` stays the tick it is recorded at.
        let trans = action::apply(&mut self.sim, &action)?;
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
                    return Err(ScenarioError::NoLivePeer);
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
            return Err(ScenarioError::CannotSelect(problem));
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
        let mut body = link::body(
            &self.setup,
            self.sim.now(),
            self.free_from(),
            self.actions(),
        );
        let log = &self.log;
        let view = self
            .selection
            .link_fields(text::escape, |t| log.transaction(t).next().is_some());
        // The view is not part of the run: left out when it does not fit.
        if body.len() + view.len() + SUM_FIELD_BYTES <= MAX_LINK_BYTES {
            body.push_str(&view);
        }
        link::seal(&body)
    }

    /// [`Session::act`] for a person acting now: refuses an action that
    /// would make [`Session::link`] longer than a link may be, so that
    /// every scenario made can be shared and replayed.
    pub fn act_shareably(&mut self, action: Action) -> Result<Option<u64>, ScenarioError> {
        let timed = Timed {
            tick: self.sim.now(),
            action,
        };
        let longer = self.link().len() + action::encode(&timed).len() + "&do=".len();
        if longer > MAX_LINK_BYTES {
            return Err(ScenarioError::LinkWouldBeTooLong(longer));
        }
        self.act(timed.action)
    }

    /// Replays a share link: the whole address or just its fragment.
    pub fn from_link(text: &str, trace_messages: bool) -> Result<Session, ScenarioError> {
        let parsed = link::parse(text)?;
        let mut session = Session::new(parsed.setup, trace_messages)?;
        let limit = match parsed.free {
            Some(_) => longest_run(session.setup.peers),
            None => session.max_tick(),
        };
        if parsed.tick > limit {
            return Err(LinkError::PastLongest {
                tick: parsed.tick,
                peers: session.setup.peers,
                limit,
            }
            .into());
        }
        for (index, timed) in parsed.actions.into_iter().enumerate() {
            if timed.tick > parsed.tick {
                return Err(LinkError::ActionAfterTick {
                    index: index + 1,
                    at: timed.tick,
                    tick: parsed.tick,
                }
                .into());
            }
            if timed.tick < session.sim.now() {
                return Err(LinkError::OutOfOrder(index + 1).into());
            }
            session.advance(timed.tick, parsed.free)?;
            if let Err(error) = session.act(timed.action) {
                return Err(LinkError::ActionRefused {
                    index: index + 1,
                    tick: timed.tick,
                    error,
                }
                .into());
            }
        }
        session.advance(parsed.tick, parsed.free)?;
        let log = &session.log;
        if let Some(problem) = parsed
            .selection
            .problem(session.setup.peers, |t| log.transaction(t).next().is_some())
        {
            return Err(LinkError::CannotSelect(problem).into());
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
                .map_err(|error| LinkError::Free { free, error })?;
        }
        self.step(to - self.sim.now());
        Ok(())
    }
}
