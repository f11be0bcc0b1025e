"""The dashboard's Workloads and shared fleet area as data: rows and cards hold the evaluation's
own numbers, tooltips give formulas, every variant of the RAG demo builds; calibration bands on
the KPI cards and in Compare's table."""

from __future__ import annotations

import math

import pytest

from app.catalog.loader import Catalog
from app.operations.pool_chart_data import pool_placement
from app.reports import fmt
from app.reports.compare_table import compare_table
from app.reports.kpi_cards import BAD, GOOD, kpi_cards
from app.reports.subject import ReportSubject
from app.reports.workload_cards import COLUMNS, WorkloadsArea, workloads_area
from app.reports.workload_facts import has_workloads_area
from tests.reports import rag_variants


def area_of(s: ReportSubject) -> WorkloadsArea:
    return workloads_area(s.result, tuple(m.name for m in s.resolved.models),
                          s.resolved.accelerator.memory_bytes, s.resolved.accelerator.name)


@pytest.fixture(scope="module")
def rag_area(rag_subject: ReportSubject) -> WorkloadsArea:
    return area_of(rag_subject)


def test_only_scenarios_with_several_workloads_or_a_non_llm_get_the_area(
        rag_subject: ReportSubject, demo_subjects: list[ReportSubject]) -> None:
    assert has_workloads_area(rag_subject.result)
    assert not any(has_workloads_area(s.result) for s in demo_subjects)


def test_rows_hold_the_evaluations_numbers(rag_subject: ReportSubject,
                                           rag_area: WorkloadsArea) -> None:
    r = rag_subject.result
    assert [row.name for row in rag_area.rows] == [w.name for w in r.workloads]
    assert [row.kind for row in rag_area.rows] == ["llm", "embedding", "reranker", "finetune"]
    for row, w in zip(rag_area.rows, r.workloads, strict=True):
        assert len(row.cells) == len(COLUMNS)
        assert row.cell("gpu_share").value == w.gpu_share
        assert row.cell("peak").value == w.capacity_per_s
        assert row.cell("peak").text == (f"{fmt.rate(w.peak_demand_per_s)} / "
                                          f"{fmt.rate(w.capacity_per_s)} {w.rate_unit}")
        use = row.cell("use").value
        assert use is not None and math.isclose(use, w.peak_demand_per_s / w.capacity_per_s)
        assert row.cell("memory").text == fmt.gb(w.memory_per_instance_bytes)
        assert row.cell("cost_share").value == w.cost_share_usd
        assert row.cell("cost_share").text.startswith(fmt.usd_short(w.cost_share_usd))
        assert row.cell("target").text == "meets" and row.cell("target").tone == GOOD
        # narrow columns break lines without changing a word
        for cell in row.cells:
            assert cell.screen_text.replace("\n", " ") == cell.text.replace("tokens/s", "tok/s")
    answers, embedder, reranker, tune = rag_area.rows
    assert answers.cell("gpu_share").text == "6.00: 6 whole GPUs"
    assert embedder.cell("gpu_share").text.endswith("2 × 1g.10gb, off-peak")
    assert answers.cell("latency").text == (f"TTFT {fmt.ms(r.workloads[0].latency_ms)} / "
                                            "2,000 ms")
    assert tune.cell("latency").text == (f"run {fmt.hours(tune_details(rag_subject)['wall_time_h'])}"
                                         " / 48 h")
    assert sum(row.cell("cost_share").value or 0.0 for row in rag_area.rows) == \
        pytest.approx(r.kpis.tco_usd)


def tune_details(s: ReportSubject) -> dict[str, object]:
    return s.result.workloads[3].details


def test_cells_explain_their_formula_and_inputs(rag_area: WorkloadsArea) -> None:
    for row in rag_area.rows:
        for key in ("gpu_share", "peak", "use", "latency", "memory", "cost_share"):
            tooltip = row.cell(key).tooltip
            assert "Formula:" in tooltip and "Inputs:" in tooltip, (row.name, key)
    embedder = rag_area.rows[1]
    assert "rate per whole GPU 13,787 texts/s" in embedder.cell("peak").tooltip
    assert "cost share = TCO × GPU share ÷ Σ GPU shares" in embedder.cell("cost_share").tooltip


