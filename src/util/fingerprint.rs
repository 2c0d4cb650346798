//! Fingerprints of states that have no `Hash`: a value's `Debug` text
//! streamed into a hasher as it is written, no text kept. Every protocol
//! type has a `Debug` that shows all of its fields, so two values with the
//! same text are the same value.

use std::fmt::{self, Write as _};
use std::hash::Hasher;

/// A `fmt::Write` that feeds what is written into a hasher.
struct Feed<'a, H: Hasher>(&'a mut H);

impl<H: Hasher> fmt::Write for Feed<'_, H> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Feeds `value`'s `Debug` text into `hasher`, then a separator.
pub(crate) fn debug_into<H: Hasher>(hasher: &mut H, value: &impl fmt::Debug) {
    // Writing into a hasher cannot fail.
    let _ = write!(Feed(hasher), "{value:?}");
    hasher.write_u8(0xff);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash(value: &impl fmt::Debug) -> u64 {
        let mut h = DefaultHasher::new();
        debug_into(&mut h, value);
        h.finish()
    }

    #[test]
    fn equal_values_hash_alike_and_different_ones_apart() {
        assert_eq!(hash(&(1, "a")), hash(&(1, "a")));
        assert_ne!(hash(&(1, "a")), hash(&(1, "b")));
        assert_ne!(hash(&vec![1, 2]), hash(&vec![12]));
    }
}
