#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where issue 11's promises meet issue 10's sources: the generator's
# announcement and ImageBuilder's arguments under --retries, hostile names,
# secrets and byte-order marks, and replay of the capture reaching the
# run's verdict in each case.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
CAT='07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] '

# A child script from listing words: begin, matrix NAME, leg NAME, setv NAME VALUE,
# raw TEXT (each a line of stdout).
cat >"$WORK/ann.sh" <<SH
P='$CAT'
begin() { printf '%sGENERATING BUILD MATRIX\n' "\$P"; }
matrix() { printf '%s  %s:\n' "\$P" "\$1"; }
leg() { printf '%s    %s:\n' "\$P" "\$1"; printf '%s      legName: %s\n' "\$P" "\$1"; }
setv() { printf '##vso[task.setvariable variable=%s;isOutput=true]%s\n' "\$1" "\$2"; }
attempt() { n=\$(cat "$WORK/count" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$WORK/count"; }
SH
# replay_agrees WHAT CAPTURE RUN-STATUS [REPLAY OPTIONS]: replay exits as the run did
replay_agrees() {
  local what=$1 capture=$2 status=$3; shift 3
  "$VSORELAY" replay "$@" "$capture" >"$WORK/replay.out" 2>"$WORK/replay.err"
  check_eq "$what: replay of the capture exits as the run did" "$status" $?
}

# ---- --retries: an attempt whose listing was lost keeps the earlier one ----
cat >"$WORK/lost-listing.sh" <<SH
. "$WORK/ann.sh"; attempt
if [ \$n = 1 ]; then begin; matrix m1; leg a; matrix m2; leg b; fi
[ \$n = 2 ] && [ -n "\${CHANGED:-}" ] && { begin; matrix m1; leg a; }
setv m1 '{"a":{"x":"1"}}'
SH
rm -f "$WORK/count"
"$VSORELAY" run --retries 2 --capture "$WORK/c1" -- sh "$WORK/lost-listing.sh" >"$out" 2>"$err"
check_eq "retry that printed no listing: still fails on the matrix attempt 1 announced" 3 $?
check_grep "retry without a listing: says the earlier one still stands" \
  "vsorelay: attempt 2 printed no generator announcement (GENERATING BUILD MATRIX): the matrices an earlier attempt announced are still expected" "$err"
check_grep "retry without a listing: m2 missing" "expected output variable missing (never set): m2" "$err"
check_eq "retry without a listing: nothing re-emitted" 0 "$(grep -c '^##vso\[task.setvariable' "$out")"
replay_agrees "retry without a listing" "$WORK/c1" 3
check_grep "replay: says the earlier listing still stands" "replay: attempt 3 printed no generator announcement" "$WORK/replay.err"
rm -f "$WORK/count"
CHANGED=1 "$VSORELAY" run --retries 2 --capture "$WORK/c2" -- sh "$WORK/lost-listing.sh" >"$out" 2>"$err"
check_eq "a retry whose listing names fewer matrices: its own listing counts" 0 $?
check_grep "the last listing: m1 verified" "vsorelay: 1 of 1 expected output variable verified (m1)" "$err"
replay_agrees "a retry with a shorter listing" "$WORK/c2" 0

# ---- a secret that masks the listing's own words: replay never passes where it cannot read ----
cat >"$WORK/masked-listing.sh" <<SH
. "$WORK/ann.sh"
printf '##vso[task.setsecret]%s\n' "\$SECRET"
begin; matrix m1; leg a; matrix m2; leg b
setv m1 '{"a":{"x":"1"}}'
[ -n "\${HEALTHY:-}" ] && setv m2 '{"b":{"x":"1"}}'
true
SH
for secret in Microsoft 'Commands.GenerateBuildMatrixCommand' '[0] ' 'o: Micro' '  ' 'm2:' 'a:'; do
  SECRET=$secret "$VSORELAY" run --capture "$WORK/c3" -- sh "$WORK/masked-listing.sh" >"$out" 2>"$err"
  check_eq "secret '$secret' in the listing's words, m2 lost: run fails" 3 $?
  replay_agrees "secret '$secret' in the listing's words, m2 lost" "$WORK/c3" 3
  check_no_grep "secret '$secret': not in the capture" "$secret" "$WORK/c3"
  SECRET=$secret HEALTHY=1 "$VSORELAY" run --capture "$WORK/c4" -- sh "$WORK/masked-listing.sh" >"$out" 2>"$err"
  check_eq "secret '$secret' in the listing's words, healthy: run passes" 0 $?
  "$VSORELAY" replay "$WORK/c4" >"$WORK/replay.out" 2>"$WORK/replay.err"
  check_eq "secret '$secret', healthy: replay cannot read the listing, fails closed" 3 $?
  check_grep "secret '$secret', healthy: replay says why" "a secret masks the generator's announcement" "$WORK/replay.err"
done
# a secret inside a matrix's or a leg's name is masked alike in the listing and the value: replay agrees
for secret in m1 Arm64; do
  SECRET=$secret HEALTHY=1 "$VSORELAY" run --capture "$WORK/c5" -- sh "$WORK/masked-listing.sh" >"$out" 2>"$err"
  check_eq "secret '$secret' in a name, healthy: run passes" 0 $?
  replay_agrees "secret '$secret' in a name, healthy" "$WORK/c5" 0
  check_no_grep "secret '$secret' in a name: no @listing masked record" "@listing masked" "$WORK/c5"
done

# ---- announced legs without Dockerfiles: the error names the matrix, with no empty description ----
SECRET=unused "$VSORELAY" run -- sh "$WORK/masked-listing.sh" >"$out" 2>"$err"
check_grep "a lost matrix whose legs list no Dockerfile: said without an empty ': .'" \
  "expected output variable missing (never set): m2. The command succeeded" "$err"

finish
