"""deployment-path, data-classification and an API's open weights, on catalog entries."""

from __future__ import annotations

import dataclasses

import pytest

from app.catalog.loader import Catalog
from app.engine.constraint_types import SiteRequirements
from app.engine.constraints_path import (
    PathOption,
    api_open_weights,
    data_classification,
    deployment_path,
)
from app.engine.regions import RegionTable

GPT_4O = "openai-gpt-4o"  # OpenAI, United States, proprietary model
DEEPSEEK_API = "deepseek-deepseek-chat"  # DeepSeek, China, open-weight model
AWS_H100 = "aws-h100-sxm-80gb-on-demand-launch-list-price-us"  # AWS, United States
LAMBDA_H100 = "lambda-h100-sxm-80gb-reserved-8x-with-infiniband"  # Lambda, United States
RANGE_H100 = "hyperscalers-aws-azure-gcp-range-h100-sxm5-on-demand-range"  # no country recorded


def api(catalog: Catalog, key: str = GPT_4O) -> PathOption:
    return PathOption.api(catalog.cloud_apis[key])


def rental(catalog: Catalog, key: str = AWS_H100) -> PathOption:
    return PathOption.rental(catalog.gpu_rentals[key])


def owned(catalog: Catalog) -> PathOption:
    return PathOption.owned(catalog.accelerator("nvidia-h100-sxm-80gb"))


# deployment-path ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["air-gapped", "on-premise", "sovereign-cloud", "public-api"])
def test_owned_hardware_passes_every_mode(catalog: Catalog, regions: RegionTable,
                                          mode: str) -> None:
    result = deployment_path(SiteRequirements(deployment_mode=mode), regions, owned(catalog))
    assert (result.status, result.reason_id) == ("pass", "path.owned")
    assert result.subject == "deployment"


@pytest.mark.parametrize("mode", ["air-gapped", "on-premise"])
def test_public_api_fails_air_gapped_and_on_premise(catalog: Catalog, regions: RegionTable,
                                                    mode: str) -> None:
    result = deployment_path(SiteRequirements(deployment_mode=mode), regions, api(catalog))
    assert (result.status, result.reason_id) == ("fail", "path.api_offsite")
    assert "OpenAI (United States)" in result.reason
    assert result.subject == "api" and result.option == GPT_4O


def test_public_api_of_a_provider_in_the_jurisdiction_warns_for_a_sovereign_cloud(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="sovereign-cloud", jurisdiction="US")
    result = deployment_path(site, regions, api(catalog))
    assert (result.status, result.reason_id) == ("warn", "path.api_sovereign_in")


def test_public_api_outside_the_jurisdiction_fails_a_sovereign_cloud(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="sovereign-cloud", jurisdiction="FR")
    result = deployment_path(site, regions, api(catalog, DEEPSEEK_API))
    assert (result.status, result.reason_id) == ("fail", "path.api_sovereign_out")


def test_public_api_passes_when_public_apis_are_allowed(catalog: Catalog,
                                                       regions: RegionTable) -> None:
    result = deployment_path(SiteRequirements(deployment_mode="public-api"), regions, api(catalog))
    assert result.status == "pass"


def test_rented_gpus_fail_an_air_gapped_site(catalog: Catalog, regions: RegionTable) -> None:
    result = deployment_path(SiteRequirements(deployment_mode="air-gapped"), regions,
                             rental(catalog, LAMBDA_H100))
    assert (result.status, result.reason_id) == ("fail", "path.rental_offsite")
    assert result.subject == "rental"


def test_rented_gpus_warn_for_confidential_data_outside_a_sovereign_cloud(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="public-api", data_classification="confidential",
                            jurisdiction="DE")
    result = deployment_path(site, regions, rental(catalog))
    assert (result.status, result.reason_id) == ("warn", "path.rental_confidential")


