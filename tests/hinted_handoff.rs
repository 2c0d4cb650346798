//! Hinted handoff end to end: with two of a key's three home replicas
//! down and suspected (not yet removed), a write fails without hinted
//! handoff and succeeds with it, its substitutes keep it as hints, and once
//! the homes are back every home holds it, no hint is left and nothing is
//! lost. Each run is a share link that replays exactly.

mod common;

use common::op;
use ftkv::check::Completion;
use ftkv::torture;
use ftkv::Config;
use ftkv::EventKind;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::{Action, Session, Setup};

const PEERS: u32 = 8;

/// The home replicas of `key` as peer 0 sees them, and a peer that is none
/// of them.
fn homes(s: &Session, key: &str) -> ([PeerId; 3], u32) {
    let ring = s.sim().peer(PeerId(0)).unwrap().ring().clone();
    let homes: [PeerId; 3] = ring.replicas(key).as_slice().try_into().unwrap();
    let other = (0..PEERS).find(|i| !homes.contains(&PeerId(*i))).unwrap();
    (homes, other)
}

/// Creates `k` = v1, fails two of its three homes, waits `wait` ticks and
/// updates `k` to v2 through a peer that is no home. Returns the session,
/// the homes, whether the update was acknowledged and who kept a hint of
/// `k` 4 ticks after the update (before the failed homes are removed: a
/// ring without them makes the substitutes replicas).
fn two_homes_down(hinted: bool, seed: u64, wait: u64) -> (Session, [PeerId; 3], bool, Vec<PeerId>) {
    let (mut s, [a, b, c], x) = created_then_two_fail(hinted, seed, wait);
    s.act(op(x, OpKind::Update, "k", Some("v2"))).unwrap();
    s.step(4);
    let hints = hint_holders(&s, "k");
    s.step(11);
    let ops = &s.history().ops;
    let acknowledged = matches!(ops[1].completion, Completion::Ok);
    (s, [a, b, c], acknowledged, hints)
}

/// Creates `k` = v1 through a peer that is no home of it, fails two of its
/// three homes and waits `wait` ticks. Returns the session, the homes and
/// that peer.
fn created_then_two_fail(hinted: bool, seed: u64, wait: u64) -> (Session, [PeerId; 3], u32) {
    let mut setup = Setup::new(PEERS, seed);
    setup.config.hinted_handoff = hinted;
    let mut s = Session::new(setup, false).unwrap();
    s.step(40);
    let ([a, b, c], x) = homes(&s, "k");
    s.act(op(x, OpKind::Create, "k", Some("v1"))).unwrap();
    s.step(10);
    s.act(Action::Fail(b)).unwrap();
    s.act(Action::Fail(c)).unwrap();
    s.step(wait);
    (s, [a, b, c], x)
}

/// Live peers keeping a hint of `key`.
fn hint_holders(s: &Session, key: &str) -> Vec<PeerId> {
    s.sim()
        .alive_peers()
        .into_iter()
        .filter(|&id| {
            let store = s.sim().peer(id).unwrap().store();
            store.keys().any(|k| k.key == key && k.hint.is_some())
        })
        .collect()
}

#[test]
fn a_sloppy_quorum_acknowledges_a_write_two_suspected_homes_would_fail() {
    // 8 ticks after the failures: suspected (t_fail = 5), not removed (25).
    let (plain, _, acked, hints) = two_homes_down(false, 3, 8);
    assert!(
        !acked,
        "one home of three cannot make W = 2: {}",
        plain.link()
    );
    assert!(hints.is_empty());
    let (s, [_, b, c], acked, hints) = two_homes_down(true, 3, 8);
    assert!(acked, "a substitute stands in: {}", s.link());
    assert_eq!(hints.len(), 2, "one substitute per failed home: {hints:?}");
    let hinted: Vec<PeerId> = s
        .log()
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Hinted { key, home } if key == "k" => Some(*home),
            _ => None,
        })
        .collect();
    assert!(
        hinted.iter().all(|h| [b, c].contains(h)),
        "hints name the failed homes: {hinted:?}"
    );
    let again = Session::from_link(&s.link(), false).unwrap();
    assert_eq!(again.log().events(), s.log().events(), "{}", s.link());
}

