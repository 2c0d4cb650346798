//! Why a scenario, an action or a share link was refused: one variant per
//! problem, each with the message [`std::fmt::Display`] gives.

use std::fmt;

use crate::classic;
use crate::classic::testcase::clip;
use crate::protocol::settings::ConfigError;
use crate::scenario::action::ActionError;
use crate::scenario::limits::{MAX_ACTIONS, MAX_LINK_BYTES, MAX_LINK_PEERS};
use crate::scenario::selection::SelectionProblem;
use crate::scenario::text::EscapeError;
use crate::sim::cluster::SimError;

/// Why a scenario or a link was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The simulation refused it.
    Sim(SimError),
    /// The action is one no share link could carry.
    Action(ActionError),
    /// The share link is not one ftkv replays.
    Link(Box<LinkError>),
    /// No classic test case has this name.
    UnknownPreset(String),
    /// No classic test case has this name and peer count.
    PresetPeers {
        /// The preset asked for.
        name: String,
        /// The peers asked for.
        peers: u32,
    },
    /// A preset runs the classic settings, not these.
    PresetSettings {
        /// The settings text asked for.
        settings: String,
    },
    /// The cluster is too small or too large for a scenario.
    PeerCount(u32),
    /// Only a preset can go on as a free run.
    NotAPreset,
    /// A preset goes on as a free run from its end only.
    NotAtPresetEnd(u64),
    /// A seek past the horizon.
    PastHorizon {
        /// The tick asked for.
        tick: u64,
        /// The furthest tick reached.
        horizon: u64,
    },
    /// The scenario already holds `MAX_ACTIONS` actions.
    TooManyActions,
    /// The preset reached its end and was not continued.
    PresetOver(u64),
    /// A request at the last tick a link can replay could never complete.
    TooLateForRequest {
        /// The tick now.
        tick: u64,
        /// The peers of the scenario.
        peers: u32,
    },
    /// No peer is alive to coordinate a request.
    NoLivePeer,
    /// The selection does not fit the scenario.
    CannotSelect(SelectionProblem),
    /// The action would make the share link too long.
    LinkWouldBeTooLong(usize),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Sim(e) => write!(f, "{e}"),
            ScenarioError::Action(e) => write!(f, "{e}"),
            ScenarioError::Link(e) => write!(f, "share link: {e}"),
            ScenarioError::UnknownPreset(name) => write!(
                f,
                "no preset `{}` (presets: {})",
                clip(name),
                classic::CASES.join(", ")
            ),
            ScenarioError::PresetPeers { name, peers } => {
                write!(f, "no preset `{}` with {peers} peers", clip(name))
            }
            ScenarioError::PresetSettings { settings } => write!(
                f,
                "a preset runs the classic settings ({}) and is graded on them, not `{settings}`",
                crate::protocol::config::Config::default().settings()
            ),
            ScenarioError::PeerCount(peers) => {
                write!(f, "a scenario has 1 to {MAX_LINK_PEERS} peers, not {peers}")
            }
            ScenarioError::NotAPreset => f.write_str("only a preset can continue as a free run"),
            ScenarioError::NotAtPresetEnd(now) => write!(
                f,
                "a preset continues as a free run from its end, tick {}, not tick {now}",
                classic::TICKS
            ),
            ScenarioError::PastHorizon { tick, horizon } => write!(
                f,
                "tick {tick} is past the furthest tick reached, {horizon}"
            ),
            ScenarioError::TooManyActions => {
                write!(f, "a scenario holds at most {MAX_ACTIONS} actions")
            }
            ScenarioError::PresetOver(now) => write!(
                f,
                "the preset is over at tick {now}: continue it as a free run to act on"
            ),
            ScenarioError::TooLateForRequest { tick, peers } => write!(
                f,
                "tick {tick} is the longest a share link can replay for {peers} peers: a request sent now could never complete"
            ),
            ScenarioError::NoLivePeer => f.write_str("no live peer to coordinate"),
            ScenarioError::CannotSelect(problem) => write!(f, "cannot select: {problem}"),
            ScenarioError::LinkWouldBeTooLong(bytes) => write!(
                f,
                "this would make the share link about {bytes} bytes, more than the {MAX_LINK_BYTES} a link may be: share this scenario as it is, or start a new one"
            ),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<SimError> for ScenarioError {
    fn from(e: SimError) -> Self {
        ScenarioError::Sim(e)
    }
}

