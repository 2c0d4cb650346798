//! Share links: a scenario replays exactly from its link, presets reach
//! full marks, and hostile links are refused with a message naming the
//! problem — never a panic, never a silent default.

mod common;

use common::op;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::{seal, Action, Session, Setup, MAX_LINK_BYTES};
use proptest::prelude::*;

/// A scenario with failures, a recovery and writes of awkward text.
fn played() -> Session {
    let mut s = Session::new(Setup::new(10, 77), true).unwrap();
    s.step(40);
    s.act(op(
        3,
        OpKind::Create,
        "<img src=x onerror=alert(1)>",
        Some("a&b;c.d=e#f%"),
    ))
    .unwrap();
    s.act(op(5, OpKind::Create, "ключ 🔑", Some(""))).unwrap();
    s.step(10);
    s.act(Action::Fail(PeerId(2))).unwrap();
    s.act(op(0, OpKind::Update, "ключ 🔑", Some("новое")))
        .unwrap();
    s.step(60);
    s.act(Action::Recover(PeerId(2))).unwrap();
    s.act(op(7, OpKind::Read, "ключ 🔑", None)).unwrap();
    s.step(45);
    s.act(op(1, OpKind::Delete, "<img src=x onerror=alert(1)>", None))
        .unwrap();
    s
}

#[test]
fn a_link_replays_the_same_events_log_and_link() {
    let live = played();
    let link = live.link();
    let again = Session::from_link(&link, true).unwrap();
    assert_eq!(again.sim().now(), live.sim().now());
    assert_eq!(again.log().events(), live.log().events());
    assert_eq!(
        ftkv::classic::render(again.log().events()),
        ftkv::classic::render(live.log().events())
    );
    assert_eq!(again.link(), link);
    // The whole address works as well as the fragment.
    let url = format!("http://127.0.0.1:8080/index.html#{link}");
    assert_eq!(Session::from_link(&url, false).unwrap().link(), link);
    // Tracing messages changes the events recorded, never the log.
    let quiet = Session::from_link(&link, false).unwrap();
    assert_eq!(
        ftkv::classic::render(quiet.log().events()),
        ftkv::classic::render(live.log().events())
    );
    assert!(!link.contains('<') && !link.contains(' '), "{link}");
}

#[test]
fn every_preset_replays_to_full_marks() {
    for name in ftkv::classic::CASES {
        let mut s = Session::new(Setup::preset(name, 5).unwrap(), false).unwrap();
        s.step(700);
        let link = s.link();
        let again = Session::from_link(&link, false).unwrap();
        let test = ftkv::classic::builtin(name).unwrap();
        let g = ftkv::classic::grade(&test, again.log().events());
        assert!(g.is_full(), "{name}: {g}");
        assert_eq!(again.log().events(), s.log().events());
    }
}

#[test]
fn the_grade_read_as_the_log_grows_is_the_grade_of_the_whole_log() {
    for name in ["read", "msgdropsinglefailure"] {
        let mut s = Session::new(Setup::preset(name, 8).unwrap(), true).unwrap();
        let test = ftkv::classic::builtin(name).unwrap();
        let mut steps = [1u64, 7, 40, 3, 99].into_iter().cycle();
        let mut graded = 0;
        while s.step(steps.next().unwrap()) > 0 {
            let whole = ftkv::classic::grade(&test, s.log().events());
            assert_eq!(s.grade(), Some(&whole), "{name} at tick {}", s.sim().now());
            graded += 1;
        }
        assert!(s.grade().unwrap().is_full(), "{name}");
        assert!(graded > 10);
    }
}

#[test]
fn a_session_history_and_transactions_match_a_scan_of_the_log() {
    let s = played();
    let scanned = ftkv::check::history(s.log().events());
    assert_eq!(s.history(), &scanned);
    assert!(scanned.ops.len() >= 3);
    for op in &scanned.ops {
        let view = ftkv::view::transaction(&s, op.trans).unwrap();
        assert_eq!(view.started, op.invoked);
        assert_eq!(view.decision.map(|d| d.tick), op.completed);
    }
    // The history lives in the log: a copy of the simulation carries none.
    assert_eq!(s.sim().clone().drain_events().count(), 0);
}

