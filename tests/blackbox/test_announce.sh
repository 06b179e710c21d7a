#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The generator's announcement: with no expectation given, ImageBuilder's own
# listing of its matrices protects the step (run and replay); it is read on
# either stream, with or without the logger's timestamp, before or after the
# ##vso lines; each announced matrix must hold exactly the announced legs;
# what is kept is bounded; --no-announced turns it off; a run that passes
# ends with the verified line.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
POST2125=$SOURCE_DIR/samples/go-images/generate-build-matrix.healthy.post2125.log
CAT='Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0]'
GO_LIST="linuxArm32, linuxArm64, linuxAmd64, windowsLtsc2025Amd64, windowsLtsc2022Amd64"

missing_names() { grep -o "^vsorelay: expected output variable missing (never set): [A-Za-z0-9]*" "$1" | sed 's/.*: //' | paste -sd' '; }

# ---- the Done-when cases: no expectation given ----
"$VSORELAY" run -- cat "$BROKEN" >"$out" 2>"$err"
check_eq "run, broken log, no option: exit 3" 3 $?
check_eq "run, broken log: names the three lost matrices" "linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64" "$(missing_names "$err")"
check_no_grep "run, broken log: nothing re-emitted" "##vso[task.setvariable" "$out"
check_grep "run, broken log: the step is failed" "##vso[task.complete result=Failed;]" "$out"
"$VSORELAY" replay "$BROKEN" >"$out" 2>"$err"
check_eq "replay, broken log, no option: exit 3" 3 $?
check_eq "replay, broken log: lists the three lost matrices" "linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64" \
  "$(grep -o '^  missing  [A-Za-z0-9]*' "$out" | awk '{print $2}' | paste -sd' ')"
for log in "$HEALTHY" "$POST2125"; do
  for mode in run replay; do
    if [ $mode = run ]; then "$VSORELAY" run -- cat "$log" >"$out" 2>"$err"; else "$VSORELAY" replay "$log" >"$out" 2>"$err"; fi
    status=$?
    check_eq "$mode $(basename "$log"), no option: exit 0" 0 $status
    check_eq "$mode $(basename "$log"): the verified line, and nothing else of vsorelay's on stderr" \
      "vsorelay: 5 of 5 expected output variables verified ($GO_LIST)" "$(grep '^vsorelay:' "$err")"
  done
done
"$VSORELAY" run -- cat "$HEALTHY" >"$out" 2>"$err"
check_eq "run healthy: the five matrices re-emitted" 5 "$(grep -c '^##vso\[task.setvariable' "$out")"

# ---- the listing anywhere: stderr, no timestamp, after the ##vso lines, CRLF ----
listing() { grep -F "$CAT" "$HEALTHY" | grep -vF '##vso[' | sed 's/^[0-9:]* //'; }
vso() { grep -o '##vso\[.*' "$HEALTHY"; }
{ vso | head -n 2; listing >&2; } 2>"$WORK/listing.err" >"$WORK/vso.out"
"$VSORELAY" run -- sh -c "cat '$WORK/vso.out'; cat '$WORK/listing.err' >&2" >"$out" 2>"$err"
check_eq "listing on stderr, no timestamp, after the ##vso lines: exit 3" 3 $?
check_eq "it names the three that never came" "linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64" "$(missing_names "$err")"
{ vso; listing; } | sed 's/$/\r/' >"$WORK/crlf.log"
"$VSORELAY" replay "$WORK/crlf.log" >"$out" 2>"$err"
check_eq "CRLF, the listing after the commands: exit 0" 0 $?

# ---- a matrix whose value lacks one announced leg fails, naming the leg ----
sed 's/, "src-microsoft-1.26-bullseye": { "imageBuilderPaths": "--path src\/microsoft\/1.26\/bullseye", "legName": "linuxamd64src-microsoft-1.26-bullseye"[^}]*}//' \
  "$HEALTHY" >"$WORK/lost-leg.log"
check "the test log lost one leg of linuxAmd64" test "$(grep -c 'linuxamd64src-microsoft-1.26-bullseye' "$WORK/lost-leg.log")" -eq 1
"$VSORELAY" run -- cat "$WORK/lost-leg.log" >"$out" 2>"$err"
check_eq "a lost leg: exit 3" 3 $?
check_grep "a lost leg: named, with the variable" \
  "expected output variable invalid: linuxAmd64: " "$err"
check_grep "a lost leg: then the leg" \
  ". Not the legs the generator announced: leg 'src-microsoft-1.26-bullseye' is missing." "$err"
check_grep "a lost leg: the logissue names it too" "leg 'src-microsoft-1.26-bullseye' is missing" "$out"
check_no_grep "a lost leg: nothing re-emitted" "##vso[task.setvariable" "$out"
# a leg that was never announced
sed 's/"src-microsoft-1.25-bookworm": { "imageBuilderPaths": "--path src\/microsoft\/1.25\/bookworm", "legName": "linuxarm32/"src-extra": { "a": "b" }, &/' \
  "$HEALTHY" >"$WORK/extra-leg.log"
