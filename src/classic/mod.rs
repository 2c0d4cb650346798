//! The classic assignment: everything it fixes — the driver and its
//! schedule (`driver`: key-value tests insert 100 random keys at tick 100
//! and start the named test at tick 150; membership tests fail one peer, or
//! half of them, at tick 100; every test runs 700 ticks), the `.conf` test
//! cases (`testcase`), the `dbg.log` format (`dbglog`) and the graders
//! (`grader`). See `docs/grading.md`.

pub(crate) mod dbglog;
pub(crate) mod driver;
pub(crate) mod grader;
pub(crate) mod testcase;

pub use dbglog::render;
pub use driver::{
    builtin, check_case, run, CaseError, Driver, CASES, INVALID_KEY, KEY_VALUE_CASES, STEP_TICKS,
    TICKS,
};
pub use grader::{grade, Grade};
pub use testcase::{ConfError, Testcase};
