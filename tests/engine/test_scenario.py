"""Scenario format v1: validation messages name the field and the rule; defaults declared once."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.engine.scenario import (
    TEMPLATES,
    Costs,
    EmbeddingSpec,
    FinetuneSpec,
    GuardSpec,
    RerankerSpec,
    Scenario,
    ScenarioError,
    Workload,
)
from app.engine.scenario_parse import field_paths, numeric_paths, replace_at, value_at
from app.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
FORMAT_MD = ROOT / "resources" / "scenarios" / "FORMAT.md"
TEMPLATES_JSON = ROOT / "resources" / "scenarios" / "templates.json"

MINIMAL: dict[str, Any] = {
    "name": "minimal",
    "workloads": [
        {"name": "chat", "model": "llama-3.1-70b", "users": 100,
         "requests_per_user_per_day": 10, "input_tokens": 1000, "output_tokens": 200}
    ],
    "deployment": {"accelerator": "nvidia-h100-sxm-80gb"},
}


ENCODER_DEMAND = {"users": 100, "requests_per_user_per_day": 10, "input_tokens": 40}
EVERY_KIND: dict[str, Any] = {
    **MINIMAL,
    "workloads": [
        MINIMAL["workloads"][0],
        {"name": "embed", "template": "embedding", "model": "bge-m3", **ENCODER_DEMAND,
         "embedding": {"corpus_documents": 1000}},
        {"name": "rerank", "template": "reranker", "model": "bge-reranker-v2-m3",
         **ENCODER_DEMAND, "reranker": {"candidates_per_query": 10}},
        {"name": "guard", "template": "guard", "model": "llama-3.1-8b", **ENCODER_DEMAND,
         "output_tokens": 5, "guard": {"checks_per_request": 1}},
        {"name": "tune", "template": "finetune", "model": "llama-3.1-8b",
         "finetune": {"dataset_tokens": 1e6, "runs_per_month": 1}},
    ],
}


def _with(path: str, value: Any) -> dict[str, Any]:
    """MINIMAL with one dotted path set (`workloads.0.x` style indexes)."""
    data = copy.deepcopy(MINIMAL)
    keys = path.split(".")
    target: Any = data
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
    target[keys[-1]] = value
    return data


def test_minimal_scenario_takes_every_default() -> None:
    s = Scenario.from_dict(MINIMAL)
    assert s.schema_version == 1
    assert s.costs == Costs()
    assert s.workloads[0].peak_factor == 2.0
    assert s.deployment.redundancy == "n+1"
    assert s.uncertainty == () and s.assumptions == ()


def test_scenario_error_is_a_user_error() -> None:
    assert issubclass(ScenarioError, UserError)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with("workloads.0.peak_factor", 0.5), "workloads[0].peak_factor: must be at least 1"),
        (_with("workloads.0.users", 0), "workloads[0].users: must be at least 1"),
        (_with("workloads.0.users", 2.5), "workloads[0].users: must be a whole number"),
        (_with("workloads.0.users", "many"), "workloads[0].users: must be a whole number"),
        (_with("workloads.0.users", True), "workloads[0].users: must be a whole number"),
        (_with("workloads.0.template", "poetry"), "workloads[0].template: must be one of chat,"),
        (_with("workloads.0.active_hours_per_day", 25),
         "workloads[0].active_hours_per_day: must be at most 24"),
        (_with("workloads.0.peek_factor", 2), "workloads[0].peek_factor: is not a known field"),
        (_with("workloads", []), "workloads: must have at least 1 item(s)"),
        (_with("workloads", {}), "workloads: must be a list"),
        (_with("costs.pue", 0.9), "costs.pue: must be at least 1"),
        (_with("costs.pue", float("nan")), "costs.pue: must be a finite number"),
        (_with("costs.residual_fraction", 1.0), "costs.residual_fraction: must be less than 1"),
        (_with("costs.horizon_months", 0), "costs.horizon_months: must be at least 1"),
        (_with("costs.capex_treatment", "lease"), "costs.capex_treatment: must be one of cash,"),
        (_with("costs.energy_usd_per_kwh", None), "costs.energy_usd_per_kwh: must not be null"),
        (_with("deployment.redundancy", "n+x"),
         'deployment.redundancy: must be "none", "n+K" (e.g. n+1) or "P%" (e.g. 20%)'),
        (_with("deployment.gpu_count", 0), "deployment.gpu_count: must be at least 1"),
        (_with("deployment.scale_with_growth", "yes"),
         "deployment.scale_with_growth: must be true or false"),
        (_with("alternatives.rental_pricing", "spot"),
         "alternatives.rental_pricing: must be one of on-demand, reserved"),
        (_with("requirements.deployment_mode", "cloud"),
         "requirements.deployment_mode: must be one of air-gapped,"),
        (_with("requirements.allowed_licences", "MIT"),
         "requirements.allowed_licences: must be a list"),
        (_with("uncertainty", {"costs.nope": {"low": 1, "high": 2}}),
         'uncertainty["costs.nope"]: is not a numeric scenario field that can carry a range'),
        (_with("uncertainty", {"costs.horizon_months": {"low": 12, "high": 60}}),
         'uncertainty["costs.horizon_months"]: is not a numeric scenario field'),
        (_with("uncertainty", {"costs.pue": {"low": 0.5, "high": 2}}),
         'uncertainty["costs.pue"].low: must be at least 1'),
        (_with("uncertainty", {"costs.pue": {"low": 1.8, "high": 1.2}}),
         'uncertainty["costs.pue"].high: must be at least low (1.8)'),
        (_with("uncertainty", {"costs.pue": {"low": 1.2, "likely": 2, "high": 1.8}}),
         'uncertainty["costs.pue"].likely: must lie between low and high'),
        (_with("uncertainty", {"costs.pue": {"high": 1.8}}), 'uncertainty["costs.pue"].low: is required'),
        (_with("uncertainty", {"workloads[3].users": {"low": 1, "high": 2}}),
         'uncertainty["workloads[3].users"]: is not a numeric scenario field'),
        (_with("assumptions", [{"field": "costs.nope", "note": "x"}]),
         "assumptions[0].field: 'costs.nope' is not a scenario field"),
        (_with("name", ""), "name: is required"),
        (_with("name", "x" * 121), "name: must be at most 120 characters"),
        (_with("schema_version", 2), "schema_version: 2 was written by a newer Enclave"),
        (_with("schema_version", 1e308), "schema_version: 1e+308 was written by a newer Enclave"),
        ({"name": "x", "deployment": {"accelerator": "a"}}, "workloads: is required"),
        ([], "scenario: must be a JSON object"),
    ],
)
def test_validation_messages_name_the_field_and_rule(data: Any, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_duplicate_workload_names_are_refused() -> None:
    data = copy.deepcopy(MINIMAL)
    data["workloads"].append(copy.deepcopy(data["workloads"][0]))
    with pytest.raises(ScenarioError, match=r"workloads\[1\]\.name: must be unique"):
        Scenario.from_dict(data)


def test_round_trip_through_json() -> None:
    data = _with("uncertainty", {"workloads[0].users": {"low": 50, "high": 200,
                                                        "distribution": "pert"}})
    data["assumptions"] = [{"field": "costs.pue", "note": "Uptime 2023", "source": "https://x"}]
    s = Scenario.from_dict(data)
    again = Scenario.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again == s
    assert s.to_dict()["uncertainty"]["workloads[0].users"]["distribution"] == "pert"


def test_paths_read_and_replace() -> None:
    s = Scenario.from_dict(MINIMAL)
    assert value_at(s, "workloads[0].users") == 100
    changed = replace_at(s, "workloads[0].users", 250)
    assert changed.workloads[0].users == 250 and s.workloads[0].users == 100
    assert replace_at(s, "costs.pue", 1.2).costs.pue == 1.2
    with pytest.raises(KeyError):
        value_at(s, "costs.nope")
    with pytest.raises(KeyError):
        value_at(s, "workloads[1].users")
    paths = numeric_paths(s)
    assert "costs.horizon_months" not in paths and "costs.pue" in paths
    assert "workloads[0].users" in paths and "deployment.gpu_count" not in paths


def _documented_rows() -> dict[str, tuple[str, str]]:
    """FORMAT.md table rows: field path -> (default column, rule column)."""
    rows = {}
    for line in FORMAT_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([^`]+)` \| [^|]* \| [^|]* \| ([^|]*) \| (.*?) \| [^|]* \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2).strip(), m.group(3).strip())
    return rows


def _doc_path(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def test_format_md_documents_every_field_with_its_default() -> None:
    rows = _documented_rows()
    s = Scenario.from_dict(MINIMAL)
    for path in field_paths(s):
        assert _doc_path(path) in rows, f"FORMAT.md does not document {path}"
    for path in field_paths(Scenario.from_dict(EVERY_KIND)):
        assert _doc_path(path) in rows, f"FORMAT.md does not document {path}"
    sections: list[tuple[Any, str]] = [
        (Workload, "workloads[]."), (type(s.deployment), "deployment."), (Costs, "costs."),
        (type(s.alternatives), "alternatives."), (type(s.requirements), "requirements."),
        (EmbeddingSpec, "workloads[].embedding."), (RerankerSpec, "workloads[].reranker."),
        (GuardSpec, "workloads[].guard."), (FinetuneSpec, "workloads[].finetune."),
    ]
    for cls, prefix in sections:
        for f in dataclasses.fields(cls):
            documented = rows[prefix + f.name][0]
            if f.default is dataclasses.MISSING:
                assert documented == "**required**", prefix + f.name
            else:
                value = list(f.default) if isinstance(f.default, tuple) else f.default
                assert documented == f"`{json.dumps(value)}`", prefix + f.name


def test_templates_are_valid_workloads_with_labelled_values() -> None:
    data = json.loads(TEMPLATES_JSON.read_text(encoding="utf-8"))
    ids = [t["id"] for t in data["templates"]]
    assert {"chat", "rag", "code", "batch", "embedding", "finetune"} <= set(ids)
    for template in data["templates"]:
        workload = {"name": template["id"], "model": "llama-3.1-70b", "users": 100,
                    **template["workload"]}
        scenario = Scenario.from_dict({**MINIMAL, "workloads": [workload]})
        assert scenario.workloads[0].template in TEMPLATES
        unlabelled = set(template["workload"]) - {"template"} - set(template["basis"])
        assert not unlabelled, f"{template['id']}: no basis for {unlabelled}"


# --- workload kinds and their sections ----------------------------------------------------------

def _kinds(*changes: tuple[int, str, Any]) -> dict[str, Any]:
    """EVERY_KIND with workloads[i].field set (None removes it)."""
    data = copy.deepcopy(EVERY_KIND)
    for index, name, value in changes:
        if value is None:
            data["workloads"][index].pop(name, None)
        else:
            data["workloads"][index][name] = value
    return data


def test_every_kind_reads_with_its_section_and_round_trips() -> None:
    s = Scenario.from_dict(EVERY_KIND)
    embed, rerank, guard, tune = s.workloads[1:]
    assert embed.embedding == EmbeddingSpec(corpus_documents=1000)
    assert rerank.reranker == RerankerSpec(candidates_per_query=10)
    assert guard.guard == GuardSpec(checks_per_request=1)
    assert tune.finetune is not None and tune.finetune.dataset_tokens == 1e6
    assert tune.users is None and tune.input_tokens is None  # not used by fine-tuning
    assert tune.finetune.lora_targets == ("q", "k", "v", "o")
    assert embed.output_tokens is None
    assert s.deployment.gpu_sharing == "auto"
    assert [w.is_generative for w in s.workloads] == [True, False, False, False, False]
    assert Scenario.from_dict(s.to_dict()) == s
    paths = set(field_paths(s))
    assert {"workloads[1].embedding.index", "workloads[4].finetune.deadline_hours",
            "workloads[0].embedding"} <= paths
    # section fields shape the sizing: they take no range
    assert "workloads[1].embedding.corpus_documents" not in numeric_paths(s)


def test_a_v1_file_without_sections_still_reads() -> None:
    old = copy.deepcopy(MINIMAL)
    old["workloads"].append({"name": "e", "template": "embedding", "model": "bge-m3",
                             "users": 1, "requests_per_user_per_day": 100000,
                             "input_tokens": 512, "output_tokens": 0})
    s = Scenario.from_dict(old)
    assert s.workloads[1].embedding is None and s.workloads[1].output_tokens == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_kinds((0, "users", None)), "workloads[0].users: is required for a chat workload"),
        (_kinds((1, "input_tokens", None)),
         "workloads[1].input_tokens: is required for an embedding workload"),
        (_kinds((0, "output_tokens", None)),
         "workloads[0].output_tokens: is required for a chat workload"),
        (_kinds((3, "output_tokens", None)),
         "workloads[3].output_tokens: is required for a guard workload"),
        (_kinds((4, "finetune", None)),
         "workloads[4].finetune: is required for a finetune workload"),
        (_kinds((0, "reranker", {"candidates_per_query": 5})),
         "workloads[0].reranker: is only used by reranker workloads (this one is chat)"),
        (_kinds((1, "finetune", {"dataset_tokens": 1, "runs_per_month": 1})),
         "workloads[1].finetune: is only used by finetune workloads"),
        (_kinds((4, "finetune", {"runs_per_month": 1})),
         "workloads[4].finetune.dataset_tokens: is required"),
        (_kinds((4, "finetune", {"dataset_tokens": 1e6, "runs_per_month": 1,
                                 "method": "dora"})),
         "workloads[4].finetune.method: must be one of full, lora, qlora"),
        (_kinds((4, "finetune", {"dataset_tokens": 1e6, "runs_per_month": 1,
                                 "zero_stage": 4})),
         "workloads[4].finetune.zero_stage: must be at most 3"),
        (_kinds((4, "finetune", {"dataset_tokens": 1e6, "runs_per_month": 1,
                                 "lora_targets": ["q", "lm_head"]})),
         "workloads[4].finetune.lora_targets[1]: must be one of q, k, v, o, gate, up, down"),
        (_kinds((1, "embedding", {"index": "annoy"})),
         "workloads[1].embedding.index: must be one of flat, hnsw, ivf_flat, ivf_pq"),
        (_kinds((1, "embedding", {"vector_precision": "fp64"})),
         "workloads[1].embedding.vector_precision: must be one of fp32,"),
        (_kinds((2, "reranker", {"candidates_per_query": 0})),
         "workloads[2].reranker.candidates_per_query: must be at least 1"),
        (_kinds((3, "guard", {"checks_per_request": 11})),
         "workloads[3].guard.checks_per_request: must be at most 10"),
        ({**EVERY_KIND, "deployment": {"accelerator": "x", "gpu_sharing": "mps"}},
         "deployment.gpu_sharing: must be one of auto, mig, time-slicing, none"),
        ({**EVERY_KIND, "uncertainty": {"workloads[4].users": {"low": 1, "high": 2}}},
         'uncertainty["workloads[4].users"]: the field is null'),
    ],
)
def test_kind_rules_name_the_field(data: Any, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_v1_finetune_workload_without_its_section_is_converted_on_read() -> None:
    """The template's old convention: one request is one run of input_tokens tokens."""
    old = copy.deepcopy(MINIMAL)
    old["workloads"].append({"name": "tune", "template": "finetune", "model": "llama-3.1-8b",
                             "users": 1, "requests_per_user_per_day": 1 / 7,
                             "input_tokens": 50_000_000, "output_tokens": 0,
                             "active_days_per_year": 365})
    tune = Scenario.from_dict(old).workloads[1].finetune
    assert tune is not None and tune.dataset_tokens == 50_000_000 and tune.epochs == 1
    assert tune.runs_per_month == pytest.approx(365 / 7 / 12)
    again = Scenario.from_dict(Scenario.from_dict(old).to_dict())
    assert again.workloads[1].finetune == tune
    old["workloads"][1]["requests_per_user_per_day"] = 100
    with pytest.raises(ScenarioError, match=r"^workloads\[1\].requests_per_user_per_day: read as"):
        Scenario.from_dict(old)
