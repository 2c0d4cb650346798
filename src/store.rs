//! A peer's local key-value store, its server side of CRUD, and
//! stabilization.
//!
//! Every stored key remembers the replica set it was last synced with.
//! Whenever the peer's ring gives a key another replica set, the holder
//! pushes the key to every replica of the new set (a copy that is already
//! there with the same version is a no-op), so a lost replica is re-created
//! by any surviving holder, even after several failures seen one at a time.
//! A holder that is no longer a replica hands the key over the same way and
//! drops its copy after `orphan_hold` ticks (time for a lagging view to
//! catch up), so a key never stays on more than 3 peers.

use std::collections::{BTreeMap, BTreeSet};

use crate::address::PeerId;
use crate::message::{Message, Stored};
use crate::op::OpKind;
use crate::ring::{key_position, ReplicaSet, Ring};

#[derive(Clone, Debug)]
struct Entry {
    stored: Stored,
    position: u64,
    synced: Option<ReplicaSet>,
    orphan_since: Option<u64>,
}

/// One stored key as its holder sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyView<'a> {
    /// The key.
    pub key: &'a str,
    /// Its value and version.
    pub stored: &'a Stored,
    /// Whether the holder sees itself as one of the key's replicas.
    pub replica: bool,
}

/// What a replica answers to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// Whether it performed the operation.
    pub ok: bool,
    /// For a successful read, the value found.
    pub found: Option<Stored>,
}

/// A peer's stored keys.
#[derive(Clone, Debug, Default)]
pub struct Store {
    map: BTreeMap<String, Entry>,
    dirty: BTreeSet<String>,
    orphans: usize,
}

impl Store {
    /// Performs `op` as a replica. `write` carries the value and version of
    /// a create or update; `replicas` is the coordinator's replica set.
    pub fn apply(
        &mut self,
        op: OpKind,
        key: &str,
        write: Option<&Stored>,
        replicas: ReplicaSet,
    ) -> Answer {
        let fail = Answer {
            ok: false,
            found: None,
        };
        let done = Answer {
            ok: true,
            found: None,
        };
        match (op, write) {
            (OpKind::Create, Some(stored)) if !self.map.contains_key(key) => {
                self.put(key, stored.clone(), replicas);
                done
            }
            (OpKind::Read, _) => match self.map.get(key) {
                Some(e) => Answer {
                    ok: true,
                    found: Some(e.stored.clone()),
                },
                None => fail,
            },
            (OpKind::Update, Some(stored)) => match self.map.get(key) {
                Some(e) if stored.version > e.stored.version => {
                    self.put(key, stored.clone(), replicas);
                    done
                }
                Some(_) => done,
                None => fail,
            },
            (OpKind::Delete, _) => match self.map.remove(key) {
                Some(e) => {
                    self.orphans -= usize::from(e.orphan_since.is_some());
                    self.dirty.remove(key);
                    done
                }
                None => fail,
            },
            _ => fail,
        }
    }

    /// Stores a copy handed over by stabilization if it is new or newer.
    /// Returns whether anything changed.
    pub fn replicate(&mut self, key: &str, stored: &Stored, replicas: ReplicaSet) -> bool {
        match self.map.get(key) {
            Some(e) if e.stored.version >= stored.version => false,
            _ => {
                self.put(key, stored.clone(), replicas);
                true
            }
        }
    }

    fn put(&mut self, key: &str, stored: Stored, replicas: ReplicaSet) {
        let entry = Entry {
            stored,
            position: key_position(key),
            synced: Some(replicas),
            orphan_since: None,
        };
        if let Some(old) = self.map.insert(key.to_owned(), entry) {
            self.orphans -= usize::from(old.orphan_since.is_some());
        }
        self.dirty.insert(key.to_owned());
    }

    /// Forgets that `id` holds anything: it restarted empty, so every key
    /// it replicates must be pushed to it again.
    pub fn forget_peer(&mut self, id: PeerId) {
        for (key, e) in &mut self.map {
            if e.synced.is_some_and(|s| s.contains(id)) {
                e.synced = None;
                self.dirty.insert(key.clone());
            }
        }
    }

