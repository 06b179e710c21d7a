#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11, sections 2 and 3, for what vsorelay itself says: no secret in
# clear anywhere it writes (stdout but the commands meant for the agent,
# stderr, capture, report, summary, replay's listing), and no live command
# in any text it prints that came from the child or a file.  Each class with
# its neighbours: secrets across --retries attempts, the keys of a secret
# matrix, quotations cut through a secret (registered before or after),
# overlapping secrets, the final secret set at the end, and "##vso[" in leg
# names, variable names, Dockerfiles and reasons.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
unset TF_BUILD SYSTEM_DEBUG
for v in $(env | sed -n 's/^\(VSORELAY_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done

# own FILE: vsorelay's own lines of a run's stdout, without the commands it
# writes for the agent to register secrets (task.setsecret) or that the child
# wrote itself and that pass through (given as extra grep -v patterns).
own() {
  local file=$1
  shift
  grep -v -e '^##vso\[task.setsecret\]' "$@" "$file"
}

# nowhere TEXT WHAT FILE...: TEXT is in none of the files.
nowhere() {
  local text=$1 what=$2 f
  shift 2
  for f in "$@"; do
    [ -e "$f" ] || continue
    check_no_grep "$what: '$text' not in $(basename "$f")" "$text" "$f"
  done
}

# no_live WHAT FILE...: no file holds a command the agent would run (any case).
no_live() {
  local what=$1 f
  shift
  for f in "$@"; do
    [ -e "$f" ] || continue
    if grep -qi -- '##vso' "$f"; then fail "$what: a live ##vso in $(basename "$f"): $(grep -i -m1 -- '##vso' "$f" | cut -c1-160)"; else pass; fi
  done
}

# ---- 2a. a secret registered in one attempt stays secret in every later one ----------------
S=early-secret-4d2f91
cat >"$WORK/retry.sh" <<SH
n=\$(cat "\$1" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"\$1"
if [ \$n -eq 1 ]; then
  echo "##vso[task.setvariable variable=token;issecret=true]$S"
  exit 0
fi
echo "attempt \$n prints $S in clear"
echo "##vso[task.setvariable variable=url;isoutput=true]https://x:$S@example.invalid"
echo "##vso[ $S has no closing bracket"
echo "##vso[task.bogus$S]x"
[ \$n -ge 3 ] && echo "##vso[task.setvariable variable=done;isoutput=true]yes"
exit 0
SH
for mode in default --verbose; do
  flags=()
  [ $mode = default ] || flags=(--verbose)
  rm -f "$WORK/count"
  "$VSORELAY" run "${flags[@]}" -e url,done --retries 3 --capture "$WORK/cap" --report "$WORK/r.json" \
    --summary "$WORK/s.md" -- sh "$WORK/retry.sh" "$WORK/count" >"$out" 2>"$err"
  check_eq "retries $mode: passes on attempt 3" "0 3" "$? $(cat "$WORK/count")"
  check_eq "retries $mode: the secret was told to the agent at once, in attempt 1" 1 "$(grep -c "^##vso\[task.setsecret\]$S\$" "$out")"
  "$VSORELAY" replay -e url,done --report "$WORK/r2.json" --summary "$WORK/s2.md" "$WORK/cap" >"$WORK/listing" 2>"$WORK/lerr"
  check_eq "retries $mode: the capture replays to the same verdict" 0 $?
  # the child's own plain line and the re-emitted command (for the agent) hold it; nothing else
  own "$out" -e "^attempt [0-9] prints $S in clear\$" -e '^##vso\[task.setvariable variable=url;isoutput=true\]' \
    -e '^##vso\[ ' -e '^##vso\[task.bogus' >"$WORK/own"
  nowhere "$S" "retries $mode" "$WORK/own" "$err" "$WORK/cap" "$WORK/r.json" "$WORK/s.md" "$WORK/listing" \
    "$WORK/lerr" "$WORK/r2.json" "$WORK/s2.md"
done
check_grep "retries: the capture masks the secret of attempt 1 in attempt 3" "attempt 3 prints *** in clear" "$WORK/cap"
check_grep "retries --verbose: a later attempt's copy masks it" "https://x:***@example.invalid" "$out"

# ---- 2b. the keys (leg names) of a secret matrix are never shown ---------------------------------
K1=leg-key-7c1e K2=var-key-b3a0
cat >"$WORK/secret-matrix.log" <<LOG
##vso[task.setvariable variable=bad;issecret=true;isoutput=true]{"$K1": 5}
##vso[task.setvariable variable=bad2;issecret=true;isoutput=true]{"$K1": {"$K2": 1}}
##vso[task.setvariable variable=good;issecret=true;isoutput=true]{"$K1": {"$K2": "v"}}
##vso[task.setvariable variable=once;issecret=true;isoutput=true]once-secret-value-1
##vso[task.setvariable variable=once;isoutput=true]{"$K1": 5}
LOG
"$VSORELAY" run --matrix -e bad,bad2,good,once --report "$WORK/r.json" --summary "$WORK/s.md" --capture "$WORK/cap" \
  -- cat "$WORK/secret-matrix.log" >"$out" 2>"$err"
check_eq "secret matrix: exit 3 (bad, bad2 and once invalid)" 3 $?
check_eq "secret matrix: three errors" 3 "$(grep -c '^##vso\[task.logissue type=error\]vsorelay: expected output variable invalid' "$out")"
check_grep "secret matrix: the reason says why it is silent" "(a secret value: the details are not shown)" "$out"
"$VSORELAY" replay --matrix -e bad,bad2,good,once --report "$WORK/r2.json" --summary "$WORK/s2.md" "$WORK/cap" \
  >"$WORK/listing" 2>"$WORK/lerr"
check_eq "secret matrix: replay of the capture fails alike" 3 $?
"$VSORELAY" replay --matrix -e bad,bad2,good,once "$WORK/secret-matrix.log" >>"$WORK/listing" 2>>"$WORK/lerr"
own "$out" -e '^##vso\[task.setvariable' >"$WORK/own" # (nothing re-emitted: none)
for k in $K1 $K2; do
  nowhere "$k" "secret matrix" "$WORK/own" "$err" "$WORK/r.json" "$WORK/s.md" "$WORK/cap" "$WORK/listing" "$WORK/lerr" \
    "$WORK/r2.json" "$WORK/s2.md"
done
"$VSORELAY" run --verbose --matrix -e good -- cat "$WORK/secret-matrix.log" >"$out" 2>"$err"
check_grep "secret matrix --verbose: the copy is masked" "**vso[task.setvariable variable=good;issecret=true;isoutput=true]***" "$out"
check_eq "secret matrix: the short copy shows no legs" 1 \
  "$("$VSORELAY" run -e good -- cat "$WORK/secret-matrix.log" 2>/dev/null | grep -c 'variable=good;issecret=true;isoutput=true\] (held until the command ends)$')"

# ---- 2c. a quotation is masked before it is cut -------------------------------------------------------
S2=straddling-secret-0123456789abcdef-0123456789abcdef
pad=$(head -c 100 /dev/zero | tr '\0' p)
printf '##vso[task.setsecret]%s\n##vso[ %s%s no bracket\n' "$S2" "$pad" "$S2" >"$WORK/before.log"
printf '##vso[ %s%s no bracket\n##vso[task.setsecret]%s\n' "$pad" "$S2" "$S2" >"$WORK/after.log"
for when in before after; do
  "$VSORELAY" run --report "$WORK/r.json" --summary "$WORK/s.md" --capture "$WORK/cap" -- cat "$WORK/$when.log" \
    >"$out" 2>"$err"
  check_eq "cut $when: exit 0" 0 $?
  check_grep "cut $when: the diagnostic quotes the line, cut" "holds the logging command keyword" "$WORK/r.json"
  "$VSORELAY" replay --report "$WORK/r2.json" --summary "$WORK/s2.md" "$WORK/$when.log" >"$WORK/listing" 2>"$WORK/lerr"
  "$VSORELAY" replay --format json "$WORK/$when.log" >"$WORK/jsonl" 2>>"$WORK/lerr"
  own "$out" -e "^##vso\[ $pad" >"$WORK/own"
  # the first 10 bytes of the secret, which a cut at 120 bytes would leave.
  # (The capture is written as the output arrives, masked with the secrets
  # known then, as the agent's own log is: a value printed before it became
  # secret is in both.)
  [ $when = before ] || rm -f "$WORK/cap"
  nowhere "${S2:0:10}" "cut $when" "$WORK/own" "$err" "$WORK/r.json" "$WORK/s.md" "$WORK/cap" "$WORK/listing" \
    "$WORK/lerr" "$WORK/r2.json" "$WORK/s2.md" "$WORK/jsonl"
done

# ---- 2d. overlapping secrets: qzxSEC and SECRETwvy leave nothing of qzxSECRETwvy ------------------
# (as the agent's masker: overlapping and touching matches merge into one ***).
# The masker that merges them is core/secrets.c (branch leaf): until it is in
# the tree, this case says it is skipped; from then on it must pass.
if [ ! -e "$SOURCE_DIR/core/secrets.h" ]; then
  echo "SKIP: overlapping secrets: the merging masker (core/secrets.c) is not in this tree yet" >&2
else
printf '%s\n' '##vso[task.setsecret]qzxSEC' '##vso[task.setsecret]SECRETwvy' 'plain: qzxSECRETwvy' \
  '##vso[task.setvariable variable=v;isoutput=true]qzxSECRETwvy' '##vso[ qzxSECRETwvy no bracket' \
  '##vso[task.setsecret]kjh' 'touching: kjhkjh' >"$WORK/overlap.log"
"$VSORELAY" run --verbose -e v,w --report "$WORK/r.json" --summary "$WORK/s.md" --capture "$WORK/cap" \
  -- cat "$WORK/overlap.log" >"$out" 2>"$err"
check_eq "overlap: exit 3 (w missing)" 3 $?
"$VSORELAY" replay "$WORK/overlap.log" >"$WORK/listing" 2>"$WORK/lerr"
own "$out" -e '^plain: qzxSECRETwvy$' -e '^touching: kjhkjh$' -e '^##vso\[ qzx' >"$WORK/own"
check_grep "overlap: the live copy masks the merged range" '**vso[task.setvariable variable=v;isoutput=true]***' "$WORK/own"
check_grep "overlap: the capture masks the merged range" 'plain: ***' "$WORK/cap"
check_grep "overlap: the capture masks touching secrets as one" 'touching: ***' "$WORK/cap"
for piece in qzx RETwvy ETwvy wvy kjh; do
  nowhere "$piece" "overlap" "$WORK/own" "$err" "$WORK/r.json" "$WORK/s.md" "$WORK/cap" "$WORK/listing" "$WORK/lerr"
done
fi

# ---- 2e. everything written at the end is masked with the final secret set ---------------------------
printf '%s\n' '##vso[task.bogus-late-value-9f]x' '##vso[ late-value-9f, seen before it was secret' \
  '##vso[task.setvariable variable=late-value-9f;isoutput=true]1' '##vso[task.setsecret]late-value-9f' \
  >"$WORK/late.log"
"$VSORELAY" run -e late-value-9f,other --report "$WORK/r.json" --summary "$WORK/s.md" -- cat "$WORK/late.log" \
  >"$out" 2>"$err"
check_eq "final set: exit 3 (other missing)" 3 $?
"$VSORELAY" replay -e late-value-9f --report "$WORK/r2.json" --summary "$WORK/s2.md" "$WORK/late.log" >"$WORK/listing" 2>"$WORK/lerr"
# (the short copy of the setvariable went out live before the value became
# secret, as the agent's log shows it)
own "$out" -e '^##vso\[task.bogus' -e '^##vso\[ late' -e '^\*\*vso\[task.setvariable variable=late-value-9f;' >"$WORK/own"
nowhere late-value-9f "final set" "$WORK/own" "$err" "$WORK/r.json" "$WORK/s.md" "$WORK/listing" "$WORK/lerr" \
  "$WORK/r2.json" "$WORK/s2.md"
check_grep "final set: the error names what is left" "expected output variable missing (never set): other." "$err"
"$VSORELAY" run -e late-value-9f -- cat "$WORK/late.log" >"$out" 2>"$err"
check_eq "final set: the verified line masks a name that became secret" \
  "vsorelay: 1 of 1 expected output variable verified (***)" "$(tail -n 1 "$err")"

# ---- 3. no live command in any text vsorelay prints ---------------------------------------------------
# a leg name, a variable name of a leg, and a variable's own name holding the keyword
cat >"$WORK/forged.log" <<'LOG'
##vso[task.setvariable variable=m1;isoutput=true]{"##vso[task.complete result=Failed]": 5}
##vso[task.setvariable variable=m2;isoutput=true]{"leg": {"##VSO[task.logissue type=error]x": 1}}
##vso[task.setvariable variable=m3;isoutput=true]{"a\r##vso[task.complete result=Failed]": 5}
##vso[task.setvariable variable=m4;isoutput=true]{'##vso[build.addbuildtag]x': 1}
##vso[ ##vso[task.complete result=Failed] inside a line that is no command
LOG
"$VSORELAY" replay --matrix -e m1,m2,m3,m4 --report "$WORK/r.json" --summary "$WORK/s.md" "$WORK/forged.log" \
  >"$WORK/listing" 2>"$WORK/lerr"
check_eq "forged (replay): exit 3" 3 $?
check_grep "forged (replay): the listing names the leg, inert" "**vso[task.complete result=Failed]" "$WORK/listing"
"$VSORELAY" replay --format json "$WORK/forged.log" >"$WORK/jsonl" 2>>"$WORK/lerr"
no_live "forged (replay)" "$WORK/listing" "$WORK/lerr" "$WORK/r.json" "$WORK/s.md" "$WORK/jsonl"
for agent in no yes; do
  if [ $agent = yes ]; then export TF_BUILD=True; else unset TF_BUILD; fi
  "$VSORELAY" run --matrix -e m1,m2,m3,m4 --report "$WORK/r.json" --summary "$WORK/s.md" -- cat "$WORK/forged.log" \
    >"$out" 2>"$err"
  check_eq "forged (run, TF_BUILD $agent): exit 3" 3 $?
  # every line of vsorelay's stdout that holds ##vso is one of its own five commands
  check_eq "forged (run, TF_BUILD $agent): only vsorelay's own commands are live" "" \
    "$(grep -i -- '##vso' "$out" | grep -vxF -f <(grep '^##vso\[ ' "$WORK/forged.log") |
      grep -v -e '^##vso\[task.logissue type=error\]vsorelay: ' -e '^##vso\[task.complete result=Failed;\]vsorelay: ' \
        -e '^##vso\[task.uploadsummary\]')"
  check_eq "forged (run, TF_BUILD $agent): four errors and the count" 5 "$(grep -c '^##vso\[task\.\(logissue\|complete\)' "$out")"
  check_eq "forged (run, TF_BUILD $agent): no error message holds a second command" 0 \
    "$(grep '^##vso\[task.logissue' "$out" | cut -c2- | grep -ci -- '##vso')"
  no_live "forged (run, TF_BUILD $agent)" "$err" "$WORK/r.json" "$WORK/s.md"
done
unset TF_BUILD
# the --expect names and a hostile manifest's Dockerfiles, in the log's "stood for"
cat >"$WORK/hostile-manifest.json" <<'JSON'
{ "repos": [ { "name": "r", "images": [ { "platforms": [
  { "dockerfile": "src/##vso[task.complete result=Failed]x", "os": "linux", "osVersion": "jammy",
    "architecture": "amd64", "tags": { "t": {} } } ] } ] } ] }
JSON
"$VSORELAY" run --manifest "$WORK/hostile-manifest.json" -e '##vso[task.complete result=Failed]' \
  --summary "$WORK/s.md" --report "$WORK/r.json" -- true >"$out" 2>"$err"
check_eq "hostile manifest: exit 3" 3 $?
check_grep "hostile manifest: the Dockerfile is named, inert" "src/**vso[task.complete result=Failed]x (amd64)" "$err"
check_eq "hostile manifest: only vsorelay's own commands are live" "" \
  "$(grep -i -- '##vso' "$out" | grep -v -e '^##vso\[task.logissue type=error\]vsorelay: ' -e '^##vso\[task.complete result=Failed;\]vsorelay: ' -e '^##vso\[task.uploadsummary\]')"
no_live "hostile manifest" "$err" "$WORK/s.md" "$WORK/r.json"
"$VSORELAY" expect --manifest "$WORK/hostile-manifest.json" >"$out" 2>"$err"
"$VSORELAY" expect --manifest "$WORK/hostile-manifest.json" --format json >>"$out" 2>>"$err"
no_live "hostile manifest (expect)" "$out" "$err"
finish
