"""Evaluate once, reuse: results of workspace scenarios cached by their inputs.

An evaluation at 100,000 Monte Carlo draws takes about 0.3 s per scenario, more than laying a
report out. A workspace scenario's result is kept in the `results_cache` table under

    inputs_sha256 = SHA-256 of (codec version, Enclave version, the scenario as saved,
                                SHA-256 of the whole catalog, SHA-256 of the efficiency
                                factors with site refits and engine aliases, draws, seed,
                                tornado KPI)

so a result is reused only when nothing that shaped it changed: editing the scenario (which
also deletes its rows), a catalog edit or import, a site calibration, another draw count or
seed each give another key. A row that does not decode (another codec version, damage) is
ignored and recomputed.

Reading and writing the cache happens on the thread that owns the workspace (`lookup`,
`store`); the evaluation in between is plain work for any thread. Writing is skipped on a
read-only workspace (the cache only saves time).
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from sqlite_utils import Database

from app import __version__
from app.catalog.loader import Catalog
from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import Scenario
from app.errors import UserError
from app.operations.evaluate import EvaluationResult, evaluate
from app.operations.result_codec import (
    CODEC_VERSION,
    ResultCodecError,
    result_from_json,
    result_to_json,
)
from app.storage import results_store


def _sha256(data: object) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_CATALOG_SHA256: weakref.WeakKeyDictionary[Catalog, str] = weakref.WeakKeyDictionary()


def catalog_sha256(catalog: Catalog) -> str:
    """Fingerprint of every catalog entry (about 5 ms for the shipped catalog; once per catalog
    object: a workspace builds a new one after any catalog change)."""
    known = _CATALOG_SHA256.get(catalog)
    if known is None:
        known = _CATALOG_SHA256[catalog] = _sha256({"version": catalog.version,
                                                    "entries": catalog.entries})
    return known


def factors_sha256(table: EfficiencyTable, aliases: Mapping[str, str]) -> str:
    """Fingerprint of the efficiency factors (shipped, with the workspace's site refits)."""
    return hashlib.sha256((repr(table) + "\n" + repr(sorted(aliases.items())))
                          .encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheBasis:
    """What every key of one workspace shares: its catalog and factors, draws, seed, KPI."""

    catalog_sha256: str
    factors_sha256: str
    draws: int
    seed: int
    tornado_kpi: str = "tco_usd"


def inputs_sha256(scenario: Scenario, basis: CacheBasis) -> str:
    """The cache key of `scenario` under `basis` (see the module docstring)."""
    return _sha256({
        "codec": CODEC_VERSION,
        "enclave": __version__,
        "scenario": scenario.to_dict(),
        "catalog": basis.catalog_sha256,
        "factors": basis.factors_sha256,
        "draws": basis.draws,
        "seed": basis.seed,
        "tornado_kpi": basis.tornado_kpi,
    })


def lookup(db: Database, scenario_id: int, key: str) -> EvaluationResult | None:
    """The cached result under `key`, or None (absent, or unreadable: recompute it)."""
    text = results_store.get(db, scenario_id, key)
    if text is None:
        return None
    try:
        return result_from_json(text)
    except ResultCodecError:
        return None


def store(db: Database, scenario_id: int, key: str, result: EvaluationResult) -> bool:
    """Keep `result` under `key`; False when nothing was written (a read-only workspace, or
    one another program holds busy: the cache only saves time, so that is no error)."""
    if getattr(db, "read_only", False):
        return False
    try:
        results_store.put(db, scenario_id, key, result_to_json(result))
    except UserError:
        return False
    return True


@dataclass(frozen=True)
class CachedEvaluation:
    result: EvaluationResult
    key: str
    hit: bool


def evaluate_cached(db: Database, scenario_id: int, scenario: Scenario, catalog: Catalog,
                    table: EfficiencyTable, aliases: Mapping[str, str], *, draws: int,
                    seed: int, tornado_kpi: str = "tco_usd") -> CachedEvaluation:
    """The scenario's result from the cache, or evaluated now and stored (one thread: the
    workspace's; the GUI splits `lookup`, `evaluate` and `store` across threads)."""
    basis = CacheBasis(catalog_sha256(catalog), factors_sha256(table, aliases), draws, seed,
                       tornado_kpi)
    key = inputs_sha256(scenario, basis)
    cached = lookup(db, scenario_id, key)
    if cached is not None:
        return CachedEvaluation(cached, key, True)
    result = evaluate(scenario, catalog, draws=draws, seed=seed, tornado_kpi=tornado_kpi,
                      efficiency=table, aliases=aliases)
    store(db, scenario_id, key, result)
    return CachedEvaluation(result, key, False)
