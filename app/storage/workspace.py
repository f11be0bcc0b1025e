"""A workspace: one SQLite file with its catalog, scenarios, calibration and audit log.

One thread owns a `Workspace` (the GUI thread or the CLI); background tasks get plain data.
A workspace may be open read-only (`read_only`, with the reason in `notice`): a read-only file
or folder, another Enclave process editing it, a damaged file, or the caller's wish. Every store
write then raises `ReadOnlyWorkspaceError` before changing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.catalog.loader import Catalog
from app.storage import catalog_store, meta
from app.storage.database import OpenedDatabase, WorkspaceDatabase, open_database
from app.storage.policy import DEFAULT_POLICY, StoragePolicy


class Workspace:
    def __init__(self, path: Path, *, read_only: bool = False,
                 policy: StoragePolicy = DEFAULT_POLICY) -> None:
        self.path = Path(path)
        self.policy = policy
        self._opened: OpenedDatabase = open_database(self.path, read_only=read_only,
                                                     policy=policy)
        self.db: WorkspaceDatabase = self._opened.db
        self.created = self._opened.created
        self._catalog: Catalog | None = None
        # what opening changed in the shipped entries (set by operations.workspace_ops)
        self.catalog_refresh: catalog_store.Refresh | None = None

    @property
    def read_only(self) -> bool:
        return self._opened.read_only

    @property
    def notice(self) -> str:
        """What the user should know about how the workspace was opened ('' when nothing)."""
        return self._opened.notice

    @property
    def backup_written(self) -> Path | None:
        """The backup written while opening (routine or before a migration), if any."""
        return self._opened.backup

    def close(self) -> None:
        self._opened.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def catalog(self) -> Catalog:
        """The workspace's catalog; rebuilt after `catalog_changed()`."""
        if self._catalog is None:
            self._catalog = catalog_store.load(self.db)
        return self._catalog

    def catalog_changed(self) -> None:
        self._catalog = None

    def meta(self, key: str, default: str = "") -> str:
        return meta.read(self.db, key, default)

    def set_meta(self, key: str, value: str) -> None:
        self.db.require_writable()
        meta.write(self.db, key, value)
