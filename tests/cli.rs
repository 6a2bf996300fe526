//! The command line end to end, through the built binary, on a temporary
//! database per test: every command of issue 2, every bad input (exit 1, one
//! line on stderr, nothing written), help, version and usage errors,
//! export/import, the demo data's 2020 status and the database lock.

mod common;

use branchlink::domain::{Branch, Leader, Role, Weakness};
use chrono::NaiveDate;
use common::{Db, assert_user_error, bin};
use serde_json::Value;

const OWN: &str = "中共测试局机关第一党支部";
const LOTTERY: &str = "中共测试彩票管理中心党支部";
const SCIENCE: &str = "中共测试体育科学研究所党支部";

/// Three branches, three leaders (瑞林 secretary, 海友 and 王海 members, all
/// in the first organs branch), two contact points from 2020-08-28. Built
/// through the library (fast); the commands that do the same through the
/// binary are tested on their own.
fn small() -> Db {
    let db = Db::new();
    db.with_store(|s| {
        let branch = |name: &str, short: &str, category: Option<&str>, weaknesses: Vec<Weakness>| {
            s.add_branch(Branch {
                id: 0,
                name: name.into(),
                short: short.into(),
                parent: None,
                category: category.map(Into::into),
                weaknesses,
            })
            .unwrap()
        };
        let own = branch(OWN, "机关一支部", Some("机关"), vec![]);
        let lottery = branch(LOTTERY, "彩票中心", Some("事业单位"), vec![Weakness::Role]);
        let science = branch(SCIENCE, "科研所", None, vec![Weakness::Funding]);
        let mut ids = Vec::new();
        for (name, title, role) in [
            ("瑞林", "书记、局长", Role::Secretary),
            ("海友", "副局长", Role::Member),
            ("王海", "副局长", Role::Member),
        ] {
            let l = s
                .add_leader(Leader {
                    id: 0,
                    name: name.into(),
                    title: title.into(),
                    role,
                    own_branch: Some(own.id),
                    in_post_from: date("2018-01-01"),
                    in_post_to: None,
                })
                .unwrap();
            ids.push(l.id);
        }
        s.assign_point(ids[0], lottery.id, date("2020-08-28"), 2).unwrap();
        s.assign_point(ids[1], science.id, date("2020-08-28"), 2).unwrap();
    });
    db
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

fn ids(v: &Value) -> Vec<u64> {
    array(v).iter().map(|x| x["id"].as_u64().unwrap()).collect()
}

/// One leader's entry in a status JSON.
#[track_caller]
fn leader_in<'a>(status: &'a Value, leader: &str) -> &'a Value {
    array(&status["leaders"])
        .iter()
        .find(|l| l["name"] == leader)
        .unwrap_or_else(|| panic!("{leader} not in status: {status}"))
}

/// `(done, min, full, met)` of one rule of one leader in a status JSON.
fn rule(status: &Value, leader: &str, rule: &str) -> (u64, u64, u64, bool) {
    rule_of(&leader_in(status, leader)["rules"], rule)
}

fn bureau(status: &Value, rule: &str) -> (u64, u64, u64, bool) {
    rule_of(&status["bureau"], rule)
}

fn rule_of(rules: &Value, name: &str) -> (u64, u64, u64, bool) {
    let r = array(rules)
        .iter()
        .find(|r| r["rule"] == name)
        .unwrap_or_else(|| panic!("no rule {name} in {rules}"));
    (
        r["done"].as_u64().unwrap(),
        r["min"].as_u64().unwrap(),
        r["full"].as_u64().unwrap(),
        r["met"].as_bool().unwrap(),
    )
}

// ---------------------------------------------------------------- usage

