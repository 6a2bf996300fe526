//! The store at library level, on a temporary directory: round trips of
//! every record type, index consistency through add/update/delete/restore,
//! reopen after drop (ids stay small and sequential), the audit log, targets
//! per year, and the database lock (same process and another process).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use branchlink::api::{ActivityFilter, Backend, Review, Snapshot};
use branchlink::domain::{
    Activity, ActivityKind, Branch, BureauEvent, ContactPoint, EventKind, Leader, PointState, Problem, ProblemCategory,
    ProblemState, Role, RuleId, Target, Targets, Weakness,
};
use branchlink::error::{DomainError, Error, StoreError};
use branchlink::store::Store;
use chrono::NaiveDate;
use tempfile::TempDir;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn temp() -> (TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    (dir, path)
}

/// The records every test starts from.
struct Fx {
    own: Branch,
    b1: Branch,
    b2: Branch,
    l1: Leader,
    l2: Leader,
    p1: ContactPoint,
    p2: ContactPoint,
}

fn branch(name: &str, short: &str) -> Branch {
    Branch {
        id: 0,
        name: name.into(),
        short: short.into(),
        parent: None,
        category: None,
        weaknesses: vec![],
    }
}

fn leader(name: &str, role: Role, own: Option<u64>) -> Leader {
    Leader {
        id: 0,
        name: name.into(),
        title: if role == Role::Secretary {
            "书记、局长".into()
        } else {
            "副局长".into()
        },
        role,
        own_branch: own,
        in_post_from: d("2018-01-01"),
        in_post_to: None,
    }
}

fn fixture(s: &dyn Backend) -> Fx {
    let own = s.add_branch(branch("中共测试局机关第一党支部", "机关一支部")).unwrap();
    let b1 = s.add_branch(branch("中共测试彩票管理中心党支部", "彩票中心")).unwrap();
    let b2 = s.add_branch(branch("中共测试体育科学研究所党支部", "科研所")).unwrap();
    let l1 = s.add_leader(leader("瑞林", Role::Secretary, Some(own.id))).unwrap();
    let l2 = s.add_leader(leader("海友", Role::Member, Some(own.id))).unwrap();
    let p1 = s.assign_point(l1.id, b1.id, d("2020-08-28"), 2).unwrap();
    let p2 = s.assign_point(l2.id, b2.id, d("2020-08-28"), 2).unwrap();
    Fx {
        own,
        b1,
        b2,
        l1,
        l2,
        p1,
        p2,
    }
}

fn activity(leader: u64, date: &str, kind: ActivityKind) -> Activity {
    Activity {
        id: 0,
        date: d(date),
        leader,
        point: 0,
        kind,
        place: Some("会议室".into()),
        participants: None,
        findings: Some(format!("发现 {date}")),
        actions: None,
        note: None,
    }
}

fn problem(leader: u64, found: &str) -> Problem {
    Problem {
        id: 0,
        point: 0,
        leader,
        category: ProblemCategory::LeadershipGap,
        description: "支部委员缺额1名".into(),
        found: d(found),
        measures: None,
        state: ProblemState::Open,
        solved: None,
        solved_by: None,
    }
}

fn event(kind: EventKind, date: &str) -> BureauEvent {
    BureauEvent {
        id: 0,
        kind,
        date: d(date),
        note: Some("备注".into()),
    }
}

fn ids(v: &[Activity]) -> Vec<u64> {
    v.iter().map(|a| a.id).collect()
}

