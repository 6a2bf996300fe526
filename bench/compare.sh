#!/usr/bin/env bash
# Whole-process comparisons at provincial scale: branchlink (through a
# running server and embedded), the sled floor, and taskwarrior on the same
# number of tasks; and the workbench's start to its first frame in a
# pseudo-terminal (examples/pty_start.rs). Writes a Markdown section to docs/PERFORMANCE.md (between
# the BEGIN/END markers) and to $OUT/table.md.
#
#   bench/compare.sh            # 10k, 100k and 1M activities
#   bench/compare.sh --no-1m    # skip 1M (generation takes minutes)
#   SIZES="10000" bench/compare.sh
#
# Needs hyperfine, /usr/bin/time, python3 and taskwarrior (`task`); a
# missing taskwarrior is reported in the table, not fatal.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
if [[ "${1:-}" == "--no-1m" ]]; then SIZES=${SIZES// 1000000/}; fi
OUT=${BENCH_DIR:-/tmp/branchlink-bench}
RUNS=${RUNS:-30}
export BRANCHLINK_TODAY=2026-11-27
YEAR=2026
NOTE="到联系点支部调研，听取支部书记汇报，查阅三会一课记录，指出问题并提出整改要求"
LEADER="王建国"
mkdir -p "$OUT"

# The program alone, as `cargo build --release` makes it: built in one
# command with the examples, its library would get the features of the
# dev-dependencies too, and other names than bench/symbol-order.txt has.
cargo build --release --locked --example generate --example sled_floor --example pty_start
cargo build --release --locked --bin branchlink
# .cargo/config.toml builds for the host as for another target, so the
# output is under target/<host tuple>/.
RELEASE=$PWD/target/$(rustc -vV | sed -n 's/^host: //p')/release
BIN=$RELEASE/branchlink
GEN=$RELEASE/examples/generate
FLOOR=$RELEASE/examples/sled_floor
PTY=$RELEASE/examples/pty_start
HAVE_TASK=$(command -v task >/dev/null && echo yes || echo no)

# The median of a hyperfine JSON export, in ms.
median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1e3))' "$1"; }
# hyperfine NAME RUNS COMMAND -> median ms
hf() {
  local name=$1 runs=$2; shift 2
  hyperfine --style none -N --warmup "$WARMUP" --runs "$runs" --export-json "$OUT/$name.json" "$@" >"$OUT/$name.log" 2>&1 \
    || { echo "failed: $name (see $OUT/$name.log)" >&2; echo "failed"; return; }
  median "$OUT/$name.json"
}
# Two commands timed in alternation, one run of each at a time, so that a
# busy spell of the machine falls on both: for a ratio between them (the
# embedded add against the sled floor). Writes NAME_A.json and NAME_B.json
# as hyperfine would (all times, their median) and prints both medians.
# hf_pair NAME_A NAME_B RUNS COMMAND_A COMMAND_B -> "median_a median_b"
hf_pair() {
  local a=$1 b=$2 runs=$3 cmd_a=$4 cmd_b=$5 i side name cmd
  : >"$OUT/$a.log"; : >"$OUT/$b.log"
  for (( i = 0; i < WARMUP + runs; i++ )); do
    for side in a b; do
      name=$a cmd=$cmd_a
      if [[ $side == b ]]; then name=$b cmd=$cmd_b; fi
      hyperfine --style none -N --runs 1 --export-json "$OUT/$name.$i.json" "$cmd" >>"$OUT/$name.log" 2>&1 \
        || { echo "failed: $name (see $OUT/$name.log)" >&2; echo "failed failed"; return; }
    done
  done
  python3 - "$OUT" "$WARMUP" "$runs" "$a" "$b" <<'PY'
import json, statistics, sys, os
out, warmup, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
medians = []
for name in sys.argv[4:6]:
    results = []
    for i in range(warmup + runs):
        path = f"{out}/{name}.{i}.json"
        if i >= warmup:
            results.append(json.load(open(path))["results"][0])
        os.remove(path)
    times = [r["times"][0] for r in results]
    merged = dict(results[0], times=times, median=statistics.median(times), mean=statistics.mean(times),
                  user=statistics.mean(r["user"] for r in results), system=statistics.mean(r["system"] for r in results),
                  min=min(times), max=max(times))
    json.dump({"results": [merged]}, open(f"{out}/{name}.json", "w"))
    medians.append("%.1f" % (merged["median"] * 1e3))
print(" ".join(medians))
PY
}
# Peak RSS in MB of a command (GNU time's "Maximum resident set size").
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.1f", $6/1024}'; }

