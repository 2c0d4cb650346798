//! A peer's local key-value store: versioned entries with tombstones, the
//! server side of CRUD, stabilization, confirmed hand-over and anti-entropy.
//!
//! Every entry is a last-write-wins register: a value or a **tombstone**
//! (a delete is a write like any other), with the [`Version`] of the write
//! that produced it; a newer version always wins, wherever the copies meet.
//!
//! Tombstones are collected once every replica of the key's current set
//! has confirmed, and no earlier than `tombstone_grace` ticks after both
//! the delete and the last time this peer's ring lacked a peer of the
//! cluster (ids `0..peers`). A peer cut off or down is off the others'
//! rings; without the second bound they collected the tombstone
//! meanwhile, and the absent peer pushed its old copy back on its return
//! (a delete undone) — a home replica of the key, or a peer that held a
//! copy for its own side of a partition. With it, every tombstone stays
//! while any peer is away, however long, and for a grace after the ring is
//! whole again: the returning peer is back in the current sets (and pushed
//! the tombstone) or, holding a copy it is no replica of, pushes it to the
//! replicas, where it meets the tombstone and loses. The cost: while any
//! peer is away no tombstone is collected (forever if it never comes
//! back), and the sweeps that find them due look at every entry.
//!
//! A tombstone past its grace is never stored by a peer that holds nothing
//! for its key (it is acknowledged all the same): holding nothing is as
//! good as holding it, and a tombstone is collected only after its grace,
//! so a peer that collected it never takes it back. Without this, the
//! replicas, which collect at different sweeps, pushed it back to each
//! other through anti-entropy, and it never died. A peer holding an older
//! value for the key does store it: that copy must lose.
//!
//! Stabilization: each entry remembers the replica set it was last synced
//! with. When the peer's ring gives a key another set, the holder pushes the
//! entry to every replica of the new set; a push counts as done only when the
//! replica **confirms** it (with the version it now holds), and is retried
//! every `push_retry` ticks until then. A holder that is no longer a replica
//! drops its copy only after every replica confirmed it and `orphan_hold`
//! ticks passed, so a key is never left on fewer peers than it had.
//!
//! Hinted handoff: a peer asked to keep a write for a home replica its
//! coordinator suspects stores it as a **hint**, an entry it is no replica
//! of: stabilization pushes it to the key's replicas (the home among them)
//! and retries until each confirms, then drops it like any handed-over
//! copy. A hint no replica confirmed within `tombstone_grace` ticks is
//! dropped all the same (recorded as expired).
//!
//! Anti-entropy: every anti-entropy period a peer sends one neighbour that
//! shares ranges with it a digest (key, version) of the entries that
//! neighbour replicates; the neighbour pushes back what is newer on its side
//! and asks for what is newer on the sender's. Missing and divergent copies
//! heal without any ring change, at one digest per peer per period. In
//! Merkle mode the same comparison goes through hash trees first
//! ([`crate::protocol::merkle`]), and only the differing leaves are reconciled.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::rc::Rc;

use crate::protocol::address::PeerId;
use crate::protocol::config::StoreTimings;
use crate::protocol::event::EventKind;
use crate::protocol::message::{Message, Stored};
use crate::protocol::op::{OpKind, Version};
use crate::protocol::out::{next_turn, Out};
use crate::protocol::ring::{key_position, ReplicaSet, Ring};

/// Ticks between two sweeps of a peer's entries for copies to drop and
/// tombstones to collect (staggered by peer id).
const SWEEP_EVERY: u64 = 16;

#[derive(Clone, Debug)]
struct Entry {
    stored: Stored,
    position: u64,
    /// The replica set this entry was last pushed to (or written through).
    synced: Option<ReplicaSet>,
    /// Peers known to hold this version or a newer one.
    confirmed: Vec<PeerId>,
    /// Tick of the last push to the unconfirmed replicas.
    pushed_at: u64,
    orphan_since: Option<u64>,
    /// Kept as a hint for a home replica, since a tick.
    hint: Option<Hint>,
}

/// Why a peer that is no replica of a key holds it: a coordinator asked it
/// to keep a write for `home`, at tick `since`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The home replica the write was meant for.
    pub home: PeerId,
    /// When the hint was taken.
    pub since: u64,
}

impl Entry {
    /// The entry's replica set: the one it was last synced with, which
    /// stabilization keeps in line with the ring each tick, else `ring`'s.
    fn replicas(&self, ring: &Ring) -> ReplicaSet {
        self.synced
            .unwrap_or_else(|| ring.replicas_at(self.position))
    }

    fn confirm(&mut self, id: PeerId) {
        if !self.confirmed.contains(&id) {
            self.confirmed.push(id);
        }
    }

    /// Whether every replica of `set` other than `me` confirmed.
    fn all_confirmed(&self, me: PeerId, set: ReplicaSet) -> bool {
        set.as_slice()
            .iter()
            .all(|&to| to == me || self.confirmed.contains(&to))
    }

    /// The replicas of `set` other than `me` that have not confirmed.
    fn unconfirmed(&self, me: PeerId, set: ReplicaSet) -> Vec<PeerId> {
        set.as_slice()
            .iter()
            .copied()
            .filter(|&to| to != me && !self.confirmed.contains(&to))
            .collect()
    }
}

/// One stored key as its holder sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyView<'a> {
    /// The key.
    pub key: &'a str,
    /// Its value (or tombstone) and version.
    pub stored: &'a Stored,
    /// Whether the holder sees itself as one of the key's replicas.
    pub replica: bool,
    /// Set when the holder keeps this copy as a hint for a home replica.
    pub hint: Option<Hint>,
}

/// What a replica answers to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// Whether it performed the operation (for a read: holds a value).
    pub ok: bool,
    /// The entry found: a value or a tombstone (for a write, the one held
    /// before it).
    pub found: Option<Stored>,
}