#[test]
fn every_record_type_round_trips() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    let b = s
        .add_branch(Branch {
            id: 0,
            name: "  中共测试射击射箭运动管理中心委员会第二党支部 ".into(),
            short: "射击二支部".into(),
            parent: Some("中共测试射击射箭运动管理中心委员会".into()),
            category: Some("运动项目管理".into()),
            weaknesses: vec![Weakness::Premises, Weakness::Organisation, Weakness::Premises],
        })
        .unwrap();
    assert_eq!(b.id, 1);
    assert_eq!(
        b.name, "中共测试射击射箭运动管理中心委员会第二党支部",
        "text is cleaned before storage"
    );
    assert_eq!(b.weaknesses, [Weakness::Organisation, Weakness::Premises]);
    assert_eq!(s.branches().unwrap(), std::slice::from_ref(&b));

    let own = s.add_branch(branch("中共测试局机关第二党支部", "")).unwrap();
    assert_eq!(own.short, own.name);
    let mut l = leader("永凯", Role::Member, Some(own.id));
    l.in_post_to = Some(d("2030-01-01"));
    let l = s.add_leader(l).unwrap();
    assert_eq!(l.id, 1);
    assert_eq!(s.leaders().unwrap(), std::slice::from_ref(&l));

    let p = s.assign_point(l.id, b.id, d("2020-08-28"), 3).unwrap();
    assert_eq!(p.id, 1);
    assert_eq!(
        (p.leader, p.branch, p.cycle_years, p.state),
        (l.id, b.id, 3, PointState::Active)
    );
    assert_eq!(p.cycle_end(), d("2023-08-28"));
    assert_eq!(p.history.len(), 1);
    assert_eq!(s.points().unwrap(), std::slice::from_ref(&p));

    let mut a = activity(l.id, "2020-09-30", ActivityKind::HomeVisit);
    a.participants = Some("支部委员\n全体党员".into());
    a.actions = Some("走访慰问困难党员2名".into());
    a.note = Some("x".repeat(10_000));
    let a = s.add_activity(a).unwrap();
    assert_eq!((a.id, a.point), (1, p.id));
    assert_eq!(a.participants.as_deref(), Some("支部委员 全体党员"));
    assert_eq!(s.activity(a.id).unwrap(), Some(a.clone()));
    assert_eq!(
        s.activities(&ActivityFilter::default()).unwrap(),
        std::slice::from_ref(&a)
    );

    let mut pr = problem(l.id, "2020-10-09");
    pr.measures = Some("对照细则逐项整改".into());
    let pr = s.add_problem(pr).unwrap();
    assert_eq!((pr.id, pr.point, pr.state), (1, p.id, ProblemState::Open));
    assert_eq!(s.problem(pr.id).unwrap(), Some(pr.clone()));
    let solved = s
        .solve_problem(pr.id, d("2020-12-02"), Some("补齐材料".into()))
        .unwrap();
    assert_eq!(solved.state, ProblemState::Solved);
    assert_eq!(solved.solved, Some(d("2020-12-02")));
    assert_eq!(solved.solved_by, Some(l.id));
    assert_eq!(solved.measures.as_deref(), Some("补齐材料"));
    assert_eq!(s.problems().unwrap(), std::slice::from_ref(&solved));
    let reopened = s.reopen_problem(pr.id).unwrap();
    assert_eq!(
        (reopened.state, reopened.solved, reopened.solved_by),
        (ProblemState::Open, None, None)
    );
    assert_eq!(s.problem(pr.id).unwrap(), Some(reopened));

    let e = s.add_event(event(EventKind::Analysis, "2020-12-20")).unwrap();
    assert_eq!(e.id, 1);
    assert_eq!(s.events(None).unwrap(), std::slice::from_ref(&e));
    assert_eq!(s.events(Some(2020)).unwrap(), std::slice::from_ref(&e));
    assert!(s.events(Some(2021)).unwrap().is_empty());

    let mut t = Targets::default();
    t.set(Some(Role::Member), RuleId::Research, Target::new(3, 4));
    s.set_targets(2021, t).unwrap();
    assert_eq!(s.targets(2021).unwrap(), t);
    assert_eq!(s.targets(2030).unwrap(), t, "in force until changed");
    assert_eq!(s.targets(2020).unwrap(), Targets::default());

    assert!(!s.flag("demo").unwrap());
    s.set_flag("demo").unwrap();
    assert!(s.flag("demo").unwrap());
    assert!(!s.flag("other").unwrap());

    // Everything again after a reopen, and through an export/import.
    let snapshot = s.export().unwrap();
    drop(s);
    let s = common::reopen(&path);
    assert_eq!(s.export().unwrap(), snapshot);
    assert!(s.flag("demo").unwrap());
    let (_dir2, path2) = temp();
    let copy = Store::open(&path2).unwrap();
    assert_eq!(copy.import(snapshot.clone()).unwrap(), snapshot.record_count());
    assert_eq!(copy.export().unwrap(), snapshot);
    assert_eq!(copy.targets(2021).unwrap(), t);
    assert_eq!(copy.year_status(2020).unwrap(), s.year_status(2020).unwrap());
    drop((s, copy));
    common::check_indexes(&path);
    common::check_indexes(&path2);
}

/// The activities a filter should give, from a model of the records.
fn expected(model: &[Activity], year: Option<i32>, leader: Option<u64>) -> Vec<u64> {
    use chrono::Datelike;
    let mut v: Vec<&Activity> = model
        .iter()
        .filter(|a| year.is_none_or(|y| a.date.year() == y) && leader.is_none_or(|l| a.leader == l))
        .collect();
    v.sort_by_key(|a| (a.date, a.id));
    v.iter().map(|a| a.id).collect()
}

