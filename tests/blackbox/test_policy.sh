#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Restricted mode (--restrict), --allow-variables (settableVariables), and
# injection: nothing in a name or value can make vsorelay's own output
# executable or forge a command.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt

# --- --restrict: only the commands restricted mode allows
cat >"$WORK/mixed.sh" <<'SH'
echo "##vso[build.addbuildtag]sometag"
echo "##vso[task.logissue type=warning]careful"
echo "##vso[task.uploadsummary]/tmp/x.md"
echo "##vso[task.setvariable variable=a;isoutput=true]1"
SH
"$VSORELAY" run --restrict -e a -- sh "$WORK/mixed.sh" >"$out" 2>"$err"
check_eq "restrict: exit 0" 0 $?
check_grep "restrict: addbuildtag neutralised" "**vso[build.addbuildtag]sometag" "$out"
check_grep "restrict: uploadsummary neutralised" "**vso[task.uploadsummary]/tmp/x.md" "$out"
check_grep "restrict: logissue passes" "##vso[task.logissue type=warning]careful" "$out"
check_grep "restrict: setvariable re-emitted" "##vso[task.setvariable variable=a;isoutput=true]1" "$out"
check_eq "restrict: two executable lines" 2 "$(grep -c '##vso\[' "$out")"
check_grep "restrict: warning names the command" "'build.addbuildtag' is not allowed in restricted mode" "$err"
"$VSORELAY" replay --restrict "$WORK/mixed.sh" >/dev/null 2>&1
check_eq "restrict: replay accepts it" 0 $?

# --- --allow-variables: dropped, warned, never re-emitted (T4 semantics)
cat >"$WORK/vars.sh" <<'SH'
echo "##vso[task.setvariable variable=linuxAmd64;isoutput=true]{\"a\":{\"b\":\"c\"}}"
echo "##vso[task.setvariable variable=windowsLtsc2022Amd64;isoutput=true]{\"a\":{\"b\":\"c\"}}"
echo "##vso[task.setvariable variable=Other;isoutput=true]x"
SH
"$VSORELAY" run --allow-variables 'linux*,other' -e linuxAmd64 -- sh "$WORK/vars.sh" >"$out" 2>"$err"
check_eq "allow: exit 0" 0 $?
check_eq "allow: two re-emitted" 2 "$(grep -c '^##vso\[task.setvariable' "$out")"
check_grep "allow: windows neutralised" "**vso[task.setvariable variable=windowsLtsc2022Amd64" "$out"
check_grep "allow: warning" "'windowsLtsc2022Amd64' is not allowed by --allow-variables" "$err"
"$VSORELAY" run --allow-variables 'linux*' -e windowsLtsc2022Amd64 -- sh "$WORK/vars.sh" >"$out" 2>"$err"
check_eq "allow: a refused expected variable is missing: exit 3" 3 $?
check_eq "allow: and nothing is re-emitted" 0 "$(grep -c '^##vso\[task.setvariable' "$out")"
# every set must allow the name
"$VSORELAY" run --allow-variables 'linux*,windows*' --allow-variables 'windows*' -- sh "$WORK/vars.sh" >"$out" 2>"$err"
check_eq "allow: two sets: exit 0" 0 $?
check_eq "allow: two sets: only windows passes both" 1 "$(grep -c '^##vso\[task.setvariable' "$out")"
"$VSORELAY" run --allow-variables '' -- sh "$WORK/vars.sh" >"$out" 2>"$err"
check_eq "allow: the empty set allows nothing" 0 "$(grep -c '^##vso\[task.setvariable' "$out")"

# --- injection through expected names: vsorelay's own commands stay its own
evil='x];##vso[task.complete result=Succeeded;]%AZP25%0A::error::y'
"$VSORELAY" run -e "$evil" -- true >"$out" 2>"$err"
check_eq "injection: exit 3" 3 $?
check_eq "injection: two executable lines (logissue + complete)" 2 "$(grep -c '##vso\[' "$out")"
"$VSORELAY" replay --format json "$out" >"$WORK/cmds.jsonl" 2>/dev/null
check_eq "injection: read back as exactly two commands" 2 "$(wc -l <"$WORK/cmds.jsonl")"
check_grep "injection: first is logissue" '"area":"task","event":"logissue","properties":{"type":"error"}' "$WORK/cmds.jsonl"
check_grep "injection: second is complete Failed" '"event":"complete","properties":{"result":"Failed"}' "$WORK/cmds.jsonl"
check_grep "injection: the name is shown deactivated" '**vso[task.complete result=Succeeded;]' "$WORK/cmds.jsonl"
check_no_grep "injection: no ##vso on stderr" "##vso" "$err"
check_eq "injection: stderr lines all start with vsorelay:" 0 "$(grep -vc '^vsorelay: ' "$err")"

# --- injection through a child's name and value (escaped CR/LF, brackets, ##vso)
printf '%s\n' '##vso[task.setvariable variable=a%0A##vso[task.complete result=Succeeded%5D;isoutput=true]v%0D%0A##[error]x' >"$WORK/evil.log"
"$VSORELAY" run -e b -- cat "$WORK/evil.log" >"$out" 2>"$err"
check_eq "child injection: exit 3" 3 $?
check_eq "child injection: one line per vsorelay message" 3 "$(wc -l <"$out")"
check_no_grep "child injection: stderr never executable" "##vso" "$err"
"$VSORELAY" replay "$WORK/evil.log" >"$out" 2>"$err"
check_no_grep "child injection: replay summary never executable" "##vso" "$out"

finish
