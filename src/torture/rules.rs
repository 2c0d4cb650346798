//! Which anomalies a torture run must never show, decided per run from the
//! faults it actually had (docs/consistency.md, "What must be zero").

use std::collections::{BTreeMap, BTreeSet};

use crate::check::anomaly::Anomaly;
use crate::protocol::address::PeerId;
use crate::protocol::config::{Config, Replication};
use crate::scenario::{Action, Timed};
use crate::torture::profile::{Band, Timeouts};

/// What the rules need to know of a run's faults, read off its actions
/// (docs/consistency.md, "What must be zero").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Whether there was any fault: a crash, a cut, loss, a delayed link
    /// or a dropped message.
    pub any: bool,
    /// The longest stretch of ticks with some link cut.
    pub longest_cut: u64,
    /// Whether messages were lost while some link was cut.
    pub lossy_cut: bool,
    /// Whether messages were lost at all (loss on a link, or a dropped
    /// message).
    pub lossy: bool,
    /// Whether some link was delayed.
    pub delayed: bool,
    /// The most peers down at once.
    pub most_down: usize,
    /// The most peers down at once that each stayed down for the tombstone
    /// grace or longer (they restart empty).
    pub most_down_past_grace: usize,
}

/// The spans of a run's faults.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    /// From the first partition of a whole network to the heal.
    pub(crate) cuts: Vec<Band>,
    /// A peer's crash to its recovery.
    pub(crate) downs: Vec<Band>,
    /// Message loss on some link, or one dropped message.
    pub(crate) losses: Vec<Band>,
    /// Whether some link was delayed.
    pub(crate) delayed: bool,
}

impl Spans {
    /// The spans of `actions`; what is still open at the last action ends
    /// there.
    pub(crate) fn of(actions: &[Timed]) -> Spans {
        let mut spans = Spans::default();
        let mut cut = None;
        let mut loss = None;
        let (mut global, mut links) = (0u8, BTreeSet::new());
        let mut down: BTreeMap<PeerId, u64> = BTreeMap::new();
        for t in actions {
            match &t.action {
                Action::Fail(id) => {
                    down.entry(*id).or_insert(t.tick);
                }
                Action::Recover(id) => {
                    if let Some(at) = down.remove(id) {
                        spans.downs.push((at, t.tick));
                    }
                }
                Action::Partition(_) => {
                    if cut.is_none() {
                        cut = Some(reopen(&mut spans.cuts, t.tick));
                    }
                }
                Action::Heal => {
                    spans.cuts.extend(cut.take().map(|at| (at, t.tick)));
                    (global, links) = (0, Default::default());
                }
                Action::Loss { link, percent } => match link {
                    None => global = *percent,
                    Some(l) if *percent > 0 => {
                        links.insert(*l);
                    }
                    Some(l) => {
                        links.remove(l);
                    }
                },
                Action::Delay { ticks, .. } => spans.delayed |= *ticks > 1,
                // A held message is late by a tick: a loss, for that tick,
                // not a delayed link (it cannot hold heartbeats back).
                Action::Drop(_) | Action::Hold(_) => spans.losses.push((t.tick, t.tick + 1)),
                Action::Op { .. } => {}
            }
            let lossy = global > 0 || !links.is_empty();
            match (lossy, loss) {
                (true, None) => loss = Some(reopen(&mut spans.losses, t.tick)),
                (false, Some(at)) => {
                    spans.losses.push((at, t.tick));
                    loss = None;
                }
                _ => {}
            }
        }
        let last = actions.last().map_or(0, |t| t.tick);
        spans.cuts.extend(cut.map(|at| (at, last)));
        spans.losses.extend(loss.map(|at| (at, last)));
        spans.downs.extend(down.into_values().map(|at| (at, last)));
        spans
    }
}

/// The start of a span that opens at `tick`: the last of `spans` if it
/// closed at that tick (a heal and a new cut, or loss put back, at one
/// tick leave no gap), taken back out, else `tick`.
fn reopen(spans: &mut Vec<Band>, tick: u64) -> u64 {
    match spans.last() {
        Some(&(start, end)) if end == tick => {
            spans.pop();
            start
        }
        _ => tick,
    }
}

