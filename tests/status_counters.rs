//! The store counts a year's activities from day counters kept on write;
//! the domain counts them from the records. The two must always agree,
//! after imports, adds, edits, deletes, restores and hand-overs.

use branchlink::api::{ActivityFilter, Snapshot};
use branchlink::domain::status::{StatusInput, year_status};
use branchlink::domain::{Activity, ActivityKind, YearStatus};
use branchlink::store::Store;
use chrono::{Days, NaiveDate};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn pure_status(store: &Store, year: i32) -> YearStatus {
    let activities = store.activities(&ActivityFilter::default()).unwrap();
    let events = store.events(None).unwrap();
    year_status(&StatusInput {
        year,
        targets: &store.targets(year).unwrap(),
        leaders: &store.leaders().unwrap(),
        branches: &store.branches().unwrap(),
        points: &store.points().unwrap(),
        activities: &activities,
        problems: &store.problems().unwrap(),
        events: &events,
    })
}

fn assert_agree(store: &Store, context: &str) {
    for year in 2019..=2022 {
        assert_eq!(
            store.year_status(year).unwrap(),
            pure_status(store, year),
            "{context}, year {year}"
        );
    }
}

fn random_activity(rng: &mut Rng, leaders: &[u64], points: &[u64]) -> Activity {
    // From the day the demo's points were set up (none is logged before).
    let base = NaiveDate::from_ymd_opt(2020, 8, 28).unwrap();
    let i = rng.below(leaders.len() as u64) as usize;
    Activity {
        id: 0,
        date: base.checked_add_days(Days::new(rng.below(900))).unwrap(),
        leader: leaders[i],
        point: points[i],
        kind: ActivityKind::ALL[rng.below(ActivityKind::ALL.len() as u64) as usize],
        place: None,
        participants: None,
        findings: None,
        actions: None,
        note: Some(format!("记录 {}", rng.next() % 1000)),
    }
}

#[test]
fn counters_agree_with_the_records_through_every_kind_of_change() {
    for seed in 1..=6u64 {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        branchlink::demo::load(&store).unwrap();
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let leaders: Vec<u64> = store.leaders().unwrap().iter().map(|l| l.id).collect();
        let points: Vec<u64> = leaders
            .iter()
            .map(|l| store.points().unwrap().iter().find(|p| p.leader == *l).unwrap().id)
            .collect();

        // A bulk import into a fresh database, like a restore.
        let mut snapshot: Snapshot = store.export().unwrap();
        let first_new = snapshot.activities.iter().map(|a| a.id).max().unwrap() + 1;
        for i in 0..300 {
            let mut a = random_activity(&mut rng, &leaders, &points);
            a.id = first_new + i;
            snapshot.activities.push(a);
        }
        let dir2 = tempfile::tempdir().unwrap();
        let imported = Store::open(dir2.path()).unwrap();
        imported.import(snapshot).unwrap();
        assert_agree(&imported, &format!("seed {seed} after import"));

        // Commands one by one.
        let mut added = Vec::new();
        for _ in 0..15 {
            added.push(
                imported
                    .add_activity(random_activity(&mut rng, &leaders, &points))
                    .unwrap(),
            );
        }
        assert_agree(&imported, &format!("seed {seed} after adds"));
        let mut edited = added[0].clone();
        edited.kind = ActivityKind::Research;
        edited.date = NaiveDate::from_ymd_opt(2020, 9, 3).unwrap();
        edited.leader = leaders[(rng.below(leaders.len() as u64)) as usize];
        imported.update_activity(edited).unwrap();
        let deleted = imported.delete_activity(added[1].id).unwrap();
        assert_agree(&imported, &format!("seed {seed} after edit and delete"));
        imported.restore_activity(deleted).unwrap();
        // A hand-over ends the outgoing leader's post: later activities stop counting.
        let successor = imported
            .add_leader(branchlink::domain::Leader {
                id: 0,
                name: format!("接任者{seed}"),
                title: "副局长".into(),
                role: branchlink::domain::Role::Member,
                own_branch: None,
                in_post_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                in_post_to: None,
            })
            .unwrap();
        imported
            .hand_over(leaders[1], successor.id, NaiveDate::from_ymd_opt(2020, 10, 1).unwrap())
            .unwrap();
        assert_agree(&imported, &format!("seed {seed} after restore and hand-over"));
        // Records made by mistake deleted: a solved problem (its counts go)
        // and a bureau event.
        let solved = imported
            .problems()
            .unwrap()
            .into_iter()
            .find(|p| p.state == branchlink::domain::ProblemState::Solved)
            .expect("the demo has a solved problem");
        imported.delete_problem(solved.id).unwrap();
        let event = imported.events(None).unwrap()[0].id;
        imported.delete_event(event).unwrap();
        assert_agree(&imported, &format!("seed {seed} after deletes"));
    }
}

/// The board's reminders come from a summary report built from the
/// counters, without reading activities; they must be the reminders the
/// full report gives.
#[test]
fn reminders_from_the_summary_equal_those_from_the_full_report() {
    use branchlink::report::{self, due};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    branchlink::demo::load(&store).unwrap();
    let mut rng = Rng(7);
    let leaders: Vec<u64> = store.leaders().unwrap().iter().map(|l| l.id).collect();
    let points: Vec<u64> = leaders
        .iter()
        .map(|l| store.points().unwrap().iter().find(|p| p.leader == *l).unwrap().id)
        .collect();
    for round in 0..4 {
        for day in ["2020-03-15", "2020-11-20", "2020-12-31", "2021-06-30"] {
            let today = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
            for year in [2020, 2021] {
                let full = report::load(&store, year, today).unwrap();
                let summary = report::load_summary(&store, year, today).unwrap();
                for days in [30, 90] {
                    assert_eq!(
                        due::due(&summary, today, days),
                        due::due(&full, today, days),
                        "round {round}, today {day}, year {year}, {days} days"
                    );
                }
            }
        }
        for _ in 0..5 {
            let mut a = random_activity(&mut rng, &leaders, &points);
            // Visits up to the last "today" used above, so the latest one
            // is never after the report's day.
            a.date = NaiveDate::from_ymd_opt(2020, 8, 28).unwrap() + chrono::Days::new(rng.below(120));
            store.add_activity(a).unwrap();
        }
    }
}
