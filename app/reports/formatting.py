"""Numbers as people read them on charts and cards (Qt-free): USD in k/M, months, percent."""

from __future__ import annotations

import math


def usd_short(value: float | None, *, decimals: int | None = None) -> str:
    """`$950`, `$12.5k`, `$1.25M`, `$3.1B` (negative: `−$12k`); `—` for None/NaN.

    Significant figures adapt to the magnitude unless `decimals` is given.
    """
    if value is None or not math.isfinite(value):
        return "—"
    sign = "−" if value < 0 else ""
    v = abs(float(value))
    if v >= 999.5e12:  # beyond trillions: a power of ten reads better than 20 digits
        return f"{sign}${v:.2e}"
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit * 0.9995:
            scaled = v / limit
            places = decimals if decimals is not None else (2 if scaled < 10 else
                                                             1 if scaled < 100 else 0)
            text = f"{scaled:.{places}f}"
            if decimals is None and "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{sign}${text}{suffix}"
    places = decimals if decimals is not None else (2 if 0 < v < 10 else 0)
    return f"{sign}${v:,.{places}f}"


def usd_full(value: float | None) -> str:
    """`$1,234,567` (whole dollars); `—` for None/NaN."""
    if value is None or not math.isfinite(value):
        return "—"
    sign = "−" if value < 0 else ""
    return f"{sign}${abs(value):,.0f}"


def usd_per_mtok(value: float | None) -> str:
    """`$0.42` / `$12.30` per 1M tokens; `—` for None."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"${value:,.2f}" if value < 1000 else usd_short(value)


def number(value: float | None, decimals: int = 0) -> str:
    """Thousands-separated number (a power of ten from 10¹²); `—` for None/NaN."""
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) >= 1e12:
        return f"{value:.3g}"
    return f"{value:,.{decimals}f}"


def compact(value: float | None) -> str:
    """`950`, `12.5k`, `1.2M` without a currency sign (tokens/s, tokens)."""
    text = usd_short(value)
    return text.replace("$", "")


def percent(fraction: float | None, decimals: int = 0) -> str:
    """`97 %` from 0.97; `—` for None."""
    if fraction is None or not math.isfinite(fraction):
        return "—"
    return f"{100.0 * fraction:.{decimals}f} %"


def month(value: int | None) -> str:
    """`month 14`, or `never` for None."""
    return "never" if value is None else f"month {value}"


def milliseconds(value: float | None) -> str:
    """`85 ms`, `1.4 s` above 10 s shown in s; `—` for None."""
    if value is None or not math.isfinite(value):
        return "—"
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    if value >= 100:
        return f"{value:,.0f} ms"
    text = f"{value:.1f}"
    return f"{text[:-2] if text.endswith('.0') else text} ms"
