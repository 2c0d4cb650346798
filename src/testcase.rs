//! The classic `testcases/*.conf` files: parsing and validation.

use crate::op::OpKind;

/// One classic test case, as read from a `.conf` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Testcase {
    /// `MAX_NNB`: the number of peers.
    pub peers: u32,
    /// `SINGLE_FAILURE`: membership tests fail one peer (true) or half (false).
    pub single_failure: bool,
    /// `DROP_MSG`: drop messages at random between ticks 50 and 300.
    pub drop_msg: bool,
    /// `MSG_DROP_PROB`: the drop probability while dropping is on.
    pub drop_prob: f64,
    /// `CRUD_TEST`: the key-value test to run; `None` for a membership test.
    pub crud: Option<OpKind>,
}
