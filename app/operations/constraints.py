"""Constraint checks of a resolved scenario, for `evaluate` (the rules are in `app.engine`).

`check_constraints` returns one `ConstraintResult` per rule and option: pass / warn / fail with
the reason and the catalog fact behind it (see `app.operations.constraints_check`). The
resolved scenario carries the model, format and accelerator specs; the cloud API and GPU
rental entries are looked up in `catalog` (the shipped catalog when none is given).
"""

from __future__ import annotations

from functools import lru_cache

from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.engine.constraint_types import STATUSES, ConstraintResult, SiteRequirements
from app.operations.constraints_check import ConstraintSubjects, alternatives_of, run_checks
from app.operations.resolve import ResolvedScenario

__all__ = ["STATUSES", "ConstraintCheck", "check_constraints"]

# The name evaluate.py uses for a result; the fields it reads (rule, status, reason, fact) are
# all there, and `to_json()` adds subject, option, source and as_of.
ConstraintCheck = ConstraintResult


@lru_cache(maxsize=1)
def _shipped_catalog() -> Catalog:
    return Catalog.shipped()


def check_constraints(resolved: ResolvedScenario,
                      catalog: Catalog | None = None) -> tuple[ConstraintResult, ...]:
    """Every requirement rule applied to the resolved scenario."""
    scenario = resolved.original
    apis, rental = alternatives_of(scenario, catalog or _shipped_catalog())
    subjects = ConstraintSubjects(
        accelerator=resolved.accelerator,
        models=resolved.models,
        formats=tuple(zip(resolved.weights, resolved.kv_caches, strict=True)),
        apis=apis,
        rental=rental,
    )
    site = SiteRequirements.from_requirements(scenario.requirements)
    return run_checks(site, shipped_regions(), subjects)
