//! Issue 5: the year's report, its renderings, reminders, assessments, the
//! work plan and targets, checked against hand-built fixtures and through
//! the built binary.

use std::process::{Command, Output};

use branchlink::api::Review;
use branchlink::demo;
use branchlink::domain::assessment::{Assessment, DimensionGrade, Rubric};
use branchlink::domain::{
    Activity, ActivityKind, Branch, BureauEvent, ContactPoint, EventKind, Leader, PointChange, PointState, Problem,
    ProblemCategory, ProblemState, Role, RuleId, Target, Targets,
};
use branchlink::i18n::Lang;
use branchlink::report::due::{Due, due};
use branchlink::report::model::{Missing, Report, ReportInput, build};
use branchlink::report::{self, csv, markdown, xlsx};
use branchlink::store::Store;
use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

// ---------------------------------------------------------------- fixture

struct Fixture {
    leaders: Vec<Leader>,
    branches: Vec<Branch>,
    points: Vec<ContactPoint>,
    activities: Vec<Activity>,
    problems: Vec<Problem>,
    events: Vec<BureauEvent>,
    assessments: Vec<Assessment>,
}

fn leader(id: u64, name: &str, role: Role, from: &str, to: Option<&str>) -> Leader {
    Leader {
        id,
        name: name.into(),
        title: if role == Role::Secretary {
            "书记、局长"
        } else {
            "副局长"
        }
        .into(),
        role,
        own_branch: None,
        in_post_from: d(from),
        in_post_to: to.map(d),
    }
}

fn act(id: u64, leader: u64, point: u64, kind: ActivityKind, date: &str) -> Activity {
    Activity {
        id,
        date: d(date),
        leader,
        point,
        kind,
        place: None,
        participants: None,
        findings: Some("发现".into()),
        actions: Some("措施".into()),
        note: None,
    }
}

fn assessment(point: u64, year: i32, leader: u64, grades: [u8; 5], satisfaction: u8) -> Assessment {
    Assessment {
        point,
        year,
        leader,
        date: d(&format!("{year}-12-15")),
        grades: grades
            .iter()
            .map(|&grade| DimensionGrade { grade, note: None })
            .collect(),
        satisfaction,
        note: None,
    }
}

/// Leader 1 (secretary) holds point 1 since 2020-08-28, reviewed
/// "continue" on 2022-08-20. Leader 2 (member) held point 2 until he handed
/// it to leader 3 on 2021-06-01. Counted by hand below.
fn fixture() -> Fixture {
    let leaders = vec![
        leader(1, "瑞林", Role::Secretary, "2018-01-01", None),
        leader(2, "俊华", Role::Member, "2018-01-01", Some("2021-05-31")),
        leader(3, "接任", Role::Member, "2021-06-01", None),
    ];
    let branches = vec![
        Branch {
            id: 1,
            name: "中共体彩中心党支部".into(),
            short: "体彩中心支部".into(),
            parent: None,
            category: None,
            weaknesses: vec![],
        },
        Branch {
            id: 2,
            name: "中共夏季保障中心第三党支部".into(),
            short: "夏季保障三支部".into(),
            parent: None,
            category: None,
            weaknesses: vec![],
        },
    ];
    let points = vec![
        ContactPoint {
            id: 1,
            leader: 1,
            branch: 1,
            start: d("2020-08-28"),
            cycle_start: d("2022-08-28"),
            cycle_years: 2,
            state: PointState::Continued,
            history: vec![
                PointChange {
                    date: d("2020-08-28"),
                    state: PointState::Active,
                    leader: 1,
                },
                PointChange {
                    date: d("2022-08-20"),
                    state: PointState::Continued,
                    leader: 1,
                },
            ],
        },
        ContactPoint {
            id: 2,
            leader: 3,
            branch: 2,
            start: d("2020-08-28"),
            cycle_start: d("2020-08-28"),
            cycle_years: 2,
            state: PointState::HandedOver,
            history: vec![
                PointChange {
                    date: d("2020-08-28"),
                    state: PointState::Active,
                    leader: 2,
                },
                PointChange {
                    date: d("2021-06-01"),
                    state: PointState::HandedOver,
                    leader: 3,
                },
            ],
        },
    ];
    let activities = vec![
        act(1, 1, 1, ActivityKind::Research, "2020-09-10"),
        act(2, 1, 1, ActivityKind::Lecture, "2020-09-25"),
        act(3, 1, 1, ActivityKind::Research, "2020-11-12"),
        act(4, 1, 1, ActivityKind::ThemeDay, "2020-10-16"),
        act(5, 2, 2, ActivityKind::Research, "2020-09-15"),
        act(6, 2, 2, ActivityKind::Interview, "2020-10-20"),
        act(7, 1, 1, ActivityKind::Research, "2021-03-02"),
        act(8, 3, 2, ActivityKind::Research, "2021-07-01"),
        act(9, 3, 2, ActivityKind::OrgLife, "2021-09-01"),
    ];
    let problems = vec![
        Problem {
            id: 1,
            point: 1,
            leader: 1,
            category: ProblemCategory::IrregularOrgLife,
            description: "三会一课记录不全".into(),
            found: d("2020-09-10"),
            measures: Some("制定计划表".into()),
            state: ProblemState::Solved,
            solved: Some(d("2020-11-12")),
            solved_by: Some(1),
        },
        Problem {
            id: 2,
            point: 2,
            leader: 2,
            category: ProblemCategory::LeadershipGap,
            description: "支部委员缺额1名".into(),
            found: d("2020-09-15"),
            measures: None,
            state: ProblemState::Open,
            solved: None,
            solved_by: None,
        },
    ];
    let events = vec![BureauEvent {
        id: 1,
        kind: EventKind::Training,
        date: d("2020-10-28"),
        note: Some("集中轮训".into()),
    }];
    let assessments = vec![
        assessment(1, 2020, 1, [2, 2, 3, 2, 2], 60),
        assessment(1, 2021, 1, [0, 1, 1, 0, 1], 88),
        assessment(2, 2020, 2, [2, 2, 2, 2, 2], 70),
        assessment(2, 2021, 3, [1, 1, 1, 1, 1], 80),
    ];
    Fixture {
        leaders,
        branches,
        points,
        activities,
        problems,
        events,
        assessments,
    }
}

