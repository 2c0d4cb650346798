//! Waking a peer only at its deadlines changes nothing: random scenarios
//! (random settings, client requests, failures, recoveries, partitions,
//! losses, delays) run twice in lockstep, once with every live peer ticked
//! every tick and once with each peer ticked only at the deadline it
//! reports, and must record the very same events — every message traced —
//! and leave every peer with the same view and the same keys.

use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::SimRng;
use ftkv::{AeMode, Config, Level, ReadRepair};
use ftkv::{Sim, SimOptions};

/// Random settings for `seed`: short timings so that sweeps, retries,
/// expiries and anti-entropy rounds all happen within a short run.
fn options(seed: u64, rng: &mut SimRng) -> SimOptions {
    let mut config = Config::default();
    config.membership.t_fail = 2 + u64::from(rng.below(6));
    config.membership.t_remove = config.membership.t_fail + 1 + u64::from(rng.below(20));
    config.membership.join_retry = 1 + u64::from(rng.below(12));
    config.membership.fanout = 1 + rng.below(3);
    config.op_timeout = 1 + u64::from(rng.below(12));
    config.store.orphan_hold = 1 + u64::from(rng.below(30));
    config.store.push_retry = 1 + u64::from(rng.below(8));
    config.store.tombstone_grace = 1 + u64::from(rng.below(60));
    config.anti_entropy.period = 1 + u64::from(rng.below(25));
    config.anti_entropy.mode = match rng.below(2) {
        0 => AeMode::Digest,
        _ => AeMode::Merkle,
    };
    config.read_repair = match rng.below(3) {
        0 => ReadRepair::Off,
        1 => ReadRepair::Async,
        _ => ReadRepair::Blocking,
    };
    config.hinted_handoff = rng.below(2) == 0;
    let peers = 1 + rng.below(14);
    SimOptions {
        config,
        trace_messages: true,
        ..SimOptions::new(peers, seed)
    }
}

/// One random action at the current tick, done to both simulations.
fn act(sims: &mut [Sim; 2], rng: &mut SimRng) {
    let peers = sims[0].peer_count();
    let id = PeerId(rng.below(peers));
    let other = PeerId(rng.below(peers));
    let key = format!("k{}", rng.below(6));
    let value = format!("v{}", rng.below(100));
    let roll = rng.below(100);
    let level = match rng.below(3) {
        0 => Level::One,
        1 => Level::Quorum,
        _ => Level::All,
    };
    for sim in sims.iter_mut() {
        // An action refused (a peer not alive, a link to itself) is
        // refused by both alike, and changes nothing.
        let _ = match roll {
            0..=39 => {
                let op = [OpKind::Create, OpKind::Read, OpKind::Update, OpKind::Delete]
                    [(roll % 4) as usize];
                let written =
                    matches!(op, OpKind::Create | OpKind::Update).then_some(value.as_str());
                sim.client_op_at(id, op, &key, written, level).map(|_| ())
            }
            40..=47 => sim.fail(id),
            48..=59 => sim.recover(id),
            60..=63 => sim.partition(&[id, other]),
            64..=69 => {
                sim.heal();
                Ok(())
            }
            70..=73 => sim.set_loss(Some((id, other)), 50),
            74..=75 => sim.set_loss(None, 10),
            76..=79 => sim.set_delay(id, other, 1 + u64::from(roll % 5)),
            _ => Ok(()),
        };
    }
}

/// Whether both simulations hold the same peers in the same state.
fn same_peers(sims: &[Sim; 2]) -> Result<(), String> {
    let now = sims[0].now();
    for i in 0..sims[0].peer_count() {
        let id = PeerId(i);
        let [a, b] = [&sims[0], &sims[1]].map(|s| s.peer(id));
        if sims[0].state(id) != sims[1].state(id) {
            return Err(format!("{id}: state"));
        }
        let (Some(a), Some(b)) = (a, b) else {
            if a.is_some() != b.is_some() {
                return Err(format!("{id}: started in one run only"));
            }
            continue;
        };
        if a.membership().view(now) != b.membership().view(now) {
            return Err(format!("{id}: membership view"));
        }
        if a.membership().heartbeat(now) != b.membership().heartbeat(now) {
            return Err(format!("{id}: heartbeat"));
        }
        if !a.store().keys().eq(b.store().keys()) {
            return Err(format!("{id}: stored keys"));
        }
        if a.ring().peers() != b.ring().peers() {
            return Err(format!("{id}: ring"));
        }
    }
    Ok(())
}

#[test]
fn ticking_at_deadlines_only_records_what_ticking_every_tick_does() {
    for seed in 1..=60 {
        let mut rng = SimRng::new(seed, 77);
        let opts = options(seed, &mut rng);
        let mut every = Sim::new(opts).unwrap();
        every.set_wake_every_tick(true);
        let mut sims = [every, Sim::new(opts).unwrap()];
        for tick in 0..400 {
            if tick > 5 && rng.below(4) == 0 {
                act(&mut sims, &mut rng);
            }
            for sim in &mut sims {
                sim.run_tick();
            }
            let [a, b] = &mut sims;
            let (a, b): (Vec<_>, Vec<_>) = (a.drain_events().collect(), b.drain_events().collect());
            assert_eq!(a, b, "seed {seed}, tick {tick}: {opts:?}");
            if let Err(what) = same_peers(&sims) {
                panic!("seed {seed}, tick {tick}: {what}; {opts:?}");
            }
        }
    }
}
