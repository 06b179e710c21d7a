#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile setups (issue 11, section 5): a launcher's low `ulimit -n`,
# destinations that collide, are directories or inputs, links, nothing
# growing across --retries, a summary path the agent must read back, options
# where they do not apply, --stream's words, a NUL in a command name.
# About 15 s on 2 cores.
. "$(dirname "$0")/lib.sh"

out=$WORK/out.txt err=$WORK/err.txt
SV='##vso[task.setvariable variable'
report_field() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(JSON.stringify(eval(process.argv[2])))' "$1" "$2"; }

# ---------------------------------------------------------------------------
# descriptors: vsorelay's own 125 with a message, never libuv's abort (134)
# loader_failed STATUS: the dynamic loader itself found no descriptor for a
# shared library (a launcher may leave several open): before vsorelay runs
loader_failed() { [ "$1" -eq 127 ] && grep -q 'error while loading shared libraries' "$err"; }
for n in $(seq 4 24); do
  for opts in "" "--capture $WORK/c --report $WORK/r --summary $WORK/s"; do
    # shellcheck disable=SC2086 # opts is a list of words
    (ulimit -n "$n" && exec "$VSORELAY" run -e x $opts -- sh -c 'echo "'"$SV"'=x;isoutput=true]1"') \
      >"$out" 2>"$err"
    status=$?
    loader_failed "$status" && continue
    check "ulimit -n $n ${opts:+(with files)}: 0 or 125, never a signal (got $status)" \
      test "$status" -eq 0 -o "$status" -eq 125
    [ "$status" -eq 125 ] && check "ulimit -n $n: 125 says why" test -s "$err"
  done
done
(ulimit -n 5 && exec "$VSORELAY" run -e x -- true) >"$out" 2>"$err"
check_eq "ulimit -n 5: exit 125" 125 $?
check_grep "ulimit -n 5: names the cause" "too few file descriptors" "$err"
for n in 4 5 6 8; do
  (ulimit -n "$n" && exec "$VSORELAY" replay -e linuxArm32 --report "$WORK/r" --summary "$WORK/s" "$HEALTHY") \
    >"$out" 2>"$err"
  status=$?
  loader_failed "$status" && continue
  check "replay under ulimit -n $n: 0 or 125 (got $status)" test "$status" -eq 0 -o "$status" -eq 125
done

# ---------------------------------------------------------------------------
# destinations: found before the command runs (a marker the command would make)
marker=$WORK/ran
cmd=(sh -c 'touch "$0"; echo "'"$SV"'=x;isoutput=true]1"' "$marker")
mkdir -p "$WORK/d/sub" "$WORK/dir"
ln -s "$WORK/d" "$WORK/dlink"
printf 'x\n' >"$WORK/names.txt"
usage_case() { # DESCRIPTION ARGS...: exit 2, nothing ran, a message
  local what=$1
  shift
  rm -f "$marker"
  "$VSORELAY" run -e x "$@" -- "${cmd[@]}" >"$out" 2>"$err"
  check_eq "$what: exit 2" 2 $?
  check "$what: the command did not run" test ! -e "$marker"
  check "$what: says why" test -s "$err"
}
usage_case "--capture and --report the same file" --capture "$WORK/f" --report "$WORK/f"
usage_case "--report and --summary the same file" --report "$WORK/f" --summary "$WORK/f"
usage_case "--summary and --capture the same file" --summary "$WORK/f" --capture "$WORK/f"
usage_case "the same file through ./" --capture "$WORK/f" --report "$WORK/./f"
usage_case "the same file through .." --capture "$WORK/d/sub/../f" --report "$WORK/d/f"
usage_case "the same file through a linked directory" --capture "$WORK/dlink/f" --report "$WORK/d/f"
usage_case "the same file, relative and absolute" --capture f --report "$PWD/f"
usage_case "--capture a directory" --capture "$WORK/dir"
usage_case "--report a directory" --report "$WORK/dir"
usage_case "--summary a directory" --summary "$WORK/dir"
usage_case "--report a directory, with a slash" --report "$WORK/dir/"
mkfifo "$WORK/fifo"
ln -s /dev/null "$WORK/nulllink"
ln -s "$WORK/dir" "$WORK/dirlink"
# the system's own files, tried only once a harmless name in /dev is refused:
# a vsorelay that replaced them would break the machine (as root)
canary=/dev/vsorelay-canary-$$
usage_case "--report a new name in /dev" --report "$canary"
if [ -e "$canary" ]; then
  rm -f "$canary"
  fail "the system's files are not tried: a destination in /dev was written"
