"""Rules on a model: its licence, its origin and whether its weights are published.

`allowed_licences` holds licence ids (`apache-2.0`, `mit`, `llama-3.1-community`, …; a model
under two licences needs both allowed) and the tokens `osi-only` (only OSI-approved licences)
and `no-mau-cap` (no licence that caps monthly active users). Ids and tokens combine: a
licence must be listed (when ids are given) and meet every token.
"""

from __future__ import annotations

from app.engine.catalog_types import LicenceTerms, ModelSpec
from app.engine.constraint_reasons import reason
from app.engine.constraint_rule import listing, verdict
from app.engine.constraint_types import (
    FAIL,
    LICENCE_TOKENS,
    PASS,
    STATUS_CODE,
    TOKEN_NO_MAU_CAP,
    TOKEN_OSI_ONLY,
    WARN,
    ConstraintResult,
    Fact,
    SiteRequirements,
    worst,
)
from app.engine.regions import RegionTable

SUBJECT = "model"
AUP_SUMMARY_CHARS = 240


def _licence_fact(model: ModelSpec, lic: LicenceTerms, detail: str = "") -> Fact:
    key = f" [{lic.id}]" if lic.id else ""
    extra = f"; {detail}" if detail else ""
    return Fact(f"{model.name}: licence '{lic.name}'{key}{extra}", lic.source or model.source,
                lic.as_of or model.as_of)


def _no_licence(rule: str, model: ModelSpec) -> ConstraintResult:
    fact = Fact(f"{model.name}: no licence recorded", model.source, model.as_of)
    return verdict(rule, WARN, "licence.none", fact, SUBJECT, model.id, model=model.name)


def _combined(rule: str, model: ModelSpec, fact: Fact,
              checks: list[tuple[str, str, dict[str, object]]]) -> ConstraintResult:
    """One result from several checks: the worst status, with the reasons that gave it."""
    status = worst([c[0] for c in checks])
    shown = [c for c in checks if STATUS_CODE[c[0]] == STATUS_CODE[status]]
    return ConstraintResult(
        rule=rule,
        status=status,
        reason="; ".join(reason(rid, **values) for _, rid, values in shown),
        fact=fact.render(),
        subject=SUBJECT,
        option=model.id,
        source=fact.source,
        as_of=fact.as_of,
        reason_id=shown[0][1],
    )


def licence_allowed(site: SiteRequirements, model: ModelSpec) -> ConstraintResult:
    """The licence against `allowed_licences` (ids, `osi-only`, `no-mau-cap`)."""
    rule, lic = "licence-allowed", model.licence
    if lic is None:
        return _no_licence(rule, model)
    allowed = [a.strip() for a in site.allowed_licences if a.strip()]
    tokens = {a.casefold() for a in allowed} & set(LICENCE_TOKENS)
    ids = [a for a in allowed if a.casefold() not in LICENCE_TOKENS]
    cap = f"{lic.mau_cap:,}" if lic.mau_cap is not None else "none"
    fact = _licence_fact(model, lic, f"OSI-approved {lic.osi_approved}; MAU cap {cap}")
    if not allowed:
        return verdict(rule, PASS, "licence.any", fact, SUBJECT, model.id)
    name = lic.id or lic.name
    checks: list[tuple[str, str, dict[str, object]]] = []
    if ids:
        wanted = {a.casefold() for a in ids}
        parts = set(lic.id.casefold().split("+")) if lic.id else set()
        if not lic.id and lic.name.casefold() not in wanted:
            checks.append((WARN, "licence.no_id", {"model": model.name}))
        elif lic.name.casefold() in wanted or (parts and parts <= wanted):
            checks.append((PASS, "licence.listed", {"licence": name}))
        else:
            checks.append((FAIL, "licence.not_listed", {"licence": name, "allowed": listing(ids)}))
    if TOKEN_OSI_ONLY in tokens:
        if lic.osi_approved is None:
            checks.append((WARN, "licence.osi_unknown", {"licence": name}))
        else:
            checks.append((PASS, "licence.osi_ok", {"licence": name}) if lic.osi_approved
                          else (FAIL, "licence.osi_no", {"licence": name}))
    if TOKEN_NO_MAU_CAP in tokens:
        checks.append((FAIL, "licence.mau_cap", {"licence": name, "mau": cap})
                      if lic.mau_cap is not None
                      else (PASS, "licence.no_mau_cap", {"licence": name}))
    return _combined(rule, model, fact, checks)


def licence_commercial_use(site: SiteRequirements, model: ModelSpec) -> ConstraintResult:
    """A licence that forbids commercial use fails an organisation that uses models commercially."""
    rule, lic = "licence-commercial-use", model.licence
    if lic is None:
        return _no_licence(rule, model)
    fact = _licence_fact(model, lic, f"commercial use {lic.commercial_use}")
    name = lic.id or lic.name
    if lic.commercial_use is None:
        return verdict(rule, WARN, "commercial.unknown", fact, SUBJECT, model.id, licence=name)
    if lic.commercial_use:
        return verdict(rule, PASS, "commercial.ok", fact, SUBJECT, model.id, licence=name)
    if site.commercial_use:
        return verdict(rule, FAIL, "commercial.no", fact, SUBJECT, model.id, licence=name)
    return verdict(rule, PASS, "commercial.noncommercial", fact, SUBJECT, model.id, licence=name)


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= AUP_SUMMARY_CHARS else text[: AUP_SUMMARY_CHARS - 1] + "…"