"$VSORELAY" replay "$WORK/extra-leg.log" >"$out" 2>"$err"
check_eq "a leg never announced: exit 3" 3 $?
check_grep "a leg never announced: named" "leg 'src-extra' was never announced" "$out"

# ---- --no-announced, and explicit expectations alongside ----
"$VSORELAY" run --no-announced -- cat "$BROKEN" >"$out" 2>"$err"
check_eq "--no-announced, broken log, nothing else: exit 0" 0 $?
check_grep "--no-announced: says there was nothing to verify" \
  "vsorelay: no expected output variables to verify (none given, --no-announced)" "$err"
check_eq "--no-announced: the two that came are re-emitted" 2 "$(grep -c '^##vso\[task.setvariable' "$out")"
"$VSORELAY" run -e linuxArm32 -- cat "$BROKEN" >"$out" 2>"$err"
check_eq "--expect linuxArm32 and the announcement: exit 3" 3 $?
"$VSORELAY" run --no-announced -e linuxArm32 -- cat "$BROKEN" >"$out" 2>"$err"
check_eq "--expect linuxArm32 --no-announced: exit 0" 0 $?
check_eq "the verified line names it" "vsorelay: 1 of 1 expected output variable verified (linuxArm32)" "$(tail -n 1 "$err")"
"$VSORELAY" run -- sh -c 'echo hello' >"$out" 2>"$err"
check_eq "a plain command: exit 0" 0 $?
check_eq "a plain command: nothing to verify, and why" \
  "vsorelay: no expected output variables to verify (none given, no generator announcement seen)" "$(cat "$err")"

# ---- the race reproducer: the announcement alone catches the lost tail ----
if [ -n "$SAMPLES" ] && [ -x "$SAMPLES/race-generator" ]; then
  "$VSORELAY" run -- "$SAMPLES/race-generator" --lose-from linuxAmd64 >"$out" 2>"$err"
  check_eq "race-generator, tail lost, no option: exit 3" 3 $?
  check_eq "race-generator: exactly the lost names" "linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64" "$(missing_names "$err")"
  "$VSORELAY" run --retries 30 -- "$SAMPLES/race-generator" --loss-chance 0.5 >"$out" 2>"$err"
  check_eq "race-generator --retries, no other option: recovers" 0 $?
  check_eq "race-generator --retries: the five matrices of the last attempt re-emitted" 5 "$(grep -c '^##vso\[task.setvariable' "$out")"
  check_eq "race-generator --retries: the verified line names them" \
    "vsorelay: 5 of 5 expected output variables verified ($GO_LIST)" "$(tail -n 1 "$err")"
fi

# ---- a report and a summary show announced against arrived ----
"$VSORELAY" replay --report "$WORK/r.json" --summary "$WORK/s.md" "$WORK/lost-leg.log" >"$out" 2>"$err"
check "report: schema" node "$SOURCE_DIR/tests/blackbox/check-report.js" "$WORK/r.json" replay
check_eq "report: linuxAmd64 arrived, one leg missing" '[true,["src-microsoft-1.26-bullseye"],[]]' \
  "$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));const m=r.announcement.matrices.find(m=>m.name==="linuxAmd64");console.log(JSON.stringify([m.arrived,m.missingLegs,m.unexpectedLegs]))' "$WORK/r.json")"
check_grep "summary: the announcement's table" "| linuxAmd64 | 6 | ❌ unusable |" "$WORK/s.md"

# ---- a child that prints a million fake listings: memory stays bounded ----
if command -v /usr/bin/time >/dev/null; then
  awk -v cat="$CAT" 'BEGIN { for (i = 0; i < 1000000; i++) { print cat " GENERATING BUILD MATRIX"; print cat "   m" (i % 7) ":"; print cat "     leg:" } }' >"$WORK/fake.log"
  /usr/bin/time -f '%M' -o "$WORK/rss" "$VSORELAY" run -- cat "$WORK/fake.log" >/dev/null 2>"$err"
  status=$?
  check_eq "a million fake listings: exit 3 (seven matrices announced, none set)" 3 "$status"
  rss=$(tail -n 1 "$WORK/rss")
  check "a million fake listings: peak RSS under 64 MiB ($rss KiB)" test "$rss" -lt 65536
  awk -v cat="$CAT" 'BEGIN { for (i = 0; i < 3000; i++) print cat "   m" i ":" }' >"$WORK/many.log"
  "$VSORELAY" replay "$WORK/many.log" >"$out" 2>"$err"
  check_eq "more matrices than vsorelay keeps: exit 3" 3 $?
  check_grep "more matrices than vsorelay keeps: says it cannot check" "larger than vsorelay keeps" "$err"
