//! The event log: every event of a run, in order, kept beside the
//! [`Sim`] rather than inside it.
//!
//! A [`Sim`] only queues the events of the ticks and actions since it was
//! last drained; [`EventLog::record`] moves them here. The log only grows,
//! so its consumers (the grader, the history checker, the page) read it
//! incrementally with a [`Cursor`] instead of rescanning it, and cloning a
//! simulation (a checkpoint) copies none of its history. The log also
//! indexes events by transaction, so one request's story is found without
//! a scan.
//!
//! For time travel the log is a recorded timeline with a shown prefix:
//! [`EventLog::rewind`] shows only the events up to an earlier point (what
//! the run had logged then) and keeps the rest as the recorded future;
//! [`EventLog::record`] then follows that future as the simulation replays
//! it, and [`EventLog::cut`] forgets it when the run forks. Every reader
//! ([`EventLog::events`], [`EventLog::read`], [`EventLog::transaction`])
//! sees the shown events only.

use std::collections::BTreeMap;

use crate::protocol::event::{Event, EventKind};
use crate::sim::cluster::Sim;

/// A position in an [`EventLog`]: how many events its reader has read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor(usize);

impl Cursor {
    /// The position `index` (events before it count as read).
    pub fn at(index: usize) -> Cursor {
        Cursor(index)
    }

    /// How many events have been read.
    pub fn position(self) -> usize {
        self.0
    }
}

/// Every event of a run, append-only, with an index by transaction.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    events: Vec<Event>,
    by_trans: BTreeMap<u64, Vec<u32>>,
    /// How many events are shown; those after it are the recorded future.
    shown: usize,
}

impl EventLog {
    /// An empty log.
    pub fn new() -> EventLog {
        EventLog::default()
    }

    /// Moves the events `sim` produced since it was last drained to the end
    /// of the shown events, and returns them. Within the recorded future
    /// (after [`EventLog::rewind`]) the events are a replay of the recorded
    /// ones: those are shown again, the copies dropped.
    pub fn record(&mut self, sim: &mut Sim) -> &[Event] {
        let from = self.shown;
        for e in sim.drain_events() {
            if self.shown == self.events.len() {
                self.push(e);
            } else {
                debug_assert_eq!(self.events[self.shown], e, "a replay repeats the run");
            }
            self.shown += 1;
        }
        &self.events[from..self.shown]
    }

    /// Shows only the first `len` events (at most as many as were
    /// recorded), keeping the rest as the recorded future.
    pub fn rewind(&mut self, len: usize) {
        self.shown = len.min(self.events.len());
    }

    /// Forgets the recorded future: the events after the shown ones.
    pub fn cut(&mut self) {
        for e in self.events.drain(self.shown..).rev() {
            let Some(trans) = trans_of(&e.kind) else {
                continue;
            };
            if let Some(indices) = self.by_trans.get_mut(&trans) {
                indices.pop();
                if indices.is_empty() {
                    self.by_trans.remove(&trans);
                }
            }
        }
    }

    /// How many events were recorded, the future after the shown ones
    /// included.
    pub fn recorded(&self) -> usize {
        self.events.len()
    }

    fn push(&mut self, e: Event) {
        if let Some(t) = trans_of(&e.kind) {
            let index = u32::try_from(self.events.len()).expect("fewer than 2^32 events");
            self.by_trans.entry(t).or_default().push(index);
        }
        self.events.push(e);
    }

    /// Every event shown, in order.
    pub fn events(&self) -> &[Event] {
        &self.events[..self.shown]
    }

    /// How many events are shown.
    pub fn len(&self) -> usize {
        self.shown
    }

    /// Whether no event is shown.
    pub fn is_empty(&self) -> bool {
        self.shown == 0
    }

    /// The events `cursor`'s reader has not read yet; moves it to the end.
    pub fn read(&self, cursor: &mut Cursor) -> &[Event] {
        let from = cursor.0.min(self.shown);
        cursor.0 = self.shown;
        &self.events[from..self.shown]
    }

    /// The events of transaction `trans` (its invocation, whom it asked,
    /// every outcome line, and its messages sent and lost), in order, each
    /// with its index in the log.
    pub fn transaction(&self, trans: u64) -> impl Iterator<Item = (usize, &Event)> + '_ {
        self.by_trans
            .get(&trans)
            .into_iter()
            .flatten()
            .map(|&i| i as usize)
            .take_while(|&i| i < self.shown)
            .map(|i| (i, &self.events[i]))
    }

    /// Every transaction recorded, the recorded future after the shown
    /// events included, in id order: each one's events, in order.
    pub fn recorded_transactions(
        &self,
    ) -> impl Iterator<Item = impl Iterator<Item = &Event> + '_> + '_ {
        self.by_trans
            .values()
            .map(|indices| indices.iter().map(|&i| &self.events[i as usize]))
    }
}

