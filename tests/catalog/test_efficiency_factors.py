"""The rules on a group's efficiency factors, shared by the shipped file and a workspace's site
refits: mfu and mbu in (0, 1], layer_overhead_us and prefill_overhead_us (0 when absent) at
least 0, every one a finite number."""

from __future__ import annotations

import re

import pytest

from app.catalog.efficiency import factor_values
from app.errors import UserError
from app.operations.site_efficiency import group_from_row
from app.storage.calibration_store import FactorRow

GOOD = {"mfu": 0.4, "mbu": 0.7, "layer_overhead_us": 3}


def test_good_factors_read_as_floats() -> None:
    assert factor_values(GOOD) == {"mfu": 0.4, "mbu": 0.7, "layer_overhead_us": 3.0,
                                   "prefill_overhead_us": 0.0}
    assert factor_values({**GOOD, "prefill_overhead_us": 12})["prefill_overhead_us"] == 12.0


@pytest.mark.parametrize(("change", "rule"), [
    ({"mfu": 0}, "mfu must be in (0, 1]"),
    ({"mbu": 1.5}, "mbu must be in (0, 1]"),
    ({"mbu": True}, "mbu must be a number"),
    ({"mfu": float("nan")}, "mfu must be a number"),
    ({"layer_overhead_us": float("inf")}, "layer_overhead_us must be a number"),
    ({"layer_overhead_us": -1}, "layer_overhead_us must be at least 0"),
    ({"layer_overhead_us": None}, "layer_overhead_us must be a number"),
    ({"prefill_overhead_us": -2}, "prefill_overhead_us must be at least 0"),
    ({"prefill_overhead_us": "5"}, "prefill_overhead_us must be a number"),
])
def test_each_broken_rule_is_named(change: dict[str, object], rule: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(rule)}$"):
        factor_values({**GOOD, **change})


def test_a_damaged_site_refit_names_its_group_and_rule() -> None:
    row = FactorRow("vllm", "nvidia-hopper", {**GOOD, "mfu": 2}, 12, "2026-01-01")
    with pytest.raises(UserError, match=r"efficiency_factors vllm/nvidia-hopper: mfu must be "
                                        r"in \(0, 1\]; undo the import"):
        group_from_row(row)
