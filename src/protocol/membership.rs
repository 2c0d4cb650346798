//! Gossip-style heartbeat membership, as a pure state machine.
//!
//! Every peer keeps a list of (incarnation, heartbeat, tick of last increase)
//! per member. Each tick it bumps its own heartbeat and sends its live
//! entries to `fanout` random members, so the cost per peer is bounded by the
//! fanout, not the cluster size. A member whose heartbeat has not increased
//! for `t_fail` ticks is suspected (no longer gossiped or gossiped to, but
//! told directly that this peer is alive, every tick); once it has been
//! suspected for `t_remove` more ticks — silent for `t_fail + t_remove` — it
//! is removed and tomb-stoned with the heartbeat last heard: gossip about
//! that incarnation is ignored unless its heartbeat is more than that same
//! bound, `t_fail + t_remove`, past it. A dead peer's heartbeat never gets
//! that far (it would have been heard from while alive), so stale gossip
//! cannot resurrect it, while a peer removed by mistake — cut off by a
//! partition or lost messages — is taken back once it is heard from again.
//! To be heard again across a healed partition, every `t_remove` ticks a
//! peer also sends its list to one random peer it removed. A peer that
//! restarts does so with a higher incarnation, which is accepted.
//!
//! Why a partition shorter than `t_remove` removes no live peer: the
//! removal timeout is counted from suspicion, not from the last news. When
//! the cut starts, a live member's news is under `t_fail` ticks old (else it
//! would be suspected already, and told directly every tick that this peer
//! is alive, which refreshes both sides while the link works). A cut of
//! `L < t_remove` ticks leaves it silent for under `t_fail + L <
//! t_fail + t_remove` ticks at the heal. A member suspected by then is sent
//! the list directly the very tick of the heal; it arrives the next tick,
//! at most `t_fail + t_remove − 1` ticks after the last news, inside the
//! bound, and both sides refresh every live member listed. (One not yet
//! suspected is under `t_fail` ticks silent and is refreshed by ordinary
//! gossip well before.) Counting the timeout from the last news instead
//! (silent for `t_remove`) removed live peers after cuts a few ticks
//! shorter than `t_remove`: their news was already up to `t_fail` ticks old
//! when the cut began. The
//! cost: a peer that really failed is removed `t_fail` ticks later than
//! that, `t_fail + t_remove` ticks (25 by default) after its last heartbeat
//! was heard.
//!
//! A starting peer asks the introducer (`1.0.0.0:0`) to let it in. If no
//! answer comes within `join_retry` ticks it asks a random other peer, and
//! so on, so a recovering peer can rejoin even while the introducer is
//! down. Only a peer in a group answers a join request. The introducer's
//! first start founds the group, and so does a restarted introducer that
//! nobody answered three times (the whole cluster restarted).

use std::rc::Rc;

use crate::protocol::address::{PeerId, INTRODUCER};
use crate::protocol::config::MembershipTimings;
use crate::protocol::message::{GossipEntry, Message};
use crate::protocol::out::{next_turn, Change, Out};
use crate::util::rng::SimRng;

/// How many unanswered join requests a restarted introducer sends before
/// it founds the group again (every peer restarted at once: nobody else
/// is in a group to answer; peers still in one find it by their probes).
const INTRODUCER_PATIENCE: u32 = 3;

/// What a peer knows of one other peer: its entry (incarnation 0 when it
/// is not listed) and its tombstone: the incarnation and heartbeat it had
/// when last removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    incarnation: u64,
    heartbeat: u64,
    updated_at: u64,
    removed: u64,
    removed_heartbeat: u64,
}

impl Slot {
    fn is_listed(&self) -> bool {
        self.incarnation > 0
    }

    /// The entry gossiped for member `id`.
    fn entry(&self, id: PeerId) -> GossipEntry {
        GossipEntry {
            id,
            incarnation: self.incarnation,
            heartbeat: self.heartbeat,
        }
    }
}

/// One member as the owner of a list sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberView {
    /// The member.
    pub id: PeerId,
    /// Its incarnation.
    pub incarnation: u64,
    /// The highest heartbeat heard.
    pub heartbeat: u64,
    /// Ticks since that heartbeat was first heard.
    pub age: u64,
    /// Whether it is suspected of having failed.
    pub suspected: bool,
}

