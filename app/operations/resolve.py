"""Resolve a scenario's catalog references and fill the values it left to the catalog.

A scenario names models, formats, an accelerator, a server, a cloud API and a GPU rental by id,
and may leave prices, power and rates `null`. Resolution looks each up, fills the nulls and
records where every filled value came from (catalog entry, source, as-of), so the evaluation's
basis can show it. A reference the catalog lacks, or a null the catalog cannot fill, raises
`ScenarioError` naming the field and saying what to do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from app.catalog.loader import Catalog
from app.engine.catalog_types import (
    AcceleratorSpec,
    CloudApiPrice,
    GpuRental,
    ModelSpec,
    QuantFormat,
    ServerSpec,
)
from app.engine.cost_inputs import ApiPrice
from app.engine.scenario import Alternatives, Costs, Scenario, ScenarioError

GENERIC_GPUS_PER_SERVER = 8

T = TypeVar("T")


@dataclass(frozen=True)
class SourceRef:
    """One catalog entry the evaluation used, and the scenario fields it filled."""

    kind: str
    id: str
    name: str
    source: str
    as_of: str
    filled: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario with its catalog references looked up and its catalog nulls filled."""

    scenario: Scenario
    original: Scenario
    accelerator: AcceleratorSpec
    server: ServerSpec | None
    gpus_per_server: int
    models: tuple[ModelSpec, ...]
    weights: tuple[QuantFormat, ...]
    kv_caches: tuple[QuantFormat, ...]
    workload_api: tuple[ApiPrice | None, ...]
    sources: tuple[SourceRef, ...]
    notes: tuple[str, ...]


def catalog_lookup(field: str, key: str, find: Callable[[str], T], what: str) -> T:
    """`find(key)`, a catalog lookup; its KeyError becomes the ScenarioError naming the field:
    `deployment.accelerator: accelerator 'x' is not in the catalog`."""
    try:
        return find(key)
    except KeyError:
        raise ScenarioError(f"{field}: {what} '{key}' is not in the catalog") from None


def _by_id(entries: dict[str, T]) -> Callable[[str], T]:
    def find(key: str) -> T:
        if key in entries:
            return entries[key]
        lowered = {k.lower(): v for k, v in entries.items()}
        return lowered[key.lower()]

    return find


def _api_price(api: CloudApiPrice) -> ApiPrice:
    return ApiPrice(api.input_usd_per_mtok, api.output_usd_per_mtok, api.cached_input_usd_per_mtok)


def _rental_rate(rental: GpuRental, pricing: str) -> float | None:
    if pricing == "reserved":
        return rental.reserved_usd_per_gpu_hour
    return rental.on_demand_usd_per_gpu_hour


