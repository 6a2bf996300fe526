//! Daily JSON backups beside the database (issue 6).
//!
//! After a change, the process that owns the database (the server, or an
//! embedded `--no-server` command line or workbench) writes the export of the
//! whole database to `<db>.backups/branchlink-YYYY-MM-DD.json` unless today's
//! file is there already: at most one backup a day, and only on a day when
//! something changed. The newest `keep` files stay (14 unless
//! `BRANCHLINK_BACKUP_KEEP` says otherwise; 0 turns backups off). A backup is
//! an export, so `branchlink --db NEW import FILE` restores it, and the
//! message for a database sled cannot open names the latest one.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::api::Backend;
use crate::error::Error;

/// How many daily backups are kept unless the environment says otherwise.
pub const KEEP: usize = 14;
/// Overrides [`KEEP`].
pub const KEEP_VAR: &str = "BRANCHLINK_BACKUP_KEEP";

const PREFIX: &str = "branchlink-";
const SUFFIX: &str = ".json";

/// The directory of a database's backups: beside it, not inside it.
pub fn dir_for(db: &Path) -> PathBuf {
    crate::paths::beside(db, ".backups")
}

/// How many backups to keep, from the environment.
pub fn keep_from_env() -> usize {
    std::env::var(KEEP_VAR)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(KEEP)
}

/// The backups of a database, oldest first.
pub fn list(db: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir_for(db))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
                })
                .collect()
        })
        .unwrap_or_default();
    // Names hold the date as YYYY-MM-DD, so name order is date order.
    files.sort();
    files
}

/// The newest backup of a database, if any.
pub fn latest(db: &Path) -> Option<PathBuf> {
    list(db).pop()
}

/// Writes today's backup unless there is one already; keeps the newest
/// `keep`. Returns the file written. Call it after a change.
pub fn daily(backend: &dyn Backend, db: &Path, today: NaiveDate, keep: usize) -> Result<Option<PathBuf>, Error> {
    if keep == 0 {
        return Ok(None);
    }
    let dir = dir_for(db);
    let file = file_for(db, today);
    if file.exists() {
        return Ok(None);
    }
    let io = |e: std::io::Error| Error::from(crate::error::StoreError::Io(format!("backup {}: {e}", dir.display())));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(&dir).map_err(io)?;
    let snapshot = backend.export()?;
    let bytes = serde_json::to_vec_pretty(&snapshot).map_err(|e| io(std::io::Error::other(e)))?;
    crate::paths::write_atomically(&file, &bytes).map_err(io)?;
    let files = list(db);
    for old in files.iter().take(files.len().saturating_sub(keep)) {
        std::fs::remove_file(old).map_err(io)?;
    }
    Ok(Some(file))
}

fn file_for(db: &Path, day: NaiveDate) -> PathBuf {
    dir_for(db).join(format!("{PREFIX}{day}{SUFFIX}"))
}

/// Whether [`after_change`] would write nothing today: backups are off,
/// or today's is there. A change that bypasses the store (a visit logged
/// in the inbox, `store::inbox`) is only made then, so the day's first
/// change still leaves the day's backup.
pub fn written_today(db: &Path) -> bool {
    keep_from_env() == 0 || file_for(db, today()).exists()
}

/// Today for backups: `BRANCHLINK_TODAY` when set (tests), else the clock.
pub fn today() -> NaiveDate {
    std::env::var("BRANCHLINK_TODAY")
        .ok()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// [`daily`] after a change, with today and `keep` from the environment; a
/// failure is logged, never the change's failure (the change is saved).
pub fn after_change(backend: &dyn Backend, db: &Path) {
    match daily(backend, db, today(), keep_from_env()) {
        Ok(Some(file)) => tracing::info!(file = %file.display(), "daily backup written"),
        Ok(None) => {}
        Err(e) => tracing::warn!("daily backup failed: {e}"),
    }
}
