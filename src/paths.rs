//! Where things live by default: the platform data directory (on Linux
//! `~/.local/share/branchlink`), overridden by `--db` or `BRANCHLINK_DB`.

use std::path::PathBuf;

fn data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "branchlink").map(|d| d.data_dir().to_path_buf())
}

/// The default database directory.
pub fn default_db() -> Option<PathBuf> {
    data_dir().map(|d| d.join("db"))
}

/// The workbench's log file: in the data directory, never on the screen.
pub fn log_file() -> Option<PathBuf> {
    data_dir().map(|d| d.join("branchlink.log"))
}