/// One peer's membership list and protocol state.
#[derive(Clone, Debug)]
pub struct Membership {
    me: PeerId,
    incarnation: u64,
    /// The own heartbeat as of the latest input: it goes up by one every
    /// tick from the start, but is brought up to date only when the peer
    /// acts ([`Membership::catch_up`]), so an idle peer need not tick.
    heartbeat: u64,
    /// The tick the peer started at.
    started: u64,
    /// Set once the peer failed: its state is frozen as it was then.
    stopped: bool,
    joined: bool,
    last_join_req: u64,
    join_attempts: u32,
    peers: u32,
    timings: MembershipTimings,
    /// Indexed by peer id.
    slots: Vec<Slot>,
    /// Ids of the members, sorted.
    ids: Vec<PeerId>,
    /// Ids of peers removed and not listed again, sorted.
    removed: Vec<PeerId>,
    /// The live entries of the last sweep: a buffer kept between ticks.
    live: Vec<GossipEntry>,
    /// The list last gossiped. Once every message carrying it has been
    /// delivered or lost, the next tick's list is written into it in place.
    gossiped: Rc<[GossipEntry]>,
}

impl Membership {
    /// The state of peer `me` in its `incarnation` (1 for the first start),
    /// in a cluster of `peers` peers.
    pub fn new(me: PeerId, incarnation: u64, peers: u32, timings: MembershipTimings) -> Membership {
        Membership {
            me,
            incarnation,
            heartbeat: 0,
            started: 0,
            stopped: false,
            joined: false,
            last_join_req: 0,
            join_attempts: 0,
            peers,
            timings,
            slots: vec![Slot::default(); peers as usize],
            ids: Vec::new(),
            removed: Vec::new(),
            live: Vec::new(),
            gossiped: Rc::default(),
        }
    }

    /// Whom this peer asks to join next: the introducer first, then random
    /// other peers; `None` for the introducer's first start (it founds the
    /// group) or a peer alone in its cluster.
    fn introducer(&self, rng: &mut SimRng) -> Option<PeerId> {
        let founds = self.me == INTRODUCER
            && (self.incarnation == 1 || self.join_attempts >= INTRODUCER_PATIENCE);
        if founds || self.peers < 2 {
            return None;
        }
        if self.join_attempts == 0 && self.me != INTRODUCER {
            return Some(INTRODUCER);
        }
        let pick = rng.below(self.peers - 1);
        Some(PeerId(if pick >= self.me.0 { pick + 1 } else { pick }))
    }

    /// Starts the peer at tick `now`: it adds itself and asks to join.
    pub fn start(&mut self, now: u64, rng: &mut SimRng, out: &mut Out) {
        self.started = now;
        let me = GossipEntry {
            id: self.me,
            incarnation: self.incarnation,
            heartbeat: self.heartbeat,
        };
        self.insert(me, now);
        out.change(Change::Added(self.me));
        self.ask_to_join(now, rng, out);
    }

    /// Sends a join request, or founds the group if there is nobody to ask.
    fn ask_to_join(&mut self, now: u64, rng: &mut SimRng, out: &mut Out) {
        let Some(introducer) = self.introducer(rng) else {
            self.joined = true;
            return;
        };
        self.last_join_req = now;
        self.join_attempts += 1;
        out.send(
            introducer,
            Message::JoinReq {
                incarnation: self.incarnation,
                heartbeat: self.heartbeat,
            },
        );
    }

    /// Handles a join request: adds the joiner and replies with the list.
    pub fn on_join_req(
        &mut self,
        now: u64,
        from: PeerId,
        incarnation: u64,
        heartbeat: u64,
        out: &mut Out,
    ) {
        self.catch_up(now);
        if !self.joined {
            // Not in a group yet: answering would found a second one.
            return;
        }
        let entry = GossipEntry {
            id: from,
            incarnation,
            heartbeat,
        };
        self.merge(entry, now, out);
        let members = self.live_entries(now);
        out.send(from, Message::JoinRep { members });
    }

