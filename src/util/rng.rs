//! The simulation's only source of randomness.
//!
//! One seed decides everything. Each purpose (the network, the test driver,
//! each peer) draws from its own ChaCha8 stream of that seed, so adding a
//! draw in one place never shifts the draws of another. ChaCha8 and the
//! sampling below use explicit 32/64-bit arithmetic only, which makes every
//! draw identical natively and on wasm32.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The stream of the emulated network (drops).
pub(crate) const STREAM_NETWORK: u64 = 1;
/// The stream of the test driver (keys, coordinators, which peers fail).
pub(crate) const STREAM_DRIVER: u64 = 2;
/// The stream that picks random coordinators for playground requests.
pub(crate) const STREAM_CLIENT: u64 = 3;
/// The stream of the staleness measurement (link delays, coordinators).
pub(crate) const STREAM_STALENESS: u64 = 4;
/// Peer `i` draws from stream `STREAM_PEERS + i`.
pub(crate) const STREAM_PEERS: u64 = 1 << 32;

/// A seeded, portable random stream.
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// The stream `stream` of `seed`.
    pub fn new(seed: u64, stream: u64) -> SimRng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        SimRng(rng)
    }

    /// A uniform draw in `0..n`; `n` must be positive.
    pub fn below(&mut self, n: u32) -> u32 {
        self.0.random_range(0..n)
    }

    /// True with probability `p` (clamped to 0..=1).
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let draws = |seed, stream| {
            let mut rng = SimRng::new(seed, stream);
            (0..8).map(|_| rng.below(1000)).collect::<Vec<_>>()
        };
        assert_eq!(draws(7, STREAM_DRIVER), draws(7, STREAM_DRIVER));
        assert_ne!(draws(7, STREAM_DRIVER), draws(7, STREAM_NETWORK));
        assert_ne!(draws(7, STREAM_DRIVER), draws(8, STREAM_DRIVER));
    }

    #[test]
    fn draws_are_pinned() {
        // Pinned so that a dependency upgrade that changes the algorithm
        // (and with it every trace and every shared link) fails loudly.
        let mut rng = SimRng::new(42, STREAM_DRIVER);
        let got: Vec<u32> = (0..5).map(|_| rng.below(100)).collect();
        assert_eq!(got, PINNED);
    }
    const PINNED: [u32; 5] = [8, 18, 31, 29, 60];

    #[test]
    fn chance_respects_extremes() {
        let mut rng = SimRng::new(1, STREAM_NETWORK);
        assert!((0..100).all(|_| !rng.chance(0.0)));
        assert!((0..100).all(|_| rng.chance(1.0)));
        let hits = (0..10_000).filter(|_| rng.chance(0.1)).count();
        assert!((800..1200).contains(&hits), "{hits}");
    }
}
