#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Black-box fault injection for `vsorelay run`: children that die mid-line, a
# closed or slow stdout, huge lines, huge numbers of variables, interleaved
# streams, children that leave their pipes to others, exec failures, huge
# argument lists and environments.  Every case checks that no byte the child
# wrote before it was stopped is lost.  About 35 s on 2 cores (60 s with ASan).
. "$(dirname "$0")/lib.sh"
: "${HELPERS:?}"

out=$WORK/out.txt err=$WORK/err.txt
MIB=1048576

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# The last line of a file (the re-emitted block's last command), at most 200
# bytes of it, so that a failure does not print 64 MiB.
last_line() { tail -n 1 "$1" | head -c 200; }

# gone PID: the process no longer runs (absent, or a zombie nobody reaps yet).
gone() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
}
running() { ! gone "$1"; }

# peak_rss FILE CMD...: runs CMD, writes its peak RSS in KiB to FILE, returns its status.
if [ -x /usr/bin/time ]; then
  peak_rss() {
    local file=$1 st
    shift
    /usr/bin/time -f %M -o "$file.raw" "$@"
    st=$?
    tail -n 1 "$file.raw" >"$file"
    return $st
  }
else
  peak_rss() { # polls VmHWM (the kernel's own peak) until the process is gone
    local file=$1 pid hwm=0 v st
    shift
    "$@" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
      [ -n "$v" ] && hwm=$v
      sleep 0.02
    done
    wait "$pid"
    st=$?
    echo "$hwm" >"$file"
    return $st
  }
fi

# ---------------------------------------------------------------------------
# 1. The child is killed by SIGKILL in the middle of a line
"$VSORELAY" run -- sh -c 'printf partial-line-without-newline; kill -KILL $$' >"$out" 2>"$err"
check_eq "SIGKILL mid-line: exit 137" 137 $?
check_eq "SIGKILL mid-line: stdout holds exactly the partial line" "partial-line-without-newline" "$(cat "$out")"
check_eq "SIGKILL mid-line: no byte added" 28 "$(wc -c <"$out")"
# the same with a held command cut by the kill: its bytes are shown (neutralised), nothing re-emitted
"$VSORELAY" run --verbose -e a -- sh -c 'printf "##vso[task.setvariable variable=a;isoutput=true]cut"; kill -KILL $$' >"$out" 2>"$err"
check_eq "SIGKILL in a held command: exit 137" 137 $?
check_eq "SIGKILL in a held command (--verbose): its bytes shown neutralised, then why nothing was re-emitted" \
  "**vso[task.setvariable variable=a;isoutput=true]cut
##vso[task.logissue type=error]vsorelay: the command was killed by signal 9 (SIGKILL), so nothing was re-emitted: the variables of a command that did not succeed are not passed on. The expected output variable had arrived (a)." \
  "$(cat "$out")"
"$VSORELAY" run -e a -- sh -c 'printf "##vso[task.setvariable variable=a;isoutput=true]cut"; kill -KILL $$' >"$out" 2>"$err"
check_eq "SIGKILL in a held command: its short copy" \
  "**vso[task.setvariable variable=a;isoutput=true] (held until the command ends: 3 bytes)" "$(head -n 1 "$out")"
check_eq "SIGKILL in a held command: nothing re-emitted" 0 "$(grep -c '##vso\[task.setvariable' "$out")"

# ---------------------------------------------------------------------------
# 2. vsorelay's stdout is closed early (EPIPE): 125, no hang, the child is reaped
marker=vsorelay-fault-epipe-$$-$RANDOM
"$HELPERS/fast-writer" --lines 1000 2>/dev/null | head -c 100 >"$WORK/first100"
start=$(date +%s%N)
timeout -k 5 60 "$VSORELAY" run -- bash -c 'exec -a "$1" "$0" --lines 2000000' "$HELPERS/fast-writer" "$marker" \
  2>"$err" | head -c 100 >"$out"
