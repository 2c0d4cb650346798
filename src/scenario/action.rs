//! Actions: what a person does to a scenario — fail or recover a peer, cut
//! or heal the network, lose or delay messages, send a request — and the
//! text of each in a share link, `tick.verb.args`: `fail.P`, `recover.P`,
//! `create.P.key.value`, `read.P.key`, `update.P.key.value`,
//! `delete.P.key`, and the network faults `part.P-Q-…` (those peers on one
//! side, the rest on the other), `heal` (partitions, losses and delays all
//! gone), `loss.PCT` (every link), `loss.P.Q.PCT` and `delay.P.Q.TICKS`
//! (the directed link P → Q), and `drop.SEQ` (lose the message in flight
//! whose send order is SEQ, [`crate::sim::network::InFlight::seq`]). A
//! request's verb may name a consistency level: `read:one.P.key`. Peers
//! are numbered from 1; keys and values are percent-encoded.

use std::fmt;

use crate::classic::testcase::clip;
use crate::protocol::address::PeerId;
use crate::protocol::config::Level;
use crate::protocol::op::OpKind;
use crate::scenario::text::{escape, unescape, EscapeError};
use crate::sim::cluster::{Sim, SimError};
use crate::sim::network::MAX_DELAY;
use crate::util::digits;

/// The verbs of the faults, in the order the unknown-action message names
/// them (the requests' verbs are [`OpKind::word`]).
const FAULT_VERBS: [&str; 7] = ["fail", "recover", "part", "heal", "loss", "delay", "drop"];

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

/// Applies one action to the simulation; returns a transaction id for ops.
pub fn apply(sim: &mut Sim, action: &Action) -> Result<Option<u64>, SimError> {
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
            coordinator: at,
            op,
            key,
            value: v,
            level,
        } => Some(sim.client_op_at(*at, *op, key, v.as_deref(), *level)?),
    })
}

/// The link text of an action: `tick.verb.args`.
pub fn encode(t: &Timed) -> String {
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

/// Parses the link text of an action in a cluster of `peers` peers.
pub fn parse(text: &str, peers: u32) -> Result<Timed, ActionError> {
    let parts: Vec<&str> = text.split('.').collect();
    let (Some(tick), Some(verb)) = (parts.first(), parts.get(1)) else {
        return Err(ActionError::Shape("tick.verb..."));
    };
    let Ok(tick) = digits::parse::<u64>(tick) else {
        return Err(ActionError::TickNotWhole);
    };
    let args = &parts[2..];
    let peer = |text: &str| -> Result<PeerId, ActionError> {
        match digits::parse::<u32>(text) {
            Ok(n) if (1..=peers).contains(&n) => Ok(PeerId(n - 1)),
            _ => Err(ActionError::NoPeer {
                text: text.to_owned(),
                peers,
            }),
        }
    };
    let number = |text: &str, what: &'static str, max: u64| -> Result<u64, ActionError> {
        match digits::parse::<u64>(text) {
            Ok(n) if n <= max => Ok(n),
            _ => Err(ActionError::Number {
                what,
                max,
                text: text.to_owned(),
            }),
        }
    };
    let text_at = |at: usize| -> Result<Option<String>, ActionError> {
        args.get(at)
            .map(|p| unescape(p, "a key or value").map_err(ActionError::Escape))
            .transpose()
    };
    let action = match (*verb, args) {
        ("fail", [id]) => Action::Fail(peer(id)?),
        ("recover", [id]) => Action::Recover(peer(id)?),
        ("fail" | "recover", _) => {
            return Err(ActionError::Shape("tick.fail.peer or tick.recover.peer"))
        }
        ("part", [ids]) => {
            let mut side = Vec::new();
            for id in ids.split('-') {
                let id = peer(id)?;
                if side.contains(&id) {
                    return Err(ActionError::PeerTwice);
                }
                side.push(id);
            }
            Action::Partition(side)
        }
        ("part", _) => return Err(ActionError::Shape("tick.part.peer-peer-...")),
        ("heal", []) => Action::Heal,
        ("heal", _) => return Err(ActionError::Shape("tick.heal")),
        ("loss", [p]) => Action::Loss {
            link: None,
            percent: number(p, "a loss in percent", 100)? as u8,
        },
        ("loss", [a, b, p]) => Action::Loss {
            link: Some((peer(a)?, peer(b)?)),
            percent: number(p, "a loss in percent", 100)? as u8,
        },
        ("loss", _) => {
            return Err(ActionError::Shape(
                "tick.loss.percent or tick.loss.from.to.percent",
            ))
        }
        ("delay", [a, b, d]) => {
            let ticks = number(d, "a delay in ticks", MAX_DELAY)?;
            if ticks == 0 {
                return Err(ActionError::ZeroDelay);
            }
            Action::Delay {
                from: peer(a)?,
                to: peer(b)?,
                ticks,
            }
        }
        ("delay", _) => return Err(ActionError::Shape("tick.delay.from.to.ticks")),
        ("drop", [seq]) => Action::Drop(number(seq, "a message number", u64::MAX)?),
        ("drop", _) => return Err(ActionError::Shape("tick.drop.message")),
        (verb, _) => match parse_op(verb)? {
            Some((op, level)) => {
                let needs_value = matches!(op, OpKind::Create | OpKind::Update);
                if args.len() != 2 + usize::from(needs_value) {
                    return Err(ActionError::Shape(if needs_value {
                        "tick.verb.peer.key.value"
                    } else {
                        "tick.verb.peer.key"
                    }));
                }
                Action::Op {
                    coordinator: peer(args[0])?,
                    op,
                    key: text_at(1)?.unwrap_or_default(),
                    value: text_at(2)?,
                    level,
                }
            }
            None => return Err(ActionError::Unknown),
        },
    };
    Ok(Timed { tick, action })
}

