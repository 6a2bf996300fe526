//! The README's command-line examples, run as written (with the scratch
//! paths moved into a temporary directory), so they cannot go stale.

use std::path::Path;
use std::process::Command;

/// The day the examples are run on: after the review they record
/// (2022-08-28), since work is recorded once done.
const README_TODAY: &str = "2022-12-31";

/// The `$ ` lines of the README's console blocks.
fn console_lines(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        if in_console && let Some(cmd) = line.strip_prefix("$ ") {
            out.push(cmd.to_string());
        }
    }
    out
}

#[test]
fn readme_examples_work_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let lines = console_lines(&readme);
    assert!(lines.len() >= 10, "the README lost its examples: {lines:?}");
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_branchlink"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let scratch = dir.path().to_str().unwrap();
    for line in lines {
        // Keep the examples' /tmp paths out of the real /tmp.
        let script = line.replace("/tmp/", &format!("{scratch}/"));
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -e; source {scratch}/env 2>/dev/null || true; {script}; export -p > {scratch}/env"
            ))
            .env("PATH", &path)
            .env("BRANCHLINK_TODAY", README_TODAY)
            .env_remove("BRANCHLINK_DB")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README example failed: {line}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The examples did what they say: 王明's visit and solved problem count.
    let out = Command::new(env!("CARGO_BIN_EXE_branchlink"))
        .args([
            "--db",
            &format!("{scratch}/branchlink-try"),
            "status",
            "--year",
            "2020",
            "--format",
            "json",
        ])
        .env("BRANCHLINK_TODAY", README_TODAY)
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let wang = status["leaders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "王明")
        .unwrap();
    assert_eq!(wang["rules"][0]["done"], 1);
    assert_eq!(wang["rules"][1]["done"], 1);
    assert_eq!(status["bureau"][2]["done"], 1);
    assert!(dir.path().join("branchlink-backup.json").exists());
    assert!(dir.path().join("branchlink-2020.xlsx").exists());
}
