//! Jepsen-style runs: a random workload from random coordinators plus a
//! profile's faults, then heal everything, recover every peer, a quiet
//! period and a final read of every key — each run a share link, checked
//! with the history checker.

pub(crate) mod profile;
pub(crate) mod rules;
pub(crate) mod service;
pub(crate) mod shrink;

use crate::check::anomaly::{Anomalies, Anomaly, Report};
use crate::check::history::{History, Snapshot};
use crate::check::{self, record};
use crate::protocol::address::PeerId;
use crate::protocol::config::{Config, Level};
use crate::protocol::event::Event;
use crate::protocol::op::OpKind;
use crate::scenario::{Action, Session, Setup, Timed};
use crate::sim::cluster::PeerState;
use crate::util::rng::{SimRng, STREAM_DRIVER};

pub use profile::{Profile, Timeouts};
pub use rules::{Faults, Rules};
pub use service::Service;
pub use shrink::{shrink, REPLAYS};

/// Ticks of quiet (no fault, every peer up) before a run's end state is
/// checked.
pub const QUIET: u64 = 250;
/// The search budget of the linearizability checker, per key.
pub const BUDGET: u64 = 200_000;
/// The tick the workload starts at (the cluster has formed by then).
const START: u64 = 40;
/// The tick the workload and faults of a profile that does not wait for
/// the cluster to form start at ([`Profile::forming`]).
const FORMING: u64 = 1;
/// About how many client operations a run makes.
const OPS: u32 = 250;
/// About how many ticks the workload spans (0 to 3 ticks between
/// requests), unless a profile's long cuts need more ([`span`]).
const SPAN: u64 = OPS as u64 * 3 / 2;
/// The fewest and the most peers of a run (at least [`Profile::min_peers`]).
const PEERS: (u32, u32) = (4, 16);
/// How many keys a run works on.
const KEYS: u32 = 4;

/// One torture run: its link and what the checker found.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The share link that replays it.
    pub link: String,
    /// The actions the link holds (to pick the smallest run and shrink it).
    pub actions: Vec<Timed>,
    /// How many client operations it made.
    pub ops: u64,
    /// The checker's report, `live_peer_removed` included.
    pub report: Report,
    /// What it must never show, given its faults.
    pub rules: Rules,
    /// How well the store answered the run's requests.
    pub service: Service,
}

/// About how many ticks the workload of `profile` spans under timeouts
/// `t`: [`SPAN`], or for a profile with cuts around the tombstone grace at
/// least the grace and 4 × `t_remove` (the requests then spread further
/// apart).
fn span(profile: Profile, t: Timeouts) -> u64 {
    match profile.long() {
        true => SPAN.max(t.grace + 4 * t.t_remove),
        false => SPAN,
    }
}

/// The actions of run `seed` of `profile` under `config`, with its setup
/// (4–16 peers, at least [`Profile::min_peers`]) and the tick it ends.
pub fn plan(config: &Config, profile: Profile, seed: u64) -> (Setup, Vec<Timed>, u64) {
    let mut rng = SimRng::new(seed, STREAM_DRIVER);
    let (low, high) = PEERS;
    let peers = (low + rng.below(high - low + 1)).max(profile.min_peers(config.replication.n));
    let start = if profile.forming() { FORMING } else { START };
    let gap = (2 * span(profile, Timeouts::of(config)) / u64::from(OPS)).max(1);
    let mut tick = start;
    let mut workload = Vec::new();
    for n in 0..OPS {
        tick += u64::from(rng.below(gap as u32 + 1));
        let key = format!("k{}", rng.below(KEYS));
        let op = match rng.below(20) {
            0..=4 => OpKind::Create,
            5..=11 => OpKind::Read,
            12..=16 => OpKind::Update,
            _ => OpKind::Delete,
        };
        let value = matches!(op, OpKind::Create | OpKind::Update).then(|| format!("v{n}"));
        workload.push((tick, op, key, value, rng.below(peers)));
    }
    let until = tick;
    let from = if profile.forming() { start } else { start + 20 };
    let mut actions = profile.faults(&mut rng, config, peers, from, until);
    // Client requests go to a live coordinator: the first live one from a
    // random start (the fault plan decides who is down when; peer i starts
    // at tick i / 4).
    let mut down = vec![false; peers as usize];
    let mut faults = actions.clone().into_iter().peekable();
    let mut merged = Vec::new();
    for (tick, op, key, value, pick) in workload {
        while let Some(f) = faults.next_if(|f| f.tick <= tick) {
            track(&mut down, &f.action);
            merged.push(f);
        }
        let Some(coordinator) = (0..peers)
            .map(|i| (pick + i) % peers)
            .find(|&i| !down[i as usize] && u64::from(i / 4) < tick)
        else {
            continue;
        };
        merged.push(Timed {
            tick,
            action: Action::Op {
                coordinator: PeerId(coordinator),
                op,
                key,
                value,
                level: Level::Quorum,
            },
        });
    }
    merged.extend(faults);
    actions = merged;
    let end = actions.last().map_or(until, |t| t.tick.max(until)) + 1;
    actions.push(Timed {
        tick: end,
        action: Action::Heal,
    });
    let final_reads = end + QUIET;
    for k in 0..KEYS {
        actions.push(Timed {
            tick: final_reads,
            action: Action::Op {
                coordinator: PeerId(rng.below(peers)),
                op: OpKind::Read,
                key: format!("k{k}"),
                value: None,
                level: Level::Quorum,
            },
        });
    }
    let setup = Setup {
        config: *config,
        ..Setup::new(peers, seed)
    };
    (setup, actions, final_reads + 20)
}

