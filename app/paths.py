"""Where Enclave finds its shipped resources and keeps the user's data.

Resources live in `resources/` of a source checkout, in the installed package as
`app.resources` (pyproject maps the folder there), or next to a frozen PyInstaller bundle.
User data (the default workspace, backups) lives in the per-user data directory; nothing is
ever written next to the program.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "Enclave"


def resources_dir() -> Path:
    """The folder holding `catalog/`, `calibration/`, `fonts/` and the other shipped data."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    source_tree = Path(__file__).resolve().parent.parent / "resources"
    if (source_tree / "catalog").is_dir():
        return source_tree
    installed = Path(__file__).resolve().parent / "resources"
    if (installed / "catalog").is_dir():
        return installed
    raise FileNotFoundError("Enclave's resources folder is missing from this installation")


def user_data_dir() -> Path:
    """Per-user data folder; `ENCLAVE_HOME` overrides it (tests and portable installs)."""
    override = os.environ.get("ENCLAVE_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / APP_DIR_NAME


def default_workspace_path() -> Path:
    """The workspace opened when none is named."""
    return user_data_dir() / "workspace.enclave.sqlite"
