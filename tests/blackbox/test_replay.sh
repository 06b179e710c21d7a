#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Black-box tests of `vsorelay replay` on the bundled go-images logs.
. "$(dirname "$0")/lib.sh"

out=$WORK/out.txt err=$WORK/err.txt

"$VSORELAY" replay --expect "$GO_EXPECT" "$BROKEN" >"$out" 2>"$err"
check_eq "broken log exits 3" 3 $?
for name in linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64; do
  check_grep "broken log names $name as missing" "missing  $name" "$out"
done
check_grep "broken log: linuxArm32 met" "ok       linuxArm32" "$out"
check_eq "stderr says how many, in run's words" "vsorelay: 3 of 5 expected output variables missing or unusable" "$(cat "$err")"

"$VSORELAY" replay --expect "$GO_EXPECT" "$HEALTHY" >"$out" 2>"$err"
check_eq "healthy log exits 0" 0 $?
check_grep "healthy: verdict" "verdict: passed" "$out"
check_grep "healthy: 5 of 5" "expectations: 5 of 5 met" "$out"
check_eq "healthy: the verified line on stderr, as run's" \
  "vsorelay: 5 of 5 expected output variables verified (linuxArm32, linuxArm64, linuxAmd64, windowsLtsc2025Amd64, windowsLtsc2022Amd64)" \
  "$(cat "$err")"

"$VSORELAY" replay --expect "$GO_EXPECT" "$SOURCE_DIR/samples/go-images/generate-build-matrix.healthy.post2125.log" >"$out" 2>"$err"
check_eq "post-#2125 healthy log exits 0" 0 $?

"$VSORELAY" replay --no-announced "$BROKEN" >"$out" 2>"$err"
check_eq "no expectations, --no-announced: exit 0" 0 $?
check_grep "no expectations, --no-announced: says nothing was verified" \
  "vsorelay: no expected output variables to verify (none given, --no-announced)" "$err"
"$VSORELAY" replay "$BROKEN" >"$out" 2>"$err"
check_eq "no expectations: the announcement alone fails the broken log: exit 3" 3 $?

"$VSORELAY" replay --expect "$GO_EXPECT" <"$BROKEN" >"$out" 2>"$err"
check_eq "stdin replay exits 3" 3 $?
"$VSORELAY" replay --expect "$GO_EXPECT" - <"$HEALTHY" >"$out" 2>"$err"
check_eq "'-' replay exits 0" 0 $?

"$VSORELAY" replay "$WORK/does-not-exist.log" >"$out" 2>"$err"
check_eq "unreadable file exits 2" 2 $?
check_grep "unreadable file is named" "does-not-exist.log" "$err"

"$VSORELAY" replay --bogus "$HEALTHY" >"$out" 2>"$err"
check_eq "bad flag exits 2" 2 $?
check_grep "bad flag is named" "--bogus" "$err"

"$VSORELAY" replay --expect "" "$HEALTHY" >"$out" 2>"$err"
check_eq "empty --expect exits 2" 2 $?

# expect-file with comments
printf '# go-images\nlinuxArm32\n\nlinuxAmd64   # the lost one\n' >"$WORK/names"
"$VSORELAY" replay --expect-file "$WORK/names" "$BROKEN" >"$out" 2>"$err"
check_eq "--expect-file: exit 3" 3 $?
check_grep "--expect-file: linuxAmd64 missing" "missing  linuxAmd64" "$out"

# not an output, empty value
printf '##vso[task.setvariable variable=a]x\n##vso[task.setvariable variable=b;isoutput=true]\n' >"$WORK/flags.log"
"$VSORELAY" replay -e a,b,c "$WORK/flags.log" >"$out" 2>"$err"
check_eq "flags: exit 3" 3 $?
check_grep "not an output" "not-output a" "$out"
check_grep "empty" "empty    b" "$out"
check_grep "missing" "missing  c" "$out"

