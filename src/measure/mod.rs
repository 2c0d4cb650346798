//! Measurements over many runs: how evenly the ring spreads keys, and how
//! stale reads are (the PBS curve).

pub mod load;
pub mod staleness;
