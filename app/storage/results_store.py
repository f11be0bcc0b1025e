"""Cached evaluation results of workspace scenarios (`results_cache`): derived data, keyed by a
SHA-256 of every input that shaped the result (`app.operations.results_cache.inputs_sha256`).

Editing a scenario deletes its rows (`scenario_store.update`); deleting it cascades. A row is
text the codec wrote (`app.operations.result_codec`); it is never trusted beyond decoding. Cache
writes carry no audit row: they change nothing the user made, and losing them loses only time.
"""

from __future__ import annotations

from sqlite_utils import Database

from app.storage.clock import now_iso

KEPT_PER_SCENARIO = 2  # e.g. the report's 100,000 draws and a quick look at fewer


def get(db: Database, scenario_id: int, inputs_sha256: str) -> str | None:
    row = db.execute("SELECT result FROM results_cache WHERE scenario_id=? AND inputs_sha256=?",
                     [scenario_id, inputs_sha256]).fetchone()
    return None if row is None else str(row[0])


def put(db: Database, scenario_id: int, inputs_sha256: str, result_json: str,
        kept: int = KEPT_PER_SCENARIO) -> None:
    """Store one result (one transaction), keeping the newest `kept` rows of the scenario."""
    with db.atomic():
        db.execute("INSERT OR REPLACE INTO results_cache (scenario_id, inputs_sha256, result, "
                   "computed_at) VALUES (?, ?, ?, ?)",
                   [scenario_id, inputs_sha256, result_json, now_iso()])
        db.execute("DELETE FROM results_cache WHERE scenario_id=? AND inputs_sha256 NOT IN "
                   "(SELECT inputs_sha256 FROM results_cache WHERE scenario_id=? "
                   "ORDER BY computed_at DESC LIMIT ?)", [scenario_id, scenario_id, kept])


def count(db: Database, scenario_id: int | None = None) -> int:
    if scenario_id is None:
        return int(db.execute("SELECT count(*) FROM results_cache").fetchone()[0])
    return int(db.execute("SELECT count(*) FROM results_cache WHERE scenario_id=?",
                          [scenario_id]).fetchone()[0])
