//! The sled store: the only module that touches sled.
//!
//! A tree per record type plus index trees (see [`keys`] for the layout);
//! values in versioned envelopes (see [`codec`]); every command one
//! transaction over all the trees it touches, with its audit entry, flushed
//! before it returns. Writes are serialised by a mutex, so that the reads a
//! command checks against (sled transactions cannot scan) cannot change
//! before it commits: the database belongs to one process.

mod assessments;
mod backend;
mod batch;
pub mod codec;
mod commands;
pub mod inbox;
pub mod keys;
mod packed;
mod plans;
mod queries;
mod snapshot;
mod upgrade;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sled::Tree;

use crate::error::StoreError;

pub use snapshot::{MAX_IMPORT_BYTES, check_snapshot, parse_snapshot};

/// sled's page cache. Its default is 1 GiB; the data of a whole province
/// fits in far less, and the workbench should stay small.
pub const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// sled's settings for the database at `path` (the cache size above), in
/// one place for the store, the sled floor of the benchmarks and the tests
/// that read a database with sled alone.
///
/// Not compressed: sled's zstd made the files a quarter of the size, but
/// sled 0.34 decompresses every log message it replays when it opens, with
/// a fresh zstd context each, and a command line opening a 10k-activity
/// database went from 30 to 200 ms (docs/PERFORMANCE.md).
pub fn sled_config(path: &Path) -> sled::Config {
    sled::Config::new().path(path).cache_capacity(CACHE_BYTES)
}

/// sled's log file inside the database directory, which [`Store::flush`]
/// (and the sled floor of the benchmarks) `fdatasync`s.
pub const LOG_FILE: &str = "db";

/// The trees, by name. Names are part of the on-disk format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum T {
    Meta,
    Leaders,
    Branches,
    Points,
    PointByLeader,
    Activities,
    ActivityByDate,
    ActivityByLeader,
    ActivityByPoint,
    Problems,
    ProblemByPoint,
    Events,
    EventByDate,
    Targets,
    Audit,
    /// `leader ‖ tag ‖ date` → how many activities of a kind the leader
    /// logged that day, or (tag [`keys::SOLVED`], layout 2) how many
    /// problems were solved with the leader holding the point: for the
    /// months of a year and for leaders in post for part of a year.
    DayCount,
    Assessments,
    Rubrics,
    Plans,
    /// `year ‖ leader` → for each tag, how many activities of a kind (or
    /// problems solved, tag [`keys::SOLVED`]) count for the leader in that
    /// year, post dates aside: a year's status is one prefix scan here,
    /// an entry per leader (layout 2).
    YearCount,
    /// `year ‖ point` → `date ‖ id` of the point's latest activity in that
    /// year: the last key of the point's `activity_by_point` bucket of the
    /// year, written by the commit that rewrites the bucket (layout 4),
    /// packed 16 points of a year to a bucket. The board's "last visit" of
    /// every point is one short range scan here instead of one bucket (and
    /// a sled leaf of 40 kB) per point.
    PointLast,
    /// `hash ‖ name ‖ 0xFF ‖ leader` → nothing (layout 6,
    /// [`keys::name_id`]): the leaders with a name, so that a command line
    /// naming a leader reads one small bucket instead of every leader's
    /// (`Store::leaders_matching`); packed by the hash, 64 buckets.
    LeaderByName,
}

impl T {
    pub(crate) const ALL: [T; 22] = [
        T::Meta,
        T::Leaders,
        T::Branches,
        T::Points,
        T::PointByLeader,
        T::Activities,
        T::ActivityByDate,
        T::ActivityByLeader,
        T::ActivityByPoint,
        T::Problems,
        T::ProblemByPoint,
        T::Events,
        T::EventByDate,
        T::Targets,
        T::Audit,
        T::DayCount,
        T::Assessments,
        T::Rubrics,
        T::Plans,
        T::YearCount,
        T::PointLast,
        T::LeaderByName,
    ];

