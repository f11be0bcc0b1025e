"""Errors a workspace can raise for the user; each message comes from `messages`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.errors import UserError

if TYPE_CHECKING:
    from app.storage.backups import BackupInfo


class WorkspaceError(UserError):
    """A workspace file that cannot be opened or used; the message says why and what to do."""


class DamagedWorkspaceError(WorkspaceError):
    """The file failed an integrity check or SQLite reported it corrupt.

    `backups` lists the backups that could replace it, newest first (for a recovery dialog).
    """

    def __init__(self, message: str, backups: tuple[BackupInfo, ...] = ()) -> None:
        super().__init__(message)
        self.backups = backups


class ReadOnlyWorkspaceError(WorkspaceError):
    """A write was attempted on a workspace opened read-only."""


class WorkspaceBusyError(WorkspaceError):
    """Another program held the workspace locked for longer than the busy timeout."""