    /// Merges a join reply or gossip.
    pub fn on_list(&mut self, now: u64, entries: &[GossipEntry], out: &mut Out) {
        self.catch_up(now);
        self.joined = true;
        for &entry in entries {
            // Hot path: a listed member with the same incarnation (so not
            // tomb-stoned), maybe a newer heartbeat.
            if let Some(slot) = self.slots.get_mut(entry.id.0 as usize) {
                if slot.incarnation == entry.incarnation {
                    if entry.heartbeat > slot.heartbeat {
                        slot.heartbeat = entry.heartbeat;
                        slot.updated_at = now;
                    }
                    continue;
                }
            }
            self.merge(entry, now, out);
        }
    }

    /// Merges one entry that is new, renewed, stale or tomb-stoned.
    #[cold]
    fn merge(&mut self, entry: GossipEntry, now: u64, out: &mut Out) {
        if entry.id == self.me {
            return;
        }
        let removal = self.removal_after();
        let slot = self.slot(entry.id);
        let stale = entry.incarnation < slot.removed
            || (entry.incarnation == slot.removed
                && entry.heartbeat <= slot.removed_heartbeat + removal);
        if stale {
            return;
        }
        if !slot.is_listed() {
            self.insert(entry, now);
            out.change(Change::Added(entry.id));
        } else if entry.incarnation > slot.incarnation {
            slot.incarnation = entry.incarnation;
            slot.heartbeat = entry.heartbeat;
            slot.updated_at = now;
            out.change(Change::Renewed(entry.id));
        } else if entry.incarnation == slot.incarnation && entry.heartbeat > slot.heartbeat {
            slot.heartbeat = entry.heartbeat;
            slot.updated_at = now;
        }
    }

    fn slot(&mut self, id: PeerId) -> &mut Slot {
        let at = id.0 as usize;
        if at >= self.slots.len() {
            self.slots.resize(at + 1, Slot::default());
        }
        &mut self.slots[at]
    }

    fn insert(&mut self, entry: GossipEntry, now: u64) {
        let slot = self.slot(entry.id);
        slot.incarnation = entry.incarnation;
        slot.heartbeat = entry.heartbeat;
        slot.updated_at = now;
        if let Err(pos) = self.ids.binary_search(&entry.id) {
            self.ids.insert(pos, entry.id);
        }
        if let Ok(pos) = self.removed.binary_search(&entry.id) {
            self.removed.remove(pos);
        }
    }

    /// One tick: heartbeat, join retry, failure detection, gossip.
    pub fn tick(&mut self, now: u64, rng: &mut SimRng, out: &mut Out) {
        self.catch_up(now);
        self.heartbeat += 1;
        let (heartbeat, me) = (self.heartbeat, self.me);
        let mine = self.slot(me);
        mine.heartbeat = heartbeat;
        mine.updated_at = now;
        if !self.joined && now >= self.last_join_req + self.timings.join_retry {
            self.ask_to_join(now, rng, out);
        }
        let (live, suspected) = self.sweep(now, out);
        if self.joined {
            gossip(self.me, &live, self.timings.fanout, rng, out);
            // A suspected member may only be cut off: telling it that this
            // peer is alive lets both sides refresh each other the tick a
            // short partition heals, before either removes the other.
            for id in suspected {
                out.send(
                    id,
                    Message::Gossip {
                        members: Rc::clone(&live),
                    },
                );
            }
            self.probe_removed(now, &live, rng, out);
        }
    }

    /// Brings the own heartbeat and entry to where ticking every tick
    /// before `now` would have left them (each tick bumps the heartbeat
    /// and refreshes the entry): call it before any input at `now`.
    #[inline]
    pub fn catch_up(&mut self, now: u64) {
        // The common case, a peer ticked at the tick before: up to date.
        if now > self.started + self.heartbeat && !self.stopped {
            self.heartbeat = now - self.started;
            let mine = &mut self.slots[self.me.0 as usize];
            mine.heartbeat = self.heartbeat;
            mine.updated_at = now - 1;
        }
    }

    /// Freezes the state as it is at `now`: the peer failed.
    pub fn stop(&mut self, now: u64) {
        self.catch_up(now);
        self.stopped = true;
    }

