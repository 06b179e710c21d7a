#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One entry point for a fresh Debian machine (bookworm or trixie), as root or with sudo.
# Each mode installs what it needs and nothing more:
#   ./build.sh demo      build, then replay the bundled go-images logs (healthy: exit 0, broken: exit 3)
#   ./build.sh build     build the default preset (build/default)
#   ./build.sh test      everything CI runs: gcc, clang and ASan+UBSan builds with every test,
#                        valgrind, a fuzz smoke run, the .deb and the static binary tested,
#                        and the Windows build's tests under Wine
#   ./build.sh dist      the static single-file binary: dist/vsorelay-VERSION-linux-x86_64.tar.gz
#   ./build.sh deb       the .deb and .tar.gz packages (CPack) in build/packages
#   ./build.sh valgrind  the unit tests under valgrind memcheck (no error, no leak)
#   ./build.sh windows   vsorelay.exe for 64-bit Windows, cross-built with mingw-w64, libuv,
#                        cJSON and cmocka built from Debian's source packages (build/windows)
#   ./build.sh windows-test  the Windows build, then its tests under Wine
# demo and build need only a C compiler, cmake, pkg-config and three -dev packages;
# test adds the test tools (clang, valgrind, node, mandoc, ...).  Nothing is
# downloaded at build time but Debian packages (apt-get; for dist and windows,
# Debian's source packages) and, for test, the npm packages tests/node/package-lock.json pins.
set -euo pipefail
cd "$(dirname "$0")"

# What building needs (the default preset also builds the cmocka unit tests);
# libc6-dev is only a Recommends of gcc, which --no-install-recommends skips.
BUILD_PACKAGES=(gcc libc6-dev make cmake pkg-config libuv1-dev libcjson-dev libcmocka-dev)
# What the static binary needs: glibc's libc.a (libc6-dev), libuv's static archive
# (libuv1-dev), and dpkg-dev to unpack Debian's cJSON source (scripts/debian-source.sh).
DIST_PACKAGES=(gcc make cmake pkg-config libc6-dev libuv1-dev dpkg-dev xz-utils)
# What the tests add.  The libFuzzer runtime (libclang-rt-N-dev) is chosen for the
# clang that is installed, once clang is there: see install_fuzzer_runtime.
# What CPack's .deb needs: dpkg-shlibdeps (dpkg-dev) and file, to compute Depends.
DEB_PACKAGES=(dpkg-dev file)
TEST_PACKAGES=(clang valgrind time mandoc man-db busybox-static "${DEB_PACKAGES[@]}")
# The Windows cross build: mingw-w64 with the -win32 thread model (no winpthread
# DLL to ship), dpkg-dev for the libraries' Debian sources; Wine's 64-bit loader
# (package wine64, bookworm and trixie) to run the tests; script(1) (bsdutils,
# essential) gives Wine a terminal for the Ctrl+C test.
WINDOWS_PACKAGES=(gcc-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 mingw-w64-x86-64-dev make cmake pkg-config
  dpkg-dev xz-utils)
# (time: /usr/bin/time measures peak memory in the black-box tests)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  echo "build.sh: installing $*" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# install_missing PACKAGE...: installs those that are not installed yet.
install_missing() {
  local missing=() p
  for p in $(printf '%s\n' "$@" | sort -u); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
}

# node and npm, unless some node and npm are on PATH already (e.g. NodeSource's).
install_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
}

# The libFuzzer runtime of the clang on PATH: Debian ships it as libclang-rt-N-dev
# for clang N (bookworm: 14, trixie: 19).  Where there is no such package, the
# fuzz smoke run says it is skipped.
install_fuzzer_runtime() {
  local major
  major=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
  [ -n "$major" ] || return 0
  if apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1; then
    install_missing "libclang-rt-$major-dev"
  fi
}

