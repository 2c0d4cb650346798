//! What a peer produces for one input (a tick, a message, a client
//! request): one [`Out`] that its parts — membership, store, coordinator —
//! all write into, so a test can assert a part's or a peer's exact output
//! for one input, and the simulation collects it in one place.
//!
//! Beside its output, a peer tells when it next has work of its own
//! ([`crate::protocol::peer::Peer::next_deadline`]): each part reports the
//! earliest tick its periodic work is due, and [`next_turn`] finds the
//! ticks of work done in turns (every `period` ticks, staggered by id).

use crate::protocol::address::PeerId;
use crate::protocol::event::EventKind;
use crate::protocol::message::Message;

/// A change of the membership list, for the ring and the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A member was added (the peer's own entry included).
    Added(PeerId),
    /// A member was removed after `t_fail + t_remove` ticks of silence.
    Removed(PeerId),
    /// A member came back with a higher incarnation (it restarted, empty).
    Renewed(PeerId),
}

/// Messages to send, events to record and membership changes to apply,
/// each in the order they were made.
#[derive(Clone, Debug, Default)]
pub struct Out {
    /// Messages to send: (receiver, message).
    pub sends: Vec<(PeerId, Message)>,
    /// Events to record at this peer.
    pub events: Vec<EventKind>,
    /// Membership changes the peer applies to its ring and store before it
    /// goes on (membership writes them; the peer drains them).
    pub changes: Vec<Change>,
}

impl Out {
    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: PeerId, msg: Message) {
        self.sends.push((to, msg));
    }

    /// Records `event` at this peer.
    pub fn record(&mut self, event: EventKind) {
        self.events.push(event);
    }

    /// Notes a membership change for the peer to apply.
    pub fn change(&mut self, change: Change) {
        self.changes.push(change);
    }
}

/// The first tick at or after `from` that is a turn of a peer whose turns
/// are the ticks `t` with `(t + offset) % period == 0`.
pub(crate) fn next_turn(from: u64, period: u64, offset: u64) -> u64 {
    let phase = (from + offset) % period;
    match phase {
        0 => from,
        _ => from + (period - phase),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_turn_is_the_first_tick_on_or_after_from_in_phase() {
        for period in 1..20 {
            for offset in 0..40 {
                for from in 0..60 {
                    let turn = next_turn(from, period, offset);
                    let first = (from..).find(|t| (t + offset) % period == 0);
                    assert_eq!(Some(turn), first, "{from} {period} {offset}");
                }
            }
        }
    }
}
