"""Rules on an accelerator: vendor, origin, export controls, vendor support and precisions.

Export-control notes carry normalized `region_codes`, an `effect` and the `authority` whose
rule it is. `export-control` judges the notes that reach the site's jurisdiction (licence
requirements, denials, import restrictions) and the use restrictions of the site's own
authority (a US site and the US guidance on Huawei Ascend); `use-restriction` judges use
restrictions a foreign authority applies worldwide, under its own exposure setting. How a note
counts depends on the site's exposure setting:

| effect                                     | accept | warn | avoid |
|--------------------------------------------|--------|------|-------|
| licence-required, entity-listed            | pass   | warn | fail  |
| licence-possible                           | pass   | warn | warn  |
| licence-presumed-denied, use-risk,         | warn   | warn | fail  |
| import-restricted                          |        |      |       |
"""

from __future__ import annotations

from app.engine.catalog_types import AcceleratorSpec, ExportControlNote, QuantFormat
from app.engine.constraint_reasons import effect_text
from app.engine.constraint_rule import listing, rule_fact, verdict
from app.engine.constraint_types import (
    DESTINATION_EFFECTS,
    FAIL,
    PASS,
    STATUS_CODE,
    USE_EFFECTS,
    WARN,
    ConstraintResult,
    Fact,
    SiteRequirements,
)
from app.engine.regions import WORLD, Coverage, RegionTable

SUBJECT = "accelerator"

_STRICT = {"accept": WARN, "warn": WARN, "avoid": FAIL}
SEVERITY: dict[str, dict[str, str]] = {
    "licence-required": {"accept": PASS, "warn": WARN, "avoid": FAIL},
    "entity-listed": {"accept": PASS, "warn": WARN, "avoid": FAIL},
    "licence-possible": {"accept": PASS, "warn": WARN, "avoid": WARN},
    "licence-presumed-denied": _STRICT,
    "use-risk": _STRICT,
    "import-restricted": _STRICT,
}


def _vendor_names(vendor: str) -> set[str]:
    """'Huawei (HiSilicon)' → {'huawei (hisilicon)', 'huawei', 'hisilicon'}."""
    text = vendor.casefold().strip()
    names = {text}
    if "(" in text:
        head, _, rest = text.partition("(")
        names |= {head.strip(), rest.rstrip(")").strip()}
    return names


def hardware_vendor(site: SiteRequirements, acc: AcceleratorSpec) -> ConstraintResult:
    rule = "hardware-vendor"
    fact = Fact(f"{acc.name} is made by {acc.vendor}", acc.source, acc.as_of)
    allowed = [a.strip() for a in site.allowed_hardware_vendors if a.strip()]
    if not allowed:
        return verdict(rule, PASS, "vendor.any", fact, SUBJECT, acc.id)
    values = {"vendor": acc.vendor, "allowed": listing(allowed)}
    if _vendor_names(acc.vendor) & {a.casefold() for a in allowed}:
        return verdict(rule, PASS, "vendor.ok", fact, SUBJECT, acc.id, **values)
    return verdict(rule, FAIL, "vendor.no", fact, SUBJECT, acc.id, **values)


def hardware_origin(site: SiteRequirements, regions: RegionTable,
                    acc: AcceleratorSpec) -> ConstraintResult:
    rule = "hardware-origin"
    fact = Fact(f"{acc.vendor} ({acc.vendor_country or 'country not recorded'})", acc.source,
                acc.as_of)
    if not site.allowed_hardware_origins:
        return verdict(rule, PASS, "hw_origin.any", fact, SUBJECT, acc.id)
    code = regions.code(acc.vendor_country)
    if code is None:
        return verdict(rule, WARN, "hw_origin.unknown", fact, SUBJECT, acc.id, vendor=acc.vendor)
    allowed, _ = regions.codes(site.allowed_hardware_origins)
    values = {"vendor": acc.vendor, "country": code,
              "allowed": listing(site.allowed_hardware_origins)}
    if regions.within(code, allowed):
        return verdict(rule, PASS, "hw_origin.ok", fact, SUBJECT, acc.id, **values)
    return verdict(rule, FAIL, "hw_origin.no", fact, SUBJECT, acc.id, **values)


def _note_fact(acc: AcceleratorSpec, note: ExportControlNote, via: tuple[str, ...] = ()) -> Fact:
    extra = "; " + "; ".join(via) if via else ""
    return Fact(f"{acc.name}: {note.regime}: {note.note}{extra}", note.source, note.as_of)


def _latest(notes: tuple[ExportControlNote, ...] | list[ExportControlNote]) -> ExportControlNote:
    return max(notes, key=lambda n: n.as_of)


def _own_authority(regions: RegionTable, note: ExportControlNote, site_code: str | None) -> bool:
    authority = regions.code(note.authority) if note.authority else None
    return bool(site_code and authority and regions.within(authority, [site_code]))


def _reach(regions: RegionTable, note: ExportControlNote, site_code: str | None) -> Coverage:
    if site_code is None:
        return Coverage(frozenset({WORLD}) if WORLD in note.region_codes else frozenset())
    return regions.covers(note.region_codes, site_code, note.regime)


def _worst_note(hits: list[tuple[ExportControlNote, Coverage]],
                exposure: str) -> tuple[str, ExportControlNote, Coverage]:
    """The most severe note for this exposure; the most recent among equals."""
    ranked = sorted(hits, key=lambda h: (STATUS_CODE[SEVERITY[h[0].effect][exposure]],
                                         h[0].as_of))
    note, coverage = ranked[-1]
    return SEVERITY[note.effect][exposure], note, coverage


