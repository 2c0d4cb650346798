//! What a person is looking at — the selected peer, the selected key and the
//! open transaction — kept with a [`crate::scenario::Session`] so that its
//! share link restores the view as well as the run.
//!
//! In a link they are three optional fields: `sel=P` (peer `P`, numbered
//! from 1), `key=K` (percent-encoded) and `tx=T` (a transaction id). A view
//! changes nothing in the simulation: a link with or without them replays
//! the same run.

use std::fmt;

use crate::protocol::address::PeerId;
use crate::sim::cluster::{check_printable, SimError, MAX_KEY_BYTES};

/// The selected peer, key and transaction; each may be absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// The peer whose panel is open.
    pub peer: Option<PeerId>,
    /// The key whose replicas are drawn.
    pub key: Option<String>,
    /// The transaction shown end to end.
    pub trans: Option<u64>,
}

impl Selection {
    /// Why this selection cannot be shown in a cluster of `peers` peers
    /// where `sent` tells the transactions sent so far, if it cannot.
    pub fn problem(&self, peers: u32, sent: impl Fn(u64) -> bool) -> Option<SelectionProblem> {
        if let Some(id) = self.peer.filter(|id| id.0 >= peers) {
            return Some(SelectionProblem::NoPeer { peer: id, peers });
        }
        if let Some(key) = &self.key {
            if key.is_empty() || key.len() > MAX_KEY_BYTES {
                return Some(SelectionProblem::KeyLength(key.len()));
            }
            if let Err(error) = check_printable("selected key", key) {
                return Some(SelectionProblem::Key(error));
            }
        }
        match self.trans {
            Some(t) if !sent(t) => Some(SelectionProblem::NotSent(t)),
            _ => None,
        }
    }

    /// The link fields (`&sel=…&key=…&tx=…`) of what is selected, with
    /// `encode` percent-encoding the key; a transaction is left out unless
    /// it was sent by the shown tick (`sent`).
    pub fn link_fields(
        &self,
        encode: impl Fn(&str) -> String,
        sent: impl Fn(u64) -> bool,
    ) -> String {
        let mut fields = String::new();
        if let Some(id) = self.peer {
            fields.push_str(&format!("&sel={}", id.0 + 1));
        }
        if let Some(key) = &self.key {
            fields.push_str(&format!("&key={}", encode(key)));
        }
        if let Some(t) = self.trans.filter(|&t| sent(t)) {
            fields.push_str(&format!("&tx={t}"));
        }
        fields
    }
}

/// Why a selection cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectionProblem {
    /// The peer is outside the cluster.
    NoPeer {
        /// The peer.
        peer: PeerId,
        /// The cluster's peers.
        peers: u32,
    },
    /// The key is empty or longer than [`MAX_KEY_BYTES`] (its length).
    KeyLength(usize),
    /// The key holds a control character (as the simulation says of a
    /// request's key: [`SimError::ControlCharacter`]).
    Key(SimError),
    /// The transaction has not been sent.
    NotSent(u64),
}

impl fmt::Display for SelectionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectionProblem::NoPeer { peer, peers } => write!(
                f,
                "peer {} is not in this cluster of {peers} peers",
                peer.0 + 1
            ),
            SelectionProblem::KeyLength(len) => write!(
                f,
                "a selected key has 1 to {MAX_KEY_BYTES} bytes, not {len}"
            ),
            SelectionProblem::Key(error) => write!(f, "{error}"),
            SelectionProblem::NotSent(t) => write!(f, "transaction {t} has not been sent"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_outside_the_cluster_or_the_run_is_named() {
        let ok = Selection {
            peer: Some(PeerId(9)),
            key: Some("apple".into()),
            trans: Some(4),
        };
        assert_eq!(ok.problem(10, |t| t < 5), None);
        let far = Selection {
            peer: Some(PeerId(10)),
            ..Selection::default()
        };
        assert_eq!(
            far.problem(10, |t| t < 5).map(|p| p.to_string()).as_deref(),
            Some("peer 11 is not in this cluster of 10 peers")
        );
        let later = Selection {
            trans: Some(5),
            ..Selection::default()
        };
        assert!(later
            .problem(10, |t| t < 5)
            .unwrap()
            .to_string()
            .contains("transaction 5"));
        let empty = Selection {
            key: Some(String::new()),
            ..Selection::default()
        };
        assert!(empty
            .problem(10, |t| t < 5)
            .unwrap()
            .to_string()
            .contains("1 to 256 bytes"));
        let newline = Selection {
            key: Some("a\nb".into()),
            ..Selection::default()
        };
        assert_eq!(
            newline.problem(10, |t| t < 5).map(|p| p.to_string()).as_deref(),
            Some("a selected key must not hold control characters, and this one holds U+000A at byte 1")
        );
    }

    #[test]
    fn link_fields_name_what_is_selected_and_skip_an_unsent_transaction() {
        let s = Selection {
            peer: Some(PeerId(2)),
            key: Some("a b".into()),
            trans: Some(7),
        };
        let enc = |k: &str| k.replace(' ', "%20");
        assert_eq!(s.link_fields(enc, |_| true), "&sel=3&key=a%20b&tx=7");
        assert_eq!(s.link_fields(enc, |t| t < 7), "&sel=3&key=a%20b");
        assert_eq!(Selection::default().link_fields(enc, |_| true), "");
    }
}
