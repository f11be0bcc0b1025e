"""Efficiency factors and serving-engine behaviour, as data the engine is given.

Three kinds of data feed the time and memory model:

* `EfficiencyFactors` (fitted, per engine family x hardware class): `mfu`, the fraction of
  the dense tensor peak that large matrix products reach; `mbu`, the fraction of peak memory
  bandwidth that streaming weights and KV cache reach; `layer_overhead_us`, the fixed time per
  layer of one forward step (kernel launches and boundaries, synchronisation).
* `EngineProfile` (per engine family, physical settings, not fitted): how the engine budgets
  memory (vLLM `gpu_memory_utilization` of total memory, TensorRT-LLM
  `kv_cache_free_gpu_mem_fraction` of free memory, llama.cpp all of it), its batch limits, how
  it reserves KV blocks, whether attention is fused (flash) or materialises the score matrix,
  GGUF de-quantisation traffic in prefill, whether pipeline stages overlap, and communication
  efficiency and latencies.
* `HardwareClassProfile` (per hardware class): memory usable by the engine, the class used as a
  reference when a class has no calibration data, prior scales against that reference, and a
  fallback FLOP/byte ratio for accelerators whose catalog entry lacks a peak.

`EfficiencyTable.resolve(engine, hardware_class)` walks a documented fallback chain and says
which group it used (`basis`), so every result can name the factors behind it.
The loader that reads `resources/efficiency/factors.json` lives in `app.catalog.efficiency`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

ANY = "*"


@dataclass(frozen=True)
class EfficiencyFactors:
    """Calibrated efficiencies of one (engine family, hardware class) group.

    mfu: achieved / peak dense FLOP/s in large matrix products (0-1].
    mbu: achieved / peak memory bandwidth streaming weights and KV cache (0-1].
    layer_overhead_us: fixed time per layer of one forward step (prefill chunk or decode step),
        in microseconds; a step of an 80-layer model pays 80 of them.
    prefill_overhead_us: extra time per layer of a step that carries prompt tokens, in
        microseconds: serving engines replay CUDA graphs for decode batches but run prompt
        (extend / mixed) batches eagerly or with piecewise graphs, and schedule, tokenise and
        admit the new requests; 0 where the calibration has no prompt-latency rows.
    """

    mfu: float
    mbu: float
    layer_overhead_us: float
    prefill_overhead_us: float = 0.0

    def scaled(
        self, mfu: float = 1.0, mbu: float = 1.0, overhead: float = 1.0
    ) -> EfficiencyFactors:
        """These factors with each one multiplied (efficiencies are capped at 1; the overhead
        scale applies to both overheads)."""
        return EfficiencyFactors(
            mfu=min(1.0, self.mfu * mfu),
            mbu=min(1.0, self.mbu * mbu),
            layer_overhead_us=self.layer_overhead_us * overhead,
            prefill_overhead_us=self.prefill_overhead_us * overhead,
        )


@dataclass(frozen=True)
class EngineProfile:
    """How one serving engine family uses memory and schedules work (physical settings).

    memory_fraction: share of memory the engine may use (vLLM 0.9 of total; TRT-LLM 0.9-0.95
        of the memory left after weights and activations; llama.cpp 1.0).
    fraction_of_free: True when `memory_fraction` applies to free memory (TRT-LLM).
    runtime_overhead_gib: CUDA context, runtime buffers and graphs per GPU, in GiB.
    max_batch: largest number of sequences the scheduler runs at once.
    max_batched_tokens: largest number of tokens in one forward step (chunked prefill).
    large_memory_gib, max_batch_large, max_batched_tokens_large: limits the engine picks on
        accelerators with at least `large_memory_gib` GiB (vLLM: 1024 sequences and 8192
        tokens on GPUs of 70 GiB or more; 0 = no such rule).
    large_memory_excluded: accelerators whose catalog id contains one of these keep the
        small limits whatever their memory (vLLM excludes the A100).
    kv_reserve_output_fraction: share of a request's output tokens whose KV blocks are
        reserved while it runs (1.0: reserve the whole output up front, as TRT-LLM's
        guaranteed-no-evict scheduler; about 0.5 for on-demand paged allocation).
    flash_attention: attention is fused; False materialises the score matrix.
    score_bytes: bytes moved per attention-score element when not fused (f32 write, read,
        softmax write and read: 4 x 4 bytes).
    quantized_matmul_slowdown: time factor of matrix products on GGUF or weight-only
        quantised weights over 16-bit ones in prefill and large batches, where the weights are
        expanded on the fly (llama.cpp about 1.25, measured pp512 Q4_K_M / F16 on 13 GPUs;
        Marlin-class kernels about 1.1).
    prefill_chunk_tokens: tokens per prefill chunk (llama.cpp n_ubatch; serving engines use
        max_batched_tokens).
    pipelined_pp: pipeline stages overlap on different micro-batches (serving engines);
        False runs the stages one after another (llama.cpp layer split).
    sliding_window_kv: sliding-window layers keep only the window in the KV cache.
    host_input_embeddings: the token-embedding table stays in host memory (llama.cpp).
    sequence_overhead_us: host time per running sequence per step (scheduling, sampling,
        output handling), in microseconds.
    request_latency_ms: fixed latency a served request adds to its first token (HTTP, chat
        template and tokenisation, hand-over to the engine loop, detokenisation and streaming
        of the first chunk), in ms; applies to serving benchmarks (closed loop and request
        rate), not to in-process runs (offline throughput, static batches).
    comm_efficiency: achieved / nominal link bandwidth in all-reduce.
    allreduce_latency_us: fixed latency per all-reduce, in microseconds.
    pp_hop_ms: fixed cost per pipeline hop per step, in ms.
    reference_engine: engine whose factors stand in when this one has no calibration data.
    prior_scales: (mfu, mbu, overhead) multipliers applied to the reference engine's factors.
    fit_start: physical starting point (and prior) when fitting this engine's groups.
    """

    family: str
    memory_fraction: float = 0.9
    fraction_of_free: bool = False
    runtime_overhead_gib: float = 0.5
    max_batch: int = 256
    max_batched_tokens: int = 8192
    large_memory_gib: float = 0.0
    max_batch_large: int = 0
    max_batched_tokens_large: int = 0
    large_memory_excluded: tuple[str, ...] = ()
    kv_reserve_output_fraction: float = 0.5
    flash_attention: bool = True
    score_bytes: float = 16.0
    quantized_matmul_slowdown: float = 1.1
    prefill_chunk_tokens: int = 8192
    logits_rows: int = 0
    fp16_accumulate: bool = False
    pipelined_pp: bool = True
    sliding_window_kv: bool = True
    host_input_embeddings: bool = False
    sequence_overhead_us: float = 10.0
    request_latency_ms: float = 0.0
    comm_efficiency: float = 0.7
    allreduce_latency_us: float = 20.0
    pp_hop_ms: float = 0.1
    reference_engine: str = ""
    prior_scales: tuple[float, float, float] = (1.0, 1.0, 1.0)
    fit_start: EfficiencyFactors | None = None
    notes: str = ""


@dataclass(frozen=True)
class HardwareClassProfile:
    """Facts about a hardware class that the catalog entry does not carry.

    usable_memory_fraction: share of the nominal memory (vendor GB, which are GiB for
        on-package memory) that an engine can allocate (driver reserve, GDDR ECC; Apple's
        recommended GPU working set is about 75 % of unified memory).
    fallback_fp16_flops_per_byte: dense FP16 FLOP per byte of bandwidth, used when an entry
        has no 16-bit peak (flagged as estimated in the basis).
    reference_class: class whose factors stand in when this one has no calibration data.
    prior_scales: (mfu, mbu, overhead) multipliers applied to the reference class's factors.
    segment_references: reference class per market segment, when it differs (a consumer
        Blackwell card behaves like an Ada card, not like a B200).
    """

    hardware_class: str
    usable_memory_fraction: float = 0.98
    fallback_fp16_flops_per_byte: float = 150.0
    reference_class: str = ""
    prior_scales: tuple[float, float, float] = (1.0, 1.0, 1.0)
    segment_references: dict[str, str] = field(default_factory=dict)
    notes: str = ""


@dataclass(frozen=True)
class ResolvedFactors:
    """Factors for one (engine, hardware class) pair and the group they came from."""

    factors: EfficiencyFactors
    basis: str
    fitted: bool


@dataclass(frozen=True)
class EfficiencyTable:
    """Fitted factor groups, engine profiles and hardware-class profiles.

    `groups` maps (engine family, hardware class) to factors; either part may be `*`.
    `bands` maps a metric name to its (low, high) multiplicative band from calibration
    residuals (e.g. P10 and P90 of measured / predicted).
    """

    groups: dict[tuple[str, str], EfficiencyFactors]
    engines: dict[str, EngineProfile]
    classes: dict[str, HardwareClassProfile]
    default: EfficiencyFactors = EfficiencyFactors(mfu=0.5, mbu=0.75, layer_overhead_us=50.0)
    bands: dict[str, tuple[float, float]] = field(default_factory=dict)
    version: str = ""

    def engine(self, family: str) -> EngineProfile:
        """Profile of an engine family; an unknown family gets neutral serving defaults."""
        return self.engines.get(family) or EngineProfile(family=family)

    def hardware(self, hardware_class: str) -> HardwareClassProfile:
        """Profile of a hardware class; an unknown class gets neutral defaults."""
        return self.classes.get(hardware_class) or HardwareClassProfile(hardware_class)

    def resolve(self, engine: str, hardware_class: str, segment: str = "") -> ResolvedFactors:
        """Factors for `engine` on `hardware_class`, following the fallback chain.

        Order: the fitted group itself; the engine's reference engine on the same class
        (times the engine's prior scales); the engine on the class's reference class for this
        market segment (times the class's prior scales); both references; the engine across
        classes (`engine, *`); the global group (`*, *`); built-in defaults.
        """
        eng = self.engine(engine)
        cls = self.hardware(hardware_class)
        reference = cls.segment_references.get(segment, cls.reference_class)
        one = (1.0, 1.0, 1.0)
        candidates: list[tuple[str, str, tuple[float, float, float], tuple[float, float, float]]]
        candidates = [(engine, hardware_class, one, one)]
        if eng.reference_engine:
            candidates.append((eng.reference_engine, hardware_class, eng.prior_scales, one))
        if reference:
            candidates.append((engine, reference, one, cls.prior_scales))
            if eng.reference_engine:
                candidates.append(
                    (eng.reference_engine, reference, eng.prior_scales, cls.prior_scales)
                )
        candidates.append((engine, ANY, one, cls.prior_scales))
        if eng.reference_engine:
            candidates.append((eng.reference_engine, ANY, eng.prior_scales, cls.prior_scales))
        candidates.append((ANY, ANY, eng.prior_scales, cls.prior_scales))
        for e_key, c_key, e_scale, c_scale in candidates:
            found = self.groups.get((e_key, c_key))
            if found is None:
                continue
            scaled = found.scaled(*(a * b for a, b in zip(e_scale, c_scale, strict=True)))
            exact = (e_key, c_key) == (engine, hardware_class)
            basis = f"{e_key}/{c_key}" if exact else f"{e_key}/{c_key} (fallback)"
            return ResolvedFactors(factors=scaled, basis=basis, fitted=exact)
        return ResolvedFactors(factors=self.default, basis="built-in default", fitted=False)

    def with_groups(self, groups: dict[tuple[str, str], EfficiencyFactors]) -> EfficiencyTable:
        """A copy with `groups` replacing the fitted groups (profiles and bands kept)."""
        return replace(self, groups=dict(groups))
