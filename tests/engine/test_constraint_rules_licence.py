"""Licence, model-origin and open-weights rules on catalog models.

Where the shipped catalog has no entry lacking a fact, the warning case takes a catalog entry
with that one fact removed (as a user-imported model without it would be).
"""

from __future__ import annotations

import dataclasses

import pytest

from app.catalog.loader import Catalog
from app.engine.catalog_types import ModelSpec
from app.engine.constraint_types import SiteRequirements
from app.engine.constraints_licence import (
    licence_allowed,
    licence_attribution,
    licence_commercial_use,
    licence_region,
    licence_use_policy,
    model_origin,
    open_weights,
)
from app.engine.regions import RegionTable


def without_licence_fact(model: ModelSpec, **changes: object) -> ModelSpec:
    assert model.licence is not None
    return dataclasses.replace(model, licence=dataclasses.replace(model.licence, **changes))


# licence-allowed ---------------------------------------------------------------------------


def test_llama_3_1_fails_no_mau_cap(catalog: Catalog) -> None:
    result = licence_allowed(SiteRequirements(allowed_licences=("no-mau-cap",)),
                             catalog.model("llama-3.1-70b"))
    assert (result.status, result.reason_id) == ("fail", "licence.mau_cap")
    assert "700,000,000" in result.reason


def test_qwen2_5_72b_fails_no_mau_cap_but_qwen2_5_7b_passes(catalog: Catalog) -> None:
    site = SiteRequirements(allowed_licences=("no-mau-cap",))
    assert licence_allowed(site, catalog.model("qwen2.5-72b")).status == "fail"
    assert licence_allowed(site, catalog.model("qwen2.5-7b")).status == "pass"


def test_apache_qwen2_5_7b_passes_osi_only(catalog: Catalog) -> None:
    result = licence_allowed(SiteRequirements(allowed_licences=("osi-only",)),
                             catalog.model("qwen2.5-7b"))
    assert (result.status, result.reason_id) == ("pass", "licence.osi_ok")


def test_gemma_terms_fail_osi_only(catalog: Catalog) -> None:
    result = licence_allowed(SiteRequirements(allowed_licences=("osi-only",)),
                             catalog.model("gemma-3-27b"))
    assert (result.status, result.reason_id) == ("fail", "licence.osi_no")


def test_a_licence_without_the_osi_fact_warns_under_osi_only(catalog: Catalog) -> None:
    model = without_licence_fact(catalog.model("qwen2.5-7b"), osi_approved=None)
    result = licence_allowed(SiteRequirements(allowed_licences=("osi-only",)), model)
    assert (result.status, result.reason_id) == ("warn", "licence.osi_unknown")
    assert result.reason.startswith("no catalog fact")


def test_listed_ids_allow_and_unlisted_ids_fail(catalog: Catalog) -> None:
    site = SiteRequirements(allowed_licences=("Apache-2.0", "MIT"))
    assert licence_allowed(site, catalog.model("mistral-7b")).reason_id == "licence.listed"
    assert licence_allowed(site, catalog.model("deepseek-r1")).status == "pass"
    result = licence_allowed(site, catalog.model("llama-3.3-70b"))
    assert (result.status, result.reason_id) == ("fail", "licence.not_listed")


def test_a_model_under_two_licences_needs_both_allowed(catalog: Catalog) -> None:
    distill = catalog.model("deepseek-r1-distill-llama-70b")  # MIT + Llama 3.3 licence
    assert licence_allowed(SiteRequirements(allowed_licences=("mit",)), distill).status == "fail"
    both = SiteRequirements(allowed_licences=("mit", "llama-3.3-community"))
    assert licence_allowed(both, distill).status == "pass"


def test_ids_and_tokens_combine(catalog: Catalog) -> None:
    site = SiteRequirements(allowed_licences=("qwen-license", "no-mau-cap"))
    result = licence_allowed(site, catalog.model("qwen2.5-72b"))
    assert result.status == "fail"
    assert result.reason_id == "licence.mau_cap"
    assert "100,000,000" in result.reason


def test_any_licence_passes_without_a_list(catalog: Catalog) -> None:
    assert licence_allowed(SiteRequirements(), catalog.model("llama-3.1-70b")).reason_id == \
        "licence.any"


def test_a_model_without_a_licence_record_warns(catalog: Catalog) -> None:
    model = dataclasses.replace(catalog.model("llama-3.1-8b"), licence=None)
    result = licence_allowed(SiteRequirements(allowed_licences=("osi-only",)), model)
    assert (result.status, result.reason_id) == ("warn", "licence.none")


# licence-commercial-use --------------------------------------------------------------------


def test_mistral_research_licence_fails_a_commercial_organisation(catalog: Catalog) -> None:
    result = licence_commercial_use(SiteRequirements(), catalog.model("mistral-large-2"))
    assert (result.status, result.reason_id) == ("fail", "commercial.no")


def test_mistral_research_licence_passes_declared_non_commercial_use(catalog: Catalog) -> None:
    result = licence_commercial_use(SiteRequirements(commercial_use=False),
                                    catalog.model("mistral-large-2"))
    assert (result.status, result.reason_id) == ("pass", "commercial.noncommercial")


def test_apache_allows_commercial_use(catalog: Catalog) -> None:
    assert licence_commercial_use(SiteRequirements(), catalog.model("qwen3-8b")).status == "pass"


