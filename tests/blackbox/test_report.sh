#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Black-box tests of --report (JSON, schema in README.md ("Reports")) and --summary
# (Markdown for ##vso[task.uploadsummary]), in replay and run mode.
. "$(dirname "$0")/lib.sh"

CHECK_REPORT=$(dirname "$0")/check-report.js
out=$WORK/out.txt err=$WORK/err.txt
R=$WORK/report.json S=$WORK/summary.md

# json FILE EXPR: prints JSON.stringify(EXPR) where r is the parsed report.
json() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
           process.stdout.write(JSON.stringify(eval(process.argv[2])));' "$1" "$2" 2>&1
}
is_json() { node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$1"; }
schema_ok() { node "$CHECK_REPORT" "$@" >/dev/null; }
mode_of() { stat -c %a "$1" 2>/dev/null; }
no_vso() { ! grep -qi -- '##vso' "$1"; }

# ---- replay of the broken go-images log ------------------------------------
"$VSORELAY" replay --expect "$GO_EXPECT" --report "$R" --summary "$S" "$BROKEN" >"$out" 2>"$err"
check_eq "broken replay: exit 3" 3 $?
check "broken replay: report is JSON" is_json "$R"
node "$CHECK_REPORT" "$R" replay >"$WORK/schema.txt" 2>&1
status=$?
check_eq "broken replay: report matches the schema strictly ($(tr '\n' ' ' <"$WORK/schema.txt"))" 0 $status
check_eq "top-level keys, in order" \
  '["schema","version","mode","command","attempts","child","timedOut","outputTruncated","stoppedBySignal","durationSeconds","streams","commands","setvariables","expected","missing","invalid","diagnostics","diagnosticCounts","diagnosticsOmitted","manifest","imageBuilder","upperBound","announcement","unchecked","verdict","exitCode"]' \
  "$(json "$R" 'Object.keys(r)')"
check_eq "schema id" '"vsorelay-report/2"' "$(json "$R" 'r.schema')"
check_eq "version is the binary's" "\"$("$VSORELAY" --version | sed 's/^vsorelay //')\"" "$(json "$R" 'r.version')"
check_eq "mode" '"replay"' "$(json "$R" 'r.mode')"
check_eq "command lists the file" "[\"$BROKEN\"]" "$(json "$R" 'r.command')"
check_eq "child is null in replay" 'null' "$(json "$R" 'r.child')"
check_eq "missing: the three lost names" '["linuxAmd64","windowsLtsc2025Amd64","windowsLtsc2022Amd64"]' \
  "$(json "$R" 'r.missing')"
check_eq "invalid: none" '[]' "$(json "$R" 'r.invalid')"
check_eq "legs of linuxArm32 (expected)" \
  '["src-microsoft-1.25-bookworm","src-microsoft-1.25-bullseye","src-microsoft-1.26-bookworm","src-microsoft-1.26-bullseye"]' \
  "$(json "$R" 'r.expected.find(x => x.name === "linuxArm32").legs')"
check_eq "legs of linuxArm32 (setvariables)" 4 "$(json "$R" 'r.setvariables.find(x => x.name === "linuxArm32").legs.length')"
check_eq "linuxArm32 met at line 198" '["met",198]' \
  "$(json "$R" '[r.expected[0].status, r.expected[0].line]')"
check_eq "linuxAmd64: missing, never set, no legs" '["missing","never set",null,null]' \
  "$(json "$R" '(x => [x.status, x.reason, x.legs, x.line])(r.expected.find(x => x.name === "linuxAmd64"))')"
check_eq "commands counted" '{"task.setvariable":2}' "$(json "$R" 'r.commands')"
check_eq "stream stats" '[20678,199]' "$(json "$R" '[r.streams[0].bytes, r.streams[0].lines]')"
check_eq "no value in the report" 'false' "$(json "$R" 'JSON.stringify(r).includes("imageBuilderPaths")')"
check_eq "verdict and exit code" '["expectations-failed",3]' "$(json "$R" '[r.verdict, r.exitCode]')"
check_eq "manifest null without --manifest" 'null' "$(json "$R" 'r.manifest')"
# announced against arrived
check_eq "announcement: seen, one listing, complete" '[true,1,true]' \
  "$(json "$R" '[r.announcement.seen, r.announcement.listings, r.announcement.complete]')"
check_eq "announcement: the five matrices, in order" "[\"${GO_EXPECT//,/\",\"}\"]" "$(json "$R" 'r.announcement.matrices.map(m => m.name)')"
check_eq "announcement: which arrived" '[true,true,false,false,false]' "$(json "$R" 'r.announcement.matrices.map(m => m.arrived)')"
check_eq "announcement: linuxArm64's legs, as announced and as arrived" '[6,6,[],[]]' \
  "$(json "$R" '(m => [m.legs.length, m.arrivedLegs.length, m.missingLegs, m.unexpectedLegs])(r.announcement.matrices[1])')"
check_eq "announcement: a leg's Dockerfiles and architecture" '[["src/microsoft/1.25/windows/windowsservercore-ltsc2025","src/microsoft/1.25/windows/nanoserver-ltsc2025"],"amd64"]' \
  "$(json "$R" '(l => [l.dockerfiles, l.architecture])(r.announcement.matrices[3].legs[0])')"
check_eq "linuxAmd64: from --expect and the announcement, required" '[["expect","announcement"],true]' \
  "$(json "$R" '(x => [x.sources, x.required])(r.expected.find(x => x.name === "linuxAmd64"))')"
check_eq "linuxAmd64 stands for the announced Dockerfiles, amd64" \
  '{"dockerfile":"src/microsoft/1.25/azurelinux3.0","osType":null,"osVersion":null,"architecture":"amd64"}' \
  "$(json "$R" 'r.expected.find(x => x.name === "linuxAmd64").standsFor[0]')"
check_eq "linuxAmd64 stands for 6 Dockerfiles" 6 "$(json "$R" 'r.expected.find(x => x.name === "linuxAmd64").standsFor.length')"
check_eq "nothing unchecked, no upper bound, no ImageBuilder arguments in replay" '[null,null,null]' \
  "$(json "$R" '[r.unchecked, r.upperBound, r.imageBuilder]')"
check_grep "summary: the announcement section" "## The generator's announcement" "$S"
check_grep "summary: an announced matrix that never arrived" "| linuxAmd64 | 6 | ❌ no | — |" "$S"
check_eq "report mode 600" 600 "$(mode_of "$R")"
check_eq "summary mode 600" 600 "$(mode_of "$S")"
check_grep "summary: title with ❌" "# ❌" "$S"
check_grep "summary: table header" "| Variable | Status | Legs | Source line |" "$S"
check_grep "summary: table row of a met matrix with its legs" \
  "| linuxArm32 | ✅ met (matrix) | src-microsoft-1.25-bookworm, src-microsoft-1.25-bullseye, src-microsoft-1.26-bookworm, src-microsoft-1.26-bullseye | $BROKEN:198 |" "$S"
for name in linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64; do
  check_grep "summary: $name in bold" "**$name**" "$S"
  check_grep "summary: $name marked ❌ missing" "| **$name** | ❌ missing (matrix) | — | — |" "$S"
  check_grep "summary: what to do for $name" "dependencies.<job>.outputs['<step>.$name']" "$S"
done
check_grep "summary: advice names --retries" "rerun with \`--retries\`" "$S"
check_grep "summary: stream stats" "| 20678 | 199 |" "$S"
check_no_grep "summary: replay emits no uploadsummary" "uploadsummary" "$out"

# ---- healthy log: passed ---------------------------------------------------
"$VSORELAY" replay --expect "$GO_EXPECT" --report "$R" --summary "$S" "$HEALTHY" >"$out" 2>"$err"
check_eq "healthy replay: exit 0" 0 $?
check "healthy replay: schema" schema_ok "$R" replay
check_eq "healthy: nothing missing" '[[],[],"passed"]' "$(json "$R" '[r.missing, r.invalid, r.verdict]')"
check_grep "healthy: title with ✅" "# ✅" "$S"
check_no_grep "healthy: no ❌" "❌" "$S"

# ---- run mode: a secret never reaches either file ---------------------------
cd "$WORK" || exit 1
"$VSORELAY" run --report r.json --summary s.md -e s -- \
  sh -c 'echo "##vso[task.setvariable variable=s;issecret=true;isoutput=true]sentinel-s3cr3t"' >"$out" 2>"$err"
check_eq "secret run: exit 0" 0 $?
check "secret run: schema" schema_ok r.json run
check_no_grep "secret run: report holds no secret" "sentinel-s3cr3t" r.json
check_no_grep "secret run: summary holds no secret" "sentinel-s3cr3t" s.md
check "secret run: report holds no executable ##vso" no_vso r.json
check "secret run: summary holds no executable ##vso" no_vso s.md
check_eq "secret run: the setvariable is described, not its value" '["s",true,true,15,null]' \
  "$(json r.json '(v => [v.name, v.isSecret, v.isOutput, v.valueLength, v.legs])(r.setvariables[0])')"
check_eq "secret run: command kept, secret masked" \
  '"echo \"##vso[task.setvariable variable=s;issecret=true;isoutput=true]***\""' "$(json r.json 'r.command[2]')"
check_eq "secret run: child" '{"exited":true,"exitStatus":0,"termSignal":null}' "$(json r.json 'r.child')"
check_grep "secret run: uploadsummary with the absolute path" "##vso[task.uploadsummary]$(realpath s.md)" "$out"
check_eq "secret run: report mode 600" 600 "$(mode_of r.json)"
check_eq "secret run: summary mode 600" 600 "$(mode_of s.md)"
check_grep "secret run: ✅" "# ✅" s.md
check_grep "secret run: command shown" "- Command: \`sh -c" s.md
cd - >/dev/null || exit 1

# a failing command: the child's status is reported
"$VSORELAY" run --report "$R" --summary "$S" -e x -- sh -c 'exit 7' >"$out" 2>"$err"
check_eq "failing run: exit 7" 7 $?
check "failing run: schema" schema_ok "$R" run
check_eq "failing run: child and verdict" '[{"exited":true,"exitStatus":7,"termSignal":null},"command-failed",7]' \
  "$(json "$R" '[r.child, r.verdict, r.exitCode]')"
check_grep "failing run: status in the summary" "exited with status 7" "$S"

# ---- hostile names and bytes ------------------------------------------------
printf '##vso[task.setvariable variable=a\xff\x01"b|c`*;isoutput=true]{"x":{"k":"v"}}\n##vso[task.setvariable]oops\n##vso[Foo.bar]x\n##vso[task.setvariable variable=m;isoutput=true]{"x":1}\n' \
  >"$WORK/hostile.log"
"$VSORELAY" replay -e m,nope -e $'a\xff\x01"b|c`*' --matrix --report "$R" --summary "$S" "$WORK/hostile.log" >"$out" 2>"$err"
check_eq "hostile: exit 3" 3 $?
check "hostile: report is JSON" is_json "$R"
check "hostile: schema" schema_ok "$R" replay
check_eq "hostile: missing / invalid" '[["nope"],["m"]]' "$(json "$R" '[r.missing, r.invalid]')"
fffd=$'\xef\xbf\xbd'
check_eq "hostile: name with control and invalid bytes (U+FFFD)" '"a'"$fffd"'\u0001\"b|c`*"' "$(json "$R" 'r.setvariables[0].name')"
check_eq "hostile: its legs" '["x"]' "$(json "$R" 'r.setvariables[0].legs')"
check_eq "hostile: nameless setvariable" '[null,true]' "$(json "$R" '[r.setvariables[1].name, r.setvariables[1].rejected]')"
check_eq "hostile: diagnostics" '["error",2]' "$(json "$R" '[r.diagnostics[0].severity, r.diagnostics[0].line]')"
check_eq "hostile: invalid reason" '"not a usable build matrix: leg '"'"'x'"'"' is not an object"' \
  "$(json "$R" 'r.expected[0].reason')"
check_grep "hostile: table cell escaped" '| a\\xFF\\x01"b\|c\`\* | ✅ met (matrix) | x |' "$S"
check_grep "hostile: invalid in bold with its reason" "**m** is **invalid**: not a usable build matrix" "$S"
check_eq "hostile: summary lines are table-safe" 0 "$(grep -c $'\x01' "$S")"

# ---- with a manifest ----------------------------------------------------------
"$VSORELAY" replay --manifest "$SOURCE_DIR/samples/go-images/manifest.json" --report "$R" "$BROKEN" >"$out" 2>"$err"
check_eq "manifest: exit 3" 3 $?
check "manifest: schema" schema_ok "$R" replay
check_eq "manifest: matrices in order" \
  '["linuxArm32","linuxArm64","linuxAmd64","windowsLtsc2025Amd64","windowsLtsc2022Amd64"]' \
  "$(json "$R" 'r.manifest.matrices.map(m => m.name)')"
check_eq "manifest: a platform" '{"dockerfile":"src/microsoft/1.25/bookworm","osType":"linux","osVersion":"bookworm","architecture":"arm"}' \
  "$(json "$R" 'r.manifest.matrices[0].platforms[0]')"
check_eq "manifest: expectations are matrices" 'true' "$(json "$R" 'r.expected.every(x => x.matrix)')"

# ---- atomic replacement ------------------------------------------------------
mkdir "$WORK/atomic"
printf 'old\n' >"$WORK/atomic/r.json"
chmod 644 "$WORK/atomic/r.json"
"$VSORELAY" replay --report "$WORK/atomic/r.json" --summary "$WORK/atomic/s.md" "$HEALTHY" >"$out" 2>"$err"
check_eq "replace: exit 0" 0 $?
check "replace: new content" schema_ok "$WORK/atomic/r.json"
check_eq "replace: mode 600 even over a 644 file" 600 "$(mode_of "$WORK/atomic/r.json")"
check_eq "replace: no temporary file left" "r.json s.md" "$(cd "$WORK/atomic" && ls -A | tr '\n' ' ' | sed 's/ $//')"

# ---- unwritable destinations --------------------------------------------------
# replay, like run, finds out before it reads anything: exit 2, nothing written
"$VSORELAY" replay --expect "$GO_EXPECT" --report /nonexistent/dir/r.json "$HEALTHY" >"$out" 2>"$err"
check_eq "unwritable report (replay): exit 2, before reading" 2 $?
check_grep "unwritable report: names the path" "/nonexistent/dir/r.json" "$err"
check_grep "unwritable report: says why" "No such file or directory" "$err"
check_eq "unwritable report (replay): no listing printed" "" "$(cat "$out")"
# run finds out before it starts the command: exit 2, nothing run, nothing re-emitted
"$VSORELAY" run --report /nonexistent/dir/r.json -- touch "$WORK/ran" >"$out" 2>"$err"
check_eq "unwritable report (run): exit 2, before the command" 2 $?
check "unwritable report (run): the command did not run" test ! -e "$WORK/ran"
check_grep "unwritable report (run): names the path" "/nonexistent/dir/r.json" "$err"
"$VSORELAY" run --summary /nonexistent/dir/s.md -- touch "$WORK/ran" >"$out" 2>"$err"
check_eq "unwritable summary (run): exit 2, before the command" 2 $?
check "unwritable summary (run): the command did not run" test ! -e "$WORK/ran"
check_grep "unwritable summary: names the path" "/nonexistent/dir/s.md" "$err"
check_no_grep "unwritable summary: no uploadsummary" "uploadsummary" "$out"
mkdir "$WORK/pre"
"$VSORELAY" run --report "$WORK/pre/r.json" -- true >"$out" 2>"$err"
check_eq "the check's temporary file is gone: only the report is there" "r.json" "$(ls -A "$WORK/pre")"

# a failure after the verdict is in the report: the reader of stdout goes away
# before the variables are re-emitted (EPIPE), exit 125, and the report says so
# (the live copy goes out first; head reads 5 bytes of it and leaves)
{ "$VSORELAY" run --report "$WORK/late.json" -e v -- sh -c 'echo "##vso[task.setvariable variable=v;isoutput=true]1"; sleep 0.5' 2>"$err"
  echo $? >"$WORK/late.code"; } | head -c 5 >/dev/null
check_eq "stdout gone before the re-emission: exit 125" 125 "$(cat "$WORK/late.code")"
check "the report carries the final exit code and verdict" node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (r.exitCode !== 125 || r.verdict !== "vsorelay-failed") { console.error(r.exitCode, r.verdict); process.exit(1); }' "$WORK/late.json"
mkdir "$WORK/adir"
"$VSORELAY" replay --report "$WORK/adir" "$HEALTHY" >"$out" 2>"$err"
check_eq "report onto a directory: exit 2, before reading" 2 $?
check_grep "report onto a directory: says so" "is a directory" "$err"
check_eq "report onto a directory: no temporary file left" "" "$(ls -A "$WORK" | grep '^\.adir' || true)"
# a directory that appears at the destination while vsorelay runs: a late failure
late_dir() { sleep 1; mkdir "$WORK/adir2"; }

# ---- the report always carries the exit status vsorelay ends with ---------------
# (replay once wrote "passed", 0 and then exited 125 when the summary could
# not be written, or when stdout was closed)
# report_says FILE VERDICT CODE: the report's verdict and exitCode
report_says() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (r.verdict !== process.argv[2] || r.exitCode !== +process.argv[3]) { console.error(r.verdict, r.exitCode); process.exit(1); }' "$@"
}
mkdir "$WORK/late"
cd "$WORK/late" || exit 1
"$VSORELAY" replay --expect linuxArm32 --report r.json --summary missing-dir/s.md "$HEALTHY" >"$out" 2>"$err"
check_eq "replay, summary in a missing directory: exit 2, before reading" 2 $?
check_grep "replay, summary in a missing directory: names it" "missing-dir/s.md" "$err"
check "replay, summary in a missing directory: no report claims a verdict" test ! -e r.json
"$VSORELAY" replay --expect linuxArm32 --report r.json --summary missing-dir/s.md "$HEALTHY" >&- 2>"$err"
check_eq "the same with stdout closed: exit 2" 2 $?
check "the same with stdout closed: no report" test ! -e r.json
# a summary that fails at the end (a directory made there after the check, while the log is read)
rm -rf "$WORK/adir2"
{ late_dir; cat "$HEALTHY"; } | "$VSORELAY" replay --expect linuxArm32 --report r.json --summary "$WORK/adir2" - >"$out" 2>"$err"
check_eq "replay, summary fails at the end: exit 125" 125 $?
check "replay, summary fails at the end: the report says vsorelay-failed, 125" report_says r.json vsorelay-failed 125
rm -rf "$WORK/adir2"
{ late_dir; cat "$BROKEN"; } | "$VSORELAY" replay --expect "$GO_EXPECT" --report r.json --summary "$WORK/adir2" - >"$out" 2>"$err"
check_eq "replay of a failing step, summary fails at the end: keeps 3" 3 $?
check "replay of a failing step: the report says expectations-failed, 3" report_says r.json expectations-failed 3
# stdout closed: the listing cannot be printed
"$VSORELAY" replay --expect linuxArm32 --report r.json --summary s.md "$HEALTHY" >&- 2>"$err"
check_eq "replay with stdout closed: exit 125" 125 $?
check "replay with stdout closed: the report says vsorelay-failed, 125" report_says r.json vsorelay-failed 125
check_grep "replay with stdout closed: so does the summary" "vsorelay-failed" s.md
# run: the same rules
rm -rf "$WORK/adir2"
"$VSORELAY" run -e v --report r.json --summary "$WORK/adir2" -- \
  sh -c 'mkdir "$1"; echo "##vso[task.setvariable variable=v;isoutput=true]1"' sh "$WORK/adir2" >"$out" 2>"$err"
check_eq "run, summary fails at the end: exit 125" 125 $?
check "run, summary fails at the end: the report says vsorelay-failed, 125" report_says r.json vsorelay-failed 125
"$VSORELAY" run -e v --report r.json --summary s.md -- \
  sh -c 'echo "##vso[task.setvariable variable=v;isoutput=true]1"' >&- 2>"$err"
check_eq "run with stdout closed: exit 125" 125 $?
check "run with stdout closed: the report says vsorelay-failed, 125" report_says r.json vsorelay-failed 125
"$VSORELAY" run -e v --report r.json -- sh -c 'exit 125' >"$out" 2>"$err"
check_eq "a command that exits 125 itself: 125" 125 $?
check "a command that exits 125 itself: command-failed, not vsorelay-failed" report_says r.json command-failed 125
cd - >/dev/null || exit 1

finish
