#!/usr/bin/env bash
# Build Enclave as a one-folder bundle for air-gapped Linux workstations.
#
#   bash packaging/build.sh [--clean]
#
# Produces dist/enclave/ (run dist/enclave/enclave) and, beside it,
# dist/enclave-<version>-linux-<arch>.tar.gz with its .sha256 file. Needs python3 (3.11, with
# venv) and the network (PyPI) on first run; every wheel is pinned and hash-checked from
# packaging/requirements*.txt into build/venv (kept between runs, rebuilt when those files
# change). As root on Debian/Ubuntu it installs the system packages the build needs with apt-get
# (ENCLAVE_NO_APT=1 to skip); otherwise it names them and stops.
#   --clean   also drop PyInstaller's work folder and cache first (slower, fully fresh build)
# The bundle runs on machines with a glibc at least as new as this one's: build on the oldest
# distribution you support.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
t0=$(date +%s)
say() { echo "build.sh: $*"; }
die() { echo "build.sh: error: $*" >&2; exit 1; }

CLEAN=0
for arg in "$@"; do
  case "$arg" in
    --clean) CLEAN=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg' (usage: bash packaging/build.sh [--clean])" ;;
  esac
done

PY=${PYTHON:-python3}
VENV=${ENCLAVE_BUILD_VENV:-build/venv}
WORK=build/pyinstaller
DIST=dist

# --- 1. what the build host must have --------------------------------------------------------
command -v "$PY" >/dev/null || die "$PY not found; install Python 3.11"
"$PY" - <<'EOF' || die "the hashed requirements are locked for CPython 3.11 on Linux x86_64"
import platform, sys
ok = sys.version_info[:2] == (3, 11) and platform.system() == "Linux" and platform.machine() == "x86_64"
if not ok:
    print(f"build.sh: this is Python {platform.python_version()} on {platform.system()} "
          f"{platform.machine()}", file=sys.stderr)
sys.exit(0 if ok else 1)
EOF

# PyInstaller needs objdump and Python's shared library (Debian's python3 keeps it in the
# separate libpython3.11 package); the bundle copies the xcb/xkb/font libraries from this host,
# so they must be here or the X11 plugin ships without them.
APT_PACKAGES="binutils libpython3.11 libgl1 libegl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1
  libwayland-client0 libwayland-cursor0 libwayland-egl1"
have_host_libs() {
  command -v objdump >/dev/null || { say "missing on this host: objdump (binutils)"; return 1; }
  local lib known pylib
  known=$( (command -v ldconfig >/dev/null && ldconfig -p) || /sbin/ldconfig -p || true)
  pylib=$("$PY" - <<'PYEOF'
import os, sysconfig
name = sysconfig.get_config_var("INSTSONAME") or ""
dirs = [sysconfig.get_config_var(v) or "" for v in ("LIBDIR", "LIBPL")]
shared = ".so" in name and any(os.path.exists(os.path.join(d, name)) for d in dirs)
print("ok" if shared else "missing")
PYEOF
)
  if [ "$pylib" != ok ]; then
    say "missing on this host: Python's shared library libpython3.11.so (Debian: libpython3.11;"
    say "  a self-built Python needs ./configure --enable-shared)"
    return 1
  fi
  for lib in libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-image.so.0 libxcb-keysyms.so.1 \
             libxcb-render-util.so.0 libxcb-shape.so.0 libxkbcommon-x11.so.0 libfontconfig.so.1 \
             libdbus-1.so.3 libEGL.so.1 libGL.so.1 libglib-2.0.so.0 libwayland-client.so.0; do
    grep -qF "$lib" <<<"$known" || { say "missing on this host: $lib"; return 1; }
  done
}
if ! have_host_libs; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null && [ "${ENCLAVE_NO_APT:-0}" != "1" ]; then
    say "installing build-host packages with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $APT_PACKAGES >/dev/null
    have_host_libs || die "system libraries still missing after apt-get"
  else
    die "install the build-host packages first: apt-get install $(tr -s ' \n' ' ' <<<"$APT_PACKAGES")"
  fi
fi

# --- 2. the build venv, from hashed wheels only ------------------------------------------------
want=$(cat packaging/requirements.txt packaging/requirements-build.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$VENV/.enclave-build" 2>/dev/null)" != "$want" ] \
   || ! "$VENV/bin/python" -c 'import PyInstaller, PySide6' 2>/dev/null; then
  say "creating the build venv in $VENV"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || die "'$PY -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    --only-binary=:all: -r packaging/requirements.txt -r packaging/requirements-build.txt
  echo "$want" >"$VENV/.enclave-build"
else
  say "reusing the build venv in $VENV"
fi

version=$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
arch=$(uname -m)
name="enclave-$version-linux-$arch"

# --- 3. PyInstaller one-folder build ----------------------------------------------------------
if [ "$CLEAN" = "1" ]; then
  rm -rf "$WORK"
  set -- --clean
else
  set --
fi
say "running PyInstaller for Enclave $version"
t1=$(date +%s)
# Warnings about pyqtgraph.opengl (no PyOpenGL), libqgtk3 and libqtiff are expected: those
# plugins are dropped by the spec.
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN "$@" \
  --distpath "$DIST" --workpath "$WORK" packaging/enclave.spec
t2=$(date +%s)
bundle="$DIST/enclave"
[ -x "$bundle/enclave" ] || die "PyInstaller did not produce $bundle/enclave"

# Beside the program: the desktop entry, an installer and a note on what was built.
install -m 644 packaging/enclave.desktop "$bundle/enclave.desktop"
install -m 755 packaging/install.sh "$bundle/install.sh"
glibc_needed=$(find "$bundle" -type f \( -name '*.so*' -o -name enclave \) -exec objdump -T {} + 2>/dev/null \
  | grep -o 'GLIBC_2\.[0-9]*' | sort -u -V | tail -1 | sed 's/GLIBC_//' || true)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# shellcheck disable=SC1091  # os-release is the host's
{
  echo "Enclave $version ($commit), one-folder bundle for Linux $arch"
  echo "built on: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), glibc $(ldd --version | head -1 | awk '{print $NF}'), Python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())')"
  echo "needs on the target: glibc >= $glibc_needed, libgl1, libegl1 (+ libwayland-client0 libwayland-cursor0 libwayland-egl1 on Wayland)"
} >"$bundle/BUILD-INFO.txt"

# --- 4. archive and checksum (stable order, owner and times, so equal trees pack equally) ------
say "packing $name.tar.gz"
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
tmp="$DIST/.$name.tar.gz.part"
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
  -C "$DIST" -cf - enclave | gzip -n -6 >"$tmp"
mv -f "$tmp" "$DIST/$name.tar.gz"
(cd "$DIST" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
t3=$(date +%s)

# --- 5. report --------------------------------------------------------------------------------
unpacked=$(du -sm "$bundle" | cut -f1)
packed=$(du -m --apparent-size "$DIST/$name.tar.gz" | cut -f1)
say "bundle:   $ROOT/$bundle/ (${unpacked} MB unpacked; needs glibc >= $glibc_needed)"
say "archive:  $ROOT/$DIST/$name.tar.gz (${packed} MB) + .sha256"
say "times:    PyInstaller $((t2 - t1)) s, archive $((t3 - t2)) s, total $((t3 - t0)) s"
say "try it:   $bundle/enclave --smoke   (QT_QPA_PLATFORM=offscreen with no display)"
