//! The event log as the page shows it: each event with its class, its
//! text ([`describe`]'s: the `dbg.log` line where there is one) and the
//! transaction and other peer it names, and the filter the log pane picks
//! events by.

use std::str::FromStr;

use serde::Serialize;

use crate::protocol::address::PeerId;
use crate::protocol::event::Event;
use crate::protocol::event_text::{describe, EventClass, UnknownEventClass};
use crate::scenario::Session;

/// One event, described.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EventRow {
    /// Its index in the stream.
    pub index: usize,
    /// The tick.
    pub tick: u64,
    /// The peer's id.
    pub peer: u32,
    /// The peer's address.
    pub address: String,
    /// A short kind, for filtering (its name in JSON).
    pub kind: EventClass,
    /// What happened, in words (the `dbg.log` text where there is one).
    pub text: String,
    /// The transaction, for operations and outcomes.
    pub trans: Option<u64>,
    /// The other peer's id: a message's receiver (sent) or sender (lost),
    /// the member joined or removed.
    pub other: Option<u32>,
}

/// Which events [`recent_events`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFilter {
    /// Every kind but messages sent and lost (`""`).
    NotMessages,
    /// Every kind (`"*"`).
    All,
    /// One kind (its name).
    Only(EventClass),
}

impl EventFilter {
    /// Whether an event of `class` passes.
    fn keeps(self, class: EventClass) -> bool {
        match self {
            EventFilter::NotMessages => !class.is_message(),
            EventFilter::All => true,
            EventFilter::Only(one) => class == one,
        }
    }
}

impl FromStr for EventFilter {
    type Err = UnknownEventClass;

    /// `""`, `"*"` or a kind's name; any other name is refused, named.
    fn from_str(text: &str) -> Result<EventFilter, UnknownEventClass> {
        match text {
            "" => Ok(EventFilter::NotMessages),
            "*" => Ok(EventFilter::All),
            name => name.parse().map(EventFilter::Only),
        }
    }
}

/// The events from index `since` on, at most `limit` of them.
pub fn events(session: &Session, since: usize, limit: usize) -> Vec<EventRow> {
    session
        .log()
        .events()
        .iter()
        .enumerate()
        .skip(since)
        .take(limit)
        .map(|(index, e)| row(index, e))
        .collect()
}

/// The newest `limit` events from tick `from` on, newest first, of `peer`
/// (every peer when `None`) that `filter` keeps. The log is read from its
/// end, so a frame costs what it shows.
pub fn recent_events(
    session: &Session,
    peer: Option<PeerId>,
    filter: EventFilter,
    from: u64,
    limit: usize,
) -> Vec<EventRow> {
    session
        .log()
        .events()
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, e)| e.tick >= from)
        .filter(|(_, e)| peer.is_none_or(|p| e.peer == p) && filter.keeps(EventClass::of(&e.kind)))
        .take(limit)
        .map(|(index, e)| row(index, e))
        .collect()
}

/// Event number `index`, `e`, as a row.
fn row(index: usize, e: &Event) -> EventRow {
    let described = describe(e);
    EventRow {
        index,
        tick: e.tick,
        peer: e.peer.0,
        address: e.peer.to_string(),
        kind: described.class,
        text: described.text.shown(),
        trans: described.trans,
        other: described.other.map(|id| id.0),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::session;
    use super::*;
    use crate::protocol::address::PeerId;

    #[test]
    fn a_filter_reads_from_its_text_and_an_unknown_kind_is_refused() {
        assert_eq!("".parse(), Ok(EventFilter::NotMessages));
        assert_eq!("*".parse(), Ok(EventFilter::All));
        assert_eq!("join".parse(), Ok(EventFilter::Only(EventClass::Join)));
        let err = "joined".parse::<EventFilter>().unwrap_err();
        assert!(err.to_string().contains("\"joined\""), "{err}");
        assert!(!EventFilter::NotMessages.keeps(EventClass::Send));
        assert!(EventFilter::NotMessages.keeps(EventClass::Join));
        assert!(!EventFilter::Only(EventClass::Join).keeps(EventClass::Remove));
    }

    #[test]
    fn recent_events_are_the_newest_that_match_newest_first() {
        let s = session();
        let all = events(&s, 0, usize::MAX);
        let newest = |pred: &dyn Fn(&EventRow) -> bool, from: u64, n: usize| -> Vec<usize> {
            let mut rows: Vec<usize> = all
                .iter()
                .filter(|e| e.tick >= from && pred(e))
                .map(|e| e.index)
                .collect();
            rows.reverse();
            rows.truncate(n);
            rows
        };
        let index = |rows: Vec<EventRow>| rows.into_iter().map(|e| e.index).collect::<Vec<_>>();
        assert_eq!(
            index(recent_events(&s, None, EventFilter::All, 0, 7)),
            newest(&|_| true, 0, 7)
        );
        assert_eq!(
            index(recent_events(
                &s,
                Some(PeerId(1)),
                EventFilter::NotMessages,
                0,
                50
            )),
            newest(
                &|e| e.peer == 1 && e.kind != EventClass::Send && e.kind != EventClass::Drop,
                0,
                50
            )
        );
        let joins = index(recent_events(
            &s,
            None,
            EventFilter::Only(EventClass::Join),
            0,
            1000,
        ));
        assert!(!joins.is_empty());
        assert_eq!(joins, newest(&|e| e.kind == EventClass::Join, 0, 1000));
        assert_eq!(
            index(recent_events(&s, None, EventFilter::All, 44, 1000)),
            newest(&|_| true, 44, 1000)
        );
    }
}