    /// The own heartbeat and the tick of its last increase at `now`, before
    /// that tick runs, as ticking every tick since the start gives them
    /// (as they were when it failed, once stopped).
    fn own(&self, now: u64) -> (u64, u64) {
        if self.stopped || now <= self.started {
            return (self.heartbeat, self.slots[self.me.0 as usize].updated_at);
        }
        (now - self.started, now - 1)
    }

    /// Member `id`'s slot at `now`, the own one brought up to date.
    fn slot_at(&self, id: PeerId, now: u64) -> Slot {
        let mut slot = self.slots[id.0 as usize];
        if id == self.me && slot.is_listed() {
            (slot.heartbeat, slot.updated_at) = self.own(now);
        }
        slot
    }

    /// Every `t_remove` ticks (staggered by id), sends the list to one
    /// random removed peer: if it is alive after all (a healed partition),
    /// it takes this peer back and the two sides merge again. With nobody
    /// removed, it probes the next peer of the cluster in turn that is not
    /// on the list, so two groups that never knew each other (peers that
    /// all restarted at once and formed groups apart) find each other.
    fn probe_removed(&self, now: u64, live: &Rc<[GossipEntry]>, rng: &mut SimRng, out: &mut Out) {
        let due = (now + u64::from(self.me.0)) % self.timings.t_remove == 0;
        if !due {
            return;
        }
        let pick = if self.removed.is_empty() {
            let turn = now / self.timings.t_remove;
            let id = PeerId(((u64::from(self.me.0) + 1 + turn) % u64::from(self.peers)) as u32);
            if id == self.me || self.ids.binary_search(&id).is_ok() {
                return;
            }
            id
        } else {
            self.removed[rng.below(self.removed.len() as u32) as usize]
        };
        out.send(
            pick,
            Message::Gossip {
                members: Rc::clone(live),
            },
        );
    }

    /// Ticks of silence after which a member is removed: `t_fail` until
    /// it is suspected, then `t_remove` more. Also how far past the last
    /// heartbeat heard a removed incarnation's heartbeat must be for its
    /// gossip to be taken back.
    fn removal_after(&self) -> u64 {
        self.timings.t_fail + self.timings.t_remove
    }

    /// One pass over the list: removes members suspected for `t_remove`
    /// ticks (silent for `t_fail + t_remove`), tomb-stoning them, and
    /// returns the live entries and the ids of the suspected members, in id
    /// order.
    fn sweep(&mut self, now: u64, out: &mut Out) -> (Rc<[GossipEntry]>, Vec<PeerId>) {
        let (t, removal) = (self.timings, self.removal_after());
        if let Some(list) = self.refresh_all_live(now) {
            return (list, Vec::new());
        }
        let mut suspected = Vec::new();
        self.live.clear();
        let mut at = 0;
        while let Some(&id) = self.ids.get(at) {
            let m = &mut self.slots[id.0 as usize];
            let silent = now.saturating_sub(m.updated_at);
            if silent >= removal {
                m.removed = m.incarnation;
                m.removed_heartbeat = m.heartbeat;
                m.incarnation = 0;
                if let Err(pos) = self.removed.binary_search(&id) {
                    self.removed.insert(pos, id);
                }
                self.ids.remove(at);
                out.change(Change::Removed(id));
                continue;
            }
            if silent < t.t_fail {
                self.live.push(m.entry(id));
            } else {
                suspected.push(id);
            }
            at += 1;
        }
        match Rc::get_mut(&mut self.gossiped) {
            Some(list) if list.len() == self.live.len() => list.copy_from_slice(&self.live),
            _ => self.gossiped = Rc::from(self.live.as_slice()),
        }
        (Rc::clone(&self.gossiped), suspected)
    }

    /// The common tick, where every member is live: rewrites the list last
    /// gossiped in place, if no message still carries it and its length is
    /// unchanged. `None` when some member is suspected (a member is
    /// suspected before it is due for removal), or the list cannot be
    /// reused.
    fn refresh_all_live(&mut self, now: u64) -> Option<Rc<[GossipEntry]>> {
        let quiet = self.timings.t_fail;
        let (slots, ids) = (&self.slots, &self.ids);
        let all_live = ids
            .iter()
            .all(|id| now.saturating_sub(slots[id.0 as usize].updated_at) < quiet);
        let list = Rc::get_mut(&mut self.gossiped).filter(|l| all_live && l.len() == ids.len())?;
        for (entry, &id) in list.iter_mut().zip(ids) {
            *entry = slots[id.0 as usize].entry(id);
        }
        Some(Rc::clone(&self.gossiped))
    }