def resolve(scenario: Scenario, catalog: Catalog) -> ResolvedScenario:
    """Look up every catalog reference and fill the scenario's catalog-backed nulls."""
    d = scenario.deployment
    sources: list[SourceRef] = []
    notes: list[str] = []
    gpu = catalog_lookup("deployment.accelerator", d.accelerator, catalog.accelerator,
                         "accelerator")
    models, weights, kvs, workload_api = [], [], [], []
    for i, w in enumerate(scenario.workloads):
        where = f"workloads[{i}]"
        model = catalog_lookup(f"{where}.model", w.model, catalog.model, "model")
        models.append(model)
        weights.append(catalog_lookup(f"{where}.weights", w.weights, catalog.quantization,
                                      "format"))
        kvs.append(catalog_lookup(f"{where}.kv_cache", w.kv_cache, catalog.quantization,
                                  "format"))
        sources.append(SourceRef("model", model.id, model.name, model.source, model.as_of))
        own_api = None
        if w.cloud_api:
            api = catalog_lookup(
                f"{where}.cloud_api", w.cloud_api, _by_id(catalog.cloud_apis), "cloud API"
            )
            own_api = _api_price(api)
            sources.append(
                SourceRef(
                    "cloud-api", api.id, api.name, api.source, api.as_of, (f"{where}.cloud_api",)
                )
            )
        workload_api.append(own_api)

    server = None
    if d.server:
        server = catalog_lookup("deployment.server", d.server, _by_id(catalog.servers), "server")
    gpus_per_server = d.gpus_per_server or (server.gpu_slots if server else GENERIC_GPUS_PER_SERVER)
    if d.gpus_per_server is None and server is None:
        notes.append(f"no server chosen: a generic {GENERIC_GPUS_PER_SERVER}-GPU server is assumed")

    costs, filled_gpu = _fill(
        scenario.costs,
        "costs",
        {
            "gpu_price_usd": (gpu.price_usd, f"accelerator '{gpu.id}' has no price in the catalog"),
            "gpu_power_w": (gpu.tdp_w, f"accelerator '{gpu.id}' has no TDP in the catalog"),
        },
    )
    price_fields = tuple(f for f in filled_gpu if f == "costs.gpu_price_usd")
    power_fields = tuple(f for f in filled_gpu if f != "costs.gpu_price_usd")
    sources.append(SourceRef("accelerator", gpu.id, gpu.name, gpu.source, gpu.as_of, power_fields))
    if price_fields:
        origin = gpu.field_sources.get("price")
        sources.append(
            SourceRef(
                "accelerator-price",
                gpu.id,
                f"{gpu.name} ({gpu.price_kind or 'price'})",
                origin.source if origin else gpu.source,
                gpu.price_as_of or (origin.as_of if origin else gpu.as_of),
                price_fields,
            )
        )
    why_server = (
        f"server '{server.id}' has no {{}} in the catalog"
        if server
        else "no server is chosen (set deployment.server or this field)"
    )
    costs, filled_server = _fill(
        costs,
        "costs",
        {
            "server_price_usd": (server.price_usd if server else None, why_server.format("price")),
            "server_base_power_w": (
                server.base_power_w if server else None,
                why_server.format("base power"),
            ),
        },
    )
    if server:
        sources.append(
            SourceRef("server", server.id, server.name, server.source, server.as_of, filled_server)
        )

    alternatives = scenario.alternatives
    if alternatives.cloud_api:
        api = catalog_lookup(
            "alternatives.cloud_api",
            alternatives.cloud_api,
            _by_id(catalog.cloud_apis),
            "cloud API",
        )
        alternatives, filled = _fill(
            alternatives,
            "alternatives",
            {
                "api_input_usd_per_mtok": (api.input_usd_per_mtok, ""),
                "api_output_usd_per_mtok": (api.output_usd_per_mtok, ""),
                "api_cached_input_usd_per_mtok": (
                    api.cached_input_usd_per_mtok
                    if api.cached_input_usd_per_mtok is not None
                    else alternatives.api_input_usd_per_mtok or api.input_usd_per_mtok,
                    "",
                ),
            },
        )
        sources.append(SourceRef("cloud-api", api.id, api.name, api.source, api.as_of, filled))
    if alternatives.gpu_rental:
        rental = catalog_lookup(
            "alternatives.gpu_rental",
            alternatives.gpu_rental,
            _by_id(catalog.gpu_rentals),
            "GPU rental",
        )
        alternatives, filled = _fill(
            alternatives,
            "alternatives",
            {
                "rental_usd_per_gpu_hour": (
                    _rental_rate(rental, alternatives.rental_pricing),
                    f"rental '{rental.id}' has no {alternatives.rental_pricing} rate in the catalog",
                ),
            },
        )
        sources.append(
            SourceRef("gpu-rental", rental.id, rental.name, rental.source, rental.as_of, filled)
        )
        if rental.accelerator.lower() not in {
            gpu.id.lower(),
            gpu.name.lower(),
            *(a.lower() for a in gpu.aliases),
        }:
            notes.append(
                f"the rental prices '{rental.accelerator}', not '{gpu.id}': the rented "
                "fleet is assumed to match the owned one GPU for GPU"
            )
    if (
        alternatives.cloud_api is None
        and alternatives.api_input_usd_per_mtok is None
        and not any(workload_api)
    ):
        notes.append("no cloud API chosen: the API comparison is left out")
    if alternatives.gpu_rental is None and alternatives.rental_usd_per_gpu_hour is None:
        notes.append("no GPU rental chosen: the rental comparison is left out")
    notes.extend(_uncounted(costs))

    resolved = dataclasses.replace(scenario, costs=costs, alternatives=alternatives)
    return ResolvedScenario(
        scenario=resolved,
        original=scenario,
        accelerator=gpu,
        server=server,
        gpus_per_server=gpus_per_server,
        models=tuple(models),
        weights=tuple(weights),
        kv_caches=tuple(kvs),
        workload_api=tuple(workload_api),
        sources=tuple(sources),
        notes=tuple(notes),
    )


S = TypeVar("S", Costs, Alternatives)


def _fill(section: S, name: str, values: dict[str, tuple[Any, str]]) -> tuple[S, tuple[str, ...]]:
    """Fill null fields of a section from the catalog; error when the catalog has no value.

    `values` maps field → (catalog value, reason it is missing); an empty reason means the
    field may stay null.
    """
    changes: dict[str, Any] = {}
    for field, (value, missing) in values.items():
        if getattr(section, field) is not None:
            continue
        if value is None:
            if missing:
                raise ScenarioError(f"{name}.{field}: is required because {missing}")
            continue
        changes[field] = float(value)
    return dataclasses.replace(section, **changes), tuple(f"{name}.{f}" for f in changes)


_NOT_COUNTED = (
    ("network_usd_per_server", "network equipment"),
    ("storage_usd", "storage"),
    ("integration_usd", "integration and installation"),
    ("facility_usd", "facility works"),
    ("support_fraction_per_year", "hardware support"),
    ("software_usd_per_gpu_month", "software subscriptions"),
    ("staff_fte", "operations staff"),
)


def _uncounted(costs: Costs) -> list[str]:
    return [
        f"costs.{field} is 0: {what} not counted"
        for field, what in _NOT_COUNTED
        if getattr(costs, field) == 0
    ]
