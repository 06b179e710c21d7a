#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Black-box tests of `vsorelay run` (issue: wrap the generator, hold, verify, re-emit).
. "$(dirname "$0")/lib.sh"
: "${HELPERS:?}"

out=$WORK/out.txt err=$WORK/err.txt

# --- around cat of the healthy log, --verbose: whole neutralised copies, then
# the five originals (test_log.sh pins the default log, with short copies)
"$VSORELAY" run --verbose -e "$GO_EXPECT" -- cat "$HEALTHY" >"$out" 2>"$err"
check_eq "healthy: exit 0" 0 $?
sed 's/##vso\[/**vso[/' "$HEALTHY" >"$WORK/expected"
grep -o '##vso\[task.setvariable.*' "$HEALTHY" >>"$WORK/expected"
check "healthy --verbose: stdout is the neutralised log + the five commands" cmp -s "$WORK/expected" "$out"
check_eq "healthy: five executable lines" 5 "$(grep -c '##vso\[' "$out")"
SYSTEM_DEBUG=True "$VSORELAY" run -e "$GO_EXPECT" -- cat "$HEALTHY" >"$WORK/debug" 2>"$err"
check "healthy, the agent's SYSTEM_DEBUG=True: as --verbose" cmp -s "$out" "$WORK/debug"

# the short form runs `run`
"$VSORELAY" --verbose -e "$GO_EXPECT" -- cat "$HEALTHY" >"$WORK/short" 2>"$err"
check_eq "short form: exit 0" 0 $?
check "short form: same stdout" cmp -s "$out" "$WORK/short"

# --- around cat of the broken log: exit 3, nothing executable but the verdict
"$VSORELAY" run -e "$GO_EXPECT" -- cat "$BROKEN" >"$out" 2>"$err"
check_eq "broken: exit 3" 3 $?
check_eq "broken: no executable setvariable" 0 "$(grep -c '##vso\[task.setvariable' "$out")"
for name in linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64; do
  check_grep "broken: logissue for $name" "##vso[task.logissue type=error]vsorelay: expected output variable missing (never set): $name: " "$out"
  check_grep "broken: stderr names $name" "vsorelay: expected output variable missing (never set): $name: " "$err"
done
# no manifest given: what each stood for is the generator's announcement (its legs' Dockerfiles)
check_grep "broken: what linuxAmd64 stood for, from the announcement" \
  "(never set): linuxAmd64: src/microsoft/1.25/azurelinux3.0, src/microsoft/1.25/bookworm, … (amd64)." "$err"
check_grep "broken: task.complete Failed" "##vso[task.complete result=Failed;]" "$out"
check_eq "broken: exactly 4 executable lines" 4 "$(grep -c '##vso\[' "$out")"

# --- commands on stderr are held too; other commands pass unchanged
"$VSORELAY" run -e a -- sh -c 'echo "##vso[task.setvariable variable=a;isoutput=true]1" >&2; echo "##vso[task.logdetail id=x]y"' >"$out" 2>"$err"
check_eq "stderr command: exit 0" 0 $?
check_grep "stderr command: its short copy on stderr" "**vso[task.setvariable variable=a;isoutput=true] (held until the command ends: 1 byte)" "$err"
check_no_grep "stderr command: no live command on stderr" "##vso[" "$err"
check_grep "stderr command: re-emitted on stdout" "##vso[task.setvariable variable=a;isoutput=true]1" "$out"
check_grep "other commands pass unchanged" "##vso[task.logdetail id=x]y" "$out"

# --- the command's own task.complete comes after its variables (done=true drops what follows)
"$VSORELAY" run -e a -- sh -c 'echo "##vso[task.complete result=Succeeded;done=true]done"; echo "##vso[task.setvariable variable=a;isoutput=true]1"' >"$out" 2>"$err"
check_eq "task.complete: exit 0" 0 $?
check_grep "task.complete: neutralised live" "**vso[task.complete result=Succeeded;done=true]done" "$out"
check_eq "task.complete: re-emitted after the variable" \
  "##vso[task.setvariable variable=a;isoutput=true]1|##vso[task.complete result=Succeeded;done=true]done" \
  "$(grep '^##vso\[' "$out" | tr '\n' '|' | sed 's/|$//')"
