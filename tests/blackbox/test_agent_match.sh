#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Matching as the agent matches (issue 10 §5, issue 11 §2):
# - names compare as .NET's OrdinalIgnoreCase, non-ASCII letters included;
# - --allow-variables patterns match as the agent's Minimatch with IgnoreCase;
# - the capture masks secrets as the agent's masker: overlapping and touching
#   occurrences merge into one ***, and the encoded forms are masked too.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt

setvar() { printf '##vso[task.setvariable variable=%s;isoutput=true]%s\n' "$1" "${2:-x}"; }

# --- OrdinalIgnoreCase
setvar 'über' >"$WORK/uber.log"
"$VSORELAY" replay -e 'Über' "$WORK/uber.log" >"$out" 2>"$err"
check_eq "Über = über" 0 $?
"$VSORELAY" run -e 'ÜBER' -- cat "$WORK/uber.log" >"$out" 2>"$err"
check_eq "run: ÜBER = über" 0 $?
check_grep "run: re-emitted as written" "variable=über;isoutput=true]x" "$out"
setvar 'ı' >"$WORK/dotless.log"
"$VSORELAY" replay -e 'I' "$WORK/dotless.log" >"$out" 2>"$err"
check_eq "ı is not I (.NET keeps U+0131 as it is)" 3 $?
setvar 'ſ' >"$WORK/longs.log"
"$VSORELAY" replay -e 's' "$WORK/longs.log" >"$out" 2>"$err"
check_eq "ſ is not s" 3 $?
printf '%s\n%s\n' "$(setvar 'ⱥ' 1)" "$(setvar 'Ⱥ' 2)" >"$WORK/two.log" # 3 bytes and 2 bytes, one name
"$VSORELAY" replay -e 'Ⱥ' "$WORK/two.log" >"$out" 2>"$err"
check_eq "ⱥ = Ⱥ although their UTF-8 lengths differ" 0 $?

# --- --allow-variables as Minimatch with IgnoreCase
{
  for v in linuxAmd64 WindowsAmd64 macAmd64 .hidden 'a/b' linuxArm32; do setvar "$v"; done
} >"$WORK/vars.log"
allowed() { # allowed PATTERNS: the names re-emitted, one a line
  "$VSORELAY" run --allow-variables "$1" -- cat "$WORK/vars.log" 2>/dev/null |
    sed -n 's/^##vso\[task.setvariable variable=\([^;]*\);.*/\1/p' | sort | tr '\n' ' '
}
check_eq "braces (the comma inside stays in the pattern)" "WindowsAmd64 linuxAmd64 " "$(allowed '{linux,windows}Amd64')"
check_eq "* does not match a leading dot, nor cross /" "WindowsAmd64 linuxAmd64 linuxArm32 macAmd64 " "$(allowed '*')"
check_eq "a pattern with the dot matches it" ".hidden " "$(allowed '.*')"
check_eq "** spans /" "WindowsAmd64 a/b linuxAmd64 linuxArm32 macAmd64 " "$(allowed '**')"
check_eq "? is one character" "linuxAmd64 " "$(allowed 'linux?md64')"
check_eq "classes" "WindowsAmd64 linuxAmd64 " "$(allowed '[lw]*Amd64')"
check_eq "! negates" ".hidden WindowsAmd64 a/b macAmd64 " "$(allowed '!linux*')"
check_eq "extglob" "linuxAmd64 linuxArm32 " "$(allowed 'linux@(Amd|Arm)*')"
check_eq "[z-a], which .NET rejects, allows nothing" "" "$(allowed '[z-a]')"
"$VSORELAY" run --allow-variables '!mac*' -- cat "$WORK/vars.log" >"$out" 2>"$err"
check_grep "the refused name is named" "'macAmd64' is not allowed by --allow-variables" "$err"

# --- masking in the capture: overlaps, touching, encoded forms
cat >"$WORK/secrets.sh" <<'SH'
echo "##vso[task.setsecret]abcSEC"
echo "##vso[task.setsecret]SECRETdef"
echo "##vso[task.setsecret]pa ss"
echo '##vso[task.setsecret]q"uote'
echo "x abcSECRETdef y"
echo "abcSECabcSEC|"
echo "url=pa%20ss json=q\\\"uote"
SH
"$VSORELAY" run --capture "$WORK/capture" -- sh "$WORK/secrets.sh" >"$out" 2>"$err"
check_eq "masking: exit 0" 0 $?
check_grep "overlapping secrets leave neither visible" "x *** y" "$WORK/capture"
check "touching occurrences merge into one ***" grep -qxF '***|' "$WORK/capture"
check_no_grep "no SEC anywhere" "SEC" "$WORK/capture"
check_grep "UriDataEscape form masked" "url=*** json=" "$WORK/capture"
check_grep "JsonStringEscape form masked" "json=***" "$WORK/capture"

finish
