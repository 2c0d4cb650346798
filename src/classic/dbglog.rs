//! `dbg.log`, byte for byte as the classic graders read it: the magic
//! first line `131`, then one `"\n {address} [{tick}] {text}"` entry per
//! logged event, and no trailing newline.

use std::fmt::Write;

use crate::protocol::event::Event;
use crate::protocol::event_text::describe;

/// The first line: the hexadecimal sum of the bytes of `CS425`.
pub(crate) const MAGIC: &str = "131";

/// The log text of one event, or `None` for events the log does not show
/// (the text is [`describe`]'s, which decides both this and the page's).
pub(crate) fn text(event: &Event) -> Option<String> {
    describe(event).text.logged()
}

/// Appends the entries of `events` to a log being built.
pub(crate) fn append(log: &mut String, events: &[Event]) {
    for event in events {
        if let Some(text) = text(event) {
            let _ = write!(log, "\n {} [{}] {text}", event.peer, event.tick);
        }
    }
}

/// The whole `dbg.log` of an event stream.
pub fn render(events: &[Event]) -> String {
    let mut log = String::from(MAGIC);
    append(&mut log, events);
    log
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::address::PeerId;
    use crate::protocol::event::EventKind;
    use crate::protocol::op::OpKind;

    fn at(tick: u64, peer: u32, kind: EventKind) -> Event {
        Event {
            tick,
            peer: PeerId(peer),
            kind,
        }
    }

    fn outcome(coordinator: bool, op: OpKind, value: Option<&str>, ok: bool) -> EventKind {
        EventKind::Outcome {
            coordinator,
            op,
            trans: 12,
            key: "ab3Xz".into(),
            value: value.map(Into::into),
            ok,
            reason: None,
            version: None,
        }
    }

    #[test]
    fn the_log_is_byte_exact() {
        let events = vec![
            at(0, 0, EventKind::Joined { member: PeerId(0) }),
            at(0, 0, EventKind::Started { incarnation: 1 }),
            at(
                100,
                3,
                EventKind::Operation {
                    op: OpKind::Create,
                    trans: 12,
                    key: "ab3Xz".into(),
                    value: Some("value7".into()),
                },
            ),
            at(101, 4, outcome(false, OpKind::Create, Some("value7"), true)),
            at(102, 3, outcome(true, OpKind::Read, Some("value7"), true)),
            at(235, 3, outcome(true, OpKind::Read, None, false)),
            at(
                236,
                3,
                outcome(true, OpKind::Update, Some("newValue"), false),
            ),
            at(237, 5, outcome(false, OpKind::Delete, None, true)),
            at(
                285,
                2,
                EventKind::Operation {
                    op: OpKind::Read,
                    trans: 13,
                    key: "invalidKey".into(),
                    value: None,
                },
            ),
            at(175, 255, EventKind::Failed),
            at(
                199,
                1,
                EventKind::Removed {
                    member: PeerId(255),
                },
            ),
        ];
        let expected = "131\
\n 1.0.0.0:0 [0] Node 1.0.0.0:0 joined at time 0\
\n 4.0.0.0:0 [100] CREATE OPERATION KEY: ab3Xz VALUE: value7 at time: 100\
\n 5.0.0.0:0 [101] server: create success at time 101, transID=12, key=ab3Xz, value=value7\
\n 4.0.0.0:0 [102] coordinator: read success at time 102, transID=12, key=ab3Xz, value=value7\
\n 4.0.0.0:0 [235] coordinator: read fail at time 235, transID=12, key=ab3Xz\
\n 4.0.0.0:0 [236] coordinator: update fail at time 236, transID=12, key=ab3Xz, value=newValue\
\n 6.0.0.0:0 [237] server: delete success at time 237, transID=12, key=ab3Xz\
\n 3.0.0.0:0 [285] READ OPERATION KEY: invalidKey at time: 285\
\n 0.1.0.0:0 [175] Node failed at time=175\
\n 2.0.0.0:0 [199] Node 0.1.0.0:0 removed at time 199";
        assert_eq!(render(&events), expected);
    }

    #[test]
    fn an_empty_run_is_just_the_magic_line() {
        assert_eq!(render(&[]), "131");
    }
}