else
  usage_case "--report /dev/null (as root it would replace the device)" --report /dev/null
  usage_case "--capture /dev/stdout (a link of the system's)" --capture /dev/stdout
  usage_case "--summary /dev/stderr" --summary /dev/stderr
  usage_case "--report in /proc" --report /proc/self/vsorelay-report
fi
usage_case "--report a named pipe" --report "$WORK/fifo"
usage_case "--capture a link to /dev/null" --capture "$WORK/nulllink"
usage_case "--summary a link to a directory" --summary "$WORK/dirlink"
check "/dev/null is still a device" test -c /dev/null
check "/dev/stdout is still a link" test -L /dev/stdout
check "/dev/stderr is still a link" test -L /dev/stderr
usage_case "--report the manifest" --manifest "$SOURCE_DIR/samples/go-images/manifest.json" \
  --report "$SOURCE_DIR/samples/go-images/manifest.json"
usage_case "--summary the --expect-file" --expect-file "$WORK/names.txt" --summary "$WORK/names.txt"
check_eq "the --expect-file is untouched" x "$(cat "$WORK/names.txt")"
cp "$HEALTHY" "$WORK/healthy.log"
"$VSORELAY" replay --report "$WORK/healthy.log" "$WORK/healthy.log" >"$out" 2>"$err"
check_eq "replay --report onto the log it reads: exit 2" 2 $?
check "replay --report onto the log it reads: the log is untouched" cmp -s "$HEALTHY" "$WORK/healthy.log"
"$VSORELAY" replay --report "$WORK/r1" --summary "$WORK/r1" "$HEALTHY" >"$out" 2>"$err"
check_eq "replay --report and --summary the same file: exit 2" 2 $?
# distinct files are fine
"$VSORELAY" run -e x --capture "$WORK/c1" --report "$WORK/r1" --summary "$WORK/s1" -- "${cmd[@]}" >"$out" 2>"$err"
check_eq "three distinct destinations: exit 0" 0 $?

# --capture through a symbolic link: the link is replaced by a new private file, as a report's is
printf 'keep me\n' >"$WORK/target"
ln -sf "$WORK/target" "$WORK/caplink"
"$VSORELAY" run -e x --capture "$WORK/caplink" -- "${cmd[@]}" >"$out" 2>"$err"
check_eq "--capture onto a link: exit 0" 0 $?
check "--capture onto a link: the link's target is untouched" test "$(cat "$WORK/target")" = "keep me"
check "--capture onto a link: the link is now the capture" test -f "$WORK/caplink" -a ! -L "$WORK/caplink"
check_eq "--capture onto a link: mode 0600" 600 "$(stat -c %a "$WORK/caplink")"
ln -sf "$WORK/nowhere/x" "$WORK/dangling"
"$VSORELAY" run -e x --capture "$WORK/dangling" -- "${cmd[@]}" >"$out" 2>"$err"
check_eq "--capture onto a dangling link: exit 0, the link replaced" 0 $?

# ---------------------------------------------------------------------------
# nothing grows across --retries: descriptors and memory, seen by the command from outside
cat >"$WORK/lose.sh" <<'SH'
# prints vsorelay's descriptor count and resident memory, sets 2,000 variables, never the expected one
sleep 0.05 # vsorelay closes its copies of the command's pipe ends just after the start
echo "fds $(ls /proc/$PPID/fd | wc -l) rss $(awk '/^VmRSS:/ {print $2}' /proc/$PPID/status)" >&2
i=0
while [ $i -lt 2000 ]; do echo "##vso[task.setvariable variable=v$i;isoutput=true]value-$i"; i=$((i + 1)); done
echo "##vso[task.setsecret]secret-$$"
SH
"$VSORELAY" run --retries 40 -e never --capture "$WORK/retries.cap" -- sh "$WORK/lose.sh" >"$out" 2>"$err"
check_eq "--retries 40, every attempt loses: exit 3" 3 $?
grep '^fds ' "$err" >"$WORK/growth"
check_eq "--retries 40: 41 attempts measured" 41 "$(wc -l <"$WORK/growth")"
check_eq "--retries 40: the same descriptors in every attempt" 1 "$(awk '{print $2}' "$WORK/growth" | sort -u | wc -l)"
rss2=$(sed -n '2p' "$WORK/growth" | awk '{print $4}')
rss41=$(tail -n 1 "$WORK/growth" | awk '{print $4}')
# (a sanitizer's quarantine keeps freed memory: its resident size says nothing about vsorelay's)
ldd "$VSORELAY" 2>/dev/null | grep -q 'libasan\|libclang_rt.asan' ||
  check "--retries 40: memory flat from attempt 2 to 41 (${rss2} KiB, ${rss41} KiB)" test "$rss41" -le $((rss2 + 1024))

