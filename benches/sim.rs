//! Speed and memory of the simulation, printed as numbers (`cargo bench`).
//!
//! 1. The seven classic test cases, each run on several seeds: wall time per
//!    run, ticks and messages per second, peak heap.
//! 2. A large cluster: 1,000 peers, 10,000 keys written, 10 peers failed,
//!    1,000 ticks; then how many keys still lack a live replica.
//! 3. Torture throughput: Jepsen-style runs (workload, faults, quiet period,
//!    history check) per second, per fault profile, on one core.
//! 4. The cost of repair: messages per tick of anti-entropy (digests,
//!    pulls) and replication (pushes, confirmations) beside gossip, at 10
//!    and 100 peers, quiet and after a failure.
//! 5. Anti-entropy bytes, digest against Merkle trees: bytes per tick of
//!    anti-entropy messages (one estimate for both modes:
//!    `Message::wire_bytes`) at 10 peers × 1,000 keys and 100 peers × 10,000 keys, quiet,
//!    with 10 stale copies (their update lost on the way to one replica)
//!    and after a failure; and the ticks until the stale copies are fixed.
//!
//! 5. Ring lookups: nanoseconds per replica set (`Ring::replicas_at`, on
//!    the hot path of every request and sync) with 1, 64 and 256 tokens
//!    per peer.
//! 6. Time travel: milliseconds per `Session::seek` over a 2,000-tick,
//!    100-peer run with every message traced (as the playground runs it),
//!    the worst case (the tick just before a checkpoint) and the mean over
//!    random ticks; and the memory its checkpoints take.
//! 7. Health samples for the playground's charts: milliseconds per tick of
//!    a session (sampling included) and per sample at 100 and 1,000 peers
//!    with 1,000 keys, and the share of a tick the sampling takes.
//!
//! Peak heap is measured by a counting global allocator, so it is the same
//! on every machine for the same run. `-- --quick` runs a small version,
//! `-- --seek` only the time-travel numbers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use ftkv::classic::Testcase;
use ftkv::classic::{self, Driver};
use ftkv::torture::{self, Profile};
use ftkv::EventKind;
use ftkv::EventLog;
use ftkv::MessageKind;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::Ring;
use ftkv::Sample;
use ftkv::SimRng;
use ftkv::{Action, Session, Setup};
use ftkv::{AeMode, Config, Level};
use ftkv::{PeerState, Sim, SimOptions};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak heap in MiB since the last reset, and resets it.
fn take_peak() -> f64 {
    let peak = PEAK.swap(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
    peak as f64 / (1024.0 * 1024.0)
}

fn messages(sim: &Sim) -> u64 {
    (0..sim.peer_count())
        .map(|i| sim.network().stats(PeerId(i)).sent)
        .sum()
}

fn classic_cases(seeds: u64) {
    println!("classic test cases, {seeds} seeds each (mean per run)");
    println!(
        "  {:<22} {:>9} {:>12} {:>14} {:>10}",
        "case", "ms/run", "ticks/s", "messages/s", "peak MiB"
    );
    for name in classic::CASES {
        let path = format!("{}/testcases/{name}.conf", env!("CARGO_MANIFEST_DIR"));
        let test = Testcase::load(std::path::Path::new(&path)).expect("classic test case");
        take_peak();
        let (mut ticks, mut msgs) = (0u64, 0u64);
        let start = Instant::now();
        for seed in 0..seeds {
            let mut sim = Sim::new(SimOptions::new(test.peers, seed)).expect("options");
            let mut driver = Driver::new(test.clone(), seed);
            let mut log = EventLog::new();
            while !driver.is_done(&sim) {
                driver.act(&mut sim).expect("classic schedule");
                sim.run_tick();
                log.record(&mut sim);
            }
            ticks += sim.now();
            msgs += messages(&sim);
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "  {name:<22} {:>9.3} {:>12.0} {:>14.0} {:>10.2}",
            secs * 1000.0 / seeds as f64,
            ticks as f64 / secs,
            msgs as f64 / secs,
            take_peak()
        );
    }
}

fn large_cluster(peers: u32, keys: u32, ticks: u64) {
    println!("\nlarge cluster: {peers} peers, {keys} keys, {ticks} ticks");
    take_peak();
    let start = Instant::now();
    let mut sim = Sim::new(SimOptions::new(peers, 7)).expect("options");
    let mut rng = SimRng::new(7, 99);
    let write_from = u64::from(peers / 4) + 50;
    let per_tick = 100;
    let mut written = 0u32;
    let mut failed = 0;
    while sim.now() < ticks {
        let now = sim.now();
        if now >= write_from && written < keys {
            for _ in 0..per_tick.min(keys - written) {
                let alive = sim.alive_peers();
                let coordinator = alive[rng.below(alive.len() as u32) as usize];
                let key = format!("key{written}");
                sim.client_op(coordinator, OpKind::Create, &key, Some("v"))
                    .expect("create");
                written += 1;
            }
        }
        if now == ticks / 2 {
            while failed < 10 {
                let victim = PeerId(rng.below(peers));
                if sim.state(victim) == Some(PeerState::Alive) {
                    sim.fail(victim).expect("fail");
                    failed += 1;
                }
            }
        }
        sim.run_tick();
    }
    let secs = start.elapsed().as_secs_f64();
    let msgs = messages(&sim);
    println!("  wall time            {secs:>12.2} s");
    println!("  ticks per second     {:>12.1}", sim.now() as f64 / secs);
    println!(
        "  messages per second  {:>12.0}  ({msgs} messages)",
        msgs as f64 / secs
    );
    println!("  peak heap            {:>12.1} MiB", take_peak());
    println!("  events recorded      {:>12}", sim.drain_events().count());
    let mut copies = std::collections::BTreeMap::<String, u32>::new();
    for id in sim.alive_peers() {
        if let Some(peer) = sim.peer(id) {
            for k in peer.store().keys() {
                *copies.entry(k.key.to_owned()).or_default() += 1;
            }
        }
    }
    let exactly3 = copies.values().filter(|&&c| c == 3).count();
    println!(
        "  keys on exactly 3 live peers at the end: {exactly3} of {keys} ({} lost, {} over-replicated)",
        keys as usize - copies.len(),
        copies.values().filter(|&&c| c > 3).count()
    );
}

/// The scenarios `tests/e2e/bench.mjs` also runs in Chromium (wasm), so
/// the two ticks-per-second figures compare one computation.
fn playground_scenarios() {
    println!("\nplayground scenarios (also run in Chromium by tests/e2e/bench.mjs)");
    let start = Instant::now();
    for seed in 0..20 {
        let mut s =
            Session::new(Setup::preset("read", seed).expect("preset"), false).expect("session");
        s.step(700);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "  preset read, 20 seeds x 700 ticks   {:>10.0} ticks/s",
        14_000.0 / secs
    );
    let start = Instant::now();
    let mut s = Session::new(Setup::new(100, 7), true).expect("session");
    s.step(50);
    for i in 0..200 {
        s.request(
            OpKind::Create,
            &format!("key{i}"),
            Some("v"),
            None,
            Level::Quorum,
        )
        .expect("create");
    }
    s.step(950);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "  100 peers, 200 keys, 1000 ticks     {:>10.0} ticks/s",
        1000.0 / secs
    );
}

