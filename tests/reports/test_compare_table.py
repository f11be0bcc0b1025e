"""The comparison table: best and worst by each KPI's direction, differences from the first."""

from __future__ import annotations

import math

from app.engine.scenario import Scenario
from app.operations.evaluate import EvaluationResult, evaluate
from app.reports.compare_table import HIGHER, LOWER, compare_table
from tests.operations.catalog_fixture import scenario_dict, test_catalog


def _evaluate(**sections: object) -> EvaluationResult:
    return evaluate(Scenario.from_dict(scenario_dict(**sections)), test_catalog(), draws=300,
                    seed=3)


def test_best_and_worst_follow_the_direction_of_each_kpi() -> None:
    small = _evaluate(uncertainty={})
    big_data = scenario_dict(uncertainty={})
    big_data["workloads"][0]["users"] = 9000
    big = evaluate(Scenario.from_dict(big_data), test_catalog(), draws=300, seed=3)
    table = compare_table(["small", "big"], [small, big])
    rows = {r.key: r for r in table.rows}
    assert rows["gpus"].direction == LOWER
    assert rows["gpus"].best == (True, False) and rows["gpus"].worst == (False, True)
    assert rows["tco_usd"].best == (True, False)
    assert rows["output_tokens_per_s"].direction == HIGHER
    assert rows["output_tokens_per_s"].best == (False, True)  # the big fleet serves more
    assert rows["gpus"].deltas[0] == "" and rows["gpus"].deltas[1].startswith("+")
    assert rows["tco_usd"].deltas[1].endswith("%")
    same = rows["fits"]
    assert same.best == (False, False) and same.worst == (False, False)  # equal: no colour
    assert table.names == ("small", "big")


def test_never_breaking_even_ranks_after_any_month() -> None:
    cheap_api = _evaluate(alternatives={"api_input_usd_per_mtok": 0.01,
                                        "api_output_usd_per_mtok": 0.01}, uncertainty={})
    dear_api = _evaluate(alternatives={"api_input_usd_per_mtok": 50.0,
                                       "api_output_usd_per_mtok": 200.0}, uncertainty={})
    assert cheap_api.kpis.break_even_month_vs_api is None
    assert dear_api.kpis.break_even_month_vs_api is not None
    row = next(r for r in compare_table(["cheap", "dear"], [cheap_api, dear_api]).rows
               if r.key == "break_even_month_vs_api")
    assert row.texts[0] == "never" and math.isinf(row.values[0] or 0)
    assert row.best == (False, True) and row.worst == (True, False)
    assert row.deltas[1] == ""  # no arithmetic with "never"


def test_a_scenario_that_could_not_be_evaluated_shows_dashes_and_why() -> None:
    ok = _evaluate(uncertainty={})
    table = compare_table(["ok", "broken"], [ok, None], ["", "costs.pue: must be at least 1"])
    for row in table.rows:
        assert row.texts[1] == "—"
        assert not row.best[1] and not row.worst[1]
    assert table.notes == ("broken: costs.pue: must be at least 1",)
