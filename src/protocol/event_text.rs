//! Every event in words, decided in one place: [`describe`] is one
//! exhaustive `match` over [`EventKind`] that gives each event its
//! transaction, the other peer it names, and its text — the `dbg.log` line
//! for the events the log shows, the page's own sentence for the others —
//! so a new kind of event does not compile until it says both. Its class,
//! what the page filters by, is [`EventClass::of`]'s, as exhaustive.

use std::fmt::{self, Write};
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::protocol::address::PeerId;
use crate::protocol::event::{DropReason, Event, EventKind};
use crate::util::names;

/// What kind of event it is, as the page filters by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventClass {
    /// A peer started ([`EventKind::Started`]).
    Start,
    /// A member joined a list ([`EventKind::Joined`]).
    Join,
    /// A member was removed from a list ([`EventKind::Removed`]).
    Remove,
    /// A peer failed ([`EventKind::Failed`]).
    Fail,
    /// A client's operation arrived ([`EventKind::Operation`]).
    Operation,
    /// A coordinator asked its replicas ([`EventKind::Asked`]).
    Asked,
    /// A coordinator's outcome.
    Coordinator,
    /// A replica's outcome.
    Replica,
    /// Stabilization: a copy stored, a copy dropped, a tombstone collected.
    Stabilize,
    /// Hinted handoff: a hint kept or expired.
    Hint,
    /// A message sent.
    Send,
    /// A message lost.
    Drop,
}

impl EventClass {
    /// Every class, in the order of the enum.
    pub const ALL: [EventClass; 12] = [
        EventClass::Start,
        EventClass::Join,
        EventClass::Remove,
        EventClass::Fail,
        EventClass::Operation,
        EventClass::Asked,
        EventClass::Coordinator,
        EventClass::Replica,
        EventClass::Stabilize,
        EventClass::Hint,
        EventClass::Send,
        EventClass::Drop,
    ];

    /// Its name, as the page and its filter spell it: `start`, `join`, …
    pub fn name(self) -> &'static str {
        match self {
            EventClass::Start => "start",
            EventClass::Join => "join",
            EventClass::Remove => "remove",
            EventClass::Fail => "fail",
            EventClass::Operation => "operation",
            EventClass::Asked => "asked",
            EventClass::Coordinator => "coordinator",
            EventClass::Replica => "replica",
            EventClass::Stabilize => "stabilize",
            EventClass::Hint => "hint",
            EventClass::Send => "send",
            EventClass::Drop => "drop",
        }
    }

    /// The class of an event of kind `kind` (what the page filters by:
    /// cheaper than [`describe`], which writes its text too).
    pub fn of(kind: &EventKind) -> EventClass {
        match kind {
            EventKind::Started { .. } => EventClass::Start,
            EventKind::Joined { .. } => EventClass::Join,
            EventKind::Removed { .. } => EventClass::Remove,
            EventKind::Failed => EventClass::Fail,
            EventKind::Operation { .. } => EventClass::Operation,
            EventKind::Asked { .. } => EventClass::Asked,
            EventKind::Outcome {
                coordinator: true, ..
            } => EventClass::Coordinator,
            EventKind::Outcome {
                coordinator: false, ..
            } => EventClass::Replica,
            EventKind::Replicated { .. }
            | EventKind::Handed { .. }
            | EventKind::Collected { .. } => EventClass::Stabilize,
            EventKind::Hinted { .. } | EventKind::HintExpired { .. } => EventClass::Hint,
            EventKind::Sent { .. } => EventClass::Send,
            EventKind::Dropped { .. } => EventClass::Drop,
        }
    }

    /// Whether it is a message's (sent or lost), which the page's default
    /// filter leaves out.
    pub fn is_message(self) -> bool {
        matches!(self, EventClass::Send | EventClass::Drop)
    }
}

/// A class in JSON: its name.
impl Serialize for EventClass {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A name that is no [`EventClass`]'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownEventClass(pub String);

impl fmt::Display for UnknownEventClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known = EventClass::ALL.map(EventClass::name);
        names::write_unknown(f, ("event kind", "kinds"), &self.0, known)
    }
}

impl std::error::Error for UnknownEventClass {}

impl FromStr for EventClass {
    type Err = UnknownEventClass;