#[test]
fn help_on_every_command_and_version() {
    let db = Db::new();
    let commands: &[&[&str]] = &[
        &[],
        &["demo"],
        &["leader"],
        &["leader", "add"],
        &["leader", "list"],
        &["branch"],
        &["branch", "add"],
        &["branch", "list"],
        &["point"],
        &["point", "assign"],
        &["point", "list"],
        &["point", "review"],
        &["point", "handover"],
        &["visit"],
        &["visit", "add"],
        &["visit", "list"],
        &["visit", "delete"],
        &["problem"],
        &["problem", "add"],
        &["problem", "solve"],
        &["problem", "reopen"],
        &["problem", "list"],
        &["event"],
        &["event", "add"],
        &["event", "list"],
        &["status"],
        &["export"],
        &["import"],
        &["audit"],
    ];
    for c in commands {
        // Chinese by default, as every other message; English on request.
        for (lang, usage, english) in [
            (None, "用法：branchlink", "Usage"),
            (Some("en"), "Usage: branchlink", "用法"),
        ] {
            let mut args: Vec<&str> = lang.map(|l| vec!["--lang", l]).unwrap_or_default();
            args.extend(c.iter());
            args.push("--help");
            let r = in_default_language(&db, &args);
            assert_eq!(r.code, 0, "{args:?}: {r:?}");
            assert!(r.stdout.contains(usage), "{args:?}: {}", r.stdout);
            assert!(!r.stdout.contains(english), "{args:?}: {}", r.stdout);
            assert!(r.stderr.is_empty(), "{args:?}: {r:?}");
        }
    }
    let r = db.run(&["--version"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.trim(), format!("branchlink {}", env!("CARGO_PKG_VERSION")));
    // Help and version never create the database.
    assert!(!db.path.exists(), "--help created the database");
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let db = small();
    let before = db.state();
    for args in [
        &["bogus"][..],
        &["visit", "add", "瑞林"],
        &["visit", "add", "--kind", "research"],
        &["point", "review", "瑞林"],
        &["point", "review", "瑞林", "--transformed", "--continue"],
        &["status", "--format", "xml"],
        &["visit", "delete", "one"],
        &["problem", "list", "--open", "--solved"],
        &["--lang", "fr", "status"],
        &["leader", "add", "新人"],
    ] {
        let r = db.run(args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stdout.is_empty(), "{args:?}: {r:?}");
        // In English, as asked by the `--lang en` `Db::run` adds (which
        // the case that gives `--lang` again makes a usage error itself).
        if !args.contains(&"--lang") {
            assert!(r.stderr.starts_with("error: "), "{args:?}: {r:?}");
        }
        // In the default language, Chinese, as every other message (`--lang
        // fr` is refused in it too).
        let r = in_default_language(&db, args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stdout.is_empty(), "{args:?}: {r:?}");
        assert!(r.stderr.starts_with("错误："), "{args:?}: {r:?}");
        assert!(r.stderr.ends_with("用 --help 查看更多信息。\n"), "{args:?}: {r:?}");
    }
    assert!(db.state() == before, "a usage error changed the database");
    // A number out of range says so, whether or not it fits clap's i64.
    for (value, reason) in [
        ("999999999999", "：数太大"),
        ("99999999999999999999", "：数太大"),
        ("三", "：要是整数"),
    ] {
        let r = in_default_language(&db, &["targets", "set", "--year", "2021", "research", value]);
        assert_eq!(r.code, 2, "{value}: {r:?}");
        let first = r.stderr.lines().next().unwrap_or_default();
        assert!(first.ends_with(reason), "{value}: {first}");
    }
    assert!(db.state() == before, "a usage error changed the database");
}

/// Runs the binary on `db` without the `--lang en` that [`Db::run`] adds.
fn in_default_language(db: &Db, args: &[&str]) -> common::Run {
    common::Run::from(db.command_in_default_language().args(args).output().unwrap())
}

#[test]
fn help_colour_follows_clicolor_force() {
    for lang in ["zh", "en"] {
        let help = |force: Option<&str>| {
            let mut c = std::process::Command::new(bin());
            c.args(["--lang", lang, "visit", "add", "--help"])
                .env_remove("NO_COLOR");
            match force {
                Some(v) => c.env("CLICOLOR_FORCE", v),
                None => c.env_remove("CLICOLOR_FORCE"),
            };
            let out = c.output().unwrap();
            assert_eq!(out.status.code(), Some(0));
            String::from_utf8(out.stdout).unwrap()
        };
        assert!(!help(None).contains('\u{1b}'), "{lang}: piped help is plain");
        assert!(!help(Some("0")).contains('\u{1b}'), "{lang}: 0 does not force");
        assert!(help(Some("1")).contains('\u{1b}'), "{lang}: forced colour");
    }
}

#[test]
fn chinese_is_the_default_language() {
    let db = small();
    let r = in_default_language(&db, &["visit", "add", "无名氏", "--kind", "research"]);
    assert_user_error(&r, &["visit add 无名氏"]);
    assert!(r.stderr.starts_with("错误："), "{:?}", r.stderr);
    assert!(r.stderr.contains("无名氏"), "{:?}", r.stderr);
}

#[test]
fn the_database_comes_from_the_environment_too() {
    let db = Db::new();
    let out = std::process::Command::new(bin())
        .env("BRANCHLINK_DB", &db.path)
        .env("BRANCHLINK_NO_SERVER", "1")
        .env("BRANCHLINK_TODAY", common::TODAY)
        .args(["--lang", "en", "event", "add", "training", "--date", "2020-10-28"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let events = db.json(&["event", "list", "--format", "json"]);
    assert_eq!(array(&events).len(), 1);
}

/// A variable set empty is refused as before, wherever the option is
/// written (the command line is parsed first with a lean grammar, which
/// must not accept what the whole one refuses).
#[test]
fn an_empty_database_variable_is_refused_even_beside_the_option() {
    let db = Db::new();
    for args in [
        &["--lang", "en", "--db", "DB", "status"][..],
        &["--lang", "en", "status", "--db", "DB"],
    ] {
        let args: Vec<&std::ffi::OsStr> = args
            .iter()
            .map(|a| {
                if *a == "DB" {
                    db.path.as_os_str()
                } else {
                    std::ffi::OsStr::new(a)
                }
            })
            .collect();
        let out = std::process::Command::new(bin())
            .env("BRANCHLINK_DB", "")
            .env("BRANCHLINK_NO_SERVER", "1")
            .env("BRANCHLINK_TODAY", common::TODAY)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--db <PATH>"), "{args:?}: {stderr}");
    }
}

// ---------------------------------------------------------------- commands

#[test]
fn leaders_and_branches() {
    let db = Db::new();
    let out = db.ok(&[
        "branch",
        "add",
        OWN,
        "--short",
        "机关一支部",
        "--category",
        "机关",
        "--parent",
        "中共测试局直属机关委员会",
        "--weakness",
        "funding",
        "--weakness",
        "team",
        "--weakness",
        "队伍建设",
    ]);
    assert_eq!(out.trim(), format!("added branch {OWN} (id 1)"));
    db.ok(&["branch", "add", LOTTERY]);
    let branches = db.json(&["branch", "list", "--format", "json"]);
    assert_eq!(ids(&branches), [1, 2]);
    let b = &branches[0];
    assert_eq!(b["name"], OWN);
    assert_eq!(b["short"], "机关一支部");
    assert_eq!(b["category"], "机关");
    assert_eq!(b["parent"], "中共测试局直属机关委员会");
    // Sorted and deduplicated, ids in JSON.
    assert_eq!(b["weaknesses"], serde_json::json!(["team", "funding"]));
    // No short name: the full name is shown.
    assert_eq!(branches[1]["short"], LOTTERY);
    let table = db.ok(&["branch", "list"]);
    assert!(table.contains("机关一支部") && table.contains(LOTTERY), "{table}");

    let out = db.ok(&[
        "leader",
        "add",
        "  瑞林 ",
        "--title",
        "书记、局长",
        "--role",
        "secretary",
        "--own-branch",
        "机关一",
        "--from",
        "2018-01-01",
    ]);
    assert_eq!(out.trim(), "added leader 瑞林 (id 1)");
    // Role by its Chinese name, from defaults to today.
    db.ok(&["leader", "add", "俊华", "--title", "副局长", "--role", "班子成员"]);
    db.ok(&["leader", "add", "海友", "--title", "副局长"]);
    let leaders = db.json(&["leader", "list", "--format", "json"]);
    assert_eq!(ids(&leaders), [1, 2, 3]);
    assert_eq!(leaders[0]["name"], "瑞林");
    assert_eq!(leaders[0]["title"], "书记、局长");
    assert_eq!(leaders[0]["role"], "secretary");
    assert_eq!(leaders[0]["own_branch"], 1);
    assert_eq!(leaders[0]["in_post_from"], "2018-01-01");
    assert_eq!(leaders[0]["in_post_to"], Value::Null);
    assert_eq!(leaders[1]["role"], "member");
    assert_eq!(leaders[1]["in_post_from"], common::TODAY);
    assert_eq!(leaders[2]["role"], "member");
    assert_eq!(leaders[2]["own_branch"], Value::Null);
    let table = db.ok(&["leader", "list"]);
    assert!(
        table.contains("瑞林") && table.contains("书记、局长") && table.contains("机关一支部"),
        "{table}"
    );
}

#[test]
fn points_assign_and_list() {
    let db = small();
    let points = db.json(&["point", "list", "--format", "json"]);
    assert_eq!(ids(&points), [1, 2]);
    assert_eq!(points[0]["leader"], 1);
    assert_eq!(points[0]["branch"], 2);
    assert_eq!(points[0]["start"], "2020-08-28");
    assert_eq!(points[0]["cycle_start"], "2020-08-28");
    assert_eq!(points[0]["cycle_years"], 2);
    assert_eq!(points[0]["state"], "active");
    assert_eq!(points[1]["leader"], 2);
    assert_eq!(points[1]["branch"], 3);
    // Start defaults to today; the cycle length is taken.
    db.ok(&[
        "branch",
        "add",
        "中共测试射击射箭运动管理中心委员会第二党支部",
        "--short",
        "射击二支部",
    ]);
    let out = db.ok(&["point", "assign", "王海", "射击二", "--years", "3"]);
    assert_eq!(
        out.trim(),
        "contact point set: 王海 works with 射击二支部 from 2020-12-15, cycle until 2023-12-15 (id 3)"
    );
    let points = db.json(&["point", "list", "--format", "json"]);
    assert_eq!(points[2]["leader"], 3);
    assert_eq!(points[2]["branch"], 4);
    assert_eq!(points[2]["cycle_years"], 3);
    let table = db.ok(&["point", "list"]);
    assert!(
        table.contains("彩票中心") && table.contains("2022-08-28") && table.contains("2023-12-15"),
        "{table}"
    );
    // One open point per leader; the cycle length is checked.
    let m = db.refused(&["point", "assign", "瑞林", "射击二支部"]);
    assert!(m.contains("瑞林") && m.contains("already has"), "{m}");
    db.ok(&["leader", "add", "成亮", "--title", "副局长", "--from", "2018-01-01"]);
    db.refused(&["point", "assign", "成亮", "射击二支部", "--years", "0"]);
    db.refused(&["point", "assign", "成亮", "射击二支部", "--years", "11"]);
    let m = db.refused(&["point", "assign", "成亮", "不存在的支部"]);
    assert!(m.contains("no branch") && m.contains("不存在的支部"), "{m}");
}

#[test]
fn visits_add_list_delete() {
    let db = small();
    let out = db.ok(&[
        "visit",
        "add",
        "瑞林",
        "--kind",
        "research",
        "--date",
        "2020-09-10",
        "--place",
        "彩票中心会议室",
        "--participants",
        "支部委员",
        "--findings",
        "三会一课记录不全",
        "--actions",
        "制定组织生活计划表",
        "--note",
        "第一次\n\t蹲点",
    ]);
    assert_eq!(out.trim(), "saved activity 1: 2020-09-10 瑞林 on-site research");
    db.ok(&["visit", "add", "瑞林", "--kind", "蹲点调研", "--date", "2020-11-12"]);
    // Work is recorded once done: a date after today is refused, whatever
    // the command (today is 2020-12-15 here).
    for args in [
        &["visit", "add", "1", "--kind", "lecture", "--date", "2021-03-01"][..],
        &[
            "problem",
            "add",
            "瑞林",
            "--category",
            "other",
            "--found",
            "2020-12-16",
            "问题",
        ],
        &["event", "add", "analysis", "--date", "2021-01-10"],
        &["point", "review", "瑞林", "--continue", "--date", "2021-01-10"],
        &["point", "handover", "瑞林", "海友", "--date", "2020-12-16"],
        &["plan", "tick", "1.1", "--date", "2020-12-16"],
        &[
            "assess",
            "瑞林",
            "--grades",
            "好,好,好,好,好",
            "--satisfaction",
            "90",
            "--date",
            "2020-12-16",
        ],
    ] {
        let m = db.refused(args);
        assert!(m.contains("is after today"), "{args:?}: {m}");
        // A full date is not repeated in brackets.
        assert!(!m.contains("(20"), "{args:?}: {m}");
    }
    db.ok_on(
        "2021-03-01",
        &["visit", "add", "1", "--kind", "lecture", "--date", "2021-03-01"],
    );
    db.ok(&["visit", "add", "海友", "--kind", "走访慰问", "--date", "2020-10-01"]);
    let out = db.ok(&["visit", "add", "海友", "--kind", "interview"]);
    assert!(out.starts_with("saved activity 5: 2020-12-15 海友"), "{out}");
    db.ok(&["visit", "add", "海友", "--kind", "spot-check", "--date", "yesterday"]);
    // Each kind by its id and by its Chinese name.
    for (id, zh) in [
        ("guidance", "调度指导"),
        ("analysis", "分析研判"),
        ("org-life", "组织生活"),
        ("theme-day", "主题党日"),
    ] {
        db.ok_on(
            "2021-06-01",
            &["visit", "add", "海友", "--kind", id, "--date", "2021-05-01"],
        );
        db.ok_on(
            "2021-06-01",
            &["visit", "add", "海友", "--kind", zh, "--date", "2021-05-02"],
        );
    }

    let all = db.json(&["visit", "list", "--format", "json"]);
    assert_eq!(array(&all).len(), 14);
    let a1 = array(&all).iter().find(|a| a["id"] == 1).unwrap();
    assert_eq!(a1["date"], "2020-09-10");
    assert_eq!(a1["leader"], 1);
    assert_eq!(a1["point"], 1);
    assert_eq!(a1["kind"], "research");
    assert_eq!(a1["place"], "彩票中心会议室");
    assert_eq!(a1["participants"], "支部委员");
    assert_eq!(a1["findings"], "三会一课记录不全");
    assert_eq!(a1["actions"], "制定组织生活计划表");
    // Line breaks and tabs are stored as one space.
    assert_eq!(a1["note"], "第一次 蹲点");
    let kinds: Vec<&str> = array(&all)
        .iter()
        .filter(|a| a["date"] == "2021-05-02")
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["guidance", "analysis", "org-life", "theme-day"]);

    let y2020 = db.json(&["visit", "list", "--year", "2020", "--format", "json"]);
    assert_eq!(ids(&y2020), [1, 4, 2, 6, 5], "oldest first");
    let dates: Vec<&str> = array(&y2020).iter().map(|a| a["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        ["2020-09-10", "2020-10-01", "2020-11-12", "2020-12-14", "2020-12-15"]
    );
    assert_eq!(
        ids(&db.json(&["visit", "list", "--leader", "瑞林", "--format", "json"])),
        [1, 2, 3]
    );
    assert_eq!(
        ids(&db.json(&["visit", "list", "--leader", "1", "--year", "2021", "--format", "json"])),
        [3]
    );
    assert_eq!(
        array(&db.json(&["visit", "list", "--leader", "王海", "--format", "json"])).len(),
        0
    );
    let table = db.ok(&["visit", "list", "--year", "2020"]);
    assert!(
        table.contains("2020-09-10") && table.contains("彩票中心") && table.contains("瑞林"),
        "{table}"
    );
    assert_eq!(db.ok(&["visit", "list", "--year", "2022"]).trim(), "(no records)");

    let status = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(rule(&status, "瑞林", "research"), (2, 2, 2, true));
    assert_eq!(rule(&status, "海友", "org_life"), (1, 1, 1, true));
    assert_eq!(db.ok(&["visit", "delete", "2"]).trim(), "deleted activity 2");
    assert_eq!(
        ids(&db.json(&["visit", "list", "--leader", "瑞林", "--format", "json"])),
        [1, 3]
    );
    let status = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(rule(&status, "瑞林", "research"), (1, 2, 2, false));
    let m = db.refused(&["visit", "delete", "2"]);
    assert!(m.contains('2'), "{m}");
    // A leader without a contact point cannot log a visit.
    let m = db.refused(&["visit", "add", "王海", "--kind", "research"]);
    assert!(m.contains("王海") && m.contains("no contact point"), "{m}");
    // The next id continues after a deleted one.
    let out = db.ok(&["visit", "add", "瑞林", "--kind", "research", "--date", "2020-11-20"]);
    assert!(out.starts_with("saved activity 15:"), "{out}");
}

#[test]
fn problems_add_solve_reopen_list() {
    let db = small();
    let out = db.ok(&[
        "problem",
        "add",
        "瑞林",
        "--category",
        "irregular-org-life",
        "三会一课记录不全",
        "--found",
        "2020-09-10",
        "--measures",
        "制定组织生活计划表",
    ]);
    assert_eq!(out.trim(), "recorded problem 1: 三会一课记录不全");
    db.ok(&[
        "problem",
        "add",
        "海友",
        "--category",
        "班子配备不齐",
        "支部委员缺额1名",
        "--found",
        "2020-10-01",
    ]);
    db.ok(&["problem", "add", "瑞林", "--category", "other", "经费不足"]);
    for (i, c) in [
        "leadership-gap",
        "weak-role",
        "inspection",
        "巡视巡察发现问题",
        "作用发挥不好",
    ]
    .iter()
    .enumerate()
    {
        db.ok_on(
            "2021-06-01",
            &[
                "problem",
                "add",
                "海友",
                "--category",
                c,
                &format!("问题{i}"),
                "--found",
                "2021-03-01",
            ],
        );
    }
    let all = db.json(&["problem", "list", "--format", "json"]);
    assert_eq!(ids(&all), [1, 2, 3, 4, 5, 6, 7, 8]);
    let cats: Vec<&str> = array(&all).iter().map(|p| p["category"].as_str().unwrap()).collect();
    assert_eq!(
        cats,
        [
            "irregular-org-life",
            "leadership-gap",
            "other",
            "leadership-gap",
            "weak-role",
            "inspection",
            "inspection",
            "weak-role"
        ]
    );
    assert_eq!(all[0]["point"], 1);
    assert_eq!(all[0]["leader"], 1);
    assert_eq!(all[0]["found"], "2020-09-10");
    assert_eq!(all[0]["measures"], "制定组织生活计划表");
    assert_eq!(all[0]["state"], "open");
    assert_eq!(all[0]["solved"], Value::Null);
    assert_eq!(all[2]["found"], common::TODAY);

    let out = db.ok(&[
        "problem",
        "solve",
        "1",
        "--date",
        "2020-11-12",
        "--measures",
        "支部书记每月检查",
    ]);
    assert_eq!(out.trim(), "problem 1 marked solved (2020-11-12)");
    let solved = db.json(&["problem", "list", "--solved", "--format", "json"]);
    assert_eq!(ids(&solved), [1]);
    assert_eq!(solved[0]["state"], "solved");
    assert_eq!(solved[0]["solved"], "2020-11-12");
    assert_eq!(solved[0]["solved_by"], 1);
    assert_eq!(solved[0]["measures"], "支部书记每月检查");
    assert_eq!(
        ids(&db.json(&["problem", "list", "--open", "--format", "json"])),
        [2, 3, 4, 5, 6, 7, 8]
    );
    assert_eq!(
        ids(&db.json(&["problem", "list", "--year", "2021", "--format", "json"])),
        [4, 5, 6, 7, 8]
    );
    let table = db.ok(&["problem", "list", "--solved"]);
    assert!(
        table.contains("三会一课记录不全") && table.contains("2020-11-12"),
        "{table}"
    );
    let status = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(rule(&status, "瑞林", "problems_solved"), (1, 1, 2, true));

    let m = db.refused(&["problem", "solve", "1"]);
    assert!(m.contains("problem 1 is already solved"), "{m}");
    let m = db.refused(&["problem", "reopen", "2"]);
    assert!(m.contains("problem 2 is not solved"), "{m}");
    db.refused(&["problem", "solve", "99"]);
    db.refused(&["problem", "reopen", "99"]);
    // Solved before it was found.
    let m = db.refused(&["problem", "solve", "2", "--date", "2020-09-30"]);
    assert!(m.contains("2020-09-30") && m.contains("2020-10-01"), "{m}");

    assert_eq!(db.ok(&["problem", "reopen", "1"]).trim(), "problem 1 reopened");
    assert_eq!(
        array(&db.json(&["problem", "list", "--solved", "--format", "json"])).len(),
        0
    );
    let status = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(rule(&status, "瑞林", "problems_solved"), (0, 1, 2, false));
    // Solved in 2021: counts in 2021, listed under both years.
    db.ok_on("2021-01-05", &["problem", "solve", "1", "--date", "2021-01-05"]);
    assert_eq!(
        ids(&db.json(&["problem", "list", "--year", "2021", "--format", "json"])),
        [1, 4, 5, 6, 7, 8]
    );
    assert!(ids(&db.json(&["problem", "list", "--year", "2020", "--format", "json"])).contains(&1));
    let s2021 = db.json(&["status", "--year", "2021", "--format", "json"]);
    assert_eq!(rule(&s2021, "瑞林", "problems_solved").0, 1);
    let s2020 = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(rule(&s2020, "瑞林", "problems_solved").0, 0);
}

#[test]
fn events_add_list_and_bureau_status() {
    let db = Db::new();
    let out = db.ok(&[
        "event",
        "add",
        "training",
        "--date",
        "2020-10-28",
        "--note",
        "基层党支部书记集中轮训",
    ]);
    assert_eq!(
        out.trim(),
        "recorded bureau event 1: 2020-10-28 branch secretary training"
    );
    db.ok(&["event", "add", "专题研究党支部建设", "--date", "2020-09-03"]);
    db.ok_on("2021-01-10", &["event", "add", "analysis", "--date", "2021-01-10"]);
    db.ok(&["event", "add", "thematic-study"]);
    let all = db.json(&["event", "list", "--format", "json"]);
    assert_eq!(ids(&all), [2, 1, 4, 3], "date order");
    assert_eq!(all[1]["kind"], "training");
    assert_eq!(all[1]["note"], "基层党支部书记集中轮训");
    assert_eq!(all[0]["kind"], "thematic-study");
    assert_eq!(all[2]["date"], common::TODAY);
    assert_eq!(
        ids(&db.json(&["event", "list", "--year", "2021", "--format", "json"])),
        [3]
    );
    let table = db.ok(&["event", "list", "--year", "2020"]);
    assert!(
        table.contains("2020-10-28") && table.contains("基层党支部书记集中轮训"),
        "{table}"
    );

    let s = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(bureau(&s, "training"), (1, 1, 1, true));
    assert_eq!(bureau(&s, "thematic_study"), (2, 1, 1, true));
    assert_eq!(bureau(&s, "own_branch_analysis"), (0, 1, 1, false));
    let s = db.json(&["status", "--year", "2021", "--format", "json"]);
    assert_eq!(bureau(&s, "training"), (0, 1, 1, false));
    assert_eq!(bureau(&s, "own_branch_analysis"), (1, 1, 1, true));

    // An event recorded by mistake is deleted, and stops counting.
    assert_eq!(db.ok(&["event", "delete", "1"]).trim(), "deleted bureau event 1");
    let s = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(bureau(&s, "training"), (0, 1, 1, false));
    assert_eq!(ids(&db.json(&["event", "list", "--format", "json"])), [2, 4, 3]);
    let m = db.refused(&["event", "delete", "1"]);
    assert_eq!(m, "no bureau event \"1\"");
    common::check_indexes(&db.path);
}

/// A leader's record corrected: the name (found by the new one only), the
/// title, the days in post; the rules of adding hold.
#[test]
fn a_leader_is_corrected() {
    let db = small();
    let out = db.ok(&[
        "leader",
        "edit",
        "海友",
        "--name",
        "李明",
        "--title",
        "党组成员、副局长",
        "--from",
        "2019-03-01",
    ]);
    assert_eq!(out.trim(), "corrected leader 2");
    let l = array(&db.json(&["leader", "list", "--format", "json"]))[1].clone();
    assert_eq!(
        (&l["name"], &l["title"], &l["in_post_from"]),
        (
            &serde_json::json!("李明"),
            &serde_json::json!("党组成员、副局长"),
            &serde_json::json!("2019-03-01")
        )
    );
    assert_eq!(
        db.refused(&["visit", "add", "海友", "--kind", "research"]),
        "no leader \"海友\""
    );
    db.ok(&["visit", "add", "李明", "--kind", "research"]);
    common::check_indexes(&db.path);
    // Refused, and nothing changed: a name taken, a post ending before it
    // starts, the open point's branch as the own branch.
    let m = db.refused(&["leader", "edit", "李明", "--name", "瑞林"]);
    assert!(m.contains("瑞林"), "{m}");
    let m = db.refused(&["leader", "edit", "李明", "--to", "2018-12-31"]);
    assert!(m.contains("2018-12-31"), "{m}");
    let m = db.refused(&["leader", "edit", "李明", "--own-branch", "科研所"]);
    assert!(m.contains("own branch"), "{m}");
    let m = db.refused(&["leader", "edit", "李明", "--to", "2020-12-01"]);
    assert!(m.contains("hand it over"), "{m}");
    // Without a point, the post can end; `none` takes the end back.
    db.ok(&["leader", "edit", "王海", "--to", "2020-12-01"]);
    db.ok(&["leader", "edit", "王海", "--to", "none"]);
    let l = array(&db.json(&["leader", "list", "--format", "json"]))[2].clone();
    assert_eq!(l["in_post_to"], Value::Null);
    // A point closed by its review is still theirs: not their own branch
    // either (an export with that pair would not import).
    db.ok(&["point", "review", "李明", "--transformed", "--date", "2020-12-01"]);
    let m = db.refused(&["leader", "edit", "李明", "--own-branch", "科研所"]);
    assert!(m.contains("own branch"), "{m}");
    // What the corrections left exports and imports again.
    let file = db.file("corrected.json");
    db.ok(&["export", file.to_str().unwrap()]);
    let other = Db::new();
    other.ok(&["import", file.to_str().unwrap()]);
}

/// A branch's names corrected: lookups take the new ones; a name another
/// branch answers to is refused.
#[test]
fn a_branch_is_corrected() {
    let db = small();
    let out = db.ok(&[
        "branch",
        "edit",
        "科研所",
        "--name",
        "中共吉林省体育科学研究所党支部",
        "--short",
        "体科所支部",
        "--weakness",
        "team",
    ]);
    assert_eq!(out.trim(), "corrected branch 3");
    let b = array(&db.json(&["branch", "list", "--format", "json"]))[2].clone();
    assert_eq!(b["name"], "中共吉林省体育科学研究所党支部");
    assert_eq!(b["short"], "体科所支部");
    assert_eq!(b["weaknesses"], serde_json::json!(["team"]));
    assert_eq!(b["category"], Value::Null, "what was not given stays");
    let m = db.refused(&["branch", "edit", "体科所支部", "--short", "彩票中心"]);
    assert!(m.contains("彩票中心"), "{m}");
    // The point is still the same branch's.
    let status = db.json(&["status", "--year", "2020", "--format", "json"]);
    let l = leader_in(&status, "海友").clone();
    assert_eq!(l["branch"], "体科所支部");
}

/// A problem's record corrected; its solving stays, and a day found that
/// the leader held no point, or after it was solved, is refused.
#[test]
fn a_problem_is_corrected() {
    let db = small();
    db.ok(&[
        "problem",
        "add",
        "海友",
        "--category",
        "other",
        "支部委员缺额",
        "--found",
        "2020-09-10",
    ]);
    db.ok(&["problem", "solve", "1", "--date", "2020-10-01"]);
    let out = db.ok(&[
        "problem",
        "edit",
        "1",
        "--category",
        "班子配备不齐",
        "--description",
        "支部委员缺额1名",
        "--found",
        "2020-09-12",
    ]);
    assert_eq!(out.trim(), "corrected problem 1");
    let p = array(&db.json(&["problem", "list", "--format", "json"]))[0].clone();
    assert_eq!(
        (
            &p["category"],
            &p["description"],
            &p["found"],
            &p["state"],
            &p["solved"]
        ),
        (
            &serde_json::json!("leadership-gap"),
            &serde_json::json!("支部委员缺额1名"),
            &serde_json::json!("2020-09-12"),
            &serde_json::json!("solved"),
            &serde_json::json!("2020-10-01")
        )
    );
    let m = db.refused(&["problem", "edit", "1", "--found", "2020-08-01"]);
    assert!(m.contains("2020-08-01"), "{m}");
    let m = db.refused(&["problem", "edit", "1", "--found", "2020-10-02"]);
    assert!(m.contains("2020-10-02"), "{m}");
    db.refused(&["problem", "edit", "9", "--description", "x"]);
    common::check_indexes(&db.path);
}

/// Records made by mistake: a problem, and a leader who never held a point.
#[test]
fn mistakes_are_deleted_and_work_done_is_kept() {
    let db = small();
    db.ok(&[
        "problem",
        "add",
        "瑞林",
        "--category",
        "other",
        "经费不足",
        "--found",
        "2020-09-10",
    ]);
    db.ok(&[
        "problem",
        "add",
        "瑞林",
        "--category",
        "other",
        "误记",
        "--found",
        "2020-09-11",
    ]);
    db.ok(&["problem", "solve", "2", "--date", "2020-10-01"]);
    let s = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(rule(&s, "瑞林", "problems_solved").0, 1);
    assert_eq!(db.ok(&["problem", "delete", "2"]).trim(), "deleted problem 2");
    let s = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(rule(&s, "瑞林", "problems_solved").0, 0, "its count goes with it");
    assert_eq!(ids(&db.json(&["problem", "list", "--format", "json"])), [1]);
    db.refused(&["problem", "delete", "2"]);

    // A leader added by mistake: deleted, and the name is free again.
    db.ok(&["leader", "add", "王小海", "--title", "副局长"]);
    assert_eq!(
        db.ok(&["leader", "delete", "王小海"]).trim(),
        "deleted leader 王小海 (id 4)"
    );
    // Gone from the name index too (a stale entry would read as damage).
    let m = db.refused(&["leader", "delete", "王小海"]);
    assert_eq!(m, "no leader \"王小海\"");
    common::check_indexes(&db.path);
    db.ok(&["leader", "add", "王小海", "--title", "副局长"]);
    // One who held a point is kept, with a way out named.
    let m = db.refused(&["leader", "delete", "瑞林"]);
    assert!(m.contains("point handover"), "{m}");
    let names: Vec<String> = array(&db.json(&["leader", "list", "--format", "json"]))
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["瑞林", "海友", "王海", "王小海"]);
}

#[test]
fn status_json_shape_and_table() {
    let db = small();
    db.ok(&["visit", "add", "瑞林", "--kind", "research", "--date", "2020-09-10"]);
    db.ok(&["visit", "add", "海友", "--kind", "theme-day", "--date", "2020-10-16"]);
    // No --year: the year of today (BRANCHLINK_TODAY).
    let s = db.json(&["status", "--format", "json"]);
    assert_eq!(s["year"], 2020);
    let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{s}");
    let leaders = array(&s["leaders"]);
    let names: Vec<&str> = leaders.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["瑞林", "海友", "王海"], "the secretary first, then by id");
    let l = &leaders[0];
    assert_eq!(l["id"], 1);
    assert_eq!(l["title"], "书记、局长");
    assert_eq!(l["branch"], "彩票中心");
    assert_eq!(l["point"], 1);
    assert_eq!(l["role"], "secretary");
    let rules: Vec<&str> = array(&l["rules"]).iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["research", "problems_solved", "org_life"]);
    let rules: Vec<&str> = array(&s["bureau"])
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["training", "thematic_study", "own_branch_analysis"]);
    assert_eq!(rule(&s, "瑞林", "research"), (1, 2, 2, false));
    assert_eq!(rule(&s, "海友", "org_life"), (1, 1, 1, true));
    assert_eq!(leaders[2]["branch"], Value::Null);
    assert_eq!(leaders[2]["point"], Value::Null);
    // A leader in post from 2018 appears in 2019 without any work done.
    let s2019 = db.json(&["status", "--year", "2019", "--format", "json"]);
    assert_eq!(rule(&s2019, "瑞林", "research"), (0, 2, 2, false));

    let table = db.ok(&["status", "--year", "2020"]);
    assert!(table.contains("Contact-point work in 2020"), "{table}");
    assert!(
        table.contains("瑞林") && table.contains("彩票中心") && table.contains("1/2"),
        "{table}"
    );
    // With no command the workbench opens; without a terminal that is a
    // clear one-line error, not a broken screen.
    let m = db.fails(&[]);
    assert!(m.contains("terminal"), "{m}");
    let m = db.fails(&["status", "--year", "1900"]);
    assert!(m.contains("1900"), "{m}");
}