fn check_against_model(b: &dyn Backend, model: &[Activity], leaders: &[u64]) {
    let years = [None, Some(2019), Some(2020), Some(2021), Some(2022)];
    let leaders: Vec<Option<u64>> = std::iter::once(None)
        .chain(leaders.iter().map(|l| Some(*l)))
        .chain([Some(99)])
        .collect();
    for year in years {
        for &leader in &leaders {
            let got = b.activities(&ActivityFilter { year, leader }).unwrap();
            assert_eq!(
                ids(&got),
                expected(model, year, leader),
                "filter year {year:?} leader {leader:?}"
            );
            for a in &got {
                assert_eq!(Some(a), model.iter().find(|m| m.id == a.id), "record {} differs", a.id);
            }
        }
    }
    // The per-point index: the latest date at each point.
    let mut want: Vec<(u64, NaiveDate)> = Vec::new();
    for a in model {
        match want.iter_mut().find(|(p, _)| *p == a.point) {
            Some((_, d)) => *d = (*d).max(a.date),
            None => want.push((a.point, a.date)),
        }
    }
    want.sort();
    let mut got = b.last_visits().unwrap();
    got.sort();
    assert_eq!(got, want, "last visits per point");
    use chrono::Datelike;
    let years = model.iter().map(|a| a.date.year());
    let want = model
        .first()
        .map(|_| (years.clone().min().unwrap(), years.max().unwrap()));
    assert_eq!(b.activity_years().unwrap(), want);
}

#[test]
fn indexes_agree_with_records_through_add_update_delete_restore() {
    let (_dir, path) = temp();
    let store = Store::open(&path).unwrap();
    let b: &dyn Backend = &store;
    let fx = fixture(b);
    let (l1, l2) = (fx.l1.id, fx.l2.id);
    let mut model: Vec<Activity> = Vec::new();
    for (leader, date, kind) in [
        (l1, "2020-11-12", ActivityKind::Research),
        (l1, "2020-09-10", ActivityKind::Research),
        (l2, "2020-09-15", ActivityKind::ThemeDay),
        (l1, "2022-12-31", ActivityKind::Lecture),
        (l2, "2021-01-01", ActivityKind::Interview),
        (l2, "2020-09-15", ActivityKind::Research),
        (l1, "2021-06-30", ActivityKind::OrgLife),
        (l2, "2022-01-01", ActivityKind::SpotCheck),
    ] {
        let a = b.add_activity(activity(leader, date, kind)).unwrap();
        assert_eq!(a.id, model.len() as u64 + 1, "ids are sequential");
        assert_eq!(a.point, if leader == l1 { fx.p1.id } else { fx.p2.id });
        model.push(a);
    }
    check_against_model(b, &model, &[l1, l2]);

    // Move activity 2 to another year and another leader (and so point).
    let mut moved = model[1].clone();
    moved.date = d("2021-03-03");
    moved.leader = l2;
    moved.note = Some("改期".into());
    let old = b.update_activity(moved.clone()).unwrap();
    assert_eq!(old, model[1], "update returns the replaced version");
    moved.point = fx.p2.id;
    model[1] = moved;
    // Change only the text of activity 3.
    let mut edited = model[2].clone();
    edited.findings = Some("主题党日内容单一".into());
    b.update_activity(edited.clone()).unwrap();
    model[2] = edited;
    check_against_model(b, &model, &[l1, l2]);

    // Delete 4 and 5, restore 4 under its old id.
    let gone4 = b.delete_activity(4).unwrap();
    let gone5 = b.delete_activity(5).unwrap();
    assert_eq!((gone4.id, gone5.id), (4, 5));
    model.retain(|a| a.id != 4 && a.id != 5);
    check_against_model(b, &model, &[l1, l2]);
    assert!(matches!(
        b.delete_activity(5),
        Err(Error::Domain(DomainError::Unknown { .. }))
    ));
    let back = b.restore_activity(gone4.clone()).unwrap();
    assert_eq!(back, gone4);
    model.push(back);
    assert!(b.restore_activity(gone4).is_err(), "restoring twice is refused");
    // A new activity takes the next id, not a freed one.
    let a = b
        .add_activity(activity(l1, "2020-10-10", ActivityKind::Guidance))
        .unwrap();
    assert_eq!(a.id, 9);
    model.push(a);
    check_against_model(b, &model, &[l1, l2]);

    // Refused changes leave records and indexes alone.
    let mut bad = model[0].clone();
    bad.note = Some("\u{1b}[31m".into());
    assert!(b.update_activity(bad).is_err());
    let mut ghost = model[0].clone();
    ghost.id = 77;
    assert!(b.update_activity(ghost).is_err());
    let mut no_point = model[0].clone();
    let l3 = b.add_leader(leader("王海", Role::Member, None)).unwrap();
    no_point.leader = l3.id;
    assert!(matches!(
        b.update_activity(no_point),
        Err(Error::Domain(DomainError::NoPoint(_)))
    ));
    check_against_model(b, &model, &[l1, l2, l3.id]);

    // The same, read straight from sled after the store is closed.
    drop(store);
    let raw = common::check_indexes(&path);
    let mut want = model.clone();
    want.sort_by_key(|a| a.id);
    assert_eq!(raw.activities, want);
}

