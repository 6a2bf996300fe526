//! Speed through a running server, on a database of 100,000 activities:
//! what `branchlink visit add` costs (connect, handshake, leader look-up,
//! add: the store flushes before it answers), and how long a board takes to
//! learn of a remote change and reload what it shows. Prints medians and
//! 95th percentiles; docs/SERVER.md quotes them.
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

fn visit(id: u64, leader: u64, point: u64, day: u64) -> Activity {
    Activity {
        id,
        date: NaiveDate::from_ymd_opt(2020, 9, 1).unwrap() + Days::new(day),
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
fn build(db: &Path) {
    let seed = tempfile::tempdir().unwrap();
    let store = Store::open(&seed.path().join("db")).unwrap();
    branchlink::demo::load(&store).unwrap();
    let mut snapshot = store.export().unwrap();
    let points = snapshot.points.clone();
    let mut next = snapshot.activities.iter().map(|a| a.id).max().unwrap_or(0);
    for i in 0..ACTIVITIES {
        let p = &points[(i as usize) % points.len()];
        next += 1;
        snapshot.activities.push(visit(next, p.leader, p.id, i % 700));
    }
    let target = Store::open(db).unwrap();
    target.import(snapshot).unwrap();
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    println!(
        "{name:<48} median {:>8.2} ms   p95 {:>8.2} ms   ({} runs)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        samples.len()
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let socket = dir.path().join("db.sock");
    let t = Instant::now();
    build(&db);
    println!("built {ACTIVITIES} activities in {:.1} s", t.elapsed().as_secs_f64());

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
    let mut samples = Vec::new();
    for i in 0..ROUNDS {
        let t = Instant::now();
        let c = Client::connect(ClientOptions::new(socket.clone())).unwrap();
        let leader = c.leaders().unwrap()[i % 5].id;
        c.add_activity(visit(0, leader, 0, (i % 300) as u64)).unwrap();
        samples.push(t.elapsed());
    }
    report("visit add (connect + look-up + add, flushed)", samples);

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
        writer.add_activity(visit(0, leader, 0, (i % 300) as u64)).unwrap();
        let t = Instant::now();
        while board.data_version() == seen {
            std::hint::spin_loop();
        }
        notice.push(t.elapsed());
        let r = Instant::now();
        let status = board.year_status(2021).unwrap();
        status_only.push(r.elapsed());
        let year = board
            .activities(&ActivityFilter {
                year: Some(2021),
                leader: None,
            })
            .unwrap();
        let last = board.last_visits().unwrap();
        refresh.push(r.elapsed());
        assert!(!year.is_empty() && !last.is_empty() && !status.leaders.is_empty());
    }
    report("change notice reaches a board", notice);
    report("board reload: year status", status_only);
    report("board reload: status + year's activities + last visits", refresh);
}