fn torture_throughput(seeds: u64) {
    println!(
        "\ntorture: {seeds} runs per profile on one core (workload, faults, quiet period, check)"
    );
    println!("  {:<18} {:>10} {:>12}", "profile", "runs/s", "ms/run");
    for profile in Profile::ALL {
        let start = Instant::now();
        for seed in 0..seeds {
            std::hint::black_box(torture::run(&Config::default(), profile, seed));
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "  {:<18} {:>10.1} {:>12.2}",
            profile.name(),
            seeds as f64 / secs,
            secs * 1000.0 / seeds as f64
        );
    }
}

/// Messages sent per tick over `ticks` ticks, by what they are for.
fn traffic(sim: &mut Sim, ticks: u64) -> [f64; 3] {
    sim.drain_events();
    sim.run(ticks);
    let mut counts = [0u64; 3];
    for e in sim.drain_events() {
        if let EventKind::Sent { msg, .. } = e.kind {
            let at = match msg {
                MessageKind::Digest | MessageKind::Pull => 0,
                MessageKind::Replicate | MessageKind::ReplicateAck => 1,
                _ => 2,
            };
            counts[at] += 1;
        }
    }
    counts.map(|c| c as f64 / ticks as f64)
}

/// A traced cluster of `peers` under `config`, formed, with `keys` keys
/// `key0`, `key1`, … just written.
fn loaded(peers: u32, keys: u32, config: Config) -> Sim {
    let mut opts = SimOptions::new(peers, 5);
    opts.trace_messages = true;
    opts.config = config;
    let mut sim = Sim::new(opts).expect("valid options");
    sim.run(u64::from(peers) / 4 + 40);
    for k in 0..keys {
        let coordinator = PeerId(k % peers);
        let _ = sim.client_op(coordinator, OpKind::Create, &format!("key{k}"), Some("v"));
    }
    sim
}

