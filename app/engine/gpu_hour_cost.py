"""What one accelerator-hour of owned hardware costs, from a scenario's cost inputs.

The explorer ranks configurations by cost per 1M output tokens, which needs a price per
GPU-hour for every accelerator it sweeps. With a purchase price (USD) and a power (W):

    hardware_usd      = gpu_price_usd + server_usd_per_gpu
                        (server_usd_per_gpu: the scenario's (server + network) / GPUs per
                         server, else `server_share_of_gpu_price` x the GPU price)
    capital           = hardware_usd x (1 - residual_fraction) / (life_years x 8,760 h)
    support           = hardware_usd x support_fraction_per_year / 8,760 h
    software          = software_usd_per_gpu_month / 730 h
    it_kw             = (gpu_power_w x load_factor + server_power_w_per_gpu) / 1,000
    energy            = it_kw x pue x usd_per_kwh
    hosting           = (gpu_power_w + server_power_w_per_gpu) / 1,000 x hosting_usd_per_kw_month / 730 h
    usd_per_gpu_hour  = capital + support + software + energy + hosting        (USD/GPU-hour)

Costs that do not grow with the accelerator count (staff, integration, facility, storage) are
left out: they are the same for every option, and the scenario's evaluation counts them.

Without a purchase price the rate is an estimate, and says so (`estimated`): the lowest
catalog rental rate for that accelerator when there is one, else `fallback_usd_per_gpu_hour`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.engine.catalog_types import AcceleratorSpec

HOURS_PER_YEAR = 8760.0
HOURS_PER_MONTH = 730.0

OWNED = "owned"
RENTAL_RATE = "rental-rate"
FALLBACK = "fallback"


@dataclass(frozen=True)
class OwnershipTerms:
    """The cost inputs that turn a purchase price and a power into USD per GPU-hour.

    Defaults are the scenario format's (`app.engine.scenario.Costs`) where it has one.
    """

    life_years: float = 5.0
    residual_fraction: float = 0.0
    server_usd_per_gpu: float | None = None
    server_share_of_gpu_price: float = 0.5
    server_power_w_per_gpu: float = 0.0
    support_fraction_per_year: float = 0.0
    software_usd_per_gpu_month: float = 0.0
    hosting_usd_per_kw_month: float = 0.0
    load_factor: float = 0.6
    pue: float = 1.58
    usd_per_kwh: float = 0.0825
    fallback_usd_per_gpu_hour: float = 2.5


@dataclass(frozen=True)
class AcceleratorCostInputs:
    """One accelerator's purchase price and power, and where they come from."""

    price_usd: float | None
    power_w: float | None
    price_source: str = ""
    rental_usd_per_gpu_hour: float | None = None
    rental_source: str = ""


@dataclass(frozen=True)
class GpuHourCost:
    """USD per GPU-hour and its parts (see the module docstring); `method` says how."""

    usd_per_gpu_hour: float
    estimated: bool
    method: str
    capital: float = 0.0
    support: float = 0.0
    software: float = 0.0
    energy: float = 0.0
    hosting: float = 0.0
    note: str = ""

    def parts(self) -> dict[str, float]:
        return {"capital": self.capital, "support": self.support, "software": self.software,
                "energy": self.energy, "hosting": self.hosting}


def gpu_hour_cost(inputs: AcceleratorCostInputs, terms: OwnershipTerms) -> GpuHourCost:
    """USD per GPU-hour of one accelerator (see the module docstring)."""
    if not inputs.price_usd:
        if inputs.rental_usd_per_gpu_hour:
            return GpuHourCost(
                inputs.rental_usd_per_gpu_hour, True, RENTAL_RATE,
                note=f"no purchase price: the lowest catalog rental rate "
                     f"(${inputs.rental_usd_per_gpu_hour:.2f}/GPU-hour, "
                     f"{inputs.rental_source or 'source not recorded'}) stands in")
        return GpuHourCost(
            terms.fallback_usd_per_gpu_hour, True, FALLBACK,
            note=f"no purchase price and no rental rate: the fallback "
                 f"${terms.fallback_usd_per_gpu_hour:.2f}/GPU-hour stands in")
    server = (terms.server_usd_per_gpu if terms.server_usd_per_gpu is not None
              else terms.server_share_of_gpu_price * inputs.price_usd)
    hardware = inputs.price_usd + server
    capital = hardware * (1.0 - terms.residual_fraction) / (terms.life_years * HOURS_PER_YEAR)
    support = hardware * terms.support_fraction_per_year / HOURS_PER_YEAR
    software = terms.software_usd_per_gpu_month / HOURS_PER_MONTH
    power = inputs.power_w or 0.0
    it_kw = (power * terms.load_factor + terms.server_power_w_per_gpu) / 1000.0
    energy = it_kw * terms.pue * terms.usd_per_kwh
    hosting = ((power + terms.server_power_w_per_gpu) / 1000.0 * terms.hosting_usd_per_kw_month
               / HOURS_PER_MONTH)
    total = capital + support + software + energy + hosting
    note = (f"${inputs.price_usd:,.0f} ({inputs.price_source or 'source not recorded'}) + "
            f"${server:,.0f} server share, over {terms.life_years:g} years")
    if inputs.power_w is None:
        note += "; no power figure, so no energy cost"
    return GpuHourCost(total, inputs.power_w is None, OWNED, capital, support, software, energy,
                       hosting, note)


@dataclass(frozen=True)
class GpuHourPrices:
    """USD per GPU-hour for any accelerator: its inputs by id, else catalog price and TDP."""

    terms: OwnershipTerms = OwnershipTerms()
    inputs: Mapping[str, AcceleratorCostInputs] = field(default_factory=dict)

    def cost(self, accel: AcceleratorSpec) -> GpuHourCost:
        found = self.inputs.get(accel.id)
        if found is None:
            found = AcceleratorCostInputs(accel.price_usd, accel.tdp_w,
                                          accel.price_kind or "catalog price")
        return gpu_hour_cost(found, self.terms)

    def usd_per_gpu_hour(self, accel: AcceleratorSpec) -> tuple[float, bool]:
        """(USD per GPU-hour, estimated?) — the interface `search.sweep` prices with."""
        c = self.cost(accel)
        return c.usd_per_gpu_hour, c.estimated
