"""Rules on where the AI pipeline runs: the deployment path and the data classification.

Three paths reach a workload: the owned deployment (accelerators the organisation installs),
a public cloud API, and rented cloud GPUs. `deployment-path` checks the site's deployment mode
against the path; `data-classification` checks where the data would be processed against its
classification:

| classification        | on site | sovereign cloud in jurisdiction | other cloud | public API |
|-----------------------|---------|---------------------------------|-------------|------------|
| public                | pass    | pass                            | pass        | pass       |
| internal              | pass    | pass                            | pass        | warn       |
| confidential and up   | pass    | warn                            | fail        | fail       |
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.catalog_types import AcceleratorSpec, CloudApiPrice, GpuRental
from app.engine.constraint_rule import rule_fact, verdict
from app.engine.constraint_types import (
    CONFIDENTIAL,
    FAIL,
    LEVEL_NAMES,
    PASS,
    WARN,
    ConstraintResult,
    Fact,
    SiteRequirements,
)
from app.engine.regions import RegionTable

OWNED, API, RENTAL = "deployment", "api", "rental"


@dataclass(frozen=True)
class PathOption:
    """One way of running the workload, with the provider facts the rules need."""

    kind: str  # deployment | api | rental
    id: str
    name: str
    provider: str
    provider_country: str
    fact: Fact
    model_kind: str = ""

    @classmethod
    def owned(cls, accelerator: AcceleratorSpec | None = None) -> PathOption:
        """The owned deployment (on the accelerator, when one is chosen)."""
        return cls(
            OWNED,
            accelerator.id if accelerator else "owned",
            accelerator.name if accelerator else "owned deployment",
            "the organisation",
            "",
            rule_fact("owned accelerators are installed on the site (or in the sovereign cloud "
                      "the site chooses)"),
        )

    @classmethod
    def api(cls, api: CloudApiPrice) -> PathOption:
        country = api.provider_country or "country not recorded"
        fact = Fact(f"{api.name} is a hosted API of {api.provider} ({country})",
                    api.source, api.as_of)
        return cls(API, api.id, api.name, api.provider, api.provider_country, fact,
                   api.model_kind)

    @classmethod
    def rental(cls, rental: GpuRental) -> PathOption:
        country = rental.provider_country or "country not recorded"
        fact = Fact(f"{rental.name}: GPUs rented from {rental.provider} ({country})",
                    rental.source, rental.as_of)
        return cls(RENTAL, rental.id, rental.name, rental.provider, rental.provider_country,
                   fact)


def _inside(site: SiteRequirements, regions: RegionTable, option: PathOption) -> bool | None:
    """Whether the provider is inside the site's jurisdiction (None: unknown)."""
    site_code = regions.code(site.jurisdiction)
    provider_code = regions.code(option.provider_country)
    if site_code is None or provider_code is None:
        return None
    return regions.within(provider_code, [site_code])


def _unknown_inside(site: SiteRequirements, regions: RegionTable, option: PathOption,
                    rule: str) -> ConstraintResult:
    if regions.code(site.jurisdiction) is None:
        return verdict(rule, WARN, "path.no_jurisdiction", option.fact, option.kind, option.id,
                       provider=option.provider)
    return verdict(rule, WARN, "path.no_provider_country", option.fact, option.kind, option.id,
                   provider=option.provider, jurisdiction=site.jurisdiction)


