#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Black-box tests of vsorelay.exe under Wine: replay and expect on the
# samples, run around cmd /c echo, cmd /c type and win-child.exe (exit codes,
# CRLF, a lost tail, the drain timeout, a command not found, a closed stdout,
# a report replaced atomically).  Run through tests/windows/wine-run.sh
# --session (ctest does it: the test windows_wine_blackbox).
#   environment: VSORELAY_EXE, WIN_CHILD (the .exe files), SOURCE_DIR,
#                WINE_RUN (set by wine-run.sh --session)
# Wine hands only the low 8 bits of a Windows exit code to Linux: every code
# checked here is below 256.
set -u
: "${VSORELAY_EXE:?set VSORELAY_EXE to vsorelay.exe}"
: "${WIN_CHILD:?set WIN_CHILD to win-child.exe}"
: "${WINE_RUN:?run this through tests/windows/wine-run.sh --session}"
here=$(cd "$(dirname "$0")" && pwd)
# lib.sh's checks, with "vsorelay" being the Windows program run by Wine
WRAP=$(mktemp -d "${TMPDIR:-/tmp}/vsorelay-wine.XXXXXX")
VSORELAY=$WRAP/vsorelay
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$WINE_RUN" "$VSORELAY_EXE" >"$VSORELAY"
chmod +x "$VSORELAY"
export VSORELAY
# shellcheck source=../blackbox/lib.sh
. "$here/../blackbox/lib.sh"
trap 'rm -rf "$WORK" "$WRAP"' EXIT
out=$WORK/out
err=$WORK/err
# A Unix path as Windows programs see it (Wine maps / to drive Z:).
winpath() { printf 'Z:%s' "$(printf '%s' "$1" | tr / '\\')"; }

# --- replay and expect on the samples (the done-when) ---------------------------------
"$VSORELAY" replay --expect linuxAmd64 "$BROKEN" >"$out" 2>"$err"
check_eq "replay --expect linuxAmd64, broken log: exit 3" 3 $?
check_grep "replay, broken log: names the missing variable" "missing  linuxAmd64" "$out"
"$VSORELAY" replay --expect linuxAmd64 "$HEALTHY" >"$out" 2>"$err"
check_eq "replay --expect linuxAmd64, healthy log: exit 0" 0 $?
"$VSORELAY" replay --expect "$GO_EXPECT" - <"$HEALTHY" >"$out" 2>"$err"
check_eq "replay from stdin, healthy log: exit 0" 0 $?
"$VSORELAY" replay --expect "$GO_EXPECT" --report "$WORK/r.json" "$BROKEN" >"$out" 2>"$err"
check_eq "replay --report, broken log: exit 3" 3 $?
check_grep "the report says the verdict" '"verdict": "expectations-failed"' "$WORK/r.json"
"$VSORELAY" replay --expect "$GO_EXPECT" --report "$WORK/r.json" "$HEALTHY" >"$out" 2>"$err"
check_eq "replay --report over an existing report: exit 0" 0 $?
check_grep "the report was replaced" '"verdict": "passed"' "$WORK/r.json"
cp "$HEALTHY" "$WORK/généré.log"
"$VSORELAY" replay --expect "$GO_EXPECT" "$WORK/généré.log" >"$out" 2>"$err"
check_eq "replay of a file with a non-ASCII name (UTF-8 code page): exit 0" 0 $?
"$VSORELAY" expect --manifest "$SOURCE_DIR/samples/go-images/manifest.json" >"$out" 2>"$err"
check_eq "expect --manifest: exit 0" 0 $?
check_grep "expect --manifest: lists linuxAmd64" "linuxAmd64" "$out"

# --- run around cmd /c echo (the done-when) --------------------------------------------
"$VSORELAY" run -e x -- cmd /c echo '##vso[task.setvariable' 'variable=x;isoutput=true]1' >"$out" 2>"$err"
check_eq "run -e x -- cmd /c echo ##vso[...]: exit 0" 0 $?
check_grep "the held command is shown deactivated, short" "**vso[task.setvariable variable=x;isoutput=true] (held until the command ends: 1 byte)" "$out"
check_grep "the verified line" "vsorelay: 1 of 1 expected output variable verified (x)" "$err"
"$VSORELAY" run --verbose -e x -- cmd /c echo '##vso[task.setvariable' 'variable=x;isoutput=true]1' >"$out" 2>"$err"
check_grep "--verbose: the held command is shown whole, deactivated" "**vso[task.setvariable variable=x;isoutput=true]1" "$out"
check_eq "the command is re-emitted once, exactly" 1 \
  "$(grep -c -x -F '##vso[task.setvariable variable=x;isoutput=true]1' "$out")"
"$VSORELAY" run -e y -- cmd /c echo '##vso[task.setvariable' 'variable=x;isoutput=true]1' >"$out" 2>"$err"
check_eq "run -e y, only x set: exit 3" 3 $?
check_no_grep "nothing re-emitted on failure" "##vso[task.setvariable variable=x" "$out"