/// A peer's stored keys. Each key text is allocated once, when the key
/// is first stored; the sets and the messages naming it share it.
#[derive(Clone, Debug, Default)]
pub struct Store {
    map: BTreeMap<Rc<str>, Entry>,
    dirty: BTreeSet<Rc<str>>,
    /// Keys with a push not yet confirmed by every replica.
    unconfirmed: BTreeSet<Rc<str>>,
    /// No earlier than the oldest orphan and tombstone: lets a sweep skip
    /// the entries while nothing can be due.
    oldest: Oldest,
    /// How many peers the cluster has (ids `0..cluster`). With 0 (a store
    /// in a test), the ring counts as whole from the start.
    cluster: u32,
    /// Since when this peer's ring has held every peer of the cluster
    /// (`None` while it lacks one): tombstones are collected only a grace
    /// after it.
    whole_since: Option<u64>,
}

/// Lower bounds on the tick since which an entry has been an orphan and on
/// the tick of the oldest tombstone, so that a sweep with nothing old
/// enough to drop or collect skips the entries. The default (0) bounds
/// everything.
#[derive(Clone, Copy, Debug, Default)]
struct Oldest {
    orphan: u64,
    tombstone: u64,
}

impl Oldest {
    const NONE: Oldest = Oldest {
        orphan: u64::MAX,
        tombstone: u64::MAX,
    };

    /// Lowers the bounds to cover `e`.
    fn note(&mut self, e: &Entry) {
        if let Some(since) = e.orphan_since {
            self.orphan = self.orphan.min(since);
        }
        if let Some(hint) = e.hint {
            // A hint expires after the tombstone grace, never before an
            // orphan's hold (the sweep's bound) would be due.
            self.orphan = self.orphan.min(hint.since);
        }
        if !e.stored.is_live() {
            self.tombstone = self.tombstone.min(e.stored.version.tick);
        }
    }

    /// Whether some orphan may be past its hold or some tombstone past its
    /// grace at `now`.
    fn any_due(&self, now: u64, t: &StoreTimings) -> bool {
        self.due(t).is_some_and(|due| now >= due)
    }

    /// The first tick at which some orphan may be past its hold or some
    /// tombstone past its grace; `None` when there is neither.
    fn due(&self, t: &StoreTimings) -> Option<u64> {
        let due = self
            .orphan
            .saturating_add(t.orphan_hold)
            .min(self.tombstone.saturating_add(t.tombstone_grace));
        (due != u64::MAX).then_some(due)
    }
}

impl Store {
    /// An empty store of a peer in a cluster of `cluster` peers.
    pub fn new(cluster: u32) -> Store {
        Store {
            cluster,
            ..Store::default()
        }
    }

    /// Performs `op` as a replica. `write` carries the value (create,
    /// update) or tombstone (delete) and its version; `replicas` is the
    /// coordinator's replica set. Create needs the key absent (or deleted),
    /// update and delete need it present; a write older than the entry is
    /// acknowledged but changes nothing. A write answers with the entry held
    /// before it (for a refusal, the value a create found or the tombstone
    /// an update or delete found, if any): what its coordinator puts back
    /// if the write fails after some replica performed it.
    pub fn apply(
        &mut self,
        op: OpKind,
        key: &str,
        write: Option<&Stored>,
        replicas: ReplicaSet,
    ) -> Answer {
        let before = self.get(key).cloned();
        let live = before.as_ref().is_some_and(Stored::is_live);
        let ok = match (op, write) {
            (OpKind::Read, _) => {
                return Answer {
                    ok: live,
                    found: self.get(key).cloned(),
                }
            }
            (OpKind::Create, Some(w)) if !live => {
                self.merge(key, w, Some(replicas), None);
                true
            }
            (OpKind::Update | OpKind::Delete, Some(w)) if live => {
                self.merge(key, w, Some(replicas), None);
                true
            }
            _ => false,
        };
        Answer { ok, found: before }
    }

    /// Keeps `stored` if it is newer than what this peer holds, and notes
    /// that `holder` (if any) holds the version now kept when it is
    /// `stored`'s. Returns whether anything changed and the version now
    /// held.
    fn merge(
        &mut self,
        key: &str,
        stored: &Stored,
        synced: Option<ReplicaSet>,
        holder: Option<PeerId>,
    ) -> (bool, Version) {
        let entry = || {
            let mut e = Entry {
                stored: stored.clone(),
                position: key_position(key),
                synced,
                confirmed: Vec::new(),
                pushed_at: 0,
                orphan_since: None,
                hint: None,
            };
            if let Some(h) = holder {
                e.confirm(h);
            }
            e
        };
        // One search: the entry and the key text it already holds.
        let held = self
            .map
            .range_mut::<str, _>((Bound::Included(key), Bound::Included(key)))
            .next();
        let key = match held {
            Some((_, e)) if e.stored.version >= stored.version => {
                if let Some(h) = holder.filter(|_| e.stored.version == stored.version) {
                    e.confirm(h);
                }
                return (false, e.stored.version);
            }
            Some((held, e)) => {
                *e = entry();
                Rc::clone(held)
            }
            None => {
                let key: Rc<str> = Rc::from(key);
                self.map.insert(Rc::clone(&key), entry());
                key
            }
        };
        self.unconfirmed.remove(&key);
        self.dirty.insert(key);
        if !stored.is_live() {
            self.oldest.tombstone = self.oldest.tombstone.min(stored.version.tick);
        }
        (true, stored.version)
    }

    /// Stores a copy pushed at `now` by stabilization or anti-entropy if it
    /// is newer (as synced with its replica set in `ring`: no further push
    /// unless this peer is no replica) — except a tombstone past its grace
    /// for a key this peer holds nothing of. Returns whether anything
    /// changed and the version now held (or, for such a tombstone, its
    /// version), which the receiver confirms to the sender.
    pub fn replicate(
        &mut self,
        ring: &Ring,
        key: &str,
        stored: &Stored,
        from: PeerId,
        now: u64,
        timings: &StoreTimings,
    ) -> (bool, Version) {
        if self.spent(key, stored, now, timings) {
            return (false, stored.version);
        }
        self.merge(key, stored, Some(ring.replicas(key)), Some(from))
    }

