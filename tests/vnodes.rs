//! Virtual nodes in a running cluster: with 16 tokens per peer, writes
//! survive a crash and heal onto exactly N replicas — the first N distinct
//! peers clockwise on the ring of live peers' tokens — and the share link
//! carries `vn=16` and replays tick for tick; every torture profile keeps
//! its promises with 16 tokens per peer.

mod common;

use common::op;
use ftkv::torture::{self, check_session, Profile, QUIET};
use ftkv::Config;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::Ring;
use ftkv::{seal, Action, Session, Setup};

const PEERS: u32 = 10;
const KEYS: u32 = 30;

/// Asserts every key is held by exactly its true replicas: the first N
/// distinct live peers on the ring of all live peers' tokens.
fn assert_exactly_on_replicas(s: &Session) {
    let snapshot = ftkv::check::snapshot(s.sim(), s.history());
    assert_eq!(snapshot.keys.len(), KEYS as usize);
    // The tokens matter: some key is not where one token per peer puts it.
    let one_token: Ring = s.sim().alive_peers().into_iter().collect();
    assert!(snapshot
        .keys
        .iter()
        .any(|k| one_token.replicas(&k.key).as_slice() != k.replicas));
    for k in &snapshot.keys {
        let mut holders: Vec<PeerId> = k.copies.iter().map(|c| c.peer).collect();
        let mut replicas = k.replicas.clone();
        holders.sort_unstable();
        replicas.sort_unstable();
        assert_eq!(replicas.len(), 3, "{}", k.key);
        assert_eq!(holders, replicas, "{}", k.key);
    }
}

fn session_with_vnodes() -> Session {
    let mut setup = Setup::new(PEERS, 21);
    setup.config.vnodes = 16;
    let mut s = Session::new(setup, false).unwrap();
    s.step(40);
    for i in 0..KEYS {
        s.act(op(i % PEERS, OpKind::Create, &format!("k{i}"), Some("v")))
            .unwrap();
        s.step(1);
    }
    s.step(20);
    s.act(Action::Fail(PeerId(3))).unwrap();
    for i in 0..KEYS / 2 {
        let coordinator = (i % (PEERS - 1) + 4) % PEERS;
        let key = format!("k{i}");
        s.act(op(coordinator, OpKind::Update, &key, Some("w")))
            .unwrap();
        s.step(1);
    }
    s.step(QUIET);
    s
}

#[test]
fn a_crash_heals_onto_exactly_n_distinct_replicas() {
    let mut s = session_with_vnodes();
    // Peer 4 is gone: every key moved to the live peers' ring.
    assert_exactly_on_replicas(&s);
    s.act(Action::Recover(PeerId(3))).unwrap();
    s.step(QUIET);
    assert!(s.quiet_for(QUIET));
    assert_exactly_on_replicas(&s);
    let report = check_session(&s);
    assert_eq!(report.anomalies, ftkv::check::Anomalies::default());
}

#[test]
fn vnodes_travel_in_the_link_and_replay_exactly() {
    let s = session_with_vnodes();
    let link = s.link();
    assert!(link.contains("&vn=16&"), "{link}");
    let again = Session::from_link(&link, false).unwrap();
    assert_eq!(again.setup().config.vnodes, 16);
    assert_eq!(again.log().events(), s.log().events());
    assert_eq!(again.link(), link);
    // One token per peer writes no field: old links stay as they were.
    let plain = Session::new(Setup::new(PEERS, 21), false).unwrap();
    assert!(!plain.link().contains("vn="));
}

#[test]
fn each_setting_writes_only_its_own_link_field_and_replays_exactly() {
    let fields = ["&t=", "&rep=", "&rr=", "&vn="];
    for (settings, written) in [
        ("n=3", [false; 4]),
        ("read-repair=async", [false, false, true, false]),
        ("vnodes=8", [false, false, false, true]),
        ("n=5,r=3,w=3", [false, true, false, false]),
        (
            "n=5,r=3,w=3,read-repair=blocking,vnodes=32",
            [false, true, true, true],
        ),
    ] {
        for timed in [false, true] {
            let mut setup = Setup::new(PEERS, 8);
            setup.config = setup.config.with_settings(settings).unwrap();
            if timed {
                setup.config.op_timeout = 7;
            }
            let mut s = Session::new(setup.clone(), false).unwrap();
            s.step(40);
            s.act(op(1, OpKind::Create, "k", Some("v"))).unwrap();
            s.step(5);
            s.act(op(4, OpKind::Read, "k", None)).unwrap();
            s.step(30);
            let link = s.link();
            let mut expected = written;
            expected[0] = timed;
            let got = fields.map(|f| link.contains(f));
            assert_eq!(got, expected, "{settings} (timed: {timed}): {link}");
            let again = Session::from_link(&link, false).unwrap();
            assert_eq!(again.setup(), &setup, "{link}");
            assert_eq!(again.log().events(), s.log().events(), "{link}");
            assert_eq!(again.link(), link);
        }
    }
}

#[test]
fn bad_vnodes_in_a_link_are_refused_with_the_reason() {
    let refuse = |peers: u32, vn: &str| {
        let body = format!("v=1&peers={peers}&seed=4&vn={vn}&tick=5");
        Session::from_link(&seal(&body), false)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refuse(9, "0"),
        "share link: vnodes must be from 1 to 256, not 0"
    );
    assert!(refuse(9, "257").contains("vn must be a whole number up to 256, not `257`"));
    assert!(refuse(9, "x").contains("vn must be a whole number"));
    assert!(refuse(100, "256").contains("peers × vnodes must be at most 16384"));
}

#[test]
fn torture_profiles_with_16_vnodes_break_no_promise() {
    let config = Config::default().with_settings("vnodes=16").unwrap();
    // The profiles whose promises hold (the others still show rows issue
    // 16 has not closed: README, "What 300 seeds of each profile show").
    let holding = [
        Profile::None,
        Profile::Crash,
        Profile::Partitions,
        Profile::LongPartitions,
        Profile::CutCrash,
        Profile::Formation,
    ];
    for profile in holding {
        for seed in 0..10 {
            let run = torture::run(&config, profile, seed);
            assert!(run.link.contains("&vn=16&"), "{}", run.link);
            let bad = torture::violations(run.rules, &run.report.anomalies);
            assert!(
                bad.is_empty(),
                "{profile:?} seed {seed}: {bad:?}\n{}",
                run.link
            );
        }
    }
}