#[test]
fn audit_lists_every_change_with_the_os_user() {
    let db = Db::new();
    db.ok(&["branch", "add", OWN]);
    db.ok(&["branch", "add", LOTTERY, "--short", "彩票中心"]);
    db.ok(&[
        "leader",
        "add",
        "瑞林",
        "--title",
        "书记、局长",
        "--own-branch",
        "1",
        "--from",
        "2018-01-01",
    ]);
    db.ok(&["point", "assign", "瑞林", "彩票中心", "--from", "2020-08-28"]);
    db.ok(&["leader", "list"]);
    db.ok(&["status"]);
    let entries = db.audit();
    // One entry per change, none for reads; newest first.
    let actions: Vec<&str> = entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["branch.add", "branch.add", "leader.add", "point.assign"]);
    for (i, e) in entries.iter().rev().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1);
        assert_eq!(e["user"], common::USER, "the OS user ($USER) is recorded");
        assert!(e["at_ms"].as_i64().unwrap() > 0);
    }
    assert!(entries[3]["detail"].as_str().unwrap().contains(OWN));
    let last_two = db.json(&["audit", "--limit", "2"]);
    assert_eq!(array(&last_two).len(), 2);
    assert_eq!(last_two[0]["seq"], 4);
    assert_eq!(last_two[1]["seq"], 3);
    db.ok(&["visit", "add", "瑞林", "--kind", "research", "--date", "2020-09-10"]);
    let newest = &db.audit()[0];
    assert_eq!(newest["seq"], 5);
    assert_eq!(newest["action"], "activity.add");
    // A refused command adds no entry.
    db.fails(&["visit", "add", "瑞林", "--kind", "party"]);
    assert_eq!(db.audit().len(), 5);
}

