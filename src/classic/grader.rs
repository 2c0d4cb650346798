//! The classic graders, reproduced on the event stream.
//!
//! The classic shell graders grep `dbg.log`; this module counts the same
//! things on the typed events (never re-parsing the log) and gives the same
//! points: key-value tests 3 (create) + 7 (delete) + 40 (read) + 40
//! (update) = 90, membership tests 30 each, 90 in all.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::classic::driver::INVALID_KEY;
use crate::classic::testcase::Testcase;
use crate::protocol::address::PeerId;
use crate::protocol::event::{Event, EventKind};
use crate::protocol::op::OpKind;

/// One graded check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What is checked.
    pub name: String,
    /// Points given.
    pub points: u32,
    /// Points possible.
    pub max: u32,
    /// What was counted, in plain words.
    pub detail: String,
}

/// The grade of one run of one test case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    /// The test's short name (`read`, `multifailure`, ...).
    pub test: String,
    /// Its checks, in the classic grader's order.
    pub checks: Vec<Check>,
}

impl Grade {
    /// Points given.
    pub fn points(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }

    /// Points possible.
    pub fn max(&self) -> u32 {
        self.checks.iter().map(|c| c.max).sum()
    }

    /// Whether every check got full points.
    pub fn is_full(&self) -> bool {
        self.checks.iter().all(|c| c.points == c.max)
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.checks {
            writeln!(
                f,
                "  {:<8} {:<40} {:>2}/{:<2}  {}",
                self.test, c.name, c.points, c.max, c.detail
            )?;
        }
        writeln!(
            f,
            "  {:<8} {:<40} {:>2}/{:<2}",
            self.test,
            "total",
            self.points(),
            self.max()
        )
    }
}

/// The short name of a test case, as the classic file names go.
pub(crate) fn test_name(test: &Testcase) -> &'static str {
    match (test.crud, test.single_failure, test.drop_msg) {
        (Some(OpKind::Create), ..) => "create",
        (Some(OpKind::Read), ..) => "read",
        (Some(OpKind::Update), ..) => "update",
        (Some(OpKind::Delete), ..) => "delete",
        (None, true, false) => "singlefailure",
        (None, false, false) => "multifailure",
        (None, true, true) => "msgdropsinglefailure",
        (None, false, true) => "msgdropmultifailure",
    }
}

/// Grades one run of `test` from its events.
pub fn grade(test: &Testcase, events: &[Event]) -> Grade {
    let checks = match test.crud {
        Some(OpKind::Create) => vec![create(events)],
        Some(OpKind::Delete) => delete(events),
        Some(op) => read_or_update(op, events),
        None => membership(test, events),
    };
    Grade {
        test: test_name(test).to_owned(),
        checks,
    }
}

/// Grades a run as its events arrive: keeps only the events the graders
/// read (operations, outcomes, joins, removals, failures) and grades again
/// only when one of those came, so a page can ask for the grade every frame.
#[derive(Clone, Debug)]
pub(crate) struct Grading {
    test: Testcase,
    kept: Vec<Event>,
    grade: Grade,
}

impl Grading {
    /// The grade of `test` before any event.
    pub(crate) fn new(test: Testcase) -> Grading {
        let grade = grade(&test, &[]);
        Grading {
            test,
            kept: Vec::new(),
            grade,
        }
    }

    /// Takes in the next events of the run.
    pub(crate) fn feed(&mut self, events: &[Event]) {
        let before = self.kept.len();
        self.kept.extend(
            events
                .iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        EventKind::Operation { .. }
                            | EventKind::Outcome { .. }
                            | EventKind::Joined { .. }
                            | EventKind::Removed { .. }
                            | EventKind::Failed
                    )
                })
                .cloned(),
        );
        if self.kept.len() > before {
            self.grade = grade(&self.test, &self.kept);
        }
    }

    /// The grade of the events so far.
    pub(crate) fn grade(&self) -> &Grade {
        &self.grade
    }
}

fn check(name: &str, max: u32, pass: bool, detail: String) -> Check {
    Check {
        name: name.to_owned(),
        points: if pass { max } else { 0 },
        max,
        detail,
    }
}

/// One success or fail line of an operation.
struct Outcome<'a> {
    tick: u64,
    op: OpKind,
    key: &'a str,
    value: Option<&'a str>,
    ok: bool,
}

fn outcomes(events: &[Event]) -> impl Iterator<Item = Outcome<'_>> {
    events.iter().filter_map(|e| match &e.kind {
        EventKind::Outcome {
            op, key, value, ok, ..
        } => Some(Outcome {
            tick: e.tick,
            op: *op,
            key,
            value: value.as_deref(),
            ok: *ok,
        }),
        _ => None,
    })
}

