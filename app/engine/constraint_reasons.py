"""Every reason a constraint rule can give, declared once and referred to by id.

Tests check results by `reason_id`; the GUI, the JSON output and the PDF show the text. The
wording is for compliance officers: plain, specific, and never a legal conclusion.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    # deployment-path
    "path.owned": "owned accelerators run where you install them, which meets the {mode} "
    "requirement",
    "path.api_offsite": "a public API sends prompts and documents to {provider} ({country}), "
    "outside the site: the {mode} requirement rules it out",
    "path.api_sovereign_in": "a public API of {provider} in {jurisdiction} is not a sovereign "
    "cloud: confirm hosting, operator and data-residency terms",
    "path.api_sovereign_out": "a public API of {provider} ({country}) runs outside "
    "{jurisdiction}: the sovereign-cloud requirement rules it out",
    "path.api_allowed": "public APIs are allowed (public-api)",
    "path.rental_offsite": "rented cloud GPUs run in {provider}'s data centre, not on your site: "
    "the {mode} requirement rules them out",
    "path.rental_sovereign_in": "rented GPUs of {provider} in {jurisdiction} can meet the "
    "sovereign-cloud requirement",
    "path.rental_sovereign_out": "rented GPUs of {provider} ({country}) run outside "
    "{jurisdiction}: the sovereign-cloud requirement rules them out",
    "path.rental_confidential": "{level} data on rented GPUs outside a sovereign cloud in "
    "{jurisdiction}: check the provider's data-handling terms",
    "path.rental_allowed": "rented GPUs are allowed (public-api)",
    "path.no_provider_country": "no catalog fact for the country of {provider}: cannot tell "
    "whether it is inside {jurisdiction}",
    "path.no_jurisdiction": "no jurisdiction set: cannot tell whether {provider} is inside it",
    # data-classification
    "class.unset": "no data classification stated: not checked",
    "class.unknown": "classification '{label}' is not one Enclave knows (public, internal, "
    "confidential, secret, top secret, or a synonym): not checked",
    "class.ok": "{level} data may be processed {where}",
    "class.sovereign": "{level} data {where}: acceptable only with the operator's clearance; "
    "{level} data normally stays air-gapped or on premises",
    "class.offsite": "{level} data must stay air-gapped or on premises; here it would be "
    "processed {where}",
    "class.internal_api": "{level} data sent {where}: check the provider's data-use and "
    "retention terms",
    # licence-allowed
    "licence.none": "no catalog fact for the licence of {model}",
    "licence.any": "any licence is allowed",
    "licence.listed": "licence {licence} is on the allowed list",
    "licence.not_listed": "licence {licence} is not on the allowed list ({allowed})",
    "licence.no_id": "no catalog fact for the licence id of {model}: cannot match it against "
    "the allowed list",
    "licence.osi_no": "{licence} is not OSI-approved (osi-only)",
    "licence.osi_unknown": "no catalog fact for whether {licence} is OSI-approved (osi-only)",
    "licence.osi_ok": "{licence} is OSI-approved (osi-only)",
    "licence.mau_cap": "{licence} caps use at {mau} monthly active users (no-mau-cap)",
    "licence.no_mau_cap": "{licence} has no monthly-active-user cap (no-mau-cap)",
    # licence-commercial-use
    "commercial.ok": "{licence} allows commercial use",
    "commercial.no": "{licence} does not allow commercial use, and the organisation uses "
    "models commercially",
    "commercial.noncommercial": "{licence} does not allow commercial use; the organisation "
    "declared non-commercial use",
    "commercial.unknown": "no catalog fact for whether {licence} allows commercial use",
    # licence-use-policy
    "aup.present": "an acceptable-use policy binds every use: {policy}",
    "aup.none": "no acceptable-use policy recorded in the licence terms",
    # licence-attribution
    "attribution.present": "attribution or naming duties: {duty}",
    "attribution.none": "no attribution or naming duty recorded in the licence terms",
    # licence-region
    "region.excluded": "{licence} grants no rights to licensees in {regions}, which covers "
    "{jurisdiction}",
    "region.no_site": "{licence} grants no rights to licensees in {regions}; no jurisdiction "
    "set to check",
    "region.ok": "{licence} excludes no region that covers {jurisdiction}",
    "region.none": "{licence} excludes no region of licensees",
    # model-origin
    "origin.any": "any model origin is allowed",
    "origin.ok": "{publisher} is in {country}, an allowed origin",
    "origin.no": "{publisher} is in {country}, not an allowed origin ({allowed})",
    "origin.unknown": "no catalog fact for the origin country of {model}",
    # open-weights
    "weights.open": "weights are published: the model can run on your own hardware",
    "weights.closed": "{model} has no published weights: it cannot run on your own hardware",
    "weights.api_closed": "{api} serves a proprietary model: there are no weights to bring on "
    "site under the {mode} requirement",
    "weights.api_closed_sovereign": "{api} serves a proprietary model: it can be hosted only "
    "by its provider, never in your own sovereign cloud",
    "weights.api_open": "{api} serves an open-weight model that can also run on your hardware",
    "weights.api_unknown": "no catalog fact for whether the model behind {api} has open weights",
    "weights.api_allowed": "hosted proprietary models are allowed (public-api)",
    # hardware-vendor
    "vendor.any": "any hardware vendor is allowed",
    "vendor.ok": "{vendor} is an allowed vendor",
    "vendor.no": "{vendor} is not an allowed vendor ({allowed})",
    # hardware-origin
    "hw_origin.any": "any hardware origin is allowed",
    "hw_origin.ok": "{vendor} is in {country}, an allowed origin",
    "hw_origin.no": "{vendor} is in {country}, not an allowed origin ({allowed})",
    "hw_origin.unknown": "no catalog fact for the country of {vendor}",
    # export-control
    "export.no_facts": "no catalog fact for export controls on {accelerator}",
    "export.no_site": "no jurisdiction set: export-control exposure not checked",
    "export.clear": "no export licence requirement or import restriction in the catalog "
    "reaches {jurisdiction}",
    "export.below": "the catalog's export-control notes for {jurisdiction} judge it below the "
    "control thresholds",
    "export.accepted": "{effect} ({regions}); the site accepts export-control exposure",
    "export.accepted_but": "{effect} ({regions}); accepting exposure does not make it "
    "obtainable",
    "export.warn": "{effect} ({regions})",
    "export.avoid": "{effect} ({regions}); the site avoids export-control exposure",
    # use-restriction
    "use.none": "no use restriction by a foreign authority in the catalog",
    "use.accepted": "{effect} (worldwide); the site accepts this exposure",
    "use.warn": "{effect} (worldwide)",
    "use.avoid": "{effect} (worldwide); the site avoids this exposure",
    # vendor-support
    "support.not_needed": "no vendor support region required",
    "support.ok": "{vendor} supports it in {region}",
    "support.no": "{vendor} does not support it in {region}",
    "support.unknown": "no catalog fact for {vendor} support of {accelerator} in {region}",
    # precision-weights / precision-kv-cache
    "precision.native": "{accelerator} runs {format} {role} ({precision}) natively",
    "precision.emulated": "{accelerator} has no native {precision}: {format} {role} run through "
    "a wider path (slower; the memory saving stays)",
    "precision.unknown": "no catalog fact for the native precisions of {accelerator}",
}

# How each export-control effect reads in a reason ({authority} is the rule's country).
EFFECT_TEXT: dict[str, str] = {
    "licence-required": "a {authority} export licence is required",
    "licence-presumed-denied": "{authority} licence applications are presumed denied or sales "
    "are not permitted",
    "licence-possible": "a {authority} export licence may be required (its classification "
    "depends on values the catalog lacks)",
    "import-restricted": "{authority} authorities restrict buying or importing it",
    "use-risk": "using it anywhere risks breaching {authority} export rules",
    "entity-listed": "its vendor is on the {authority} Entity List (supply, support and "
    "servicing restricted)",
}


def reason(reason_id: str, **values: object) -> str:
    """The text of a declared reason with its values filled in."""
    return REASONS[reason_id].format(**values)


def effect_text(effect: str, authority: str) -> str:
    return EFFECT_TEXT[effect].format(authority=authority or "foreign")
