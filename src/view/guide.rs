//! A guide to a preset (a classic test case): the keys it tests and its
//! steps, each a tick, a one-sentence caption of what happens and what the
//! classic grader expects of it, built from the driver's schedule and what
//! the run chose (the keys drawn from the seed, the peers it failed), so
//! the page explains the preset without knowing the protocol.

use serde::Serialize;

use crate::classic::driver::{
    Driver, DROP_FROM, DROP_UNTIL, INSERT_TICK, INVALID_KEY, INVALID_VALUE, KEY_COUNT, STEP_TICKS,
    TEST_TICK, TICKS,
};
use crate::classic::grader::test_name;
use crate::protocol::address::PeerId;
use crate::protocol::op::OpKind;
use crate::scenario::Session;

/// A preset explained.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GuideView {
    /// The test case (`read`, `multifailure`, ...).
    pub test: String,
    /// The keys under test: the read or update test's key and
    /// `invalidKey`, the deleted keys and `invalidKey`, the created keys;
    /// none in a membership test.
    pub keys: Vec<String>,
    /// The steps, in tick order.
    pub steps: Vec<GuideStep>,
    /// The index in `steps` of the next step to happen (the first at or
    /// after the shown tick: a tick's step happens as that tick runs; the
    /// end when it is reached); `None` once all happened.
    pub next: Option<usize>,
    /// Whether the preset is over (its last tick ran).
    pub finished: bool,
    /// Whether it goes on as a free run at the shown tick.
    pub continues_freely: bool,
}

/// One step of a preset.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GuideStep {
    /// The tick it happens at.
    pub tick: u64,
    /// What happens, one sentence starting `tick T:`, peers named by
    /// address once the run has chosen them.
    pub caption: String,
    /// What the classic grader expects of it, one sentence.
    pub expect: String,
    /// The names of the grade's checks it decides (as in the grade view).
    pub checks: Vec<String>,
}

/// The guide of the session's preset, or `None` without a preset.
pub fn guide(session: &Session) -> Option<GuideView> {
    let driver = session.preset()?;
    let names: Vec<String> = session
        .grade()
        .map(|g| g.checks.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    let mut plan = Plan {
        driver,
        names,
        steps: Vec::new(),
    };
    let test = driver.test();
    let keys = match test.crud {
        None => {
            plan.membership();
            Vec::new()
        }
        Some(op) => plan.key_value(op),
    };
    plan.step(
        TICKS,
        "the preset ends and its grade is final".into(),
        "every check's window is closed; the run may go on freely from here".into(),
        &[],
    );
    // A step happens as its tick runs; the preset's end when it is reached.
    let now = session.sim().now();
    let ahead = |s: &GuideStep| s.tick > now || (s.tick == now && now < TICKS);
    Some(GuideView {
        test: test_name(test).to_owned(),
        keys,
        next: plan.steps.iter().position(ahead),
        steps: plan.steps,
        finished: driver.is_done(session.sim()),
        continues_freely: session.free_from().is_some(),
    })
}

/// The guide's steps as they are built.
struct Plan<'a> {
    driver: &'a Driver,
    names: Vec<String>,
    steps: Vec<GuideStep>,
}

