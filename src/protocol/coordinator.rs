//! The client side of CRUD: a coordinator sends each request to the key's
//! replicas, counts the replies, and decides once.
//!
//! A read decides on the first R answers, found or not: it returns the
//! newest entry among them, and a tombstone newer than any value means the
//! key is deleted. A write succeeds on W successful replies.
//! It fails for a precondition (`exists`, `not-found`) only when every
//! replica asked refused it — then it changed nothing anywhere; if some
//! replica performed it while too many refused, it fails `no-quorum`, and
//! after `op_timeout` ticks without a decision `timeout`: both may have
//! taken effect (indeterminate). A request may ask for another
//! consistency [`Level`] than R or W: one replica, or all N.
//!
//! Read repair ([`ReadRepair`]): after its decision a read keeps listening
//! to the replicas it asked and writes the newest entry back to each one
//! that answered with an older entry or none. `Blocking` read repair
//! decides only once W replicas hold the entry it returns, so every later
//! quorum read sees it or something newer.
//!
//! Undo: a create or update is conditional, and each replica checks its
//! condition alone, so a replica that lacks a key (one stabilization has
//! not reached yet) may perform a create that the replicas holding the key
//! refuse. When such a write fails (`no-quorum`, `timeout`) after some
//! replica performed it, its coordinator puts back, on every replica that
//! answered, what the replicas held before it — the newest entry any of
//! them answered with — stamped
//! [`Version::undoing`] the write: newer than the write, so it wins over it
//! wherever the two meet, and older than every later write. A refused or
//! failed conditional write so never wins over what existed before it (if
//! its coordinator lives to decide; one that crashes first leaves an
//! indeterminate write, which may take effect).
//!
//! Hinted handoff (a sloppy quorum): a coordinator may stand substitutes
//! in for home replicas it suspects, and asks the homes all the same (a
//! suspected home may only be slow to gossip). A read asks the substitutes
//! at once, and a substitute's not-found does not count toward R (Riak's
//! `notfound_ok = false` for stand-ins: a stand-in that holds nothing knows
//! nothing); a write asks them only once a home replica has performed it,
//! so that a write every home refused (a create of an existing key, say)
//! leaves no hint behind. A substitute's acknowledgement counts toward W
//! like a home's.

use std::collections::BTreeMap;

use crate::protocol::address::PeerId;
use crate::protocol::config::{Level, ReadRepair, Replication};
use crate::protocol::event::EventKind;
use crate::protocol::message::{Message, Request, Stored};
use crate::protocol::op::{OpKind, Reason, Version};
use crate::protocol::out::Out;
use crate::protocol::ring::ReplicaSet;

/// How many timeouts a coordinator keeps asking the homes of a failed
/// conditional write what they hold, to learn what to put back.
const PROBE_ROUNDS: u64 = 30;

/// One client request as its coordinator starts it.
#[derive(Clone, Copy, Debug)]
pub struct Invocation<'a> {
    /// The transaction id.
    pub trans: u64,
    /// Which operation.
    pub op: OpKind,
    /// The key.
    pub key: &'a str,
    /// The value written (create, update).
    pub written: Option<&'a str>,
    /// How many answers it waits for.
    pub level: Level,
}

/// Whom a request went to at its start, and whom a write asks later.
#[derive(Debug, Default)]
pub(crate) struct Recipients {
    /// How many replicas were sent the request at once (homes, and a
    /// read's substitutes).
    pub(crate) asked: usize,
    /// The home replicas asked (what a failed write's undo asks again).
    pub(crate) homes: ReplicaSet,
    /// The substitutes standing in for suspected homes: among the peers
    /// asked at once (a read) or in `hinted` (a write).
    pub(crate) substitutes: Vec<PeerId>,
    /// A write's requests to substitutes, sent once a home replica has
    /// performed it.
    pub(crate) hinted: Vec<(PeerId, Message)>,
}

/// What a read's coordinator knows one answering replica holds.
#[derive(Clone, Copy, Debug)]
struct Holder {
    peer: PeerId,
    /// The version it holds, `None` for nothing.
    version: Option<Version>,
    /// The newest version written back to it so far.
    sent: Option<Version>,
}

#[derive(Clone, Debug)]
struct Pending {
    op: OpKind,
    key: String,
    written: Option<String>,
    version: Version,
    asked: u8,
    quorum: u8,
    oks: u8,
    fails: u8,
    newest: Option<Stored>,
    /// Read repair only: the replicas that answered.
    holders: Vec<Holder>,
    /// Whether the client has its answer (a repairing read goes on).
    decided: bool,
    /// Home replicas asked, and how many of them answered.
    homes: u8,
    home_answers: u8,
    /// Hinted handoff: requests to substitutes, sent once a home replica
    /// performed the write (empty once sent, or once none can be).
    hinted: Vec<(PeerId, Message)>,
    /// The substitutes asked or to ask.
    substitutes: Vec<PeerId>,
    /// Answers that count toward nothing: a substitute's not-found to a
    /// read.
    ignored: u8,
    /// A conditional write: the replicas that answered it (performed it or
    /// refused it).
    answered: Vec<PeerId>,
    /// A conditional write: the newest entry the replicas answered with
    /// (what they held before it), to put back if it fails.
    before: Option<Stored>,
    /// A conditional write: how many home replicas answered, and how many
    /// must have for `before` to be trusted: N − W + 1, so that they meet
    /// every write quorum and the newest acknowledged entry is among their
    /// answers.
    informed: (u8, u8),
    /// A conditional write that failed after some replica performed it,
    /// being undone.
    undone: Option<Undo>,
    /// The home replicas asked.
    homes_asked: ReplicaSet,
}

