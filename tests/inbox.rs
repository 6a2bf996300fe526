//! The inbox (src/store/inbox.rs): `visit add --no-server` logs a visit
//! without opening sled when nobody holds the database and its digest is
//! there. It must answer as the store would, lose nothing, and apply each
//! visit exactly once.

mod common;

use std::path::Path;

use branchlink::domain::{Activity, ActivityKind};
use branchlink::store::Store;
use branchlink::store::inbox::{DIGEST_FILE, INBOX_FILE, InboxWriter};
use common::{Db, TODAY, reopen, wait_closed};

/// The inbox of `db`, which the test expects open. Retried for a while:
/// a child that another test thread is starting holds a copy of this
/// process's files, and with them the lock, until it execs (as
/// `common::reopen` does for the store).
#[track_caller]
fn writer(db: &Path) -> InboxWriter {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match InboxWriter::open(db) {
            Some(writer) => return writer,
            None if std::time::Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(5)),
            None => panic!("the inbox of {} did not open", db.display()),
        }
    }
}

fn inbox_len(db: &Path) -> u64 {
    std::fs::metadata(db.join(INBOX_FILE)).map_or(0, |m| m.len())
}

/// A database with the document's demo, its digest left by the command
/// line and today's backup written (the day's first change goes through
/// the store for it).
fn demo() -> Db {
    let db = Db::new();
    db.ok(&["demo"]);
    assert!(db.path.join(DIGEST_FILE).exists(), "the command line left no digest");
    db
}

/// The demo's activities: ids 1 to 11.
const DEMO: usize = 11;
const NEXT: u64 = DEMO as u64 + 1;

/// The adds of the tests, as the command line takes them.
const ADDS: &[&[&str]] = &[
    &[
        "visit",
        "add",
        "瑞林",
        "--kind",
        "research",
        "--date",
        "2020-12-01",
        "--note",
        "蹲点调研",
    ],
    &[
        "visit",
        "add",
        "俊华",
        "--kind",
        "org-life",
        "--date",
        "-3",
        "--place",
        "会议室",
    ],
    &[
        "visit",
        "add",
        "3",
        "--kind",
        "interview",
        "--findings",
        "制度不落实",
        "--actions",
        "限期整改",
    ],
    &["visit", "add", "永凯", "--kind", "lecture", "--date", "2020-09-01"],
];