impl Plan<'_> {
    /// Adds the step at `tick` that decides the checks at `checks`.
    fn step(&mut self, tick: u64, caption: String, expect: String, checks: &[usize]) {
        self.steps.push(GuideStep {
            tick,
            caption: format!("tick {tick}: {caption}"),
            expect,
            checks: checks
                .iter()
                .filter_map(|&i| self.names.get(i).cloned())
                .collect(),
        });
    }

    /// The addresses of the peers the driver failed at `tick`, or `None`
    /// before that tick ran.
    fn failed_at(&self, tick: u64) -> Option<String> {
        let peers: Vec<String> = self
            .driver
            .failures()
            .iter()
            .filter(|&&(t, _)| t == tick)
            .map(|(_, p)| p.to_string())
            .collect();
        (!peers.is_empty()).then(|| peers.join(", "))
    }

    /// `what`, then the peers failed at `tick` in parentheses once known.
    fn naming(&self, what: String, tick: u64) -> String {
        match self.failed_at(tick) {
            Some(peers) => format!("{what} ({peers})"),
            None => what,
        }
    }

    fn membership(&mut self) {
        let test = self.driver.test();
        let n = test.peers;
        self.step(
            0,
            format!(
                "{n} peers start, four per tick, and join through {}",
                PeerId(0)
            ),
            format!("every peer logs the join of all {n} peers"),
            &[0],
        );
        if test.drop_msg {
            self.step(
                DROP_FROM,
                format!(
                    "every message is lost with probability {}% until tick {DROP_UNTIL}",
                    (test.drop_prob * 100.0).round()
                ),
                "joins and failure detection go on despite the losses".into(),
                &[],
            );
        }
        let (caption, expect) = if test.single_failure {
            (
                "one random peer fails".to_owned(),
                "every surviving peer removes the failed peer from its list",
            )
        } else {
            (
                format!("{} consecutive peers fail", n / 2),
                "every surviving peer removes each failed peer from its list",
            )
        };
        let accuracy = if test.drop_msg {
            ""
        } else {
            ", and no live peer is ever removed"
        };
        self.step(
            INSERT_TICK,
            self.naming(caption, INSERT_TICK),
            format!("{expect}{accuracy}"),
            &[1, 2],
        );
        if test.drop_msg {
            self.step(
                DROP_UNTIL,
                "messages are no longer lost".into(),
                "the failed peer stays removed everywhere".into(),
                &[],
            );
        }
    }

    /// The key-value steps; returns the keys under test.
    fn key_value(&mut self, op: OpKind) -> Vec<String> {
        let keys = self.driver.keys();
        let create_expect = if op == OpKind::Create {
            "each key gets exactly 4 create success lines: 3 replicas and the coordinator"
        } else {
            "each key is stored on its 3 replicas"
        };
        self.step(
            INSERT_TICK,
            format!("{KEY_COUNT} random keys are created, each through a random live peer"),
            create_expect.into(),
            if op == OpKind::Create { &[0] } else { &[] },
        );
        match op {
            OpKind::Create => keys.keys().cloned().collect(),
            OpKind::Delete => {
                let deleted: Vec<String> =
                    keys.keys().skip(1).take(KEY_COUNT / 2).cloned().collect();
                self.step(
                    TEST_TICK,
                    format!(
                        "{} keys ({} to {}) are deleted, then {INVALID_KEY}",
                        deleted.len(),
                        deleted.first().map_or("", String::as_str),
                        deleted.last().map_or("", String::as_str)
                    ),
                    format!("each deleted key gets exactly 4 delete success lines and {INVALID_KEY} exactly 4 delete fail lines (3 replicas and the coordinator)"),
                    &[0, 1],
                );
                deleted
                    .into_iter()
                    .chain([INVALID_KEY.to_owned()])
                    .collect()
            }
            _ => self.read_or_update(op),
        }
    }

    /// The read or update test's six steps; returns the keys under test.
    fn read_or_update(&mut self, op: OpKind) -> Vec<String> {
        let Some((key, value)) = self.driver.tested_key() else {
            return Vec::new();
        };
        let (key, value) = (key.to_owned(), value.to_owned());
        let done = match op {
            OpKind::Update => format!("{key} is updated to {value}"),
            _ => format!("{key} is read"),
        };
        let word = op.word();
        let succeeds = |lines: &str, step: usize| {
            let until = STEP_TICKS
                .get(step + 1)
                .map_or(format!("from tick {}", STEP_TICKS[step]), |t| {
                    format!("before tick {t}")
                });
            format!("the {word} must succeed: {lines} {word} success lines for {key} with {value} {until}")
        };
        let [all_up, one_down, two_down, stabilized, other_down] = STEP_TICKS;
        self.step(
            all_up,
            format!("{done} with all its replicas up"),
            succeeds("3 or 4", 0),
            &[0],
        );
        let one = self.naming(format!("one replica of {key} fails"), one_down);
        self.step(
            one_down,
            format!("{one}, then {done}"),
            format!(
                "{} (2 replicas and the coordinator)",
                succeeds("exactly 3", 1)
            ),
            &[1],
        );
        let two = self.naming(format!("two replicas of {key} fail"), two_down);
        self.step(
            two_down,
            format!("{two}, then {done}"),
            format!("the {word} must fail (quorum impossible with one replica left): exactly 1 {word} fail line for {key}, the coordinator's, before tick {stabilized}"),
            &[2],
        );
        self.step(
            stabilized,
            format!("{done} again"),
            format!(
                "{}, as stabilization has re-created 3 replicas on live peers",
                succeeds("3 or 4", 3)
            ),
            &[3],
        );
        let other = self.naming(
            format!("a peer holding no replica of {key} fails"),
            other_down,
        );
        self.step(
            other_down,
            format!("{other}, then {done}"),
            succeeds("3 or 4", 4),
            &[4],
        );
        self.step(
            other_down,
            match op {
                OpKind::Update => {
                    format!("{INVALID_KEY}, a key never created, is updated to {INVALID_VALUE}")
                }
                _ => format!("{INVALID_KEY}, a key never created, is read"),
            },
            format!("the {word} must fail: 3 or 4 {word} fail lines for {INVALID_KEY}"),
            &[5],
        );
        vec![key, INVALID_KEY.to_owned()]
    }
}
