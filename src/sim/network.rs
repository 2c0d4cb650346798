//! The emulated network: messages in flight, ordered by (delivery tick,
//! sequence), with random drops, per-link delays and partitions.
//!
//! A message sent during tick `t` arrives at tick `t + delay` with
//! `delay >= 1`. In-flight messages sit in one bucket per delivery tick (a
//! calendar queue): sending appends to a bucket, so each bucket is already in
//! send order and nothing is ever re-sorted or moved. Whether a message is lost is decided when it is sent, from
//! the network's own random stream, so the trace is the same on every run
//! of the same seed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::protocol::address::PeerId;
use crate::protocol::event::DropReason;
use crate::protocol::message::Message;
use crate::util::rng::{SimRng, STREAM_NETWORK};

/// The longest delay a link may be given, in ticks.
pub(crate) const MAX_DELAY: u64 = 100;

/// A message on its way.
#[derive(Clone, Debug)]
pub struct InFlight {
    /// Tick at which it arrives.
    pub deliver_at: u64,
    /// Send order, unique; breaks ties between messages arriving together.
    pub seq: u64,
    /// Tick at which it was sent.
    pub sent_at: u64,
    /// Sender.
    pub from: PeerId,
    /// Receiver.
    pub to: PeerId,
    /// The message.
    pub msg: Message,
}

/// Per-link behaviour, overriding the network-wide defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkRule {
    /// Ticks a message takes on this link (1..=[`MAX_DELAY`]).
    pub delay: u64,
    /// Extra probability of losing a message on this link.
    pub drop_prob: f64,
}

/// Message counters of one peer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeerStats {
    /// Messages this peer sent (including ones later lost).
    pub sent: u64,
    /// Messages delivered to this peer.
    pub received: u64,
    /// Messages addressed to this peer that were lost.
    pub dropped: u64,
}

/// What became of a message handed to [`Network::send`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// It is in flight.
    Queued {
        /// The tick it will arrive at.
        deliver_at: u64,
        /// Its send order (`InFlight::seq`).
        seq: u64,
    },
    /// It was lost.
    Dropped(DropReason),
}

/// The emulated network.
#[derive(Clone, Debug)]
pub struct Network {
    /// `buckets[i]` holds the messages due at tick `base + i`, in send order.
    buckets: VecDeque<VecDeque<InFlight>>,
    /// Emptied buckets, kept to be reused rather than reallocated.
    spare: Vec<VecDeque<InFlight>>,
    base: u64,
    in_flight: usize,
    next_seq: u64,
    rng: SimRng,
    drop_prob: f64,
    links: BTreeMap<(PeerId, PeerId), LinkRule>,
    cuts: BTreeSet<(PeerId, PeerId)>,
    stats: Vec<PeerStats>,
}

impl Network {
    /// An empty network for `peers` peers whose drops draw from `seed`.
    pub fn new(peers: u32, seed: u64) -> Network {
        Network {
            buckets: VecDeque::new(),
            spare: Vec::new(),
            base: 0,
            in_flight: 0,
            next_seq: 0,
            rng: SimRng::new(seed, STREAM_NETWORK),
            drop_prob: 0.0,
            links: BTreeMap::new(),
            cuts: BTreeSet::new(),
            stats: vec![PeerStats::default(); peers as usize],
        }
    }

    /// Sets the network-wide drop probability (0 turns dropping off).
    pub fn set_drop_prob(&mut self, p: f64) {
        self.drop_prob = p.clamp(0.0, 1.0);
    }

    /// The rule of the directed link `from → to` (delay 1, no extra loss
    /// unless set).
    pub fn link(&self, from: PeerId, to: PeerId) -> LinkRule {
        self.links.get(&(from, to)).copied().unwrap_or(LinkRule {
            delay: 1,
            drop_prob: 0.0,
        })
    }

    /// The network-wide drop probability.
    pub fn drop_prob(&self) -> f64 {
        self.drop_prob
    }