"$VSORELAY" run -e b -- sh -c 'echo "##vso[task.complete result=Succeeded]ok"' >"$out" 2>"$err"
check_eq "task.complete on failure: exit 3" 3 $?
check_no_grep "task.complete on failure: the command's Succeeded is not re-emitted" "##vso[task.complete result=Succeeded]" "$out"
check_grep "task.complete on failure: vsorelay's Failed is" "##vso[task.complete result=Failed;]" "$out"
check_grep "task.complete on failure: says so" "task.complete was held back" "$err"

# --- secrets: the neutralised copy masks the value
"$VSORELAY" run -- sh -c 'echo "##vso[task.setvariable variable=s;issecret=true]sentinel-s3cr3t"' >"$out" 2>"$err"
check_eq "secret: exit 0" 0 $?
check_grep "secret: short copy, no length" "**vso[task.setvariable variable=s;issecret=true] (held until the command ends)" "$out"
"$VSORELAY" run --verbose -- sh -c 'echo "##vso[task.setvariable variable=s;issecret=true]sentinel-s3cr3t"' >"$WORK/verbose" 2>"$err"
check_grep "secret --verbose: masked copy" "**vso[task.setvariable variable=s;issecret=true]***" "$WORK/verbose"
check_eq "secret --verbose: value only in the setsecret and the re-emitted command" 2 "$(grep -c 'sentinel-s3cr3t' "$WORK/verbose")"
check_eq "secret: value only in the early setsecret and the re-emitted command" 2 "$(grep -c 'sentinel-s3cr3t' "$out")"
check_grep "secret: registered at once" "##vso[task.setsecret]sentinel-s3cr3t" "$out"
check_no_grep "secret: not on stderr" "sentinel-s3cr3t" "$err"

# --- /dev/stdout and /dev/stderr work inside the child (real pipes, not sockets)
"$VSORELAY" run -- sh -c 'echo to-stdout > /dev/stdout; echo to-stderr > /dev/stderr' >"$out" 2>"$err"
check_eq "/dev/stdout: exit 0" 0 $?
check_grep "/dev/stdout works" "to-stdout" "$out"
check_grep "/dev/stderr works" "to-stderr" "$err"

# --- bytes pass unaltered: NUL, invalid UTF-8, CR progress lines, no final newline
printf 'a\0b\xff\xfe\r50%%\r100%%\r\nlast' >"$WORK/raw"
"$VSORELAY" run -- cat "$WORK/raw" >"$out" 2>"$err"
check "raw bytes relayed byte for byte" cmp -s "$WORK/raw" "$out"

# --- closed standard descriptors: no crash, no pipe taking their place
"$VSORELAY" run -e a -- sh -c 'echo "##vso[task.setvariable variable=a;isoutput=true]1"; read x; echo "read=$?"' <&- >"$out" 2>"$err"
check_eq "stdin closed: exit 0" 0 $?
check_grep "stdin closed: the command reads end of file" "read=1" "$out"
"$VSORELAY" run -- sh -c 'echo hi' >&- 2>"$err"
check_eq "stdout closed: exit 125" 125 $?
check_grep "stdout closed: says so" "stdout" "$err"
"$VSORELAY" run -- sh -c 'echo hi; echo oops >&2' 2>&- >"$out"
check_eq "stderr closed: exit 0" 0 $?
check_grep "stderr closed: stdout still relayed" "hi" "$out"

# --- descriptors the launcher left open (no close-on-exec) do not reach the command
# (5 and 200: below and above the first gap; bash opens them without FD_CLOEXEC)
bash -c 'exec 5>"$1/fd5" 200>"$1/fd200"; exec "$2" run -- sh -c "ls /proc/\$\$/fd"' _ "$WORK" "$VSORELAY" >"$out" 2>"$err"
check_eq "stray descriptors: exit 0" 0 $?
check_eq "stray descriptors: the command has 0, 1 and 2 (and 3, ls's own), nothing else" 0 \
  "$(grep -c -v -x -e 0 -e 1 -e 2 -e 3 "$out")"
check_no_grep "stray descriptors: 200 is not passed" "^200$" "$out"
check_no_grep "stray descriptors: 5 is not passed" "^5$" "$out"

