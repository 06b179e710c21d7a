#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ImageBuilder race (samples/race-generator): over 200 runs, vsorelay never
# exits 0 unless every expected command was re-emitted, and never re-emits a
# partial set.
. "$(dirname "$0")/lib.sh"
: "${SAMPLES:?}"
gen=$SAMPLES/race-generator
out=$WORK/out.txt err=$WORK/err.txt
passed=0 failed=0 bad=0
for i in $(seq 200); do
  "$VSORELAY" run -e "$GO_EXPECT" -- "$gen" --loss-chance 0.5 --seed "$i" >"$out" 2>"$err"
  status=$?
  emitted=$(grep -c '^##vso\[task.setvariable' "$out")
  case "$status:$emitted" in
    0:5) passed=$((passed + 1)) ;;
    3:0) failed=$((failed + 1)) ;;
    *) bad=$((bad + 1)); fail "run $i (seed $i): exit $status with $emitted re-emitted commands" ;;
  esac
done
check_eq "race: every run either whole (exit 0, 5 commands) or failed (exit 3, none)" 0 "$bad"
check "race: some runs lost their tail ($failed)" test "$failed" -gt 0
check "race: some runs were whole ($passed)" test "$passed" -gt 0
echo "race: $passed whole, $failed lost the tail" >&2

# Without vsorelay the loss is silent: the generator exits 0 all the same.
"$gen" --lose-from linuxAmd64 >"$out" 2>/dev/null
check_eq "without vsorelay: exit 0 despite the loss" 0 $?
check_eq "without vsorelay: only two matrices" 2 "$(grep -c '##vso\[task.setvariable' "$out")"

# --retries recovers once an attempt is whole (a fresh seed per attempt).
"$VSORELAY" run -e "$GO_EXPECT" --retries 20 -- "$gen" --loss-chance 0.5 >"$out" 2>"$err"
check_eq "retries: recovers" 0 $?
check_eq "retries: five commands" 5 "$(grep -c '^##vso\[task.setvariable' "$out")"
finish
