"""check_scenario, the evaluate hook and explain_exclusions on whole scenarios."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.catalog.loader import Catalog
from app.engine.scenario import Scenario, ScenarioError
from app.operations.constraints import ConstraintCheck, check_constraints
from app.operations.constraints_check import (
    check_scenario,
    explain_exclusions,
    results_json,
)
from app.operations.resolve import resolve


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.shipped()


def scenario(requirements: dict[str, Any], **alternatives: Any) -> Scenario:
    return Scenario.from_dict({
        "name": "constraints test",
        "workloads": [
            {"name": "chat", "model": "llama-3.3-70b", "weights": "fp8", "kv_cache": "fp8",
             "users": 500, "requests_per_user_per_day": 10, "input_tokens": 1500,
             "output_tokens": 300},
            {"name": "rag", "model": "qwen2.5-7b", "weights": "bf16", "kv_cache": "bf16",
             "users": 100, "requests_per_user_per_day": 5, "input_tokens": 4000,
             "output_tokens": 300, "cloud_api": "deepseek-deepseek-chat"},
        ],
        "deployment": {"accelerator": "nvidia-a100-sxm4-80gb"},
        "alternatives": {"cloud_api": "openai-gpt-4o",
                         "gpu_rental": "lambda-h100-sxm-80gb-reserved-8x-with-infiniband",
                         **alternatives},
        "requirements": requirements,
    })


AIR_GAPPED = {"deployment_mode": "air-gapped", "data_classification": "secret",
              "jurisdiction": "DE", "allowed_licences": ["osi-only"],
              "export_control_exposure": "avoid", "vendor_support_region": "EU"}


def by(results: list[Any], rule: str, option: str) -> Any:
    [found] = [r for r in results if r.rule == rule and r.option == option]
    return found


def test_every_subject_of_a_scenario_is_checked(catalog: Catalog) -> None:
    results = check_scenario(scenario(AIR_GAPPED), catalog)
    subjects = {(r.subject, r.option) for r in results}
    assert {("model", "llama-3.3-70b"), ("model", "qwen2.5-7b"),
            ("accelerator", "nvidia-a100-sxm4-80gb"), ("deployment", "nvidia-a100-sxm4-80gb"),
            ("api", "openai-gpt-4o"), ("api", "deepseek-deepseek-chat"),
            ("rental", "lambda-h100-sxm-80gb-reserved-8x-with-infiniband")} <= subjects
    assert by(results, "deployment-path", "openai-gpt-4o").status == "fail"
    assert by(results, "deployment-path",
              "lambda-h100-sxm-80gb-reserved-8x-with-infiniband").status == "fail"
    assert by(results, "licence-allowed", "llama-3.3-70b").status == "fail"
    assert by(results, "licence-allowed", "qwen2.5-7b").status == "pass"
    assert by(results, "vendor-support", "nvidia-a100-sxm4-80gb").status == "warn"
    precision = [r for r in results if r.rule == "precision-weights"]
    assert {r.status for r in precision} == {"warn", "pass"}  # fp8 and bf16 on A100


def test_every_result_names_its_fact_with_a_source(catalog: Catalog) -> None:
    for requirements in (AIR_GAPPED, {"deployment_mode": "public-api", "jurisdiction": "CN"}):
        for result in check_scenario(scenario(requirements), catalog):
            assert result.source.strip() and result.as_of.strip(), result
            assert "(source: " in result.fact and "; as of " in result.fact, result
            assert result.reason and result.status in ("pass", "warn", "fail")


def test_results_serialize_to_the_evaluate_json_shape(catalog: Catalog) -> None:
    items = results_json(check_scenario(scenario(AIR_GAPPED), catalog))
    text = json.dumps({"constraints": items})
    for item in json.loads(text)["constraints"]:
        assert {"rule", "status", "reason", "fact", "subject"} <= set(item)
        assert item["subject"] in ("model", "accelerator", "api", "rental", "deployment")


def test_the_evaluate_hook_gives_the_same_results(catalog: Catalog) -> None:
    data = scenario(AIR_GAPPED).to_dict()
    data["costs"].update(gpu_price_usd=15_000.0, server_price_usd=50_000.0,
                         server_base_power_w=2_000.0)  # resolve needs them; the rules do not
    data["alternatives"]["rental_pricing"] = "reserved"
    sc = Scenario.from_dict(data)
    hook = check_constraints(resolve(sc, catalog), catalog)
    assert list(hook) == check_scenario(sc, catalog)
    assert all(isinstance(r, ConstraintCheck) for r in hook)


def test_a_missing_reference_names_the_field(catalog: Catalog) -> None:
    with pytest.raises(ScenarioError, match=r"^alternatives\.gpu_rental: GPU rental 'nope'"):
        check_scenario(scenario(AIR_GAPPED, gpu_rental="nope"), catalog)


def test_requirements_not_yet_in_the_format_default_sensibly(catalog: Catalog) -> None:
    # commercial_use defaults to True: the Mistral Research Licence fails
    sc = scenario({})
    sc = Scenario.from_dict({**sc.to_dict(), "workloads": [
        {**sc.to_dict()["workloads"][0], "model": "mistral-large-2"}]})
    assert by(check_scenario(sc, catalog), "licence-commercial-use",
              "mistral-large-2").status == "fail"


def test_a_site_that_cannot_obtain_us_datacenter_parts(catalog: Catalog) -> None:
    report = explain_exclusions(_Req(jurisdiction="CN", export_control_exposure="avoid"),
                                catalog, weights="bf16")
    excluded = {e.option: e for e in report.excluded_accelerators}
    for acc in ("nvidia-h100-sxm-80gb", "nvidia-h200-sxm-141gb", "nvidia-b200-180gb",
                "nvidia-h20-96gb", "amd-instinct-mi300x-192gb", "intel-gaudi-3-128gb"):
        assert acc in excluded, acc
        assert "export-control" in excluded[acc].explanation()
    assert {"huawei-ascend-910b-64gb", "huawei-ascend-910c-128gb",
            "nvidia-l20-48gb"} <= set(report.allowed_accelerators)
    lines = report.summary_lines()
    assert lines[0].endswith("accelerators excluded:")
    assert any(line.startswith("- NVIDIA H100 SXM 80GB: export-control: ") for line in lines)


def test_origin_lists_exclude_models_with_reasons(catalog: Catalog) -> None:
    report = explain_exclusions(_Req(allowed_model_origins=("US", "EU", "FR")), catalog,
                                models=["deepseek-v3", "qwen3-8b", "mistral-7b"],
                                accelerators=[])
    assert report.allowed_models == ("mistral-7b",)
    assert [e.option for e in report.excluded_models] == ["deepseek-v3", "qwen3-8b"]
    assert "model-origin" in report.excluded_models[0].explanation()


class _Req:
    """Any object with Requirements' attribute names works (the adapter reads attributes)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