// ---------------------------------------------------------------- contact point cycle

#[test]
fn review_transformed_closes_the_point_and_a_new_one_can_be_assigned() {
    let db = small();
    db.ok(&[
        "branch",
        "add",
        "中共测试射击射箭运动管理中心委员会第二党支部",
        "--short",
        "射击二支部",
    ]);
    let out = db.ok_on(
        "2022-08-28",
        &["point", "review", "瑞林", "--transformed", "--date", "2022-08-28"],
    );
    assert!(
        out.contains("瑞林") && out.contains("彩票中心") && out.contains("transformed and closed"),
        "{out}"
    );
    let points = db.json(&["point", "list", "--format", "json"]);
    let p = &points[0];
    assert_eq!(p["state"], "transformed");
    let history = array(&p["history"]);
    assert_eq!(history.len(), 2);
    assert_eq!(
        history[1],
        serde_json::json!({"date": "2022-08-28", "state": "transformed", "leader": 1})
    );
    // Closed: a second review is refused, a new assignment works.
    let m = db.refused(&["point", "review", "瑞林", "--continue"]);
    assert!(m.contains("no open contact point"), "{m}");
    let out = db.ok(&["point", "assign", "瑞林", "射击二支部", "--from", "2022-09-01"]);
    assert!(out.contains("(id 3)"), "{out}");
    let points = db.json(&["point", "list", "--format", "json"]);
    assert_eq!(points[2]["leader"], 1);
    assert_eq!(points[2]["state"], "active");
    // New work goes to the new point.
    db.ok_on(
        "2022-09-10",
        &["visit", "add", "瑞林", "--kind", "research", "--date", "2022-09-10"],
    );
    let v = db.json(&["visit", "list", "--year", "2022", "--format", "json"]);
    assert_eq!(v[0]["point"], 3);
    let s = db.json(&["status", "--year", "2022", "--format", "json"]);
    let l = leader_in(&s, "瑞林").clone();
    assert_eq!(l["branch"], "射击二支部");
}

