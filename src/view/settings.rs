//! What the page's controls show: a cluster's settings, and how a
//! scenario started and what is selected in it.

use serde::Serialize;

use crate::protocol::config::Config;
use crate::scenario::Session;

/// Every setting of a cluster, named as the JS options of `new
/// Playground` name them, so the page can show them and pass them back.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// Replicas per key (N).
    pub n: u8,
    /// Read quorum (R).
    pub r: u8,
    /// Write quorum (W).
    pub w: u8,
    /// Tokens (virtual nodes) per peer.
    pub vnodes: u16,
    /// `off`, `async` or `blocking`.
    pub read_repair: &'static str,
    /// Hinted handoff (sloppy quorum) on.
    pub hinted_handoff: bool,
    /// `digest` or `merkle`.
    pub anti_entropy: &'static str,
    /// Ticks between two anti-entropy rounds of one peer.
    pub ae_period: u64,
    /// The settings text (`n=3,r=2,w=2`, then what is not the default).
    pub text: String,
}

/// The settings of `config`.
pub fn settings(config: &Config) -> SettingsView {
    let rep = config.replication;
    SettingsView {
        n: rep.n,
        r: rep.r,
        w: rep.w,
        vnodes: config.vnodes,
        read_repair: config.read_repair.word(),
        hinted_handoff: config.hinted_handoff,
        anti_entropy: config.anti_entropy.mode.word(),
        ae_period: config.anti_entropy.period,
        text: config.settings(),
    }
}

/// What replication N, R, W promise, in one or two sentences for the
/// settings panel, before they are applied: an R or W above N is named with
/// its fix; else whether every read quorum meets every write quorum, and
/// how many of a key's replicas may be down for writes and for reads.
pub fn explain_replication(n: u32, r: u32, w: u32) -> String {
    let over = [
        ("R", r, "a read cannot wait for more answers"),
        ("W", w, "a write cannot wait for more acknowledgements"),
    ]
    .into_iter()
    .find(|&(_, x, _)| x > n);
    if let Some((name, x, why)) = over {
        return format!(
            "{name} = {x} is more than N = {n}: {why} than a key has replicas. Lower {name} or raise N."
        );
    }
    let overlap = if u64::from(r) + u64::from(w) > u64::from(n) {
        "R + W > N: every read quorum meets every write quorum, so a read sees the latest acknowledged write."
    } else {
        "R + W ≤ N: a read may miss the latest acknowledged write (a stale read)."
    };
    format!(
        "{overlap} Writes go on with {} of a key's replicas down, reads with {}.",
        n - w,
        n - r
    )
}

/// How a scenario started and what is selected in it: what the page shows
/// in its controls without reading the link's text.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioView {
    /// Number of peers.
    pub peers: u32,
    /// The seed, in decimal (a u64 does not fit a JS number).
    pub seed: String,
    /// The preset's classic test case, if any.
    pub preset: Option<String>,
    /// The selected peer's address.
    pub peer: Option<String>,
    /// The selected key.
    pub key: Option<String>,
    /// The open transaction.
    pub trans: Option<u64>,
}

/// The scenario of `session`: its start and its selection.
pub fn scenario(session: &Session) -> ScenarioView {
    let setup = session.setup();
    let selected = session.selection();
    ScenarioView {
        peers: setup.peers,
        seed: setup.seed.to_string(),
        preset: setup.preset.clone(),
        peer: selected.peer.map(|id| id.to_string()),
        key: selected.key.clone(),
        trans: selected.trans,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replication_is_explained_in_words() {
        assert_eq!(
            super::explain_replication(3, 2, 2),
            "R + W > N: every read quorum meets every write quorum, so a read sees the latest acknowledged write. Writes go on with 1 of a key's replicas down, reads with 1."
        );
        assert!(super::explain_replication(3, 1, 1).starts_with("R + W ≤ N: a read may miss"));
        assert_eq!(
            super::explain_replication(3, 4, 2),
            "R = 4 is more than N = 3: a read cannot wait for more answers than a key has replicas. Lower R or raise N."
        );
        assert!(super::explain_replication(3, 2, 5).starts_with("W = 5 is more than N = 3"));
    }

    use super::*;

    #[test]
    fn settings_name_every_option_and_the_text() {
        let d = settings(&Config::default());
        assert_eq!((d.n, d.r, d.w, d.vnodes), (3, 2, 2, 1));
        assert_eq!((d.read_repair, d.hinted_handoff), ("off", false));
        assert_eq!((d.anti_entropy, d.ae_period), ("digest", 20));
        assert_eq!(d.text, "n=3,r=2,w=2");
        let text =
            "n=5,r=3,w=3,read-repair=async,vnodes=16,hinted-handoff=on,ae=merkle,ae-period=40";
        let c = settings(&Config::default().with_settings(text).unwrap());
        assert_eq!((c.n, c.r, c.w, c.vnodes), (5, 3, 3, 16));
        assert_eq!((c.read_repair, c.hinted_handoff), ("async", true));
        assert_eq!((c.anti_entropy, c.ae_period), ("merkle", 40));
        assert_eq!(c.text, text);
    }
}