    fn is_live(&self, m: &Slot, now: u64) -> bool {
        now.saturating_sub(m.updated_at) < self.timings.t_fail
    }

    fn live_entries(&self, now: u64) -> Rc<[GossipEntry]> {
        self.ids
            .iter()
            .filter_map(|&id| {
                let m = &self.slots[id.0 as usize];
                self.is_live(m, now).then(|| m.entry(id))
            })
            .collect()
    }

    /// The earliest tick at or after `from` at which [`Membership::tick`]
    /// has something to do; `None` before the peer starts. The heartbeat
    /// goes up every tick, but [`Membership::catch_up`] makes that up, so
    /// it is: every tick while another member is listed (a live one is
    /// gossiped to, a suspected one told this peer is alive); the next
    /// join request while not in a group (alone on its list); the next
    /// probe of a removed peer while alone in its group.
    #[inline]
    pub fn next_deadline(&self, from: u64) -> Option<u64> {
        if self.ids.is_empty() {
            return None;
        }
        if !self.joined {
            return Some(from.max(self.last_join_req + self.timings.join_retry));
        }
        if self.ids.len() > 1 {
            return Some(from);
        }
        Some(next_turn(from, self.timings.t_remove, u64::from(self.me.0)))
    }

    /// Whether the peer has heard from the group since it started.
    pub fn is_joined(&self) -> bool {
        self.joined
    }

    /// This peer's own heartbeat at `now`, before that tick runs (as it
    /// was when the peer failed, once it has).
    pub fn heartbeat(&self, now: u64) -> u64 {
        self.own(now).0
    }

    /// Whether `id` is on the list but silent for `t_fail` ticks or more at
    /// `now`: suspected, not yet removed.
    pub fn suspects(&self, id: PeerId, now: u64) -> bool {
        self.ids.binary_search(&id).is_ok() && !self.is_live(&self.slot_at(id, now), now)
    }

    /// The ids on the list, sorted, this peer included.
    pub fn ids(&self) -> &[PeerId] {
        &self.ids
    }

    /// The list as seen at tick `now`.
    pub fn view(&self, now: u64) -> Vec<MemberView> {
        self.ids
            .iter()
            .map(|&id| {
                let m = self.slot_at(id, now);
                MemberView {
                    id,
                    incarnation: m.incarnation,
                    heartbeat: m.heartbeat,
                    age: now.saturating_sub(m.updated_at),
                    suspected: !self.is_live(&m, now),
                }
            })
            .collect()
    }
}

