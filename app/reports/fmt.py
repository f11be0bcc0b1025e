"""Number formatting for reports: one way to print money, shares, ratios, times and months.

Every function takes `None` (not applicable / never) and prints "n/a" or the given `none`
text, so a missing figure is never printed as 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable

NA = "n/a"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def usd(x: float | None, none: str = NA) -> str:
    """Whole dollars with thousands separators: `$2,198,453`; negatives as `−$1,234`."""
    if _missing(x):
        return none
    assert x is not None
    sign = "−" if x < -0.5 else ""
    return f"{sign}${abs(x):,.0f}"


def usd_short(x: float | None, none: str = NA) -> str:
    """Three significant figures with k/M/B: `$2.20M`, `$485k`, `$28.6k`, `$950`."""
    if _missing(x):
        return none
    assert x is not None
    sign = "−" if x < 0 else ""
    a = abs(x)
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= scale * 0.9995:
            return f"{sign}${_sig3(a / scale)}{suffix}"
    return f"{sign}${a:,.0f}"


def _sig3(v: float) -> str:
    """Three significant figures without a trailing '.0' on whole hundreds: 2.20, 28.6, 485."""
    if v >= 99.95:
        return f"{v:,.0f}"
    if v >= 9.995:
        return f"{v:.1f}"
    return f"{v:.2f}"


def usd_cents(x: float | None, none: str = NA) -> str:
    """Dollars and cents: `$18.34` (prices per 1M tokens, per hour, per kWh)."""
    if _missing(x):
        return none
    assert x is not None
    sign = "−" if x < 0 else ""
    digits = 4 if 0 < abs(x) < 0.1 else 2
    return f"{sign}${abs(x):,.{digits}f}"


def pct(x: float | None, none: str = NA, digits: int = 0) -> str:
    """A fraction as a percentage: 0.612 → `61%`; tiny non-zero shares print as `<1%`."""
    if _missing(x):
        return none
    assert x is not None
    if digits == 0 and 0 < abs(x) < 0.005:
        return "<1%"
    return f"{x * 100:.{digits}f}%"


def ratio(x: float | None, none: str = NA) -> str:
    """A multiple: `6.7×`, `1.01×`, `12×`."""
    if _missing(x):
        return none
    assert x is not None
    if abs(x) >= 9.95:
        return f"{x:,.0f}×"
    if abs(x) >= 1.995:
        return f"{x:.1f}×"
    return f"{x:.2f}×"


def ms(x: float | None, none: str = NA) -> str:
    """Milliseconds: `709 ms`, `49.9 ms`, `1,925 ms`."""
    if _missing(x):
        return none
    assert x is not None
    return f"{x:,.0f} ms" if abs(x) >= 100 else f"{x:.1f} ms"


def num(x: float | None, none: str = NA, digits: int = 0) -> str:
    """A count or rate with thousands separators."""
    if _missing(x):
        return none
    assert x is not None
    return f"{x:,.{digits}f}"


def sig(x: float | None, none: str = NA) -> str:
    """A plain number with up to four significant figures (assumption values)."""
    if _missing(x):
        return none
    assert x is not None
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.4g}" if abs(x) >= 1 else f"{x:.4g}"


def tokens(x: float | None, none: str = NA) -> str:
    """Token counts: `119.9 billion`, `3.2 million`, `45,000`."""
    if _missing(x):
        return none
    assert x is not None
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(x) >= scale:
            return f"{x / scale:,.1f} {word}"
    return f"{x:,.0f}"


def month(x: int | float | None, horizon: int) -> str:
    """`month 8`, or `never within 60 months`."""
    if _missing(None if x is None else float(x)):
        return f"never within {horizon} months"
    assert x is not None
    return f"month {int(x)}"


def gib(x: float | None, none: str = NA) -> str:
    if _missing(x):
        return none
    assert x is not None
    return f"{x:,.1f} GiB"


def gb(x_bytes: float | None, none: str = NA) -> str:
    """Bytes as decimal gigabytes, the unit of GPU data sheets: `71.5 GB`, `2.8 GB`, `0.35 GB`."""
    if _missing(x_bytes):
        return none
    assert x_bytes is not None
    v = x_bytes / 1e9
    return f"{v:,.1f} GB" if abs(v) >= 1 else f"{v:.2f} GB"


def hours(x: float | None, none: str = NA) -> str:
    """Hours: `4.1 h`, `48 h`, `0.81 h`, `1,234 h`."""
    if _missing(x):
        return none
    assert x is not None
    if abs(x) >= 100 or x == int(x):
        return f"{x:,.0f} h"
    return f"{x:.1f} h" if abs(x) >= 1 else f"{x:.2f} h"


def rate(x: float | None, none: str = NA) -> str:
    """A rate with sensible precision: `1,769`, `10.5`, `3.47`, `0.081`."""
    if _missing(x):
        return none
    assert x is not None
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 0.1:
        return f"{x:.2f}"
    return f"{x:.2g}"


def millions(x: float | None, none: str = NA) -> str:
    """`3.00 M`, `40.0 M`, `1,500 M` (vectors, tokens per run)."""
    if _missing(x):
        return none
    assert x is not None
    v = x / 1e6
    return f"{v:,.0f} M" if abs(v) >= 100 else f"{v:.1f} M" if abs(v) >= 10 else f"{v:.2f} M"


def band(value: float | None, ratios: tuple[float, float] | None,
         printer: Callable[[float | None], str], bare: Callable[[float], str]) -> str:
    """A prediction with its calibration band: `42.0 ms (35–53)`; without a band, the value."""
    text = printer(value)
    if ratios is None or _missing(value):
        return text
    assert value is not None
    return f"{text} ({bare(value * ratios[0])}–{bare(value * ratios[1])})"


def ms_bare(x: float) -> str:
    """Milliseconds without the unit, at `ms` precision: `1,456`, `31.4`."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def num_bare(x: float) -> str:
    return f"{x:,.0f}"
