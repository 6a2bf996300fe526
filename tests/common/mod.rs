//! Helpers shared by the integration tests: a temporary database per test,
//! running the built binary on it, and an independent check of the index
//! trees against the record trees (read with sled directly, after the store
//! is closed).

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use branchlink::domain::{Activity, BureauEvent, ContactPoint, Leader, Problem};
use branchlink::error::StoreError;
use branchlink::store::{Store, codec, keys};
use serde_json::Value;
use tempfile::TempDir;

/// "Today" for every test run of the binary.
pub const TODAY: &str = "2020-12-15";
/// The OS user the binary sees in tests (recorded in the audit log).
pub const USER: &str = "tester";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_branchlink")
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// A temporary database (a directory inside a temporary directory, so that
/// export files can sit next to it).
pub struct Db {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl Default for Db {
    fn default() -> Self {
        Db::new()
    }
}

impl Db {
    pub fn new() -> Db {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db");
        Db { dir, path }
    }

    /// A file name inside the temporary directory (not inside the database).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary with a clean environment for this database, English messages.
    pub fn command(&self) -> Command {
        let mut c = self.command_in_default_language();
        c.arg("--lang").arg("en");
        c
    }

    /// [`Db::command`] without `--lang en`: Chinese, as a user gets it.
    pub fn command_in_default_language(&self) -> Command {
        let mut c = Command::new(bin());
        // These tests are about the command line on the embedded store (they
        // also open the database themselves); tests/server.rs covers the
        // same commands through a server.
        c.env_remove("BRANCHLINK_DB")
            .env("BRANCHLINK_NO_SERVER", "1")
            .env("BRANCHLINK_TODAY", TODAY)
            .env("USER", USER)
            .env("LOGNAME", USER)
            .arg("--db")
            .arg(&self.path);
        c
    }

    /// Runs the binary once.
    pub fn run_once(&self, args: &[&str]) -> Run {
        self.run_once_on(TODAY, args)
    }

    /// [`Db::run_once`] on the day `today`.
    fn run_once_on(&self, today: &str, args: &[&str]) -> Run {
        let out = self.command().env("BRANCHLINK_TODAY", today).args(args).output();
        Run::from(out.expect("run branchlink"))
    }

    /// Runs the binary; if it found the database in use, runs it again
    /// (for up to 30 s). Nothing else holds a test's database, but this test
    /// process briefly does after it reads the database itself: sled closes
    /// its file a moment after the last handle is dropped, and a process
    /// that another test thread is starting holds a copy of every open file
    /// until it execs. A run refused as "in use" wrote nothing, so running it
    /// again is safe. The lock test uses [`Db::run_once`].
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_on(TODAY, args)
    }

    /// [`Db::run`] on the day `today`.
    fn run_on(&self, today: &str, args: &[&str]) -> Run {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let r = self.run_once_on(today, args);
            let in_use = r.code == 1 && r.stderr.contains("is in use by another process");
            if !in_use || std::time::Instant::now() > deadline {
                return r;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Runs a command that must succeed; returns its stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "{args:?} failed: {r:?}");
        assert!(r.stderr.is_empty(), "{args:?} wrote to stderr: {r:?}");
        r.stdout
    }

    /// [`Db::ok`] on a later day than [`TODAY`]: work is recorded once it
    /// is done, so a visit of 2021 is logged in 2021.
    #[track_caller]
    pub fn ok_on(&self, today: &str, args: &[&str]) -> String {
        let r = self.run_on(today, args);
        assert_eq!(r.code, 0, "{args:?} on {today} failed: {r:?}");
        assert!(r.stderr.is_empty(), "{args:?} wrote to stderr: {r:?}");
        r.stdout
    }