#[test]
fn custom_timings_travel_in_the_link() {
    let mut setup = Setup::new(6, 1);
    setup.config.membership.t_remove = 30;
    setup.config.op_timeout = 4;
    let mut s = Session::new(setup.clone(), false).unwrap();
    s.step(50);
    let link = s.link();
    assert!(link.contains("&t=3.5.30.10.4.20"), "{link}");
    assert_eq!(Session::from_link(&link, false).unwrap().setup(), &setup);
}

/// Refuses `body` once sealed with a valid checksum.
fn refused(body: &str, words: &str) {
    refused_raw(&seal(body), words);
}

fn refused_raw(link: &str, words: &str) {
    match Session::from_link(link, false) {
        Ok(_) => panic!("accepted {link}"),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(words),
                "{link}: {text} should mention {words}"
            );
            assert!(text.len() < 400, "short: {text}");
        }
    }
}

#[test]
fn hostile_links_are_refused_with_a_reason() {
    refused_raw("", "empty");
    refused_raw("#", "empty");
    refused_raw("garbage", "no checksum");
    refused("garbage", "not name=value");
    refused("v=1&peers=10&seed=1", "`tick` is missing");
    refused("peers=10&seed=1&tick=5", "v=1 is missing");
    refused("v=2&peers=10&seed=1&tick=5", "version `2`");
    refused("v=1&peers=1000000&seed=1&tick=5", "up to 1000");
    refused("v=1&peers=0&seed=1&tick=5", "1 to 1000");
    refused("v=1&peers=-3&seed=1&tick=5", "peers must be");
    refused("v=1&peers=10&seed=1&tick=99999999", "tick must be");
    refused("v=1&peers=1000&seed=1&tick=5000", "past the longest replay");
    refused("v=1&peers=10&seed=1&tick=5&evil=1", "unknown field `evil`");
    refused("v=1&peers=10&peers=11&seed=1&tick=5", "appears twice");
    refused("v=1&peers=10&seed=1&tick=5&preset=nope", "no preset `nope`");
    refused(
        "v=1&peers=9&seed=1&tick=5&preset=read",
        "preset read has 10 peers",
    );
    refused("v=1&peers=10&seed=1&tick=5&t=1.2", "need 6 or 9 numbers");
    refused(
        "v=1&peers=10&seed=1&tick=5&t=0.5.20.10.10.20",
        "fanout must be",
    );
    refused("v=1&peers=10&seed=1&tick=50&do=20.fail.11", "no peer `11`");
    refused("v=1&peers=10&seed=1&tick=50&do=20.fail.0", "no peer `0`");
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.explode.1",
        "unknown action",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.create.1.key",
        "tick.verb.peer.key.value",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.read.1.key.value",
        "tick.verb.peer.key",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.read.1.%FF%FE",
        "not UTF-8",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=60.fail.1",
        "after the link's tick",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=30.fail.1;20.fail.2",
        "out of tick order",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.fail.1;30.fail.1",
        "is not alive",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.recover.1",
        "has not failed",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.create.1..v",
        "must not be empty",
    );
    // One spelling per number, and every % an escape: a link is read as it was made.
    refused(
        "v=1&peers=+10&seed=1&tick=50",
        "peers must be a whole number up to 1000, not `+10`",
    );
    refused("v=1&peers=010&seed=1&tick=50", "not `010`");
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.fail.01",
        "there is no peer `01`",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.create.1.a%zz.v",
        "a key or value `a%zz` has a % at byte 1 that is not followed by two hex digits",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&rep=300.2.2",
        "replication N.R.W `300.2.2`: `300` is too large",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&t=99999999999.5.20.10.10.30",
        "timings: fanout 99999999999 is too large",
    );
    // A newline in a key would forge a dbg.log line; an escape would drive the terminal.
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.create.1.apple%0A%205%2E0%2E0%2E0%3A0%20%5B31%5D%20forged.v",
        "a key must not hold control characters, and this one holds U+000A at byte 5",
    );
    refused(
        "v=1&peers=10&seed=1&tick=50&do=20.update.1.apple.%1B%5B2J",
        "a value must not hold control characters, and this one holds U+001B at byte 0",
    );
    refused(
        &format!("v=1&peers=10&seed=1&tick=5&do={}", "1.fail.1;".repeat(3000)),
        "actions",
    );
    refused(
        &format!("v=1&peers=10&seed=1&tick=5#{}", "x".repeat(MAX_LINK_BYTES)),
        "longer than",
    );
    let link = played().link();
    let at = link.find("&do=").unwrap() + 30;
    let damaged = format!("{}{}", &link[..at], &link[at + 1..]);
    refused_raw(&damaged, "checksum does not match");
    let without_sum = &link[..link.rfind("&sum=").unwrap()];
    refused_raw(&without_sum[..without_sum.len() - 9], "no checksum");
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        let _ = Session::from_link(&text, false);
    }

    #[test]
    fn mangled_links_never_panic(cut in 0usize..400, junk in "[a-z0-9.;&=%#]{0,20}") {
        let link = "v=1&peers=6&seed=3&tick=80&do=10.fail.2;20.create.1.k.v;30.recover.2";
        let cut = cut.min(link.len());
        let _ = Session::from_link(&seal(&format!("{}{junk}", &link[..cut])), false);
    }
}

