//! The server with real processes: the built binary serves a temporary
//! database on a temporary socket, and clients (in this process, or the
//! binary as a command) talk to it at the same time.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use branchlink::api::{ActivityFilter, Backend};
use branchlink::domain::{Activity, ActivityKind, Leader, Role};
use branchlink::error::{Error, ServerError};
use branchlink::server::protocol::{self, Hello, Limit, PROTOCOL_VERSION, Welcome};
use branchlink::server::{AccessRole, AutoStart, Client, ClientOptions};
use chrono::NaiveDate;

const BIN: &str = env!("CARGO_BIN_EXE_branchlink");
const TODAY: &str = "2020-10-01";

struct Place {
    _dir: tempfile::TempDir,
    db: PathBuf,
    socket: PathBuf,
}

fn place() -> Place {
    let dir = tempfile::Builder::new().prefix("bl").tempdir().unwrap();
    let db = dir.path().join("db");
    let socket = dir.path().join("db.sock");
    Place { _dir: dir, db, socket }
}

/// A server process, killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(socket: &Path) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while UnixStream::connect(socket).is_err() {
        assert!(Instant::now() < deadline, "the server did not come up");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn serve(p: &Place) -> Served {
    serve_logging_to(p, Stdio::null())
}

/// A server whose log (its stderr) goes to `log`.
fn serve_logging_to(p: &Place, log: impl Into<Stdio>) -> Served {
    let child = Command::new(BIN)
        .args(["serve", "--db"])
        .arg(&p.db)
        .arg("--socket")
        .arg(&p.socket)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    wait_for(&p.socket);
    Served(child)
}

fn client(p: &Place) -> Client {
    Client::connect(ClientOptions::new(p.socket.clone())).unwrap()
}

fn cli(p: &Place, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(&p.db)
        .args(["--lang", "en"])
        .args(args)
        .env("BRANCHLINK_TODAY", TODAY)
        .env_remove("BRANCHLINK_SOCKET")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn me() -> String {
    branchlink::server::access::own_user()
}

fn visit(leader: u64, n: usize, note: &str) -> Activity {
    Activity {
        id: 0,
        date: NaiveDate::from_ymd_opt(2020, 9, 1).unwrap() + chrono::Days::new((n % 90) as u64),
        leader,
        point: 0,
        kind: ActivityKind::Research,
        place: None,
        participants: None,
        findings: Some("会议记录".into()),
        actions: None,
        note: Some(note.into()),
    }
}

fn first_leader(b: &dyn Backend) -> u64 {
    b.leaders().unwrap()[0].id
}

fn count(b: &dyn Backend) -> usize {
    b.activities(&ActivityFilter::default()).unwrap().len()
}

fn kill(pid: u32, signal: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), signal);
}

/// Running: a zombie waiting for its reaper (the container's init may not
/// reap at all) counts as gone.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses.
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

fn autostart(p: &Place, idle: Duration) -> ClientOptions {
    let mut o = ClientOptions::new(p.socket.clone());
    o.autostart = Some(AutoStart {
        db: p.db.clone(),
        exe: BIN.into(),
        idle_exit: idle,
        lang: branchlink::i18n::Lang::En,
    });
    o
}