    /// Every directed link given its own rule, in (from, to) order.
    pub fn link_rules(&self) -> impl Iterator<Item = (PeerId, PeerId, LinkRule)> + '_ {
        self.links
            .iter()
            .map(|(&(from, to), &rule)| (from, to, rule))
    }

    /// Whether the network is whole: no cut, no link rule, no random loss.
    pub fn is_clean(&self) -> bool {
        self.cuts.is_empty() && self.links.is_empty() && self.drop_prob == 0.0
    }

    /// Restores the whole network: no cut, no link rule, no random loss.
    pub fn heal_all(&mut self) {
        self.cuts.clear();
        self.links.clear();
        self.drop_prob = 0.0;
    }

    /// Gives the directed link `from → to` its own delay and drop rate.
    pub fn set_link(&mut self, from: PeerId, to: PeerId, rule: LinkRule) {
        let rule = LinkRule {
            delay: rule.delay.clamp(1, MAX_DELAY),
            drop_prob: rule.drop_prob.clamp(0.0, 1.0),
        };
        self.links.insert((from, to), rule);
    }

    /// Cuts both directions between `a` and `b` (a partition).
    pub fn cut(&mut self, a: PeerId, b: PeerId) {
        self.cuts.insert((a.min(b), a.max(b)));
    }

    /// Restores both directions between `a` and `b`.
    pub fn heal(&mut self, a: PeerId, b: PeerId) {
        self.cuts.remove(&(a.min(b), a.max(b)));
    }

    /// Whether the link between `a` and `b` is cut.
    pub fn is_cut(&self, a: PeerId, b: PeerId) -> bool {
        self.cuts.contains(&(a.min(b), a.max(b)))
    }

    /// The sides of the network: each peer's side (numbered from 0 in the
    /// order of each side's lowest peer id), where a side is a set of peers
    /// that can reach one another over uncut links, directly or through
    /// others. `None` while no link is cut. Takes O((peers + cuts) log cuts).
    pub fn sides(&self) -> Option<Vec<u16>> {
        if self.cuts.is_empty() {
            return None;
        }
        let n = self.stats.len() as u32;
        let mut side = vec![u16::MAX; n as usize];
        let mut unvisited: BTreeSet<u32> = (0..n).collect();
        let mut next = 0u16;
        while let Some(start) = unvisited.pop_first() {
            side[start as usize] = next;
            let mut stack = vec![start];
            while let Some(u) = stack.pop() {
                // Every unvisited peer either joins this side now or is
                // cut from `u`: each check is paid by a peer or a cut.
                let reached: Vec<u32> = unvisited
                    .iter()
                    .copied()
                    .filter(|&v| !self.is_cut(PeerId(u), PeerId(v)))
                    .collect();
                for v in reached {
                    unvisited.remove(&v);
                    side[v as usize] = next;
                    stack.push(v);
                }
            }
            next = next.saturating_add(1);
        }
        Some(side)
    }

    /// Sends `msg` during tick `now`: queues it, or loses it.
    pub fn send(&mut self, now: u64, from: PeerId, to: PeerId, msg: Message) -> Sent {
        self.stat(from).sent += 1;
        // The common case, a whole network, looks nothing up.
        let whole = self.links.is_empty() && self.cuts.is_empty();
        let rule = match whole {
            true => None,
            false => self.links.get(&(from, to)).copied(),
        };
        let outcome = if !whole && self.is_cut(from, to) {
            Sent::Dropped(DropReason::Partition)
        } else if self.lost(rule.map_or(0.0, |r| r.drop_prob)) {
            Sent::Dropped(DropReason::Random)
        } else {
            let deliver_at = now + rule.map_or(1, |r| r.delay);
            let seq = self.next_seq;
            self.next_seq += 1;
            if self.in_flight == 0 || deliver_at < self.base {
                // Nothing queued, or a send earlier than the queue's start
                // (the queue was looked at with a later tick): start the
                // calendar at this delivery tick.
                self.rebase(deliver_at);
            }
            let at = (deliver_at - self.base) as usize;
            while at >= self.buckets.len() {
                let bucket = self.spare.pop().unwrap_or_default();
                self.buckets.push_back(bucket);
            }
            self.buckets[at].push_back(InFlight {
                deliver_at,
                seq,
                sent_at: now,
                from,
                to,
                msg,
            });
            self.in_flight += 1;
            Sent::Queued { deliver_at, seq }
        };
        if let Sent::Dropped(_) = outcome {
            self.stat(to).dropped += 1;
        }
        outcome
    }

    /// Moves the start of the calendar back to `tick`, keeping every
    /// queued message at its delivery tick.
    fn rebase(&mut self, tick: u64) {
        if self.in_flight == 0 {
            self.spare.extend(self.buckets.drain(..));
            self.base = tick;
            return;
        }
        while self.base > tick {
            let bucket = self.spare.pop().unwrap_or_default();
            self.buckets.push_front(bucket);
            self.base -= 1;
        }
    }

    fn lost(&mut self, link_prob: f64) -> bool {
        let global = self.drop_prob > 0.0 && self.rng.chance(self.drop_prob);
        let link = link_prob > 0.0 && self.rng.chance(link_prob);
        global || link
    }

    /// Takes the next message due by tick `now`, in (tick, sequence) order.
    pub fn pop_due(&mut self, now: u64) -> Option<InFlight> {
        while self.base <= now {
            let front = self.buckets.front_mut()?;
            if let Some(m) = front.pop_front() {
                self.in_flight -= 1;
                return Some(m);
            }
            if self.base == now {
                return None;
            }
            if let Some(empty) = self.buckets.pop_front() {
                self.spare.push(empty);
            }
            self.base += 1;
        }
        None
    }

    /// Takes message `seq` off the network before it arrives (it counts as
    /// lost to its receiver); `None` if no message `seq` is in flight.
    /// Looks through the messages in flight.
    pub fn remove(&mut self, seq: u64) -> Option<InFlight> {
        let m = self.take(seq)?;
        self.stat(m.to).dropped += 1;
        Some(m)
    }

    /// Takes message `seq` out of its bucket, counting nothing.
    fn take(&mut self, seq: u64) -> Option<InFlight> {
        let (bucket, at) = self.buckets.iter().enumerate().find_map(|(b, bucket)| {
            // A bucket is in send order.
            bucket
                .binary_search_by_key(&seq, |m| m.seq)
                .ok()
                .map(|at| (b, at))
        })?;
        let m = self.buckets[bucket].remove(at)?;
        self.in_flight -= 1;
        Some(m)
    }

    /// Holds message `seq` back one tick: it arrives one tick later than
    /// it was to, after the messages due at its old tick and after its
    /// receiver's tick then, and keeps its send order (so among the
    /// messages due at its new tick it comes in send order, usually
    /// first). Returns its new delivery tick; `None` if no message `seq`
    /// is in flight.
    pub fn hold(&mut self, seq: u64) -> Option<u64> {
        let mut m = self.take(seq)?;
        m.deliver_at += 1;
        let at = (m.deliver_at - self.base) as usize;
        while at >= self.buckets.len() {
            let bucket = self.spare.pop().unwrap_or_default();
            self.buckets.push_back(bucket);
        }
        let bucket = &mut self.buckets[at];
        let place = bucket.partition_point(|other| other.seq < seq);
        let deliver_at = m.deliver_at;
        bucket.insert(place, m);
        self.in_flight += 1;
        Some(deliver_at)
    }

    /// Counts a delivery to `to`, or a loss because `to` had failed.
    pub fn record_arrival(&mut self, to: PeerId, delivered: bool) {
        let stat = self.stat(to);
        if delivered {
            stat.received += 1;
        } else {
            stat.dropped += 1;
        }
    }

    /// The messages in flight, in delivery order.
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight> {
        self.buckets.iter().flatten()
    }

    /// How many messages are in flight.
    pub fn in_flight_count(&self) -> usize {
        self.in_flight
    }

    /// The counters of `id`.
    pub fn stats(&self, id: PeerId) -> PeerStats {
        self.stats.get(id.0 as usize).copied().unwrap_or_default()
    }

    fn stat(&mut self, id: PeerId) -> &mut PeerStats {
        let at = id.0 as usize;
        if at >= self.stats.len() {
            self.stats.resize(at + 1, PeerStats::default());
        }
        &mut self.stats[at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping() -> Message {
        Message::JoinReq {
            incarnation: 1,
            heartbeat: 0,
        }
    }

    #[test]
    fn messages_arrive_next_tick_in_send_order() {
        let mut net = Network::new(3, 1);
        let queued = |deliver_at, seq| Sent::Queued { deliver_at, seq };
        assert_eq!(net.send(5, PeerId(0), PeerId(1), ping()), queued(6, 0));
        assert_eq!(net.send(5, PeerId(2), PeerId(1), ping()), queued(6, 1));
        assert!(
            net.pop_due(5).is_none(),
            "nothing arrives in the tick it was sent"
        );
        let first = net.pop_due(6).unwrap();
        let second = net.pop_due(6).unwrap();
        assert_eq!((first.from, second.from), (PeerId(0), PeerId(2)));
        assert!(net.pop_due(6).is_none());
        assert_eq!(net.stats(PeerId(0)).sent, 1);
    }

    #[test]
    fn a_held_message_arrives_a_tick_later_in_send_order() {
        let mut net = Network::new(3, 1);
        net.send(5, PeerId(0), PeerId(1), ping());
        net.send(5, PeerId(2), PeerId(1), ping());
        net.send(6, PeerId(2), PeerId(0), ping());
        assert_eq!(net.hold(0), Some(7));
        assert_eq!(net.hold(9), None);
        assert_eq!(net.pop_due(6).unwrap().seq, 1);
        assert!(net.pop_due(6).is_none());
        let at_7: Vec<u64> = std::iter::from_fn(|| net.pop_due(7))
            .map(|m| m.seq)
            .collect();
        assert_eq!(at_7, [0, 2], "the held one keeps its place in send order");
        assert_eq!(net.in_flight_count(), 0);
    }

    #[test]
    fn an_idle_network_does_not_pile_up_empty_buckets() {
        let mut net = Network::new(2, 1);
        assert!(net.pop_due(1000).is_none());
        net.send(1000, PeerId(0), PeerId(1), ping());
        assert_eq!(net.buckets.len(), 1);
        assert!(net.pop_due(1000).is_none());
        assert_eq!(net.pop_due(1001).unwrap().deliver_at, 1001);
    }

    #[test]
    fn looking_ahead_then_sending_earlier_still_delivers_in_order() {
        let mut net = Network::new(2, 1);
        assert!(net.pop_due(50).is_none());
        net.send(3, PeerId(0), PeerId(1), ping());
        net.send(1, PeerId(1), PeerId(0), ping());
        assert_eq!(net.pop_due(2).unwrap().deliver_at, 2);
        assert!(net.pop_due(2).is_none());
        assert_eq!(net.pop_due(4).unwrap().deliver_at, 4);
        assert_eq!(net.in_flight_count(), 0);
    }

    #[test]
    fn link_delays_reorder_delivery() {
        let mut net = Network::new(3, 1);
        net.set_link(
            PeerId(0),
            PeerId(1),
            LinkRule {
                delay: 3,
                drop_prob: 0.0,
            },
        );
        net.send(0, PeerId(0), PeerId(1), ping());
        net.send(1, PeerId(2), PeerId(1), ping());
        assert!(net.pop_due(1).is_none());
        assert_eq!(net.pop_due(2).unwrap().from, PeerId(2));
        assert!(net.pop_due(2).is_none());
        assert_eq!(net.pop_due(3).unwrap().from, PeerId(0));
    }

    #[test]
    fn partitions_cut_both_ways_until_healed() {
        let mut net = Network::new(2, 1);
        net.cut(PeerId(1), PeerId(0));
        let lost = Sent::Dropped(DropReason::Partition);
        assert_eq!(net.send(0, PeerId(0), PeerId(1), ping()), lost);
        assert_eq!(net.send(0, PeerId(1), PeerId(0), ping()), lost);
        assert_eq!(net.stats(PeerId(1)).dropped, 1);
        net.heal(PeerId(0), PeerId(1));
        assert!(matches!(
            net.send(0, PeerId(0), PeerId(1), ping()),
            Sent::Queued { deliver_at: 1, .. }
        ));
    }

    #[test]
    fn a_message_in_flight_is_removed_by_its_send_order() {
        let mut net = Network::new(3, 1);
        for from in 0..3 {
            net.send(0, PeerId(from), PeerId(1), ping());
        }
        net.send(1, PeerId(0), PeerId(2), ping());
        let gone = net.remove(1).unwrap();
        assert_eq!((gone.seq, gone.from, gone.to), (1, PeerId(1), PeerId(1)));
        assert!(net.remove(1).is_none(), "it is gone");
        assert!(net.remove(9).is_none(), "never sent");
        assert_eq!(net.in_flight_count(), 3);
        assert_eq!(net.stats(PeerId(1)).dropped, 1);
        let order: Vec<u64> = std::iter::from_fn(|| net.pop_due(2))
            .map(|m| m.seq)
            .collect();
        assert_eq!(order, [0, 2, 3]);
        assert!(net.remove(0).is_none(), "delivered");
    }

    #[test]
    fn sides_are_the_groups_that_still_reach_one_another() {
        let mut net = Network::new(4, 1);
        assert_eq!(net.sides(), None);
        // Peer 2 alone against 0, 1, 3.
        for other in [0, 1, 3] {
            net.cut(PeerId(2), PeerId(other));
        }
        assert_eq!(net.sides(), Some(vec![0, 0, 1, 0]));
        // A single cut link leaves one side: 0 and 1 still meet through 3.
        net.heal_all();
        net.cut(PeerId(0), PeerId(1));
        assert_eq!(net.sides(), Some(vec![0, 0, 0, 0]));
        net.heal_all();
        assert_eq!(net.sides(), None);
    }

    #[test]
    fn drop_probability_is_applied_and_reproducible() {
        let run = |seed| {
            let mut net = Network::new(2, seed);
            net.set_drop_prob(0.1);
            (0..10_000)
                .map(|_| {
                    net.send(0, PeerId(0), PeerId(1), ping()) == Sent::Dropped(DropReason::Random)
                })
                .collect::<Vec<bool>>()
        };
        let a = run(9);
        assert_eq!(a, run(9));
        let lost = a.iter().filter(|&&l| l).count();
        assert!((800..1200).contains(&lost), "{lost}");
    }
}
