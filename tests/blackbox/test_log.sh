#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The exact log a person reads (issue 12, docs/reference.md "The log"): both
# streams of vsorelay, byte for byte, for the broken go-images log with
# --manifest, the healthy log, retries that recover, a crashing command and
# a command exiting 1, each outside the agent and under it (TF_BUILD=True,
# where a task.logissue is not repeated on stderr: each unmet variable
# appears once in the step's log).
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
GO=$SOURCE_DIR/samples/go-images/manifest.json
P='07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] '

# run_log AGENT ARGS...: runs vsorelay outside the agent (AGENT=no: no
# TF_BUILD) or under it (yes: TF_BUILD=True), nothing else of the agent's set.
run_log() {
  local agent=$1
  shift
  if [ "$agent" = yes ]; then
    env -u SYSTEM_DEBUG -u VSORELAY_VERBOSE TF_BUILD=True "$VSORELAY" "$@" >"$out" 2>"$err"
  else
    env -u SYSTEM_DEBUG -u VSORELAY_VERBOSE -u TF_BUILD "$VSORELAY" "$@" >"$out" 2>"$err"
  fi
}

# same DESCRIPTION EXPECTED-FILE ACTUAL-FILE: byte for byte, with a diff when not.
same() {
  if cmp -s "$2" "$3"; then pass; else fail "$1"; diff "$2" "$3" | head -n 20 >&2; fi
}

# ---- 1. the broken log of the incident, with --manifest --------------------
lost_tail='The command succeeded (exit 0) but its output lost this line: the lost-tail failure of dotnet/docker-tools #2125. Rerun with --retries (e.g. --retries 2), or use an ImageBuilder that writes its variables directly.'
cat >"$WORK/broken.errors" <<EOF
expected output variable missing (never set): linuxAmd64: src/microsoft/1.25/azurelinux3.0, src/microsoft/1.25/bookworm, … (amd64). $lost_tail
expected output variable missing (never set): windowsLtsc2025Amd64: src/microsoft/1.25/windows/nanoserver-ltsc2025, … (amd64). $lost_tail
expected output variable missing (never set): windowsLtsc2022Amd64: src/microsoft/1.25/windows/nanoserver-ltsc2022, … (amd64). $lost_tail
EOF
{
  head -n 197 "$BROKEN"
  echo "$P**vso[task.setvariable variable=linuxArm32;isoutput=true] (held until the command ends: 909 bytes, 4 legs)"
  echo "$P**vso[task.setvariable variable=linuxArm64;isoutput=true] (held until the command ends: 1,415 bytes, 6 legs)"
  sed 's/^/##vso[task.logissue type=error]vsorelay: /' "$WORK/broken.errors"
  echo '##vso[task.complete result=Failed;]vsorelay: 3 of 5 expected output variables missing or unusable'
} >"$WORK/broken.stdout"
sed 's/^/vsorelay: /' "$WORK/broken.errors" >"$WORK/broken.stderr"
for agent in no yes; do
  run_log $agent run --manifest "$GO" -- cat "$BROKEN"
  check_eq "broken, TF_BUILD $agent: exit 3" 3 $?
  same "broken, TF_BUILD $agent: stdout is exactly the log, the short copies, one error per lost variable, the count" \
    "$WORK/broken.stdout" "$out"
  if [ $agent = no ]; then
    same "broken, outside the agent: stderr holds each error once" "$WORK/broken.stderr" "$err"
  else
    check_eq "broken, under the agent: nothing on stderr (the logissue is the error)" "" "$(cat "$err")"
  fi
  # what vsorelay itself wrote (both streams, the child's own lines left out)
  { tail -n +198 "$out"; cat "$err"; } >"$WORK/own"
  for name in linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64; do
    want=$([ $agent = yes ] && echo 1 || echo 2)
    check_eq "broken, TF_BUILD $agent: $name in $want line(s) of vsorelay's own" "$want" "$(grep -c "$name" "$WORK/own")"
  done
done
# under the agent, the whole step's log (both streams) names each lost variable
# once more than the child did (its announcement names each once)
for name in linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64; do
  child=$(grep -c "$name" "$BROKEN")
  check_eq "broken, under the agent: $name once in vsorelay's words" $((child + 1)) "$(cat "$out" "$err" | grep -c "$name")"
done

