//! The history checker: per-key linearizability and the anomaly counters
//! of `spec/consistency.md`.

pub mod history;
pub mod linear;

pub use history::{Completion, Copy, FinalKey, HistOp, History, Reason, Snapshot};
pub use linear::{check_key, Verdict};