status=${PIPESTATUS[0]}
elapsed=$(ms_since "$start")
check_eq "EPIPE: exit 125" 125 "$status"
check "EPIPE: no hang (${elapsed} ms)" test "$elapsed" -lt 30000
check "EPIPE: the first 100 bytes arrived intact" cmp -s "$WORK/first100" "$out"
check_grep "EPIPE: says why" "stdout" "$err"
sleep 0.2
left=$(pgrep -f "$marker" | tr '\n' ' ')
check_eq "EPIPE: no process left with the marker argument (child reaped)" "" "$left"
for pid in $left; do kill -KILL "$pid" 2>/dev/null; done

# ---------------------------------------------------------------------------
# 3. A slow reader: back-pressure instead of buffering.  The reader takes
# 64 KiB every 50 ms for 4 s (the child could write the whole 100 MiB in a
# fraction of that), then reads the rest at full speed.
slow_reader() {
  local i
  for ((i = 0; i < 80; i++)); do
    dd bs=64K count=1 iflag=fullblock status=none || return
    sleep 0.05
  done
  cat
}
peak_rss "$WORK/base" "$VSORELAY" run -- true
base=$(cat "$WORK/base")
limit=$((16 * 1024))
[ $((base + 8 * 1024)) -gt "$limit" ] && limit=$((base + 8 * 1024)) # sanitizer builds start higher
start=$(date +%s%N)
peak_rss "$WORK/peak" "$VSORELAY" run -- "$HELPERS/fast-writer" --bytes $((100 * MIB)) --summary \
  2>"$err" | slow_reader | wc -c >"$WORK/received"
status=${PIPESTATUS[0]}
elapsed=$(ms_since "$start")
peak=$(cat "$WORK/peak")
check_eq "slow reader: exit 0" 0 "$status"
check "slow reader: the reader really was slow (${elapsed} ms)" test "$elapsed" -ge 4000
check "slow reader: peak RSS ${peak} KiB < ${limit} KiB (baseline ${base} KiB)" test "$peak" -lt "$limit"
sent=$(sed -n 's/.*stdout_bytes=\([0-9]*\).*/\1/p' "$err")
check_eq "slow reader: every byte arrived" "${sent:-?}" "$(tr -d ' ' <"$WORK/received")"

# ---------------------------------------------------------------------------
# 4. Huge lines
big_cmd='##vso[task.setvariable variable=big;isoutput=true]'
# 4a. a 64 MiB line with the setvariable at its END (and no final newline)
{ head -c $((64 * MIB)) /dev/zero | tr '\0' x; printf '%sv' "$big_cmd"; } >"$WORK/bigline"
"$VSORELAY" run -e big -- cat "$WORK/bigline" >"$out" 2>"$err"
check_eq "64 MiB line, command at its end: exit 0" 0 $?
{ head -c $((64 * MIB)) /dev/zero | tr '\0' x; printf '**vso[task.setvariable variable=big;isoutput=true] (held until the command ends: 1 byte)\n%sv\n' "$big_cmd"; } \
  >"$WORK/expected"
check "64 MiB line: relayed (neutralised) byte for byte with its short copy, then the command" cmp -s "$WORK/expected" "$out"
"$VSORELAY" run --verbose -e big -- cat "$WORK/bigline" >"$out" 2>"$err"
check_eq "64 MiB line, --verbose: exit 0" 0 $?
{ head -c $((64 * MIB)) /dev/zero | tr '\0' x; printf '**vso[task.setvariable variable=big;isoutput=true]v'; } \
  >"$WORK/expected"
check "64 MiB line: relayed (neutralised) byte for byte" \
  cmp -s "$WORK/expected" <(head -c "$(stat -c %s "$WORK/expected")" "$out")
check_eq "64 MiB line: the re-emitted command is a line of its own" "${big_cmd}v" "$(last_line "$out")"
"$VSORELAY" replay -e big "$out" >/dev/null 2>&1
check_eq "64 MiB line: the agent's reading of vsorelay's stdout sets big" 0 $?
rm -f "$WORK/bigline" "$WORK/expected"

# 4b. a 64 MiB VALUE
{ printf '%s' "$big_cmd"; head -c $((64 * MIB)) /dev/zero | tr '\0' y; printf '\n'; } >"$WORK/bigvalue"
"$VSORELAY" run -e big -- cat "$WORK/bigvalue" >"$out" 2>"$err"
check_eq "64 MiB value: exit 0" 0 $?
check_eq "64 MiB value: the short copy" \
  "**vso[task.setvariable variable=big;isoutput=true] (held until the command ends: 67,108,864 bytes)" "$(head -n 1 "$out")"
