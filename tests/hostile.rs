//! The hostile-input corpus (issue 6): a table of inputs that must never get
//! in, run through the three doors data comes in by: the command line (on
//! the embedded store, `--no-server`), `import` (a file written here) and
//! the workbench's forms (typed characters and bracketed paste through
//! `app::key_action` / `app::event_action` and `app::update`).
//!
//! Every row is refused: exit 1 with exactly one line on stderr (a user
//! error), or exit 2 where clap rejects malformed usage before the store is
//! opened (those rows say so: clap prints its usage hint after the error
//! line, so only the first line is checked there); nothing panics, and the
//! database directory is the same byte for byte afterwards: every file under
//! it is read before and after each refused row and compared, and so are the
//! exported data and the length of the audit log.
//!
//! The test prints how many inputs were refused (`--nocapture`), the figure
//! docs/RELIABILITY.md quotes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use branchlink::app::{self, App, Modal, Settings};
use branchlink::i18n::Lang;
use branchlink::store::Store;
use common::{Db, assert_user_error};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

/// Text that must never be stored: each drives a terminal, writes the
/// clipboard, or hides or reorders what the text says.
const HOSTILE_TEXT: &[(&str, &str)] = &[
    ("ESC CSI colour", "\x1b[31mred\x1b[0m"),
    ("CSI clear screen and home", "\x1b[2J\x1b[H"),
    ("CSI cursor up and erase line", "ok\x1b[1A\x1b[2Kforged"),
    ("OSC 52 clipboard write, BEL", "\x1b]52;c;ZWNobyBwd25lZA==\x07"),
    ("OSC 52 clipboard write, ST", "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"),
    (
        "OSC 8 hyperlink",
        "\x1b]8;;http://example.invalid\x1b\\click\x1b]8;;\x1b\\",
    ),
    ("OSC 0 window title", "\x1b]0;pwned\x07"),
    ("DCS", "\x1bP+q544e\x1b\\"),
    ("C1 CSI (U+009B)", "\u{9b}31mred"),
    ("C1 OSC and ST (U+009D, U+009C)", "\u{9d}52;c;eA==\u{9c}"),
    ("C1 NEL (U+0085)", "line\u{85}next"),
    ("bidi override U+202E", "\u{202e}fdp.exe"),
    ("bidi isolate U+2066", "\u{2066}x\u{2069}"),
    ("left-to-right mark U+200E", "a\u{200e}b"),
    ("zero-width joiner", "a\u{200d}b"),
    ("zero-width space", "\u{200b}"),
    ("BOM / zero-width no-break space", "\u{feff}x"),
    ("word joiner U+2060", "a\u{2060}b"),
    ("line separator U+2028", "a\u{2028}b"),
    ("BEL", "ding\x07"),
    ("backspace", "abc\x08\x08\x08xyz"),
    ("DEL", "a\x7f"),
    ("vertical tab", "a\x0bb"),
];

const OWN: &str = "中共测试局机关第一党支部";
const LOTTERY: &str = "中共测试彩票管理中心党支部";
const SCIENCE: &str = "中共测试体育科学研究所党支部";

/// What a row of the command line must give.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// exit 1, one line on stderr.
    User,
    /// exit 2: clap refuses malformed usage before the database is opened.
    Usage,
}

/// Every file under the database directory, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    common::wait_closed(dir);
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[track_caller]
fn same_files(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>, what: &str) {
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(before), names(after), "{what}: the database's files changed");
    for (name, bytes) in before {
        assert!(after[name] == *bytes, "{what}: {name} changed");
    }
}

