#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs Windows programs of the cross build under Wine, quietly and in a Wine
# prefix of the build's own (never the user's ~/.wine).
#
#   wine-run.sh PROGRAM [ARG...]       run one program, exit with its exit code
#   wine-run.sh --session CMD [ARG...] run CMD (a test script, ctest) with one
#                                      wineserver kept up for every program it
#                                      starts, stopped at the end; CMD sees
#                                      WINE, WINESERVER, WINEPREFIX, WINEDEBUG
#                                      and WINE_RUN (this script) exported
#   wine-run.sh --which                print the Wine loader and wineserver used
#
# Environment: VSORELAY_WINEPREFIX (default: build/wine-prefix in the
# repository), WINE and WINESERVER to choose the binaries.  The first use
# creates the prefix (about 10 s).  Exit status 125 when Wine is missing.
#
# Where Debian puts Wine: bookworm's package wine64 has the 64-bit loader at
# /usr/lib/wine/wine64 and /usr/lib/wine/wineserver64, and /usr/bin/wine
# only comes with the package wine; trixie's libwine has
# /usr/lib/wine/wineserver and the loader may be /usr/lib/wine/wine.  Both
# are looked for, then wine64 and wine on PATH.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

find_wine() {
  local c
  for c in "${WINE:-}" /usr/lib/wine/wine64 /usr/lib/wine/wine "$(command -v wine64 || true)" \
    "$(command -v wine || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

find_wineserver() {
  local dir c
  dir=$(dirname "$1")
  for c in "${WINESERVER:-}" "$dir/wineserver64" "$dir/wineserver" "$(command -v wineserver64 || true)" \
    "$(command -v wineserver || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

WINE=$(find_wine) || { echo "wine-run.sh: no Wine found (apt-get install wine64)" >&2; exit 125; }
WINESERVER=$(find_wineserver "$WINE") || { echo "wine-run.sh: no wineserver found next to $WINE" >&2; exit 125; }
WINEPREFIX=${VSORELAY_WINEPREFIX:-$repo/build/wine-prefix}
# No debug channels; no Mono or Gecko installer prompts when the prefix is
# made; no window: nothing here needs a display.
WINEDEBUG=-all
WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
export WINE WINESERVER WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY

# Makes the prefix once, under a lock: two tests starting together must not
# both initialise it.
ensure_prefix() {
  mkdir -p "$(dirname "$WINEPREFIX")"
  (
    flock 9
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
      echo "wine-run.sh: creating the Wine prefix $WINEPREFIX" >&2
      "$WINE" wineboot.exe --init >/dev/null 2>&1 || true
      "$WINESERVER" -w
      [ -f "$WINEPREFIX/system.reg" ] || { echo "wine-run.sh: wineboot made no prefix" >&2; exit 125; }
    fi
  ) 9>"$WINEPREFIX.lock"
}

# The first Wine program of a server's life starts Wine's own background
# processes (services.exe, explorer.exe, ...), and they inherit its standard
# descriptors: a test's pipe would then stay open until they end.  A first
# program with /dev/null everywhere starts them instead.
warm_up() {
  "$WINE" cmd.exe /c exit 0 </dev/null >/dev/null 2>&1 || true
}

case "${1:-}" in
  --which)
    echo "wine: $WINE"
    echo "wineserver: $WINESERVER"
    echo "prefix: $WINEPREFIX"
    ;;
  --session)
    shift
    [ $# -gt 0 ] || { echo "usage: wine-run.sh --session CMD [ARG...]" >&2; exit 2; }
    ensure_prefix
    # A persistent server for the whole session: each program then starts
    # without bringing up a server of its own.  "-p" fails (status 2) when a
    # server already runs for the prefix (another session's, or one that a
    # program started and that lingers a few seconds): use it, leave it be.
    owned=false
    if "$WINESERVER" -p </dev/null >/dev/null 2>&1; then owned=true; fi
    warm_up
    export WINE_RUN="$here/wine-run.sh" WINE_RUN_SESSION=1
    status=0
    "$@" || status=$?
    if $owned; then
      "$WINESERVER" -k 2>/dev/null || true
      "$WINESERVER" -w 2>/dev/null || true
    fi
    exit "$status"
    ;;
  "" | -h | --help)
    sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'
    [ -n "${1:-}" ]
    ;;
  *)
    ensure_prefix
    [ -n "${WINE_RUN_SESSION:-}" ] || warm_up
    exec "$WINE" "$@"
    ;;
esac
