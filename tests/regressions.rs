//! Every bug the Jepsen-style tester found (issue 6), as a run that
//! replays it — the share links it was reported with, or a scenario built
//! for it — asserting the correct outcome and a clean check.

mod common;

use std::rc::Rc;

use ftkv::check::{Completion, HistOp, Reason};
use ftkv::torture;
use ftkv::Message;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::Ring;
use ftkv::{Action, Session, Setup};
use ftkv::{Network, Sent};
use ftkv::{Sim, SimOptions};

use common::op;

/// Replays `link` and returns its session and history.
fn replay(link: &str) -> (Session, Vec<HistOp>) {
    let session = Session::from_link(link, false).unwrap();
    let ops = ftkv::check::history(session.log().events()).ops;
    (session, ops)
}

/// Asserts the session shows no anomaly its faults' rules forbid.
fn clean(session: &Session) {
    let report = torture::check_session(session);
    let bad = torture::violations(torture::rules_for(session), &report.anomalies);
    assert!(bad.is_empty(), "{bad:?}: {:#?}", report.findings);
}

#[test]
fn an_acknowledged_delete_stays_deleted() {
    for link in [
        "v=1&peers=9&seed=11&tick=187&do=128.create.4.k3.v18;148.fail.6;169.recover.6;172.delete.9.k3;182.read.1.k3&sum=1989086b",
        "v=1&peers=8&seed=388&tick=180&do=63.fail.5;65.create.4.k4.v8;147.fail.8;168.delete.2.k4;175.read.2.k4&sum=38d1c482",
        "v=1&peers=9&seed=20&tick=359&do=49.create.2.k4.v5;268.fail.9;280.fail.5;288.recover.5;289.update.3.k4.v64;290.delete.2.k4;354.read.6.k4&sum=af5610e4",
        // A replica cut off (then crashed) for longer than the tombstone
        // grace: the others keep the tombstone until it returns.
        "v=1&peers=8&seed=5&tick=920&do=97.create.7.k0.v21;100.part.6;103.delete.4.k0;655.heal;910.read.1.k0&sum=1b464e45",
        "v=1&peers=9&seed=7&tick=760&do=70.create.6.k1.v9;99.part.7;100.delete.9.k1;130.fail.7;135.heal;425.recover.7;750.read.1.k1&sum=cd9fd2c8",
    ] {
        let (session, ops) = replay(link);
        let delete = ops.iter().find(|o| o.op == OpKind::Delete).unwrap();
        assert_eq!(delete.completion, Completion::Ok, "{link}");
        let read = ops.last().unwrap();
        assert_eq!(read.op, OpKind::Read);
        assert_eq!(
            read.completion,
            Completion::Fail(Reason::NotFound),
            "{link}: the deleted key came back as {:?}",
            read.value
        );
        clean(&session);
    }
}

#[test]
fn a_late_delete_does_not_erase_a_later_acknowledged_write() {
    let mut s = Session::new(Setup::new(8, 5), false).unwrap();
    s.step(40);
    s.act(op(0, OpKind::Create, "k", Some("v1"))).unwrap();
    s.step(5);
    let ring: Ring = (0..8).map(PeerId).collect();
    let replicas = ring.replicas("k").as_slice().to_vec();
    let outsider = (0..8).map(PeerId).find(|p| !replicas.contains(p)).unwrap();
    for &r in &replicas {
        s.act(Action::Delay {
            from: outsider,
            to: r,
            ticks: 30,
        })
        .unwrap();
    }
    s.act(op(outsider.0, OpKind::Delete, "k", None)).unwrap();
    s.step(1);
    s.act(Action::Heal).unwrap();
    s.step(3);
    let writer = (0..8).map(PeerId).find(|&p| p != outsider).unwrap();
    s.act(op(writer.0, OpKind::Update, "k", Some("v2")))
        .unwrap();
    s.step(40);
    // The delete arrived after the update was acknowledged; now lose a
    // replica: the update must survive on the others.
    s.act(Action::Fail(replicas[0])).unwrap();
    s.step(30);
    s.act(op(writer.0, OpKind::Read, "k", None)).unwrap();
    s.step(20);
    let ops = ftkv::check::history(s.log().events()).ops;
    let update = &ops[2];
    assert!(update.op == OpKind::Update && update.completion == Completion::Ok);
    let read = ops.last().unwrap();
    assert_eq!(read.completion, Completion::Ok, "{}", s.link());
    assert_eq!(read.value.as_deref(), Some("v2"), "{}", s.link());
    // The link replays it.
    let (again, _) = replay(&s.link());
    assert_eq!(again.log().events(), s.log().events());
}

#[test]
fn a_create_refused_because_the_key_exists_changes_nothing() {
    let (session, ops) = replay(
        "v=1&peers=11&seed=92&tick=197&do=123.create.10.k0.v28;172.fail.3;175.recover.3;177.create.10.k0.v42;192.read.7.k0&sum=d822a0ee",
    );
    assert_eq!(ops[1].completion, Completion::Fail(Reason::Exists));
    assert_eq!(ops[2].completion, Completion::Ok);
    assert_eq!(ops[2].value.as_deref(), Some("v28"));
    clean(&session);
}

