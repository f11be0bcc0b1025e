"""Architecture and exact sizes of a model from its GGUF header (ggml `docs/gguf.md`).

Keys read, `{arch}` being `general.architecture`: `{arch}.block_count`,
`{arch}.embedding_length`, `{arch}.attention.head_count`, `{arch}.attention.head_count_kv`
(default: head_count, i.e. no GQA), `{arch}.attention.key_length` (default: embedding_length /
head_count), `{arch}.feed_forward_length`, `{arch}.context_length`, `{arch}.expert_count`,
`{arch}.expert_used_count`, `{arch}.expert_shared_count`, `{arch}.expert_feed_forward_length`,
`{arch}.leading_dense_block_count`, MLA's `{arch}.attention.kv_lora_rank`, `.q_lora_rank`,
`.key_length_mla`, `.value_length_mla`, `{arch}.rope.dimension_count`, and
`{arch}.attention.sliding_window` (+ `.sliding_window_pattern`). Head and feed-forward counts
stored per layer (arrays) are summarised by their largest value.

Sliding layers follow llama.cpp's `set_swa_pattern(n)`: layer `i` slides when `i % n < n - 1`
(gemma2 and gpt-oss n = 2, gemma3 n = 6, cohere2 n = 4); other architectures with a window
slide in every layer. The vocabulary is the row count of `token_embd.weight`; embeddings are
tied when the file has no `output.weight`. Routed experts are the `*_exps` tensors.
"""

from __future__ import annotations

from typing import Any

from app.catalog.importers.architecture import Architecture, Mla, Moe, effective_window
from app.catalog.importers.errors import BAD_KEY_VALUE, GGUF_WRONG_TYPE, MISSING_KEY, fail
from app.catalog.importers.gguf import ArrayValue, GgufFile
from app.catalog.importers.weights import Tally, WeightsSummary

SUPPORTED = "llama.cpp transformer architectures that store block_count, embedding_length and "\
            "attention.head_count"
SWA_PATTERNS = {"gemma2": 2, "gemma3": 6, "gpt-oss": 2, "cohere2": 4}


class _Meta:
    def __init__(self, gguf: GgufFile) -> None:
        self.gguf = gguf
        self.label = gguf.file_name
        self.derived: list[str] = []
        arch = gguf.metadata.get("general.architecture")
        if not isinstance(arch, str) or not arch:
            fail(self.label, MISSING_KEY, key="general.architecture", supported=SUPPORTED)
        self.arch = arch

    def count(self, key: str, *, required: bool = True, minimum: int = 1) -> int | None:
        """An unsigned count (scalar, or the largest of a per-layer array)."""
        full = f"{self.arch}.{key}"
        value = self.gguf.metadata.get(full)
        if value is None:
            if required:
                fail(self.label, MISSING_KEY, key=full, supported=SUPPORTED)
            return None
        if isinstance(value, ArrayValue):
            numbers = [v for v in value.values or () if isinstance(v, int)
                       and not isinstance(v, bool)]
            if not numbers or len(numbers) != value.length:
                fail(self.label, GGUF_WRONG_TYPE, key=full,
                     expected="a whole number or a short array of them")
            value = max(numbers)
        if isinstance(value, bool) or not isinstance(value, int):
            fail(self.label, GGUF_WRONG_TYPE, key=full, expected="a whole number")
        if value < minimum:
            fail(self.label, BAD_KEY_VALUE, key=full, rule=f"at least {minimum}", value=value)
        return value

    def need(self, key: str) -> int:
        value = self.count(key)
        assert value is not None
        return value


def _tensor(gguf: GgufFile, name: str) -> tuple[int, ...] | None:
    return next((t.dims for t in gguf.tensors if t.name == name), None)


def _moe(meta: _Meta, ffn: int | None) -> Moe | None:
    experts = meta.count("expert_count", required=False, minimum=0)
    if not experts:
        return None
    expert_ffn = meta.count("expert_feed_forward_length", required=False) or ffn
    return Moe(num_experts=experts, experts_per_token=meta.need("expert_used_count"),
               shared_experts=meta.count("expert_shared_count", required=False, minimum=0) or 0,
               expert_intermediate_size=expert_ffn,
               first_dense_layers=meta.count("leading_dense_block_count", required=False,
                                             minimum=0) or 0)