/// A failed conditional write's undo in progress: it keeps listening for
/// late answers, and while too few homes have answered to trust what they
/// held, it asks them again (a read of the key) every timeout, for
/// [`PROBE_ROUNDS`] timeouts.
#[derive(Clone, Debug, Default)]
struct Undo {
    /// The replicas sent the undo so far.
    sent: Vec<PeerId>,
    /// When to ask the silent homes again (set by the first expiry pass).
    next_probe: Option<u64>,
    /// When to stop listening.
    until: Option<u64>,
}

impl Pending {
    /// The coordinator's outcome line for this transaction.
    fn decide(&self, trans: u64, reason: Option<Reason>) -> EventKind {
        let read = self.op == OpKind::Read;
        let version = match read {
            true => self.newest.as_ref().map(|s| s.version),
            false => Some(self.version),
        };
        let value = match self.op {
            OpKind::Read if reason.is_none() => self.newest.as_ref().and_then(|s| s.value.clone()),
            OpKind::Create | OpKind::Update => self.written.clone(),
            _ => None,
        };
        EventKind::Outcome {
            coordinator: true,
            op: self.op,
            trans,
            key: self.key.clone(),
            value,
            ok: reason.is_none(),
            reason,
            version,
        }
    }

    /// The decision the replies so far force, if any: `Some(None)` for
    /// success, `Some(Some(reason))` for failure.
    fn verdict(&self) -> Option<Option<Reason>> {
        // Substitutes not asked yet may still answer.
        let reach = self.asked + self.hinted.len() as u8;
        let unanswered = reach - self.oks - self.fails - self.ignored;
        let quorum = self.quorum;
        // Out of reach before any answer: too few replicas to ask. (Once
        // every home refused a write, its substitutes are dropped and the
        // refusals decide below.)
        if reach < quorum && self.oks + self.fails == 0 {
            return Some(Some(Reason::NoQuorum));
        }
        if self.op == OpKind::Read {
            if self.oks + self.fails < quorum {
                // Everyone answered, too few of them count.
                return (unanswered == 0).then_some(Some(Reason::NoQuorum));
            }
            let live = self.newest.as_ref().is_some_and(Stored::is_live);
            return Some((!live).then_some(Reason::NotFound));
        }
        if self.oks >= quorum {
            Some(None)
        } else if self.oks + unanswered >= quorum {
            None
        } else if self.oks > 0 {
            Some(Some(Reason::NoQuorum))
        } else if unanswered == 0 {
            Some(Some(match self.op {
                OpKind::Create => Reason::Exists,
                _ => Reason::NotFound,
            }))
        } else {
            None
        }
    }

    /// Whether this is a conditional write a failure undoes.
    fn undoes(&self) -> bool {
        matches!(self.op, OpKind::Create | OpKind::Update)
    }

    /// Sends the undo of a failed conditional write to each replica that
    /// answered it and has not been sent it yet — those that performed it,
    /// and those that refused it, since a performer may have pushed it to
    /// them meanwhile: the newest entry the
    /// replicas held before the write, stamped just above the write's
    /// version. Nothing until enough homes answered to meet every write
    /// quorum (fewer could all hold a stale entry, and putting that back
    /// would undo an acknowledged write), nothing when no replica held an
    /// older entry (there is nothing known to put back) or one held a newer
    /// one (the write already loses to it).
    fn undo(&mut self, trans: u64, out: &mut Out) {
        if !self.knows_enough() {
            return;
        }
        let Some(Undo { sent, .. }) = self.undone.as_mut() else {
            return;
        };
        let Some(before) = self.before.as_ref().filter(|b| b.version < self.version) else {
            return;
        };
        let stored = Stored {
            value: before.value.clone(),
            version: self.version.undoing(),
        };
        for &to in &self.answered {
            if sent.contains(&to) {
                continue;
            }
            sent.push(to);
            out.send(
                to,
                Message::WriteBack {
                    trans,
                    key: self.key.clone(),
                    stored: stored.clone(),
                },
            );
        }
    }

    /// The tick of [`Coordinator::expire`]'s next work on this transaction:
    /// its timeout; for an undo, the next time to ask the silent homes
    /// again (or its first expiry pass, which sets it), or its end once
    /// enough homes answered.
    fn deadline(&self, timeout: u64) -> u64 {
        let start = self.version.tick + timeout;
        match &self.undone {
            Some(Undo {
                next_probe: Some(probe),
                until: Some(until),
                ..
            }) if !self.knows_enough() => (*probe).min(*until),
            Some(Undo {
                until: Some(until), ..
            }) if self.knows_enough() => *until,
            _ => start,
        }
    }

    /// Whether an undo has nothing more to learn: enough homes answered,
    /// and every home asked did.
    fn settled(&self) -> bool {
        self.knows_enough()
            && self
                .homes_asked
                .as_slice()
                .iter()
                .all(|home| self.answered.contains(home))
    }

    /// Whether enough homes answered for the entries they held to be
    /// trusted (see `informed`).
    fn knows_enough(&self) -> bool {
        self.informed.0 >= self.informed.1
    }

    /// Fails a conditional write some replica performed: starts its undo,
    /// and asks the homes that have not answered what they hold if too few
    /// did.
    fn start_undo(&mut self, trans: u64, out: &mut Out) {
        self.undone = Some(Undo::default());
        self.undo(trans, out);
        self.probe(trans, out);
    }

    /// Asks every home that has not answered what it holds of the key (a
    /// read under the write's transaction), while too few homes answered.
    fn probe(&self, trans: u64, out: &mut Out) {
        if self.knows_enough() {
            return;
        }
        for &to in self.homes_asked.as_slice() {
            if self.answered.contains(&to) {
                continue;
            }
            let request = Request {
                trans,
                op: OpKind::Read,
                key: self.key.clone(),
                write: None,
                replicas: self.homes_asked,
                hint: None,
            };
            out.send(to, Message::Request(Box::new(request)));
        }
    }

