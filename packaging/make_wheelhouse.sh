#!/usr/bin/env bash
# Fill a wheelhouse for installing Enclave with pip on a machine with no network.
#
#   bash packaging/make_wheelhouse.sh [DIR]        (default: dist/wheelhouse)
#
# Run it on a connected machine. DIR then holds every wheel Enclave needs at run time (pinned and
# hash-checked from packaging/requirements.txt, for CPython 3.11 on Linux x86_64), Enclave's own
# wheel, requirements.txt, INSTALL.txt and SHA256SUMS. Carry the folder over, then on the
# workstation (Python 3.11 with venv, glibc >= 2.34):
#   cd wheelhouse && sha256sum -c SHA256SUMS
#   python3 -m venv ~/enclave-venv
#   ~/enclave-venv/bin/pip install --no-index --find-links . --require-hashes -r requirements.txt
#   ~/enclave-venv/bin/pip install --no-index --no-deps enclave-*.whl
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "make_wheelhouse.sh: $*"; }
die() { echo "make_wheelhouse.sh: error: $*" >&2; exit 1; }

OUT=${1:-dist/wheelhouse}
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || die "$PY not found"
t0=$(date +%s)

version=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])') \
  || die "could not read the version from pyproject.toml (needs Python >= 3.11)"
stage=$(mktemp -d "${TMPDIR:-/tmp}/enclave-wheelhouse.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# The same target as the lock (packaging/lock_requirements.py), whatever machine runs this.
platforms=()
for tag in manylinux_2_34_x86_64 manylinux_2_28_x86_64 manylinux_2_27_x86_64 \
           manylinux_2_17_x86_64 manylinux2014_x86_64 linux_x86_64; do
  platforms+=(--platform "$tag")
done

say "downloading the pinned wheels (hash-checked)"
"$PY" -m pip download --quiet --disable-pip-version-check --require-hashes \
  --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 "${platforms[@]}" \
  -r packaging/requirements.txt -d "$stage"

say "building Enclave $version's own wheel"
"$PY" -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$stage/enclave-build" . \
  >/dev/null
mv "$stage"/enclave-build/enclave-"$version"-*.whl "$stage/" \
  || die "pip wheel did not produce enclave-$version-*.whl"
rm -rf "$stage/enclave-build"
wheel=$(cd "$stage" && ls enclave-"$version"-*.whl)

cp packaging/requirements.txt "$stage/requirements.txt"
cat >"$stage/INSTALL.txt" <<EOF
Enclave $version wheelhouse: CPython 3.11, Linux x86_64 (glibc >= 2.34). No network needed.

  cd wheelhouse && sha256sum -c SHA256SUMS        # every line must say OK
  python3 -m venv ~/enclave-venv                  # Debian/Ubuntu: apt-get install python3-venv
  ~/enclave-venv/bin/pip install --no-index --find-links . --require-hashes -r requirements.txt
  ~/enclave-venv/bin/pip install --no-index --no-deps $wheel
  ~/enclave-venv/bin/enclave --version

System libraries for the window: libgl1 libegl1 libxkbcommon0 libdbus-1-3 fontconfig, and for
X11 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
libxcb-render-util0 libxcb-shape0.
EOF
(cd "$stage" && sha256sum -- *.whl requirements.txt INSTALL.txt >SHA256SUMS)

# Swap the finished folder in, so an interrupted run never leaves a half-filled wheelhouse.
mkdir -p "$(dirname "$OUT")"
rm -rf "$OUT.old"
if [ -e "$OUT" ]; then mv "$OUT" "$OUT.old"; fi
mv "$stage" "$OUT"
chmod 755 "$OUT"
rm -rf "$OUT.old"
trap - EXIT

count=$(find "$OUT" -name '*.whl' | wc -l)
say "wrote $OUT: $count wheels, $(du -sm "$OUT" | cut -f1) MB, in $(( $(date +%s) - t0 )) s"
say "check and install it with the commands in $OUT/INSTALL.txt"
