"""The workloads and shared fleet section, its summary sentences and the other sections' handling
of encoders and fine-tuning: on the RAG service demo and variants of it."""

from __future__ import annotations

import pytest

from app.catalog.loader import Catalog
from app.operations.pool_chart_data import PoolPlacementData
from app.reports import fmt
from app.reports.bands import band_ratios, ms_band
from app.reports.content import build_report, headline_kpis
from app.reports.model import Chart, Fields, Heading, KpiGrid, Paragraph, Table
from app.reports.register import register_rows
from app.reports.sec_engineering import capacity_blocks, performance_blocks
from app.reports.sec_workloads import workloads_blocks
from app.reports.sentences import summary_sentences
from app.reports.subject import ReportSubject
from app.reports.workload_sentences import (
    cost_share_sentence,
    kind_sentences,
    pooled_fit_sentence,
    sharing_sentence,
)
from tests.reports import rag_variants
from tests.reports.conftest import FIXED


def _tables(blocks: list[object]) -> dict[str, Table]:
    return {b.key: b for b in blocks if isinstance(b, Table)}


def _kpis(blocks: list[object]) -> dict[str, tuple[str, str]]:
    return {k.label: (k.value, k.detail) for b in blocks if isinstance(b, KpiGrid)
            for k in b.items}


@pytest.fixture(scope="module")
def rag_blocks(rag_subject: ReportSubject) -> list[object]:
    return list(workloads_blocks(rag_subject, "s1"))


def test_the_table_has_every_workload_with_its_figures(rag_subject: ReportSubject,
                                                        rag_blocks: list[object]) -> None:
    r = rag_subject.result
    table = _tables(rag_blocks)["s1-workloads"]
    rows = {row[0].text: [c.text for c in row] for row in table.rows}
    assert list(rows) == ["answers", "embedder", "reranker", "weekly-lora"]
    assert [row[1] for row in rows.values()] == ["LLM", "embedding", "reranker", "fine-tune"]
    assert rows["answers"][2] == "Llama 3.1 70B Instruct"
    assert rows["answers"][3] == "6.00: 6 whole GPUs"
    assert rows["embedder"][3] == "0.29: 2 × 1g.10gb, off-peak"
    assert rows["reranker"][3] == "0.57: 2 × 2g.20gb"
    assert rows["weekly-lora"][3] == "0.07: off-peak (3 GPUs)"
    answers, embedder, reranker, tune = r.workloads
    assert rows["answers"][4] == (f"{fmt.rate(answers.peak_demand_per_s)} / "
                                  f"{fmt.rate(answers.capacity_per_s)} output tokens/s")
    assert rows["embedder"][4].endswith("texts/s")
    assert rows["reranker"][4].endswith("queries/s")
    assert rows["weekly-lora"][4].endswith("training tokens/s")
    assert rows["reranker"][5] == fmt.pct(reranker.peak_demand_per_s / reranker.capacity_per_s)
    assert rows["answers"][6] == f"TTFT {fmt.ms(answers.ttft_ms)} / 2,000 ms"
    assert rows["reranker"][6] == f"request {fmt.ms(reranker.latency_ms)} / 500 ms"
    assert rows["weekly-lora"][6] == f"run {fmt.hours(tune.details['wall_time_h'])} / 48 h"
    assert rows["embedder"][7] == fmt.gb(embedder.memory_per_instance_bytes)
    assert all(row[9] == "meets" for row in rows.values())
    tco = r.kpis.tco_usd
    assert tco is not None
    assert rows["answers"][8] == (f"{fmt.usd_short(answers.cost_share_usd)} "
                                  f"({fmt.pct((answers.cost_share_usd or 0) / tco)})")
    # the export keeps numbers: GPU share and cost share in their own units
    exported = {row[0].text: row for row in table.rows}
    assert exported["reranker"][3].export_value == pytest.approx(4 / 7)
    assert sum(row[8].export_value for row in table.rows) == pytest.approx(tco)


