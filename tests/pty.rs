//! The workbench in a real pseudo-terminal (nix's openpty): what the binary
//! writes to the terminal, byte for byte, and the terminal's modes after it
//! exits.
//!
//! - A panic leaves the terminal usable: raw mode off (the pty's termios has
//!   ECHO and ICANON again), the alternate screen left (`ESC[?1049l`), the
//!   cursor shown (`ESC[?25h`), bracketed paste off (`ESC[?2004l`), and the
//!   panic message printed after all of that. The panic is made by the test
//!   hook `BRANCHLINK_TEST_PANIC=1` (src/ui/mod.rs, `event_loop`).
//! - Text carrying escape sequences that reached the store (written here
//!   with sled directly, since no front end lets it in: tests/hostile.rs)
//!   is drawn without any of its escape sequences reaching the terminal.

#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use branchlink::domain::{Branch, Leader};
use common::{Db, bin};
use nix::pty::{OpenptyResult, Winsize, openpty};
use nix::sys::termios::{LocalFlags, tcgetattr};

struct Pty {
    master: std::fs::File,
    slave: OwnedFd,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    fn open() -> Pty {
        let size = Winsize {
            ws_row: 30,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let OpenptyResult { master, slave } = openpty(Some(&size), None).unwrap();
        let master = std::fs::File::from(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Ends with EIO once no process holds the slave side.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty { master, slave, output }
    }

    /// The workbench on this pty's slave side as its terminal.
    fn spawn(&self, db: &Db, env: &[(&str, &str)]) -> Workbench {
        let io = || Stdio::from(self.slave.try_clone().unwrap());
        let mut c = Command::new(bin());
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", db.dir.path())
            .env("XDG_DATA_HOME", db.dir.path())
            .env("TERM", "xterm-256color")
            .env("NO_COLOR", "1")
            .env("BRANCHLINK_NO_SERVER", "1")
            .env("BRANCHLINK_TODAY", common::TODAY)
            .env("USER", common::USER)
            .args(["--db", db.path.to_str().unwrap(), "--lang", "en"])
            .stdin(io())
            .stdout(io())
            .stderr(io());
        for (k, v) in env {
            c.env(k, v);
        }
        Workbench(c.spawn().unwrap())
    }

    fn output(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// Waits (up to 30 s) until the output contains `needle`.
    #[track_caller]
    fn wait_for(&self, needle: &[u8]) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !contains(&self.output(), needle) {
            assert!(
                Instant::now() < deadline,
                "{:?} never appeared; output so far: {:?}",
                String::from_utf8_lossy(needle),
                String::from_utf8_lossy(&self.output())
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn echo_and_canonical(&self) -> (bool, bool) {
        let t = tcgetattr(&self.slave).unwrap();
        (
            t.local_flags.contains(LocalFlags::ECHO),
            t.local_flags.contains(LocalFlags::ICANON),
        )
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The workbench's process, killed when a test ends before it exited (a
/// failed assertion while waiting for output would otherwise leave it
/// running, holding its database).
struct Workbench(Child);

impl Drop for Workbench {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Quits the workbench with `q`, waits for it to exit successfully and
/// give the terminal back; returns all it wrote.
#[track_caller]
fn quit(pty: &Pty, child: &mut Workbench) -> Vec<u8> {
    (&pty.master).write_all(b"q").unwrap();
    let status = wait_exit(child);
    assert!(status.success(), "{status:?}");
    pty.wait_for(b"\x1b[?1049l");
    pty.output()
}

#[track_caller]
fn wait_exit(Workbench(child): &mut Workbench) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the workbench did not exit within 30 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn demo_db() -> Db {
    let db = Db::new();
    db.ok(&["demo"]);
    db
}

#[test]
fn a_panic_gives_the_terminal_back_before_the_message() {
    let db = demo_db();
    let pty = Pty::open();
    assert_eq!(pty.echo_and_canonical(), (true, true), "a fresh pty is cooked");
    let mut child = pty.spawn(&db, &[("BRANCHLINK_TEST_PANIC", "1")]);
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(101), "a panic exits 101");
    pty.wait_for(b"BRANCHLINK_TEST_PANIC");
    pty.wait_for(b"\n");
    let out = pty.output();
    let text = String::from_utf8_lossy(&out);
    // It really was running full screen: raw mode, alternate screen,
    // bracketed paste, a drawn frame.
    let entered = position(&out, b"\x1b[?1049h").expect("entered the alternate screen");
    assert!(contains(&out, b"\x1b[?2004h"), "bracketed paste was on: {text:?}");
    let panic_at = position(&out, b"panicked at").expect("the panic message");
    for (what, seq) in [
        ("leave the alternate screen", &b"\x1b[?1049l"[..]),
        ("show the cursor", b"\x1b[?25h"),
        ("bracketed paste off", b"\x1b[?2004l"),
    ] {
        let at = position(&out[..panic_at], seq).unwrap_or_else(|| panic!("no {what} before the message: {text:?}"));
        assert!(at > entered, "{what} came before the workbench started");
    }
    // Raw mode is off again: the terminal echoes and reads lines.
    assert_eq!(pty.echo_and_canonical(), (true, true), "raw mode was left on");
    // And the shell would see typed text echoed: write to the pty, read it back.
    (&pty.master).write_all(b"still-echoing\n").unwrap();
    pty.wait_for(b"still-echoing");
}

/// On quitting, the workbench erases its screen before it leaves the
/// alternate screen: without that, tmux showed a line of the last frame
/// above the prompt when the window had been resized meanwhile. Erased
/// from the top left down (`ESC[1;1H ESC[J`), as the last thing before
/// `ESC[?1049l`.
#[test]
fn quitting_erases_the_screen_before_leaving_it() {
    let db = demo_db();
    let pty = Pty::open();
    let mut child = pty.spawn(&db, &[]);
    pty.wait_for(b"Contact point");
    let out = quit(&pty, &mut child);
    let text = String::from_utf8_lossy(&out);
    let left = position(&out, b"\x1b[?1049l").expect("left the alternate screen");
    let drawn = position(&out, b"Contact point").expect("a frame was drawn");
    let erase: &[u8] = b"\x1b[1;1H\x1b[J";
    let erased = out[..left]
        .windows(erase.len())
        .rposition(|w| w == erase)
        .unwrap_or_else(|| panic!("no erase before leaving the alternate screen: {text:?}"));
    assert!(erased > drawn, "the erase came before the frame: {text:?}");
    // Nothing drawn between the erase and the leave.
    let between = String::from_utf8_lossy(&out[erased + erase.len()..left]);
    assert!(between.is_ascii(), "text drawn after the erase: {between:?}");
}

/// Replaces a stored record's text with sled directly, behind every check.
fn poison(db: &Db, leader_name: &str, branch_name: &str) {
    common::wait_closed(&db.path);
    let sled = branchlink::store::sled_config(&db.path).open().unwrap();
    let mut first = true;
    common::change_records(&sled, "leaders", |_, leader: &mut Leader| {
        leader.name = leader_name.into();
        std::mem::take(&mut first)
    });
    common::change_records(&sled, "branches", |id, branch: &mut Branch| {
        assert_eq!(id, branch.id);
        branch.short = branch_name.into();
        branch.name = format!("{branch_name}{}", branch.id);
        true
    });
    sled.flush().unwrap();
    drop(sled);
    common::wait_closed(&db.path);
}

#[test]
fn escape_sequences_in_stored_text_never_reach_the_terminal() {
    let db = demo_db();
    // An OSC 52 clipboard write, a colour, a screen clear, a C1 CSI and a
    // bidi override, around visible markers.
    poison(
        &db,
        "甲\x1b]52;c;cHduZWQ=\x07\x1b[31m乙\x1b[2J\u{9b}33m丙\u{202e}丁",
        "戊\x1b]0;title\x07\x1b[5m己",
    );
    let pty = Pty::open();
    let mut child = pty.spawn(&db, &[]);
    // The board is drawn with the poisoned names' visible parts. ratatui
    // drops the control characters (ESC, BEL, C1) when it draws, so what is
    // left of a sequence shows as harmless text (e.g. "]52;c;"): no terminal
    // acts on it without the ESC in front. The names are longer than their
    // columns, so the board shows their starts and "…".
    pty.wait_for("甲".as_bytes());
    pty.wait_for("戊".as_bytes());
    let out = quit(&pty, &mut child);
    let text = String::from_utf8_lossy(&out);
    for (what, seq) in [
        ("an OSC sequence", &b"\x1b]"[..]),
        ("BEL", b"\x07"),
        ("the red SGR", b"\x1b[31m"),
        ("blink", b"\x1b[5m"),
        ("erase display", b"\x1b[2J"),
        ("C1 CSI", "\u{9b}".as_bytes()),
        ("RLO", "\u{202e}".as_bytes()),
    ] {
        assert!(
            !contains(&out, seq),
            "{what} from the data reached the terminal: {text:?}"
        );
    }
    // Each ESC the workbench wrote starts a sequence of its own making:
    // CSI, or ESC 7/8 / ESC = / ESC > — never one followed by text of the data.
    for (i, _) in out.iter().enumerate().filter(|(_, b)| **b == 0x1b) {
        let next = out.get(i + 1).copied().unwrap_or(b'[');
        assert!(
            matches!(next, b'[' | b'7' | b'8' | b'=' | b'>' | b'(' | b')'),
            "unexpected ESC {:?} at {i}: {text:?}",
            next as char
        );
    }
}