#[test]
fn review_continue_extends_the_cycle() {
    let db = small();
    let out = db.ok_on(
        "2022-08-28",
        &["point", "review", "海友", "--continue", "--date", "2022-08-28"],
    );
    assert!(
        out.contains("海友") && out.contains("科研所") && out.contains("2024-08-28"),
        "{out}"
    );
    let p = &db.json(&["point", "list", "--format", "json"])[1];
    assert_eq!(p["state"], "continued");
    assert_eq!(p["start"], "2020-08-28");
    assert_eq!(p["cycle_start"], "2022-08-28");
    assert_eq!(p["cycle_years"], 2);
    assert_eq!(array(&p["history"]).len(), 2);
    // Still open: work can be logged, and another cycle added.
    db.ok_on(
        "2022-09-01",
        &["visit", "add", "海友", "--kind", "research", "--date", "2022-09-01"],
    );
    let out = db.ok_on(
        "2024-09-01",
        &["point", "review", "海友", "--continue", "--date", "2024-09-01"],
    );
    assert!(out.contains("2026-09-01"), "{out}");
    let p = &db.json(&["point", "list", "--format", "json"])[1];
    assert_eq!(p["cycle_start"], "2024-09-01");
    // An open point still blocks a second assignment.
    db.refused(&["point", "assign", "海友", "彩票中心"]);
}

