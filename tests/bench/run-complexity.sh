#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How vsorelay's cost grows with hostile input (issue 11 §4): names crafted
# to collide under the name index's old unkeyed hash, and many secrets.
# Prints a Markdown table: for each size, the CPU time (user + system of
# vsorelay and its child, best of 3) of the hostile log and of its benign
# twin (random names, plain variables), their ratio, and the cost per item.
# Linear growth shows as a flat cost per item; with BASELINE set to another
# vsorelay binary (an older build), its figures come next to this one's.
#
# usage: tests/bench/run-complexity.sh [--quick]
# Environment: VSORELAY (default build/default/relay/vsorelay), BASELINE,
# BENCH_WORK (default /tmp/vsorelay-complexity; about 300 MB at the largest
# sizes), CC.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VSORELAY=${VSORELAY:-$ROOT/build/default/relay/vsorelay}
WORK=${BENCH_WORK:-/tmp/vsorelay-complexity}
names=(16384 32768 65536 131072)
secrets=(4000 8000 16000 32000)
if [ "${1:-}" = --quick ]; then names=(16384 32768); secrets=(4000 8000); fi
[ -x "$VSORELAY" ] || { echo "run-complexity.sh: no vsorelay at $VSORELAY (build it first)" >&2; exit 2; }
mkdir -p "$WORK"
gen=$WORK/complexity-gen
"${CC:-cc}" -O2 -o "$gen" "$ROOT/tests/blackbox/complexity-gen.c"

best() { # best of 3 CPU microseconds of a command
  local b="" x
  for _ in 1 2 3; do
    x=$("$gen" cpu "$@")
    if [ -z "$b" ] || [ "$x" -lt "$b" ]; then b=$x; fi
  done
  echo "$b"
}

row() { # row LABEL N BINARY HOSTILE-CMD... :: BENIGN-CMD...
  local label=$1 n=$2 bin=$3 a=() b=() sep=0 x
  shift 3
  for x in "$@"; do
    if [ "$x" = "::" ]; then sep=1; elif [ $sep = 0 ]; then a+=("$x"); else b+=("$x"); fi
  done
  local ta tb
  ta=$(best "$bin" "${a[@]}")
  tb=$(best "$bin" "${b[@]}")
  awk -v l="$label" -v n="$n" -v bin="$(basename "$bin")" -v ta="$ta" -v tb="$tb" 'BEGIN {
    printf "| %s | %s | %d | %.1f | %.1f | %.2f | %.2f |\n", l, bin, n, ta / 1000, tb / 1000, ta / tb, ta / n }'
}

echo "| case | binary | n | hostile CPU ms | benign CPU ms | ratio | hostile us per item |"
echo "|---|---|---:|---:|---:|---:|---:|"
bins=("$VSORELAY")
if [ -n "${BASELINE:-}" ]; then bins+=("$BASELINE"); fi
for n in "${names[@]}"; do
  "$gen" names-collide "$n" >"$WORK/collide.log"
  "$gen" names-random "$n" >"$WORK/random.log"
  for bin in "${bins[@]}"; do
    row "replay, colliding names" "$n" "$bin" replay "$WORK/collide.log" :: replay "$WORK/random.log"
  done
done
for n in "${secrets[@]}"; do
  "$gen" secrets "$n" 12 >"$WORK/secrets.log"
  "$gen" plain "$n" 12 >"$WORK/plain.log"
  for bin in "${bins[@]}"; do
    row "replay, secrets" "$n" "$bin" replay "$WORK/secrets.log" :: replay "$WORK/plain.log"
    row "run --capture, secrets" "$n" "$bin" run --capture "$WORK/c1" -- cat "$WORK/secrets.log" :: \
      run --capture "$WORK/c2" -- cat "$WORK/plain.log"
    row "run, secrets" "$n" "$bin" run -- cat "$WORK/secrets.log" :: run -- cat "$WORK/plain.log"
  done
done
rm -rf "$WORK"
