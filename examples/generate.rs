//! Fills a fresh database with synthetic data at provincial scale (see
//! `branchlink::synthetic`), and optionally writes the same data as an
//! export file and as a taskwarrior import file, for bench/compare.sh.
//!
//! cargo run --release --example generate -- --db DIR --activities N
//!     [--seed S] [--export FILE] [--tasks FILE]

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use branchlink::domain::ProblemState;
use branchlink::store::Store;

/// Activities (and problems) committed per transaction: a twentieth of
/// them, between 1,000 and 20,000. A sled transaction holds its writes in
/// memory, so not all at once; and the log segments one transaction writes
/// are not reclaimed until later writes pass them, so one transaction of
/// all 10k activities left an 11 MB database where ten of 1,000 leave
/// 3.1–3.5 MB (docs/PERFORMANCE.md, fifth round). More, smaller ones rewrite
/// the index buckets more often: at 1M, 50 transactions take a minute.
fn chunk(activities: u64) -> usize {
    usize::try_from(activities / 20)
        .unwrap_or(usize::MAX)
        .clamp(1_000, 20_000)
}

fn main() {
    let mut db = None;
    let mut activities = 10_000u64;
    let mut seed = 2026u64;
    let (mut export, mut tasks) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => db = Some(PathBuf::from(value())),
            "--activities" => activities = value().parse().expect("--activities N"),
            "--seed" => seed = value().parse().expect("--seed N"),
            "--export" => export = Some(PathBuf::from(value())),
            "--tasks" => tasks = Some(PathBuf::from(value())),
            other => panic!("unknown argument {other}"),
        }
    }
    let db = db.expect("--db DIR is needed");
    let t = Instant::now();
    let snapshot = branchlink::synthetic::snapshot(activities, seed);
    eprintln!(
        "generated {activities} activities in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    if let Some(path) = tasks {
        write_tasks(&path, &snapshot);
    }
    if let Some(path) = export {
        let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("export file"));
        serde_json::to_writer_pretty(file, &snapshot).expect("export written");
    }
    let t = Instant::now();
    let store = Store::open(&db).expect("database opens");
    let n = store.import_in_chunks(snapshot, chunk(activities)).expect("import");
    eprintln!("imported {n} records in {:.1} s", t.elapsed().as_secs_f64());
}

/// The same work as taskwarrior tasks, one JSON object a line (what
/// `task import` reads): every activity a completed task, every problem a
/// task, pending until solved.
fn write_tasks(path: &std::path::Path, s: &branchlink::api::Snapshot) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("tasks file"));
    let stamp = |d: chrono::NaiveDate| d.format("%Y%m%dT090000Z").to_string();
    let project = |leader: u64| format!("point{leader}");
    let mut n = 0u64;
    let mut uuid = || {
        n += 1;
        format!("00000000-0000-4000-8000-{n:012x}")
    };
    for a in &s.activities {
        let description = format!(
            "{} {} {}",
            a.kind.zh(),
            a.findings.as_deref().unwrap_or(""),
            a.actions.as_deref().unwrap_or("")
        );
        let task = serde_json::json!({
            "uuid": uuid(),
            "status": "completed",
            "description": description,
            "project": project(a.leader),
            "tags": [a.kind.id()],
            "entry": stamp(a.date),
            "end": stamp(a.date),
        });
        writeln!(out, "{task}").expect("tasks written");
    }
    for p in &s.problems {
        let mut task = serde_json::json!({
            "uuid": uuid(),
            "status": if p.state == ProblemState::Solved { "completed" } else { "pending" },
            "description": p.description,
            "project": project(p.leader),
            "tags": ["problem"],
            "entry": stamp(p.found),
        });
        if let Some(d) = p.solved {
            task["end"] = stamp(d).into();
        }
        writeln!(out, "{task}").expect("tasks written");
    }
}
