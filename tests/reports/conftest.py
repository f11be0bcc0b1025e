"""Shared fixtures for report tests: the three demo scenarios, evaluated once per session."""

from __future__ import annotations

import pytest

from app.catalog.loader import Catalog
from app.operations.evaluate import evaluate
from app.operations.scenario_files import demo_scenario_paths, read_scenario_file
from app.reports.content import ReportOptions
from app.reports.subject import ReportSubject, subject_of

DEMOS = ("secure-chat-h100", "rag-ascend-910b", "code-assistant-rtx-pro-6000")
RAG_DEMO = "rag-service-h100"  # LLM + embedder + reranker + weekly LoRA on one pooled fleet
TEST_DRAWS = 2_000
FIXED = ReportOptions(workspace="test.enclave.sqlite", catalog_version="test",
                      today="2026-01-01")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.shipped()


def demo_subject(catalog: Catalog, stem: str) -> ReportSubject:
    scenario = read_scenario_file(demo_scenario_paths()[stem])
    result = evaluate(scenario, catalog, draws=TEST_DRAWS)
    return subject_of(result, catalog, f"demo:{stem}", "2025-12-31")


@pytest.fixture(scope="session")
def demo_subjects(catalog: Catalog) -> list[ReportSubject]:
    """The three single-LLM demos."""
    return [demo_subject(catalog, stem) for stem in DEMOS]


@pytest.fixture(scope="session")
def rag_subject(catalog: Catalog) -> ReportSubject:
    """The RAG service demo: four workloads of four kinds on one MIG-shared H100 fleet."""
    return demo_subject(catalog, RAG_DEMO)


@pytest.fixture(scope="session")
def all_demo_subjects(demo_subjects: list[ReportSubject],
                      rag_subject: ReportSubject) -> list[ReportSubject]:
    """Every demo of the default workspace, the RAG service last."""
    return [*demo_subjects, rag_subject]
