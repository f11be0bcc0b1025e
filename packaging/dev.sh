#!/usr/bin/env bash
# One entry point for a fresh checkout: sets up .venv (once, again when pyproject.toml changes),
# then runs the app or the tests.
#   bash packaging/dev.sh run [enclave args...]   open Enclave on the default workspace
#   bash packaging/dev.sh test [pytest args...]    run the whole test suite headless
#   bash packaging/dev.sh setup                    only create/refresh .venv
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.enclave-setup
want=$(sha256sum pyproject.toml | cut -d' ' -f1)

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    echo "$want" >"$STAMP"
  fi
}

cmd=${1:-run}
shift || true
case "$cmd" in
  setup) setup ;;
  run)
    setup
    exec "$VENV/bin/enclave" "$@"
    ;;
  test)
    setup
    export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
    # No network while testing: a private network namespace when we may create one; the
    # socket guard in tests/conftest.py fails any connection attempt either way.
    if [ "$(id -u)" = "0" ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
      exec unshare -n "$VENV/bin/python" -m pytest -q "$@"
    fi
    exec "$VENV/bin/python" -m pytest -q "$@"
    ;;
  *) echo "usage: bash packaging/dev.sh run|test|setup [args...]" >&2; exit 2 ;;
esac
