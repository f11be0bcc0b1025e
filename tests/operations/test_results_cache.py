"""Cached evaluation results: the codec round-trips a whole result, the key changes with every
input that shaped it, the report built from a cached result is the report built fresh, and a
read-only workspace or an unreadable row is handled."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.scenario import Scenario
from app.engine.uncertainty import DEFAULT_SEED
from app.operations import results_cache
from app.operations.evaluate import EvaluationResult, evaluate
from app.operations.result_codec import (
    ResultCodecError,
    encode,
    result_from_json,
    result_to_json,
)
from app.operations.scenario_files import demo_scenario_paths, read_scenario_file
from app.operations.workspace_ops import open_workspace
from app.reports.content import ReportOptions, build_report
from app.reports.html import report_html
from app.reports.prepare import evaluate_subjects, find_subjects, store_results
from app.storage import results_store, scenario_store

DRAWS = 1_000
RAG_NAME = ("Complete RAG service - Llama 3.1 70B FP8, BGE-M3, BGE reranker and a weekly LoRA "
            "on one H100 fleet")
OPTIONS = ReportOptions(workspace="w", catalog_version="test", today="2026-01-01")


@pytest.fixture(scope="module")
def rag() -> EvaluationResult:
    scenario = read_scenario_file(demo_scenario_paths()["rag-service-h100"])
    return evaluate(scenario, Catalog.shipped(), draws=DRAWS)


def test_the_codec_gives_back_the_same_result(rag: EvaluationResult) -> None:
    text = result_to_json(rag)
    json.loads(text)  # strict JSON: no NaN or Infinity tokens
    assert "NaN" not in text and "Infinity" not in text
    back = result_from_json(text)
    assert result_to_json(back) == text
    assert back.scenario == rag.scenario and back.kpis == rag.kpis
    assert back.series == rag.series and back.cost_breakdown == rag.cost_breakdown
    assert back.constraints == rag.constraints and back.tornado == rag.tornado
    assert back.pool == rag.pool and back.basis == json.loads(json.dumps(rag.basis))
    for mine, theirs in zip(back.workloads, rag.workloads, strict=True):
        assert mine.load_grid == theirs.load_grid and mine.slots == theirs.slots
        assert type(mine.capacity) is type(theirs.capacity)
        assert mine.capacity == theirs.capacity
        for name in ("ttft_ms", "tpot_ms", "latency_ms", "capacity_per_s"):
            a, b = getattr(mine, name), getattr(theirs, name)
            assert (math.isnan(a) and math.isnan(b)) or a == b, name  # NaN stays NaN
    mc, fresh = back.uncertainty, rag.uncertainty
    assert mc is not None and fresh is not None
    assert mc.percentiles == fresh.percentiles and mc.inputs == fresh.inputs
    for k in fresh.bands:
        assert np.array_equal(mc.bands[k], fresh.bands[k])
    # per-draw samples at single precision: cents on a TCO of millions
    np.testing.assert_allclose(mc.samples["tco_usd"], fresh.samples["tco_usd"], rtol=1e-7)
    assert mc.samples["tco_usd"].dtype == np.float64


def test_the_codec_refuses_what_it_did_not_write() -> None:
    for text in ("{}", "[1, 2]", '{"codec": 999, "result": {}}', '{"codec": 1, "result": {}}',
                 "not json"):
        with pytest.raises(ResultCodecError):
            result_from_json(text)
    with pytest.raises(TypeError):
        encode(object())


def test_the_key_follows_every_input() -> None:
    scenario = read_scenario_file(demo_scenario_paths()["rag-service-h100"])
    catalog = Catalog.shipped()
    table, aliases = load_efficiency()
    basis = results_cache.CacheBasis(results_cache.catalog_sha256(catalog),
                                     results_cache.factors_sha256(table, aliases), DRAWS, 7)
    key = results_cache.inputs_sha256(scenario, basis)
    assert key == results_cache.inputs_sha256(scenario, basis) and len(key) == 64
    data = scenario.to_dict()
    data["workloads"][1]["users"] = 3001
    others = [
        results_cache.inputs_sha256(Scenario.from_dict(data), basis),
        results_cache.inputs_sha256(scenario, dataclasses.replace(basis, draws=DRAWS + 1)),
        results_cache.inputs_sha256(scenario, dataclasses.replace(basis, seed=8)),
        results_cache.inputs_sha256(scenario, dataclasses.replace(basis, tornado_kpi="npv_usd")),
    ]
    edited = Catalog(catalog.entries, version=catalog.version)
    edited.entries["accelerators"][0] = {**edited.entries["accelerators"][0], "price_usd": 1}
    others.append(results_cache.inputs_sha256(scenario, dataclasses.replace(
        basis, catalog_sha256=results_cache.catalog_sha256(edited))))
    refit = dataclasses.replace(table, version=table.version + "-site")
    others.append(results_cache.inputs_sha256(scenario, dataclasses.replace(
        basis, factors_sha256=results_cache.factors_sha256(refit, aliases))))
    assert len({key, *others}) == len(others) + 1


def test_evaluate_cached_stores_then_reuses(tmp_path: Path) -> None:
    with open_workspace(tmp_path / "w.sqlite") as ws:
        sid = scenario_store.find(ws.db, RAG_NAME)
        assert sid is not None
        scenario = Scenario.from_dict(scenario_store.get(ws.db, sid))
        table, aliases = load_efficiency()
        first = results_cache.evaluate_cached(ws.db, sid, scenario, ws.catalog, table, aliases,
                                              draws=DRAWS, seed=3)
        assert not first.hit and results_store.count(ws.db, sid) == 1
        second = results_cache.evaluate_cached(ws.db, sid, scenario, ws.catalog, table,
                                               aliases, draws=DRAWS, seed=3)
        assert second.hit and second.key == first.key
        assert result_to_json(second.result) == result_to_json(first.result)
        # another draw count is another row; only the newest rows of a scenario are kept
        for draws in (DRAWS + 1, DRAWS + 2):
            results_cache.evaluate_cached(ws.db, sid, scenario, ws.catalog, table, aliases,
                                          draws=draws, seed=3)
        assert results_store.count(ws.db, sid) == results_store.KEPT_PER_SCENARIO
        # editing the scenario forgets its results
        scenario_store.update(ws.db, sid, {**scenario.to_dict(), "description": "edited"})
        assert results_store.count(ws.db, sid) == 0


def test_an_unreadable_row_is_recomputed(tmp_path: Path) -> None:
    with open_workspace(tmp_path / "w.sqlite") as ws:
        sid = scenario_store.find(ws.db, RAG_NAME)
        assert sid is not None
        results_store.put(ws.db, sid, "0" * 64, json.dumps({"codec": 0}))
        assert results_cache.lookup(ws.db, sid, "0" * 64) is None


def test_report_from_the_cache_is_the_report_evaluated(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    with open_workspace(path) as ws:
        catalog = ws.catalog
        found = find_subjects(ws.db, [RAG_NAME], catalog=catalog, draws=DRAWS)
        assert found[0].scenario_id is not None and found[0].cached is None
        fresh = evaluate_subjects(found, catalog, draws=DRAWS)
        assert store_results(ws.db, found, fresh) == 1
        again = find_subjects(ws.db, [RAG_NAME], catalog=catalog, draws=DRAWS)
        assert again[0].cached is not None and again[0].cache_key == found[0].cache_key
        reused = evaluate_subjects(again, catalog, draws=DRAWS)
        assert store_results(ws.db, again, reused) == 0  # nothing new to keep
    html, charts = report_html(build_report(reused, OPTIONS))
    html_fresh, charts_fresh = report_html(build_report(fresh, OPTIONS))
    assert html == html_fresh
    for mine, theirs in zip(charts, charts_fresh, strict=True):
        if mine.kind != "distribution":
            assert mine == theirs, mine.key
        else:  # the histogram of single-precision samples: the same bins within cents
            np.testing.assert_allclose(mine.data.bin_edges_usd, theirs.data.bin_edges_usd,
                                       rtol=1e-7)
            assert mine.data.counts == theirs.data.counts
    # a demo or a file has no workspace row: evaluated every time, never stored
    with open_workspace(path) as ws:
        demo = find_subjects(ws.db, ["rag-service-h100"], catalog=ws.catalog, draws=DRAWS)
        assert demo[0].scenario_id is None and demo[0].cache_key == ""


def test_a_read_only_workspace_is_not_written(tmp_path: Path, rag: EvaluationResult) -> None:
    path = tmp_path / "w.sqlite"
    with open_workspace(path) as ws:
        sid = scenario_store.find(ws.db, RAG_NAME)
    assert sid is not None
    with open_workspace(path, read_only=True) as ws:
        assert results_cache.store(ws.db, sid, "1" * 64, rag) is False
        assert results_store.count(ws.db) == 0


def test_reports_evaluate_with_the_workspaces_factors(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Site refits apply to reports as to `enclave evaluate` (and are part of the key)."""
    table, aliases = load_efficiency()
    site = dataclasses.replace(table, version="site-refit-test")
    monkeypatch.setattr("app.reports.prepare.workspace_efficiency",
                        lambda db: (site, aliases))
    with open_workspace(tmp_path / "w.sqlite") as ws:
        found = find_subjects(ws.db, [RAG_NAME], catalog=ws.catalog, draws=DRAWS)
        subject = evaluate_subjects(found, ws.catalog, draws=DRAWS)[0]
        assert "site-refit-test" in subject.result.basis["efficiency_factors"]
        shipped = results_cache.CacheBasis(results_cache.catalog_sha256(ws.catalog),
                                           results_cache.factors_sha256(table, aliases), DRAWS,
                                           DEFAULT_SEED)
        refit = dataclasses.replace(shipped,
                                    factors_sha256=results_cache.factors_sha256(site, aliases))
        assert found[0].cache_key == results_cache.inputs_sha256(found[0].scenario, refit)
        assert found[0].cache_key != results_cache.inputs_sha256(found[0].scenario, shipped)
