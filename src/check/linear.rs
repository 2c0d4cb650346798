//! The per-key linearizability checker: Wing & Gong's search with Lowe's
//! memoization of (operations linearized, register state), as Porcupine
//! does it, iterative and bounded by a step budget.
//!
//! A key is a register that is absent or holds a value. Determinate
//! operations must all be linearized, each between its invocation and its
//! completion; indeterminate writes (no quorum, timeout, coordinator crash)
//! may be linearized any time after their invocation, or left out.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::protocol::op::OpKind;

use super::history::{Completion, HistOp, Reason};

/// What the checker concluded about one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Some order of the operations explains every answer.
    Linearizable,
    /// No order does: proven by exhausting the search.
    NotLinearizable,
    /// The step budget ran out before the search decided.
    Unknown,
}

impl Verdict {
    /// The word the CLI prints: `linearizable`, `not-linearizable`, `unknown`.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Linearizable => "linearizable",
            Verdict::NotLinearizable => "not-linearizable",
            Verdict::Unknown => "unknown",
        }
    }
}

/// The register: `None` when absent, else the id of the value it holds.
type State = Option<u32>;

/// What an operation requires of the register and leaves in it.
#[derive(Clone, Copy, Debug)]
enum Effect {
    /// Absent → the value.
    Create(u32),
    /// Present → the value.
    Update(u32),
    /// Present → absent.
    Delete,
    /// Requires exactly this value.
    Holds(u32),
    /// Requires absent.
    Absent,
    /// Requires present, any value.
    Present,
}

impl Effect {
    /// The state after applying it to `state`, or `None` if its precondition fails.
    fn apply(self, state: State) -> Option<State> {
        match (self, state) {
            (Effect::Create(value), None) => Some(Some(value)),
            (Effect::Update(value), Some(_)) => Some(Some(value)),
            (Effect::Delete, Some(_)) => Some(None),
            (Effect::Holds(want), Some(held)) if want == held => Some(state),
            (Effect::Absent, None) | (Effect::Present, Some(_)) => Some(state),
            _ => None,
        }
    }
}

/// One operation as the search sees it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    invoked: u64,
    /// The latest tick it may be linearized at (`u64::MAX` when indeterminate).
    deadline: u64,
    /// Whether it must be linearized (determinate).
    required: bool,
    effect: Effect,
}

/// Turns a key's operations into search entries, dropping those that carry
/// no information (reads without an answer), sorted by invocation.
fn entries<'a>(ops: &[&'a HistOp]) -> Vec<Entry> {
    let mut values: BTreeMap<Option<&'a str>, u32> = BTreeMap::new();
    let mut intern = |op: &'a HistOp| {
        let next = u32::try_from(values.len()).unwrap_or(u32::MAX);
        *values.entry(op.value.as_deref()).or_insert(next)
    };
    let mut entries: Vec<Entry> = ops
        .iter()
        .copied()
        .filter_map(|op| {
            let write = match op.op {
                OpKind::Create => Effect::Create(intern(op)),
                OpKind::Update => Effect::Update(intern(op)),
                OpKind::Delete => Effect::Delete,
                OpKind::Read => Effect::Holds(intern(op)),
            };
            let observed = match (op.op, op.completion) {
                (_, Completion::Ok) => write,
                (
                    OpKind::Read | OpKind::Update | OpKind::Delete,
                    Completion::Fail(Reason::NotFound),
                ) => Effect::Absent,
                (OpKind::Create, Completion::Fail(Reason::Exists)) => Effect::Present,
                (OpKind::Read, _) => return None,
                _ => {
                    return Some(Entry {
                        invoked: op.invoked,
                        deadline: u64::MAX,
                        required: false,
                        effect: write,
                    })
                }
            };
            Some(Entry {
                invoked: op.invoked,
                deadline: op.completed.unwrap_or(u64::MAX),
                required: true,
                effect: observed,
            })
        })
        .collect();
    entries.sort_by_key(|entry| entry.invoked);
    entries
}

