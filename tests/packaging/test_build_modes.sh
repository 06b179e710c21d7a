#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Each mode of build.sh installs what it needs and nothing more: on a machine
# where nothing is installed, `demo` and `build` ask apt-get for a compiler,
# cmake and the -dev packages, never for clang, valgrind, node or npm; `test`
# adds the test tools; `windows` asks for mingw-w64.  build.sh runs here with stand-ins for dpkg-query
# (nothing is installed), apt-get (records what it is asked for) and cmake
# (stops the mode once its packages are in), so nothing is installed or built.
#   environment: SOURCE_DIR (the source tree)
. "$(dirname "$0")/../blackbox/lib.sh"
fake=$WORK/fake-bin
mkdir -p "$fake"
printf '#!/bin/sh\nexit 1\n' >"$fake/dpkg-query"
printf '#!/bin/sh\necho "$*" >>"$APT_LOG"\n' >"$fake/apt-get"
printf '#!/bin/sh\necho "fake cmake: stop here" >&2\nexit 97\n' >"$fake/cmake"
printf '#!/bin/sh\nexec "$@"\n' >"$fake/sudo"
chmod +x "$fake"/*

# installs MODE: the packages `./build.sh MODE` asks apt-get to install, one a line
installs() {
  APT_LOG=$WORK/apt-$1.log
  : >"$APT_LOG"
  APT_LOG=$APT_LOG PATH="$fake:$PATH" bash "$SOURCE_DIR/build.sh" "$1" >"$WORK/$1.out" 2>&1
  sed -n 's/^install -y -qq --no-install-recommends //p' "$APT_LOG" | tr ' ' '\n' | sed '/^$/d' | sort -u
}

for mode in demo build; do
  installs "$mode" >"$WORK/$mode.pkgs"
  check_grep "build.sh $mode stops at the stand-in cmake (its packages are in)" "fake cmake: stop here" "$WORK/$mode.out"
  for p in gcc libc6-dev make cmake pkg-config libuv1-dev libcjson-dev; do
    check "build.sh $mode installs $p" grep -qx "$p" "$WORK/$mode.pkgs"
  done
  for p in clang valgrind nodejs npm mandoc busybox-static; do
    check "build.sh $mode does not install $p" sh -c "! grep -q '^$p' '$WORK/$mode.pkgs'"
  done
done

installs deb >"$WORK/deb.pkgs"
check_grep "build.sh deb stops at the stand-in cmake (its packages are in)" "fake cmake: stop here" "$WORK/deb.out"
for p in gcc cmake libuv1-dev libcjson-dev dpkg-dev file; do
  check "build.sh deb installs $p" grep -qx "$p" "$WORK/deb.pkgs"
done
check "build.sh deb does not install clang" sh -c "! grep -q '^clang' '$WORK/deb.pkgs'"

# windows: the cross compiler and what unpacks Debian's sources, not the test tools
installs windows >"$WORK/windows.pkgs"
for p in gcc-mingw-w64-x86-64-win32 mingw-w64-x86-64-dev cmake pkg-config dpkg-dev; do
  check "build.sh windows installs $p" grep -qx "$p" "$WORK/windows.pkgs"
done
for p in clang valgrind nodejs npm libuv1-dev; do
  check "build.sh windows does not install $p" sh -c "! grep -q '^$p' '$WORK/windows.pkgs'"
done

installs test >"$WORK/test.pkgs"
check_grep "build.sh test stops at the stand-in cmake (its packages are in)" "fake cmake: stop here" "$WORK/test.out"
for p in gcc cmake libuv1-dev libcjson-dev libcmocka-dev clang valgrind mandoc man-db busybox-static dpkg-dev file \
  gcc-mingw-w64-x86-64-win32; do
  check "build.sh test installs $p" grep -qx "$p" "$WORK/test.pkgs"
done
finish
