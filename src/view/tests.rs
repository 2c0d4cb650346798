//! The views' tests, on one small session.

use super::*;
use crate::protocol::address::PeerId;
use crate::protocol::config::{Config, Level};
use crate::protocol::event_text::EventClass;
use crate::protocol::op::OpKind;
use crate::scenario::{Action, Session, Setup};
use crate::torture;

fn session() -> Session {
    let mut session = Session::new(Setup::new(6, 3), false).unwrap();
    session.step(40);
    session
        .request(
            OpKind::Create,
            "k",
            Some("v"),
            Some(PeerId(1)),
            Level::Quorum,
        )
        .unwrap();
    session.step(5);
    session
        .request(OpKind::Read, "k", None, Some(PeerId(2)), Level::Quorum)
        .unwrap();
    session
}

#[test]
fn recent_events_are_the_newest_that_match_newest_first() {
    let s = session();
    let all = events(&s, 0, usize::MAX);
    let newest = |pred: &dyn Fn(&EventRow) -> bool, from: u64, n: usize| -> Vec<usize> {
        let mut rows: Vec<usize> = all
            .iter()
            .filter(|e| e.tick >= from && pred(e))
            .map(|e| e.index)
            .collect();
        rows.reverse();
        rows.truncate(n);
        rows
    };
    let index = |rows: Vec<EventRow>| rows.into_iter().map(|e| e.index).collect::<Vec<_>>();
    assert_eq!(
        index(recent_events(&s, None, EventFilter::All, 0, 7)),
        newest(&|_| true, 0, 7)
    );
    assert_eq!(
        index(recent_events(
            &s,
            Some(PeerId(1)),
            EventFilter::NotMessages,
            0,
            50
        )),
        newest(
            &|e| e.peer == 1 && e.kind != EventClass::Send && e.kind != EventClass::Drop,
            0,
            50
        )
    );
    let joins = index(recent_events(
        &s,
        None,
        EventFilter::Only(EventClass::Join),
        0,
        1000,
    ));
    assert!(!joins.is_empty());
    assert_eq!(joins, newest(&|e| e.kind == EventClass::Join, 0, 1000));
    assert_eq!(
        index(recent_events(&s, None, EventFilter::All, 44, 1000)),
        newest(&|_| true, 44, 1000)
    );
}

#[test]
fn a_key_acknowledged_but_held_by_no_live_peer_counts_as_lost() {
    let mut s = session();
    s.step(5);
    assert_eq!(ring(&s, 0).health.lost, 0);
    let holders = ring(&s, 0).keys[0].holders.clone();
    assert_eq!(holders.len(), 3);
    for &id in &holders {
        s.act(Action::Fail(PeerId(id))).unwrap();
    }
    assert_eq!(ring(&s, 0).health.lost, 1, "no live copy is left");
    for &id in &holders {
        s.act(Action::Recover(PeerId(id))).unwrap();
    }
    s.step(60);
    let h = ring(&s, 0).health;
    assert_eq!((h.keys, h.lost), (1, 0), "the holders came back with it");
    // A delete acknowledged afterwards is no loss.
    s.request(
        OpKind::Create,
        "k2",
        Some("v"),
        Some(PeerId(0)),
        Level::Quorum,
    )
    .unwrap();
    s.step(5);
    s.request(OpKind::Delete, "k2", None, Some(PeerId(0)), Level::Quorum)
        .unwrap();
    s.step(5);
    assert_eq!(ring(&s, 0).health.lost, 0);
}

#[test]
fn the_ring_shows_every_token_of_every_peer() {
    let one = ring(&session(), 0);
    assert_eq!(one.vnodes, 1);
    assert!(one.peers.iter().all(|p| p.tokens == [p.position]));
    let mut setup = Setup::new(6, 3);
    setup.config.vnodes = 8;
    let view = ring(&Session::new(setup, false).unwrap(), 0);
    assert_eq!(view.vnodes, 8);
    for p in &view.peers {
        assert_eq!(p.tokens.len(), 8);
        assert_eq!(p.tokens[0], p.position);
        assert!(p.tokens.iter().all(|t| (0.0..1.0).contains(t)));
    }
}

#[test]
fn settings_name_every_option_and_the_text() {
    let d = settings(&Config::default());
    assert_eq!((d.n, d.r, d.w, d.vnodes), (3, 2, 2, 1));
    assert_eq!((d.read_repair, d.hinted_handoff), ("off", false));
    assert_eq!((d.anti_entropy, d.ae_period), ("digest", 20));
    assert_eq!(d.text, "n=3,r=2,w=2");
    let text = "n=5,r=3,w=3,read-repair=async,vnodes=16,hinted-handoff=on,ae=merkle,ae-period=40";
    let c = settings(&Config::default().with_settings(text).unwrap());
    assert_eq!((c.n, c.r, c.w, c.vnodes), (5, 3, 3, 16));
    assert_eq!((c.read_repair, c.hinted_handoff), ("async", true));
    assert_eq!((c.anti_entropy, c.ae_period), ("merkle", 40));
    assert_eq!(c.text, text);
}