check "64 MiB value: the re-emitted command is byte for byte" cmp -s "$WORK/bigvalue" <(tail -n 1 "$out")
"$VSORELAY" run --verbose -e big -- cat "$WORK/bigvalue" >"$out" 2>"$err"
check_eq "64 MiB value, --verbose: exit 0" 0 $?
check_eq "64 MiB value: two lines (neutralised copy, re-emitted command)" 2 "$(wc -l <"$out")"
check "64 MiB value: the neutralised copy is byte for byte" \
  cmp -s <(sed 's/^##vso\[/**vso[/' "$WORK/bigvalue") <(head -n 1 "$out")
check "64 MiB value: the re-emitted command is byte for byte" cmp -s "$WORK/bigvalue" <(tail -n 1 "$out")
rm -f "$WORK/bigvalue"

# 4c. NUL bytes and invalid UTF-8, in plain lines, in a passing command and in a held value
{
  head -c 65536 /dev/zero; printf '\n'
  printf '\xff\xfe\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\xc3\r\n'
  head -c 262144 /dev/urandom | tr -d '#'; printf '\n'
  printf '\0\0\0\r\0\xff\n'
  printf '##vso[task.logdetail id=\0x]\xff\0\xfe\n'
} >"$WORK/plain"
printf '##vso[task.setvariable variable=nul;isoutput=true]a\0b\xff\xc3\x28\n' >"$WORK/held"
cat "$WORK/plain" "$WORK/held" >"$WORK/raw"
"$VSORELAY" run -e nul -- cat "$WORK/raw" >"$out" 2>"$err"
check_eq "NUL and invalid UTF-8: exit 0" 0 $?
{ cat "$WORK/plain"; printf '**vso[task.setvariable variable=nul;isoutput=true] (held until the command ends: 6 bytes)\n'; cat "$WORK/held"; } >"$WORK/expected"
check "NUL and invalid UTF-8: relayed byte for byte, the held value re-emitted byte for byte" \
  cmp -s "$WORK/expected" "$out"
"$VSORELAY" run --verbose -e nul -- cat "$WORK/raw" >"$out" 2>"$err"
{ cat "$WORK/plain"; printf '**vso'; tail -c +6 "$WORK/held"; cat "$WORK/held"; } >"$WORK/expected"
check "NUL and invalid UTF-8 --verbose: relayed byte for byte, the held value shown and re-emitted byte for byte" \
  cmp -s "$WORK/expected" "$out"

# 4d. the child's last stdout line has no newline: the re-emitted block must
# still start a line of its own, or the agent reads it as part of that line
"$VSORELAY" run -e a -- sh -c 'echo "##vso[task.setvariable variable=a;isoutput=true]1"; printf "##vso[task.logdetail id=x]tail"' \
  >"$out" 2>"$err"
check_eq "unterminated last line: exit 0" 0 $?
check_eq "unterminated last line: its bytes relayed" 1 "$(grep -c '^##vso\[task.logdetail id=x\]tail' "$out")"
check_eq "unterminated last line: the re-emitted command is a line of its own" \
  '##vso[task.setvariable variable=a;isoutput=true]1' "$(last_line "$out")"
"$VSORELAY" replay -e a "$out" >/dev/null 2>&1
check_eq "unterminated last line: the agent's reading of vsorelay's stdout sets a" 0 $?
# --stream: the live command is the unterminated line; glued to it, the
# re-emitted copy would become part of its value
"$VSORELAY" run --stream -e b -- sh -c 'printf "##vso[task.setvariable variable=b;isoutput=true]2"' >"$out" 2>"$err"
check_eq "--stream, unterminated last command: exit 0" 0 $?
check_eq "--stream, unterminated last command: live and re-emitted, each a line of its own" 2 \
  "$(grep -c '^##vso\[task.setvariable variable=b;isoutput=true\]2$' "$out")"
# a failed verdict after an unterminated command line: the logissue must not become its data
"$VSORELAY" run -e zz -- sh -c 'printf "##vso[task.logdetail id=x]tail"' >"$out" 2>"$err"
check_eq "unterminated last line, failed expectation: exit 3" 3 $?
check_eq "unterminated last line, failed expectation: the logissue is a line of its own" 1 \
  "$(grep -c '^##vso\[task.logissue type=error\]' "$out")"

