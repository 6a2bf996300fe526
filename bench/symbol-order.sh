#!/usr/bin/env bash
# Writes bench/symbol-order.txt: the functions that one-shot commands run,
# which the linker places side by side at the start of the program's code
# (.cargo/config.toml passes the file to LLD). A command line then maps
# fewer pages of its 6 MB of code: the functions of an embedded
# `visit add` sat on 519 pages spread over the whole program, and sit on
# 282 with the file (docs/PERFORMANCE.md, twelfth round).
#
#   bench/symbol-order.sh          # regenerate the file
#   bench/symbol-order.sh --check  # how many of its names the release build has
#
# The names are mangled, with hashes that change with the compiler, the
# dependencies' versions and the build's flags (not with edits to a
# function's body). A stale file costs only speed: names the program no
# longer has are ignored. Regenerate after `cargo update` or a new Rust;
# `--check` says how much still matches. Needs valgrind (callgrind) and
# python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDER=bench/symbol-order.txt
# The program alone, as `cargo build --release` makes it: built beside
# an example, the library gets the features of the dev-dependencies too,
# and other hashes in its names.
cargo build --release --locked --example generate
cargo build --release --locked --bin branchlink
RELEASE=$PWD/target/$(rustc -vV | sed -n 's/^host: //p')/release
BIN=$RELEASE/branchlink

# The share of the file's names that the program defines.
check() {
  python3 - "$BIN" "$ORDER" <<'PY'
import subprocess, sys
defined = set()
for line in subprocess.run(["nm", sys.argv[1]], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3:
        defined.add(parts[2])
names = [n for n in open(sys.argv[2]).read().split("\n") if n]
found = sum(n in defined for n in names)
print(f"{found} of the {len(names)} names in {sys.argv[2]} are functions of {sys.argv[1]} ({100 * found // max(len(names), 1)} %)")
PY
}
if [[ "${1:-}" == "--check" ]]; then check; exit; fi
command -v valgrind >/dev/null || { echo "symbol-order.sh needs valgrind (apt-get install valgrind)" >&2; exit 1; }

WORK=$(mktemp -d)
SERVER=
cleanup() { [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export BRANCHLINK_TODAY=2026-11-27
DB=$WORK/db
NOTE="到联系点支部调研，听取支部书记汇报，查阅三会一课记录，指出问题并提出整改要求"
"$RELEASE/examples/generate" --db "$DB" --activities 10000 >/dev/null
# The day's first change writes the day's backup, a path of once a day.
"$BIN" --db "$DB" --no-server visit add 王建国 --kind research --note "$NOTE" >/dev/null

# Each workload under callgrind, names unmangled as the linker sees them.
n=0
trace() {
  n=$((n + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/cg.$n" "$@" >/dev/null 2>&1
}
trace "$BIN" --db "$DB" --no-server visit add 王建国 --kind research --note "$NOTE"
trace "$BIN" --db "$DB" --no-server status --year 2026 --format json
trace "$BIN" --version
"$BIN" --db "$DB" serve >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do [[ -S "$DB.sock" ]] && break; sleep 0.1; done
trace "$BIN" --db "$DB" visit add 王建国 --kind research --note "$NOTE"
trace "$BIN" --db "$DB" status --year 2026 --format json

# callgrind names a function at its first mention, `fn=(id) name` (or
# cfn= for a callee); a recursion's copies end in 'N. The embedded add's
# functions come first, then what each next workload adds: the add's code
# is then one stretch of pages.
for i in $(seq 1 "$n"); do
  sed -nE 's/^c?fn=\([0-9]+\) (.*)$/\1/p' "$WORK/cg.$i" | sed -E "s/'[0-9]+$//" \
    | grep -vE '^(\(below main\)|0x[0-9a-f]+)$' | LC_ALL=C sort -u >"$WORK/names.$i"
done
awk '!seen[$0]++' $(for i in $(seq 1 "$n"); do echo "$WORK/names.$i"; done) >"$ORDER"
echo "wrote $ORDER: $(wc -l <"$ORDER") functions" >&2
# The file is read at link time, which cargo does not know: link again.
touch src/main.rs examples/sled_floor.rs
cargo build --release --locked --bin branchlink
check
