//! The protocol: what one peer is and does, with no clock, no network and
//! no I/O of its own — addresses, operations, settings, the ring, messages,
//! membership, the store and its anti-entropy, the coordinator, and the peer
//! that ties them together.

pub mod address;
pub mod anti_entropy;
pub mod config;
pub mod coordinator;
pub mod event;
pub mod event_text;
pub mod membership;
pub mod merkle;
pub mod message;
pub mod op;
pub mod out;
pub mod peer;
pub mod ring;
pub mod settings;
pub mod store;