#[test]
fn handover_moves_the_point_to_the_successor() {
    let db = small();
    db.ok(&[
        "leader",
        "add",
        "新书记",
        "--title",
        "书记、局长",
        "--role",
        "secretary",
        "--from",
        "2021-01-01",
    ]);
    let out = db.ok_on(
        "2021-01-01",
        &["point", "handover", "瑞林", "新书记", "--date", "2021-01-01"],
    );
    assert_eq!(
        out.trim(),
        "瑞林's contact point 彩票中心 handed over to 新书记 (from 2021-01-01)"
    );
    let p = &db.json(&["point", "list", "--format", "json"])[0];
    assert_eq!(p["leader"], 4);
    assert_eq!(p["state"], "handed-over");
    assert_eq!(p["start"], "2020-08-28");
    let history = array(&p["history"]);
    assert_eq!(
        history.last().unwrap(),
        &serde_json::json!({"date": "2021-01-01", "state": "handed-over", "leader": 4})
    );
    let leaders = db.json(&["leader", "list", "--format", "json"]);
    assert_eq!(
        leaders[0]["in_post_to"], "2020-12-31",
        "the outgoing leader leaves the day before"
    );
    assert_eq!(leaders[3]["in_post_to"], Value::Null);
    // The successor works the same point.
    let out = db.ok_on(
        "2021-02-01",
        &["visit", "add", "新书记", "--kind", "research", "--date", "2021-02-01"],
    );
    assert!(out.starts_with("saved activity 1:"), "{out}");
    let v = db.json(&["visit", "list", "--leader", "新书记", "--format", "json"]);
    assert_eq!(v[0]["point"], 1);
    assert_eq!(v[0]["leader"], 4);
    let s = db.json(&["status", "--year", "2021", "--format", "json"]);
    assert_eq!(rule(&s, "新书记", "research"), (1, 2, 2, false));
    let names: Vec<&str> = array(&s["leaders"])
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"瑞林"), "瑞林 left the post in 2020: {names:?}");
    let l = leader_in(&s, "新书记").clone();
    assert_eq!(l["branch"], "彩票中心");
    let s2020 = db.json(&["status", "--year", "2020", "--format", "json"]);
    let l = leader_in(&s2020, "瑞林").clone();
    assert_eq!(l["branch"], "彩票中心");
    // Bad hand-overs.
    db.refused(&["point", "handover", "瑞林", "新书记"]);
    let m = db.refused(&["point", "handover", "海友", "海友"]);
    assert!(m.contains("themselves"), "{m}");
    db.ok(&[
        "leader",
        "add",
        "科研人",
        "--title",
        "副局长",
        "--own-branch",
        "科研所",
        "--from",
        "2018-01-01",
    ]);
    let m = db.refused(&["point", "handover", "海友", "科研人"]);
    assert!(m.contains("own branch"), "{m}");
    let m = db.refused(&["point", "handover", "海友", "新书记"]);
    assert!(m.contains("新书记") && m.contains("already has"), "{m}");
}

// ---------------------------------------------------------------- bad input

#[test]
fn empty_names_are_refused() {
    let db = small();
    let before = db.state();
    for args in [
        &["leader", "add", "", "--title", "副局长"][..],
        &["leader", "add", "   ", "--title", "副局长"],
        &["leader", "add", "\t \n", "--title", "副局长"],
        &["leader", "add", "\u{3000}", "--title", "副局长"],
        &["leader", "add", "新人", "--title", "  "],
        &["branch", "add", " "],
        &["problem", "add", "瑞林", "--category", "other", "   "],
    ] {
        let m = db.fails(args);
        assert!(m.contains("must not be empty"), "{args:?}: {m}");
    }
    db.assert_unchanged(&before);
}

#[test]
fn unknown_and_ambiguous_leaders_are_refused() {
    let db = small();
    let before = db.state();
    for args in [
        &["visit", "add", "无名氏", "--kind", "research"][..],
        &["point", "assign", "无名氏", "科研所"],
        &["point", "review", "无名氏", "--continue"],
        &["point", "handover", "无名氏", "王海"],
        &["point", "handover", "瑞林", "无名氏"],
        &["problem", "add", "无名氏", "--category", "other", "描述"],
        &["visit", "list", "--leader", "无名氏"],
        &["leader", "add", "新人", "--title", "副局长", "--own-branch", "无名支部"],
        &["visit", "add", "99", "--kind", "research"],
    ] {
        let m = db.fails(args);
        assert!(
            m.starts_with("no leader") || m.starts_with("no branch"),
            "{args:?}: {m}"
        );
    }
    // 海 is part of 海友 (2) and 王海 (3): the error lists both.
    for args in [
        &["visit", "add", "海", "--kind", "research"][..],
        &["point", "assign", "海", "彩票中心"],
    ] {
        let m = db.fails(args);
        assert!(m.contains("matches several leaders"), "{m}");
        assert!(m.contains("海友 (2)") && m.contains("王海 (3)"), "{m}");
    }
    // A duplicate name is refused too (it would make names ambiguous forever).
    let m = db.fails(&["leader", "add", "瑞林", "--title", "副局长"]);
    assert!(m.contains("already exists"), "{m}");
    let m = db.fails(&["branch", "add", LOTTERY]);
    assert!(m.contains("already exists"), "{m}");
    db.assert_unchanged(&before);
}

#[test]
fn bad_dates_are_refused_with_the_accepted_forms() {
    let db = small();
    db.ok(&[
        "problem",
        "add",
        "瑞林",
        "--category",
        "other",
        "描述",
        "--found",
        "2020-09-01",
    ]);
    let before = db.state();
    for bad in [
        "2020-02-30",
        "2019-02-29",
        "2020-13-01",
        "2020-00-10",
        "2020-9-1",
        "next tuesday",
        "2020/09/10",
        "0230",
    ] {
        let m = db.fails(&["visit", "add", "瑞林", "--kind", "research", "--date", bad]);
        assert!(m.contains(bad), "{bad}: {m}");
        assert!(
            m.contains("2020-09-10") && m.contains("09-10") && m.contains("-3") && m.contains("yesterday"),
            "{bad}: {m}"
        );
    }
    assert!(db.state() == before, "a refused date wrote something");
    // The workbench's short forms, this year's (today is 2020-12-15 here).
    for (short, day) in [("09-10", "2020-09-10"), ("0911", "2020-09-11"), ("-3", "2020-12-12")] {
        let out = db.ok(&["visit", "add", "瑞林", "--kind", "research", "--date", short]);
        assert!(out.contains(day), "{short}: {out}");
    }
    let before = db.state();
    let m = db.fails(&["visit", "add", "瑞林", "--kind", "research", "--date", "1900-01-01"]);
    assert!(m.contains("out of range"), "{m}");
    for args in [
        &[
            "problem",
            "add",
            "瑞林",
            "--category",
            "other",
            "描述",
            "--found",
            "2020-02-30",
        ][..],
        &[
            "problem",
            "add",
            "瑞林",
            "--category",
            "other",
            "描述",
            "--found",
            "someday",
        ],
        &["event", "add", "training", "--date", "2020-02-30"],
        &["point", "review", "瑞林", "--continue", "--date", "2020-02-30"],
        &["point", "handover", "瑞林", "王海", "--date", "2020-02-30"],
        &["leader", "add", "新人", "--title", "副局长", "--from", "2020-02-30"],
    ] {
        let m = db.fails(args);
        assert!(m.contains("cannot read the date"), "{args:?}: {m}");
    }
    db.fails(&["problem", "solve", "1", "--date", "2020-02-30"]);
    // A bad BRANCHLINK_TODAY is a user error too, not a panic.
    let out = db
        .command()
        .env("BRANCHLINK_TODAY", "2020-02-30")
        .args(["visit", "add", "瑞林", "--kind", "research"])
        .output()
        .unwrap();
    let r = common::Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert_user_error(&r, &["BRANCHLINK_TODAY=2020-02-30"]);
    assert!(r.stderr.contains("BRANCHLINK_TODAY"), "{r:?}");
    db.assert_unchanged(&before);
    // 2024-02-29 is a real day.
    db.ok_on(
        "2024-03-01",
        &["visit", "add", "瑞林", "--kind", "research", "--date", "2024-02-29"],
    );
}

