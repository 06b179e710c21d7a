#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile output (issue 11, sections 1, 3 and 4): never a false success, the
# same verdict from a capture, no command let through when memory runs out,
# bounded memory for millions of unknown commands.  Each example of the
# issue with its neighbours.  About 20 s on 2 cores.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:?}"

out=$WORK/out.txt err=$WORK/err.txt cap=$WORK/cap
SV='##vso[task.setvariable variable'

# agent_commands FILE: the lines of FILE that the agent would run (it looks
# for "##vso[" anywhere in a line).
agent_commands() { grep -a '##vso\[' "$1" || true; }
# report_field FILE EXPR: a value of the JSON report, by a JavaScript expression on r
report_field() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(JSON.stringify(eval(process.argv[2])))' "$1" "$2"; }
asan() { ldd "$VSORELAY" 2>/dev/null | grep -q 'libasan\|libclang_rt.asan'; }

# ---------------------------------------------------------------------------
# 1a. a value cut when vsorelay stops the command: never trusted
"$VSORELAY" run -e m --drain-timeout 0.3 --report "$WORK/r.json" -- \
  sh -c '(printf "'"$SV"'=m;isoutput=true]{\"a\":1,\"b"; sleep 8) & exit 0' >"$out" 2>"$err"
check_eq "cut value (the issue's example): exit 3" 3 $?
check_eq "cut value: not re-emitted" "" "$(agent_commands "$out" | grep -v 'task.logissue\|task.complete')"
check_grep "cut value: the step's error says it was cut" "had not ended when vsorelay stopped the command" "$out"
check_eq "cut value: the report's status" '"cut"' "$(report_field "$WORK/r.json" 'r.expected[0].status')"
check_eq "cut value: the report's verdict" '"expectations-failed"' "$(report_field "$WORK/r.json" 'r.verdict')"
# on stderr, the same
"$VSORELAY" run -e m --drain-timeout 0.3 -- \
  sh -c '(printf "'"$SV"'=m;isoutput=true]partial" >&2; sleep 8) & exit 0' >"$out" 2>"$err"
check_eq "cut value on stderr: exit 3" 3 $?
# a whole value, then a cut one of the same name: the last is cut, so unmet
"$VSORELAY" run -e m --drain-timeout 0.3 -- sh -c 'echo "'"$SV"'=m;isoutput=true]good"
  (printf "'"$SV"'=m;isoutput=true]par"; sleep 8) & exit 0' >"$out" 2>"$err"
check_eq "a whole value then a cut one: exit 3" 3 $?
# an expected whole value and an unexpected cut one: passes, the cut one never re-emitted
"$VSORELAY" run -e m --drain-timeout 0.3 -- sh -c 'echo "'"$SV"'=m;isoutput=true]good"
  (printf "'"$SV"'=other;isoutput=true]par"; sleep 8) & exit 0' >"$out" 2>"$err"
check_eq "an unexpected cut value: exit 0" 0 $?
check_eq "an unexpected cut value: only m re-emitted" "$SV=m;isoutput=true]good" "$(agent_commands "$out")"
# a cut task.complete is not carried out either
"$VSORELAY" run -e m --drain-timeout 0.3 -- sh -c 'echo "'"$SV"'=m;isoutput=true]good"
  (printf "##vso[task.complete result=Failed;]cut"; sleep 8) & exit 0' >"$out" 2>"$err"
check_eq "a cut task.complete: not carried out" "" "$(agent_commands "$out" | grep 'task.complete' || true)"
# a cut task.setsecret is not carried out, but what it began to register stays secret
"$VSORELAY" run -e m --drain-timeout 0.3 --capture "$cap" -- sh -c 'echo "'"$SV"'=m;isoutput=true]good"
  (printf "##vso[task.setsecret]Cut53cr3tValue"; sleep 8) & exit 0' >"$out" 2>"$err"
check_eq "a cut task.setsecret: the step passes on its expectations" 0 $?
check_eq "a cut task.setsecret: the secret is nowhere in clear but in a registration" "" \
  "$(cat "$out" "$err" | grep -a 'Cut53cr3tValue' | grep -v '^##vso\[task.setsecret\]Cut53cr3tValue$' || true)"
check_grep "a cut task.setsecret: vsorelay registers it with the agent" "##vso[task.setsecret]Cut53cr3tValue" "$out"
check_no_grep "a cut task.setsecret: not in the capture" "Cut53cr3tValue" "$cap"
# --timeout stops the command mid-line: 124, nothing re-emitted
"$VSORELAY" run -e m --timeout 0.3 -- sh -c 'printf "'"$SV"'=m;isoutput=true]x"; sleep 8' >"$out" 2>"$err"
check_eq "a line cut by --timeout: exit 124" 124 $?
check_eq "a line cut by --timeout: nothing re-emitted" "" "$(agent_commands "$out" | grep 'task.setvariable' || true)"
# the command ends of itself with an unterminated line: the agent reads it, so does vsorelay
"$VSORELAY" run -e m -- sh -c 'printf "'"$SV"'=m;isoutput=true]whole"' >"$out" 2>"$err"
check_eq "an unterminated last line the command ended itself: exit 0" 0 $?

