"""Timestamps and the acting user, declared once for every store."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime


def now_iso() -> str:
    """Current UTC time as ISO 8601 with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
