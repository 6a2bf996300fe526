//! Hands the linker `bench/symbol-order.txt`, the functions that one-shot
//! commands run, so that it places them side by side at the start of the
//! program's code: a `visit add` then maps about 1.1 MB of code instead of
//! pages from all over 6 MB (docs/PERFORMANCE.md, twelfth round).
//!
//! Only LLD (Rust's default linker on x86_64 Linux since 1.90) and a few
//! others know `--symbol-ordering-file`; GNU ld stops at it. So the option
//! is first tried on an empty program, linked as the real one will be
//! (same target, flags and linker), and passed on only if that links: any
//! other linker builds the program as before, just without the order.
//! Names in the file that the program lacks are skipped without a warning,
//! so a stale file (`bench/symbol-order.sh --check`) costs speed, never
//! the build.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=bench/symbol-order.txt");
    let target = env::var("TARGET").unwrap_or_default();
    if !(target.starts_with("x86_64-") && target.contains("-linux-gnu")) {
        return;
    }
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let order = manifest.join("bench").join("symbol-order.txt");
    if !order.is_file() {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={}", order.display()),
        "-Wl,--no-warn-symbol-ordering".to_string(),
    ];
    if links_with(&target, &args) {
        for arg in args {
            println!("cargo::rustc-link-arg={arg}");
        }
    } else {
        println!("cargo::warning=linking with --symbol-ordering-file failed: built without bench/symbol-order.txt");
    }
}

/// Whether an empty program links for `target` with `args` added, through
/// the rustc, flags and linker cargo uses for the real one.
fn links_with(target: &str, args: &[String]) -> bool {
    let Some(out_dir) = env::var_os("OUT_DIR") else {
        return false;
    };
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut command = Command::new(rustc);
    command
        .args([
            "--crate-type",
            "bin",
            "--crate-name",
            "symbol_order_probe",
            "--target",
            target,
        ])
        .arg("-o")
        .arg(Path::new(&out_dir).join("symbol_order_probe"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // The flags of the real build (with `+crt-static`), separated by 0x1f.
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        command.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        command.arg("-C").arg({
            let mut arg = std::ffi::OsString::from("linker=");
            arg.push(linker);
            arg
        });
    }
    for arg in args {
        command.arg("-C").arg(format!("link-arg={arg}"));
    }
    command.arg("-");
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        if stdin.write_all(b"fn main() {}\n").is_err() {
            return false;
        }
    }
    child.wait().is_ok_and(|status| status.success())
}
