#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The end-of-run words are true for every status (issue 12, with the
# statuses of issue 11): an error says what happened and what to do, and
# never blames the lost tail for what was not lost (a name --allow-variables
# refuses, a cut value, an unreadable stdout); a count of "0 of 0" is never
# the step's last word.  The exact logs of the go-images cases are pinned in
# test_log.sh.
. "$(dirname "$0")/lib.sh"

out=$WORK/out.txt err=$WORK/err.txt sum=$WORK/s.md
SV='##vso[task.setvariable variable'
lost_tail='the lost-tail failure of dotnet/docker-tools #2125'

# ---------------------------------------------------------------------------
# A name the policy refuses: missing, but not lost
printf '%s\n' "$SV=a/b;isoutput=true]1" "$SV=ok;isoutput=true]1" >"$WORK/vars.log"
TF_BUILD=True "$VSORELAY" run -e a/b,ok --allow-variables 'a*,ok' --summary "$sum" -- cat "$WORK/vars.log" >"$out" 2>"$err"
check_eq "refused name: exit 3" 3 $?
check_grep "refused name: the error says --allow-variables refuses it" \
  "##vso[task.logissue type=error]vsorelay: expected output variable missing: a/b. --allow-variables does not allow this name" "$out"
check_no_grep "refused name: not 'never set' (it was set)" "never set" "$out"
check_no_grep "refused name: not the lost tail" "$lost_tail" "$out"
check_grep "refused name: the summary says what to do" "allow it with \`--allow-variables\`, or stop expecting it" "$sum"
check_no_grep "refused name: the summary does not blame the lost tail" "lost-tail" "$sum"
# with --retries: the warning of a failed attempt does not blame the lost tail either
TF_BUILD=True "$VSORELAY" run -e a/b --allow-variables 'a*' --retries 1 -- cat "$WORK/vars.log" >"$out" 2>"$err"
check_eq "refused name with --retries: exit 3" 3 $?
check_grep "refused name with --retries: a warning per failed attempt" \
  "##vso[task.logissue type=warning]vsorelay: attempt 1 of 2 lost 1 of 1 expected output variable (a/b). Running" "$out"
check_no_grep "refused name with --retries: no lost tail" "$lost_tail" "$out"
# a name that is allowed and never set is still the lost tail
TF_BUILD=True "$VSORELAY" run -e c --allow-variables 'c' -- true >"$out" 2>"$err"
check_grep "allowed, never set: the lost tail" "expected output variable missing (never set): c. The command succeeded (exit 0) but its output lost this line: $lost_tail" "$out"
# an unmet one that arrived unusable is not the lost tail in the retry warning
TF_BUILD=True "$VSORELAY" run -e e --retries 1 -- printf '%s\n' "$SV=e;isoutput=true]" >"$out" 2>"$err"
check_grep "empty with --retries: the warning names the status" "lost 1 of 1 expected output variable (e (empty)). Running" "$out"

# ---------------------------------------------------------------------------
# An upper bound (--trim-cached-images): a lost matrix stands for what
# ImageBuilder announced it kept, not for the manifest's platforms it trimmed
D=$SOURCE_DIR/tests/data/imagebuilder M=$SOURCE_DIR/samples/go-images/manifest.json
TF_BUILD=True "$VSORELAY" run --manifest "$M" --image-info "$D/image-info.windows-unchanged.json" --trim-cached-images \
  --summary "$sum" --report "$WORK/r.json" -- cat "$D/generate-build-matrix.trimmed.broken.log" >"$out" 2>"$err"
check_eq "trimmed and lost: exit 3" 3 $?
check_grep "trimmed and lost: the error names the announced (kept) Dockerfiles" \
  "expected output variable missing (never set): linuxAmd64: src/microsoft/1.26/azurelinux3.0, src/microsoft/1.26/bookworm, … (amd64)." "$out"
grep -F 'task.logissue' "$out" >"$WORK/issues.txt"
check_no_grep "trimmed and lost: not the trimmed (cached) ones" "src/microsoft/1.25/" "$WORK/issues.txt"
check_grep "trimmed and lost: the summary too" \
  "It stands for src/microsoft/1.26/azurelinux3.0, src/microsoft/1.26/bookworm, src/microsoft/1.26/bullseye (amd64)." "$sum"
check_eq "trimmed and lost: the report's standsFor too" \
  "src/microsoft/1.26/azurelinux3.0 src/microsoft/1.26/bookworm src/microsoft/1.26/bullseye" \
  "$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const x = r.expected.find((e) => e.name === "linuxAmd64");
    console.log([...new Set(x.standsFor.map((p) => p.dockerfile))].sort().join(" "))' "$WORK/r.json")"
