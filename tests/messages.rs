//! Messages of one request, end to end. Dropping one message in flight by
//! hand: it never arrives, the loss is recorded (traced or not), the share
//! link carries the drop and replays it exactly, and a message that is not
//! in flight is refused by its number. A transaction's message sequence:
//! every request and reply with its fate, traced or derived.

mod common;

use common::op;
use ftkv::view;
use ftkv::OpKind;
use ftkv::PeerId;
use ftkv::{seal, Action, Session, Setup};
use ftkv::{DropReason, EventKind};

/// A settled cluster of 8 peers (seed 5, messages traced or not) in which
/// peer 2 (0-based) has just sent the requests of a create of `k`: the
/// session and the transaction id. The requests are in flight.
fn write_in_flight(trace_messages: bool) -> (Session, u64) {
    let mut s = Session::new(Setup::new(8, 5), trace_messages).unwrap();
    s.step(40);
    let trans = s
        .act(op(2, OpKind::Create, "k", Some("v")))
        .unwrap()
        .unwrap();
    (s, trans)
}

/// The messages of transaction `trans` in flight now, in delivery order:
/// (seq, from, to).
fn in_flight_of(s: &Session, trans: u64) -> Vec<(u64, PeerId, PeerId)> {
    s.sim()
        .network()
        .in_flight()
        .filter(|m| m.msg.trans() == Some(trans))
        .map(|m| (m.seq, m.from, m.to))
        .collect()
}

#[test]
fn a_dropped_request_leaves_its_replica_unanswered_and_the_link_replays_it() {
    for traced in [true, false] {
        let (mut s, trans) = write_in_flight(traced);
        let requests = in_flight_of(&s, trans);
        assert_eq!(requests.len(), 3, "one request per replica");
        let (seq, _, victim) = requests[0];
        s.act(Action::Drop(seq)).unwrap();
        assert_eq!(in_flight_of(&s, trans).len(), 2);
        s.step(20);

        assert_eq!(s.sim().network().stats(victim).dropped, 1);
        let t = view::transaction(&s, trans).unwrap();
        let victim = victim.to_string();
        assert!(t.replies.iter().all(|r| r.address != victim), "{t:?}");
        let row = t.asked.iter().find(|a| a.address == victim).unwrap();
        assert_eq!((row.reply, row.tick), ("none", None));
        assert_eq!(t.replies.len(), 2);
        assert_eq!(t.verdict, Some("quorum reached"), "2 of 3 suffice");
        let lost: Vec<_> = t.messages.iter().filter(|m| m.status == "lost").collect();
        assert_eq!(lost.len(), 1, "{:?}", t.messages);
        assert_eq!(lost[0].seq, Some(seq));
        assert_eq!(
            (lost[0].to.as_str(), lost[0].reason),
            (victim.as_str(), Some("by hand"))
        );
        // The loss is an event whether messages are traced or not.
        let drops = s.log().events().iter().filter(|e| {
            matches!(e.kind, EventKind::Dropped { reason: DropReason::ByHand, seq: Some(q), .. } if q == seq)
        });
        assert_eq!(drops.count(), 1);

        let link = s.link();
        assert!(
            link.contains(&format!("&do=40.create.3.k.v;40.drop.{seq}&")),
            "{link}"
        );
        let again = Session::from_link(&link, traced).unwrap();
        assert_eq!(again.log().events(), s.log().events());
        assert_eq!(
            ftkv::classic::render(again.log().events()),
            ftkv::classic::render(s.log().events())
        );
        assert_eq!(again.link(), link);
        // The other tracing gives the same send order, so the same drop.
        let other = Session::from_link(&link, !traced).unwrap();
        assert_eq!(
            ftkv::classic::render(other.log().events()),
            ftkv::classic::render(s.log().events())
        );
    }
}

#[test]
fn a_message_not_in_flight_is_refused_by_its_number() {
    let (mut s, trans) = write_in_flight(false);
    let err = s.act(Action::Drop(123_456)).unwrap_err();
    assert_eq!(err.to_string(), "no message 123456 is in flight at tick 40");
    let (seq, _, _) = in_flight_of(&s, trans)[0];
    s.step(5);
    let err = s.act(Action::Drop(seq)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no message {seq} is in flight at tick 45"),
        "delivered already"
    );
    assert!(!s.link().contains("drop"), "a refused drop is not recorded");

    let link = seal("v=1&peers=8&seed=5&tick=50&do=40.drop.123");
    let err = Session::from_link(&link, false).unwrap_err().to_string();
    assert_eq!(
        err,
        "share link: action 1 at tick 40: no message 123 is in flight at tick 40"
    );
}

