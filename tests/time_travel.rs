//! Time travel: seeking any tick of a run shows exactly what a fresh replay
//! of its link cut at that tick shows; seeking back and forward again
//! restores the run; acting in the past forks, and the fork's link replays.

mod common;

use common::op;
use ftkv::torture::{self, Profile};
use ftkv::view;
use ftkv::Config;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::SimRng;
use ftkv::{Action, Session, Setup, Timed};

/// A torture run of `profile` (faults and client requests), played with
/// every message traced when `trace` says so.
fn tortured(profile: Profile, seed: u64, trace: bool) -> Session {
    let (setup, actions, end) = torture::plan(&Config::default(), profile, seed);
    let session = torture::play(&setup, &actions, end);
    match trace {
        true => Session::from_link(&session.link(), true).unwrap(),
        false => session,
    }
}

/// Asserts that `s` shows what `fresh` shows: the same tick, events,
/// `dbg.log`, history, grade, check, ring, peers and link.
fn same_state(s: &Session, fresh: &Session, what: &str) {
    assert_eq!(s.sim().now(), fresh.sim().now(), "{what}");
    assert_eq!(s.log().events(), fresh.log().events(), "{what}");
    assert_eq!(
        ftkv::classic::render(s.log().events()),
        ftkv::classic::render(fresh.log().events()),
        "{what}"
    );
    assert_eq!(s.history(), fresh.history(), "{what}");
    assert_eq!(s.grade(), fresh.grade(), "{what}");
    assert_eq!(s.actions(), fresh.actions(), "{what}");
    assert_eq!(
        view::ring(s, usize::MAX),
        view::ring(fresh, usize::MAX),
        "{what}"
    );
    assert_eq!(view::check(s), view::check(fresh), "{what}");
    for id in (0..s.setup().peers).map(PeerId) {
        assert_eq!(view::peer(s, id), view::peer(fresh, id), "{what} {id}");
    }
    let trans = s.history().ops.iter().map(|o| o.trans);
    for t in trans {
        assert_eq!(
            view::transaction(s, t),
            view::transaction(fresh, t),
            "{what}"
        );
    }
    assert_eq!(s.link(), fresh.link(), "{what}");
}

/// The ticks to visit: the ends, both sides of every checkpoint, and
/// random ones, in an order that goes back and forth.
fn sample(s: &Session, seed: u64, random: u32) -> Vec<u64> {
    let horizon = s.horizon();
    let mut ticks = vec![horizon / 2, 0, horizon, 1, horizon - 1];
    for c in s.timeline().ticks().skip(1) {
        ticks.extend([c + 1, c, c - 1]);
    }
    let mut rng = SimRng::new(seed, 7);
    for _ in 0..random {
        ticks.push(u64::from(rng.below(horizon as u32 + 1)));
    }
    ticks.retain(|&t| t <= horizon);
    ticks
}

/// Checks every sampled tick of `s` against the link cut there, then
/// that seeking to the horizon gives back the run as it was.
fn seeks_match_fresh_replays(mut s: Session, seed: u64, random: u32, trace: bool) {
    let whole = s.clone();
    let horizon = s.horizon();
    assert_eq!(horizon, whole.sim().now());
    for t in sample(&s, seed, random) {
        s.seek(t).unwrap();
        let what = format!("seed {seed} tick {t}");
        assert_eq!(s.sim().now(), t, "{what}");
        assert_eq!(s.horizon(), horizon, "looking back moves no horizon");
        let kept: Vec<Timed> = whole
            .actions()
            .iter()
            .filter(|a| a.tick <= t)
            .cloned()
            .collect();
        assert_eq!(s.actions(), &kept[..], "{what}: the actions up to and at t");
        assert!(s.link().contains(&format!("&tick={t}")), "{what}");
        let fresh = Session::from_link(&s.link(), trace).unwrap();
        same_state(&s, &fresh, &what);
    }
    s.seek(horizon).unwrap();
    same_state(&s, &whole, &format!("seed {seed} back at the horizon"));
}

#[test]
fn seeking_shows_what_the_link_cut_there_replays_under_faults_and_requests() {
    for (i, profile) in Profile::ALL.into_iter().enumerate() {
        for seed in [0, 1 + i as u64 * 10] {
            let s = tortured(profile, seed, false);
            assert!(s.horizon() > 300, "a run long enough for checkpoints");
            seeks_match_fresh_replays(s, seed, 6, false);
        }
    }
}

#[test]
fn seeking_a_traced_run_shows_the_traced_events_of_that_tick() {
    let s = tortured(Profile::ALL[0], 5, true);
    seeks_match_fresh_replays(s, 5, 8, true);
}