# ---------------------------------------------------------------------------
# 5. Many variables
# 5a. 100,000 distinct variables, all expected
awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "##vso[task.setvariable variable=v%d;isoutput=true]val%d\n", i, i }' \
  >"$WORK/vars"
awk 'BEGIN { print "# 100,000 names"; for (i = 1; i <= 100000; i++) printf "v%d\n", i }' >"$WORK/names"
start=$(date +%s%N)
timeout -k 2 20 "$VSORELAY" run --expect-file "$WORK/names" -- cat "$WORK/vars" >"$out" 2>"$err"
status=$?
elapsed=$(ms_since "$start")
if [ "$status" -eq 124 ]; then
  fail "100,000 variables: not done after 20 s (killed by timeout; the rest of this case is skipped)"
else
  check_eq "100,000 variables: exit 0 (took ${elapsed} ms)" 0 "$status"
  check_eq "100,000 variables: all neutralised" 100000 "$(grep -c '^\*\*vso\[task.setvariable' "$out")"
  check "100,000 variables: all re-emitted, in order, byte for byte" cmp -s "$WORK/vars" <(grep '^##vso\[' "$out")
fi

# 5b. one variable set 1,000 times in varying letter case: the last one wins
awk -v last=true -v others=false 'BEGIN {
  split("m y v a r", c, " ")
  for (i = 1; i <= 1000; i++) {
    name = ""
    for (k = 1; k <= 5; k++) name = name ((int(i / 2 ^ (k - 1)) % 2) ? toupper(c[k]) : c[k])
    printf "##vso[task.setvariable variable=%s;isoutput=%s]value%d\n", name, (i == 1000 ? last : others), i
  }
}' >"$WORK/cases"
check_eq "1,000 spellings: the input has 32 spellings" 32 "$(sed 's/.*variable=\([^;]*\);.*/\1/' "$WORK/cases" | sort -u | wc -l)"
"$VSORELAY" run -e MYVAR -- cat "$WORK/cases" >"$out" 2>"$err"
check_eq "1,000 spellings, only the last an output: exit 0 (last wins)" 0 $?
check "1,000 spellings: exactly the 1,000 commands re-emitted, in order" cmp -s "$WORK/cases" <(grep '^##vso\[' "$out")
sed 's/isoutput=false/isoutput=TRUE/; $ s/isoutput=true/isoutput=false/' "$WORK/cases" >"$WORK/cases2"
"$VSORELAY" run -e myvar -- cat "$WORK/cases2" >"$out" 2>"$err"
check_eq "1,000 spellings, all outputs but the last: exit 0 (a later set without isoutput keeps the output)" 0 $?
check_eq "1,000 spellings, all re-emitted" 1000 "$(grep -c '^##vso\[task.setvariable' "$out")"

# ---------------------------------------------------------------------------
# 6. Heavy interleaving of both streams
"$HELPERS/fast-writer" --lines 200000 --every 10 --stderr-too >"$WORK/child.out" 2>"$WORK/child.err"
"$VSORELAY" run -e var1,var20000 -- "$HELPERS/fast-writer" --lines 200000 --every 10 --stderr-too >"$out" 2>"$err"
check_eq "fast-writer --stderr-too: exit 0" 0 $?
{ short_copies <"$WORK/child.out"; grep -o '##vso\[.*' "$WORK/child.out"; } >"$WORK/expected"
check "fast-writer --stderr-too: stdout with short copies + 20,000 re-emitted, byte for byte" cmp -s "$WORK/expected" "$out"
{ cat "$WORK/child.err"; echo "vsorelay: 2 of 2 expected output variables verified (var1, var20000)"; } >"$WORK/expected"
check "fast-writer --stderr-too: stderr byte for byte, then the verified line" cmp -s "$WORK/expected" "$err"
"$VSORELAY" run --verbose -e var1,var20000 -- "$HELPERS/fast-writer" --lines 200000 --every 10 --stderr-too >"$out" 2>"$err"
{ sed 's/##vso\[/**vso[/' "$WORK/child.out"; grep -o '##vso\[.*' "$WORK/child.out"; } >"$WORK/expected"
check "fast-writer --stderr-too --verbose: stdout neutralised + 20,000 re-emitted, byte for byte" cmp -s "$WORK/expected" "$out"