fn report_of(f: &Fixture, year: i32, today: &str, targets: &Targets) -> Report {
    build(&ReportInput {
        year,
        today: d(today),
        targets,
        rubric: &Rubric::default(),
        leaders: &f.leaders,
        branches: &f.branches,
        points: &f.points,
        activities: &f.activities,
        problems: &f.problems,
        events: &f.events,
        assessments: &f.assessments,
    })
}

// ---------------------------------------------------------------- model

#[test]
fn counts_per_kind_and_rules_by_hand() {
    let r = report_of(&fixture(), 2020, "2020-11-20", &Targets::default());
    assert_eq!(r.as_of, d("2020-11-20"));
    assert_eq!(r.leaders.iter().map(|l| l.id).collect::<Vec<_>>(), vec![1, 2]);
    let l1 = r.leader(1).unwrap();
    assert_eq!(l1.count(ActivityKind::Research), 2);
    assert_eq!(l1.count(ActivityKind::Lecture), 1);
    assert_eq!(l1.count(ActivityKind::ThemeDay), 1);
    assert_eq!(l1.count(ActivityKind::Interview), 0);
    // Kinds in vocabulary order, none with zero.
    let kinds: Vec<_> = l1.counts.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        vec![ActivityKind::Research, ActivityKind::Lecture, ActivityKind::ThemeDay]
    );
    assert_eq!(
        report::counts_line(Lang::Zh, &l1.counts),
        "蹲点调研 2 次、专题党课 1 次、主题党日 1 次"
    );
    let research = l1.rule(RuleId::Research).unwrap();
    assert_eq!(
        (research.done, research.min, research.full, research.met),
        (2, 2, 2, true)
    );
    let org = l1.rule(RuleId::OrgLife).unwrap();
    assert_eq!(org.done, 2, "a lecture and a theme day both count as org life");
    assert!(l1.missing.is_empty());
    assert_eq!(l1.last_visit, Some(d("2020-11-12")));
    assert_eq!(l1.days_since_visit, Some(8));
    assert_eq!(l1.problems.len(), 1);

    let l2 = r.leader(2).unwrap();
    assert_eq!(
        l2.missing,
        vec![
            Missing::Rule {
                rule: RuleId::Research,
                short: 1
            },
            Missing::Rule {
                rule: RuleId::ProblemsSolved,
                short: 1
            },
            Missing::Rule {
                rule: RuleId::OrgLife,
                short: 1
            },
        ]
    );
    assert_eq!(
        report::missing_line(Lang::Zh, &l2.missing),
        "蹲点调研还差 1 次、解决问题还差 1 个、组织生活还差 1 次"
    );
    assert_eq!(l2.days_since_visit, Some(31));

    let bureau: Vec<_> = r
        .bureau
        .iter()
        .map(|b| (b.status.rule, b.status.met, b.events.len()))
        .collect();
    assert_eq!(
        bureau,
        vec![
            (RuleId::Training, true, 1),
            (RuleId::ThematicStudy, false, 0),
            (RuleId::OwnBranchAnalysis, false, 0)
        ]
    );
}

