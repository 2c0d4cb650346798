//! Tombstones and removals over long runs: a delete stays deleted after a
//! cut (or a cut then a crash) longer than the tombstone grace, a
//! tombstone collected everywhere stays collected, and a partition shorter
//! than the removal timeout removes no live peer while a longer one does.
//! (The two links that first showed a delete undone are replayed in
//! `regressions.rs`.)

mod common;

use std::collections::BTreeMap;

use common::op;
use ftkv::check::{Completion, HistOp};
use ftkv::torture;
use ftkv::{Action, Config, Event, EventKind, OpKind, PeerId, Ring, SimRng};
use ftkv::{Session, Setup, Sim, SimOptions};

/// `size` distinct random peers of `peers`, and the others.
fn split(peers: u32, size: u32, rng: &mut SimRng) -> (Vec<PeerId>, Vec<PeerId>) {
    let mut rest: Vec<PeerId> = (0..peers).map(PeerId).collect();
    let side = (0..size)
        .map(|_| rest.remove(rng.below(rest.len() as u32) as usize))
        .collect();
    (side, rest)
}

/// Four keys created, a random side of up to half the cluster cut off, the
/// keys deleted on the other side, the cut side crashed in half the runs,
/// the cut healed after 300 to 700 ticks (past the 300-tick grace), the
/// crashed peers recovered, every key read: over 200 runs of 4 to 16
/// peers, every read of a key whose delete was acknowledged is not-found,
/// and nothing the mixed profile forbids shows, `resurrected_delete`
/// included. (Before tombstones waited for a
/// whole ring, the returning side pushed its old copies back.)
#[test]
fn a_delete_stays_deleted_after_a_cut_longer_than_the_grace() {
    let keys: Vec<String> = (0..4).map(|k| format!("k{k}")).collect();
    for seed in 0..200 {
        let mut rng = SimRng::new(seed, 77);
        let peers = 4 + rng.below(13);
        let mut s = Session::new(Setup::new(peers, seed), false).unwrap();
        s.step(50);
        for key in &keys {
            let value = format!("v{key}");
            s.act(op(rng.below(peers), OpKind::Create, key, Some(&value)))
                .unwrap();
        }
        s.step(10 + u64::from(rng.below(30)));
        let (side, rest) = split(peers, 1 + rng.below(peers / 2), &mut rng);
        let other = |rng: &mut SimRng| rest[rng.below(rest.len() as u32) as usize].0;
        s.act(Action::Partition(side.clone())).unwrap();
        s.step(1 + u64::from(rng.below(5)));
        for key in &keys {
            s.act(op(other(&mut rng), OpKind::Delete, key, None))
                .unwrap();
        }
        let crash = rng.below(2) == 0;
        if crash {
            s.step(10 + u64::from(rng.below(40)));
            for &p in &side {
                s.act(Action::Fail(p)).unwrap();
            }
        }
        s.step(300 + u64::from(rng.below(400)));
        s.act(Action::Heal).unwrap();
        if crash {
            s.step(u64::from(rng.below(300)));
            for &p in &side {
                s.act(Action::Recover(p)).unwrap();
            }
        }
        s.step(100);
        for key in &keys {
            s.act(op(other(&mut rng), OpKind::Read, key, None)).unwrap();
        }
        s.step(260);
        let report = torture::check_session(&s);
        let rules = torture::rules_for(&s);
        let bad = torture::violations(rules, &report.anomalies);
        assert!(bad.is_empty(), "{bad:?}: {}", s.link());
        let ops = &s.history().ops;
        let deleted = |key: &str| {
            let ok = |o: &&HistOp| o.op == OpKind::Delete && o.completion == Completion::Ok;
            ops.iter().filter(ok).any(|o| o.key == key)
        };
        for read in ops.iter().filter(|o| o.op == OpKind::Read) {
            let back = deleted(&read.key) && read.value.is_some();
            assert!(!back, "{} is back: {}", read.key, s.link());
        }
    }
}

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
    let (side, _) = split(peers, 1 + rng.below(peers / 2), &mut rng);
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
