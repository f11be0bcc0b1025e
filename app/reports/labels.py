"""Short names for scenario fields and cost categories, as printed in sentences and tables.

A field without a short name prints as its dotted path, which is always traceable to
`resources/scenarios/FORMAT.md`.
"""

from __future__ import annotations

import re

FIELD_LABELS = {
    "users": "users",
    "requests_per_user_per_day": "requests per user per day",
    "input_tokens": "input tokens per request",
    "output_tokens": "output tokens per request",
    "active_hours_per_day": "active hours per day",
    "active_days_per_year": "active days per year",
    "peak_factor": "peak factor",
    "growth_per_year": "demand growth per year",
    "ttft_target_ms": "TTFT target",
    "tpot_target_ms": "TPOT target",
    "discount_rate_per_year": "discount rate",
    "residual_fraction": "residual value",
    "financing_rate_per_year": "financing rate",
    "gpu_price_usd": "GPU price",
    "server_price_usd": "server price",
    "network_usd_per_server": "network cost per server",
    "storage_usd": "storage cost",
    "integration_usd": "integration cost",
    "facility_usd": "facility works",
    "gpu_power_w": "GPU power",
    "server_base_power_w": "server base power",
    "load_factor": "GPU load factor",
    "pue": "PUE",
    "energy_usd_per_kwh": "electricity tariff",
    "hosting_usd_per_kw_month": "hosting per kW",
    "support_fraction_per_year": "support rate",
    "software_usd_per_gpu_month": "software per GPU",
    "staff_fte": "staff FTE",
    "staff_loaded_usd_per_year": "staff cost per FTE",
    "other_usd_per_month": "other running costs",
    "api_input_usd_per_mtok": "API input price",
    "api_output_usd_per_mtok": "API output price",
    "api_cached_input_usd_per_mtok": "API cached-input price",
    "api_cached_input_fraction": "cached share of API input",
    "rental_usd_per_gpu_hour": "GPU rental rate",
    "rental_hours_per_month": "rental hours per month",
}

CATEGORY_LABELS = {
    "accelerators": "accelerators",
    "servers": "servers",
    "network": "network",
    "storage": "storage",
    "integration": "integration",
    "facility": "facility works",
    "energy": "energy",
    "hosting": "hosting",
    "support": "hardware support",
    "software": "software",
    "staff": "staff",
    "other": "other",
}

_WORKLOAD = re.compile(r"^workloads\[(\d+)\]\.(.+)$")


def field_label(path: str, workload_names: tuple[str, ...] = ()) -> str:
    """`costs.pue` → `PUE`; `workloads[0].users` → `users` (`users of chat` when several)."""
    m = _WORKLOAD.match(path)
    leaf = m.group(2) if m else path.rsplit(".", 1)[-1]
    label = FIELD_LABELS.get(leaf, path)
    if m and len(workload_names) > 1 and label != path:
        index = int(m.group(1))
        if index < len(workload_names):
            label = f"{label} ({workload_names[index]})"
    return label


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)