SERVER_PID=
start_server() {
  local db=$1
  rm -f "$OUT/server.time"
  /usr/bin/time -v -o "$OUT/server.time" "$BIN" --db "$db" serve >"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do [[ -S "$db.sock" ]] && break; sleep 0.1; done
  "$BIN" --db "$db" leader list >/dev/null
}
stop_server() {
  # The server is the child of /usr/bin/time: signal it, let time report.
  # Not in a $(…) subshell: only this shell can wait for its job.
  pkill -TERM -P "$SERVER_PID" || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap '[[ -n "$SERVER_PID" ]] && pkill -TERM -P "$SERVER_PID" 2>/dev/null; true' EXIT

ROWS=()
for N in $SIZES; do
  # The generated data ($OUT/db-N, $OUT/task-N) is never timed itself:
  # every run times fresh copies of it ($OUT/run-N), so that each run
  # measures N activities and N tasks. Timing the generated database
  # itself piled every run's adds onto one leader on one day (714 visits
  # of 王建国 on 2026-11-27 after seven rounds), a day and a leader whose
  # buckets every later add read, inflated and rewrote; taskwarrior's
  # pending tasks grew the same way.
  # A stamp says the generation finished; data without one (a generation
  # cut short, or data from before the copies, which runs had changed) is
  # made again.
  PRISTINE=$OUT/db-$N
  if [[ ! -f "$PRISTINE.done" ]]; then
    echo "== generating $N activities" >&2
    # The tasks are made again from the new export: their stamp goes with
    # them, or the copy below would find no taskwarrior data.
    rm -rf "$PRISTINE" "$PRISTINE.backups" "$OUT/task-$N" "$OUT/task-$N.done"
    "$GEN" --db "$PRISTINE" --activities "$N" --export "$OUT/export-$N.json" --tasks "$OUT/tasks-$N.json"
    touch "$PRISTINE.done"
  fi
  RUN=$OUT/run-$N
  rm -rf "$RUN"
  mkdir -p "$RUN"
  # cp keeps sled's holes (punched free segments) as holes.
  cp -a "$PRISTINE" "$RUN/db"
  DB=$RUN/db
  # At 1M one taskwarrior run takes seconds: fewer of its runs there.
  runs=$RUNS WARMUP=3 task_runs=$RUNS task_warmup=3
  if [[ $N -ge 1000000 ]]; then task_runs=$(( RUNS / 2 )) task_warmup=1; fi

  # Taskwarrior: a private database of the same tasks.
  TASKS_N=$(wc -l <"$OUT/tasks-$N.json")
  TASK_PRISTINE=$OUT/task-$N
  export TASKDATA=$RUN/task TASKRC=$OUT/taskrc
  printf 'data.location=%s\nconfirmation=off\nverbose=nothing\nnews.version=2.6.0\n' "$OUT" >"$TASKRC"
  T_ADD=n/a T_COUNT=n/a T_SUMMARY=n/a T_RSS=n/a
  if [[ $HAVE_TASK == yes ]]; then
    if [[ ! -f "$TASK_PRISTINE.done" ]]; then
      rm -rf "$TASK_PRISTINE"
      mkdir -p "$TASK_PRISTINE"
      echo "== task import of $TASKS_N tasks" >&2
      /usr/bin/time -f "task import: %e s" task rc.data.location="$TASK_PRISTINE" import "$OUT/tasks-$N.json" >/dev/null
      touch "$TASK_PRISTINE.done"
    fi
    cp -a "$TASK_PRISTINE" "$TASKDATA"
    # The copies (1.3 GB at 1M) are written out before anything is timed.
    sync
    TW="task rc.data.location=$TASKDATA rc.confirmation=off rc.verbose=nothing rc.gc=on"
    T_ADD=$(WARMUP=$task_warmup hf "task-add-$N" "$task_runs" "$TW add '$NOTE' project:point1")
    T_COUNT=$(WARMUP=$task_warmup hf "task-count-$N" "$task_runs" "$TW count")
    T_SUMMARY=$(WARMUP=$task_warmup hf "task-summary-$N" "$task_runs" "$TW summary")
    T_RSS=$(rss $TW summary)
  fi

  # Embedded (no server may hold the database). The day's first change
  # writes a backup of the whole database (430 MB at 1M): make it before
  # timing and let the kernel write it out, or its write-back lands in the
  # timed runs.
  "$BIN" --db "$DB" --no-server visit add "$LEADER" --kind research --note "$NOTE" >/dev/null
  sync
  read -r E_ADD FLOOR_MS < <(hf_pair "embedded-add-$N" "floor-$N" "$runs" \
    "$BIN --db $DB --no-server visit add $LEADER --kind research --note '$NOTE'" "$FLOOR $DB '$NOTE'")
  # The same add through the store, as when the inbox cannot take it (no
  # digest: after a killed server, or the day's first change): removing
  # the digest first makes each run open sled, add, and leave a digest.
  E_ADD_STORE=$(hf "embedded-add-store-$N" "$runs" --prepare "rm -f $DB/digest" \
    "$BIN --db $DB --no-server visit add $LEADER --kind research --note '$NOTE'")
  E_STATUS=$(hf "embedded-status-$N" "$runs" "$BIN --db $DB --no-server status --year $YEAR --format json")
  CLI_RSS=$(rss "$BIN" --db "$DB" --no-server status --year $YEAR --format json)
  # The workbench in a pseudo-terminal, start to the end of its first frame.
  # "<median> ms median of N (…); workbench peak RSS <MB> MB"
  W_LINE=$("$PTY" "$BIN" "$DB" "$runs" embedded)
  W_EMB=$(awk '{print $1}' <<<"$W_LINE")
  W_RSS=$(sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' <<<"$W_LINE")

  # Through a running server.
  start_server "$DB"
  S_ADD=$(hf "server-add-$N" "$runs" "$BIN --db $DB visit add $LEADER --kind research --note '$NOTE'")
  S_STATUS=$(hf "server-status-$N" "$runs" "$BIN --db $DB status --year $YEAR --format json")
  C_RSS=$(rss "$BIN" --db "$DB" status --year $YEAR --format json)
  W_SRV=$("$PTY" "$BIN" "$DB" "$runs" server | awk '{print $1}')
  stop_server
  S_RSS=$(awk '/Maximum resident/ {printf "%.1f", $6/1024}' "$OUT/server.time")

  # Blocks allocated, not apparent size: sled's free log segments are holes.
  # In MiB with one decimal: at 10k the two are about 3 and 10.7 MiB, and
  # whole MiB would hide whether the ratio is 3× or not.
  mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
  DISK=$(mib "$(du -s --block-size=1 "$DB" | cut -f1)")
  RAW=$(mib "$(stat -c %s "$OUT/export-$N.json")")
  TDISK=n/a; [[ -d "$TASKDATA" ]] && TDISK=$(mib "$(du -s --block-size=1 "$TASKDATA" | cut -f1)")
  ROWS+=("| $N | $S_ADD | $E_ADD | $E_ADD_STORE | $FLOOR_MS | $T_ADD | $S_STATUS | $E_STATUS | $T_COUNT | $T_SUMMARY | $S_RSS | $C_RSS / $CLI_RSS | $T_RSS | $DISK / $RAW | $TDISK | $W_EMB / $W_SRV | $W_RSS |")
  echo "${ROWS[-1]}" >&2
done

MODEL=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
{
  echo "Measured $(date -u +'%Y-%m-%d %H:%M UTC') on $(nproc) cores of ${MODEL:-unknown CPU}, $MEM RAM, $(uname -sr);"
  echo "branchlink $(git rev-parse --short HEAD), $(task --version 2>/dev/null | sed 's/^/taskwarrior /' || echo 'taskwarrior not installed')."
  echo "Medians of $RUNS runs with hyperfine after 3 warm-up runs (taskwarrior at 1M: $(( RUNS / 2 )) runs after 1); the embedded add (through the inbox) and the sled floor timed in alternation, one run of each at a time; the embedded add through the store with the digest removed before each run; times in ms, memory in MB."
  echo
  echo "| activities | add, server | add, embedded (inbox) | add, embedded (store) | sled floor | task add | status, server | status, embedded | task count | task summary | RSS server | RSS CLI (client / embedded) | RSS task summary | disk / export JSON, MiB | task data, MiB | workbench start → first frame (embedded / server) | RSS workbench (embedded) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
} >"$OUT/table.md"
cat "$OUT/table.md"

# Into docs/PERFORMANCE.md, between the markers.
python3 - "$OUT/table.md" docs/PERFORMANCE.md <<'PY'
import sys, re
table = open(sys.argv[1]).read()
doc = open(sys.argv[2]).read()
new = re.sub(r"(<!-- BEGIN compare.sh -->\n).*?(<!-- END compare.sh -->)", lambda m: m.group(1) + table + m.group(2), doc, flags=re.S)
open(sys.argv[2], "w").write(new)
PY
