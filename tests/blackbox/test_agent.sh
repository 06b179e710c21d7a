#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The agent, exactly, as the binary shows it (the unit tests are
# tests/unit/test_agent.c): an output keeps its value when a later set has
# no isoutput=true; DECODE_PERCENTS and SYSTEM_UNSAFEALLOWMULTILINESECRET are
# read as the agent reads its knobs; a secret's escaped form is masked.
# The other two points, --allow-variables as the agent's Minimatch and names
# compared as OrdinalIgnoreCase, are tests/blackbox/test_agent_match.sh.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
unset DECODE_PERCENTS SYSTEM_UNSAFEALLOWMULTILINESECRET

# ---- (a) an output keeps its value when a later set has no isoutput=true ----
printf '%s\n' '##vso[task.setvariable variable=v;isoutput=true]{"a":{"x":"1"}}' '##vso[task.setvariable variable=v]local' >"$WORK/a.log"
"$VSORELAY" run --matrix -e v -- cat "$WORK/a.log" >"$out" 2>"$err"
check_eq "output, then a plain set: exit 0 (the output keeps its matrix)" 0 $?
check_eq "both re-emitted, in order, as the agent must see them" "$(cat "$WORK/a.log")" "$(grep '^##vso\[task.setvariable' "$out")"
printf '%s\n' '##vso[task.setvariable variable=v]local' >"$WORK/a2.log"
"$VSORELAY" replay -e v "$WORK/a2.log" >"$out" 2>"$err"
check_eq "only a plain set: exit 3" 3 $?
check_grep "only a plain set: not an output" "not-output v" "$out"
printf '%s\n' '##vso[task.setvariable variable=v;isoutput=true]x' '##vso[task.setvariable variable=v;issecret=true]l1%0Al2' >"$WORK/a3.log"
"$VSORELAY" replay -e v "$WORK/a3.log" >"$out" 2>"$err"
check_eq "output, then a set the agent rejects: exit 3" 3 $?
check_grep "then a set the agent rejects: rejected" "rejected v" "$out"

# ---- (b) DECODE_PERCENTS, read as a knob ----
printf '%s\n' '##vso[task.setvariable variable=p;isoutput=true]a%AZP25b' >"$WORK/b.log"
data() { if [ "$1" = unset ]; then env -u DECODE_PERCENTS "$VSORELAY" replay --format json "$WORK/b.log"; else DECODE_PERCENTS=$1 "$VSORELAY" replay --format json "$WORK/b.log"; fi | sed 's/.*"data":"\([^"]*\)".*/\1/'; }
for v in unset '' 1 true TRUE '$true' '$True'; do
  check_eq "DECODE_PERCENTS='$v': %AZP25 decoded" "a%b" "$(data "$v")"
done
for v in 0 false '$false' yes on garbage ' true'; do
  check_eq "DECODE_PERCENTS='$v': %AZP25 kept" "a%AZP25b" "$(data "$v")"
done
check_eq "--no-decode-percents over DECODE_PERCENTS=true" "a%AZP25b" \
  "$(DECODE_PERCENTS=true "$VSORELAY" replay --no-decode-percents --format json "$WORK/b.log" | sed 's/.*"data":"\([^"]*\)".*/\1/')"

# ---- (c) SYSTEM_UNSAFEALLOWMULTILINESECRET lets a multi-line secret through ----
printf '%s\n' '##vso[task.setvariable variable=s;issecret=true;isoutput=true]line1%0Aline2' >"$WORK/c.log"
"$VSORELAY" run -e s -- cat "$WORK/c.log" >"$out" 2>"$err"
check_eq "a multi-line secret: exit 3 (the agent would fail the step)" 3 $?
for v in true 1 '$TRUE'; do
  SYSTEM_UNSAFEALLOWMULTILINESECRET=$v "$VSORELAY" run -e s -- cat "$WORK/c.log" >"$out" 2>"$err"
  status=$?
  check_eq "SYSTEM_UNSAFEALLOWMULTILINESECRET=$v: exit 0" 0 $status
  check_grep "SYSTEM_UNSAFEALLOWMULTILINESECRET=$v: re-emitted" "##vso[task.setvariable variable=s;issecret=true;isoutput=true]line1%0Aline2" "$out"
  check_no_grep "SYSTEM_UNSAFEALLOWMULTILINESECRET=$v: no value shown" "line2" "$err"
done
SYSTEM_UNSAFEALLOWMULTILINESECRET=yes "$VSORELAY" run -e s -- cat "$WORK/c.log" >"$out" 2>"$err"
check_eq "SYSTEM_UNSAFEALLOWMULTILINESECRET=yes is false: exit 3" 3 $?

# ---- (d) a secret's escaped form is masked too ----
S='p;q-sentinel-7f3a'
E='p%3Bq-sentinel-7f3a'
cat >"$WORK/d.sh" <<SH
echo '##vso[task.setvariable variable=tok;issecret=true;isoutput=true]$E'
echo 'later plain: $S'
echo 'later escaped: $E'
echo '##vso[task.setvariable variable=other;isoutput=true]$E'
SH
"$VSORELAY" run -e tok,other --capture "$WORK/d.cap" --report "$WORK/d.json" --summary "$WORK/d.md" -- sh "$WORK/d.sh" >"$out" 2>"$err"
check_eq "a secret p;q: exit 0" 0 $?
check_grep "the agent is told the escaped form at once" "##vso[task.setsecret]p%AZP253Bq-sentinel-7f3a" "$out"
for f in "$WORK/d.cap" "$WORK/d.json" "$WORK/d.md" "$err"; do
  check_no_grep "$(basename "$f"): no p;q" "$S" "$f"
  check_no_grep "$(basename "$f"): no p%3Bq" "$E" "$f"
done
"$VSORELAY" replay "$WORK/d.cap" >"$out" 2>"$err"
check_no_grep "replay of the capture: no p%3Bq" "$E" "$out"
finish
