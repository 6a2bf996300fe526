//! The crash loop of issue 6: 100 runs, each killing a writer with SIGKILL
//! at a seeded "random" moment of a burst of adds and solves; after each run
//! every change the writer was told was saved is in the database and no
//! index points at a missing record (`common::check_indexes`, which reads
//! sled itself).
//!
//! - 90 runs kill the embedded command line: a shell loop of `branchlink`
//!   runs (`visit add`, `problem add`, `problem solve`), each its own
//!   process opening sled; the whole process group gets SIGKILL.
//! - 10 runs kill the server (`branchlink serve`), not the client: the
//!   writer is a `server::Client` in this process, and a change counts as
//!   confirmed when the call returned `Ok`.
//!
//! Runs are short (a few changes each) so that the 100 stay well under a
//! minute on two cores. The figures are printed (`--nocapture`).

#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use branchlink::api::Backend;
use branchlink::domain::{Activity, ActivityKind, Problem, ProblemCategory, ProblemState};
use branchlink::server::client::{Client, ClientOptions};
use chrono::NaiveDate;
use common::{Db, Rng, bin};

const RUNS: u64 = 100;
/// Every tenth run kills the server instead of the command line.
const SERVER_EVERY: u64 = 10;

/// One pass: an add, a problem, its solution. Lines are what the command
/// line prints on success (English).
const WRITER: &str = r#"
B=$1; D=$2; R=$3; i=0
while [ $i -lt 30 ]; do
    day=$(( i % 28 + 1 ))
    out=$("$B" --db "$D" --lang en visit add 1 --kind research --date "2020-10-$(printf %02d $day)" --note "r$R-$i") || exit 1
    echo "$out note=r$R-$i"
    out=$("$B" --db "$D" --lang en problem add 1 --category other "p$R-$i") || exit 1
    echo "$out"
    id=${out#recorded problem }; id=${id%%:*}
    "$B" --db "$D" --lang en problem solve "$id" --date 2020-12-15 || exit 1
    i=$((i + 1))
done
"#;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// What the writers were told was saved, over all runs.
#[derive(Default)]
struct Confirmed {
    /// activity id → note
    activities: BTreeMap<u64, String>,
    /// problem id → description
    problems: BTreeMap<u64, String>,
    solved: Vec<u64>,
}

impl Confirmed {
    fn count(&self) -> usize {
        self.activities.len() + self.problems.len() + self.solved.len()
    }

    /// Takes one line of the command-line writer.
    fn line(&mut self, line: &str) {
        let id = |rest: &str| -> u64 {
            rest.split([':', ' '])
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unexpected line from the writer: {line:?}"))
        };
        if let Some(rest) = line.strip_prefix("saved activity ") {
            let note = rest.rsplit_once(" note=").unwrap().1.to_string();
            self.activities.insert(id(rest), note);
        } else if let Some(rest) = line.strip_prefix("recorded problem ") {
            let description = rest.split_once(": ").unwrap().1.to_string();
            self.problems.insert(id(rest), description);
        } else if let Some(rest) = line.strip_prefix("problem ") {
            assert!(rest.contains("marked solved"), "unexpected line: {line:?}");
            self.solved.push(id(rest));
        } else {
            panic!("unexpected line from the writer: {line:?}");
        }
    }

    /// Every confirmed change is in the database; every index agrees.
    /// Returns whether a kill had left an unfinished sled snapshot.
    #[track_caller]
    fn check(&self, db: &Db, run: u64) -> bool {
        let unfinished = std::fs::read_dir(&db.path).unwrap().any(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with("snap.") && name.ends_with(".generating")
        });
        // The database is opened the way branchlink opens it (the store
        // mends what sled alone trips on, see the test at the end), then
        // read with sled itself.
        drop(common::reopen(&db.path));
        let raw = common::check_indexes(&db.path);
        let activities: BTreeMap<u64, &Activity> = raw.activities.iter().map(|a| (a.id, a)).collect();
        let problems: BTreeMap<u64, &Problem> = raw.problems.iter().map(|p| (p.id, p)).collect();
        for (id, note) in &self.activities {
            let a = activities
                .get(id)
                .unwrap_or_else(|| panic!("run {run}: activity {id} was confirmed and is missing"));
            assert_eq!(a.note.as_deref(), Some(note.as_str()), "run {run}: activity {id}");
        }
        for (id, description) in &self.problems {
            let p = problems
                .get(id)
                .unwrap_or_else(|| panic!("run {run}: problem {id} was confirmed and is missing"));
            assert_eq!(&p.description, description, "run {run}: problem {id}");
        }
        for id in &self.solved {
            assert_eq!(
                problems[id].state,
                ProblemState::Solved,
                "run {run}: problem {id} was confirmed solved"
            );
        }
        unfinished
    }
}