#[test]
fn a_create_whose_message_to_one_replica_is_lost_heals_to_three_copies() {
    let mut s = Session::new(Setup::new(7, 9), false).unwrap();
    s.step(40);
    let ring: Ring = (0..7).map(PeerId).collect();
    let replicas = ring.replicas("k").as_slice().to_vec();
    let coordinator = (0..7).map(PeerId).find(|p| !replicas.contains(p)).unwrap();
    s.act(Action::Loss {
        link: Some((coordinator, replicas[2])),
        percent: 100,
    })
    .unwrap();
    s.act(op(coordinator.0, OpKind::Create, "k", Some("v")))
        .unwrap();
    s.step(1);
    s.act(Action::Heal).unwrap();
    s.step(torture::QUIET);
    let ops = ftkv::check::history(s.log().events()).ops;
    assert_eq!(ops[0].completion, Completion::Ok);
    for &r in &replicas {
        let held = s.sim().peer(r).unwrap().store().get("k").cloned();
        assert_eq!(
            held.and_then(|h| h.value).as_deref(),
            Some("v"),
            "replica {r} was never repaired"
        );
    }
    let report = torture::check_session(&s);
    assert_eq!(report.anomalies.under_replicated_end, 0);
    assert_eq!(report.anomalies.divergent_end, 0);
}

#[test]
fn recovering_peers_do_not_form_an_island() {
    let (session, ops) = replay(
        "v=1&peers=8&seed=407&tick=177&do=45.create.3.k0.v1;66.fail.1;87.recover.1;139.fail.2;149.fail.1;157.recover.2;160.recover.1;172.read.2.k0&sum=d701dadd",
    );
    let read = ops.last().unwrap();
    assert_eq!(read.completion, Completion::Ok);
    assert_eq!(read.value.as_deref(), Some("v1"));
    // Everybody is in one group: every live peer lists all 8.
    for id in session.sim().alive_peers() {
        let members = session.sim().peer(id).unwrap().membership().ids().len();
        assert_eq!(members, 8, "{id} sees {members} members");
    }
}

#[test]
fn a_partition_shorter_than_the_removal_timeout_removes_no_live_peer() {
    let mut removed = 0;
    for seed in 0..40 {
        for length in [8, 12, 15] {
            let mut s = Session::new(Setup::new(10, seed), false).unwrap();
            s.step(60);
            s.act(Action::Partition((0..5).map(PeerId).collect()))
                .unwrap();
            s.step(length);
            s.act(Action::Heal).unwrap();
            s.step(60);
            removed += ftkv::check::live_peers_removed(s.log().events()).len();
        }
    }
    assert_eq!(removed, 0);
}

#[test]
fn looking_at_the_network_ahead_of_time_breaks_nothing() {
    let mut network = Network::new(6, 1);
    assert!(network.pop_due(500).is_none(), "nothing in flight yet");
    let gossip = Message::Gossip {
        members: Rc::default(),
    };
    assert!(matches!(
        network.send(0, PeerId(1), PeerId(2), gossip),
        Sent::Queued { deliver_at: 1, .. }
    ));
    assert!(network.pop_due(1).is_some(), "a look ahead loses nothing");
    let mut sim = Sim::new(SimOptions::new(6, 1)).unwrap();
    sim.run(40);
    for id in sim.alive_peers() {
        assert_eq!(sim.peer(id).unwrap().membership().ids().len(), 6);
    }
}

// Issue 16: what an independent Jepsen-style tester still found.

/// The last operation of `ops` on `key`, which must be a read.
fn final_read<'a>(ops: &'a [HistOp], key: &str) -> &'a HistOp {
    let read = ops.iter().rev().find(|o| o.key == key).unwrap();
    assert_eq!(read.op, OpKind::Read);
    read
}

#[test]
fn a_refused_create_does_not_replace_the_acknowledged_value() {
    // k0 = v77 is acknowledged; two replicas fail, and a new replica that
    // stabilization has not reached yet performs the create of v91 that
    // the holders refuse. Its coordinator undoes it.
    let link = "v=1&peers=8&seed=2008&tick=690&do=339.create.7.k0.v77;341.fail.6;394.fail.5;415.create.4.k0.v91;455.recover.5;455.recover.6;685.read.5.k0&sum=5e0c84cc";
    let (session, ops) = replay(link);
    let refused = ops
        .iter()
        .find(|o| o.value.as_deref() == Some("v91"))
        .unwrap();
    assert!(
        matches!(
            refused.completion,
            Completion::Fail(Reason::NoQuorum | Reason::Timeout)
        ),
        "{refused:?}"
    );
    let read = final_read(&ops, "k0");
    assert_eq!(
        (&read.completion, read.value.as_deref()),
        (&Completion::Ok, Some("v77"))
    );
    // Every replica of k0 holds the acknowledged value again.
    let holders: Vec<PeerId> = (0..8)
        .map(PeerId)
        .filter(|&id| {
            let copy = session
                .sim()
                .peer(id)
                .and_then(|p| p.store().get("k0").cloned());
            assert!(copy
                .as_ref()
                .is_none_or(|c| c.value.as_deref() == Some("v77")));
            copy.is_some()
        })
        .collect();
    assert!(holders.len() >= 3, "{holders:?}");
    clean(&session);
}

#[test]
fn a_stand_in_that_holds_nothing_does_not_hide_an_acknowledged_create() {
    // No fault at all: a gap in gossip makes the reading coordinator
    // suspect two live homes. Their stand-ins hold nothing; their
    // not-founds no longer fill R, and the homes are asked too.
    let link =
        "v=1&peers=11&seed=1456&hh=on&tick=62&do=49.create.11.k4.v5;57.read.10.k4&sum=6e2f7637";
    let (session, ops) = replay(link);
    let read = final_read(&ops, "k4");
    assert_eq!(
        (&read.completion, read.value.as_deref()),
        (&Completion::Ok, Some("v5"))
    );
    let report = torture::check_session(&session);
    let found: Vec<_> = report.anomalies.iter().filter(|&(_, n)| n > 0).collect();
    assert!(found.is_empty(), "{found:?}: {:#?}", report.findings);
}
