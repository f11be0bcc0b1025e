"""The executive summary is generated from the numbers: each sentence agrees with the KPIs."""

from __future__ import annotations

import dataclasses
import re

from app.reports import fmt
from app.reports.sentences import (
    compare_phrase,
    comparison_sentences,
    cost_sentence,
    horizon_text,
    summary_sentences,
    unit_cost_sentence,
)
from app.reports.subject import ReportSubject


def test_compare_phrase_follows_the_ratio() -> None:
    assert compare_phrase(2_200_000, 330_000, "the cloud API") == "6.7× the cloud API ($330k)"
    assert compare_phrase(2_200_000, 2_180_000, "renting") == "about the same as renting ($2.18M)"
    assert compare_phrase(551_000, 695_000, "the API") == "21% less than the API ($695k)"


def test_horizon_text() -> None:
    assert horizon_text(60) == "5 years"
    assert horizon_text(12) == "1 year"
    assert horizon_text(18) == "18 months"


def test_summary_quotes_the_kpis(demo_subjects: list[ReportSubject]) -> None:
    for s in demo_subjects:
        k = s.result.kpis
        text = " ".join(summary_sentences(s))
        assert fmt.usd_short(k.tco_usd) in text
        assert fmt.usd_cents(k.cost_per_million_tokens_usd) in text
        assert f"{k.gpus} GPUs" in text
        assert fmt.ms(k.ttft_ms) in text
        top = max(s.result.cost_breakdown, key=lambda c: c.usd)
        assert f"{top.category} ({fmt.pct(top.usd / (k.tco_usd or 1))})" in text.replace(
            "hardware support", "support")


def test_break_even_wording_matches_the_months(demo_subjects: list[ReportSubject]) -> None:
    chat, _, code = demo_subjects
    assert chat.result.kpis.break_even_month_vs_api is None
    assert "never breaks even with the API" in unit_cost_sentence(chat)
    month = code.result.kpis.break_even_month_vs_api
    assert month is not None
    assert f"with the API in month {month}" in unit_cost_sentence(code)
    assert "never" not in unit_cost_sentence(code)


def test_cheaper_and_dearer_are_never_mixed_up(demo_subjects: list[ReportSubject]) -> None:
    chat, _, code = demo_subjects
    assert "× the cloud API" in cost_sentence(chat)  # owning costs more than the API
    assert "less than the cloud API" in cost_sentence(code)  # owning costs less


def test_missing_alternative_is_left_out_not_zero(demo_subjects: list[ReportSubject]) -> None:
    rag = demo_subjects[1]
    assert rag.result.kpis.rental_tco_usd is None
    text = " ".join(summary_sentences(rag))
    assert "renting" not in text.split("Constraint")[0]
    assert not re.search(r"\$0(?![.\d])", text)


def test_not_fitting_scenario_says_so(demo_subjects: list[ReportSubject]) -> None:
    chat = demo_subjects[0]
    k = dataclasses.replace(chat.result.kpis, fits=False, tco_usd=None)
    w = dataclasses.replace(chat.result.workloads[0], fits=False)
    result = dataclasses.replace(chat.result, kpis=k, workloads=(w,), uncertainty=None)
    text = " ".join(summary_sentences(dataclasses.replace(chat, result=result)))
    assert "does not fit in the memory of NVIDIA H100" in text
    assert "Owning costs" not in text


def test_comparison_respects_horizons(demo_subjects: list[ReportSubject]) -> None:
    text = " ".join(comparison_sentences(demo_subjects))
    assert "horizons differ (36 and 60 months)" in text
    costs = {s.result.kpis.cost_per_million_tokens_usd for s in demo_subjects}
    cheapest = min(c for c in costs if c is not None)
    assert f"cheapest to own (${cheapest:,.2f})" in text
    same = comparison_sentences(demo_subjects[:2])
    assert any("lowest TCO" in s for s in same)
