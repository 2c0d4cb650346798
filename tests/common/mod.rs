//! Helpers shared by the integration tests.

use ftkv::Action;
use ftkv::Level;
use ftkv::OpKind;
use ftkv::PeerId;

/// A client request through peer `coordinator` (0-based).
pub fn op(coordinator: u32, op: OpKind, key: &str, value: Option<&str>) -> Action {
    Action::Op {
        coordinator: PeerId(coordinator),
        op,
        key: key.into(),
        value: value.map(Into::into),
        level: Level::Quorum,
    }
}
