"""On-premise cost as a sum of terms: `cost[m] = Σ rate × driver[m]`.

A driver is a count per month (installed GPUs, servers bought this month, loans running, ...);
a rate is USD per unit of it, per draw. Drivers are named and built once, so categories that
share one (servers and their network ports) cost one multiplication, and the breakdown by
category is exact: categories sum to the total by construction.

Capital, for an item bought `new[m]` units at a time at price P (USD/unit), refreshed every L
months (L = hardware life) when it is hardware and refresh is on, residual value ρ × P:
    cash:          P × bought[m] − ρ P × refreshed[m]   (the retired unit is traded in)
    depreciation:  P (1 − ρ) / L × Σ_{t = m−L+1..m} bought[t]
    financing:     ((1 − ρ) P × CRF(i, n) + ρ P × i) × Σ_{t = m−n+1..m} bought[t]
                   (i = financing rate / 12, n = term months; residual realised at term end)
One-off items (integration, facility) are bought in month 0, never refreshed, ρ = 0.

Operating per month (730 h; kW = W / 1000):
    energy   = (gpus × gpu_kW × load_factor + servers × server_kW) × PUE × 730 h × USD/kWh
    hosting  = (gpus × gpu_kW + servers × server_kW) × USD/kW-month   (nameplate IT load)
    support  = support_fraction_per_year / 12 × (gpus × P_gpu + servers × (P_server + network)
               + storage)
    software = gpus × USD/GPU-month;  staff = FTE × USD/FTE-year / 12;  other = USD/month
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from app.engine.finance import (
    MONTHS_PER_YEAR,
    FloatArray,
    capital_recovery_payment,
    shift_months,
    trailing_window_sum,
)

Term = tuple[str, FloatArray, str]  # (category, rate (1, n|1) USD/unit, driver name)

CAPITAL_CATEGORIES = ("accelerators", "servers", "network", "storage", "integration", "facility")
OPERATING_CATEGORIES = ("energy", "hosting", "support", "software", "staff", "other")
CATEGORIES = CAPITAL_CATEGORIES + OPERATING_CATEGORIES
HOURS_PER_MONTH = 730.0


class Drivers:
    """Named unit series, built on first use and cached.

    Bases: `gpus`, `servers` (installed per month), `storage` (1 from month 0), `start` (one-off
    in month 0, not refreshable), `always` (1 every month). Suffixes: `.new` (bought for growth),
    `.refreshed` (bought to replace retired units), `.bought` (both), `.in_life` (bought in the
    last L months), `.in_term` (bought in the last n months).
    """

    REFRESHABLE = {"gpus": True, "servers": True, "storage": True, "start": False}

    def __init__(
        self,
        gpus: FloatArray,
        servers: FloatArray,
        *,
        life_months: int,
        refresh: bool,
        financing_term_months: int,
    ) -> None:
        months = gpus.shape[0]
        start = np.zeros((months, 1))
        start[0, 0] = 1.0
        self.months = months
        self.life_months = life_months
        self.refresh = refresh and life_months < months
        self.term_months = financing_term_months
        self._cache: dict[str, FloatArray] = {
            "gpus": gpus,
            "servers": servers,
            "storage": np.ones((months, 1)),
            "start": start,
            "always": np.ones((months, 1)),
        }
        self._sums: dict[str, FloatArray] = {}

    def refreshes(self, base: str) -> bool:
        return self.refresh and self.REFRESHABLE[base]

    def __getitem__(self, name: str) -> FloatArray:
        if name not in self._cache:
            self._cache[name] = self._build(name)
        return self._cache[name]

    def total(self, name: str) -> FloatArray:
        """Σ over months, shape (1, n|1)."""
        if name not in self._sums:
            self._sums[name] = self[name].sum(axis=0, keepdims=True)
        return self._sums[name]

    def _build(self, name: str) -> FloatArray:
        base, _, kind = name.partition(".")
        if kind == "new":
            if base == "start":
                return self._cache["start"]
            return np.diff(self[base], axis=0, prepend=0.0)
        if kind == "refreshed":
            new = self[base + ".new"]
            out = np.zeros_like(new)
            for k in range(1, math.ceil(self.months / self.life_months)):
                out += shift_months(new, k * self.life_months)
            return out
        if kind == "bought":
            if not self.refreshes(base):
                return self[base + ".new"]
            return self[base + ".new"] + self[base + ".refreshed"]
        if kind == "in_life":
            if base != "start" and (self.refreshes(base) or self.life_months >= self.months):
                return self[base]  # every installed unit is within its life
            return trailing_window_sum(self[base + ".bought"], self.life_months)
        if kind == "in_term":
            return trailing_window_sum(self[base + ".bought"], self.term_months)
        raise KeyError(name)


def capital_terms(
    treatment: str,
    drivers: Drivers,
    p: Mapping[str, FloatArray],
    category: str,
    price: FloatArray,
    base: str,
) -> list[Term]:
    """The capital charge of one item (formulas in the module docstring)."""
    refreshable = Drivers.REFRESHABLE[base]
    residual = p["costs.residual_fraction"] if refreshable else np.zeros((1, 1))
    if treatment == "cash":
        terms: list[Term] = [(category, price, base + ".bought")]
        if drivers.refreshes(base):
            terms.append((category, -residual * price, base + ".refreshed"))
        return terms
    if treatment == "depreciation":
        rate = price * (1.0 - residual) / drivers.life_months
        return [(category, rate, base + ".in_life")]
    if treatment == "financing":
        monthly_rate = p["costs.financing_rate_per_year"] / MONTHS_PER_YEAR
        payment = capital_recovery_payment(
            price, residual * price, monthly_rate, drivers.term_months
        )
        return [(category, payment, base + ".in_term")]
    raise ValueError(f"unknown capex treatment {treatment!r}")


def capital_items(p: Mapping[str, FloatArray]) -> tuple[tuple[str, FloatArray, str], ...]:
    """(category, unit price USD, driver base) of everything bought."""
    c = "costs."
    return (
        ("accelerators", p[c + "gpu_price_usd"], "gpus"),
        ("servers", p[c + "server_price_usd"], "servers"),
        ("network", p[c + "network_usd_per_server"], "servers"),
        ("storage", p[c + "storage_usd"], "storage"),
        ("integration", p[c + "integration_usd"], "start"),
        ("facility", p[c + "facility_usd"], "start"),
    )


def onprem_terms(treatment: str, drivers: Drivers, p: Mapping[str, FloatArray]) -> list[Term]:
    """Every on-premise cost term: capital by treatment, then operating costs."""
    terms: list[Term] = []
    for category, price, base in capital_items(p):
        terms.extend(capital_terms(treatment, drivers, p, category, price, base))
    c = "costs."
    gpu_kw = p[c + "gpu_power_w"] / 1000.0
    server_kw = p[c + "server_base_power_w"] / 1000.0
    usd_per_kw_month = p[c + "pue"] * HOURS_PER_MONTH * p[c + "energy_usd_per_kwh"]
    hosting = p[c + "hosting_usd_per_kw_month"]
    support = p[c + "support_fraction_per_year"] / MONTHS_PER_YEAR
    server_value = p[c + "server_price_usd"] + p[c + "network_usd_per_server"]
    terms += [
        ("energy", gpu_kw * p[c + "load_factor"] * usd_per_kw_month, "gpus"),
        ("energy", server_kw * usd_per_kw_month, "servers"),
        ("hosting", hosting * gpu_kw, "gpus"),
        ("hosting", hosting * server_kw, "servers"),
        ("support", support * p[c + "gpu_price_usd"], "gpus"),
        ("support", support * server_value, "servers"),
        ("support", support * p[c + "storage_usd"], "storage"),
        ("software", p[c + "software_usd_per_gpu_month"], "gpus"),
        (
            "staff",
            p[c + "staff_fte"] * p[c + "staff_loaded_usd_per_year"] / MONTHS_PER_YEAR,
            "always",
        ),
        ("other", p[c + "other_usd_per_month"], "always"),
    ]
    return terms


def monthly_total(terms: list[Term], drivers: Drivers) -> FloatArray:
    """Σ rate × driver per month, multiplying each distinct driver once.

    Terms that do not vary between draws (driver and rate both one column wide) are summed
    first as one small column, so they cost one pass over the (M, n) total, not one each.
    """
    rates: dict[str, FloatArray] = {}
    for _, rate, name in terms:
        rates[name] = rates[name] + rate if name in rates else rate
    narrow: FloatArray = np.zeros((drivers.months, 1))
    every_month: FloatArray = np.zeros((1, 1))  # rates on the `always` driver: one row
    total: FloatArray | None = None
    for name, rate in rates.items():
        if name == "always":
            every_month = every_month + rate
            continue
        part = drivers[name] * rate  # a fresh array: safe to add into
        if part.shape[1] == 1:
            narrow += part
        elif total is None:
            total = part
        else:
            total += part
    if every_month.shape[1] == 1:
        narrow += every_month
    elif total is None:
        total = narrow + every_month
        narrow = np.zeros((drivers.months, 1))
    else:
        total += every_month
    if total is None:
        return narrow
    if narrow.any():
        total += narrow
    return total


def category_totals(terms: list[Term], drivers: Drivers) -> dict[str, FloatArray]:
    """USD per category over all months, shape (1, n|1) each."""
    out: dict[str, FloatArray] = {c: np.zeros((1, 1)) for c in CATEGORIES}
    for category, rate, name in terms:
        out[category] = out[category] + rate * drivers.total(name)
    return out


def category_by_year(terms: list[Term], drivers: Drivers) -> dict[str, FloatArray]:
    """USD per category per year of the horizon, shape (years, n|1); the last may be partial."""
    starts = np.arange(0, drivers.months, MONTHS_PER_YEAR)
    out: dict[str, FloatArray] = {c: np.zeros((len(starts), 1)) for c in CATEGORIES}
    for category, rate, name in terms:
        out[category] = out[category] + rate * np.add.reduceat(drivers[name], starts, axis=0)
    return out