    /// The tree's name in sled. The packed trees (see [`packed`]) took
    /// new names in layout 3, so that a database of an older layout keeps
    /// its trees until the packed ones are complete.
    fn name(self) -> &'static str {
        match self {
            T::Activities => "packed/activities",
            T::ActivityByDate => "packed/activity_by_date",
            T::ActivityByLeader => "packed/activity_by_leader",
            T::ActivityByPoint => "packed/activity_by_point",
            T::Problems => "packed/problems",
            T::ProblemByPoint => "packed/problem_by_point",
            T::DayCount => "packed/day_count",
            T::Leaders => "packed/leaders",
            T::Branches => "packed/branches",
            T::Points => "packed/points",
            T::PointByLeader => "packed/point_by_leader",
            // Packed from the start (layout 4); its plain name was never used.
            T::PointLast => "packed/point_last",
            // Packed from the start (layout 6) too.
            T::LeaderByName => "packed/leader_by_name",
            other => other.plain_name(),
        }
    }

    /// The tree's name in layouts 1 and 2, where every tree was plain.
    fn plain_name(self) -> &'static str {
        match self {
            T::Meta => "meta",
            T::Leaders => "leaders",
            T::Branches => "branches",
            T::Points => "points",
            T::PointByLeader => "point_by_leader",
            T::Activities => "activities",
            T::ActivityByDate => "activity_by_date",
            T::ActivityByLeader => "activity_by_leader",
            T::ActivityByPoint => "activity_by_point",
            T::Problems => "problems",
            T::ProblemByPoint => "problem_by_point",
            T::Events => "events",
            T::EventByDate => "event_by_date",
            T::Targets => "targets",
            T::Audit => "audit",
            T::DayCount => "day_count",
            T::Assessments => "assessments",
            T::Rubrics => "rubrics",
            T::Plans => "plans",
            T::YearCount => "year_count",
            T::PointLast => "point_last",
            T::LeaderByName => "leader_by_name",
        }
    }
}

/// Keys of the meta tree.
pub(crate) mod meta {
    /// The layout version of the whole database.
    pub const SCHEMA: &[u8] = b"schema";
    /// 2 added the `year_count` tree and solved problems to `day_count`;
    /// 3 packed the big trees (see `store::packed`); 4 added `point_last`;
    /// 5 compresses the buckets; 6 added `leader_by_name`; 7 added the
    /// inbox (`store::inbox`), which a branchlink that does not apply it
    /// must not open past; 8 stores small buckets compact, which an older
    /// branchlink cannot read. An older database is brought up to date
    /// when opened (`store::upgrade`).
    pub const SCHEMA_VERSION: u64 = 8;
    /// Counter prefixes: `next/<kind>` holds the last id given out.
    pub const NEXT_LEADER: &[u8] = b"next/leader";
    pub const NEXT_BRANCH: &[u8] = b"next/branch";
    pub const NEXT_POINT: &[u8] = b"next/point";
    pub const NEXT_ACTIVITY: &[u8] = b"next/activity";
    pub const NEXT_PROBLEM: &[u8] = b"next/problem";
    pub const NEXT_EVENT: &[u8] = b"next/event";
    pub const NEXT_AUDIT: &[u8] = b"next/audit";
    /// The inbox last replayed (`store::inbox`): its nonce and how many of
    /// its entries are applied, 16 bytes big-endian.
    pub const INBOX_APPLIED: &[u8] = b"inbox/applied";
    /// Flags set by commands, e.g. `flag/demo`.
    pub const FLAG_PREFIX: &str = "flag/";
}

/// An open database. Cheap to clone: clones share the same sled handle.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    /// sled's log file (`<dir>/db`), for [`Store::flush`]'s `fdatasync`.
    log: Arc<std::fs::File>,
    trees: Arc<Vec<Tree>>,
    path: PathBuf,
    /// Serialises commands (see the module comment).
    write_lock: Arc<Mutex<()>>,
    /// The OS user recorded in the audit log.
    user: Arc<str>,
    /// Commands committed through this handle and its clones since open:
    /// the [`crate::api::Backend::data_version`] of the embedded store.
    writes: Arc<AtomicU64>,
    /// Commits that changed leaders, branches or points: the version of
    /// the small tables.
    table_writes: Arc<AtomicU64>,
    /// `writes` at the last [`Store::tidy_log`], and whether that round
    /// moved pages (so that the next may move more).
    tidied: Arc<AtomicU64>,
    tidy_pending: Arc<std::sync::atomic::AtomicBool>,
    /// The small tables, decoded once per table version (see [`Tables`]).
    tables: Arc<Mutex<CachedTables>>,
    /// Years' statuses as of a data version (see [`CachedStatus`]).
    statuses: Arc<Mutex<CachedStatus>>,
    /// The inbox's digest on disk matches the data (`store::inbox`): it
    /// is removed before the first change and written again by
    /// [`Store::leave_digest`].
    digest_kept: Arc<std::sync::atomic::AtomicBool>,
    /// A commit failed after it removed the digest: sled's memory may
    /// hold a change that is not on disk, so no digest is written from it.
    unsure: Arc<std::sync::atomic::AtomicBool>,
    /// The digest [`Store::forget_digest`] removed, and the table version
    /// then: while that is unchanged, only its last activity id is new.
    digest_removed: Arc<Mutex<RemovedDigest>>,
}

