//! The classic test driver: runs a [`Testcase`] on a [`Sim`] exactly on the
//! classic schedule (see `docs/grading.md`), one tick at a time, so the
//! same run can be watched step by step or run to the end; the schedule's
//! constants and the seven built-in test cases.
use std::collections::BTreeMap;
use std::fmt;

use crate::classic::testcase::Testcase;
use crate::protocol::address::PeerId;
use crate::protocol::op::OpKind;
use crate::sim::cluster::{PeerState, Sim, SimError, SimOptions};
use crate::sim::event_log::EventLog;
use crate::util::rng::{SimRng, STREAM_DRIVER};

/// Every classic test runs this many ticks (0..700).
pub const TICKS: u64 = 700;
/// Random message drops (DROP_MSG: 1) are on from this tick...
pub(crate) const DROP_FROM: u64 = 50;
/// ...until this one.
pub(crate) const DROP_UNTIL: u64 = 300;
/// Membership tests fail peers at this tick; key-value tests insert keys.
pub(crate) const INSERT_TICK: u64 = 100;
/// Key-value tests start the named test at this tick.
pub(crate) const TEST_TICK: u64 = 150;
/// How many keys a key-value test inserts.
pub(crate) const KEY_COUNT: usize = 100;
/// The key that no test ever creates.
pub const INVALID_KEY: &str = "invalidKey";
/// The value the update test writes.
pub(crate) const NEW_VALUE: &str = "newValue";
/// The value the update test writes to the invalid key.
pub(crate) const INVALID_VALUE: &str = "invalidValue";
/// The ticks of the read and update tests' five steps on the tested key:
/// all replicas up, one replica failed, two failed, after stabilization, a
/// non-replica failed (the invalid key is tried at the last one too).
pub const STEP_TICKS: [u64; 5] = [TEST_TICK, 175, 225, 275, 285];

/// The seven classic test cases (`testcases/{name}.conf`) in grader order:
/// the first [`KEY_VALUE_CASES`] are key-value tests, the rest membership.
pub const CASES: [&str; 7] = [
    "create",
    "delete",
    "read",
    "update",
    "singlefailure",
    "multifailure",
    "msgdropsinglefailure",
];
/// How many of [`CASES`] are key-value tests.
pub const KEY_VALUE_CASES: usize = 4;

/// The text of the seven `.conf` files, built in, in [`CASES`] order.
const BUILT_IN: [&str; 7] = [
    include_str!("../../testcases/create.conf"),
    include_str!("../../testcases/delete.conf"),
    include_str!("../../testcases/read.conf"),
    include_str!("../../testcases/update.conf"),
    include_str!("../../testcases/singlefailure.conf"),
    include_str!("../../testcases/multifailure.conf"),
    include_str!("../../testcases/msgdropsinglefailure.conf"),
];

/// The built-in classic test case `name` (one of [`CASES`]).
pub fn builtin(name: &str) -> Option<Testcase> {
    let at = CASES.iter().position(|&c| c == name)?;
    crate::classic::testcase::parse(&format!("{name}.conf"), BUILT_IN[at].as_bytes()).ok()
}

/// Checks that `test` is the kind of test case `name` (one of [`CASES`])
/// stands for, so a grade is reported under the right name: the same
/// `CRUD_TEST` for a key-value case; for a membership case no `CRUD_TEST`
/// and the same `SINGLE_FAILURE` and `DROP_MSG`. The peers and the drop
/// probability may differ.
pub fn check_case(name: &str, test: &Testcase) -> Result<(), CaseError> {
    let Some(want) = builtin(name) else {
        return Err(CaseError::NotClassic(name.to_owned()));
    };
    let same = match want.crud {
        Some(_) => test.crud == want.crud,
        None => {
            test.crud.is_none()
                && test.single_failure == want.single_failure
                && test.drop_msg == want.drop_msg
        }
    };
    if same {
        Ok(())
    } else {
        Err(CaseError::OtherKind {
            name: name.to_owned(),
            want: Box::new(want),
            found: Box::new(test.clone()),
        })
    }
}

/// Why [`check_case`] refused a test case.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseError {
    /// The name is none of [`CASES`].
    NotClassic(String),
    /// The `.conf` holds another kind of test than its name stands for.
    OtherKind {
        /// The case's name.
        name: String,
        /// The built-in case of that name.
        want: Box<Testcase>,
        /// The case as read.
        found: Box<Testcase>,
    },
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseError::NotClassic(name) => write!(f, "`{name}` is not a classic test case"),
            CaseError::OtherKind { name, want, found } => write!(
                f,
                "{name}.conf must hold {}, but holds {}",
                describe(want),
                describe(found)
            ),
        }
    }
}

impl std::error::Error for CaseError {}

