"""What an operation changed, and how to take it back (STYLE rule 3).

Every operation that writes to a workspace returns an `Outcome`: the `Change` it made (which
views refresh from) and an `inverse` that puts the workspace back as it was. Calling the inverse
returns another `Outcome` whose inverse re-applies the change, so undo and redo are the same
mechanism: each step restores a snapshot taken just before the previous step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import UserError

CHANGED_ELSEWHERE = ("{what}: was changed outside this undo history (by another window or the "
                     "command line), so it cannot be undone or redone here")


class ChangedElsewhere(UserError):
    """An undo/redo step found the workspace no longer as that step left it."""


@dataclass(frozen=True)
class Change:
    """What changed in a workspace.

    kind: the noun that changed (`catalog`, `scenario`, `workspace`).
    ids: the ids of the changed rows (catalog ids, or scenario ids as text).
    description: a short phrase for Undo/Redo menus and the status bar ("Edit H100 SXM").
    scope: a sub-kind where the noun has one (the catalog kind, e.g. `accelerators`).
    related: further changes made in the same step to other nouns or kinds (a scenario bundle
    adds scenarios and catalog entries at once); each is announced to the views as well.
    """

    kind: str
    ids: tuple[str, ...]
    description: str
    scope: str = ""
    related: tuple[Change, ...] = ()

    def each(self) -> tuple[Change, ...]:
        """This change and its related ones, in the order views should hear of them."""
        return (self, *(c for r in self.related for c in r.each()))


@dataclass(frozen=True)
class Outcome:
    """An applied change and the call that reverses it (returning the reverse's outcome)."""

    change: Change
    inverse: Callable[[], Outcome] = field(repr=False, compare=False)


CATALOG = "catalog"
SCENARIO = "scenario"