def test_an_unrecorded_commercial_use_fact_warns(catalog: Catalog) -> None:
    model = without_licence_fact(catalog.model("qwen3-8b"), commercial_use=None)
    result = licence_commercial_use(SiteRequirements(), model)
    assert (result.status, result.reason_id) == ("warn", "commercial.unknown")


# licence-use-policy and licence-attribution (duties warn; they never fail) -----------------


def test_gemma_prohibited_use_policy_warns_with_its_summary(catalog: Catalog) -> None:
    result = licence_use_policy(SiteRequirements(), catalog.model("gemma-2-9b"))
    assert (result.status, result.reason_id) == ("warn", "aup.present")
    assert "Gemma Prohibited Use Policy" in result.reason


def test_no_use_policy_passes(catalog: Catalog) -> None:
    result = licence_use_policy(SiteRequirements(), catalog.model("qwen2.5-7b"))
    assert (result.status, result.reason_id) == ("pass", "aup.none")


def test_built_with_llama_naming_duty_warns(catalog: Catalog) -> None:
    result = licence_attribution(SiteRequirements(), catalog.model("llama-3.1-70b"))
    assert (result.status, result.reason_id) == ("warn", "attribution.present")
    assert "Built with Llama" in result.reason


def test_no_attribution_duty_passes(catalog: Catalog) -> None:
    result = licence_attribution(SiteRequirements(), catalog.model("bge-m3"))
    assert (result.status, result.reason_id) == ("pass", "attribution.none")


def test_duties_never_fail_on_any_catalog_model(catalog: Catalog) -> None:
    strict = SiteRequirements(allowed_licences=("osi-only", "no-mau-cap"))
    for model in catalog.models.values():
        assert licence_use_policy(strict, model).status != "fail", model.id
        assert licence_attribution(strict, model).status != "fail", model.id


# licence-region ----------------------------------------------------------------------------


def test_llama_4_grants_no_rights_to_an_eu_licensee(catalog: Catalog,
                                                    regions: RegionTable) -> None:
    result = licence_region(SiteRequirements(jurisdiction="DE"), regions,
                            catalog.model("llama-4-scout"))
    assert (result.status, result.reason_id) == ("fail", "region.excluded")
    assert "USE_POLICY.md" in result.source


def test_llama_4_passes_a_us_licensee(catalog: Catalog, regions: RegionTable) -> None:
    result = licence_region(SiteRequirements(jurisdiction="US"), regions,
                            catalog.model("llama-4-maverick"))
    assert (result.status, result.reason_id) == ("pass", "region.ok")


def test_llama_4_warns_without_a_jurisdiction(catalog: Catalog, regions: RegionTable) -> None:
    result = licence_region(SiteRequirements(), regions, catalog.model("llama-4-scout"))
    assert (result.status, result.reason_id) == ("warn", "region.no_site")


def test_llama_3_3_has_no_regional_exclusion(catalog: Catalog, regions: RegionTable) -> None:
    result = licence_region(SiteRequirements(jurisdiction="FR"), regions,
                            catalog.model("llama-3.3-70b"))
    assert result.status == "pass"


# model-origin ------------------------------------------------------------------------------

WESTERN = SiteRequirements(allowed_model_origins=("US", "EU", "FR"))


def test_deepseek_fails_us_eu_fr_origins(catalog: Catalog, regions: RegionTable) -> None:
    result = model_origin(WESTERN, regions, catalog.model("deepseek-v3"))
    assert (result.status, result.reason_id) == ("fail", "origin.no")
    assert "CN" in result.reason


@pytest.mark.parametrize("model_id", ["llama-3.1-70b", "mistral-7b", "phi-4"])
def test_us_and_french_models_pass(catalog: Catalog, regions: RegionTable,
                                   model_id: str) -> None:
    assert model_origin(WESTERN, regions, catalog.model(model_id)).status == "pass"


def test_a_french_model_passes_through_the_eu_group(catalog: Catalog,
                                                    regions: RegionTable) -> None:
    site = SiteRequirements(allowed_model_origins=("EU",))
    assert model_origin(site, regions, catalog.model("mixtral-8x7b")).status == "pass"


def test_country_names_work_as_allowed_origins(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(allowed_model_origins=("China",))
    assert model_origin(site, regions, catalog.model("qwen3-32b")).status == "pass"
    assert model_origin(site, regions, catalog.model("llama-3.1-8b")).status == "fail"


def test_an_unrecorded_origin_warns(catalog: Catalog, regions: RegionTable) -> None:
    model = dataclasses.replace(catalog.model("qwen3-8b"), origin_country="")
    result = model_origin(WESTERN, regions, model)
    assert (result.status, result.reason_id) == ("warn", "origin.unknown")


# open-weights (model) ----------------------------------------------------------------------


def test_a_published_model_passes_open_weights(catalog: Catalog) -> None:
    assert open_weights(SiteRequirements(deployment_mode="air-gapped"),
                        catalog.model("llama-3.3-70b")).status == "pass"


def test_a_model_without_published_weights_fails(catalog: Catalog) -> None:
    model = dataclasses.replace(catalog.model("llama-3.3-70b"), open_weights=False)
    result = open_weights(SiteRequirements(deployment_mode="air-gapped"), model)
    assert (result.status, result.reason_id) == ("fail", "weights.closed")
