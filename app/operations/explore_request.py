"""What the explorer sweeps for: a workload, a site's requirements and its cost inputs (Qt-free).

`request_from_scenario` takes one workload of a scenario (model, token lengths, SLO targets,
peak demand, redundancy), the scenario's requirements and its cost inputs; `request_for_model`
takes just a model and token lengths (no SLOs, no demand, no requirements, default costs).
`gpu_hour_prices` turns a request into USD per GPU-hour for every accelerator of a catalog
(`app.engine.gpu_hour_cost`): the scenario's own price and power for its own accelerator, the
catalog's for the others, the lowest catalog rental rate or the fallback rate (flagged) where
no purchase price is known.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.loader import Catalog
from app.engine.catalog_types import AcceleratorSpec, ServerSpec
from app.engine.constraint_types import SiteRequirements
from app.engine.cost_inputs import parse_redundancy
from app.engine.gpu_hour_cost import AcceleratorCostInputs, GpuHourPrices, OwnershipTerms
from app.engine.scenario import ENGINES, Scenario, ScenarioError
from app.errors import UserError
from app.operations.resolve import GENERIC_GPUS_PER_SERVER
from app.operations.sizing import demand_numbers, peak_requests_per_s

GPU_COUNTS = (1, 2, 4, 8, 16)
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
ALL_ENGINES = "all"


@dataclass(frozen=True)
class ExploreRequest:
    """One workload to sweep for, the site's requirements and how to price a GPU-hour.

    `own_*` are the source scenario's accelerator and the price and power it sets for it (they
    apply to that accelerator only). `peak_requests_per_s` is 0 when there is no demand.
    """

    model_id: str
    input_tokens: int
    output_tokens: int
    engines: tuple[str, ...] = ("vllm",)
    ttft_target_ms: float | None = None
    tpot_target_ms: float | None = None
    peak_requests_per_s: float = 0.0
    spare_replicas: int = 0
    headroom_fraction: float = 0.0
    requirements: SiteRequirements = SiteRequirements()
    terms: OwnershipTerms = OwnershipTerms()
    own_accelerator: str = ""
    own_price_usd: float | None = None
    own_power_w: float | None = None
    gpu_counts: tuple[int, ...] = GPU_COUNTS
    batches: tuple[int, ...] = BATCHES
    scenario_name: str = ""
    workload_index: int = 0
    workload_name: str = ""

    @property
    def peak_output_tokens_per_s(self) -> float:
        return self.peak_requests_per_s * self.output_tokens

    def describe(self, targets: tuple[float | None, float | None] | None = None) -> str:
        """One line: what is swept for ("qwen3-32b, 4,000 in / 300 out; TTFT ≤ 2,000 ms …"),
        with other (TTFT, TPOT) targets when given."""
        ttft, tpot = targets if targets is not None else (self.ttft_target_ms,
                                                          self.tpot_target_ms)
        parts = [f"{self.model_id}, {self.input_tokens:,} tokens in / "
                 f"{self.output_tokens:,} out"]
        if ttft is not None:
            parts.append(f"TTFT ≤ {ttft:,.0f} ms")
        if tpot is not None:
            parts.append(f"TPOT ≤ {tpot:,.0f} ms")
        if self.peak_requests_per_s > 0:
            parts.append(f"peak {self.peak_requests_per_s:,.2f} requests/s")
        parts.append("engines: " + ", ".join(self.engines))
        return "; ".join(parts)


def resolve_engines(engine: str | None, default: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """`all` → every engine with an efficiency profile; None → `default`; else that one."""
    if engine == ALL_ENGINES:
        return tuple(e for e in ENGINES if e in known) or known
    chosen = engine or default
    if chosen not in known:
        raise UserError(f"--engine '{chosen}' must be one of {', '.join(sorted(known))} or "
                        f"{ALL_ENGINES}")
    return (chosen,)


def request_for_model(model_id: str, input_tokens: int, output_tokens: int,
                      engines: tuple[str, ...] = ("vllm",), *,
                      ttft_target_ms: float | None = None,
                      tpot_target_ms: float | None = None) -> ExploreRequest:
    """A request for a bare model and token lengths (no demand, no requirements)."""
    if input_tokens < 0 or output_tokens < 1:
        raise UserError("--input-tokens must be at least 0 and --output-tokens at least 1")
    return ExploreRequest(model_id=model_id, input_tokens=input_tokens,
                          output_tokens=output_tokens, engines=engines,
                          ttft_target_ms=ttft_target_ms, tpot_target_ms=tpot_target_ms)


def generative_workloads(scenario: Scenario) -> list[int]:
    """Indices of the workloads the explorer can sweep (chat, RAG, code, batch)."""
    return [i for i, w in enumerate(scenario.workloads) if w.is_generative]


def request_from_scenario(scenario: Scenario, catalog: Catalog, workload: int | None = None,
                          engines: tuple[str, ...] | None = None) -> ExploreRequest:
    """The request for one workload of `scenario` (default: its first generative one)."""
    choices = generative_workloads(scenario)
    if not choices:
        raise ScenarioError("workloads: the explorer needs a chat, RAG, code, batch or guard "
                            "workload; this scenario has none")
    index = choices[0] if workload is None else workload
    if index not in choices:
        raise ScenarioError(f"workloads[{index}]: not a generative workload the explorer can "
                            "sweep")
    w = scenario.workloads[index]
    d = scenario.deployment
    c = scenario.costs
    redundancy = parse_redundancy(d.redundancy)
    server = _server(catalog, d.server)
    per_server = d.gpus_per_server or (server.gpu_slots if server else GENERIC_GPUS_PER_SERVER)
    server_price = c.server_price_usd if c.server_price_usd is not None else (
        server.price_usd if server else None)
    server_power = c.server_base_power_w if c.server_base_power_w is not None else (
        server.base_power_w if server else None)
    terms = OwnershipTerms(
        life_years=c.hardware_life_years,
        residual_fraction=c.residual_fraction,
        server_usd_per_gpu=((server_price + c.network_usd_per_server) / per_server
                            if server_price is not None else None),
        server_power_w_per_gpu=(server_power or 0.0) / per_server,
        support_fraction_per_year=c.support_fraction_per_year,
        software_usd_per_gpu_month=c.software_usd_per_gpu_month,
        hosting_usd_per_kw_month=c.hosting_usd_per_kw_month,
        load_factor=c.load_factor,
        pue=c.pue,
        usd_per_kwh=c.energy_usd_per_kwh,
    )
    _users, _requests, input_tokens, output_tokens = demand_numbers(w)
    return ExploreRequest(
        model_id=w.model,
        input_tokens=int(input_tokens),
        output_tokens=max(int(output_tokens), 1),
        engines=engines or (d.engine,),
        ttft_target_ms=w.ttft_target_ms,
        tpot_target_ms=w.tpot_target_ms,
        peak_requests_per_s=peak_requests_per_s(w),
        spare_replicas=redundancy.spare_replicas,
        headroom_fraction=redundancy.headroom_fraction,
        requirements=SiteRequirements.from_requirements(scenario.requirements),
        terms=terms,
        own_accelerator=_accelerator_id(catalog, d.accelerator),
        own_price_usd=c.gpu_price_usd,
        own_power_w=c.gpu_power_w,
        scenario_name=scenario.name,
        workload_index=index,
        workload_name=w.name,
    )


def _server(catalog: Catalog, server_id: str | None) -> ServerSpec | None:
    if not server_id:
        return None
    found = catalog.servers.get(server_id)
    if found is None:
        found = next((s for k, s in catalog.servers.items()
                      if k.casefold() == server_id.casefold()), None)
    return found


def _accelerator_id(catalog: Catalog, key: str) -> str:
    try:
        return catalog.accelerator(key).id
    except KeyError:
        return key


def _rental(catalog: Catalog, accel: AcceleratorSpec) -> tuple[float | None, str]:
    """The lowest catalog rental rate (on-demand or reserved) for `accel`, and its source."""
    names = {accel.id.casefold(), accel.name.casefold(), *(a.casefold() for a in accel.aliases)}
    best: tuple[float | None, str] = (None, "")
    for rental in catalog.gpu_rentals.values():
        if rental.accelerator.casefold() not in names:
            continue
        for rate in (rental.on_demand_usd_per_gpu_hour, rental.reserved_usd_per_gpu_hour):
            if rate and (best[0] is None or rate < best[0]):
                best = (rate, f"{rental.name}, {rental.source}; as of {rental.as_of}")
    return best


def gpu_hour_prices(request: ExploreRequest, catalog: Catalog) -> GpuHourPrices:
    """USD per GPU-hour for every catalog accelerator under the request's cost inputs."""
    inputs = {}
    for accel in catalog.accelerators.values():
        own = accel.id == request.own_accelerator
        price, power = accel.price_usd, accel.tdp_w
        origin = accel.field_sources.get("price")
        source = (f"catalog {accel.price_kind or 'price'}, "
                  f"{origin.source if origin else accel.source}")
        if own and request.own_price_usd is not None:
            price, source = request.own_price_usd, "the scenario's costs.gpu_price_usd"
        if own and request.own_power_w is not None:
            power = request.own_power_w
        rate, rate_source = _rental(catalog, accel) if not price else (None, "")
        inputs[accel.id] = AcceleratorCostInputs(
            price_usd=price, power_w=power, price_source=source,
            rental_usd_per_gpu_hour=rate, rental_source=rate_source)
    return GpuHourPrices(request.terms, inputs)

