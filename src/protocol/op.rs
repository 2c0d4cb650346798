//! The four CRUD operations, value versions and the quorum rule.

use std::fmt;

/// A client operation on the key-value store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpKind {
    /// Insert a new key; fails where the key already exists.
    Create,
    /// Return the newest value a quorum holds.
    Read,
    /// Replace the value of an existing key.
    Update,
    /// Remove an existing key.
    Delete,
}

impl OpKind {
    /// All four, in CRUD order.
    pub const ALL: [OpKind; 4] = [OpKind::Create, OpKind::Read, OpKind::Update, OpKind::Delete];

    /// The lower-case word the classic log uses (`create`, `read`, ...).
    pub fn word(self) -> &'static str {
        match self {
            OpKind::Create => "create",
            OpKind::Read => "read",
            OpKind::Update => "update",
            OpKind::Delete => "delete",
        }
    }

    /// The upper-case word of the classic `.conf` files and operation lines.
    pub fn upper(self) -> &'static str {
        match self {
            OpKind::Create => "CREATE",
            OpKind::Read => "READ",
            OpKind::Update => "UPDATE",
            OpKind::Delete => "DELETE",
        }
    }

    /// Parses `CREATE`, `read`, ... (case-insensitive).
    pub fn parse(text: &str) -> Option<OpKind> {
        OpKind::ALL
            .into_iter()
            .find(|op| op.upper().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.upper())
    }
}

/// Why a client request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Read, update or delete: every replica asked said the key is absent.
    NotFound,
    /// Create: every replica asked said the key exists.
    Exists,
    /// Too few replicas could be asked, or some replicas performed a write
    /// that others refused: it may have taken effect.
    NoQuorum,
    /// No quorum answered in time: a write may have taken effect.
    Timeout,
}

impl Reason {
    /// The word the history and the CLI print (`not-found`, ...).
    pub fn word(self) -> &'static str {
        match self {
            Reason::NotFound => "not-found",
            Reason::Exists => "exists",
            Reason::NoQuorum => "no-quorum",
            Reason::Timeout => "timeout",
        }
    }
}

/// The version a coordinator stamps on a written value: the tick it started
/// the write, then the transaction id. A higher version is newer.
///
/// A coordinator that undoes a conditional write it could not commit
/// ([`Version::undoing`]) stamps what it puts back with the write's own tick
/// and transaction and `undo` set: just above the write it undoes, below
/// every write started after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Version {
    /// Tick at which the coordinator started the write.
    pub tick: u64,
    /// The write's transaction id, unique within a simulation.
    pub trans: u64,
    /// Set on the version of an undo: the entry it stamps is what the
    /// refusing replicas held, put back over the write of this tick and
    /// transaction.
    pub undo: bool,
}

impl Version {
    /// The version of a write that transaction `trans` started at `tick`.
    pub const fn new(tick: u64, trans: u64) -> Version {
        Version {
            tick,
            trans,
            undo: false,
        }
    }

    /// The version of the write itself: this one without the undo mark
    /// (for an undo, the version of the write it undoes).
    pub const fn written(self) -> Version {
        Version::new(self.tick, self.trans)
    }

    /// The version that undoes this write: newer than it, older than every
    /// write started after it.
    pub const fn undoing(self) -> Version {
        Version { undo: true, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_case_insensitive_and_strict() {
        assert_eq!(OpKind::parse("CREATE"), Some(OpKind::Create));
        assert_eq!(OpKind::parse("update"), Some(OpKind::Update));
        assert_eq!(OpKind::parse("CREATED"), None);
        assert_eq!(OpKind::parse(""), None);
    }

    #[test]
    fn versions_order_by_tick_then_transaction() {
        let a = Version::new(5, 9);
        let b = Version::new(6, 1);
        let c = Version::new(6, 2);
        assert!(a < b && b < c);
    }

    #[test]
    fn an_undo_sits_between_its_write_and_the_next() {
        let write = Version::new(6, 1);
        let next = Version::new(6, 2);
        assert!(write < write.undoing() && write.undoing() < next);
        assert!(write.undoing() < Version::new(7, 0));
        assert_eq!(write.undoing().written(), write);
    }
}