/// The statuses last computed, by year, with the data version each was
/// computed at. Every board and `status` asks for the same year's status
/// again and again between two writes; one write makes them all stale.
type CachedStatus = std::collections::BTreeMap<i32, Arc<KeptStatus>>;

/// One year's status as of a data version, and the same as compact JSON
/// once asked for (`status --format json` through the server: 308 kB for
/// 1,000 leaders, written once per version instead of by every client).
pub(crate) struct KeptStatus {
    pub(crate) version: u64,
    pub(crate) status: crate::domain::YearStatus,
    pub(crate) json: std::sync::OnceLock<String>,
}

/// A digest's bytes and the table version when it was removed.
type RemovedDigest = Option<(u64, Vec<u8>)>;

/// The small tables and the table version they were read at.
type CachedTables = Option<(u64, Arc<Tables>)>;

/// The small tables nearly every read needs: leaders, branches and points,
/// a few thousand records at provincial scale. Decoding them from sled was
/// most of a year's status at 1M activities (docs/PERFORMANCE.md), so they
/// are decoded once and kept until a commit changes one of them (logging
/// a visit does not: `visit add` through the server looks the leader up
/// in this table first).
#[derive(Debug)]
pub(crate) struct Tables {
    pub leaders: Vec<crate::domain::Leader>,
    pub branches: Vec<crate::domain::Branch>,
    pub points: Vec<crate::domain::ContactPoint>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`. The directory is
    /// created private (0700). A database held by another process gives
    /// [`StoreError::Locked`] at once.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        match Store::open_held(path) {
            // This process held the database and could not use it (damaged,
            // or a full disk while applying the inbox): no adder may log to
            // an inbox that no open may apply. A database held by another
            // process is that one's.
            Err(e) if !matches!(e, StoreError::Locked { .. }) => {
                if let Err(removed) = inbox::remove_digest(path) {
                    tracing::warn!("removing the inbox digest: {removed}");
                }
                Err(e)
            }
            other => other,
        }
    }

    fn open_held(path: &Path) -> Result<Store, StoreError> {
        create_private_dir(path)?;
        let config = sled_config(path);
        let db = match config.open() {
            // A process killed while sled wrote a snapshot leaves a partial
            // `snap.*.generating`, which sled 0.34 then reads as the newest
            // snapshot and calls the database corrupt (found by
            // tests/crash_loop.rs). A finished snapshot is always renamed,
            // so such a file is never needed: remove it and open again. The
            // corruption error means this process held the lock, so no
            // other process was writing that file.
            Err(sled::Error::Corruption { .. }) if remove_unfinished_snapshots(path) => config.open(),
            other => other,
        }
        .map_err(|e| open_error(path, e))?;
        // sled creates its files with the process umask (0644 as a rule);
        // the directory is 0700 already, and its files become 0600 too.
        // sled makes new files (a snapshot, blobs) when it recovers on open,
        // so this comes after the open (tests/disk.rs checks the modes).
        make_private(path).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let trees = T::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| open_error(path, e))?;
        let log = std::fs::File::open(path.join(LOG_FILE)).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let store = Store {
            db,
            log: Arc::new(log),
            trees: Arc::new(trees),
            path: path.to_path_buf(),
            write_lock: Arc::new(Mutex::new(())),
            user: Arc::from(current_user()),
            writes: Arc::new(AtomicU64::new(0)),
            table_writes: Arc::new(AtomicU64::new(0)),
            tidied: Arc::new(AtomicU64::new(0)),
            tidy_pending: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            tables: Arc::new(Mutex::new(None)),
            statuses: Arc::new(Mutex::new(CachedStatus::new())),
            digest_kept: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            unsure: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            digest_removed: Arc::new(Mutex::new(None)),
        };
        store.adopt_digest()?;
        store.check_schema()?;
        // Visits logged in the inbox since the last open are data like any
        // other: in sled before anything reads it. A failure here is a
        // write's (a full disk): the inbox stays for the next open.
        store.replay_inbox().map_err(as_store_error)?;
        // Those visits were changes of the processes that logged them (on a
        // day whose backup was written already), not of this one: its data
        // version counts its own commands from here.
        store.writes.store(0, Ordering::SeqCst);
        Ok(store)
    }

    /// The same store, recording changes in the audit log as `user`.
    pub fn as_user(&self, user: &str) -> Store {
        Store {
            user: Arc::from(user),
            ..self.clone()
        }
    }

    /// How many commands have been committed since the database was opened.
    pub fn data_version(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub(crate) fn tree(&self, t: T) -> &Tree {
        &self.trees[t as usize]
    }

    /// Writes everything to disk now, durably. sled's own flush writes the
    /// log and waits with `sync_file_range`, which neither writes the
    /// file's metadata nor flushes the disk's cache; sled `fsync`s only
    /// from its flusher thread (every 500 ms) and when its last handle is
    /// dropped. A write can land in log space that sled punched out as
    /// free (vendor/sled/PATCHES.md, patch 2), whose new blocks are
    /// metadata, so without the `fdatasync` here a change reported saved
    /// could be lost with the machine's power. (sled writes a page larger
    /// than its blob threshold to a file of its own without syncing it;
    /// the packed layout keeps pages far below that, see `packed.rs`.)
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(io_error)?;
        self.log.sync_data().map_err(|e| StoreError::Io(e.to_string()))
    }

    /// For a process about to exit (a one-shot command line): leaves sled's
    /// handles to the exit instead of dropping them. Dropping the last
    /// handle walks sled's whole page table and cache to free them and
    /// flushes once more: a seventh of a one-shot `visit add`'s
    /// instructions (1.5 of 10.1 million, callgrind, 10k activities), for
    /// memory the exit gives back anyway. Every change was flushed with
    /// [`Store::flush`] before it was reported, so nothing is left to
    /// write; sled's flusher thread is not joined, so an exit while it
    /// moves pages is an exit as after kill -9, which sled recovers from
    /// (tests/crash_loop.rs). Other clones of this store stay usable until
    /// the exit.
    pub fn leave(self) {
        std::mem::forget(self);
    }

    /// For a process done with the database (a command line, a closing
    /// workbench or server): leaves the digest that lets the next `visit
    /// add --no-server` log to the inbox without opening sled
    /// (`store::inbox`), unless the one on disk still matches. It is
    /// written after a flush, so it describes durable data, and not at all
    /// once a commit failed (see `unsure`). Failing to write it only makes
    /// the next add slower: logged, not returned.
    pub fn leave_digest(&self) {
        if self.digest_kept.load(Ordering::SeqCst) || self.unsure.load(Ordering::SeqCst) {
            return;
        }
        let _guard = self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(e) = self.flush() {
            tracing::warn!("no inbox digest: the last flush failed: {e}");
            return;
        }
        let tables = self.table_writes.load(Ordering::SeqCst);
        let earlier = self
            .digest_removed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
            .filter(|(version, _)| *version == tables)
            .map(|(_, bytes)| bytes);
        match inbox::write_digest(self, earlier) {
            Ok(()) => self.digest_kept.store(true, Ordering::SeqCst),
            Err(e) => tracing::warn!("writing the inbox digest: {e}"),
        }
    }