fn setup() -> Db {
    let db = Db::new();
    db.ok(&["branch", "add", "中共测试局机关第一党支部", "--short", "机关一支部"]);
    db.ok(&["branch", "add", "中共测试彩票管理中心党支部", "--short", "彩票中心"]);
    db.ok(&[
        "leader",
        "add",
        "瑞林",
        "--title",
        "书记、局长",
        "--role",
        "secretary",
        "--own-branch",
        "机关一支部",
        "--from",
        "2018-01-01",
    ]);
    db.ok(&["point", "assign", "1", "彩票中心", "--from", "2020-08-28"]);
    db
}

/// A run that kills the embedded command line.
fn kill_the_command_line(db: &Db, run: u64, rng: &mut Rng, confirmed: &mut Confirmed) {
    let stop_after = rng.range(1, 5);
    let pause = Duration::from_micros(rng.range(0, 40_000));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(WRITER)
        .arg("writer")
        .arg(bin())
        .arg(&db.path)
        .arg(run.to_string())
        .env_remove("BRANCHLINK_DB")
        .env("BRANCHLINK_NO_SERVER", "1")
        .env("BRANCHLINK_TODAY", common::TODAY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let group = child.id() as i32;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for seen in 0..stop_after {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("run {run}: the writer stopped after {seen} changes"))
            .unwrap();
        confirmed.line(&line);
    }
    std::thread::sleep(pause);
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    // A line written just before the kill was confirmed too. The pipe ends
    // when every process of the group is gone.
    for line in lines {
        confirmed.line(&line.unwrap());
    }
}

/// A run that kills the server under a writing client.
fn kill_the_server(db: &Db, run: u64, rng: &mut Rng, confirmed: &mut Confirmed) {
    let socket = db.file("db.sock");
    let _ = std::fs::remove_file(&socket);
    common::wait_closed(&db.path);
    let mut server = Command::new(bin())
        .args(["serve", "--db"])
        .arg(&db.path)
        .arg("--socket")
        .arg(&socket)
        .env("BRANCHLINK_TODAY", common::TODAY)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "run {run}: the server did not come up");
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut options = ClientOptions::new(socket.clone());
    options.reconnect_for = Duration::ZERO;
    let client = Client::connect(options).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stop_writer = Arc::clone(&stop);
    let writer = std::thread::spawn(move || {
        let mut done: Vec<String> = Vec::new();
        let mut i = 0u64;
        while !stop_writer.load(Ordering::SeqCst) {
            let note = format!("s{run}-{i}");
            let a = client.add_activity(Activity {
                id: 0,
                date: d("2020-10-01") + chrono::Days::new(i % 28),
                leader: 1,
                point: 0,
                kind: ActivityKind::Research,
                place: None,
                participants: None,
                findings: None,
                actions: None,
                note: Some(note.clone()),
            });
            let Ok(a) = a else { break };
            done.push(format!("saved activity {}: x note={note}", a.id));
            let p = client.add_problem(Problem {
                id: 0,
                point: 0,
                leader: 1,
                category: ProblemCategory::Other,
                description: format!("q{run}-{i}"),
                found: d("2020-10-01"),
                measures: None,
                state: ProblemState::Open,
                solved: None,
                solved_by: None,
            });
            let Ok(p) = p else { break };
            done.push(format!("recorded problem {}: {}", p.id, p.description));
            let Ok(s) = client.solve_problem(p.id, d("2020-11-01"), None) else {
                break;
            };
            done.push(format!("problem {} marked solved", s.id));
            i += 1;
        }
        done
    });
    std::thread::sleep(Duration::from_micros(rng.range(2_000, 60_000)));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    server.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for line in writer.join().unwrap() {
        confirmed.line(&line);
    }
    let _ = std::fs::remove_file(&socket);
}