    /// Stabilizes against `ring`: all keys if the ring changed, else only
    /// the keys written since the last call. Pushes [`Message::Replicate`]
    /// into `sends` and returns the keys whose copy this peer dropped.
    pub fn stabilize(
        &mut self,
        me: PeerId,
        ring: &Ring,
        ring_changed: bool,
        now: u64,
        orphan_hold: u64,
        sends: &mut Vec<(PeerId, Message)>,
    ) -> Vec<String> {
        let Store {
            map,
            dirty,
            orphans,
        } = self;
        let dirty = std::mem::take(dirty);
        let mut resync = |key: &str, e: &mut Entry| {
            let was = usize::from(e.orphan_since.is_some());
            sync(me, ring, key, e, now, sends);
            *orphans = *orphans + usize::from(e.orphan_since.is_some()) - was;
        };
        if ring_changed {
            for (key, e) in map.iter_mut() {
                resync(key, e);
            }
        } else {
            for key in &dirty {
                if let Some(e) = map.get_mut(key) {
                    resync(key, e);
                }
            }
        }
        if self.orphans == 0 {
            return Vec::new();
        }
        let expired: Vec<String> = self
            .map
            .iter()
            .filter(|(_, e)| e.orphan_since.is_some_and(|t| now >= t + orphan_hold))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &expired {
            self.map.remove(key);
        }
        self.orphans -= expired.len();
        expired
    }

    /// How many keys this peer holds.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether this peer holds no key.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The value held for `key`.
    pub fn get(&self, key: &str) -> Option<&Stored> {
        self.map.get(key).map(|e| &e.stored)
    }

    /// The keys held, sorted.
    pub fn keys(&self) -> impl Iterator<Item = KeyView<'_>> {
        self.map.iter().map(|(key, e)| KeyView {
            key,
            stored: &e.stored,
            replica: e.orphan_since.is_none(),
        })
    }
}