def deployment_path(site: SiteRequirements, regions: RegionTable,
                    option: PathOption) -> ConstraintResult:
    """Deployment mode against the path: public APIs fail air-gapped and on-premise sites,
    rented GPUs fail them too and must sit in the jurisdiction for a sovereign cloud."""
    rule, mode = "deployment-path", site.deployment_mode
    values = {"mode": mode, "provider": option.provider,
              "country": option.provider_country or "country not recorded",
              "jurisdiction": site.jurisdiction}
    if option.kind == OWNED:
        return verdict(rule, PASS, "path.owned", option.fact, option.kind, option.id, **values)
    prefix = "path.api" if option.kind == API else "path.rental"
    if mode in ("air-gapped", "on-premise"):
        return verdict(rule, FAIL, f"{prefix}_offsite", option.fact, option.kind, option.id,
                       **values)
    inside = _inside(site, regions, option)
    if mode == "sovereign-cloud":
        if inside is None:
            return _unknown_inside(site, regions, option, rule)
        if not inside:
            return verdict(rule, FAIL, f"{prefix}_sovereign_out", option.fact, option.kind,
                           option.id, **values)
        status = WARN if option.kind == API else PASS
        return verdict(rule, status, f"{prefix}_sovereign_in", option.fact, option.kind,
                       option.id, **values)
    level = site.classification_level
    if option.kind == RENTAL and level is not None and level >= CONFIDENTIAL and not inside:
        return verdict(rule, WARN, "path.rental_confidential", option.fact, option.kind,
                       option.id, level=LEVEL_NAMES[min(level, len(LEVEL_NAMES) - 1)],
                       jurisdiction=site.jurisdiction or "the site's jurisdiction")
    return verdict(rule, PASS, f"{prefix}_allowed", option.fact, option.kind, option.id, **values)


def _location(site: SiteRequirements, regions: RegionTable,
              option: PathOption) -> tuple[str, str]:
    """(site | sovereign | cloud | public-api, how to say where)."""
    if option.kind == OWNED:
        if site.deployment_mode == "sovereign-cloud":
            return "sovereign", "in a sovereign cloud on owned accelerators"
        return "site", f"on your site ({site.deployment_mode})"
    if option.kind == API:
        return "public-api", f"through the public API of {option.provider}"
    if _inside(site, regions, option):
        return "sovereign", f"on rented GPUs of {option.provider} in {site.jurisdiction}"
    return "cloud", f"on rented GPUs of {option.provider}"


def data_classification(site: SiteRequirements, regions: RegionTable,
                        option: PathOption) -> ConstraintResult:
    """Where the data would be processed against its classification (table above)."""
    rule = "data-classification"
    level = site.classification_level
    if level == -1:
        return verdict(rule, PASS, "class.unset", option.fact, option.kind, option.id)
    if level is None:
        return verdict(rule, WARN, "class.unknown", option.fact, option.kind, option.id,
                       label=site.data_classification)
    where_kind, where = _location(site, regions, option)
    name = LEVEL_NAMES[min(level, len(LEVEL_NAMES) - 1)]
    if level >= CONFIDENTIAL:
        if where_kind == "site":
            status, reason_id = PASS, "class.ok"
        elif where_kind == "sovereign":
            status, reason_id = WARN, "class.sovereign"
        else:
            status, reason_id = FAIL, "class.offsite"
    elif level == 1 and where_kind == "public-api":
        status, reason_id = WARN, "class.internal_api"
    else:
        status, reason_id = PASS, "class.ok"
    return verdict(rule, status, reason_id, option.fact, option.kind, option.id, level=name,
                   where=where)


def api_open_weights(site: SiteRequirements, option: PathOption) -> ConstraintResult:
    """A proprietary API model has no weights to bring on site (air-gapped, on-premise)."""
    rule, mode = "open-weights", site.deployment_mode
    kind = option.model_kind.casefold()
    fact = Fact(f"{option.name}: model kind '{option.model_kind or 'not recorded'}'",
                option.fact.source, option.fact.as_of)
    if kind.startswith("open-weight"):
        return verdict(rule, PASS, "weights.api_open", fact, option.kind, option.id,
                       api=option.name)
    if not kind.startswith("proprietary"):
        return verdict(rule, WARN, "weights.api_unknown", fact, option.kind, option.id,
                       api=option.name)
    if mode in ("air-gapped", "on-premise"):
        return verdict(rule, FAIL, "weights.api_closed", fact, option.kind, option.id,
                       api=option.name, mode=mode)
    if mode == "sovereign-cloud":
        return verdict(rule, WARN, "weights.api_closed_sovereign", fact, option.kind,
                       option.id, api=option.name)
    return verdict(rule, PASS, "weights.api_allowed", fact, option.kind, option.id)
