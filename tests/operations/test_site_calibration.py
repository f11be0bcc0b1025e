"""Site calibration: importing a log lowers the error on it, changes only its hardware's
factors, is one transaction with an audit row, refuses bad logs without a trace, and undoes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.catalog.benchmark_logs import BenchmarkLogError, SiteFacts
from app.catalog.efficiency import load_efficiency
from app.engine.scenario import Scenario
from app.operations.estimate import estimate_rows
from app.operations.evaluate import evaluate
from app.operations.scenario_files import find_scenario_anywhere
from app.operations.site_calibration import (
    apply_calibration,
    calibrate_file,
    plan_calibration,
    read_site_log,
)
from app.operations.site_efficiency import site_groups, workspace_efficiency
from app.operations.workspace_ops import open_workspace
from app.storage import audit, calibration_store
from app.storage.workspace import Workspace
from tests.operations.site_logs import SITE_GPU, SITE_MODEL, slow_vllm_log

FACTS = SiteFacts(model=SITE_MODEL, gpu=SITE_GPU, weights="bf16", kv_cache="bf16")
OTHER_GPUS = ("nvidia-a100-sxm4-80gb", "nvidia-l40s-48gb", "amd-instinct-mi300x-192gb",
              "nvidia-b200-180gb", "nvidia-geforce-rtx-4090-24gb")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.enclave.sqlite", with_demos=False)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def site_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return slow_vllm_log(tmp_path_factory.mktemp("site") / "h100-bench.json")


def stored_state(ws: Workspace) -> tuple[list[tuple[object, ...]], ...]:
    return tuple(
        [tuple(r) for r in ws.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()]
        for t in ("calibration_points", "efficiency_factors", "audit_log"))


def test_calibrating_lowers_the_error_on_those_measurements(ws: Workspace, site_log: Path
                                                            ) -> None:
    plan = calibrate_file(ws, site_log, FACTS)
    fitted = {e.metric: e for e in plan.errors if e.fitted}
    assert set(fitted) == {"output_tokens_per_s", "ttft_ms", "tpot_ms", "e2e_latency_s"}
    for e in fitted.values():
        assert e.n == 12
        assert e.mdape_before_pct > 15.0, e  # 30 % slower than the shipped factors predict
        assert e.mdape_after_pct < e.mdape_before_pct / 2, e
    (group,) = plan.groups
    assert (group.engine, group.hardware_class, group.improved) == ("vllm", "nvidia-hopper",
                                                                    True)
    assert group.after.mbu < group.before.mbu  # slower memory streaming, as measured

    # The workspace's estimates now reproduce the site's measurements.
    table, aliases = workspace_efficiency(ws.db)
    points = calibration_store.points(ws.db)
    out = estimate_rows([p.case() for p in points], ws.catalog, table, aliases)
    errors = sorted(abs(float(o[p.metric]) - p.value) / p.value for p, o in zip(points, out,
                                                                                strict=True)
                    if p.metric in fitted)
    assert errors[len(errors) // 2] < 0.10


def test_other_hardware_and_engines_keep_their_factors(ws: Workspace, site_log: Path) -> None:
    shipped, aliases = load_efficiency()
    calibrate_file(ws, site_log, FACTS)
    table, _ = workspace_efficiency(ws.db)
    assert set(site_groups(table)) == {("vllm", "nvidia-hopper")}
    classes = {(a.hardware_class, a.segment) for a in ws.catalog.accelerators.values()}
    for engine in shipped.engines:
        for hardware_class, segment in classes:
            before = shipped.resolve(engine, hardware_class, segment)
            after = table.resolve(engine, hardware_class, segment)
            if (engine, hardware_class) == ("vllm", "nvidia-hopper"):
                assert after.factors != before.factors
                assert "site-calibrated from 72 points" in after.basis
            else:
                assert after == before, (engine, hardware_class)
    cases = [{"case_id": gpu, "model": SITE_MODEL, "gpu": gpu, "gpu_count": "1",
              "weights": "fp8", "engine": engine, "mode": "batch", "load": "8",
              "input_tokens": "1024", "output_tokens": "128"}
             for gpu in OTHER_GPUS for engine in ("vllm", "sglang", "tensorrt-llm")]
    assert estimate_rows(cases, ws.catalog, table, aliases) == \
        estimate_rows(cases, ws.catalog, shipped, aliases)


def test_import_is_one_transaction_with_its_audit_row(ws: Workspace, site_log: Path) -> None:
    plan = calibrate_file(ws, site_log, FACTS)
    points = calibration_store.points(ws.db)
    assert len(points) == 72 and {p.batch for p in points} == {plan.batch}
    assert points[0].source == "h100-bench.json · record 1 output_throughput"
    (row,) = calibration_store.factor_rows(ws.db)
    assert (row.engine, row.hardware_class, row.points) == ("vllm", "nvidia-hopper", 72)
    assert set(row.data["bands"]) == {"output_tokens_per_s", "ttft_ms", "tpot_ms",
                                      "e2e_latency_s", "ttft_p99_ms", "tpot_p99_ms"}
    (entry,) = audit.query(ws.db, entity="calibration")
    assert entry.action == "calibration.imported" and entry.entity_id == plan.batch
    assert entry.detail["sha256"] == plan.log.reading.sha256
    assert entry.detail["groups"] == ["vllm/nvidia-hopper"]


def test_a_refused_log_changes_nothing(ws: Workspace, site_log: Path, tmp_path: Path) -> None:
    calibrate_file(ws, site_log, FACTS)
    before = stored_state(ws)
    broken = tmp_path / "broken.json"
    broken.write_text(site_log.read_text(encoding="utf-8").replace('"completed": 200',
                                                                   '"completed": -1', 1))
    with pytest.raises(BenchmarkLogError, match=r"broken.json: record 1: completed must be"):
        calibrate_file(ws, broken, FACTS)
    with pytest.raises(BenchmarkLogError, match=r"^gpu: accelerator 'H900'"):
        calibrate_file(ws, site_log, SiteFacts(model=SITE_MODEL, gpu="H900", weights="bf16"))
    bad_layout = SiteFacts(model="llama-3.1-405b", gpu=SITE_GPU, weights="bf16")
    with pytest.raises(BenchmarkLogError, match="h100-bench.json: "):
        calibrate_file(ws, site_log, bad_layout)  # 405B cannot be resolved/fit on one GPU
    assert stored_state(ws) == before


def test_the_same_file_is_not_imported_twice(ws: Workspace, site_log: Path) -> None:
    calibrate_file(ws, site_log, FACTS)
    before = stored_state(ws)
    with pytest.raises(BenchmarkLogError, match="was already imported into this workspace"):
        calibrate_file(ws, site_log, FACTS)
    assert stored_state(ws) == before


def test_undo_and_redo_restore_exactly(ws: Workspace, site_log: Path) -> None:
    empty = stored_state(ws)
    table, aliases = workspace_efficiency(ws.db)
    log = read_site_log(site_log, FACTS, ws.catalog, table, aliases)
    plan = plan_calibration(log, [], ws.catalog, table, aliases)
    outcome = apply_calibration(ws, plan)
    imported = stored_state(ws)
    assert outcome.change.kind == "calibration" and outcome.change.ids == (plan.batch,)
    redo = outcome.inverse()
    assert stored_state(ws)[:2] == empty[:2]
    assert site_groups(workspace_efficiency(ws.db)[0]) == {}
    redo.inverse()
    assert stored_state(ws)[:2] == imported[:2]


def test_evaluate_and_estimate_say_site_calibrated_and_carry_bands(ws: Workspace,
                                                                   site_log: Path) -> None:
    calibrate_file(ws, site_log, FACTS)
    table, aliases = workspace_efficiency(ws.db)
    (row,) = estimate_rows([{"case_id": "x", "model": SITE_MODEL, "gpu": "H100 SXM 80GB",
                             "gpu_count": "1", "weights": "bf16", "engine": "vllm",
                             "mode": "batch", "load": "8", "input_tokens": "1024",
                             "output_tokens": "128"}], ws.catalog, table, aliases)
    assert "site-calibrated from 72 points, " in row["basis"]
    assert float(row["tpot_ms_low"]) <= float(row["tpot_ms"]) <= float(row["tpot_ms_high"])
    scenario, _ = find_scenario_anywhere(ws.db, "secure-chat-h100")
    assert isinstance(scenario, Scenario)
    result = evaluate(scenario, ws.catalog, draws=200, efficiency=table, aliases=aliases)
    basis = result.to_json()["basis"]
    assert basis["efficiency_factors"].startswith("vllm/nvidia-hopper site-calibrated from 72")
    band = basis["error_bands"]["tpot_ms"]
    assert band["low"] <= band["value"] <= band["high"]
    assert "site points" in band["basis"]


def test_a_second_log_refits_on_all_points_of_the_group(ws: Workspace, site_log: Path,
                                                        tmp_path: Path) -> None:
    calibrate_file(ws, site_log, FACTS)
    other = slow_vllm_log(tmp_path / "h200.json", slowdown=1.25, gpu="nvidia-h200-sxm-141gb")
    plan = calibrate_file(ws, other, SiteFacts(model=SITE_MODEL, gpu="nvidia-h200-sxm-141gb",
                                               weights="bf16", kv_cache="bf16"))
    assert plan.groups[0].points == 144
    (row,) = calibration_store.factor_rows(ws.db)
    assert row.points == 144
    assert [b.file for b in calibration_store.batches(ws.db)] == ["h200.json", "h100-bench.json"]


def test_a_log_over_two_hardware_classes_refits_each_alone(ws: Workspace, tmp_path: Path
                                                           ) -> None:
    shipped, aliases = load_efficiency()
    lines = ["model,gpu,gpu_count,weights,kv_cache,engine,mode,load,input_tokens,output_tokens,"
             "metric,value"]
    for gpu, slowdown in (("nvidia-l40s-48gb", 1.4), ("nvidia-a100-sxm4-80gb", 0.8)):
        cases = [{"case_id": f"{gpu}-{b}-{n}", "model": SITE_MODEL, "gpu": gpu,
                  "gpu_count": "1", "weights": "fp16", "kv_cache": "fp16", "engine": "sglang",
                  "mode": "batch", "load": str(b), "input_tokens": str(n),
                  "output_tokens": "256"} for b in (1, 4, 16, 64) for n in (512, 2048)]
        for case, out in zip(cases, estimate_rows(cases, ws.catalog, shipped, aliases),
                             strict=True):
            for metric in ("output_tokens_per_s", "tpot_ms"):
                scale = 1 / slowdown if metric == "output_tokens_per_s" else slowdown
                lines.append(",".join([*(case[k] for k in list(case)[1:]), metric,
                                       f"{float(out[metric]) * scale:.6g}"]))
    log = tmp_path / "two.csv"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = calibrate_file(ws, log, SiteFacts())
    assert {(g.engine, g.hardware_class) for g in plan.groups if g.improved} == {
        ("sglang", "nvidia-ada"), ("sglang", "nvidia-ampere")}
    table, _ = workspace_efficiency(ws.db)
    ada = table.resolve("sglang", "nvidia-ada").factors
    ampere = table.resolve("sglang", "nvidia-ampere").factors
    assert ada.mbu < shipped.resolve("sglang", "nvidia-ada").factors.mbu  # slower than shipped
    assert ampere.mbu > shipped.resolve("sglang", "nvidia-ampere").factors.mbu  # faster
    assert table.resolve("vllm", "nvidia-ada") == shipped.resolve("vllm", "nvidia-ada")
    for e in plan.errors:
        assert e.mdape_after_pct < e.mdape_before_pct