#[test]
fn a_preset_stops_at_the_classic_end() {
    let mut s = Session::new(Setup::preset("create", 1).unwrap(), false).unwrap();
    assert_eq!(s.step(1000), 700);
    assert_eq!(s.step(1), 0);
    assert_eq!(s.sim().now(), 700);
}

#[test]
fn replication_travels_in_the_link_and_places_n_copies() {
    let mut setup = Setup::new(9, 4);
    setup.config.replication = ftkv::Replication { n: 5, r: 3, w: 3 };
    let mut s = Session::new(setup, false).unwrap();
    s.step(40);
    s.act(op(2, OpKind::Create, "k", Some("v"))).unwrap();
    s.step(ftkv::torture::QUIET);
    let link = s.link();
    assert!(link.contains("&rep=5.3.3&"), "{link}");
    let again = Session::from_link(&link, false).unwrap();
    assert_eq!(again.log().events(), s.log().events());
    let copies = (0..9)
        .filter(|&i| {
            again
                .sim()
                .peer(PeerId(i))
                .unwrap()
                .store()
                .get("k")
                .is_some()
        })
        .count();
    assert_eq!(copies, 5);
    let report = ftkv::torture::check_session(&again);
    assert_eq!(report.anomalies, ftkv::check::Anomalies::default());
    // R above N is refused with a reason.
    let refused = Session::from_link(&seal("v=1&peers=9&seed=4&rep=3.4.2&tick=5"), false);
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("R must be from 1 to N = 3, not 4"));
}

/// W = 1 within the failure budget (never more than N − 1 = 2 of the key's
/// replicas down): two replicas are down, the third alone acknowledges a
/// create, one comes back as the holder crashes in the same tick, and the
/// holder stays down past the tombstone grace, so it restarts empty — the
/// acknowledged write is gone. With W = 2 the same schedule acknowledges
/// nothing, so nothing acknowledged is lost.
#[test]
fn a_write_one_replica_acknowledged_dies_with_that_replica() {
    for (w, lost) in [(1, 1), (2, 0)] {
        let mut setup = Setup::new(5, 1);
        setup.config.replication = ftkv::Replication { n: 3, r: 1, w };
        let mut s = Session::new(setup, false).unwrap();
        s.step(40);
        let ring = (0..5).map(PeerId).collect::<ftkv::Ring>().with_n(3);
        let replicas = ring.replicas("k").as_slice().to_vec();
        let other = (0..5).map(PeerId).find(|p| !replicas.contains(p)).unwrap();
        s.act(Action::Fail(replicas[1])).unwrap();
        s.act(Action::Fail(replicas[2])).unwrap();
        s.step(2);
        s.act(op(other.0, OpKind::Create, "k", Some("v"))).unwrap();
        s.step(2);
        s.act(Action::Recover(replicas[1])).unwrap();
        s.act(Action::Fail(replicas[0])).unwrap();
        s.step(320);
        s.act(Action::Recover(replicas[0])).unwrap();
        s.act(Action::Recover(replicas[2])).unwrap();
        s.step(ftkv::torture::QUIET);
        s.act(op(other.0, OpKind::Read, "k", None)).unwrap();
        s.step(20);
        let create = &s.history().ops[0];
        assert_eq!(create.acked(), w == 1, "{}", s.link());
        let report = ftkv::torture::check_session(&s);
        assert_eq!(report.anomalies.lost_write, lost, "{}", s.link());
    }
}