# ---- 2. the healthy log -------------------------------------------------------
{
  head -n 197 "$HEALTHY"
  echo "$P**vso[task.setvariable variable=linuxArm32;isoutput=true] (held until the command ends: 909 bytes, 4 legs)"
  echo "$P**vso[task.setvariable variable=linuxArm64;isoutput=true] (held until the command ends: 1,415 bytes, 6 legs)"
  echo "$P**vso[task.setvariable variable=linuxAmd64;isoutput=true] (held until the command ends: 1,415 bytes, 6 legs)"
  echo "$P**vso[task.setvariable variable=windowsLtsc2025Amd64;isoutput=true] (held until the command ends: 843 bytes, 2 legs)"
  echo "$P**vso[task.setvariable variable=windowsLtsc2022Amd64;isoutput=true] (held until the command ends: 843 bytes, 2 legs)"
  grep -o '##vso\[task.setvariable.*' "$HEALTHY"
} >"$WORK/healthy.stdout"
verified='vsorelay: 5 of 5 expected output variables verified (linuxArm32, linuxArm64, linuxAmd64, windowsLtsc2025Amd64, windowsLtsc2022Amd64)'
for agent in no yes; do
  run_log $agent run --manifest "$GO" -- cat "$HEALTHY"
  check_eq "healthy, TF_BUILD $agent: exit 0" 0 $?
  same "healthy, TF_BUILD $agent: stdout is the log with short copies, then the five commands" "$WORK/healthy.stdout" "$out"
  check_eq "healthy, TF_BUILD $agent: stderr is the verified line, nothing else" "$verified" "$(cat "$err")"
done
check "healthy: about 6 KB of JSON less than the log itself" \
  test "$(($(wc -c <"$HEALTHY") - $(head -n 202 "$out" | wc -c)))" -gt 5000
run_log no run -- true
check_eq "nothing expected: says so" "vsorelay: no expected output variables to verify (none given, no generator announcement seen)" "$(cat "$err")"