#[test]
fn a_past_year_is_seen_from_its_last_day() {
    let r = report_of(&fixture(), 2020, "2026-11-27", &Targets::default());
    assert_eq!(r.as_of, d("2020-12-31"));
    let l1 = r.leader(1).unwrap();
    // The 2021 visit does not count as the 2020 report's last visit.
    assert_eq!(l1.last_visit, Some(d("2020-11-12")));
    assert_eq!(l1.days_since_visit, Some(49));
    // And the 2022 review is not yet part of 2020's point.
    let p = l1.point.as_ref().unwrap();
    assert_eq!(p.state, PointState::Active);
    assert_eq!((p.cycle_start, p.cycle_end), (d("2020-08-28"), d("2022-08-28")));
    assert!(p.judgement.is_none());
}

#[test]
fn cycle_judgement_and_continued_cycle() {
    let r = report_of(&fixture(), 2022, "2022-11-01", &Targets::default());
    let p = r.leader(1).unwrap().point.as_ref().unwrap();
    assert_eq!(p.state, PointState::Continued);
    let j = p.judgement.as_ref().unwrap();
    assert_eq!(
        (j.date, j.state, j.leader.as_str()),
        (d("2022-08-20"), PointState::Continued, "瑞林")
    );
    assert_eq!((p.cycle_start, p.cycle_end), (d("2022-08-28"), d("2024-08-28")));
}

#[test]
fn first_and_latest_assessment_side_by_side() {
    let f = fixture();
    let r = report_of(&f, 2021, "2021-12-31", &Targets::default());
    let p = r.leader(1).unwrap().point.as_ref().unwrap();
    let (first, latest) = (p.first.as_ref().unwrap(), p.latest.as_ref().unwrap());
    assert_eq!((first.year, latest.year), (2020, 2021));
    assert!(latest.mean_grade() < first.mean_grade());
    let md = markdown::render(&r, Lang::Zh);
    assert!(md.contains("| 维度 | 首次（2020 年） | 最近（2021 年） |"), "{md}");
    assert!(md.contains("| 落实好制度 | 差 | 较好 |"), "{md}");
    assert!(md.contains("| 群众满意 | 60% | 88% |"), "{md}");
    // In 2020 only the first exists: one column.
    let r = report_of(&f, 2020, "2020-12-31", &Targets::default());
    let md = markdown::render(&r, Lang::Zh);
    assert!(md.contains("| 维度 | 最近（2020 年） |"), "{md}");
}

#[test]
fn a_handed_over_point_keeps_its_history() {
    let r = report_of(&fixture(), 2021, "2021-12-31", &Targets::default());
    // The outgoing leader served part of 2021 and still appears, with the point.
    let out = r.leader(2).unwrap();
    assert!(!out.in_post);
    let incoming = r.leader(3).unwrap();
    let p = incoming.point.as_ref().unwrap();
    assert_eq!(p.holder, 3);
    let history: Vec<_> = p.history.iter().map(|h| (h.state, h.leader.as_str())).collect();
    assert_eq!(
        history,
        vec![(PointState::Active, "俊华"), (PointState::HandedOver, "接任")]
    );
    // The assessments made under both holders stay with the point.
    assert_eq!(p.first.as_ref().unwrap().leader, 2);
    assert_eq!(p.latest.as_ref().unwrap().leader, 3);
    assert_eq!(incoming.count(ActivityKind::Research), 1);
    let md = markdown::render(&r, Lang::Zh);
    assert!(
        md.contains("历程：2020-08-28 联系中（俊华）、2021-06-01 已接续（接任）"),
        "{md}"
    );
}

#[test]
fn english_headers() {
    let r = report_of(&fixture(), 2020, "2020-11-20", &Targets::default());
    let md = markdown::render(&r, Lang::En);
    assert!(md.contains("| Leader | Contact point | research |"), "{md}");
    assert!(md.contains("on-site research ×2"), "{md}");
}

#[test]
fn pipes_in_text_do_not_break_tables() {
    let mut f = fixture();
    f.problems[0].description = "a|b".into();
    let r = report_of(&f, 2020, "2020-11-20", &Targets::default());
    assert!(markdown::render(&r, Lang::Zh).contains("a\\|b"));
}

