//! Actions: what a person does to a scenario — fail or recover a peer, cut
//! or heal the network, lose or delay messages, send a request — and the
//! text of each in a share link, `tick.verb.args`: `fail.P`, `recover.P`,
//! `create.P.key.value`, `read.P.key`, `update.P.key.value`,
//! `delete.P.key`, and the network faults `part.P-Q-…` (those peers on one
//! side, the rest on the other), `heal` (partitions, losses and delays all
//! gone), `loss.PCT` (every link), `loss.P.Q.PCT` and `delay.P.Q.TICKS`
//! (the directed link P → Q), and `drop.SEQ` (lose the message in flight
//! whose send order is SEQ, [`crate::sim::network::InFlight::seq`]) and
//! `hold.SEQ` (deliver that message one tick later than it was due,
//! [`Sim::hold_message`]). A
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
    /// (`crate::sim::network::InFlight::seq`, the same on every replay).
    Drop(u64),
    /// Hold one message in flight, named by its send order, back one
    /// tick ([`Sim::hold_message`]).
    Hold(u64),
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

/// Refuses an action no link could carry back: a partition that names a
/// peer twice (its link would not parse).
pub(crate) fn check(action: &Action) -> Result<(), ActionError> {
    if let Action::Partition(side) = action {
        for (at, id) in side.iter().enumerate() {
            if side[..at].contains(id) {
                return Err(ActionError::PeerTwice(*id));
            }
        }
    }
    Ok(())
}

/// Applies one action to the simulation; returns a transaction id for ops.
pub(crate) fn apply(sim: &mut Sim, action: &Action) -> Result<Option<u64>, SimError> {
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
        Action::Hold(seq) => sim.hold_message(*seq).map(|_| None)?,
        Action::Op {
            coordinator: at,
            op,
            key,
            value: v,
            level,
        } => Some(sim.client_op_at(*at, *op, key, v.as_deref(), *level)?),
    })
}

/// The arguments of an action's text (after `tick.verb`), read in a
/// cluster of `peers` peers.
struct Args<'a> {
    parts: &'a [&'a str],
    peers: u32,
}

impl Args<'_> {
    /// Peer `text`, numbered from 1.
    fn peer(&self, text: &str) -> Result<PeerId, ActionError> {
        match digits::parse::<u32>(text) {
            Ok(n) if (1..=self.peers).contains(&n) => Ok(PeerId(n - 1)),
            _ => Err(ActionError::NoPeer {
                text: text.to_owned(),
                peers: self.peers,
            }),
        }
    }

    /// The whole number `text`, at most `max`; `what` names it.
    fn number(&self, text: &str, what: &'static str, max: u64) -> Result<u64, ActionError> {
        match digits::parse::<u64>(text) {
            Ok(n) if n <= max => Ok(n),
            _ => Err(ActionError::Number {
                what,
                max,
                text: text.to_owned(),
            }),
        }
    }

    /// The percent-encoded key or value at `at`, if there is one.
    fn text_at(&self, at: usize) -> Result<Option<String>, ActionError> {
        self.parts
            .get(at)
            .map(|p| unescape(p, "a key or value").map_err(ActionError::Escape))
            .transpose()
    }
}

/// A peer as a link numbers it, from 1.
fn peer_text(id: PeerId) -> String {
    (id.0 + 1).to_string()
}

/// One kind of fault, listed once: its verb, how its arguments are read
/// from a link, and how they are written to one.
struct Fault {
    /// The verb.
    verb: &'static str,
    /// The action its arguments make, or why they make none.
    read: fn(&Args) -> Result<Action, ActionError>,
    /// The arguments of an action of this kind; `None` for another kind.
    write: fn(&Action) -> Option<Vec<String>>,
}

/// The shape `fail` and `recover` take.
const ONE_PEER: ActionError = ActionError::Shape("tick.fail.peer or tick.recover.peer");