/// Three branches, three leaders (瑞林 and 海友 with points, 王海 without),
/// one open problem.
fn populated() -> Db {
    let db = Db::new();
    db.ok(&["branch", "add", OWN, "--short", "机关一支部"]);
    db.ok(&["branch", "add", LOTTERY, "--short", "彩票中心"]);
    db.ok(&["branch", "add", SCIENCE, "--short", "科研所"]);
    for (name, role) in [("瑞林", "secretary"), ("海友", "member"), ("王海", "member")] {
        db.ok(&[
            "leader",
            "add",
            name,
            "--title",
            "副局长",
            "--role",
            role,
            "--own-branch",
            "机关一支部",
            "--from",
            "2018-01-01",
        ]);
    }
    db.ok(&["point", "assign", "瑞林", "彩票中心", "--from", "2020-08-28"]);
    db.ok(&["point", "assign", "海友", "科研所", "--from", "2020-08-28"]);
    db.ok(&["visit", "add", "瑞林", "--kind", "research", "--date", "2020-09-10"]);
    db.ok(&["problem", "add", "瑞林", "--category", "other", "班子配备不齐"]);
    db
}

fn cli_rows() -> Vec<(String, Vec<String>, Expect)> {
    let mut rows: Vec<(String, Vec<String>, Expect)> = Vec::new();
    let mut row = |name: String, args: &[&str], expect: Expect| {
        rows.push((name, args.iter().map(|s| s.to_string()).collect(), expect));
    };
    use Expect::{Usage, User};
    for (name, text) in HOSTILE_TEXT {
        row(
            format!("visit note: {name}"),
            &["visit", "add", "瑞林", "--kind", "research", "--note", text],
            User,
        );
    }
    let (esc, osc52, rlo, zwj) = (
        HOSTILE_TEXT[0].1,
        HOSTILE_TEXT[3].1,
        HOSTILE_TEXT[11].1,
        HOSTILE_TEXT[14].1,
    );
    row(
        "leader name: ESC".into(),
        &["leader", "add", esc, "--title", "副局长"],
        User,
    );
    row(
        "leader title: OSC 52".into(),
        &["leader", "add", "新人", "--title", osc52],
        User,
    );
    row("branch name: U+202E".into(), &["branch", "add", rlo], User);
    row(
        "branch short name: ZWJ".into(),
        &["branch", "add", "新支部", "--short", zwj],
        User,
    );
    row(
        "problem description: OSC 52".into(),
        &["problem", "add", "瑞林", "--category", "other", osc52],
        User,
    );
    row(
        "problem measures on solve: ESC".into(),
        &["problem", "solve", "1", "--measures", esc],
        User,
    );
    row(
        "event note: U+202E".into(),
        &["event", "add", "training", "--note", rlo],
        User,
    );
    row(
        "visit place: ZWJ".into(),
        &["visit", "add", "瑞林", "--kind", "research", "--place", zwj],
        User,
    );
    // A note of 100,000 characters (the limit is 10,000). A 1 MB note cannot
    // reach the command line: Linux refuses a single argument over 128 KiB
    // before the program starts. The 1 MB note goes through import and paste.
    let long = "长".repeat(40_000);
    row(
        "note of 40,000 characters (120 KB)".into(),
        &["visit", "add", "瑞林", "--kind", "research", "--note", &long],
        User,
    );
    let long_name = "名".repeat(201);
    row(
        "leader name of 201 characters".into(),
        &["leader", "add", &long_name, "--title", "副局长"],
        User,
    );
    row(
        "empty leader name".into(),
        &["leader", "add", "  ", "--title", "副局长"],
        User,
    );
    // Dates.
    for date in [
        "0000-01-01",
        "9999-12-31",
        "2021-02-29",
        "2020-02-30",
        "2020-13-01",
        "2020-00-10",
        "1949-12-31",
        "2101-01-01",
        "10000-01-01",
        "-0005-01-01",
        "2020-1-1-1",
        "１２３",
    ] {
        let arg = format!("--date={date}");
        row(
            format!("visit date {date}"),
            &["visit", "add", "瑞林", "--kind", "research", &arg],
            User,
        );
    }
    row(
        "problem solved on 2021-02-29".into(),
        &["problem", "solve", "1", "--date", "2021-02-29"],
        User,
    );
    row(
        "assign from year 0".into(),
        &["point", "assign", "王海", "科研所", "--from", "0000-06-01"],
        User,
    );
    // Numbers.
    row(
        "--years -1 (u32)".into(),
        &["point", "assign", "王海", "科研所", "--years", "-1"],
        Usage,
    );
    row(
        "--years 99999999999 (over u32)".into(),
        &["point", "assign", "王海", "科研所", "--years", "99999999999"],
        Usage,
    );
    row(
        "--years 0".into(),
        &["point", "assign", "王海", "科研所", "--years", "0"],
        User,
    );
    row(
        "--years 11".into(),
        &["point", "assign", "王海", "科研所", "--years", "11"],
        User,
    );
    row(
        "problem solve 2^64".into(),
        &["problem", "solve", "18446744073709551616"],
        Usage,
    );
    row("problem solve -1".into(), &["problem", "solve", "-1"], Usage);
    row("visit delete 0".into(), &["visit", "delete", "0"], User);
    row("visit list --year -5".into(), &["visit", "list", "--year=-5"], User);
    row("visit list --year 0".into(), &["visit", "list", "--year", "0"], User);
    row(
        "visit list --year 9999".into(),
        &["visit", "list", "--year", "9999"],
        User,
    );
    row(
        "visit list --year 2^63 (over i64)".into(),
        &["visit", "list", "--year", "9223372036854775808"],
        Usage,
    );
    // Unknown ids and names.
    row(
        "visit by unknown leader id".into(),
        &["visit", "add", "999", "--kind", "research"],
        User,
    );
    row(
        "visit by unknown leader name".into(),
        &["visit", "add", "无名氏", "--kind", "research"],
        User,
    );
    row(
        "visit by a leader with no point".into(),
        &["visit", "add", "王海", "--kind", "research"],
        User,
    );
    row("solve unknown problem".into(), &["problem", "solve", "4242"], User);
    row("reopen unknown problem".into(), &["problem", "reopen", "4242"], User);
    row("reopen an open problem".into(), &["problem", "reopen", "1"], User);
    row("delete unknown activity".into(), &["visit", "delete", "4242"], User);
    row(
        "assign unknown leader".into(),
        &["point", "assign", "999", "科研所"],
        User,
    );
    row(
        "assign unknown branch".into(),
        &["point", "assign", "王海", "不存在的支部"],
        User,
    );
    row(
        "assign a branch that is another leader's open point".into(),
        &["point", "assign", "王海", "科研所"],
        User,
    );
    row(
        "review dated before the point was set up".into(),
        &["point", "review", "瑞林", "--continue", "--date", "2020-08-27"],
        User,
    );
    row(
        "hand over dated before the point was set up".into(),
        &["point", "handover", "瑞林", "王海", "--date", "2019-01-01"],
        User,
    );
    row(
        "visit dated before the point was set up".into(),
        &["visit", "add", "瑞林", "--kind", "research", "--date", "2020-08-27"],
        User,
    );
    row(
        "problem found before the point was set up".into(),
        &[
            "problem",
            "add",
            "瑞林",
            "--category",
            "other",
            "x",
            "--found",
            "2020-08-27",
        ],
        User,
    );
    row(
        "review a leader without a point".into(),
        &["point", "review", "王海", "--continue"],
        User,
    );
    row(
        "hand over to an unknown successor".into(),
        &["point", "handover", "瑞林", "无名氏"],
        User,
    );
    row(
        "unknown activity kind".into(),
        &["visit", "add", "瑞林", "--kind", "party"],
        User,
    );
    row("unknown event kind".into(), &["event", "add", "picnic"], User);
    row(
        "unknown problem category".into(),
        &["problem", "add", "瑞林", "--category", "bogus", "x"],
        User,
    );
    row(
        "unknown role".into(),
        &["leader", "add", "新人", "--title", "副局长", "--role", "king"],
        User,
    );
    row(
        "unknown weakness".into(),
        &["branch", "add", "新支部", "--weakness", "none"],
        User,
    );
    // Duplicates and the leader's own branch.
    row(
        "duplicate leader name".into(),
        &["leader", "add", "瑞林", "--title", "副局长"],
        User,
    );
    row("duplicate branch name".into(), &["branch", "add", OWN], User);
    row(
        "leader assigned their own branch".into(),
        &["point", "assign", "王海", "机关一支部"],
        User,
    );
    row(
        "second point for a leader".into(),
        &["point", "assign", "瑞林", "科研所"],
        User,
    );
    row(
        "hand over to oneself".into(),
        &["point", "handover", "瑞林", "瑞林"],
        User,
    );
    rows
}