# ---- 3. retries that recover ------------------------------------------------------
cat >"$WORK/flaky.sh" <<'SH'
n=$(cat "$1" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$1"
echo "attempt $n"
echo "##vso[task.setvariable variable=a;isoutput=true]{\"x\":{\"k\":\"v\"}}"
[ "$n" -ge 3 ] && echo "##vso[task.setvariable variable=b;isoutput=true]2"
exit 0
SH
warning='attempt %d of 4 lost 1 of 2 expected output variables (b): the command succeeded (exit 0) but its output lost them (the lost-tail failure of dotnet/docker-tools #2125). Running the command again.'
{
  for n in 1 2; do
    echo "##[group]vsorelay: attempt $n of 4"
    echo "attempt $n"
    echo '**vso[task.setvariable variable=a;isoutput=true] (held until the command ends: 15 bytes, 1 leg)'
    echo '##[endgroup]'
    printf "##vso[task.logissue type=warning]vsorelay: $warning\n" $n
  done
  echo '##[group]vsorelay: attempt 3 of 4'
  echo 'attempt 3'
  echo '**vso[task.setvariable variable=a;isoutput=true] (held until the command ends: 15 bytes, 1 leg)'
  echo '**vso[task.setvariable variable=b;isoutput=true] (held until the command ends: 1 byte)'
  echo '##[endgroup]'
  echo '##vso[task.setvariable variable=a;isoutput=true]{"x":{"k":"v"}}'
  echo '##vso[task.setvariable variable=b;isoutput=true]2'
  echo '##vso[task.complete result=SucceededWithIssues;]vsorelay: passed on attempt 3, after 2 attempts that lost expected output variables'
} >"$WORK/retries.stdout"
{ printf "vsorelay: $warning\n" 1 2; echo 'vsorelay: 2 of 2 expected output variables verified (a, b)'; } >"$WORK/retries.stderr"
for agent in no yes; do
  rm -f "$WORK/count"
  run_log $agent run -e a,b --retries 3 -- sh "$WORK/flaky.sh" "$WORK/count"
  check_eq "retries, TF_BUILD $agent: exit 0 on attempt 3" "0 3" "$? $(cat "$WORK/count")"
  same "retries, TF_BUILD $agent: each attempt folded, a warning per lost one, then the commands and SucceededWithIssues" \
    "$WORK/retries.stdout" "$out"
  if [ $agent = no ]; then
    same "retries, outside the agent: stderr has the warnings and the verified line" "$WORK/retries.stderr" "$err"
  else
    check_eq "retries, under the agent: stderr is the verified line" \
      'vsorelay: 2 of 2 expected output variables verified (a, b)' "$(cat "$err")"
  fi
done

# ---- 4. a crashing command, 5. a command exiting 1 --------------------------------------
child='echo "##vso[task.setvariable variable=a;isoutput=true]1"; echo "##vso[task.setvariable variable=c;isoutput=true]3"'
for c in "kill -SEGV \$\$:139:the command was killed by signal 11 (SIGSEGV)" \
  "exit 1:1:the command exited with status 1"; do
  IFS=: read -r end code said <<<"$c"
  error="$said, so nothing was re-emitted: the variables of a command that did not succeed are not passed on. Of the 3 expected output variables, 2 had arrived (a, c) and 1 had not (b)."
  printf '%s\n' '**vso[task.setvariable variable=a;isoutput=true] (held until the command ends: 1 byte)' \
    '**vso[task.setvariable variable=c;isoutput=true] (held until the command ends: 1 byte)' \
    "##vso[task.logissue type=error]vsorelay: $error" >"$WORK/failed.stdout"
  for agent in no yes; do
    run_log $agent run -e a,b,c -- sh -c "$child; $end"
    check_eq "$end, TF_BUILD $agent: the command's status" "$code" $?
    same "$end, TF_BUILD $agent: stdout is the short copies and one error" "$WORK/failed.stdout" "$out"
    if [ $agent = no ]; then
      check_eq "$end, outside the agent: stderr holds the error" "vsorelay: $error" "$(cat "$err")"
    else
      check_eq "$end, under the agent: nothing on stderr" "" "$(cat "$err")"
    fi
  done
done
# nothing expected, nothing held: the agent's own "exited with code" says it all
run_log yes run -- sh -c 'echo plain; exit 1'
check_eq "exit 1, nothing expected or held: exit 1" 1 $?
check_eq "exit 1, nothing expected or held: only the command's output" "plain" "$(cat "$out" "$err")"
run_log no run -- sh -c "$child; exit 4"
check_eq "exit 4, nothing expected but two held: says so" \
  "vsorelay: the command exited with status 4, so nothing was re-emitted: the variables of a command that did not succeed are not passed on. No expected output variables were given, and 2 task.setvariable commands were held back." \
  "$(cat "$err")"

# ---- the summary leads with the same facts, with the names the agent gives ----------------------
S=$WORK/summary.md
env TF_BUILD=True SYSTEM_STAGENAME=Build SYSTEM_JOBNAME=GenerateMatrix SYSTEM_JOBDISPLAYNAME='Generate Matrix' \
  SYSTEM_TASKINSTANCENAME=matrix SYSTEM_TASKDISPLAYNAME='Generate platformDependencyGraph Matrix' \
  "$VSORELAY" run --manifest "$GO" --summary "$S" -- cat "$BROKEN" >"$out" 2>"$err"
check_eq "summary: exit 3" 3 $?
check_eq "summary: the title, then where, then what happened" \
  "# ❌ vsorelay: 3 of 5 expected output variables missing or unusable|Step \`matrix\` (Generate platformDependencyGraph Matrix) of job \`GenerateMatrix\` (Generate Matrix), stage \`Build\`.|## What happened" \
  "$(grep -e '^# ' -e '^Step ' -e '^## What happened' "$S" | paste -sd'|')"
check_eq "summary: what happened comes before the tables" "## What happened|## What to do next|## Expected output variables|## The generator's announcement|## Command" \
  "$(grep '^## ' "$S" | paste -sd'|')"
check_grep "summary: the log's first error, as a sentence" \
  "- Expected output variable missing (never set): linuxAmd64: src/microsoft/1.25/azurelinux3.0, src/microsoft/1.25/bookworm, … (amd64). The command succeeded (exit 0) but its output lost this line: the lost-tail failure of dotnet/docker-tools \#2125." "$S"
check_grep "summary: the consumers' reference, with the real job and step" \
  "\`dependencies.GenerateMatrix.outputs['matrix.linuxAmd64']\`" "$S"
check_grep "summary: and from a later stage" "\`stageDependencies.Build.GenerateMatrix.outputs['matrix.windowsLtsc2022Amd64']\`" "$S"
check_grep "summary: every Dockerfile it stood for" \
  "It stands for src/microsoft/1.25/azurelinux3.0, src/microsoft/1.25/bookworm, src/microsoft/1.25/bullseye, src/microsoft/1.26/azurelinux3.0, src/microsoft/1.26/bookworm, src/microsoft/1.26/bullseye (amd64)." "$S"
env -u SYSTEM_JOBNAME -u SYSTEM_TASKINSTANCENAME -u SYSTEM_STAGENAME "$VSORELAY" run --manifest "$GO" --summary "$S" \
  -- cat "$BROKEN" >"$out" 2>"$err"
check_grep "summary outside the agent: placeholders" "\`dependencies.<job>.outputs['<step>.linuxAmd64']\`" "$S"
check_no_grep "summary outside the agent: no place" "Step \`" "$S"
check_no_grep "summary outside the agent: no stage reference" "stageDependencies" "$S"
"$VSORELAY" run --manifest "$GO" --summary "$S" -- cat "$HEALTHY" >"$out" 2>"$err"
check_grep "summary of a healthy run: the verified line" \
  "- 5 of 5 expected output variables verified (linuxArm32, linuxArm64, linuxAmd64, windowsLtsc2025Amd64, windowsLtsc2022Amd64)" "$S"
"$VSORELAY" run -e a,b,c --summary "$S" -- sh -c "$child; exit 1" >"$out" 2>"$err"
check_grep "summary of a failed command: why nothing was re-emitted" \
  "- The command exited with status 1, so nothing was re-emitted" "$S"

# ---- the live copy --------------------------------------------------------------------------
run_log yes run -e s,t -- sh -c 'echo "##vso[task.setvariable variable=s;issecret=true;isoutput=true]a-secret-value"; echo "##vso[task.setvariable variable=t;isoutput=true]{}"'
check_eq "a secret's copy shows neither length nor legs; an empty matrix is bytes only" \
  "**vso[task.setvariable variable=s;issecret=true;isoutput=true] (held until the command ends)|##vso[task.setsecret]a-secret-value|**vso[task.setvariable variable=t;isoutput=true] (held until the command ends: 2 bytes)" \
  "$(head -n 3 "$out" | paste -sd'|')"
for debug in true True ' TRUE '; do
  SYSTEM_DEBUG=$debug "$VSORELAY" run -e t -- sh -c 'echo "##vso[task.setvariable variable=t;isoutput=true]{}"' >"$out" 2>"$err"
  check_eq "SYSTEM_DEBUG='$debug' (the agent's Boolean.TryParse): the whole line" \
    "**vso[task.setvariable variable=t;isoutput=true]{}" "$(head -n 1 "$out")"
done
for debug in 1 yes false; do
  SYSTEM_DEBUG=$debug "$VSORELAY" run -e t -- sh -c 'echo "##vso[task.setvariable variable=t;isoutput=true]{}"' >"$out" 2>"$err"
  check_eq "SYSTEM_DEBUG='$debug' is not the agent's true: the short copy" \
    "**vso[task.setvariable variable=t;isoutput=true] (held until the command ends: 2 bytes)" "$(head -n 1 "$out")"
done
"$VSORELAY" run -e t --capture "$WORK/cap" -- sh -c 'echo "##vso[task.setvariable variable=t;isoutput=true]{\"l\":{\"k\":\"v\"}}"' >"$out" 2>"$err"
check_grep "the capture keeps every byte of the held command" '##vso[task.setvariable variable=t;isoutput=true]{"l":{"k":"v"}}' "$WORK/cap"

# ---- the live copy counts a held matrix's legs without keeping them: memory is the held
# lines and little more, however many matrices nobody expects go by ----
if command -v /usr/bin/time >/dev/null && ! ldd "$VSORELAY" 2>/dev/null | grep -q 'libasan\|libclang_rt.asan'; then
  awk 'BEGIN { leg = "\"leg%d\": {\"imageBuilderPaths\": \"--path src/a/%d\", \"legName\": \"l%d\", \"osType\": \"linux\", \"architecture\": \"amd64\", \"osVersions\": \"--os-version x\"}"
    for (i = 0; i < 20000; i++) { v = ""; for (k = 0; k < 8; k++) v = v (k ? ", " : "") sprintf(leg, k, i, k)
      printf "##vso[task.setvariable variable=m%d;isoutput=true]{%s}\n", i, v } }' >"$WORK/many-matrices.log"
  held_kib=$(( $(wc -c <"$WORK/many-matrices.log") / 1024 ))
  /usr/bin/time -o "$WORK/rss" -f '%M' "$VSORELAY" run -- cat "$WORK/many-matrices.log" >"$out" 2>"$err"
  check_eq "20,000 held matrices: exit 0" 0 $?
  check_grep "  the live copy still counts the legs" "(held until the command ends: 1,136 bytes, 8 legs)" "$out"
  rss=$(tail -n 1 "$WORK/rss")
  check "  peak RSS ($rss KiB) under the held lines ($held_kib KiB) + 16 MiB" test "$rss" -lt $((held_kib + 16384))
  rm -f "$WORK/many-matrices.log"
fi
finish
