//! The simulation: the emulated network, the cluster of peers driven tick by
//! tick from one seed, its event log and the health read off it.

pub mod cluster;
pub mod event_log;
pub mod health;
pub mod network;
