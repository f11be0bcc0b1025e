"""The data behind each report chart, taken from an evaluation result (Qt-free).

One function per chart kind returns the chart's data; `app.reports.chart_pictures` draws it
with the app's chart classes. Every chart's data also exports as a table (`as_table`).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.labels import category_label
from app.reports.subject import ReportSubject

KINDS = ("memory_waterfall", "load_curve", "cumulative_cost", "cost_breakdown", "tornado",
         "distribution")


@dataclass(frozen=True)
class ChartData:
    """A chart's data as named series over a shared x (or categories).

    `x` holds the x values or category names; `series` maps a series name to its y values;
    `x_label` and `y_label` name the axes with units; `lines` are horizontal reference lines
    (name, y) such as SLO targets.
    """

    kind: str
    x_label: str
    y_label: str
    x: tuple[float | str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    lines: tuple[tuple[str, float], ...] = ()


def memory_waterfall(subject: ReportSubject, workload: int) -> ChartData:
    steps = subject.result.workloads[workload].basis.get("memory_waterfall", [])
    return ChartData(
        kind="memory_waterfall", x_label="", y_label="GiB per GPU",
        x=tuple(str(s[0]) for s in steps),
        series=(("GiB", tuple(float(s[1]) for s in steps)),),
    )


def cumulative_cost(subject: ReportSubject) -> ChartData:
    r = subject.result
    series: list[tuple[str, tuple[float | None, ...]]] = [
        ("Owning", tuple(p.onprem_cumulative_usd for p in r.series))]
    if r.kpis.api_tco_usd is not None:
        series.append(("Cloud API", tuple(p.api_cumulative_usd for p in r.series)))
    if r.kpis.rental_tco_usd is not None:
        series.append(("Rented GPUs", tuple(p.rental_cumulative_usd for p in r.series)))
    return ChartData(kind="cumulative_cost", x_label="month", y_label="cumulative cost (USD)",
                     x=tuple(float(p.month) for p in r.series), series=tuple(series))


def cost_breakdown(subject: ReportSubject) -> ChartData:
    r = subject.result
    years = len(r.cost_breakdown[0].usd_by_year) if r.cost_breakdown else 0
    return ChartData(
        kind="cost_breakdown", x_label="year", y_label="USD",
        x=tuple(f"year {y + 1}" for y in range(years)),
        series=tuple((category_label(c.category), tuple(c.usd_by_year))
                     for c in r.cost_breakdown if c.usd > 0),
    )


def tornado(subject: ReportSubject) -> ChartData:
    bars = [b for b in subject.result.tornado if b.swing > 0]
    return ChartData(
        kind="tornado", x_label="TCO (USD)", y_label="",
        x=tuple(b.path for b in bars),
        series=(("at low", tuple(b.kpi_at_low for b in bars)),
                ("at high", tuple(b.kpi_at_high for b in bars))),
        lines=(("base", subject.result.kpis.tco_usd or 0.0),),
    )


def distribution(subject: ReportSubject) -> ChartData:
    mc = subject.result.uncertainty
    bands = mc.bands.get("onprem_cumulative_usd") if mc else None
    months = tuple(float(m + 1) for m in range(bands.shape[1])) if bands is not None else ()
    series: tuple[tuple[str, tuple[float | None, ...]], ...] = ()
    if bands is not None:
        series = tuple((name, tuple(float(v) for v in bands[i]))
                       for i, name in enumerate(("P10", "P50", "P90")))
    return ChartData(kind="distribution", x_label="month", y_label="cumulative cost (USD)",
                     x=months, series=series)


def load_curve(subject: ReportSubject, workload: int) -> ChartData:
    """Latency at the sized operating point against the targets (curve: the ui2 chart data)."""
    w = subject.result.workloads[workload]
    wl = subject.result.scenario.workloads[workload]
    lines = []
    if wl.ttft_target_ms is not None:
        lines.append(("TTFT target", float(wl.ttft_target_ms)))
    if wl.tpot_target_ms is not None:
        lines.append(("TPOT target", float(wl.tpot_target_ms)))
    peak = float(w.basis.get("peak_requests_per_s") or 0.0)
    return ChartData(kind="load_curve", x_label="requests/s", y_label="ms",
                     x=(peak,), series=(("TTFT", (w.ttft_ms,)), ("TPOT", (w.tpot_ms,))),
                     lines=tuple(lines))