/// The most of `spans` that overlap at one tick (a span ending at a tick
/// is over before one starting there begins).
fn most_at_once(spans: impl Iterator<Item = Band>) -> usize {
    let mut edges: Vec<(u64, i32)> = spans.flat_map(|(a, b)| [(a, 1), (b, -1)]).collect();
    edges.sort_unstable();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most as usize
}

impl Faults {
    /// The faults of `actions` under `config`'s tombstone grace.
    pub fn of(actions: &[Timed], config: &Config) -> Faults {
        let spans = Spans::of(actions);
        let grace = config.store.tombstone_grace;
        let overlaps = |a: Band, b: Band| a.0 < b.1 && b.0 < a.1;
        Faults {
            any: !(spans.cuts.is_empty() && spans.downs.is_empty() && spans.losses.is_empty())
                || spans.delayed,
            longest_cut: spans.cuts.iter().map(|c| c.1 - c.0).max().unwrap_or(0),
            lossy_cut: spans
                .cuts
                .iter()
                .any(|&c| spans.losses.iter().any(|&l| overlaps(c, l))),
            lossy: !spans.losses.is_empty(),
            delayed: spans.delayed,
            most_down: most_at_once(spans.downs.iter().copied()),
            most_down_past_grace: most_at_once(
                spans.downs.iter().copied().filter(|d| d.1 - d.0 >= grace),
            ),
        }
    }

    /// The faults of a session whose faults are not all among its actions
    /// (a classic preset fails peers on its own): some fault, which may
    /// remove live peers, within the failure budget.
    pub const UNKNOWN: Faults = Faults {
        any: true,
        longest_cut: u64::MAX,
        lossy_cut: true,
        lossy: true,
        delayed: true,
        most_down: 0,
        most_down_past_grace: 0,
    };
}

/// What a run must never show, given its replication and the faults it had
/// (docs/consistency.md, "What must be zero").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The N, R and W it ran with.
    pub replication: Replication,
    /// Its timeouts.
    pub timeouts: Timeouts,
    /// Its faults.
    pub faults: Faults,
}

impl Rules {
    /// The rules of a run under `config` whose faults were `faults`.
    pub fn new(config: &Config, faults: Faults) -> Rules {
        Rules {
            replication: config.replication,
            timeouts: Timeouts::of(config),
            faults,
        }
    }

    /// The rules of a run under `config` that took `actions`.
    pub fn of(config: &Config, actions: &[Timed]) -> Rules {
        Rules::new(config, Faults::of(actions, config))
    }

    /// Whether a live peer may be removed: some cut longer than
    /// [`Timeouts::safe_cut`], a cut while messages were lost (a heartbeat
    /// lost after the heal makes the cut longer), or a delayed link (which
    /// may hold heartbeats back for longer).
    pub fn may_remove(&self) -> bool {
        let f = self.faults;
        f.longest_cut > self.timeouts.safe_cut() || f.lossy_cut || f.delayed
    }

    /// Whether the run went beyond the failure budget: more than N − 1
    /// peers down at once, or W peers down at once that each stayed down
    /// for the tombstone grace (they restart empty, and may have been the
    /// only holders of an acknowledged write).
    pub fn beyond_budget(&self) -> bool {
        let (f, rep) = (self.faults, self.replication);
        f.most_down >= usize::from(rep.n) || f.most_down_past_grace >= usize::from(rep.w)
    }

    /// Whether a read may meet replicas that have not heard of a write's
    /// outcome yet, for as long as faults last: a cut (a side that the
    /// delete or the undo of a failed write did not reach), lost messages
    /// (a lost undo) or a delayed link (a late one). Reads of a deleted
    /// value or of a failed conditional write are then the stale reads of
    /// a leaderless store (`resurrected_delete`, `create_overwrote`); the
    /// end state must still be clean (`resurrected_end`, `overwritten_end`).
    pub fn may_split(&self) -> bool {
        let f = self.faults;
        f.longest_cut > 0 || f.lossy || f.delayed
    }