#[test]
fn seeking_a_preset_shows_its_grade_then_and_its_driver_goes_on_alike() {
    for (name, seed) in [("read", 3), ("multifailure", 4), ("update", 11)] {
        let mut s = Session::new(Setup::preset(name, seed).unwrap(), false).unwrap();
        s.step(150);
        let alive = s.sim().alive_peers();
        s.act(op(alive[0].0, OpKind::Create, "mine", Some("v")))
            .unwrap();
        s.step(400);
        let alive = s.sim().alive_peers();
        s.act(Action::Fail(alive[alive.len() - 1])).unwrap();
        s.step(500);
        assert_eq!(s.horizon(), 700, "a preset ends at 700 ticks");
        assert!(s.grade().unwrap().points() > 0);
        seeks_match_fresh_replays(s, seed, 6, false);
    }
}

#[test]
fn stepping_in_the_past_replays_the_recorded_future_without_forking() {
    let whole = tortured(Profile::ALL[1], 2, false);
    let mut s = whole.clone();
    let horizon = s.horizon();
    s.seek(horizon / 3).unwrap();
    while s.sim().now() < horizon {
        let before = s.sim().now();
        assert_eq!(s.step(37.min(horizon - before)), 37.min(horizon - before));
        assert_eq!(s.horizon(), horizon);
    }
    same_state(&s, &whole, "stepped to the horizon");
    // Past the horizon the run goes on as it would have.
    let (mut a, mut b) = (s, whole);
    a.step(50);
    b.step(50);
    assert_eq!(a.horizon(), horizon + 50);
    same_state(&a, &b, "past the horizon");
}

#[test]
fn acting_in_the_past_forks_and_the_fork_replays_from_its_link() {
    for seed in [3, 8] {
        let whole = tortured(Profile::ALL[2], seed, false);
        let mut s = whole.clone();
        let t = whole.horizon() / 2;
        s.seek(t).unwrap();
        let kept = s.actions().to_vec();
        assert!(
            kept.len() < whole.actions().len(),
            "there is a future to drop"
        );
        let alive = s.sim().alive_peers()[0];
        let trans = s
            .act(op(alive.0, OpKind::Create, "forked", Some("yes")))
            .unwrap()
            .unwrap();
        assert_eq!(s.horizon(), t, "the fork is the new horizon");
        assert_eq!(&s.actions()[..kept.len()], &kept[..]);
        assert_eq!(s.actions().len(), kept.len() + 1);
        let link = s.link();
        let new = link.split("&do=").nth(1).unwrap();
        assert!(
            new.contains(&format!("{t}.create.{}.forked.yes&sum=", alive.0 + 1)),
            "the new action is the last one: {new}"
        );
        assert!(
            s.seek(t + 1)
                .unwrap_err()
                .to_string()
                .contains("past the furthest tick"),
            "the old future is gone"
        );
        s.step(120);
        let fresh = Session::from_link(&s.link(), false).unwrap();
        same_state(&s, &fresh, &format!("seed {seed}: the fork replays"));
        assert!(s.log().transaction(trans).count() >= 2);
        // The fork can be travelled like any run.
        seeks_match_fresh_replays(s, seed, 4, false);
    }
}

#[test]
fn a_failed_action_in_the_past_forks_nothing() {
    let whole = tortured(Profile::ALL[0], 4, false);
    let mut s = whole.clone();
    s.seek(whole.horizon() / 2).unwrap();
    let alive = s.sim().alive_peers()[0];
    assert!(s.act(Action::Recover(alive)).is_err(), "it has not failed");
    assert!(s.act(op(alive.0, OpKind::Create, "", Some("v"))).is_err());
    assert_eq!(s.horizon(), whole.horizon());
    s.seek(whole.horizon()).unwrap();
    same_state(&s, &whole, "the future is still there");
}

#[test]
fn seeking_past_the_horizon_is_refused_and_changes_nothing() {
    let mut s = Session::new(Setup::new(6, 1), false).unwrap();
    s.step(250);
    let link = s.link();
    let e = s.seek(251).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tick 251 is past the furthest tick reached, 250"
    );
    assert_eq!(s.link(), link);
    s.seek(0).unwrap();
    assert!(s.log().is_empty() && s.history().ops.is_empty());
    assert_eq!(s.sim().now(), 0);
}

#[test]
fn checkpoints_stay_within_their_bound_on_a_long_run() {
    let mut s = Session::new(Setup::new(5, 2), false).unwrap();
    s.step(20_000);
    let ticks: Vec<u64> = s.timeline().ticks().collect();
    assert!(
        ticks.len() <= ftkv::checkpoint_capacity(5),
        "{}",
        ticks.len()
    );
    let every = s.timeline().every();
    assert!(ticks.windows(2).all(|w| w[1] - w[0] == every));
    assert!(20_000 - ticks[ticks.len() - 1] < every);
    s.seek(19_999).unwrap();
    let fresh = Session::from_link(&s.link(), false).unwrap();
    same_state(&s, &fresh, "late in a long run");
}
