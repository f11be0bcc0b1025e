"""Create a scenario from a point of the explorer's front (Qt-free, undoable).

The new scenario is a copy of the source scenario with the point's deployment: accelerator,
tensor- and pipeline-parallel degrees, engine, and the swept workload's weight and KV-cache
formats. The GPU count is left to the sizing (`deployment.gpu_count = null`), so evaluating
the new scenario sizes the fleet for the demand with the capacity engine (queueing included),
not with the explorer's static batch.

When the accelerator changes, what the source scenario said about its own accelerator (its
price and power, their uncertainty ranges and assumptions) no longer applies and is cleared, so
the catalog values are used; the server becomes a catalog server that holds the new
accelerator (none when the catalog has none). The server's cost inputs are kept, and an
assumption says so. Another assumption records where the deployment came from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from app.catalog.loader import Catalog
from app.engine.scenario import Assumption, Scenario
from app.operations import scenario_ops
from app.operations.change import Outcome
from app.operations.explore import SweptSpace
from app.storage import scenario_store
from app.storage.scenario_store import MAX_NAME_CHARS
from app.storage.workspace import Workspace

MAX_DESCRIPTION_CHARS = 4000
ACCELERATOR_FIELDS = ("costs.gpu_price_usd", "costs.gpu_power_w")


@dataclass(frozen=True)
class ExplorePoint:
    """One configuration of the front, as plain values (what a new scenario needs)."""

    accelerator: str
    accelerator_name: str
    engine: str
    gpu_count: int
    tp: int
    pp: int
    weights: str
    kv_cache: str
    batch: int
    output_tokens_per_s: float
    ttft_ms: float
    tpot_ms: float
    cost_per_million_tokens_usd: float
    fleet_gpus: int
    price_estimated: bool
    workload_index: int = 0

    @classmethod
    def from_space(cls, space: SweptSpace, i: int) -> ExplorePoint:
        row = space.row(i)
        return cls(
            accelerator=str(row["accelerator"]), accelerator_name=str(row["accelerator_name"]),
            engine=str(row["engine"]), gpu_count=int(space.gpu_count[i]), tp=int(space.tp[i]),
            pp=int(space.pp[i]), weights=str(row["weights"]), kv_cache=str(row["kv_cache"]),
            batch=int(space.batch[i]),
            output_tokens_per_s=float(space.output_tokens_per_s[i]),
            ttft_ms=float(space.ttft_ms[i]), tpot_ms=float(space.tpot_ms[i]),
            cost_per_million_tokens_usd=float(space.cost_per_million_tokens_usd[i]),
            fleet_gpus=int(space.fleet_gpus[i]), price_estimated=bool(space.price_estimated[i]),
            workload_index=space.request.workload_index)

    def label(self) -> str:
        """Short: "8× Huawei Ascend 910C 128GB, int8/fp8, vllm"."""
        return (f"{self.gpu_count}× {self.accelerator_name}, {self.weights}/{self.kv_cache}, "
                f"{self.engine}")

    def summary(self) -> str:
        return (f"{self.label()}, tp {self.tp} × pp {self.pp}; explorer estimate at a static "
                f"batch of {self.batch}: {self.output_tokens_per_s:,.0f} output tokens/s, TTFT "
                f"{self.ttft_ms:,.0f} ms, TPOT {self.tpot_ms:,.1f} ms, "
                f"${self.cost_per_million_tokens_usd:,.2f} per 1M output tokens"
                + (" (GPU price estimated)" if self.price_estimated else "")
                + f"; {self.fleet_gpus:,} GPUs for the peak demand")


def _server_for(catalog: Catalog, accelerator: str) -> str | None:
    for server in catalog.servers.values():
        if accelerator in server.accelerators:
            return server.id
    return None


def scenario_from_point(source: Scenario, point: ExplorePoint, catalog: Catalog,
                        name: str) -> Scenario:
    """The source scenario with the point's deployment (see the module docstring)."""
    d = source.deployment
    i = point.workload_index
    try:
        old_accelerator = catalog.accelerator(d.accelerator).id
    except KeyError:
        old_accelerator = d.accelerator
    changed_accelerator = old_accelerator != point.accelerator
    deployment = dataclasses.replace(d, accelerator=point.accelerator, tp=point.tp, pp=point.pp,
                                     engine=point.engine, gpu_count=None)
    costs = source.costs
    notes: list[Assumption] = []
    dropped = {f"workloads[{i}].weights", f"workloads[{i}].kv_cache", "deployment.accelerator",
               "deployment.tp", "deployment.pp", "deployment.engine", "deployment.gpu_count"}
    if changed_accelerator:
        server = _server_for(catalog, point.accelerator)
        deployment = dataclasses.replace(
            deployment, server=server,
            gpus_per_server=None if server else d.gpus_per_server)
        costs = dataclasses.replace(costs, gpu_price_usd=None, gpu_power_w=None)
        dropped |= set(ACCELERATOR_FIELDS) | {"deployment.server", "deployment.gpus_per_server"}
        accel = catalog.accelerator(point.accelerator)
        if not accel.price_usd:
            notes.append(Assumption(
                field="costs.gpu_price_usd",
                note=f"the catalog has no price for {accel.name}: enter one before evaluating "
                     "(the explorer used an estimated GPU-hour rate)"))
        if costs.server_price_usd is not None or costs.server_base_power_w is not None:
            notes.append(Assumption(
                field="costs.server_price_usd",
                note=f"server price and power kept from '{source.name}' "
                     f"({d.server or 'no server named'}); check them for {accel.name}"))
    workloads = list(source.workloads)
    workloads[i] = dataclasses.replace(workloads[i], weights=point.weights,
                                       kv_cache=point.kv_cache)
    notes.insert(0, Assumption(
        field="deployment.accelerator",
        note=f"chosen in the explorer from '{source.name}' (workload {workloads[i].name}): "
             f"{point.summary()}; the GPU count is left to the sizing"))
    kept = tuple(a for a in source.assumptions if a.field not in dropped)
    uncertainty = tuple(u for u in source.uncertainty if u.path not in dropped)
    description = (source.description + "\n\n" if source.description else "") + (
        f"Created in the explorer from '{source.name}': {point.summary()}.")
    return dataclasses.replace(
        source, name=name, description=description[:MAX_DESCRIPTION_CHARS],
        workloads=tuple(workloads), deployment=deployment, costs=costs,
        assumptions=tuple(notes) + kept, uncertainty=uncertainty)


def point_name(source: Scenario, point: ExplorePoint) -> str:
    """"<source> — 8× Huawei Ascend 910C 128GB int8" (shortened to fit the name limit)."""
    suffix = f" — {point.gpu_count}× {point.accelerator_name} {point.weights}"
    room = MAX_NAME_CHARS - len(suffix) - 6  # room for a " (NN)" that makes it unique
    base = source.name if len(source.name) <= room else source.name[:max(room - 1, 1)] + "…"
    return base + suffix


def create_scenario_from_point(ws: Workspace, source: Scenario,
                               point: ExplorePoint) -> Outcome:
    """Store a new scenario made from `point` (name made unique); undoable."""
    name = scenario_store.unique_name(ws.db, point_name(source, point))
    scenario = scenario_from_point(source, point, ws.catalog, name)
    data = Scenario.from_dict(scenario.to_dict()).to_dict()  # validated like any scenario
    return scenario_ops.insert_scenario(ws, data, f"Create {name} from the explorer")