/// A request's verb: `read`, or `read:one` with a consistency level;
/// `None` if it names no operation.
fn parse_op(verb: &str) -> Result<Option<(OpKind, Level)>, ActionError> {
    let (word, level) = verb.split_once(':').unwrap_or((verb, "quorum"));
    let Some(op) = OpKind::parse(word).filter(|op| op.word() == word) else {
        return Ok(None);
    };
    match Level::parse(level) {
        Some(level) => Ok(Some((op, level))),
        None => Err(ActionError::Level(level.to_owned())),
    }
}

/// Why the text of an action was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionError {
    /// The arguments do not have the shape the verb takes (shown after
    /// `expected `).
    Shape(&'static str),
    /// The tick is not a whole number.
    TickNotWhole,
    /// A peer number outside the cluster.
    NoPeer {
        /// The number as written.
        text: String,
        /// The peers of the cluster.
        peers: u32,
    },
    /// A number that is not a whole number up to its maximum.
    Number {
        /// What it is, in words.
        what: &'static str,
        /// Its largest value.
        max: u64,
        /// The number as written.
        text: String,
    },
    /// A peer named twice in one partition.
    PeerTwice,
    /// A delay of 0 ticks.
    ZeroDelay,
    /// A key or value that does not decode.
    Escape(EscapeError),
    /// A consistency level that is not one, quorum or all.
    Level(String),
    /// A verb that names no action.
    Unknown,
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::Shape(shape) => write!(f, "expected {shape}"),
            ActionError::TickNotWhole => f.write_str("the tick is not a whole number"),
            ActionError::NoPeer { text, peers } => {
                write!(f, "there is no peer `{}` among 1..={peers}", clip(text))
            }
            ActionError::Number { what, max, text } => write!(
                f,
                "{what} must be a whole number up to {max}, not `{}`",
                clip(text)
            ),
            ActionError::PeerTwice => f.write_str("a peer appears twice in the partition"),
            ActionError::ZeroDelay => f.write_str("a delay is at least 1 tick"),
            ActionError::Escape(e) => write!(f, "share link: {e}"),
            ActionError::Level(level) => write!(
                f,
                "consistency level `{}` is not one, quorum or all",
                clip(level)
            ),
            ActionError::Unknown => {
                let ops = OpKind::ALL.map(OpKind::word);
                write!(
                    f,
                    "unknown action ({}, {})",
                    FAULT_VERBS.join(", "),
                    ops.join(", ")
                )
            }
        }
    }
}
