//! The simulation: the emulated network, the cluster of peers driven tick by
//! tick from one seed, its event log and the health read off it.

pub(crate) mod cluster;
pub(crate) mod event_log;
pub(crate) mod health;
pub(crate) mod network;