#[test]
fn hints_are_handed_back_and_nothing_is_lost() {
    let (mut s, [a, b, c], acked, _) = two_homes_down(true, 3, 8);
    assert!(acked);
    s.act(Action::Recover(b)).unwrap();
    s.act(Action::Recover(c)).unwrap();
    s.step(300);
    for home in [a, b, c] {
        let store = s.sim().peer(home).unwrap().store();
        let value = store.get("k").and_then(|st| st.value.clone());
        assert_eq!(value.as_deref(), Some("v2"), "home {home}: {}", s.link());
    }
    assert!(hint_holders(&s, "k").is_empty(), "every hint handed back");
    let (_, x) = homes(&s, "k");
    s.act(op(x, OpKind::Read, "k", None)).unwrap();
    s.step(300);
    assert_eq!(s.history().ops[2].value.as_deref(), Some("v2"));
    let report = torture::check_session(&s);
    assert_eq!(report.anomalies.lost_write, 0, "{report:#?}");
    assert_eq!(report.anomalies.over_replicated_end, 0, "{report:#?}");
    assert_eq!(report.anomalies.under_replicated_end, 0, "{report:#?}");
}

#[test]
fn a_write_every_home_refuses_leaves_no_hint() {
    // A create of an existing key: the one live home refuses it, so no
    // substitute is asked and the key keeps v1.
    let (mut s, _, x) = created_then_two_fail(true, 5, 8);
    s.act(op(x, OpKind::Create, "k", Some("v2"))).unwrap();
    s.step(15);
    assert!(matches!(s.history().ops[1].completion, Completion::Fail(_)));
    assert!(hint_holders(&s, "k").is_empty(), "{}", s.link());
    // Read once the failed homes are removed (silent t_fail + t_remove =
    // 25 ticks) and replaced: until then the read may ask substitutes,
    // which hold nothing.
    s.step(15);
    s.act(op(x, OpKind::Read, "k", None)).unwrap();
    s.step(15);
    assert_eq!(s.history().ops[2].value.as_deref(), Some("v1"));
}

/// The share of writes acknowledged over `seeds` seeds with two of three
/// homes down and suspected.
fn acknowledged_share(hinted: bool, seeds: u64) -> f64 {
    let acked = (1..=seeds)
        .filter(|&seed| two_homes_down(hinted, seed, 8).2)
        .count();
    acked as f64 / seeds as f64
}

#[test]
fn hinted_handoff_raises_write_availability_with_two_homes_down() {
    let (without, with) = (acknowledged_share(false, 40), acknowledged_share(true, 40));
    println!("writes acknowledged with 2 of 3 homes suspected: {without:.2} without, {with:.2} with hinted handoff");
    assert!(without < 0.1, "{without}");
    assert!(with > 0.9, "{with}");
}

#[test]
fn the_setting_travels_in_links_and_bad_values_are_refused() {
    let mut setup = Setup::new(PEERS, 1);
    setup.config = Config::default()
        .with_settings("hinted-handoff=on")
        .unwrap();
    let mut s = Session::new(setup, false).unwrap();
    s.step(3);
    let link = s.link();
    assert!(link.contains("&hh=on"), "{link}");
    assert!(
        Session::from_link(&link, false)
            .unwrap()
            .setup()
            .config
            .hinted_handoff
    );
    let plain = Session::new(Setup::new(PEERS, 1), false).unwrap().link();
    assert!(!plain.contains("hh="), "{plain}");
    let bad = link.replace("&hh=on", "&hh=<b>");
    let bad = ftkv::seal(bad.rsplit_once("&sum=").unwrap().0);
    let err = Session::from_link(&bad, false).unwrap_err().to_string();
    assert!(
        err.contains("hinted handoff `<b>` is not on or off"),
        "{err}"
    );
}