    /// At open: a digest that is whole, of this layout and of this data's
    /// last activity is kept until the first change; any other is removed
    /// at once (one left in a directory whose database was made again, or
    /// by a process killed after a change it could not flush), so that no
    /// adder uses it.
    fn adopt_digest(&self) -> Result<(), StoreError> {
        let last = self.counter(meta::NEXT_ACTIVITY).map_err(as_store_error)?;
        self.digest_kept.store(true, Ordering::SeqCst);
        match inbox::read_digest(&self.path).filter(|bytes| inbox::digest_says(bytes, last)) {
            // Kept for the first change, which then need not read it again.
            Some(bytes) => {
                *self
                    .digest_removed
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((0, bytes))
            }
            None => self.forget_digest(false)?,
        }
        Ok(())
    }

    /// Removes the inbox's digest before the data changes (see
    /// `store::inbox`); `keep`: remember its bytes, for
    /// [`Store::leave_digest`] to write again with the new last activity
    /// if no leader, branch or point changes meanwhile.
    pub(crate) fn forget_digest(&self, keep: bool) -> Result<(), StoreError> {
        if self.digest_kept.load(Ordering::SeqCst) {
            let mut removed = self
                .digest_removed
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if !keep {
                *removed = None;
            } else if removed.is_none()
                && let Some(bytes) = inbox::read_digest(&self.path)
            {
                *removed = Some((self.table_writes.load(Ordering::SeqCst), bytes));
            }
            drop(removed);
            inbox::remove_digest(&self.path).map_err(as_store_error)?;
            self.digest_kept.store(false, Ordering::SeqCst);
        }
        Ok(())
    }

