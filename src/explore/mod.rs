//! `ftkv explore`: every schedule of a small cluster, breadth first
//! (bounded model checking), run on the peers' own code through the
//! [`crate::Sim`] — not a second model of the protocol.
//!
//! **The start.** A cluster of 3 to 5 peers run to tick [`START`] (40, where
//! torture's workload starts too), by which every peer's membership lists
//! every peer; a cluster that has not settled by then is refused.
//!
//! **A state** (`state.rs`) is the simulation at a tick boundary (before
//! the tick `now` runs), with the client's progress through the workload,
//! the history so far, the failures and removals so far and the fault
//! budgets used.
//!
//! **Store messages** are the ones the explorer drops, holds and waits for:
//! requests, replies, replication (stabilization's and anti-entropy's
//! pushes and their acknowledgements) and read repair. Membership gossip
//! and anti-entropy's comparisons (digests, pulls, Merkle hashes and
//! diffs, sent every round whatever the state) are delivered by the
//! simulation as usual: explore treats them as reliable and on time.
//! Faults reach membership through crashes and through the store traffic
//! dropped or held.
//!
//! **The choices** at a boundary (`choice.rs`), each one scenario action at
//! that tick, so that a schedule is a share link:
//!
//! - invoke the workload's next operation (`ops.rs`) through any live
//!   coordinator — only once the one before has been decided (a sequential
//!   client; a request whose coordinator crashed is never decided, and the
//!   client moves on);
//! - drop one store message due at this tick (`drop.SEQ`), at most
//!   `max_drops` per schedule. Only messages due now are offered: dropping
//!   a message before the tick it arrives at changes nothing else, so
//!   those schedules are the same;
//! - hold one store message due at this tick back one tick (`hold.SEQ`,
//!   [`crate::Sim::hold_message`]): it arrives after the other messages
//!   due now and after its receiver's tick, at most `max_holds` per
//!   schedule; holding it again holds it longer;
//! - crash a live peer (`fail.P`), at most `max_crashes` per schedule:
//!   while something is under way only a peer a store message is due to
//!   now (a crash elsewhere changes only the gossip's timing), in a quiet
//!   state any peer;
//! - recover a crashed peer (`recover.P`), at most `max_recoveries` per
//!   schedule, in a quiet state once no live peer lists it any more;
//! - advance. While something is under way (a store message in flight, a
//!   request undecided) it runs one tick. From a quiet state it runs on
//!   until something observable happens: a store message is due, or a
//!   peer joined, failed, was suspected or removed, or a request was
//!   decided. If nothing does within 2 × `t_remove` ticks the advance is
//!   no choice at all: only the clock would move. So a quiet cluster is
//!   acted on only at the ticks where something happens.
//!
//! **Terminal states**: every operation decided and no store message in
//! flight. A terminal state is not expanded; it is settled as torture
//! settles a run (`settle.rs`): every crashed peer recovered, [`QUIET`]
//! ticks, a read of every key through the first peer, 20 ticks, and
//! checked by the same checker ([`crate::torture::check_run`]) against the
//! promises of a torture profile ([`crate::torture::Rules`]): `crash` if a
//! peer crashed (`crash-heavy` if N or more were down at once), else
//! `drops` if a message was dropped or held (a one-tick hold of store
//! traffic cannot make membership remove a live peer, so the stricter
//! rules of `drops` rather than those of `delays`), else `none`. How a
//! cluster settles depends on the cluster alone, so it is computed once
//! per distinct terminal cluster and added to each terminal state's own
//! history before the check (`settle::Ending`).
//!
//! **The search** (`search.rs`) is breadth first over choices, so the
//! first schedule found to show an anomaly is a shortest one. States are
//! told apart by a 128-bit hash ([`crate::Sim::fingerprint`], the history,
//! the failures and removals, the workload's progress and the budgets
//! used); the visited set holds only those hashes, and the frontier holds
//! the states still to expand, each with the index of the step that
//! reached it (a parent pointer and one action), from which its schedule
//! is rebuilt. No symmetry reduction: the introducer and the peers' ring
//! positions tell the peers apart. The bounds: `depth` (choices per
//! schedule), the fault budgets, and `max_states` (distinct states); a
//! search cut short by depth or states says so ([`Outcome::exhaustive`]).
//! Every anomaly's shortest schedule is replayed from its link and checked
//! again, as `ftkv check` does ([`Finding::replays`]).
//!
//! **Not covered**: faults on membership gossip, partitions, losses and
//! delays longer than the holds, concurrent clients, faults once the last
//! request is decided and the store is quiet (the settling runs
//! unfaulted), crashes or requests at ticks where nothing happens, and
//! timers further away than a fast-forward reaches (tombstone collection).
//!
//! [`QUIET`]: crate::torture::QUIET

pub(crate) mod choice;
pub(crate) mod ops;
pub(crate) mod search;
pub(crate) mod settle;
pub(crate) mod state;

pub use ops::{parse_ops, ClientOp, OpsError};
pub use search::{
    explore, Bounds, ExploreError, Finding, Options, Outcome, MAX_PEERS, MIN_PEERS, START,
};