# --- launched with every signal blocked: the exit is still seen, SIGTERM still forwarded
timeout -k 2 10 "$HELPERS/blocked-exec" "$VSORELAY" run -e a -- sh -c 'echo "##vso[task.setvariable variable=a;isoutput=true]1"' >"$out" 2>"$err"
check_eq "signals blocked: the run completes" 0 $?
rm -f "$out"
"$HELPERS/blocked-exec" "$VSORELAY" run -- "$HELPERS/print-signals" >"$out" 2>"$err" &
pid=$!
for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
kill -TERM $pid
wait $pid
check_eq "signals blocked: SIGTERM still ends it with 143" 143 $?

# --- a prompt without a newline shows at once
"$VSORELAY" run -- "$HELPERS/fast-writer" --partial 'Password: ' --sleep 3000 >"$out" 2>"$err" &
pid=$!
sleep 1
check_eq "partial line relayed before the child ends" "Password: " "$(cat "$out")"
wait $pid

# --- exit codes: child statuses, signals, 126, 127, usage
bad_codes=
for code in $(seq 0 255); do
  "$VSORELAY" run -- "$HELPERS/exit-with" "$code" >/dev/null 2>&1
  status=$?
  [ "$status" -eq "$code" ] || bad_codes="$bad_codes $code->$status"
done
check_eq "every child exit status 0-255 is vsorelay's" "" "$bad_codes"
for sig in 1 2 3 6 9 15; do
  "$VSORELAY" run -- "$HELPERS/exit-with" --signal "$sig" >/dev/null 2>&1
  check_eq "child killed by signal $sig" $((128 + sig)) $?
done
"$VSORELAY" run -- "$WORK/no-such-command" >/dev/null 2>"$err"
check_eq "not found: 127" 127 $?
check_grep "not found: named" "no-such-command" "$err"
"$VSORELAY" run -- "$WORK" >/dev/null 2>"$err"
check_eq "not executable: 126" 126 $?
# a script without "#!" runs with /bin/sh, as execvp (env, timeout) runs it
printf 'echo "no shebang: $1"\nexit 7\n' >"$WORK/no-shebang"
chmod +x "$WORK/no-shebang"
"$VSORELAY" run -- "$WORK/no-shebang" arg1 >"$out" 2>"$err"
check_eq "script without #!: its own exit status" 7 $?
check_grep "script without #!: ran with its argument" "no shebang: arg1" "$out"
PATH="$WORK:$PATH" "$VSORELAY" run -- no-shebang arg2 >"$out" 2>"$err"
check_eq "script without #! found in PATH" 7 $?
check_grep "script without #! found in PATH: ran" "no shebang: arg2" "$out"
"$VSORELAY" run >/dev/null 2>"$err"
check_eq "no command: 2" 2 $?
"$VSORELAY" run --timeout abc -- true >/dev/null 2>"$err"
check_eq "bad duration: 2" 2 $?
check_grep "bad duration named" "--timeout" "$err"
"$VSORELAY" --nope -- true >/dev/null 2>"$err"
check_eq "bad flag: 2" 2 $?

# --- a child that exits 3 by itself is not an expectation failure
"$VSORELAY" run -- sh -c 'exit 3' >"$out" 2>"$err"
check_eq "child exit 3: its status" 3 $?
check_eq "child exit 3: no verdict lines" 0 "$(grep -c '##vso\[' "$out")"

# --- a failing child: nothing is re-emitted
"$VSORELAY" run -e a -- sh -c 'echo "##vso[task.setvariable variable=a;isoutput=true]1"; exit 7' >"$out" 2>"$err"
check_eq "failing child: its status" 7 $?
check_eq "failing child: nothing re-emitted" 0 "$(grep -c '##vso\[task.setvariable' "$out")"
check_eq "failing child: one error says so" 1 "$(grep -c '^##vso\[task.logissue type=error\]vsorelay: the command exited with status 7, so nothing was re-emitted' "$out")"

# --- --timeout: SIGTERM at the deadline, exit 124
start=$(date +%s%N)
"$VSORELAY" run --timeout 0.5 -- sleep 30 >/dev/null 2>"$err"
check_eq "timeout: 124" 124 $?
elapsed=$((($(date +%s%N) - start) / 1000000))
check "timeout: ended in under 3 s (${elapsed} ms)" test "$elapsed" -lt 3000
"$VSORELAY" run --timeout 300ms --kill-after 200ms -- "$HELPERS/print-signals" --stay >"$out" 2>"$err"
check_eq "timeout + kill-after on a child that ignores SIGTERM: 124" 124 $?

