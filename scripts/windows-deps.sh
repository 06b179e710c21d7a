#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-builds vsorelay's libraries for 64-bit Windows (x86_64-w64-mingw32)
# from Debian's own source packages, as static archives, into PREFIX:
#   libuv   (source package libuv1)  -> PREFIX/lib/libuv_a.a, libuv-static.pc
#   cJSON   (source package cjson)   -> PREFIX/lib/libcjson.a, libcjson.pc
#   cmocka  (source package cmocka)  -> PREFIX/lib/libcmocka.a, cmocka.pc (unit tests)
# Sources are unpacked under PREFIX/../src by scripts/debian-source.sh (never
# committed here).  A library whose Debian version is already installed in
# PREFIX is not built again.
#   usage: scripts/windows-deps.sh PREFIX
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:?usage: windows-deps.sh PREFIX}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
top=$(dirname "$prefix")
toolchain=$PWD/cmake/mingw-w64-x86_64.cmake
jobs=$(nproc)

# The Debian version of a source package as apt would fetch it.
source_version() {
  apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1
}

# build_one PKG [CMAKE_OPTION...]: configure, build and install PKG's source.
build_one() {
  local pkg=$1 stamp version src
  shift
  version=$(source_version "$pkg")
  stamp=$prefix/.built-$pkg
  if [ -n "$version" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
    return 0
  fi
  src=$(scripts/debian-source.sh "$pkg" "$top/src")
  echo "windows-deps: building $pkg ${version:-?} for x86_64-w64-mingw32" >&2
  rm -rf "$top/obj/$pkg"
  cmake -S "$src" -B "$top/obj/$pkg" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DVSORELAY_WINDOWS_PREFIX="$prefix" \
    -DCMAKE_POLICY_DEFAULT_CMP0091=NEW "$@" >"$top/obj/$pkg.configure.log" 2>&1 ||
    { cat "$top/obj/$pkg.configure.log" >&2; exit 1; }
  cmake --build "$top/obj/$pkg" -j "$jobs" >"$top/obj/$pkg.build.log" 2>&1 ||
    { tail -n 40 "$top/obj/$pkg.build.log" >&2; exit 1; }
  cmake --install "$top/obj/$pkg" >/dev/null
  echo "$version" >"$stamp"
}

mkdir -p "$top/obj"
build_one libuv1 -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF
# libuv always builds its DLL too; only the static archive is to be linked,
# so here "libuv" (what CMakeLists.txt asks pkg-config for) is that archive.
rm -rf "$prefix/lib/libuv.dll.a" "$prefix/bin/libuv.dll" "$prefix/lib/cmake/libuv"
sed 's/^Name: libuv-static/Name: libuv/' "$prefix/lib/pkgconfig/libuv-static.pc" >"$prefix/lib/pkgconfig/libuv.pc"

build_one cjson -DBUILD_SHARED_LIBS=OFF -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
  -DENABLE_CUSTOM_COMPILER_FLAGS=OFF -DENABLE_TARGET_EXPORT=OFF -DENABLE_LOCALES=ON

build_one cmocka -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
# cmocka.pc says -lcmocka: make that name the static archive, drop the DLL.
if [ -f "$prefix/lib/libcmocka-static.a" ]; then
  mv -f "$prefix/lib/libcmocka-static.a" "$prefix/lib/libcmocka.a"
fi
rm -rf "$prefix/lib/libcmocka.dll.a" "$prefix/bin/cmocka.dll" "$prefix/bin/libcmocka.dll" "$prefix/lib/cmake/cmocka"

echo "$prefix"
