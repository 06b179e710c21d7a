#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The size limits of the source (docs/design.md, "Rules of the house"): no C
# file over 600 lines, no function over 80.  A function is counted from the
# line that opens its body (a top-level line ending in "{" that is not a
# struct, union, enum or initialiser) to the "}" alone in column 0 that
# closes it.  Prints every file or function over its limit; exit 1 if any.
#
#   scripts/check-limits.sh [DIR]     (default: the source tree)
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
MAX_FILE=${MAX_FILE:-600}
MAX_FUNCTION=${MAX_FUNCTION:-80}

cd "$ROOT"
files=$(find core relay tests samples -name build -prune -o \( -name '*.c' -o -name '*.h' \) -print | sort)
[ -n "$files" ] || { echo "check-limits.sh: no C files under $ROOT" >&2; exit 2; }
# shellcheck disable=SC2086
awk -v max_file="$MAX_FILE" -v max_fn="$MAX_FUNCTION" '
  FNR == 1 { if (prev != "" && prev_lines > max_file) { printf "%s: %d lines (limit %d)\n", prev, prev_lines, max_file; bad++ }
             in_fn = 0; sig = 0 }
  { prev = FILENAME; prev_lines = FNR }
  !in_fn && !sig && /^[A-Za-z_]/ && /[}][ \t]*$/ { next } # a function on one line
  # a signature starts in column 0 and may go on over indented lines
  !in_fn && !sig && /^[A-Za-z_][^=]*[(]/ && !/^(typedef|struct|union|enum)/ && !/;[ \t]*$/ {
    sig = 1; name = $0 }
  sig && /[{][ \t]*$/ { sig = 0; in_fn = 1; start = FNR; next }
  sig && /;[ \t]*$/ { sig = 0 }
  in_fn && /^[}]$/ {
    n = FNR - start + 1
    if (n > max_fn) { sub(/[(].*/, "", name); printf "%s:%d: %s: %d lines (limit %d)\n", FILENAME, start, name, n, max_fn; bad++ }
    in_fn = 0 }
  END { if (prev_lines > max_file) { printf "%s: %d lines (limit %d)\n", prev, prev_lines, max_file; bad++ }
        exit bad ? 1 : 0 }
' $files