# --- a grandchild holds stdout after the child exits: drain timeout, then stop
start=$(date +%s%N)
"$VSORELAY" run --drain-timeout 1 -- "$HELPERS/grandchild-holder" --hold 30 >"$out" 2>"$err"
status=$?
elapsed=$((($(date +%s%N) - start) / 1000000))
check_eq "grandchild: child's status" 0 "$status"
check "grandchild: finished within drain timeout + 2 s (${elapsed} ms)" test "$elapsed" -lt 3000
check_grep "grandchild: says why" "still open" "$err"
"$VSORELAY" run --drain-timeout 1 -- "$HELPERS/grandchild-holder" --hold 30 --daemon >"$out" 2>"$err"
check_eq "daemon grandchild: ends anyway" 0 $?
check_grep "daemon grandchild: says output may be truncated" "truncated" "$err"
holder=$(sed -n 's/^grandchild \([0-9]*\)$/\1/p' "$out" | head -1)
[ -n "$holder" ] && kill "$holder" 2>/dev/null

# --- signals reach the child; SIGTERM ends vsorelay with 143
rm -f "$out"
"$VSORELAY" run -- "$HELPERS/print-signals" >"$out" 2>"$err" &
pid=$!
for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
kill -USR1 $pid; sleep 0.2
kill -TERM $pid
wait $pid
check_eq "SIGTERM: exit 143" 143 $?
check_grep "SIGUSR1 forwarded" "signal 10" "$out"
check_grep "SIGTERM forwarded" "signal 15" "$out"
for sig in INT HUP QUIT; do
  rm -f "$out"
  "$VSORELAY" run -- "$HELPERS/print-signals" >"$out" 2>"$err" &
  pid=$!
  for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
  kill -$sig $pid
  wait $pid
  status=$?
  check_eq "SIG$sig: exit 128+N" $((128 + $(kill -l $sig))) "$status"
done
# a child that ignores the signal is stopped within the drain timeout
rm -f "$out"
"$VSORELAY" run --drain-timeout 0.5 -e x -- "$HELPERS/print-signals" --stay >"$out" 2>"$err" &
pid=$!
for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
start=$(date +%s%N)
kill -TERM $pid
wait $pid
check_eq "stubborn child: exit 143" 143 $?
elapsed=$((($(date +%s%N) - start) / 1000000))
check "stubborn child: ended within drain timeout + 2 s (${elapsed} ms)" test "$elapsed" -lt 2500
check_no_grep "stopped: nothing re-emitted" "##vso[task.setvariable" "$out"
check_no_grep "stopped: no verdict of the expectations" "##vso[task.complete" "$out"
check_eq "stopped: one error says why" 1 "$(grep -c '^##vso\[task.logissue type=error\]vsorelay: vsorelay was stopped by signal 15 (SIGTERM), so nothing was re-emitted' "$out")"

# --- EPIPE: stdout closed early; exit 125, child drained and reaped, no SIGPIPE death
"$VSORELAY" run -- "$HELPERS/fast-writer" --lines 200000 2>"$err" | head -c 10 >/dev/null
status=${PIPESTATUS[0]}
check_eq "EPIPE: exit 125" 125 "$status"
check_grep "EPIPE: says why" "stdout" "$err"

