#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man page vsorelay(1) is clean under `mandoc -Tlint` and keeps up with the
# binary: every option `vsorelay --help` shows and every long option in the
# sources' getopt tables, every sub-command, every environment variable the
# help or the sources read (getenv), and every exit status the help lists.
# When you add an option, an environment variable or an exit status, document
# it in man/vsorelay.1: this test fails until you do.
#   environment: VSORELAY (the binary), SOURCE_DIR (the source tree)
. "$(dirname "$0")/../blackbox/lib.sh"
page=$SOURCE_DIR/man/vsorelay.1

if ! command -v mandoc >/dev/null; then
  fail "mandoc is needed to lint and render the man page (apt-get install mandoc)"
  finish
  exit
fi
mandoc -Tlint -Wstyle "$page" >"$WORK/lint" 2>&1
check_eq "mandoc -Tlint -Wstyle: exit 0" 0 $?
check_eq "mandoc -Tlint -Wstyle: no message" "" "$(cat "$WORK/lint")"

# The page as a reader sees it, one paragraph a line (no hyphenation at line ends).
mandoc -Tascii -Owidth=1000 "$page" | sed 's/.\x08//g' >"$WORK/page.txt"
# section NAME: the rendered lines of that section
section() { awk -v s="$1" '/^[A-Z][A-Z ]*$/ { on = ($0 == s); next } on' "$WORK/page.txt"; }
section "SYNOPSIS" >"$WORK/synopsis.txt"
section "ENVIRONMENT" >"$WORK/environment.txt"
section "EXIT STATUS" >"$WORK/exit.txt"
check "the page has SYNOPSIS, DESCRIPTION, ENVIRONMENT, EXIT STATUS and EXAMPLES" \
  sh -c "for s in SYNOPSIS DESCRIPTION ENVIRONMENT 'EXIT STATUS' EXAMPLES; do grep -qx \"\$s\" '$WORK/page.txt' || exit 1; done"

# documented WORD FILE: WORD appears in FILE as a word of its own
documented() { grep -qE -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|$)" "$1"; }

"$VSORELAY" --help >"$WORK/help.txt" 2>&1
check_eq "vsorelay --help: exit 0" 0 $?

# Long options: those the help shows, and those the getopt tables accept.
{
  grep -oE -- '--[a-z][a-z0-9-]*' "$WORK/help.txt"
  find "$SOURCE_DIR" \( -path "$SOURCE_DIR/build" -o -path "$SOURCE_DIR/tests" -o -name node_modules \) -prune \
    -o -name '*.c' -print0 | xargs -0 grep -hoE '\{"[a-z][a-z0-9-]*", *(no|required|optional)_argument' |
    sed -E 's/^\{"([^"]*)".*/--\1/'
} | sort -u >"$WORK/long-options"
check "at least 20 long options found (the option table was read)" test "$(wc -l <"$WORK/long-options")" -ge 20
while read -r opt; do
  if documented "$WORK/page.txt" "$opt"; then pass; else fail "option $opt is not in man/vsorelay.1"; fi
done <"$WORK/long-options"
# Short options of the help ("-e," or "-h,").
for opt in $(grep -oE -- '(^|[[:space:]])-[a-zA-Z],' "$WORK/help.txt" | tr -d ' ,'); do
  if documented "$WORK/page.txt" "$opt"; then pass; else fail "short option $opt is not in man/vsorelay.1"; fi
done

# Sub-commands of the help's usage lines, in the SYNOPSIS.
for cmd in $(sed -n 's/^  vsorelay \([a-z][a-z]*\) .*/\1/p' "$WORK/help.txt" | sort -u); do
  if documented "$WORK/synopsis.txt" "$cmd"; then pass; else fail "sub-command $cmd is not in the SYNOPSIS"; fi
done

# Environment variables: VSORELAY_* names the help shows, and every getenv("NAME") of the sources.
{
  grep -oE 'VSORELAY_[A-Z0-9_]+' "$WORK/help.txt"
  find "$SOURCE_DIR" \( -path "$SOURCE_DIR/build" -o -path "$SOURCE_DIR/tests" -o -name node_modules \) -prune \
    -o -name '*.c' -print0 | xargs -0 grep -hoE 'getenv\("[A-Za-z_][A-Za-z0-9_]*"\)' | sed -E 's/getenv\("(.*)"\)/\1/'
} | sort -u >"$WORK/env-names"
while read -r name; do
  if documented "$WORK/environment.txt" "$name"; then pass; else fail "environment variable $name is not in ENVIRONMENT"; fi
done <"$WORK/env-names"

# Exit statuses: each code the help's "Exit status:" block lists, in EXIT STATUS.
sed -n '/^Exit status:/,/^[^ ]/p' "$WORK/help.txt" | sed -n 's/^  \([0-9][0-9+N-]*\) .*/\1/p' >"$WORK/codes"
check "the help lists exit statuses" test -s "$WORK/codes"
while read -r code; do
  pattern=$(printf '%s' "$code" | sed 's/-/(-|–)/; s/+/\\+/')
  if grep -qE "^ *$pattern( |$)" "$WORK/exit.txt"; then pass; else fail "exit status $code is not in EXIT STATUS"; fi
done <"$WORK/codes"

# Expectation statuses: every name the code gives (vso_exp_status_name) is in
# the page and in docs/reference.md's table; the report schema the page names
# is the one relay/report.c writes.
sed -n '/^const char \*vso_exp_status_name/,/^}/s/.*return "\([a-z-]*\)";.*/\1/p' "$SOURCE_DIR/core/expect.c" |
  grep -v '^met$' >"$WORK/statuses"
check "the code's expectation statuses were read (at least 7)" test "$(wc -l <"$WORK/statuses")" -ge 7
grep -F 'Otherwise its status is' "$WORK/page.txt" >"$WORK/status-paragraph"
check "the page has the paragraph that lists the statuses" test -s "$WORK/status-paragraph"
while read -r status; do
  if documented "$WORK/status-paragraph" "$status"; then pass
  else fail "expectation status $status is not in man/vsorelay.1's list ('Otherwise its status is ...')"; fi
  if grep -qF -- "| \`$status\` |" "$SOURCE_DIR/docs/reference.md"; then pass
  else fail "expectation status $status is not in docs/reference.md's table"; fi
done <"$WORK/statuses"
schema=$(sed -n 's/^#define REPORT_SCHEMA "\(.*\)"/\1/p' "$SOURCE_DIR/relay/report.c")
check "the report schema was read" test -n "$schema"
check_grep "the page names the report schema the binary writes ($schema)" "$schema" "$WORK/page.txt"
check_no_grep "the page names no other report schema" "$(grep -oE 'vsorelay-report/[0-9]+' "$WORK/page.txt" |
  grep -vx "$schema" | head -n 1 || true)XX-none" "$WORK/page.txt"
finish