#[test]
fn own_branch_kinds_and_categories_are_checked() {
    let db = small();
    let before = db.state();
    let m = db.fails(&["point", "assign", "王海", "机关一支部"]);
    assert!(m.contains("王海") && m.contains("own branch") && m.contains(OWN), "{m}");
    let m = db.fails(&["visit", "add", "瑞林", "--kind", "party"]);
    assert!(
        m.contains("unknown activity kind \"party\"") && m.contains("research") && m.contains("蹲点调研"),
        "{m}"
    );
    let m = db.fails(&["event", "add", "party"]);
    assert!(m.contains("unknown bureau event") && m.contains("training"), "{m}");
    let m = db.fails(&["problem", "add", "瑞林", "--category", "nope", "描述"]);
    assert!(
        m.contains("unknown problem category \"nope\"") && m.contains("leadership-gap"),
        "{m}"
    );
    let m = db.fails(&["leader", "add", "新人", "--title", "副局长", "--role", "boss"]);
    assert!(m.contains("boss"), "{m}");
    let m = db.fails(&["branch", "add", "中共测试新支部", "--weakness", "money"]);
    assert!(m.contains("money"), "{m}");
    db.assert_unchanged(&before);
}

#[test]
fn long_notes_are_refused() {
    let db = small();
    db.ok(&[
        "problem",
        "add",
        "瑞林",
        "--category",
        "other",
        "描述",
        "--found",
        "2020-09-01",
    ]);
    let before = db.state();
    let long = "x".repeat(10_001);
    for args in [
        &["visit", "add", "瑞林", "--kind", "research", "--note", &long][..],
        &["visit", "add", "瑞林", "--kind", "research", "--findings", &long],
        &["visit", "add", "瑞林", "--kind", "research", "--actions", &long],
        &["visit", "add", "瑞林", "--kind", "research", "--participants", &long],
        &["problem", "add", "瑞林", "--category", "other", &long],
        &[
            "problem",
            "add",
            "瑞林",
            "--category",
            "other",
            "描述",
            "--measures",
            &long,
        ],
        &["problem", "solve", "1", "--measures", &long],
        &["event", "add", "training", "--note", &long],
    ] {
        let m = db.fails(args);
        assert!(m.contains("10001 characters, at most 10000"), "{m}");
    }
    // Names are shorter still.
    let long_name = "名".repeat(201);
    db.fails(&["leader", "add", &long_name, "--title", "副局长"]);
    db.fails(&["branch", "add", &long_name]);
    db.assert_unchanged(&before);
    // Exactly 10,000 characters, counted as characters not bytes, is fine.
    let full = "党".repeat(10_000);
    db.ok(&[
        "visit",
        "add",
        "瑞林",
        "--kind",
        "research",
        "--date",
        "2020-09-10",
        "--note",
        &full,
    ]);
    let v = db.json(&["visit", "list", "--format", "json"]);
    assert_eq!(v[0]["note"].as_str().unwrap().chars().count(), 10_000);
}

#[test]
fn terminal_control_text_is_refused() {
    let db = small();
    db.ok(&[
        "problem",
        "add",
        "瑞林",
        "--category",
        "other",
        "描述",
        "--found",
        "2020-09-01",
    ]);
    let before = db.state();
    // NUL cannot pass through argv; U+0001 and DEL stand in for other C0 codes.
    let bad: [(&str, &str); 8] = [
        ("a\u{1b}[31mred", "U+001B"),
        ("\u{1b}]52;c;ZXZpbA==\u{7}", "U+001B"),
        ("x\u{9b}31m", "U+009B"),
        ("abc\u{202e}txt.exe", "U+202E"),
        ("nul\u{1}here", "U+0001"),
        ("del\u{7f}", "U+007F"),
        ("bell\u{7}", "U+0007"),
        ("zero\u{200b}width", "U+200B"),
    ];
    for (text, code) in bad {
        let m = db.fails(&["visit", "add", "瑞林", "--kind", "research", "--note", text]);
        assert!(m.contains(code), "{text:?}: {m}");
        assert!(m.contains("forbidden control character"), "{m}");
        // The message itself carries no control character.
        assert!(!m.chars().any(|c| c.is_control()), "{m:?}");
    }
    // Every text field of every command.
    let esc = "evil\u{1b}[2J";
    for args in [
        &["leader", "add", esc, "--title", "副局长"][..],
        &["leader", "add", "新人", "--title", esc],
        &["branch", "add", esc],
        &["branch", "add", "中共测试新支部", "--short", esc],
        &["branch", "add", "中共测试新支部", "--category", esc],
        &["branch", "add", "中共测试新支部", "--parent", esc],
        &["visit", "add", "瑞林", "--kind", "research", "--place", esc],
        &["visit", "add", "瑞林", "--kind", "research", "--participants", esc],
        &["visit", "add", "瑞林", "--kind", "research", "--findings", esc],
        &["visit", "add", "瑞林", "--kind", "research", "--actions", esc],
        &["problem", "add", "瑞林", "--category", "other", esc],
        &[
            "problem",
            "add",
            "瑞林",
            "--category",
            "other",
            "描述",
            "--measures",
            esc,
        ],
        &["problem", "solve", "1", "--measures", esc],
        &["event", "add", "training", "--note", esc],
    ] {
        let m = db.fails(args);
        assert!(m.contains("U+001B"), "{args:?}: {m}");
    }
    // An unknown name with an escape is echoed without it.
    let r = db.run(&["visit", "add", "\u{1b}[31m无名", "--kind", "research"]);
    assert_user_error(&r, &["visit add ESC"]);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    db.assert_unchanged(&before);
    // Nothing that could drive a terminal reached the database.
    let export = String::from_utf8(db.export()).unwrap();
    assert!(!export.contains('\u{1b}') && !export.contains("\\u001b"), "{export}");
}

// ---------------------------------------------------------------- demo data

#[test]
fn demo_loads_once_and_its_2020_status_is_as_counted_by_hand() {
    let db = Db::new();
    let out = db.ok(&["demo"]);
    assert_eq!(
        out.trim(),
        "loaded the document's five contact points (2020) with sample records"
    );
    let first = db.state();
    let out = db.ok(&["demo"]);
    assert_eq!(out.trim(), "the demo data was loaded before; nothing changed");
    assert!(db.state() == first, "a second demo changed the database");

    let leaders = db.json(&["leader", "list", "--format", "json"]);
    let names: Vec<&str> = array(&leaders).iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["瑞林", "俊华", "海友", "永凯", "成亮"]);
    let points = db.json(&["point", "list", "--format", "json"]);
    assert_eq!(array(&points).len(), 5);
    let branches = db.json(&["branch", "list", "--format", "json"]);
    // Every point is outside its leader's own branch.
    for p in array(&points) {
        let l = array(&leaders).iter().find(|l| l["id"] == p["leader"]).unwrap();
        assert_ne!(l["own_branch"], p["branch"]);
    }
    let lottery = array(&branches)
        .iter()
        .find(|b| b["id"] == points[0]["branch"])
        .unwrap();
    assert_eq!(lottery["name"], "中共吉林省体育彩票管理中心党支部");

    // Counted from src/demo.rs: 瑞林 has research 09-10 and 11-12, a lecture
    // 09-25, and the org-life problem solved 11-12; 永凯 has a home visit and a
    // spot check (which counts for nothing) and the inspection problem solved
    // 12-02; the bureau has thematic study 09-03 and training 10-28.
    let s = db.json(&["status", "--year", "2020", "--format", "json"]);
    assert_eq!(s["year"], 2020);
    assert_eq!(rule(&s, "瑞林", "research"), (2, 2, 2, true));
    assert_eq!(rule(&s, "瑞林", "problems_solved"), (1, 1, 2, true));
    assert_eq!(rule(&s, "瑞林", "org_life"), (1, 1, 1, true));
    assert_eq!(rule(&s, "永凯", "research"), (0, 2, 2, false));
    assert_eq!(rule(&s, "永凯", "problems_solved"), (1, 1, 2, true));
    assert_eq!(rule(&s, "永凯", "org_life"), (1, 1, 1, true));
    assert_eq!(bureau(&s, "training"), (1, 1, 1, true));
    assert_eq!(bureau(&s, "thematic_study"), (1, 1, 1, true));
    assert_eq!(bureau(&s, "own_branch_analysis"), (0, 1, 1, false));
    let ruilin = leader_in(&s, "瑞林").clone();
    assert_eq!(ruilin["title"], "书记、局长");
    assert_eq!(ruilin["branch"], "体彩中心支部");
    assert_eq!(ruilin["role"], "secretary");
    assert_eq!(
        array(&db.json(&["visit", "list", "--year", "2020", "--format", "json"])).len(),
        11
    );
    assert_eq!(
        array(&db.json(&["problem", "list", "--solved", "--format", "json"])).len(),
        2
    );
    // Nothing of the demo falls in 2021.
    let s = db.json(&["status", "--year", "2021", "--format", "json"]);
    assert_eq!(rule(&s, "瑞林", "research").0, 0);
}