/// The driver's operations of kind `op`: (tick, key, value), in order.
fn operations(events: &[Event], op: OpKind) -> Vec<(u64, &str, Option<&str>)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Operation {
                op: o, key, value, ..
            } if *o == op => Some((e.tick, key.as_str(), value.as_deref())),
            _ => None,
        })
        .collect()
}

/// How many `ok` outcome lines of `op` each key has.
fn per_key(events: &[Event], op: OpKind, ok: bool) -> BTreeMap<&str, u32> {
    let mut counts = BTreeMap::new();
    for o in outcomes(events).filter(|o| o.op == op && o.ok == ok) {
        *counts.entry(o.key).or_insert(0) += 1;
    }
    counts
}

/// The keys whose count differs from `want`, described.
fn off_count(keys: &[&str], counts: &BTreeMap<&str, u32>, want: u32) -> Option<String> {
    let bad: Vec<String> = keys
        .iter()
        .filter(|k| counts.get(*k).copied().unwrap_or(0) != want)
        .map(|k| format!("{k}: {}", counts.get(*k).copied().unwrap_or(0)))
        .collect();
    (!bad.is_empty()).then(|| {
        let shown: Vec<&str> = bad.iter().take(3).map(String::as_str).collect();
        format!(
            "{} of {} keys lack exactly {want} lines ({}{})",
            bad.len(),
            keys.len(),
            shown.join(", "),
            if bad.len() > 3 { ", ..." } else { "" }
        )
    })
}

fn create(events: &[Event]) -> Check {
    let ops = operations(events, OpKind::Create);
    let keys: Vec<&str> = ops.iter().map(|&(_, k, _)| k).collect();
    let counts = per_key(events, OpKind::Create, true);
    let total: u32 = counts.values().sum();
    let name = "create: 3 replicas + coordinator per key";
    if keys.is_empty() {
        return check(name, 3, false, "no CREATE operation was issued".into());
    }
    if let Some(problem) = off_count(&keys, &counts, 4) {
        return check(name, 3, false, problem);
    }
    let want = 4 * keys.len() as u32;
    let detail = format!(
        "{total} create success lines for {} keys, expected {want}",
        keys.len()
    );
    check(name, 3, total == want, detail)
}

fn delete(events: &[Event]) -> Vec<Check> {
    let ops = operations(events, OpKind::Delete);
    let keys: Vec<&str> = ops
        .iter()
        .map(|&(_, k, _)| k)
        .filter(|&k| k != INVALID_KEY)
        .collect();
    let successes = per_key(events, OpKind::Delete, true);
    let valid = "delete: 3 replicas + coordinator per key";
    let first = match (keys.is_empty(), off_count(&keys, &successes, 4)) {
        (true, _) => check(
            valid,
            3,
            false,
            "no DELETE of a valid key was issued".into(),
        ),
        (false, Some(problem)) => check(valid, 3, false, problem),
        (false, None) => check(
            valid,
            3,
            true,
            format!("{} keys with 4 delete success lines each", keys.len()),
        ),
    };
    let fails = per_key(events, OpKind::Delete, false);
    let n = fails.get(INVALID_KEY).copied().unwrap_or(0);
    let issued = ops.iter().any(|&(_, k, _)| k == INVALID_KEY);
    let second = check(
        "invalid key must fail",
        4,
        issued && n == 4,
        format!("{n} delete fail lines for {INVALID_KEY}, expected exactly 4"),
    );
    vec![first, second]
}

/// How a count must look for a check to pass.
enum Want {
    Exactly(u32),
    ThreeOrFour,
}

impl Want {
    fn accepts(&self, n: u32) -> bool {
        match self {
            Want::Exactly(want) => n == *want,
            Want::ThreeOrFour => n == 3 || n == 4,
        }
    }

    fn describe(&self) -> String {
        match self {
            Want::Exactly(want) => format!("exactly {want}"),
            Want::ThreeOrFour => "3 or 4".into(),
        }
    }
}