    fn from_str(name: &str) -> Result<EventClass, UnknownEventClass> {
        names::find(&EventClass::ALL, EventClass::name, name)
            .ok_or_else(|| UnknownEventClass(name.to_owned()))
    }
}

/// An event's text: its `dbg.log` line, or for an event the log does not
/// show, the page's sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Text {
    /// The text of its `dbg.log` entry (the page shows it too).
    Logged(String),
    /// Not in `dbg.log`: what the page says of it.
    Unlogged(String),
}

impl Text {
    /// The `dbg.log` text, if the log shows the event.
    pub(crate) fn logged(self) -> Option<String> {
        match self {
            Text::Logged(line) => Some(line),
            Text::Unlogged(_) => None,
        }
    }

    /// What the page shows: the `dbg.log` text where there is one.
    pub(crate) fn shown(self) -> String {
        match self {
            Text::Logged(line) | Text::Unlogged(line) => line,
        }
    }
}

/// One event, described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Description {
    /// Its class.
    pub class: EventClass,
    /// The transaction, for operations, requests and outcomes.
    pub trans: Option<u64>,
    /// The other peer it names: a message's receiver (sent) or sender
    /// (lost), the member joined or removed, the home replica of a hint.
    pub other: Option<PeerId>,
    /// Its text.
    pub text: Text,
}

/// `a, b, c`: peers' addresses, in order.
fn addresses(ids: &[PeerId]) -> String {
    let names: Vec<String> = ids.iter().map(PeerId::to_string).collect();
    names.join(", ")
}

/// What the page says of a message lost for `reason`.
fn loss(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Random => "dropped at random",
        DropReason::Partition => "link cut",
        DropReason::ReceiverFailed => "receiver down",
        DropReason::ByHand => "dropped by hand",
    }
}

