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