/// A traced session of `peers` peers and `seed` under the settings text
/// `settings`, with its setup.
fn under(settings: &str, peers: u32, seed: u64) -> (Setup, Session) {
    let mut setup = Setup::new(peers, seed);
    setup.config = setup.config.with_settings(settings).unwrap();
    (setup.clone(), Session::new(setup, true).unwrap())
}

#[test]
fn a_merkle_link_replays_identically_and_a_bad_mode_is_refused() {
    let (setup, mut s) = under("ae=merkle", 8, 12);
    s.step(40);
    s.act(op(2, OpKind::Create, "k", Some("v"))).unwrap();
    s.act(Action::Fail(PeerId(5))).unwrap();
    s.step(30);
    s.act(op(4, OpKind::Update, "k", Some("w"))).unwrap();
    s.step(100);
    let link = s.link();
    assert!(link.contains("&ae=merkle&"), "{link}");
    assert!(!link.contains("&t="), "the period is the default: {link}");
    let again = Session::from_link(&link, true).unwrap();
    assert_eq!(again.setup(), &setup);
    assert_eq!(again.log().events(), s.log().events());
    assert_eq!(again.link(), link);
    let merkle = |s: &Session| {
        s.log().events().iter().any(|e| {
            matches!(
                e.kind,
                ftkv::EventKind::Sent {
                    msg: ftkv::MessageKind::MerkleHashes,
                    ..
                }
            )
        })
    };
    assert!(merkle(&again), "the replay exchanges Merkle hashes");
    // A default link names no mode and replays digests.
    let digest = Session::new(Setup::new(8, 12), true).unwrap();
    assert!(!digest.link().contains("ae="));
    refused(
        "v=1&peers=8&seed=12&ae=gossip&tick=5",
        "anti-entropy `ae=gossip` is not digest or merkle",
    );
    refused(
        "v=1&peers=8&seed=12&ae=merkle&ae=digest&tick=5",
        "field `ae` appears twice",
    );
}

#[test]
fn the_anti_entropy_period_travels_in_the_timings_of_the_link() {
    let (setup, mut s) = under("ae=merkle,ae-period=7", 6, 3);
    s.step(50);
    let link = s.link();
    assert!(link.contains("&t=3.5.20.10.10.20.5.7.300&"), "{link}");
    assert_eq!(Session::from_link(&link, false).unwrap().setup(), &setup);
    refused(
        "v=1&peers=6&seed=3&t=3.5.20.10.10.20.5.0.300&tick=5",
        "ae_period must be from 1 to 10000 ticks, not 0",
    );
}

#[test]
fn a_link_restores_the_selected_peer_key_and_transaction() {
    use ftkv::Selection;
    let mut s = played();
    let trans = s
        .act(op(4, OpKind::Read, "ключ 🔑", None))
        .unwrap()
        .unwrap();
    s.step(5);
    let chosen = Selection {
        peer: Some(PeerId(8)),
        key: Some("ключ 🔑".into()),
        trans: Some(trans),
    };
    s.select(chosen.clone()).unwrap();
    let link = s.link();
    assert!(link.contains("&sel=9&key=%D0%BA"), "{link}");
    assert!(link.contains(&format!("&tx={trans}")), "{link}");
    let again = Session::from_link(&link, false).unwrap();
    assert_eq!(again.selection(), &chosen);
    assert_eq!(again.link(), link);
    // The view changes nothing in the run.
    let bare = Session::from_link(&seal(link.split("&sel=").next().unwrap()), false).unwrap();
    assert_eq!(
        ftkv::classic::render(bare.log().events()),
        ftkv::classic::render(again.log().events())
    );
    // Seen before the transaction was sent, the link leaves it out.
    let mut past = again.clone();
    past.seek(s.actions().last().unwrap().tick - 1).unwrap();
    let early = past.link();
    assert!(!early.contains("&tx="), "{early}");
    assert!(early.contains("&sel=9"), "{early}");
    Session::from_link(&early, false).unwrap();
}