    /// Stores an entry a read's coordinator wrote back (read repair) at
    /// `now` if it is newer, except a tombstone past its grace for a key
    /// this peer holds nothing of. Unlike a push, it confirms nothing about
    /// the sender, which may hold no copy at all. Returns whether anything
    /// changed and the version now held (or that tombstone's).
    pub fn write_back(
        &mut self,
        ring: &Ring,
        key: &str,
        stored: &Stored,
        now: u64,
        timings: &StoreTimings,
    ) -> (bool, Version) {
        if self.spent(key, stored, now, timings) {
            return (false, stored.version);
        }
        self.merge(key, stored, Some(ring.replicas(key)), None)
    }

    /// Whether `stored` is a tombstone past its grace at `now` for a key
    /// this peer holds nothing of: not to be stored, since holding nothing
    /// is as good (this peer may have collected it already).
    fn spent(&self, key: &str, stored: &Stored, now: u64, t: &StoreTimings) -> bool {
        !stored.is_live()
            && now >= stored.version.tick.saturating_add(t.tombstone_grace)
            && !self.map.contains_key(key)
    }

    /// Keeps a write meant for home replica `home` as a hint, whatever this
    /// peer holds: no precondition (the coordinator asks a substitute only
    /// after a home replica performed the write). Returns whether anything
    /// changed.
    pub fn hint(&mut self, key: &str, stored: &Stored, home: PeerId, now: u64) -> bool {
        let (changed, _) = self.merge(key, stored, None, None);
        if changed {
            if let Some(e) = self.map.get_mut(key) {
                e.hint = Some(Hint { home, since: now });
                self.oldest.note(e);
            }
        }
        changed
    }

    /// Records that `from` holds `version` of `key` (or a newer one).
    pub fn confirmed(&mut self, key: &str, from: PeerId, version: Version) {
        if let Some(e) = self.map.get_mut(key) {
            if version >= e.stored.version {
                e.confirm(from);
            }
        }
    }

    /// Forgets what `id` confirmed and that it was synced: it restarted, so
    /// every key it replicates is checked with it again.
    pub fn forget_peer(&mut self, id: PeerId) {
        for (key, e) in &mut self.map {
            if e.synced.is_some_and(|s| s.contains(id)) {
                e.synced = None;
                e.confirmed.retain(|&c| c != id);
                self.dirty.insert(key.clone());
            }
        }
    }

    /// Forgets every sync and confirmation (after this peer restarted with
    /// its stored keys): every key is pushed to its replicas again.
    pub fn restarted(&mut self) {
        for (key, e) in &mut self.map {
            e.synced = None;
            e.confirmed.clear();
            e.orphan_since = None;
            self.dirty.insert(key.clone());
        }
        self.unconfirmed.clear();
        self.whole_since = None;
    }

    /// Stabilizes against `ring`: all keys if the ring changed, else the
    /// keys written since the last call; retries unconfirmed pushes; drops
    /// handed-over copies and collects old tombstones (recording both).
    pub fn stabilize(
        &mut self,
        me: PeerId,
        ring: &Ring,
        ring_changed: bool,
        now: u64,
        timings: &StoreTimings,
        out: &mut Out,
    ) {
        if ring_changed {
            // Every ring change comes with a call at its tick.
            let since = self.whole_since.unwrap_or(now);
            let whole = ring.len() >= self.cluster as usize;
            self.whole_since = whole.then_some(since);
        }
        let sweep = now % SWEEP_EVERY == u64::from(me.0) % SWEEP_EVERY;
        if !ring_changed && !sweep && self.dirty.is_empty() && self.unconfirmed.is_empty() {
            return;
        }
        let dirty = std::mem::take(&mut self.dirty);
        let retry: Vec<Rc<str>> = match ring_changed {
            true => Vec::new(),
            false => self
                .unconfirmed
                .iter()
                .filter(|k| {
                    self.map
                        .get(*k)
                        .is_some_and(|e| now >= e.pushed_at + timings.push_retry)
                })
                .cloned()
                .collect(),
        };
        let (unconfirmed, oldest) = (&mut self.unconfirmed, &mut self.oldest);
        let mut synced = |key: &Rc<str>, e: &mut Entry| {
            if sync(me, ring, key, e, now, out) {
                unconfirmed.insert(Rc::clone(key));
            } else {
                unconfirmed.remove(key);
            }
            oldest.note(e);
        };
        if ring_changed {
            for (key, e) in &mut self.map {
                synced(key, e);
            }
        } else {
            // A key both written and due for a retry is synced twice.
            for key in dirty.iter().chain(&retry) {
                if let Some(e) = self.map.get_mut(key) {
                    synced(key, e);
                }
            }
        }
        if sweep {
            self.sweep(me, now, timings, out);
        }
    }