def test_kind_cards_hold_the_evaluations_numbers(rag_subject: ReportSubject,
                                                 rag_area: WorkloadsArea) -> None:
    r = rag_subject.result
    cards = {c.name: c for c in rag_area.cards}
    assert list(cards) == ["embedder", "reranker", "weekly-lora"]  # no card for the LLM
    e = r.workloads[1].details
    embedder = cards["embedder"]
    assert embedder.title == "embedder: embedding (BGE-M3)"
    assert embedder.figure("index_memory").value == fmt.gb(e["index_memory_bytes"])
    assert fmt.gb(e["index_disk_bytes"]) in embedder.figure("index_memory").detail
    assert embedder.figure("corpus_embedding").value == fmt.usd_short(e["corpus_embed_cost_usd"])
    assert embedder.figure("reembedding").value == \
        f"{fmt.num(e['reembed_gpu_hours_per_month'], digits=1)} GPU-h"
    rr = r.workloads[2].details
    reranker = cards["reranker"]
    assert reranker.figure("latency").value == fmt.ms(r.workloads[2].latency_ms)
    assert reranker.figure("latency").tone == GOOD
    assert reranker.figure("cost_per_1k").value == fmt.usd_cents(rr["cost_per_1k_queries_usd"])

    d = r.workloads[3].details
    tune = cards["weekly-lora"]
    assert tune.figure("method").value == "LoRA r16"
    assert tune.figure("tokens").value == fmt.millions(d["tokens_per_run"]) == "40.0 M"
    assert tune.figure("job_gpus").value == str(d["job_gpus"])
    assert f"fewest that fit: {d['min_gpus_to_fit']}" in tune.figure("job_gpus").detail
    assert tune.figure("wall_time").value == fmt.hours(d["wall_time_h"])
    assert tune.figure("wall_time").detail.startswith("deadline 48 h (met)")
    assert tune.figure("gpu_hours").value == f"{fmt.num(d['gpu_hours_per_run'], digits=1)} GPU-h"
    assert tune.figure("cost_per_run").value == f"{fmt.usd_short(d['cost_per_run_usd'])} owned"
    assert tune.figure("cost_per_run").detail.startswith(
        f"rented {fmt.usd_short(d['cost_per_run_rented_usd'])}")
    memory = tune.memory
    assert memory is not None and memory.fits and memory.job_gpus == d["job_gpus"]
    assert [name for name, _ in memory.parts] == ["weights", "gradients", "optimizer states",
                                                  "activations", "overhead"]
    assert memory.total_gb * 1e9 == pytest.approx(d["memory_per_gpu_bytes"])
    assert memory.capacity_gb * 1e9 == pytest.approx(d["capacity_per_gpu_bytes"])
    for card in cards.values():
        for figure in card.figures:
            assert figure.tooltip, (card.name, figure.key)


def test_the_pool_and_its_facts(rag_subject: ReportSubject, rag_area: WorkloadsArea) -> None:
    s = rag_subject
    assert rag_area.pool == pool_placement(s.result, s.resolved.accelerator.memory_bytes)
    facts = dict(rag_area.facts)
    assert facts["GPUs in month 1"].startswith(f"{s.result.kpis.gpus}: 6 whole for the LLM")
    assert facts["Cost per GPU-hour (owned)"].startswith(
        fmt.usd_cents(s.result.kpis.cost_per_gpu_hour_usd))
    assert "Co-location caveat" in rag_area.caveat
    assert rag_area.headline == ("4 workloads on 8 × NVIDIA H100 SXM 80GB · all meet their "
                                 "targets")


@pytest.mark.parametrize("variant", ["guard_time_sliced", "encoders_only", "tune_not_fitting"])
def test_every_variant_builds_its_area(catalog: Catalog, variant: str) -> None:
    s = rag_variants.subject(catalog, getattr(rag_variants, variant)())
    area = area_of(s)
    assert len(area.rows) == len(s.result.workloads)
    kinds = {c.kind for c in area.cards}
    if variant == "guard_time_sliced":
        assert "guard" in kinds
        guard = next(c for c in area.cards if c.kind == "guard")
        assert guard.figure("checks").value == "2"
    if variant == "tune_not_fitting":
        tune = next(c for c in area.cards if c.kind == "finetune")
        assert tune.memory is not None and not tune.memory.fits
        assert tune.memory.total_gb > tune.memory.capacity_gb
        assert tune.figure("job_gpus").tone == BAD
        row = next(r for r in area.rows if r.kind == "finetune")
        assert row.cell("target").text == "does not fit" and row.cell("target").tone == BAD


def test_kpi_cards_carry_the_calibration_band(rag_subject: ReportSubject) -> None:
    r = rag_subject.result
    cards = {c.key: c for c in kpi_cards(r)}
    bands = r.basis["error_bands"]
    ttft = bands["ttft_ms"]
    assert cards["ttft_ms"].band == (f"band {fmt.ms_bare(r.kpis.ttft_ms * ttft['ratio_p10'])}–"
                                     f"{fmt.ms_bare(r.kpis.ttft_ms * ttft['ratio_p90'])}")
    assert cards["tpot_ms"].band.startswith("band ") and cards["throughput"].band
    assert "Calibration band" in cards["ttft_ms"].tooltip
    assert ttft["basis"] in cards["ttft_ms"].tooltip
    assert not cards["tco_usd"].band


def test_compare_table_has_a_band_row_under_each_prediction(
        demo_subjects: list[ReportSubject], rag_subject: ReportSubject) -> None:
    subjects = [demo_subjects[0], rag_subject]
    table = compare_table([s.name for s in subjects], [s.result for s in subjects])
    keys = [row.key for row in table.rows]
    for metric in ("ttft_ms", "tpot_ms", "output_tokens_per_s"):
        assert keys[keys.index(metric) + 1] == f"{metric}_band"
    band = next(row for row in table.rows if row.key == "ttft_ms_band")
    r = rag_subject.result
    low, high = (r.kpis.ttft_ms * r.basis["error_bands"]["ttft_ms"][k]
                 for k in ("ratio_p10", "ratio_p90"))
    assert band.texts[1] == f"{low:,.0f}–{high:,.0f} ms"
    assert not any(band.best) and not any(band.worst) and band.deltas == ("", "")