    /// Whether anomaly `field` must be zero in the run. With no fault
    /// every anomaly must be zero, except what quorums that do not meet
    /// give up: fresh reads when R + W ≤ N (a read may ask only replicas
    /// the write has not reached yet), and linearizability too when
    /// 2W ≤ N (two concurrent creates may both be acknowledged).
    pub fn must_be_zero(&self, field: Anomaly) -> bool {
        let (faulty, rep) = (self.faults.any, self.replication);
        match field {
            Anomaly::ResurrectedDelete | Anomaly::CreateOverwrote => {
                !self.may_split() && !self.beyond_budget()
            }
            Anomaly::ResurrectedEnd
            | Anomaly::OverwrittenEnd
            | Anomaly::OverReplicatedEnd
            | Anomaly::UnderReplicatedEnd
            | Anomaly::DivergentEnd => true,
            Anomaly::LostWrite => !self.beyond_budget(),
            Anomaly::LivePeerRemoved => !self.may_remove(),
            Anomaly::StaleRead | Anomaly::StaleNotFound | Anomaly::ReadRegression => {
                !faulty && rep.reads_meet_writes()
            }
            Anomaly::NonLinearizableKeys => {
                !faulty && rep.reads_meet_writes() && rep.writes_meet_writes()
            }
            Anomaly::UnknownKeys | Anomaly::FailedWriteVisible => !faulty,
        }
    }

