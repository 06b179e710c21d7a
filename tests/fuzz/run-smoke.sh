#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzz smoke test: builds the libFuzzer harnesses with clang and runs each one
# for a short fixed time on a copy of its seed corpus.  Exits non-zero if a
# harness crashes, aborts, leaks, hits a sanitizer or cannot be built.
#
# usage: tests/fuzz/run-smoke.sh [SECONDS]     (default 20 s per harness)
#
# Environment:
#   FUZZ_BUILD_DIR   build directory (default: build/fuzz in the source tree)
#   FUZZ_HARNESSES   which harnesses (default: "scan command json capture")
#   FUZZ_KEEP        1: keep the work directory (corpus copies, logs) even on success
#
# The build is the top-level project with -DVSORELAY_FUZZ=ON
# -DVSORELAY_TESTS=OFF when the top-level CMakeLists.txt includes tests/fuzz;
# otherwise tests/fuzz is configured on its own (same harnesses, same flags).
# A crash leaves its input under the work directory, printed in hex here; to
# replay it: <harness> <crash-file>.
set -euo pipefail

SECONDS_EACH=${1:-20}
case $SECONDS_EACH in '' | *[!0-9]*) echo "run-smoke.sh: SECONDS must be a whole number" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build/fuzz}
HARNESSES=${FUZZ_HARNESSES:-scan command json capture}

command -v clang >/dev/null || { echo "run-smoke.sh: clang is required (apt-get install clang libclang-rt-N-dev, N its major version)" >&2; exit 2; }
# libFuzzer's runtime ships apart from clang (Debian: libclang-rt-N-dev for clang N).
# Without it, say so on one line and skip, so that the rest of a test run goes on;
# FUZZ_REQUIRED=1 makes it an error.
probe=$(mktemp -d "${TMPDIR:-/tmp}/vsorelay-fuzz-probe.XXXXXX")
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
  rm -rf "$probe"
  major=$(clang -dumpversion | cut -d. -f1)
  if [ "${FUZZ_REQUIRED:-0}" = 1 ]; then
    echo "run-smoke.sh: clang $(clang -dumpversion) has no libFuzzer runtime (apt-get install libclang-rt-$major-dev)" >&2
    exit 2
  fi
  echo "run-smoke.sh: fuzz smoke run SKIPPED: clang $(clang -dumpversion) has no libFuzzer runtime" \
    "(libclang_rt.fuzzer; apt-get install libclang-rt-$major-dev); the other tests run"
  exit 0
fi
rm -rf "$probe"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

if grep -q 'tests/fuzz' "$ROOT/CMakeLists.txt"; then
  src=$ROOT
  bindir=$BUILD/tests/fuzz
else
  echo "run-smoke.sh: the top-level CMakeLists.txt does not include tests/fuzz yet: configuring tests/fuzz on its own" >&2
  src=$ROOT/tests/fuzz
  BUILD=$BUILD-standalone
  bindir=$BUILD
fi
# a build directory configured by another generator cannot be reused
if [ -f "$BUILD/CMakeCache.txt" ] && ! grep -q "CMAKE_HOME_DIRECTORY:INTERNAL=$src\$" "$BUILD/CMakeCache.txt"; then
  rm -rf "$BUILD"
fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$BUILD" "${generator[@]}" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DVSORELAY_FUZZ=ON -DVSORELAY_TESTS=OFF >/dev/null
fi
targets=()
for h in $HARNESSES; do targets+=("fuzz_$h"); done
cmake --build "$BUILD" --target "${targets[@]}" -j "$(nproc)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vsorelay-fuzz-smoke.XXXXXX")
status=0
for h in $HARNESSES; do
  bin=$bindir/fuzz_$h
  [ -x "$bin" ] || { echo "run-smoke.sh: $bin was not built" >&2; status=1; continue; }
  mkdir -p "$WORK/$h/corpus" "$WORK/$h/crashes"
  cp "$ROOT/tests/fuzz/corpus/$h/"* "$WORK/$h/corpus/"
  # fuzz_scan feeds each input five times: keep its inputs short enough to stay fast
  max_len=()
  [ "$h" = scan ] && max_len=(-max_len=8192)
  echo "== fuzz_$h: ${SECONDS_EACH} s"
  set +e
  "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "${max_len[@]}" -artifact_prefix="$WORK/$h/crashes/" "$WORK/$h/corpus" >"$WORK/$h/log" 2>&1
  rc=$?
  set -e
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb):' "$WORK/$h/log" | tr '\n' ' '
  echo
  crashes=$(find "$WORK/$h/crashes" -type f | sort)
  if [ "$rc" -ne 0 ] || [ -n "$crashes" ]; then
    status=1
    echo "FAIL: fuzz_$h exited $rc; its log ends:" >&2
    grep -v -E '^(#[0-9]|\s*"|INFO:|MS:|###)' "$WORK/$h/log" | tail -n 40 >&2
    for f in $crashes; do
      echo "input $f ($(stat -c %s "$f") bytes), hex:" >&2
      od -An -tx1 -v "$f" | head -n 32 >&2
      echo "replay: $bin $f" >&2
    done
  else
    echo "ok: fuzz_$h"
  fi
done

if [ "$status" -ne 0 ] || [ "${FUZZ_KEEP:-0}" = 1 ]; then
  echo "work directory kept: $WORK" >&2
else
  rm -rf "$WORK"
fi
exit "$status"
