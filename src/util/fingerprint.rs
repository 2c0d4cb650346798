//! Fingerprints of states that have no `Hash`: a value's `Debug` text
//! streamed into a hasher as it is written, no text kept. Every protocol
//! type has a `Debug` that shows all of its fields, so two values with the
//! same text are the same value.

use std::fmt::{self, Write as _};
use std::hash::Hasher;

/// How many bytes of text [`Feed`] gathers before it feeds them: a
/// hasher is much faster fed a few long slices than many short ones.
const CHUNK: usize = 4096;

/// A `fmt::Write` that feeds what is written into a hasher, in chunks.
struct Feed<'a, H: Hasher> {
    hasher: &'a mut H,
    buf: [u8; CHUNK],
    len: usize,
}

impl<H: Hasher> Feed<'_, H> {
    fn flush(&mut self) {
        self.hasher.write(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl<H: Hasher> fmt::Write for Feed<'_, H> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let bytes = s.as_bytes();
        if self.len + bytes.len() > CHUNK {
            self.flush();
        }
        if bytes.len() > CHUNK {
            self.hasher.write(bytes);
        } else {
            self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        }
        Ok(())
    }
}

/// Feeds `value`'s `Debug` text into `hasher`, then a separator.
pub(crate) fn debug_into<H: Hasher>(hasher: &mut H, value: &impl fmt::Debug) {
    let mut feed = Feed {
        hasher,
        buf: [0; CHUNK],
        len: 0,
    };
    // Writing into a hasher cannot fail.
    let _ = write!(feed, "{value:?}");
    feed.flush();
    feed.hasher.write_u8(0xff);
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
