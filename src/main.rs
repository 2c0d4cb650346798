//! The ftkv command line (in progress).
fn main() {}
