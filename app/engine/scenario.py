"""Scenario format v1: what a user plans, as frozen dataclasses with every default declared once.

A scenario holds one or more workloads sharing one fleet (generative chat, RAG, code and batch
LLM workloads; embedding, reranker and guard encoders; periodic fine-tuning runs, each kind with
its own optional section), one candidate deployment, the cost inputs, the alternatives it is
compared with (a cloud API and rented GPUs), the site's requirements (carried for the constraint
rules) and uncertainty ranges on any numeric input.

Each field's unit, rule and meaning live in its metadata (`spec`): the parser
(`app.engine.scenario_parse`) enforces them and names the dotted field in every message, and
`resources/scenarios/FORMAT.md` documents them for users (a test keeps the two in step).
Unit conventions: money in USD, power in W, energy in kWh, time in the unit its name says.
Fields left `null` that have a catalog source (prices, power, API and rental rates) are filled
from the catalog when the scenario is evaluated; the evaluation's `basis` says which.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field
from typing import Any

from app.errors import UserError

SCHEMA_VERSION = 1

TEMPLATES = ("chat", "rag", "code", "batch", "embedding", "reranker", "guard", "finetune")
GENERATIVE_TEMPLATES = ("chat", "rag", "code", "batch")
ENCODER_TEMPLATES = ("embedding", "reranker", "guard")
# Workload kinds with their own section (`workloads[].<template>`); the section is only used by a
# workload of that template.
SECTION_TEMPLATES = ("embedding", "reranker", "guard", "finetune")
GPU_SHARING = ("auto", "mig", "time-slicing", "none")
FINETUNE_METHODS = ("full", "lora", "qlora")
FINETUNE_OPTIMIZERS = ("adamw", "adamw_8bit", "paged_adamw", "paged_adamw_8bit")
CHECKPOINTING = ("none", "selective", "full")
VECTOR_PRECISIONS = ("fp32", "fp16", "bf16", "int8", "binary")
VECTOR_INDEXES = ("flat", "hnsw", "ivf_flat", "ivf_pq")
ENGINES = ("vllm", "tensorrt-llm", "sglang", "llama.cpp")
CAPEX_TREATMENTS = ("cash", "depreciation", "financing")
RENTAL_PRICING = ("on-demand", "reserved")
DEPLOYMENT_MODES = ("air-gapped", "on-premise", "sovereign-cloud", "public-api")
EXPORT_CONTROL_EXPOSURE = ("accept", "warn", "avoid")
DISTRIBUTIONS = ("triangular", "pert")

# `redundancy` is "none", "n+K" (K spare replicas per workload) or "P%" (capacity headroom).
REDUNDANCY_PATTERN = r"^(none|n\+[0-9]{1,2}|[0-9]{1,3}(\.[0-9]+)?%)$"


class ScenarioError(UserError):
    """A scenario that breaks a rule; the message starts with the dotted field it concerns."""


def spec(
    default: Any = MISSING,
    *,
    doc: str,
    unit: str = "",
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    choices: tuple[str, ...] | None = None,
    pattern: str | None = None,
    pattern_doc: str = "",
    max_len: int = 200,
    min_items: int = 0,
    uncertain: bool = True,
    factory: Any = None,
) -> Any:
    """A dataclass field carrying its rule, unit and documentation.

    `uncertain=False` marks numeric fields that cannot carry a low/likely/high range (they change
    the shape of the computation: horizon, life, counts chosen by the user).
    """
    metadata = {
        "doc": doc,
        "unit": unit,
        "ge": ge,
        "gt": gt,
        "le": le,
        "lt": lt,
        "choices": choices,
        "pattern": pattern,
        "pattern_doc": pattern_doc,
        "max_len": max_len,
        "min_items": min_items,
        "uncertain": uncertain,
    }
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, kw_only=True)
class EmbeddingSpec:
    """An embedding workload's corpus and vector index (`workloads[].embedding`).

    The workload's request stream (users × requests_per_user_per_day texts of input_tokens
    tokens: queries, and new documents as they arrive) is served online. The corpus is cut into
    chunks of at most `chunk_tokens` (chunks/document = ceil(tokens_per_document / chunk_tokens),
    one vector each), embedded once before go-live and again `reembeds_per_month` times a month
    as a periodic job, and stored in a vector index in host memory.
    """

    corpus_documents: int = spec(
        0, doc="documents in the corpus to embed and index", unit="documents", ge=0,
        uncertain=False,
    )
    tokens_per_document: float = spec(
        2000.0, doc="mean document length", unit="tokens/document", ge=1, uncertain=False
    )
    chunk_tokens: int = spec(
        512, doc="longest chunk embedded as one vector", unit="tokens/chunk", ge=8,
        uncertain=False,
    )
    reembeds_per_month: float = spec(
        0.0,
        doc="full re-embeddings of the corpus per month (0 = embedded once, before go-live)",
        unit="runs/month",
        ge=0,
        le=31,
        uncertain=False,
    )
    dimension: int | None = spec(
        None, doc="stored vector dimension; null = the model's embedding dimension",
        unit="components", ge=1, uncertain=False,
    )
    vector_precision: str = spec("fp32", doc="bytes per stored component", choices=VECTOR_PRECISIONS)
    index: str = spec("hnsw", doc="vector index layout (FAISS)", choices=VECTOR_INDEXES)
    hnsw_m: int = spec(
        32, doc="HNSW links per vector and layer (M); used by the hnsw index",
        unit="links/vector", ge=2, le=512, uncertain=False,
    )


@dataclass(frozen=True, kw_only=True)
class RerankerSpec:
    """A cross-encoder reranker's work per query (`workloads[].reranker`).

    Each request (a query of input_tokens tokens) scores `candidates_per_query` retrieved
    passages of `passage_tokens` tokens: one forward pass per (query, passage) pair.
    """

    candidates_per_query: int = spec(
        20, doc="retrieved passages scored per query", unit="pairs/query", ge=1, le=10000,
        uncertain=False,
    )
    passage_tokens: int = spec(
        512, doc="mean passage length", unit="tokens/passage", ge=1, uncertain=False
    )


@dataclass(frozen=True, kw_only=True)
class GuardSpec:
    """A guard (safety classifier) model's work per request (`workloads[].guard`).

    Each request is screened `checks_per_request` times (1 = the prompt, 2 = prompt and
    response); one check reads input_tokens tokens and writes output_tokens verdict tokens.
    """

    checks_per_request: int = spec(
        2, doc="checks per request (1 = prompt only, 2 = prompt and response)",
        unit="checks/request", ge=1, le=10, uncertain=False,
    )


@dataclass(frozen=True, kw_only=True)
class FinetuneSpec:
    """A recurring fine-tuning run (`workloads[].finetune`) on the fleet's accelerators.

    Tokens per run = dataset_tokens × epochs. Memory per GPU, time and GPUs follow
    `app.engine.finetune`, `finetune_time` and `finetune_plan`.
    """

    method: str = spec("lora", doc="what is trained", choices=FINETUNE_METHODS)
    dataset_tokens: float = spec(
        doc="training tokens in the dataset", unit="tokens", gt=0, uncertain=False
    )
    epochs: float = spec(1.0, doc="passes over the dataset per run", unit="epochs", gt=0,
                         le=1000, uncertain=False)
    runs_per_month: float = spec(
        doc="runs per month (weekly = 4.33)", unit="runs/month", ge=0, le=744, uncertain=False
    )
    seq_len_tokens: int = spec(
        4096, doc="training sequence length", unit="tokens", ge=16, uncertain=False
    )
    micro_batch: int = spec(
        1, doc="sequences per GPU per step", unit="sequences", ge=1, le=4096, uncertain=False
    )
    gpus: int | None = spec(
        None,
        doc="GPUs per run; null = the fewest that fit and finish within deadline_hours",
        unit="GPUs",
        ge=1,
        le=4096,
        uncertain=False,
    )
    zero_stage: int = spec(
        3, doc="ZeRO/FSDP sharding over the run's GPUs (0 none, 3 full shard)", ge=0, le=3,
        uncertain=False,
    )
    checkpointing: str = spec("full", doc="activation (gradient) checkpointing",
                              choices=CHECKPOINTING)
    optimizer: str | None = spec(
        None, doc="null = adamw (full, lora) or paged_adamw (qlora)", choices=FINETUNE_OPTIMIZERS
    )
    lora_rank: int = spec(16, doc="adapter rank r (lora, qlora)", unit="rank", ge=1,
                          le=4096, uncertain=False)
    lora_targets: tuple[str, ...] = spec(
        ("q", "k", "v", "o"),
        doc="matrices with adapters: q, k, v, o, gate, up, down, or all (at least one for "
            "lora and qlora)",
        unit="matrices",
        max_len=20,
    )
    deadline_hours: float | None = spec(
        None,
        doc="longest a run may take (e.g. a weekend: 48); null = no deadline",
        unit="h",
        gt=0,
        uncertain=False,
    )


@dataclass(frozen=True, kw_only=True)
class Workload:
    """One workload on the deployment's fleet: a stream of requests, or a recurring training run.

    Demand: `requests_per_day = users × requests_per_user_per_day`, spread over
    `active_hours_per_day` on `active_days_per_year`; the busiest hour runs at `peak_factor` × that
    average rate. Demand grows by `growth_per_year` (compounded monthly). A `finetune` workload
    has no request stream: its `finetune` section says what is trained and how often.
    """

    name: str = spec(doc="unique name within the scenario")
    template: str = spec("chat", doc="use case", choices=TEMPLATES)
    model: str = spec(doc="catalog model id, e.g. llama-3.1-70b")
    weights: str = spec("bf16", doc="catalog quantization id of the weights")
    kv_cache: str = spec("bf16", doc="catalog quantization id of the KV cache")
    users: int | None = spec(
        None,
        doc="people (or client systems) sending requests; required except for finetune",
        unit="users",
        ge=1,
    )
    requests_per_user_per_day: float | None = spec(
        None,
        doc="requests each user sends on an active day; required except for finetune",
        unit="requests/user/day",
        gt=0,
    )
    input_tokens: int | None = spec(
        None,
        doc="mean prompt (or query, or screened text) length incl. system prompt and retrieved "
        "context; required except for finetune",
        unit="tokens/request",
        ge=1,
    )
    output_tokens: int | None = spec(
        None,
        doc="mean generated length; required for chat, rag, code, batch and guard (null = 0)",
        unit="tokens/request",
        ge=0,
    )
    active_hours_per_day: float = spec(
        8.0, doc="hours per active day over which requests arrive", unit="h/day", gt=0, le=24
    )
    active_days_per_year: float = spec(
        250.0, doc="days per year with traffic (250 = working days)", unit="days/year", gt=0, le=366
    )
    peak_factor: float = spec(
        2.0, doc="busiest-hour request rate / average rate over active hours", unit="ratio", ge=1
    )
    ttft_target_ms: float | None = spec(
        2000.0,
        doc="time-to-first-token target; null = none (batch)",
        unit="ms",
        gt=0,
        uncertain=False,
    )
    tpot_target_ms: float | None = spec(
        100.0,
        doc="time-per-output-token target; null = none (batch)",
        unit="ms",
        gt=0,
        uncertain=False,
    )
    slo_percentile: float = spec(
        95.0,
        doc="percentile at which the latency targets hold",
        unit="%",
        ge=50,
        lt=100,
        uncertain=False,
    )
    growth_per_year: float = spec(
        0.0, doc="demand growth per year (0.5 = +50 %/year)", unit="fraction/year", gt=-1, le=10
    )
    cloud_api: str | None = spec(
        None, doc="catalog cloud-api id for this workload; null = alternatives.cloud_api"
    )
    embedding: EmbeddingSpec | None = spec(
        None, doc="embedding workloads: corpus and vector index; null = section defaults"
    )
    reranker: RerankerSpec | None = spec(
        None, doc="reranker workloads: candidates per query; null = section defaults"
    )
    guard: GuardSpec | None = spec(
        None, doc="guard workloads: checks per request; null = section defaults"
    )
    finetune: FinetuneSpec | None = spec(
        None, doc="finetune workloads: the training run (required for them)"
    )

    @property
    def is_generative(self) -> bool:
        """An LLM serving generated tokens (sized by the capacity engine)."""
        return self.template in GENERATIVE_TEMPLATES


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """The candidate hardware and serving layout."""

    accelerator: str = spec(doc="catalog accelerator id, e.g. nvidia-h100-sxm-80gb")
    gpu_count: int | None = spec(
        None,
        doc="accelerators bought at the start; null = sized from the workloads",
        unit="GPUs",
        ge=1,
        uncertain=False,
    )
    server: str | None = spec(None, doc="catalog server id; null = a generic server")
    gpus_per_server: int | None = spec(
        None,
        doc="accelerators per server; null = the server's slots, else 8",
        unit="GPUs/server",
        ge=1,
        uncertain=False,
    )
    tp: int | None = spec(
        None,
        doc="tensor-parallel degree per replica; null = smallest that fits",
        ge=1,
        uncertain=False,
    )
    pp: int = spec(1, doc="pipeline-parallel degree per replica", ge=1, uncertain=False)
    engine: str = spec("vllm", doc="serving engine", choices=ENGINES)
    redundancy: str = spec(
        "n+1",
        doc='spare capacity: "none", "n+K" spare replicas, or "P%" headroom',
        pattern=REDUNDANCY_PATTERN,
        pattern_doc='"none", "n+K" (e.g. n+1) or "P%" (e.g. 20%)',
    )
    scale_with_growth: bool = spec(
        True, doc="buy more accelerators in the month demand outgrows a sized fleet"
    )
    whole_servers: bool = spec(
        False, doc="buy accelerators a full server at a time (8-GPU HGX/DGX baseboards)"
    )
    gpu_sharing: str = spec(
        "auto",
        doc="how small workloads share a GPU: auto (MIG where the accelerator has it, else "
        "time-slicing), mig, time-slicing, or none (a whole GPU each)",
        choices=GPU_SHARING,
    )


@dataclass(frozen=True, kw_only=True)
class Costs:
    """Cost inputs for owning the deployment.

    Capital: accelerators × gpu_price_usd + servers × (server_price_usd + network_usd_per_server)
    + storage_usd (hardware, refreshed at end of life) + integration_usd + facility_usd (once).
    Operating per month: energy, hosting, support, software, staff, other (see `app.engine.cost`).
    """

    horizon_months: int = spec(
        60, doc="months compared", unit="months", ge=1, le=240, uncertain=False
    )
    discount_rate_per_year: float = spec(
        0.08, doc="effective annual rate for NPV", unit="fraction/year", ge=0, le=1
    )
    capex_treatment: str = spec(
        "cash", doc="how capital is charged to months", choices=CAPEX_TREATMENTS
    )
    hardware_life_years: float = spec(
        5.0,
        doc="depreciation period and refresh interval",
        unit="years",
        gt=0,
        le=20,
        uncertain=False,
    )
    residual_fraction: float = spec(
        0.0, doc="resale value at end of life / purchase price", unit="fraction", ge=0, lt=1
    )
    refresh_at_end_of_life: bool = spec(True, doc="replace hardware when its life ends")
    financing_rate_per_year: float = spec(
        0.07,
        doc="nominal annual interest (monthly rate = rate / 12)",
        unit="fraction/year",
        ge=0,
        le=1,
    )
    financing_term_months: int = spec(
        36, doc="loan or lease term", unit="months", ge=1, le=240, uncertain=False
    )
    gpu_price_usd: float | None = spec(
        None, doc="price per accelerator; null = catalog price", unit="USD/GPU", ge=0
    )
    server_price_usd: float | None = spec(
        None,
        doc="price per server without accelerators; null = catalog price",
        unit="USD/server",
        ge=0,
    )
    network_usd_per_server: float = spec(
        0.0, doc="switch ports, NICs, optics and cabling per server", unit="USD/server", ge=0
    )
    storage_usd: float = spec(0.0, doc="model and data storage", unit="USD", ge=0)
    integration_usd: float = spec(
        0.0, doc="one-off installation, integration and accreditation", unit="USD", ge=0
    )
    facility_usd: float = spec(0.0, doc="one-off room, power and cooling works", unit="USD", ge=0)
    gpu_power_w: float | None = spec(
        None, doc="accelerator power at full load; null = catalog TDP", unit="W/GPU", gt=0
    )
    server_base_power_w: float | None = spec(
        None,
        doc="server power without accelerators; null = catalog value",
        unit="W/server",
        ge=0,
    )
    load_factor: float = spec(
        0.6, doc="mean accelerator draw / full-load power", unit="fraction", gt=0, le=1
    )
    pue: float = spec(1.58, doc="facility power / IT power", unit="ratio", ge=1, le=3)
    energy_usd_per_kwh: float = spec(0.0825, doc="electricity tariff", unit="USD/kWh", ge=0)
    hosting_usd_per_kw_month: float = spec(
        0.0, doc="colocation or room charge per kW of IT capacity", unit="USD/kW-month", ge=0
    )
    support_fraction_per_year: float = spec(
        0.0,
        doc="hardware support and maintenance / hardware CapEx, per year",
        unit="fraction/year",
        ge=0,
        le=1,
    )
    software_usd_per_gpu_month: float = spec(
        0.0, doc="software subscriptions per accelerator", unit="USD/GPU-month", ge=0
    )
    staff_fte: float = spec(0.0, doc="operations staff", unit="FTE", ge=0)
    staff_loaded_usd_per_year: float = spec(
        0.0, doc="fully loaded cost of one FTE", unit="USD/FTE-year", ge=0
    )
    other_usd_per_month: float = spec(0.0, doc="any other running cost", unit="USD/month", ge=0)


@dataclass(frozen=True, kw_only=True)
class Alternatives:
    """What the deployment is compared with: a hosted API and rented GPUs."""

    cloud_api: str | None = spec(None, doc="catalog cloud-api id; null = no API comparison")
    api_input_usd_per_mtok: float | None = spec(
        None, doc="input price; null = catalog", unit="USD/1M tokens", ge=0
    )
    api_output_usd_per_mtok: float | None = spec(
        None, doc="output price; null = catalog", unit="USD/1M tokens", ge=0
    )
    api_cached_input_usd_per_mtok: float | None = spec(
        None,
        doc="cached-input price; null = catalog, else the input price",
        unit="USD/1M tokens",
        ge=0,
    )
    api_cached_input_fraction: float = spec(
        0.0, doc="share of input tokens billed at the cached price", unit="fraction", ge=0, le=1
    )
    gpu_rental: str | None = spec(None, doc="catalog gpu-rental id; null = no rental comparison")
    rental_pricing: str = spec("on-demand", doc="which rate applies", choices=RENTAL_PRICING)
    rental_usd_per_gpu_hour: float | None = spec(
        None, doc="rate; null = catalog rate for rental_pricing", unit="USD/GPU-hour", ge=0
    )
    rental_hours_per_month: float = spec(
        730.0,
        doc="hours each rented GPU is billed (730 = always on)",
        unit="h/month",
        gt=0,
        le=744,
    )
    rental_includes_operations: bool = spec(
        True, doc="add staff, software and other costs to the rental path too"
    )


@dataclass(frozen=True, kw_only=True)
class Requirements:
    """The site's requirements, carried for the constraint rules (not evaluated here)."""

    deployment_mode: str = spec(
        "on-premise", doc="where the AI pipeline may run", choices=DEPLOYMENT_MODES
    )
    data_classification: str = spec("", doc="highest classification of data processed")
    jurisdiction: str = spec("", doc="country or region of the site, e.g. DE, EU, CN")
    allowed_licences: tuple[str, ...] = spec(
        (), doc="model licence names allowed; empty = any", max_len=200
    )
    allowed_model_origins: tuple[str, ...] = spec(
        (), doc="model publisher countries allowed; empty = any", max_len=200
    )
    allowed_hardware_vendors: tuple[str, ...] = spec(
        (), doc="accelerator vendors allowed; empty = any", max_len=200
    )
    allowed_hardware_origins: tuple[str, ...] = spec(
        (), doc="accelerator vendor countries allowed; empty = any", max_len=200
    )
    export_control_exposure: str = spec(
        "warn",
        doc="how to treat hardware under export controls affecting the jurisdiction",
        choices=EXPORT_CONTROL_EXPOSURE,
    )
    vendor_support_region: str = spec("", doc="region where vendor support is needed; empty = none")
    commercial_use: bool = spec(
        True, doc="the organisation uses models commercially (licences that forbid it fail)"
    )
    use_restriction_exposure: str = spec(
        "warn",
        doc="how to treat worldwide use restrictions a foreign authority puts on hardware "
        "(US Entity List, US guidance on Huawei Ascend)",
        choices=EXPORT_CONTROL_EXPOSURE,
    )


