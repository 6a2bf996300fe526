//! Many staff, one database: the server that owns the sled store, and the
//! client every front end uses to reach it.
//!
//! sled allows one process per database, so one process (`branchlink
//! serve`) opens it and every terminal talks to that process over a Unix
//! socket beside the database. [`protocol`] is the wire format, [`server`]
//! the listening side, [`access`] who may do what, [`client`] a
//! [`crate::api::Backend`] over the socket, and [`autostart`] starts a
//! server in the background when none answers.

pub mod access;
pub mod autostart;
pub mod client;
pub mod local;
pub mod protocol;
#[allow(clippy::module_inception)]
pub mod server;

pub use access::AccessRole;
pub use autostart::AutoStart;
pub use client::{Client, ClientOptions};
pub use local::ReadOnlyStore;
pub use server::{ServeOptions, Server, StopHandle, Stopped, serve};
