//! Where things live by default: the platform data directory (on Linux
//! `~/.local/share/branchlink`), overridden by `--db` or `BRANCHLINK_DB`.

use std::path::{Path, PathBuf};

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

/// A file next to the database directory: `<db><suffix>` (e.g.
/// `/var/lib/branchlink/db.sock` for `/var/lib/branchlink/db`). Beside, not
/// inside: the database directory is sled's own and stays private (0700),
/// while the socket may have to be reachable by a group.
pub(crate) fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "branchlink".into());
    name.push(suffix);
    db.with_file_name(name)
}

/// The server's socket for a database, unless `--socket` says otherwise.
pub fn socket_for(db: &Path) -> PathBuf {
    beside(db, ".sock")
}

/// The lock file clients take while one of them starts a server.
pub fn start_lock_for(db: &Path) -> PathBuf {
    beside(db, ".start.lock")
}

/// The log of a server started in the background by a client.
pub fn server_log_for(db: &Path) -> PathBuf {
    beside(db, ".server.log")
}

/// The access file: `access.toml` in the directory that holds the database.
pub fn access_file_for(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("access.toml")
}

/// Writes a file through a temporary file in the same directory and a
/// rename, so that a crash never leaves half a file (export, reports from the
/// command line and the workbench).
pub fn write_atomically(file: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile_in(dir)?;
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    std::fs::rename(&tmp.0, file)
}

fn tempfile_in(dir: &std::path::Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let path = dir.join(format!(".branchlink-export-{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&path);
    Ok((path.clone(), opts.open(&path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_beside_the_database() {
        let db = Path::new("/var/lib/branchlink/db");
        assert_eq!(socket_for(db), Path::new("/var/lib/branchlink/db.sock"));
        assert_eq!(start_lock_for(db), Path::new("/var/lib/branchlink/db.start.lock"));
        assert_eq!(access_file_for(db), Path::new("/var/lib/branchlink/access.toml"));
        assert_eq!(access_file_for(Path::new("db")), Path::new("access.toml"));
    }
}