#[test]
fn problem_and_event_indexes_agree_with_records() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    let fx = fixture(&s);
    for (leader, found) in [
        (fx.l1.id, "2020-09-10"),
        (fx.l2.id, "2020-09-15"),
        (fx.l1.id, "2021-01-05"),
    ] {
        s.add_problem(problem(leader, found)).unwrap();
    }
    s.solve_problem(1, d("2020-11-12"), None).unwrap();
    for (kind, date) in [
        (EventKind::Training, "2020-10-28"),
        (EventKind::ThematicStudy, "2020-09-03"),
        (EventKind::Analysis, "2021-02-01"),
    ] {
        s.add_event(event(kind, date)).unwrap();
    }
    let dates: Vec<String> = s.events(None).unwrap().iter().map(|e| e.date.to_string()).collect();
    assert_eq!(dates, ["2020-09-03", "2020-10-28", "2021-02-01"]);
    assert_eq!(s.events(Some(2021)).unwrap().len(), 1);
    // A hand-over adds the successor's index entry and keeps the old one.
    let l3 = s.add_leader(leader("新书记", Role::Secretary, None)).unwrap();
    s.hand_over(fx.l1.id, l3.id, d("2021-01-01")).unwrap();
    drop(s);
    let raw = common::check_indexes(&path);
    assert_eq!(raw.problems.len(), 3);
    assert_eq!(raw.events.len(), 3);
    assert_eq!(raw.points.len(), 2);
    let _ = (fx.own, fx.b1, fx.b2, fx.p2);
}

#[test]
fn reopen_keeps_everything_and_ids_stay_small() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    let fx = fixture(&s);
    s.add_activity(activity(fx.l1.id, "2020-09-10", ActivityKind::Research))
        .unwrap();
    s.add_problem(problem(fx.l1.id, "2020-09-10")).unwrap();
    s.add_event(event(EventKind::Training, "2020-10-28")).unwrap();
    let snapshot = s.export().unwrap();
    let audit = s.audit(usize::MAX).unwrap();
    drop(s);
    // sled's generate_id jumps by millions at each reopen; our counters must not.
    for round in 0..4u64 {
        let s = common::reopen(&path);
        if round == 0 {
            assert_eq!(s.export().unwrap(), snapshot);
            assert_eq!(s.audit(usize::MAX).unwrap(), audit);
        }
        let a = s
            .add_activity(activity(fx.l2.id, "2020-10-01", ActivityKind::Interview))
            .unwrap();
        assert_eq!(a.id, 2 + round);
        let p = s.add_problem(problem(fx.l2.id, "2020-10-01")).unwrap();
        assert_eq!(p.id, 2 + round);
        let e = s.add_event(event(EventKind::Analysis, "2020-11-01")).unwrap();
        assert_eq!(e.id, 2 + round);
        let l = s
            .add_leader(leader(&format!("新人{round}"), Role::Member, None))
            .unwrap();
        assert_eq!(l.id, 3 + round);
        let b = s.add_branch(branch(&format!("中共测试新支部{round}"), "")).unwrap();
        assert_eq!(b.id, 4 + round);
        let pt = s.assign_point(l.id, b.id, d("2020-08-28"), 2).unwrap();
        assert_eq!(pt.id, 3 + round);
        let entries = s.audit(usize::MAX).unwrap();
        let seqs: Vec<u64> = entries.iter().rev().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (1..=entries.len() as u64).collect::<Vec<_>>(),
            "audit numbers have no gaps"
        );
    }
    let s = common::reopen(&path);
    assert_eq!(s.activities(&ActivityFilter::default()).unwrap().len(), 5);
    assert_eq!(s.leaders().unwrap().len(), 6);
    assert!(s.export().unwrap().activities.iter().all(|a| a.id <= 5));
    drop(s);
    common::check_indexes(&path);
}

