#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every YAML file of the repository is a valid Azure Pipelines document: it
# validates against the official schema (tests/data/azure-pipelines/) with
# Microsoft's validator, the npm package azure-pipelines-language-service.  The
# negative controls in tests/packaging/yaml-invalid/ must each be rejected, so
# that a validator that stopped checking cannot pass in silence.
#   environment: SOURCE_DIR (the source tree); npm packages from tests/node/install.sh
. "$(dirname "$0")/../blackbox/lib.sh"
here=$SOURCE_DIR/tests/packaging
schema=$SOURCE_DIR/tests/data/azure-pipelines/service-schema.json

if ! prefix=$("$SOURCE_DIR/tests/node/install.sh" 2>"$WORK/npm.log"); then
  cat "$WORK/npm.log" >&2
  fail "tests/node/install.sh (npm ci of azure-pipelines-language-service)"
  finish
  exit
fi

# The YAML files of the repository: those git tracks, or all under the tree.
cd "$SOURCE_DIR" || exit 2
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files --cached --others --exclude-standard -- '*.yml' '*.yaml' >"$WORK/all"
else
  find . \( -path ./build -o -path ./dist -o -name node_modules \) -prune -o \( -name '*.yml' -o -name '*.yaml' \) -print |
    sed 's|^\./||' >"$WORK/all"
fi
grep -v '^tests/packaging/yaml-invalid/' "$WORK/all" | while read -r f; do [ -f "$f" ] && echo "$f"; done >"$WORK/valid"
grep '^tests/packaging/yaml-invalid/' "$WORK/all" >"$WORK/invalid"
check "the repository has YAML files to validate (the pipeline sample, the templates)" \
  test "$(wc -l <"$WORK/valid")" -ge 3
check "there is a negative control" test -s "$WORK/invalid"

mapfile -t valid <"$WORK/valid"
node "$here/validate-yaml.js" "$prefix" "$schema" "${valid[@]}" >"$WORK/out" 2>&1
status=$?
cat "$WORK/out"
check_eq "every YAML file validates against the Azure Pipelines schema" 0 "$status"

while read -r f; do
  node "$here/validate-yaml.js" "$prefix" "$schema" "$f" >"$WORK/out" 2>&1
  status=$?
  check_eq "the negative control $f is rejected (exit 1)" 1 "$status"
  check_grep "the negative control $f is rejected for a schema problem" "  $f:" "$WORK/out"
done <"$WORK/invalid"
finish