def test_cards_quote_each_kinds_figures(rag_subject: ReportSubject,
                                        rag_blocks: list[object]) -> None:
    r = rag_subject.result
    embedder, reranker, tune = r.workloads[1].details, r.workloads[2].details, \
        r.workloads[3].details
    cards = _kpis(rag_blocks)
    assert cards["vectors in the index"][0] == "3.00 M"
    assert cards["index in host memory"][0] == fmt.gb(embedder["index_memory_bytes"]) == "13.1 GB"
    assert cards["index in host memory"][1].startswith("13.1 GB on disk; HNSW")
    assert cards["embedding the corpus"][0] == fmt.usd_short(embedder["corpus_embed_cost_usd"])
    assert cards["re-embedding per month"][0] == "0.8 GPU-h"
    assert cards["latency per query"][0] == fmt.ms(r.workloads[2].latency_ms)
    assert "target 500 ms; on a 2g.20gb partition" in cards["latency per query"][1]
    assert cards["cost per 1,000 queries"][0] == fmt.usd_cents(reranker["cost_per_1k_queries_usd"])
    assert cards["method"][0] == "LoRA r16"
    assert cards["tokens per run"][0] == "40.0 M"
    assert cards["wall time per run"][0] == fmt.hours(tune["wall_time_h"])
    assert "on 3 GPUs; deadline 48 h (met); fewest GPUs that fit: 3" in \
        cards["wall time per run"][1]
    owned, rented = tune["cost_per_run_usd"], tune["cost_per_run_rented_usd"]
    assert cards["cost per run (owned)"][0] == fmt.usd_short(owned)
    assert f"rented {fmt.usd_short(rented)} at $1.85/GPU-h" in cards["cost per run (owned)"][1]
    headings = [b.text for b in rag_blocks if isinstance(b, Heading)]
    assert headings == ["embedder (BGE-M3)", "reranker (bge-reranker-v2-m3)",
                        "weekly-lora: fine-tuning (Llama 3.1 70B Instruct)"]


def test_finetune_memory_breakdown_adds_up(rag_subject: ReportSubject,
                                           rag_blocks: list[object]) -> None:
    d = rag_subject.result.workloads[3].details
    table = _tables(rag_blocks)["s1-finetune-3"]
    names = [row[0].text for row in table.rows]
    assert names == ["weights", "gradients", "optimizer states", "activations", "overhead",
                     "total per GPU", "GPU capacity"]
    parts = sum(float(row[1].export_value) for row in table.rows[:5])
    assert parts == pytest.approx(d["memory_per_gpu_bytes"], rel=1e-9)
    assert table.rows[5][2].status == "pass"
    assert table.rows[6][1].text == "80.0 GB"
    assert "smallest GPU count that fits is 3" in table.note


def test_pool_chart_and_caveat(rag_blocks: list[object]) -> None:
    charts = [b for b in rag_blocks if isinstance(b, Chart)]
    assert [c.kind for c in charts] == ["pool_placement"]
    data = charts[0].data
    assert isinstance(data, PoolPlacementData) and len(data.gpus) == 8
    notes = " ".join(b.text for b in rag_blocks if isinstance(b, Paragraph))
    assert "Co-location caveat" in notes
    assert "co-located on the same fleet: embedder, reranker, weekly-lora" in notes
    assert "MIG profiles of NVIDIA H100 SXM 80GB" in notes