@dataclass(frozen=True, kw_only=True)
class UncertainInput:
    """A low/likely/high range on one numeric field, keyed by its dotted path.

    `likely` null means the field's own (or catalog-resolved) value.
    """

    path: str = spec(
        doc="dotted field path, e.g. costs.energy_usd_per_kwh or workloads[0].users", max_len=200
    )
    low: float = spec(doc="lowest plausible value (same unit as the field)")
    likely: float | None = spec(None, doc="most likely value; null = the field's value")
    high: float = spec(doc="highest plausible value (same unit as the field)")
    distribution: str = spec("triangular", doc="shape between low and high", choices=DISTRIBUTIONS)


@dataclass(frozen=True, kw_only=True)
class Assumption:
    """One entry of the assumptions register: where a value comes from."""

    field: str = spec("", doc="dotted field path it concerns; empty = general", max_len=200)
    note: str = spec(doc="what is assumed and why", max_len=2000)
    source: str = spec("", doc="URL or document; empty = the analyst's assumption", max_len=2000)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A complete, validated scenario (schema version 1)."""

    schema_version: int = spec(SCHEMA_VERSION, doc="format version", ge=1, uncertain=False)
    name: str = spec(doc="scenario name (unique in a workspace)", max_len=120)
    description: str = spec("", doc="free text", max_len=4000)
    workloads: tuple[Workload, ...] = spec(doc="what is served (at least one)", min_items=1)
    deployment: Deployment = spec(doc="the candidate deployment")
    costs: Costs = spec(doc="cost inputs", factory=Costs)
    alternatives: Alternatives = spec(doc="comparisons", factory=Alternatives)
    requirements: Requirements = spec(doc="site requirements", factory=Requirements)
    uncertainty: tuple[UncertainInput, ...] = spec(
        (), doc="ranges keyed by dotted path (a JSON object)"
    )
    assumptions: tuple[Assumption, ...] = spec((), doc="assumptions register")

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        """Validate decoded JSON; raise ScenarioError naming the first broken field."""
        from app.engine.scenario_parse import scenario_from_dict

        return scenario_from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (every field, defaults included)."""
        from app.engine.scenario_parse import scenario_to_dict

        return scenario_to_dict(self)


# Sections whose JSON form is an object keyed by one of the item's fields.
KEYED_SECTIONS = {"uncertainty": "path"}