# JSON Lines: one object per command, secrets masked
printf 'x ##vso[task.setvariable variable=s;issecret=true]hunter2\n##vso[task.setvariable variable=V;isOutput=true]a%%3Bb\r##vso[foo.bar k=v]d\n' >"$WORK/j.log"
"$VSORELAY" replay --format json "$WORK/j.log" >"$out" 2>"$err"
check_eq "json: exit 0" 0 $?
check_eq "json: three objects" 3 "$(wc -l <"$out")"
check_no_grep "json: secret masked" "hunter2" "$out"
check_grep "json: secret shown as ***" '"data":"***"' "$out"
check_grep "json: unescaped value, line 2 (bare CR ends line 1... )" '"line":2,"area":"task","event":"setvariable","properties":{"variable":"V","isOutput":"true"},"data":"a;b"' "$out"
check_grep "json: third command on line 3" '"line":3,"area":"foo","event":"bar"' "$out"
printf '%s\n' '##vso[task.setvariable variable=a]v ##vso[task.complete result=Failed]' >"$WORK/nested.log"
"$VSORELAY" replay --format json "$WORK/nested.log" >"$out" 2>"$err"
check_no_grep "json: a command inside data is not executable in the output" "##vso" "$out"
check "json: and reads back as itself" node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(c.data!=="v ##vso[task.complete result=Failed]") process.exit(1)' "$out"

# every agent_parse vector of the agent's own tests, through --format json
check "agent vectors through replay --format json" \
  node "$(dirname "$0")/vectors-json.js" "$VSORELAY" "$SOURCE_DIR/tests/data/azure-agent-vectors.json" "$WORK"

# a 1 GiB log replays in memory bounded by its longest line (not by its size)
if [ -x /usr/bin/time ] && [ -n "$HELPERS" ]; then
  "$HELPERS/fast-writer" --bytes 1073741824 --every 1000 2>/dev/null |
    /usr/bin/time -f '%M' -o "$WORK/rss" "$VSORELAY" replay - >"$out" 2>"$err"
  check_grep "1 GiB replay: read it all" "1073741" "$out"
  rss=$(tail -1 "$WORK/rss")
  # relative to a replay of one line, so that a sanitizer build's own overhead does not count
  printf 'x\n' | /usr/bin/time -f '%M' -o "$WORK/rss0" "$VSORELAY" replay - >/dev/null 2>&1
  floor=$(tail -1 "$WORK/rss0")
  check "1 GiB replay: peak RSS ${rss} KiB stays within 16 MiB of a one-line replay (${floor} KiB)" \
    test "$rss" -lt $((floor + 16384))
else
  fail "1 GiB replay: /usr/bin/time (package time) is needed"
fi

# %AZP25 decoding follows --no-decode-percents, and the agent's DECODE_PERCENTS variable
printf '%s\n' '##vso[task.setvariable variable=p]100%AZP25' >"$WORK/pct.log"
"$VSORELAY" replay --format json "$WORK/pct.log" >"$out" 2>"$err"
check_grep "percent decoded by default" '"data":"100%"' "$out"
"$VSORELAY" replay --no-decode-percents --format json "$WORK/pct.log" >"$out" 2>"$err"
check_grep "--no-decode-percents" '"data":"100%AZP25"' "$out"
DECODE_PERCENTS=False "$VSORELAY" replay --format json "$WORK/pct.log" >"$out" 2>"$err"
check_grep "DECODE_PERCENTS=False in the environment" '"data":"100%AZP25"' "$out"
DECODE_PERCENTS=true "$VSORELAY" replay --format json "$WORK/pct.log" >"$out" 2>"$err"
check_grep "DECODE_PERCENTS=true in the environment" '"data":"100%"' "$out"

# line counting is exact on dense input (every byte a terminator)
head -c 3000000 /dev/zero | tr '\0' '\n' >"$WORK/nl.log"
"$VSORELAY" replay "$WORK/nl.log" >"$out" 2>"$err"
check_grep "3,000,000 newlines are 3,000,000 lines" "nl.log: 3000000 lines, 3000000 bytes" "$out"
printf 'a\r\r\nb\rc\n\n\r' >"$WORK/cr.log"
"$VSORELAY" replay "$WORK/cr.log" >"$out" 2>"$err"
check_grep "CR, CRLF and LF each end one line" "cr.log: 6 lines, 10 bytes" "$out"

# many distinct names cost linear time: 100,000 different unknown commands and
# 100,000 different variables each once.  Command counts and their report
# keys were compared with every earlier one (this log took 60 s, 1,000,000
# lines would have taken hours); 60 s here is a hang guard, not a speed test.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "##vso[a%d.b]x\n##vso[task.setvariable variable=v%d;isoutput=true]%d\n", i, i, i }' >"$WORK/distinct.log"
timeout -k 5 60 "$VSORELAY" replay --expect v0,v99999 --report "$WORK/distinct.json" "$WORK/distinct.log" >"$out" 2>"$err"
check_eq "100,000 distinct commands and variables: replay ends, expectations met" 0 $?
check_eq "every distinct command is counted once in the report" 100000 "$(grep -c '"a[0-9]*\.b": 1' "$WORK/distinct.json")"

finish
