//! How the page words a few values that several views show: a ring
//! position as a fraction, a version, a peer's state.

use crate::protocol::op::Version;
use crate::sim::cluster::PeerState;

/// A ring position as a fraction of the circle, 0 ≤ x < 1.
pub(super) fn fraction(position: u64) -> f64 {
    position as f64 / 18_446_744_073_709_551_616.0
}

/// A version as the page shows it: `tick/transaction`, and ` undo` after
/// the version of an undo ([`Version::undoing`]).
pub(super) fn version_text(version: Version) -> String {
    let undo = if version.undo { " undo" } else { "" };
    format!("{}/{}{undo}", version.tick, version.trans)
}

/// A peer's state as the page names it: `alive`, `failed` or `waiting`.
pub(super) fn state_name(state: Option<PeerState>) -> &'static str {
    match state {
        Some(PeerState::Alive) => "alive",
        Some(PeerState::Failed) => "failed",
        Some(PeerState::Waiting) | None => "waiting",
    }
}
