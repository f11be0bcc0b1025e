"""The data behind each report chart: the dashboard's own chart data (`operations.chart_data`),
so the PDF draws exactly what the screens show.

`KINDS` maps a report chart kind to its builder; `app.reports.chart_pictures` maps it to the
chart class that draws it.
"""

from __future__ import annotations

from app.operations import chart_data as cd
from app.reports.subject import ReportSubject

KINDS = ("memory_waterfall", "load_curve", "cumulative_cost", "cost_breakdown", "tornado",
         "distribution", "pool_placement")


def memory_waterfall(subject: ReportSubject, workload: int) -> cd.MemoryWaterfallData:
    return cd.memory_waterfall(subject.result, workload)


def load_curve(subject: ReportSubject, workload: int) -> cd.LoadCurveData:
    return cd.load_curve(subject.result, workload)


def cumulative_cost(subject: ReportSubject) -> cd.CumulativeCostData:
    return cd.cumulative_cost(subject.result)


def cost_breakdown(subject: ReportSubject) -> cd.CostBreakdownData:
    return cd.cost_breakdown(subject.result)


def tornado(subject: ReportSubject) -> cd.TornadoData:
    return cd.tornado(subject.result)


def distribution(subject: ReportSubject) -> cd.DistributionData:
    return cd.distribution(subject.result)
