"""Numbered workspace migrations. Never edit one that has shipped: add the next.

Each runs in its own transaction (sqlite-utils `Migrations`). `SCHEMA_VERSION` is the number of
migrations; it is stored in `PRAGMA user_version` so that a newer file is recognised without
reading any table. Tests open workspace files saved by every earlier version
(`tests/fixtures/workspaces/`).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("enclave")


@MIGRATIONS(name="m001_initial")
def m001_initial(db: Database) -> None:
    """Catalog, scenarios, results cache, calibration points, efficiency factors, audit log."""
    db.execute(
        """CREATE TABLE meta (
             key TEXT PRIMARY KEY,
             value TEXT NOT NULL
           ) STRICT"""
    )
    db.execute(
        """CREATE TABLE catalog (
             kind TEXT NOT NULL,
             id TEXT NOT NULL,
             name TEXT NOT NULL,
             source TEXT NOT NULL,
             as_of TEXT NOT NULL,
             origin TEXT NOT NULL CHECK (origin IN ('shipped', 'local', 'imported')),
             data TEXT NOT NULL CHECK (json_valid(data)),
             shipped_data TEXT CHECK (shipped_data IS NULL OR json_valid(shipped_data)),
             updated_at TEXT NOT NULL,
             PRIMARY KEY (kind, id)
           ) STRICT"""
    )
    db.execute(
        """CREATE TABLE scenarios (
             id INTEGER PRIMARY KEY,
             name TEXT NOT NULL UNIQUE,
             description TEXT NOT NULL DEFAULT '',
             schema_version INTEGER NOT NULL,
             model_id TEXT,
             accelerator_id TEXT,
             data TEXT NOT NULL CHECK (json_valid(data)),
             created_at TEXT NOT NULL,
             updated_at TEXT NOT NULL
           ) STRICT"""
    )
    db.execute(
        """CREATE TABLE results_cache (
             scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
             inputs_sha256 TEXT NOT NULL,
             result TEXT NOT NULL CHECK (json_valid(result)),
             computed_at TEXT NOT NULL,
             PRIMARY KEY (scenario_id, inputs_sha256)
           ) STRICT"""
    )
    db.execute(
        """CREATE TABLE calibration_points (
             id INTEGER PRIMARY KEY,
             batch TEXT NOT NULL,
             source TEXT NOT NULL,
             imported_at TEXT NOT NULL,
             model TEXT NOT NULL,
             gpu TEXT NOT NULL,
             gpu_count INTEGER NOT NULL,
             tp INTEGER NOT NULL,
             pp INTEGER NOT NULL,
             ep INTEGER NOT NULL,
             weights TEXT NOT NULL,
             kv_cache TEXT NOT NULL,
             engine TEXT NOT NULL,
             mode TEXT NOT NULL,
             load REAL,
             input_tokens INTEGER NOT NULL,
             output_tokens INTEGER NOT NULL,
             metric TEXT NOT NULL,
             value REAL NOT NULL
           ) STRICT"""
    )
    db.execute(
        """CREATE TABLE efficiency_factors (
             engine TEXT NOT NULL,
             hardware_class TEXT NOT NULL,
             data TEXT NOT NULL CHECK (json_valid(data)),
             points INTEGER NOT NULL,
             fitted_at TEXT NOT NULL,
             PRIMARY KEY (engine, hardware_class)
           ) STRICT"""
    )
    db.execute(
        """CREATE TABLE audit_log (
             id INTEGER PRIMARY KEY,
             at TEXT NOT NULL,
             user TEXT NOT NULL,
             action TEXT NOT NULL,
             entity TEXT NOT NULL,
             entity_id TEXT NOT NULL,
             detail TEXT NOT NULL CHECK (json_valid(detail))
           ) STRICT"""
    )
    db.execute("CREATE INDEX audit_log_at ON audit_log(at)")
    db.execute("CREATE INDEX catalog_kind_name ON catalog(kind, name)")


SCHEMA_VERSION = len(MIGRATIONS._migrations)
