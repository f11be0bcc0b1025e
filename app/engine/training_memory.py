"""Activation memory of transformer training (Korthikanti et al. 2022), vectorized.

Reference: V. Korthikanti et al., "Reducing Activation Recomputation in Large Transformer
Models", MLSys 2023, arXiv:2205.05198, §4.1 and Table 2. With 16-bit activations, a GPT layer
(multi-head attention, 4h GELU MLP, LayerNorm, dropout, attention scores materialised) stores

    s·b·h·(34 + 5·a·s/h)  bytes per layer, no recomputation
    s·b·h·34              bytes per layer, selective recomputation (attention core recomputed)
    2·s·b·h               bytes per layer, full recomputation (layer inputs only)

(s sequence length, b micro-batch, h hidden size, a attention heads). The paper's term-by-term
derivation is kept here so that grouped-query attention, gated (SwiGLU) MLPs of any width, flash
attention and no dropout (the Llama family) are handled by the same sum; with the GPT settings
it reduces exactly to the paper's formula (a test checks this). Per layer, in bytes:

    attention inputs   2·s·b·(h + 2·q_dim + 2·kv_dim)      QKV input, Q, K, V, out-proj input
    attention scores   eager: 2·a·s²·b (+3·a·s²·b dropout)  softmax output (+ mask, dropped copy)
                       flash: 4·a·s·b                      fp32 log-sum-exp (FlashAttention)
    MLP                2·s·b·h + 4·s·b·I (plain) | 8·s·b·I (gated: gate, act, up, product)
    norms              4·s·b·h
    dropout masks      2·s·b·h (attention and MLP output masks, 1 byte each) when dropout is on
    LoRA adapters      per adapted matrix: 2·s·b·r (A output) + 3·s·b·d_in with LoRA dropout

plus, once per model: final norm and LM-head inputs 4·s·b·h and fp32 logits 4·s·b·V (§4.3),
and with dropout the embedding-dropout mask s·b·h. Full recomputation also holds one layer's
full activations while that layer is recomputed in the backward pass.

Frozen layers are counted as if their inputs were saved (bitsandbytes' 4-bit matmul saves
them; PyTorch may skip some for frozen 16-bit layers), so LoRA figures are an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.engine.catalog_types import ModelSpec
from app.engine.transformer_dims import (
    PlanningInputError,
    attention_dims,
    linear_shapes,
    mlp_is_gated,
    mlp_width_per_token,
)

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | int | npt.NDArray[np.float64] | npt.NDArray[np.int64]

CHECKPOINTING = ("none", "selective", "full")
ATTENTION_KERNELS = ("flash", "eager")


@dataclass(frozen=True)
class ActivationMemory:
    """Activation bytes held at the training peak for one micro-batch on one GPU.

    per_layer_bytes: one layer's activations without recomputation.
    stored_layers_bytes: what all layers keep between forward and backward under the chosen
        checkpointing (full: layer inputs plus one rematerialised layer).
    head_bytes: final norm, LM-head input, fp32 logits (and embedding dropout mask).
    total_bytes: stored_layers_bytes + head_bytes.
    """

    per_layer_bytes: FloatArray
    stored_layers_bytes: FloatArray
    head_bytes: FloatArray
    total_bytes: FloatArray
    checkpointing: str
    attention: str


def _as_float(value: ArrayLike, field: str) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(array)) or np.any(array <= 0):
        raise PlanningInputError(f"{field}: must be a positive number")
    return array


def lora_activation_bytes_per_token(
    model: ModelSpec, rank: ArrayLike, targets: tuple[str, ...], lora_dropout: bool
) -> FloatArray:
    """Adapter activations per token summed over all layers, in bytes.

    Per adapted matrix a token passes through: `2·r` (16-bit A output kept for B's gradient)
    plus, with LoRA dropout, `3·d_in` (1-byte mask and 16-bit dropped input kept for A's
    gradient). MoE experts count once per expert the token is routed to.
    """
    r = np.asarray(rank, dtype=np.float64)
    shapes = linear_shapes(model)
    total = np.zeros_like(r)
    for name in targets:
        for shape in shapes.get(name, []):
            per_matrix = 2.0 * r + (3.0 * shape.d_in if lora_dropout else 0.0)
            total = total + shape.layers * shape.active_copies * per_matrix
    return total


def activation_memory(
    model: ModelSpec,
    seq_len_tokens: ArrayLike,
    micro_batch: ArrayLike,
    *,
    checkpointing: str = "full",
    attention: str = "flash",
    dropout: bool = False,
    lora_rank: ArrayLike = 0,
    lora_targets: tuple[str, ...] = (),
    lora_dropout: bool = False,
) -> ActivationMemory:
    """Activation memory per GPU (bytes) for data-parallel training; see the module docstring.

    Arrays broadcast (e.g. a column of sequence lengths against a row of micro-batches).
    """
    if checkpointing not in CHECKPOINTING:
        raise PlanningInputError(f"checkpointing: must be one of {', '.join(CHECKPOINTING)}")
    if attention not in ATTENTION_KERNELS:
        raise PlanningInputError(f"attention: must be one of {', '.join(ATTENTION_KERNELS)}")
    s = _as_float(seq_len_tokens, "seq_len_tokens")
    b = _as_float(micro_batch, "micro_batch")
    h = float(model.hidden_size)
    a = float(model.heads)
    q_dim, kv_dim = (float(x) for x in attention_dims(model))
    width = mlp_width_per_token(model)
    layers = float(model.layers)
    sb = s * b

    attn_inputs = 2.0 * sb * (h + 2.0 * q_dim + 2.0 * kv_dim)
    if attention == "eager":
        scores = (2.0 + (3.0 if dropout else 0.0)) * a * s * s * b
    else:
        scores = 4.0 * a * sb
    mlp = 2.0 * sb * h + (8.0 if mlp_is_gated(model) else 4.0) * sb * width
    norms = 4.0 * sb * h
    masks = 2.0 * sb * h if dropout else 0.0 * sb
    adapters = np.zeros_like(sb)
    if lora_targets:
        adapters = sb * lora_activation_bytes_per_token(
            model, lora_rank, lora_targets, lora_dropout) / layers
    per_layer = attn_inputs + scores + mlp + norms + masks + adapters

    if checkpointing == "none":
        stored = layers * per_layer
    elif checkpointing == "selective":
        recomputed = scores if attention == "eager" else 0.0 * scores
        stored = layers * (per_layer - recomputed)
    else:
        stored = layers * 2.0 * sb * h + per_layer

    head = 4.0 * sb * h + (sb * h if dropout else 0.0)
    if model.kind == "llm" and model.vocab_size:
        head = head + 4.0 * sb * float(model.vocab_size)
    total = stored + head
    return ActivationMemory(
        per_layer_bytes=np.asarray(per_layer, dtype=np.float64),
        stored_layers_bytes=np.asarray(stored, dtype=np.float64),
        head_bytes=np.asarray(head, dtype=np.float64),
        total_bytes=np.asarray(total, dtype=np.float64),
        checkpointing=checkpointing,
        attention=attention,
    )