#[test]
fn every_command_writes_one_audit_entry_with_the_user() {
    let (_dir, path) = temp();
    let opened = Store::open(&path).unwrap();
    assert_eq!(
        opened.user(),
        branchlink::store::current_user(),
        "the OS user by default"
    );
    let s = opened.as_user("alice");
    let b: &dyn Backend = &s;
    let count = || b.audit(usize::MAX).unwrap().len();
    // Runs one command and checks the entries it added.
    let step = |actions: &[&str], f: &dyn Fn()| {
        let before = count();
        f();
        let new = b.audit(actions.len() + 1).unwrap();
        assert_eq!(
            count(),
            before + actions.len(),
            "{actions:?}: wrong number of audit entries"
        );
        let got: Vec<&str> = new
            .iter()
            .take(actions.len())
            .rev()
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(got, actions);
        for e in new.iter().take(actions.len()) {
            assert_eq!(e.user, "alice");
            assert!(e.at_ms > 0);
        }
    };
    step(&["branch.add"], &|| {
        b.add_branch(branch("中共测试局机关第一党支部", "机关一支部")).unwrap();
    });
    step(&["branch.add"], &|| {
        b.add_branch(branch("中共测试彩票管理中心党支部", "彩票中心")).unwrap();
    });
    step(&["branch.add"], &|| {
        b.add_branch(branch("中共测试体育科学研究所党支部", "科研所")).unwrap();
    });
    step(&["leader.add"], &|| {
        b.add_leader(leader("瑞林", Role::Secretary, Some(1))).unwrap();
    });
    step(&["leader.add"], &|| {
        b.add_leader(leader("新书记", Role::Secretary, None)).unwrap();
    });
    step(&["point.assign"], &|| {
        b.assign_point(1, 2, d("2020-08-28"), 2).unwrap();
    });
    step(&["activity.add"], &|| {
        b.add_activity(activity(1, "2020-09-10", ActivityKind::Research))
            .unwrap();
    });
    step(&["activity.edit"], &|| {
        let mut a = activity(1, "2020-09-11", ActivityKind::Research);
        a.id = 1;
        b.update_activity(a).unwrap();
    });
    step(&["activity.delete"], &|| {
        let a = b.delete_activity(1).unwrap();
        assert_eq!(a.date, d("2020-09-11"));
    });
    step(&["activity.restore"], &|| {
        let mut a = activity(1, "2020-09-11", ActivityKind::Research);
        a.id = 1;
        a.point = 1;
        b.restore_activity(a).unwrap();
    });
    step(&["problem.add"], &|| {
        b.add_problem(problem(1, "2020-09-10")).unwrap();
    });
    step(&["problem.solve"], &|| {
        b.solve_problem(1, d("2020-11-12"), None).unwrap();
    });
    step(&["problem.reopen"], &|| {
        b.reopen_problem(1).unwrap();
    });
    step(&["event.add"], &|| {
        b.add_event(event(EventKind::Training, "2020-10-28")).unwrap();
    });
    step(&["targets.set"], &|| {
        b.set_targets(2021, Targets::default()).unwrap();
    });
    step(&["flag.set"], &|| {
        b.set_flag("demo").unwrap();
    });
    step(&["point.review"], &|| {
        b.review_point(1, Review::Continue, d("2022-08-28")).unwrap();
    });
    // A hand-over changes two records (the point and the outgoing leader's
    // term) and says so in two entries of the same transaction.
    step(&["point.handover", "leader.leave"], &|| {
        b.hand_over(1, 2, d("2023-01-01")).unwrap();
    });
    // Reads and refused commands write nothing.
    step(&[], &|| {
        b.export().unwrap();
        b.year_status(2020).unwrap();
        assert!(b.add_leader(leader("  ", Role::Member, None)).is_err());
        assert!(b.solve_problem(99, d("2020-11-12"), None).is_err());
        assert!(b.assign_point(2, 3, d("2020-02-29"), 0).is_err());
        assert!(
            b.add_activity(activity(99, "2020-09-10", ActivityKind::Research))
                .is_err()
        );
        assert!(b.reopen_problem(1).is_err());
    });
    // An import is one entry too.
    let (_dir2, path2) = temp();
    let other = Store::open(&path2).unwrap().as_user("bob");
    other.import(b.export().unwrap()).unwrap();
    let entries = other.audit(10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].action.as_str(), entries[0].user.as_str()),
        ("import", "bob")
    );
}