    /// After a failed commit: see `unsure`.
    pub(crate) fn mark_unsure(&self) {
        self.unsure.store(true, Ordering::SeqCst);
    }

    /// After a bulk write (an import, an upgrade): moves the live pages out
    /// of the log segments that are at most half live, round after round,
    /// flushing each, until a round finds nothing to move
    /// (vendor/sled/PATCHES.md, patch 4). sled does this a few pages per
    /// flush interval on its own thread, which a short-lived process never
    /// gives it, and a reopened database queues no segment until later
    /// writes pass it: an import of 10k activities in chunks of 1,000 left
    /// 7.9 MB of log for 2.5 MB of keys and values, and leaves 3.1–3.5 MB
    /// with this (tests/disk.rs). The freed segments are reused, and
    /// punched out of the file on the next open. The data is committed
    /// before this runs, so a failure here is logged, not reported as a
    /// failed command.
    pub(crate) fn collect_garbage(&self) {
        // A round moves every page queued; the next one finds the segments
        // that the moves and the flush made inactive. The bound keeps a log
        // that never settles (pages moving back and forth) from holding up
        // the command.
        const MAX_ROUNDS: usize = 16;
        for _ in 0..MAX_ROUNDS {
            match self.collect_some_garbage(usize::MAX) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("compacting the log after a bulk write: {e}");
                    return;
                }
            }
        }
    }

    /// One round of [`Store::collect_garbage`], moving at most `max_moves`
    /// pages, then a flush; the number of pages moved.
    fn collect_some_garbage(&self, max_moves: usize) -> Result<usize, StoreError> {
        // sled's own threshold (SEGMENT_CLEANUP_THRESHOLD): a segment at
        // most half live is moved; a higher one moved segments round after
        // round without freeing more.
        const MAX_LIVE_PCT: u8 = 50;
        let moved = self.db.collect_garbage(MAX_LIVE_PCT, max_moves).map_err(io_error)?;
        self.flush()?;
        Ok(moved)
    }

    /// For a process that writes for a while (a server whose writes have
    /// paused, a closing server or workbench): one round of
    /// [`Store::collect_garbage`] that moves at most [`TIDY_PAGES`] pages,
    /// if anything was committed since the last round or the last round
    /// moved pages (there may be more); otherwise nothing. Returns whether
    /// it moved any.
    ///
    /// Why: every commit appends the buckets it rewrote to sled's log, and
    /// sled reclaims a segment only once it is at most half live, a few
    /// pages per flush interval, so a server's log grew by about 2 KiB a
    /// visit: 3,000 visits took the 10k database from 2.8 to 8.2 MiB
    /// (docs/PERFORMANCE.md). Bounded because on a freshly imported
    /// 1M-activity database the first unbounded round moved 358,540 pages
    /// (what the import left) in 3 s, with 133 MB resident; a round of
    /// 1,000 takes 7–18 ms. The memory the moves free goes back to the
    /// system after each round (`malloc_trim`): without that, a server at
    /// 1M settled at 46 MB resident, with it at 26.
    pub fn tidy_log(&self) -> bool {
        let writes = self.writes.load(Ordering::SeqCst);
        let changed = self.tidied.swap(writes, Ordering::SeqCst) != writes;
        if !changed && !self.tidy_pending.load(Ordering::SeqCst) {
            return false;
        }
        let started = std::time::Instant::now();
        let moved = match self.collect_some_garbage(TIDY_PAGES) {
            Ok(moved) => moved,
            Err(e) => {
                // The data was committed before; but a failed flush may
                // leave sled's memory ahead of the disk (see `unsure`).
                tracing::warn!("tidying the log: {e}");
                self.mark_unsure();
                0
            }
        };
        give_back_freed_memory();
        self.tidy_pending.store(moved > 0, Ordering::SeqCst);
        tracing::info!(moved, ms = started.elapsed().as_millis() as u64, "tidied the log");
        moved > 0
    }

    /// The size sled reports for its files, in bytes.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(io_error)
    }

    fn check_schema(&self) -> Result<(), StoreError> {
        let meta = self.tree(T::Meta);
        match meta.get(meta::SCHEMA).map_err(io_error)? {
            None => {
                self.forget_digest(false)?;
                meta.insert(meta::SCHEMA, &meta::SCHEMA_VERSION.to_be_bytes())
                    .map_err(io_error)?;
                self.flush()
            }
            Some(v) => {
                let version = keys::id_from(&v).ok_or_else(|| StoreError::Corrupt("schema version".into()))?;
                if version > meta::SCHEMA_VERSION {
                    Err(StoreError::Open {
                        path: self.path.clone(),
                        reason: format!(
                            "written by a newer branchlink (layout {version}, this one reads up to {})",
                            meta::SCHEMA_VERSION
                        ),
                    })
                } else if version < meta::SCHEMA_VERSION {
                    self.forget_digest(false)?;
                    self.upgrade(version).map_err(|e| StoreError::Open {
                        path: self.path.clone(),
                        reason: format!("could not bring layout {version} up to {}: {e}", meta::SCHEMA_VERSION),
                    })
                } else {
                    // Left behind if an upgrade's process died after it committed.
                    self.drop_plain_trees()
                }
            }
        }
    }
}