impl From<LinkError> for ScenarioError {
    fn from(e: LinkError) -> Self {
        ScenarioError::Link(Box::new(e))
    }
}

/// What is wrong with a share link (shown after `share link: `).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Longer than [`MAX_LINK_BYTES`].
    TooLong(usize),
    /// Nothing in it.
    Empty,
    /// No `&sum=` field.
    NoChecksum,
    /// The checksum does not match.
    BadChecksum,
    /// A part that is not `name=value`.
    NotNameValue(String),
    /// A field ftkv does not know.
    UnknownField(String),
    /// A field given twice.
    FieldTwice(String),
    /// A version other than 1.
    Version(String),
    /// No `v=1`.
    NoVersion,
    /// A field that must be there is not.
    Missing(&'static str),
    /// A field that is not a whole number up to its maximum.
    BadNumber {
        /// The field.
        field: &'static str,
        /// Its largest value.
        max: u64,
        /// What it holds.
        text: String,
    },
    /// `peers=0`.
    NoPeers,
    /// The preset is refused.
    Preset(ScenarioError),
    /// The preset has another peer count.
    PresetPeers {
        /// The preset.
        name: String,
        /// Its peers.
        has: u32,
        /// The link's peers.
        peers: u32,
    },
    /// A setting's field holds a word it does not take.
    BadWord {
        /// How the link names the value, `{}` standing for it.
        what: &'static str,
        /// The value.
        text: String,
        /// The words it takes, in words (`on or off`).
        choices: String,
    },
    /// A setting is out of its range.
    Setting(ConfigError),
    /// `rep=` breaks 1 ≤ R, W ≤ N ≤ 7.
    Replication(ConfigError),
    /// `rep=` is not three numbers.
    NotNrw(String),
    /// A number of a dotted field is not a whole number.
    Dotted {
        /// The field, in words.
        what: &'static str,
        /// The whole field.
        text: String,
        /// The number.
        part: String,
        /// Why it is no number.
        why: crate::util::digits::NotWhole,
    },
    /// `t=` with a count of numbers other than 6 or 9.
    TimingCount(String),
    /// The fanout of `t=` does not fit.
    FanoutTooLarge(u64),
    /// `free=` without a preset.
    FreeWithoutPreset,
    /// `free=` other than the preset's end.
    FreeNotAtEnd(u64),
    /// `free=` after the link's tick.
    FreeAfterTick {
        /// `free=`.
        free: u64,
        /// `tick=`.
        tick: u64,
    },
    /// More than `MAX_ACTIONS` actions.
    TooManyActions,
    /// An action that does not parse.
    Action {
        /// Its place, from 1.
        index: usize,
        /// Its text.
        text: String,
        /// Why.
        error: ActionError,
    },
    /// A key that does not decode.
    Escape(EscapeError),
    /// `sel=0`.
    SelectFromOne,
    /// The tick is past the longest replay.
    PastLongest {
        /// `tick=`.
        tick: u64,
        /// The peers.
        peers: u32,
        /// The longest replay.
        limit: u64,
    },
    /// An action after the link's tick.
    ActionAfterTick {
        /// Its place, from 1.
        index: usize,
        /// Its tick.
        at: u64,
        /// `tick=`.
        tick: u64,
    },
    /// An action before the one before it.
    OutOfOrder(usize),
    /// An action the scenario refused on replay.
    ActionRefused {
        /// Its place, from 1.
        index: usize,
        /// Its tick.
        tick: u64,
        /// Why.
        error: ScenarioError,
    },
    /// The free run could not begin.
    Free {
        /// `free=`.
        free: u64,
        /// Why.
        error: ScenarioError,
    },
    /// The view does not fit the run.
    CannotSelect(SelectionProblem),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::TooLong(bytes) => write!(
                f,
                "{bytes} bytes is longer than the {MAX_LINK_BYTES} a link may be"
            ),
            LinkError::Empty => f.write_str("it is empty"),
            LinkError::NoChecksum => {
                f.write_str("it has no checksum (sum=); it is incomplete or not an ftkv link")
            }
            LinkError::BadChecksum => {
                f.write_str("it is damaged or incomplete: its checksum does not match")
            }
            LinkError::NotNameValue(part) => write!(f, "`{}` is not name=value", clip(part)),
            LinkError::UnknownField(name) => write!(f, "unknown field `{}`", clip(name)),
            LinkError::FieldTwice(name) => write!(f, "field `{name}` appears twice"),
            LinkError::Version(v) => {
                write!(f, "version `{}` is not supported (only 1)", clip(v))
            }
            LinkError::NoVersion => f.write_str("the version field v=1 is missing"),
            LinkError::Missing(field) => write!(f, "the field `{field}` is missing"),
            LinkError::BadNumber { field, max, text } => write!(
                f,
                "{field} must be a whole number up to {max}, not `{}`",
                clip(text)
            ),
            LinkError::NoPeers => write!(f, "peers must be 1 to {MAX_LINK_PEERS}, not 0"),
            LinkError::Preset(e) => write!(f, "{e}"),
            LinkError::PresetPeers { name, has, peers } => {
                write!(f, "preset {} has {has} peers, not {peers}", clip(name))
            }
            LinkError::BadWord {
                what,
                text,
                choices,
            } => write!(
                f,
                "{} is not {choices}",
                what.replace("{}", clip(text).as_ref())
            ),
            LinkError::Setting(e) => write!(f, "{e}"),
            LinkError::Replication(e) => write!(f, "replication: {e}"),
            LinkError::NotNrw(text) => write!(f, "replication `{}` is not N.R.W", clip(text)),
            LinkError::Dotted {
                what,
                text,
                part,
                why,
            } => write!(f, "{what} `{}`: `{}` {why}", clip(text), clip(part)),
            LinkError::TimingCount(text) => {
                write!(f, "timings `{}` need 6 or 9 numbers", clip(text))
            }
            LinkError::FanoutTooLarge(fanout) => {
                write!(f, "timings: fanout {fanout} is too large")
            }
            LinkError::FreeWithoutPreset => {
                f.write_str("free= continues a preset, and the link has no preset")
            }
            LinkError::FreeNotAtEnd(t) => write!(
                f,
                "free={t}: a preset continues as a free run from its end, tick {}",
                classic::TICKS
            ),
            LinkError::FreeAfterTick { free, tick } => {
                write!(f, "free={free} is after the link's tick {tick}")
            }
            LinkError::TooManyActions => write!(f, "more than {MAX_ACTIONS} actions"),
            LinkError::Action { index, text, error } => {
                write!(f, "action {index} `{}`: {error}", clip(text))
            }
            LinkError::Escape(e) => write!(f, "{e}"),
            LinkError::SelectFromOne => f.write_str("sel must name a peer from 1"),
            LinkError::PastLongest { tick, peers, limit } => write!(
                f,
                "tick {tick} is past the longest replay for {peers} peers ({limit})"
            ),
            LinkError::ActionAfterTick { index, at, tick } => write!(
                f,
                "action {index} is at tick {at}, after the link's tick {tick}"
            ),
            LinkError::OutOfOrder(index) => write!(f, "action {index} is out of tick order"),
            LinkError::ActionRefused { index, tick, error } => {
                write!(f, "action {index} at tick {tick}: {error}")
            }
            LinkError::Free { free, error } => write!(f, "free={free}: {error}"),
            LinkError::CannotSelect(problem) => write!(f, "cannot select: {problem}"),
        }
    }
}

impl From<EscapeError> for LinkError {
    fn from(e: EscapeError) -> Self {
        LinkError::Escape(e)
    }
}
