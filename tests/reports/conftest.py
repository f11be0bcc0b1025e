"""Shared fixtures for report tests: the three demo scenarios, evaluated once per session."""

from __future__ import annotations

import pytest

from app.catalog.loader import Catalog
from app.operations.evaluate import evaluate
from app.operations.scenario_files import demo_scenario_paths, read_scenario_file
from app.reports.content import ReportOptions
from app.reports.subject import ReportSubject, subject_of

DEMOS = ("secure-chat-h100", "rag-ascend-910b", "code-assistant-rtx-pro-6000")
TEST_DRAWS = 2_000
FIXED = ReportOptions(workspace="test.enclave.sqlite", catalog_version="test",
                      today="2026-01-01")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.shipped()


@pytest.fixture(scope="session")
def demo_subjects(catalog: Catalog) -> list[ReportSubject]:
    paths = demo_scenario_paths()
    out = []
    for stem in DEMOS:
        scenario = read_scenario_file(paths[stem])
        result = evaluate(scenario, catalog, draws=TEST_DRAWS)
        out.append(subject_of(result, catalog, f"demo:{stem}", "2025-12-31"))
    return out