/// A node of the search: which entries are linearized and the register after them.
struct Frame {
    done: Vec<u64>,
    state: State,
    /// How many required entries are still to linearize.
    left: usize,
    /// Entries invoked after this tick may not come next: some required
    /// entry not yet linearized completed at it.
    horizon: u64,
    /// The next entry to try from this node.
    next: usize,
}

/// Where one step of the search leads.
enum Step {
    /// To a node not visited yet.
    Child(Frame),
    /// Nowhere: every candidate was tried; backtrack.
    Exhausted,
    /// The budget ran out.
    OutOfBudget,
}

fn is_set(bits: &[u64], index: usize) -> bool {
    (bits[index / 64] >> (index % 64)) & 1 == 1
}

impl Frame {
    fn new(entries: &[Entry], done: Vec<u64>, state: State) -> Frame {
        let pending = || {
            entries
                .iter()
                .enumerate()
                .filter(|&(index, entry)| entry.required && !is_set(&done, index))
                .map(|(_, entry)| entry.deadline)
        };
        let left = pending().count();
        let horizon = pending().min().unwrap_or(u64::MAX);
        Frame {
            done,
            state,
            left,
            horizon,
            next: 0,
        }
    }

    /// The next node below this one not visited yet, counting each attempted
    /// application in `steps`.
    fn advance(
        &mut self,
        entries: &[Entry],
        memo: &mut HashSet<(Vec<u64>, State)>,
        steps: &mut u64,
        budget: u64,
    ) -> Step {
        while let Some(entry) = entries
            .get(self.next)
            .filter(|entry| entry.invoked <= self.horizon)
        {
            let index = self.next;
            self.next += 1;
            if is_set(&self.done, index) {
                continue;
            }
            *steps += 1;
            if *steps > budget {
                return Step::OutOfBudget;
            }
            let Some(state) = entry.effect.apply(self.state) else {
                continue;
            };
            let mut done = self.done.clone();
            done[index / 64] |= 1 << (index % 64);
            if memo.insert((done.clone(), state)) {
                return Step::Child(Frame::new(entries, done, state));
            }
        }
        Step::Exhausted
    }
}