def test_rented_gpus_in_the_jurisdiction_pass_a_sovereign_cloud(catalog: Catalog,
                                                               regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="sovereign-cloud", data_classification="confidential",
                            jurisdiction="US")
    result = deployment_path(site, regions, rental(catalog))
    assert (result.status, result.reason_id) == ("pass", "path.rental_sovereign_in")


def test_a_rental_without_a_provider_country_warns_no_catalog_fact(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="sovereign-cloud", jurisdiction="DE")
    result = deployment_path(site, regions, rental(catalog, RANGE_H100))
    assert (result.status, result.reason_id) == ("warn", "path.no_provider_country")
    assert result.reason.startswith("no catalog fact")


# data-classification -----------------------------------------------------------------------


def test_secret_data_on_premise_passes(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="on-premise", data_classification="secret")
    result = data_classification(site, regions, owned(catalog))
    assert (result.status, result.reason_id) == ("pass", "class.ok")


def test_secret_data_in_a_sovereign_cloud_warns(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="sovereign-cloud", data_classification="secret")
    result = data_classification(site, regions, owned(catalog))
    assert (result.status, result.reason_id) == ("warn", "class.sovereign")


def test_confidential_data_through_a_public_api_fails(catalog: Catalog,
                                                      regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="public-api", data_classification="confidential")
    result = data_classification(site, regions, api(catalog))
    assert (result.status, result.reason_id) == ("fail", "class.offsite")


def test_secret_data_on_rented_gpus_abroad_fails(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="public-api", data_classification="secret",
                            jurisdiction="DE")
    assert data_classification(site, regions, rental(catalog)).status == "fail"


def test_internal_data_through_a_public_api_warns(catalog: Catalog,
                                                  regions: RegionTable) -> None:
    site = SiteRequirements(deployment_mode="public-api", data_classification="Internal")
    result = data_classification(site, regions, api(catalog))
    assert (result.status, result.reason_id) == ("warn", "class.internal_api")


def test_an_unknown_classification_warns_and_an_unset_one_is_not_checked(
        catalog: Catalog, regions: RegionTable) -> None:
    unknown = data_classification(SiteRequirements(data_classification="eyes only"), regions,
                                  owned(catalog))
    assert (unknown.status, unknown.reason_id) == ("warn", "class.unknown")
    unset = data_classification(SiteRequirements(), regions, owned(catalog))
    assert (unset.status, unset.reason_id) == ("pass", "class.unset")


def test_restricted_and_top_secret_labels_map_to_levels() -> None:
    assert SiteRequirements(data_classification="restricted").classification_level == 2
    assert SiteRequirements(data_classification="TOP SECRET").classification_level == 4
    assert SiteRequirements(data_classification="top_secret").classification_level == 4


# open-weights for an API -------------------------------------------------------------------


def test_a_proprietary_api_model_fails_an_air_gapped_site(catalog: Catalog) -> None:
    result = api_open_weights(SiteRequirements(deployment_mode="air-gapped"), api(catalog))
    assert (result.status, result.reason_id) == ("fail", "weights.api_closed")
    assert "proprietary" in result.fact


def test_a_proprietary_api_model_warns_a_sovereign_cloud(catalog: Catalog) -> None:
    result = api_open_weights(SiteRequirements(deployment_mode="sovereign-cloud"), api(catalog))
    assert (result.status, result.reason_id) == ("warn", "weights.api_closed_sovereign")


def test_an_open_weight_api_model_passes(catalog: Catalog) -> None:
    result = api_open_weights(SiteRequirements(deployment_mode="air-gapped"),
                              api(catalog, DEEPSEEK_API))
    assert (result.status, result.reason_id) == ("pass", "weights.api_open")


def test_an_api_whose_model_kind_is_not_recorded_warns(catalog: Catalog) -> None:
    entry = dataclasses.replace(catalog.cloud_apis[GPT_4O], model_kind="")
    result = api_open_weights(SiteRequirements(deployment_mode="air-gapped"),
                              PathOption.api(entry))
    assert (result.status, result.reason_id) == ("warn", "weights.api_unknown")
