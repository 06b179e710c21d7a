#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The static tarball of `./build.sh dist`: it holds vsorelay, LICENSE and the man
# page; the binary is static; and it works in a chroot that holds nothing but
# it, a static busybox (Debian's busybox-static) and the two go-images sample
# logs: no libc, no /etc, no /dev, no /proc.
#   usage: tests/packaging/test_static.sh dist/vsorelay-VERSION-linux-x86_64.tar.gz
# Needs root for chroot (CI runs as root), or unprivileged user namespaces
# (unshare -r); otherwise it says it is skipped and exits 0.
set -u
tarball=${1:?usage: test_static.sh TARBALL}
SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
VSORELAY=unpacked-below # lib.sh wants it set; it is the binary from the tarball
export SOURCE_DIR VSORELAY
. "$SOURCE_DIR/tests/blackbox/lib.sh"
mkdir -p "$WORK/unpacked"
VSORELAY=$WORK/unpacked/vsorelay

# ---- the tarball ----
check "the tarball unpacks" tar -xzf "$tarball" -C "$WORK/unpacked"
check_eq "the tarball holds vsorelay, LICENSE, vsorelay.1 and nothing else" \
  "LICENSE vsorelay vsorelay.1" "$(tar -tzf "$tarball" | sort | tr '\n' ' ' | sed 's/ $//')"
check "the man page in it is the repository's" cmp -s "$WORK/unpacked/vsorelay.1" "$SOURCE_DIR/man/vsorelay.1"
check "the LICENSE in it is the repository's" cmp -s "$WORK/unpacked/LICENSE" "$SOURCE_DIR/LICENSE"
check "vsorelay is executable" test -x "$VSORELAY"
check_eq "vsorelay is an x86-64 ELF" "Advanced Micro Devices X86-64" \
  "$(readelf -h "$VSORELAY" | sed -n 's/^ *Machine: *//p')"
check_eq "vsorelay asks for no dynamic loader (no PT_INTERP)" "" "$(readelf -l "$VSORELAY" | grep -i 'interp')"
check_eq "vsorelay needs no shared library (no DT_NEEDED)" "" "$(readelf -d "$VSORELAY" 2>/dev/null | grep NEEDED)"
version=$("$VSORELAY" --version)
case "$tarball" in
  *"/vsorelay-${version#vsorelay }-linux-x86_64.tar.gz" | "vsorelay-${version#vsorelay }-linux-x86_64.tar.gz") pass ;;
  *) fail "the tarball's name holds the version ('$version'): $tarball" ;;
esac

# ---- the chroot ----
# The command in the chroot gets PATH=/bin and nothing else from the environment.
chroot=$(PATH=$PATH:/usr/sbin:/sbin command -v chroot)
if [ "$(id -u)" -eq 0 ]; then
  in_root() { "$chroot" "$ROOT" /bin/busybox env -i PATH=/bin "$@"; }
elif unshare --user --map-root-user true 2>/dev/null; then
  in_root() { unshare --user --map-root-user "$chroot" "$ROOT" /bin/busybox env -i PATH=/bin "$@"; }
else
  echo "test_static: chroot part SKIPPED: not root and no user namespaces (unshare -r); run as root (CI does)"
  finish
  exit
fi
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || readelf -l "$busybox" | grep -qi interp; then
  fail "a static busybox is needed (apt-get install busybox-static)"
  finish
  exit
fi
# Nothing but the binary, busybox (and its applet links) and the two logs.
ROOT=$WORK/root
mkdir -p "$ROOT/bin"
cp "$VSORELAY" "$busybox" "$ROOT/bin/"
for applet in sh cat sleep; do ln -s busybox "$ROOT/bin/$applet"; done
cp "$HEALTHY" "$ROOT/healthy.log"
cp "$BROKEN" "$ROOT/broken.log"
check_eq "the chroot holds the binary, busybox and the two logs" \
  "bin bin/busybox bin/cat bin/sh bin/sleep bin/vsorelay broken.log healthy.log" \
  "$(cd "$ROOT" && find . -mindepth 1 | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
out=$WORK/out.txt err=$WORK/err.txt

in_root /bin/vsorelay --version >"$out" 2>"$err"
check_eq "--version in the chroot" "$version" "$(cat "$out")"

in_root /bin/vsorelay run --expect "$GO_EXPECT" -- cat /broken.log >"$out" 2>"$err"
check_eq "run around cat of the broken log: exit 3" 3 $?
check_grep "it names linuxAmd64" "linuxAmd64" "$err"
check_no_grep "nothing is re-emitted" "##vso[task.setvariable" "$out"

in_root /bin/vsorelay run --expect "$GO_EXPECT" -- cat /healthy.log >"$out" 2>"$err"
check_eq "run around cat of the healthy log: exit 0" 0 $?
check_grep "linuxAmd64 is re-emitted" "##vso[task.setvariable variable=linuxAmd64;isoutput=true]" "$out"

# the form the pipeline template uses (no `--`); the summary and report written
in_root /bin/vsorelay run --expect "$GO_EXPECT" --summary /s.md --report /r.json sh -c 'cat /broken.log' >"$out" 2>"$err"
check_eq "run without '--', --summary, --report, through sh, on the broken log: exit 3" 3 $?
check "the summary is written" test -s "$ROOT/s.md"
check "the report is written" test -s "$ROOT/r.json"
check_grep "the summary is uploaded by its absolute path" "##vso[task.uploadsummary]/s.md" "$out"

in_root /bin/vsorelay replay --expect "$GO_EXPECT" /healthy.log >"$out" 2>"$err"
check_eq "replay of the healthy log: exit 0" 0 $?
in_root /bin/vsorelay replay --expect "$GO_EXPECT" /broken.log >"$out" 2>"$err"
check_eq "replay of the broken log: exit 3" 3 $?
in_root /bin/vsorelay run --timeout 0.5 -- sleep 30 >"$out" 2>"$err"
check_eq "--timeout (timers, signals to the group): exit 124" 124 $?
in_root /bin/vsorelay run -- /no/such/command >"$out" 2>"$err"
check_eq "a command that does not exist: exit 127" 127 $?

# And with the go-images manifest beside them: cJSON, compiled in, reads it.
cp "$SOURCE_DIR/samples/go-images/manifest.json" "$ROOT/manifest.json"
in_root /bin/vsorelay expect --manifest /manifest.json >"$out" 2>"$err"
check_eq "expect --manifest in the chroot: exit 0" 0 $?
check_eq "expect lists the five go-images matrices" 5 "$(wc -l <"$out")"
in_root /bin/vsorelay run --manifest /manifest.json cat /broken.log >"$out" 2>"$err"
check_eq "run --manifest around cat of the broken log: exit 3" 3 $?
finish