#[test]
fn hostile_command_lines_are_refused_and_write_nothing() {
    let db = populated();
    // sled rewrites its files on the first open after a write (it moves its
    // log into a snapshot); after that, an open that writes nothing leaves
    // every byte alone. One harmless read settles the files, so that the
    // byte-for-byte comparison below is exact for every refused row.
    db.ok(&["leader", "list"]);
    let rows = cli_rows();
    let mut refused = 0;
    let mut data_before = db.state();
    for (name, args, expect) in &rows {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = files(&db.path);
        let r = db.run(&args);
        match expect {
            Expect::User => assert_user_error(&r, &args),
            Expect::Usage => {
                assert_eq!(r.code, 2, "{name}: {r:?}");
                assert!(r.stdout.is_empty(), "{name}: {r:?}");
                assert!(r.stderr.starts_with("error: "), "{name}: {r:?}");
                assert!(!r.stderr.contains("panicked"), "{name}: {r:?}");
            }
        }
        same_files(&before, &files(&db.path), name);
        refused += 1;
        // The export and the audit log too (cheaper to check every few rows:
        // the files being equal already covers it).
        if refused % 10 == 0 {
            db.assert_unchanged(&data_before);
            data_before = db.state();
        }
    }
    db.assert_unchanged(&data_before);
    // Not valid UTF-8 in argv: clap refuses it (exit 2).
    {
        use std::os::unix::ffi::OsStrExt;
        let before = files(&db.path);
        let out = db
            .command()
            .args(["visit", "add", "瑞林", "--kind", "research", "--note"])
            .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe\x1b[31m"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        same_files(&before, &files(&db.path), "invalid UTF-8 argument");
        refused += 1;
    }
    // The table is not refused for a dull reason: the same commands with
    // harmless values work.
    db.ok(&[
        "visit",
        "add",
        "瑞林",
        "--kind",
        "research",
        "--note",
        "red",
        "--date",
        "2020-09-11",
    ]);
    db.ok(&["problem", "solve", "1", "--date", "2020-12-15"]);
    db.ok(&[
        "problem",
        "add",
        "瑞林",
        "--category",
        "other",
        "x",
        "--found",
        "2020-08-28",
    ]);
    db.ok(&["point", "review", "瑞林", "--continue", "--date", "2020-08-28"]);
    db.ok(&["point", "handover", "瑞林", "王海", "--date", "2020-12-01"]);
    db.ok(&["visit", "add", "王海", "--kind", "research", "--date", "2020-12-01"]);
    db.ok(&["branch", "add", "中共吉林省体育局测试党支部", "--short", "测试所"]);
    db.ok(&[
        "point",
        "assign",
        "瑞林",
        "测试所",
        "--years",
        "1",
        "--from",
        "2020-12-01",
    ]);
    println!("hostile command lines refused: {refused}");
    assert!(refused >= 60);
}

// ---------------------------------------------------------------- import

/// A file that is no export is refused before anything is opened: no
/// database is created, and no server started for one, with or without
/// the server.
#[test]
fn a_file_that_is_no_export_leaves_no_database_behind() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("activities.xlsx");
    let workbook: &[u8] = b"PK\x03\x04 a workbook, not an export";
    let db = dir.path().join("new-db");
    let socket = dir.path().join("new-db.sock");
    // `import FILE` on a database that does not exist yet, with or without
    // the server, in English or (lang None) Chinese: its stderr, after
    // checking that it failed and left neither database nor socket.
    let import = |no_server: &str, lang: Option<&str>| {
        let mut command = std::process::Command::new(common::bin());
        command
            .env_remove("BRANCHLINK_DB")
            .env("BRANCHLINK_NO_SERVER", no_server);
        if let Some(lang) = lang {
            command.args(["--lang", lang]);
        }
        let out = command
            .arg("--db")
            .arg(&db)
            .arg("--socket")
            .arg(&socket)
            .arg("import")
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!db.exists() && !socket.exists(), "no_server={no_server}: {stderr}");
        stderr
    };
    std::fs::write(&file, workbook).unwrap();
    for no_server in ["1", "0"] {
        let stderr = import(no_server, Some("en"));
        assert!(stderr.starts_with("error: import refused"), "{stderr}");
    }
    // An export whose records do not hold together: refused as early.
    let mut export = valid_export();
    export["leaders"][0]["id"] = json!(0);
    std::fs::write(&file, serde_json::to_vec(&export).unwrap()).unwrap();
    let stderr = import("0", Some("en"));
    assert!(stderr.starts_with("error: import refused"), "{stderr}");
    // In Chinese, all of it.
    std::fs::write(&file, workbook).unwrap();
    let stderr = import("1", None);
    assert!(
        stderr.contains("这不是 branchlink 导出的 JSON 文件（第 1 行第 1 列读不下去）"),
        "{stderr}"
    );
    assert!(!stderr.contains("expected"), "{stderr}");
}