/// Work belongs to the point its leader held on its day, and a point's
/// history cannot be written out of order: a refused command changes nothing.
#[test]
fn work_goes_to_the_point_of_its_day_and_history_stays_in_order() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    let fx = fixture(&s);
    fn domain<T: std::fmt::Debug>(r: Result<T, Error>) -> DomainError {
        match r {
            Err(Error::Domain(e)) => e,
            other => panic!("expected a domain error, got {other:?}"),
        }
    }
    let unchanged = |what: &str, before: &Snapshot| assert_eq!(&s.export().unwrap(), before, "{what}");
    let before = s.export().unwrap();

    // Before the point was set up: nothing to log against, and the error
    // says when the leader held one.
    let e = domain(s.add_activity(activity(fx.l1.id, "2020-08-27", ActivityKind::Research)));
    assert_eq!(
        e,
        DomainError::NoPointOn {
            leader: "瑞林".into(),
            date: d("2020-08-27"),
            held: vec![(d("2020-08-28"), None)],
        }
    );
    domain(s.add_problem(problem(fx.l1.id, "2020-08-27")));
    // Reviews and hand-overs dated before the point's last change.
    let e = domain(s.review_point(fx.l1.id, Review::Continue, d("2020-08-27")));
    assert_eq!(
        e,
        DomainError::BeforePointChange {
            date: d("2020-08-27"),
            last: d("2020-08-28"),
        }
    );
    domain(s.hand_over(fx.l1.id, fx.l2.id, d("2019-01-01")));
    // A branch is one leader's open point at a time.
    unchanged("refused commands", &before);
    let l3 = s.add_leader(leader("俊华", Role::Member, Some(fx.own.id))).unwrap();
    let before = s.export().unwrap();
    let e = domain(s.assign_point(l3.id, fx.b1.id, d("2021-01-01"), 2));
    assert_eq!(
        e,
        DomainError::BranchTaken {
            branch: "彩票中心".into(),
            leader: "瑞林".into(),
        }
    );
    unchanged("assign to a taken branch", &before);

    // 瑞林 continues in 2022, then hands over to 俊华 on 2023-03-01.
    s.review_point(fx.l1.id, Review::Continue, d("2022-08-28")).unwrap();
    domain(s.review_point(fx.l1.id, Review::Continue, d("2021-01-01")));
    let found = s.add_problem(problem(fx.l1.id, "2022-10-01")).unwrap();
    s.hand_over(fx.l1.id, l3.id, d("2023-03-01")).unwrap();
    // The outgoing leader's last day, and the successor's first.
    assert_eq!(
        s.add_activity(activity(fx.l1.id, "2023-02-28", ActivityKind::Research))
            .unwrap()
            .point,
        fx.p1.id
    );
    domain(s.add_activity(activity(fx.l1.id, "2023-03-01", ActivityKind::Research)));
    domain(s.add_activity(activity(l3.id, "2023-02-28", ActivityKind::Research)));
    assert_eq!(
        s.add_activity(activity(l3.id, "2023-03-01", ActivityKind::Research))
            .unwrap()
            .point,
        fx.p1.id
    );
    // A problem solved before the hand-over counts for the leader who held
    // the point that day.
    assert_eq!(
        s.solve_problem(found.id, d("2023-01-10"), None).unwrap().solved_by,
        Some(fx.l1.id)
    );
    // Recorded already solved: the same, whoever the record names.
    let mut solved = problem(fx.l1.id, "2022-11-01");
    solved.state = ProblemState::Solved;
    solved.solved = Some(d("2023-03-05"));
    solved.solved_by = Some(fx.l2.id);
    let solved = s.add_problem(solved).unwrap();
    assert_eq!((solved.point, solved.solved_by), (fx.p1.id, Some(l3.id)));

    // 俊华's point is transformed on 2024-08-28 and a new one set up:
    // visits logged late go to the point of their day.
    s.review_point(l3.id, Review::Transformed, d("2024-08-28")).unwrap();
    let e = domain(s.add_activity(activity(l3.id, "2024-09-01", ActivityKind::Research)));
    assert_eq!(
        e,
        DomainError::NoPointOn {
            leader: "俊华".into(),
            date: d("2024-09-01"),
            held: vec![(d("2023-03-01"), Some(d("2024-08-28")))],
        }
    );
    let b3 = s.add_branch(branch("中共测试冰上运动中心党支部", "冰上中心")).unwrap();
    // Not from a day the old point still had them.
    let e = domain(s.assign_point(l3.id, b3.id, d("2024-08-28"), 2));
    assert_eq!(
        e,
        DomainError::BeforePointChange {
            date: d("2024-08-28"),
            last: d("2024-08-28"),
        }
    );
    let p3 = s.assign_point(l3.id, b3.id, d("2024-10-01"), 2).unwrap();
    let late = s
        .add_activity(activity(l3.id, "2024-08-28", ActivityKind::Research))
        .unwrap();
    assert_eq!(late.point, fx.p1.id, "the closing day still belongs to the old point");
    let new = s
        .add_activity(activity(l3.id, "2024-10-01", ActivityKind::Research))
        .unwrap();
    assert_eq!(new.point, p3.id);
    // Moving a visit to another day moves it to that day's point; an edit of
    // the text alone keeps it where it is.
    let mut moved = late.clone();
    moved.date = d("2024-10-02");
    s.update_activity(moved).unwrap();
    assert_eq!(s.activity(late.id).unwrap().unwrap().point, p3.id);
    // Undone (the version before the edit written back): the old point again.
    s.update_activity(late.clone()).unwrap();
    assert_eq!(s.activity(late.id).unwrap().unwrap(), late);
    let mut gap = new.clone();
    gap.date = d("2024-09-15");
    domain(s.update_activity(gap));

    // 瑞林 takes a new point after handing the first over. A problem he
    // found on the first, solved while 俊华 held it, counts for 俊华; moved
    // (by its day found) to his new point, it counts for him.
    // (The hand-over ended his post; he is in post again, corrected.)
    let mut back = s.leaders().unwrap().into_iter().find(|l| l.id == fx.l1.id).unwrap();
    back.in_post_to = None;
    s.update_leader(back).unwrap();
    let b4 = s.add_branch(branch("中共测试游泳中心党支部", "游泳中心")).unwrap();
    let p4 = s.assign_point(fx.l1.id, b4.id, d("2023-06-01"), 2).unwrap();
    let p = s.add_problem(problem(fx.l1.id, "2022-11-01")).unwrap();
    let p = s.solve_problem(p.id, d("2023-07-01"), None).unwrap();
    assert_eq!((p.point, p.solved_by), (fx.p1.id, Some(l3.id)));
    let solved = |leader: u64| {
        let status = s.year_status(2023).unwrap();
        status
            .leader(leader)
            .and_then(|l| l.rule(RuleId::ProblemsSolved))
            .map_or(0, |r| r.done)
    };
    let before = (solved(fx.l1.id), solved(l3.id));
    let mut moved = p.clone();
    moved.found = d("2023-06-10");
    s.update_problem(moved).unwrap();
    let after = s.problem(p.id).unwrap().unwrap();
    assert_eq!((after.point, after.solved_by), (p4.id, Some(fx.l1.id)));
    assert_eq!((solved(fx.l1.id), solved(l3.id)), (before.0 + 1, before.1 - 1));
}

