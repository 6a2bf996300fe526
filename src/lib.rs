//! branchlink: a terminal workbench for the party-branch contact-point system
//! (党支部工作联系点). See docs/ARCHITECTURE.md for the map.

pub mod api;
pub mod app;
pub mod backup;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod paths;
pub mod report;
pub mod server;
pub mod store;
pub mod synthetic;
pub mod ui;
