//! Time travel: what a session keeps to show any tick of its run again.
//!
//! A session remembers its run up to the furthest tick it reached, its
//! [`crate::scenario::session::Session::horizon`], and can show any tick of
//! it again:
//!
//! - `Session::seek` to a tick from 0 to the horizon, back or forward,
//!   shows exactly what a fresh replay of the link cut at that tick shows
//!   (`Session::from_link` of the `Session::link` seen there): the
//!   simulation, the events up to that tick only, the history, the grade,
//!   and the link itself (`tick=` that tick, `do=` the actions up to and at
//!   that tick). It restores the latest [`Checkpoint`] at or before the
//!   tick (a copy of the simulation, its readers and how long its log and
//!   action list were, kept every 100 ticks at first: see
//!   [`crate::scenario::timeline`]) and replays the recorded actions from
//!   there.
//! - Nothing is lost by looking back: the actions and events after the
//!   shown tick stay recorded, and seeking forward, up to the horizon,
//!   shows them again.
//! - `Session::step` in the past replays forward along the recorded
//!   future (the actions recorded for those ticks happen again, it does
//!   not fork); past the horizon it runs on as usual and moves the horizon.
//! - Acting in the past forks: any `Session::act` or `Session::request`
//!   that succeeds while the shown tick is before the horizon drops every
//!   recorded action after the shown tick (those at it stay: they had
//!   happened), drops the events, checkpoints and horizon beyond it, and
//!   records the new action; the link then lists only the kept actions and
//!   the new one. An action that fails forks nothing.
//!
//! Looking back changes nothing a run that never seeks would do or log.
//! The one thing a seek does not rewind is the person's own random choice
//! of a coordinator (`Session::request` without one): it is not part of
//! the run, and the link records the peer chosen, so replays stay exact.

use crate::check::record::Recorder;
use crate::classic::grader::Grading;
use crate::classic::Driver;
use crate::sim::cluster::Sim;

/// A session's state at one tick, before the actions of that tick: all a
/// replay from there needs.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// The simulation.
    pub(crate) sim: Sim,
    /// How many events the log held.
    pub(crate) log_len: usize,
    /// How many actions had happened.
    pub(crate) applied: usize,
    /// The history's reader.
    pub(crate) recorder: Recorder,
    /// The preset's grader.
    pub(crate) grading: Option<Grading>,
    /// The preset's driver.
    pub(crate) driver: Option<Driver>,
}

impl Checkpoint {
    /// The copy of the simulation kept.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }
}
