"""Evaluate a stored scenario for the live dashboard: fast, cancellable, never on bad input.

`evaluate_stored(data, catalog, ...)` is the pure function the GUI runs off its thread after
each edit:

1. the stored dict is validated first; a broken rule comes back as a `Problem` (dotted field
   and rule) and the engine is not called;
2. sizing, the slow part (a vectorised queueing model per candidate layout), is cached by what
   it depends on (workloads, deployment, catalog), so an edit to costs, alternatives or ranges
   re-runs only the cost model and the Monte Carlo;
3. a price or power the scenario leaves to a catalog that has none (`costs.gpu_price_usd: is
   required because ...`) does not hide the performance results: it is evaluated as 0 and
   listed in `missing_costs`, so the dashboard shows fit, latency and sizing and asks for the
   missing figures instead of cost results;
4. `cancel` is checked between the steps (a newer edit makes this run stale).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.engine.capacity import ServingGrid, serving_grid
from app.engine.configs import ConfigArrays
from app.engine.efficiency import EfficiencyTable
from app.engine.scenario import Scenario, ScenarioError
from app.engine.scenario_parse import replace_at
from app.engine.uncertainty import DEFAULT_SEED
from app.operations.evaluate import EvaluationResult, evaluate
from app.operations.progress import Cancelled, CancelToken, ProgressCallback
from app.operations.resolve import ResolvedScenario
from app.operations.scenario_edit import Problem, split_error
from app.operations.stack import StackSizing, size_stack

EDITING_DRAWS = 500  # while the user edits: P10/P90 to about ±3 %, fast
FULL_DRAWS = 100_000  # on demand ("Full precision")
MISSABLE_COSTS = ("costs.gpu_price_usd", "costs.server_price_usd", "costs.gpu_power_w",
                  "costs.server_base_power_w", "alternatives.rental_usd_per_gpu_hour",
                  "alternatives.api_input_usd_per_mtok", "alternatives.api_output_usd_per_mtok")
REQUIRED = "is required"


class SizingCache:
    """`size_stack` remembered by (workloads, deployment, catalog, efficiency table): frozen
    dataclasses are hashable, and a catalog edit or a site refit gives new table objects.

    An edit to a workload's demand (users, peak factor, SLO targets) sizes the stack again,
    but the candidates' serving grid, the slow part, depends only on the candidates and
    the token lengths: it is remembered by their exact values (`grid`)."""

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[Any, ...], StackSizing] = OrderedDict()
        self._grids: OrderedDict[tuple[Any, ...], ServingGrid] = OrderedDict()
        self._alive: list[object] = []
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.serving_grid_runs = 0

    def grid(self, c: ConfigArrays, input_tokens: float, output_tokens: float) -> ServingGrid:
        """`serving_grid`, remembered by the exact values of its inputs."""
        key = (float(input_tokens), float(output_tokens), *_exact_values(c))
        with self._lock:
            found = self._grids.get(key)
            if found is not None:
                self._grids.move_to_end(key)
                return found
        grid = _read_only(serving_grid(c, input_tokens, output_tokens))
        with self._lock:
            self.serving_grid_runs += 1
            self._grids[key] = grid
            while len(self._grids) > self.capacity:
                self._grids.popitem(last=False)
        return grid

    def stacker(self, catalog: Catalog) -> Any:
        def size(resolved: ResolvedScenario, table: EfficiencyTable,
                 aliases: Mapping[str, str]) -> StackSizing:
            s = resolved.scenario
            key = (s.workloads, s.deployment, id(catalog), id(table),
                   tuple(sorted(aliases.items())), resolved.gpus_per_server)
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return found
            stack = size_stack(resolved, table, aliases, self.grid)
            with self._lock:
                self.misses += 1
                self._entries[key] = stack
                while len(self._entries) > self.capacity:
                    self._entries.popitem(last=False)
                # keep the keyed objects alive so their ids are not reused by others
                self._alive.extend((catalog, table))
                del self._alive[:-8]
            return stack

        return size


def _exact_values(c: ConfigArrays) -> list[tuple[str, str, tuple[int, ...], bytes]]:
    """Every field's name, type, shape and bytes: equal lists, equal inputs."""
    out = []
    for f in dataclasses.fields(c):
        values = np.asarray(getattr(c, f.name))
        out.append((f.name, values.dtype.str, values.shape, values.tobytes()))
    return out


def _read_only(grid: ServingGrid) -> ServingGrid:
    """A grid whose arrays cannot be changed in place (it is shared by later sizings)."""
    for part in (grid.peak, grid.grid):
        for f in dataclasses.fields(part):
            np.asarray(getattr(part, f.name)).setflags(write=False)
    grid.rates.setflags(write=False)
    return grid


@functools.cache
def _shipped_efficiency() -> tuple[EfficiencyTable, dict[str, str]]:
    return load_efficiency()


@dataclass(frozen=True)
class LiveEvaluation:
    """What the dashboard shows for one version of a scenario.

    result: None when the scenario breaks a rule (`problem` says which field and why).
    missing_costs: cost fields evaluated as 0 because neither the scenario nor the catalog
    gives them; cost results are not meaningful until they are entered.
    """

    result: EvaluationResult | None
    problem: Problem | None
    missing_costs: tuple[str, ...]
    draws: int
    seconds: float


def evaluate_stored(data: Any, catalog: Catalog, *, draws: int = EDITING_DRAWS,
                    seed: int = DEFAULT_SEED, cache: SizingCache | None = None,
                    efficiency: EfficiencyTable | None = None,
                    aliases: Mapping[str, str] | None = None,
                    progress: ProgressCallback | None = None,
                    cancel: CancelToken | None = None) -> LiveEvaluation:
    """Evaluate a stored scenario dict (see the module docstring)."""
    start = time.perf_counter()

    def stop_if_cancelled() -> None:
        if cancel is not None and cancel.cancelled:
            raise Cancelled()

    try:
        scenario = Scenario.from_dict(data)
    except ScenarioError as exc:
        return LiveEvaluation(None, split_error(str(exc)), (), draws,
                              time.perf_counter() - start)
    if efficiency is None:  # the shipped factors (the GUI passes the workspace's)
        efficiency, aliases = _shipped_efficiency()
    stacker = (cache or SizingCache()).stacker(catalog)
    missing: list[str] = []
    if progress is not None:
        progress(0.1, "evaluating")
    for _ in range(len(MISSABLE_COSTS) + 1):
        stop_if_cancelled()
        try:
            result = evaluate(scenario, catalog, draws=draws, seed=seed, efficiency=efficiency,
                              aliases=aliases or {}, stacker=stacker)
        except ScenarioError as exc:
            found = split_error(str(exc))
            if found.path in MISSABLE_COSTS and found.rule.startswith(REQUIRED) \
                    and found.path not in missing:
                missing.append(found.path)
                # a stand-in 0, without its range (the range describes the real value)
                scenario = dataclasses.replace(
                    replace_at(scenario, found.path, 0.0),
                    uncertainty=tuple(u for u in scenario.uncertainty if u.path != found.path))
                continue
            return LiveEvaluation(None, found, tuple(missing), draws,
                                  time.perf_counter() - start)
        stop_if_cancelled()
        if missing:
            result = dataclasses.replace(result, scenario=Scenario.from_dict(data))
        return LiveEvaluation(result, None, tuple(missing), draws, time.perf_counter() - start)
    raise AssertionError("unreachable: every missable cost is tried once")