/// A database that exists (created by a first command) and is empty, as
/// import wants it.
fn empty() -> Db {
    let db = Db::new();
    db.ok(&["leader", "list"]);
    db
}

/// A valid export of the populated database, as JSON.
fn valid_export() -> Value {
    let db = populated();
    serde_json::from_slice(&db.export()).unwrap()
}

fn import_rows(base: &Value, dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut rows = Vec::new();
    let mut n = 0;
    let mut write = |name: String, bytes: &[u8]| {
        n += 1;
        let path = dir.join(format!("hostile-{n}.json"));
        std::fs::write(&path, bytes).unwrap();
        rows.push((name, path));
    };
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    for (name, text) in HOSTILE_TEXT.iter().step_by(2) {
        write(
            format!("leader name: {name}"),
            &with(&|v| v["leaders"][0]["name"] = json!(text)),
        );
        write(
            format!("activity note: {name}"),
            &with(&|v| v["activities"][0]["note"] = json!(format!("ok {text}"))),
        );
    }
    write(
        "NUL in a name".into(),
        &with(&|v| v["leaders"][1]["name"] = json!("瑞\u{0}林")),
    );
    write(
        "NUL alone as a note".into(),
        &with(&|v| v["activities"][0]["note"] = json!("\u{0}")),
    );
    write(
        "1 MB note".into(),
        &with(&|v| v["activities"][0]["note"] = json!("x".repeat(1 << 20))),
    );
    // Invalid UTF-8 bytes inside a string of an otherwise valid export.
    let mut bytes = serde_json::to_vec(base).unwrap();
    let at = bytes.windows(6).position(|w| w == "瑞林".as_bytes()).unwrap();
    bytes.splice(at..at, [0xff, 0xc0, 0x80]);
    write("invalid UTF-8 bytes in a name".into(), &bytes);
    write("UTF-16 file".into(), &[0xff, 0xfe, b'{', 0, b'}', 0]);
    for date in [
        "0000-01-01",
        "9999-12-31",
        "2021-02-29",
        "+10000-01-01",
        "2020-13-01",
        "yesterday",
    ] {
        write(
            format!("activity date {date}"),
            &with(&|v| v["activities"][0]["date"] = json!(date)),
        );
    }
    write("negative id".into(), &with(&|v| v["leaders"][0]["id"] = json!(-1)));
    write("id zero".into(), &with(&|v| v["leaders"][0]["id"] = json!(0)));
    write("id 2^64".into(), &{
        let s = String::from_utf8(with(&|v| v["leaders"][0]["id"] = json!(77777))).unwrap();
        s.replace("77777", "18446744073709551616").into_bytes()
    });
    write("fractional id".into(), &with(&|v| v["leaders"][0]["id"] = json!(1.5)));
    write(
        "cycle of -1 years".into(),
        &with(&|v| v["points"][0]["cycle_years"] = json!(-1)),
    );
    write(
        "cycle of 99999999999 years".into(),
        &with(&|v| v["points"][0]["cycle_years"] = json!(99_999_999_999u64)),
    );
    write(
        "duplicate leader names".into(),
        &with(&|v| v["leaders"][1]["name"] = v["leaders"][0]["name"].clone()),
    );
    write(
        "duplicate leader ids".into(),
        &with(&|v| v["leaders"][1]["id"] = v["leaders"][0]["id"].clone()),
    );
    write(
        "duplicate branch names".into(),
        &with(&|v| v["branches"][1]["name"] = v["branches"][0]["name"].clone()),
    );
    write(
        "a leader's point at their own branch".into(),
        &with(&|v| v["points"][0]["branch"] = v["leaders"][0]["own_branch"].clone()),
    );
    write(
        "activity of an unknown leader".into(),
        &with(&|v| v["activities"][0]["leader"] = json!(999)),
    );
    write(
        "problem at an unknown point".into(),
        &with(&|v| v["problems"][0]["point"] = json!(999)),
    );
    write(
        "cycle of 0 years".into(),
        &with(&|v| v["points"][0]["cycle_years"] = json!(0)),
    );
    write(
        "unknown point state".into(),
        &with(&|v| v["points"][0]["state"] = json!("\u{1b}[31m")),
    );
    write(
        "unknown activity kind".into(),
        &with(&|v| v["activities"][0]["kind"] = json!("party")),
    );
    write("other format".into(), &with(&|v| v["format"] = json!("not-branchlink")));
    write("future version".into(), &with(&|v| v["version"] = json!(999)));
    write(
        "format with ESC".into(),
        &with(&|v| v["format"] = json!("\x1b]52;c;eA==\x07")),
    );
    write("10,000 nested arrays".into(), "[".repeat(10_000).as_bytes());
    write("10,000 nested objects".into(), "{\"a\":".repeat(10_000).as_bytes());
    write("a list, not an object".into(), b"[1,2,3]");
    write("empty file".into(), b"");
    write("only whitespace".into(), b"   \n\t  ");
    write("trailing garbage".into(), &{
        let mut b = serde_json::to_vec(base).unwrap();
        b.extend_from_slice(b" {}");
        b
    });
    write("truncated export".into(), &{
        let b = serde_json::to_vec(base).unwrap();
        b[..b.len() / 2].to_vec()
    });
    rows
}

