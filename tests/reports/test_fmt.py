"""Number formatting: money, shares, ratios and 'never' read the way the report prints them."""

from __future__ import annotations

import math

from app.reports import fmt


def test_money() -> None:
    assert fmt.usd(2_198_453.2) == "$2,198,453"
    assert fmt.usd(-1_644_808) == "−$1,644,808"
    assert fmt.usd(None) == "n/a"
    assert fmt.usd(math.nan) == "n/a"
    assert fmt.usd_short(2_198_453) == "$2.20M"
    assert fmt.usd_short(485_000) == "$485k"
    assert fmt.usd_short(28_557) == "$28.6k"
    assert fmt.usd_short(999_600) == "$1.00M"
    assert fmt.usd_short(950) == "$950"
    assert fmt.usd_short(-1_644_808) == "−$1.64M"
    assert fmt.usd_cents(18.3358) == "$18.34"
    assert fmt.usd_cents(0.0825) == "$0.0825"


def test_shares_ratios_times() -> None:
    assert fmt.pct(0.614) == "61%"
    assert fmt.pct(0.001) == "<1%"
    assert fmt.pct(0.0) == "0%"
    assert fmt.ratio(6.66) == "6.7×"
    assert fmt.ratio(1.009) == "1.01×"
    assert fmt.ratio(82.4) == "82×"
    assert fmt.ms(709.4) == "709 ms"
    assert fmt.ms(49.91) == "49.9 ms"
    assert fmt.ms(1925.2) == "1,925 ms"
    assert fmt.month(8, 60) == "month 8"
    assert fmt.month(None, 60) == "never within 60 months"
    assert fmt.tokens(119.9e9) == "119.9 billion"
    assert fmt.sig(0.0825) == "0.0825"
    assert fmt.sig(27500.0) == "27,500"