// ---------------------------------------------------------------- due

#[test]
fn due_in_november() {
    let f = fixture();
    let r = report_of(&f, 2020, "2020-11-20", &Targets::default());
    let items = due(&r, d("2020-11-20"), 90);
    // Leader 1 met everything; leader 2 owes three rules; the bureau two.
    assert!(items.iter().all(|i| i.days_left == 41), "{items:?}");
    let rules: Vec<_> = items
        .iter()
        .map(|i| match &i.what {
            Due::Rule { leader, rule, .. } => format!("{leader}:{}", rule.id()),
            Due::Bureau { rule, .. } => format!("bureau:{}", rule.id()),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            "俊华:research",
            "俊华:problems_solved",
            "俊华:org_life",
            "bureau:thematic_study",
            "bureau:own_branch_analysis"
        ]
    );
    // With a 30-day threshold, leader 2's point (last visit 10-20) is overdue
    // and comes first.
    let items = due(&r, d("2020-11-20"), 30);
    assert_eq!(items[0].days_left, -1);
    assert!(matches!(&items[0].what, Due::NoVisit { leader, days: 31, .. } if leader == "俊华"));
}

#[test]
fn due_in_march_and_before_a_cycle_ends() {
    let f = fixture();
    let r = report_of(&f, 2022, "2022-07-01", &Targets::default());
    let items = due(&r, d("2022-07-01"), 90);
    // Point 1: last visit 2021-03-02, cycle ends 2022-08-28 (58 days);
    // point 2 likewise, held by leader 3. No-visit items are overdue, so first.
    assert!(matches!(items[0].what, Due::NoVisit { .. }), "{items:?}");
    let cycles: Vec<_> = items
        .iter()
        .filter_map(|i| match &i.what {
            Due::CycleEnds { leader, cycle_end, .. } => Some((leader.as_str(), *cycle_end, i.days_left)),
            _ => None,
        })
        .collect();
    assert_eq!(
        cycles,
        vec![("瑞林", d("2022-08-28"), 58), ("接任", d("2022-08-28"), 58)]
    );
    // Sorted by days left throughout.
    assert!(items.windows(2).all(|w| w[0].days_left <= w[1].days_left));

    let r = report_of(&f, 2021, "2021-03-15", &Targets::default());
    let items = due(&r, d("2021-03-15"), 90);
    // March: every open rule has 291 days left; nothing about cycles yet.
    assert!(items.iter().all(|i| !matches!(i.what, Due::CycleEnds { .. })));
    assert!(
        items
            .iter()
            .filter(|i| matches!(i.what, Due::Rule { .. }))
            .all(|i| i.days_left == 291)
    );
}

// ---------------------------------------------------------------- files

#[test]
fn csv_starts_with_bom_and_parses_back() {
    let r = report_of(&fixture(), 2020, "2020-11-20", &Targets::default());
    let bytes = csv::render(&r, Lang::Zh).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let mut reader = ::csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "领导");
    assert!(header.contains(&"蹲点调研".to_string()));
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "瑞林");
    assert_eq!(&rows[0][2], "中共体彩中心党支部");
    let research_col = header.iter().position(|h| h == "蹲点调研").unwrap();
    assert_eq!(&rows[0][research_col], "2");
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn xlsx_opens_again_with_the_same_cells() {
    let r = report_of(&fixture(), 2020, "2020-11-20", &Targets::default());
    let bytes = xlsx::render(&r, Lang::Zh).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["汇总", "联系活动", "突出问题", "五好一满意", "局党组工作"]
    );
    let summary = wb.worksheet_range("汇总").unwrap();
    assert_eq!(cell(&summary, 0, 0), Data::String("领导".into()));
    assert_eq!(cell(&summary, 0, 2), Data::String("联系点".into()));
    assert_eq!(cell(&summary, 1, 0), Data::String("瑞林".into()));
    assert_eq!(cell(&summary, 1, 6), Data::String("✓ 2/2".into()));
    let start = cell(&summary, 1, 3);
    assert!(start.is_datetime(), "{start:?}");
    assert_eq!(start.as_date(), Some(d("2020-08-28")));

    let acts = wb.worksheet_range("联系活动").unwrap();
    assert_eq!(cell(&acts, 0, 0), Data::String("日期".into()));
    // Header + the 2020 activities of leaders 1 (4) and 2 (2).
    assert_eq!(acts.height(), 7);
    assert!(cell(&acts, 1, 0).is_datetime());
    assert_eq!(cell(&acts, 1, 0).as_date(), Some(d("2020-09-10")));

    let problems = wb.worksheet_range("突出问题").unwrap();
    assert_eq!(cell(&problems, 1, 0), Data::Float(1.0));
    assert_eq!(cell(&problems, 1, 8).as_date(), Some(d("2020-11-12")));

    let a = wb.worksheet_range("五好一满意").unwrap();
    assert_eq!(cell(&a, 0, 4), Data::String("配强好书记".into()));
    assert_eq!(cell(&a, 1, 6), Data::String("差".into()));
    assert_eq!(cell(&a, 1, 9), Data::Float(60.0));
}

