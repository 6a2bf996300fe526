//! Start → first frame of the whole workbench process in a pseudo-terminal,
//! for bench/compare.sh: from just before the process is spawned until the
//! end of its first frame has reached the terminal. ratatui ends a frame by
//! hiding the cursor (`ESC[?25l`) when the screen has no text field, as on
//! the board, and nothing before the first frame hides it. Then `q`, and
//! the next run. Includes everything a user waits for: loading the binary,
//! opening the database (or connecting to the server), reading the board's
//! data, drawing. Prints the median, minimum and maximum in ms, and the
//! largest peak RSS of the workbench over the runs (`getrusage` of the
//! waited-for children: the workbench is the only child).
//!
//! cargo run --release --example pty_start -- BIN DB RUNS [embedded|server]
//!
//! `embedded` (the default) sets BRANCHLINK_NO_SERVER=1; `server` expects a
//! `branchlink serve` to be running on DB already.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use nix::pty::{OpenptyResult, Winsize, openpty};

/// Hide the cursor: the end of a frame without a text field.
const MARKER: &[u8] = b"\x1b[?25l";
const WAIT: Duration = Duration::from_secs(60);

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: pty_start BIN DB RUNS [embedded|server]";
    let bin = args.next().expect(usage);
    let db = args.next().expect(usage);
    let runs: usize = args.next().expect(usage).parse().expect("RUNS is a number");
    let embedded = match args.next().as_deref() {
        None | Some("embedded") => true,
        Some("server") => false,
        Some(other) => panic!("{other}: expected embedded or server"),
    };
    // One untimed run first: the binary and the database into the page cache.
    let mut times: Vec<f64> = (0..=runs)
        .map(|_| start_once(&bin, &db, embedded).as_secs_f64() * 1e3)
        .skip(1)
        .collect();
    times.sort_by(f64::total_cmp);
    let median = if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2.0
    };
    // ru_maxrss of RUSAGE_CHILDREN: the largest peak of any waited-for
    // child, in KiB on Linux.
    let peak = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map(|u| u.max_rss() as f64 / 1024.0)
        .unwrap_or(f64::NAN);
    println!(
        "{median:.1} ms median of {runs} (min {:.1}, max {:.1}); workbench peak RSS {peak:.1} MB",
        times[0],
        times[times.len() - 1]
    );
}

fn start_once(bin: &str, db: &str, embedded: bool) -> Duration {
    // The size tmux gives a new session on an 80×24 terminal.
    let size = Winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let OpenptyResult { master, slave } = openpty(Some(&size), None).expect("openpty");
    // openpty's descriptors are inherited across exec; the workbench gets
    // the slave as its stdio only, or a server it starts would hold the
    // pty open after it exits.
    for fd in [&master, &slave] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("close-on-exec");
    }
    let mut master = std::fs::File::from(master);
    let mut reader = master.try_clone().expect("pty clone");
    let (seen, first_frame) = mpsc::channel();
    let io = || Stdio::from(slave.try_clone().expect("pty clone"));
    let mut command = Command::new(bin);
    command
        .args(["--db", db, "--lang", "en"])
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .stdin(io())
        .stdout(io())
        .stderr(io());
    if embedded {
        command.env("BRANCHLINK_NO_SERVER", "1");
    } else {
        command.env_remove("BRANCHLINK_NO_SERVER");
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("workbench starts");
    // The parent's copies of the slave side, or the reader never sees EIO.
    drop(command);
    drop(slave);
    // The reader notes the moment the marker arrives, then drains the pty
    // so the workbench never blocks on a full terminal.
    let drain = std::thread::spawn(move || {
        let (mut output, mut buf, mut told) = (Vec::new(), [0u8; 16384], false);
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if !told {
                output.extend_from_slice(&buf[..n]);
                if output.windows(MARKER.len()).any(|w| w == MARKER) {
                    let _ = seen.send(started.elapsed());
                    told = true;
                }
            }
        }
        if !told {
            eprintln!("no first frame; the terminal got: {}", String::from_utf8_lossy(&output));
        }
    });
    let Ok(elapsed) = first_frame.recv_timeout(WAIT) else {
        let _ = child.kill();
        let _ = child.wait();
        drop(master);
        let _ = drain.join();
        panic!("no first frame within {WAIT:?}");
    };
    master.write_all(b"q").expect("q to the workbench");
    let status = child.wait().expect("workbench exits");
    assert!(status.success(), "workbench exited with {status}");
    drop(master);
    let _ = drain.join();
    elapsed
}