# ---------------------------------------------------------------------------
# 1b. a byte-order mark the agent's reader turns into UTF-16 or UTF-32
for mark in '\377\376' '\376\377' '\377\376\000\000' '\000\000\376\377'; do
  printf "$mark"'##vso[task.setvariable variable=x;isoutput=true]1\n' >"$WORK/bom.log"
  "$VSORELAY" run -e x --report "$WORK/r.json" -- cat "$WORK/bom.log" >"$out" 2>"$err"
  check_eq "stdout starts with $mark: exit 3" 3 $?
  check_eq "stdout starts with $mark: the report's status" '"unreadable"' "$(report_field "$WORK/r.json" 'r.expected[0].status')"
  check_grep "stdout starts with $mark: the error is on stderr, which the agent reads" \
    "##vso[task.logissue type=error]vsorelay: expected output variable unreadable: x" "$err"
  check_grep "stdout starts with $mark: it says why" "The agent decodes the step's stdout as UTF-" "$err"
  check_grep "stdout starts with $mark: the step fails on stderr" "##vso[task.complete result=Failed;]" "$err"
  "$VSORELAY" replay -e x "$WORK/bom.log" >/dev/null 2>&1
  check_eq "replay of a log that starts with $mark: exit 3" 3 $?
done
printf '\357\273\277##vso[task.setvariable variable=x;isoutput=true]1\n' >"$WORK/bom.log"
"$VSORELAY" run -e x -- cat "$WORK/bom.log" >"$out" 2>"$err"
check_eq "a UTF-8 byte-order mark is dropped by the agent: exit 0" 0 $?
# the mark split across the command's writes
"$VSORELAY" run -e x -- sh -c 'printf "\377"; sleep 0.2; printf "\376'"$SV"'=x;isoutput=true]1\n"' >"$out" 2>"$err"
check_eq "a mark split across writes: exit 3" 3 $?
# after other bytes, no mark: the agent decides on the first bytes only
"$VSORELAY" run -e x -- sh -c 'printf "a"; sleep 0.2; printf "\377\376'"$SV"'=x;isoutput=true]1\n"' >"$out" 2>"$err"
check_eq "a mark after the first byte: exit 0" 0 $?
check "a mark after the first byte: the bytes are relayed as they were" \
  cmp -s <(printf 'a\377\376**vso[task.setvariable') <(head -c 25 "$out")
# nothing expected, still unreadable: no success
"$VSORELAY" run -- printf '\377\376hello\n' >"$out" 2>"$err"
check_eq "a mark with no expectation: exit 3" 3 $?
# on stderr only: the variables still reach the agent on stdout, with a warning there
"$VSORELAY" run -e x -- sh -c 'printf "\377\376noise\n" >&2; echo "'"$SV"'=x;isoutput=true]1"' >"$out" 2>"$err"
check_eq "a mark on stderr only: exit 0" 0 $?
check_grep "a mark on stderr only: a warning the agent reads" "##vso[task.logissue type=warning]vsorelay: the agent decodes the step's stderr as UTF-16 LE" "$out"

# ---------------------------------------------------------------------------
# 1c. replay of a --capture reaches run's verdict
# same_verdict DESCRIPTION RUN-OPTIONS... -- COMMAND...: run with --capture, then replay with the same options
same_verdict() {
  local what=$1 opts=() a b
  shift
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  "$VSORELAY" run --capture "$cap" "${opts[@]}" -- "$@" >"$out" 2>"$err"
  a=$?
  "$VSORELAY" replay "${opts[@]}" "$cap" >"$WORK/replay.out" 2>"$WORK/replay.err"
  b=$?
  check_eq "capture, $what: replay exits as run did ($a)" "$a" "$b"
  RUN_STATUS=$a
}
same_verdict "a multi-line secret" -e x -- printf "$SV"'=x;issecret=true;isoutput=true]a%%0Ab\n'
check_eq "capture, a multi-line secret: run exits 3" 3 "$RUN_STATUS"
for s in true false task setvariable isoutput variable x vso '#' '[' ';' ']' '=' linuxAmd64; do
  same_verdict "a secret '$s' then the variable" -e linuxAmd64 -- \
    printf '##vso[task.setsecret]%s\n'"$SV"'=linuxAmd64;isoutput=true]v\n' "$s"
  check_eq "capture, a secret '$s' then the variable: run passes" 0 "$RUN_STATUS"
