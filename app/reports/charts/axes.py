"""Axes with readable ticks: USD in k/M, months in whole years, plain compact numbers."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg

from app.reports.formatting import compact, usd_short


class UsdAxis(pg.AxisItem):  # type: ignore[misc]
    """Ticks as `$250k`, `$1.5M` (never pyqtgraph's ×1e6 prefix)."""

    def __init__(self, orientation: str = "left", **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [usd_short(v) if v else "$0" for v in values]


class CompactAxis(pg.AxisItem):  # type: ignore[misc]
    """Ticks as `950`, `12k`, `1.2M` (tokens/s, sequences)."""

    def __init__(self, orientation: str = "left", **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if spacing >= 1000 or any(abs(v) >= 10_000 for v in values):
            return [compact(v) if v else "0" for v in values]
        decimals = 0 if spacing >= 1 else min(3, max(0, -math.floor(math.log10(spacing))))
        return [f"{v:,.{decimals}f}" for v in values]


class MonthAxis(pg.AxisItem):  # type: ignore[misc]
    """Months with major ticks at whole years (every 12, or 6/3 for short horizons)."""

    def __init__(self, orientation: str = "bottom", **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float,
                                                                             list[float]]]:
        span = max(maxVal - minVal, 1.0)
        major = 12.0 if span > 30 else 6.0 if span > 12 else 3.0 if span > 6 else 1.0
        minor = major / (4.0 if major == 12.0 else 2.0 if major > 1 else 1.0)
        start = math.ceil(minVal / major) * major
        majors = [start + i * major for i in range(int((maxVal - start) // major) + 1)]
        mstart = math.ceil(minVal / minor) * minor
        minors = [mstart + i * minor for i in range(int((maxVal - mstart) // minor) + 1)]
        self._major = major
        return [(major, majors), (minor, [m for m in minors if m not in majors])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if spacing < getattr(self, "_major", 0.0):  # minor ticks carry no label
            return ["" for _ in values]
        return [f"{v:.0f}" for v in values]


class LogMsAxis(pg.AxisItem):  # type: ignore[misc]
    """A log-scale latency axis: ticks at 1-2-5 steps written as `20 ms`, `1 s`."""

    def __init__(self, orientation: str = "left", **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float,
                                                                             list[float]]]:
        # values are log10(ms) in log mode
        lo, hi = math.floor(minVal), math.ceil(maxVal)
        majors: list[float] = []
        minors: list[float] = []
        for decade in range(int(lo), int(hi) + 1):
            for mult, bucket in ((1, majors), (2, minors), (5, minors)):
                v = decade + math.log10(mult)
                if minVal - 1e-9 <= v <= maxVal + 1e-9:
                    bucket.append(v)
        if len(majors) < 2:  # less than a decade shown: label the 2s and 5s as well
            return [(1.0, sorted(majors + minors))]
        return [(1.0, majors), (0.3, minors)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            ms = 10 ** v
            out.append(f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:.3g} ms")
        return out


class CategoryAxis(pg.AxisItem):  # type: ignore[misc]
    """Text labels at integer positions (years, memory steps, inputs)."""

    def __init__(self, orientation: str = "bottom", **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self._labels: list[str] = []

    def set_labels(self, labels: list[str]) -> None:
        self._labels = list(labels)
        self.setTicks([[(float(i), text) for i, text in enumerate(labels)], []])
