//! `n=5,r=3,w=3`: with 2 of a key's 5 replicas down at once the key stays
//! available (writes and reads succeed) and loses nothing; with 4 of them
//! down writes fail, but no acknowledged write is lost once they are back.
//! Checked on many seeds, each run a share link that replays exactly.

mod common;

use common::op;
use ftkv::check::Completion;
use ftkv::torture;
use ftkv::Config;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::{Action, Session, Setup};

const PEERS: u32 = 11;

/// A cluster of `PEERS` at n=5,r=3,w=3 with `k` = v1 written, its five
/// replicas, and a peer that is none of them.
fn with_key(seed: u64) -> (Session, Vec<PeerId>, u32) {
    let mut setup = Setup::new(PEERS, seed);
    setup.config = Config::default().with_settings("n=5,r=3,w=3").unwrap();
    let mut s = Session::new(setup, false).unwrap();
    s.step(40);
    let ring = s.sim().peer(PeerId(0)).unwrap().ring().clone();
    let replicas = ring.replicas("k").as_slice().to_vec();
    assert_eq!(replicas.len(), 5);
    let other = (0..PEERS)
        .find(|i| !replicas.contains(&PeerId(*i)))
        .unwrap();
    s.act(op(other, OpKind::Create, "k", Some("v1"))).unwrap();
    s.step(10);
    (s, replicas, other)
}

/// Fails `down` of the key's replicas, writes and reads through `other`
/// while they are down, brings them back and lets the cluster settle.
fn run(seed: u64, down: usize) -> Session {
    let (mut s, replicas, other) = with_key(seed);
    for &r in &replicas[..down] {
        s.act(Action::Fail(r)).unwrap();
    }
    s.step(1);
    s.act(op(other, OpKind::Update, "k", Some("v2"))).unwrap();
    s.step(12);
    s.act(op(other, OpKind::Read, "k", None)).unwrap();
    s.step(12);
    for &r in &replicas[..down] {
        s.act(Action::Recover(r)).unwrap();
    }
    s.step(torture::QUIET);
    s.act(op(other, OpKind::Read, "k", None)).unwrap();
    s.step(torture::QUIET);
    let again = Session::from_link(&s.link(), false).unwrap();
    assert_eq!(again.log().events(), s.log().events(), "{}", s.link());
    s
}

#[test]
fn two_replicas_down_stay_available_and_lose_nothing() {
    for seed in 1..=20 {
        let s = run(seed, 2);
        let ops = &s.history().ops;
        for o in ops {
            assert!(
                matches!(o.completion, Completion::Ok),
                "{o:?}: {}",
                s.link()
            );
        }
        assert_eq!(ops[2].value.as_deref(), Some("v2"), "{}", s.link());
        assert_eq!(ops[3].value.as_deref(), Some("v2"), "{}", s.link());
        let report = torture::check_session(&s);
        assert_eq!(report.anomalies, Default::default(), "{}", s.link());
    }
}

#[test]
fn four_replicas_down_lose_no_acknowledged_write() {
    let mut refused = 0;
    for seed in 1..=20 {
        let s = run(seed, 4);
        let ops = &s.history().ops;
        assert!(matches!(ops[0].completion, Completion::Ok));
        if !matches!(ops[1].completion, Completion::Ok) {
            refused += 1;
        }
        // The last read returns the newest acknowledged value.
        let newest = match ops[1].completion {
            Completion::Ok => "v2",
            _ => "v1",
        };
        let last = ops.last().unwrap();
        assert!(matches!(last.completion, Completion::Ok), "{last:?}");
        if matches!(ops[1].completion, Completion::Ok) {
            assert_eq!(last.value.as_deref(), Some(newest), "{}", s.link());
        }
        let report = torture::check_session(&s);
        assert_eq!(report.anomalies.lost_write, 0, "{}", s.link());
        assert_eq!(report.anomalies.resurrected_delete, 0, "{}", s.link());
        assert_eq!(report.anomalies.under_replicated_end, 0, "{}", s.link());
        assert_eq!(report.anomalies.divergent_end, 0, "{}", s.link());
    }
    assert!(
        refused > 15,
        "one live replica of five cannot make W = 3 ({refused} of 20)"
    );
}