#[test]
fn xlsx_headers_in_english() {
    let r = report_of(&fixture(), 2020, "2020-11-20", &Targets::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("en.xlsx");
    std::fs::write(&path, xlsx::render(&r, Lang::En).unwrap()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let summary = wb.worksheet_range("Summary").unwrap();
    assert_eq!(cell(&summary, 0, 0), Data::String("Leader".into()));
}

// ---------------------------------------------------------------- store

fn demo_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    demo::load(&store).unwrap();
    (dir, store)
}

#[test]
fn markdown_of_the_demo() {
    let (_dir, store) = demo_store();
    let r = report::load(&store, 2020, d("2020-11-20")).unwrap();
    insta::assert_snapshot!("demo_2020_zh", markdown::render(&r, Lang::Zh));
    insta::assert_snapshot!("demo_2020_en", markdown::render(&r, Lang::En));
}

#[test]
fn targets_of_2021_never_change_2020s_report() {
    let (_dir, store) = demo_store();
    let before = markdown::render(&report::load(&store, 2020, d("2020-11-20")).unwrap(), Lang::Zh);
    let mut t = store.targets(2021).unwrap();
    t.set(None, RuleId::Research, Target::new(5, 6));
    store.set_targets(2021, t).unwrap();
    let after = markdown::render(&report::load(&store, 2020, d("2020-11-20")).unwrap(), Lang::Zh);
    assert_eq!(before, after);
    let r2021 = report::load(&store, 2021, d("2021-03-01")).unwrap();
    assert_eq!(r2021.leaders[0].rule(RuleId::Research).unwrap().min, 5);
}

#[test]
fn a_hand_over_in_the_store_keeps_the_point_and_its_assessments() {
    let (_dir, store) = demo_store();
    let leaders = store.leaders().unwrap();
    let junhua = leaders.iter().find(|l| l.name == "俊华").unwrap().id;
    let new = store
        .add_leader(Leader {
            id: 0,
            name: "新任".into(),
            title: "副局长".into(),
            role: Role::Member,
            own_branch: None,
            in_post_from: d("2021-01-04"),
            in_post_to: None,
        })
        .unwrap();
    store.hand_over(junhua, new.id, d("2021-01-04")).unwrap();
    let r = report::load(&store, 2021, d("2021-02-01")).unwrap();
    let p = r.leader(new.id).unwrap().point.as_ref().unwrap();
    assert_eq!(p.short, "夏季保障三支部");
    assert_eq!(p.history.len(), 2);
    assert_eq!(
        p.first.as_ref().unwrap().year,
        2020,
        "the 2020 assessment stays with the point"
    );
    store.review_point(new.id, Review::Continue, d("2022-08-28")).unwrap();
    let r = report::load(&store, 2022, d("2022-09-01")).unwrap();
    let p = r.leader(new.id).unwrap().point.as_ref().unwrap();
    assert_eq!(p.judgement.as_ref().unwrap().state, PointState::Continued);
}

#[test]
fn plan_and_rubric_per_year() {
    let (_dir, store) = demo_store();
    let plan = store.set_plan_item(2020, 2, 2, Some(d("2020-08-28"))).unwrap();
    assert_eq!(plan.phases[1].tasks[1].done, Some(d("2020-08-28")));
    assert_eq!(store.plan(2021).unwrap().phases[1].tasks[1].done, None);
    assert!(store.set_plan_item(2020, 9, 1, None).is_err());
    let rubric = Rubric {
        grades: vec!["优秀".into(), "良好".into(), "一般".into(), "较差".into()],
        ..Rubric::default()
    };
    store.set_rubric(2021, rubric.clone()).unwrap();
    assert_eq!(store.rubric(2020).unwrap(), Rubric::default());
    assert_eq!(store.rubric(2022).unwrap(), rubric);
}

// ---------------------------------------------------------------- binary

struct Cli {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl Cli {
    fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let cli = Cli { _dir: dir, db };
        assert!(cli.run(&["demo"]).status.success());
        cli
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_on("2020-11-20", args)
    }

    /// [`Cli::run`] on another day.
    fn run_on(&self, today: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_branchlink"))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env("BRANCHLINK_TODAY", today)
            .env_remove("BRANCHLINK_DB")
            .env("BRANCHLINK_NO_SERVER", "1")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Exit 1 with one line on stderr, and nothing written.
    fn refused(&self, args: &[&str]) -> String {
        let audit_before = self.ok(&["audit", "--limit", "1"]);
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert_eq!(
            self.ok(&["audit", "--limit", "1"]),
            audit_before,
            "{args:?} wrote something"
        );
        err
    }
}

#[test]
fn cli_report_in_three_formats() {
    let cli = Cli::new();
    let md = cli.ok(&["report", "--year", "2020"]);
    assert!(md.starts_with("# 2020 年度"));
    assert!(md.contains("蹲点调研 2 次、专题党课 1 次"));
    let en = cli.ok(&["--lang", "en", "report", "--year", "2020"]);
    assert!(en.contains("| Leader | Contact point |"));
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("r.csv");
    cli.ok(&[
        "report",
        "--year",
        "2020",
        "--format",
        "csv",
        "-o",
        csv_path.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&csv_path).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let xlsx_path = dir.path().join("r.xlsx");
    let said = cli.ok(&["report", "--format", "xlsx", "-o", xlsx_path.to_str().unwrap()]);
    assert!(said.contains("r.xlsx"));
    let mut wb: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    assert_eq!(wb.worksheet_range("汇总").unwrap().height(), 6);
    let err = cli.refused(&["report", "--format", "xlsx"]);
    assert!(err.contains("-o"), "{err}");
    cli.refused(&["report", "--year", "20200"]);
}

#[test]
fn cli_due() {
    let cli = Cli::new();
    let out = cli.ok(&["due"]);
    assert!(out.contains("俊华：蹲点调研还差 1 次（1/2）"), "{out}");
    assert!(!out.contains("瑞林："), "the secretary owes nothing: {out}");
    let out = cli.ok(&["due", "--days-without-visit", "30", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["kind"], "no_visit");
    assert_eq!(v[0]["leader"], "永凯");
    assert_eq!(v[0]["days"], 42);
    cli.refused(&["due", "--year", "0"]);
    // Once the year is over, what it still owed was not done: not "0 days
    // left".
    let later = cli.run_on("2021-03-01", &["due", "--year", "2020"]);
    let later = String::from_utf8(later.stdout).unwrap();
    let line = later.lines().find(|l| l.contains("俊华：蹲点调研还差 1 次")).unwrap();
    assert!(line.trim_start().starts_with("未完成"), "{later}");
    // A leader with no contact point owes one thing: to get one.
    cli.ok(&[
        "leader",
        "add",
        "王华",
        "--title",
        "副局长",
        "--role",
        "member",
        "--from",
        "2020-01-01",
    ]);
    let out = cli.ok(&["due"]);
    assert!(out.contains("王华：还没有联系点，请先确定"), "{out}");
    assert!(!out.contains("王华：蹲点调研"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&cli.ok(&["due", "--format", "json"])).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "no_point" && i["leader"] == "王华"),
        "{v}"
    );
    // A visit reminder due on the year's last day is not a missed target.
    let due = cli.run_on("2021-03-01", &["due", "--year", "2020", "--days-without-visit", "83"]);
    let due = String::from_utf8(due.stdout).unwrap();
    let line = due
        .lines()
        .find(|l| l.contains("永凯：冰上速滑支部已 83 天未联系"))
        .unwrap();
    assert!(line.trim_start().starts_with('0'), "{due}");
    // The last day of the year itself still has 0 days left.
    let last = cli.run_on("2020-12-31", &["due", "--year", "2020"]);
    let last = String::from_utf8(last.stdout).unwrap();
    let line = last.lines().find(|l| l.contains("俊华：蹲点调研还差 1 次")).unwrap();
    assert!(line.trim_start().starts_with('0'), "{last}");
}

#[test]
fn cli_assess() {
    let cli = Cli::new();
    let out = cli.ok(&[
        "assess",
        "海友",
        "--year",
        "2020",
        "--grades",
        "好,较好,一般,好,好",
        "--satisfaction",
        "86",
        "--dim-note",
        "3=制度执行不到位",
    ]);
    assert!(out.contains("好/较好/一般/好/好"), "{out}");
    let list = cli.ok(&["assess", "list", "--year", "2020", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    let md = cli.ok(&["report"]);
    assert!(md.contains("| 落实好制度 | 一般（制度执行不到位） |"), "{md}");
    let err = cli.refused(&["assess", "海友", "--grades", "好,优,一般,好,好", "--satisfaction", "86"]);
    assert!(err.contains("优"), "{err}");
    let err = cli.refused(&["assess", "海友", "--grades", "好,好,好,好,好", "--satisfaction", "101"]);
    assert!(err.contains("101"), "{err}");
    cli.refused(&["assess", "海友", "--grades", "好,好", "--satisfaction", "80"]);
    cli.refused(&[
        "assess",
        "海友",
        "--grades",
        "好,好,好,好,好",
        "--satisfaction",
        "80",
        "--dim-note",
        "6=x",
    ]);
    cli.refused(&[
        "assess",
        "海友",
        "--year",
        "1800",
        "--grades",
        "好,好,好,好,好",
        "--satisfaction",
        "80",
    ]);
    cli.refused(&["assess", "无名", "--grades", "好,好,好,好,好", "--satisfaction", "80"]);
    // Renamed grades from 2021 on.
    cli.ok(&["assess", "rubric", "--year", "2021", "--grades", "优秀,良好,一般,较差"]);
    assert!(
        cli.ok(&["assess", "rubric", "--year", "2020"])
            .contains("好、较好、一般、差")
    );
    cli.ok(&[
        "assess",
        "海友",
        "--year",
        "2021",
        "--grades",
        "优秀,良好,一般,良好,1",
        "--satisfaction",
        "90",
    ]);
    cli.refused(&["assess", "rubric", "--grades", "好,好"]);
}

#[test]
fn cli_targets() {
    let cli = Cli::new();
    let before = cli.ok(&["report", "--year", "2020"]);
    let out = cli.ok(&[
        "targets", "set", "--year", "2021", "research", "3", "4", "--role", "member",
    ]);
    assert!(out.contains("2021"), "{out}");
    let shown = cli.ok(&["targets", "show", "--year", "2021", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["member"]["research"]["min"], 3);
    assert_eq!(v["secretary"]["research"]["min"], 2);
    let shown = cli.ok(&["targets", "show", "--year", "2020", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["member"]["research"]["min"], 2);
    assert_eq!(cli.ok(&["report", "--year", "2020"]), before);
    // A rule by its name, as activity kinds are, or its id with hyphens.
    cli.ok(&["targets", "set", "--year", "2021", "组织生活", "2"]);
    cli.ok(&["targets", "set", "--year", "2021", "problems-solved", "2"]);
    let shown = cli.ok(&["targets", "show", "--year", "2021", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["member"]["org_life"]["min"], 2);
    assert_eq!(v["member"]["problems_solved"]["min"], 2);
    let m = cli.refused(&["report", "-o", "/no/such/dir/r.md"]);
    assert!(m.trim_end().ends_with("：文件或目录不存在"), "{m}");
    let m = cli.refused(&["targets", "set", "--year", "2021", "visits", "3"]);
    assert!(
        m.contains("可用：research 蹲点调研、problems-solved 解决问题、org-life 组织生活"),
        "{m}"
    );
    let m = cli.refused(&["visit", "add", "瑞林", "--kind", "调研"]);
    assert!(m.contains("可用：research 蹲点调研、interview 访谈座谈"), "{m}");
    cli.refused(&["targets", "set", "--year", "2021", "research", "3", "2"]);
    cli.refused(&["targets", "set", "--year", "3000", "research", "3"]);
    cli.refused(&["targets", "set", "--year", "2021", "research", "3", "--role", "boss"]);
}

#[test]
fn cli_plan() {
    let cli = Cli::new();
    let out = cli.ok(&["plan"]);
    assert!(
        out.contains("3. 交流做法、强化示范引领（2020-10-01 至 2020-11-30）  ← 当前阶段"),
        "{out}"
    );
    cli.ok(&["plan", "tick", "2.2", "--date", "2020-08-28"]);
    let out = cli.ok(&["plan", "--year", "2020"]);
    assert!(
        out.contains("✓ 2.2 局党组书记确定联系点，完成对接（2020-08-28 完成）"),
        "{out}"
    );
    cli.ok(&["plan", "untick", "2.2"]);
    assert!(cli.ok(&["plan"]).contains("☐ 2.2"));
    // A window is in the plan's year: short forms, read in today's year,
    // are refused here.
    let m = cli.refused(&["plan", "set-window", "3", "10-01", "11-15"]);
    assert!(m.contains("日期“10-01”要写完整"), "{m}");
    cli.ok(&["plan", "set-window", "3", "2020-10-01", "2020-11-15"]);
    assert!(!cli.ok(&["plan"]).contains("当前阶段"));
    cli.refused(&["plan", "tick", "9.1"]);
    cli.refused(&["plan", "tick", "two"]);
    cli.refused(&["plan", "set-window", "4", "2020-12-31", "2020-12-01"]);
    cli.refused(&["plan", "--year", "99999"]);
}

#[test]
fn export_and_import_keep_assessments_rubrics_and_plans() {
    let (_dir, store) = demo_store();
    store.set_plan_item(2020, 1, 1, Some(d("2020-07-02"))).unwrap();
    store
        .set_rubric(
            2021,
            Rubric {
                satisfaction: "党员群众满意度".into(),
                ..Rubric::default()
            },
        )
        .unwrap();
    let snapshot = store.export().unwrap();
    assert_eq!(snapshot.assessments.len(), 2);
    assert_eq!((snapshot.rubrics.len(), snapshot.plans.len()), (1, 1));
    let json = serde_json::to_vec(&snapshot).unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other = Store::open(&other_dir.path().join("db")).unwrap();
    other.import(branchlink::store::parse_snapshot(&json).unwrap()).unwrap();
    assert_eq!(other.export().unwrap(), snapshot);
    // An export from before issue 5 (no such fields) still imports.
    let mut old: serde_json::Value = serde_json::from_slice(&json).unwrap();
    for k in ["assessments", "rubrics", "plans"] {
        old.as_object_mut().unwrap().remove(k);
    }
    let third_dir = tempfile::tempdir().unwrap();
    let third = Store::open(&third_dir.path().join("db")).unwrap();
    third
        .import(branchlink::store::parse_snapshot(&serde_json::to_vec(&old).unwrap()).unwrap())
        .unwrap();
    assert!(third.assessments(None).unwrap().is_empty());
}

#[test]
fn a_past_year_is_owed_as_it_stood_at_its_end() {
    let (_dir, store) = demo_store();
    let year_end = d("2020-12-31");
    let later = d("2026-11-27");
    let at_end = report::load(&store, 2020, year_end).unwrap();
    let seen_later = report::load(&store, 2020, later).unwrap();
    let owed = due(&at_end, year_end, 90);
    assert!(!owed.is_empty(), "the demo leaves rules unmet in 2020");
    assert_eq!(due(&seen_later, later, 90), owed);
    assert!(owed.iter().all(|i| i.days_left > -366), "{owed:?}");
}

/// A leader whose point was closed during the year and who took a new one:
/// the year's report lists the problems of both.
#[test]
fn a_year_with_two_points_reports_the_problems_of_both() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let branch = |name: &str, short: &str| {
        s.add_branch(Branch {
            id: 0,
            name: name.into(),
            short: short.into(),
            parent: None,
            category: None,
            weaknesses: vec![],
        })
        .unwrap()
    };
    let first = branch("中共测试第一党支部", "一支部");
    let second = branch("中共测试第二党支部", "二支部");
    let l = s
        .add_leader(leader(0, "瑞林", Role::Secretary, "2018-01-01", None))
        .unwrap();
    s.assign_point(l.id, first.id, d("2023-01-01"), 2).unwrap();
    let problem = |description: &str, found: &str| Problem {
        id: 0,
        point: 0,
        leader: l.id,
        category: ProblemCategory::Other,
        description: description.into(),
        found: d(found),
        measures: None,
        state: ProblemState::Open,
        solved: None,
        solved_by: None,
    };
    s.add_problem(problem("第一个联系点的问题", "2024-03-01")).unwrap();
    s.review_point(l.id, Review::Transformed, d("2024-08-28")).unwrap();
    s.assign_point(l.id, second.id, d("2024-10-01"), 2).unwrap();
    s.add_problem(problem("第二个联系点的问题", "2024-10-10")).unwrap();
    let report = report::load(&s, 2024, d("2025-03-01")).unwrap();
    let problems: Vec<&str> = report.leaders[0]
        .problems
        .iter()
        .map(|p| p.description.as_str())
        .collect();
    assert_eq!(problems, ["第一个联系点的问题", "第二个联系点的问题"]);
    // 2025 has the second point alone.
    let report = report::load(&s, 2025, d("2025-03-01")).unwrap();
    let problems: Vec<&str> = report.leaders[0]
        .problems
        .iter()
        .map(|p| p.description.as_str())
        .collect();
    assert_eq!(problems, ["第二个联系点的问题"]);
}
