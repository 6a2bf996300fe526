//! The crate's error type: a user mistake ([`DomainError`]), a problem with
//! the database ([`StoreError`]) or with the server that owns it
//! ([`ServerError`]). `crate::i18n` turns any of them into one line.
//!
//! Errors are plain data and serializable: a server sends them to its
//! clients unchanged, and the client shows them in its own language.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::domain::DomainError;
pub use crate::server::access::AccessRole;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum StoreError {
    /// Another process has the database open (sled allows one).
    #[error("database {path} is in use by another process")]
    Locked { path: PathBuf },
    #[error("cannot open database {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    /// A read or write failed (disk full, I/O error …).
    #[error("database error: {0}")]
    Io(String),
    /// A stored value could not be decoded.
    #[error("damaged record: {0}")]
    Corrupt(String),
    /// `import` needs an empty database.
    #[error("the database is not empty")]
    NotEmpty,
    /// An import file that cannot be taken, with the reason.
    #[error("import: {0}")]
    Import(String),
    /// A record that another record points to is missing.
    #[error("{0}")]
    Missing(String),
    /// An import file that is not JSON at all (a workbook, a text file …),
    /// with where reading stopped.
    #[error("import: not JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
}

/// Talking to the server that owns the database went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ServerError {
    /// Nothing answers on the socket and no server could be started.
    #[error("no server at {socket}: {reason}")]
    NoServer { socket: PathBuf, reason: String },
    /// The connection broke and did not come back within `seconds`.
    #[error("lost the server at {socket} (tried {seconds} s)")]
    Lost { socket: PathBuf, seconds: u64 },
    /// The connection broke after a change was sent and before the answer:
    /// it may or may not have been saved.
    #[error("connection lost before the server confirmed the change")]
    Unconfirmed,
    /// Client and server speak different protocol versions.
    #[error("protocol version mismatch: client {client}, server {server}")]
    Version { client: u32, server: u32 },
    /// A message that does not follow the protocol.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The connection's role does not allow the request.
    #[error("{user} is {role:?}; this needs {needed:?}")]
    Denied {
        user: String,
        role: AccessRole,
        needed: AccessRole,
        read_only: bool,
    },
    /// The access file refuses users it does not name.
    #[error("{user} may not use this database")]
    Refused { user: String },
    /// A second `serve` for a database that already has a server.
    #[error("a server for {db} already answers on {socket}")]
    AlreadyRunning { db: PathBuf, socket: PathBuf },
    /// `--no-server` while a server holds the database.
    #[error("a server holds {db} (socket {socket})")]
    HeldByServer { db: PathBuf, socket: PathBuf },
    /// The socket given belongs to the server of another database.
    #[error("the server on {socket} serves {served}, not {db}")]
    OtherDatabase {
        socket: PathBuf,
        db: PathBuf,
        served: PathBuf,
    },
    /// `serve --group NAME` with a group the system does not know.
    #[error("unknown group {0}")]
    UnknownGroup(String),
    /// The server could not be started or could not listen.
    #[error("cannot start the server: {0}")]
    Start(String),
    /// The access file cannot be read or parsed.
    #[error("access file {path}: {reason}")]
    Access { path: PathBuf, reason: String },
    /// A request larger than the protocol allows.
    #[error("request of {size} bytes, the limit is {max}")]
    TooLarge { size: u64, max: u64 },
    // New variants go at the end: errors cross the wire in bincode,
    // which numbers the variants in order.
    /// A server this client started exited before it answered; `last` is
    /// the last line it wrote to its log in this start, if any (what went
    /// wrong, in the server's words).
    #[error("the server exited: {} (see {})", last.as_deref().unwrap_or("no message"), log.display())]
    Exited { log: PathBuf, last: Option<String> },
    /// No server answered within `secs` seconds of a start; see `log`.
    #[error("the server did not answer within {secs} s (see {})", log.display())]
    StartTimeout { secs: u64, log: PathBuf },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Server(#[from] ServerError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
