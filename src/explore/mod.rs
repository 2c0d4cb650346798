//! `ftkv explore`: every schedule of a small cluster, breadth first
//! (bounded model checking), run on the peers' own code through the
//! [`crate::Sim`] — not a second model of the protocol.
//!
//! **The start.** A cluster of 3 to 5 peers run to tick [`START`] (40, where
//! torture's workload starts too), by which every peer's membership lists
//! every peer; a cluster that has not settled by then is refused.
//!
//! **A state** is the simulation at a tick boundary (before the tick
//! `now` runs), with the client's progress through the workload, the
//! history so far and the fault budgets used ([`state`]).
//!
//! **The choices** at a boundary ([`choice`]), each one scenario action at
//! that tick, so that a schedule is a share link:
//!
//! - invoke the workload's next operation ([`ops`]) through any live
//!   coordinator — only once the one before has been decided (a sequential
//!   client; a request whose coordinator crashed is never decided, and the
//!   client moves on);
//! - drop one store message due at this tick (`drop.SEQ`), at most
//!   `max_drops` per schedule. Store messages are every kind but the
//!   membership's `JoinReq`, `JoinRep` and `Gossip`. Only messages due now
//!   are offered: dropping a message earlier than the tick it arrives at
//!   changes nothing else, so those schedules are the same;
//! - hold one store message due at this tick back one tick (`hold.SEQ`,
//!   [`crate::Sim::hold_message`]): it arrives after the other messages
//!   due now and after its receiver's tick, at most `max_holds` per
//!   schedule; holding it again holds it longer;
//! - crash a live peer (`fail.P`), at most `max_crashes` per schedule, or
//!   recover a crashed one (`recover.P`);
//! - advance: run the tick, and go on running ticks while nothing
//!   observable happens — until a store message is due, a membership
//!   event (a join, a failure, a removal) or a decision has happened, or
//!   2 × `t_remove` ticks have run. An advance that ran that far with
//!   nothing happening and nothing under way (no store message in flight,
//!   no request undecided) leaves the state *idle*, and an idle state
//!   offers no advance: only the clock would move. So faults and requests
//!   happen at the boundaries where something happens, not at every tick.
//!
//! Membership gossip is delivered by the simulation as usual: explore
//! treats it as reliable and on time. Faults reach membership through
//! crashes, and through the store traffic held or dropped.
//!
//! **Terminal states**: every operation decided and no store message in
//! flight. A terminal state is not expanded; it is settled as torture
//! settles a run ([`settle`]): every crashed peer recovered, [`QUIET`]
//! ticks, a read of every key, 20 ticks, and checked by the same checker
//! ([`crate::torture::check_run`]) against the promises of a torture
//! profile ([`crate::torture::Rules`]): `crash` if a peer crashed
//! (`crash-heavy` if N or more were down at once), else `drops` if a
//! message was dropped or held, else `none`.
//!
//! **The search** ([`search`]) is breadth first over choices, so the first
//! schedule found to show an anomaly is a shortest one. States are told
//! apart by a 128-bit hash ([`crate::Sim::fingerprint`], the history, the
//! membership events, the workload's progress and the budgets used); the
//! visited set holds only those hashes, and the frontier holds the states
//! of one level and the next, each with a pointer to its parent step. No
//! symmetry reduction: the introducer and the peers' ring positions tell
//! the peers apart. The bounds: `depth` (choices per schedule), the fault
//! budgets, and `max_states` (distinct states); a search cut short by
//! depth or states says so ([`Outcome::exhaustive`]).
//!
//! **Not covered**: faults on membership gossip, partitions, losses and
//! delays longer than the holds, concurrent clients, faults after the last
//! decision once the store is quiet (the settling's stabilization and
//! final reads run unfaulted), and crashes or requests at uneventful
//! ticks.
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