/// Writes a 100 MB file with `fill` (in the test's temporary directory).
fn big_file(path: &Path, head: &[u8], fill: u8, tail: &[u8]) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(head).unwrap();
    let chunk = vec![fill; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(tail).unwrap();
    f.flush().unwrap();
}

#[test]
fn hostile_imports_are_refused_and_write_nothing() {
    let base = valid_export();
    let db = empty();
    db.ok(&["leader", "list"]); // settles sled's files, see above
    let mut rows = import_rows(&base, db.dir.path());
    // 100 MB: junk, one huge string, and a huge list of numbers where the
    // export's leaders should be.
    let junk = db.file("junk-100mb.json");
    big_file(&junk, b"", b'#', b"");
    rows.push(("100 MB of junk".into(), junk));
    let string = db.file("string-100mb.json");
    big_file(&string, b"{\"format\":\"", b'a', b"\"}");
    rows.push(("100 MB string as the format".into(), string));
    let numbers = db.file("numbers-100mb.json");
    big_file(
        &numbers,
        b"{\"format\":\"branchlink\",\"version\":1,\"leaders\":[",
        b' ',
        b"1]}",
    );
    rows.push(("100 MB leaders list of whitespace".into(), numbers));
    let mut refused = 0;
    let before = files(&db.path);
    for (name, path) in &rows {
        let started = Instant::now();
        let r = db.run(&["import", path.to_str().unwrap()]);
        assert_user_error(&r, &[name.as_str()]);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name}: took {:?}",
            started.elapsed()
        );
        if name.starts_with("100 MB") {
            println!("{name}: refused in {:.2} s", started.elapsed().as_secs_f64());
        }
        same_files(&before, &files(&db.path), name);
        refused += 1;
    }
    let (data, audit) = db.state();
    assert_eq!(audit, 0, "a refused import wrote to the audit log");
    assert!(serde_json::from_slice::<Value>(&data).unwrap()["leaders"] == json!([]));
    // The export that every row was made from imports fine: each row was
    // refused for what was done to it.
    let good = db.file("good.json");
    std::fs::write(&good, serde_json::to_vec(&base).unwrap()).unwrap();
    db.ok(&["import", good.to_str().unwrap()]);
    println!("hostile import files refused: {refused}");
    assert!(refused >= 60, "{refused}");
}

