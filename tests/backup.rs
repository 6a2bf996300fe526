//! Daily backups and the way back from a database sled cannot open
//! (issue 6; src/backup.rs).
//!
//! - The process that owns the database writes `<db>.backups/
//!   branchlink-YYYY-MM-DD.json` after the first change of a day: at most
//!   one a day, none on a day without a change, the newest 14 kept
//!   (`BRANCHLINK_BACKUP_KEEP`), files 0600. Through the embedded command
//!   line and through the server.
//! - A database whose snapshot is corrupt is refused by sled: the user gets
//!   one line naming the latest backup and the command to restore it, and
//!   that command gives back the data of that day.

#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{Db, assert_user_error};

fn backups(db: &Db) -> Vec<PathBuf> {
    branchlink::backup::list(&db.path)
}

fn names(db: &Db) -> Vec<String> {
    backups(db)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Runs the binary with `BRANCHLINK_TODAY` set to `day` and `keep` backups.
fn on(db: &Db, day: &str, keep: &str, args: &[&str]) -> common::Run {
    let out = db
        .command()
        .env("BRANCHLINK_TODAY", day)
        .env("BRANCHLINK_BACKUP_KEEP", keep)
        .args(args)
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn one_backup_a_day_when_something_changed_keeping_the_newest() {
    let db = Db::new();
    assert_eq!(on(&db, "2020-12-01", "3", &["demo"]).code, 0);
    assert_eq!(names(&db), ["branchlink-2020-12-01.json"]);
    let first = std::fs::read(&backups(&db)[0]).unwrap();
    assert_eq!(
        std::fs::metadata(&backups(&db)[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The backup is the export of that moment.
    let json = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    assert_eq!(json(&first), json(&db.export()), "the backup is not the export");
    // A second change the same day: no second backup, the first unchanged.
    let r = on(
        &db,
        "2020-12-01",
        "3",
        &["visit", "add", "1", "--kind", "research", "--date", "2020-12-01"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(names(&db).len(), 1);
    assert!(std::fs::read(&backups(&db)[0]).unwrap() == first);
    // A day with only reads: none.
    assert_eq!(on(&db, "2020-12-02", "3", &["status", "--year", "2020"]).code, 0);
    assert_eq!(
        on(&db, "2020-12-02", "3", &["export", db.file("x.json").to_str().unwrap()]).code,
        0
    );
    assert_eq!(names(&db).len(), 1, "a day without a change wrote a backup");
    // Changes on four more days, keeping 3.
    for day in ["2020-12-03", "2020-12-04", "2020-12-05", "2020-12-06"] {
        let r = on(
            &db,
            day,
            "3",
            &["visit", "add", "1", "--kind", "research", "--date", day],
        );
        assert_eq!(r.code, 0, "{r:?}");
    }
    assert_eq!(
        names(&db),
        [
            "branchlink-2020-12-04.json",
            "branchlink-2020-12-05.json",
            "branchlink-2020-12-06.json"
        ]
    );
    // 0 turns them off.
    let r = on(
        &db,
        "2020-12-07",
        "0",
        &["visit", "add", "1", "--kind", "research", "--date", "2020-12-07"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(names(&db).len(), 3);
    assert_eq!(branchlink::backup::KEEP, 14, "the documented default");
}

#[test]
fn the_server_writes_the_day_s_backup_after_a_change() {
    let db = Db::new();
    db.ok(&["demo"]);
    for b in backups(&db) {
        std::fs::remove_file(b).unwrap();
    }
    let socket = db.file("db.sock");
    common::wait_closed(&db.path);
    let mut server = Command::new(common::bin())
        .args(["serve", "--db"])
        .arg(&db.path)
        .arg("--socket")
        .arg(&socket)
        .env("BRANCHLINK_TODAY", "2021-01-04")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(std::time::Instant::now() < deadline, "the server did not come up");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let client =
        branchlink::server::client::Client::connect(branchlink::server::client::ClientOptions::new(socket.clone()))
            .unwrap();
    use branchlink::api::Backend;
    let _ = client.leaders().unwrap();
    assert!(backups(&db).is_empty(), "a read wrote a backup");
    client
        .add_event(branchlink::domain::BureauEvent {
            id: 0,
            kind: branchlink::domain::EventKind::Training,
            date: chrono::NaiveDate::from_ymd_opt(2021, 1, 4).unwrap(),
            note: None,
        })
        .unwrap();
    // The backup is written before the answer is sent.
    assert_eq!(names(&db), ["branchlink-2021-01-04.json"]);
    let backup: serde_json::Value = serde_json::from_slice(&std::fs::read(&backups(&db)[0]).unwrap()).unwrap();
    assert_eq!(
        backup["events"].as_array().unwrap().len(),
        client.export().unwrap().events.len()
    );
    drop(client);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn a_database_sled_refuses_names_the_latest_backup_and_it_restores() {
    let db = Db::new();
    assert_eq!(on(&db, "2020-12-14", "14", &["demo"]).code, 0);
    let r = on(
        &db,
        "2020-12-15",
        "14",
        &["visit", "add", "1", "--kind", "research", "--date", "2020-12-15"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let latest = branchlink::backup::latest(&db.path).unwrap();
    assert!(latest.ends_with("branchlink-2020-12-15.json"));
    let data = db.export();
    // Reopen once so that sled writes its snapshot, then damage it.
    db.ok(&["leader", "list"]);
    common::wait_closed(&db.path);
    let snap = std::fs::read_dir(&db.path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("snap."))
        .expect("a sled snapshot");
    let mut bytes = std::fs::read(&snap).unwrap();
    for b in bytes.iter_mut().skip(10).take(100) {
        *b ^= 0x5a;
    }
    std::fs::write(&snap, bytes).unwrap();
    let r = db.run_once(&["status"]);
    assert_user_error(&r, &["status on a damaged database"]);
    let line = r.stderr.trim_end();
    assert!(line.contains("cannot open the database"), "{line}");
    assert!(line.contains(&latest.display().to_string()), "{line}");
    let restored = format!("{}.restored", db.path.display());
    let command = format!("branchlink --db {restored} import {}", latest.display());
    assert!(line.ends_with(&command), "{line}");
    // The command it names gives back that day's data.
    let out = Command::new(common::bin())
        .env("BRANCHLINK_NO_SERVER", "1")
        .args(["--lang", "en", "--db", &restored, "import"])
        .arg(&latest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let back = Db {
        dir: tempfile::tempdir().unwrap(),
        path: PathBuf::from(&restored),
    };
    let restored_export: serde_json::Value = serde_json::from_slice(&back.export()).unwrap();
    let original: serde_json::Value = serde_json::from_slice(&data).unwrap();
    assert_eq!(
        restored_export, original,
        "the restore is not the data of the backup's day"
    );
    println!("damaged database: {line}");
}
