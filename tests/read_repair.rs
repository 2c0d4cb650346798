//! Read repair and consistency levels, end to end: an incomplete update
//! that one replica holds makes a quorum read return it and a later quorum
//! read return the older value (a read regression) — unless the first read
//! writes the newest value back, and with `blocking` it does so before it
//! answers. Each run is a share link that replays exactly.

mod common;

use common::op;
use ftkv::check::Completion;
use ftkv::torture;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::{Action, Session, Setup};
use ftkv::{Level, ReadRepair};

/// Peer `coordinator` (0-based) cannot reach `to` (messages from it lost).
fn cut(coordinator: u32, to: PeerId) -> Action {
    Action::Loss {
        link: Some((PeerId(coordinator), to)),
        percent: 100,
    }
}

/// The run: create v1, an update to v2 that reaches one replica only,
/// a read that sees that replica and one other, then a read that sees the
/// other two. Returns the session and the two reads' values.
fn run(repair: ReadRepair) -> (Session, Option<String>, Option<String>) {
    let mut setup = Setup::new(6, 4);
    setup.config.read_repair = repair;
    // Anti-entropy must not fix the replicas between the reads by itself.
    setup.config.anti_entropy.period = 5000;
    let mut s = Session::new(setup, false).unwrap();
    s.step(40);
    let ring = s.sim().peer(PeerId(0)).unwrap().ring().clone();
    let [a, b, c] = ring.replicas("k").as_slice().try_into().unwrap();
    let x = (0..6).find(|i| ![a, b, c].contains(&PeerId(*i))).unwrap();
    s.act(op(x, OpKind::Create, "k", Some("v1"))).unwrap();
    s.step(10);
    s.act(cut(x, b)).unwrap();
    s.act(cut(x, c)).unwrap();
    s.act(op(x, OpKind::Update, "k", Some("v2"))).unwrap();
    s.step(15);
    s.act(Action::Heal).unwrap();
    s.act(cut(x, c)).unwrap();
    s.act(op(x, OpKind::Read, "k", None)).unwrap();
    s.step(15);
    s.act(Action::Heal).unwrap();
    s.act(cut(x, a)).unwrap();
    s.act(op(x, OpKind::Read, "k", None)).unwrap();
    s.step(15);
    s.act(Action::Heal).unwrap();
    let ops = s.history().ops.clone();
    assert_eq!(ops.len(), 4);
    assert!(
        matches!(ops[1].completion, Completion::Fail(_)),
        "the update reached one replica: {:?}",
        ops[1]
    );
    let again = Session::from_link(&s.link(), false).unwrap();
    assert_eq!(again.log().events(), s.log().events(), "{}", s.link());
    (s, ops[2].value.clone(), ops[3].value.clone())
}

#[test]
fn without_read_repair_a_later_read_goes_back_in_time() {
    let (s, first, second) = run(ReadRepair::Off);
    assert_eq!(first.as_deref(), Some("v2"));
    assert_eq!(second.as_deref(), Some("v1"), "{}", s.link());
    let report = torture::check_session(&s);
    assert!(report.anomalies.read_regression > 0, "{:#?}", report);
}

#[test]
fn read_repair_writes_the_newest_value_back() {
    for repair in [ReadRepair::Async, ReadRepair::Blocking] {
        let (s, first, second) = run(repair);
        assert_eq!(first.as_deref(), Some("v2"), "{repair:?}");
        assert_eq!(second.as_deref(), Some("v2"), "{repair:?}: {}", s.link());
        let report = torture::check_session(&s);
        assert_eq!(report.anomalies.read_regression, 0, "{repair:?}");
        assert!(s.link().contains(&format!("&rr={}", repair.word())));
    }
}

#[test]
fn a_blocking_read_answers_only_once_the_write_back_is_acknowledged() {
    let (blocking, _, _) = run(ReadRepair::Blocking);
    let (fast, _, _) = run(ReadRepair::Async);
    let took = |s: &Session| {
        let read = &s.history().ops[2];
        read.completed.unwrap() - read.invoked
    };
    assert!(
        took(&blocking) > took(&fast),
        "blocking {} ticks, async {} ticks",
        took(&blocking),
        took(&fast)
    );
}

#[test]
fn a_request_may_wait_for_one_replica_or_all() {
    let mut s = Session::new(Setup::new(6, 4), false).unwrap();
    s.step(40);
    let ring = s.sim().peer(PeerId(0)).unwrap().ring().clone();
    let replicas = ring.replicas("k");
    let down = replicas.as_slice()[2];
    let x = (0..6).map(PeerId).find(|p| !replicas.contains(*p)).unwrap();
    s.request(OpKind::Create, "k", Some("v"), Some(x), Level::Quorum)
        .unwrap();
    s.step(10);
    s.act(Action::Fail(down)).unwrap();
    let levels = [Level::One, Level::Quorum, Level::All];
    for level in levels {
        s.request(OpKind::Read, "k", None, Some(x), level).unwrap();
    }
    s.step(15);
    let h = ftkv::check::history(s.log().events());
    let reads: Vec<_> = h.ops.iter().filter(|o| o.op == OpKind::Read).collect();
    // One replica down: one and quorum succeed, all times out.
    assert_eq!(reads[0].completion, Completion::Ok);
    assert_eq!(reads[1].completion, Completion::Ok);
    assert!(matches!(reads[2].completion, Completion::Fail(_)));
    assert!(reads[0].completed <= reads[1].completed);
    let link = s.link();
    assert!(
        link.contains(".read:one.") && link.contains(".read:all."),
        "{link}"
    );
    assert!(
        !link.contains("read:quorum"),
        "the default level stays implicit"
    );
    let again = Session::from_link(&link, false).unwrap();
    assert_eq!(again.log().events(), s.log().events());
    let bad = link.replace("read:one", "read:most");
    let err = Session::from_link(&bad, false).unwrap_err().to_string();
    assert!(err.contains("checksum"), "{err}");
    let resealed = ftkv::seal(bad.split("&sum=").next().unwrap());
    let err = Session::from_link(&resealed, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("consistency level `most`"), "{err}");
}
