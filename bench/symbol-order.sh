#!/usr/bin/env bash
# Writes bench/symbol-order.txt: the functions that one-shot commands run,
# which the linker places side by side at the start of the program's code
# (build.rs hands the file to the linker). A command line then maps fewer
# pages of its 6 MB of code: the functions of an embedded `visit add` sat
# on 519 pages spread over the whole program, and sit on 282 with the
# file (docs/PERFORMANCE.md, twelfth round).
#
#   bench/symbol-order.sh          # write the file again
#   bench/symbol-order.sh --check  # how many of its names the release build has
#
# The names are mangled, with hashes that change with the compiler, the
# dependencies' versions and the build's flags (not with edits to a
# function's body). A stale file costs only speed: names the program no
# longer has are skipped. Write it again after `cargo update` or a new
# Rust; `--check` says how much still matches. Needs valgrind (callgrind)
# and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDER=bench/symbol-order.txt
RELEASE=$PWD/target/$(rustc -vV | sed -n 's/^host: //p')/release
BIN=$RELEASE/branchlink

# How many of the file's names the program defines.
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
print(f"{found} of the {len(names)} names in {sys.argv[2]} are defined in {sys.argv[1]} ({100 * found // max(len(names), 1)} %)")
PY
}

case "${1:-}" in
  --check)
    cargo build --release --locked --bin branchlink
    check
    exit
    ;;
  "") ;;
  *)
    echo "usage: bench/symbol-order.sh [--check]" >&2
    exit 2
    ;;
esac
command -v valgrind >/dev/null || { echo "symbol-order.sh needs valgrind (apt-get install valgrind)" >&2; exit 1; }

# The program alone, as `cargo build --release` makes it: built beside
# an example, the library gets the features of the dev-dependencies too,
# and other hashes in its names.
cargo build --release --locked --example generate
cargo build --release --locked --bin branchlink

WORK=$(mktemp -d)
SERVER=
cleanup() {
  if [[ -n "$SERVER" ]]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# Nothing from the caller's environment may point the commands at another
# database or server.
unset BRANCHLINK_DB BRANCHLINK_SOCKET BRANCHLINK_NO_SERVER BRANCHLINK_LOG BRANCHLINK_BACKUP_KEEP
export BRANCHLINK_TODAY=2026-11-27
DB=$WORK/db
SOCK=$WORK/sock
NOTE="到联系点支部调研，听取支部书记汇报，查阅三会一课记录，指出问题并提出整改要求"
"$RELEASE/examples/generate" --db "$DB" --activities 10000 >/dev/null
# The day's first change writes the day's backup, a path of once a day.
"$BIN" --db "$DB" --no-server visit add 王建国 --kind research --note "$NOTE" >/dev/null

# Each workload under callgrind, names left mangled as the linker sees them.
n=0
trace() {
  n=$((n + 1))
  if ! valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/cg.$n" "$@" >"$WORK/log.$n" 2>&1; then
    echo "failed under callgrind: $*" >&2
    cat "$WORK/log.$n" >&2
    exit 1
  fi
}
# With the digest the first left, an embedded add goes to the inbox
# (src/store/inbox.rs); the status then opens the store, which applies it.
trace "$BIN" --db "$DB" --no-server visit add 王建国 --kind research --note "$NOTE"
trace "$BIN" --db "$DB" --no-server status --year 2026 --format json
trace "$BIN" --version
# An embedded add through the store, as when there is no digest.
rm -f "$DB/digest"
trace "$BIN" --db "$DB" --no-server visit add 王建国 --kind research --note "$NOTE"
"$BIN" --db "$DB" serve --socket "$SOCK" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do [[ -S "$SOCK" ]] && break; sleep 0.1; done
[[ -S "$SOCK" ]] || { echo "the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
trace "$BIN" --db "$DB" --socket "$SOCK" visit add 王建国 --kind research --note "$NOTE"
trace "$BIN" --db "$DB" --socket "$SOCK" status --year 2026 --format json

# callgrind names a function at its first mention, `fn=(id) name` (or
# cfn= for a callee); a recursion's copies end in 'N. The embedded add's
# functions come first, then what each next workload adds: the add's code
# is then one stretch of pages.
for i in $(seq 1 "$n"); do
  sed -nE 's/^c?fn=\([0-9]+\) (.*)$/\1/p' "$WORK/cg.$i" | sed -E "s/'[0-9]+$//" \
    | grep -vE '^(\(below main\)|0x[0-9a-f]+)$' | LC_ALL=C sort -u >"$WORK/names.$i"
done
for i in $(seq 1 "$n"); do cat "$WORK/names.$i"; done | awk '!seen[$0]++' >"$ORDER"
echo "wrote $ORDER: $(wc -l <"$ORDER") functions" >&2
# build.rs watches the file: this links the program again with it.
cargo build --release --locked --bin branchlink
check