done
check_no_grep "capture, secret 'linuxAmd64': not in the capture" "linuxAmd64" "$cap"
same_verdict "a secret matrix, --matrix" --matrix -e x -- printf "$SV"'=x;issecret=true;isoutput=true]{"l":{"k":"v"}}\n'
check_eq "capture, a secret matrix: run passes" 0 "$RUN_STATUS"
same_verdict "a secret value that is no matrix, --matrix" --matrix -e x -- printf "$SV"'=x;issecret=true;isoutput=true]{"l":1}\n'
same_verdict "a secret inside a matrix" --matrix -e x -- \
  printf '##vso[task.setsecret]amd64\n'"$SV"'=x;isoutput=true]{"linux-amd64":{"arch":"amd64"}}\n'
same_verdict "both streams end in an unterminated command, stdout last" -e x -- sh -c \
  'printf "'"$SV"'=x;isoutput=false]2" >&2; exec 2>&-; sleep 0.2; printf "'"$SV"'=x;isoutput=true]1"'
same_verdict "both streams end in an unterminated command, stderr last" -e x -- sh -c \
  'printf "'"$SV"'=x;isoutput=true]1"; exec >&-; sleep 0.2; printf "'"$SV"'=x;isoutput=false]2" >&2'
"$VSORELAY" run --capture "$cap" -e m --drain-timeout 0.3 -- \
  sh -c '(printf "'"$SV"'=m;isoutput=true]{"; sleep 8) & exit 0' >"$out" 2>"$err"
"$VSORELAY" replay -e m "$cap" >"$out" 2>"$err"
check_eq "capture, a cut value: replay exits as run did" 3 $?
same_verdict "a byte-order mark" -e x -- printf '\377\376'"$SV"'=x;isoutput=true]1\n'
same_verdict "retries, the last attempt passes" -e x -- sh -c \
  'f=$0.n; n=$(cat "$f" 2>/dev/null || echo 0); echo $((n + 1)) >"$f"; [ "$n" -ge 2 ] && echo "'"$SV"'=x;isoutput=true]1"; exit 0' "$WORK/count"
rm -f "$WORK/count.n"
"$VSORELAY" run --retries 3 --capture "$cap" -e x -- sh -c \
  'f=$0.n; n=$(cat "$f" 2>/dev/null || echo 0); echo $((n + 1)) >"$f"; [ "$n" -ge 2 ] && echo "'"$SV"'=x;isoutput=true]1"; exit 0' \
  "$WORK/count" >"$out" 2>"$err"
check_eq "retries: the third attempt passes" 0 $?
"$VSORELAY" replay -e x --report "$WORK/r.json" "$cap" >/dev/null 2>&1
check_eq "retries: replay of the capture passes" 0 $?
check_eq "retries: replay counts 3 attempts" 3 "$(report_field "$WORK/r.json" 'r.attempts')"
same_verdict "DECODE_PERCENTS off at run, the capture keeps it" -e 'a;b' -- env DECODE_PERCENTS=false \
  printf "$SV"'=a%%AZP253Bb;isoutput=true]v\n'