#[test]
fn the_history_has_one_row_per_operation() {
    let mut session = session();
    let rows = history(&session);
    assert_eq!(rows.len(), 2);
    let read = &rows[1];
    assert_eq!(
        (read.op, read.outcome, read.completed),
        ("read", "pending", None)
    );
    session.step(10);
    let rows = history(&session);
    let [create, read] = [&rows[0], &rows[1]];
    assert_eq!(
        (create.op, create.key.as_str(), create.coordinator.as_str()),
        ("create", "k", "2.0.0.0:0")
    );
    assert_eq!((create.outcome, create.reason), ("ok", None));
    assert_eq!(create.invoked, 40);
    assert!(create.completed.is_some_and(|tick| tick > 40));
    assert_eq!(create.value.as_deref(), Some("v"));
    let version = format!("40/{}", create.trans);
    assert_eq!(create.version.as_deref(), Some(version.as_str()));
    assert_eq!((read.outcome, read.value.as_deref()), ("ok", Some("v")));
    assert_eq!(read.version, create.version, "the read names the write");
    assert!(!create.indeterminate && !read.indeterminate);
}

#[test]
fn a_write_without_a_decision_is_indeterminate() {
    let mut session = session();
    session
        .request(
            OpKind::Update,
            "k",
            Some("w"),
            Some(PeerId(4)),
            Level::Quorum,
        )
        .unwrap();
    session.act(Action::Fail(PeerId(4))).unwrap();
    session.step(20);
    let update = &history(&session)[2];
    assert_eq!((update.outcome, update.completed), ("pending", None));
    assert!(update.indeterminate);
}

#[test]
fn a_clean_run_checks_clean() {
    let mut session = session();
    session.step(torture::QUIET);
    let view = check(&session);
    assert_eq!(view.keys.len(), 1);
    assert_eq!((view.keys[0].key.as_str(), view.keys[0].ops), ("k", 2));
    assert_eq!(view.keys[0].verdict.word(), "linearizable");
    assert!(view.findings.is_empty(), "{:?}", view.findings);
    assert!(view.anomalies.iter().all(|(_, count)| count == 0));
    assert!(view.must_be_zero.is_empty());
    assert!(view.end_checked, "no fault, quiet for long enough");
}

#[test]
fn a_fault_leaves_the_end_unchecked_until_quiet() {
    let mut session = session();
    session
        .act(Action::Partition(vec![PeerId(0), PeerId(1)]))
        .unwrap();
    session.step(10);
    assert!(!check(&session).end_checked, "the network is cut");
    session.act(Action::Heal).unwrap();
    session.step(torture::QUIET);
    assert!(check(&session).end_checked);
}

#[test]
fn the_ring_shows_each_side_of_a_partition() {
    let mut session = session();
    let whole = ring(&session, 0);
    assert!(!whole.health.partitioned);
    assert_eq!(whole.health.sides, 1);
    assert!(whole.peers.iter().all(|p| p.side.is_none()));

    session.act(Action::Partition(vec![PeerId(3)])).unwrap();
    let cut = ring(&session, 0);
    assert!(cut.health.partitioned);
    assert_eq!(cut.health.sides, 2);
    let sides: Vec<Option<u16>> = cut.peers.iter().map(|p| p.side).collect();
    let (a, b) = (Some(0), Some(1));
    assert_eq!(sides, [a, a, a, b, a, a]);

    // A second cut splits the larger side again: three sides.
    session
        .act(Action::Partition(vec![PeerId(0), PeerId(1)]))
        .unwrap();
    let three = ring(&session, 0);
    assert_eq!(three.health.sides, 3);
    let sides: Vec<Option<u16>> = three.peers.iter().map(|p| p.side).collect();
    assert_eq!(sides, [a, a, b, Some(2), b, b]);

    session.act(Action::Heal).unwrap();
    let healed = ring(&session, 0);
    assert!(!healed.health.partitioned);
    assert!(healed.peers.iter().all(|p| p.side.is_none()));
}

#[test]
fn links_lists_the_rules_until_heal() {
    let mut s = session();
    assert_eq!(
        links(&s),
        LinksView {
            loss: 0,
            links: vec![]
        }
    );
    // The last one sets a rule back to the default: no rule.
    for action in [
        Action::Loss {
            link: None,
            percent: 20,
        },
        Action::Loss {
            link: Some((PeerId(2), PeerId(0))),
            percent: 30,
        },
        Action::Delay {
            from: PeerId(0),
            to: PeerId(1),
            ticks: 7,
        },
        Action::Loss {
            link: Some((PeerId(3), PeerId(4))),
            percent: 0,
        },
    ] {
        s.act(action).unwrap();
    }
    let row = |from: u32, to: u32, loss, delay| LinkRow {
        from: PeerId(from).to_string(),
        to: PeerId(to).to_string(),
        loss,
        delay,
    };
    assert_eq!(
        links(&s),
        LinksView {
            loss: 20,
            links: vec![row(0, 1, 0, 7), row(2, 0, 30, 1)],
        }
    );
    let same = s.act(Action::Delay {
        from: PeerId(1),
        to: PeerId(1),
        ticks: 3,
    });
    assert!(same
        .unwrap_err()
        .to_string()
        .contains("two different peers"));
    s.act(Action::Heal).unwrap();
    assert_eq!(
        links(&s),
        LinksView {
            loss: 0,
            links: vec![]
        }
    );
}