fn repair_cost(peers: u32, keys: u32) {
    let mut sim = loaded(peers, keys, Config::default());
    sim.run(100);
    let quiet = traffic(&mut sim, 200);
    let _ = sim.fail(PeerId(peers / 2));
    let failed = traffic(&mut sim, 100);
    for (label, [ae, repl, rest]) in [("quiet", quiet), ("after a failure", failed)] {
        let cluster = format!("{peers} peers, {keys} keys");
        println!("  {cluster:<30} {label:<16} {ae:>9.2} {repl:>11.2} {rest:>13.2}");
    }
}

fn repair_header() {
    println!("\nrepair cost: messages per tick (digest+pull, push+confirm, gossip and the rest)");
    println!(
        "  {:<30} {:<16} {:>9} {:>11} {:>13}",
        "cluster", "when", "a-entropy", "replication", "other"
    );
}

fn ring_lookups(lookups: u64) {
    println!("\nring lookups: replicas (N = 3) of {lookups} key positions");
    println!(
        "  {:<10} {:>8} {:>10} {:>14}",
        "peers", "vnodes", "tokens", "ns/lookup"
    );
    for peers in [10, 100] {
        for vnodes in [1, 64, 256] {
            let mut ring = Ring::new().with_vnodes(vnodes);
            ring.extend((0..peers).map(PeerId));
            let mut rng = SimRng::new(9, 0);
            let start = Instant::now();
            let mut sum = 0u64;
            for _ in 0..lookups {
                let position = u64::from(rng.below(u32::MAX)) << 32;
                sum += u64::from(ring.replicas_at(position).as_slice()[0].0);
            }
            let ns = start.elapsed().as_nanos() as f64 / lookups as f64;
            std::hint::black_box(sum);
            let tokens = ring.tokens().len();
            println!("  {peers:<10} {vnodes:>8} {tokens:>10} {ns:>14.1}");
        }
    }
}

/// Bytes sent since the last call: anti-entropy (digests, pulls, Merkle
/// hashes, diffs and leaves) and replication (pushes and their
/// confirmations).
fn sent_bytes(sim: &mut Sim) -> [usize; 2] {
    let mut bytes = [0usize; 2];
    for e in sim.drain_events() {
        if let EventKind::Sent { msg, bytes: b, .. } = e.kind {
            match msg {
                MessageKind::Digest
                | MessageKind::Pull
                | MessageKind::MerkleHashes
                | MessageKind::MerkleDiff
                | MessageKind::MerkleLeaves => bytes[0] += b,
                MessageKind::Replicate | MessageKind::ReplicateAck => bytes[1] += b,
                _ => {}
            }
        }
    }
    bytes
}

/// Runs `ticks` ticks (calling `each` after every one) and returns the
/// bytes per tick of [`sent_bytes`] over them.
fn bytes_per_tick(sim: &mut Sim, ticks: u64, mut each: impl FnMut(&Sim, u64)) -> [f64; 2] {
    sim.drain_events();
    for t in 1..=ticks {
        sim.run_tick();
        each(sim, t);
    }
    sent_bytes(sim).map(|b| b as f64 / ticks as f64)
}

/// The stale copies left: replicas of `keys` that hold an older version
/// than the newest any replica holds, or none.
fn stale_copies(sim: &Sim, keys: &[String]) -> usize {
    let ring = sim.peer(sim.alive_peers()[0]).expect("live").ring().clone();
    keys.iter()
        .map(|key| {
            let versions: Vec<_> = ring
                .replicas(key)
                .as_slice()
                .iter()
                .map(|&r| {
                    sim.peer(r)
                        .and_then(|p| p.store().get(key))
                        .map(|s| s.version)
                })
                .collect();
            let newest = versions.iter().max().copied().flatten();
            versions.iter().filter(|&&v| v != newest).count()
        })
        .sum()
}

