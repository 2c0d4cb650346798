//! A preset explains itself: its guide follows the driver's schedule and
//! names the key the grader checks, each grade check's window closes at a
//! known tick, and a finished preset goes on as a free run that its share
//! link replays.

use ftkv::classic::{self, STEP_TICKS, TICKS};
use ftkv::view;
use ftkv::EventKind;
use ftkv::Level;
use ftkv::OpKind;
use ftkv::{Session, Setup};

fn preset(name: &str, seed: u64) -> Session {
    Session::new(Setup::preset(name, seed).unwrap(), false).unwrap()
}

/// The ticks at which the driver acts in a run of `name`: its operations
/// and failures.
fn acting_ticks(s: &Session) -> Vec<u64> {
    let mut ticks: Vec<u64> = s
        .log()
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Operation { .. } | EventKind::Failed))
        .map(|e| e.tick)
        .collect();
    ticks.dedup();
    ticks
}

#[test]
fn the_guide_follows_the_schedule_and_names_the_graded_key() {
    for name in classic::CASES {
        for seed in 1..=3 {
            let mut s = preset(name, seed);
            let before = view::guide(&s).unwrap();
            assert_eq!(before.next, Some(0), "{name}: nothing happened yet");
            s.step(TICKS);
            let g = view::guide(&s).unwrap();
            assert_eq!(g.test, name);
            assert!(g.finished && g.next.is_none() && !g.continues_freely);
            assert_eq!(
                g.keys, before.keys,
                "{name}: the keys are known from tick 0"
            );
            assert_eq!(g.steps.last().unwrap().tick, TICKS);
            for step in &g.steps {
                assert!(step.caption.starts_with(&format!("tick {}: ", step.tick)));
                assert!(step.caption.len() > 12 && !step.expect.is_empty());
                assert!(!step.caption.contains(". ") && !step.expect.contains(". "));
            }
            assert!(g.steps.windows(2).all(|w| w[0].tick <= w[1].tick));
            // Every tick the driver acted at is a step of the guide.
            let steps: Vec<u64> = g.steps.iter().map(|s| s.tick).collect();
            for tick in acting_ticks(&s) {
                assert!(steps.contains(&tick), "{name} seed {seed}: tick {tick}");
            }
            // Every check is decided by some step.
            let grade = view::grade(&s).unwrap();
            for check in &grade.checks {
                assert!(
                    g.steps.iter().any(|st| st.checks.contains(&check.name)),
                    "{name}: {}",
                    check.name
                );
            }
            if matches!(name, "read" | "update") {
                let op = if name == "read" {
                    OpKind::Read
                } else {
                    OpKind::Update
                };
                let graded = s
                    .log()
                    .events()
                    .iter()
                    .find_map(|e| match &e.kind {
                        EventKind::Operation { op: o, key, .. }
                            if *o == op && key != classic::INVALID_KEY =>
                        {
                            Some(key.clone())
                        }
                        _ => None,
                    })
                    .unwrap();
                assert_eq!(g.keys, [graded.clone(), classic::INVALID_KEY.to_owned()]);
                assert!(grade.checks[0].detail.contains(&graded));
                let key_steps: Vec<u64> = g.steps[1..6].iter().map(|s| s.tick).collect();
                assert_eq!(key_steps, STEP_TICKS);
                // The failed peers are named once the run chose them.
                let failed = s.preset().unwrap().failures();
                let at = |t: u64| failed.iter().filter(move |f| f.0 == t);
                for (step, tick) in [(2, 175), (3, 225), (5, 285)] {
                    assert!(at(tick).count() > 0);
                    for (_, peer) in at(tick) {
                        assert!(g.steps[step].caption.contains(&peer.to_string()));
                    }
                    assert!(!before.steps[step].caption.contains(".0.0.0:0"));
                }
                assert!(g.steps[3]
                    .caption
                    .contains(&format!("two replicas of {graded} fail")));
                assert!(g.steps[3].expect.contains("must fail"));
            }
        }
    }
}

#[test]
fn next_points_at_the_step_of_the_shown_tick_until_it_ran() {
    let mut s = preset("read", 4);
    s.step(175);
    let g = view::guide(&s).unwrap();
    assert_eq!(g.steps[g.next.unwrap()].tick, 175);
    s.step(1);
    let g = view::guide(&s).unwrap();
    assert_eq!(g.steps[g.next.unwrap()].tick, 225);
    assert!(view::guide(&Session::new(Setup::new(5, 1), false).unwrap()).is_none());
}

