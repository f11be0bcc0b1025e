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

from app.operations.resolve import ResolvedScenario

STATUSES = ("pass", "warn", "fail")


@dataclass(frozen=True)
class ConstraintCheck:
    """One rule's verdict on one option, with the reason and the catalog fact it used."""

    rule: str
    status: str  # pass | warn | fail
    reason: str
    fact: str = ""


def check_constraints(resolved: ResolvedScenario) -> tuple[ConstraintCheck, ...]:
    """Every requirement rule applied to the resolved scenario (none until issue 7)."""
    del resolved  # the rules engine (issue 7) reads requirements and catalog facts from here
    return ()
