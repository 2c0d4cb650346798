//! Measurements over many runs: how evenly the ring spreads keys, and how
//! stale reads are (the PBS curve).

pub(crate) mod load;
pub(crate) mod staleness;

pub use load::{Load, OutOfRange, MAX_KEYS};
pub use staleness::{
    curve, measure, Curve, Delays, DelaysError, Point, Tally, PEERS, PER_T, T_MAX,
};