    /// The earliest tick at or after `from` at which
    /// [`Store::stabilize`] for peer `me`, with its ring unchanged, has
    /// something to do: at once for keys written since the last call, the
    /// first retry of a push not confirmed by every replica, the first
    /// sweep at which an orphan or a tombstone may be due. `None` when the
    /// store waits for nothing (only an input gives it work).
    pub fn next_deadline(&self, me: PeerId, from: u64, timings: &StoreTimings) -> Option<u64> {
        if !self.dirty.is_empty() {
            return Some(from);
        }
        let retry = self
            .unconfirmed
            .iter()
            .filter_map(|key| self.map.get(key))
            .map(|e| e.pushed_at + timings.push_retry)
            .min();
        // Sweeps are the ticks `t` with `t % SWEEP_EVERY == me % SWEEP_EVERY`.
        let offset = SWEEP_EVERY - u64::from(me.0) % SWEEP_EVERY;
        let sweep = self
            .oldest
            .due(timings)
            .map(|due| next_turn(due.max(from), SWEEP_EVERY, offset));
        [retry, sweep]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t.max(from))
    }

    /// Drops confirmed orphans past their hold and collects confirmed
    /// tombstones past their grace, if the ring has been whole as long.
    fn sweep(&mut self, me: PeerId, now: u64, t: &StoreTimings, out: &mut Out) {
        if !self.oldest.any_due(now, t) {
            // No orphan or tombstone is old enough yet: nothing to look at.
            return;
        }
        let (mut handed, mut collected, mut expired) = (Vec::new(), Vec::new(), Vec::new());
        let mut oldest = Oldest::NONE;
        let whole = match self.cluster {
            0 => true,
            _ => self
                .whole_since
                .is_some_and(|since| now >= since.saturating_add(t.tombstone_grace)),
        };
        for (key, e) in &self.map {
            let due_hand = e
                .orphan_since
                .is_some_and(|since| now >= since + t.orphan_hold);
            let due_collect = !due_hand
                && whole
                && !e.stored.is_live()
                && now >= e.stored.version.tick + t.tombstone_grace;
            // Stabilization just brought every entry in line with the ring;
            // only a due entry is checked for confirmations (the costly part).
            let confirmed = || e.synced.is_some_and(|set| e.all_confirmed(me, set));
            let expired_hint = e.hint.filter(|h| now >= h.since + t.tombstone_grace);
            if due_hand && confirmed() {
                handed.push(key.to_string());
            } else if due_collect && confirmed() {
                collected.push(key.to_string());
            } else if let Some(hint) = expired_hint {
                expired.push((key.to_string(), hint.home));
            } else {
                oldest.note(e);
            }
        }
        self.oldest = oldest;
        let expired_keys = expired.iter().map(|(key, _)| key);
        for key in handed.iter().chain(&collected).chain(expired_keys) {
            self.map.remove(key.as_str());
            self.unconfirmed.remove(key.as_str());
        }
        let handed = handed.into_iter().map(|key| EventKind::Handed { key });
        let collected = collected
            .into_iter()
            .map(|key| EventKind::Collected { key });
        let expired = expired
            .into_iter()
            .map(|(key, home)| EventKind::HintExpired { key, home });
        out.events.extend(handed.chain(collected).chain(expired));
    }

    /// The digest of the entries `to` replicates, as this peer's ring sees
    /// them: one round of flat anti-entropy.
    pub fn digest(&self, ring: &Ring, to: PeerId) -> Message {
        let mut entries = Vec::with_capacity(self.map.len());
        entries.extend(self.shared(ring, to).map(|(k, _, v)| (Rc::clone(k), v)));
        Message::Digest { entries }
    }

    /// The entries `other` replicates, as this peer's ring sees them: key,
    /// ring position and version, sorted by key — what a digest to `other`
    /// lists and a Merkle tree for it covers.
    pub(crate) fn shared<'a>(
        &'a self,
        ring: &'a Ring,
        other: PeerId,
    ) -> impl Iterator<Item = (&'a Rc<str>, u64, Version)> + 'a {
        self.map
            .iter()
            .filter(move |(_, e)| e.replicas(ring).contains(other))
            .map(|(k, e)| (k, e.position, e.stored.version))
    }

    /// Answers a digest from `from`: pushes what is newer here (or missing
    /// there, for keys `from` replicates in this peer's ring) and asks for
    /// what is newer there.
    pub fn on_digest(
        &mut self,
        ring: &Ring,
        from: PeerId,
        entries: &[(Rc<str>, Version)],
        out: &mut Out,
    ) {
        self.reconcile(ring, from, entries, |_| true, out);
    }

    /// Answers (key, version) pairs from `from` that cover the entries at
    /// the ring positions `within` accepts (all of them for a digest, the
    /// differing leaves of a Merkle tree): pushes what is newer here (or
    /// missing there, for keys `from` replicates in this peer's ring),
    /// confirms `from` on equal versions and asks for what is newer there.
    pub(crate) fn reconcile(
        &mut self,
        ring: &Ring,
        from: PeerId,
        entries: &[(Rc<str>, Version)],
        within: impl Fn(u64) -> bool,
        out: &mut Out,
    ) {
        // Both sides are sorted by key: one merge pass, no lookups, one
        // comparison per step.
        let mut want = Vec::new();
        let mut theirs = entries.iter().peekable();
        for (key, e) in self.map.iter_mut().filter(|(_, e)| within(e.position)) {
            let mut held = None;
            while let Some((k, version)) = theirs.peek() {
                match (**k).cmp(&**key) {
                    Ordering::Less => want.push(Rc::clone(k)),
                    Ordering::Equal => held = Some(*version),
                    Ordering::Greater => break,
                }
                theirs.next();
                if held.is_some() {
                    break;
                }
            }
            match held {
                Some(version) if e.stored.version > version => out.send(from, push(key, e)),
                Some(version) if e.stored.version == version => e.confirm(from),
                Some(_) => want.push(Rc::clone(key)),
                None if e.replicas(ring).contains(from) => out.send(from, push(key, e)),
                None => {}
            }
        }
        want.extend(theirs.map(|(k, _)| Rc::clone(k)));
        if !want.is_empty() {
            out.send(from, Message::Pull { keys: want });
        }
    }

    /// Records that `from` holds every entry it replicates at a ring
    /// position `within` accepts, at the version held here: a Merkle
    /// subtree of them hashed equal on both sides.
    pub(crate) fn confirm_shared(
        &mut self,
        ring: &Ring,
        from: PeerId,
        within: impl Fn(u64) -> bool,
    ) {
        for e in self.map.values_mut() {
            if within(e.position) && e.replicas(ring).contains(from) {
                e.confirm(from);
            }
        }
    }

    /// Answers a pull: pushes each asked key held here.
    pub fn on_pull(&self, from: PeerId, keys: &[Rc<str>], out: &mut Out) {
        for key in keys {
            if let Some((key, e)) = self.map.get_key_value(key) {
                out.send(from, push(key, e));
            }
        }
    }

    /// How many keys this peer holds (tombstones included).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether this peer holds nothing.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The entry held for `key`: a value or a tombstone.
    pub fn get(&self, key: &str) -> Option<&Stored> {
        self.map.get(key).map(|e| &e.stored)
    }

    /// The keys held, sorted, tombstones included.
    pub fn keys(&self) -> impl Iterator<Item = KeyView<'_>> {
        self.map.iter().map(|(key, e)| KeyView {
            key,
            stored: &e.stored,
            replica: e.orphan_since.is_none(),
            hint: e.hint,
        })
    }
}