/// One cluster under one anti-entropy mode: bytes per tick over 200
/// ticks quiet, from 10 updates that each left one stale copy, and after
/// a failure; and the ticks the stale copies took to heal.
fn ae_run(peers: u32, keys: u32, mode: AeMode) -> ([[f64; 2]; 3], Option<u64>) {
    let mut config = Config::default();
    config.anti_entropy.mode = mode;
    let mut sim = loaded(peers, keys, config);
    sim.run(200);
    let quiet = bytes_per_tick(&mut sim, 200, |_, _| {});
    // 10 updates, each lost on its way to one replica: 10 stale copies.
    let ring = sim.peer(PeerId(0)).expect("live").ring().clone();
    let stale: Vec<String> = (0..10).map(|i| format!("key{}", i * keys / 10)).collect();
    for key in &stale {
        let set = ring.replicas(key);
        let [first, second] = [set.as_slice()[0], set.as_slice()[1]];
        sim.set_loss(Some((first, second)), 100).expect("peers");
        let _ = sim.client_op(first, OpKind::Update, key, Some("w"));
        sim.heal();
    }
    // The lost requests would have arrived a tick later: healed is the
    // first tick with no stale copy after the others got the update.
    let (mut seen, mut healed) = (false, None);
    let diverged = bytes_per_tick(&mut sim, 200, |sim, t| match stale_copies(sim, &stale) {
        0 if seen && healed.is_none() => healed = Some(t),
        0 => {}
        _ => seen = true,
    });
    let _ = sim.fail(PeerId(peers / 2));
    let failed = bytes_per_tick(&mut sim, 200, |_, _| {});
    ([quiet, diverged, failed], healed)
}

fn ae_header() {
    println!(
        "\nanti-entropy bytes per tick (Message::wire_bytes), digest against merkle; \
         pushes and confirmations in brackets"
    );
    println!(
        "  {:<28} {:<22} {:>20} {:>20} {:>8}",
        "cluster", "when", "digest", "merkle", "ratio"
    );
}

fn ae_compare(peers: u32, keys: u32) {
    let (digest, digest_healed) = ae_run(peers, keys, AeMode::Digest);
    let (merkle, merkle_healed) = ae_run(peers, keys, AeMode::Merkle);
    let cluster = format!("{peers} peers, {keys} keys");
    let whens = ["quiet", "10 stale copies", "after a failure"];
    for (i, when) in whens.iter().enumerate() {
        let ([d, dr], [m, mr]) = (digest[i], merkle[i]);
        let ratio = d / m.max(1.0);
        let (d, m) = (format!("{d:.0} ({dr:.0})"), format!("{m:.0} ({mr:.0})"));
        println!("  {cluster:<28} {when:<22} {d:>20} {m:>20} {ratio:>7.1}x");
    }
    let ticks = |t: Option<u64>| t.map_or("not in 200 ticks".into(), |t| format!("{t} ticks"));
    println!(
        "  {cluster:<28} {:<22} {:>20} {:>20}",
        "stale copies healed in",
        ticks(digest_healed),
        ticks(merkle_healed)
    );
}

/// A traced run of `peers` peers for `ticks` ticks with 200 keys written,
/// a failure, a partition, a heal and a recovery; then seek times over it.
fn seek_latency(peers: u32, ticks: u64, random: u32) {
    println!("\ntime travel: {peers} peers, {ticks} ticks, every message traced");
    let start = Instant::now();
    let mut s = Session::new(Setup::new(peers, 7), true).expect("session");
    s.step(u64::from(peers) / 4 + 30);
    for i in 0..200 {
        let key = format!("key{i}");
        s.request(OpKind::Create, &key, Some("v"), None, Level::Quorum)
            .expect("create");
    }
    let victim = PeerId(peers / 2);
    let side: Vec<PeerId> = (0..peers / 3).map(PeerId).collect();
    let faults = [
        (ticks / 4, Action::Fail(victim)),
        (ticks * 2 / 5, Action::Partition(side)),
        (ticks * 3 / 5, Action::Heal),
        (ticks * 3 / 4, Action::Recover(victim)),
    ];
    for (at, action) in faults {
        s.step(at - s.sim().now());
        s.act(action).expect("fault");
        s.request(OpKind::Read, "key1", None, None, Level::Quorum)
            .expect("read");
    }
    s.step(ticks - s.sim().now());
    let run = start.elapsed().as_secs_f64();
    let before = CURRENT.load(Ordering::Relaxed);
    let kept = s.timeline().clone();
    let bytes = (CURRENT.load(Ordering::Relaxed) - before) as f64 / (1024.0 * 1024.0);
    let count = kept.ticks().count();
    drop(kept);
    println!(
        "  the run                         {:>10.0} ms",
        run * 1000.0
    );
    println!(
        "  checkpoints                     {count:>10}  (every {} ticks, at most {})",
        s.timeline().every(),
        ftkv::checkpoint_capacity(peers)
    );
    println!("  their memory                    {bytes:>10.1} MiB");
    println!("  events recorded                 {:>10}", s.log().len());
    let timed = |s: &mut Session, tick: u64| {
        let start = Instant::now();
        s.seek(tick).expect("within the run");
        start.elapsed().as_secs_f64() * 1000.0
    };
    // Just before a checkpoint is the longest replay; from the horizon.
    let mut worst = 0.0f64;
    let ends: Vec<u64> = s.timeline().ticks().skip(1).chain([ticks]).collect();
    for end in ends {
        timed(&mut s, ticks);
        worst = worst.max(timed(&mut s, end - 1));
    }
    let mut rng = SimRng::new(11, 0);
    let mut total = 0.0;
    for _ in 0..random {
        let tick = u64::from(rng.below(ticks as u32 + 1));
        total += timed(&mut s, tick);
    }
    let back = timed(&mut s, ticks - 1);
    println!("  seek, worst case                {worst:>10.1} ms");
    println!(
        "  seek, mean of {random} random ticks {:>10.1} ms",
        total / f64::from(random)
    );
    println!("  back one tick from the end      {back:>10.1} ms");
}

