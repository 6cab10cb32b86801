//! The `reportflow` command.

fn main() {}
