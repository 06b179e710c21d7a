# SPDX-License-Identifier: MIT
# Shared helpers for the black-box tests of the vsorelay binary.
# Each test script sources this, calls check/... and ends with `finish`,
# which prints "N passed, M failed" and exits non-zero on any failure.
set -u
: "${VSORELAY:?set VSORELAY to the vsorelay binary}"
: "${SOURCE_DIR:?set SOURCE_DIR to the source tree}"
HELPERS=${HELPERS:-}
SAMPLES=${SAMPLES:-}
PASSED=0
FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vsorelay-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

HEALTHY=$SOURCE_DIR/samples/go-images/generate-build-matrix.healthy.log
BROKEN=$SOURCE_DIR/samples/go-images/generate-build-matrix.broken.log
GO_EXPECT=linuxArm32,linuxArm64,linuxAmd64,windowsLtsc2025Amd64,windowsLtsc2022Amd64

# short_copies <LOG: the log as run shows it live by default: each
# task.setvariable line with its short copy ("**vso[...] (held until the
# command ends: N bytes)").  For logs whose values are plain (no matrix, no
# escapes, no secret, under 1,000 bytes), as the helpers write them.
short_copies() {
  LC_ALL=C awk '{
    i = index($0, "##vso[task.setvariable")
    if (!i) { print; next }
    j = index(substr($0, i), "]")
    head = substr($0, 1, i + j - 1); n = length($0) - (i + j - 1)
    sub(/##vso\[/, "**vso[", head)
    printf "%s (held until the command ends: %d %s)\n", head, n, n == 1 ? "byte" : "bytes"
  }'
}

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
  local what=$1; shift
  if "$@"; then pass; else fail "$what"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
  if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}

# check_grep DESCRIPTION PATTERN FILE (fixed string)
check_grep() {
  if grep -qF -- "$2" "$3"; then pass; else fail "$1: '$2' not found in $3"; fi
}

# check_no_grep DESCRIPTION PATTERN FILE (fixed string)
check_no_grep() {
  if grep -qF -- "$2" "$3"; then fail "$1: '$2' found in $3"; else pass; fi
}

finish() {
  printf '%s: %d passed, %d failed\n' "$(basename "$0" .sh)" "$PASSED" "$FAILED"
  [ "$FAILED" -eq 0 ]
}