    /// Runs a command whose stdout is JSON.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} gave no JSON ({e}): {out}"))
    }

    /// Runs a command that must fail as a user error: exit 1, nothing on
    /// stdout, exactly one line on stderr starting with the English prefix.
    /// Returns the line without the prefix.
    #[track_caller]
    pub fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_user_error(&r, args);
        r.stderr
            .trim_end_matches('\n')
            .strip_prefix("error: ")
            .unwrap()
            .to_string()
    }

    /// Like [`Db::fails`], and proves the command wrote nothing: the export
    /// and the audit log are the same before and after.
    #[track_caller]
    pub fn refused(&self, args: &[&str]) -> String {
        let before = self.state();
        let message = self.fails(args);
        let after = self.state();
        assert!(before.0 == after.0, "{args:?} changed the exported data");
        assert_eq!(before.1, after.1, "{args:?} wrote to the audit log");
        message
    }

    /// Asserts that nothing was written since `before` was taken with
    /// [`Db::state`]. Every write adds to the append-only audit log, so one
    /// check after a run of refused commands covers each of them.
    #[track_caller]
    pub fn assert_unchanged(&self, before: &(Vec<u8>, usize)) {
        let after = self.state();
        assert!(before.0 == after.0, "the exported data changed");
        assert_eq!(before.1, after.1, "the audit log grew");
    }

    /// The export file's bytes.
    #[track_caller]
    pub fn export(&self) -> Vec<u8> {
        let f = self.file("state-export.json");
        self.ok(&["export", f.to_str().unwrap()]);
        let bytes = std::fs::read(&f).unwrap();
        std::fs::remove_file(&f).unwrap();
        bytes
    }

    /// The audit log, newest first.
    #[track_caller]
    pub fn audit(&self) -> Vec<Value> {
        match self.json(&["audit", "--limit", "1000000"]) {
            Value::Array(v) => v,
            other => panic!("audit is not a list: {other}"),
        }
    }

    /// Runs `f` on the database opened in this process, then closes it and
    /// waits until the file lock is free again for the binary.
    #[track_caller]
    pub fn with_store<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        let store = reopen(&self.path);
        let r = f(&store);
        drop(store);
        wait_closed(&self.path);
        r
    }

    /// What "writes nothing" is checked against: the whole database as an
    /// export would write it, and the length of the audit log. Read in this
    /// process, which is much faster than two runs of the binary.
    #[track_caller]
    pub fn state(&self) -> (Vec<u8>, usize) {
        self.with_store(|store| {
            let export = serde_json::to_vec_pretty(&store.export().unwrap()).unwrap();
            let audit = store.audit(usize::MAX).unwrap().len();
            (export, audit)
        })
    }
}

