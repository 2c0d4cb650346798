//! ftkv: a deterministic simulator of a Dynamo-style fault-tolerant
//! key-value store.
//!
//! Peers find each other with a gossip membership protocol, place themselves
//! and the keys on a consistent-hashing ring, keep every key on three
//! successive peers, answer CRUD requests with quorum (2 of 3) consistency and
//! re-create lost replicas after failures — all in one single-threaded
//! simulation driven by integer ticks and one seed.
//!
//! The crate is built in layers, lowest first: `util`, `protocol` (one peer
//! as a pure state machine), `sim` (the network and the cluster, tick by
//! tick), [`check`] and [`classic`], `scenario` (sessions, time travel,
//! share links), [`torture`], [`explore`] and [`measure`], [`view`], and the wasm
//! bindings. A module uses only its own layer and those below it
//! (`tests/layers.rs`). What the front doors need — the CLI, the wasm
//! bindings, the benches and the tests — is re-exported here: the core types
//! at the root, each family of functions in its public module.

#![deny(missing_docs, unreachable_pub)]

pub mod check;
pub mod classic;
pub mod explore;
pub mod measure;
pub mod torture;
pub mod view;

mod protocol;
mod scenario;
mod sim;
mod util;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use protocol::address::PeerId;
pub use protocol::config::{
    AeMode, AntiEntropy, Config, Level, MembershipTimings, ReadRepair, Replication, StoreTimings,
    MAX_PEERS,
};
pub use protocol::event::{DropReason, Event, EventKind};
pub use protocol::message::{Message, MessageKind};
pub use protocol::op::{OpKind, Version};
pub use protocol::ring::Ring;
pub use scenario::selection::Selection;
pub use scenario::timeline::capacity as checkpoint_capacity;
pub use scenario::{
    link_peers, seal, Action, LinkError, ScenarioError, Session, Setup, Timed, MAX_LINK_BYTES,
};
pub use sim::cluster::{PeerState, Sim, SimError, SimOptions};
pub use sim::event_log::EventLog;
pub use sim::health::Sample;
pub use sim::network::{Network, Sent};
pub use util::rng::SimRng;

/// The settings schema: every setting declared once, with its names in the
/// settings text, the share link, the CLI and JavaScript, its range, default
/// and doc ([`settings::SETTINGS`]).
pub mod settings {
    pub use crate::protocol::settings::*;
}
