//! The protocol: what one peer is and does, with no clock, no network and
//! no I/O of its own — addresses, operations, settings, the ring, messages,
//! membership, the store and its anti-entropy, the coordinator, and the peer
//! that ties them together.

pub(crate) mod address;
pub(crate) mod anti_entropy;
pub(crate) mod config;
pub(crate) mod coordinator;
pub(crate) mod event;
pub(crate) mod event_text;
pub(crate) mod membership;
pub(crate) mod merkle;
pub(crate) mod message;
pub(crate) mod op;
pub(crate) mod out;
pub(crate) mod peer;
pub(crate) mod ring;
pub(crate) mod settings;
pub(crate) mod store;
