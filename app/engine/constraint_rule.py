"""The small helpers every rule module shares: building a result, naming a fact, a list."""

from __future__ import annotations

from collections.abc import Iterable

from app.engine.constraint_reasons import reason
from app.engine.constraint_types import ConstraintResult, Fact

REQUIREMENTS_DOC = "Enclave screening rules (resources/scenarios/REQUIREMENTS.md)"
RULES_AS_OF = "2026-11"


def verdict(
    rule: str,
    status: str,
    reason_id: str,
    fact: Fact,
    subject: str,
    option: str,
    **values: object,
) -> ConstraintResult:
    """A result whose reason is the declared message `reason_id` filled with `values`."""
    return ConstraintResult(
        rule=rule,
        status=status,
        reason=reason(reason_id, **values),
        fact=fact.render(),
        subject=subject,
        option=option,
        source=fact.source,
        as_of=fact.as_of,
        reason_id=reason_id,
    )


def rule_fact(text: str) -> Fact:
    """A fact that is Enclave's own screening rule rather than a catalog value."""
    return Fact(text, REQUIREMENTS_DOC, RULES_AS_OF)


def listing(items: Iterable[str]) -> str:
    values = list(items)
    return ", ".join(values) if values else "none"
