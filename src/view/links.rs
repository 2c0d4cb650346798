//! The network's faults other than partitions: the loss on every link and
//! the directed links with rules of their own.

use serde::Serialize;

use crate::scenario::Session;

/// The network faults other than partitions: the loss on every link and
/// each directed link with a rule of its own.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinksView {
    /// Percent of messages lost on every link.
    pub loss: u8,
    /// The directed links with extra loss or a delay over one tick, in
    /// (from, to) order.
    pub links: Vec<LinkRow>,
}

/// One directed link's own rule.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkRow {
    /// Sender's address.
    pub from: String,
    /// Receiver's address.
    pub to: String,
    /// Percent of its messages lost (on top of the loss on every link).
    pub loss: u8,
    /// Ticks a message takes on it.
    pub delay: u64,
}

/// The loss on every link and the links with rules of their own now.
pub fn links(session: &Session) -> LinksView {
    let net = session.sim().network();
    let percent = |p: f64| (p * 100.0).round() as u8;
    LinksView {
        loss: percent(net.drop_prob()),
        links: net
            .link_rules()
            .filter(|(_, _, rule)| rule.delay > 1 || rule.drop_prob > 0.0)
            .map(|(from, to, rule)| LinkRow {
                from: from.to_string(),
                to: to.to_string(),
                loss: percent(rule.drop_prob),
                delay: rule.delay,
            })
            .collect(),
    }
}