#[test]
fn a_checks_window_closes_exactly_at_its_end() {
    for name in classic::CASES {
        let mut s = preset(name, 2);
        let ends: Vec<u64> = view::grade(&s)
            .unwrap()
            .checks
            .iter()
            .map(|c| c.closes_at)
            .collect();
        for &end in &ends {
            s.seek(0).ok();
            s.step(end - 1 - s.sim().now());
            let open = view::grade(&s).unwrap();
            s.step(1);
            let closed = view::grade(&s).unwrap();
            for (i, &e) in ends.iter().enumerate() {
                assert_eq!(open.checks[i].closed, e < end, "{name} check {i}");
                assert_eq!(closed.checks[i].closed, e <= end, "{name} check {i}");
            }
            let settled: u32 = closed
                .checks
                .iter()
                .filter(|c| c.closed)
                .map(|c| c.points)
                .sum();
            assert_eq!(closed.settled, settled);
        }
        let end = view::grade(&s).unwrap();
        assert!(end.finished);
        assert_eq!((end.settled, end.settled_max), (end.points, end.max));
        assert_eq!(end.points, end.max, "{name}: full points");
    }
    let mut s = preset("update", 5);
    s.step(176);
    let g = view::grade(&s).unwrap();
    assert!(g.checks[0].closed && !g.checks[1].closed);
    assert_eq!((g.settled, g.settled_max), (3, 3));
}

#[test]
fn a_finished_preset_continues_freely_and_its_link_replays_it() {
    let mut s = preset("read", 3);
    s.step(500);
    let err = s.continue_free().unwrap_err();
    assert!(err.to_string().contains("tick 700"), "{err}");
    s.step(1_000);
    assert_eq!(s.sim().now(), TICKS, "a preset stops at its end");
    assert_eq!(s.step(5), 0);
    let grade_at_end = view::grade(&s).unwrap();
    s.continue_free().unwrap();
    assert!(view::grade(&s).unwrap().continues_freely);
    assert!(view::guide(&s).unwrap().continues_freely);
    let key = s.preset().unwrap().keys().keys().next().unwrap().clone();
    let trans = s
        .request(OpKind::Read, &key, None, None, Level::Quorum)
        .unwrap();
    assert_eq!(s.step(30), 30, "the run goes on past the preset's end");
    let row = view::history(&s)
        .into_iter()
        .find(|r| r.trans == trans)
        .unwrap();
    assert_eq!(row.outcome, "ok", "{row:?}");
    let g = view::grade(&s).unwrap();
    assert_eq!(g.checks, grade_at_end.checks, "the grade is the preset's");
    let link = s.link();
    assert!(link.contains("&free=700"), "{link}");
    let fresh = Session::from_link(&link, false).unwrap();
    assert_eq!(
        ftkv::classic::render(fresh.log().events()),
        ftkv::classic::render(s.log().events())
    );
    assert_eq!(fresh.link(), link);
    // Looking back before the end shows no free run; acting there forks it away.
    s.seek(650).unwrap();
    assert!(!s.link().contains("free="));
    s.seek(720).unwrap();
    assert!(s.link().contains("&free=700"));
    s.seek(600).unwrap();
    s.act(ftkv::Action::Heal).unwrap();
    s.step(200);
    assert_eq!(s.sim().now(), TICKS);
    assert!(s.continue_free().is_ok());
}

#[test]
fn free_in_a_link_is_checked() {
    let mut s = preset("create", 1);
    s.step(TICKS);
    s.continue_free().unwrap();
    s.step(10);
    let body = s.link();
    let body = body.rsplit_once("&sum=").unwrap().0;
    let bad = [
        (
            body.replace("free=700", "free=600"),
            "from its end, tick 700",
        ),
        (
            body.replace("free=700", "free=x"),
            "free must be a whole number",
        ),
        (
            body.replace("&preset=create", ""),
            "free= continues a preset",
        ),
        (
            body.replace("tick=710", "tick=650"),
            "free=700 is after the link's tick 650",
        ),
        (body.replace("&free=700", ""), "past the longest replay"),
        (format!("{body}&free=700"), "appears twice"),
    ];
    for (text, want) in bad {
        let err = Session::from_link(&ftkv::seal(&text), false).unwrap_err();
        assert!(err.to_string().contains(want), "{text}: {err}");
    }
    let mut plain = Session::new(Setup::new(4, 1), false).unwrap();
    assert!(plain
        .continue_free()
        .unwrap_err()
        .to_string()
        .contains("only a preset"));
}

#[test]
fn a_finished_preset_refuses_requests_until_it_continues_freely() {
    let mut s = preset("read", 4);
    s.step(TICKS);
    let err = s
        .request(OpKind::Read, "k", None, None, Level::Quorum)
        .unwrap_err();
    assert!(
        err.to_string().contains("the preset is over at tick 700"),
        "{err}"
    );
    s.continue_free().unwrap();
    s.request(OpKind::Read, "k", None, None, Level::Quorum)
        .unwrap();
}

#[test]
fn a_preset_runs_only_the_classic_settings() {
    let mut setup = Setup::preset("read", 4).unwrap();
    setup.config.replication = ftkv::Replication { n: 5, r: 3, w: 3 };
    let err = Session::new(setup, false).unwrap_err();
    assert!(
        err.to_string()
            .contains("a preset runs the classic settings (n=3,r=2,w=2)"),
        "{err}"
    );
    assert!(err.to_string().contains("n=5,r=3,w=3"), "{err}");
    let link = ftkv::seal("v=1&peers=10&seed=4&preset=read&rep=5.3.3&tick=0");
    assert!(Session::from_link(&link, false).is_err());
}
