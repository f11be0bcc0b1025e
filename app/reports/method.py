"""Method notes: the formulas, efficiency factors and residual bands behind the numbers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from app.catalog.efficiency import load_efficiency, read_raw
from app.engine.efficiency import EfficiencyTable
from app.operations.evaluate import FORMULAS
from app.operations.sizing import SIZING_METHOD
from app.reports import fmt
from app.reports import tables as t
from app.reports.model import Block, Bullets, Cell, Heading, Paragraph
from app.reports.subject import ReportSubject

ENGINE_FORMULAS = (
    ("weights per GPU", "Σ tensors params × bits_per_weight / 8, split by tensor and pipeline "
                        "parallelism; embeddings and the output layer at their own precision"),
    ("KV cache per token", "GQA/MHA: 2 × layers × kv_heads × head_dim × kv_bytes; MLA: "
                           "layers × (kv_lora_rank + qk_rope_head_dim) × kv_bytes; per GPU "
                           "max(1, kv_heads / tp) heads and layers / pp"),
    ("memory budget per GPU", "capacity × engine memory fraction − runtime overhead − "
                              "activations − weights; KV capacity = what is left / KV per token"),
    ("prefill time", "max(FLOPs / (peak × mfu), bytes / (bandwidth × mbu)) + layers × "
                     "layer overhead; FLOPs ≈ 2 × active params × n + causal attention"),
    ("decode step", "max(bytes / (bandwidth × mbu), FLOPs / (peak × mfu)) + layers × layer "
                    "overhead + tensor-parallel all-reduce + pipeline hops; bytes = weights "
                    "read (MoE: experts touched) + batch × context × KV bytes per token"),
    ("serving at a rate", "running sequences from Little's law N = rate × E2E(N); TTFT = "
                          "prefill + queueing (M/D/1 prefill path, M/G/c batch slots), "
                          "percentiles from an exponential tail"),
    ("sizing", SIZING_METHOD + ": highest rate per replica meeting both targets at the SLO "
               "percentile; replicas = ceil(peak / that rate) + redundancy"),
)


WORKLOAD_FORMULAS = (
    ("encoder throughput", "FLOPs per text = 2 × params × t + 4 × layers × t² × attention "
                           "width (bidirectional); per-GPU rate = dense 16-bit peak × 0.35 / "
                           "FLOPs at batch 64; a reranker runs one pass per (query, passage) "
                           "pair"),
    ("encoder instances", "share = peak rate × (1 + headroom) / (per-GPU rate × 0.7); instances "
                          "= max(1, ceil(share)) + spares (redundancy); each asks for at least "
                          "latency / target of a GPU"),
    ("encoder latency", "one request alone on an idle whole GPU, × slices per GPU / slices of "
                        "its MIG partition; no queueing"),
    ("vector index", "vectors = documents × ceil(tokens per document / chunk tokens); bytes per "
                     "vector = dimension × bytes per component (+ 2 × M × 4 links for HNSW) × "
                     "index overhead (FAISS layouts); in host memory, not on the GPUs"),
    ("fine-tune memory per GPU", "weights + gradients + optimizer states (ZeRO: 2Ψ + 2Ψ + 12Ψ "
                                 "bytes for mixed-precision AdamW, sharded by stage; LoRA and "
                                 "QLoRA train the adapters only) + activations (Korthikanti et "
                                 "al. 2022, with checkpointing) + overhead"),
    ("fine-tune time", "executed FLOPs per token (≈ 6 × params, less for frozen weights under "
                       "LoRA) × tokens per run / (GPUs × dense BF16 peak × efficiency); GPUs = "
                       "the fewest that fit and meet the deadline"),
    ("pooling", "LLM replicas on whole GPUs; each encoder instance on the smallest MIG profile "
                "holding its memory and compute share (first-fit decreasing), or time-sliced "
                "by memory and compute share; periodic jobs in the serving GPUs' idle "
                "GPU-hours when they cover them, else on dedicated GPUs"),
    ("workload costs", "cost share = TCO × GPU share / Σ GPU shares; per run, per corpus pass "
                       "and per 1,000 queries at the owned cost per GPU-hour = TCO / installed "
                       "GPU-hours"),
)


@lru_cache(maxsize=1)
def efficiency() -> tuple[EfficiencyTable, dict[str, Any]]:
    """The shipped efficiency table and its raw JSON (groups with rows and residuals)."""
    table, _ = load_efficiency()
    return table, read_raw()


def band_text(value: float, metric: str) -> str:
    """`597 ms – 1,310 ms`: a prediction times the calibration band (P10, P90 of measured /
    predicted), or '' when there is no band for the metric."""
    table, _ = efficiency()
    band = table.bands.get(metric)
    if band is None:
        return ""
    printer = fmt.ms if metric != "output_tokens_per_s" else fmt.num
    return f"{printer(value * band[0])} – {printer(value * band[1])}"


def _group(raw: dict[str, Any], basis: str) -> dict[str, Any] | None:
    key = basis.replace(" (fallback)", "")
    if "/" not in key:
        return None
    engine, hw = key.split("/", 1)
    for g in raw.get("groups") or []:
        if g.get("engine") == engine and g.get("hardware_class") == hw:
            return dict(g)
    return None


def factor_rows(subjects: list[ReportSubject]) -> list[list[Cell]]:
    table, raw = efficiency()
    rows = []
    for s in subjects:
        gpu = s.resolved.accelerator
        engine = s.result.scenario.deployment.engine
        resolved = table.resolve(engine, gpu.hardware_class, gpu.segment)
        g = _group(raw, resolved.basis)
        band = (f"{g['ratio_p10']:.2f}–{g['ratio_p90']:.2f}"
                if g and "ratio_p10" in g else "n/a")
        rows.append([
            t.text(s.name), t.text(f"{engine} on {gpu.hardware_class}"),
            t.text(resolved.basis + ("" if resolved.fitted else "; not fitted to this pair")),
            t.number(resolved.factors.mfu, lambda v: fmt.num(v, digits=3)),
            t.number(resolved.factors.mbu, lambda v: fmt.num(v, digits=3)),
            t.number(resolved.factors.layer_overhead_us, lambda v: fmt.num(v, digits=1)),
            t.number(None if g is None else float(g.get("rows", 0))),
            t.text(band),
        ])
    return rows


def method_blocks(subjects: list[ReportSubject]) -> list[Block]:
    table, raw = efficiency()
    fit = raw.get("fit") or {}
    blocks: list[Block] = [
        Paragraph("Every figure comes from Enclave's engine with the inputs in the assumptions "
                  "register. Performance follows a roofline model with calibrated efficiency "
                  "factors; cost follows the formulas below, month by month, undiscounted "
                  "except for the NPV."),
        Heading("Performance and sizing"),
        t.table("method-engine", "Performance formulas",
                [t.left("quantity", 22), t.left("formula", 78)],
                [[t.text(a), t.text(b)] for a, b in ENGINE_FORMULAS], font="small"),
        Heading("Efficiency factors used"),
        t.table("method-factors", "Efficiency factors per scenario",
                [t.left("scenario", 19), t.left("engine on class", 15), t.left("group used", 18),
                 t.right("mfu", width_pct=7), t.right("mbu", width_pct=7),
                 t.right("layer overhead", "µs", 10), t.right("calibration rows", width_pct=12),
                 t.left("group residual P10–P90", 12)],
                factor_rows(subjects), font="small",
                note="mfu: share of the dense tensor peak reached; mbu: share of peak memory "
                     "bandwidth reached; layer overhead: fixed time per layer per step. "
                     "Residual: measured / predicted on the group's calibration rows."),
    ]
    bands = [f"{metric}: ×{low:.3f} to ×{high:.3f}" for metric, (low, high)
             in table.bands.items()]
    if bands:
        blocks.append(Paragraph(
            "Calibration bands (P10–P90 of measured / predicted over all calibration rows): "
            + "; ".join(bands) + f". Factors version {table.version}"
            + (f", fitted {fit.get('date')} on {fit.get('rows')} published measurements by "
               f"{fit.get('script')}" if fit else "") + ".", "note"))
    if any(w.kind != "llm" for s in subjects for w in s.result.workloads):
        blocks += [
            Heading("Workloads beside the LLM and the shared fleet"),
            t.table("method-workloads", "Encoder, fine-tuning and pooling formulas",
                    [t.left("quantity", 22), t.left("formula", 78)],
                    [[t.text(a), t.text(b)] for a, b in WORKLOAD_FORMULAS], font="small"),
        ]
    blocks += [
        Heading("Cost"),
        t.table("method-cost", "Cost formulas", [t.left("quantity", 26), t.left("formula", 74)],
                [[t.text(k.replace("_", " ")), t.text(v)] for k, v in FORMULAS.items()],
                font="small"),
        Heading("Uncertainty and constraints"),
        Bullets((
            "Monte Carlo: every input with a range is drawn independently (triangular, or PERT "
            "with α = 1 + 4 (likely − low)/(high − low)); P10/P50/P90 by linear interpolation; "
            "a break-even that does not happen counts as later than any month.",
            "Tornado: each input at its low and at its high value with all others at their "
            "base value, ranked by the swing of the TCO.",
            "Constraint rules (resources/scenarios/REQUIREMENTS.md) compare the site's "
            "requirements with catalog facts; each verdict cites the fact, its source and date.",
        ), "small"),
    ]
    return blocks