    /// Takes in an answer to a write being undone: what `from` held (its
    /// entry before the write, or now, for an answer to a probe — the
    /// write's own entry, pushed there, tells nothing).
    fn learn(&mut self, from: PeerId, substitute: bool, found: Option<&Stored>) {
        let ours = |f: &Stored| f.version.written() == self.version;
        let first = !self.answered.contains(&from);
        if first {
            self.answered.push(from);
        }
        if found.is_some_and(ours) {
            // The write itself, pushed there since: what the replica held
            // before it is gone, and it tells nothing.
            return;
        }
        if first && !substitute {
            self.informed.0 += 1;
        }
        if self
            .undone
            .as_ref()
            .is_some_and(|undo| !undo.sent.is_empty())
        {
            // The undo went out: what it puts back is settled, or replicas
            // would hold different entries under the same version.
            return;
        }
        let Some(found) = found else {
            return;
        };
        if self
            .before
            .as_ref()
            .is_none_or(|b| found.version > b.version)
        {
            self.before = Some(found.clone());
        }
    }

    /// How many answering replicas hold the newest entry (or newer).
    fn holding_newest(&self) -> usize {
        let newest = self.newest.as_ref().map(|s| s.version);
        self.holders.iter().filter(|h| h.version >= newest).count()
    }

    /// Writes the newest entry back to every answering replica that holds
    /// an older one (or none) and has not been sent it yet.
    fn write_back(&mut self, trans: u64, out: &mut Out) {
        let Some(newest) = &self.newest else { return };
        let v = Some(newest.version);
        for h in self
            .holders
            .iter_mut()
            .filter(|h| h.version < v && h.sent < v)
        {
            h.sent = v;
            out.send(
                h.peer,
                Message::WriteBack {
                    trans,
                    key: self.key.clone(),
                    stored: newest.clone(),
                },
            );
        }
    }
}

/// The transactions a peer coordinates and has not decided yet (and the
/// reads still repairing after their decision).
#[derive(Clone, Debug, Default)]
pub(crate) struct Coordinator {
    pending: BTreeMap<u64, Pending>,
    replication: Replication,
    read_repair: ReadRepair,
}

impl Coordinator {
    /// A coordinator deciding with `replication`'s R and W, repairing reads
    /// as `read_repair` says.
    pub(crate) fn new(replication: Replication, read_repair: ReadRepair) -> Coordinator {
        Coordinator {
            pending: BTreeMap::new(),
            replication,
            read_repair,
        }
    }

    /// Starts `request` at tick `now`, sent to `to`; it decides on R
    /// answers (a read) or W (a write), or what its level asks. Records the
    /// decision at once if it is out of reach (too few replicas).
    pub(crate) fn start(
        &mut self,
        now: u64,
        request: Invocation<'_>,
        to: Recipients,
        out: &mut Out,
    ) {
        let Recipients {
            asked,
            homes,
            substitutes,
            hinted,
        } = to;
        let at_once = match hinted.is_empty() {
            true => substitutes.len(),
            false => 0,
        };
        let count = |n: usize| n.min(usize::from(u8::MAX)) as u8;
        let Invocation {
            trans,
            op,
            key,
            written,
            level,
        } = request;
        let quorum = self.replication.quorum_at(op, level);
        let pending = Pending {
            op,
            key: key.to_owned(),
            written: written.map(str::to_owned),
            version: Version::new(now, trans),
            asked: count(asked),
            quorum,
            oks: 0,
            fails: 0,
            newest: None,
            holders: Vec::new(),
            decided: false,
            homes: count(asked.saturating_sub(at_once)),
            home_answers: 0,
            substitutes,
            hinted,
            ignored: 0,
            answered: Vec::new(),
            before: None,
            informed: (0, (self.replication.n + 1).saturating_sub(quorum)),
            homes_asked: homes,
            undone: None,
        };
        match pending.verdict() {
            Some(reason) => out.record(pending.decide(trans, reason)),
            None => {
                self.pending.insert(trans, pending);
            }
        }
    }

    /// Whether transaction `p` repairs what it reads.
    fn repairs(&self, p: &Pending) -> bool {
        p.op == OpKind::Read && self.read_repair != ReadRepair::Off
    }

    /// Counts replica `from`'s reply; records the decision when it is
    /// reached. Replies to decided or unknown transactions are ignored
    /// (but a repairing read takes them in).
    pub(crate) fn on_reply(
        &mut self,
        from: PeerId,
        trans: u64,
        ok: bool,
        found: Option<Stored>,
        out: &mut Out,
    ) {
        let repairs = self.pending.get(&trans).is_some_and(|p| self.repairs(p));
        let Some(p) = self.pending.get_mut(&trans) else {
            return;
        };
        let substitute = p.substitutes.contains(&from);
        if p.undone.is_some() {
            // Failed already: undo what this answer tells of.
            p.learn(from, substitute, found.as_ref());
            p.undo(trans, out);
            if p.settled() {
                self.pending.remove(&trans);
            }
            return;
        }
        if p.oks + p.fails + p.ignored >= p.asked {
            return;
        }
        if p.op == OpKind::Read && substitute && found.is_none() {
            // A stand-in that holds nothing: not an answer about the key.
            p.ignored += 1;
        } else if ok {
            p.oks += 1;
        } else {
            p.fails += 1;
        }
        if p.undoes() {
            p.learn(from, substitute, found.as_ref());
        }
        if !p.hinted.is_empty() && !substitute {
            p.home_answers += 1;
            if ok {
                // A home replica performed the write: the substitutes may
                // keep it for the others.
                p.asked += p.hinted.len() as u8;
                for (to, msg) in p.hinted.drain(..) {
                    out.send(to, msg);
                }
            } else if p.home_answers >= p.homes {
                // Every home refused: no hint may be written.
                p.hinted.clear();
            }
        }
        if repairs {
            p.holders.push(Holder {
                peer: from,
                version: found.as_ref().map(|s| s.version),
                sent: None,
            });
        }
        if let Some(found) = found.filter(|_| p.op == OpKind::Read) {
            if p.newest.as_ref().is_none_or(|n| found.version > n.version) {
                p.newest = Some(found);
            }
        }
        if repairs {
            self.settle(trans, out);
            return;
        }
        let Some(reason) = p.verdict() else {
            return;
        };
        out.record(p.decide(trans, reason));
        if reason.is_some() && p.undoes() && p.oks > 0 {
            p.start_undo(trans, out);
            if !p.settled() {
                // Late answers may still tell of replicas to undo.
                return;
            }
        }
        self.pending.remove(&trans);
    }