def _mla(meta: _Meta) -> Mla | None:
    kv_lora = meta.count("attention.kv_lora_rank", required=False)
    if kv_lora is None:
        return None
    rope = meta.need("rope.dimension_count")
    key_len = (meta.count("attention.key_length_mla", required=False)
               or meta.need("attention.key_length"))
    value_len = (meta.count("attention.value_length_mla", required=False)
                 or meta.need("attention.value_length"))
    if key_len <= rope:
        fail(meta.label, BAD_KEY_VALUE, key=f"{meta.arch}.attention.key_length",
             rule=f"larger than rope.dimension_count ({rope})", value=key_len)
    return Mla(q_lora_rank=meta.count("attention.q_lora_rank", required=False) or None,
               kv_lora_rank=kv_lora, qk_nope_head_dim=key_len - rope, qk_rope_head_dim=rope,
               v_head_dim=value_len)


def _sliding_layers(meta: _Meta, layers: int) -> int:
    pattern = meta.gguf.metadata.get(f"{meta.arch}.attention.sliding_window_pattern")
    if isinstance(pattern, ArrayValue) and pattern.values is not None:
        return sum(1 for v in pattern.values if v is True)
    if isinstance(pattern, int) and not isinstance(pattern, bool) and pattern > 0:
        period = pattern
    elif meta.arch in SWA_PATTERNS:
        period = SWA_PATTERNS[meta.arch]
        meta.derived.append(f"sliding layers: llama.cpp's pattern for {meta.arch}, "
                            f"{period - 1} of every {period} layers slide")
    else:
        meta.derived.append("sliding window applies to every layer (no pattern in the file)")
        return layers
    return sum(1 for i in range(layers) if i % period < period - 1)


def architecture_from_gguf(gguf: GgufFile) -> Architecture:
    """The architecture a GGUF header describes, or `ModelFileError` naming the missing key."""
    meta = _Meta(gguf)
    layers = meta.need("block_count")
    hidden = meta.need("embedding_length")
    heads = meta.need("attention.head_count")
    kv_heads = meta.count("attention.head_count_kv", required=False, minimum=0)
    if not kv_heads:
        kv_heads = heads
        meta.derived.append("kv_heads = head_count (no attention.head_count_kv: no GQA)")
    mla = _mla(meta)
    head_dim = meta.count("attention.key_length", required=False)
    if mla is not None:
        head_dim = mla.qk_nope_head_dim + mla.qk_rope_head_dim
    elif head_dim is None:
        head_dim = hidden // heads
        meta.derived.append("head_dim = embedding_length / head_count (no key_length)")
    ffn = meta.count("feed_forward_length", required=False)
    embd = _tensor(gguf, "token_embd.weight")
    vocab = meta.count("vocab_size", required=False)
    if vocab is None and embd is not None and len(embd) == 2:
        vocab = embd[1]
    context = meta.count("context_length", required=False)
    window = meta.count("attention.sliding_window", required=False, minimum=0) or None
    sliding, note = effective_window(
        window, _sliding_layers(meta, layers) if window else 0, context)
    if note:
        meta.derived.append(note)
    tied = _tensor(gguf, "output.weight") is None
    return Architecture(
        family=meta.arch, description=f"{meta.arch} (GGUF general.architecture)",
        layers=layers, hidden_size=hidden, heads=heads, kv_heads=min(kv_heads, heads),
        head_dim=head_dim, intermediate_size=ffn, vocab_size=vocab, max_context_tokens=context,
        tie_word_embeddings=tied, moe=_moe(meta, ffn), mla=mla, sliding_window=sliding,
        derived=tuple(meta.derived),
    )


def summarize(gguf: GgufFile) -> WeightsSummary:
    """Exact parameters and stored bytes per ggml type; routed experts are `*_exps` tensors."""
    tally = Tally()
    for tensor in gguf.tensors:
        tally.add(tensor.ggml_type.name, tensor.numel, tensor.nbytes,
                  routed="_exps" in tensor.name, output_head=tensor.name == "output.weight")
    return tally.summary(gguf.file_bytes, gguf.header_sha256)


def text(gguf: GgufFile, key: str) -> str | None:
    """A short text metadata value, or None."""
    value: Any = gguf.metadata.get(key)
    return value.strip()[:200] or None if isinstance(value, str) else None
