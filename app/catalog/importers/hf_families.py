"""What differs between Hugging Face `config.json` families (keyed by `model_type`).

Sources: the `transformers` configuration classes of each family (`LlamaConfig`,
`MistralConfig`, `MixtralConfig`, `Qwen2Config`, `Qwen2MoeConfig`, `Qwen3Config`,
`Qwen3MoeConfig`, `GemmaConfig`, `Gemma2Config`, `Gemma3TextConfig`, `Phi3Config`, `GlmConfig`,
`Glm4Config`, `Glm4MoeConfig`, `DeepseekV2Config`, `DeepseekV3Config`, `GptOssConfig`): their
`tie_word_embeddings` default (used only when config.json omits the key), the keys of their
mixture-of-experts and multi-head latent attention layout, and which layers use the sliding
window:

- `all`: every layer when `sliding_window` is set (Mistral, Mixtral, Phi-3);
- `alternate`: layers 0, 2, 4, ... (Gemma 2: `is_sliding = not layer_idx % 2`);
- `pattern`: all but every `sliding_window_pattern`-th layer (Gemma 3, default 6);
- `qwen`: layers from `max_window_layers` on, only when `use_sliding_window` is true;
- `none`: no sliding window.

An explicit `layer_types` list (newer configs, gpt-oss) always wins over the family rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Family:
    tie_default: bool
    moe: str | None = None  # "mixtral" | "qwen" | "deepseek"
    mla: bool = False
    sliding: str = "all"
    defaults: Mapping[str, int] = field(default_factory=dict)


FAMILIES: dict[str, Family] = {
    "llama": Family(tie_default=False, sliding="none"),
    "mistral": Family(tie_default=False),
    "mixtral": Family(tie_default=False, moe="mixtral"),
    "qwen2": Family(tie_default=False, sliding="qwen"),
    "qwen2_moe": Family(tie_default=False, moe="qwen", sliding="qwen"),
    "qwen3": Family(tie_default=False, sliding="qwen"),
    "qwen3_moe": Family(tie_default=False, moe="qwen", sliding="qwen"),
    "gemma": Family(tie_default=True, sliding="none"),
    "gemma2": Family(tie_default=True, sliding="alternate"),
    # Gemma3TextConfig defaults; the multimodal gemma3 config.json omits them from text_config.
    "gemma3_text": Family(tie_default=True, sliding="pattern", defaults={
        "vocab_size": 262_208, "max_position_embeddings": 131_072,
        "sliding_window_pattern": 6, "head_dim": 256,
    }),
    "phi3": Family(tie_default=False),
    "glm": Family(tie_default=False, sliding="none"),
    "glm4": Family(tie_default=False, sliding="none"),
    "glm4_moe": Family(tie_default=False, moe="deepseek", sliding="none"),
    "deepseek_v2": Family(tie_default=False, moe="deepseek", mla=True, sliding="none"),
    "deepseek_v3": Family(tie_default=False, moe="deepseek", mla=True, sliding="none"),
    # Kimi K2 ships a DeepseekV3 architecture under its own model_type.
    "kimi_k2": Family(tie_default=False, moe="deepseek", mla=True, sliding="none"),
    "gpt_oss": Family(tie_default=False, moe="mixtral"),
}

# Multimodal wrappers whose language model is described by `text_config`.
WRAPPERS: dict[str, str] = {"gemma3": "gemma3_text", "mistral3": "mistral", "llava": "llama"}

SUPPORTED = ", ".join(sorted(FAMILIES) + [f"{w} (text_config)" for w in sorted(WRAPPERS)])
