//! Shrinking a failing run: drop chunks of its client requests, then
//! single ones, while the anomaly still shows, so the share link printed
//! for it is as small as a bounded search can make it. The faults stay as
//! the profile planned them (a partition without its heal would show
//! another run).

use crate::check::anomaly::Anomaly;
use crate::scenario::{Action, Setup, Timed};
use crate::torture::{check_session, play};

/// How many replays one shrink may spend.
pub const REPLAYS: u32 = 150;

/// The smallest run found that still shows anomaly `field`: its link and
/// its number of actions. `actions` must show it.
pub fn shrink(setup: &Setup, actions: &[Timed], end: u64, field: Anomaly) -> (String, usize) {
    let shows = |candidate: &[Timed]| {
        let session = play(setup, candidate, end);
        check_session(&session).anomalies.get(field) > 0
    };
    let (faults, mut best): (Vec<Timed>, Vec<Timed>) = actions
        .iter()
        .cloned()
        .partition(|t| !matches!(t.action, Action::Op { .. }));
    let with_faults = |ops: &[Timed]| {
        let mut all = faults.clone();
        all.extend_from_slice(ops);
        // Stable: at one tick, faults first, as the plan had them.
        all.sort_by_key(|t| t.tick);
        all
    };
    let mut replays = 0;
    let mut chunk = best.len().div_ceil(2).max(1);
    loop {
        let mut at = 0;
        while at < best.len() && replays < REPLAYS {
            let mut candidate = best[..at].to_vec();
            candidate.extend_from_slice(&best[(at + chunk).min(best.len())..]);
            let candidate_all = with_faults(&candidate);
            replays += 1;
            if shows(&candidate_all) {
                best = candidate;
            } else {
                at += chunk;
            }
        }
        if chunk == 1 || replays >= REPLAYS {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    // Runs are deterministic: `best` shows it (or is the original run).
    let session = play(setup, &with_faults(&best), end);
    (session.link(), session.actions().len())
}
