//! The choices at a tick boundary, and what each one does to a state. Every
//! choice but `advance` is one scenario [`Action`] at the boundary's tick,
//! applied with the scenario's own code, so a schedule is a share link.

use crate::explore::ops::ClientOp;
use crate::explore::state::State;
use crate::protocol::address::PeerId;
use crate::protocol::config::Level;
use crate::scenario::action::{self, Action, Timed};

/// One choice at a tick boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Choice {
    /// Invoke the workload's next operation through this coordinator.
    Invoke(PeerId),
    /// Lose this store message, due at this tick.
    Drop(u64),
    /// Hold this store message, due at this tick, back one tick.
    Hold(u64),
    /// Crash this live peer.
    Crash(PeerId),
    /// Restart this crashed peer.
    Recover(PeerId),
    /// Run the tick, and on through uneventful ticks if nothing is under
    /// way (see the module docs of [`crate::explore`]).
    Advance,
}

/// What the choices depend on besides the state: the workload, the fault
/// budgets and how far an advance may fast-forward.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    /// The client's operations, in order.
    pub(crate) ops: Vec<ClientOp>,
    /// The most messages dropped in one schedule.
    pub(crate) max_drops: u32,
    /// The most holds in one schedule.
    pub(crate) max_holds: u32,
    /// The most crashes in one schedule.
    pub(crate) max_crashes: u32,
    /// The most recoveries in one schedule (the settling's aside).
    pub(crate) max_recoveries: u32,
    /// The most ticks one advance runs.
    pub(crate) fast_forward: u64,
}

impl Model {
    /// Whether `state` is terminal: every operation decided and no store
    /// message in flight.
    pub(crate) fn is_terminal(&self, state: &State) -> bool {
        state.next_op == self.ops.len() && !state.busy()
    }

    /// Every choice enabled in `state`, in a fixed order (the order the
    /// search tries them in, so the order among equally short schedules).
    pub(crate) fn choices(&self, state: &State) -> Vec<Choice> {
        let alive = state.sim.alive_peers();
        let mut choices = Vec::new();
        if state.waiting.is_none() && state.next_op < self.ops.len() {
            choices.extend(alive.iter().copied().map(Choice::Invoke));
        }
        let due: Vec<u64> = state.store_due_now().collect();
        if state.drops < self.max_drops {
            choices.extend(due.iter().copied().map(Choice::Drop));
        }
        if state.holds < self.max_holds {
            choices.extend(due.iter().copied().map(Choice::Hold));
        }
        // A peer crashes where it makes a difference to the store: just
        // before messages are delivered to it, or while nothing is under
        // way. It recovers while nothing is under way, once every live
        // peer has removed it.
        let quiet = !state.busy();
        if state.crashes < self.max_crashes {
            let receivers = state.store_receivers_now();
            let crashable = alive.iter().copied();
            choices.extend(
                crashable
                    .filter(|id| quiet || receivers.contains(id))
                    .map(Choice::Crash),
            );
        }
        if quiet && state.recoveries < self.max_recoveries {
            let noticed = state.failed_peers().into_iter();
            choices.extend(
                noticed
                    .filter(|&id| state.removed_everywhere(id))
                    .map(Choice::Recover),
            );
        }
        choices.push(Choice::Advance);
        choices
    }

    /// Makes `choice` in `state`.
    pub(crate) fn apply(&self, state: &mut State, choice: Choice) -> Made {
        let action = match choice {
            Choice::Advance => {
                return match self.advance(state) {
                    true => Made::Ran,
                    false => Made::Stalled,
                }
            }
            Choice::Invoke(coordinator) => {
                let op = &self.ops[state.next_op];
                Action::Op {
                    coordinator,
                    op: op.op,
                    key: op.key.clone(),
                    value: op.value.clone(),
                    level: Level::Quorum,
                }
            }
            Choice::Drop(seq) => Action::Drop(seq),
            Choice::Hold(seq) => Action::Hold(seq),
            Choice::Crash(id) => Action::Fail(id),
            Choice::Recover(id) => Action::Recover(id),
        };
        // Every choice offered applies: its peer is alive (or failed), its
        // message in flight, its operation checked when the search began.
        let trans = action::apply(&mut state.sim, &action).expect("an enabled choice applies");
        match choice {
            Choice::Invoke(coordinator) => {
                state.next_op += 1;
                state.waiting = trans.map(|t| (t, coordinator));
            }
            Choice::Drop(_) => state.drops += 1,
            Choice::Hold(_) => state.holds += 1,
            Choice::Crash(_) => {
                state.crashes += 1;
                state.peak_down = state.peak_down.max(state.failed_peers().len() as u32);
            }
            Choice::Recover(_) => state.recoveries += 1,
            Choice::Advance => {}
        }
        state.absorb();
        Made::Act(Timed {
            tick: state.sim.now(),
            action,
        })
    }

    /// Runs the tick; when nothing was under way before it (no store
    /// message in flight, no request undecided), runs on while nothing
    /// observable happens: until a store message is due or a membership
    /// event (a join, a failure, a suspicion, a removal) or a decision has
    /// happened. Returns false if `fast_forward`
    /// ticks ran that way with nothing happening: only the clock moved.
    fn advance(&self, state: &mut State) -> bool {
        let quiet = !state.busy();
        let mut suspicions = state.suspicions();
        for _ in 0..self.fast_forward {
            state.sim.run_tick();
            let mut eventful = state.absorb();
            if quiet {
                let now = state.suspicions();
                eventful |= now != suspicions;
                suspicions = now;
            }
            if !quiet || eventful || state.store_due_now().next().is_some() {
                return true;
            }
        }
        false
    }
}

/// What a choice made of a state.
pub(crate) enum Made {
    /// It took this action at the state's tick.
    Act(Timed),
    /// It ran the clock on to a tick where something happens.
    Ran,
    /// It ran the clock on and nothing happened: a state the same as the
    /// one it came from but for the clock, which leads nowhere new.
    Stalled,
}