fn track(down: &mut [bool], action: &Action) {
    match action {
        Action::Fail(id) => down[id.0 as usize] = true,
        Action::Recover(id) => down[id.0 as usize] = false,
        _ => {}
    }
}

/// Plays `actions` on a fresh session of `setup` up to tick `end`,
/// recovering every failed peer with the final heal. Actions that no
/// longer apply (a shrunk plan may recover a peer that never failed) are
/// skipped, so the session's link holds only what happened.
pub fn play(setup: &Setup, actions: &[Timed], end: u64) -> Session {
    let mut session = Session::new(setup.clone(), false).expect("torture setups are valid");
    for timed in actions {
        session.step(timed.tick.saturating_sub(session.sim().now()));
        let heal = timed.action == Action::Heal;
        let _ = session.act(timed.action.clone());
        if heal {
            recover_all(&mut session);
        }
    }
    session.step(end.saturating_sub(session.sim().now()));
    session
}

fn recover_all(session: &mut Session) {
    let failed: Vec<PeerId> = (0..session.setup().peers)
        .map(PeerId)
        .filter(|&id| session.sim().state(id) == Some(PeerState::Failed))
        .collect();
    for id in failed {
        let _ = session.act(Action::Recover(id));
    }
}

/// Checks a session: its history, and its end state if it ended quiet
/// (every peer up, the network whole, no fault for [`QUIET`] ticks).
pub fn check_session(session: &Session) -> Report {
    let history = session.history();
    let snapshot = session
        .quiet_for(QUIET)
        .then(|| record::snapshot(session.sim(), history));
    check_run(history, snapshot.as_ref(), session.log().events())
}

/// Checks a run from its parts, as [`check_session`] does: its history,
/// the snapshot of its end state if it ended quiet, and its events (of
/// which only failures and removals count, for `live_peer_removed`).
pub fn check_run(history: &History, snapshot: Option<&Snapshot>, events: &[Event]) -> Report {
    let mut report = check::check(history, snapshot, BUDGET);
    for (tick, by, member) in record::live_peers_removed(events) {
        report.record(
            Anomaly::LivePeerRemoved,
            &member.to_string(),
            tick,
            format!("{by} removed {member}, which never failed"),
        );
    }
    report
}

/// Runs seed `seed` of `profile` under `config` and checks it.
pub fn run(config: &Config, profile: Profile, seed: u64) -> RunResult {
    let (setup, actions, end) = plan(config, profile, seed);
    let session = play(&setup, &actions, end);
    let ops = session
        .actions()
        .iter()
        .filter(|t| matches!(t.action, Action::Op { .. }))
        .count() as u64;
    RunResult {
        link: session.link(),
        actions: session.actions().to_vec(),
        ops,
        report: check_session(&session),
        rules: Rules::of(config, session.actions()),
        service: Service::of(session.history()),
    }
}