def licence_use_policy(site: SiteRequirements, model: ModelSpec) -> ConstraintResult:
    """An acceptable-use policy always warns, with the clause summary."""
    del site  # the policy binds every site alike
    rule, lic = "licence-use-policy", model.licence
    if lic is None:
        return _no_licence(rule, model)
    fact = _licence_fact(model, lic)
    if lic.acceptable_use_policy:
        return verdict(rule, WARN, "aup.present", fact, SUBJECT, model.id,
                       policy=_summary(lic.acceptable_use_policy))
    return verdict(rule, PASS, "aup.none", fact, SUBJECT, model.id)


def licence_attribution(site: SiteRequirements, model: ModelSpec) -> ConstraintResult:
    """Attribution or naming duties ("Built with Llama", name prefixes) always warn."""
    del site
    rule, lic = "licence-attribution", model.licence
    if lic is None:
        return _no_licence(rule, model)
    fact = _licence_fact(model, lic)
    if lic.attribution:
        return verdict(rule, WARN, "attribution.present", fact, SUBJECT, model.id,
                       duty=_summary(lic.attribution))
    return verdict(rule, PASS, "attribution.none", fact, SUBJECT, model.id)


def licence_region(site: SiteRequirements, regions: RegionTable,
                   model: ModelSpec) -> ConstraintResult:
    """A licence that grants no rights to licensees in the site's jurisdiction fails."""
    rule, lic = "licence-region", model.licence
    if lic is None:
        return _no_licence(rule, model)
    name = lic.id or lic.name
    origin = model.field_sources.get("licence.excluded_regions")
    excluded = listing(lic.excluded_regions)
    fact = Fact(f"{model.name}: licence '{lic.name}' excludes licensees in {excluded}",
                origin.source if origin else lic.source or model.source,
                origin.as_of if origin else lic.as_of or model.as_of)
    site_code = regions.code(site.jurisdiction)
    if not lic.excluded_regions:
        if site_code is None:
            return verdict(rule, PASS, "region.none", fact, SUBJECT, model.id, licence=name)
        return verdict(rule, PASS, "region.ok", fact, SUBJECT, model.id, licence=name,
                       jurisdiction=site.jurisdiction)
    if site_code is None:
        return verdict(rule, WARN, "region.no_site", fact, SUBJECT, model.id, licence=name,
                       regions=excluded)
    if regions.covers(lic.excluded_regions, site_code):
        return verdict(rule, FAIL, "region.excluded", fact, SUBJECT, model.id, licence=name,
                       regions=excluded, jurisdiction=site.jurisdiction)
    return verdict(rule, PASS, "region.ok", fact, SUBJECT, model.id, licence=name,
                   jurisdiction=site.jurisdiction)


def model_origin(site: SiteRequirements, regions: RegionTable,
                 model: ModelSpec) -> ConstraintResult:
    """The publisher's country against `allowed_model_origins` (codes, names or groups)."""
    rule = "model-origin"
    origin = model.field_sources.get("origin_country")
    fact = Fact(f"{model.name} is published by {model.publisher or 'an unrecorded publisher'} "
                f"({model.origin_country or 'country not recorded'})",
                origin.source if origin else model.source,
                origin.as_of if origin else model.as_of)
    if not site.allowed_model_origins:
        return verdict(rule, PASS, "origin.any", fact, SUBJECT, model.id)
    code = regions.code(model.origin_country)
    if code is None:
        return verdict(rule, WARN, "origin.unknown", fact, SUBJECT, model.id, model=model.name)
    allowed, _ = regions.codes(site.allowed_model_origins)
    values = {"publisher": model.publisher or model.name, "country": code,
              "allowed": listing(site.allowed_model_origins)}
    if regions.within(code, allowed):
        return verdict(rule, PASS, "origin.ok", fact, SUBJECT, model.id, **values)
    return verdict(rule, FAIL, "origin.no", fact, SUBJECT, model.id, **values)


def open_weights(site: SiteRequirements, model: ModelSpec) -> ConstraintResult:
    """A model without published weights cannot run on owned hardware (any mode)."""
    del site  # owned hardware needs the weights whatever the mode
    rule = "open-weights"
    fact = Fact(f"{model.name}: open weights {'yes' if model.open_weights else 'no'}",
                model.source, model.as_of)
    if model.open_weights:
        return verdict(rule, PASS, "weights.open", fact, SUBJECT, model.id)
    return verdict(rule, FAIL, "weights.closed", fact, SUBJECT, model.id, model=model.name)
