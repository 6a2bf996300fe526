//! The crate's error type: a user mistake ([`DomainError`]) or a problem with
//! the database ([`StoreError`]). `crate::i18n` turns either into one line.

use std::path::PathBuf;

pub use crate::domain::DomainError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