# --- run around cmd /c type: a whole log through a Windows pipe ---------------------------
"$VSORELAY" run -e "$GO_EXPECT" -- cmd /c type "$(winpath "$HEALTHY")" >"$out" 2>"$err"
check_eq "run -- cmd /c type healthy.log: exit 0" 0 $?
"$VSORELAY" run -e "$GO_EXPECT" -- cmd /c type "$(winpath "$BROKEN")" >"$out" 2>"$err"
check_eq "run -- cmd /c type broken.log: exit 3" 3 $?
check_grep "broken.log through run: names linuxAmd64" "linuxAmd64" "$err"

# --- win-child: exit codes, bytes unaltered, the lost tail ---------------------------------
for code in 0 1 3 42 255; do
  "$VSORELAY" run -- "$WIN_CHILD" --out hi --exit "$code" >"$out" 2>"$err"
  check_eq "the command's exit code $code comes back" "$code" $?
done
"$VSORELAY" run -- "$WIN_CHILD" --out a --lf --out b --err c >"$out" 2>"$err"
check_eq "CRLF and LF lines: exit 0" 0 $?
check_eq "stdout relayed byte for byte (no CR added)" "$(printf 'a\r\nb\n' | od -An -c)" "$(od -An -c <"$out")"
check_grep "stderr relayed" "c" "$err"
"$VSORELAY" run -e linuxAmd64 -- "$WIN_CHILD" --out '##vso[task.setvariable variable=linuxArm64;isoutput=true]{}' \
  --lose-tail --out '##vso[task.setvariable variable=linuxAmd64;isoutput=true]{}' --exit 0 >"$out" 2>"$err"
check_eq "the lost tail (the incident): exit 3" 3 $?
check_grep "the lost tail: linuxAmd64 named as missing" "linuxAmd64" "$err"
check_grep "the lost tail: the step is failed for the agent" "##vso[task.complete result=Failed;]" "$out"

# --- a grandchild holds the pipes: the drain timeout ends the wait --------------------------
start=$(date +%s%N)
"$VSORELAY" run --drain-timeout 1 -- "$WIN_CHILD" --hold 30 --out parent-done >"$out" 2>"$err"
status=$?
elapsed=$((($(date +%s%N) - start) / 1000000))
check_eq "drain timeout: the command's status" 0 "$status"
check "drain timeout: done within 1 s + 4 s of Wine (${elapsed} ms)" test "$elapsed" -lt 5000
check_grep "drain timeout: says why" "still open" "$err"

# --- Ctrl+C: only with a console, which Wine gives a program on a terminal ------------------
# script(1) runs vsorelay on a pseudo-terminal and types ^C into it: the command
# on vsorelay's console gets the event itself, vsorelay sees SIGINT, waits the
# drain timeout and then ends the command's job.  (The output goes through
# Wine's console renderer, so only the report is compared.)
if command -v script >/dev/null; then
  ctrl_c_run() { # REPORT ARGS...: types ^C 3 s after the start
    local report=$1; shift
    (sleep 3; printf '\003'; sleep 2) | timeout 60 script -qec "$(printf '%q ' "$VSORELAY" run --drain-timeout 1 \
      --report "$report" -- "$@")" /dev/null >"$out" 2>&1
  }
  ctrl_c_run "$WORK/ctrl.json" "$WIN_CHILD" --ctrl 20
  check_eq "Ctrl+C: vsorelay stops with 128+SIGINT" 130 $?
  check_grep "Ctrl+C: vsorelay saw SIGINT" '"stoppedBySignal": 2' "$WORK/ctrl.json"
  check_grep "Ctrl+C: the command got the event itself (exit 130)" '"exitStatus": 130' "$WORK/ctrl.json"
  ctrl_c_run "$WORK/ignored.json" "$WIN_CHILD" --ignore-ctrl --out ready --sleep 30
  check_eq "Ctrl+C ignored by the command: vsorelay still stops, 130" 130 $?
  check_grep "Ctrl+C ignored: the job was ended (exit code 1)" '"exitStatus": 1,' "$WORK/ignored.json"
  duration=$(sed -n 's/.*"durationSeconds": \([0-9]*\).*/\1/p' "$WORK/ignored.json")
  check "Ctrl+C ignored: ended within the drain timeout, not after 30 s (${duration}s)" test "${duration:-99}" -lt 10
fi

# --- failures of vsorelay's own -----------------------------------------------------------
"$VSORELAY" run -- no-such-command-vsorelay >"$out" 2>"$err"
check_eq "a command not found: exit 127" 127 $?
"$VSORELAY" run -- "$WIN_CHILD" --out hi >&- 2>"$err"
check_eq "stdout closed: exit 125" 125 $?

finish
