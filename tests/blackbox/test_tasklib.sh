#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interoperability with the real npm package azure-pipelines-task-lib: the lines
# its setVariable prints read back to the same name, flags and value, and
# `run` re-emits them byte for byte.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")/tasklib
# The version package-lock.json pins, installed once with npm ci (tests/node/install.sh).
if ! tasklib=$("$SOURCE_DIR/tests/node/install.sh" 2>"$WORK/npm.log"); then
  cat "$WORK/npm.log" >&2
  fail "tests/node/install.sh (npm ci of azure-pipelines-task-lib)"
  finish
  exit 1
fi
out=$WORK/out.txt err=$WORK/err.txt

node "$here/emit.js" "$tasklib" "$WORK/expected.json" >"$WORK/tasklib.log"
check_eq "task-lib ran" 0 $?
"$VSORELAY" replay --format json "$WORK/tasklib.log" >"$WORK/replay.jsonl" 2>"$err"
check_eq "replay of task-lib output: exit 0" 0 $?
check "every value, name and flag reads back" node "$here/check.js" "$WORK/expected.json" "$WORK/replay.jsonl"

# run re-emits task-lib's own lines, byte for byte, after the neutralised stream
"$VSORELAY" run -e semicolon,bracket,percent,crlf,unicode,matrix,sec -- node "$here/emit.js" "$tasklib" "$WORK/expected2.json" >"$out" 2>"$err"
check_eq "run around task-lib: exit 0" 0 $?
grep '^##vso\[task.setvariable' "$WORK/tasklib.log" >"$WORK/want"
grep '^##vso\[task.setvariable' "$out" >"$WORK/got"
check "re-emitted lines are task-lib's lines" cmp -s "$WORK/want" "$WORK/got"
"$VSORELAY" run -e notOutput,empty -- node "$here/emit.js" "$tasklib" "$WORK/expected3.json" >"$out" 2>"$err"
check_eq "not-output and empty values fail: exit 3" 3 $?
finish
