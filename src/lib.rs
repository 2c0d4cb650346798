//! ftkv: a deterministic simulator of a Dynamo-style fault-tolerant
//! key-value store.
//!
//! Peers find each other with a gossip membership protocol, place themselves
//! and the keys on a consistent-hashing ring, keep every key on three
//! successive peers, answer CRUD requests with quorum (2 of 3) consistency and
//! re-create lost replicas after failures — all in one single-threaded
//! simulation driven by integer ticks and one seed.

pub mod check;
pub mod classic;
pub mod measure;
pub mod protocol;
pub mod scenario;
pub mod sim;
pub mod torture;
pub mod util;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