/// The read and update tests: five operations on one key, then one on the
/// invalid key, graded by the tick windows between the operations.
fn read_or_update(op: OpKind, events: &[Event]) -> Vec<Check> {
    // (name, points, counts failures?, expectation)
    let steps: [(&str, u32, bool, Want); 5] = [
        ("step 1: all replicas up", 3, false, Want::ThreeOrFour),
        ("step 2: one replica down", 9, false, Want::Exactly(3)),
        (
            "step 3: two replicas down, must fail",
            9,
            true,
            Want::Exactly(1),
        ),
        ("step 4: after stabilization", 10, false, Want::ThreeOrFour),
        ("step 5: a non-replica down", 6, false, Want::ThreeOrFour),
    ];
    let invalid = "invalid key must fail";
    let ops = operations(events, op);
    let key_ops: Vec<(u64, &str, Option<&str>)> = ops
        .iter()
        .copied()
        .filter(|&(_, k, _)| k != INVALID_KEY)
        .collect();
    let invalid_issued = ops.iter().any(|&(_, k, _)| k == INVALID_KEY);
    // A step's window runs from its operation to the next one; while the
    // run has not issued them all, the windows already closed by a later
    // operation are graded and the others score zero, saying why.
    let complete = key_ops.len() >= 5 && invalid_issued;
    let why = format!(
        "the run issued {} {} operations on the test key and {} on {INVALID_KEY}; the schedule needs 5 and 1",
        key_ops.len(),
        op.upper(),
        usize::from(invalid_issued)
    );
    let (key, value) = key_ops.first().map_or(("", None), |&(_, k, v)| (k, v));
    let mut bounds: Vec<u64> = key_ops.iter().take(5).map(|&(t, _, _)| t).collect();
    if complete {
        bounds.push(u64::MAX);
    }
    let mut checks: Vec<Check> = steps
        .iter()
        .enumerate()
        .map(|(i, (name, max, failures, want))| {
            let (Some(&from), Some(&until)) = (bounds.get(i), bounds.get(i + 1)) else {
                return check(name, *max, false, why.clone());
            };
            let n = outcomes(events)
                .filter(|o| o.op == op && o.key == key && (from..until).contains(&o.tick))
                .filter(|o| match failures {
                    true => !o.ok,
                    false => o.ok && o.value == value,
                })
                .count() as u32;
            let what = if *failures { "fail" } else { "success" };
            let window = if until == u64::MAX {
                format!("from tick {from}")
            } else {
                format!("in ticks {from}..{until}")
            };
            let detail = format!(
                "key {key}: {n} {} {what} lines {window}, expected {}",
                op.word(),
                want.describe()
            );
            check(name, *max, want.accepts(n), detail)
        })
        .collect();
    if !complete {
        checks.push(check(invalid, 3, false, why));
        return checks;
    }
    let n = per_key(events, op, false)
        .get(INVALID_KEY)
        .copied()
        .unwrap_or(0);
    checks.push(check(
        invalid,
        3,
        Want::ThreeOrFour.accepts(n),
        format!(
            "{n} {} fail lines for {INVALID_KEY}, expected 3 or 4",
            op.word()
        ),
    ));
    checks
}

/// (observer, member) pairs of `Joined` or `Removed` events.
fn pairs(events: &[Event], removed: bool) -> BTreeSet<(PeerId, PeerId)> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Joined { member } if !removed => Some((e.peer, member)),
            EventKind::Removed { member } if removed => Some((e.peer, member)),
            _ => None,
        })
        .collect()
}

