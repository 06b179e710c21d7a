#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Unpacks Debian's own source package of PKG into DESTDIR/PKG-VERSION and
# prints that directory: the static and Windows builds take libuv's and
# cJSON's sources from Debian's archive this way, never from a copy committed
# here.  Enables deb-src for the machine's Debian suites when none is set
# (needs root or sudo for that and for apt-get update).
#   usage: scripts/debian-source.sh PKG DESTDIR
set -euo pipefail
pkg=${1:?usage: debian-source.sh PKG DESTDIR}
dest=${2:?usage: debian-source.sh PKG DESTDIR}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Is there a deb-src line or a deb822 "Types: ... deb-src" stanza already?
has_deb_src() {
  grep -rqsE '^(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

enable_deb_src() {
  local src=/etc/apt/sources.list.d/debian.sources list=/etc/apt/sources.list.d/vsorelay-deb-src.sources
  if [ -f "$src" ]; then
    # The same archives and suites as the binary packages, as source stanzas.
    sed -n 's/^Types:.*/Types: deb-src/; p' "$src" | as_root tee "$list" >/dev/null
  elif [ -f /etc/apt/sources.list ]; then
    grep -E '^deb[[:space:]]' /etc/apt/sources.list | sed 's/^deb /deb-src /' | as_root tee "$list.list" >/dev/null
  else
    echo "debian-source.sh: no Debian apt source found to mirror as deb-src" >&2
    exit 1
  fi
  as_root apt-get update -qq
}

if ! has_deb_src; then
  echo "debian-source.sh: enabling deb-src to fetch Debian's source of $pkg" >&2
  enable_deb_src
fi
command -v dpkg-source >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null

mkdir -p "$dest"
cd "$dest"
existing=$(find . -maxdepth 1 -type d -name "$pkg-*" | head -n 1)
if [ -z "$existing" ]; then
  apt-get source -qq "$pkg" >&2 2>/dev/null || apt-get source "$pkg" >&2
  existing=$(find . -maxdepth 1 -type d -name "$pkg-*" | head -n 1)
fi
[ -n "$existing" ] || { echo "debian-source.sh: apt-get source $pkg unpacked nothing" >&2; exit 1; }
cd "$existing" && pwd