fi
# ---- the listing's own tail lost (an ImageBuilder after #2125 writes its variables directly
# and still lists through the asynchronous logger): the listing ends the stream, and the last
# matrix listed holds legs the listing never got to; they are not held against it ----
{ sed -n '198,202p' "$POST2125"; sed -n '1,189p' "$POST2125"; } >"$WORK/listing-tail-lost.log"
"$VSORELAY" run -- cat "$WORK/listing-tail-lost.log" >"$out" 2>"$err"
check_eq "listing's tail lost, every variable arrived: run exits 0" 0 $?
"$VSORELAY" replay "$WORK/listing-tail-lost.log" >"$out" 2>"$err"
check_eq "  replay: 0" 0 $?
"$VSORELAY" run --capture "$WORK/tail.cap" -- cat "$WORK/listing-tail-lost.log" >"$out" 2>"$err"
"$VSORELAY" replay "$WORK/tail.cap" >"$out" 2>"$err"
check_eq "  replay of its capture: 0" 0 $?
printf 'a line after the listing\n' | cat "$WORK/listing-tail-lost.log" - >"$WORK/listing-cut-then-more.log"
"$VSORELAY" run -- cat "$WORK/listing-cut-then-more.log" >"$out" 2>"$err"
check_eq "the same listing followed by another line (it was not cut): exit 3" 3 $?
check_grep "  naming the leg never announced" "was never announced" "$err"
# the last matrix listed still must hold every leg it was announced with
sed 's/"src-microsoft-1.25-windowsservercore-ltsc2022-graph": {[^}]*}, //' "$WORK/listing-tail-lost.log" >"$WORK/listing-tail-lost-leg.log"
"$VSORELAY" run -- cat "$WORK/listing-tail-lost-leg.log" >"$out" 2>"$err"
check_eq "listing's tail lost, and the value lacks a listed leg: exit 3" 3 $?
check_grep "  naming the missing leg" "leg 'src-microsoft-1.25-windowsservercore-ltsc2022-graph' is missing" "$err"
# only the last matrix listed: an earlier one with a leg never announced still fails
sed '1s/]{ /]{ "extra-leg": { "imageBuilderPaths": "--path x", "legName": "x", "osType": "linux", "architecture": "arm", "osVersions": "--os-version x" }, /' \
  "$WORK/listing-tail-lost.log" >"$WORK/listing-tail-lost-other.log"
"$VSORELAY" run -- cat "$WORK/listing-tail-lost-other.log" >"$out" 2>"$err"
check_eq "listing's tail lost, an earlier matrix not as listed: exit 3" 3 $?
# ---- a secret matrix the generator announced: the capture shows its value masked, so it
# keeps the run's finding on its legs (@legs), and replay of it reaches the run's verdict ----
sed 's/variable=linuxArm32;isoutput=true\]/variable=linuxArm32;isoutput=true;issecret=true]/' "$HEALTHY" >"$WORK/secret-matrix.log"
sed 's/\(variable=linuxArm32;isoutput=true;issecret=true\]{ \)"src-microsoft-1.25-bookworm": {[^}]*}, /\1/' \
  "$WORK/secret-matrix.log" >"$WORK/secret-matrix-lost-leg.log"
for c in "0|secret-matrix" "3|secret-matrix-lost-leg"; do
  IFS='|' read -r want log <<<"$c"
  "$VSORELAY" run --capture "$WORK/sm.cap" -- cat "$WORK/$log.log" >"$out" 2>"$err"
  check_eq "$log: run exits $want" "$want" $?
  check "  the capture keeps the run's finding on its legs" grep -aq "^@legs stdout [0-9]* $((1 - want / 3))\$" "$WORK/sm.cap"
  "$VSORELAY" replay "$WORK/sm.cap" >"$out" 2>"$err"
  check_eq "  replay of its capture: $want" "$want" $?
  check_grep "  the secret value is masked in the capture" "variable=linuxArm32;isoutput=true;issecret=true]***" "$WORK/sm.cap"
done
check_grep "  replay says where the finding comes from" "not the legs the generator announced (as the run found: the capture shows the value masked)" "$out"
printf 'vsorelay-capture 2\n@attempt 1\n@legs stdout x 1\n' >"$WORK/bad.cap"
"$VSORELAY" replay "$WORK/bad.cap" >"$out" 2>"$err"
check_eq "a malformed @legs record: exit 2" 2 $?
printf 'vsorelay-capture 2\n@legs stdout 1 1\n' >"$WORK/bad.cap"
"$VSORELAY" replay "$WORK/bad.cap" >"$out" 2>"$err"
check_eq "a @legs record before any attempt: exit 2" 2 $?
finish
