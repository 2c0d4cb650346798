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

use std::collections::BTreeMap;

use crate::event::{Event, EventKind};
use crate::sim::Sim;

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
}

impl EventLog {
    /// An empty log.
    pub fn new() -> EventLog {
        EventLog::default()
    }

    /// Moves the events `sim` produced since it was last drained to the end
    /// of the log, and returns them.
    pub fn record(&mut self, sim: &mut Sim) -> &[Event] {
        let from = self.events.len();
        for e in sim.drain_events() {
            self.push(e);
        }
        &self.events[from..]
    }

    fn push(&mut self, e: Event) {
        let trans = match &e.kind {
            EventKind::Operation { trans, .. }
            | EventKind::Asked { trans, .. }
            | EventKind::Outcome { trans, .. } => Some(*trans),
            _ => None,
        };
        if let Some(t) = trans {
            let index = u32::try_from(self.events.len()).expect("fewer than 2^32 events");
            self.by_trans.entry(t).or_default().push(index);
        }
        self.events.push(e);
    }

    /// Every event so far, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// How many events the log holds.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the log holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events `cursor`'s reader has not read yet; moves it to the end.
    pub fn read(&self, cursor: &mut Cursor) -> &[Event] {
        let from = cursor.0.min(self.events.len());
        cursor.0 = self.events.len();
        &self.events[from..]
    }

    /// The events of transaction `trans` (its invocation and every outcome
    /// line), in order, each with its index in the log.
    pub fn transaction(&self, trans: u64) -> impl Iterator<Item = (usize, &Event)> + '_ {
        self.by_trans
            .get(&trans)
            .into_iter()
            .flatten()
            .map(|&i| (i as usize, &self.events[i as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::PeerId;
    use crate::op::OpKind;
    use crate::sim::SimOptions;

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
        let mut sim = Sim::new(SimOptions::new(6, 3)).unwrap();
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
            .filter(|e| match &e.kind {
                EventKind::Operation { trans, .. }
                | EventKind::Asked { trans, .. }
                | EventKind::Outcome { trans, .. } => *trans == t,
                _ => false,
            })
            .collect();
        assert_eq!(found, scanned);
        assert!(found.len() >= 3, "the invocation, replicas and decision");
        assert_eq!(log.transaction(t + 1).count(), 0);
    }
}
