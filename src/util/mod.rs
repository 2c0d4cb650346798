//! Helpers below every layer: strict number parsing, the seeded RNG, enums
//! known by name and fingerprints of states.

pub(crate) mod digits;
pub(crate) mod fingerprint;
pub(crate) mod names;
pub(crate) mod rng;
