"""User preferences: declared once here, typed, with defaults, stored as JSON (STYLE rule 7).

The file lives in the user data folder (`settings.json`), is written atomically and readable
only by its owner. A missing, unreadable or damaged file gives the defaults; a value of the wrong
type falls back to its default alone, so one bad key never loses the others.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.paths import user_data_dir
from app.storage.files import write_atomic

MAX_RECENT_WORKSPACES = 8
SETTINGS_FILE_NAME = "settings.json"


@dataclass(frozen=True)
class Settings:
    """Every preference Enclave keeps between runs.

    recent_workspaces: absolute paths, most recent first (at most MAX_RECENT_WORKSPACES).
    window_geometry / window_state: Qt's saveGeometry/saveState bytes, base64 text.
    last_screen: title of the screen shown when the window closed.
    catalog_kind: the catalog kind shown last.
    """

    recent_workspaces: tuple[str, ...] = ()
    window_geometry: str = ""
    window_state: str = ""
    last_screen: str = ""
    catalog_kind: str = "models"


_DEFAULTS = Settings()


def settings_path() -> Path:
    return user_data_dir() / SETTINGS_FILE_NAME


def _coerce(name: str, value: Any) -> Any:
    default = getattr(_DEFAULTS, name)
    if isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return default
    return value if isinstance(value, type(default)) else default


def load_settings(path: Path | None = None) -> Settings:
    """The stored settings, or the defaults for anything missing or malformed."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # unreadable, not UTF-8 JSON, absurd nesting
        return _DEFAULTS
    if not isinstance(raw, dict):
        return _DEFAULTS
    values = {f.name: _coerce(f.name, raw[f.name])
              for f in dataclasses.fields(Settings) if f.name in raw}
    settings = Settings(**values)
    return dataclasses.replace(
        settings, recent_workspaces=settings.recent_workspaces[:MAX_RECENT_WORKSPACES])


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings atomically (owner-only file)."""
    path = path or settings_path()
    data = dataclasses.asdict(settings)
    data["recent_workspaces"] = list(settings.recent_workspaces)
    write_atomic(path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


def with_recent_workspace(settings: Settings, workspace: Path) -> Settings:
    """`settings` with `workspace` first in the recent list (no duplicates, capped)."""
    entry = str(Path(workspace).resolve())
    recent = (entry, *(p for p in settings.recent_workspaces if p != entry))
    return dataclasses.replace(settings, recent_workspaces=recent[:MAX_RECENT_WORKSPACES])


def without_recent_workspace(settings: Settings, workspace: str) -> Settings:
    recent = tuple(p for p in settings.recent_workspaces if p != workspace)
    return dataclasses.replace(settings, recent_workspaces=recent)
