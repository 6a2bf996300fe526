//! branchlink: a terminal workbench for the party-branch contact-point system
//! (党支部工作联系点). See docs/ARCHITECTURE.md for the map.

pub mod domain;
pub mod api;
pub mod error;
pub mod store;
pub mod demo;
pub mod i18n;
pub mod cli;
pub mod paths;
