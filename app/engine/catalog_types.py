"""Typed, frozen views of catalog entries used by the engine.

The engine never reads files: `app.catalog.loader` builds these from the JSON packs in
`resources/catalog/` (or from workspace rows) and hands them in. Units are in the field names.
Every entry carries `source` and `as_of`; values whose provenance differs from the entry's are
listed in `field_sources` (field name -> Provenance).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Provenance:
    """Where a value comes from: a URL or document, and the date it was valid or published."""

    source: str
    as_of: str


@dataclass(frozen=True)
class MoeSpec:
    """Mixture-of-experts layout. `first_dense_layers` leading layers use a dense FFN."""

    num_experts: int
    experts_per_token: int
    shared_experts: int = 0
    expert_intermediate_size: int | None = None
    first_dense_layers: int = 0


@dataclass(frozen=True)
class MlaSpec:
    """DeepSeek multi-head latent attention dimensions (per head, in elements)."""

    kv_lora_rank: int
    qk_rope_head_dim: int
    qk_nope_head_dim: int
    v_head_dim: int
    q_lora_rank: int | None = None


@dataclass(frozen=True)
class SlidingWindowSpec:
    """Sliding-window attention: `sliding_layers` of the model's layers see only `window_tokens`."""

    window_tokens: int
    sliding_layers: int


@dataclass(frozen=True)
class LicenceTerms:
    """Licence facts used by the constraint rules (screening, not legal advice).

    `id` is a short licence key (`apache-2.0`, `mit`, `llama-3.1-community`; a model under two
    licences joins them with `+`). `excluded_regions` lists region codes whose licensees get no
    rights under the licence. `source` and `as_of` are where the terms were read.
    """

    name: str
    osi_approved: bool | None = None
    commercial_use: bool | None = None
    mau_cap: int | None = None
    acceptable_use_policy: str = ""
    attribution: str = ""
    restrictions: str = ""
    id: str = ""
    excluded_regions: tuple[str, ...] = ()
    source: str = ""
    as_of: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """An open-weight model's architecture and terms.

    Parameter counts are in parameters (not billions). `kind` is `llm`, `embedding` or
    `reranker`. For MLA models `kv_heads` is nominal; the KV cache follows `mla`.
    """

    id: str
    name: str
    kind: str
    params_total: float
    params_active: float
    layers: int
    hidden_size: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int | None
    max_context_tokens: int | None
    tie_word_embeddings: bool
    source: str
    as_of: str
    intermediate_size: int | None = None
    moe: MoeSpec | None = None
    mla: MlaSpec | None = None
    sliding_window: SlidingWindowSpec | None = None
    embedding_dim: int | None = None
    publisher: str = ""
    origin_country: str = ""
    open_weights: bool = True
    licence: LicenceTerms | None = None
    family: str = ""
    field_sources: dict[str, Provenance] = field(default_factory=dict)

    @property
    def embedding_params(self) -> float:
        """Input embedding + output head parameters (one matrix if tied), in parameters."""
        if not self.vocab_size:
            return 0.0
        matrices = 1 if self.tie_word_embeddings else 2
        return float(matrices * self.vocab_size * self.hidden_size)


@dataclass(frozen=True)
class ExportControlNote:
    """One export-control fact about an accelerator, with the regions it affects.

    `regions` is the text of the source; `region_codes` its normalized form (ISO 3166-1 alpha-2
    codes and groups such as `D:5`, `EU`, `WORLD`). `effect` says what the note means for a site
    in those regions (see `app.engine.constraint_types.EXPORT_EFFECTS`); `authority` is the
    country whose rule or measure it is (`US`, `CN`).
    """

    regime: str
    note: str
    regions: tuple[str, ...] = ()
    source: str = ""
    as_of: str = ""
    region_codes: tuple[str, ...] = ()
    effect: str = ""
    authority: str = ""


@dataclass(frozen=True)
class SupportNote:
    """Whether the vendor supports the accelerator in some regions (codes as in export notes)."""

    regions: tuple[str, ...]
    available: bool
    note: str
    source: str
    as_of: str


@dataclass(frozen=True)
class AcceleratorSpec:
    """An accelerator's datasheet values.

    `peak_tflops` maps a precision (`fp32`, `tf32`, `bf16`, `fp16`, `fp8`, `int8`, `fp4`, `int4`)
    to its dense peak (TFLOPS or TOPS, no sparsity). `native_precisions` lists the formats the
    tensor units run natively; others are emulated through a wider path.
    """

    id: str
    name: str
    vendor: str
    vendor_country: str
    segment: str
    hardware_class: str
    memory_gb: float
    memory_bandwidth_tbs: float
    peak_tflops: dict[str, float]
    native_precisions: tuple[str, ...]
    tdp_w: float | None
    source: str
    as_of: str
    aliases: tuple[str, ...] = ()
    architecture: str = ""
    form_factor: str = ""
    interconnect: str = ""
    interconnect_gbs: float | None = None
    price_usd: float | None = None
    price_kind: str = ""
    price_as_of: str = ""
    export_control: tuple[ExportControlNote, ...] = ()
    vendor_support: tuple[SupportNote, ...] = ()
    field_sources: dict[str, Provenance] = field(default_factory=dict)

    @property
    def memory_bytes(self) -> float:
        """Memory capacity in bytes (vendor GB are decimal: 1 GB = 1e9 bytes)."""
        return self.memory_gb * 1e9

    @property
    def bandwidth_bytes_per_s(self) -> float:
        """Peak memory bandwidth in bytes/s (1 TB/s = 1e12 bytes/s)."""
        return self.memory_bandwidth_tbs * 1e12


@dataclass(frozen=True)
class QuantFormat:
    """A weight (or KV-cache) storage format.

    `bits_per_weight` is effective (scales and zero points included). `compute_precision` is the
    tensor-core path the matmuls use (`fp16`, `fp8`, `fp4`, `int8`).
    """

    id: str
    name: str
    bits_per_weight: float
    compute_precision: str
    scheme: str
    source: str
    as_of: str
    engines: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServerSpec:
    """A server platform holding `gpu_slots` accelerators."""

    id: str
    name: str
    gpu_slots: int
    form_factor: str
    base_power_w: float | None
    price_usd: float | None
    rack_units: int | None
    source: str
    as_of: str
    accelerators: tuple[str, ...] = ()


@dataclass(frozen=True)
class CloudApiPrice:
    """A hosted model API's list price in USD per 1M tokens."""

    id: str
    name: str
    provider: str
    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    source: str
    as_of: str
    cached_input_usd_per_mtok: float | None = None
    provider_country: str = ""
    model_kind: str = ""


@dataclass(frozen=True)
class GpuRental:
    """A cloud GPU rental rate in USD per GPU-hour."""

    id: str
    name: str
    provider: str
    accelerator: str
    on_demand_usd_per_gpu_hour: float | None
    reserved_usd_per_gpu_hour: float | None
    source: str
    as_of: str
    reserved_term: str = ""
    provider_country: str = ""