// ---------------------------------------------------------------- workbench

struct Bench {
    _dir: tempfile::TempDir,
    store: Store,
    app: App,
}

impl Bench {
    fn open() -> Bench {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        branchlink::demo::load(&store).unwrap();
        let app = App::new(
            &store,
            Settings {
                lang: Lang::En,
                read_only: false,
                today: chrono::NaiveDate::from_ymd_opt(2020, 11, 20).unwrap(),
            },
        );
        Bench { _dir: dir, store, app }
    }
    fn press(&mut self, code: KeyCode) {
        if let Some(action) = app::key_action(&self.app, KeyEvent::new(code, KeyModifiers::NONE)) {
            app::update(&mut self.app, action, &self.store);
        }
    }
    fn paste(&mut self, text: &str) {
        let action = app::event_action(&self.app, &Event::Paste(text.into())).unwrap();
        app::update(&mut self.app, action, &self.store);
    }
    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }
    fn form(&self) -> &app::form::Form {
        match &self.app.modal {
            Some(Modal::Form(form)) => form,
            other => panic!("no form open: {other:?}"),
        }
    }
    /// Opens a form with `keys` and moves the focus to field `field`.
    fn open_form(&mut self, keys: &str, field: usize) {
        self.app.modal = None;
        self.app.message = None;
        self.type_text(keys);
        self.form();
        for _ in 0..10 {
            if self.form().focus == field {
                return;
            }
            self.press(KeyCode::Down);
        }
        panic!("field {field} not reached");
    }
    /// Enter until the form saves or shows an error.
    fn submit(&mut self) {
        for _ in 0..10 {
            self.press(KeyCode::Enter);
            match &self.app.modal {
                Some(Modal::Form(form)) if form.error.is_none() => continue,
                _ => return,
            }
        }
    }
}