# --- retries: a generator that fails its first attempt
cat >"$WORK/flaky.sh" <<'SH'
#!/bin/sh
n=$(cat "$1" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$1"
echo "##vso[task.setvariable variable=a;isoutput=true]1"
[ "$n" -ge 2 ] && echo "##vso[task.setvariable variable=b;isoutput=true]attempt$n"
exit 0
SH
chmod +x "$WORK/flaky.sh"
rm -f "$WORK/count"
"$VSORELAY" run -e a,b --retries 2 -- "$WORK/flaky.sh" "$WORK/count" >"$out" 2>"$err"
check_eq "retries: passes on attempt 2" 0 $?
check_grep "retries: says so" "attempt 1 of 3 lost 1 of 2 expected output variables (b)" "$err"
check_eq "retries: only the passing attempt's commands" 2 "$(grep -c '^##vso\[task.setvariable' "$out")"
check_grep "retries: b from attempt 2" "]attempt2" "$out"
rm -f "$WORK/count"
"$VSORELAY" run -e a,b,c --retries 1 -- "$WORK/flaky.sh" "$WORK/count" >"$out" 2>"$err"
check_eq "retries exhausted: 3" 3 $?
check_eq "retries exhausted: child ran twice" 2 "$(cat "$WORK/count")"

# --- --stream: commands pass live, the expected ones again at the end
"$VSORELAY" run --stream -e b -- sh -c 'echo "##vso[task.setvariable variable=a;isoutput=true]1"; echo "##vso[task.setvariable variable=b;isoutput=true]2"' >"$out" 2>"$err"
check_eq "stream: exit 0" 0 $?
printf '%s\n' '##vso[task.setvariable variable=a;isoutput=true]1' '##vso[task.setvariable variable=b;isoutput=true]2' \
  '##vso[task.setvariable variable=b;isoutput=true]2' >"$WORK/expected"
check "stream: live + expected again" cmp -s "$WORK/expected" "$out"

# --- a million lines with 10,000 commands, written as fast as possible
"$HELPERS/fast-writer" --lines 1000000 --every 100 >"$WORK/child.txt" 2>/dev/null
"$VSORELAY" run -- "$HELPERS/fast-writer" --lines 1000000 --every 100 >"$out" 2>"$err"
check_eq "1M lines: exit 0" 0 $?
check_eq "1M lines: every line relayed" 1010000 "$(wc -l <"$out")"
check_eq "1M lines: 10,000 commands re-emitted" 10000 "$(grep -c '^##vso\[task.setvariable' "$out")"
{ short_copies <"$WORK/child.txt"; grep -o '##vso\[.*' "$WORK/child.txt"; } >"$WORK/expected"
check "1M lines: stream with short copies + block, byte for byte" cmp -s "$WORK/expected" "$out"
"$VSORELAY" run --verbose -- "$HELPERS/fast-writer" --lines 1000000 --every 100 >"$out" 2>"$err"
{ sed 's/##vso\[/**vso[/' "$WORK/child.txt"; grep -o '##vso\[.*' "$WORK/child.txt"; } >"$WORK/expected"
check "1M lines --verbose: neutralised stream + block, byte for byte" cmp -s "$WORK/expected" "$out"
"$VSORELAY" run --stream -e var1,var10000 -- "$HELPERS/fast-writer" --lines 1000000 --every 100 >"$out" 2>"$err"
check_eq "1M lines --stream: exit 0" 0 $?
{ cat "$WORK/child.txt"; printf '%s\n' '##vso[task.setvariable variable=var1;isoutput=true]value1' \
  '##vso[task.setvariable variable=var10000;isoutput=true]value10000'; } >"$WORK/expected"
check "1M lines --stream: child's output + the re-emitted block" cmp -s "$WORK/expected" "$out"

# --- capture: replay of the capture reaches the same verdict
"$VSORELAY" run -e "$GO_EXPECT" --capture "$WORK/cap" -- cat "$BROKEN" >/dev/null 2>&1
check_eq "capture: run exits 3" 3 $?
check_eq "capture: mode 0600" 600 "$(stat -c %a "$WORK/cap")"
"$VSORELAY" replay -e "$GO_EXPECT" "$WORK/cap" >"$out" 2>"$err"
check_eq "capture: replay exits 3 too" 3 $?
check_grep "capture: same missing names" "missing  linuxAmd64" "$out"
"$VSORELAY" run -e s --capture "$WORK/cap2" -- sh -c 'echo "##vso[task.setvariable variable=s;issecret=true;isoutput=true]sentinel-s3cr3t"; echo "leak sentinel-s3cr3t" >&2' >/dev/null 2>&1
check_eq "capture secret: run exits 0" 0 $?
check_no_grep "capture: secret masked" "sentinel-s3cr3t" "$WORK/cap2"
"$VSORELAY" replay -e s "$WORK/cap2" >/dev/null 2>&1
check_eq "capture secret: replay passes" 0 $?

finish
