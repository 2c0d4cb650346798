//! Helpers below every layer: strict number parsing and the seeded RNG.

pub mod digits;
pub mod rng;
