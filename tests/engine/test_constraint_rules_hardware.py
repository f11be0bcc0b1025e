"""Accelerator rules on catalog entries: vendor, origin, export control, use restrictions,
vendor support and native precisions."""

from __future__ import annotations

import dataclasses

import pytest

from app.catalog.loader import Catalog
from app.engine.catalog_types import SupportNote
from app.engine.constraint_types import SiteRequirements
from app.engine.constraints_hardware import (
    export_control,
    hardware_origin,
    hardware_vendor,
    precision_support,
    use_restriction,
    vendor_support,
)
from app.engine.regions import RegionTable

H100 = "nvidia-h100-sxm-80gb"
ASCEND = "huawei-ascend-910b-64gb"


# hardware-vendor (the vendor is a required catalog field, so it has no warning case) --------


def test_an_allowed_vendor_passes(catalog: Catalog) -> None:
    site = SiteRequirements(allowed_hardware_vendors=("NVIDIA", "AMD"))
    assert hardware_vendor(site, catalog.accelerator(H100)).status == "pass"


def test_a_vendor_matches_by_its_bracketed_name_too(catalog: Catalog) -> None:
    assert hardware_vendor(SiteRequirements(allowed_hardware_vendors=("huawei",)),
                           catalog.accelerator(ASCEND)).status == "pass"
    assert hardware_vendor(SiteRequirements(allowed_hardware_vendors=("HiSilicon",)),
                           catalog.accelerator(ASCEND)).status == "pass"


def test_a_vendor_not_allowed_fails(catalog: Catalog) -> None:
    result = hardware_vendor(SiteRequirements(allowed_hardware_vendors=("Huawei",)),
                             catalog.accelerator(H100))
    assert (result.status, result.reason_id) == ("fail", "vendor.no")


# hardware-origin ---------------------------------------------------------------------------


def test_a_chinese_accelerator_passes_chinese_origin(catalog: Catalog,
                                                    regions: RegionTable) -> None:
    site = SiteRequirements(allowed_hardware_origins=("China",))
    assert hardware_origin(site, regions, catalog.accelerator(ASCEND)).status == "pass"


