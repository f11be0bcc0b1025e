"""Property: adding a restriction never turns a fail into a pass (or a warning).

A restriction is a stricter deployment mode, a higher data classification, a narrower allowed
list (a list where there was none, or fewer entries), an extra licence token, a stricter
exposure setting, a required support region, or declaring commercial use.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.engine.constraint_types import ConstraintResult, SiteRequirements
from app.engine.constraints import check_accelerator, check_formats, check_model, check_path
from app.engine.constraints_path import PathOption

CATALOG = Catalog.shipped()
REGIONS = shipped_regions()
MODES = ("public-api", "sovereign-cloud", "on-premise", "air-gapped")  # loose → strict
LEVELS = ("", "public", "internal", "confidential", "secret", "top-secret")
EXPOSURES = ("accept", "warn", "avoid")
LICENCE_CHOICES = ("apache-2.0", "mit", "llama-3.3-community", "qwen-license", "gemma-terms",
                   "mit+llama-3.1-community", "osi-only", "no-mau-cap")
ORIGINS = ("US", "CN", "FR", "EU", "China", "DE")
VENDORS = ("NVIDIA", "AMD", "Huawei", "Intel", "Apple", "Cambricon")
JURISDICTIONS = ("", "US", "CN", "DE", "EU", "SA", "HK", "IL", "RU")
LISTS = ("allowed_licences", "allowed_model_origins", "allowed_hardware_vendors",
         "allowed_hardware_origins")
CHOICES = {"allowed_licences": LICENCE_CHOICES, "allowed_model_origins": ORIGINS,
           "allowed_hardware_vendors": VENDORS, "allowed_hardware_origins": ORIGINS}

MODELS = [CATALOG.model(m) for m in ("llama-3.1-70b", "qwen2.5-72b", "qwen2.5-7b",
                                     "deepseek-v3", "mistral-large-2", "llama-4-scout",
                                     "gemma-3-27b", "deepseek-r1-distill-llama-8b")]
ACCELERATORS = [CATALOG.accelerator(a) for a in (
    "nvidia-h100-sxm-80gb", "huawei-ascend-910b-64gb", "nvidia-h20-96gb", "nvidia-l20-48gb",
    "nvidia-b200-180gb", "nvidia-geforce-rtx-4090-24gb", "apple-m4-max-128gb",
    "cambricon-mlu370-x8-48gb", "nvidia-l4-24gb", "amd-instinct-mi300x-192gb")]
FORMATS = [CATALOG.quantization(q) for q in ("bf16", "fp8", "nvfp4")]
PATHS = [PathOption.owned(ACCELERATORS[0])] + [
    PathOption.api(CATALOG.cloud_apis[a]) for a in ("openai-gpt-4o", "deepseek-deepseek-chat")
] + [PathOption.rental(CATALOG.gpu_rentals[r]) for r in (
    "aws-h100-sxm-80gb-on-demand-launch-list-price-us",
    "hyperscalers-aws-azure-gcp-range-h100-sxm5-on-demand-range")]


def every_result(site: SiteRequirements) -> dict[tuple[str, str, str, str], ConstraintResult]:
    results: list[ConstraintResult] = []
    for model in MODELS:
        results.extend(check_model(site, REGIONS, model))
    for acc in ACCELERATORS:
        results.extend(check_accelerator(site, REGIONS, acc))
        for fmt in FORMATS:
            results.extend(check_formats(acc, fmt, fmt))
    for path in PATHS:
        results.extend(check_path(site, REGIONS, path))
    return {(r.rule, r.subject, r.option, r.fact): r for r in results}


sites = st.builds(
    SiteRequirements,
    deployment_mode=st.sampled_from(MODES),
    data_classification=st.sampled_from(LEVELS),
    jurisdiction=st.sampled_from(JURISDICTIONS),
    allowed_licences=st.lists(st.sampled_from(LICENCE_CHOICES), unique=True).map(tuple),
    allowed_model_origins=st.lists(st.sampled_from(ORIGINS), unique=True).map(tuple),
    allowed_hardware_vendors=st.lists(st.sampled_from(VENDORS), unique=True).map(tuple),
    allowed_hardware_origins=st.lists(st.sampled_from(ORIGINS), unique=True).map(tuple),
    export_control_exposure=st.sampled_from(EXPOSURES),
    vendor_support_region=st.sampled_from(("", "EU", "CN", "US")),
    commercial_use=st.booleans(),
    use_restriction_exposure=st.sampled_from(EXPOSURES),
)


@st.composite
def restricted(draw: st.DrawFn, site: SiteRequirements) -> SiteRequirements:
    """`site` with one restriction added."""
    kind = draw(st.sampled_from(("mode", "level", "list", "token", "export", "use", "support",
                                 "commercial")))
    changes: dict[str, Any] = {}
    if kind == "mode":
        changes["deployment_mode"] = draw(
            st.sampled_from(MODES[MODES.index(site.deployment_mode):]))
    elif kind == "level":
        start = max(LEVELS.index(site.data_classification), 1)
        changes["data_classification"] = draw(st.sampled_from(LEVELS[start:]))
    elif kind == "list":
        name = draw(st.sampled_from(LISTS))
        current: tuple[str, ...] = getattr(site, name)
        ids = [c for c in current if c not in ("osi-only", "no-mau-cap")]
        if ids:  # narrow a list of ids (tokens stay)
            keep = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
            changes[name] = tuple(c for c in current if c in keep or c not in ids)
        else:  # from "any" to a list
            others = [c for c in CHOICES[name] if c not in ("osi-only", "no-mau-cap")]
            changes[name] = current + tuple(
                draw(st.lists(st.sampled_from(others), min_size=1, unique=True)))
    elif kind == "token":
        changes["allowed_licences"] = tuple(dict.fromkeys(
            site.allowed_licences + (draw(st.sampled_from(("osi-only", "no-mau-cap"))),)))
    elif kind in ("export", "use"):
        name = "export_control_exposure" if kind == "export" else "use_restriction_exposure"
        changes[name] = draw(st.sampled_from(EXPOSURES[EXPOSURES.index(getattr(site, name)):]))
    elif kind == "support":
        if not site.vendor_support_region:
            changes["vendor_support_region"] = draw(st.sampled_from(("EU", "CN", "US")))
    else:
        changes["commercial_use"] = True
    return dataclasses.replace(site, **changes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), site=sites)
def test_a_restriction_never_turns_a_fail_into_a_pass(data: st.DataObject,
                                                      site: SiteRequirements) -> None:
    stricter = data.draw(restricted(site))
    before = every_result(site)
    after: dict[tuple[str, str, str], list[ConstraintResult]] = {}
    for (rule, subject, option, _), result in every_result(stricter).items():
        after.setdefault((rule, subject, option), []).append(result)
    for (rule, subject, option, _), result in before.items():
        if result.status == "fail":
            again = after.get((rule, subject, option), [])
            assert again, (rule, subject, option)
            assert all(r.status == "fail" for r in again), (rule, option, site, stricter, again)