cat >"$WORK/both.sh" <<'SH'
for i in $(seq 1 2000); do
  echo "##vso[task.setvariable variable=o$i;isoutput=true]$i"
  echo "##vso[task.setvariable variable=e$i;isoutput=true]$i" >&2
  printf 'out-partial-%d ' "$i"
  printf 'err-partial-%d ' "$i" >&2
done
echo end-out
echo end-err >&2
SH
awk 'BEGIN { for (i = 1; i <= 2000; i++) printf "o%d\ne%d\n", i, i }' >"$WORK/both.names"
"$VSORELAY" run --expect-file "$WORK/both.names" -- bash "$WORK/both.sh" >"$out" 2>"$err"
check_eq "commands on both streams: exit 0" 0 $?
check_eq "both streams: 2,000 short copies on stderr" 2000 "$(grep -c '\*\*vso\[task.setvariable variable=e[0-9]*;isoutput=true\] (held until the command ends: [0-9]* bytes\?)' "$err")"
check_eq "both streams: no live command on stderr" 0 "$(grep -c '##vso\[' "$err")"
"$VSORELAY" run --verbose --expect-file "$WORK/both.names" -- bash "$WORK/both.sh" >"$out" 2>"$err"
check_eq "commands on both streams, --verbose: exit 0" 0 $?
check_eq "both streams: 4,000 commands re-emitted on stdout" 4000 "$(grep -c '^##vso\[task.setvariable' "$out")"
check_eq "both streams: 2,000 held on stdout" 2000 "$(grep -c '\*\*vso\[task.setvariable variable=o' "$out")"
check_eq "both streams: 2,000 held on stderr" 2000 "$(grep -c '\*\*vso\[task.setvariable variable=e' "$err")"
bash "$WORK/both.sh" >"$WORK/child.out" 2>"$WORK/child.err"
check "both streams: stdout's own bytes relayed (neutralised)" \
  cmp -s <(sed 's/##vso\[/**vso[/g' "$WORK/child.out") <(grep -v '^##vso\[' "$out")
check "both streams: stderr relayed (neutralised)" cmp -s <(sed 's/##vso\[/**vso[/g' "$WORK/child.err") <(sed '$d' "$err")
check_eq "both streams: then the verified line, its list cut" \
  "vsorelay: 4000 of 4000 expected output variables verified (o1, e1, o2, e2," "$(tail -n 1 "$err" | cut -c1-74)"
check "both streams: the verified line's list cut after about 1,000 bytes" \
  grep -qE '^vsorelay: 4000 of 4000 expected output variables verified \(o1, .{900,1100}, … and [0-9]+ more\)$' "$err"
check "both streams: the re-emitted set is every command" \
  cmp -s <(grep -ho '##vso\[.*' "$WORK/child.out" "$WORK/child.err" | sort) <(grep '^##vso\[' "$out" | sort)
check "both streams: each stream's commands keep their order" \
  cmp -s <(grep -o '##vso\[.*variable=o.*' "$WORK/child.out") <(grep '^##vso\[.*variable=o' "$out")

# ---------------------------------------------------------------------------
# 7. Pipes and process lifetimes
# 7a. the child closes its stdout early and keeps running: vsorelay waits for it
start=$(date +%s%N)
timeout -k 5 30 "$VSORELAY" run -- sh -c 'echo before; exec >&-; sleep 2; echo late-stderr >&2; exit 0' >"$out" 2>"$err"
status=$?
elapsed=$(ms_since "$start")
check_eq "stdout closed early: exit 0" 0 "$status"
check "stdout closed early: waited for the child (${elapsed} ms)" test "$elapsed" -ge 1900
check_eq "stdout closed early: stdout before the close" "before" "$(cat "$out")"
check_grep "stdout closed early: later stderr relayed" "late-stderr" "$err"

