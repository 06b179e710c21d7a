#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The performance benchmark of vsorelay: one command, every measurement side
# by side with its baseline, a Markdown table on stdout.  See README.md here.
#
#   tests/bench/run-bench.sh [--quick] [--output FILE]
#
#   --quick        small inputs and few runs (a smoke test of the script, ~1 min);
#                  the figures are not comparable with the targets
#   --output FILE  also write the Markdown to FILE
#
# Environment (all optional):
#   BENCH_BUILD         the build directory under test (default: build/default; configure
#                       and build it first with cmake --preset default && cmake --build
#                       --preset default); bench-parse is built there from its core library
#   VSORELAY            the binary (default: $BENCH_BUILD/relay/vsorelay)
#   BENCH_WORK          scratch directory (default /tmp/vsorelay-bench; ~1.3 GiB)
#   BENCH_NPM_PREFIX    where azure-pipelines-task-lib is installed (default: tests/node,
#                       installed there with npm ci from its package-lock.json)
#   BENCH_RUNS          runs per throughput figure, median taken (default 5)
#   BENCH_KEEP=1        keep the generated logs in BENCH_WORK
#   BENCH_NICE          niceness for the whole run (default -10 when root, so that
#                       other work on the machine disturbs the figures less; both
#                       sides of every comparison run at the same priority)
#
# Progress goes to stderr.  Not part of ctest: it takes minutes and wants a
# quiet machine.  Exit status 0 when every measurement ran (met or not),
# 2 when something needed is missing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build/default}
VSORELAY=${VSORELAY:-$BUILD/relay/vsorelay}
WORK=${BENCH_WORK:-/tmp/vsorelay-bench}
NPM_PREFIX=${BENCH_NPM_PREFIX:-}

QUICK=0
OUTPUT=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --output) OUTPUT=${2:?--output wants a file}; shift ;;
    -h|--help) sed -n "2,24p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-bench.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

MIB=1048576
if [ "$QUICK" = 1 ]; then
  SIZE=$((64 * MIB)); BIGVALUE=$((8 * MIB)); PARSE_LINES=200000
  RUNS=${BENCH_RUNS:-3}; PARSE_RUNS=2; STARTUP_RUNS=50; LAT_SAMPLES=300; PARSE_TIMEOUT=30
else
  SIZE=$((1024 * MIB)); BIGVALUE=$((64 * MIB)); PARSE_LINES=2000000
  RUNS=${BENCH_RUNS:-5}; PARSE_RUNS=3; STARTUP_RUNS=200; LAT_SAMPLES=2000; PARSE_TIMEOUT=120
fi
NAMES=100 # distinct variable names in the second parse-rate log

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'run-bench.sh: %s\n' "$*" >&2; exit 2; }

# kv "LINE" KEY: the value of KEY=... in a bench-timer / bench-latency line
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }
# calc EXPR: floating-point arithmetic
calc() { awk "BEGIN { printf \"%s\", $1 }" </dev/null; }
fmt() { awk -v x="$2" "BEGIN { printf \"$1\", x }" </dev/null; }
# signed FORMAT X: X with its sign, "+1.2" or "-1.2"
signed() { awk -v x="$2" "BEGIN { printf (x >= 0 ? \"+\" : \"-\") \"$1\", (x >= 0 ? x : -x) }" </dev/null; }
# met VALUE OP LIMIT: "yes" or "**no**"
met() { if awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }" </dev/null; then echo yes; else echo '**no**'; fi; }

NICE=${BENCH_NICE:-$([ "$(id -u)" = 0 ] && echo -10 || echo 0)}
if [ "$NICE" != 0 ] && [ -z "${BENCH_RENICED:-}" ]; then
  if renice -n "$NICE" -p $$ >/dev/null 2>&1; then export BENCH_RENICED=$NICE; else NICE=0; fi
fi

[ -x "$VSORELAY" ] || die "no vsorelay at $VSORELAY: build it (cmake --preset default && cmake --build --preset default) or set VSORELAY"
command -v cc >/dev/null || die "no C compiler (cc)"
DATA=$WORK/data # the generated logs (removed at exit unless BENCH_KEEP=1)
mkdir -p "$WORK/bin" "$DATA"
trap '[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$DATA"' EXIT