#[test]
fn targets_set_for_2021_leave_2020_alone() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    branchlink::demo::load(&s).unwrap();
    let y2020 = s.year_status(2020).unwrap();
    let y2021 = s.year_status(2021).unwrap();
    let mut t = Targets::default();
    t.set(None, RuleId::Research, Target::new(5, 6));
    t.set(None, RuleId::Training, Target::new(2, 2));
    s.set_targets(2021, t).unwrap();
    assert_eq!(s.year_status(2020).unwrap(), y2020, "2021's targets changed 2020");
    assert_eq!(s.targets(2020).unwrap(), Targets::default());
    let now = s.year_status(2021).unwrap();
    assert_ne!(now, y2021);
    let research = now.leaders[0].rule(RuleId::Research).unwrap();
    assert_eq!((research.min, research.full), (5, 6));
    assert_eq!(now.bureau[0].min, 2);
    // Setting 2019's after the fact changes 2019 and 2020 (in force until
    // 2021's), never 2021.
    let mut t19 = Targets::default();
    t19.set(Some(Role::Secretary), RuleId::Research, Target::new(1, 1));
    s.set_targets(2019, t19).unwrap();
    assert_eq!(s.year_status(2021).unwrap(), now);
    let ruilin = s.year_status(2020).unwrap().leaders[0].clone();
    assert_eq!(ruilin.rule(RuleId::Research).unwrap().min, 1);
    // Bad targets are refused.
    assert!(
        s.set_targets(2022, {
            let mut bad = Targets::default();
            bad.set(None, RuleId::OrgLife, Target::new(3, 2));
            bad
        })
        .is_err()
    );
    assert!(s.set_targets(1800, Targets::default()).is_err());
    assert_eq!(s.targets_set().unwrap().len(), 2);
}

#[test]
fn a_second_open_in_the_same_process_is_locked() {
    let (_dir, path) = temp();
    let first = Store::open(&path).unwrap();
    // sled takes an exclusive file lock per open; a second open in the same
    // process conflicts with it just as another process would.
    match Store::open(&path) {
        Err(StoreError::Locked { path: p }) => assert_eq!(p, path),
        other => panic!("expected Locked, got {other:?}"),
    }
    // Clones share the one handle; only when all are gone is the lock free.
    let clone = first.as_user("alice");
    drop(first);
    assert!(matches!(Store::open(&path), Err(StoreError::Locked { .. })));
    clone.add_event(event(EventKind::Training, "2020-10-28")).unwrap();
    drop(clone);
    // sled closes its file a moment after the last handle goes (see
    // common::wait_closed); then the database opens again.
    common::wait_closed(&path);
    let again = Store::open(&path).expect("open after the last handle is dropped");
    assert_eq!(again.events(None).unwrap().len(), 1);
}

const HOLD_VAR: &str = "BRANCHLINK_TEST_HOLD_DB";

