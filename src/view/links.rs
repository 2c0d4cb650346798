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

#[cfg(test)]
mod tests {
    use super::super::fixture::session;
    use super::*;
    use crate::protocol::address::PeerId;
    use crate::scenario::Action;

    #[test]
    fn links_lists_the_rules_until_heal() {
        let mut s = session();
        assert_eq!(
            links(&s),
            LinksView {
                loss: 0,
                links: vec![]
            }
        );
        // The last one sets a rule back to the default: no rule.
        for action in [
            Action::Loss {
                link: None,
                percent: 20,
            },
            Action::Loss {
                link: Some((PeerId(2), PeerId(0))),
                percent: 30,
            },
            Action::Delay {
                from: PeerId(0),
                to: PeerId(1),
                ticks: 7,
            },
            Action::Loss {
                link: Some((PeerId(3), PeerId(4))),
                percent: 0,
            },
        ] {
            s.act(action).unwrap();
        }
        let row = |from: u32, to: u32, loss, delay| LinkRow {
            from: PeerId(from).to_string(),
            to: PeerId(to).to_string(),
            loss,
            delay,
        };
        assert_eq!(
            links(&s),
            LinksView {
                loss: 20,
                links: vec![row(0, 1, 0, 7), row(2, 0, 30, 1)],
            }
        );
        let same = s.act(Action::Delay {
            from: PeerId(1),
            to: PeerId(1),
            ticks: 3,
        });
        assert!(same
            .unwrap_err()
            .to_string()
            .contains("two different peers"));
        s.act(Action::Heal).unwrap();
        assert_eq!(
            links(&s),
            LinksView {
                loss: 0,
                links: vec![]
            }
        );
    }
}
