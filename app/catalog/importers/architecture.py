"""The architecture facts an importer reads, in the catalog's `arch` shape.

Field meanings follow `resources/catalog/README.md` (models.json `arch`). `derived` lists, in
words, every value that was not read directly from the file (a documented default, a value
computed from others), so the entry shows how it was obtained.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Moe:
    num_experts: int
    experts_per_token: int
    shared_experts: int
    expert_intermediate_size: int | None
    first_dense_layers: int


@dataclass(frozen=True)
class Mla:
    q_lora_rank: int | None
    kv_lora_rank: int
    qk_nope_head_dim: int
    qk_rope_head_dim: int
    v_head_dim: int


@dataclass(frozen=True)
class SlidingWindow:
    window_tokens: int
    sliding_layers: int


@dataclass(frozen=True)
class Architecture:
    """Transformer dimensions of one model, as read from config.json or GGUF metadata."""

    family: str
    description: str
    layers: int
    hidden_size: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate_size: int | None
    vocab_size: int | None
    max_context_tokens: int | None
    tie_word_embeddings: bool | None
    moe: Moe | None = None
    mla: Mla | None = None
    sliding_window: SlidingWindow | None = None
    derived: tuple[str, ...] = ()

    def as_arch(self, tie_word_embeddings: bool | None = None) -> dict[str, Any]:
        """The catalog `arch` object (`tie_word_embeddings` overrides the file's value)."""
        tie = self.tie_word_embeddings if tie_word_embeddings is None else tie_word_embeddings
        return {
            "type": self.description,
            "layers": self.layers,
            "hidden_size": self.hidden_size,
            "heads": self.heads,
            "kv_heads": self.kv_heads,
            "head_dim": self.head_dim,
            "intermediate_size": self.intermediate_size,
            "vocab_size": self.vocab_size,
            "max_context_tokens": self.max_context_tokens,
            "tie_word_embeddings": tie,
            "moe": vars(self.moe).copy() if self.moe else None,
            "mla": vars(self.mla).copy() if self.mla else None,
            "sliding_window": vars(self.sliding_window).copy() if self.sliding_window else None,
            "embedding_dim": None,
        }


def effective_window(window: int | None, sliding_layers: int,
                     max_context: int | None) -> tuple[SlidingWindow | None, str | None]:
    """A sliding window that can bind, or None with the reason it cannot.

    A window of at least the whole context never drops a token, so it is not recorded.
    """
    if window is None or sliding_layers == 0:
        return None, None
    if max_context is not None and window >= max_context:
        return None, (f"sliding window {window} >= context {max_context}: never binds, "
                      "recorded as none")
    return SlidingWindow(window_tokens=window, sliding_layers=sliding_layers), None
