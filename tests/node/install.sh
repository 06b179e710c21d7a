#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the npm packages the tests run against (azure-pipelines-task-lib,
# azure-pipelines-language-service), exactly as package-lock.json pins them,
# with `npm ci` into tests/node/node_modules.  Does nothing when that install
# is already there for this lockfile; safe to call from tests running in
# parallel (one install at a time, under a lock).  Prints the directory to
# give to node as the prefix of node_modules.
#   usage: tests/node/install.sh
# To change a version: edit package.json, run `npm install` in tests/node, and
# commit both package.json and package-lock.json.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v npm >/dev/null || { echo "tests/node/install.sh: npm is required (apt-get install npm)" >&2; exit 2; }

stamp=$here/node_modules/.vsorelay-lock.sha256
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
# The lock lives outside the tree (npm ci replaces node_modules wholesale).
exec 9>"${TMPDIR:-/tmp}/vsorelay-npm-ci.$(printf '%s' "$here" | sha256sum | cut -c1-16).lock"
flock 9
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "tests/node/install.sh: npm ci in $here" >&2
  log=$(mktemp)
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "tests/node/install.sh: npm ci failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi
echo "$here"