/// Every fault, in the order the unknown-action message names them (the
/// requests' verbs are [`OpKind::word`]).
const FAULTS: [Fault; 8] = [
    Fault {
        verb: "fail",
        read: |a| match a.parts {
            [id] => Ok(Action::Fail(a.peer(id)?)),
            _ => Err(ONE_PEER),
        },
        write: |action| match action {
            Action::Fail(id) => Some(vec![peer_text(*id)]),
            _ => None,
        },
    },
    Fault {
        verb: "recover",
        read: |a| match a.parts {
            [id] => Ok(Action::Recover(a.peer(id)?)),
            _ => Err(ONE_PEER),
        },
        write: |action| match action {
            Action::Recover(id) => Some(vec![peer_text(*id)]),
            _ => None,
        },
    },
    Fault {
        verb: "part",
        read: |a| {
            let [ids] = a.parts else {
                return Err(ActionError::Shape("tick.part.peer-peer-..."));
            };
            let side = ids
                .split('-')
                .map(|id| a.peer(id))
                .collect::<Result<Vec<PeerId>, ActionError>>()?;
            let action = Action::Partition(side);
            check(&action)?;
            Ok(action)
        },
        write: |action| match action {
            Action::Partition(side) => {
                let ids: Vec<String> = side.iter().copied().map(peer_text).collect();
                Some(vec![ids.join("-")])
            }
            _ => None,
        },
    },
    Fault {
        verb: "heal",
        read: |a| match a.parts {
            [] => Ok(Action::Heal),
            _ => Err(ActionError::Shape("tick.heal")),
        },
        write: |action| matches!(action, Action::Heal).then(Vec::new),
    },
    Fault {
        verb: "loss",
        read: |a| {
            let percent = |p: &str| Ok(a.number(p, "a loss in percent", 100)? as u8);
            match a.parts {
                [p] => Ok(Action::Loss {
                    link: None,
                    percent: percent(p)?,
                }),
                [from, to, p] => Ok(Action::Loss {
                    link: Some((a.peer(from)?, a.peer(to)?)),
                    percent: percent(p)?,
                }),
                _ => Err(ActionError::Shape(
                    "tick.loss.percent or tick.loss.from.to.percent",
                )),
            }
        },
        write: |action| match action {
            Action::Loss { link, percent } => {
                let mut args: Vec<String> = link
                    .iter()
                    .flat_map(|&(from, to)| [peer_text(from), peer_text(to)])
                    .collect();
                args.push(percent.to_string());
                Some(args)
            }
            _ => None,
        },
    },
    Fault {
        verb: "delay",
        read: |a| {
            let [from, to, d] = a.parts else {
                return Err(ActionError::Shape("tick.delay.from.to.ticks"));
            };
            let ticks = a.number(d, "a delay in ticks", MAX_DELAY)?;
            if ticks == 0 {
                return Err(ActionError::ZeroDelay);
            }
            Ok(Action::Delay {
                from: a.peer(from)?,
                to: a.peer(to)?,
                ticks,
            })
        },
        write: |action| match action {
            Action::Delay { from, to, ticks } => {
                Some(vec![peer_text(*from), peer_text(*to), ticks.to_string()])
            }
            _ => None,
        },
    },
    Fault {
        verb: "drop",
        read: |a| match a.parts {
            [seq] => Ok(Action::Drop(a.number(seq, "a message number", u64::MAX)?)),
            _ => Err(ActionError::Shape("tick.drop.message")),
        },
        write: |action| match action {
            Action::Drop(seq) => Some(vec![seq.to_string()]),
            _ => None,
        },
    },
    Fault {
        verb: "hold",
        read: |a| match a.parts {
            [seq] => Ok(Action::Hold(a.number(seq, "a message number", u64::MAX)?)),
            _ => Err(ActionError::Shape("tick.hold.message")),
        },
        write: |action| match action {
            Action::Hold(seq) => Some(vec![seq.to_string()]),
            _ => None,
        },
    },
];

/// The verb and arguments of a request: `read:one.P.key` (the level left
/// out at quorum), the key and value percent-encoded.
fn request_text(action: &Action) -> Option<(String, Vec<String>)> {
    let Action::Op {
        coordinator: at,
        op,
        key,
        value,
        level,
    } = action
    else {
        return None;
    };
    let verb = match level {
        Level::Quorum => op.word().to_owned(),
        other => format!("{}:{}", op.word(), other.word()),
    };
    let mut args = vec![peer_text(*at), escape(key)];
    args.extend(value.as_deref().map(escape));
    Some((verb, args))
}

/// The link text of an action: `tick.verb.args`.
pub(crate) fn encode(t: &Timed) -> String {
    let (verb, args) = FAULTS
        .iter()
        .find_map(|f| (f.write)(&t.action).map(|args| (f.verb.to_owned(), args)))
        .or_else(|| request_text(&t.action))
        .unwrap_or_default();
    let mut text = format!("{}.{verb}", t.tick);
    for arg in args {
        text.push('.');
        text.push_str(&arg);
    }
    text
}

/// Parses the link text of an action in a cluster of `peers` peers.
pub(crate) fn parse(text: &str, peers: u32) -> Result<Timed, ActionError> {
    let parts: Vec<&str> = text.split('.').collect();
    let (Some(tick), Some(verb)) = (parts.first(), parts.get(1)) else {
        return Err(ActionError::Shape("tick.verb..."));
    };
    let Ok(tick) = digits::parse::<u64>(tick) else {
        return Err(ActionError::TickNotWhole);
    };
    let args = Args {
        parts: &parts[2..],
        peers,
    };
    if let Some(fault) = FAULTS.iter().find(|f| f.verb == *verb) {
        return Ok(Timed {
            tick,
            action: (fault.read)(&args)?,
        });
    }
    let Some((op, level)) = parse_op(verb)? else {
        return Err(ActionError::Unknown);
    };
    let needs_value = matches!(op, OpKind::Create | OpKind::Update);
    if args.parts.len() != 2 + usize::from(needs_value) {
        return Err(ActionError::Shape(if needs_value {
            "tick.verb.peer.key.value"
        } else {
            "tick.verb.peer.key"
        }));
    }
    let action = Action::Op {
        coordinator: args.peer(args.parts[0])?,
        op,
        key: args.text_at(1)?.unwrap_or_default(),
        value: args.text_at(2)?,
        level,
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
    PeerTwice(PeerId),
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
            ActionError::PeerTwice(id) => write!(
                f,
                "peer {} appears twice in the partition's side",
                peer_text(*id)
            ),
            ActionError::ZeroDelay => f.write_str("a delay is at least 1 tick"),
            ActionError::Escape(e) => write!(f, "share link: {e}"),
            ActionError::Level(level) => write!(
                f,
                "consistency level `{}` is not one, quorum or all",
                clip(level)
            ),
            ActionError::Unknown => {
                let verbs: Vec<&str> = FAULTS.iter().map(|fault| fault.verb).collect();
                let ops = OpKind::ALL.map(OpKind::word);
                write!(
                    f,
                    "unknown action ({}, {})",
                    verbs.join(", "),
                    ops.join(", ")
                )
            }
        }
    }
}
