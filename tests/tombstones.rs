//! Tombstones and removals over long runs: a tombstone collected
//! everywhere stays collected, and a partition shorter than the removal
//! timeout removes no live peer while a longer one does. (A delete staying
//! deleted after a long absence is among the replayed links of
//! `regressions.rs`.)

use std::collections::BTreeMap;

use ftkv::{Config, Event, EventKind, OpKind, PeerId, Ring, SimRng};
use ftkv::{Sim, SimOptions};

/// With no faults, one delete's tombstone is collected exactly once by
/// each of the key's three replicas, by no other peer, and never stored
/// again by a peer that collected it: at the end nobody holds the key.
/// Over 40 runs (4 to 16 peers, other keys, other delete ticks), since
/// whether the replicas' staggered collections meet an anti-entropy round
/// depends on all three.
#[test]
fn a_tombstone_collected_everywhere_stays_collected() {
    for seed in 0..40 {
        let peers = 4 + seed as u32 % 13;
        let key = format!("k{seed}");
        let mut sim = Sim::new(SimOptions::new(peers, seed)).unwrap();
        sim.run(40);
        sim.client_op(PeerId(0), OpKind::Create, &key, Some("v"))
            .unwrap();
        sim.run(20 + seed % 17);
        sim.client_op(PeerId(1), OpKind::Delete, &key, None)
            .unwrap();
        let mut events: Vec<Event> = sim.drain_events().collect();
        while sim.now() < 3_000 {
            sim.run(100);
            events.extend(sim.drain_events());
        }
        let ring: Ring = (0..peers).map(PeerId).collect();
        let mut replicas = ring.replicas(&key).as_slice().to_vec();
        replicas.sort();
        // Each peer's collections of the key, and its stores of it after
        // its first collection.
        let mut collected: BTreeMap<PeerId, u32> = BTreeMap::new();
        let mut stored_again = Vec::new();
        for e in &events {
            match &e.kind {
                EventKind::Collected { key: k } if *k == key => {
                    *collected.entry(e.peer).or_default() += 1;
                }
                EventKind::Replicated { key: k, .. }
                    if *k == key && collected.contains_key(&e.peer) =>
                {
                    stored_again.push((e.tick, e.peer));
                }
                _ => {}
            }
        }
        let run = format!("seed {seed}, {peers} peers");
        let who: Vec<PeerId> = collected.keys().copied().collect();
        assert_eq!(who, replicas, "{run}: collected by the replicas");
        assert!(
            collected.values().all(|&n| n == 1),
            "{run}: collected more than once: {collected:?}"
        );
        assert!(
            stored_again.is_empty(),
            "{run}: stored again after its collection: {stored_again:?}"
        );
        for id in (0..peers).map(PeerId) {
            let store = sim.peer(id).unwrap().store();
            assert!(store.get(&key).is_none(), "{run}: {id} holds the key");
        }
    }
}

/// Removals (of any peer, by any peer) in a run of `peers` peers cut in
/// two at a random tick for `ticks` ticks, then healed.
fn removals_after_a_cut(peers: u32, seed: u64, ticks: u64) -> usize {
    let mut rng = SimRng::new(seed, 99);
    let mut sim = Sim::new(SimOptions::new(peers, seed)).unwrap();
    sim.run(50 + u64::from(rng.below(20)));
    let size = 1 + rng.below(peers / 2);
    let mut ids: Vec<PeerId> = (0..peers).map(PeerId).collect();
    let mut side = Vec::new();
    for _ in 0..size {
        side.push(ids.remove(rng.below(ids.len() as u32) as usize));
    }
    sim.drain_events().for_each(drop);
    sim.partition(&side).unwrap();
    sim.run(ticks);
    sim.heal();
    sim.run(60);
    sim.drain_events()
        .filter(|e| matches!(e.kind, EventKind::Removed { .. }))
        .count()
}

/// Over cluster sizes 4 to 16 and many seeds, a cut of every length below
/// `t_remove` removes nobody (every peer is alive); one of `t_fail +
/// t_remove` and a few ticks removes the other side.
#[test]
fn a_cut_shorter_than_the_removal_timeout_removes_no_live_peer() {
    let t = Config::default().membership;
    for peers in 4..=16 {
        for seed in 0..4 {
            for ticks in 1..t.t_remove {
                let removed = removals_after_a_cut(peers, seed, ticks);
                assert_eq!(removed, 0, "{peers} peers, seed {seed}, a {ticks}-tick cut");
            }
            let long = t.t_fail + t.t_remove + 3;
            let removed = removals_after_a_cut(peers, seed, long);
            assert!(removed > 0, "{peers} peers, seed {seed}, a {long}-tick cut");
        }
    }
}