/// Not a test of its own: when run as a child of
/// `a_database_held_by_another_process_is_locked` (with HOLD_VAR set), it
/// holds the database open until its stdin closes. Otherwise it does nothing.
#[test]
fn helper_process_holding_the_database() {
    let Some(path) = std::env::var_os(HOLD_VAR) else { return };
    let store = Store::open(Path::new(&path)).expect("helper opens the database");
    store.add_event(event(EventKind::Training, "2020-10-28")).unwrap();
    // libtest may print "test … ... " on the same line first.
    println!("\nHELD");
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {}
    drop(store);
}

#[test]
fn a_database_held_by_another_process_is_locked() {
    let (_dir, path) = temp();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_process_holding_the_database",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLD_VAR, &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the helper's word on another thread, so that a helper that
    // never answers fails the test instead of hanging it.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = false;
        // Read to the end: a closed pipe would make the helper's last
        // lines (libtest's summary) fail.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !held && line.trim_end().ends_with("HELD") {
                held = true;
                let _ = tx.send(true);
            }
        }
        let _ = tx.send(held);
    });
    let held = rx.recv_timeout(std::time::Duration::from_secs(60));
    if held != Ok(true) {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the helper did not open the database: {held:?}");
    }
    match Store::open(&path) {
        Err(StoreError::Locked { path: p }) => assert_eq!(p, path),
        other => panic!("expected Locked while another process holds it, got {other:?}"),
    }
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "helper failed: {status:?}");
    let s = Store::open(&path).expect("open after the other process is gone");
    assert_eq!(s.events(None).unwrap().len(), 1, "the other process's write is there");
}

#[test]
fn snapshot_checks_refuse_bad_data_and_write_nothing() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    branchlink::demo::load(&s).unwrap();
    let good = s.export().unwrap();
    drop(s);
    let (_dir2, path2) = temp();
    let target = Store::open(&path2).unwrap();
    let mut cases: Vec<(&str, Snapshot)> = Vec::new();
    let mut edit = |what: &'static str, f: &dyn Fn(&mut Snapshot)| {
        let mut x = good.clone();
        f(&mut x);
        cases.push((what, x));
    };
    edit("missing leader", &|x| x.activities[0].leader = 99);
    edit("missing point", &|x| x.activities[0].point = 99);
    edit("missing history leader", &|x| x.points[0].history[0].leader = 99);
    edit("missing solver", &|x| x.problems[0].solved_by = Some(99));
    edit("zero id", &|x| x.events[0].id = 0);
    edit("duplicate branch name", &|x| {
        x.branches[1].name = x.branches[0].name.clone()
    });
    edit("bidi override", &|x| {
        x.problems[1].description = "abc\u{202e}def".into()
    });
    edit("long note", &|x| x.events[0].note = Some("x".repeat(10_001)));
    edit("solved before found", &|x| x.problems[0].solved = Some(d("2019-01-01")));
    edit("bad cycle", &|x| x.points[0].cycle_years = 0);
    edit("targets twice", &|x| {
        x.targets = vec![
            branchlink::api::YearTargets {
                year: 2021,
                targets: Targets::default(),
            },
            branchlink::api::YearTargets {
                year: 2021,
                targets: Targets::default(),
            },
        ]
    });
    for (what, snapshot) in cases {
        assert!(target.import(snapshot).is_err(), "{what} was imported");
        assert!(target.audit(10).unwrap().is_empty(), "{what}: wrote to the audit log");
        assert_eq!(target.export().unwrap().record_count(), 0, "{what}: wrote records");
    }
    assert_eq!(target.import(good.clone()).unwrap(), good.record_count());
    assert!(matches!(target.import(good), Err(Error::Store(StoreError::NotEmpty))));
}

#[test]
fn a_branch_may_not_take_a_name_another_branch_answers_to() {
    let (_dir, path) = temp();
    let s = Store::open(&path).unwrap();
    s.add_branch(branch("中共测试体育科学研究所党支部", "体科所支部"))
        .unwrap();
    for (name, short) in [
        ("中共测试体育场馆管理中心党支部", "体科所支部"),
        ("体科所支部", "场馆中心支部"),
        ("中共测试场馆中心党支部", "中共测试体育科学研究所党支部"),
        ("中共测试体育科学研究所党支部", "新简称"),
    ] {
        let e = s.add_branch(branch(name, short)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Domain(DomainError::Duplicate {
                    kind: branchlink::domain::RecordKind::Branch,
                    ..
                })
            ),
            "{name} / {short}: {e:?}"
        );
    }
    assert_eq!(s.branches().unwrap().len(), 1);
    s.add_branch(branch("中共测试体育场馆管理中心党支部", "场馆中心支部"))
        .unwrap();
}