fn audit_without_times(db: &Db) -> Vec<(String, String, String)> {
    db.audit()
        .into_iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["user"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn inbox_adds_leave_what_store_adds_leave() {
    let (inbox, store) = (demo(), demo());
    let mut said = Vec::new();
    for args in ADDS {
        said.push(inbox.ok(args));
        assert!(inbox_len(&inbox.path) > 0, "{args:?} did not go to the inbox");
        // The same add through the store: without a digest it opens sled.
        std::fs::remove_file(store.path.join(DIGEST_FILE)).unwrap();
        assert_eq!(store.ok(args), *said.last().unwrap(), "{args:?}");
        assert_eq!(inbox_len(&store.path), 0, "{args:?} went to the store's inbox");
    }
    assert!(said[0].contains("saved activity"), "{said:?}");
    // The next open applies the inbox: the same records, ids, points,
    // counters and audit entries (user included) as the store's adds.
    assert_eq!(inbox.export(), store.export());
    assert_eq!(inbox_len(&inbox.path), 0, "the open did not empty the inbox");
    assert_eq!(
        inbox.json(&["status", "--year", "2020", "--format", "json"]),
        store.json(&["status", "--year", "2020", "--format", "json"])
    );
    assert_eq!(audit_without_times(&inbox), audit_without_times(&store));
    assert_eq!(common::check_indexes(&inbox.path).activities.len(), DEMO + ADDS.len());
}

#[test]
fn a_refused_inbox_add_says_what_the_store_says_and_writes_nothing() {
    let db = demo();
    let refusals: &[&[&str]] = &[
        &["visit", "add", "无此人", "--kind", "research"],
        &["visit", "add", "9", "--kind", "research"],
        &["visit", "add", "瑞林", "--kind", "picnic"],
        &["visit", "add", "瑞林", "--kind", "research", "--date", "2020-12-16"],
        &["visit", "add", "瑞林", "--kind", "research", "--date", "2020-08-27"],
        &["visit", "add", "瑞林", "--kind", "research", "--date", "2020-02-30"],
        &[
            "visit",
            "add",
            "瑞林",
            "--kind",
            "research",
            "--note",
            &"长".repeat(20_000),
        ],
    ];
    let before = db.state();
    for args in refusals {
        let inbox_said = db.fails(args);
        assert!(
            db.path.join(DIGEST_FILE).exists(),
            "{args:?} did not go the inbox's way"
        );
        assert!(!db.path.join(INBOX_FILE).exists(), "{args:?} made an inbox");
        std::fs::remove_file(db.path.join(DIGEST_FILE)).unwrap();
        assert_eq!(db.fails(args), inbox_said, "{args:?}");
    }
    db.assert_unchanged(&before);
}

/// Opens the store in this process, runs `f`, and closes it leaving the
/// digest, as a command line does.
fn with_store<R>(db: &Path, f: impl FnOnce(&Store) -> R) -> R {
    let store = reopen(db);
    let r = f(&store);
    store.leave_digest();
    drop(store);
    wait_closed(db);
    r
}

fn visit(leader: u64, date: &str, note: &str) -> Activity {
    Activity {
        id: 0,
        date: date.parse().unwrap(),
        leader,
        point: 0,
        kind: ActivityKind::Research,
        place: None,
        participants: None,
        findings: None,
        actions: None,
        note: Some(note.into()),
    }
}

fn activity_count(db: &Path) -> usize {
    with_store(db, |s| s.export().unwrap().activities.len())
}

#[test]
fn each_entry_is_applied_once_even_if_the_inbox_outlives_the_replay() {
    let db = demo();
    let added: Vec<Activity> = (0..3)
        .map(|i| {
            writer(&db.path)
                .add_activity(visit(1, "2020-12-01", &format!("第{i}次")))
                .unwrap()
        })
        .collect();
    assert_eq!(
        added.iter().map(|a| a.id).collect::<Vec<_>>(),
        [NEXT, NEXT + 1, NEXT + 2]
    );
    // As if the process applying it died before emptying the inbox.
    let kept = std::fs::read(db.path.join(INBOX_FILE)).unwrap();
    assert_eq!(activity_count(&db.path), DEMO + 3);
    std::fs::write(db.path.join(INBOX_FILE), &kept).unwrap();
    assert_eq!(activity_count(&db.path), DEMO + 3, "an entry was applied twice");
    // An add after it continues from there, in a new inbox.
    let next = writer(&db.path).add_activity(visit(2, "2020-12-02", "再次")).unwrap();
    assert_eq!(next.id, NEXT + 3);
    let exported = with_store(&db.path, |s| s.export().unwrap().activities);
    let mut expected = added.clone();
    expected.push(next);
    assert_eq!(exported[DEMO..], expected[..]);
    let adds = db.audit().iter().filter(|e| e["action"] == "activity.add").count();
    assert_eq!(adds, DEMO + 4, "one audit entry per visit");
}

#[test]
fn a_torn_last_entry_is_cut_off_and_the_rest_kept() {
    let db = demo();
    let first = writer(&db.path).add_activity(visit(1, "2020-12-01", "完整")).unwrap();
    // A process killed in the middle of its append, before it said "saved".
    let inbox = db.path.join(INBOX_FILE);
    let mut bytes = std::fs::read(&inbox).unwrap();
    let whole = bytes.len();
    let torn = bytes[16..whole - 5].to_vec();
    bytes.extend(torn);
    std::fs::write(&inbox, &bytes).unwrap();
    let second = writer(&db.path).add_activity(visit(3, "2020-12-02", "其后")).unwrap();
    assert_eq!(second.id, first.id + 1);
    let exported = with_store(&db.path, |s| s.export().unwrap().activities);
    assert_eq!(exported[DEMO..], [first, second]);
}

#[test]
fn the_digest_goes_before_a_change_and_comes_back_after() {
    let db = demo();
    let store = reopen(&db.path);
    assert!(db.path.join(DIGEST_FILE).exists(), "a read must not remove the digest");
    store.leaders().unwrap();
    assert!(db.path.join(DIGEST_FILE).exists());
    let mut leader = store.leaders().unwrap()[0].clone();
    leader.id = 0;
    leader.name = "新同志".into();
    leader.own_branch = None;
    let added = store.add_leader(leader).unwrap();
    assert!(!db.path.join(DIGEST_FILE).exists(), "the digest outlived a change");
    // While the store is open, nothing else may log.
    assert!(
        InboxWriter::open(&db.path).is_none(),
        "the inbox opened beside the store"
    );
    store.leave_digest();
    drop(store);
    wait_closed(&db.path);
    // The new digest knows the new leader; it has no point yet.
    let writer = writer(&db.path);
    assert_eq!(writer.leaders_matching("新同志").unwrap(), std::slice::from_ref(&added));
    let refused = writer.add_activity(visit(added.id, "2020-12-01", "无点")).unwrap_err();
    assert!(refused.to_string().contains("新同志"), "{refused}");
    // And while an adder holds the lock, the store cannot open.
    assert!(matches!(
        Store::open(&db.path),
        Err(branchlink::error::StoreError::Locked { .. })
    ));
    drop(writer);
    assert_eq!(activity_count(&db.path), DEMO);
}

#[test]
fn an_entry_that_no_longer_fits_is_refused_into_the_audit_log() {
    let db = demo();
    // A digest from before changes it does not know of: what a branchlink
    // without the inbox could leave, writing to the database meanwhile.
    let old_digest = std::fs::read(db.path.join(DIGEST_FILE)).unwrap();
    with_store(&db.path, |s| {
        s.add_activity(visit(2, "2020-12-01", "已占用此编号")).unwrap();
        let mut successor = s.leaders().unwrap()[0].clone();
        successor.name = "新书记".into();
        successor.own_branch = None;
        let successor = s.add_leader(successor).unwrap();
        s.hand_over(1, successor.id, "2020-11-01".parse().unwrap()).unwrap();
    });
    std::fs::write(db.path.join(DIGEST_FILE), &old_digest).unwrap();
    let taken = writer(&db.path)
        .add_activity(visit(2, "2020-12-02", "编号已被占用"))
        .unwrap();
    let stale = writer(&db.path).add_activity(visit(1, "2020-12-03", "已移交")).unwrap();
    assert_eq!((taken.id, stale.id), (NEXT, NEXT + 1));
    let exported = with_store(&db.path, |s| s.export().unwrap().activities);
    // The first fits, under the next free id; the second is not applied.
    let notes: Vec<_> = exported[DEMO..]
        .iter()
        .map(|a| (a.id, a.note.clone().unwrap()))
        .collect();
    assert_eq!(
        notes,
        [
            (NEXT, "已占用此编号".to_string()),
            (NEXT + 1, "编号已被占用".to_string())
        ]
    );
    let refused: Vec<_> = db
        .audit()
        .into_iter()
        .filter(|e| e["action"] == "activity.refused")
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    // The refused visit's id was reported: no later visit gets it.
    let next = writer(&db.path).add_activity(visit(2, "2020-12-04", "其后")).unwrap();
    assert_eq!(next.id, NEXT + 2);
    assert_eq!(
        with_store(&db.path, |s| s.export().unwrap().activities.last().unwrap().id),
        NEXT + 2
    );
    let detail = refused[0]["detail"].as_str().unwrap();
    assert!(detail.contains("已移交") && detail.contains("瑞林"), "{detail}");
    // Who logged it, as the adder recorded it.
    assert_eq!(refused[0]["user"], branchlink::store::current_user());
}

#[test]
fn a_full_inbox_sends_the_next_add_through_the_store() {
    let db = demo();
    let note = "长".repeat(9_000);
    let mut ids = Vec::new();
    while inbox_len(&db.path) < 256 * 1024 {
        let out = db.ok(&["visit", "add", "瑞林", "--kind", "research", "--note", &note]);
        ids.push(out);
        assert!(ids.len() < 20, "the inbox never filled");
    }
    db.ok(&["visit", "add", "瑞林", "--kind", "research", "--note", "此条经由数据库"]);
    assert_eq!(inbox_len(&db.path), 0, "the add past a full inbox did not apply it");
    assert_eq!(activity_count(&db.path), DEMO + ids.len() + 1);
}

#[test]
fn the_days_first_change_goes_through_the_store_and_leaves_the_backup() {
    let db = demo();
    let backups = db.dir.path().join("db.backups");
    let count = || std::fs::read_dir(&backups).unwrap().count();
    assert_eq!(count(), 1);
    let next_day = "2020-12-16";
    assert_ne!(next_day, TODAY);
    let first = db.ok_on(next_day, &["visit", "add", "瑞林", "--kind", "research"]);
    assert_eq!(inbox_len(&db.path), 0, "the day's first add went to the inbox");
    assert_eq!(count(), 2, "the day's first change left no backup");
    assert!(first.starts_with(&format!("saved activity {NEXT}:")), "{first}");
    // The digest it leaves is the one before, with the new last id.
    let second = db.ok_on(next_day, &["visit", "add", "瑞林", "--kind", "research"]);
    assert!(inbox_len(&db.path) > 0, "the day's second add did not go to the inbox");
    assert!(second.starts_with(&format!("saved activity {}:", NEXT + 1)), "{second}");
}

#[test]
fn zeros_after_the_last_entry_are_a_torn_append_not_damage() {
    let db = demo();
    let first = writer(&db.path).add_activity(visit(1, "2020-12-01", "完整")).unwrap();
    // What a power loss can leave: the file longer than the data written.
    let inbox = db.path.join(INBOX_FILE);
    let mut bytes = std::fs::read(&inbox).unwrap();
    bytes.extend_from_slice(&[0; 300]);
    std::fs::write(&inbox, &bytes).unwrap();
    let second = writer(&db.path).add_activity(visit(1, "2020-12-02", "其后")).unwrap();
    let exported = with_store(&db.path, |s| s.export().unwrap().activities);
    assert_eq!(exported[DEMO..], [first, second]);
    assert!(db.audit().iter().all(|e| e["action"] != "inbox.damaged"));
}

#[test]
fn a_damaged_inbox_is_kept_aside_not_cut() {
    let db = demo();
    for day in ["2020-12-01", "2020-12-02"] {
        writer(&db.path).add_activity(visit(1, day, day)).unwrap();
    }
    // A flipped bit inside the first entry, the second whole after it.
    let inbox = db.path.join(INBOX_FILE);
    let mut bytes = std::fs::read(&inbox).unwrap();
    bytes[30] ^= 0x40;
    std::fs::write(&inbox, &bytes).unwrap();
    assert!(
        InboxWriter::open(&db.path).is_none(),
        "an adder would cut what follows the damage"
    );
    // The command line then goes through the store, which keeps the file.
    db.ok(&["visit", "add", "瑞林", "--kind", "research", "--note", "经由数据库"]);
    let kept: Vec<_> = std::fs::read_dir(&db.path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("inbox.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(std::fs::read(db.path.join(&kept[0])).unwrap() == bytes);
    let damaged: Vec<_> = db
        .audit()
        .into_iter()
        .filter(|e| e["action"] == "inbox.damaged")
        .collect();
    assert_eq!(damaged.len(), 1);
    assert!(damaged[0]["detail"].as_str().unwrap().contains(&kept[0]), "{damaged:?}");
    // The visits reported saved keep their ids out of others' hands.
    // The whole entry after the damaged one is applied; the damaged one's
    // id, reported saved, stays out of others' hands.
    let exported = with_store(&db.path, |s| s.export().unwrap().activities);
    let notes: Vec<_> = exported[DEMO..]
        .iter()
        .map(|a| (a.id, a.note.as_deref().unwrap()))
        .collect();
    assert_eq!(notes, [(NEXT + 1, "2020-12-02"), (NEXT + 2, "经由数据库")]);
}

/// Runs the command line with files limited to `limit` bytes (SIGXFSZ
/// ignored, so a write past it fails with EFBIG).
#[cfg(target_os = "linux")]
fn run_limited(db: &Db, limit: u64, args: &[&str]) -> common::Run {
    use nix::sys::resource::{Resource, setrlimit};
    use nix::sys::signal::{SigHandler, Signal, signal};
    use std::os::unix::process::CommandExt;
    let mut c = db.command();
    c.args(args);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            signal(Signal::SIGXFSZ, SigHandler::SigIgn).map_err(std::io::Error::from)?;
            setrlimit(Resource::RLIMIT_FSIZE, limit, limit).map_err(std::io::Error::from)?;
            Ok(())
        });
    }
    common::Run::from(c.output().unwrap())
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_change_leaves_no_digest_of_it() {
    let db = demo();
    db.ok(&["point", "review", "瑞林", "--transformed", "--date", "2020-12-01"]);
    let r = run_limited(&db, 20_000, &["point", "assign", "瑞林", "2", "--from", "2020-12-02"]);
    common::assert_user_error(&r, &["point assign under a file-size limit"]);
    assert!(
        !db.path.join(DIGEST_FILE).exists(),
        "a digest of the unsaved point was left"
    );
    // So the visit goes through the store, which knows the point was not
    // saved, and refuses it at once instead of saying "saved".
    let refused = db.fails(&["visit", "add", "瑞林", "--kind", "research", "--date", "2020-12-10"]);
    assert!(refused.contains("2020-12-10"), "{refused}");
    assert_eq!(inbox_len(&db.path), 0);
}

#[cfg(target_os = "linux")]
#[test]
fn an_open_that_cannot_apply_the_inbox_keeps_it() {
    let db = demo();
    db.ok(&["visit", "add", "瑞林", "--kind", "research", "--note", "待应用"]);
    let kept = std::fs::read(db.path.join(INBOX_FILE)).unwrap();
    let r = run_limited(&db, 20_000, &["status", "--year", "2020"]);
    common::assert_user_error(&r, &["status under a file-size limit"]);
    assert!(
        std::fs::read(db.path.join(INBOX_FILE)).unwrap() == kept,
        "the inbox changed"
    );
    assert_eq!(activity_count(&db.path), DEMO + 1);
    assert_eq!(inbox_len(&db.path), 0);
}

#[test]
fn a_digest_left_in_a_database_made_again_is_not_used() {
    let db = demo();
    // Everything but the digest removed, then a new database there.
    for entry in std::fs::read_dir(&db.path).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != DIGEST_FILE {
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }
    db.ok(&["event", "add", "training", "--date", "2020-12-01"]);
    // The old digest would take a leader the new database does not have.
    let said = db.fails(&["visit", "add", "瑞林", "--kind", "research"]);
    assert!(said.contains("瑞林"), "{said}");
    assert_eq!(inbox_len(&db.path), 0);
    assert!(db.audit().iter().all(|e| e["action"] != "activity.refused"));
}

#[test]
fn a_digest_that_does_not_fit_the_data_is_not_kept_by_a_reader() {
    let db = demo();
    let older = std::fs::read(db.path.join(DIGEST_FILE)).unwrap();
    // A change through the store: a newer digest.
    std::fs::remove_file(db.path.join(DIGEST_FILE)).unwrap();
    let first = db.ok(&["visit", "add", "瑞林", "--kind", "research"]);
    assert!(first.starts_with(&format!("saved activity {NEXT}:")), "{first}");
    // The older one back (what a process killed after a change it could
    // not flush may leave): a reader must not keep it for the next add.
    std::fs::write(db.path.join(DIGEST_FILE), &older).unwrap();
    db.ok(&["status", "--year", "2020"]);
    let second = db.ok(&["visit", "add", "瑞林", "--kind", "research"]);
    assert!(inbox_len(&db.path) > 0, "the add did not go to the inbox");
    assert!(second.starts_with(&format!("saved activity {}:", NEXT + 1)), "{second}");
}

#[test]
fn a_database_that_cannot_open_takes_no_more_visits() {
    let db = demo();
    db.ok(&["visit", "add", "瑞林", "--kind", "research", "--note", "在收件箱"]);
    assert!(inbox_len(&db.path) > 0);
    // sled's settings file damaged: the database does not open.
    std::fs::write(db.path.join("conf"), b"segment_size: x\n").unwrap();
    let said = db.fails(&["status", "--year", "2020"]);
    assert!(said.contains("import"), "no restore hint: {said}");
    assert!(said.contains("inbox"), "the inbox's visits not named: {said}");
    assert!(!db.path.join(DIGEST_FILE).exists(), "adders may still log to it");
    let refused = db.fails(&["visit", "add", "瑞林", "--kind", "research"]);
    assert_eq!(refused, said);
}