fn push(key: &Rc<str>, e: &Entry) -> Message {
    Message::Replicate {
        key: Rc::clone(key),
        stored: e.stored.clone(),
    }
}

/// Brings one entry in line with the ring: pushes it to the replicas of
/// its set that have not confirmed it (all of a new set), and marks it an
/// orphan while `me` is no replica. Returns whether some replica has not
/// confirmed yet.
fn sync(me: PeerId, ring: &Ring, key: &Rc<str>, e: &mut Entry, now: u64, out: &mut Out) -> bool {
    let set = ring.replicas_at(e.position);
    if set.contains(me) {
        e.orphan_since = None;
        e.hint = None;
        e.confirm(me);
    } else {
        e.orphan_since.get_or_insert(now);
    }
    if e.synced == Some(set) && e.pushed_at == 0 && e.orphan_since.is_none() {
        // Written through this set by a coordinator: anti-entropy checks it.
        return false;
    }
    e.synced = Some(set);
    let targets = e.unconfirmed(me, set);
    if targets.is_empty() {
        return false;
    }
    e.pushed_at = now.max(1);
    for to in targets {
        out.send(to, push(key, e));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::AntiEntropy;

    fn ring_of(ids: &[u32]) -> Ring {
        ids.iter().copied().map(PeerId).collect()
    }

    fn stored(value: &str, tick: u64) -> Stored {
        Stored {
            value: Some(value.into()),
            version: Version::new(tick, tick),
        }
    }

    fn tombstone(tick: u64) -> Stored {
        Stored {
            value: None,
            version: Version::new(tick, tick),
        }
    }

    /// The keys handed over and the tombstones collected since the last
    /// call (taken out of `out`).
    fn swept(out: &mut Out) -> (Vec<String>, Vec<String>) {
        let (mut handed, mut collected) = (Vec::new(), Vec::new());
        for e in out.events.drain(..) {
            match e {
                EventKind::Handed { key } => handed.push(key),
                EventKind::Collected { key } => collected.push(key),
                other => panic!("not a sweep: {other:?}"),
            }
        }
        (handed, collected)
    }

    fn targets(sends: &[(PeerId, Message)]) -> Vec<PeerId> {
        let mut to: Vec<PeerId> = sends.iter().map(|s| s.0).collect();
        to.sort();
        to
    }

    fn t() -> StoreTimings {
        StoreTimings::default()
    }

    /// A ring of peers 0, 1 and 2, all replicas of `k`, and a store that
    /// holds `k` = `v` at version 1.
    fn holding_k() -> (Ring, ReplicaSet, Store) {
        let ring = ring_of(&[0, 1, 2]);
        let set = ring.replicas("k");
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        (ring, set, s)
    }

    #[test]
    fn crud_on_a_replica() {
        let ring = ring_of(&[0, 1, 2]);
        let set = ring.replicas("k");
        let mut s = Store::default();
        assert!(s.apply(OpKind::Create, "k", Some(&stored("v1", 1)), set).ok);
        assert!(!s.apply(OpKind::Create, "k", Some(&stored("v9", 2)), set).ok);
        let read = s.apply(OpKind::Read, "k", None, set);
        assert_eq!(read.found.unwrap().value.as_deref(), Some("v1"));
        assert!(s.apply(OpKind::Update, "k", Some(&stored("v2", 3)), set).ok);
        // An older write is acknowledged but does not overwrite.
        assert!(
            s.apply(OpKind::Update, "k", Some(&stored("old", 2)), set)
                .ok
        );
        assert_eq!(s.get("k").unwrap().value.as_deref(), Some("v2"));
        assert!(s.apply(OpKind::Delete, "k", Some(&tombstone(4)), set).ok);
        assert!(!s.apply(OpKind::Delete, "k", Some(&tombstone(5)), set).ok);
        let read = s.apply(OpKind::Read, "k", None, set);
        assert!(!read.ok);
        assert_eq!(read.found, Some(tombstone(4)), "a read sees the tombstone");
        assert!(!s.apply(OpKind::Update, "k", Some(&stored("v3", 6)), set).ok);
        // Create after delete.
        assert!(s.apply(OpKind::Create, "k", Some(&stored("v4", 7)), set).ok);
        assert_eq!(s.get("k").unwrap().value.as_deref(), Some("v4"));
    }

    #[test]
    fn a_write_answers_with_the_entry_it_found() {
        let set = ring_of(&[0, 1, 2]).replicas("k");
        let mut s = Store::default();
        let first = s.apply(OpKind::Create, "k", Some(&stored("v1", 1)), set);
        assert_eq!((first.ok, first.found), (true, None), "nothing before it");
        let refused = s.apply(OpKind::Create, "k", Some(&stored("v2", 2)), set);
        assert_eq!((refused.ok, refused.found), (false, Some(stored("v1", 1))));
        let updated = s.apply(OpKind::Update, "k", Some(&stored("v3", 3)), set);
        assert_eq!((updated.ok, updated.found), (true, Some(stored("v1", 1))));
        s.apply(OpKind::Delete, "k", Some(&tombstone(4)), set);
        let revive = s.apply(OpKind::Update, "k", Some(&stored("v5", 5)), set);
        assert_eq!((revive.ok, revive.found), (false, Some(tombstone(4))));
    }

    #[test]
    fn a_late_delete_does_not_erase_a_newer_write() {
        let set = ring_of(&[0, 1, 2]).replicas("k");
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v1", 1)), set);
        s.apply(OpKind::Update, "k", Some(&stored("v2", 9)), set);
        assert!(s.apply(OpKind::Delete, "k", Some(&tombstone(5)), set).ok);
        assert_eq!(s.get("k").unwrap().value.as_deref(), Some("v2"));
    }

    #[test]
    fn a_tombstone_beats_an_older_copy_pushed_later() {
        let mut s = Store::default();
        let set = ring_of(&[0, 1, 2]).replicas("k");
        s.apply(OpKind::Create, "k", Some(&stored("v1", 1)), set);
        s.apply(OpKind::Delete, "k", Some(&tombstone(3)), set);
        let (changed, held) = s.replicate(
            &ring_of(&[0, 1, 2]),
            "k",
            &stored("v1", 1),
            PeerId(1),
            5,
            &t(),
        );
        assert!(!changed);
        assert_eq!(held, tombstone(3).version);
        assert!(!s.apply(OpKind::Read, "k", None, set).ok);
    }

    #[test]
    fn a_write_in_line_with_the_ring_sends_nothing() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let me = set.as_slice()[0];
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        let mut out = Out::default();
        s.stabilize(me, &ring, false, 1, &t(), &mut out);
        assert!(out.sends.is_empty());
    }

    #[test]
    fn a_failed_replica_is_replaced_and_pushes_are_retried_until_confirmed() {
        let mut ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let [a, b, c] = [set.as_slice()[0], set.as_slice()[1], set.as_slice()[2]];
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        ring.remove(c);
        let new = ring.replicas("k");
        let d = new.as_slice()[2];
        let mut out = Out::default();
        s.stabilize(a, &ring, true, 5, &t(), &mut out);
        let mut want = vec![b, d];
        want.sort();
        assert_eq!(targets(&out.sends), want);
        // Unconfirmed: retried after push_retry ticks, to both.
        out.sends.clear();
        s.stabilize(a, &ring, false, 6, &t(), &mut out);
        assert!(out.sends.is_empty(), "not before the retry time");
        s.stabilize(a, &ring, false, 10, &t(), &mut out);
        assert_eq!(targets(&out.sends), want);
        // b confirms: only d is retried.
        s.confirmed("k", b, stored("v", 1).version);
        out.sends.clear();
        s.stabilize(a, &ring, false, 15, &t(), &mut out);
        assert_eq!(targets(&out.sends), vec![d]);
        s.confirmed("k", d, stored("v", 1).version);
        out.sends.clear();
        s.stabilize(a, &ring, false, 20, &t(), &mut out);
        assert!(out.sends.is_empty(), "confirmed by all: nothing more");
    }

    #[test]
    fn an_idle_store_has_no_deadline_and_a_pending_push_its_retry_tick() {
        let mut ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let [a, b, c] = [set.as_slice()[0], set.as_slice()[1], set.as_slice()[2]];
        let mut s = Store::default();
        let mut out = Out::default();
        // A new store bounds nothing yet: its first sweep looks, finds
        // nothing old, and the store is idle.
        let sweep = s.next_deadline(a, 3, &t()).unwrap();
        assert_eq!(sweep % SWEEP_EVERY, u64::from(a.0) % SWEEP_EVERY);
        s.stabilize(a, &ring, false, sweep, &t(), &mut out);
        assert_eq!(s.next_deadline(a, sweep + 1, &t()), None, "idle");
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        assert_eq!(s.next_deadline(a, 30, &t()), Some(30), "written: at once");
        s.stabilize(a, &ring, false, 30, &t(), &mut out);
        assert!(out.sends.is_empty());
        assert_eq!(s.next_deadline(a, 31, &t()), None, "in line: idle again");
        // A replica fails: the pushes to the new set wait for their retry.
        ring.remove(c);
        s.stabilize(a, &ring, true, 50, &t(), &mut out);
        assert_eq!(out.sends.len(), 2);
        let retry = 50 + t().push_retry;
        assert_eq!(s.next_deadline(a, 51, &t()), Some(retry));
        out.sends.clear();
        for now in 51..retry {
            s.stabilize(a, &ring, false, now, &t(), &mut out);
        }
        assert!(out.sends.is_empty(), "nothing before the deadline");
        s.stabilize(a, &ring, false, retry, &t(), &mut out);
        assert_eq!(out.sends.len(), 2, "retried at the deadline");
        s.confirmed("k", b, stored("v", 1).version);
        let d = ring.replicas("k").as_slice()[2];
        s.confirmed("k", d, stored("v", 1).version);
        s.stabilize(a, &ring, false, retry + t().push_retry, &t(), &mut out);
        assert_eq!(s.next_deadline(a, retry + t().push_retry + 1, &t()), None);
    }

    /// What one stabilization sent and recorded, comparable.
    fn output(out: &mut Out) -> String {
        let text = format!("{:?} {:?}", out.sends, out.events);
        out.sends.clear();
        out.events.clear();
        text
    }

    #[test]
    fn stabilizing_at_deadlines_only_does_what_stabilizing_every_tick_does() {
        use crate::util::rng::SimRng;
        for seed in 0..200 {
            let mut rng = SimRng::new(seed, 5);
            let timings = StoreTimings {
                orphan_hold: 1 + u64::from(rng.below(30)),
                push_retry: 1 + u64::from(rng.below(8)),
                tombstone_grace: 1 + u64::from(rng.below(60)),
            };
            let me = PeerId(rng.below(6));
            let mut ring = ring_of(&[0, 1, 2, 3, 4, 5]);
            let (mut every, mut woken) = (Store::default(), Store::default());
            let (mut a, mut b) = (Out::default(), Out::default());
            for now in 1..300 {
                let mut ring_changed = false;
                let key = format!("k{}", rng.below(8));
                let peer = PeerId(rng.below(6));
                let version = Version::new(now, now);
                let value = (rng.below(3) > 0).then(|| "v".to_owned());
                let write = Stored { value, version };
                let set = ring.replicas(&key);
                match rng.below(40) {
                    0 => ring_changed = ring.remove(peer),
                    1 => ring_changed = ring.insert(peer),
                    2..=5 => {
                        for s in [&mut every, &mut woken] {
                            s.apply(OpKind::Update, &key, Some(&write), set);
                            s.apply(OpKind::Create, &key, Some(&write), set);
                        }
                    }
                    6 => {
                        for s in [&mut every, &mut woken] {
                            s.hint(&key, &write, peer, now);
                        }
                    }
                    7..=9 => {
                        for s in [&mut every, &mut woken] {
                            s.replicate(&ring, &key, &write, peer, now, &timings);
                        }
                    }
                    10..=19 => {
                        let held = every.get(&key).map(|s| s.version);
                        for s in [&mut every, &mut woken] {
                            if let Some(v) = held {
                                s.confirmed(&key, peer, v);
                            }
                        }
                    }
                    _ => {}
                }
                every.stabilize(me, &ring, ring_changed, now, &timings, &mut a);
                let due = woken.next_deadline(me, now, &timings);
                if ring_changed || due.is_some_and(|t| t <= now) {
                    woken.stabilize(me, &ring, ring_changed, now, &timings, &mut b);
                }
                assert_eq!(output(&mut a), output(&mut b), "seed {seed}, tick {now}");
                assert!(every.keys().eq(woken.keys()), "seed {seed}, tick {now}");
            }
        }
    }

    #[test]
    fn a_tombstone_is_due_at_the_first_sweep_after_its_grace() {
        let ring = ring_of(&[0, 1, 2]);
        let set = ring.replicas("k");
        let me = PeerId(1);
        let mut s = Store::default();
        let mut out = Out::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        s.stabilize(me, &ring, false, 1, &t(), &mut out);
        // The first sweep (a fresh store bounds nothing yet) finds nothing.
        let first = s.next_deadline(me, 2, &t()).unwrap();
        s.stabilize(me, &ring, false, first, &t(), &mut out);
        s.apply(OpKind::Delete, "k", Some(&tombstone(40)), set);
        s.stabilize(me, &ring, false, 40, &t(), &mut out);
        let grace = 40 + t().tombstone_grace;
        let due = s.next_deadline(me, 41, &t()).unwrap();
        assert!(due >= grace && due < grace + SWEEP_EVERY, "{due}");
        assert_eq!(due % SWEEP_EVERY, u64::from(me.0) % SWEEP_EVERY);
        s.confirmed("k", PeerId(0), tombstone(40).version);
        s.confirmed("k", PeerId(2), tombstone(40).version);
        s.stabilize(me, &ring, false, due, &t(), &mut out);
        assert_eq!(swept(&mut out), (vec![], vec!["k".to_owned()]));
        assert_eq!(s.next_deadline(me, due + 1, &t()), None);
    }

    #[test]
    fn a_holder_that_is_no_longer_a_replica_drops_only_once_confirmed() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let outsider = (0..10).map(PeerId).find(|&p| !set.contains(p)).unwrap();
        let mut s = Store::default();
        s.replicate(
            &ring_of(&[outsider.0]),
            "k",
            &stored("v", 1),
            PeerId(99),
            1,
            &t(),
        );
        let mut out = Out::default();
        let at = |tick: u64| tick * SWEEP_EVERY + u64::from(outsider.0) % SWEEP_EVERY;
        s.stabilize(outsider, &ring, true, at(1), &t(), &mut out);
        assert!(swept(&mut out).0.is_empty());
        assert_eq!(targets(&out.sends).len(), 3, "handed to all three replicas");
        assert_eq!(s.keys().next().map(|k| k.replica), Some(false));
        // Long past the hold, but unconfirmed: kept.
        s.stabilize(outsider, &ring, false, at(10), &t(), &mut out);
        assert!(swept(&mut out).0.is_empty());
        for &r in set.as_slice() {
            s.confirmed("k", r, stored("v", 1).version);
        }
        s.stabilize(outsider, &ring, false, at(11), &t(), &mut out);
        assert_eq!(swept(&mut out).0, vec!["k"]);
        assert!(s.is_empty());
    }

    #[test]
    fn tombstones_are_collected_after_the_grace_once_confirmed() {
        let (ring, set, mut s) = holding_k();
        let me = PeerId(0);
        s.apply(OpKind::Delete, "k", Some(&tombstone(2)), set);
        let mut out = Out::default();
        let grace = t().tombstone_grace;
        s.stabilize(me, &ring, false, SWEEP_EVERY * 40, &t(), &mut out);
        assert_eq!(s.len(), 1, "unconfirmed tombstones stay");
        s.confirmed("k", PeerId(1), tombstone(2).version);
        s.confirmed("k", PeerId(2), tombstone(2).version);
        s.stabilize(me, &ring, false, SWEEP_EVERY, &t(), &mut out);
        assert!(swept(&mut out).1.is_empty(), "not before the grace");
        s.stabilize(
            me,
            &ring,
            false,
            (grace / SWEEP_EVERY + 1) * SWEEP_EVERY,
            &t(),
            &mut out,
        );
        assert_eq!(swept(&mut out).1, vec!["k"]);
    }

    #[test]
    fn a_tombstone_waits_while_a_peer_is_off_the_ring_and_a_grace_after() {
        let full = ring_of(&[0, 1, 2, 3]);
        let set = full.replicas("k");
        let [me, away] = [set.as_slice()[0], set.as_slice()[2]];
        let mut ring = full.clone();
        ring.remove(away);
        let mut s = Store::new(4);
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        s.apply(OpKind::Delete, "k", Some(&tombstone(2)), ring.replicas("k"));
        let mut out = Out::default();
        s.stabilize(me, &ring, true, 3, &t(), &mut out);
        for &r in ring.replicas("k").as_slice() {
            s.confirmed("k", r, tombstone(2).version);
        }
        let sweep = |tick: u64| tick * SWEEP_EVERY + u64::from(me.0) % SWEEP_EVERY;
        let late = sweep(t().tombstone_grace);
        s.stabilize(me, &ring, false, late, &t(), &mut out);
        assert!(swept(&mut out).1.is_empty(), "a peer is away");
        assert_eq!(
            s.next_deadline(me, late + 1, &t()),
            Some(late + SWEEP_EVERY)
        );
        // It is back (and confirms): the tombstone goes a grace later.
        s.stabilize(me, &full, true, late + 1, &t(), &mut out);
        s.confirmed("k", away, tombstone(2).version);
        out.sends.clear();
        let back = late + 1 + t().tombstone_grace;
        for now in late + 2..back {
            s.stabilize(me, &full, false, now, &t(), &mut out);
        }
        assert!(
            swept(&mut out).1.is_empty(),
            "not within a grace of its return"
        );
        s.stabilize(
            me,
            &full,
            false,
            sweep(back / SWEEP_EVERY + 1),
            &t(),
            &mut out,
        );
        assert_eq!(swept(&mut out).1, vec!["k"]);
    }

    #[test]
    fn a_tombstone_past_its_grace_is_stored_only_over_an_older_value() {
        let ring = ring_of(&[0, 1, 2]);
        let grace = t().tombstone_grace;
        let mut s = Store::default();
        for now in [10, 10 + grace] {
            let (changed, held) = s.replicate(&ring, "k", &tombstone(10), PeerId(1), now, &t());
            assert_eq!(held, tombstone(10).version, "acknowledged at {now}");
            assert_eq!(changed, now < 10 + grace, "stored at {now}");
            s.map.clear();
        }
        let (changed, _) = s.write_back(&ring, "k", &tombstone(10), 10 + grace, &t());
        assert!(!changed && s.is_empty(), "nothing held: nothing to delete");
        s.replicate(&ring, "k", &stored("v", 5), PeerId(2), 6, &t());
        let (changed, _) = s.replicate(&ring, "k", &tombstone(10), PeerId(1), 10 + grace, &t());
        assert!(changed, "an older value held: it must lose");
        assert_eq!(s.get("k"), Some(&tombstone(10)));
    }

    #[test]
    fn a_tombstone_written_after_a_sweep_that_found_nothing_is_still_collected() {
        let (ring, set, mut s) = holding_k();
        let me = PeerId(0);
        let mut out = Out::default();
        s.stabilize(me, &ring, false, SWEEP_EVERY, &t(), &mut out);
        assert_eq!(
            swept(&mut out),
            (vec![], vec![]),
            "nothing to drop: later sweeps may skip"
        );
        let deleted = tombstone(2 * SWEEP_EVERY);
        s.apply(OpKind::Delete, "k", Some(&deleted), set);
        s.confirmed("k", PeerId(1), deleted.version);
        s.confirmed("k", PeerId(2), deleted.version);
        let due = deleted.version.tick + t().tombstone_grace;
        let early = due / SWEEP_EVERY * SWEEP_EVERY;
        s.stabilize(me, &ring, false, early, &t(), &mut out);
        assert!(swept(&mut out).1.is_empty(), "not before the grace");
        let next = (due / SWEEP_EVERY + 1) * SWEEP_EVERY;
        s.stabilize(me, &ring, false, next, &t(), &mut out);
        assert_eq!(swept(&mut out).1, vec!["k"]);
    }

    #[test]
    fn anti_entropy_pushes_newer_and_pulls_missing() {
        let ring = ring_of(&[0, 1, 2]);
        let set = ring.replicas("a");
        let (me, other) = (PeerId(0), PeerId(1));
        let mut s = Store::default();
        s.apply(OpKind::Create, "a", Some(&stored("new", 5)), set);
        s.apply(
            OpKind::Create,
            "b",
            Some(&stored("mine", 5)),
            ring.replicas("b"),
        );
        let digest = vec![
            ("a".into(), Version::new(1, 1)),
            ("c".into(), Version::new(2, 2)),
        ];
        let mut out = Out::default();
        s.on_digest(&ring, other, &digest, &mut out);
        let pushed: Vec<&str> = out
            .sends
            .iter()
            .filter_map(|(_, m)| match m {
                Message::Replicate { key, .. } => Some(&**key),
                _ => None,
            })
            .collect();
        assert_eq!(pushed, vec!["a", "b"], "newer a, missing b");
        assert!(
            matches!(&out.sends.last().unwrap().1, Message::Pull { keys } if keys == &["c".into()])
        );
        // The digest names this peer's neighbour and the keys it replicates.
        let mut out = Out::default();
        let ae = AntiEntropy {
            period: 10,
            ..AntiEntropy::default()
        };
        for now in 0..10 {
            crate::protocol::anti_entropy::round(&s, me, &ring, now, ae, &mut out);
        }
        assert_eq!(out.sends.len(), 1, "one digest per period");
        let (to, msg) = out.sends.pop().unwrap();
        assert_ne!(to, me);
        assert!(matches!(msg, Message::Digest { entries } if entries.len() == 2));
    }

    #[test]
    fn a_restarted_peer_gets_its_keys_again() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let [a, b, _] = [set.as_slice()[0], set.as_slice()[1], set.as_slice()[2]];
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        s.forget_peer(b);
        let mut out = Out::default();
        s.stabilize(a, &ring, false, 3, &t(), &mut out);
        assert!(targets(&out.sends).contains(&b));
    }

    #[test]
    fn a_hint_is_pushed_to_the_replicas_and_dropped_once_confirmed_or_expired() {
        let ring = ring_of(&[0, 1, 2, 3]);
        let set = ring.replicas("k");
        let me = (0..4).map(PeerId).find(|&p| !set.contains(p)).unwrap();
        let home = set.as_slice()[0];
        for confirmed in [true, false] {
            let mut s = Store::default();
            assert!(s.hint("k", &stored("v", 3), home, 3));
            let view = s.keys().next().unwrap();
            assert_eq!(view.hint, Some(Hint { home, since: 3 }));
            let mut out = Out::default();
            s.stabilize(me, &ring, false, 4, &t(), &mut out);
            let mut want = set.as_slice().to_vec();
            want.sort();
            assert_eq!(targets(&out.sends), want, "pushed to every replica");
            if confirmed {
                for &r in set.as_slice() {
                    s.confirmed("k", r, Version::new(3, 3));
                }
            }
            let mut out = Out::default();
            let due = 3 + t().tombstone_grace.max(t().orphan_hold) + SWEEP_EVERY;
            for now in 5..=due {
                s.stabilize(me, &ring, false, now, &t(), &mut out);
            }
            assert!(s.is_empty(), "dropped (confirmed: {confirmed})");
            let dropped: Vec<&EventKind> = out
                .events
                .iter()
                .filter(|e| !matches!(e, EventKind::Replicated { .. }))
                .collect();
            let want = match confirmed {
                true => EventKind::Handed { key: "k".into() },
                false => EventKind::HintExpired {
                    key: "k".into(),
                    home,
                },
            };
            assert_eq!(dropped, vec![&want]);
        }
    }
}
