"""Calibration points and site factors: one transaction per import, exact undo, no partial
writes, and nothing written to a read-only workspace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.operations.workspace_ops import open_workspace
from app.storage import audit, calibration_store
from app.storage.calibration_store import CalibrationStoreError, FactorRow
from app.storage.errors import ReadOnlyWorkspaceError
from app.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.enclave.sqlite", with_demos=False)
    yield workspace
    workspace.close()


def point(metric: str = "ttft_ms", value: float = 42.0, label: str = "record 1") -> dict[str, Any]:
    return {"source": f"bench.json · {label}", "model": "llama-3.1-8b",
            "gpu": "nvidia-h100-sxm-80gb", "gpu_count": 1, "tp": 1, "pp": 1, "ep": 1,
            "weights": "bf16", "kv_cache": "bf16", "engine": "vllm", "mode": "batch",
            "load": 8.0, "input_tokens": 1024, "output_tokens": 128, "metric": metric,
            "value": value}


FACTORS = FactorRow("vllm", "nvidia-hopper", {"mfu": 0.4, "mbu": 0.6, "layer_overhead_us": 40.0},
                    2, "2026-12-01T10:00:00+00:00")


def test_an_import_stores_points_factors_and_one_audit_row(ws: Workspace) -> None:
    calibration_store.record_import(ws.db, "b1", [point(), point("tpot_ms", 7.5)], [FACTORS],
                                    file="bench.json", sha256="ab")
    stored = calibration_store.points(ws.db)
    assert [(p.metric, p.value, p.file) for p in stored] == [
        ("ttft_ms", 42.0, "bench.json"), ("tpot_ms", 7.5, "bench.json")]
    assert stored[0].case()["load"] == "8" and stored[0].case()["case_id"] == f"site-{stored[0].id}"
    assert calibration_store.factor_rows(ws.db) == [FACTORS]
    assert [b.points for b in calibration_store.batches(ws.db)] == [2]
    (entry,) = audit.query(ws.db, entity="calibration")
    assert entry.detail["points"] == 2 and entry.detail["groups"] == ["vllm/nvidia-hopper"]


def test_a_bad_point_writes_nothing(ws: Workspace) -> None:
    with pytest.raises(CalibrationStoreError, match="value must be a number > 0"):
        calibration_store.record_import(ws.db, "b1", [point(), point(value=float("nan"))],
                                        [FACTORS])
    calibration_store.record_import(ws.db, "b1", [point()], [FACTORS])
    with pytest.raises(CalibrationStoreError, match="import batch 'b1' already exists"):
        calibration_store.record_import(ws.db, "b1", [point()], [])
    assert len(calibration_store.points(ws.db)) == 1
    assert len(audit.query(ws.db, entity="calibration")) == 1


def test_snapshot_and_restore_round_trip_exactly(ws: Workspace) -> None:
    calibration_store.record_import(ws.db, "b0", [point(label="old")], [FACTORS])
    before = calibration_store.snapshot(ws.db, "b1")
    newer = FactorRow("vllm", "nvidia-hopper", {**FACTORS.data, "mfu": 0.3}, 3, "2026-12-02")
    calibration_store.record_import(ws.db, "b1", [point(), point("tpot_ms", 7.0)], [newer])
    after = calibration_store.snapshot(ws.db, "b1")
    calibration_store.restore(ws.db, "b1", before)
    assert calibration_store.snapshot(ws.db, "b1") == before
    assert calibration_store.factor_rows(ws.db) == [FACTORS]
    assert [p.batch for p in calibration_store.points(ws.db)] == ["b0"]
    calibration_store.restore(ws.db, "b1", after)
    assert calibration_store.snapshot(ws.db, "b1") == after


def test_dropped_groups_lose_their_site_factors(ws: Workspace) -> None:
    calibration_store.record_import(ws.db, "b0", [point()], [FACTORS])
    calibration_store.record_import(ws.db, "b1", [point()], [], [("vllm", "nvidia-hopper")])
    assert calibration_store.factor_rows(ws.db) == []


def test_read_only_workspace_refuses_an_import(tmp_path: Path) -> None:
    path = tmp_path / "ws.enclave.sqlite"
    open_workspace(path, with_demos=False).close()
    ws = open_workspace(path, read_only=True)
    try:
        with pytest.raises(ReadOnlyWorkspaceError):
            calibration_store.record_import(ws.db, "b1", [point()], [FACTORS])
        assert calibration_store.points(ws.db) == []
    finally:
        ws.close()


def test_factor_data_is_stored_as_json(ws: Workspace) -> None:
    calibration_store.record_import(ws.db, "b1", [point()], [FACTORS])
    raw = ws.db.execute("SELECT data FROM efficiency_factors").fetchone()[0]
    assert json.loads(raw) == FACTORS.data