    /// Replica `from` holds `version` now, after a write-back of read
    /// `trans`.
    pub(crate) fn on_write_back_ack(
        &mut self,
        from: PeerId,
        trans: u64,
        version: Version,
        out: &mut Out,
    ) {
        let Some(p) = self
            .pending
            .get_mut(&trans)
            .filter(|p| p.op == OpKind::Read)
        else {
            // An undo's acknowledgement: nothing to wait for.
            return;
        };
        for h in p.holders.iter_mut().filter(|h| h.peer == from) {
            h.version = h.version.max(Some(version));
        }
        self.settle(trans, out);
    }

    /// A repairing read after news: decides when its mode allows, writes
    /// back what is stale, and is done once every replica asked answered.
    fn settle(&mut self, trans: u64, out: &mut Out) {
        let blocking = self.read_repair == ReadRepair::Blocking;
        let w = usize::from(self.replication.w);
        let Some(p) = self.pending.get_mut(&trans) else {
            return;
        };
        if !p.decided {
            let Some(reason) = p.verdict() else {
                return;
            };
            let held = p.newest.is_none() || p.holding_newest() >= w;
            if !blocking || held {
                out.record(p.decide(trans, reason));
                p.decided = true;
            }
        }
        p.write_back(trans, out);
        if p.decided && p.oks + p.fails >= p.asked {
            self.pending.remove(&trans);
        }
    }

