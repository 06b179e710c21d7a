#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README is for a newcomer: at most 12 KB, with Quick start, Install, Use and
# the exit status; and no README or docs/ page refers to a file that is not in
# the repository: every relative link, and every `path/in/backticks` that names
# a file of the repository (a top-level directory of it, or a source or document
# extension), must exist.  Build output (build/, dist/) and globs are not files
# of the repository and are left alone.  Nothing may point outside the clone.
#   usage: tests/packaging/test_docs.sh [SOURCE_DIR]
set -u
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root" || exit 2
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# ---- the README ----
size=$(stat -c %s README.md)
if [ "$size" -le 12288 ]; then pass; else fail "README.md is $size bytes, more than 12 KB: move reference material to docs/"; fi
for heading in '## Quick start' '## Install' '## Use' '## Exit status'; do
  if grep -q "^$heading" README.md; then pass; else fail "README.md has no '$heading' section"; fi
done
for fix in 'docker-tools#2125' 'docker-tools#2126'; do
  if grep -qF "$fix" README.md; then pass; else fail "README.md does not say what $fix changed"; fi
done
for cmd in './build.sh demo' './build.sh test'; do
  if grep -qF "$cmd" README.md; then pass; else fail "README.md's Quick start lacks '$cmd'"; fi
done
if grep -qF './build.sh test' .ci/run; then pass; else fail ".ci/run does not run the README's second Quick start command"; fi

# ---- references in README.md and docs/*.md ----
top_level=$(find . -mindepth 1 -maxdepth 1 ! -name build ! -name dist ! -name .git -printf '%f\n' | paste -sd'|')
docs=(README.md)
while IFS= read -r f; do docs+=("$f"); done < <(find docs -name '*.md' 2>/dev/null | sort)

# exists_for DOC PATH: PATH names a file or directory, from the doc's directory or the root
exists_for() {
  local dir target=${2%%#*}
  dir=$(dirname "$1")
  [ -e "$dir/$target" ] || [ -e "$target" ]
}

for doc in "${docs[@]}"; do
  # markdown links: [text](target)
  while IFS= read -r target; do
    case "$target" in http://* | https://* | mailto:* | '#'*) continue ;; esac
    if exists_for "$doc" "$target"; then pass; else fail "$doc links to '$target', which is not in the repository"; fi
  done < <(grep -oE '\]\([^) ]+\)' "$doc" | sed -E 's/^\]\((.*)\)$/\1/')
  # `paths` in backticks
  while IFS= read -r token; do
    case "$token" in
      *' '* | *'*'* | *'<'* | *'>'* | *'$'* | *'{'* | *'='* | *'|'* | *'@'* | *':'* | *'?'* | *'['*) continue ;;
      /* | -* | ~* | build/* | dist/* | */node_modules/* | node_modules/*) continue ;;
      */*) ;;
      *) continue ;;
    esac
    first=${token%%/*}
    if ! printf '%s\n' "$first" | grep -qxE "$top_level" &&
      ! printf '%s\n' "$token" | grep -qE '\.(md|sh|c|h|js|yml|yaml|json|log|cmake|txt|in|[1-8])$'; then
      continue # not a path of this repository (a GitHub repo name, a platform like linux/amd64, ...)
    fi
    if exists_for "$doc" "$token"; then pass; else fail "$doc names '$token', which is not in the repository"; fi
  done < <(grep -oE '`[^`]+`' "$doc" | tr -d '`')
  # nothing outside the clone
  if grep -nE '\.\./shared|/wor[k]/' "$doc" >/dev/null; then
    fail "$doc points outside the repository: $(grep -nE '\.\./shared|/wor[k]/' "$doc" | head -n 3 | tr '\n' ' ')"
  else
    pass
  fi
done
printf 'test_docs: %d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
