"""Transformer dimensions the fine-tuning and encoder models need, derived from a `ModelSpec`.

Shared by `training_memory`, `finetune` and `embeddings`. Everything here is arithmetic on the
catalog's architecture fields; where the catalog lacks a field the helper says what it assumed
(`notes`), so results can carry it in their basis.

Conventions (all counts in parameters or elements, never bytes):

* `q_dim = heads × head_dim`, `kv_dim = kv_heads × head_dim` (grouped-query attention).
* MLP: a gated MLP (SwiGLU/GeGLU: gate, up, down) has `3 × h × I` weights per layer, a plain one
  (GELU: up, down) `2 × h × I`. The catalog has no activation field, so `mlp_is_gated` picks the
  variant whose parameter count lands closer to the published total (MoE models are gated).
* MoE: a token passes through `experts_per_token` routed experts plus the shared experts, each of
  width `expert_intermediate_size`; the first `first_dense_layers` layers use `intermediate_size`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.catalog_types import AcceleratorSpec, ModelSpec
from app.errors import UserError


class PlanningInputError(UserError):
    """A fine-tuning, embedding or pool input that breaks a rule; the message names the field."""


@dataclass(frozen=True)
class EfficiencyDefault:
    """A default efficiency (fraction of dense peak) with the source it rests on."""

    value: float
    source: str


LINEAR_TARGETS = ("q", "k", "v", "o", "gate", "up", "down")
"""LoRA target names (Hugging Face `q_proj`... `down_proj`; `gate`/`up`/`down` are the MLP)."""

TARGET_ALIASES = {
    "q_proj": "q", "k_proj": "k", "v_proj": "v", "o_proj": "o",
    "gate_proj": "gate", "up_proj": "up", "down_proj": "down",
}


@dataclass(frozen=True)
class LinearShape:
    """One linear layer kind in a transformer block.

    d_in, d_out: input and output width (elements). copies: how many such matrices one layer
    holds (MoE experts: all routed + shared experts). active_copies: how many one token uses.
    layers: number of layers that hold it.
    """

    d_in: int
    d_out: int
    copies: int
    active_copies: int
    layers: int


def mlp_is_gated(model: ModelSpec) -> bool:
    """True for a gated (SwiGLU/GeGLU) MLP, False for a plain two-matrix MLP.

    MoE models are gated. For dense models, the per-layer weight count
    `attention + {2 or 3} × h × I` times `layers`, plus the embedding table, is compared with
    `params_total`; the variant closer to the published total wins (bge-m3/XLM-R: plain;
    Llama, Qwen, Mistral: gated).
    """
    if model.moe is not None:
        return True
    if not model.intermediate_size:
        return model.kind == "llm"
    h, inter = model.hidden_size, model.intermediate_size
    q_dim, kv_dim = attention_dims(model)
    attention = 2 * h * q_dim + 2 * h * kv_dim
    base = model.embedding_params
    gated = base + model.layers * (attention + 3 * h * inter)
    plain = base + model.layers * (attention + 2 * h * inter)
    return abs(gated - model.params_total) <= abs(plain - model.params_total)


def attention_dims(model: ModelSpec) -> tuple[int, int]:
    """(q_dim, kv_dim) in elements: `heads × head_dim`, `kv_heads × head_dim`.

    MLA models (DeepSeek) are approximated as grouped-query attention with the catalog's
    nominal `kv_heads` and `head_dim`.
    """
    return model.heads * model.head_dim, model.kv_heads * model.head_dim


def mlp_width_per_token(model: ModelSpec) -> float:
    """Mean MLP intermediate width one token passes through, per layer (elements).

    Dense: `intermediate_size`. MoE: `(experts_per_token + shared_experts) × expert width` on
    the MoE layers and `intermediate_size` on the leading dense layers, averaged over layers.
    Falls back to `4 × hidden_size` when the catalog has no width.
    """
    h = model.hidden_size
    dense_width = float(model.intermediate_size or 4 * h)
    moe = model.moe
    if moe is None:
        return dense_width
    expert_width = float(moe.expert_intermediate_size or model.intermediate_size or 4 * h)
    routed = (moe.experts_per_token + moe.shared_experts) * expert_width
    dense_layers = min(moe.first_dense_layers, model.layers)
    return (dense_layers * dense_width + (model.layers - dense_layers) * routed) / model.layers


def linear_shapes(model: ModelSpec) -> dict[str, list[LinearShape]]:
    """The block's linear layers by LoRA target name (see `LINEAR_TARGETS`).

    A plain MLP has no `gate`. MoE layers hold `num_experts + shared_experts` copies of each
    MLP matrix; dense leading layers hold one.
    """
    h = model.hidden_size
    q_dim, kv_dim = attention_dims(model)
    layers = model.layers
    shapes: dict[str, list[LinearShape]] = {
        "q": [LinearShape(h, q_dim, 1, 1, layers)],
        "k": [LinearShape(h, kv_dim, 1, 1, layers)],
        "v": [LinearShape(h, kv_dim, 1, 1, layers)],
        "o": [LinearShape(q_dim, h, 1, 1, layers)],
    }
    gated = mlp_is_gated(model)
    dense_width = int(model.intermediate_size or 4 * h)
    moe = model.moe
    groups: list[tuple[int, int, int, int]] = []  # (width, copies, active copies, layers)
    if moe is None:
        groups.append((dense_width, 1, 1, layers))
    else:
        dense_layers = min(moe.first_dense_layers, layers)
        if dense_layers:
            groups.append((dense_width, 1, 1, dense_layers))
        width = int(moe.expert_intermediate_size or dense_width)
        groups.append((width, moe.num_experts + moe.shared_experts,
                       moe.experts_per_token + moe.shared_experts, layers - dense_layers))
    for name in ("gate", "up", "down"):
        if name == "gate" and not gated:
            continue
        shapes[name] = [
            LinearShape(h, width, copies, active, n) if name != "down"
            else LinearShape(width, h, copies, active, n)
            for width, copies, active, n in groups
        ]
    return shapes


def normalise_targets(targets: tuple[str, ...]) -> tuple[str, ...]:
    """LoRA target names in canonical form (`q_proj` -> `q`; `all` -> every linear layer)."""
    out: list[str] = []
    for raw in targets:
        name = TARGET_ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if name in ("all", "all-linear"):
            return LINEAR_TARGETS
        if name not in LINEAR_TARGETS:
            raise PlanningInputError(
                f"lora_targets: '{raw}' is not one of {', '.join(LINEAR_TARGETS)} or 'all'")
        if name not in out:
            out.append(name)
    return tuple(out)


def compute_params(model: ModelSpec) -> tuple[float, str]:
    """Active parameters that take part in matrix products per token, and a note.

    The input embedding is a table lookup, not a matrix product. A causal LM's output head is a
    product (`vocab × hidden` per token); with tied embeddings the one table serves both, so
    nothing is subtracted. Encoders (embedding, reranker models) use no LM head, so the whole
    table is subtracted. (Kaplan et al. 2020 count non-embedding parameters the same way.)
    """
    if not model.vocab_size:
        return model.params_active, "vocabulary unknown: embedding table counted as compute"
    table = float(model.vocab_size * model.hidden_size)
    if model.kind == "llm":
        lookup = 0.0 if model.tie_word_embeddings else table
    else:
        lookup = table
    return max(model.params_active - lookup, 0.0), ""


def dense_peak_flops_per_s(accelerator: AcceleratorSpec, precision: str = "bf16") -> float:
    """Dense tensor peak for `precision` in FLOP/s (catalog TFLOPS × 1e12, no sparsity).

    BF16 falls back to FP16 and back (same tensor path on every catalog accelerator). An entry
    with neither raises `PlanningInputError` naming the accelerator: the user must enter a peak.
    """
    peaks = accelerator.peak_tflops
    order = {"bf16": ("bf16", "fp16"), "fp16": ("fp16", "bf16")}.get(precision, (precision,))
    for key in order:
        value = peaks.get(key)
        if value:
            return float(value) * 1e12
    raise PlanningInputError(
        f"accelerator '{accelerator.name}': peak_tflops has no dense {precision} value; "
        "enter one in the catalog to estimate time")