# Wine, unless a loader is there already (wine-run.sh finds it).
install_wine() {
  [ -x /usr/lib/wine/wine64 ] || [ -x /usr/lib/wine/wine ] || command -v wine64 >/dev/null ||
    command -v wine >/dev/null || apt_install wine64
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

# The static binary: Debian's cJSON source, a static build, a tarball in dist/.
dist() {
  local cjson stage version name
  DIST_TARBALL=
  if [ "$(uname -sm)" != "Linux x86_64" ]; then
    echo "build.sh dist: the static binary is built for x86-64 Linux, on x86-64 Linux; this is $(uname -sm)" >&2
    exit 2
  fi
  cjson=$(scripts/debian-source.sh cjson build/debian-source)
  cmake -S . -B build/dist -DCMAKE_BUILD_TYPE=Release -DVSORELAY_TESTS=OFF \
    -DVSORELAY_STATIC_BINARY=ON -DVSORELAY_CJSON_SOURCE_DIR="$cjson" >/dev/null
  cmake --build build/dist -j "$(nproc)" --target vsorelay vsorelay-man
  stage=build/dist/stage
  rm -rf "$stage" && mkdir -p "$stage/files"
  cmake --install build/dist --prefix "$stage/install" --strip >/dev/null
  if readelf -d "$stage/install/bin/vsorelay" 2>/dev/null | grep -q NEEDED; then
    echo "build.sh: the dist binary is not static:" >&2
    readelf -d "$stage/install/bin/vsorelay" | grep NEEDED >&2
    exit 1
  fi
  version=$("$stage/install/bin/vsorelay" --version | cut -d' ' -f2)
  cp "$stage/install/bin/vsorelay" man/vsorelay.1 LICENSE "$stage/files/"
  name=vsorelay-$version-linux-x86_64.tar.gz
  mkdir -p dist
  # Reproducible: sorted names, no owner, the last commit's time.
  local mtime=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
    -C "$stage/files" -cf - vsorelay LICENSE vsorelay.1 | gzip -9n >"dist/$name"
  (cd dist && sha256sum "$name" >"$name.sha256")
  DIST_TARBALL=dist/$name
  echo "build.sh: dist/$name ($(stat -c %s "dist/$name") bytes; vsorelay $(stat -c %s "$stage/files/vsorelay") bytes, static)"
}

# vsorelay.exe: the libraries for Windows (static, from Debian's sources, built
# once per Debian version), then the windows preset.
windows_build() {
  scripts/windows-deps.sh build/windows-deps/prefix >/dev/null
  build windows
}

# Every Windows test under Wine, in one Wine session.
windows_test() {
  windows_build
  tests/windows/wine-run.sh --session ctest --preset windows -j "$(nproc)"
}

# ---- one function per mode --------------------------------------------------
mode_demo() {
  install_missing "${BUILD_PACKAGES[@]}"
  demo
}

mode_build() {
  install_missing "${BUILD_PACKAGES[@]}"
  build default
}

mode_dist() {
  install_missing "${DIST_PACKAGES[@]}"
  dist
}

mode_deb() {
  install_missing "${BUILD_PACKAGES[@]}" "${DEB_PACKAGES[@]}"
  build default
  cpack --config build/default/CPackConfig.cmake -B build/packages
}

mode_valgrind() {
  install_missing "${BUILD_PACKAGES[@]}" valgrind
  valgrind_units
}

mode_windows() {
  install_missing "${WINDOWS_PACKAGES[@]}"
  windows_build
}

mode_windows_test() {
  install_missing "${WINDOWS_PACKAGES[@]}"
  install_wine
  windows_test
}

mode_test() {
  install_missing "${BUILD_PACKAGES[@]}" "${DIST_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${WINDOWS_PACKAGES[@]}"
  install_wine
  install_fuzzer_runtime
  install_node
  tests/node/install.sh >/dev/null # npm ci, once, before the tests that use it
  build default
  ctest --preset default -j "$(nproc)"
  build clang
  ctest --preset clang -j "$(nproc)"
  build sanitize
  ctest --preset sanitize -j "$(nproc)"
  valgrind_units
  tests/fuzz/run-smoke.sh 15 # or one line saying it is skipped: no libFuzzer runtime
  # Packages: the .deb installed and removed; the static binary alone in a chroot.
  tests/packaging/test_deb.sh build/default
  dist
  tests/packaging/test_static.sh "$DIST_TARBALL"
  # Windows: vsorelay.exe cross-built, its unit and black-box tests under Wine.
  windows_test
}

case "${1:-}" in
  demo) mode_demo ;;
  build) mode_build ;;
  test) mode_test ;;
  dist) mode_dist ;;
  deb) mode_deb ;;
  valgrind) mode_valgrind ;;
  windows) mode_windows ;;
  windows-test) mode_windows_test ;;
  *) echo "usage: ./build.sh demo|build|test|dist|deb|valgrind|windows|windows-test" >&2; exit 2 ;;
esac
