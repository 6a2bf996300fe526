//! kill -9 in the middle of a run of adds: every add the writer reported as
//! saved is in the database afterwards, and no index points at a missing
//! record.
//!
//! The writer is a shell loop of `branchlink visit add …` runs, each its own
//! process opening sled, printing "saved activity N" only after the flush.
//! After a seeded number of confirmed adds (and a seeded pause, so the kill
//! lands at different moments of the next add) the whole process group — the
//! shell and the branchlink it is running — gets SIGKILL.

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use branchlink::api::ActivityFilter;
use branchlink::domain::{Activity, ActivityKind, Branch, Leader, Role};
use chrono::NaiveDate;
use common::{Db, Rng, bin};

const ROUNDS: u64 = 5;

const WRITER: &str = r#"
B=$1; D=$2; R=$3; i=0
while [ $i -lt 60 ]; do
    day=$(( i % 28 + 1 ))
    "$B" --db "$D" --lang en visit add 1 --kind research --date "2020-10-$(printf %02d $day)" --note "r$R-$i" || exit 1
    i=$((i + 1))
done
"#;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The id in "saved activity 17: 2020-10-05 瑞林 on-site research".
fn saved_id(line: &str) -> u64 {
    line.strip_prefix("saved activity ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected line from the writer: {line:?}"))
}

#[test]
fn kill_9_in_a_run_of_adds_loses_nothing_reported_saved() {
    let db = Db::new();
    db.with_store(|s| {
        let branch = |name: &str| {
            s.add_branch(Branch {
                id: 0,
                name: name.into(),
                short: String::new(),
                parent: None,
                category: None,
                weaknesses: vec![],
            })
            .unwrap()
        };
        let own = branch("中共测试局机关第一党支部");
        let point = branch("中共测试彩票管理中心党支部");
        let l = s
            .add_leader(Leader {
                id: 0,
                name: "瑞林".into(),
                title: "书记、局长".into(),
                role: Role::Secretary,
                own_branch: Some(own.id),
                in_post_from: d("2018-01-01"),
                in_post_to: None,
            })
            .unwrap();
        assert_eq!(l.id, 1);
        s.assign_point(l.id, point.id, d("2020-08-28"), 2).unwrap();
    });

    let mut rng = Rng::new(0x5EED_2020_0828);
    // (id, note) of every add reported as saved, over all rounds.
    let mut reported: Vec<(u64, String)> = Vec::new();
    for round in 0..ROUNDS {
        let stop_after = rng.range(5, 25);
        let pause = Duration::from_micros(rng.range(0, 30_000));
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(WRITER)
            .arg("writer")
            .arg(bin())
            .arg(&db.path)
            .arg(round.to_string())
            .env_remove("BRANCHLINK_DB")
            // The embedded store: each add opens, writes, flushes and exits.
            .env("BRANCHLINK_NO_SERVER", "1")
            .env("BRANCHLINK_TODAY", common::TODAY)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let group = child.id();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = 0u64;
        let mut note_line = |line: &str, seen: &mut u64| {
            reported.push((saved_id(line), format!("r{round}-{seen}")));
            *seen += 1;
        };
        while seen < stop_after {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("round {round}: the writer stopped after {seen} adds"))
                .unwrap();
            note_line(&line, &mut seen);
        }
        std::thread::sleep(pause);
        // SIGKILL to the shell and to the branchlink it is running.
        let killed = Command::new("kill")
            .args(["-KILL", "--", &format!("-{group}")])
            .status()
            .unwrap();
        assert!(killed.success(), "kill failed");
        let _ = child.kill();
        child.wait().unwrap();
        // A line written just before the kill was reported too. The pipe
        // ends when every process of the group is gone (and with them their
        // hold on the database).
        for line in lines {
            note_line(&line.unwrap(), &mut seen);
        }

        let store = common::reopen(&db.path);
        for (id, note) in &reported {
            let a = store
                .activity(*id)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: activity {id} was reported saved and is missing"));
            assert_eq!(a.note.as_deref(), Some(note.as_str()), "round {round}: activity {id}");
        }
        // Reads through every index work (an index entry without its record
        // is an error) and agree with the records.
        let mut records: Vec<Activity> = store.export().unwrap().activities;
        records.sort_by_key(|a| (a.date, a.id));
        let by_date = store.activities(&ActivityFilter::default()).unwrap();
        assert_eq!(
            by_date, records,
            "round {round}: the date index disagrees with the records"
        );
        let by_leader = store
            .activities(&ActivityFilter {
                year: None,
                leader: Some(1),
            })
            .unwrap();
        assert_eq!(
            by_leader, records,
            "round {round}: the leader index disagrees with the records"
        );
        let by_year = store
            .activities(&ActivityFilter {
                year: Some(2020),
                leader: Some(1),
            })
            .unwrap();
        assert_eq!(
            by_year, records,
            "round {round}: the leader-year range disagrees with the records"
        );
        assert_eq!(store.last_visits().unwrap().len(), 1);
        assert!(records.len() >= reported.len());
        // Nothing was left half-written: the id counter is past every id.
        let max = records.iter().map(|a| a.id).max().unwrap();
        let next = store
            .add_activity(Activity {
                id: 0,
                date: d("2020-11-30"),
                leader: 1,
                point: 0,
                kind: ActivityKind::Research,
                place: None,
                participants: None,
                findings: None,
                actions: None,
                note: Some(format!("after round {round}")),
            })
            .unwrap();
        assert_eq!(next.id, max + 1, "round {round}: ids continue after a crash");
        reported.push((next.id, format!("after round {round}")));
        drop(store);
        common::check_indexes(&db.path);
    }
    assert!(reported.len() as u64 >= 5 * ROUNDS);
}
