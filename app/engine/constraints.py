"""Sovereignty constraints: which options a site's requirements allow, and why.

Pure functions over catalog specs (no catalog loading here): each rule gives a
`ConstraintResult` (pass / warn / fail, the reason, the catalog fact with its source and date,
the subject and the option id). A fact the catalog lacks warns "no catalog fact for …"; it
never passes silently. Screening, not legal advice.

Rules by subject (details in each rule's module and in resources/scenarios/REQUIREMENTS.md):
- model: licence-allowed, licence-commercial-use, licence-use-policy, licence-attribution,
  licence-region, model-origin, open-weights (`constraints_licence`)
- accelerator: hardware-vendor, hardware-origin, export-control, use-restriction,
  vendor-support (`constraints_hardware`); precision-weights, precision-kv-cache per format
- deployment / api / rental: deployment-path, data-classification; open-weights for an API
  (`constraints_path`)

`app.engine.constraint_masks` evaluates the same rules for a million options at once.
"""

from __future__ import annotations

from app.engine.catalog_types import AcceleratorSpec, ModelSpec, QuantFormat
from app.engine.constraint_types import ConstraintResult, SiteRequirements
from app.engine.constraints_hardware import (
    export_control,
    hardware_origin,
    hardware_vendor,
    precision_support,
    use_restriction,
    vendor_support,
)
from app.engine.constraints_licence import (
    licence_allowed,
    licence_attribution,
    licence_commercial_use,
    licence_region,
    licence_use_policy,
    model_origin,
    open_weights,
)
from app.engine.constraints_path import (
    API,
    PathOption,
    api_open_weights,
    data_classification,
    deployment_path,
)
from app.engine.regions import RegionTable

# Every rule with what it checks (shown in the GUI's rule list and in REQUIREMENTS.md).
RULES: dict[str, str] = {
    "deployment-path": "the deployment mode allows the path (owned hardware, public API, "
    "rented GPUs)",
    "data-classification": "the data's classification allows where it would be processed",
    "licence-allowed": "the model licence is allowed (ids, osi-only, no-mau-cap)",
    "licence-commercial-use": "the licence allows commercial use when the organisation needs it",
    "licence-use-policy": "an acceptable-use policy applies",
    "licence-attribution": "attribution or naming duties apply",
    "licence-region": "the licence grants rights to licensees in the jurisdiction",
    "model-origin": "the publisher's country is an allowed model origin",
    "open-weights": "the model's weights can be run on the site's own hardware",
    "hardware-vendor": "the accelerator vendor is allowed",
    "hardware-origin": "the accelerator vendor's country is an allowed origin",
    "export-control": "export controls reaching the jurisdiction, under the exposure setting",
    "use-restriction": "worldwide use restrictions of a foreign authority",
    "vendor-support": "the vendor supports the accelerator in the required region",
    "precision-weights": "the accelerator runs the weight format's precision natively",
    "precision-kv-cache": "the accelerator runs the KV-cache format's precision natively",
}
MODEL_RULES = ("licence-allowed", "licence-commercial-use", "licence-use-policy",
               "licence-attribution", "licence-region", "model-origin", "open-weights")
ACCELERATOR_RULES = ("hardware-vendor", "hardware-origin", "export-control", "use-restriction",
                     "vendor-support")
FORMAT_RULES = ("precision-weights", "precision-kv-cache")
PATH_RULES = ("deployment-path", "data-classification")


def check_model(site: SiteRequirements, regions: RegionTable,
                model: ModelSpec) -> tuple[ConstraintResult, ...]:
    """Every model rule, in `MODEL_RULES` order."""
    return (
        licence_allowed(site, model),
        licence_commercial_use(site, model),
        licence_use_policy(site, model),
        licence_attribution(site, model),
        licence_region(site, regions, model),
        model_origin(site, regions, model),
        open_weights(site, model),
    )


def check_accelerator(site: SiteRequirements, regions: RegionTable,
                      acc: AcceleratorSpec) -> tuple[ConstraintResult, ...]:
    """Every accelerator rule, in `ACCELERATOR_RULES` order."""
    return (
        hardware_vendor(site, acc),
        hardware_origin(site, regions, acc),
        export_control(site, regions, acc),
        use_restriction(site, regions, acc),
        vendor_support(site, regions, acc),
    )


def check_formats(acc: AcceleratorSpec, weights: QuantFormat,
                  kv_cache: QuantFormat) -> tuple[ConstraintResult, ConstraintResult]:
    """The precision rules for one weight format and one KV-cache format on `acc`."""
    return precision_support(acc, weights, "weights"), precision_support(acc, kv_cache, "KV cache")


def check_path(site: SiteRequirements, regions: RegionTable,
               option: PathOption) -> tuple[ConstraintResult, ...]:
    """Deployment mode and data classification for a path; open weights for an API."""
    results = [deployment_path(site, regions, option), data_classification(site, regions, option)]
    if option.kind == API:
        results.append(api_open_weights(site, option))
    return tuple(results)
