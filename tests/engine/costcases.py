"""Small scenarios for cost-engine tests, with every cost zero unless a test sets it.

The baseline: one workload, a fixed fleet of 8 GPUs at USD 25,000 in one USD 100,000 server,
no energy, no staff, no alternatives, no discounting. Tests change only what they check.
"""

from __future__ import annotations

import copy
from typing import Any

from app.engine.cost import CostOutcome, CostStructure, run_cost_model
from app.engine.cost_inputs import cost_structure, scenario_params
from app.engine.demand import WorkloadCapacity
from app.engine.scenario import Scenario

BASE: dict[str, Any] = {
    "name": "cost case",
    "workloads": [
        {
            "name": "w",
            "model": "m",
            "users": 1000,
            "requests_per_user_per_day": 10,
            "input_tokens": 1000,
            "output_tokens": 1000,
            "active_hours_per_day": 8,
            "active_days_per_year": 240,
            "peak_factor": 1,
        }
    ],
    "deployment": {"accelerator": "a", "gpu_count": 8, "redundancy": "none"},
    "costs": {
        "horizon_months": 36,
        "discount_rate_per_year": 0.0,
        "capex_treatment": "cash",
        "hardware_life_years": 5,
        "residual_fraction": 0.0,
        "gpu_price_usd": 25000,
        "server_price_usd": 100000,
        "gpu_power_w": 700,
        "server_base_power_w": 2000,
        "load_factor": 1.0,
        "pue": 1.0,
        "energy_usd_per_kwh": 0.0,
    },
}


def scenario(**sections: dict[str, Any]) -> Scenario:
    """The baseline with sections updated (`workload=` updates the first workload)."""
    data = copy.deepcopy(BASE)
    for name, values in sections.items():
        if name == "workload":
            data["workloads"][0].update(values)
        else:
            data.setdefault(name, {}).update(values)
    return Scenario.from_dict(data)


def structure(
    s: Scenario,
    capacity: WorkloadCapacity | None = None,
    gpus_per_server: int = 8,
    initial_gpus: int | None = None,
) -> CostStructure:
    """Cost structure with a capacity so large that the fixed fleet always suffices."""
    cap = capacity or WorkloadCapacity(gpus_per_replica=8, replica_tokens_per_s=1e12, replicas=1)
    gpus = initial_gpus if initial_gpus is not None else (s.deployment.gpu_count or 8)
    return cost_structure(s, [cap], gpus_per_server, gpus)


def run(s: Scenario, **kwargs: Any) -> CostOutcome:
    """Deterministic run with monthly detail."""
    return run_cost_model(structure(s, **kwargs), scenario_params(s), detail=True)