/// Waits until this process holds no open file inside the database `dir`.
///
/// sled keeps its file (and with it the exclusive lock) open for a moment
/// after the last handle is dropped, while its I/O threads finish; under load
/// an immediate reopen, in this process or by the binary, then finds the
/// database "in use". On Linux the open files are visible in /proc/self/fd.
pub fn wait_closed(dir: &Path) {
    #[cfg(target_os = "linux")]
    {
        use std::time::{Duration, Instant};
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let open = std::fs::read_dir("/proc/self/fd")
                .map(|fds| {
                    fds.filter_map(Result::ok)
                        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
                        .any(|t| t.starts_with(&dir))
                })
                .unwrap_or(false);
            if !open {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} still open in this process after 30 s",
                dir.display()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
}

/// Opens a database this process may have just closed (see [`wait_closed`]).
/// Retried while locked: a child that another test spawns keeps a copy of
/// the lock's file between its fork and its exec.
#[track_caller]
pub fn reopen(path: &Path) -> Store {
    wait_closed(path);
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

/// A user error: exit 1, no stdout, one line on stderr, no panic.
#[track_caller]
pub fn assert_user_error(r: &Run, args: &[&str]) {
    assert_eq!(r.code, 1, "{args:?}: expected exit 1, got {r:?}");
    assert!(r.stdout.is_empty(), "{args:?}: stdout not empty: {r:?}");
    assert!(r.stderr.ends_with('\n'), "{args:?}: stderr not one line: {r:?}");
    let body = r.stderr.trim_end_matches('\n');
    assert!(!body.is_empty(), "{args:?}: no message");
    assert!(
        !body.contains('\n'),
        "{args:?}: more than one line on stderr: {:?}",
        r.stderr
    );
    assert!(!body.contains("panicked"), "{args:?}: panic: {:?}", r.stderr);
    assert!(
        body.starts_with("error: ") || body.starts_with("错误："),
        "{args:?}: no error prefix: {:?}",
        r.stderr
    );
}

/// Records and indexes read straight from sled, for checking.
#[derive(Debug, Default)]
pub struct RawDb {
    pub activities: Vec<Activity>,
    pub problems: Vec<Problem>,
    pub events: Vec<BureauEvent>,
    pub points: Vec<ContactPoint>,
}

/// The packed trees (layouts 3, 4 and 6): many entries per sled key, under
/// `packed/<name>`.
const PACKED: [&str; 13] = [
    "leaders",
    "branches",
    "points",
    "point_by_leader",
    "activities",
    "activity_by_date",
    "activity_by_leader",
    "activity_by_point",
    "problems",
    "problem_by_point",
    "day_count",
    "point_last",
    "leader_by_name",
];

/// A tree's logical entries, read with sled alone. A packed tree's value
/// is a format byte (1), then per entry `u16 key length ‖ key ‖ u32 value
/// length ‖ value`, big-endian; or (format 2) `u32 length` and that value
/// compressed with zstd; or (format 3) a byte `s`, then per entry a LEB128
/// length, the key without the first `s` bytes of the bucket's key, a
/// LEB128 length and the value. Decoded here independently of the store; the
/// entries must come out in strictly increasing key order across the
/// whole tree.
fn tree_entries(db: &sled::Db, name: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    if !PACKED.contains(&name) {
        return db
            .open_tree(name)
            .unwrap()
            .iter()
            .map(|e| {
                let (k, v) = e.unwrap();
                (k.to_vec(), v.to_vec())
            })
            .collect();
    }
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for bucket in db.open_tree(format!("packed/{name}")).unwrap().iter() {
        let (bucket_key, bucket) = bucket.unwrap();
        let bucket = plain_bucket(&bucket_key, &bucket);
        assert_eq!(bucket.first(), Some(&1), "{name}: bucket format");
        let mut rest: &[u8] = &bucket[1..];
        while !rest.is_empty() {
            let (key, after) = length_prefixed(rest, 2);
            let (value, after) = length_prefixed(after, 4);
            rest = after;
            if let Some((last, _)) = out.last() {
                assert!(*last < key, "{name}: entries out of order");
            }
            out.push((key, value));
        }
    }
    out
}

/// A bucket's plain value (format 1): as stored, or inflated from format 2.
fn plain_bucket(bucket_key: &[u8], stored: &[u8]) -> Vec<u8> {
    if stored.first() == Some(&3) {
        let shared = &bucket_key[..usize::from(stored[1])];
        let mut rest = &stored[2..];
        let leb128 = |rest: &mut &[u8]| {
            let mut n = 0usize;
            for shift in (0..).step_by(7) {
                let byte = rest[0];
                *rest = &rest[1..];
                n |= usize::from(byte & 0x7F) << shift;
                if byte < 0x80 {
                    break;
                }
            }
            n
        };
        let mut plain = vec![1u8];
        while !rest.is_empty() {
            let len = leb128(&mut rest);
            plain.extend_from_slice(&((shared.len() + len) as u16).to_be_bytes());
            plain.extend_from_slice(shared);
            plain.extend_from_slice(&rest[..len]);
            rest = &rest[len..];
            let len = leb128(&mut rest);
            plain.extend_from_slice(&(len as u32).to_be_bytes());
            plain.extend_from_slice(&rest[..len]);
            rest = &rest[len..];
        }
        return plain;
    }
    if stored.first() != Some(&2) {
        return stored.to_vec();
    }
    let len = u32::from_be_bytes(stored[1..5].try_into().unwrap()) as usize;
    let plain = zstd::bulk::decompress(&stored[5..], len).unwrap();
    assert_eq!(plain.len(), len, "inflated length");
    plain
}

/// Changes records of a packed tree with sled alone, behind every check
/// of the store: `change` gets each record with its id and says whether it
/// changed it; each bucket holding a changed record is written back plain.
pub fn change_records<V: codec::Versioned>(db: &sled::Db, name: &str, mut change: impl FnMut(u64, &mut V) -> bool) {
    assert!(PACKED.contains(&name), "{name} is not packed");
    let tree = db.open_tree(format!("packed/{name}")).unwrap();
    for bucket in tree.iter() {
        let (bucket_key, bucket) = bucket.unwrap();
        let bucket = plain_bucket(&bucket_key, &bucket);
        let mut rest: &[u8] = &bucket[1..];
        let mut out = vec![1u8];
        let mut changed = false;
        while !rest.is_empty() {
            let (key, after) = length_prefixed(rest, 2);
            let (value, after) = length_prefixed(after, 4);
            rest = after;
            let mut record: V = codec::decode(&value).unwrap();
            let value = if change(keys::id_from(&key).unwrap(), &mut record) {
                changed = true;
                codec::encode(record).unwrap()
            } else {
                value
            };
            out.extend_from_slice(&(key.len() as u16).to_be_bytes());
            out.extend_from_slice(&key);
            out.extend_from_slice(&(value.len() as u32).to_be_bytes());
            out.extend_from_slice(&value);
        }
        if changed {
            tree.insert(bucket_key, out).unwrap();
        }
    }
}

/// A field of `width` bytes of big-endian length, then that many bytes.
fn length_prefixed(bytes: &[u8], width: usize) -> (Vec<u8>, &[u8]) {
    let len = bytes[..width].iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    (bytes[width..width + len].to_vec(), &bytes[width + len..])
}

fn tree_keys(db: &sled::Db, name: &str) -> BTreeSet<Vec<u8>> {
    tree_entries(db, name).into_iter().map(|(k, _)| k).collect()
}

fn tree_values<V: codec::Versioned>(db: &sled::Db, name: &str) -> Vec<(u64, V)> {
    tree_entries(db, name)
        .into_iter()
        .map(|(k, v)| {
            let id = keys::id_from(&k).unwrap_or_else(|| panic!("{name}: key of {} bytes", k.len()));
            let value = codec::decode::<V>(&v).unwrap_or_else(|e| panic!("{name} {id}: {e}"));
            (id, value)
        })
        .collect()
}

/// Opens a closed database with sled itself and checks that every index
/// tree holds exactly the entries its records call for: no entry points at
/// a missing record, no record lacks its entry. Panics with the first
/// disagreement; returns the records for further checks.
pub fn check_indexes(path: &Path) -> RawDb {
    wait_closed(path);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let db = loop {
        match branchlink::store::sled_config(path).open() {
            Err(e) if e.to_string().contains("could not acquire lock") && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5))
            }
            other => break other.expect("open with sled"),
        }
    };
    let activities: Vec<(u64, Activity)> = tree_values(&db, "activities");
    let problems: Vec<(u64, Problem)> = tree_values(&db, "problems");
    let events: Vec<(u64, BureauEvent)> = tree_values(&db, "events");
    let points: Vec<(u64, ContactPoint)> = tree_values(&db, "points");
    let leaders: Vec<(u64, Leader)> = tree_values(&db, "leaders");
    for (id, a) in &activities {
        assert_eq!(*id, a.id, "activity stored under the wrong key");
    }
    let want =
        |f: &dyn Fn(&Activity) -> Vec<u8>| -> BTreeSet<Vec<u8>> { activities.iter().map(|(_, a)| f(a)).collect() };
    assert_eq!(
        tree_keys(&db, "activity_by_date"),
        want(&|a| keys::date_id(a.date, a.id).to_vec()),
        "activity_by_date disagrees with the activities"
    );
    assert_eq!(
        tree_keys(&db, "activity_by_leader"),
        want(&|a| keys::owner_date_id(a.leader, a.date, a.id).to_vec()),
        "activity_by_leader disagrees with the activities"
    );
    assert_eq!(
        tree_keys(&db, "activity_by_point"),
        want(&|a| keys::owner_date_id(a.point, a.date, a.id).to_vec()),
        "activity_by_point disagrees with the activities"
    );
    // point_last: per point and year, the date ‖ id of its latest activity.
    let mut latest: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
    for (_, a) in &activities {
        use chrono::Datelike;
        let last = keys::date_id(a.date, a.id).to_vec();
        let entry = latest
            .entry(keys::year_point(a.date.year(), a.point).to_vec())
            .or_default();
        if last > *entry {
            *entry = last;
        }
    }
    assert_eq!(
        tree_entries(&db, "point_last")
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
        latest,
        "point_last disagrees with the activities"
    );
    let want: BTreeSet<Vec<u8>> = problems
        .iter()
        .map(|(_, p)| keys::owner_id(p.point, p.id).to_vec())
        .collect();
    assert_eq!(
        tree_keys(&db, "problem_by_point"),
        want,
        "problem_by_point disagrees with the problems"
    );
    let want: BTreeSet<Vec<u8>> = events
        .iter()
        .map(|(_, e)| keys::date_id(e.date, e.id).to_vec())
        .collect();
    assert_eq!(
        tree_keys(&db, "event_by_date"),
        want,
        "event_by_date disagrees with the events"
    );
    // point_by_leader: one entry per (holder past or present, point).
    let want: BTreeSet<Vec<u8>> = points
        .iter()
        .flat_map(|(_, p)| {
            std::iter::once(p.leader)
                .chain(p.history.iter().map(|c| c.leader))
                .map(move |l| keys::owner_id(l, p.id).to_vec())
        })
        .collect();
    assert_eq!(
        tree_keys(&db, "point_by_leader"),
        want,
        "point_by_leader disagrees with the points"
    );
    let want: BTreeSet<Vec<u8>> = leaders.iter().map(|(_, l)| keys::name_id(&l.name, l.id)).collect();
    assert_eq!(
        tree_keys(&db, "leader_by_name"),
        want,
        "leader_by_name disagrees with the leaders"
    );
    drop(db);
    wait_closed(path);
    RawDb {
        activities: activities.into_iter().map(|(_, a)| a).collect(),
        problems: problems.into_iter().map(|(_, p)| p).collect(),
        events: events.into_iter().map(|(_, e)| e).collect(),
        points: points.into_iter().map(|(_, p)| p).collect(),
    }
}

/// A small deterministic generator (xorshift64*), for seeded "random" choices.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}