# ---- the C helpers ---------------------------------------------------------
say "compiling the generators into $WORK/bin"
for p in bench-gen bench-timer bench-latency bench-wrap; do
  cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -o "$WORK/bin/$p" "$HERE/$p.c"
done
# vsorelay's own scanner and parser: the core library of the build under test
cmake --build "$BUILD" --target bench-parse >/dev/null || die "cannot build bench-parse in $BUILD"
cp "$BUILD/tests/bench/bench-parse" "$WORK/bin/bench-parse"
# a private copy: a rebuild of the tree during the run must not swap the binary
cp "$VSORELAY" "$WORK/bin/vsorelay"
VSORELAY_SRC=${VSORELAY#"$ROOT"/} # as the report shows it: relative to the tree when in it
VSORELAY=$WORK/bin/vsorelay
GEN=$WORK/bin/bench-gen
TIMER=$WORK/bin/bench-timer
LATENCY=$WORK/bin/bench-latency
SINK=$DATA/sink.out # a regular file: GNU grep stops at the first match when stdout is /dev/null

# ---- the machine ------------------------------------------------------------
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
VERSION=$("$VSORELAY" --version 2>/dev/null | head -n1 || echo '?')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
STARTED=$(date +%s)

# ---- 1. relay throughput + memory while relaying ---------------------------------
say "relay throughput: $((SIZE / MIB)) MiB, $RUNS runs each, alternating"
R=$("$TIMER" -n "$RUNS" -w 1 -v -- "$VSORELAY" run -- "$GEN" log --bytes "$SIZE" \
      ::: sh -c "'$GEN' log --bytes $SIZE | cat")
RELAY=$(printf '%s\n' "$R" | sed -n 's/^cmd=1 //p')
CATP=$(printf '%s\n' "$R" | sed -n 's/^cmd=2 //p')
say "  vsorelay: $RELAY"
say "  cat:      $CATP"
RELAY_S=$(kv "$RELAY" median); CAT_S=$(kv "$CATP" median)
RELAY_RSS=$(kv "$RELAY" maxrss_kib)
GEN_RSS=$(kv "$("$TIMER" -n 1 -- "$GEN" log --bytes $((16 * MIB)))" maxrss_kib)

# ---- 2. replay throughput ----------------------------------------------------------
say "writing $DATA/big.log ($((SIZE / MIB)) MiB) and warming it in the page cache"
"$GEN" log --bytes "$SIZE" > "$DATA/big.log"
cat "$DATA/big.log" > /dev/null
HELD_BYTES=$(grep -F '##vso[' "$DATA/big.log" | wc -c)
HELD_LINES=$(grep -cF '##vso[' "$DATA/big.log")
say "replay throughput: $RUNS runs each, alternating"
R=$("$TIMER" -n "$RUNS" -w 1 -v -o "$SINK" -- "$VSORELAY" replay "$DATA/big.log" \
      ::: grep -cF '##vso[' "$DATA/big.log")
REPLAY=$(printf '%s\n' "$R" | sed -n 's/^cmd=1 //p')
GREP=$(printf '%s\n' "$R" | sed -n 's/^cmd=2 //p')
say "  replay: $REPLAY"
say "  grep:   $GREP"
REPLAY_S=$(kv "$REPLAY" median); GREP_S=$(kv "$GREP" median)
rm -f "$DATA/big.log"

# ---- 3. start-up ----------------------------------------------------------------------
say "start-up: $STARTUP_RUNS runs each, alternating"
R=$("$TIMER" -n "$STARTUP_RUNS" -w 20 -- "$VSORELAY" run -- true ::: true ::: "$VSORELAY" --version ::: "$WORK/bin/bench-wrap" true)
START=$(printf '%s\n' "$R" | sed -n 's/^cmd=1 //p')
TRUE=$(printf '%s\n' "$R" | sed -n 's/^cmd=2 //p')
VERS=$(printf '%s\n' "$R" | sed -n 's/^cmd=3 //p')
WRAP=$(printf '%s\n' "$R" | sed -n 's/^cmd=4 //p')
say "  vsorelay run -- true: $START"
say "  true:                 $TRUE"
say "  vsorelay --version:   $VERS"
START_MS=$(calc "$(kv "$START" median) * 1000"); TRUE_MS=$(calc "$(kv "$TRUE" median) * 1000")
VERS_MS=$(calc "$(kv "$VERS" median) * 1000")
WRAP_MS=$(calc "$(kv "$WRAP" median) * 1000")
IDLE_RSS=$(kv "$START" maxrss_kib)

# ---- 4. latency ---------------------------------------------------------------------------
declare -A LAT
for mode in line partial; do
  for via in bare relay; do
    say "latency: $mode, $via, $LAT_SAMPLES samples, one every 2 ms"
    args=(measure --mode "$mode" --count $((LAT_SAMPLES + 20)) --interval-us 2000)
    if [ "$via" = relay ]; then args+=(--relay "$VSORELAY"); fi
    LAT[$mode.$via]=$("$LATENCY" "${args[@]}")
    say "  ${LAT[$mode.$via]}"
  done
done

# ---- 5. memory with one big held value -------------------------------------------------
say "memory: one $((BIGVALUE / MIB)) MiB held value, 3 runs"
BIG=$("$TIMER" -n 3 -o "$SINK" -- "$VSORELAY" run -- "$GEN" bigvalue --value-bytes "$BIGVALUE")
say "  $BIG"
BIG_RSS=$(kv "$BIG" maxrss_kib)
BIGGEN_RSS=$(kv "$("$TIMER" -n 1 -- "$GEN" bigvalue --value-bytes "$BIGVALUE")" maxrss_kib)
BIG_OUT=$(wc -c < "$SINK")

# ---- 6. parse rate against azure-pipelines-task-lib ---------------------------------------------
NODE_OK=1
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  NODE_OK=0
  say "parse rate: node or npm missing: skipped (apt-get install -y nodejs npm)"
elif [ -z "$NPM_PREFIX" ]; then
  # the task-lib version tests/node/package-lock.json pins, as the interop test uses
  NPM_PREFIX=$("$ROOT/tests/node/install.sh") || NODE_OK=0
fi
declare -A PR_NODE PR_RELAY PR_SCALE PR_IN
# median FILE: the median of the numbers in FILE, one a line
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# in_process KIND FILE: parse-node.js, bench-parse and bench-parse --floor, taking turns,
# each reporting the seconds it measured inside its process; the checksums must agree
in_process() {
  local kind=$1 f=$2 run side out
  : >"$DATA/s.node"; : >"$DATA/s.parse"; : >"$DATA/s.floor"
  for run in $(seq "$PARSE_RUNS"); do
    for side in node parse floor; do
      case $side in
        node) out=$(node "$HERE/parse-node.js" "$NPM_PREFIX" "$f") ;;
        parse) out=$("$WORK/bin/bench-parse" "$f") ;;
        floor) out=$("$WORK/bin/bench-parse" --floor "$f") ;;
      esac
      kv "$out" seconds >>"$DATA/s.$side"
      [ "$side" = floor ] || PR_IN[$kind.$side.checksum]=$(kv "$out" checksum)
    done
  done
  for side in node parse floor; do
    PR_IN[$kind.$side]=$(median "$DATA/s.$side")
    PR_IN[$kind.$side.all]=$(paste -sd, "$DATA/s.$side")
  done
  [ "${PR_IN[$kind.node.checksum]}" = "${PR_IN[$kind.parse.checksum]}" ] ||
    die "parse rate: task-lib and vsorelay's parser disagree (checksums ${PR_IN[$kind.node.checksum]} and ${PR_IN[$kind.parse.checksum]})"
}
if [ "$NODE_OK" = 1 ]; then
  TASKLIB_FOUND=$(node -p "require('$NPM_PREFIX/node_modules/azure-pipelines-task-lib/package.json').version")
  for kind in distinct names; do
    f=$DATA/setvars-$kind.log
    if [ "$kind" = distinct ]; then "$GEN" setvars --lines "$PARSE_LINES" > "$f"
    else "$GEN" setvars --lines "$PARSE_LINES" --names "$NAMES" > "$f"; fi
    cat "$f" > /dev/null
    say "parse rate ($kind names): in process, task-lib vs vsorelay's parser vs the floor, $PARSE_RUNS runs each"
    in_process "$kind" "$f"
    say "  node ${PR_IN[$kind.node]} s, bench-parse ${PR_IN[$kind.parse]} s, floor ${PR_IN[$kind.floor]} s"
    say "parse rate ($kind names): node, whole process, $PARSE_RUNS runs"
    PR_NODE[$kind]=$("$TIMER" -n "$PARSE_RUNS" -v -o "$SINK" -- node "$HERE/parse-node.js" "$NPM_PREFIX" "$f")
    say "  ${PR_NODE[$kind]}  ($(cat "$SINK"))"
    say "parse rate ($kind names): vsorelay replay, $PARSE_RUNS runs, timeout ${PARSE_TIMEOUT}s"
    PR_RELAY[$kind]=$("$TIMER" -n "$PARSE_RUNS" -v -t "$PARSE_TIMEOUT" -o "$SINK" -- "$VSORELAY" replay "$f" || true)
    say "  ${PR_RELAY[$kind]}"
    if [ "$kind" = distinct ]; then # how the time grows with the number of distinct names
      for n in 10000 20000 40000; do
        [ "$n" -lt "$PARSE_LINES" ] || continue
        head -n "$n" "$f" > "$DATA/prefix.log"
        PR_SCALE[$n]=$(kv "$("$TIMER" -n 1 -o "$SINK" -- "$VSORELAY" replay "$DATA/prefix.log")" median)
        say "  replay of the first $n lines: ${PR_SCALE[$n]} s"
      done
      rm -f "$DATA/prefix.log"
    fi
    rm -f "$f"
  done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(( $(date +%s) - STARTED ))

