"""Storage settings, declared once with their defaults.

A `StoragePolicy` is passed to `Workspace`; callers that do not care use `DEFAULT_POLICY`.
"""

from __future__ import annotations

from dataclasses import dataclass

SECONDS_PER_DAY = 24 * 3600


@dataclass(frozen=True)
class StoragePolicy:
    """How a workspace is protected while it is open.

    backup_interval_s: a routine backup is written on open when the newest routine one is older
        than this (0: on every open; `float("inf")`: never). Backups before a migration or a
        restore are always written.
    backups_kept_per_reason: how many backups of each reason (`daily`, `manual`,
        `before-restore`, ...) are kept; older ones are deleted after a new one is written.
    busy_timeout_ms: how long a write waits for another program's lock before giving up with
        a "busy" message.
    """

    backup_interval_s: float = SECONDS_PER_DAY
    backups_kept_per_reason: int = 10
    busy_timeout_ms: int = 5000


DEFAULT_POLICY = StoragePolicy()