def test_summary_sentences_of_the_rag_service(rag_subject: ReportSubject) -> None:
    p = rag_subject.result.pool
    assert p is not None
    assert sharing_sentence(rag_subject) == (
        "The embedder and the reranker share one GPU through MIG partitions (2 × 1g.10gb and "
        "2 × 2g.20gb); the embedder's re-embedding of the corpus and the LoRA fine-tune "
        "“weekly-lora” run in the serving GPUs' idle hours "
        f"({fmt.num(p.pool.periodic_gpu_hours_per_month)} of "
        f"{fmt.num(p.pool.idle_gpu_hours_per_month)} idle GPU-hours a month).")
    kinds = kind_sentences(rag_subject)
    assert kinds.startswith("The embedder turns the 500,000-document corpus into 3.00 M vectors")
    assert "its HNSW index takes 13.1 GB of host memory and 13.1 GB of disk" in kinds
    assert "The reranker scores 50 passages per query in" in kinds
    assert "Each LoRA run of 40.0 M tokens takes" in kinds and "within its 48 h deadline" in kinds
    shares = cost_share_sentence(rag_subject)
    assert shares.startswith("By GPU share, the LLM “answers” carries 87% of the TCO")
    assert pooled_fit_sentence(rag_subject) == ""
    text = " ".join(summary_sentences(rag_subject))
    assert "The LLM “answers”, Llama 3.1 70B Instruct in FP8, fits" in text
    assert "7 would serve the peak with redundancy" in text  # the pool, not replicas × GPUs
    assert "0 replicas" not in text and "n/a" not in text
    demand = rag_subject.result.workloads[0].peak_demand_tokens_per_s
    assert f"peak demand of {fmt.num(demand)} tokens/s" in text  # LLM tokens only


def test_bands_beside_latency_and_throughput(rag_subject: ReportSubject) -> None:
    r = rag_subject.result
    low, high = band_ratios(r, "tpot_ms") or (0.0, 0.0)
    band = r.basis["error_bands"]["tpot_ms"]
    assert (low, high) == (band["ratio_p10"], band["ratio_p90"])
    assert ms_band(r, 42.0, "tpot_ms") == f"42.0 ms ({42 * low:.1f}–{42 * high:.1f})"
    table = _tables(performance_blocks(rag_subject, "s1"))["s1-latency"]
    assert [row[0].text for row in table.rows] == ["answers"]  # LLMs only
    assert table.rows[0][2].text == ms_band(r, r.kpis.ttft_ms, "ttft_ms")
    assert "(" in table.rows[0][8].text
    ttft = r.kpis.ttft_ms
    assert ttft is not None
    lo, hi = band_ratios(r, "ttft_ms") or (0.0, 0.0)
    grid = headline_kpis(rag_subject)
    assert grid.items[1].detail.startswith(
        f"band {fmt.ms_bare(ttft * lo)}–{fmt.ms_bare(ttft * hi)} ms · TPOT ")
    capacity = _tables(capacity_blocks(rag_subject, "s1"))["s1-capacity"]
    assert [row[0].text for row in capacity.rows] == ["answers"]


def test_register_keeps_what_each_kind_uses(rag_subject: ReportSubject) -> None:
    rows = {r[0].text: r for r in register_rows(rag_subject)}
    assert "workloads[0].embedding" not in rows and "workloads[0].finetune" not in rows
    assert "workloads[1].kv_cache" not in rows and "workloads[1].tpot_target_ms" not in rows
    assert "workloads[3].users" not in rows and "workloads[3].weights" not in rows
    assert rows["workloads[1].embedding.corpus_documents"][2].text == "documents"
    assert rows["workloads[1].embedding.hnsw_m"][2].text == "links/vector"
    assert rows["workloads[2].reranker.candidates_per_query"][2].text == "pairs/query"
    assert rows["workloads[3].finetune.dataset_tokens"][2].text == "tokens"
    assert rows["workloads[3].finetune.deadline_hours"][2].text == "h"
    assert rows["workloads[3].finetune.lora_rank"][2].text == "rank"
    assert rows["workloads[3].finetune.runs_per_month"][1].text == "4.33"
    assert "52 runs / 12 months" in rows["workloads[3].finetune.runs_per_month"][3].text
    assert rows["deployment.gpu_sharing"][1].text == "auto"


def test_register_fills_a_left_out_kind_section_with_its_defaults(
        catalog: Catalog) -> None:
    data = rag_variants.rag_dict()
    del data["workloads"][2]["reranker"]
    data["assumptions"] = [a for a in data["assumptions"] if ".reranker." not in a["field"]]
    rows = {r[0].text: r for r in register_rows(rag_variants.subject(catalog, data))}
    assert rows["workloads[2].reranker.candidates_per_query"][1].text == "20"
    assert rows["workloads[2].reranker.candidates_per_query"][3].text == \
        "Enclave default (FORMAT.md)"


