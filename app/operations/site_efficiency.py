"""The efficiency factors a workspace uses: the shipped ones, overlaid with its site refits.

`workspace_efficiency(db)` gives the table every estimate, evaluation and sweep in a workspace
should use. Without site calibration it is the shipped table (`resources/efficiency/
factors.json`). With it, each (engine family, hardware class) group the site refit resolves to
its own factors, and says so in every basis: `vllm/nvidia-hopper site-calibrated from 24
points, 2026-12-03`. Every other pair resolves exactly as the shipped table resolves it: a site
group is never used as a fallback for other hardware or engines, so calibrating one GPU changes
no other GPU's estimates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from sqlite_utils import Database

from app.catalog.efficiency import factor_values, load_efficiency
from app.engine.calibration import GroupKey
from app.engine.efficiency import EfficiencyFactors, EfficiencyTable, ResolvedFactors
from app.errors import UserError
from app.storage import calibration_store
from app.storage.calibration_store import FactorRow

BAD_FACTOR_ROW = ("efficiency_factors {engine}/{hardware_class}: {rule}; undo the import that "
                  "stored it, or open a backup")


@dataclass(frozen=True)
class SiteGroup:
    """Factors a site refit for one (engine, hardware class) group, and how.

    start: the factors the group had before any site data (shipped, or their fallback).
    points: measured points of the group the fit used (all imports so far).
    fitted_at: UTC ISO time of the refit.
    bands: metric -> (P10, P90, n) of measured / predicted on the group's points after the
        refit (the site's own residuals).
    """

    engine: str
    hardware_class: str
    factors: EfficiencyFactors
    start: EfficiencyFactors
    points: int
    fitted_at: str
    bands: dict[str, tuple[float, float, int]] = field(default_factory=dict)

    @property
    def date(self) -> str:
        return self.fitted_at[:10]

    @property
    def basis(self) -> str:
        """`site-calibrated from 24 points, 2026-12-03`."""
        noun = "point" if self.points == 1 else "points"
        return f"site-calibrated from {self.points} {noun}, {self.date}"


@dataclass(frozen=True)
class SiteEfficiencyTable(EfficiencyTable):
    """The shipped table plus site groups that resolve only for their own (engine, class)."""

    site: dict[GroupKey, SiteGroup] = field(default_factory=dict)

    def resolve(self, engine: str, hardware_class: str, segment: str = "") -> ResolvedFactors:
        group = self.site.get((engine, hardware_class))
        if group is None:
            return super().resolve(engine, hardware_class, segment)
        return ResolvedFactors(factors=group.factors,
                               basis=f"{engine}/{hardware_class} {group.basis}", fitted=True)


def with_site(table: EfficiencyTable, site: Mapping[GroupKey, SiteGroup]) -> EfficiencyTable:
    """`table` (shipped) overlaid with `site` groups; the plain table when there are none."""
    base = {f.name: getattr(table, f.name) for f in fields(EfficiencyTable)}
    if isinstance(table, SiteEfficiencyTable):
        merged = {**table.site, **site}
    else:
        merged = dict(site)
    if not merged:
        return EfficiencyTable(**base)
    return SiteEfficiencyTable(**base, site=merged)


def site_groups(table: EfficiencyTable) -> dict[GroupKey, SiteGroup]:
    """The site groups of a workspace table (none for the shipped table)."""
    return dict(table.site) if isinstance(table, SiteEfficiencyTable) else {}


def shipped_table(table: EfficiencyTable) -> EfficiencyTable:
    """The table without its site groups."""
    return with_site(EfficiencyTable(**{f.name: getattr(table, f.name)
                                        for f in fields(EfficiencyTable)}), {})


def _factors(raw: Any, row: FactorRow) -> EfficiencyFactors:
    def fail(rule: str) -> UserError:
        return UserError(BAD_FACTOR_ROW.format(engine=row.engine,
                                               hardware_class=row.hardware_class, rule=rule))

    if not isinstance(raw, Mapping):
        raise fail("factors must be an object")
    try:
        return EfficiencyFactors(**factor_values(raw))
    except ValueError as exc:
        raise fail(str(exc)) from None


def group_from_row(row: FactorRow) -> SiteGroup:
    """A stored factor row as a `SiteGroup` (UserError when the row is damaged)."""
    data = row.data
    bands: dict[str, tuple[float, float, int]] = {}
    for metric, band in (data.get("bands") or {}).items():
        if (isinstance(band, list) and len(band) == 3
                and all(isinstance(v, int | float) and math.isfinite(v) for v in band)):
            bands[str(metric)] = (float(band[0]), float(band[1]), int(band[2]))
    return SiteGroup(engine=row.engine, hardware_class=row.hardware_class,
                     factors=_factors(data, row), start=_factors(data.get("start") or data, row),
                     points=row.points, fitted_at=row.fitted_at, bands=bands)


def workspace_efficiency(
    db: Database, shipped: tuple[EfficiencyTable, dict[str, str]] | None = None
) -> tuple[EfficiencyTable, dict[str, str]]:
    """(table, engine aliases) that estimates in this workspace use (module docstring)."""
    table, aliases = shipped or load_efficiency()
    site = {(r.engine, r.hardware_class): group_from_row(r)
            for r in calibration_store.factor_rows(db)}
    return with_site(table, site), aliases


def efficiency_note(table: EfficiencyTable) -> str:
    """One line saying where the factors come from (for command output and bases)."""
    groups = site_groups(table)
    shipped = f"shipped efficiency factors {table.version}".rstrip()
    if not groups:
        return shipped
    parts = [f"{g.engine}/{g.hardware_class} {g.basis}" for _, g in sorted(groups.items())]
    return f"{shipped}; " + "; ".join(parts)


def factor_basis(table: EfficiencyTable, engine: str, hardware_class: str,
                 segment: str = "") -> str:
    """Which factors one engine on one hardware class uses, in words (for a result's basis)."""
    resolved = table.resolve(engine, hardware_class, segment)
    if (engine, hardware_class) in site_groups(table):
        return resolved.basis
    return f"{resolved.basis}, shipped efficiency factors {table.version}".rstrip()