#[test]
fn twenty_clients_add_a_thousand_activities() {
    let p = place();
    let _server = serve(&p);
    let c = client(&p);
    assert!(branchlink::demo::load(&c).unwrap());
    let leader = first_leader(&c);
    let before = count(&c);
    let start = Arc::new(Barrier::new(20));
    let threads: Vec<_> = (0..20)
        .map(|t| {
            let p_socket = p.socket.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let c = Client::connect(ClientOptions::new(p_socket)).unwrap();
                start.wait();
                for i in 0..50 {
                    c.add_activity(visit(leader, i, &format!("t{t}-{i}"))).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let all = c.activities(&ActivityFilter::default()).unwrap();
    assert_eq!(all.len(), before + 1000);
    let notes: BTreeSet<_> = all
        .iter()
        .filter_map(|a| a.note.clone())
        .filter(|n| n.starts_with('t'))
        .collect();
    assert_eq!(notes.len(), 1000, "every write stored once");
    // The activities screen's pages through the server join up to the list.
    let newest: Vec<Activity> = all.iter().rev().cloned().collect();
    let first = c.activities_newest(&ActivityFilter::default(), None, 300).unwrap();
    assert_eq!(first, newest[..300]);
    let last = first.last().map(|a| (a.date, a.id));
    let rest = c.activities_newest(&ActivityFilter::default(), last, 5_000).unwrap();
    assert_eq!(rest, newest[300..]);
}

#[test]
fn roles_from_the_access_file_and_read_only() {
    let p = place();
    let _server = serve(&p);
    let admin = client(&p);
    assert_eq!(
        admin.role(),
        AccessRole::Admin,
        "no access file: the server's own user is admin"
    );
    branchlink::demo::load(&admin).unwrap();
    let leader = first_leader(&admin);

    // --read-only asks for viewer rights whatever the role.
    let mut o = ClientOptions::new(p.socket.clone());
    o.read_only = true;
    let ro = Client::connect(o).unwrap();
    assert_eq!(ro.role(), AccessRole::Viewer);
    assert!(count(&ro) > 0, "a viewer reads");
    match ro.add_activity(visit(leader, 1, "no")) {
        Err(Error::Server(ServerError::Denied {
            role,
            needed,
            read_only,
            ..
        })) => {
            assert_eq!(
                (role, needed, read_only),
                (AccessRole::Viewer, AccessRole::Editor, true)
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let out = cli(&p, &["--read-only", "visit", "add", "瑞林", "--kind", "research"]);
    assert_eq!(out.status.code(), Some(1));
    let line = stderr(&out);
    // It names the read-only connection as the reason, not the user as a
    // viewer (the user is an admin here).
    assert!(
        line.contains("read-only (--read-only)") && !line.contains("viewer"),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");

    // The access file makes this user an editor: activities yes, leaders no.
    let access = p.db.parent().unwrap().join("access.toml");
    std::fs::write(
        &access,
        format!("unknown = \"refuse\"\n[users]\n\"{}\" = \"editor\"\n", me()),
    )
    .unwrap();
    let editor = client(&p);
    assert_eq!(editor.role(), AccessRole::Editor);
    editor.add_activity(visit(leader, 2, "editor's")).unwrap();
    let leader_record = Leader {
        id: 0,
        name: "新领导".into(),
        title: "副局长".into(),
        role: Role::Member,
        own_branch: None,
        in_post_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        in_post_to: None,
    };
    assert!(matches!(
        editor.add_leader(leader_record),
        Err(Error::Server(ServerError::Denied {
            needed: AccessRole::Admin,
            ..
        }))
    ));

    // Then a viewer; and nobody named and unknown refused.
    std::fs::write(&access, format!("[users]\n\"{}\" = \"viewer\"\n", me())).unwrap();
    let viewer = client(&p);
    assert_eq!(viewer.role(), AccessRole::Viewer);
    assert!(viewer.add_activity(visit(leader, 3, "no")).is_err());
    std::fs::write(&access, "unknown = \"refuse\"\n[users]\nsomebody-else = \"admin\"\n").unwrap();
    match Client::connect(ClientOptions::new(p.socket.clone())) {
        Err(Error::Server(ServerError::Refused { user })) => assert_eq!(user, me()),
        other => panic!("expected refusal, got {other:?}"),
    }
}

#[test]
fn a_second_server_is_refused() {
    let p = place();
    let _server = serve(&p);
    let out = Command::new(BIN)
        .args(["--lang", "en", "serve", "--db"])
        .arg(&p.db)
        .arg("--socket")
        .arg(&p.socket)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = stderr(&out);
    assert!(line.contains("already running"), "{line}");
    assert_eq!(line.lines().count(), 1);

    // A socket that belongs to another database's server.
    let other = place();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&other.db)
        .arg("--socket")
        .arg(&p.socket)
        .args(["--lang", "en", "leader", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not"), "{}", stderr(&out));
    assert!(stderr(&out).contains("check --socket"), "{}", stderr(&out));

    // A client pointed at another socket starts a server there, which
    // cannot open the database the first server holds: the client says why
    // in one line, in the server's own words, and names its log.
    let other_socket = p.db.with_file_name("other.sock");
    let out = cli(&p, &["--socket", other_socket.to_str().unwrap(), "status"]);
    assert_eq!(out.status.code(), Some(1));
    let line = stderr(&out);
    assert_eq!(line.trim_end().lines().count(), 1, "{line}");
    assert!(line.starts_with("error: the server did not start: "), "{line}");
    // In the client's language, which the client started the server with,
    // and without the server's own "error: " again.
    assert!(
        line.contains("is in use by another process") && line.contains("db.server.log"),
        "{line}"
    );
    assert_eq!(line.matches("error: ").count(), 1, "{line}");

    // --no-server while the server holds the database.
    let out = cli(&p, &["--no-server", "leader", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let line = stderr(&out);
    assert!(
        line.contains("held by a server") && line.contains("--no-server"),
        "{line}"
    );
}

#[test]
fn two_clients_starting_together_share_one_server_that_exits_when_idle() {
    let p = place();
    let start = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let o = autostart(&p, Duration::from_secs(1));
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let c = Client::connect(o).unwrap();
                let pid = c.session().pid;
                assert!(c.leaders().unwrap().is_empty());
                pid
            })
        })
        .collect();
    let pids: BTreeSet<u32> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(pids.len(), 1, "one server for all: {pids:?}");
    let pid = *pids.iter().next().unwrap();
    // All clients are gone: it stops after the idle time.
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(Instant::now() < deadline, "the idle server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!p.socket.exists(), "an idle server removes its socket");

    // Two command-line processes at once, with no server: both succeed.
    let a = Command::new(BIN)
        .arg("--db")
        .arg(&p.db)
        .args(["leader", "list"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let b = Command::new(BIN)
        .arg("--db")
        .arg(&p.db)
        .args(["leader", "list"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    // SIGTERM (systemd's stop) stops it cleanly: the socket goes too.
    let pid = client(&p).session().pid;
    kill(pid, nix::sys::signal::Signal::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) || p.socket.exists() {
        assert!(Instant::now() < deadline, "SIGTERM did not stop the server");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigkill_loses_no_confirmed_write_and_clients_reconnect() {
    let p = place();
    let c = Client::connect(autostart(&p, Duration::from_secs(30))).unwrap();
    branchlink::demo::load(&c).unwrap();
    let leader = first_leader(&c);
    let first_pid = c.session().pid;

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reconnects = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let mut o = autostart(&p, Duration::from_secs(30));
            let told = reconnects.clone();
            o.on_reconnect = Some(Arc::new(move || {
                told.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }));
            let stop = stop.clone();
            std::thread::spawn(move || {
                let c = Client::connect(o).unwrap();
                let mut confirmed = Vec::new();
                let mut failed = 0;
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let note = format!("w{t}-{i}");
                    match c.add_activity(visit(leader, i, &note)) {
                        Ok(a) => confirmed.push((a.id, note)),
                        Err(_) => failed += 1,
                    }
                    i += 1;
                }
                (confirmed, failed, c.session().pid)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    kill(first_pid, nix::sys::signal::Signal::SIGKILL);
    // Keep writing until the writers have been served by a new server.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if let Ok(c2) = Client::connect(autostart(&p, Duration::from_secs(30)))
            && c2.session().pid != first_pid
            && count(&c2) > 0
        {
            std::thread::sleep(Duration::from_millis(300));
            break;
        }
        assert!(Instant::now() < deadline, "no server after the kill");
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let results: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();

    let after = Client::connect(autostart(&p, Duration::from_secs(30))).unwrap();
    assert_ne!(after.session().pid, first_pid);
    let stored: BTreeSet<(u64, String)> = after
        .activities(&ActivityFilter::default())
        .unwrap()
        .into_iter()
        .filter_map(|a| a.note.map(|n| (a.id, n)))
        .collect();
    let mut total = 0;
    for (confirmed, _failed, pid) in &results {
        assert_ne!(*pid, first_pid, "every writer reconnected to the new server");
        for w in confirmed {
            assert!(stored.contains(w), "confirmed write {w:?} lost");
        }
        total += confirmed.len();
    }
    let failed: usize = results.iter().map(|r| r.1).sum();
    eprintln!("sigkill: {total} confirmed, {failed} failed around the kill");
    assert!(total > 20, "the burst wrote something: {total}");
    assert!(
        reconnects.load(std::sync::atomic::Ordering::SeqCst) >= 4,
        "every writer said it was reconnecting"
    );
    // The old client mends its own connection too.
    assert_eq!(count(&c), count(&after));
    kill(after.session().pid, nix::sys::signal::Signal::SIGTERM);
}

#[test]
fn garbage_and_oversized_frames_do_not_disturb_others() {
    let p = place();
    let _server = serve(&p);
    let good = client(&p);
    branchlink::demo::load(&good).unwrap();
    let before = count(&good);

    // Garbage instead of a hello.
    let mut g = UnixStream::connect(&p.socket).unwrap();
    g.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut sink = Vec::new();
    g.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = g.read_to_end(&mut sink);
    // A frame over the limit.
    let mut big = UnixStream::connect(&p.socket).unwrap();
    big.write_all(&((protocol::MAX_FRAME as u32) + 1).to_be_bytes())
        .unwrap();
    let _ = big.write_all(&[0u8; 4096]);
    // A valid hello, then an oversized request and a garbage request.
    for payload in [vec![0xFFu8; 64], vec![0u8; 0]] {
        let mut s = UnixStream::connect(&p.socket).unwrap();
        protocol::send(
            &mut s,
            &Hello {
                version: PROTOCOL_VERSION,
                read_only: true,
                subscribe: false,
            },
        )
        .unwrap();
        let _w: Welcome = protocol::receive(&mut s, Limit::Small).unwrap();
        let mut frame = (payload.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&payload);
        s.write_all(&frame).unwrap();
        let reply: protocol::Reply = protocol::receive(&mut s, Limit::Large).unwrap();
        assert!(matches!(reply, Err(Error::Server(ServerError::Protocol(_)))));
    }
    let mut viewer = UnixStream::connect(&p.socket).unwrap();
    protocol::send(
        &mut viewer,
        &Hello {
            version: PROTOCOL_VERSION,
            read_only: true,
            subscribe: false,
        },
    )
    .unwrap();
    let _w: Welcome = protocol::receive(&mut viewer, Limit::Small).unwrap();
    viewer.write_all(&(2u32 * 1024 * 1024).to_be_bytes()).unwrap();
    let reply: protocol::Reply = protocol::receive(&mut viewer, Limit::Large).unwrap();
    assert!(matches!(reply, Err(Error::Server(ServerError::TooLarge { .. }))));
    // Half a request, then gone.
    let mut half = UnixStream::connect(&p.socket).unwrap();
    half.write_all(&[0, 0, 0, 100, 1, 2, 3]).unwrap();
    drop(half);
    drop(big);
    drop(g);

    // Numbers no front end would send are refused, not a crash.
    let err = good.year_status(i32::MAX).unwrap_err();
    assert!(matches!(err, Error::Domain(_)), "{err:?}");
    assert!(good.events(Some(i32::MIN)).is_err());

    // The good client, connected all along, goes on; so do new ones.
    good.add_activity(visit(first_leader(&good), 1, "still here")).unwrap();
    assert_eq!(count(&good), before + 1);
    assert_eq!(count(&client(&p)), before + 1);
}

#[test]
fn names_are_resolved_through_the_server_as_the_embedded_store_resolves_them() {
    let p = place();
    let _server = serve(&p);
    let c = client(&p);
    branchlink::demo::load(&c).unwrap();
    let first = c.leaders().unwrap()[0].clone();
    for name in ["测试甲", "测试乙"] {
        c.add_leader(Leader {
            id: 0,
            name: name.into(),
            ..first.clone()
        })
        .unwrap();
    }
    let all = c.leaders().unwrap();
    let id = first.id.to_string();
    let part: String = first.name.chars().skip(1).collect();
    for input in [
        first.name.as_str(),
        part.as_str(),
        id.as_str(),
        "测试",
        "测试乙",
        "无此人",
        "",
        " ",
    ] {
        let few = c.leaders_matching(input).unwrap();
        assert!(few.len() <= all.len());
        assert_eq!(
            branchlink::domain::lookup::leader(&few, input),
            branchlink::domain::lookup::leader(&all, input),
            "{input:?}"
        );
    }
    // A part of several names is the same one-line error either way.
    let out = cli(&p, &["visit", "add", "测试", "--kind", "research"]);
    assert!(stderr(&out).contains("测试甲"), "{}", stderr(&out));
    drop(_server);
    let embedded = cli(&p, &["--no-server", "visit", "add", "测试", "--kind", "research"]);
    assert_eq!(stderr(&out), stderr(&embedded));
}

#[test]
fn status_json_through_the_server_is_what_the_embedded_store_prints() {
    let p = place();
    let server = serve(&p);
    let c = client(&p);
    branchlink::demo::load(&c).unwrap();
    let leader = first_leader(&c);
    let args = ["status", "--year", "2020", "--format", "json"];
    let before = cli(&p, &args);
    assert!(before.status.success(), "{}", stderr(&before));
    // A write makes the kept JSON stale: the next answer counts the visit.
    c.add_activity(visit(leader, 1, "one more")).unwrap();
    let served = cli(&p, &args);
    assert_ne!(before.stdout, served.stdout);
    drop(server);
    let embedded = cli(&p, &["--no-server", "status", "--year", "2020", "--format", "json"]);
    assert!(embedded.status.success(), "{}", stderr(&embedded));
    assert_eq!(
        String::from_utf8_lossy(&served.stdout),
        String::from_utf8_lossy(&embedded.stdout)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&served.stdout).unwrap();
    assert_eq!(parsed["year"], 2020);
}

#[test]
fn audit_records_the_os_user_of_the_connection() {
    let p = place();
    let _server = serve(&p);
    let c = client(&p);
    branchlink::demo::load(&c).unwrap();
    // The client claims to be someone else in its environment: the server
    // does not ask, it reads the socket's peer credentials.
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&p.db)
        .args(["visit", "add", "瑞林", "--kind", "research", "--note", "audit me"])
        .env("USER", "mallory")
        .env("LOGNAME", "mallory")
        .env("BRANCHLINK_TODAY", TODAY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let entry = &c.audit(1).unwrap()[0];
    assert_eq!(entry.action, "activity.add");
    assert!(entry.detail.contains("audit me"));
    let uid = nix::unistd::getuid();
    let expected = nix::unistd::User::from_uid(uid)
        .unwrap()
        .map(|u| u.name)
        .unwrap_or(uid.to_string());
    assert_eq!(entry.user, expected);
    assert_ne!(entry.user, "mallory");
}

#[test]
fn a_version_mismatch_names_both_versions() {
    let p = place();
    let _server = serve(&p);
    let mut s = UnixStream::connect(&p.socket).unwrap();
    protocol::send(
        &mut s,
        &Hello {
            version: 999,
            read_only: false,
            subscribe: false,
        },
    )
    .unwrap();
    let w: Welcome = protocol::receive(&mut s, Limit::Small).unwrap();
    assert_eq!(w.version, PROTOCOL_VERSION);
    let e = w.session.unwrap_err();
    assert_eq!(
        e,
        Error::Server(ServerError::Version {
            client: 999,
            server: PROTOCOL_VERSION
        })
    );
    let line = branchlink::i18n::errors::message(branchlink::i18n::Lang::En, &e);
    assert!(
        line.contains("999") && line.contains(&PROTOCOL_VERSION.to_string()),
        "{line}"
    );
}

#[test]
fn subscribers_hear_of_changes_within_200_ms() {
    let p = place();
    let _server = serve(&p);
    let writer = client(&p);
    branchlink::demo::load(&writer).unwrap();
    let mut o = ClientOptions::new(p.socket.clone());
    o.subscribe = true;
    o.read_only = true;
    let board = Client::connect(o).unwrap();
    let leader = first_leader(&writer);
    // Let the subscription settle.
    let deadline = Instant::now() + Duration::from_secs(5);
    while board.data_version() == 0 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    for i in 0..3 {
        let seen = board.data_version();
        let t = Instant::now();
        writer.add_activity(visit(leader, i, "live")).unwrap();
        while board.data_version() == seen {
            assert!(t.elapsed() < Duration::from_millis(200), "no notice within 200 ms");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    // A failed change is no change.
    let seen = board.data_version();
    assert!(board.add_activity(visit(leader, 9, "denied")).is_err());
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(board.data_version(), seen);
}

#[test]
fn backup_through_the_server_restores_with_import() {
    let p = place();
    let _server = serve(&p);
    let c = client(&p);
    branchlink::demo::load(&c).unwrap();
    let file = p.db.parent().unwrap().join("backup.json");
    let out = cli(&p, &["backup", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(json["format"], "branchlink");
    assert_eq!(json["activities"].as_array().unwrap().len(), count(&c));

    let q = place();
    let out = cli(&q, &["--no-server", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // --read-only means the same without a server.
    let out = cli(
        &q,
        &[
            "--no-server",
            "--read-only",
            "visit",
            "add",
            "瑞林",
            "--kind",
            "research",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--read-only"), "{}", stderr(&out));
    let restored = branchlink::store::Store::open(&q.db).unwrap();
    assert_eq!(restored.export().unwrap(), c.export().unwrap());
}

/// Another OS user, for real: run as root, the test lets `nobody` reach
/// the socket through `serve --group nogroup` and checks that the server
/// sees `nobody` (default role viewer; editor by the access file) and
/// records `nobody` in the audit log. Elsewhere (not root, no `nobody` or
/// `runuser`) there is no second user to be, and it checks nothing.
#[test]
fn another_os_user_is_seen_by_peer_credentials() {
    use std::os::unix::fs::PermissionsExt;
    let usable = nix::unistd::geteuid().is_root()
        && nix::unistd::User::from_name("nobody").ok().flatten().is_some()
        && nix::unistd::Group::from_name("nogroup").ok().flatten().is_some()
        && Path::new("/usr/sbin/runuser").exists();
    if !usable {
        eprintln!("not root, or no nobody/nogroup/runuser: no second user to test with");
        return;
    }
    let p = place();
    // nobody may pass through the directory to the socket, no more.
    std::fs::set_permissions(p.db.parent().unwrap(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let child = Command::new(BIN)
        .args(["serve", "--group", "nogroup", "--db"])
        .arg(&p.db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Served(child);
    wait_for(&p.socket);
    let mode = std::fs::metadata(&p.socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660, "--group makes the socket 0660");
    let root = client(&p);
    branchlink::demo::load(&root).unwrap();

    let as_nobody = |args: &[&str]| {
        Command::new("/usr/sbin/runuser")
            .args(["-u", "nobody", "--", BIN, "--lang", "en", "--db"])
            .arg(&p.db)
            .args(args)
            .env("BRANCHLINK_TODAY", TODAY)
            .output()
            .unwrap()
    };
    let out = as_nobody(&["leader", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = as_nobody(&["visit", "add", "瑞林", "--kind", "research"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nobody has the role viewer"), "{}", stderr(&out));

    std::fs::write(
        p.db.parent().unwrap().join("access.toml"),
        "[users]\nnobody = \"editor\"\n",
    )
    .unwrap();
    let out = as_nobody(&["visit", "add", "瑞林", "--kind", "research", "--note", "by nobody"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let entry = &root.audit(1).unwrap()[0];
    assert_eq!(entry.user, "nobody");
    assert!(entry.detail.contains("by nobody"));
}

/// An admin may send a frame over 1 MiB (an import of a real backup);
/// an editor may not, and is told it is about the role.
#[test]
fn an_admin_imports_a_large_backup_through_the_server() {
    let seed = place();
    let seeded = branchlink::store::Store::open(&seed.db).unwrap();
    branchlink::demo::load(&seeded).unwrap();
    let mut snapshot = seeded.export().unwrap();
    let leader = snapshot.points[0].leader;
    let point = snapshot.points[0].id;
    let mut next = snapshot.activities.iter().map(|a| a.id).max().unwrap();
    for i in 0..1500 {
        next += 1;
        let mut a = visit(leader, i, &format!("large {i}"));
        a.id = next;
        a.point = point;
        a.findings = Some("三会一课落实不到位，".repeat(60));
        snapshot.activities.push(a);
    }
    let size = protocol::encode(&snapshot).unwrap().len();
    assert!(size > protocol::MAX_FRAME, "{size} bytes");

    let p = place();
    let _server = serve(&p);
    std::fs::write(
        p.db.parent().unwrap().join("access.toml"),
        format!("[users]\n\"{}\" = \"editor\"\n", me()),
    )
    .unwrap();
    let editor = client(&p);
    assert!(matches!(
        editor.import(snapshot.clone()),
        Err(Error::Server(ServerError::Denied {
            needed: AccessRole::Admin,
            ..
        }))
    ));
    std::fs::write(
        p.db.parent().unwrap().join("access.toml"),
        format!("[users]\n\"{}\" = \"admin\"\n", me()),
    )
    .unwrap();
    let admin = client(&p);
    assert_eq!(admin.role(), AccessRole::Admin);
    assert_eq!(admin.import(snapshot.clone()).unwrap(), snapshot.record_count());
    assert_eq!(admin.export().unwrap(), snapshot);
}

/// An open board is a client: the server does not go idle under it, and
/// goes once it closes.
#[test]
fn an_open_board_keeps_an_idle_server() {
    let p = place();
    let mut o = autostart(&p, Duration::from_secs(1));
    o.subscribe = true;
    o.read_only = true;
    let board = Client::connect(o).unwrap();
    let pid = board.session().pid;
    std::thread::sleep(Duration::from_millis(2500));
    assert!(alive(pid), "the server stopped under an open board");
    assert!(board.leaders().unwrap().is_empty());
    drop(board);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "the server did not stop once the board closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A server whose socket file is removed can be reached by nobody: it
/// stops and frees the database for one that can (and SIGTERM stops it
/// even then).
#[test]
fn a_server_without_its_socket_stops() {
    let p = place();
    let mut server = serve(&p);
    std::fs::remove_file(&p.socket).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the unreachable server kept running");
        std::thread::sleep(Duration::from_millis(50));
    }
    let again = serve(&p);
    assert!(client(&p).leaders().unwrap().is_empty());
    // SIGTERM with the socket already gone: the stop does not depend on
    // waking the accept loop through the socket.
    let pid = again.0.id();
    std::fs::remove_dir_all(p.db.parent().unwrap()).unwrap();
    kill(pid, nix::sys::signal::Signal::SIGTERM);
    let mut again = again;
    let deadline = Instant::now() + Duration::from_secs(10);
    while again.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "SIGTERM did not stop the server");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The workbench itself, over a client: another staff member's visit shows
/// on the open board within 200 ms; a dead server shows as "reconnecting"
/// and the board recovers by itself when a server is back.
#[test]
fn an_open_board_shows_others_changes_and_a_lost_server() {
    use branchlink::app::{self, Action, App, Settings};
    use branchlink::domain::RuleId;
    let p = place();
    let server = serve(&p);
    let writer = client(&p);
    branchlink::demo::load(&writer).unwrap();
    let mut o = ClientOptions::new(p.socket.clone());
    o.subscribe = true;
    o.read_only = true;
    let board_client = Client::connect(o).unwrap();
    let settings = Settings {
        lang: branchlink::i18n::Lang::En,
        read_only: true,
        today: chrono::NaiveDate::from_ymd_opt(2020, 11, 20).unwrap(),
    };
    let mut board = App::new(&board_client, settings);
    let research = |app: &App, leader: u64| {
        app.data
            .status
            .as_ref()
            .unwrap()
            .leader(leader)
            .unwrap()
            .rule(RuleId::Research)
            .unwrap()
            .done
    };
    let leader = first_leader(&writer);
    let before = research(&board, leader);
    let mut v = visit(leader, 1, "others' visit");
    v.kind = branchlink::domain::ActivityKind::Research;
    v.date = chrono::NaiveDate::from_ymd_opt(2020, 11, 19).unwrap();
    let t = Instant::now();
    writer.add_activity(v).unwrap();
    // What the event loop does every 100 ms when no key is pressed.
    while research(&board, leader) == before {
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "the board did not show the change within 200 ms"
        );
        std::thread::sleep(Duration::from_millis(2));
        app::update(&mut board, Action::Poll, &board_client);
    }
    assert_eq!(research(&board, leader), before + 1);
    assert!(!board.disconnected);

    // The server dies: the board says it is reconnecting …
    kill(server.0.id(), nix::sys::signal::Signal::SIGKILL);
    let t = Instant::now();
    while !board.disconnected {
        assert!(t.elapsed() < Duration::from_secs(5), "the lost server was not noticed");
        std::thread::sleep(Duration::from_millis(10));
        app::update(&mut board, Action::Poll, &board_client);
    }
    // … and recovers when a server is back, with what happened meanwhile.
    let _again = serve(&p);
    let mut v = visit(leader, 2, "while away");
    v.kind = branchlink::domain::ActivityKind::Research;
    client(&p).add_activity(v).unwrap();
    let t = Instant::now();
    while board.disconnected || research(&board, leader) != before + 2 {
        assert!(t.elapsed() < Duration::from_secs(10), "the board did not recover");
        std::thread::sleep(Duration::from_millis(20));
        app::update(&mut board, Action::Poll, &board_client);
    }
}

/// Every kind of change, sent as a raw request by a viewer and by an
/// editor: the viewer changes nothing, the editor nothing an admin owns
/// (leaders, branches, contact points, targets, assessments, plan, import),
/// and no request edits or removes an audit entry.
#[test]
fn no_request_lets_a_role_past_its_rights_or_touches_the_audit_log() {
    use branchlink::api::Review;
    use branchlink::domain::{Branch, BureauEvent, EventKind, Problem, ProblemCategory, ProblemState, Targets};
    use branchlink::server::protocol::Request;
    let p = place();
    let _server = serve(&p);
    let admin = client(&p);
    branchlink::demo::load(&admin).unwrap();
    let leaders = admin.leaders().unwrap();
    let (l1, l2) = (leaders[0].id, leaders[1].id);
    let activity = admin.activities(&ActivityFilter::default()).unwrap()[0].clone();
    let assessment = admin.assessments(None).unwrap()[0].clone();
    let d = NaiveDate::from_ymd_opt(2020, 12, 1).unwrap();
    let changes = vec![
        Request::AddLeader(Leader {
            id: 0,
            name: "新领导".into(),
            title: "副局长".into(),
            role: Role::Member,
            own_branch: None,
            in_post_from: d,
            in_post_to: None,
        }),
        Request::AddBranch(Branch {
            id: 0,
            name: "中共新支部".into(),
            short: "新支部".into(),
            parent: None,
            category: None,
            weaknesses: vec![],
        }),
        Request::AssignPoint {
            leader: l1,
            branch: 1,
            from: d,
            years: 2,
        },
        Request::ReviewPoint {
            leader: l1,
            review: Review::Transformed,
            date: d,
        },
        Request::HandOver {
            leader: l1,
            successor: l2,
            date: d,
        },
        Request::AddActivity(visit(l1, 1, "x")),
        Request::UpdateActivity(Activity {
            note: Some("changed".into()),
            ..activity.clone()
        }),
        Request::DeleteActivity(activity.id),
        Request::RestoreActivity(Activity { id: 999, ..activity }),
        Request::AddProblem(Problem {
            id: 0,
            point: 0,
            leader: l1,
            category: ProblemCategory::Other,
            description: "x".into(),
            found: d,
            measures: None,
            state: ProblemState::Open,
            solved: None,
            solved_by: None,
        }),
        Request::SolveProblem {
            id: 2,
            date: d,
            measures: None,
        },
        Request::ReopenProblem(1),
        Request::AddEvent(BureauEvent {
            id: 0,
            kind: EventKind::Analysis,
            date: d,
            note: None,
        }),
        Request::SetTargets {
            year: 2020,
            targets: Targets::default(),
        },
        Request::Import(admin.export().unwrap()),
        Request::SetFlag("x".into()),
        Request::SetAssessment(assessment),
        Request::SetRubric {
            year: 2021,
            rubric: admin.rubric(2021).unwrap(),
        },
        Request::SetPlanItem {
            year: 2020,
            phase: 1,
            task: 1,
            done: Some(d),
        },
        Request::SetPlanWindow {
            year: 2020,
            phase: 1,
            from: d,
            to: d,
        },
    ];
    assert!(changes.iter().all(|r| r.is_change()));
    let audit_before = admin.audit(100_000).unwrap();
    let data_before = admin.export().unwrap();
    let access = p.db.parent().unwrap().join("access.toml");
    for role in ["viewer", "editor"] {
        std::fs::write(&access, format!("[users]\n\"{}\" = \"{role}\"\n", me())).unwrap();
        let c = client(&p);
        for request in &changes {
            let needed = request.needs();
            let allowed = role == "editor" && needed == AccessRole::Editor;
            if allowed {
                continue;
            }
            match c.call(request.clone()) {
                Err(Error::Server(ServerError::Denied { needed: n, .. })) => assert_eq!(n, needed, "{request:?}"),
                other => panic!("{role} sent {request:?} and got {other:?}"),
            }
        }
    }
    assert_eq!(admin.export().unwrap(), data_before, "a refused request changed data");
    let audit_after = admin.audit(100_000).unwrap();
    assert_eq!(audit_after, audit_before, "a refused request wrote to the audit log");

    // The editor's own changes only add audit entries: older ones stay as they were.
    std::fs::write(&access, format!("[users]\n\"{}\" = \"editor\"\n", me())).unwrap();
    let editor = client(&p);
    for request in changes.iter().filter(|r| r.needs() == AccessRole::Editor) {
        let _ = editor.call(request.clone());
    }
    let audit_final = admin.audit(100_000).unwrap();
    assert!(audit_final.len() > audit_before.len());
    // `audit` lists newest first: the old entries are the tail, unchanged.
    assert_eq!(
        &audit_final[audit_final.len() - audit_before.len()..],
        &audit_before[..]
    );
}

/// Once the data has gone unchanged for two seconds, the server tidies
/// sled's log (`Store::tidy_log`, tests/disk.rs checks what that frees), a
/// bounded round a second while rounds move pages: a subscribed board does
/// not keep it from doing so, a quiet server with nothing to move does not
/// go on, and a server stopped within the two seconds of a change tidies
/// once as it stops.
#[test]
fn the_server_tidies_its_log_when_writes_pause_and_when_it_stops() {
    let p = place();
    let log = p.db.with_extension("log");
    let tidied = || std::fs::read_to_string(&log).unwrap().matches("tidied the log").count();
    let wait_for_tidies = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(15);
        while tidied() < n {
            assert!(
                Instant::now() < deadline,
                "no tidy after the writes:\n{}",
                std::fs::read_to_string(&log).unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Waits until three seconds pass with no new round: the rounds that
    // move pages stop by themselves.
    let settled = || {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let seen = tidied();
            std::thread::sleep(Duration::from_secs(3));
            if tidied() == seen {
                return seen;
            }
            assert!(Instant::now() < deadline, "the server never stops tidying");
        }
    };
    let mut server = serve_logging_to(&p, std::fs::File::create(&log).unwrap());
    let writer = client(&p);
    let mut o = ClientOptions::new(p.socket.clone());
    o.subscribe = true;
    o.read_only = true;
    let _board = Client::connect(o).unwrap();
    branchlink::demo::load(&writer).unwrap();
    let leader = first_leader(&writer);
    for i in 0..20 {
        writer.add_activity(visit(leader, i, "会前走访")).unwrap();
    }
    wait_for_tidies(1);
    let quiet = settled();
    writer.add_activity(visit(leader, 21, "会后走访")).unwrap();
    wait_for_tidies(quiet + 1);
    let before_stop = settled();
    // A change, then a stop before the two seconds are up.
    writer.add_activity(visit(leader, 22, "散会前走访")).unwrap();
    let pid = nix::unistd::Pid::from_raw(server.0.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tidied(), before_stop + 1, "{}", std::fs::read_to_string(&log).unwrap());
}
