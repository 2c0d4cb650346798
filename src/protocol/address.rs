//! Peer identities and the classic dotted addresses they print as.
//!
//! Peer `i` (0-based) has the address of the number `i + 1` packed
//! little-endian into four bytes, with port 0: peer 0 is `1.0.0.0:0`,
//! peer 255 is `0.1.0.0:0`. Peer 0 is the introducer.

use std::fmt;

/// A peer's index in the simulation, 0-based. Its address is derived from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PeerId(pub u32);

/// The peer every joining peer contacts first (`1.0.0.0:0`).
pub(crate) const INTRODUCER: PeerId = PeerId(0);

impl PeerId {
    /// The four address bytes: `id + 1`, little-endian.
    pub fn octets(self) -> [u8; 4] {
        self.0.wrapping_add(1).to_le_bytes()
    }

    /// Parses an address such as `3.0.0.0:0` back into a peer id.
    pub fn parse_address(text: &str) -> Option<PeerId> {
        let host = text.strip_suffix(":0")?;
        let mut octets = [0u8; 4];
        let mut parts = host.split('.');
        for octet in &mut octets {
            *octet = crate::util::digits::parse(parts.next()?).ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
        let number = u32::from_le_bytes(octets);
        number.checked_sub(1).map(PeerId)
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.octets();
        write!(f, "{a}.{b}.{c}.{d}:0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_follow_the_classic_packing() {
        assert_eq!(PeerId(0).to_string(), "1.0.0.0:0");
        assert_eq!(PeerId(9).to_string(), "10.0.0.0:0");
        assert_eq!(PeerId(254).to_string(), "255.0.0.0:0");
        assert_eq!(PeerId(255).to_string(), "0.1.0.0:0");
        assert_eq!(PeerId(256).to_string(), "1.1.0.0:0");
    }

    #[test]
    fn addresses_parse_back() {
        for id in [0, 1, 9, 254, 255, 256, 4095, 70_000] {
            let text = PeerId(id).to_string();
            assert_eq!(PeerId::parse_address(&text), Some(PeerId(id)), "{text}");
        }
        assert_eq!(PeerId::parse_address("0.0.0.0:0"), None);
        assert_eq!(PeerId::parse_address("1.0.0.0"), None);
        assert_eq!(PeerId::parse_address("1.0.0.0.0:0"), None);
        assert_eq!(PeerId::parse_address("256.0.0.0:0"), None);
        assert_eq!(PeerId::parse_address("<b>:0"), None);
    }
}