#[test]
fn hostile_form_input_is_refused_and_writes_nothing() {
    let mut b = Bench::open();
    let before = serde_json::to_vec(&b.store.export().unwrap()).unwrap();
    let audit = b.store.audit(usize::MAX).unwrap().len();
    // (name, keys that open the form, field, how the text comes in, text)
    let mut rows: Vec<(String, &str, usize, bool, String)> = Vec::new();
    for (name, text) in HOSTILE_TEXT {
        rows.push((format!("pasted visit note: {name}"), "2a", 3, true, text.to_string()));
    }
    for (name, text) in HOSTILE_TEXT.iter().step_by(3) {
        rows.push((format!("typed visit note: {name}"), "2a", 3, false, text.to_string()));
        rows.push((format!("pasted leader name: {name}"), "4l", 0, true, text.to_string()));
        rows.push((format!("pasted branch name: {name}"), "4b", 0, true, text.to_string()));
    }
    rows.push(("pasted NUL".into(), "2a", 3, true, "a\u{0}b".into()));
    rows.push(("typed NUL".into(), "2a", 3, false, "a\u{0}b".into()));
    rows.push(("pasted 1 MB note".into(), "2a", 3, true, "x".repeat(1 << 20)));
    rows.push(("pasted 1 MB leader name".into(), "4l", 0, true, "名".repeat(1 << 18)));
    rows.push((
        "pasted problem description with OSC 52".into(),
        "3a",
        2,
        true,
        HOSTILE_TEXT[3].1.into(),
    ));
    for date in ["0000-01-01", "9999-12-31", "2021-02-29", "2020-13-45", "2020-02-30"] {
        rows.push((format!("visit date {date}"), "2a", 2, false, date.into()));
    }
    rows.push(("visit by an unknown leader".into(), "2a", 0, false, "无名氏".into()));
    let taken = b.store.leaders().unwrap()[0].name.clone();
    rows.push(("duplicate leader name".into(), "4l", 0, false, taken));
    let mut refused = 0;
    let mut cleaned = 0;
    for (name, keys, field, paste, text) in &rows {
        b.open_form(keys, *field);
        // Replace what the field holds (a default date or number).
        b.key_ctrl_u();
        if *paste {
            b.paste(text);
            // A paste loses on the way in what the store refuses (escape
            // sequences whole, controls, zero-width and direction marks):
            // it would sit in the field unseen. What is left is what the
            // person sees, and saving it is theirs to decide.
            if text.chars().any(branchlink::domain::text::is_forbidden) {
                let Some(Modal::Form(form)) = &b.app.modal else {
                    panic!("{name}: the form closed")
                };
                let value = form.fields[*field].value();
                assert!(
                    !value.chars().any(branchlink::domain::text::is_forbidden),
                    "{name}: {value:?}"
                );
                for remnant in ["[31m", "[0m", "[2J", "52;c;", "]8;;", "0;pwned", "+q544e"] {
                    assert!(!value.contains(remnant), "{name}: {value:?} keeps {remnant}");
                }
                b.press(KeyCode::Esc);
                assert!(b.app.modal.is_none(), "{name}: Esc left the form open");
                cleaned += 1;
                continue;
            }
        } else {
            b.type_text(text);
        }
        if *keys == "4l" || *keys == "4b" {
            // The other required fields get harmless values.
            if *field == 0 {
                b.press(KeyCode::Down);
                b.key_ctrl_u();
                b.type_text("副局长");
            }
        }
        b.submit();
        let form = match &b.app.modal {
            Some(Modal::Form(form)) => form,
            _ => panic!("{name}: the form closed: {:?}", b.app.message),
        };
        let error = form.error.clone().unwrap_or_else(|| panic!("{name}: no error"));
        assert!(!error.is_empty() && !error.contains('\n'), "{name}: {error:?}");
        assert!(!error.contains('\x1b'), "{name}: the error carries ESC: {error:?}");
        assert!(
            error.chars().count() < 400,
            "{name}: error of {} chars",
            error.chars().count()
        );
        refused += 1;
    }
    b.app.modal = None;
    assert!(
        serde_json::to_vec(&b.store.export().unwrap()).unwrap() == before,
        "a refused form changed the data"
    );
    assert_eq!(b.store.audit(usize::MAX).unwrap().len(), audit, "a refused form wrote");
    // The same forms save harmless input.
    b.open_form("2a", 3);
    b.paste("普通备注");
    b.submit();
    assert!(b.app.modal.is_none(), "{:?}", b.app.message);
    println!("hostile form inputs refused: {refused}, pastes cleaned: {cleaned}");
    assert!(refused >= 15, "{refused}");
    assert!(cleaned >= 35, "{cleaned}");
}

impl Bench {
    fn key_ctrl_u(&mut self) {
        if let Some(action) = app::key_action(&self.app, KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)) {
            app::update(&mut self.app, action, &self.store);
        }
    }
}