# 7b. a daemon grandchild holds the pipes out of the process group: the drain timeout ends it
start=$(date +%s%N)
timeout -k 5 30 "$VSORELAY" run --drain-timeout 1 -- "$HELPERS/grandchild-holder" --daemon --hold 30 >"$out" 2>"$err"
status=$?
elapsed=$(ms_since "$start")
daemon=$(sed -n 's/^grandchild \([0-9][0-9]*\)$/\1/p' "$out")
check_eq "daemon holder: the child's status" 0 "$status"
check "daemon holder: ended within ~3 s (${elapsed} ms)" test "$elapsed" -lt 3500
check "daemon holder: its lines relayed" grep -q '^holder [0-9]' "$out"
check "daemon holder: the daemon's pid relayed" test -n "$daemon"
if [ -n "$daemon" ]; then
  check "daemon holder: the daemon escaped the group (still running)" running "$daemon"
  kill -KILL "$daemon" 2>/dev/null
  for _ in $(seq 50); do gone "$daemon" && break; sleep 0.05; done
  check "daemon holder: daemon killed" gone "$daemon"
fi

# ---------------------------------------------------------------------------
# 8. Exec failures: ENOENT -> 127, anything else -> 126
printf 'echo hi\n' >"$WORK/noexec"
chmod 644 "$WORK/noexec"
printf '#!/nonexistent/interpreter\necho hi\n' >"$WORK/badinterp"
printf '#!%s\necho hi\n' "$WORK" >"$WORK/dirinterp"
printf '#!%s\necho hi\n' "$WORK/noexec" >"$WORK/noexecinterp"
chmod 755 "$WORK/badinterp" "$WORK/dirinterp" "$WORK/noexecinterp"
for c in "$WORK:126:a directory" "$WORK/noexec:126:a file without x" "$WORK/missing:127:a missing path" \
  "no-such-command-$$:127:a name not on PATH" "$WORK/badinterp:127:a missing #! interpreter (ENOENT)" \
  "$WORK/dirinterp:126:a #! interpreter that is a directory (EACCES)" \
  "$WORK/noexecinterp:126:a #! interpreter without x (EACCES)"; do
  IFS=: read -r path code what <<<"$c"
  "$VSORELAY" run -- "$path" >"$out" 2>"$err"
  check_eq "exec $what: $code" "$code" $?
  check_grep "exec $what: named" "$(basename "$path")" "$err"
  check_eq "exec $what: nothing on stdout" 0 "$(wc -c <"$out")"
done

# 8b. a very long argument list, near ARG_MAX: 100,000 arguments, padded
# execve's limit counts the strings and the pointers of argv and envp:
# min(stack rlimit / 4, 6 MiB) on Linux; getconf ARG_MAX says stack / 4.
env_bytes=$(env | awk '{ n += length($0) + 1 + 8 } END { print n + 0 }')
arg_max=$(getconf ARG_MAX)
[ "$arg_max" -gt $((6 * MIB)) ] && arg_max=$((6 * MIB))
budget=$((arg_max - env_bytes - 65536))
mapfile -t args < <(seq -f 'a%05g' 0 99999)
used=$((100000 * (7 + 8)))
pad=$(head -c 4000 /dev/zero | tr '\0' p)
while [ $((used + 4009)) -lt "$budget" ]; do
  args+=("$pad")
  used=$((used + 4009))
done
/bin/echo "${args[@]}" >"$WORK/expected"
status=$?
check_eq "long argument list: runs directly (${#args[@]} arguments, ~${used} bytes)" 0 "$status"
"$VSORELAY" run -- /bin/echo "${args[@]}" >"$out" 2>"$err"
check_eq "long argument list: exit 0" 0 $?
check "long argument list: every argument reached the child" cmp -s "$WORK/expected" "$out"
unset args

# 8c. a large environment: 1,000 variables of 1 KB
envargs=()
val=$(head -c 1000 /dev/zero | tr '\0' e)
for ((i = 0; i < 1000; i++)); do envargs+=("FAULT_ENV_$i=$i$val"); done
env "${envargs[@]}" /usr/bin/env >"$WORK/expected"
env "${envargs[@]}" "$VSORELAY" run -- /usr/bin/env >"$out" 2>"$err"
check_eq "large environment: exit 0" 0 $?
check "large environment: passed to the child unchanged" cmp -s "$WORK/expected" "$out"
unset envargs

finish
