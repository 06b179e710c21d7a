#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The packages CPack makes from a build tree: the .deb (its Depends from
# dpkg-shlibdeps, its files) installed with dpkg -i, used (vsorelay --version,
# man -w vsorelay, a run), and removed with dpkg -r; and the .tar.gz's files.
#   usage: tests/packaging/test_deb.sh BUILD_DIR      (e.g. build/default, built)
# Installing needs root (CI runs as root on a throwaway machine): as any other
# user the install part says it is skipped.  A vsorelay package that is already
# installed is left alone (the install part is skipped, with a line saying so).
set -u
build=$(cd "${1:?usage: test_deb.sh BUILD_DIR}" && pwd)
SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
VSORELAY=/usr/bin/vsorelay
export SOURCE_DIR VSORELAY
. "$SOURCE_DIR/tests/blackbox/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt

# ---- build both packages into $WORK/pkg ----
if ! cpack --config "$build/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1; then
  cat "$WORK/cpack.log" >&2
  fail "cpack"
  finish
  exit
fi
deb=$(find "$WORK/pkg" -maxdepth 1 -name 'vsorelay_*.deb' | head -n 1)
tgz=$(find "$WORK/pkg" -maxdepth 1 -name 'vsorelay-*.tar.gz' | head -n 1)
check "cpack made a .deb" test -n "$deb"
check "cpack made a .tar.gz" test -n "$tgz"
version=$(sed -n 's/^#define VSO_VERSION "\(.*\)"$/\1/p' "$build/generated/version.h")

# ---- the .deb's control data and files ----
check_eq "the .deb's Package" vsorelay "$(dpkg-deb -f "$deb" Package)"
check_eq "the .deb's Version" "$version" "$(dpkg-deb -f "$deb" Version)"
depends=$(dpkg-deb -f "$deb" Depends)
check "the .deb has Depends (dpkg-shlibdeps)" test -n "$depends"
# Every shared library the binary links comes from a package that Depends names,
# with a version floor, as dpkg-shlibdeps writes it.
dpkg-deb -x "$deb" "$WORK/deb-root"
for lib in $(readelf -d "$WORK/deb-root/usr/bin/vsorelay" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  # the package that holds it, under its multiarch directory (/lib or /usr/lib)
  pkg=$(dpkg -S "*/$(gcc -print-multiarch)/$lib" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1)
  case ", $depends," in
    *", $pkg (>= "*) pass ;;
    *) fail "Depends '$depends' does not name $pkg (>= ...), the package of $lib" ;;
  esac
done
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$WORK/deb-files"
for f in ./usr/bin/vsorelay ./usr/share/man/man1/vsorelay.1.gz ./usr/share/doc/vsorelay/README.md \
  ./usr/share/doc/vsorelay/LICENSE ./usr/share/doc/vsorelay/docs/reference.md; do
  check "the .deb holds $f" grep -qxF "$f" "$WORK/deb-files"
done
check "the .deb's binary is stripped" sh -c "! readelf -S '$WORK/deb-root/usr/bin/vsorelay' | grep -q debug_info"
check "the .deb's man page is the repository's" sh -c "gzip -dc '$WORK/deb-root/usr/share/man/man1/vsorelay.1.gz' | cmp -s - '$SOURCE_DIR/man/vsorelay.1'"

# ---- the .tar.gz ----
tar -tzf "$tgz" | sed 's|^[^/]*/||' >"$WORK/tgz-files"
for f in bin/vsorelay share/man/man1/vsorelay.1.gz share/doc/vsorelay/README.md share/doc/vsorelay/LICENSE; do
  check "the .tar.gz holds $f" grep -qxF "$f" "$WORK/tgz-files"
done

# ---- dpkg -i, use, dpkg -r ----
if [ "$(id -u)" -ne 0 ]; then
  echo "test_deb: dpkg -i / dpkg -r part SKIPPED: needs root (CI runs as root)"
  finish
  exit
fi
if dpkg-query -W -f='${Status}' vsorelay 2>/dev/null | grep -q 'install ok installed'; then
  echo "test_deb: dpkg -i / dpkg -r part SKIPPED: a vsorelay package is installed on this machine already"
  finish
  exit
fi
command -v man >/dev/null || fail "man is needed for man -w (apt-get install man-db)"
trap 'dpkg -r vsorelay >/dev/null 2>&1; rm -rf "$WORK"' EXIT
# --path-include: images that exclude /usr/share/man and /usr/share/doc from
# every package (Docker's slim images do) still get this package's.
# quiet: dpkg's output is shown when it fails
quiet() { "$@" >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; return 1; }; }
check "dpkg -i" quiet dpkg --path-include='/usr/share/man/man1/vsorelay*' \
  --path-include='/usr/share/doc/vsorelay/*' -i "$deb"
check_eq "vsorelay is on PATH at /usr/bin" /usr/bin/vsorelay "$(command -v vsorelay)"
check_eq "vsorelay --version" "vsorelay $version" "$(vsorelay --version 2>&1)"
check_eq "man -w vsorelay" /usr/share/man/man1/vsorelay.1.gz "$(man -w vsorelay 2>&1)"
check "the doc dir holds the licence" test -f /usr/share/doc/vsorelay/LICENSE
vsorelay replay --expect "$GO_EXPECT" "$BROKEN" >"$out" 2>"$err"
check_eq "the installed vsorelay fails the broken log: exit 3" 3 $?
check "dpkg -r" quiet dpkg -r vsorelay
check "the binary is gone" test ! -e /usr/bin/vsorelay
check "the man page is gone" test ! -e /usr/share/man/man1/vsorelay.1.gz
check_eq "the package is not installed" "" "$(dpkg-query -W -f='${Status}' vsorelay 2>/dev/null | grep 'install ok installed')"
finish