# ---- the report ---------------------------------------------------------------------------
{
  echo "## vsorelay benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: $(nproc) CPUs ($CPU), kernel $(uname -r), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
  echo "- load average before / after: $LOAD_BEFORE / $LOAD_AFTER (other work on the machine makes every figure noisier); niceness of the run: $NICE"
  echo "- vsorelay: $VERSION, commit $COMMIT$([ "$DIRTY" -gt 0 ] && echo " (+$DIRTY modified files)"), binary $VSORELAY_SRC"
  echo "- libuv $(pkg-config --modversion libuv 2>/dev/null || echo '?'), $(cc --version | head -n1), node $(node --version 2>/dev/null || echo 'n/a'), $(grep --version | head -n1)"
  echo "- input: $((SIZE / MIB)) MiB, $(calc "$SIZE / 1") bytes of log lines (80-200 bytes), $HELD_LINES task.setvariable lines ($HELD_BYTES bytes); runs: $RUNS (throughput), $STARTUP_RUNS (start-up), $LAT_SAMPLES samples (latency)$([ "$QUICK" = 1 ] && echo '; **--quick: small inputs, not comparable with the targets**')"
  echo "- wall time of the benchmark: ${ELAPSED} s"
  echo
  echo "| metric | vsorelay | baseline | ratio/delta | target | met? |"
  echo "| --- | --- | --- | --- | --- | --- |"

  r=$(calc "$RELAY_S / $CAT_S")
  echo "| relay throughput: \`vsorelay run -- GEN > /dev/null\` vs \`GEN \| cat > /dev/null\`, $((SIZE / MIB)) MiB, median of $RUNS | $(fmt %.3f "$RELAY_S") s ($(fmt %.0f "$(calc "$SIZE / $MIB / $RELAY_S")") MiB/s) | $(fmt %.3f "$CAT_S") s ($(fmt %.0f "$(calc "$SIZE / $MIB / $CAT_S")") MiB/s) | $(fmt %.2f "$r")× | ≤ 1.10× | $(met "$r" '<=' 1.10) |"

  r=$(calc "$REPLAY_S / $GREP_S")
  echo "| replay throughput: \`vsorelay replay BIG.log\` vs \`grep -cF '##vso[' BIG.log\`, $((SIZE / MIB)) MiB cached, median of $RUNS | $(fmt %.3f "$REPLAY_S") s ($(fmt %.0f "$(calc "$SIZE / $MIB / $REPLAY_S")") MiB/s) | $(fmt %.3f "$GREP_S") s ($(fmt %.0f "$(calc "$SIZE / $MIB / $GREP_S")") MiB/s) | $(fmt %.2f "$r")× | ≤ 1.00× | $(met "$r" '<=' 1.00) |"

  d=$(calc "$START_MS - $TRUE_MS")
  echo "| start-up: \`vsorelay run -- true\` vs \`true\`, median of $STARTUP_RUNS | $(fmt %.2f "$START_MS") ms | $(fmt %.2f "$TRUE_MS") ms | $(signed %.2f "$d") ms | ≤ +1 ms | $(met "$d" '<=' 1.0) |"
  echo "| ↳ the floor: \`bench-wrap true\`, a wrapper that only runs \`posix_spawnp\` and \`waitpid\` | $(fmt %.2f "$WRAP_MS") ms | $(fmt %.2f "$TRUE_MS") ms | $(signed %.2f "$(calc "$WRAP_MS - $TRUE_MS")") ms | (bound) | |"

  for mode in line partial; do
    b=${LAT[$mode.bare]}; v=${LAT[$mode.relay]}
    p99=$(kv "$v" p99_us)
    label="whole lines"; [ "$mode" = partial ] && label="partial line (no newline)"
    echo "| latency, $label: child write → vsorelay output, p50 / p99 of $(kv "$v" samples) | $(kv "$v" p50_us) / $p99 µs | $(kv "$b" p50_us) / $(kv "$b" p99_us) µs (bare pipe) | p99 $(signed %.1f "$(calc "$p99 - $(kv "$b" p99_us)")") µs | p99 ≤ 1000 µs | $(met "$p99" '<=' 1000) |"
  done

  held_mib=$(calc "$HELD_BYTES / $MIB")
  over=$(calc "$RELAY_RSS / 1024 - $held_mib")
  echo "| peak RSS relaying $((SIZE / MIB)) MiB ($HELD_LINES held lines) | $(fmt %.1f "$(calc "$RELAY_RSS / 1024")") MiB | held lines $(fmt %.2f "$held_mib") MiB | $(signed %.1f "$over") MiB over held | ≤ 4 MiB + held | $(met "$over" '<=' 4) |"
  bv_mib=$(calc "$BIGVALUE / $MIB")
  over=$(calc "$BIG_RSS / 1024 - $bv_mib")
  echo "| peak RSS, one $((BIGVALUE / MIB)) MiB held value | $(fmt %.1f "$(calc "$BIG_RSS / 1024")") MiB | held value $(fmt %.0f "$bv_mib") MiB | $(signed %.1f "$over") MiB over held | ≤ 4 MiB + held | $(met "$over" '<=' 4) |"

  if [ "$NODE_OK" = 1 ]; then
    for kind in distinct names; do
      label="$PARSE_LINES lines, all task.setvariable, every name distinct"
      [ "$kind" = names ] && label="$PARSE_LINES lines, all task.setvariable, $NAMES names"
      nd=${PR_IN[$kind.node]} ps=${PR_IN[$kind.parse]} fs=${PR_IN[$kind.floor]}
      r=$(calc "$nd / $ps")
      echo "| parse rate: vsorelay's scanner + parser (\`bench-parse\`) vs azure-pipelines-task-lib $TASKLIB_FOUND \`commandFromString\` (\`parse-node.js\`), read + split + parse timed inside each process, $label, median of $PARSE_RUNS | $(fmt %.0f "$(calc "$PARSE_LINES / $ps")") lines/s ($(fmt %.3f "$ps") s) | $(fmt %.0f "$(calc "$PARSE_LINES / $nd")") lines/s ($(fmt %.2f "$nd") s) | $(fmt %.1f "$r")× | ≥ 50× | $(met "$r" '>=' 50) |"
      echo "| ↳ the floor: the same reads and three \`memchr\` a line (line end, \`]\`, \`%\` in the data), no parsing (\`bench-parse --floor\`) | $(fmt %.0f "$(calc "$PARSE_LINES / $fs")") lines/s ($(fmt %.3f "$fs") s) | task-lib as above | $(fmt %.1f "$(calc "$nd / $fs")")× | (bound) | |"
    done
    for kind in distinct names; do
      nd=$(kv "${PR_NODE[$kind]}" median)
      node_rate=$(calc "$PARSE_LINES / $nd")
      label="$PARSE_LINES lines, all task.setvariable, every name distinct"
      [ "$kind" = names ] && label="$PARSE_LINES lines, all task.setvariable, $NAMES names"
      if [ "$(kv "${PR_RELAY[$kind]}" timed_out)" = 1 ] || [ "$(kv "${PR_RELAY[$kind]}" runs)" = 0 ]; then
        bound=$(calc "$PARSE_LINES / $PARSE_TIMEOUT")
        echo "| ↳ end to end: \`vsorelay replay\` (setvariable semantics, every command held) vs \`node parse-node.js\`, whole processes, $label | did not finish in $PARSE_TIMEOUT s: < $(fmt %.0f "$bound") lines/s | $(fmt %.0f "$node_rate") lines/s ($(fmt %.2f "$nd") s) | < $(fmt %.2f "$(calc "$bound / $node_rate")")× | (context) | |"
      else
        rs=$(kv "${PR_RELAY[$kind]}" median)
        rate=$(calc "$PARSE_LINES / $rs")
        r=$(calc "$rate / $node_rate")
        echo "| ↳ end to end: \`vsorelay replay\` (setvariable semantics, every command held) vs \`node parse-node.js\`, whole processes, $label | $(fmt %.0f "$rate") lines/s ($(fmt %.2f "$rs") s) | $(fmt %.0f "$node_rate") lines/s ($(fmt %.2f "$nd") s) | $(fmt %.1f "$r")× | (context) | |"
      fi
    done
  else
    echo "| parse rate vs azure-pipelines-task-lib (Node) | n/a | node/npm missing | | ≥ 50× | n/a |"
  fi
  echo
  echo "### Raw figures"
  echo
  echo "Times in seconds; \`all=\` lists every run in order (runs of the two commands alternate)."
  echo
  echo '```'
  echo "relay   vsorelay run -- GEN        $RELAY"
  echo "relay   GEN | cat                  $CATP"
  echo "relay   GEN alone, peak RSS        ${GEN_RSS} KiB (the relay's RSS above is the larger of vsorelay's and GEN's)"
  echo "replay  vsorelay replay BIG.log    $REPLAY"
  echo "replay  grep -cF '##vso[' BIG.log  $GREP"
  echo "start   vsorelay run -- true       $START"
  echo "start   true                       $TRUE"
  echo "start   vsorelay --version         $VERS (exec + dynamic linking alone: $(fmt %.2f "$(calc "$VERS_MS - $TRUE_MS")") ms over true)"
  echo "start   bench-wrap true            $WRAP (spawning and waiting alone: $(fmt %.2f "$(calc "$WRAP_MS - $TRUE_MS")") ms over true)"
  for k in line.bare line.relay partial.bare partial.relay; do
    printf 'latency %-24s %s\n' "$k" "${LAT[$k]}"
  done
  echo "memory  big value run              $BIG (stdout: $BIG_OUT bytes)"
  echo "memory  big value GEN alone        ${BIGGEN_RSS} KiB"
  echo "memory  vsorelay run -- true       ${IDLE_RSS} KiB (idle vsorelay: the floor)"
  if [ "$NODE_OK" = 1 ]; then
    for kind in distinct names; do
      echo "parse   in process ($kind): node seconds=${PR_IN[$kind.node.all]} bench-parse seconds=${PR_IN[$kind.parse.all]} floor seconds=${PR_IN[$kind.floor.all]} checksum=${PR_IN[$kind.parse.checksum]} (both)"
    done
    for kind in distinct names; do
      echo "parse   node ($kind)             ${PR_NODE[$kind]}"
      echo "parse   vsorelay replay ($kind)  ${PR_RELAY[$kind]}"
    done
    for n in 10000 20000 40000; do
      if [ -n "${PR_SCALE[$n]:-}" ]; then
        echo "parse   replay, first $n distinct-name lines: ${PR_SCALE[$n]} s ($(fmt %.0f "$(calc "$n / ${PR_SCALE[$n]}")") lines/s)"
      fi
    done
  fi
  echo '```'
} | if [ -n "$OUTPUT" ]; then tee "$OUTPUT"; else cat; fi