def _no_notes(rule: str, acc: AcceleratorSpec) -> ConstraintResult:
    fact = Fact(f"{acc.name}: no export-control note recorded", acc.source, acc.as_of)
    return verdict(rule, WARN, "export.no_facts", fact, SUBJECT, acc.id, accelerator=acc.name)


def export_control(site: SiteRequirements, regions: RegionTable,
                   acc: AcceleratorSpec) -> ConstraintResult:
    """Export-control notes that reach the site's jurisdiction, under its exposure setting."""
    rule, exposure = "export-control", site.export_control_exposure
    if not acc.export_control:
        return _no_notes(rule, acc)
    site_code = regions.code(site.jurisdiction)
    if site_code is None:
        status = PASS if exposure == "accept" else WARN
        return verdict(rule, status, "export.no_site", _note_fact(acc, _latest(acc.export_control)),
                       SUBJECT, acc.id)
    hits = [
        (note, coverage)
        for note in acc.export_control
        if note.effect in DESTINATION_EFFECTS
        or (note.effect in USE_EFFECTS and _own_authority(regions, note, site_code))
        if (coverage := _reach(regions, note, site_code))
    ]
    if not hits:
        below = [n for n in acc.export_control if n.effect == "below-threshold"
                 and _reach(regions, n, site_code)]
        if below:
            return verdict(rule, PASS, "export.below", _note_fact(acc, _latest(below)), SUBJECT,
                           acc.id, jurisdiction=site.jurisdiction)
        relevant = [n for n in acc.export_control if n.region_codes] or list(acc.export_control)
        return verdict(rule, PASS, "export.clear", _note_fact(acc, _latest(relevant)), SUBJECT,
                       acc.id, jurisdiction=site.jurisdiction)
    status, note, coverage = _worst_note(hits, exposure)
    if status == FAIL:
        reason_id = "export.avoid"
    elif status == WARN:
        reason_id = "export.accepted_but" if exposure == "accept" else "export.warn"
    else:
        reason_id = "export.accepted"
    where = f"site {site.jurisdiction}; the note covers {listing(note.region_codes)}"
    return verdict(rule, status, reason_id, _note_fact(acc, note, coverage.via), SUBJECT, acc.id,
                   effect=effect_text(note.effect, note.authority), regions=where)


def use_restriction(site: SiteRequirements, regions: RegionTable,
                    acc: AcceleratorSpec) -> ConstraintResult:
    """Worldwide use restrictions of a foreign authority (Entity List, GP10 guidance)."""
    rule, exposure = "use-restriction", site.use_restriction_exposure
    if not acc.export_control:
        return _no_notes(rule, acc)
    site_code = regions.code(site.jurisdiction)
    hits = [
        (note, coverage)
        for note in acc.export_control
        if note.effect in USE_EFFECTS and not _own_authority(regions, note, site_code)
        if (coverage := _reach(regions, note, site_code))
    ]
    if not hits:
        return verdict(rule, PASS, "use.none", _note_fact(acc, _latest(acc.export_control)),
                       SUBJECT, acc.id)
    status, note, coverage = _worst_note(hits, exposure)
    reason_id = {PASS: "use.accepted", WARN: "use.warn", FAIL: "use.avoid"}[status]
    return verdict(rule, status, reason_id, _note_fact(acc, note, coverage.via), SUBJECT, acc.id,
                   effect=effect_text(note.effect, note.authority))


def vendor_support(site: SiteRequirements, regions: RegionTable,
                   acc: AcceleratorSpec) -> ConstraintResult:
    """Vendor support in the required region, when the catalog records it."""
    rule, region = "vendor-support", site.vendor_support_region.strip()
    if not region:
        return verdict(rule, PASS, "support.not_needed",
                       rule_fact("vendor_support_region is empty"), SUBJECT, acc.id)
    values = {"vendor": acc.vendor, "accelerator": acc.name, "region": region}
    code = regions.code(region)
    wanted = regions.expand(code) if code else frozenset()
    for note in sorted(acc.vendor_support, key=lambda n: n.available):  # "not available" first
        covered = regions.covers(note.regions, code).countries if code else frozenset()
        fact = Fact(f"{acc.name}: {note.note}", note.source, note.as_of)
        if covered and not note.available:
            return verdict(rule, FAIL, "support.no", fact, SUBJECT, acc.id, **values)
        if wanted and covered >= wanted and note.available:
            return verdict(rule, PASS, "support.ok", fact, SUBJECT, acc.id, **values)
    fact = Fact(f"{acc.name}: no vendor-support region recorded", acc.source, acc.as_of)
    return verdict(rule, WARN, "support.unknown", fact, SUBJECT, acc.id, **values)


def precision_support(acc: AcceleratorSpec, fmt: QuantFormat, role: str) -> ConstraintResult:
    """The format's compute precision against the accelerator's native precisions.

    `role` is "weights" or "KV cache"; the rule is `precision-weights` or `precision-kv-cache`.
    """
    rule = "precision-weights" if role == "weights" else "precision-kv-cache"
    values = {"accelerator": acc.name, "format": fmt.id, "role": role,
              "precision": fmt.compute_precision.upper()}
    native = listing(p.upper() for p in acc.native_precisions)
    origin = acc.field_sources.get("native_precisions")
    fact = Fact(f"{acc.name} native precisions: {native}; format {fmt.id} computes in "
                f"{fmt.compute_precision.upper()}", origin.source if origin else acc.source,
                origin.as_of if origin else acc.as_of)
    if not acc.native_precisions:
        return verdict(rule, WARN, "precision.unknown", fact, SUBJECT, acc.id, **values)
    if fmt.compute_precision.casefold() in acc.native_precisions:
        return verdict(rule, PASS, "precision.native", fact, SUBJECT, acc.id, **values)
    return verdict(rule, WARN, "precision.emulated", fact, SUBJECT, acc.id, **values)
