"""Hand-written chart data for the chart image tests: fixed numbers, so a change in the engine
or the catalog never moves a baseline (only a change in how charts draw does)."""

from __future__ import annotations

import numpy as np

from app.operations import chart_data as cd


def memory() -> cd.MemoryWaterfallData:
    steps = []
    level = 78.4
    steps.append(cd.WaterfallStep("Capacity", 78.4, 0.0, 78.4, "total"))
    for label, gib in (("Reserved", 7.84), ("Runtime", 0.25), ("Activations", 1.0),
                       ("Weights", 33.8), ("KV cache", 11.1)):
        steps.append(cd.WaterfallStep(label, gib, level - gib, level, "used"))
        level -= gib
    steps.append(cd.WaterfallStep("Free", level, 0.0, level, "free"))
    return cd.MemoryWaterfallData("staff-chat", "Test GPU 80GB", "TP 2 × PP 1", 78.4,
                                  tuple(steps), True, 79.0)


def memory_short() -> cd.MemoryWaterfallData:
    steps = (cd.WaterfallStep("Capacity", 23.5, 0.0, 23.5, "total"),
             cd.WaterfallStep("Reserved", 2.35, 21.15, 23.5, "used"),
             cd.WaterfallStep("Runtime", 0.25, 20.9, 21.15, "used"),
             cd.WaterfallStep("Activations", 0.6, 20.3, 20.9, "used"),
             cd.WaterfallStep("Weights", 131.4, -111.1, 20.3, "used"),
             cd.WaterfallStep("KV cache", 0.1, -111.2, -111.1, "used"),
             cd.WaterfallStep("Free", -111.2, -111.2, 0.0, "free"))
    return cd.MemoryWaterfallData("chat", "Test GPU 24GB", "TP 1 × PP 1", 23.5, steps, False,
                                  None)


def load() -> cd.LoadCurveData:
    x = np.concatenate([[1.0], np.linspace(2, 120, 40)])
    tokens = 1800 * x / (x + 25)
    tpot = 20 + 0.35 * x
    ttft = 150 + 6 * x + 0.05 * x**2
    return cd.LoadCurveData("staff-chat", 2, 95.0, tuple(x), tuple(tokens), tuple(ttft),
                            tuple(tpot), 1500.0, 60.0, 114.0)


def cumulative() -> cd.CumulativeCostData:
    months = np.arange(1, 61)
    onprem = 500_000 + 28_000 * months
    return cd.CumulativeCostData(
        months=tuple(int(m) for m in months),
        onprem_usd=tuple(float(v) for v in onprem),
        api_usd=tuple(float(v) for v in 45_000 * months),
        rental_usd=tuple(float(v) for v in 38_000 * months),
        onprem_p10_usd=tuple(float(v) for v in onprem * 0.92),
        onprem_p90_usd=tuple(float(v) for v in onprem * (1.0 + 0.0025 * months)),
        break_even_month_vs_api=30,
        break_even_month_vs_rental=50,
    )


def breakdown() -> cd.CostBreakdownData:
    def cat(name: str, kind: str, values: tuple[float, ...]) -> cd.CostCategory:
        return cd.CostCategory(name, cd.CATEGORY_LABELS[name], kind, values, sum(values))

    cats = (
        cat("staff", "operating", (270e3,) * 5),
        cat("accelerators", "capital", (220e3, 0, 0, 0, 0)),
        cat("software", "operating", (36e3,) * 5),
        cat("support", "operating", (29.2e3,) * 5),
        cat("integration", "capital", (120e3, 0, 0, 0, 0)),
        cat("servers", "capital", (90e3, 0, 0, 0, 0)),
        cat("energy", "operating", (7.5e3,) * 5),
    )
    years = tuple(f"Year {i}" for i in range(1, 6))
    return cd.CostBreakdownData(years, (12,) * 5, cats, sum(c.usd for c in cats))


def tornado() -> cd.TornadoData:
    base = 2_200_000.0
    rows = (
        cd.TornadoRow("costs.staff_loaded_usd_per_year", "Staff cost (USD/FTE-year)",
                      140e3, 240e3, base - 300e3, base + 450e3, 750e3),
        cd.TornadoRow("workloads[0].growth_per_year", "Demand growth (fraction/year)",
                      0.05, 0.5, base, base + 370e3, 370e3),
        cd.TornadoRow("costs.gpu_price_usd", "GPU price (USD/GPU)", 25e3, 40e3,
                      base - 20e3, base + 148e3, 168e3),
        cd.TornadoRow("costs.pue", "PUE (ratio)", 1.3, 1.7, base - 6e3, base + 3e3, 9e3),
        cd.TornadoRow("workloads[0].users", "Users", 1000, 2000, base, base, 0.0),
    )
    return cd.TornadoData("tco_usd", "On-premise TCO (USD)", base, rows)


def distribution() -> cd.DistributionData:
    rng = np.random.default_rng(3)
    values = rng.triangular(1.9e6, 2.25e6, 3.0e6, size=4000)
    counts, edges = np.histogram(values, bins=40)
    p10, p50, p90 = np.percentile(values, (10, 50, 90))
    return cd.DistributionData("On-premise TCO (USD)", tuple(float(e) for e in edges),
                               tuple(int(c) for c in counts), 4000, float(p10), float(p50),
                               float(p90), 2.2e6, 0.02, 0.41)


def empty_cumulative() -> cd.CumulativeCostData:
    return cd.CumulativeCostData((), (), None, None, None, None, None, None, cd.NOT_FITTING)
