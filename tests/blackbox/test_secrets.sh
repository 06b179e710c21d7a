#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sentinel secrets: values of issecret=true variables and of task.setsecret
# never appear in clear in anything vsorelay itself prints or writes (the
# neutralised live copy, diagnostics, --report, --summary, --capture, replay
# output).  Only the re-emitted commands carry them, as the agent needs them.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
S1=sentinel-one-7f3a S2=sentinel-two-9c1b S3=sentinel-three-2e8d

cat >"$WORK/child.sh" <<SH
echo "##vso[task.setsecret]$S1"
echo "##vso[task.setvariable variable=token;issecret=true;isoutput=true]$S2"
echo "##vso[task.setvariable variable=url;isoutput=true]https://user:$S1@example.invalid/x"
echo "##vso[task.setvariable variable=multi;issecret=true]$S3%0Aline2"
echo "##vso[task.setvariable variable=token;isoutput=true]$S3-again"
echo "##vso[task.logissue type=warning]uses $S2"
SH

# the default log (short live copies) and the --verbose one (whole lines,
# neutralised and masked) are scanned alike
for mode in default --verbose; do
  flags=()
  [ "$mode" = default ] || flags=("$mode")
  "$VSORELAY" run "${flags[@]}" -e token,url,multi,absent --report "$WORK/r.json" --summary "$WORK/s.md" \
    --capture "$WORK/cap" -- sh "$WORK/child.sh" >"$out" 2>"$err"
  check_eq "run $mode: exit 3 (multi is rejected, absent missing)" 3 $?
  # Nothing is re-emitted on failure.  The child's own setsecret and logissue
  # commands pass through unchanged (the agent must register and mask them),
  # and for each secret variable vsorelay tells the agent at once with a
  # task.setsecret of its data (the variable itself is held to the end): those
  # commands are for the agent, which never shows them, so they are left out
  # of the scan.
  grep -v -e '^##vso\[task.setsecret\]' -e '^##vso\[task.logissue type=warning\]' "$out" >"$WORK/own"
  check_eq "$mode: the child's two pass-through commands are there" 2 "$(grep -c -e "^##vso\[task.setsecret\]$S1\$" -e '^##vso\[task.logissue type=warning\]' "$out")"
  check_grep "$mode: a secret variable is registered at once" "##vso[task.setsecret]$S2" "$out"
  check_grep "$mode: once secret, always secret: the new value is registered too" "##vso[task.setsecret]$S3-again" "$out"
  check_no_grep "$mode: a multi-line secret is not registered (the agent fails the step on it)" "##vso[task.setsecret]$S3%0A" "$out"
  for s in $S1 $S2 $S3; do
    for f in "$WORK/own" "$err" "$WORK/r.json" "$WORK/s.md" "$WORK/cap"; do
      check_no_grep "run $mode: $s not in $(basename "$f")" "$s" "$f"
    done
  done
done
check_grep "the live copy masks the setsecret value inside another value" "user:***@example" "$WORK/own"
check_grep "a secret variable's value is ***" "**vso[task.setvariable variable=token;issecret=true;isoutput=true]***" "$out"
check_grep "once secret, always secret: a later plain set is masked too" "variable=token;isoutput=true]***" "$out"
"$VSORELAY" run -e token -- sh "$WORK/child.sh" >"$out" 2>"$err"
check_grep "default: a secret's short copy has no length" \
  "**vso[task.setvariable variable=token;issecret=true;isoutput=true] (held until the command ends)" "$out"
check_grep "default: once secret, always secret: a later plain set has no length either" \
  "**vso[task.setvariable variable=token;isoutput=true] (held until the command ends)" "$out"
check_grep "default: a plain value's short copy has its length" \
  "**vso[task.setvariable variable=url;isoutput=true] (held until the command ends: " "$out"

# replay of the capture and of the raw log: same rule
"$VSORELAY" replay -e token --report "$WORK/r2.json" --summary "$WORK/s2.md" "$WORK/cap" >"$out" 2>"$err"
check_eq "replay of the capture: token met (its last set is not secret-rejected)" 0 $?
check "replay of the capture: the report is written (and scanned below)" test -s "$WORK/r2.json"
sh "$WORK/child.sh" >"$WORK/child.log"
"$VSORELAY" replay --format json "$WORK/child.log" >"$WORK/j" 2>>"$err"
"$VSORELAY" replay "$WORK/child.log" >>"$out" 2>>"$err"
for s in $S1 $S2 $S3; do
  for f in "$out" "$err" "$WORK/r2.json" "$WORK/s2.md" "$WORK/j"; do
    check_no_grep "replay: $s not in $(basename "$f")" "$s" "$f"
  done
done

# on success, the secrets reach the agent only inside commands: the early
# task.setsecret and the re-emitted variable
"$VSORELAY" run -e token -- sh -c "echo '##vso[task.setvariable variable=token;issecret=true;isoutput=true]$S2'" >"$out" 2>"$err"
check_eq "success: exit 0" 0 $?
check_eq "success: the value only in the two commands" 2 "$(grep -c "$S2" "$out")"
check_grep "success: re-emitted raw" "##vso[task.setvariable variable=token;issecret=true;isoutput=true]$S2" "$out"