    /// The rules in words, for `ftkv check`.
    pub fn describe(&self) -> String {
        let f = self.faults;
        if !f.any {
            return "no fault".to_owned();
        }
        let what = match f.longest_cut {
            _ if f == Faults::UNKNOWN => "faults of its own (a classic preset)".to_owned(),
            0 => format!("faults (no cut, at most {} down at once)", f.most_down),
            ticks => format!(
                "faults (longest cut {ticks} ticks, at most {} down at once)",
                f.most_down
            ),
        };
        format!(
            "{what}: live peers {}, {}",
            if self.may_remove() {
                "may be removed"
            } else {
                "stay"
            },
            if self.beyond_budget() {
                "beyond the failure budget"
            } else {
                "within the failure budget"
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tick: u64, action: Action) -> Timed {
        Timed { tick, action }
    }

    fn rules(n: u8, r: u8, w: u8, faults: Faults) -> Rules {
        let config = Config {
            replication: Replication { n, r, w },
            ..Config::default()
        };
        Rules::new(&config, faults)
    }

    #[test]
    fn faults_are_read_off_the_actions() {
        let config = Config::default();
        let cut = |length: u64| {
            vec![
                at(10, Action::Partition(vec![PeerId(1)])),
                at(10 + length, Action::Heal),
            ]
        };
        // t_remove − 1 = 19 ticks removes no live peer; 20 may.
        let safe = Rules::of(&config, &cut(19));
        assert_eq!(safe.faults.longest_cut, 19);
        assert!(safe.faults.any && !safe.may_remove());
        assert!(safe.must_be_zero(Anomaly::LivePeerRemoved));
        assert!(Rules::of(&config, &cut(20)).may_remove());
        let mut lossy = cut(5);
        lossy.insert(
            0,
            at(
                8,
                Action::Loss {
                    link: None,
                    percent: 10,
                },
            ),
        );
        let lossy = Rules::of(&config, &lossy);
        assert!(lossy.faults.lossy_cut && lossy.may_remove());
        // Loss lifted by the heal, before a later cut: no lossy cut.
        let mut apart = vec![
            at(
                1,
                Action::Loss {
                    link: None,
                    percent: 10,
                },
            ),
            at(5, Action::Heal),
        ];
        apart.extend(cut(5));
        assert!(!Rules::of(&config, &apart).may_remove());
        let delayed = [at(
            3,
            Action::Delay {
                from: PeerId(0),
                to: PeerId(1),
                ticks: 2,
            },
        )];
        assert!(Rules::of(&config, &delayed).may_remove());
        let ops = [
            at(
                3,
                Action::Op {
                    coordinator: PeerId(0),
                    op: crate::protocol::op::OpKind::Read,
                    key: "k".into(),
                    value: None,
                    level: crate::protocol::config::Level::Quorum,
                },
            ),
            at(4, Action::Heal),
        ];
        assert_eq!(Faults::of(&ops, &config), Faults::default());
    }

    #[test]
    fn the_failure_budget_counts_peers_down_at_once_and_past_the_grace() {
        let config = Config::default();
        let crashes = |spans: &[(u32, u64, u64)]| {
            let mut actions: Vec<Timed> = spans
                .iter()
                .flat_map(|&(id, a, b)| {
                    [
                        at(a, Action::Fail(PeerId(id))),
                        at(b, Action::Recover(PeerId(id))),
                    ]
                })
                .collect();
            actions.sort_by_key(|t| t.tick);
            Rules::of(&config, &actions)
        };
        // Two down at once (N − 1), one recovering as another crashes.
        let two = crashes(&[(0, 10, 50), (1, 20, 60), (2, 60, 80)]);
        assert_eq!(two.faults.most_down, 2);
        assert!(!two.beyond_budget() && two.must_be_zero(Anomaly::LostWrite));
        let three = crashes(&[(0, 10, 50), (1, 20, 60), (2, 30, 80)]);
        assert!(three.beyond_budget() && !three.must_be_zero(Anomaly::LostWrite));
        // One peer down past the grace: within the budget at W = 2; two at
        // once are not (they restart empty).
        let one_long = crashes(&[(0, 10, 400), (1, 20, 60)]);
        assert_eq!(one_long.faults.most_down_past_grace, 1);
        assert!(!one_long.beyond_budget());
        let two_long = crashes(&[(0, 10, 400), (1, 20, 330)]);
        assert!(two_long.beyond_budget());
        // A peer still down at the end is down until the last action.
        let open = Faults::of(
            &[at(10, Action::Fail(PeerId(3))), at(500, Action::Heal)],
            &config,
        );
        assert_eq!(open.most_down_past_grace, 1);
    }

    #[test]
    fn quorum_promises_follow_the_replication() {
        let faulty = Faults {
            any: true,
            ..Faults::default()
        };
        let none = Faults::default();
        let reads = [
            Anomaly::StaleRead,
            Anomaly::StaleNotFound,
            Anomaly::ReadRegression,
        ];
        for field in reads.into_iter().chain([Anomaly::NonLinearizableKeys]) {
            assert!(rules(3, 2, 2, none).must_be_zero(field), "{field}");
            assert!(rules(5, 3, 3, none).must_be_zero(field), "{field}");
            assert!(rules(3, 1, 3, none).must_be_zero(field), "{field}");
            assert!(!rules(3, 1, 1, none).must_be_zero(field), "{field}");
            assert!(!rules(5, 2, 3, none).must_be_zero(field), "{field}");
            assert!(!rules(3, 2, 2, faulty).must_be_zero(field), "{field}");
        }
        // R + W > N but 2W ≤ N: reads are fresh, two creates may both win.
        for field in reads {
            assert!(rules(3, 3, 1, none).must_be_zero(field), "{field}");
        }
        assert!(!rules(3, 3, 1, none).must_be_zero(Anomaly::NonLinearizableKeys));
        for weak in [rules(3, 1, 1, none), rules(5, 1, 1, faulty)] {
            for field in [
                Anomaly::LostWrite,
                Anomaly::ResurrectedDelete,
                Anomaly::DivergentEnd,
            ] {
                assert!(weak.must_be_zero(field), "{field} {weak:?}");
            }
        }
        assert!(rules(3, 1, 1, none).must_be_zero(Anomaly::FailedWriteVisible));
        assert!(!rules(3, 2, 2, faulty).must_be_zero(Anomaly::FailedWriteVisible));
        // A classic preset: some fault that may remove peers, in budget.
        let preset = rules(3, 2, 2, Faults::UNKNOWN);
        assert!(!preset.must_be_zero(Anomaly::LivePeerRemoved));
        assert!(preset.must_be_zero(Anomaly::LostWrite));
        assert!(!preset.must_be_zero(Anomaly::StaleRead));
    }
}
