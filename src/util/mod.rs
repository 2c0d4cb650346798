//! Helpers below every layer: strict number parsing, the seeded RNG and
//! enums known by name.

pub mod digits;
pub mod names;
pub mod rng;