/// `event` described: one exhaustive match decides, per kind, its
/// transaction, other peer, and its `dbg.log` line or page sentence (its
/// class is [`EventClass::of`]'s).
pub(crate) fn describe(event: &Event) -> Description {
    let t = event.tick;
    let plain = |text| Description {
        class: EventClass::of(&event.kind),
        trans: None,
        other: None,
        text,
    };
    match &event.kind {
        EventKind::Started { incarnation } => plain(Text::Unlogged(format!(
            "started (incarnation {incarnation}), asks to join"
        ))),
        EventKind::Joined { member } => Description {
            other: Some(*member),
            ..plain(Text::Logged(format!("Node {member} joined at time {t}")))
        },
        EventKind::Removed { member } => Description {
            other: Some(*member),
            ..plain(Text::Logged(format!("Node {member} removed at time {t}")))
        },
        EventKind::Failed => plain(Text::Logged(format!("Node failed at time={t}"))),
        EventKind::Operation {
            op,
            trans,
            key,
            value,
        } => Description {
            trans: Some(*trans),
            ..plain(Text::Logged(match value {
                Some(v) => format!("{op} OPERATION KEY: {key} VALUE: {v} at time: {t}"),
                None => format!("{op} OPERATION KEY: {key} at time: {t}"),
            }))
        },
        EventKind::Asked {
            trans,
            quorum,
            replicas,
            substitutes,
        } => {
            let mut text = match replicas.is_empty() {
                true => "asked no replica: too few in its view".to_owned(),
                false => format!("asked {} for a quorum of {quorum}", addresses(replicas)),
            };
            if !substitutes.is_empty() {
                let _ = write!(text, ", with {} standing in", addresses(substitutes));
            }
            Description {
                trans: Some(*trans),
                ..plain(Text::Unlogged(text))
            }
        }
        EventKind::Outcome {
            coordinator,
            op,
            trans,
            key,
            value,
            ok,
            reason: _,
            version: _,
        } => {
            let who = if *coordinator {
                "coordinator"
            } else {
                "server"
            };
            let verdict = if *ok { "success" } else { "fail" };
            let mut line = format!(
                "{who}: {} {verdict} at time {t}, transID={trans}, key={key}",
                op.word()
            );
            if let Some(v) = value {
                let _ = write!(line, ", value={v}");
            }
            Description {
                trans: Some(*trans),
                ..plain(Text::Logged(line))
            }
        }
        EventKind::Replicated { key, from } => plain(Text::Unlogged(format!(
            "stored a copy of {key} handed over by {from}"
        ))),
        EventKind::Handed { key } => plain(Text::Unlogged(format!(
            "dropped its copy of {key}: no longer a replica"
        ))),
        EventKind::Collected { key } => {
            plain(Text::Unlogged(format!("collected the tombstone of {key}")))
        }
        EventKind::Hinted { key, home } => Description {
            other: Some(*home),
            ..plain(Text::Unlogged(format!(
                "keeps {key} as a hint for {home}, which its coordinator suspects"
            )))
        },
        EventKind::HintExpired { key, home } => Description {
            other: Some(*home),
            ..plain(Text::Unlogged(format!(
                "dropped its hint of {key} for {home}: no replica confirmed it in time"
            )))
        },
        EventKind::Sent {
            to,
            msg,
            deliver_at,
            bytes: _,
            seq: _,
            trans: _,
        } => Description {
            other: Some(*to),
            ..plain(Text::Unlogged(format!(
                "sent {} to {to}, due at tick {deliver_at}",
                msg.label()
            )))
        },
        EventKind::Dropped {
            from,
            msg,
            reason,
            seq: _,
            trans: _,
        } => Description {
            other: Some(*from),
            ..plain(Text::Unlogged(format!(
                "lost {} from {from}: {}",
                msg.label(),
                loss(*reason)
            )))
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::message::MessageKind;
    use crate::protocol::op::OpKind;

    fn at(kind: EventKind) -> Description {
        describe(&Event {
            tick: 7,
            peer: PeerId(0),
            kind,
        })
    }

    #[test]
    fn logged_events_carry_their_log_line_and_the_rest_a_sentence() {
        let joined = at(EventKind::Joined { member: PeerId(2) });
        assert_eq!(joined.class, EventClass::Join);
        assert_eq!(joined.other, Some(PeerId(2)));
        assert_eq!(
            joined.text,
            Text::Logged("Node 3.0.0.0:0 joined at time 7".into())
        );
        let started = at(EventKind::Started { incarnation: 2 });
        assert_eq!(started.class, EventClass::Start);
        assert_eq!(started.text.clone().logged(), None);
        assert_eq!(
            started.text.shown(),
            "started (incarnation 2), asks to join"
        );
        let asked = at(EventKind::Asked {
            trans: 4,
            quorum: 2,
            replicas: vec![PeerId(1), PeerId(2)],
            substitutes: vec![PeerId(5)],
        });
        assert_eq!((asked.class, asked.trans), (EventClass::Asked, Some(4)));
        assert_eq!(
            asked.text.shown(),
            "asked 2.0.0.0:0, 3.0.0.0:0 for a quorum of 2, with 6.0.0.0:0 standing in"
        );
        let lost = at(EventKind::Dropped {
            from: PeerId(1),
            msg: MessageKind::Gossip,
            reason: DropReason::Partition,
            seq: None,
            trans: Some(3),
        });
        assert_eq!((lost.class, lost.trans), (EventClass::Drop, None));
        assert_eq!(
            lost.text.shown(),
            format!(
                "lost {} from 2.0.0.0:0: link cut",
                MessageKind::Gossip.label()
            )
        );
        let replica = at(EventKind::Outcome {
            coordinator: false,
            op: OpKind::Delete,
            trans: 9,
            key: "k".into(),
            value: None,
            ok: true,
            reason: None,
            version: None,
        });
        assert_eq!(replica.class, EventClass::Replica);
        assert_eq!(
            replica.text.logged().as_deref(),
            Some("server: delete success at time 7, transID=9, key=k")
        );
    }

    #[test]
    fn every_class_reads_back_from_its_name_and_an_unknown_name_is_refused() {
        for class in EventClass::ALL {
            assert_eq!(class.name().parse(), Ok(class));
        }
        let err = "joins".parse::<EventClass>().unwrap_err();
        assert_eq!(err, UnknownEventClass("joins".into()));
        let text = err.to_string();
        assert!(text.starts_with("no event kind \"joins\"; the kinds are start, join,"));
        assert!(text.ends_with("send, drop"), "{text}");
        assert!(EventClass::Send.is_message() && !EventClass::Hint.is_message());
        let json = serde_json::to_string(&EventClass::ALL).unwrap();
        assert!(
            json.starts_with(r#"["start","join","remove","fail","#),
            "{json}"
        );
    }
}
