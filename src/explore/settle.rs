//! The end of a schedule, as torture ends a run: every crashed peer
//! recovered, a quiet period, a read of every key, then the same checker
//! and the same promises as `ftkv torture`.

use crate::check::anomaly::Report;
use crate::check::record;
use crate::explore::ops::ClientOp;
use crate::explore::state::State;
use crate::protocol::address::PeerId;
use crate::protocol::config::Level;
use crate::protocol::op::OpKind;
use crate::scenario::action::{self, Action, Timed};
use crate::torture::{self, Profile, Rules, QUIET};

/// Ticks run after the final reads, as torture does (they complete).
const AFTER_READS: u64 = 20;

/// A settled, checked schedule.
pub(crate) struct Settled {
    /// The actions the settling took: the recoveries and the final reads.
    pub(crate) actions: Vec<Timed>,
    /// The tick it ended at.
    pub(crate) end: u64,
    /// What the checker found.
    pub(crate) report: Report,
}

/// Settles a terminal state: recovers every crashed peer at once, runs
/// [`QUIET`] ticks, reads every key of `ops` (in the order they first
/// appear) through the first peer, runs [`AFTER_READS`] more ticks, and
/// checks the history and the end state with [`torture::check_run`].
pub(crate) fn settle(state: &State, ops: &[ClientOp]) -> Settled {
    let mut state = state.clone();
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
    let history = state.recorder.history();
    let snapshot = record::snapshot(&state.sim, history);
    Settled {
        actions,
        end: state.sim.now(),
        report: torture::check_run(history, Some(&snapshot), &state.membership),
    }
}

fn run(state: &mut State, ticks: u64) {
    for _ in 0..ticks {
        state.sim.run_tick();
        state.absorb();
    }
}

/// The rules a schedule is judged by, under replication `n`: those of
/// `crash` if a peer crashed (of `crash-heavy` if N or more were down at
/// once), else of `drops` if a message was dropped or held, else of
/// `none`. A hold is a one-tick delay of store traffic only, which cannot
/// make membership remove a live peer, so the stricter rules of `drops`
/// apply rather than those of `delays`.
pub(crate) fn rules(state: &State, replication: crate::protocol::config::Replication) -> Rules {
    let profile = if state.peak_down >= u32::from(replication.n) {
        Profile::CrashHeavy
    } else if state.crashes > 0 {
        Profile::Crash
    } else if state.drops + state.holds > 0 {
        Profile::Drops
    } else {
        Profile::None
    };
    Rules::new(profile, replication)
}