/// What kind of test `test` is, in the `.conf` file's own words.
fn describe(test: &Testcase) -> String {
    match test.crud {
        Some(op) => format!("a key-value test (CRUD_TEST: {op})"),
        None => format!(
            "a membership test (SINGLE_FAILURE: {}, DROP_MSG: {})",
            u8::from(test.single_failure),
            u8::from(test.drop_msg)
        ),
    }
}

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The classic application layer driving one test case.
#[derive(Clone, Debug)]
pub struct Driver {
    test: Testcase,
    rng: SimRng,
    keys: BTreeMap<String, String>,
    failures: Vec<(u64, PeerId)>,
}

/// Runs `test` with `seed` for all [`TICKS`] ticks; returns its events.
pub fn run(test: &Testcase, seed: u64) -> Result<EventLog, SimError> {
    let mut sim = Sim::new(SimOptions::new(test.peers, seed))?;
    let mut driver = Driver::new(test.clone(), seed);
    let mut log = EventLog::new();
    while sim.now() < TICKS {
        driver.act(&mut sim)?;
        sim.run_tick();
        log.record(&mut sim);
    }
    Ok(log)
}

impl Driver {
    /// A driver for `test` whose choices draw from `seed`.
    pub fn new(test: Testcase, seed: u64) -> Driver {
        let mut rng = SimRng::new(seed, STREAM_DRIVER);
        // A key-value test draws nothing before its keys, so drawing them
        // now rather than at INSERT_TICK draws the same keys and leaves the
        // stream where the insert left it; they are known from tick 0.
        let mut keys = BTreeMap::new();
        while test.crud.is_some() && keys.len() < KEY_COUNT {
            let key: String = (0..5)
                .map(|_| char::from(ALPHANUMERIC[rng.below(62) as usize]))
                .collect();
            let value = format!("value{}", rng.below(100));
            keys.entry(key).or_insert(value);
        }
        Driver {
            test,
            rng,
            keys,
            failures: Vec::new(),
        }
    }

    /// The test case being driven.
    pub fn test(&self) -> &Testcase {
        &self.test
    }

    /// The keys a key-value test creates, with their values, sorted (none
    /// in a membership test).
    pub fn keys(&self) -> &BTreeMap<String, String> {
        &self.keys
    }

    /// The key the read or update test works on and its value there (the
    /// created value for a read, `NEW_VALUE` for an update); `None` in
    /// the other tests.
    pub fn tested_key(&self) -> Option<(&str, &str)> {
        let op = self
            .test
            .crud
            .filter(|op| matches!(op, OpKind::Read | OpKind::Update))?;
        let (key, value) = self.keys.iter().nth(usize::from(op == OpKind::Update))?;
        let value = if op == OpKind::Update {
            NEW_VALUE
        } else {
            value
        };
        Some((key, value))
    }

    /// The tick at which the window of the grade's check `index` (in the
    /// grader's order) closes, after which no event changes its points:
    /// the read and update tests' steps close at the next step's tick,
    /// every other check counts the whole run and closes at [`TICKS`].
    pub fn window_end(&self, index: usize) -> u64 {
        match self.tested_key() {
            Some(_) => STEP_TICKS.get(index + 1).copied().unwrap_or(TICKS),
            None => TICKS,
        }
    }

    /// The peers the driver failed so far, with the tick of each failure.
    pub fn failures(&self) -> &[(u64, PeerId)] {
        &self.failures
    }

    /// Whether the run is over at the simulation's current tick.
    pub fn is_done(&self, sim: &Sim) -> bool {
        sim.now() >= TICKS
    }

    /// Performs the actions scheduled at the simulation's current tick.
    /// Call it before each tick runs.
    pub fn act(&mut self, sim: &mut Sim) -> Result<(), SimError> {
        let now = sim.now();
        if self.test.drop_msg && now == DROP_FROM {
            sim.set_drop_prob(self.test.drop_prob)?;
        }
        if self.test.drop_msg && now == DROP_UNTIL {
            sim.set_drop_prob(0.0)?;
        }
        match self.test.crud {
            None if now == INSERT_TICK => self.fail_members(sim),
            None => Ok(()),
            Some(_) if now == INSERT_TICK => self.insert(sim),
            Some(OpKind::Create) => Ok(()),
            Some(OpKind::Delete) if now == TEST_TICK => self.delete(sim),
            Some(OpKind::Delete) => Ok(()),
            Some(op) => self.read_or_update(sim, op, now),
        }
    }

    fn fail_members(&mut self, sim: &mut Sim) -> Result<(), SimError> {
        let n = self.test.peers;
        if self.test.single_failure {
            let victim = self.rng.below(n);
            return self.fail_if_alive(sim, PeerId(victim));
        }
        let half = n / 2;
        let start = self.rng.below(half.max(1));
        for id in start..start + half {
            self.fail_if_alive(sim, PeerId(id))?;
        }
        Ok(())
    }

