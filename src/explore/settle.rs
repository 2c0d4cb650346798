//! The end of a schedule, as torture ends a run: every crashed peer
//! recovered, a quiet period, a read of every key, then the same checker
//! and the same promises as `ftkv torture`.

use crate::check::anomaly::Report;
use crate::check::history::{HistOp, Snapshot};
use crate::check::record;
use crate::explore::ops::ClientOp;
use crate::explore::state::State;
use crate::protocol::address::PeerId;
use crate::protocol::config::Config;
use crate::protocol::config::Level;
use crate::protocol::event::Event;
use crate::protocol::op::OpKind;
use crate::scenario::action::{self, Action, Timed};
use crate::torture::{self, Faults, Rules, QUIET};

/// Ticks run after the final reads, as torture does (they complete).
const AFTER_READS: u64 = 20;

/// How a terminal state's cluster ends once settled: what the settling
/// adds to the run. It depends on the cluster alone, not on the history
/// that led there, so terminal states with one cluster share it.
#[derive(Clone, Debug)]
pub(crate) struct Ending {
    /// The actions the settling took: the recoveries and the final reads.
    pub(crate) actions: Vec<Timed>,
    /// The tick it ended at.
    pub(crate) end: u64,
    /// The final reads, as the history records them.
    pub(crate) reads: Vec<HistOp>,
    /// The failures and removals during the settling.
    pub(crate) membership: Vec<Event>,
    /// Every copy at the end.
    pub(crate) snapshot: Snapshot,
}

/// Settles a terminal state's cluster: recovers every crashed peer at
/// once, runs [`QUIET`] ticks, reads every key of `ops` (in the order they
/// first appear) through the first peer, runs [`AFTER_READS`] more ticks.
pub(crate) fn settle(state: &State, ops: &[ClientOp]) -> Ending {
    // Every request is decided by now: the settling's own history and
    // membership events are recorded apart, to be added to the run's.
    let mut state = State::new(state.sim.clone());
    let mut actions = Vec::new();
    let mut act = |state: &mut State, action: Action| {
        // Recovering a failed peer and reading through a live one apply.
        action::apply(&mut state.sim, &action).expect("a settling action applies");
        state.absorb();
        actions.push(Timed {
            tick: state.sim.now(),
            action,
        });
    };
    for id in state.failed_peers() {
        act(&mut state, Action::Recover(id));
    }
    run(&mut state, QUIET);
    let mut keys: Vec<&str> = Vec::new();
    for op in ops {
        if !keys.contains(&op.key.as_str()) {
            keys.push(&op.key);
        }
    }
    for key in keys {
        let read = Action::Op {
            coordinator: PeerId(0),
            op: OpKind::Read,
            key: key.to_owned(),
            value: None,
            level: Level::Quorum,
        };
        act(&mut state, read);
    }
    run(&mut state, AFTER_READS);
    // The final reads name every key of the workload, so the snapshot
    // lists the same keys as one taken with the whole history.
    let snapshot = record::snapshot(&state.sim, state.recorder.history());
    Ending {
        actions,
        end: state.sim.now(),
        reads: state.recorder.history().ops.clone(),
        membership: state.membership,
        snapshot,
    }
}

/// Checks a terminal state settled as `ending` says, with
/// [`torture::check_run`]: its history and the final reads, its end
/// state, its failures and removals and the settling's.
pub(crate) fn check(state: &State, ending: &Ending) -> Report {
    let mut history = state.recorder.history().clone();
    history.ops.extend(ending.reads.iter().cloned());
    let mut membership = state.membership.clone();
    membership.extend(ending.membership.iter().cloned());
    torture::check_run(&history, Some(&ending.snapshot), &membership)
}

fn run(state: &mut State, ticks: u64) {
    for _ in 0..ticks {
        state.sim.run_tick();
        state.absorb();
    }
}

/// The rules a schedule is judged by under `config`, read off its faults
/// as torture reads a run's ([`Rules::new`]): its crashes (the most peers
/// down at once), and its drops and holds as lost messages. A hold is a
/// one-tick delay of store traffic only, which cannot make membership
/// remove a live peer, so it counts as a loss, not as a delayed link.
pub(crate) fn rules(state: &State, config: &Config) -> Rules {
    let lossy = state.drops + state.holds > 0;
    let faults = Faults {
        any: lossy || state.crashes > 0,
        longest_cut: 0,
        lossy_cut: false,
        lossy,
        delayed: false,
        most_down: state.peak_down as usize,
        most_down_past_grace: 0,
    };
    Rules::new(config, faults)
}