#[test]
fn a_selection_outside_the_cluster_or_the_run_is_refused() {
    let mut s = Session::new(Setup::new(10, 3), false).unwrap();
    s.step(40);
    let selection = |peer: Option<u32>, trans: Option<u64>| ftkv::Selection {
        peer: peer.map(PeerId),
        key: None,
        trans,
    };
    let e = s.select(selection(Some(10), None)).unwrap_err();
    assert!(
        e.to_string()
            .contains("peer 11 is not in this cluster of 10 peers"),
        "{e}"
    );
    // A transaction not sent yet stays selected, but out of the link.
    s.select(selection(None, Some(1))).unwrap();
    assert!(!s.link().contains("tx="), "{}", s.link());
    refused(
        "v=1&peers=10&seed=3&tick=40&sel=11",
        "sel must be a whole number up to 10",
    );
    refused(
        "v=1&peers=10&seed=3&tick=40&sel=0",
        "sel must name a peer from 1",
    );
    refused(
        "v=1&peers=10&seed=3&tick=40&tx=1",
        "transaction 1 has not been sent",
    );
    refused(
        "v=1&peers=10&seed=3&tick=40&tx=x",
        "tx must be a whole number",
    );
    refused(
        "v=1&peers=10&seed=3&tick=40&key=%FF",
        "the selected key is not UTF-8",
    );
    refused("v=1&peers=10&seed=3&tick=40&key=", "1 to 256 bytes");
    // A newline in the selected key would forge a line wherever it is printed.
    refused(
        "v=1&peers=10&seed=3&tick=40&key=apple%0Aforged",
        "a selected key must not hold control characters, and this one holds U+000A at byte 5",
    );
    let newline = ftkv::Selection {
        key: Some("apple\u{1b}[2J".into()),
        ..ftkv::Selection::default()
    };
    let e = s.select(newline).unwrap_err();
    assert!(e.to_string().contains("holds U+001B at byte 5"), "{e}");
    assert!(!s.link().contains("key="), "{}", s.link());
}

#[test]
fn a_partition_that_names_a_peer_twice_is_refused_by_the_session_and_the_link() {
    let mut s = Session::new(Setup::new(6, 3), false).unwrap();
    s.step(40);
    let twice = Action::Partition(vec![PeerId(2), PeerId(4), PeerId(2)]);
    let e = s.act(twice).unwrap_err();
    assert_eq!(
        e.to_string(),
        "peer 3 appears twice in the partition's side"
    );
    assert!(s.actions().is_empty(), "nothing recorded");
    s.act(Action::Partition(vec![PeerId(2), PeerId(4)]))
        .unwrap();
    let link = s.link();
    assert!(link.contains("40.part.3-5"), "{link}");
    assert_eq!(Session::from_link(&link, false).unwrap().link(), link);
    refused(
        "v=1&peers=6&seed=3&tick=50&do=20.part.3-5-3",
        "action 1 `20.part.3-5-3`: peer 3 appears twice in the partition's side",
    );
}

#[test]
fn at_the_longest_tick_a_link_replays_a_request_is_refused_but_a_fault_is_not() {
    let mut s = Session::from_link(&seal("v=1&peers=10&seed=7&tick=19999"), false).unwrap();
    assert_eq!(s.step(5), 1, "one tick is left");
    assert_eq!(s.max_tick(), s.sim().now());
    let err = s
        .request(OpKind::Read, "k", None, None, ftkv::Level::Quorum)
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "tick 20000 is the longest a share link can replay for 10 peers: a request sent now could never complete"
        ),
        "{err}"
    );
    s.act(Action::Fail(PeerId(3))).unwrap();
}

#[test]
fn a_request_that_would_make_the_link_too_long_to_replay_is_refused() {
    let mut s = Session::new(Setup::new(10, 42), false).unwrap();
    s.step(40);
    let value = "%".repeat(4096); // 12 KiB once percent-encoded
    let mut sent = 0;
    let err = loop {
        match s.request(
            OpKind::Create,
            &format!("k{sent}"),
            Some(&value),
            None,
            ftkv::Level::Quorum,
        ) {
            Ok(_) => sent += 1,
            Err(e) => break e,
        }
        assert!(sent < 10, "a link of 10 such values is over 64 KiB");
    };
    assert_eq!(sent, 5);
    assert!(
        err.to_string()
            .contains("more than the 65536 a link may be"),
        "{err}"
    );
    let link = s.link();
    assert!(link.len() <= MAX_LINK_BYTES);
    let again = Session::from_link(&link, false).unwrap();
    assert_eq!(
        again.link(),
        link,
        "every scenario made can be shared and replayed"
    );
}
