"""The requirements adapter, classification levels and result serialization."""

from __future__ import annotations

from app.engine.constraint_reasons import EFFECT_TEXT, REASONS, reason
from app.engine.constraint_types import (
    DESTINATION_EFFECTS,
    EXPORT_EFFECTS,
    USE_EFFECTS,
    ConstraintResult,
    SiteRequirements,
    worst,
)
from app.engine.scenario import Requirements


def test_scenario_requirements_adapt_with_defaults_for_planned_fields() -> None:
    req = Requirements(deployment_mode="air-gapped", data_classification="secret",
                       jurisdiction="DE", allowed_licences=("osi-only",),
                       export_control_exposure="avoid")
    site = SiteRequirements.from_requirements(req)
    assert (site.deployment_mode, site.jurisdiction, site.allowed_licences) == (
        "air-gapped", "DE", ("osi-only",))
    assert site.commercial_use is True
    assert site.use_restriction_exposure == "warn"


class _Later:
    """Requirements with the planned fields, as the integrated format will have them."""

    deployment_mode = "on-premise"
    allowed_model_origins = ["US", "EU"]
    export_control_exposure = "fail"
    commercial_use = False
    use_restriction_exposure = "avoid"
    unrelated_field = 3


def test_planned_fields_and_the_fail_synonym_are_read() -> None:
    site = SiteRequirements.from_requirements(_Later())
    assert site.allowed_model_origins == ("US", "EU")
    assert site.export_control_exposure == "avoid"
    assert site.commercial_use is False
    assert site.use_restriction_exposure == "avoid"


def test_classification_levels() -> None:
    assert SiteRequirements().classification_level == -1
    assert SiteRequirements(data_classification=" Confidential ").classification_level == 2
    assert SiteRequirements(data_classification="need to know").classification_level is None


def test_worst_status() -> None:
    assert worst(["pass", "warn", "pass"]) == "warn"
    assert worst(("fail", "warn")) == "fail"
    assert worst([]) == "pass"


def test_every_counted_effect_has_its_wording() -> None:
    assert DESTINATION_EFFECTS | USE_EFFECTS == set(EFFECT_TEXT)
    assert set(EFFECT_TEXT) < set(EXPORT_EFFECTS)


def test_missing_catalog_facts_are_worded_as_such() -> None:
    missing_fact = [rid for rid in REASONS
                    if rid.endswith(("unknown", "no_facts", "no_id", "no_provider_country"))
                    or rid == "licence.none"]
    missing_fact.remove("class.unknown")  # a label Enclave does not know, not a missing fact
    assert len(missing_fact) >= 10
    for reason_id in missing_fact:
        assert REASONS[reason_id].startswith("no catalog fact for"), reason_id
    assert reason("export.no_facts", accelerator="X") == "no catalog fact for export controls on X"


def test_a_result_serializes_every_field() -> None:
    result = ConstraintResult("export-control", "fail", "r", "f (source: s; as of 2026)",
                              "accelerator", "nvidia-h100-sxm-80gb", "s", "2026", "export.avoid")
    assert result.to_json() == {
        "rule": "export-control", "status": "fail", "reason": "r",
        "fact": "f (source: s; as of 2026)", "subject": "accelerator",
        "option": "nvidia-h100-sxm-80gb", "source": "s", "as_of": "2026",
        "reason_id": "export.avoid"}
