//! Speed through a running server, on a database of 100,000 activities:
//! what `branchlink visit add` costs (connect, handshake, leader look-up,
//! add: the store flushes before it answers), and how long a board takes to
//! learn of a remote change and reload what it shows. Prints medians and
//! 95th percentiles; docs/SERVER.md quotes them.
//!
//! Two spreads of the same 100,000 activities: over 20 years (5,000 a
//! year) and crowded into two years (52,000 in the year the board shows),
//! because a board's reload reads the year it shows.
//!
//! Run with `cargo bench --bench server`.

use std::path::Path;
use std::time::{Duration, Instant};

use branchlink::api::{ActivityFilter, Backend};
use branchlink::domain::{Activity, ActivityKind};
use branchlink::server::{Client, ClientOptions, ServeOptions, Server};
use branchlink::store::Store;
use chrono::{Days, NaiveDate};

const ACTIVITIES: u64 = 100_000;
const ROUNDS: usize = 200;
/// Days from 2006-01-01 to 2025-12-31: activities end there, and the board
/// shows 2025.
const BOARD_DAY: u64 = 7304;
const BOARD_YEAR: i32 = 2025;

fn visit(id: u64, leader: u64, point: u64, day: u64) -> Activity {
    Activity {
        id,
        date: NaiveDate::from_ymd_opt(2006, 1, 1).unwrap() + Days::new(day),
        leader,
        point,
        kind: ActivityKind::Research,
        place: Some("体彩中心".into()),
        participants: Some("支部委员".into()),
        findings: Some("组织生活记录不全，三会一课落实不到位".into()),
        actions: Some("当场指导，限期整改".into()),
        note: None,
    }
}

/// A database with the demo data and `ACTIVITIES` activities, imported in
/// one go.
fn build(db: &Path, spread_days: u64) {
    let seed = tempfile::tempdir().unwrap();
    let store = Store::open(&seed.path().join("db")).unwrap();
    branchlink::demo::load(&store).unwrap();
    let mut snapshot = store.export().unwrap();
    let points = snapshot.points.clone();
    let mut next = snapshot.activities.iter().map(|a| a.id).max().unwrap_or(0);
    for i in 0..ACTIVITIES {
        let p = &points[(i as usize) % points.len()];
        next += 1;
        snapshot
            .activities
            .push(visit(next, p.leader, p.id, BOARD_DAY - i % spread_days));
    }
    let target = Store::open(db).unwrap();
    target.import(snapshot).unwrap();
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    println!(
        "{name:<56} median {:>8.2} ms   p95 {:>8.2} ms   ({} runs)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        samples.len()
    );
}

fn main() {
    for (label, spread) in [("5,000 a year", 7300), ("52,000 in the year shown", 700)] {
        println!("-- {ACTIVITIES} activities, {label}");
        run(spread);
    }
}

fn run(spread_days: u64) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let socket = dir.path().join("db.sock");
    let t = Instant::now();
    build(&db, spread_days);
    println!("built in {:.1} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let opened = Store::open(&db).unwrap();
    println!(
        "opening the database directly: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    drop(opened);

    let server = Server::bind(ServeOptions {
        db: db.clone(),
        socket: socket.clone(),
        group: None,
        idle_exit: None,
    })
    .unwrap();
    std::thread::spawn(move || server.run());

    // `visit add` as the command does it: connect, look the leader up, add.
    let (mut whole, mut connect, mut add) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..ROUNDS + 20 {
        let t = Instant::now();
        let c = Client::connect(ClientOptions::new(socket.clone())).unwrap();
        let connected = t.elapsed();
        let leader = c.leaders().unwrap()[i % 5].id;
        let a = Instant::now();
        c.add_activity(visit(0, leader, 0, BOARD_DAY - (i % 300) as u64))
            .unwrap();
        // The first rounds warm sled's cache up.
        if i >= 20 {
            add.push(a.elapsed());
            connect.push(connected);
            whole.push(t.elapsed());
        }
    }
    report("visit add (connect + look-up + add, flushed)", whole);
    report("  of which connect + handshake", connect);
    report("  of which add (flushed)", add);

    // A board: hears of a remote change, then reloads the year's status
    // and the year's activities.
    let mut o = ClientOptions::new(socket.clone());
    o.subscribe = true;
    let board = Client::connect(o).unwrap();
    let writer = Client::connect(ClientOptions::new(socket.clone())).unwrap();
    let leader = writer.leaders().unwrap()[0].id;
    while board.data_version() == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let (mut notice, mut refresh, mut status_only) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..ROUNDS / 4 {
        let seen = board.data_version();
        let t = Instant::now();
        writer
            .add_activity(visit(0, leader, 0, BOARD_DAY - (i % 300) as u64))
            .unwrap();
        while board.data_version() == seen {
            std::hint::spin_loop();
        }
        notice.push(t.elapsed());
        let r = Instant::now();
        let status = board.year_status(BOARD_YEAR).unwrap();
        status_only.push(r.elapsed());
        let year = board
            .activities(&ActivityFilter {
                year: Some(BOARD_YEAR),
                leader: None,
            })
            .unwrap();
        let last = board.last_visits().unwrap();
        refresh.push(r.elapsed());
        assert!(!year.is_empty() && !last.is_empty() && !status.leaders.is_empty());
    }
    report("remote add until the board's notice", notice);
    report("board reload: year status", status_only);
    report("board reload: status + year's activities + last visits", refresh);
}