#[test]
fn a_hundred_sigkills_lose_no_confirmed_change() {
    let started = Instant::now();
    let db = setup();
    let mut rng = Rng::new(0x0006_C4A5_4100);
    let mut confirmed = Confirmed::default();
    let (mut cli_runs, mut server_runs, mut mended) = (0, 0, 0);
    for run in 0..RUNS {
        if run % SERVER_EVERY == SERVER_EVERY - 1 {
            kill_the_server(&db, run, &mut rng, &mut confirmed);
            server_runs += 1;
        } else {
            kill_the_command_line(&db, run, &mut rng, &mut confirmed);
            cli_runs += 1;
        }
        if confirmed.check(&db, run) {
            mended += 1;
        }
    }
    // The database still takes writes, ids continuing past every crash.
    let out = db.ok(&[
        "visit",
        "add",
        "1",
        "--kind",
        "research",
        "--date",
        "2020-11-30",
        "--note",
        "after",
    ]);
    confirmed.line(&format!("{} note=after", out.trim()));
    confirmed.check(&db, RUNS);
    let total = confirmed.count();
    println!(
        "crash loop: {RUNS} runs killed with SIGKILL ({cli_runs} command line, {server_runs} server), \
         {total} confirmed changes ({} adds, {} problems, {} solves), lost 0; \
         {mended} unfinished sled snapshots left by a kill and removed on open; {:.1} s",
        confirmed.activities.len(),
        confirmed.problems.len(),
        confirmed.solved.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(total as u64 >= RUNS, "the bursts wrote too little: {total}");
    assert!(!confirmed.solved.is_empty());
}

/// Found by the crash loop: a process killed while sled wrote a snapshot
/// leaves a partial `snap.<lsn>.generating`; sled 0.34 then takes it for the
/// newest snapshot and refuses the database as corrupt. The store removes
/// such a file and opens the database with everything in it.
#[test]
fn an_unfinished_sled_snapshot_left_by_a_kill_does_not_brick_the_database() {
    let db = setup();
    db.ok(&[
        "visit",
        "add",
        "1",
        "--kind",
        "research",
        "--date",
        "2020-10-01",
        "--note",
        "kept",
    ]);
    db.ok(&["leader", "list"]); // sled writes its snapshot on this open
    common::wait_closed(&db.path);
    let snap = std::fs::read_dir(&db.path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("snap."))
        .expect("a sled snapshot");
    let bytes = std::fs::read(&snap).unwrap();
    let unfinished = format!("{}.generating", snap.display());
    std::fs::write(&unfinished, &bytes[..bytes.len() / 2]).unwrap();
    // sled alone refuses it: the bug is real.
    let raw = branchlink::store::sled_config(&db.path).open();
    assert!(
        matches!(raw, Err(sled::Error::Corruption { .. })),
        "sled 0.34 no longer trips on the file: {raw:?}"
    );
    drop(raw);
    common::wait_closed(&db.path);
    let out = db.ok(&["visit", "list", "--format", "json"]);
    assert!(out.contains("kept"), "{out}");
    assert!(!std::path::Path::new(&unfinished).exists());
    common::check_indexes(&db.path);
}
