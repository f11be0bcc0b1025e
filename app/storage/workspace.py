"""A workspace: one SQLite file with its catalog, scenarios, calibration and audit log.

One thread owns a `Workspace` (the GUI thread or the CLI); background tasks get plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlite_utils import Database

from app.catalog.loader import Catalog
from app.storage import catalog_store
from app.storage.database import open_database


class Workspace:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db: Database
        self.db, self.created = open_database(self.path)
        self._catalog: Catalog | None = None

    def close(self) -> None:
        self.db.close()

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
        row = self.db.execute("SELECT value FROM meta WHERE key=?", [key]).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])