/// Checks one key's operations (all on the same key, any order) for
/// linearizability, attempting at most `budget` operation applications.
pub fn check_key(ops: &[&HistOp], budget: u64) -> Verdict {
    let entries = entries(ops);
    let root = Frame::new(&entries, vec![0; entries.len().div_ceil(64)], None);
    if root.left == 0 {
        return Verdict::Linearizable;
    }
    let mut memo = HashSet::from([(root.done.clone(), root.state)]);
    let mut stack = vec![root];
    let mut steps: u64 = 0;
    while let Some(top) = stack.last_mut() {
        match top.advance(&entries, &mut memo, &mut steps, budget) {
            Step::OutOfBudget => return Verdict::Unknown,
            Step::Child(child) if child.left == 0 => return Verdict::Linearizable,
            Step::Child(child) => stack.push(child),
            Step::Exhausted => {
                stack.pop();
            }
        }
    }
    Verdict::NotLinearizable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::history::fixture::*;
    use crate::protocol::op::OpKind::{Create, Delete, Update};
    use Completion::{Fail, Never, Ok};
    use Reason::{Exists, NoQuorum, NotFound, Timeout};

    const BUDGET: u64 = 10_000_000;

    fn verdict(ops: &[HistOp]) -> Verdict {
        check_key(&ops.iter().collect::<Vec<_>>(), BUDGET)
    }

    #[test]
    fn sequential_history_is_linearizable() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(3, Update, Some("b"), (4, 5), Ok);
        let ops = [
            read_none(0, (0, 0), None),
            read_of(2, (2, 3), &a),
            read_of(4, (6, 7), &b),
            write(5, Delete, None, (8, 9), Ok),
            read_none(6, (10, 11), Some(v(8, 5))),
            write(7, Update, Some("c"), (12, 13), Fail(NotFound)),
            read_failed(8, (14, 15), Fail(Timeout)),
            read_failed(9, (16, 17), Never),
            a,
            b,
        ];
        assert_eq!(verdict(&ops), Verdict::Linearizable);
        assert_eq!(verdict(&[]), Verdict::Linearizable);
    }

    #[test]
    fn concurrent_writes_fit_one_order_only() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 10), Ok);
        let c = write(3, Update, Some("c"), (2, 10), Ok);
        let mut ops = vec![
            read_of(4, (3, 9), &c),
            read_of(5, (11, 12), &b),
            a,
            b.clone(),
            c.clone(),
        ];
        assert_eq!(verdict(&ops), Verdict::Linearizable);
        ops.push(read_of(6, (13, 14), &c));
        assert_eq!(verdict(&ops), Verdict::NotLinearizable);
    }

    #[test]
    fn stale_read_is_not_linearizable_but_a_concurrent_one_is() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 5), Ok);
        let concurrent = [a.clone(), b.clone(), read_of(3, (5, 6), &a)];
        assert_eq!(verdict(&concurrent), Verdict::Linearizable);
        let stale = [a.clone(), b, read_of(3, (6, 7), &a)];
        assert_eq!(verdict(&stale), Verdict::NotLinearizable);
    }

    #[test]
    fn indeterminate_write_is_included_when_a_read_needs_it() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 3), Fail(Timeout));
        assert_eq!(
            verdict(&[a, read_of(3, (4, 5), &b), b]),
            Verdict::Linearizable
        );
    }

    #[test]
    fn indeterminate_write_is_left_out_when_it_cannot_apply() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Create, Some("b"), (2, 3), Never);
        let c = write(3, Update, Some("c"), (2, 3), Fail(NoQuorum));
        let d = write(4, Delete, None, (2, 3), Fail(NoQuorum));
        let ops = [read_of(5, (4, 5), &a), a, b, c, d];
        assert_eq!(verdict(&ops), Verdict::Linearizable);
    }

    #[test]
    fn indeterminate_write_may_take_effect_much_later() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Update, Some("b"), (2, 3), Fail(Timeout));
        let ops = [
            read_of(3, (4, 5), &a),
            read_of(4, (10, 11), &a),
            read_of(5, (100, 101), &b),
            a,
            b,
        ];
        assert_eq!(verdict(&ops), Verdict::Linearizable);
    }

    #[test]
    fn create_on_a_present_key_cannot_succeed() {
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let b = write(2, Create, Some("b"), (2, 3), Ok);
        assert_eq!(verdict(&[a, b]), Verdict::NotLinearizable);
    }

    #[test]
    fn create_cannot_fail_with_exists_on_an_absent_key() {
        let early = write(1, Create, Some("a"), (0, 1), Fail(Exists));
        assert_eq!(verdict(&[early]), Verdict::NotLinearizable);
        let a = write(1, Create, Some("a"), (0, 1), Ok);
        let gone = write(2, Delete, None, (2, 3), Ok);
        let late = write(3, Create, Some("b"), (4, 5), Fail(Exists));
        assert_eq!(verdict(&[a, gone, late]), Verdict::NotLinearizable);
    }

    #[test]
    fn budget_bounds_the_search_and_never_guesses() {
        let mut ops = vec![write(0, Create, Some("a"), (0, 1), Ok)];
        let values: Vec<String> = (1..=12).map(|i| format!("v{i}")).collect();
        for (trans, value) in (1..).zip(&values) {
            ops.push(write(trans, Update, Some(value), (2, 100), Ok));
        }
        let ghost = write(99, Update, Some("never-written"), (0, 0), Ok);
        ops.push(read_of(100, (101, 102), &ghost));
        let refs: Vec<&HistOp> = ops.iter().collect();
        assert_eq!(check_key(&refs, 50), Verdict::Unknown);
        assert_eq!(check_key(&refs, BUDGET), Verdict::NotLinearizable);
        ops.pop();
        ops.push(read_of(100, (101, 102), &ops[7].clone()));
        let refs: Vec<&HistOp> = ops.iter().collect();
        assert_eq!(check_key(&refs, BUDGET), Verdict::Linearizable);
    }
}
