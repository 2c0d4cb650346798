//! Helpers below every layer: strict number parsing, the seeded RNG and
//! enums known by name.

pub(crate) mod digits;
pub(crate) mod names;
pub(crate) mod rng;