# The agent masks a secret from the moment it reads the setvariable.  vsorelay
# holds that command to the end, so the setsecret must come before anything
# printed after the command, on either stream, or the agent would show it.
"$VSORELAY" run -e token -- sh -c "printf 'Password: '; echo '##vso[task.setvariable variable=token;issecret=true;isoutput=true]a%3B$S2'; echo 'later: a;$S2'; echo 'on stderr: a;$S2' >&2" >"$out" 2>"$err"
check_eq "early registration: exit 0" 0 $?
check_eq "early registration: setsecret comes right after the held command, before what follows, with the escaped form's" \
  "##vso[task.setsecret]a%3B$S2|##vso[task.setsecret]a%AZP253B$S2|later: a;$S2" \
  "$(grep -A3 -F '**vso[task.setvariable' "$out" | tail -n 3 | paste -sd'|')"
check_grep "early registration: the partial line before it is kept" "Password: **vso[task.setvariable" "$out"
# a secret cut in two by the reads is masked in the capture as a whole
cat >"$WORK/split.sh" <<SH
echo "##vso[task.setvariable variable=token;issecret=true;isoutput=true]$S2"
printf 'split: %s' "$(printf %s "$S2" | cut -c1-8)"
sleep 0.3
printf '%s end\n' "$(printf %s "$S2" | cut -c9-)"
printf 'tail: %s' "$(printf %s "$S2" | cut -c1-5)"
SH
"$VSORELAY" run -e token --capture "$WORK/cap2" -- sh "$WORK/split.sh" >"$out" 2>"$err"
check_eq "split secret: exit 0" 0 $?
check_no_grep "split secret: not in the capture" "$S2" "$WORK/cap2"
# the stdout records of the capture, joined
node -e '
  const b = require("fs").readFileSync(process.argv[1]); let i = b.indexOf(10) + 1, out = [];
  while (i < b.length) {
    const nl = b.indexOf(10, i), h = b.toString("latin1", i, nl).split(" ");
    i = nl + 1;
    if (h[0] === "@stdout") out.push(b.subarray(i, i + Number(h[1])));
    if (h[0] === "@stdout" || h[0] === "@stderr") i += Number(h[1]);
  }
  process.stdout.write(Buffer.concat(out));' "$WORK/cap2" >"$WORK/cap2.stdout"
check_no_grep "split secret: not in the capture's stdout, records joined" "$S2" "$WORK/cap2.stdout"
check_grep "split secret: masked in the capture" "split: *** end" "$WORK/cap2.stdout"
check_grep "split secret: a possible beginning at the end is written at the end" "tail: $(printf %s "$S2" | cut -c1-5)" "$WORK/cap2.stdout"
"$VSORELAY" replay -e token "$WORK/cap2" >"$out" 2>"$err"
check_eq "split secret: the capture replays to the same verdict" 0 $?
# Memory runs out when the masker makes its patterns (its 128 KiB filters
# fail to allocate): registering a secret only keeps its value, so the first
# masking is where it shows.  Whatever could not be masked is left out, and
# the run or replay fails (exit 125) and says why: never "passed" with text
# missing, never the secret in clear.
if ldd "$VSORELAY" 2>/dev/null | grep -q 'libasan\|libclang_rt.asan'; then
  echo "test_secrets: allocation failures skipped (a sanitizer build: LD_PRELOAD does not apply)"
else
  printf '%s\n' "##vso[task.setsecret]$S1" "##vso[task.setvariable variable=token;issecret=true;isoutput=true]$S2" \
    "##vso[task.setvariable variable=$S1;isoutput=true]x" "##vso[task.logissue type=warning]uses $S1" \
    "##vso[$S1.x]y" >"$WORK/oom.log"
  nomem() { LD_PRELOAD="$HELPERS/failalloc.so" VSO_FAIL_ALLOC_MIN=131072 "$VSORELAY" "$@" >"$out" 2>"$err"; }
  nomem replay -e token "$WORK/oom.log"
  check_eq "no memory for the patterns: replay fails" 125 $?
  check_grep "no memory for the patterns: replay says so" "out of memory" "$err"
  check_no_grep "no memory for the patterns: replay is no success" "verdict: passed" "$out"
  # the first masking is the listing's, after the verdict
  printf '%s\n' "##vso[task.setsecret]$S1" "##vso[task.setvariable variable=token-$S1-name;isoutput=true]x" \
    "##vso[task.setvariable variable=token;isoutput=true]x" >"$WORK/oom-listing.log"
  nomem replay -e token "$WORK/oom-listing.log"
  check_eq "no memory for the patterns, first needed by the listing: replay fails" 125 $?
  check_grep "no memory for the patterns, first needed by the listing: replay says so" "out of memory" "$err"
  check_no_grep "no memory for the patterns, first needed by the listing: $S1 not shown" "$S1" "$out"
  nomem replay --format json "$WORK/oom.log"
  check_eq "no memory for the patterns: replay --format json fails" 125 $?
  check_grep "no memory for the patterns: replay --format json says so" "out of memory" "$err"
  nomem run -e token -- cat "$WORK/oom.log"
  check_eq "no memory for the patterns: run fails" 125 $?
  check_grep "no memory for the patterns: run says so" "out of memory" "$err"
  grep -v '^##vso\[task.setsecret\]' "$out" >"$WORK/own" # the agent's registration of it
  for f in "$WORK/own" "$err"; do
    check_no_grep "no memory for the patterns: run: $S2 not in $(basename "$f")" "$S2" "$f"
  done
  grep -v setsecret "$WORK/oom.log" | sed "s/$S1/plain/g; s/issecret=true;//" >"$WORK/nosecret.log"
  nomem replay -e token "$WORK/nosecret.log"
  check_eq "the same limit with no secret: replay passes" 0 $?
fi
finish