    fn insert(&mut self, sim: &mut Sim) -> Result<(), SimError> {
        let pairs: Vec<(String, String)> = self
            .keys
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, value) in pairs {
            let coordinator = self.random_alive(sim)?;
            sim.client_op(coordinator, OpKind::Create, &key, Some(&value))?;
        }
        Ok(())
    }

    fn delete(&mut self, sim: &mut Sim) -> Result<(), SimError> {
        let victims: Vec<(String, String)> = self
            .keys
            .iter()
            .skip(1)
            .take(KEY_COUNT / 2)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, value) in victims {
            self.op(sim, OpKind::Delete, &key, Some(&value))?;
        }
        self.op(sim, OpKind::Delete, INVALID_KEY, None)
    }

    /// The read and update tests: steps at 150, 175, 225, 275 and 285.
    fn read_or_update(&mut self, sim: &mut Sim, op: OpKind, now: u64) -> Result<(), SimError> {
        if !STEP_TICKS.contains(&now) {
            return Ok(());
        }
        let Some((key, value)) = self.tested_key() else {
            return Ok(());
        };
        let (key, value) = (key.to_owned(), value.to_owned());
        match now {
            175 => {
                let replicas = self.replicas_seen(sim, &key)?;
                if let Some(&tertiary) = replicas.last() {
                    self.fail_if_alive(sim, tertiary)?;
                }
            }
            225 => {
                for peer in self.replicas_seen(sim, &key)?.into_iter().take(2) {
                    self.fail_if_alive(sim, peer)?;
                }
            }
            285 => {
                let replicas = self.replicas_seen(sim, &key)?;
                let others: Vec<PeerId> = sim
                    .alive_peers()
                    .into_iter()
                    .filter(|p| !replicas.contains(p))
                    .collect();
                if !others.is_empty() {
                    let pick = self.rng.below(others.len() as u32) as usize;
                    self.fail_if_alive(sim, others[pick])?;
                }
            }
            _ => {}
        }
        self.op(sim, op, &key, Some(&value))?;
        if now == 285 {
            let invalid_value = (op == OpKind::Update).then_some(INVALID_VALUE);
            self.op(sim, op, INVALID_KEY, invalid_value)?;
        }
        Ok(())
    }

    fn op(
        &mut self,
        sim: &mut Sim,
        op: OpKind,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), SimError> {
        let coordinator = self.random_alive(sim)?;
        sim.client_op(coordinator, op, key, value).map(|_| ())
    }

    /// The replicas of `key` as a random live peer's ring sees them.
    fn replicas_seen(&mut self, sim: &mut Sim, key: &str) -> Result<Vec<PeerId>, SimError> {
        let observer = self.random_alive(sim)?;
        Ok(sim
            .peer(observer)
            .map(|p| p.ring().replicas(key).as_slice().to_vec())
            .unwrap_or_default())
    }

    fn random_alive(&mut self, sim: &Sim) -> Result<PeerId, SimError> {
        let alive = sim.alive_peers();
        if alive.is_empty() {
            return Err(SimError::NoLivePeer { tick: sim.now() });
        }
        Ok(alive[self.rng.below(alive.len() as u32) as usize])
    }

    /// Fails `id` unless it already failed (a stale view may name a failed
    /// peer), and notes the failure.
    fn fail_if_alive(&mut self, sim: &mut Sim, id: PeerId) -> Result<(), SimError> {
        if sim.state(id) != Some(PeerState::Alive) {
            return Ok(());
        }
        sim.fail(id)?;
        self.failures.push((sim.now(), id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_cases_match_the_files() {
        for name in CASES {
            let path = format!("{}/testcases/{name}.conf", env!("CARGO_MANIFEST_DIR"));
            let file = Testcase::load(std::path::Path::new(&path)).unwrap();
            assert_eq!(builtin(name), Some(file), "{name}");
        }
        assert_eq!(builtin("nope"), None);
    }

    #[test]
    fn a_case_of_another_kind_is_refused_naming_both_kinds() {
        let read = builtin("read").unwrap();
        assert_eq!(check_case("read", &read), Ok(()));
        assert_eq!(
            check_case("nope", &read),
            Err(CaseError::NotClassic("nope".into()))
        );
        let err = check_case("create", &read).unwrap_err();
        assert!(matches!(&err, CaseError::OtherKind { name, .. } if name == "create"));
        assert_eq!(
            err.to_string(),
            "create.conf must hold a key-value test (CRUD_TEST: CREATE), but holds a key-value test (CRUD_TEST: READ)"
        );
    }

    #[test]
    fn peers_start_four_per_tick_and_keys_go_in_at_tick_100() {
        let log = run(&builtin("create").unwrap(), 9).unwrap();
        for e in log.events() {
            if let crate::protocol::event::EventKind::Started { .. } = e.kind {
                assert_eq!(e.tick, u64::from(e.peer.0 / 4), "{e:?}");
            }
            if let crate::protocol::event::EventKind::Operation { .. } = e.kind {
                assert_eq!(e.tick, INSERT_TICK);
            }
        }
        assert!(log.events().last().is_some_and(|e| e.tick < TICKS));
    }
}
