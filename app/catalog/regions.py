"""Load the shipped region table (`resources/catalog/regions.json`) for the constraint rules.

The file holds ISO 3166-1 country codes with their names, the country groups rules expand
(EU, US EAR D:1/D:4/D:5) and regime-specific treatments (Hong Kong as China under the EAR),
each group with its source and date. See `resources/catalog/README.md`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.catalog.loader import CatalogError
from app.engine.regions import (
    WORLD,
    RegionExclusion,
    RegionGroup,
    RegionTable,
    RegionTreatment,
)
from app.paths import resources_dir

REGIONS_FILE = "regions.json"
# The fields every regime-specific rule (a treatment or an exclusion) carries: field -> key.
RULE_FIELDS = {"regime": "regime", "note": "note", "source": "source", "as_of": "as_of"}


def _required(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{REGIONS_FILE}: {where}.{key} must be non-empty text")
    return value


def _texts(item: Mapping[str, Any], where: str, keys: Mapping[str, str]) -> dict[str, str]:
    """`{field: item[key]}` for every `field: key` of `keys`, each required non-empty text
    (checked in order, so the first missing key is the one named)."""
    return {field: _required(item, key, where) for field, key in keys.items()}


def parse_regions(data: Any) -> RegionTable:
    """Validate a decoded region table; raise CatalogError naming the broken field."""
    if not isinstance(data, Mapping) or data.get("kind") != "regions":
        raise CatalogError(f"{REGIONS_FILE}: must be a JSON object with kind 'regions'")
    names: dict[str, str] = {}
    countries: set[str] = set()
    for i, country in enumerate(data.get("countries") or ()):
        code = _required(country, "code", f"countries[{i}]")
        countries.add(code)
        for name in country.get("names") or ():
            names.setdefault(str(name), code)
    groups: dict[str, RegionGroup] = {}
    for i, group in enumerate(data.get("groups") or ()):
        where = f"groups[{i}]"
        code = _required(group, "code", where)
        members = group.get("members")
        member_set = frozenset() if code == WORLD else frozenset(str(m) for m in members or ())
        unknown = sorted(member_set - countries)
        if unknown:
            raise CatalogError(f"{REGIONS_FILE}: {where}.members: unknown codes {unknown}")
        groups[code] = RegionGroup(
            code=code,
            name=_required(group, "name", where),
            members=member_set,
            source=_required(group, "source", where),
            as_of=_required(group, "as_of", where),
        )
    treated = tuple(
        RegionTreatment(**_texts(t, f"treated_as[{i}]", {"code": "code", "as_code": "as",
                                                          **RULE_FIELDS}))
        for i, t in enumerate(data.get("treated_as") or ())
    )
    excluded = tuple(
        RegionExclusion(**_texts(x, f"exclusions[{i}]", {"group": "group", "code": "code",
                                                          **RULE_FIELDS}))
        for i, x in enumerate(data.get("exclusions") or ())
    )
    origin = data.get("countries_source") or {}
    return RegionTable(
        names=names,
        groups=groups,
        countries=frozenset(countries),
        treated_as=treated,
        exclusions=excluded,
        countries_source=str(origin.get("source", "")),
        countries_as_of=str(origin.get("as_of", "")),
    )


def read_regions(path: Path) -> RegionTable:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path.name}: cannot be read ({exc})") from None
    return parse_regions(data)


@lru_cache(maxsize=1)
def shipped_regions() -> RegionTable:
    """The region table shipped with Enclave (read once)."""
    return read_regions(resources_dir() / "catalog" / REGIONS_FILE)