#[test]
fn a_malformed_drop_is_refused_with_a_reason() {
    let cases = [
        ("40.drop", "expected tick.drop.message"),
        ("40.drop.1.2", "expected tick.drop.message"),
        ("40.drop.x", "a message number must be a whole number"),
        ("40.drop.-1", "a message number must be a whole number"),
        ("40.drop.", "a message number must be a whole number"),
        (
            "40.drop.99999999999999999999999",
            "a message number must be a whole number",
        ),
    ];
    for (action, words) in cases {
        let link = seal(&format!("v=1&peers=8&seed=5&tick=50&do={action}"));
        let err = Session::from_link(&link, false).unwrap_err().to_string();
        assert!(err.contains(words), "{action}: {err}");
        assert!(err.contains("action 1"), "{action}: {err}");
    }
}

#[test]
fn a_write_shows_three_requests_and_three_replies_with_their_arrival() {
    let (mut s, trans) = write_in_flight(true);
    let sent = view::transaction(&s, trans).unwrap().messages;
    assert_eq!(sent.len(), 3, "the requests, not the replies yet");
    assert!(sent
        .iter()
        .all(|m| m.status == "in-flight" && m.at.is_none()));
    s.step(10);
    let t = view::transaction(&s, trans).unwrap();
    assert!(t.traced);
    let coordinator = PeerId(2).to_string();
    let (requests, replies) = t.messages.split_at(3);
    let asked: Vec<&str> = t.asked.iter().map(|a| a.address.as_str()).collect();
    for m in requests {
        assert_eq!(
            (m.from.as_str(), m.kind),
            (coordinator.as_str(), "create request")
        );
        assert!(asked.contains(&m.to.as_str()));
        assert_eq!((m.sent, m.status, m.at), (Some(40), "arrived", Some(41)));
    }
    for m in replies {
        assert_eq!((m.to.as_str(), m.kind), (coordinator.as_str(), "reply"));
        assert!(asked.contains(&m.from.as_str()));
        assert_eq!((m.sent, m.status, m.at), (Some(41), "arrived", Some(42)));
    }
    let mut seqs: Vec<u64> = t.messages.iter().map(|m| m.seq.unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "send order: {seqs:?}");
    seqs.dedup();
    assert_eq!(seqs.len(), 6);
    assert!(t.messages.iter().all(|m| m.reason.is_none()));
}

/// A read through peer 2 of the key `k` written by [`write_in_flight`],
/// right after one of its replicas failed: the session, the read's id and
/// the failed replica's address.
fn read_with_a_replica_down(traced: bool) -> (Session, u64, String) {
    let (mut s, created) = write_in_flight(traced);
    s.step(10);
    let replicas = view::transaction(&s, created).unwrap().asked;
    let down = replicas
        .iter()
        .map(|a| PeerId::parse_address(&a.address).unwrap())
        .rfind(|&id| id != PeerId(2))
        .unwrap();
    s.act(Action::Fail(down)).unwrap();
    let read = s.act(op(2, OpKind::Read, "k", None)).unwrap().unwrap();
    s.step(20);
    (s, read, down.to_string())
}

#[test]
fn a_read_shows_its_request_to_a_failed_replica_lost() {
    let (s, read, down) = read_with_a_replica_down(true);
    let t = view::transaction(&s, read).unwrap();
    assert_eq!(t.verdict, Some("quorum reached"));
    let to_down: Vec<_> = t.messages.iter().filter(|m| m.to == down).collect();
    assert_eq!(to_down.len(), 1, "{:?}", t.messages);
    let lost = to_down[0];
    assert_eq!((lost.kind, lost.status), ("read request", "lost"));
    assert_eq!((lost.sent, lost.at), (Some(50), Some(51)));
    assert_eq!(lost.reason, Some("receiver failed"));
    assert!(
        t.messages.iter().all(|m| m.from != down),
        "it never replied"
    );
    assert_eq!(t.messages.len(), 3 + 2, "three requests, two replies");
}

#[test]
fn untraced_messages_are_derived_from_the_transaction() {
    let (mut s, trans) = write_in_flight(false);
    let t = view::transaction(&s, trans).unwrap();
    assert!(!t.traced);
    assert_eq!(t.messages.len(), 3);
    assert!(
        t.messages
            .iter()
            .all(|m| m.status == "in-flight" && m.seq.is_some()),
        "found in the network: {:?}",
        t.messages
    );
    s.step(10);
    let t = view::transaction(&s, trans).unwrap();
    let (requests, replies) = t.messages.split_at(3);
    assert!(requests
        .iter()
        .all(|m| (m.sent, m.status, m.at) == (Some(40), "arrived", Some(41))));
    assert!(replies
        .iter()
        .all(|m| (m.kind, m.sent, m.status, m.at, m.seq)
            == ("reply", Some(41), "unknown", None, None)));

    // A replica down: its request's fate is not known, and it never replied.
    let (s, read, down) = read_with_a_replica_down(false);
    let t = view::transaction(&s, read).unwrap();
    let to_down: Vec<_> = t.messages.iter().filter(|m| m.to == down).collect();
    assert_eq!(to_down.len(), 1);
    assert_eq!((to_down[0].sent, to_down[0].status), (Some(50), "unknown"));
    assert!(t.messages.iter().all(|m| m.from != down));
}