// ---------------------------------------------------------------- export / import

#[test]
fn export_import_export_is_byte_identical() {
    let a = Db::new();
    a.ok(&["demo"]);
    // Some history beyond the demo: a hand-over, a review, a deletion.
    a.ok(&[
        "leader",
        "add",
        "新书记",
        "--title",
        "书记、局长",
        "--role",
        "secretary",
        "--from",
        "2021-01-01",
    ]);
    a.ok_on(
        "2021-01-01",
        &["point", "handover", "瑞林", "新书记", "--date", "2021-01-01"],
    );
    a.ok_on(
        "2022-08-28",
        &["point", "review", "俊华", "--continue", "--date", "2022-08-28"],
    );
    a.ok(&["visit", "delete", "3"]);
    let first = a.file("first.json");
    let out = a.ok(&["export", first.to_str().unwrap()]);
    assert!(out.starts_with("exported "), "{out}");
    let first_bytes = std::fs::read(&first).unwrap();
    let snapshot: Value = serde_json::from_slice(&first_bytes).unwrap();
    assert_eq!(snapshot["format"], "branchlink");
    assert_eq!(array(&snapshot["activities"]).len(), 10);

    let b = Db::new();
    let out = b.ok(&["import", first.to_str().unwrap()]);
    assert!(out.starts_with("imported "), "{out}");
    let second = b.file("second.json");
    b.ok(&["export", second.to_str().unwrap()]);
    let second_bytes = std::fs::read(&second).unwrap();
    assert!(first_bytes == second_bytes, "export → import → export differs");
    // The imported database works like the original.
    for year in ["2020", "2021"] {
        assert_eq!(
            a.json(&["status", "--year", year, "--format", "json"]),
            b.json(&["status", "--year", year, "--format", "json"])
        );
    }
    // Ids continue after the imported ones in both.
    let out = b.ok_on(
        "2021-03-01",
        &["visit", "add", "新书记", "--kind", "research", "--date", "2021-03-01"],
    );
    assert!(out.starts_with("saved activity 12:"), "{out}");
    let out = b.ok_on(
        "2021-03-01",
        &["problem", "add", "新书记", "--category", "other", "新问题"],
    );
    assert!(out.starts_with("recorded problem 6:"), "{out}");

    // Import into a database that holds anything is refused, and writes nothing.
    let m = a.refused(&["import", first.to_str().unwrap()]);
    assert!(m.contains("empty database"), "{m}");
    let c = Db::new();
    c.ok(&["event", "add", "training"]);
    c.refused(&["import", first.to_str().unwrap()]);
}

#[test]
fn broken_import_files_write_nothing() {
    let a = Db::new();
    a.ok(&["demo"]);
    let good = a.file("good.json");
    a.ok(&["export", good.to_str().unwrap()]);
    let text = std::fs::read_to_string(&good).unwrap();
    let snapshot: Value = serde_json::from_str(&text).unwrap();

    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("invalid JSON", b"{\"format\": \"branchlink\", ".to_vec()),
        ("empty", Vec::new()),
        ("not an object", b"[1, 2, 3]".to_vec()),
    ];
    // Invalid UTF-8 inside an otherwise good file.
    let mut bytes = text.clone().into_bytes();
    let at = text.find("瑞林").unwrap();
    bytes[at] = 0xFF;
    cases.push(("invalid UTF-8", bytes));
    let mut edit = |what: &'static str, f: &dyn Fn(&mut Value)| {
        let mut v = snapshot.clone();
        f(&mut v);
        cases.push((what, serde_json::to_vec_pretty(&v).unwrap()));
    };
    edit("an activity of a missing leader", &|v| {
        v["activities"][3]["leader"] = 99.into()
    });
    edit("a problem at a missing point", &|v| {
        v["problems"][4]["point"] = 99.into()
    });
    edit("a point of a missing branch", &|v| v["points"][0]["branch"] = 99.into());
    edit("a leader's missing own branch", &|v| {
        v["leaders"][1]["own_branch"] = 99.into()
    });
    edit("a duplicate id", &|v| v["activities"][1]["id"] = 1.into());
    edit("an escape in a name", &|v| {
        v["leaders"][0]["name"] = "瑞\u{1b}[31m林".into()
    });
    edit("an impossible date", &|v| {
        v["activities"][0]["date"] = "2020-02-30".into()
    });
    edit("an empty name", &|v| v["branches"][2]["name"] = "  ".into());
    edit("an unknown kind", &|v| v["activities"][0]["kind"] = "party".into());
    edit("another format", &|v| v["format"] = "other".into());
    edit("an unknown field", &|v| v["extra"] = 1.into());
    edit("a point in its leader's own branch", &|v| {
        let own = v["leaders"][0]["own_branch"].clone();
        v["points"][0]["branch"] = own;
    });
    edit("a solved problem without its date", &|v| {
        v["problems"][0]["solved"] = Value::Null
    });

    // One empty database takes every broken file in turn. A file that wrote
    // anything would make every later import fail as "not empty" and the
    // database not empty at the end; the message is checked for that.
    let db = Db::new();
    let empty = db.state();
    assert_eq!(empty.1, 0);
    for (what, bytes) in cases {
        let file = db.file("broken.json");
        std::fs::write(&file, &bytes).unwrap();
        let m = db.fails(&["import", file.to_str().unwrap()]);
        assert!(!m.contains("empty database"), "{what}: an earlier import wrote: {m}");
    }
    // A missing file is a one-line error too.
    let m = db.fails(&["import", db.file("missing.json").to_str().unwrap()]);
    assert!(m.contains("missing.json"), "{m}");
    db.assert_unchanged(&empty);
    // And the untouched file still imports.
    db.ok(&["import", good.to_str().unwrap()]);
}

// ---------------------------------------------------------------- the lock

#[test]
fn a_database_in_use_gives_one_line_naming_the_path() {
    let db = small();
    // Through `reopen`: a child another test spawns may hold the lock for
    // the moment between its fork and its exec (see `common::reopen`).
    let held = common::reopen(&db.path);
    for args in [&["status"][..], &["event", "add", "training"], &["leader", "list"]] {
        let r = db.run_once(args);
        assert_user_error(&r, args);
        let shown = db.path.display().to_string();
        assert!(r.stderr.contains(&shown), "{args:?}: path not named: {:?}", r.stderr);
        assert!(r.stderr.contains("in use"), "{:?}", r.stderr);
    }
    assert!(held.events(None).unwrap().is_empty(), "the refused process wrote");
    drop(held);
    common::wait_closed(&db.path);
    db.ok(&["event", "add", "training"]);
    assert_eq!(array(&db.json(&["event", "list", "--format", "json"])).len(), 1);
}

/// A one-shot command on its own store exits without dropping sled
/// (`Store::leave`): what it reported saved is there all the same, in the
/// store and in the audit log, for the next process to open. (The next
/// process reads through the kernel's page cache, so this holds with or
/// without an `fsync`; that `Store::flush` ends with `fdatasync` before a
/// command reports success was checked with `strace`, docs/ARCHITECTURE.md.)
#[test]
fn a_command_that_leaves_sled_to_the_exit_is_read_back_by_the_next() {
    let db = small();
    let before = db.with_store(|s| s.audit(100).unwrap().len());
    for date in ["2020-09-10", "2020-09-11", "2020-09-12"] {
        db.ok(&["visit", "add", "瑞林", "--kind", "research", "--date", date]);
    }
    db.with_store(|s| {
        let saved = s.activities(&Default::default()).unwrap();
        let dates: Vec<String> = saved.iter().map(|a| a.date.to_string()).collect();
        assert_eq!(dates, ["2020-09-10", "2020-09-11", "2020-09-12"]);
        assert_eq!(s.audit(100).unwrap().len(), before + 3);
    });
}
