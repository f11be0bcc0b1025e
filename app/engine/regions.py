"""Country codes and country groups, as the constraint rules need them.

A region code is an ISO 3166-1 alpha-2 country code (`DE`, `CN`) or a group code (`EU`, the US
EAR country groups `D:1`, `D:4`, `D:5`, and `WORLD`). Users and catalog sources also write
country names ("United States", "China", "Macau"); `RegionTable.code` turns either into a code.
The table itself is data (`resources/catalog/regions.json`, loaded by `app.catalog.regions`),
with a source and date on every group; this module only reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

WORLD = "WORLD"


@dataclass(frozen=True)
class RegionGroup:
    """A named set of countries (`members` empty for WORLD, which holds every country)."""

    code: str
    name: str
    members: frozenset[str]
    source: str
    as_of: str


@dataclass(frozen=True)
class RegionTreatment:
    """Under `regime`, the country `code` is treated as the country `as_code` (e.g. HK as CN)."""

    code: str
    as_code: str
    regime: str
    note: str
    source: str
    as_of: str


@dataclass(frozen=True)
class RegionExclusion:
    """`code` is a member of `group` but outside the measures `regime` applies to the group."""

    group: str
    code: str
    regime: str
    note: str
    source: str
    as_of: str


@dataclass(frozen=True)
class Coverage:
    """Which of a site's countries a list of region codes covers, and the facts that said so."""

    countries: frozenset[str]
    via: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.countries)


@dataclass(frozen=True)
class RegionTable:
    """Country names → codes, and the groups codes expand to."""

    names: Mapping[str, str]
    groups: Mapping[str, RegionGroup]
    countries: frozenset[str]
    treated_as: tuple[RegionTreatment, ...] = ()
    exclusions: tuple[RegionExclusion, ...] = ()
    countries_source: str = ""
    countries_as_of: str = ""
    _lower: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        lower = {name.casefold(): code for name, code in self.names.items()}
        lower.update({c.casefold(): c for c in self.countries})
        lower.update({g.casefold(): g for g in self.groups})
        self._lower.update(lower)

    def code(self, text: str) -> str | None:
        """The region code for a code or a name; text in brackets after a name is ignored.

        "United States (designed by Intel's Israel-based Habana Labs)" → "US"; unknown → None.
        """
        cleaned = text.strip()
        if not cleaned:
            return None
        found = self._lower.get(cleaned.casefold())
        if found is None and "(" in cleaned:
            found = self._lower.get(cleaned.split("(", 1)[0].strip().casefold())
        return found

    def codes(self, texts: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(recognized codes, unrecognized texts) of a list a user or a source wrote."""
        known: list[str] = []
        unknown: list[str] = []
        for text in texts:
            code = self.code(text)
            (known if code else unknown).append(code or text)
        return tuple(known), tuple(unknown)

    def expand(self, code: str) -> frozenset[str]:
        """The countries a code stands for (a country stands for itself)."""
        if code == WORLD:
            return self.countries
        group = self.groups.get(code)
        if group is not None:
            return group.members
        return frozenset({code}) if code in self.countries else frozenset()

    def label(self, code: str) -> str:
        group = self.groups.get(code)
        return f"{code} ({group.name})" if group else code

    def covers(self, note_codes: Iterable[str], site: str, regime: str = "") -> Coverage:
        """The site's countries that `note_codes` reach, applying the regime's treatments.

        For a US EAR note, a site in Hong Kong is also reached through China, and Israel is
        not reached through D:4 (facts in the table's `treated_as` and `exclusions`).
        """
        site_countries = set(self.expand(site))
        via: list[str] = []
        for treatment in self.treated_as:
            if treatment.code in site_countries and _regime_matches(treatment.regime, regime):
                site_countries.add(treatment.as_code)
                via.append(_cite(treatment.note, treatment.source, treatment.as_of))
        codes = tuple(note_codes)
        reached: set[str] = set(codes) & site_countries
        for code in codes:
            members = set(self.expand(code))
            for exclusion in self.exclusions:
                if exclusion.group == code and _regime_matches(exclusion.regime, regime):
                    if exclusion.code in site_countries and exclusion.code in members:
                        via.append(_cite(exclusion.note, exclusion.source, exclusion.as_of))
                    members.discard(exclusion.code)
            hit = members & site_countries - reached
            if hit and code in self.groups and code != WORLD:
                group = self.groups[code]
                via.append(
                    _cite(
                        f"{', '.join(sorted(hit))} in {group.code} ({group.name})",
                        group.source,
                        group.as_of,
                    )
                )
            reached |= hit
        return Coverage(frozenset(reached), tuple(dict.fromkeys(via)) if reached else ())

    def within(self, country: str, allowed: Iterable[str]) -> bool:
        """Whether `country` (a code) lies in any of the `allowed` codes."""
        return any(country in self.expand(code) for code in allowed)


def _regime_matches(fact_regime: str, regime: str) -> bool:
    """A treatment for "US EAR" applies to notes whose regime text starts with "US EAR"."""
    return bool(regime) and regime.casefold().startswith(fact_regime.casefold())


def _cite(text: str, source: str, as_of: str) -> str:
    return f"{text} (source: {source}; as of {as_of})"
