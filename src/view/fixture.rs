//! The views' tests' one small session: six peers, a create of `k` by
//! peer 1 at tick 40 and a read of it by peer 2 five ticks later.

use crate::protocol::address::PeerId;
use crate::protocol::config::Level;
use crate::protocol::op::OpKind;
use crate::scenario::{Session, Setup};

/// The session.
pub(super) fn session() -> Session {
    let mut session = Session::new(Setup::new(6, 3), false).unwrap();
    session.step(40);
    session
        .request(
            OpKind::Create,
            "k",
            Some("v"),
            Some(PeerId(1)),
            Level::Quorum,
        )
        .unwrap();
    session.step(5);
    session
        .request(OpKind::Read, "k", None, Some(PeerId(2)), Level::Quorum)
        .unwrap();
    session
}