# ---------------------------------------------------------------------------
# the summary's path reaches the agent as the path of the file that exists
for name in 'back\slash' 'semi;colon' 'bracket]x' 'per%cent' 'per%AZP25cent' 'sp ace' "new
line" 'hash##vso[x]' 'uni-é'; do
  mkdir -p "$WORK/sum"
  path="$WORK/sum/$name.md"
  "$VSORELAY" run -e x --summary "$path" -- "${cmd[@]}" >"$out" 2>"$err"
  check_eq "summary '$name': exit 0" 0 $?
  grep -a '^##vso\[task.uploadsummary\]' "$out" >"$WORK/upload"
  # how the agent reads it: replay's JSON shows the command's data unescaped
  data=$("$VSORELAY" replay --format json "$WORK/upload" | node -e \
    'let s = ""; process.stdin.on("data", d => s += d).on("end", () => process.stdout.write(JSON.parse(s).data))')
  check_eq "summary '$name': the agent reads the path of the file" "$(realpath "$path")" "$data"
  check "summary '$name': that file exists" test -f "$data"
done
DECODE_PERCENTS=false "$VSORELAY" run -e x --summary "$WORK/sum/p%3Bq.md" -- "${cmd[@]}" >"$out" 2>"$err"
check_eq "summary with %3B, DECODE_PERCENTS off: exit 0" 0 $?
check_eq "summary with %3B, DECODE_PERCENTS off: not announced (the agent would read ';')" 0 \
  "$(grep -c 'task.uploadsummary' "$out")"
check_grep "summary with %3B, DECODE_PERCENTS off: says why" "not shown on the run's page" "$err"

# ---------------------------------------------------------------------------
# an option where it does not apply is named by its name, not its value
for c in "replay --capture myvalue:--capture" "replay --retries 7:--retries" "replay --drain-timeout 5s:--drain-timeout" \
  "expect --report myvalue:--report" "expect -e myvalue:-e" "expect --stream:--stream" "replay --capture=myvalue:--capture"; do
  IFS=: read -r args name <<<"$c"
  # shellcheck disable=SC2086 # args is a list of words
  "$VSORELAY" $args --manifest "$SOURCE_DIR/samples/go-images/manifest.json" "$HEALTHY" >"$out" 2>"$err"
  check_eq "'$args': exit 2" 2 $?
  check_grep "'$args': names $name" "option '$name' does not apply" "$err"
  check_no_grep "'$args': not by its value" "myvalue' does not" "$err"
done

# ---------------------------------------------------------------------------
# --stream: the variables that arrived went through live; it does not say none was set
"$VSORELAY" run --stream -e a,b -- sh -c 'echo "'"$SV"'=a;isoutput=true]1"' >"$out" 2>"$err"
check_eq "--stream, one of two set: exit 3" 3 $?
check_grep "--stream: the live command went through" "$SV=a;isoutput=true]1" "$out"
check_no_grep "--stream: does not say none was set" "none was set" "$out"

# ---------------------------------------------------------------------------
# a NUL byte in a command name does not cut a report key
printf '##vso[task.a\0b]x\n##vso[z\0z.y]x\n' >"$WORK/nul.log"
"$VSORELAY" replay --report "$WORK/r.json" "$WORK/nul.log" >"$out" 2>"$err"
check_eq "NUL in a command name: the report's keys are whole" '["task.a\u0000b","z\u0000z.y"]' \
  "$(report_field "$WORK/r.json" 'Object.keys(r.commands)')"
check_grep "NUL in a command name: the listing shows it" 'task.a\x00b' "$out"

finish