def test_a_us_accelerator_fails_chinese_origin(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(allowed_hardware_origins=("CN",))
    result = hardware_origin(site, regions, catalog.accelerator(H100))
    assert (result.status, result.reason_id) == ("fail", "hw_origin.no")


def test_gaudi_counts_as_a_us_vendor(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(allowed_hardware_origins=("US",))
    result = hardware_origin(site, regions, catalog.accelerator("intel-gaudi-3-128gb"))
    assert result.status == "pass"
    assert "Habana" in result.fact


def test_an_unrecorded_vendor_country_warns(catalog: Catalog, regions: RegionTable) -> None:
    acc = dataclasses.replace(catalog.accelerator(H100), vendor_country="")
    result = hardware_origin(SiteRequirements(allowed_hardware_origins=("US",)), regions, acc)
    assert (result.status, result.reason_id) == ("warn", "hw_origin.unknown")


# export-control ----------------------------------------------------------------------------


@pytest.mark.parametrize(("exposure", "status", "reason_id"), [
    ("avoid", "fail", "export.avoid"),
    ("warn", "warn", "export.warn"),
    ("accept", "pass", "export.accepted"),
])
def test_h100_for_china_follows_the_exposure_setting(
        catalog: Catalog, regions: RegionTable, exposure: str, status: str,
        reason_id: str) -> None:
    site = SiteRequirements(jurisdiction="CN", export_control_exposure=exposure)
    result = export_control(site, regions, catalog.accelerator(H100))
    assert (result.status, result.reason_id) == (status, reason_id)
    assert "US export licence is required" in result.reason
    assert "91 FR 1684" in result.fact and "source:" in result.fact


@pytest.mark.parametrize(("exposure", "status"), [
    ("avoid", "fail"), ("warn", "warn"), ("accept", "warn"),
])
def test_ascend_910b_for_a_us_site_follows_the_2025_gp10_guidance(
        catalog: Catalog, regions: RegionTable, exposure: str, status: str) -> None:
    site = SiteRequirements(jurisdiction="US", export_control_exposure=exposure)
    result = export_control(site, regions, catalog.accelerator(ASCEND))
    assert result.status == status
    assert "General Prohibition 10" in result.fact
    assert result.as_of == "2025-05-13"


def test_h20_stays_a_warning_in_china_even_when_exposure_is_accepted(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="CN", export_control_exposure="accept")
    result = export_control(site, regions, catalog.accelerator("nvidia-h20-96gb"))
    assert (result.status, result.reason_id) == ("warn", "export.accepted_but")
    assert "CN authorities restrict" in result.reason


def test_b200_licences_for_china_are_presumed_denied(catalog: Catalog,
                                                     regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="CN", export_control_exposure="accept")
    result = export_control(site, regions, catalog.accelerator("nvidia-b200-180gb"))
    assert result.status == "warn"
    assert "presumed denied" in result.reason


def test_rtx_4090_reaches_saudi_arabia_through_group_d4(catalog: Catalog,
                                                        regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="SA", export_control_exposure="warn")
    result = export_control(site, regions, catalog.accelerator("nvidia-geforce-rtx-4090-24gb"))
    assert result.status == "warn"
    assert "SA in D:4" in result.fact


def test_israel_is_outside_the_d4_scope(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="IL", export_control_exposure="avoid")
    result = export_control(site, regions, catalog.accelerator(H100))
    assert (result.status, result.reason_id) == ("pass", "export.clear")


def test_hong_kong_is_reached_as_china(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="HK", export_control_exposure="avoid")
    result = export_control(site, regions, catalog.accelerator(H100))
    assert result.status == "fail"
    assert "85 FR 83765" in result.fact


def test_a_german_site_passes_h100(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="DE", export_control_exposure="avoid")
    assert export_control(site, regions, catalog.accelerator(H100)).status == "pass"


def test_l20_is_below_the_thresholds_for_china(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="CN", export_control_exposure="avoid")
    result = export_control(site, regions, catalog.accelerator("nvidia-l20-48gb"))
    assert (result.status, result.reason_id) == ("pass", "export.below")


def test_an_unknown_classification_never_passes_an_avoiding_site(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="CN", export_control_exposure="avoid")
    result = export_control(site, regions, catalog.accelerator("nvidia-l4-24gb"))
    assert result.status == "warn"
    assert "may be required" in result.reason


def test_an_accelerator_without_notes_warns_no_catalog_fact(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="DE", export_control_exposure="accept")
    result = export_control(site, regions, catalog.accelerator("apple-m4-max-128gb"))
    assert (result.status, result.reason_id) == ("warn", "export.no_facts")
    assert result.reason.startswith("no catalog fact")


def test_no_jurisdiction_warns_unless_exposure_is_accepted(
        catalog: Catalog, regions: RegionTable) -> None:
    acc = catalog.accelerator(H100)
    assert export_control(SiteRequirements(), regions, acc).reason_id == "export.no_site"
    assert export_control(SiteRequirements(), regions, acc).status == "warn"
    accepted = SiteRequirements(export_control_exposure="accept")
    assert export_control(accepted, regions, acc).status == "pass"


# use-restriction ---------------------------------------------------------------------------


@pytest.mark.parametrize(("exposure", "status"), [
    ("avoid", "fail"), ("warn", "warn"), ("accept", "warn"),
])
def test_ascend_abroad_carries_the_us_use_risk(catalog: Catalog, regions: RegionTable,
                                               exposure: str, status: str) -> None:
    site = SiteRequirements(jurisdiction="DE", use_restriction_exposure=exposure)
    result = use_restriction(site, regions, catalog.accelerator(ASCEND))
    assert result.status == status
    assert result.reason_id == {"fail": "use.avoid", "warn": "use.warn"}[status]


def test_cambricon_entity_listing_passes_when_accepted(catalog: Catalog,
                                                       regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="CN", use_restriction_exposure="accept")
    result = use_restriction(site, regions, catalog.accelerator("cambricon-mlu370-x8-48gb"))
    assert (result.status, result.reason_id) == ("pass", "use.accepted")
    assert "Entity List" in result.reason


def test_a_us_site_judges_us_use_rules_under_export_control_not_here(
        catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="US", use_restriction_exposure="avoid")
    assert use_restriction(site, regions, catalog.accelerator(ASCEND)).status == "pass"


def test_h100_has_no_foreign_use_restriction(catalog: Catalog, regions: RegionTable) -> None:
    site = SiteRequirements(jurisdiction="DE", use_restriction_exposure="avoid")
    result = use_restriction(site, regions, catalog.accelerator(H100))
    assert (result.status, result.reason_id) == ("pass", "use.none")


# vendor-support (the shipped catalog records no support regions yet: the fail and pass cases
# add a support fact as a user would in the workspace) ---------------------------------------

USER_FACT = "workspace note (test)"


def test_support_not_required_passes(catalog: Catalog, regions: RegionTable) -> None:
    result = vendor_support(SiteRequirements(), regions, catalog.accelerator(H100))
    assert (result.status, result.reason_id) == ("pass", "support.not_needed")


def test_unknown_support_warns_no_catalog_fact(catalog: Catalog, regions: RegionTable) -> None:
    result = vendor_support(SiteRequirements(vendor_support_region="EU"), regions,
                            catalog.accelerator(H100))
    assert (result.status, result.reason_id) == ("warn", "support.unknown")
    assert result.reason.startswith("no catalog fact")


def test_recorded_support_passes_and_recorded_absence_fails(catalog: Catalog,
                                                            regions: RegionTable) -> None:
    acc = dataclasses.replace(catalog.accelerator(ASCEND), vendor_support=(
        SupportNote(("CN",), True, "vendor support in China", USER_FACT, "2026"),
        SupportNote(("EU",), False, "no vendor support in the EU", USER_FACT, "2026"),
    ))
    passed = vendor_support(SiteRequirements(vendor_support_region="CN"), regions, acc)
    failed = vendor_support(SiteRequirements(vendor_support_region="DE"), regions, acc)
    assert (passed.status, failed.status) == ("pass", "fail")
    assert failed.source == USER_FACT


# precision-weights / precision-kv-cache (an emulated format is slower, never forbidden) -----


@pytest.mark.parametrize(("accelerator", "fmt"), [
    ("nvidia-a100-sxm4-80gb", "fp8"),
    ("huawei-ascend-910b-64gb", "fp8"),
    ("nvidia-h100-sxm-80gb", "nvfp4"),
])
def test_a_format_without_native_precision_warns(catalog: Catalog, accelerator: str,
                                                 fmt: str) -> None:
    acc = catalog.accelerator(accelerator)
    for role, rule in (("weights", "precision-weights"), ("KV cache", "precision-kv-cache")):
        result = precision_support(acc, catalog.quantization(fmt), role)
        assert (result.rule, result.status, result.reason_id) == (
            rule, "warn", "precision.emulated")


def test_fp8_on_h100_and_int4_awq_on_a100_pass(catalog: Catalog) -> None:
    assert precision_support(catalog.accelerator(H100), catalog.quantization("fp8"),
                             "weights").status == "pass"
    result = precision_support(catalog.accelerator("nvidia-a100-sxm4-80gb"),
                               catalog.quantization("int4-awq"), "weights")
    assert (result.status, result.reason_id) == ("pass", "precision.native")


def test_no_native_precision_list_warns(catalog: Catalog) -> None:
    acc = dataclasses.replace(catalog.accelerator(H100), native_precisions=())
    result = precision_support(acc, catalog.quantization("bf16"), "weights")
    assert (result.status, result.reason_id) == ("warn", "precision.unknown")


def test_precision_never_fails_on_any_catalog_pair(catalog: Catalog) -> None:
    for acc in catalog.accelerators.values():
        for fmt in catalog.quantizations.values():
            assert precision_support(acc, fmt, "weights").status != "fail"