/// The cost of the health samples behind the playground's charts: a
/// session of `peers` peers with `keys` keys written runs `ticks` ticks;
/// prints its time per tick, the time of one sample (`Sample::of`) in the
/// state it ended in, and what the sampling adds per tick.
fn sampling_cost(peers: u32, keys: u32, ticks: u64) {
    let mut s = Session::new(Setup::new(peers, 3), false).expect("session");
    s.step(u64::from(peers) / 4 + 30);
    for i in 0..keys {
        let key = format!("key{i}");
        s.request(OpKind::Create, &key, Some("v"), None, Level::Quorum)
            .expect("create");
    }
    s.act(Action::Fail(PeerId(peers / 2))).expect("fail");
    let start = Instant::now();
    let ran = s.step(ticks);
    let per_tick = start.elapsed().as_secs_f64() * 1000.0 / ran as f64;
    let calls = 50;
    let start = Instant::now();
    for _ in 0..calls {
        std::hint::black_box(Sample::of(s.sim()));
    }
    let per_sample = start.elapsed().as_secs_f64() * 1000.0 / f64::from(calls);
    let every = s.samples().every();
    println!(
        "  {peers:>5} peers {keys:>6} keys {per_tick:>10.3} ms/tick {per_sample:>10.3} ms/sample  every {every:>2} ticks: +{:.1}% per tick, {} samples",
        100.0 * per_sample / every as f64 / (per_tick - per_sample / every as f64),
        s.samples().all().len()
    );
}

fn main() {
    // `cargo bench --bench sim -- --quick`: a small smoke run for CI;
    // `-- --seek`: only the time-travel numbers; `-- --series`: only the
    // cost of the health samples.
    if std::env::args().any(|a| a == "--seek") {
        seek_latency(100, 2000, 100);
    } else if std::env::args().any(|a| a == "--series") {
        println!(
            "
health samples for the charts (time per tick includes them)"
        );
        sampling_cost(100, 1000, 500);
        sampling_cost(1000, 1000, 200);
    } else if std::env::args().any(|a| a == "--quick") {
        classic_cases(1);
        torture_throughput(2);
        repair_header();
        repair_cost(10, 100);
        ae_header();
        ae_compare(10, 1000);
        large_cluster(100, 1000, 400);
        ring_lookups(100_000);
        seek_latency(20, 500, 10);
        println!("\nhealth samples for the charts (time per tick includes them)");
        sampling_cost(20, 100, 100);
    } else {
        classic_cases(20);
        playground_scenarios();
        torture_throughput(100);
        repair_header();
        repair_cost(10, 100);
        repair_cost(100, 1000);
        ae_header();
        ae_compare(10, 1000);
        ae_compare(100, 10_000);
        large_cluster(1000, 10_000, 1000);
        ring_lookups(10_000_000);
        seek_latency(100, 2000, 100);
        println!("\nhealth samples for the charts (time per tick includes them)");
        sampling_cost(100, 1000, 500);
        sampling_cost(1000, 1000, 200);
    }
}