/// Sends `live` to `fanout` distinct random live members other than `me`,
/// chosen with Floyd's sampling (the members chosen so far are the
/// receivers pushed onto `out.sends`: no per-tick allocation of candidates).
fn gossip(me: PeerId, live: &Rc<[GossipEntry]>, fanout: u32, rng: &mut SimRng, out: &mut Out) {
    let mine = live.iter().position(|e| e.id == me);
    let n = (live.len() - usize::from(mine.is_some())) as u32;
    let k = fanout.min(n);
    // Candidate indices skip this peer's own entry.
    let member = |candidate: u32| match mine {
        Some(m) if candidate as usize >= m => live[candidate as usize + 1].id,
        _ => live[candidate as usize].id,
    };
    let first = out.sends.len();
    for j in n - k..n {
        let t = member(rng.below(j + 1));
        let chosen = out.sends[first..].iter().any(|&(to, _)| to == t);
        let to = if chosen { member(j) } else { t };
        out.send(
            to,
            Message::Gossip {
                members: Rc::clone(live),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::STREAM_PEERS;
    use std::collections::BTreeSet;

    fn entry(id: u32, incarnation: u64, heartbeat: u64) -> GossipEntry {
        GossipEntry {
            id: PeerId(id),
            incarnation,
            heartbeat,
        }
    }

    fn started(id: u32) -> (Membership, Vec<(PeerId, Message)>, Vec<Change>) {
        let mut m = Membership::new(PeerId(id), 1, 10, MembershipTimings::default());
        let mut out = Out::default();
        m.start(0, &mut SimRng::new(1, STREAM_PEERS), &mut out);
        (m, out.sends, out.changes)
    }

    #[test]
    fn a_joiner_adds_itself_and_asks_the_introducer() {
        let (m, sends, changes) = started(4);
        assert_eq!(changes, vec![Change::Added(PeerId(4))]);
        assert_eq!(sends.len(), 1);
        assert_eq!(sends[0].0, INTRODUCER);
        assert!(!m.is_joined());
        let (intro, sends, _) = started(0);
        assert!(intro.is_joined() && sends.is_empty());
    }

    #[test]
    fn the_introducer_answers_with_its_list() {
        let (mut intro, _, _) = started(0);
        let mut out = Out::default();
        intro.on_join_req(1, PeerId(3), 1, 0, &mut out);
        assert_eq!(out.changes, vec![Change::Added(PeerId(3))]);
        let Message::JoinRep { members } = &out.sends[0].1 else {
            panic!("no JoinRep")
        };
        let ids: Vec<PeerId> = members.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![PeerId(0), PeerId(3)]);
    }

    #[test]
    fn a_peer_that_has_not_joined_answers_no_join() {
        let (mut joiner, _, _) = started(4);
        let mut out = Out::default();
        joiner.on_join_req(1, PeerId(0), 2, 0, &mut out);
        assert!(out.sends.is_empty() && out.changes.is_empty());
        joiner.on_list(2, &[entry(0, 1, 2)], &mut out);
        joiner.on_join_req(3, PeerId(7), 1, 0, &mut out);
        assert_eq!(out.sends.len(), 1, "joined: it answers");
    }

    #[test]
    fn suspected_members_are_still_told_this_peer_is_alive() {
        let (mut m, _, _) = started(0);
        let mut rng = SimRng::new(1, STREAM_PEERS);
        let mut out = Out::default();
        m.on_list(1, &[entry(5, 1, 3), entry(6, 1, 3)], &mut out);
        let t = MembershipTimings::default();
        for now in 2..=(1 + t.t_fail) {
            out.sends.clear();
            m.tick(now, &mut rng, &mut out);
        }
        let to: BTreeSet<PeerId> = out.sends.iter().map(|s| s.0).collect();
        assert!(m.view(1 + t.t_fail).iter().any(|v| v.suspected));
        assert_eq!(to, BTreeSet::from([PeerId(5), PeerId(6)]));
    }

    #[test]
    fn silent_members_are_suspected_then_removed_and_never_resurrected() {
        let (mut m, _, _) = started(0);
        let mut rng = SimRng::new(1, STREAM_PEERS);
        let mut out = Out::default();
        m.on_list(1, &[entry(5, 1, 3)], &mut out);
        assert_eq!(out.changes, vec![Change::Added(PeerId(5))]);
        let t = MembershipTimings::default();
        // Suspected after t_fail ticks of silence, removed t_remove later.
        let removal = t.t_fail + t.t_remove;
        for now in 2..=(1 + removal) {
            out.changes.clear();
            m.tick(now, &mut rng, &mut out);
            let five = m.view(now).into_iter().find(|v| v.id == PeerId(5));
            if now < 1 + removal {
                assert!(out.changes.is_empty(), "removed early at {now}");
                assert_eq!(five.unwrap().suspected, now > t.t_fail);
            }
        }
        assert_eq!(out.changes, vec![Change::Removed(PeerId(5))]);
        // Stale gossip about the same incarnation does not bring it back,
        // even with a heartbeat a dead peer might still have sent...
        out.changes.clear();
        m.on_list(40, &[entry(5, 1, 3 + removal)], &mut out);
        assert!(out.changes.is_empty());
        // ...but a heartbeat it could only have reached alive does: it was
        // removed by mistake (a partition) and is back.
        m.on_list(41, &[entry(5, 1, 4 + removal)], &mut out);
        assert_eq!(out.changes, vec![Change::Added(PeerId(5))]);
        // A restart (higher incarnation) is always taken.
        let (mut m, _, _) = started(0);
        m.on_list(1, &[entry(6, 1, 3)], &mut out);
        for now in 2..=(1 + removal) {
            m.tick(now, &mut rng, &mut out);
        }
        out.changes.clear();
        m.on_list(50, &[entry(6, 2, 0)], &mut out);
        assert_eq!(out.changes, vec![Change::Added(PeerId(6))]);
    }

    #[test]
    fn fresher_heartbeats_keep_a_member_alive() {
        let (mut m, _, _) = started(0);
        let mut rng = SimRng::new(1, STREAM_PEERS);
        let mut out = Out::default();
        for now in 1..200 {
            m.on_list(now, &[entry(2, 1, now)], &mut out);
            m.tick(now, &mut rng, &mut out);
        }
        assert_eq!(out.changes, vec![Change::Added(PeerId(2))]);
    }

    #[test]
    fn a_higher_incarnation_renews_a_listed_member() {
        let (mut m, _, _) = started(0);
        let mut out = Out::default();
        m.on_list(1, &[entry(2, 1, 10)], &mut out);
        m.on_list(2, &[entry(2, 2, 0)], &mut out);
        assert_eq!(
            out.changes,
            vec![Change::Added(PeerId(2)), Change::Renewed(PeerId(2))]
        );
    }

    #[test]
    fn gossip_goes_to_at_most_fanout_distinct_live_members() {
        let (mut m, _, _) = started(0);
        let mut rng = SimRng::new(3, STREAM_PEERS);
        let mut out = Out::default();
        let list: Vec<GossipEntry> = (1..50).map(|i| entry(i, 1, 1)).collect();
        m.on_list(1, &list, &mut out);
        m.tick(2, &mut rng, &mut out);
        let mut to: Vec<PeerId> = out.sends.iter().map(|s| s.0).collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), 3);
        assert!(!to.contains(&PeerId(0)));
        let Message::Gossip { members } = &out.sends[0].1 else {
            panic!("no gossip")
        };
        assert_eq!(members.len(), 50, "its own entry and the 49 live members");
    }

    #[test]
    fn a_restarted_introducer_rejoins_through_another_peer() {
        let mut m = Membership::new(INTRODUCER, 2, 10, MembershipTimings::default());
        let mut out = Out::default();
        m.start(50, &mut SimRng::new(1, STREAM_PEERS), &mut out);
        assert_ne!(out.sends[0].0, INTRODUCER);
        assert!(!m.is_joined());
        // Nobody answers (the whole cluster restarted): it founds the group.
        let mut rng = SimRng::new(1, STREAM_PEERS);
        let retry = MembershipTimings::default().join_retry;
        for now in 51..=(50 + 3 * retry) {
            m.tick(now, &mut rng, &mut out);
        }
        assert!(m.is_joined(), "founded after {INTRODUCER_PATIENCE} tries");
        let asked = out
            .sends
            .iter()
            .filter(|(_, m)| matches!(m, Message::JoinReq { .. }))
            .count();
        assert_eq!(asked, INTRODUCER_PATIENCE as usize);
    }

    #[test]
    fn unanswered_joins_ask_the_introducer_then_random_others() {
        let t = MembershipTimings::default();
        let mut m = Membership::new(PeerId(2), 2, 10, t);
        let mut rng = SimRng::new(1, STREAM_PEERS);
        let mut out = Out::default();
        m.start(0, &mut rng, &mut out);
        for now in 1..=30 * t.join_retry {
            m.tick(now, &mut rng, &mut out);
        }
        let asked: Vec<PeerId> = out.sends.iter().map(|s| s.0).collect();
        assert_eq!(asked.len(), 31, "one request per join_retry ticks");
        assert_eq!(asked[0], INTRODUCER);
        assert!(!asked.contains(&PeerId(2)), "never itself");
        let distinct: BTreeSet<PeerId> = asked.iter().copied().collect();
        assert_eq!(distinct.len(), 9, "every other peer is asked in time");
    }

    #[test]
    fn a_lone_peer_founds_its_own_group() {
        let mut m = Membership::new(INTRODUCER, 2, 1, MembershipTimings::default());
        let mut out = Out::default();
        m.start(0, &mut SimRng::new(1, STREAM_PEERS), &mut out);
        assert!(out.sends.is_empty());
        assert!(m.is_joined());
    }
}