# through ImageBuilder's own arguments, and with --retries (each attempt's announcement)
mkdir -p "$WORK/bin"
printf '#!/bin/sh\ncat "%s"\n' "$D/generate-build-matrix.trimmed.broken.log" >"$WORK/bin/imagebuilder"
chmod +x "$WORK/bin/imagebuilder"
(cd "$SOURCE_DIR/samples/go-images" && TF_BUILD=True "$VSORELAY" run --retries 1 "$WORK/bin/imagebuilder" generateBuildMatrix \
  --manifest manifest.json --os-type '*' --architecture '*' --trim-cached-images) >"$out" 2>"$err"
check_eq "trimmed, through ImageBuilder's arguments: exit 3" 3 $?
check_grep "trimmed, through ImageBuilder's arguments: the announced Dockerfiles" \
  "linuxAmd64: src/microsoft/1.26/azurelinux3.0, src/microsoft/1.26/bookworm, … (amd64). The command succeeded (exit 0) in each of its 2 attempts" "$out"
# without an upper bound, the manifest still wins (it knows every platform)
TF_BUILD=True "$VSORELAY" run --manifest "$M" -- cat "$BROKEN" >"$out" 2>"$err"
check_grep "no upper bound: the manifest's platforms" "linuxAmd64: src/microsoft/1.25/azurelinux3.0, src/microsoft/1.25/bookworm, … (amd64)." "$out"

# ---------------------------------------------------------------------------
# A cut value: what happened and what to do, in the log too
TF_BUILD=True "$VSORELAY" run -e x --drain-timeout 200ms -- \
  sh -c '(printf "'"$SV"'=x;isoutput=true]{\"a\": "; sleep 3) & exit 0' >"$out" 2>"$err"
check_eq "cut: exit 3" 3 $?
check_grep "cut: the error says the command succeeded and what to do" \
  "The command succeeded (exit 0), but a process it started still held its output when the drain timeout stopped it. Make the generator wait for what it starts, or raise --drain-timeout." "$out"
check_no_grep "cut: not the logger's lost tail" "$lost_tail" "$out"

# ---------------------------------------------------------------------------
# An unreadable stdout (a UTF-16 byte-order mark)
TF_BUILD=True "$VSORELAY" run -e x -- sh -c 'printf "\377\376'"$SV"'=x;isoutput=true]1\n"' >"$out" 2>"$err"
check_eq "unreadable: exit 3" 3 $?
check_grep "unreadable: the error says what to do" "Make the generator write UTF-8, without a UTF-16 or UTF-32 byte-order mark." "$err"
# with nothing expected: the step's last word says why, not "0 of 0"
TF_BUILD=True "$VSORELAY" run -- printf '\377\376hello\n' >"$out" 2>"$err"
check_eq "unreadable, nothing expected: exit 3" 3 $?
check_grep "unreadable, nothing expected: task.complete says why" \
  "##vso[task.complete result=Failed;]vsorelay: the agent cannot read the step's stdout (a UTF-16 or UTF-32 byte-order mark)" "$err"
check_no_grep "unreadable, nothing expected: no '0 of 0'" "0 of 0" "$err"
printf '\377\376hello\n' >"$WORK/bom.log"
"$VSORELAY" replay "$WORK/bom.log" >"$out" 2>"$err"
check_eq "replay, unreadable, nothing expected: exit 3" 3 $?
check_eq "replay, unreadable, nothing expected: the last line says why" \
  "vsorelay: the agent cannot read the step's stdout (a UTF-16 or UTF-32 byte-order mark)" "$(tail -n 1 "$err")"

# ---- the summary's advice for a missing name: manifest filters only for a manifest's name ----
grep -o '##vso\[.*' "$BROKEN" >"$WORK/no-listing.log"
"$VSORELAY" replay --expect linuxAmd64 --summary "$WORK/s.md" "$WORK/no-listing.log" >"$out" 2>"$err"
check_eq "missing, from --expect: exit 3" 3 $?
check_no_grep "  the summary does not send the reader to manifest filters there are none of" "manifest filters" "$WORK/s.md"
"$VSORELAY" replay --manifest "$SOURCE_DIR/samples/go-images/manifest.json" --summary "$WORK/s.md" "$WORK/no-listing.log" >"$out" 2>"$err"
check_grep "  from --manifest: it does" "or check the manifest filters" "$WORK/s.md"

finish
