#!/usr/bin/env bash
# Install the unpacked Enclave bundle on this workstation (no network needed). Ships at the top of
# the bundle as enclave/install.sh.
#
#   sudo bash enclave/install.sh            system-wide: /opt/enclave, /usr/local/bin/enclave,
#                                           menu entry and icons under /usr/local/share
#   bash enclave/install.sh --user          just for you: ~/.local/opt/enclave, ~/.local/bin,
#                                           ~/.local/share
#   ... --prefix DIR                        put the program folder in DIR instead
#   ... --uninstall                         remove what the same options installed
#                                           (your workspace in ~/.local/share/Enclave is kept)
# DESTDIR=/some/stage prefixes every path (for building OS packages or testing).
set -euo pipefail
SRC=$(cd "$(dirname "$0")" && pwd)
say() { echo "install.sh: $*"; }
die() { echo "install.sh: error: $*" >&2; exit 1; }

MODE=system PREFIX="" UNINSTALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --user) MODE=user ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; PREFIX=$2; shift ;;
    --prefix=*) PREFIX=${1#--prefix=} ;;
    --uninstall) UNINSTALL=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

if [ "$MODE" = user ]; then
  : "${HOME:?HOME is not set}"
  PREFIX=${PREFIX:-$HOME/.local/opt/enclave}
  BIN=$HOME/.local/bin
  SHARE=${XDG_DATA_HOME:-$HOME/.local/share}
else
  PREFIX=${PREFIX:-/opt/enclave}
  BIN=/usr/local/bin
  SHARE=/usr/local/share
fi
D=${DESTDIR:-}
APPS="$D$SHARE/applications"
ICONS="$D$SHARE/icons/hicolor"

if [ "$UNINSTALL" = 1 ]; then
  rm -f "$D$BIN/enclave" "$APPS/enclave.desktop" "$ICONS"/*/apps/enclave.svg \
    "$ICONS"/*/apps/enclave.png
  rm -rf "$D$PREFIX"
  say "removed Enclave from $PREFIX (your workspace and its backups are untouched)"
  exit 0
fi

if [ ! -x "$SRC/enclave" ] || [ ! -d "$SRC/_internal" ]; then
  die "run this script from inside the unpacked enclave/ folder"
fi
res="$SRC/_internal/resources/icons"

# Program folder: copied beside its final place, then swapped in, so a failed copy leaves the
# old install working.
if [ "$(cd "$SRC" && pwd -P)" != "$(mkdir -p "$D$PREFIX" && cd "$D$PREFIX" && pwd -P)" ]; then
  parent=$(dirname "$D$PREFIX")
  stage=$(mktemp -d "$parent/.enclave-install.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  cp -a "$SRC/." "$stage/"
  chmod -R a+rX,go-w "$stage"
  chmod 755 "$stage"
  rm -rf "$D$PREFIX.old"
  mv "$D$PREFIX" "$D$PREFIX.old"
  mv "$stage" "$D$PREFIX"
  rm -rf "$D$PREFIX.old"
  trap - EXIT
fi

install -d "$D$BIN" "$APPS" "$ICONS/scalable/apps"
ln -sfn "$PREFIX/enclave" "$D$BIN/enclave"
sed -e "s|^Exec=.*|Exec=$PREFIX/enclave|" -e "s|^TryExec=.*|TryExec=$PREFIX/enclave|" \
  "$SRC/enclave.desktop" >"$APPS/enclave.desktop"
chmod 644 "$APPS/enclave.desktop"
install -m 644 "$res/enclave.svg" "$ICONS/scalable/apps/enclave.svg"
for png in "$res"/enclave-*.png; do
  size=$(basename "$png" .png); size=${size#enclave-}
  install -D -m 644 "$png" "$ICONS/${size}x${size}/apps/enclave.png"
done
if [ -z "$D" ]; then  # refresh menu and icon caches where the desktop has the tools
  if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$APPS" || true; fi
  if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t "$ICONS" || true; fi
fi

say "installed Enclave in $PREFIX"
say "start it from the applications menu or with: $BIN/enclave"
case ":$PATH:" in *":$BIN:"*) ;; *) say "note: $BIN is not on your PATH" ;; esac
