#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Options from the environment (VSORELAY_*, as Azure Pipelines exports
# pipeline variables) and durations as coreutils' timeout reads them.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
for v in $(env | sed -n 's/^\(VSORELAY_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset TF_BUILD SYSTEM_DEBUG
set_a='echo "##vso[task.setvariable variable=a;isoutput=true]1"'

# ---- durations: ms, s, m, h, d, as coreutils' timeout (plus ms) -------------------
for d in 1h 1d 2.5m 90s 250ms 0 0.5 inf 1e3; do
  "$VSORELAY" run --timeout "$d" -- true >"$out" 2>"$err"
  check_eq "--timeout $d: accepted" 0 $?
done
VSORELAY_TIMEOUT=1h "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "VSORELAY_TIMEOUT=1h: accepted" 0 $?
for d in 1x -1 nan h '' ' 1' 1hh 1H 1.5.2 1m30s; do
  "$VSORELAY" run --timeout "$d" -- true >"$out" 2>"$err"
  check_eq "--timeout '$d': a usage error" 2 $?
  check_grep "--timeout '$d': named" "--timeout: not a duration" "$err"
done
start=$(date +%s%N)
VSORELAY_TIMEOUT=300ms "$VSORELAY" run -- sleep 10 >"$out" 2>"$err"
check_eq "VSORELAY_TIMEOUT=300ms: the deadline applies (124)" 124 $?
check "VSORELAY_TIMEOUT=300ms: within 3 s" test $((($(date +%s%N) - start) / 1000000)) -lt 3000
VSORELAY_TIMEOUT=1x "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "VSORELAY_TIMEOUT=1x: a usage error" 2 $?
check_grep "VSORELAY_TIMEOUT=1x: names the variable" "VSORELAY_TIMEOUT: --timeout: not a duration: 1x" "$err"

# ---- VSORELAY_EXPECT behaves as --expect -------------------------------------------------
"$VSORELAY" run --expect a,b -- sh -c "$set_a" >"$WORK/opt.out" 2>"$WORK/opt.err"
check_eq "--expect a,b: exit 3" 3 $?
VSORELAY_EXPECT=a,b "$VSORELAY" run -- sh -c "$set_a" >"$out" 2>"$err"
check_eq "VSORELAY_EXPECT=a,b: exit 3" 3 $?
check "VSORELAY_EXPECT=a,b: stdout as --expect's" cmp -s "$WORK/opt.out" "$out"
check "VSORELAY_EXPECT=a,b: stderr as --expect's" cmp -s "$WORK/opt.err" "$err"
VSORELAY_EXPECT=a "$VSORELAY" -- sh -c "$set_a" >"$out" 2>"$err"
check_eq "VSORELAY_EXPECT=a, the short form: exit 0" 0 $?
check_eq "VSORELAY_EXPECT=a: verified" "vsorelay: 1 of 1 expected output variable verified (a)" "$(cat "$err")"
# the command line wins, a repeatable option too: its occurrences replace the variable's
VSORELAY_EXPECT=zz "$VSORELAY" run -e a -- sh -c "$set_a" >"$out" 2>"$err"
check_eq "VSORELAY_EXPECT=zz with -e a: the command line wins" 0 $?
VSORELAY_EXPECT= "$VSORELAY" run -- sh -c "$set_a" >"$out" 2>"$err"
check_eq "VSORELAY_EXPECT empty: unset" "0 vsorelay: no expected output variables to verify (none given, no generator announcement seen)" "$? $(cat "$err")"
VSORELAY_EXPECT=a "$VSORELAY" replay - <<<"$(sh -c "$set_a")" >"$out" 2>"$err"
check_eq "VSORELAY_EXPECT in replay" "0 vsorelay: 1 of 1 expected output variable verified (a)" "$? $(cat "$err")"
VSORELAY_EXPECT=',' "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "VSORELAY_EXPECT=',': a usage error" 2 $?
check_grep "VSORELAY_EXPECT=',': names the variable" "VSORELAY_EXPECT" "$err"

# ---- every option of the command line, from its variable ----------------------------------
GO=$SOURCE_DIR/samples/go-images/manifest.json
VSORELAY_MANIFEST=$GO VSORELAY_OS_TYPE=linux "$VSORELAY" expect >"$out" 2>"$err"
check_eq "VSORELAY_MANIFEST, VSORELAY_OS_TYPE: expect needs no option" "0 linuxArm32 linuxArm64 linuxAmd64" \
  "$? $(paste -sd' ' "$out")"
VSORELAY_MANIFEST=$GO VSORELAY_ARCHITECTURE=amd64 VSORELAY_FORMAT=json "$VSORELAY" expect >"$out" 2>"$err"
check_eq "VSORELAY_ARCHITECTURE, VSORELAY_FORMAT" 3 "$(grep -c '^{"name":' "$out")"
VSORELAY_MANIFEST=$GO VSORELAY_PATH='src/microsoft/1.25/windows/*ltsc2025' "$VSORELAY" expect >"$out" 2>"$err"
check_eq "VSORELAY_PATH: one glob" "windowsLtsc2025Amd64" "$(paste -sd' ' "$out")"
VSORELAY_MANIFEST=$GO "$VSORELAY" replay "$BROKEN" >"$out" 2>"$err"
check_eq "VSORELAY_MANIFEST in replay: the broken log fails" 3 $?
VSORELAY_REPORT=$WORK/r.json VSORELAY_SUMMARY=$WORK/s.md VSORELAY_CAPTURE=$WORK/cap \
  "$VSORELAY" run -e a -- sh -c "$set_a" >"$out" 2>"$err"
check_eq "VSORELAY_REPORT, VSORELAY_SUMMARY, VSORELAY_CAPTURE: exit 0" 0 $?
check "VSORELAY_REPORT: written" test -s "$WORK/r.json"
check "VSORELAY_SUMMARY: written" test -s "$WORK/s.md"
check_grep "VSORELAY_SUMMARY: announced" "##vso[task.uploadsummary]" "$out"
check "VSORELAY_CAPTURE: written" test -s "$WORK/cap"
VSORELAY_REPORT=$WORK/r2.json "$VSORELAY" run --report "$WORK/r3.json" -- true >"$out" 2>"$err"
check "--report wins over VSORELAY_REPORT" test -s "$WORK/r3.json" -a ! -e "$WORK/r2.json"

# switches take the agent's Booleans: 1, true, $true / 0, false, $false, any case
stream_child='echo "##vso[task.setvariable variable=a;isoutput=true]1"'
for v in true TRUE 1 '$true' '$True'; do
  VSORELAY_STREAM=$v "$VSORELAY" run -e a -- sh -c "$stream_child" >"$out" 2>"$err"
  check_eq "VSORELAY_STREAM=$v: on (the command live, then again)" 2 "$(grep -c '^##vso\[task.setvariable' "$out")"
done
for v in false FALSE 0 '$false' ''; do
  VSORELAY_STREAM=$v "$VSORELAY" run -e a -- sh -c "$stream_child" >"$out" 2>"$err"
  check_eq "VSORELAY_STREAM='$v': off (held, once)" 1 "$(grep -c '^##vso\[task.setvariable' "$out")"
done
for v in yes no on 2 tru; do
  VSORELAY_STREAM=$v "$VSORELAY" run -- true >"$out" 2>"$err"
  check_eq "VSORELAY_STREAM=$v: a usage error" 2 $?
  check_grep "VSORELAY_STREAM=$v: names the variable and the value" "VSORELAY_STREAM: expected true or false (or 1, 0, \$true, \$false), not '$v'" "$err"
done
VSORELAY_VERBOSE=true "$VSORELAY" run -e a -- sh -c "$stream_child" >"$out" 2>"$err"
check_eq "VSORELAY_VERBOSE=true: the whole line" '**vso[task.setvariable variable=a;isoutput=true]1' "$(head -n 1 "$out")"
VSORELAY_MATRIX=1 "$VSORELAY" run -e a -- sh -c "$stream_child" >"$out" 2>"$err"
check_eq "VSORELAY_MATRIX=1: a matrix is required" 3 $?
VSORELAY_NO_DECODE_PERCENTS=true "$VSORELAY" replay --format json - <<<'##vso[task.setvariable variable=p]1%AZP25' >"$out" 2>"$err"
check_grep "VSORELAY_NO_DECODE_PERCENTS=true" '"data":"1%AZP25"' "$out"
VSORELAY_RESTRICT=true "$VSORELAY" run -- sh -c 'echo "##vso[build.addbuildtag]x"' >"$out" 2>"$err"
check_grep "VSORELAY_RESTRICT=true: restricted" "**vso[build.addbuildtag]x" "$out"
VSORELAY_ALLOW_VARIABLES='b*,c*' "$VSORELAY" run -e a -- sh -c "$stream_child" >"$out" 2>"$err"
check_eq "VSORELAY_ALLOW_VARIABLES: one restriction set (a is refused)" 3 $?
VSORELAY_ALLOW_VARIABLES='a*,c*' "$VSORELAY" run -e a -- sh -c "$stream_child" >"$out" 2>"$err"
check_eq "VSORELAY_ALLOW_VARIABLES: a comma list of globs is one set" 0 $?
rm -f "$WORK/count"
printf 'n=$(cat "%s" 2>/dev/null || echo 0); echo $((n + 1)) >"%s"; [ $n -ge 1 ] && %s; exit 0\n' \
  "$WORK/count" "$WORK/count" "$stream_child" >"$WORK/flaky.sh"
VSORELAY_RETRIES=2 "$VSORELAY" run -e a -- sh "$WORK/flaky.sh" >"$out" 2>"$err"
check_eq "VSORELAY_RETRIES=2: passes on attempt 2" "0 2" "$? $(cat "$WORK/count")"
VSORELAY_RETRIES=abc "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "VSORELAY_RETRIES=abc: a usage error" 2 $?
check_grep "VSORELAY_RETRIES=abc: names the variable" "VSORELAY_RETRIES: --retries: expected a whole number" "$err"
VSORELAY_DRAIN_TIMEOUT=1 VSORELAY_KILL_AFTER=1s "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "VSORELAY_DRAIN_TIMEOUT, VSORELAY_KILL_AFTER: accepted" 0 $?

# ---- a variable of an option the sub-command does not take is ignored --------------------
VSORELAY_RETRIES=2 VSORELAY_TIMEOUT=1h VSORELAY_STREAM=true "$VSORELAY" replay "$HEALTHY" >"$out" 2>"$err"
check_eq "run's variables in replay: ignored" "0 0" "$? $(grep -c VSORELAY "$err")"
VSORELAY_FORMAT=json "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "VSORELAY_FORMAT in run: ignored" 0 $?
VSORELAY_FORMAT=json "$VSORELAY" replay "$HEALTHY" >"$out" 2>"$err"
check_grep "VSORELAY_FORMAT in replay: applies" '"event":"setvariable"' "$out"
# ... even an invalid one: it is not read at all
VSORELAY_RETRIES=abc "$VSORELAY" replay "$HEALTHY" >"$out" 2>"$err"
check_eq "an invalid variable of an option replay does not take: ignored" 0 $?

# ---- a VSORELAY_ variable that names no option: said, and ignored --------------------------
VSORELAY_RETRYS=2 "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "VSORELAY_RETRYS (a typo): runs" 0 $?
check_grep "VSORELAY_RETRYS: said" "vsorelay: VSORELAY_RETRYS names no option of vsorelay: ignored" "$err"
env 'VSORELAY_X##vso[task.complete result=Failed]=1' "$VSORELAY" run -- true >"$out" 2>"$err"
check_eq "a hostile variable name: runs" 0 $?
check_grep "a hostile variable name: said, inert" "VSORELAY_X**vso[task.complete result" "$err"
check_no_grep "a hostile variable name: no live command" "##vso" "$err"
VSORELAY_HELP=1 VSORELAY_VERSION=1 "$VSORELAY" run -- true >"$out" 2>"$err"
check_grep "VSORELAY_HELP is no option's variable" "VSORELAY_HELP names no option" "$err"
check_eq "VSORELAY_HELP does not print the help" "" "$(cat "$out")"

# ---- --help lists a variable for every option but --help and --version ---------------------
"$VSORELAY" --help >"$WORK/help" 2>&1
for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$WORK/help" | sort -u); do
  case $opt in --help | --version) continue ;; esac
  name=VSORELAY_$(printf '%s' "${opt#--}" | tr 'a-z-' 'A-Z_')
  check_grep "--help names $name" "$name" "$WORK/help"
done
for name in TF_BUILD SYSTEM_DEBUG SYSTEM_JOBNAME SYSTEM_TASKINSTANCENAME; do
  check_grep "--help names $name" "$name" "$WORK/help"
done
finish
