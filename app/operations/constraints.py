"""Constraint checks of a scenario's requirements (the hook the rules engine fills).

`check_constraints` returns one `ConstraintCheck` per rule and option: pass / warn / fail with
the reason and the catalog fact behind it. The rules themselves (deployment mode vs the cloud
API path, licences, model and hardware origins, export control, vendor support) are issue 7's
rules engine; until it lands this returns no checks, and `enclave evaluate --json` carries an
empty `constraints` list.
TODO(issue 7): replace the body with the rules engine's evaluation of `resolved`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.loader import Catalog
from app.operations.resolve import ResolvedScenario


@dataclass(frozen=True)
class ConstraintCheck:
    """One rule's verdict on one option, with the reason and the catalog fact it used."""

    rule: str
    status: str  # pass | warn | fail
    reason: str
    fact: str = ""


def check_constraints(
    resolved: ResolvedScenario, catalog: Catalog | None = None
) -> tuple[ConstraintCheck, ...]:
    """Every requirement rule applied to the resolved scenario (none until issue 7).

    `catalog` is the one the evaluation used (a workspace's, or the shipped one), so the rules
    read the same facts as the costs.
    """
    del resolved, catalog  # the rules engine (issue 7) reads requirements and facts from here
    return ()
