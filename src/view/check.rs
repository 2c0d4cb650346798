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
    /// Every anomaly counter, by its spec name.
    pub anomalies: Anomalies,
    /// One finding per count: kind, key, tick, detail.
    pub findings: Vec<Finding>,
    /// Whether the end state was checked too: the session has been quiet
    /// (every peer up, the network whole, no fault) for
    /// [`torture::QUIET`] ticks.
    pub end_checked: bool,
    /// The anomalies found that must be zero: the `mixed` profile's rule,
    /// or the `none` profile's when the session took no fault action.
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
