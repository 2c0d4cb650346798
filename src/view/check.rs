//! The history checker's report on a session, as `ftkv check` gives it.

use serde::Serialize;

use crate::check::anomaly::{Anomalies, Anomaly, Finding, KeyVerdict};
use crate::scenario::Session;
use crate::torture;

/// The history checker's report on the session so far.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    /// The verdict per key (`linearizable`, `not-linearizable`, `unknown`),
    /// keys sorted.
    pub keys: Vec<KeyVerdict>,
    /// Every anomaly counter, by its name in docs/consistency.md.
    pub anomalies: Anomalies,
    /// One finding per count: kind, key, tick, detail.
    pub findings: Vec<Finding>,
    /// Whether the end state was checked too: the session has been quiet
    /// (every peer up, the network whole, no fault) for
    /// [`torture::QUIET`] ticks.
    pub end_checked: bool,
    /// The anomalies found that must be zero under the rules of the
    /// session's own faults (`torture::rules_for`).
    pub must_be_zero: Vec<Anomaly>,
}

/// Checks the session's history (and its end state, if quiet), as
/// `ftkv check` does.
pub fn check(session: &Session) -> CheckView {
    let report = torture::check_session(session);
    let profile = torture::rules_for(session);
    CheckView {
        must_be_zero: torture::violations(profile, &report.anomalies),
        keys: report.keys,
        anomalies: report.anomalies,
        findings: report.findings,
        end_checked: session.quiet_for(torture::QUIET),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::session;
    use super::*;
    use crate::protocol::address::PeerId;
    use crate::scenario::Action;

    #[test]
    fn a_clean_run_checks_clean() {
        let mut session = session();
        session.step(torture::QUIET);
        let view = check(&session);
        assert_eq!(view.keys.len(), 1);
        assert_eq!((view.keys[0].key.as_str(), view.keys[0].ops), ("k", 2));
        assert_eq!(view.keys[0].verdict.word(), "linearizable");
        assert!(view.findings.is_empty(), "{:?}", view.findings);
        assert!(view.anomalies.iter().all(|(_, count)| count == 0));
        assert!(view.must_be_zero.is_empty());
        assert!(view.end_checked, "no fault, quiet for long enough");
    }
    #[test]
    fn a_fault_leaves_the_end_unchecked_until_quiet() {
        let mut session = session();
        session
            .act(Action::Partition(vec![PeerId(0), PeerId(1)]))
            .unwrap();
        session.step(10);
        assert!(!check(&session).end_checked, "the network is cut");
        session.act(Action::Heal).unwrap();
        session.step(torture::QUIET);
        assert!(check(&session).end_checked);
    }
}
