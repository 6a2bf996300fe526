//! Workbench speed: filled in with the workbench.
fn main() {}