/// Brings one entry in line with the ring: pushes it to a replica set it
/// was not synced with, and marks it an orphan while `me` is no replica.
fn sync(
    me: PeerId,
    ring: &Ring,
    key: &str,
    e: &mut Entry,
    now: u64,
    sends: &mut Vec<(PeerId, Message)>,
) {
    let set = ring.replicas_at(e.position);
    if e.synced != Some(set) {
        for &to in set.as_slice().iter().filter(|&&to| to != me) {
            sends.push((
                to,
                Message::Replicate {
                    key: key.to_owned(),
                    stored: e.stored.clone(),
                    replicas: set,
                },
            ));
        }
        e.synced = Some(set);
    }
    if set.contains(me) {
        e.orphan_since = None;
    } else {
        e.orphan_since.get_or_insert(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::Version;

    fn ring_of(ids: &[u32]) -> Ring {
        ids.iter().copied().map(PeerId).collect()
    }

    fn stored(value: &str, tick: u64) -> Stored {
        Stored {
            value: value.into(),
            version: Version { tick, trans: tick },
        }
    }

    fn targets(sends: &[(PeerId, Message)]) -> Vec<PeerId> {
        let mut to: Vec<PeerId> = sends.iter().map(|s| s.0).collect();
        to.sort();
        to
    }

    #[test]
    fn crud_on_a_replica() {
        let ring = ring_of(&[0, 1, 2]);
        let set = ring.replicas("k");
        let mut s = Store::default();
        assert!(s.apply(OpKind::Create, "k", Some(&stored("v1", 1)), set).ok);
        assert!(!s.apply(OpKind::Create, "k", Some(&stored("v9", 2)), set).ok);
        let read = s.apply(OpKind::Read, "k", None, set);
        assert_eq!(read.found.unwrap().value, "v1");
        assert!(s.apply(OpKind::Update, "k", Some(&stored("v2", 3)), set).ok);
        // An older write is acknowledged but does not overwrite.
        assert!(
            s.apply(OpKind::Update, "k", Some(&stored("old", 2)), set)
                .ok
        );
        assert_eq!(s.get("k").unwrap().value, "v2");
        assert!(s.apply(OpKind::Delete, "k", None, set).ok);
        assert!(!s.apply(OpKind::Delete, "k", None, set).ok);
        assert!(!s.apply(OpKind::Read, "k", None, set).ok);
        assert!(!s.apply(OpKind::Update, "k", Some(&stored("v3", 4)), set).ok);
    }

    #[test]
    fn a_write_in_line_with_the_ring_sends_nothing() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let me = set.as_slice()[0];
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        let mut sends = Vec::new();
        assert!(s.stabilize(me, &ring, false, 1, 20, &mut sends).is_empty());
        assert!(sends.is_empty());
    }

    #[test]
    fn a_failed_replica_is_replaced_by_exactly_the_next_peer() {
        let mut ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let [a, b, c] = [set.as_slice()[0], set.as_slice()[1], set.as_slice()[2]];
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        ring.remove(c);
        let new = ring.replicas("k");
        let d = new.as_slice()[2];
        assert_eq!(&new.as_slice()[..2], &[a, b]);
        let mut sends = Vec::new();
        s.stabilize(a, &ring, true, 5, 20, &mut sends);
        assert_eq!(targets(&sends), {
            let mut t = vec![b, d];
            t.sort();
            t
        });
        // Nothing more once in line.
        sends.clear();
        s.stabilize(a, &ring, true, 6, 20, &mut sends);
        assert!(sends.is_empty());
    }

    #[test]
    fn two_failures_seen_one_at_a_time_still_reach_every_new_replica() {
        let mut ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let [a, b, c] = [set.as_slice()[0], set.as_slice()[1], set.as_slice()[2]];
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        let mut sends = Vec::new();
        ring.remove(a);
        s.stabilize(c, &ring, true, 5, 20, &mut sends);
        ring.remove(b);
        s.stabilize(c, &ring, true, 6, 20, &mut sends);
        let last = ring.replicas("k");
        assert_eq!(last.as_slice()[0], c);
        let got: BTreeSet<PeerId> = sends.iter().map(|s| s.0).collect();
        for &r in &last.as_slice()[1..] {
            assert!(got.contains(&r), "{r} never got the key");
        }
    }

    #[test]
    fn a_holder_that_is_no_longer_a_replica_hands_over_then_drops() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let outsider = (0..10).map(PeerId).find(|&p| !set.contains(p)).unwrap();
        let mut s = Store::default();
        let stale = ring_of(&[outsider.0]).replicas("k");
        assert!(s.replicate("k", &stored("v", 1), stale));
        let mut sends = Vec::new();
        assert!(s
            .stabilize(outsider, &ring, true, 10, 20, &mut sends)
            .is_empty());
        assert_eq!(targets(&sends).len(), 3, "handed to all three replicas");
        assert_eq!(s.keys().next().map(|k| k.replica), Some(false));
        assert!(s
            .stabilize(outsider, &ring, false, 29, 20, &mut sends)
            .is_empty());
        assert_eq!(
            s.stabilize(outsider, &ring, false, 30, 20, &mut sends),
            vec!["k"]
        );
        assert!(s.is_empty());
    }

    #[test]
    fn replicate_keeps_the_newest_version() {
        let set = ring_of(&[0]).replicas("k");
        let mut s = Store::default();
        assert!(s.replicate("k", &stored("new", 5), set));
        assert!(!s.replicate("k", &stored("old", 4), set));
        assert!(!s.replicate("k", &stored("new", 5), set));
        assert_eq!(s.get("k").unwrap().value, "new");
    }

    #[test]
    fn a_restarted_peer_gets_its_keys_again() {
        let ring = ring_of(&(0..10).collect::<Vec<_>>());
        let set = ring.replicas("k");
        let [a, b, _] = [set.as_slice()[0], set.as_slice()[1], set.as_slice()[2]];
        let mut s = Store::default();
        s.apply(OpKind::Create, "k", Some(&stored("v", 1)), set);
        s.forget_peer(b);
        let mut sends = Vec::new();
        s.stabilize(a, &ring, false, 3, 20, &mut sends);
        assert!(targets(&sends).contains(&b));
    }
}