def test_guard_time_slicing_and_dedicated_fine_tune(catalog: Catalog) -> None:
    s = rag_variants.subject(catalog, rag_variants.guard_time_sliced())
    p = s.result.pool
    assert p is not None and p.sharing == "time-slicing" and p.pool.gpus_periodic > 0
    sharing = sharing_sentence(s)
    assert sharing.startswith("The embedder, the reranker and the guard model share "
                              f"{ {1: 'one', 2: 'two'}[p.pool.gpus_shared]} GPU")
    assert "by time-slicing" in sharing
    assert f"get {p.pool.gpus_periodic} dedicated GPUs" in sharing
    assert "The guard model screens each request twice in" in kind_sentences(s)
    blocks = workloads_blocks(s, "s1")
    cards = _kpis(blocks)
    assert cards["checks per request"][0] == "2"
    assert "time-sliced" in cards["latency per check"][1]
    chart = next(b for b in blocks if isinstance(b, Chart))
    roles = [g.role for g in chart.data.gpus]
    assert roles.count("periodic") == p.pool.gpus_periodic and "shared" in roles
    facts = dict(next(b for b in blocks if isinstance(b, Fields)).rows)
    assert "dedicated to periodic jobs" in facts["GPUs in month 1"]


def test_encoders_without_an_llm(catalog: Catalog) -> None:
    s = rag_variants.subject(catalog, rag_variants.encoders_only())
    k = s.result.kpis
    assert k.ttft_ms is None and k.tco_usd is not None
    grid = headline_kpis(s)
    assert [i.label for i in grid.items] == ["fits / meets targets", "workloads",
                                             "TCO (5 years)", "cost per GPU-hour"]
    text = " ".join(summary_sentences(s))
    assert "n/a" not in text and "per 1M tokens" not in text
    assert "share one GPU through MIG partitions" in text
    assert "no generative LLM" in performance_blocks(s, "s1")[0].text  # type: ignore[union-attr]
    report = build_report([s], FIXED)
    facts = " ".join(v for b in report.section("workloads").blocks if isinstance(b, Fields)
                     for _, v in b.rows)
    assert "(spare)" in facts and "LLM replicas" not in facts


def test_a_fine_tune_that_does_not_fit(catalog: Catalog) -> None:
    s = rag_variants.subject(catalog, rag_variants.tune_not_fitting())
    assert not s.result.kpis.fits and s.result.pool is None
    sentence = pooled_fit_sentence(s)
    assert sentence.startswith("The full fine-tune “weekly-lora” does not fit on NVIDIA H100")
    assert "so cost is not evaluated" in sentence
    assert "Owning costs" not in " ".join(summary_sentences(s))
    blocks = workloads_blocks(s, "s1")
    assert not [b for b in blocks if isinstance(b, Chart)]
    assert "the fleet was not planned because weekly-lora does not fit" in blocks[0].text  # type: ignore[union-attr]
    table = _tables(blocks)["s1-workloads"]
    assert table.rows[1][9].text == "does not fit" and table.rows[1][9].status == "fail"
    memory = _tables(blocks)["s1-finetune-1"]
    assert memory.rows[5][2].status == "fail"
    build_report([s], FIXED)  # every section builds


def test_a_single_llm_scenario_is_unchanged(demo_subjects: list[ReportSubject]) -> None:
    chat = demo_subjects[0]
    assert sharing_sentence(chat) == kind_sentences(chat) == cost_share_sentence(chat) == ""
    rows = [r[0].text for r in register_rows(chat)]
    assert not any(".embedding" in p or ".finetune" in p for p in rows)
    assert "workloads[0].kv_cache" in rows and "workloads[0].tpot_target_ms" in rows