/// Opens a database, waiting while it is locked: sled keeps its file, and
/// with it the lock, open for a moment after the last handle is dropped,
/// while its I/O threads finish, so a database this process has just
/// closed may still be held (tests/common has the same for the
/// integration tests).
#[cfg(test)]
#[track_caller]
pub(crate) fn reopen(path: &Path) -> Store {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match Store::open(path) {
            Err(StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5))
            }
            other => return other.expect("reopen the database"),
        }
    }
}

/// Every tree's contents but the audit log's (whose entries carry the
/// time) and the audit counter: for tests that two ways of filling a
/// database leave the same bytes.
#[cfg(test)]
pub(crate) fn tree_contents(store: &Store) -> Vec<Vec<(sled::IVec, sled::IVec)>> {
    T::ALL
        .iter()
        .filter(|t| **t != T::Audit)
        .map(|t| {
            store
                .tree(*t)
                .iter()
                .map(|e| e.unwrap())
                .filter(|(k, _)| k.as_ref() != meta::NEXT_AUDIT)
                .collect()
        })
        .collect()
}

/// A store's error as it is; any other (the inbox's code returns the
/// crate's error type) as an I/O error, for `Store::open`.
fn as_store_error(e: crate::error::Error) -> StoreError {
    match e {
        crate::error::Error::Store(e) => e,
        other => StoreError::Io(other.to_string()),
    }
}

/// The most pages one [`Store::tidy_log`] moves.
pub const TIDY_PAGES: usize = 1_000;

/// Returns the heap memory freed since the last call to the system. glibc
/// keeps what a thread frees in that thread's arena; the pages a tidy moves
/// come and go on the server's watch thread, and without this its resident
/// memory kept what they had taken.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free memory of glibc's arenas to
    // the system; it takes no pointers and is safe to call at any time.
    unsafe {
        nix::libc::malloc_trim(0);
    }
}

/// The user name recorded in the audit log for local use.
pub fn current_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .map(|s| crate::domain::text::printable(&s))
        .unwrap_or_else(|| "unknown".into())
}

fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Removes sled's unfinished snapshot files; true when there were any.
fn remove_unfinished_snapshots(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut removed = false;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") && std::fs::remove_file(entry.path()).is_ok() {
            tracing::warn!(file = %name, "removed an unfinished sled snapshot left by a crash");
            removed = true;
        }
    }
    removed
}

/// Directories 0700 and files 0600 under `dir`, without touching the
/// process umask (which other threads share).
fn make_private(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            let want = if meta.is_dir() {
                make_private(&entry.path())?;
                0o700
            } else {
                0o600
            };
            if meta.permissions().mode() & 0o777 != want {
                std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(want))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn open_error(path: &Path, e: sled::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("could not acquire lock") {
        StoreError::Locked {
            path: path.to_path_buf(),
        }
    } else {
        StoreError::Open {
            path: path.to_path_buf(),
            reason: text,
        }
    }
}

pub(crate) fn io_error(e: sled::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

pub(crate) fn corrupt(e: codec::CodecError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}