/// The rules that judge a session, from the faults among its actions —
/// under the session's own settings (a link's `rep=N.R.W`, `t=…`). A
/// session of a classic preset, which fails peers on its own, is judged
/// as one whose faults may remove live peers but stay within the failure
/// budget ([`Faults::UNKNOWN`]).
pub fn rules_for(session: &Session) -> Rules {
    let config = &session.setup().config;
    match session.preset() {
        Some(_) => Rules::new(config, Faults::UNKNOWN),
        None => Rules::of(config, session.actions()),
    }
}

/// The anomalies in `anomalies` that `rules` say must never show.
pub fn violations(rules: Rules, anomalies: &Anomalies) -> Vec<Anomaly> {
    anomalies
        .iter()
        .filter(|&(field, count)| count > 0 && rules.must_be_zero(field))
        .map(|(field, _)| field)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::Replication;

    fn run(profile: Profile, seed: u64) -> RunResult {
        super::run(&Config::default(), profile, seed)
    }

    #[test]
    fn a_run_is_the_same_for_the_same_seed_and_replays_from_its_link() {
        let a = run(Profile::Mixed, 7);
        let b = run(Profile::Mixed, 7);
        assert_eq!(a.link, b.link);
        assert_eq!(a.report.anomalies, b.report.anomalies);
        let again = Session::from_link(&a.link, false).unwrap();
        assert_eq!(check_session(&again).anomalies, a.report.anomalies);
        assert!(a.ops >= 200, "{} operations", a.ops);
        assert_ne!(run(Profile::Mixed, 8).link, a.link);
    }

    #[test]
    fn a_run_without_faults_is_clean_and_its_end_is_checked() {
        for seed in 0..5 {
            let r = run(Profile::None, seed);
            assert_eq!(r.report.anomalies, Anomalies::default(), "{}", r.link);
            let session = Session::from_link(&r.link, false).unwrap();
            assert!(session.quiet_for(QUIET));
            assert_eq!(r.report.keys.len(), KEYS as usize);
            assert_eq!(r.service.available, r.service.requests, "{}", r.link);
        }
    }

    #[test]
    fn a_run_carries_its_replication_in_its_link() {
        let weak = Config::default().with_settings("n=5,r=1,w=1").unwrap();
        let r = super::run(&weak, Profile::Crash, 3);
        assert!(r.link.contains("&rep=5.1.1&"), "{}", r.link);
        let session = Session::from_link(&r.link, false).unwrap();
        assert_eq!(session.setup().config.replication.n, 5);
        assert!(session.setup().peers >= 6, "N + 1 peers at least");
        let rules = rules_for(&session);
        assert_eq!(rules.replication, Replication { n: 5, r: 1, w: 1 });
        assert_eq!(rules, r.rules, "check judges a link as torture did");
        assert!(rules.faults.any && rules.faults.most_down >= 1);
    }

    #[test]
    fn clusters_have_4_to_16_peers_and_room_for_crash_heavy() {
        let peers = |profile, n: u8, seed| {
            let config = Config::default()
                .with_settings(&format!("n={n},r=1,w=1"))
                .unwrap();
            plan(&config, profile, seed).0.peers
        };
        let sizes: Vec<u32> = (0..300).map(|s| peers(Profile::None, 3, s)).collect();
        assert_eq!(sizes.iter().min(), Some(&4));
        assert_eq!(sizes.iter().max(), Some(&16));
        for seed in 0..100 {
            assert!(peers(Profile::CrashHeavy, 3, seed) >= 5);
            assert!(peers(Profile::Storm, 5, seed) >= 7);
            assert!(peers(Profile::Crash, 7, seed) >= 8);
        }
    }

    #[test]
    fn long_partitions_hold_deletes_and_the_run_outlasts_the_cut() {
        for seed in 0..50 {
            let (_, actions, end) = plan(&Config::default(), Profile::LongPartitions, seed);
            let (start, heal) = rules::Spans::of(&actions).cuts[0];
            let deletes = actions
                .iter()
                .filter(|t| (start..heal).contains(&t.tick))
                .filter(|t| {
                    matches!(
                        &t.action,
                        Action::Op {
                            op: OpKind::Delete,
                            ..
                        }
                    )
                })
                .count();
            assert!(deletes >= 5, "seed {seed}: {deletes} deletes in the cut");
            assert!(end >= heal + QUIET, "the quiet period follows the heal");
        }
    }

    #[test]
    fn formation_faults_come_before_the_cluster_has_formed() {
        for seed in 0..40 {
            let (setup, actions, _) = plan(&Config::default(), Profile::Formation, seed);
            let first_fault = actions
                .iter()
                .find(|t| !matches!(t.action, Action::Op { .. }))
                .unwrap()
                .tick;
            let first_op = actions
                .iter()
                .find(|t| matches!(t.action, Action::Op { .. }));
            let before: Vec<Timed> = actions
                .iter()
                .filter(|t| t.tick < first_fault)
                .cloned()
                .collect();
            let session = play(&setup, &before, first_fault);
            let sim = session.sim();
            let formed = (0..setup.peers).map(PeerId).all(|id| {
                sim.peer(id)
                    .is_some_and(|p| p.membership().ids().len() == setup.peers as usize)
            });
            assert!(!formed, "seed {seed}: formed by tick {first_fault}");
            assert!(first_op.unwrap().tick <= first_fault + 3);
            // Every fault kind within the first ticks: loss, a cut, a crash.
            let early = |f: fn(&Action) -> bool| {
                actions
                    .iter()
                    .any(|t| t.tick <= FORMING + 3 && f(&t.action))
            };
            assert!(early(|a| matches!(
                a,
                Action::Loss {
                    percent: 10..=30,
                    ..
                }
            )));
            assert!(early(|a| matches!(a, Action::Partition(_))));
            assert!(early(|a| matches!(a, Action::Fail(_))));
        }
    }

    #[test]
    fn must_be_zero_follows_the_faults_of_the_run() {
        let judged = |profile, seed| super::run(&Config::default(), profile, seed).rules;
        for seed in 0..5 {
            let crash = judged(Profile::Crash, seed);
            assert!(crash.must_be_zero(Anomaly::LostWrite));
            assert!(crash.must_be_zero(Anomaly::LivePeerRemoved));
            assert!(!crash.must_be_zero(Anomaly::StaleRead));
            let short = judged(Profile::ShortPartitions, seed);
            assert!(short.must_be_zero(Anomaly::LivePeerRemoved));
            let long = judged(Profile::LongPartitions, seed);
            assert!(!long.must_be_zero(Anomaly::LivePeerRemoved));
            assert!(long.must_be_zero(Anomaly::LostWrite));
            assert!(long.must_be_zero(Anomaly::ResurrectedEnd));
            assert!(long.must_be_zero(Anomaly::OverwrittenEnd));
            assert!(
                !long.must_be_zero(Anomaly::ResurrectedDelete),
                "a side may read"
            );
            let crashes = judged(Profile::CrashFast, seed);
            assert!(crashes.must_be_zero(Anomaly::ResurrectedDelete));
            assert!(crashes.must_be_zero(Anomaly::CreateOverwrote));
            let none = judged(Profile::None, seed);
            assert!(Anomaly::ALL.into_iter().all(|a| none.must_be_zero(a)));
        }
        let lost = Anomalies {
            lost_write: 1,
            ..Anomalies::default()
        };
        assert_eq!(
            violations(judged(Profile::Crash, 1), &lost),
            [Anomaly::LostWrite]
        );
        let heavy = (0..20)
            .map(|seed| judged(Profile::CrashHeavy, seed))
            .find(|r| r.beyond_budget())
            .expect("crash-heavy goes beyond the budget");
        assert!(violations(heavy, &lost).is_empty());
    }

    #[test]
    fn shrinking_keeps_the_anomaly_with_fewer_requests() {
        let field = Anomaly::FailedWriteVisible;
        let (seed, r) = (0..20)
            .map(|seed| (seed, run(Profile::Drops, seed)))
            .find(|(_, r)| r.report.anomalies.get(field) > 0)
            .expect("message loss makes some failed write visible");
        let (setup, _, end) = plan(&Config::default(), Profile::Drops, seed);
        let (link, actions) = shrink::shrink(&setup, &r.actions, end, field);
        assert!(
            actions < r.actions.len() / 2,
            "{actions} of {}",
            r.actions.len()
        );
        let session = Session::from_link(&link, false).unwrap();
        assert!(check_session(&session).anomalies.get(field) > 0, "{link}");
    }
}
