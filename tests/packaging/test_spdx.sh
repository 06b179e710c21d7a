#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every source file of the repository carries its SPDX licence line:
#   C, headers, *.in          line 1: /* SPDX-License-Identifier: MIT */
#   shell, CMake, Python, YAML line 1 (line 2 after a #! line): # SPDX-License-Identifier: MIT
#   JavaScript                the same, with //
#   man pages (roff)          line 1: .\" SPDX-License-Identifier: MIT
#   Windows resources (*.rc)  as C
#   XML (*.manifest)          line 2, after the XML declaration: <!-- SPDX-License-Identifier: MIT -->
# A table generated from the Unicode Character Database carries the Unicode
# licence too (C: /* SPDX-License-Identifier: MIT AND Unicode-DFS-2016 */,
# with the licence text in the file).
# Data files are exempt: JSON, logs, Markdown, the licence texts, fuzz corpora,
# .gitignore.  A file that fits no rule fails the test, so that a new kind of
# file gets a rule (or an exemption) on purpose.
# The files are those git tracks (every file under the tree when it is not a
# git checkout, build output and node_modules left out).
#   usage: tests/packaging/test_spdx.sh [SOURCE_DIR]
set -u
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root" || exit 2
PASSED=0 FAILED=0
fail() { FAILED=$((FAILED + 1)); printf 'FAIL: %s\n' "$*" >&2; }

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  list_files() { git ls-files -z --cached --others --exclude-standard; }
else
  list_files() {
    find . \( -path ./build -o -path ./dist -o -name node_modules -o -name .git \) -prune -o -type f -print0 |
      sed -z 's|^\./||'
  }
fi

C='/* SPDX-License-Identifier: MIT */'
HASH='# SPDX-License-Identifier: MIT'
SLASH='// SPDX-License-Identifier: MIT'
ROFF='.\" SPDX-License-Identifier: MIT'
XML='<!-- SPDX-License-Identifier: MIT -->'

# style FILE: which comment style its SPDX line takes; "exempt" for data; "" unknown.
style() {
  local f=$1 first
  case "$f" in
    tests/fuzz/corpus/*) echo exempt; return ;;
    *.json | *.log | *.md | LICENSE | */LICENSE | .gitignore | */.gitignore) echo exempt; return ;;
    *.c | *.h | *.in | *.rc) echo c; return ;;
    *.manifest) echo xml; return ;;
    *.sh | *.bash | *.cmake | CMakeLists.txt | */CMakeLists.txt | *.py | *.yml | *.yaml) echo hash; return ;;
    *.js | *.mjs | *.cjs) echo slash; return ;;
    *.[1-8]) echo roff; return ;;
  esac
  first=$(head -n 1 "$f")
  case "$first" in
    '#!'*node*) echo slash ;;
    '#!'*) echo hash ;;
    *) echo "" ;;
  esac
}

while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue # deleted in the work tree, not yet committed
  s=$(style "$f")
  [ "$s" = exempt ] && continue
  line1=$(head -n 1 "$f")
  line2=$(sed -n 2p "$f")
  case "$s" in
    c) want=$C ;;
    hash) want=$HASH ;;
    slash) want=$SLASH ;;
    roff) want=$ROFF ;;
    xml) want=$XML ;;
    *) fail "$f: no SPDX rule for this kind of file (add one to tests/packaging/test_spdx.sh)"; continue ;;
  esac
  if [ "$line1" = "$want" ]; then
    PASSED=$((PASSED + 1))
  elif [ "$s" = c ] && [ "$line1" = '/* SPDX-License-Identifier: MIT AND Unicode-DFS-2016 */' ] &&
    grep -q 'UNICODE, INC. LICENSE AGREEMENT' "$f"; then
    PASSED=$((PASSED + 1))
  elif [ "$s" != c ] && [ "$s" != roff ] && [ "$s" != xml ] && [ "${line1#'#!'}" != "$line1" ] && [ "$line2" = "$want" ]; then
    PASSED=$((PASSED + 1))
  elif [ "$s" = xml ] && [ "${line1#'<?xml'}" != "$line1" ] && [ "$line2" = "$want" ]; then
    PASSED=$((PASSED + 1))
  else
    fail "$f: expected '$want' as its first line (after a #! line)"
  fi
done < <(list_files)

printf 'test_spdx: %d files with their SPDX line, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