fn membership(test: &Testcase, events: &[Event]) -> Vec<Check> {
    let n = test.peers;
    let big = if test.drop_msg { 15 } else { 10 };
    let all: Vec<PeerId> = (0..n).map(PeerId).collect();
    let failed: BTreeSet<PeerId> = events
        .iter()
        .filter(|e| e.kind == EventKind::Failed)
        .map(|e| e.peer)
        .collect();
    let survivors: Vec<PeerId> = all
        .iter()
        .copied()
        .filter(|p| !failed.contains(p))
        .collect();

    let joins = pairs(events, false);
    let missing: Vec<(PeerId, PeerId)> = all
        .iter()
        .flat_map(|&o| all.iter().map(move |&m| (o, m)))
        .filter(|&(o, m)| o != m && !joins.contains(&(o, m)))
        .collect();
    let join = check(
        "join: every peer sees every other join",
        big,
        missing.is_empty(),
        match missing.first() {
            None => format!(
                "all {n} peers logged the join of all {} others",
                n.saturating_sub(1)
            ),
            Some((o, m)) => format!("{} missing joins, e.g. {o} never logged {m}", missing.len()),
        },
    );

    let removals = pairs(events, true);
    let fully_removed = failed
        .iter()
        .filter(|&&f| survivors.iter().all(|&s| removals.contains(&(s, f))))
        .count() as u32;
    let completeness = if failed.is_empty() {
        check(
            "completeness: failures detected",
            big,
            false,
            "no failure was observed".into(),
        )
    } else {
        let total = failed.len() as u32;
        Check {
            name: "completeness: failures detected".into(),
            points: big * fully_removed / total,
            max: big,
            detail: format!(
                "{fully_removed} of {total} failed peers removed by all {} survivors",
                survivors.len()
            ),
        }
    };
    let mut checks = vec![join, completeness];
    if !test.drop_msg {
        let false_removals: Vec<&(PeerId, PeerId)> = removals
            .iter()
            .filter(|(_, m)| !failed.contains(m))
            .collect();
        let want = survivors.len() * failed.len();
        let exact = test.single_failure || removals.len() == want;
        let pass = !failed.is_empty() && false_removals.is_empty() && exact;
        let detail = match (failed.is_empty(), false_removals.first()) {
            (true, _) => "no failure was observed".into(),
            (false, Some((o, m))) => format!(
                "{} removals of live peers, e.g. {o} removed {m}",
                false_removals.len()
            ),
            (false, None) if !exact => {
                format!("{} distinct removals, expected {want}", removals.len())
            }
            (false, None) => format!("no live peer removed; {} distinct removals", removals.len()),
        };
        checks.push(check("accuracy: no live peer removed", 10, pass, detail));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic;

    fn test(crud: Option<OpKind>, single_failure: bool, drop_msg: bool) -> Testcase {
        Testcase {
            peers: 10,
            single_failure,
            drop_msg,
            drop_prob: 0.1,
            crud,
        }
    }

    fn run(t: &Testcase) -> Vec<Event> {
        classic::run(t, 3).unwrap().events().to_vec()
    }

    /// The points of each check.
    fn points(t: &Testcase, events: &[Event]) -> Vec<u32> {
        grade(t, events).checks.iter().map(|c| c.points).collect()
    }

    fn is_outcome(e: &Event, coordinator: bool, op: OpKind, ok: bool) -> bool {
        matches!(&e.kind, EventKind::Outcome { coordinator: c, op: o, ok: k, .. }
            if *c == coordinator && *o == op && *k == ok)
    }

    fn remove_first(events: &mut Vec<Event>, pred: impl Fn(&Event) -> bool) {
        let at = events.iter().position(pred).expect("an event to remove");
        events.remove(at);
    }

    fn duplicate_first(events: &mut Vec<Event>, pred: impl Fn(&Event) -> bool) {
        let at = events.iter().position(pred).expect("an event to copy");
        events.insert(at, events[at].clone());
    }

    #[test]
    fn real_runs_get_full_marks() {
        let kv: u32 = OpKind::ALL
            .into_iter()
            .map(|op| {
                let t = test(Some(op), true, false);
                let g = grade(&t, &run(&t));
                assert!(g.is_full(), "{g}");
                g.points()
            })
            .sum();
        assert_eq!(kv, 90);
        let m: u32 = [(true, false), (false, false), (true, true)]
            .into_iter()
            .map(|(single, drop)| {
                let t = test(None, single, drop);
                let g = grade(&t, &run(&t));
                assert!(g.is_full(), "{g}");
                g.points()
            })
            .sum();
        assert_eq!(m, 90);
    }

    #[test]
    fn a_missing_replica_line_fails_create() {
        let t = test(Some(OpKind::Create), true, false);
        let mut events = run(&t);
        remove_first(&mut events, |e| is_outcome(e, false, OpKind::Create, true));
        assert_eq!(points(&t, &events), vec![0]);
        assert!(grade(&t, &events).checks[0]
            .detail
            .contains("1 of 100 keys"));
    }

    #[test]
    fn delete_checks_fail_independently() {
        let t = test(Some(OpKind::Delete), true, false);
        let events = run(&t);
        let mut no_invalid = events.clone();
        remove_first(&mut no_invalid, |e| {
            is_outcome(e, false, OpKind::Delete, false)
        });
        assert_eq!(points(&t, &no_invalid), vec![3, 0]);
        let mut extra = events;
        duplicate_first(&mut extra, |e| is_outcome(e, true, OpKind::Delete, true));
        assert_eq!(points(&t, &extra), vec![0, 4]);
    }

    /// The tick of the n-th (0-based) operation of `op` on a valid key.
    fn step_tick(events: &[Event], op: OpKind, n: usize) -> u64 {
        operations(events, op)
            .into_iter()
            .filter(|&(_, k, _)| k != INVALID_KEY)
            .nth(n)
            .unwrap()
            .0
    }

    #[test]
    fn each_read_step_fails_alone() {
        let t = test(Some(OpKind::Read), true, false);
        let events = run(&t);
        let full = vec![3, 9, 9, 10, 6, 3];
        assert_eq!(points(&t, &events), full);
        for step in [0usize, 1, 3, 4] {
            let from = step_tick(&events, OpKind::Read, step);
            let mut broken = events.clone();
            // One more success line in this step's window.
            duplicate_first(&mut broken, |e| {
                e.tick > from && is_outcome(e, false, OpKind::Read, true)
            });
            // Steps 1, 4, 5 log 4 lines (3 replicas + coordinator) and
            // step 2 exactly 3: one more line is one too many.
            let mut want = full.clone();
            want[step] = 0;
            assert_eq!(points(&t, &broken), want, "step {}", step + 1);
        }
        let from = step_tick(&events, OpKind::Read, 2);
        let mut two_fails = events.clone();
        duplicate_first(&mut two_fails, |e| {
            e.tick > from && is_outcome(e, true, OpKind::Read, false)
        });
        assert_eq!(points(&t, &two_fails), vec![3, 9, 0, 10, 6, 3]);
    }

    #[test]
    fn a_lost_step_four_fails_update() {
        let t = test(Some(OpKind::Update), true, false);
        let mut events = run(&t);
        let from = step_tick(&events, OpKind::Update, 3);
        for _ in 0..2 {
            remove_first(&mut events, |e| {
                e.tick > from && is_outcome(e, false, OpKind::Update, true)
            });
        }
        assert_eq!(points(&t, &events), vec![3, 9, 9, 0, 6, 3]);
    }

    #[test]
    fn missing_operations_score_zero_without_panicking() {
        let t = test(Some(OpKind::Read), true, false);
        assert_eq!(points(&t, &[]), vec![0; 6]);
        let t = test(Some(OpKind::Create), true, false);
        assert_eq!(points(&t, &[]), vec![0]);
        let t = test(None, false, false);
        assert_eq!(points(&t, &[]), vec![0, 0, 0]);
    }

    #[test]
    fn a_steps_window_is_graded_once_the_next_operation_closed_it() {
        let t = test(Some(OpKind::Update), true, false);
        let events = run(&t);
        let until = |tick: u64| -> Vec<Event> {
            events.iter().filter(|e| e.tick < tick).cloned().collect()
        };
        assert_eq!(points(&t, &until(226)), vec![3, 9, 0, 0, 0, 0]);
        assert_eq!(points(&t, &until(286)), vec![3, 9, 9, 10, 0, 0]);
        let g = grade(&t, &until(226));
        assert!(g.checks[2].detail.contains("needs 5 and 1"), "{g}");
    }

    #[test]
    fn membership_checks_fail_alone() {
        let t = test(None, true, false);
        let events = run(&t);
        assert_eq!(points(&t, &events), vec![10, 10, 10]);
        let mut missed_join = events.clone();
        remove_first(
            &mut missed_join,
            |e| matches!(e.kind, EventKind::Joined { member } if member != e.peer),
        );
        assert_eq!(points(&t, &missed_join), vec![0, 10, 10]);
        let mut missed_removal = events.clone();
        remove_first(&mut missed_removal, |e| {
            matches!(e.kind, EventKind::Removed { .. })
        });
        assert_eq!(points(&t, &missed_removal), vec![10, 0, 10]);
        let failed = events
            .iter()
            .find(|e| e.kind == EventKind::Failed)
            .unwrap()
            .peer;
        let live = PeerId((failed.0 + 1) % 10);
        let mut false_removal = events;
        false_removal.push(Event {
            tick: 500,
            peer: PeerId((failed.0 + 2) % 10),
            kind: EventKind::Removed { member: live },
        });
        assert_eq!(points(&t, &false_removal), vec![10, 10, 0]);
    }

    #[test]
    fn multi_failure_completeness_is_two_points_per_peer() {
        let t = test(None, false, false);
        let mut events = run(&t);
        assert_eq!(points(&t, &events), vec![10, 10, 10]);
        remove_first(&mut events, |e| matches!(e.kind, EventKind::Removed { .. }));
        // One failed peer not removed by one survivor: 4 of 5 detected, and
        // the removal count is off by one.
        assert_eq!(points(&t, &events), vec![10, 8, 0]);
    }

    #[test]
    fn message_drop_tests_weigh_join_and_completeness_fifteen() {
        let t = test(None, true, true);
        let g = grade(&t, &run(&t));
        let max: Vec<u32> = g.checks.iter().map(|c| c.max).collect();
        assert_eq!(max, vec![15, 15]);
        assert_eq!(g.test, "msgdropsinglefailure");
    }
}