DECODE_PERCENTS=false "$VSORELAY" run --capture "$cap" -e 'a%3Bb' -- printf "$SV"'=a%%AZP253Bb;isoutput=true]v\n' >/dev/null 2>&1
a=$?
"$VSORELAY" replay -e 'a%3Bb' "$cap" >/dev/null 2>&1
check_eq "DECODE_PERCENTS=false at run: replay in another environment agrees ($a)" "$a" $?
# a version 1 capture, written by hand, is still read
v1_line="$SV=x;isoutput=true]1"
printf 'vsorelay-capture 1\n@attempt 1\n@stdout %d\n%s\n' $((${#v1_line} + 1)) "$v1_line" >"$WORK/v1"
"$VSORELAY" replay -e x "$WORK/v1" >"$out" 2>"$err"
check_eq "a version 1 capture: read" 0 $?
# malformed captures are errors, with the reason
for body in '@attempt -5' '@attempt 0' '@attempt 2' '@attempt 1\n@attempt 3' '@stdout -1' '@attempt 1 1' '@stdout 99\nx'; do
  printf "vsorelay-capture 2\n$body\n" >"$WORK/bad"
  "$VSORELAY" replay "$WORK/bad" >"$out" 2>"$err"
  check_eq "a malformed capture ($body): exit 2" 2 $?
  check_grep "a malformed capture ($body): says so" "not a well-formed capture" "$err"
done

# ---------------------------------------------------------------------------
# 3. memory runs out: a held line never becomes a live one, no secret shown
if asan; then
  echo "test_hostile_output: allocation failures skipped (a sanitizer build: LD_PRELOAD and ulimit -v do not apply)"
else
  big() { # big NAME FLAGS FILLER: a 4 MiB value with a forged command in its middle
    awk -v n="$1" -v f="$2" -v x="$3" 'BEGIN { s = x; while (length(s) < 2097152) s = s s;
      printf "##vso[task.setvariable variable=%s;isoutput=true%s]%s##vso[task.setvariable variable=forged;isoutput=true]x%s\n", n, f, s, s }'
  }
  big v "" A >"$WORK/big"
  big s ";issecret=true" S3CR3T >"$WORK/bigsecret"
  awk 'BEGIN { s = "%3B"; while (length(s) < 150000) s = s s;
    printf "##vso[task.setvariable variable=p;isoutput=true]%s##vso[task.setvariable variable=forged;isoutput=true]x\n", s }' >"$WORK/pct"
  for c in "big:v:1048576" "bigsecret:s:1048576" "pct:p:100000" "big:v:65536"; do
    IFS=: read -r file name limit <<<"$c"
    LD_PRELOAD="$HELPERS/failalloc.so" VSO_FAIL_ALLOC_MIN=$limit "$VSORELAY" run -e "$name" -- cat "$WORK/$file" \
      >"$out" 2>"$err"
    check_eq "allocations of $limit bytes fail, $file: exit 125" 125 $?
    check_eq "allocations of $limit bytes fail, $file: no command reaches the agent" "" "$(agent_commands "$out")"
    check_grep "allocations of $limit bytes fail, $file: says so" "out of memory" "$err"
    check_no_grep "allocations of $limit bytes fail, $file: no secret on stdout" "S3CR3T" "$out"
    check_no_grep "allocations of $limit bytes fail, $file: no secret on stderr" "S3CR3T" "$err"
  done
  # the same under ulimit -v: whatever runs out, never a live command or a secret
  for kb in 60000 80000 120000; do
    (ulimit -v "$kb" && exec "$VSORELAY" run -e s -- cat "$WORK/bigsecret") >"$out" 2>"$err"
    status=$?
    check "ulimit -v $kb: 0 or 125, no signal (got $status)" test "$status" -eq 0 -o "$status" -eq 125
    # the early task.setsecret of the secret value may have gone out before memory ran out:
    # it only makes the agent mask more; nothing else may be live
    [ "$status" -eq 0 ] || check_eq "ulimit -v $kb: no command but the secret's registration reaches the agent" "" \
      "$(agent_commands "$out" | grep -av '^##vso\[task\.setsecret\]' || true)"
    check_no_grep "ulimit -v $kb: no secret on stderr" "S3CR3T" "$err"
  done
fi

# ---------------------------------------------------------------------------
# 4. two million unknown commands: counts and a bounded sample, memory bounded
awk 'BEGIN { for (i = 1; i <= 2000000; i++) printf "##vso[zz%d.ev]x\n", i }' >"$WORK/unknown"
peak_kib() { /usr/bin/time -f %M -o "$WORK/peak" "$@"; local s=$?; tail -n 1 "$WORK/peak" >"$WORK/peak.kib"; return $s; }
if [ -x /usr/bin/time ]; then
  peak_kib "$VSORELAY" run --report "$WORK/r.json" -- cat "$WORK/unknown" >/dev/null 2>"$err"
  check_eq "2,000,000 unknown commands: exit 0" 0 $?
  peak=$(cat "$WORK/peak.kib")
  peak_kib "$VSORELAY" run -- true >/dev/null 2>&1
  base=$(cat "$WORK/peak.kib")
  # (a sanitizer's quarantine keeps freed memory: its peak says nothing about vsorelay's)
  asan || check "2,000,000 unknown commands: peak ${peak} KiB < baseline ${base} KiB + 64 MiB" \
    test "$peak" -lt $((base + 65536))
  check "2,000,000 unknown commands: at most 110 lines on stderr ($(wc -l <"$err"))" test "$(wc -l <"$err")" -le 110
  check_grep "2,000,000 unknown commands: says how many were left out" "1999900 more diagnostics not kept" "$err"
  check_eq "2,000,000 unknown commands: the report counts them all" 2000000 \
    "$(report_field "$WORK/r.json" 'r.diagnosticCounts["unknown-area"]')"
  check_eq "2,000,000 unknown commands: the report keeps 100" 100 "$(report_field "$WORK/r.json" 'r.diagnostics.length')"
  check_eq "2,000,000 unknown commands: every command counted" 2000000 \
    "$(report_field "$WORK/r.json" 'Object.values(r.commands).reduce((a, b) => a + b, 0)')"
fi
"$VSORELAY" replay "$WORK/unknown" >"$out" 2>"$err"
check_grep "replay of 2,000,000 unknown commands: the listing says how many were left out" "1999900 more diagnostics" "$out"
check "replay of 2,000,000 unknown commands: a bounded listing ($(wc -l <"$out") lines)" test "$(wc -l <"$out")" -lt 1200
rm -f "$WORK/unknown"

finish
