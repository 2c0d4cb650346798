//! The run over time: the health samples equal the ring's Health at their
//! ticks, survive seeks and forks as a fresh replay of the link has them,
//! and the request outcomes per bucket add up to the history.

mod common;

use ftkv::view::{self, SeriesView};
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::{Action, Session, Setup};

/// 12 peers, requests, a failure, a partition and a heal over 300 ticks.
fn played() -> Session {
    let mut s = Session::new(Setup::new(12, 8), false).unwrap();
    s.step(40);
    for (i, key) in ["a", "b", "c", "d"].iter().enumerate() {
        s.act(common::op(i as u32, OpKind::Create, key, Some("1")))
            .unwrap();
    }
    s.step(30);
    s.act(Action::Fail(PeerId(3))).unwrap();
    s.act(common::op(1, OpKind::Read, "a", None)).unwrap();
    s.step(50);
    s.act(Action::Partition(vec![PeerId(0), PeerId(1)]))
        .unwrap();
    s.act(common::op(0, OpKind::Update, "b", Some("2")))
        .unwrap();
    s.step(60);
    s.act(Action::Heal).unwrap();
    s.act(common::op(5, OpKind::Read, "zz", None)).unwrap();
    s.step(120);
    s
}

/// The history's counts of ok, failed and pending requests.
fn history_counts(s: &Session) -> [u32; 3] {
    let mut counts = [0; 3];
    for row in view::history(s) {
        counts[match row.outcome {
            "ok" => 0,
            "fail" => 1,
            _ => 2,
        }] += 1;
    }
    counts
}

fn sums(v: &SeriesView) -> [u32; 3] {
    [&v.ok, &v.fail, &v.pending].map(|c| c.iter().sum())
}

#[test]
fn samples_equal_the_health_view_at_their_ticks() {
    let mut s = played();
    let samples = s.samples().all().to_vec();
    assert_eq!(samples.len() as u64, s.horizon() / s.samples().every() + 1);
    let acted: Vec<u64> = s.actions().iter().map(|t| t.tick).collect();
    for sample in samples
        .iter()
        .filter(|x| !acted.contains(&x.tick))
        .step_by(7)
    {
        s.seek(sample.tick).unwrap();
        let h = view::ring(&s, 0).health;
        assert_eq!(
            [h.failed, h.under_replicated, h.below_quorum, h.in_flight],
            [
                sample.failed,
                sample.under_replicated,
                sample.below_quorum,
                sample.in_flight
            ]
            .map(|n| n as usize),
            "tick {}",
            sample.tick
        );
    }
}

#[test]
fn buckets_cover_the_run_to_the_horizon_and_count_the_history() {
    let mut s = played();
    let v = view::series(&s, 40);
    assert_eq!((v.horizon, v.tick), (300, 300));
    assert_eq!(v.from.len(), 38, "301 ticks in buckets of 8");
    assert_eq!((v.from[0], *v.until.last().unwrap()), (0, 301));
    assert!(v.from[1..].iter().zip(&v.until).all(|(f, u)| f == u));
    for a in [&v.failed, &v.in_flight, &v.ok, &v.fail, &v.pending] {
        assert_eq!(a.len(), v.from.len());
    }
    assert_eq!(sums(&v), history_counts(&s));
    assert_eq!(v.failed[0], 0);
    assert_eq!(*v.failed.last().unwrap(), 1);
    assert!(v.in_flight.iter().any(|&n| n > 0));
    // Looking back, the series still ends at the horizon.
    s.seek(100).unwrap();
    let back = view::series(&s, 40);
    assert_eq!(back.tick, 100);
    assert_eq!(SeriesView { tick: 300, ..back }, v);
    // More buckets than ticks: one per tick.
    let fine = view::series(&s, 10_000);
    assert_eq!(fine.from.len(), 301);
    assert_eq!(view::series(&s, 0).from.len(), 1);
}

#[test]
fn seeks_and_forks_keep_the_series_of_a_fresh_replay() {
    let mut s = played();
    let whole = view::series(&s, 50);
    for t in [0, 250, 17, 300, 123] {
        s.seek(t).unwrap();
        s.step(300 - t);
        assert_eq!(s.samples().all(), played().samples().all(), "seek {t}");
    }
    assert_eq!(view::series(&s, 50), whole);
    // A fork at 150 drops the samples and requests after it.
    s.seek(150).unwrap();
    s.act(Action::Recover(PeerId(3))).unwrap();
    assert_eq!(s.horizon(), 150);
    assert!(s.samples().all().iter().all(|x| x.tick <= 150));
    s.step(80);
    let fresh = Session::from_link(&s.link(), false).unwrap();
    assert_eq!(s.samples().all(), fresh.samples().all());
    assert_eq!(view::series(&s, 50), view::series(&fresh, 50));
    assert_eq!(sums(&view::series(&s, 50)), history_counts(&s));
}
