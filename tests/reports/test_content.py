"""Report content: sections by id, the comparison, the assumptions register, escaping."""

from __future__ import annotations

import dataclasses

import pytest

from app.reports.content import SECTION_IDS, ReportError, build_report, parse_sections
from app.reports.html import MARK, esc, report_html
from app.reports.model import Chart, Heading, Table
from app.reports.register import leaves, register_rows
from app.reports.subject import ReportSubject
from tests.reports.conftest import FIXED


def test_every_section_by_default(all_demo_subjects: list[ReportSubject]) -> None:
    report = build_report(all_demo_subjects, FIXED)
    assert tuple(s.id for s in report.sections) == SECTION_IDS
    assert len(report.charts()) >= 6
    assert all(t.rows for t in report.tables())


def test_workloads_section_only_for_pooled_scenarios(demo_subjects: list[ReportSubject],
                                                      rag_subject: ReportSubject) -> None:
    """Single-LLM scenarios have no workloads section; beside the RAG service, only the RAG
    service gets a part in it, under its own number."""
    plain = build_report(demo_subjects, FIXED)
    assert "workloads" not in [s.id for s in plain.sections]
    mixed = build_report([demo_subjects[0], rag_subject], FIXED)
    headings = [b.text for b in mixed.section("workloads").blocks
                if isinstance(b, Heading) and b.level == 2]
    assert headings == [f"2. {rag_subject.name}"]


def test_comparison_needs_two_scenarios(demo_subjects: list[ReportSubject]) -> None:
    report = build_report(demo_subjects[:1], FIXED)
    assert "comparison" not in [s.id for s in report.sections]
    assert report.title == demo_subjects[0].name


def test_sections_are_chosen_and_ordered() -> None:
    assert parse_sections("tco, summary") == ("summary", "tco")
    with pytest.raises(ReportError, match="unknown section 'bogus'"):
        parse_sections("summary,bogus")


def test_scenario_subsections_in_order(demo_subjects: list[ReportSubject]) -> None:
    report = build_report(demo_subjects, dataclasses.replace(FIXED, sections=("tco",)))
    headings = [b.text for b in report.section("tco").blocks if isinstance(b, Heading)]
    assert headings == [f"{i + 1}. {s.name}" for i, s in enumerate(demo_subjects)]
    assert [b.new_page for b in report.section("tco").blocks if isinstance(b, Heading)] == [
        False, True, True]


def test_register_lists_every_input_with_a_source(demo_subjects: list[ReportSubject]) -> None:
    chat = demo_subjects[0]
    rows = {r[0].text: r for r in register_rows(chat)}
    paths = [p for p, _, _ in leaves(chat.resolved.scenario)]
    assert list(rows) == paths
    assert all(r[3].text for r in rows.values())  # every row names a source
    # a value the catalog filled cites the catalog entry and its date
    power = rows["costs.gpu_power_w"]
    assert power[3].text.startswith("catalog: NVIDIA H100 SXM 80GB [C")
    assert power[4].text == "2025"
    # an assumption of the analyst says so, dated when the scenario was saved
    users = rows["workloads[0].users"]
    assert "analyst's assumption" in users[3].text and users[4].text == "2025-12-31"
    assert "range 1,000–2,000" in users[1].text
    # a sourced assumption quotes its source
    assert "eia.gov" in rows["costs.energy_usd_per_kwh"][3].text
    # defaults are marked as such
    assert rows["deployment.pp"][3].text == "Enclave default (FORMAT.md)"


def test_escaping_in_html(demo_subjects: list[ReportSubject]) -> None:
    nasty = "<b>x</b>&" + MARK + "chart:0" + MARK
    scenario = dataclasses.replace(demo_subjects[0].result.scenario, name=nasty)
    result = dataclasses.replace(demo_subjects[0].result, scenario=scenario)
    subject = dataclasses.replace(demo_subjects[0], result=result)
    html, charts = report_html(build_report([subject], FIXED))
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;&amp;" in html
    assert html.count(MARK + "chart:0" + MARK) == 1  # the user cannot forge a chart marker
    assert esc('a"b\nc') == "a&quot;b<br/>c"


def test_tables_and_charts_have_unique_keys(all_demo_subjects: list[ReportSubject]) -> None:
    report = build_report(all_demo_subjects, FIXED)
    tables: list[Table] = report.tables()
    charts: list[Chart] = report.charts()
    assert len({t.key for t in tables}) == len(tables)
    assert len({c.key for c in charts}) == len(charts)