    /// Fails every undecided transaction started `timeout` or more ticks
    /// before `now`, and stops repairing reads that old.
    pub(crate) fn expire(&mut self, now: u64, timeout: u64, out: &mut Out) {
        if self.pending.is_empty() {
            // The common tick: nothing to look at, nothing to allocate.
            return;
        }
        let late: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| now >= p.deadline(timeout))
            .map(|(&t, _)| t)
            .collect();
        for t in late {
            let Some(p) = self.pending.get_mut(&t) else {
                continue;
            };
            let until = p.undone.as_ref().map(|undo| undo.until);
            match until {
                None if !p.decided && p.undoes() && p.oks > 0 => {
                    out.record(p.decide(t, Some(Reason::Timeout)));
                    p.start_undo(t, out);
                }
                None => {
                    if !p.decided {
                        out.record(p.decide(t, Some(Reason::Timeout)));
                    }
                    self.pending.remove(&t);
                    continue;
                }
                Some(Some(until)) if now >= until => {
                    self.pending.remove(&t);
                    continue;
                }
                // Its first pass only sets the times below.
                Some(None) => {}
                Some(Some(_)) => p.probe(t, out),
            }
            if let Some(undo) = p.undone.as_mut() {
                undo.next_probe = Some(now + timeout);
                undo.until.get_or_insert(now + PROBE_ROUNDS * timeout);
            }
        }
    }

    /// The earliest tick at which [`Coordinator::expire`] with `timeout`
    /// fails a transaction or stops a repairing read; `None` when nothing
    /// is pending.
    pub(crate) fn next_deadline(&self, timeout: u64) -> Option<u64> {
        self.pending.values().map(|p| p.deadline(timeout)).min()
    }

    /// How many transactions await a decision (or still repair).
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::op::Version;
    use crate::protocol::ring::Ring;

    /// One decision, as the tests look at it.
    #[derive(Debug)]
    struct D {
        ok: bool,
        reason: Option<Reason>,
        value: Option<String>,
        version: Option<Version>,
    }

    /// The decisions one call recorded.
    fn decisions(out: Out) -> Vec<D> {
        assert!(out.sends.is_empty() && out.changes.is_empty());
        out.events
            .into_iter()
            .map(|e| match e {
                EventKind::Outcome {
                    coordinator: true,
                    ok,
                    reason,
                    value,
                    version,
                    ..
                } => D {
                    ok,
                    reason,
                    value,
                    version,
                },
                other => panic!("not a decision: {other:?}"),
            })
            .collect()
    }

    fn one(out: Out) -> Option<D> {
        let mut all = decisions(out);
        assert!(all.len() <= 1, "{all:?}");
        all.pop()
    }

    /// Sent at once to `n` replicas, no substitute.
    fn sent_to(n: usize) -> Recipients {
        Recipients {
            asked: n,
            ..Recipients::default()
        }
    }

    /// Sent at once to `n` homes, and later to the substitutes of `hinted`.
    fn with_hints(n: usize, hinted: Vec<(PeerId, Message)>) -> Recipients {
        Recipients {
            asked: n,
            substitutes: hinted.iter().map(|&(to, _)| to).collect(),
            hinted,
            ..Recipients::default()
        }
    }

    /// Starts `op` on key `k` as (tick, transaction), asking `asked`.
    fn start(
        c: &mut Coordinator,
        at: (u64, u64),
        op: OpKind,
        v: Option<&str>,
        asked: usize,
    ) -> Option<D> {
        let mut out = Out::default();
        let request = Invocation {
            trans: at.1,
            op,
            key: "k",
            written: v,
            level: Level::Quorum,
        };
        c.start(at.0, request, sent_to(asked), &mut out);
        one(out)
    }

    fn reply(c: &mut Coordinator, trans: u64, ok: bool, found: Option<Stored>) -> Option<D> {
        let mut out = Out::default();
        c.on_reply(PeerId(0), trans, ok, found, &mut out);
        one(out)
    }

    fn expire(c: &mut Coordinator, now: u64, timeout: u64) -> Vec<D> {
        let mut out = Out::default();
        c.expire(now, timeout, &mut out);
        decisions(out)
    }

    fn found(value: &str, tick: u64) -> Option<Stored> {
        Some(Stored {
            value: Some(value.into()),
            version: Version::new(tick, 0),
        })
    }

    #[test]
    fn the_deadline_is_the_first_pending_timeout() {
        let mut c = Coordinator::default();
        assert_eq!(c.next_deadline(10), None, "nothing pending");
        start(&mut c, (4, 1), OpKind::Create, Some("v"), 3);
        start(&mut c, (2, 2), OpKind::Read, None, 3);
        assert_eq!(c.next_deadline(10), Some(12));
        assert!(expire(&mut c, 11, 10).is_empty(), "nothing before it");
        assert_eq!(expire(&mut c, 12, 10).len(), 1, "one timeout at it");
        assert_eq!(c.next_deadline(10), Some(14));
        assert_eq!(expire(&mut c, 14, 10).len(), 1);
        assert_eq!(c.next_deadline(10), None);
    }

    #[test]
    fn two_successes_decide_success_once() {
        let mut c = Coordinator::default();
        assert!(start(&mut c, (0, 7), OpKind::Create, Some("v"), 3).is_none());
        assert!(reply(&mut c, 7, true, None).is_none());
        let d = reply(&mut c, 7, true, None).unwrap();
        assert_eq!((d.ok, d.value.as_deref()), (true, Some("v")));
        assert!(
            reply(&mut c, 7, true, None).is_none(),
            "the third reply is ignored"
        );
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn two_not_found_answers_fail_a_read_without_waiting() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        assert!(reply(&mut c, 1, false, None).is_none());
        let d = reply(&mut c, 1, false, None).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NotFound)));
        assert_eq!(d.value, None);
    }

    #[test]
    fn a_read_returns_the_newest_value_of_the_quorum() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        reply(&mut c, 1, true, found("new", 9));
        let d = reply(&mut c, 1, true, found("old", 3)).unwrap();
        assert_eq!(d.value.as_deref(), Some("new"));
    }

    #[test]
    fn one_success_then_silence_times_out_as_failure() {
        let mut c = Coordinator::default();
        start(&mut c, (10, 4), OpKind::Update, Some("nv"), 3);
        reply(&mut c, 4, true, None);
        assert!(expire(&mut c, 19, 10).is_empty());
        let d = expire(&mut c, 20, 10);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].ok, d[0].reason), (false, Some(Reason::Timeout)));
        assert_eq!(d[0].value.as_deref(), Some("nv"));
        assert!(
            reply(&mut c, 4, true, None).is_none(),
            "late replies are ignored"
        );
    }

    #[test]
    fn too_few_replicas_fail_at_once() {
        let mut c = Coordinator::default();
        let d = start(&mut c, (0, 1), OpKind::Delete, None, 1).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NoQuorum)));
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn a_read_decides_on_the_first_two_answers_found_or_not() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        assert!(reply(&mut c, 1, false, None).is_none());
        let d = reply(&mut c, 1, true, found("v", 1)).unwrap();
        assert!(d.ok);
        assert_eq!(d.version, Some(Version::new(1, 0)));
    }

    #[test]
    fn a_newer_tombstone_makes_a_read_not_found() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        reply(&mut c, 1, true, found("old", 3));
        let tomb = Stored {
            value: None,
            version: Version::new(5, 2),
        };
        let d = reply(&mut c, 1, false, Some(tomb)).unwrap();
        assert_eq!((d.ok, d.reason), (false, Some(Reason::NotFound)));
        assert_eq!(d.version, Some(Version::new(5, 2)));
    }

    #[test]
    fn a_precondition_failure_waits_for_every_replica() {
        let mut c = Coordinator::default();
        start(&mut c, (3, 1), OpKind::Create, Some("v"), 3);
        assert!(reply(&mut c, 1, false, None).is_none());
        assert!(
            reply(&mut c, 1, false, None).is_none(),
            "the third may have created it"
        );
        let d = reply(&mut c, 1, false, None).unwrap();
        assert_eq!(d.reason, Some(Reason::Exists));
        assert_eq!(d.version, Some(Version::new(3, 1)));
    }

    #[test]
    fn a_write_some_replicas_performed_fails_without_quorum() {
        let mut c = Coordinator::default();
        start(&mut c, (0, 1), OpKind::Update, Some("v"), 3);
        reply(&mut c, 1, false, None);
        reply(&mut c, 1, true, None);
        let d = reply(&mut c, 1, false, None).unwrap();
        assert_eq!(d.reason, Some(Reason::NoQuorum));
        // Two refusals and silence: it may still have been performed.
        start(&mut c, (0, 2), OpKind::Delete, None, 3);
        reply(&mut c, 2, false, None);
        assert!(reply(&mut c, 2, false, None).is_none());
        assert_eq!(expire(&mut c, 10, 10)[0].reason, Some(Reason::Timeout));
    }

    /// A read of "k" by a coordinator repairing as `mode`, asking 3.
    fn repairing(mode: ReadRepair) -> Coordinator {
        let mut c = Coordinator::new(Replication::default(), mode);
        start(&mut c, (0, 1), OpKind::Read, None, 3);
        c
    }

    fn answer(c: &mut Coordinator, from: u32, found: Option<Stored>) -> Out {
        let mut out = Out::default();
        let ok = found.as_ref().is_some_and(Stored::is_live);
        c.on_reply(PeerId(from), 1, ok, found, &mut out);
        out
    }

    /// The replicas written back to in `out`, with the version sent.
    fn written_back(out: &Out) -> Vec<(PeerId, Version)> {
        out.sends
            .iter()
            .map(|(to, m)| match m {
                Message::WriteBack { stored, .. } => (*to, stored.version),
                other => panic!("not a write-back: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn async_read_repair_answers_then_writes_back_to_every_stale_replica() {
        let mut c = repairing(ReadRepair::Async);
        let new = Version::new(9, 0);
        assert!(answer(&mut c, 1, found("new", 9)).events.is_empty());
        let out = answer(&mut c, 2, found("old", 3));
        assert_eq!(written_back(&out), vec![(PeerId(2), new)]);
        let d = decisions(Out {
            sends: Vec::new(),
            ..out
        });
        assert_eq!(d[0].value.as_deref(), Some("new"), "answered at once");
        let out = answer(&mut c, 3, None);
        assert_eq!(
            written_back(&out),
            vec![(PeerId(3), new)],
            "none is stale too"
        );
        assert!(out.events.is_empty(), "decided once");
        assert_eq!(c.pending(), 0, "every replica answered: done");
    }

    #[test]
    fn blocking_read_repair_answers_once_w_replicas_hold_the_value() {
        let mut c = repairing(ReadRepair::Blocking);
        let new = Version::new(9, 0);
        answer(&mut c, 1, found("new", 9));
        let out = answer(&mut c, 2, found("old", 3));
        assert_eq!(written_back(&out), vec![(PeerId(2), new)]);
        assert!(out.events.is_empty(), "waits for the write-back");
        let mut out = Out::default();
        c.on_write_back_ack(PeerId(2), 1, new, &mut out);
        let d = decisions(out);
        assert_eq!((d[0].ok, d[0].value.as_deref()), (true, Some("new")));
        // Unacknowledged, it times out instead of answering.
        let mut c = repairing(ReadRepair::Blocking);
        answer(&mut c, 1, found("new", 9));
        answer(&mut c, 2, None);
        let d = expire(&mut c, 10, 10);
        assert_eq!(d[0].reason, Some(Reason::Timeout));
    }

    #[test]
    fn a_blocking_read_of_nothing_answers_at_once() {
        let mut c = repairing(ReadRepair::Blocking);
        answer(&mut c, 1, None);
        let out = answer(&mut c, 2, None);
        assert!(out.sends.is_empty());
        assert_eq!(decisions(out)[0].reason, Some(Reason::NotFound));
    }

    #[test]
    fn a_level_overrides_the_quorum() {
        let mut c = Coordinator::default();
        let mut out = Out::default();
        let one = Invocation {
            trans: 1,
            op: OpKind::Update,
            key: "k",
            written: Some("v"),
            level: Level::One,
        };
        c.start(0, one, sent_to(3), &mut out);
        assert!(
            reply(&mut c, 1, true, None).unwrap().ok,
            "one ack is enough"
        );
        let all = Invocation {
            trans: 2,
            level: Level::All,
            ..one
        };
        c.start(0, all, sent_to(3), &mut out);
        assert!(reply(&mut c, 2, true, None).is_none());
        assert!(reply(&mut c, 2, true, None).is_none());
        assert!(reply(&mut c, 2, true, None).unwrap().ok);
        c.start(0, all, sent_to(2), &mut out);
        let d = decisions(out);
        assert_eq!(d[0].reason, Some(Reason::NoQuorum), "all of 3 out of reach");
    }

    /// Starts a create of `k` = "new" at tick 10 as transaction 5, sent to
    /// `asked` replicas, deciding with `replication`.
    fn creating(replication: Replication, asked: usize) -> Coordinator {
        let mut c = Coordinator::new(replication, ReadRepair::Off);
        let request = Invocation {
            trans: 5,
            op: OpKind::Create,
            key: "k",
            written: Some("new"),
            level: Level::Quorum,
        };
        let mut out = Out::default();
        let ring = (1..=asked as u32).map(PeerId).fold(
            Ring::new().with_n(replication.n),
            |mut ring, id| {
                ring.insert(id);
                ring
            },
        );
        let to = Recipients {
            asked,
            homes: ring.replicas("k"),
            ..Recipients::default()
        };
        c.start(10, request, to, &mut out);
        assert!(out.events.is_empty());
        c
    }

    /// Replica `from`'s answer to transaction 5: the messages it caused
    /// and whether it decided.
    fn answer5(c: &mut Coordinator, from: u32, ok: bool, held: Option<Stored>) -> (Out, bool) {
        let mut out = Out::default();
        c.on_reply(PeerId(from), 5, ok, held, &mut out);
        let decided = !out.events.is_empty();
        (out, decided)
    }

    /// The undo a message is, if it is one: (to, value, version).
    fn undos(out: &Out) -> Vec<(PeerId, Option<String>, Version)> {
        out.sends
            .iter()
            .filter_map(|(to, m)| match m {
                Message::WriteBack { stored, .. } => {
                    Some((*to, stored.value.clone(), stored.version))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_create_refused_by_the_holders_is_undone_where_it_was_performed() {
        let mut c = creating(Replication::default(), 3);
        // Replica 1 lacked the key and performed the create; 2 and 3 hold
        // "old" and refuse it.
        let (out, decided) = answer5(&mut c, 1, true, None);
        assert!(!decided && out.sends.is_empty());
        let (out, decided) = answer5(&mut c, 2, false, found("old", 3));
        assert!(!decided && out.sends.is_empty(), "W is still within reach");
        let (out, decided) = answer5(&mut c, 3, false, found("old", 3));
        assert!(decided);
        let undo = Version::new(10, 5).undoing();
        let back = |to| (PeerId(to), Some("old".into()), undo);
        // The refusers too: the performer may have pushed the write to them.
        assert_eq!(undos(&out), vec![back(1), back(2), back(3)]);
        assert_eq!(c.pending(), 0, "everyone answered");
    }

    #[test]
    fn a_late_performer_of_a_failed_write_is_undone_too() {
        let five = Replication { n: 5, r: 3, w: 3 };
        let mut c = creating(five, 5);
        answer5(&mut c, 1, true, None);
        answer5(&mut c, 2, false, found("old", 3));
        answer5(&mut c, 3, false, found("old", 3));
        // 1 ok + 1 unanswered < W = 3: it fails, and undoes replica 1.
        let (out, decided) = answer5(&mut c, 4, false, found("old", 3));
        assert!(decided);
        assert_eq!(undos(&out).len(), 4, "every replica that answered");
        assert_eq!(c.pending(), 1, "listens for the last answer");
        let (out, decided) = answer5(&mut c, 5, true, None);
        assert!(!decided, "decided once only");
        assert_eq!(
            undos(&out).iter().map(|u| u.0).collect::<Vec<_>>(),
            vec![PeerId(5)]
        );
        assert_eq!(c.pending(), 0);
    }

    #[test]
    fn a_timed_out_create_is_undone_once_a_refusal_told_what_was_there() {
        let mut c = creating(Replication::default(), 3);
        answer5(&mut c, 1, true, None);
        answer5(&mut c, 2, false, found("old", 3));
        let mut out = Out::default();
        c.expire(20, 10, &mut out);
        assert_eq!(decisions_of(&out), vec![Some(Reason::Timeout)]);
        assert_eq!(undos(&out).len(), 2);
        // One answer alone could be stale: W = 2 replicas elsewhere may
        // hold a newer acknowledged entry, which the undo would beat.
        let mut c = creating(Replication::default(), 3);
        answer5(&mut c, 1, true, found("old", 3));
        let mut out = Out::default();
        c.expire(20, 10, &mut out);
        assert!(undos(&out).is_empty());
        // It asks the silent homes what they hold instead, and asks again
        // every timeout.
        let probed = |out: &Out| -> Vec<PeerId> {
            out.sends
                .iter()
                .filter(|(_, m)| matches!(m, Message::Request(r) if r.op == OpKind::Read))
                .map(|(to, _)| *to)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        assert_eq!(probed(&out), vec![PeerId(2), PeerId(3)]);
        assert_eq!(c.next_deadline(10), Some(30));
        let mut out = Out::default();
        c.expire(30, 10, &mut out);
        assert_eq!(probed(&out), vec![PeerId(2), PeerId(3)], "again");
        // Replica 2 answers, holding a newer entry than 1 knew (the write
        // itself, pushed there, would tell nothing): now two homes have
        // answered, and the newest of their entries goes back.
        let (out, _) = answer5(&mut c, 2, true, found("newer", 4));
        let undo = Version::new(10, 5).undoing();
        let back = |to| (PeerId(to), Some("newer".into()), undo);
        assert_eq!(undos(&out), vec![back(1), back(2)]);
        let (out, _) = answer5(&mut c, 3, true, found("newer", 4));
        assert_eq!(undos(&out), vec![back(3)]);
        assert_eq!(c.pending(), 0, "every home answered");
    }

    #[test]
    fn a_write_that_succeeds_or_loses_anyway_is_not_undone() {
        let mut c = creating(Replication::default(), 3);
        answer5(&mut c, 1, true, None);
        let (out, decided) = answer5(&mut c, 2, true, None);
        assert!(decided && undos(&out).is_empty(), "a success");
        // A refusal holding something newer than the write: it loses to it
        // wherever they meet, with no undo.
        let mut c = creating(Replication::default(), 3);
        answer5(&mut c, 1, true, None);
        answer5(&mut c, 2, false, found("newer", 11));
        let (out, decided) = answer5(&mut c, 3, false, found("newer", 11));
        assert!(decided && undos(&out).is_empty());
    }

    #[test]
    fn a_failed_update_puts_back_the_tombstone_it_would_have_revived() {
        let mut c = Coordinator::default();
        let request = Invocation {
            trans: 5,
            op: OpKind::Update,
            key: "k",
            written: Some("new"),
            level: Level::Quorum,
        };
        c.start(10, request, sent_to(3), &mut Out::default());
        // Replica 1 missed the delete and still holds the value.
        answer5(&mut c, 1, true, found("old", 2));
        let tombstone = Stored {
            value: None,
            version: Version::new(4, 3),
        };
        answer5(&mut c, 2, false, Some(tombstone.clone()));
        let (out, _) = answer5(&mut c, 3, false, Some(tombstone));
        let undo = Version::new(10, 5).undoing();
        let back = |to| (PeerId(to), None, undo);
        assert_eq!(undos(&out), vec![back(1), back(2), back(3)]);
    }

    /// The reasons of the decisions in `out` (`None` for success).
    fn decisions_of(out: &Out) -> Vec<Option<Reason>> {
        out.events
            .iter()
            .filter_map(|e| match e {
                EventKind::Outcome { reason, .. } => Some(*reason),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_stand_in_that_holds_nothing_does_not_count_toward_r() {
        let read = Invocation {
            trans: 5,
            op: OpKind::Read,
            key: "k",
            written: None,
            level: Level::Quorum,
        };
        let to = || Recipients {
            asked: 4,
            substitutes: vec![PeerId(7)],
            ..Recipients::default()
        };
        let mut c = Coordinator::default();
        c.start(10, read, to(), &mut Out::default());
        assert!(
            !answer5(&mut c, 7, false, None).1,
            "the stand-in's not-found"
        );
        assert!(!answer5(&mut c, 1, false, None).1, "one home's not-found");
        let (out, decided) = answer5(&mut c, 2, true, found("v", 3));
        assert!(decided);
        assert_eq!(decisions_of(&out), vec![None], "the home's value decides");
        // A stand-in that holds the key (a hint) counts like a home.
        let mut c = Coordinator::default();
        c.start(10, read, to(), &mut Out::default());
        answer5(&mut c, 7, true, found("v", 3));
        assert!(answer5(&mut c, 1, false, None).1);
        // Too few answers that count, once everyone answered: no quorum.
        let mut c = Coordinator::default();
        let lone = Recipients {
            asked: 2,
            substitutes: vec![PeerId(7)],
            ..Recipients::default()
        };
        c.start(10, read, lone, &mut Out::default());
        answer5(&mut c, 7, false, None);
        let (out, _) = answer5(&mut c, 1, false, None);
        assert_eq!(decisions_of(&out), vec![Some(Reason::NoQuorum)]);
    }

    #[test]
    fn substitutes_are_asked_only_after_a_home_performed_the_write() {
        let hinted = |to: u32| {
            let msg = Message::Reply {
                trans: 7,
                ok: true,
                found: None,
            };
            (PeerId(to), msg)
        };
        let request = Invocation {
            trans: 7,
            op: OpKind::Update,
            key: "k",
            written: Some("v"),
            level: Level::Quorum,
        };
        // One live home, two substitutes: W = 2 is within reach.
        let mut c = Coordinator::new(Replication::default(), ReadRepair::Off);
        let mut out = Out::default();
        c.start(
            1,
            request,
            with_hints(1, vec![hinted(5), hinted(6)]),
            &mut out,
        );
        assert!(out.events.is_empty() && out.sends.is_empty());
        c.on_reply(PeerId(0), 7, true, None, &mut out);
        let asked: Vec<PeerId> = out.sends.iter().map(|s| s.0).collect();
        assert_eq!(
            asked,
            vec![PeerId(5), PeerId(6)],
            "sent once the home said ok"
        );
        assert!(out.events.is_empty(), "one ok of W = 2");
        let mut out = Out::default();
        c.on_reply(PeerId(5), 7, true, None, &mut out);
        let d = one(out).unwrap();
        assert!(d.ok, "a substitute's ok counts toward W: {d:?}");

        // The home refuses: nothing goes to the substitutes and the write
        // fails for its precondition.
        let mut c = Coordinator::new(Replication::default(), ReadRepair::Off);
        let mut out = Out::default();
        c.start(
            1,
            request,
            with_hints(1, vec![hinted(5), hinted(6)]),
            &mut out,
        );
        c.on_reply(PeerId(0), 7, false, None, &mut out);
        assert!(out.sends.is_empty(), "{:?}", out.sends);
        let d = one(out).unwrap();
        assert_eq!(d.reason, Some(Reason::NotFound));

        // No home at all: out of reach at once.
        let mut c = Coordinator::new(Replication::default(), ReadRepair::Off);
        let mut out = Out::default();
        c.start(1, request, sent_to(0), &mut out);
        assert_eq!(one(out).unwrap().reason, Some(Reason::NoQuorum));
    }

    #[test]
    fn every_n_r_w_decides_at_exactly_its_quorum() {
        for n in 1..=crate::protocol::config::MAX_N {
            for (r, w) in (1..=n).flat_map(|r| (1..=n).map(move |w| (r, w))) {
                let rep = Replication { n, r, w };
                for op in [OpKind::Read, OpKind::Create, OpKind::Delete] {
                    let quorum = rep.quorum(op);
                    // Successes: undecided until the quorum-th, then ok.
                    let mut c = Coordinator::new(rep, ReadRepair::Off);
                    let value = (op == OpKind::Create).then_some("v");
                    let held = found("v", 1).filter(|_| op == OpKind::Read);
                    assert!(start(&mut c, (0, 1), op, value, n.into()).is_none());
                    for k in 1..=quorum {
                        let d = reply(&mut c, 1, true, held.clone());
                        assert_eq!(d.is_some(), k == quorum, "{rep:?} {op:?} ok #{k}");
                        if let Some(d) = d {
                            assert!(d.ok, "{rep:?} {op:?}: {d:?}");
                        }
                    }
                    // Refusals: a read decides not-found on its quorum of
                    // answers; a write waits for every replica (the last one
                    // might perform it, which would make it no-quorum), then
                    // fails for its precondition.
                    let mut c = Coordinator::new(rep, ReadRepair::Off);
                    start(&mut c, (0, 2), op, value, n.into());
                    let decided_at = match op {
                        OpKind::Read => quorum,
                        _ => n,
                    };
                    for k in 1..=decided_at {
                        let d = reply(&mut c, 2, false, None);
                        assert_eq!(d.is_some(), k == decided_at, "{rep:?} {op:?} refusal #{k}");
                        if let Some(d) = d {
                            assert!(!d.ok, "{rep:?} {op:?}: {d:?}");
                        }
                    }
                    // One replica performed a write, then refusals: it fails
                    // no-quorum as soon as W is out of reach.
                    if op != OpKind::Read && quorum > 1 {
                        let mut c = Coordinator::new(rep, ReadRepair::Off);
                        start(&mut c, (0, 4), op, value, n.into());
                        assert!(reply(&mut c, 4, true, None).is_none());
                        let out_of_reach = n - quorum + 1;
                        for k in 1..=out_of_reach {
                            let d = reply(&mut c, 4, false, None);
                            assert_eq!(d.is_some(), k == out_of_reach, "{rep:?} {op:?} #{k}");
                            if let Some(d) = d {
                                assert_eq!(d.reason, Some(Reason::NoQuorum), "{rep:?}");
                            }
                        }
                    }
                    // Fewer replicas than the quorum: out of reach at once.
                    if quorum > 1 {
                        let mut c = Coordinator::new(rep, ReadRepair::Off);
                        let asked = usize::from(quorum - 1);
                        let d = start(&mut c, (0, 3), op, value, asked).unwrap();
                        assert_eq!(d.reason, Some(Reason::NoQuorum), "{rep:?} {op:?}");
                    }
                }
            }
        }
    }
}