/// The transaction an event belongs to, if any: what the log indexes.
pub(crate) fn trans_of(kind: &EventKind) -> Option<u64> {
    match kind {
        EventKind::Operation { trans, .. }
        | EventKind::Asked { trans, .. }
        | EventKind::Outcome { trans, .. } => Some(*trans),
        EventKind::Sent { trans, .. } | EventKind::Dropped { trans, .. } => *trans,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::address::PeerId;
    use crate::protocol::op::OpKind;
    use crate::sim::cluster::SimOptions;

    #[test]
    fn the_log_holds_what_the_sim_made_once_in_order() {
        let mut sim = Sim::new(SimOptions::new(5, 2)).unwrap();
        let mut log = EventLog::new();
        sim.run(10);
        let first = log.record(&mut sim).len();
        assert!(first > 0);
        assert!(log.record(&mut sim).is_empty(), "drained events come once");
        sim.run(20);
        log.record(&mut sim);
        assert!(log.events().windows(2).all(|w| w[0].tick <= w[1].tick));

        let mut whole = Sim::new(SimOptions::new(5, 2)).unwrap();
        whole.run(30);
        let all: Vec<Event> = whole.drain_events().collect();
        assert_eq!(log.events(), &all[..]);
    }

    #[test]
    fn a_cursor_reads_each_event_once() {
        let mut sim = Sim::new(SimOptions::new(4, 1)).unwrap();
        let mut log = EventLog::new();
        let mut cursor = Cursor::default();
        sim.run(5);
        log.record(&mut sim);
        let a = log.read(&mut cursor).len();
        assert_eq!(a, log.len());
        assert!(log.read(&mut cursor).is_empty());
        sim.run(5);
        log.record(&mut sim);
        let b = log.read(&mut cursor).len();
        assert_eq!(a + b, log.len());
        assert_eq!(cursor.position(), log.len());
    }

    #[test]
    fn a_transaction_is_found_without_a_scan() {
        for trace_messages in [false, true] {
            a_transaction_is_found_without_a_scan_when(trace_messages);
        }
    }

    fn a_transaction_is_found_without_a_scan_when(trace_messages: bool) {
        let opts = SimOptions {
            trace_messages,
            ..SimOptions::new(6, 3)
        };
        let mut sim = Sim::new(opts).unwrap();
        let mut log = EventLog::new();
        sim.run(40);
        let t = sim
            .client_op(PeerId(2), OpKind::Create, "k", Some("v"))
            .unwrap();
        sim.run(10);
        log.record(&mut sim);
        let found: Vec<&Event> = log.transaction(t).map(|(_, e)| e).collect();
        let scanned: Vec<&Event> = log
            .events()
            .iter()
            .filter(|e| trans_of(&e.kind) == Some(t))
            .collect();
        assert_eq!(found, scanned);
        assert!(found.len() >= 3, "the invocation, replicas and decision");
        let messages = found
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Sent { .. }))
            .count();
        assert_eq!(
            messages > 0,
            trace_messages,
            "requests and replies, if traced"
        );
        assert_eq!(log.transaction(t + 1).count(), 0);
    }

    #[test]
    fn a_rewound_log_shows_a_prefix_follows_a_replay_and_cuts_its_future() {
        let run = |ticks: u64| {
            let mut sim = Sim::new(SimOptions::new(6, 3)).unwrap();
            sim.run(40);
            sim.client_op(PeerId(2), OpKind::Create, "k", Some("v"))
                .unwrap();
            sim.run(ticks);
            sim
        };
        let mut log = EventLog::new();
        log.record(&mut run(0));
        let early = log.len();
        let mut log = EventLog::new();
        let mut sim = run(10);
        log.record(&mut sim);
        let whole = log.events().to_vec();
        log.rewind(early);
        assert_eq!(log.events(), &whole[..early]);
        assert_eq!(log.recorded(), whole.len());
        assert!(log.transaction(1).count() >= 1, "the invocation is shown");
        assert!(log.transaction(1).all(|(i, _)| i < early));
        let mut cursor = Cursor::default();
        assert_eq!(log.read(&mut cursor).len(), early);
        // Replaying the same ticks shows the recorded events again.
        let mut again = run(0);
        again.drain_events();
        again.run(10);
        assert_eq!(log.record(&mut again).len(), whole.len() - early);
        assert_eq!(log.events(), &whole[..]);
        // A fork forgets the future, and its transactions' later lines.
        log.rewind(early);
        log.cut();
        assert_eq!(log.recorded(), early);
        let indexed = log.by_trans.values().flatten();
        assert!(
            indexed.copied().all(|i| (i as usize) < early),
            "no stale index"
        );
        assert!(log.transaction(1).all(|(i, _)| i < early));
        let mut other = Sim::new(SimOptions::new(6, 3)).unwrap();
        other.run(3);
        log.record(&mut other);
        assert!(log.len() > early);
    }
}
