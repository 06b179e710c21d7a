#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One entry point for a fresh Debian bookworm machine:
#   ./build.sh demo    install what is missing, build, replay the bundled go-images logs
#   ./build.sh test    install what is missing, build (gcc, clang, ASan+UBSan), run every test
#   ./build.sh build   install what is missing and build the default preset
#   ./build.sh valgrind  the unit tests under valgrind memcheck (no error, no leak)
# Installing needs root (or sudo); nothing is downloaded at build time except the
# npm package azure-pipelines-task-lib that the interoperability test runs against.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(gcc clang libclang-rt-14-dev cmake make pkg-config valgrind time libuv1-dev libcjson-dev libcmocka-dev)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "build.sh: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() { # build PRESET
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$(nproc)"
}

demo() {
  build default
  local v=build/default/relay/vsorelay logs=samples/go-images
  local expect=linuxArm32,linuxArm64,linuxAmd64,windowsLtsc2025Amd64,windowsLtsc2022Amd64
  echo
  echo "== the healthy generateBuildMatrix log =="
  "$v" replay --expect "$expect" "$logs/generate-build-matrix.healthy.log" && echo "(exit 0)"
  echo
  echo "== the broken log of 2026-05-25: the tail with linuxAmd64 was lost =="
  local status=0
  "$v" replay --expect "$expect" "$logs/generate-build-matrix.broken.log" || status=$?
  echo "(exit $status: vsorelay fails the step instead of skipping Linux_amd64 in silence)"
  [ "$status" -eq 3 ]
}

# Each unit test binary under memcheck: any error or leak fails.
valgrind_units() {
  build default
  local t
  for t in build/default/tests/test_*; do
    [ -x "$t" ] || continue
    echo "valgrind: $t"
    VSO_UNDER_VALGRIND=1 valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect \
      --errors-for-leak-kinds=definite,indirect "$t" >/dev/null
  done
  echo "valgrind: no error, no leak"
}

run_tests() {
  build default
  ctest --preset default -j "$(nproc)"
  build clang
  ctest --preset clang -j "$(nproc)"
  build sanitize
  ctest --preset sanitize -j "$(nproc)"
  valgrind_units
  if [ -x tests/fuzz/run-smoke.sh ]; then tests/fuzz/run-smoke.sh 15; fi
}

case "${1:-}" in
  demo) install_missing; demo ;;
  test) install_missing; run_tests ;;
  build) install_missing; build default ;;
  valgrind) install_missing; valgrind_units ;;
  *) echo "usage: ./build.sh demo|test|build|valgrind" >&2; exit 2 ;;
esac
