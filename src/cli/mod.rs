//! The command line: clap commands ([`args`]) carried out ([`run`]) through
//! the same [`crate::api::Backend`] the workbench uses, printed by
//! [`output`].

pub mod args;
pub mod output;
pub mod rhythm;
pub mod run;
pub mod usage;

pub use args::{Cli, Command};
pub use run::{Context, Failure, Ground, run};
