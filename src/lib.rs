//! ftkv: a deterministic simulator of a Dynamo-style fault-tolerant
//! key-value store.
//!
//! Peers find each other with a gossip membership protocol, place themselves
//! and the keys on a consistent-hashing ring, keep every key on three
//! successive peers, answer CRUD requests with quorum (2 of 3) consistency and
//! re-create lost replicas after failures — all in one single-threaded
//! simulation driven by integer ticks and one seed.

pub mod address;
pub mod check;
pub mod classic;
pub mod config;
pub mod coordinator;
pub mod digits;
pub mod event;
pub mod event_log;
pub mod health;
pub mod load;
pub mod membership;
pub mod merkle;
pub mod message;
pub mod network;
pub mod op;
pub mod out;
pub mod peer;
pub mod ring;
pub mod rng;
pub mod scenario;
pub mod selection;
pub mod sim;
pub mod staleness;
pub mod store;
pub mod timeline;
pub mod torture;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
