"""Undo/redo of workspace operations, and the hub views refresh from (STYLE rule 3).

An operation (app/operations) applies a change and returns an `Outcome`: the `Change` and its
`inverse`. `WorkspaceUndo.run(op)` runs it (a `UserError` propagates to the caller, which shows
it at the field or in a dialog, and nothing is pushed), then pushes an `OperationCommand` on a
`QUndoStack`. Undo and redo call the stored inverse, which returns the next inverse.

Every applied, undone or redone change is announced on `WorkspaceEvents.changed(Change)`;
views refresh from that signal and never call one another.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from app.operations.change import Change, Outcome


class WorkspaceEvents(QObject):
    """What changed in the open workspace.

    changed(Change): after every operation, undo and redo.
    workspace_opened(object): a different workspace is now open (views are rebuilt).
    """

    changed = Signal(object)
    workspace_opened = Signal(object)

    def announce(self, change: Change) -> None:
        """Tell every view; a change with related changes (other kinds) is told as each."""
        for part in change.each():
            self.changed.emit(part)


class OperationCommand(QUndoCommand):
    """One undoable operation: its first redo is the operation itself, already applied."""

    def __init__(self, outcome: Outcome, undo: WorkspaceUndo) -> None:
        super().__init__(outcome.change.description)
        self._outcome = outcome
        self._undo = undo
        self._applied = False

    def redo(self) -> None:
        if not self._applied:  # the operation itself, already applied by `run`
            self._applied = True
            self._undo.events.announce(self._outcome.change)
        elif self._step():
            self._undo.redone.emit(self._outcome.change)

    def undo(self) -> None:
        if self._step():
            self._undo.undone.emit(self._outcome.change)

    def _step(self) -> bool:
        try:
            self._outcome = self._outcome.inverse()
        except Exception as exc:  # noqa: BLE001 - reported, then the history is dropped
            self._undo.events.announce(self._outcome.change)  # views re-read what is stored
            self._undo.report_failure(exc)
            return False
        self._undo.events.announce(self._outcome.change)
        return True


class WorkspaceUndo(QObject):
    """The undo history of the open workspace.

    failed(exception): an undo or redo could not be applied (the workspace was changed
    elsewhere); the history is cleared right after, since it no longer matches the file.
    undone(Change) / redone(Change): a step was taken back / applied again.
    """

    failed = Signal(object)
    undone = Signal(object)
    redone = Signal(object)

    def __init__(self, events: WorkspaceEvents, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.events = events
        self.stack = QUndoStack(self)

    def run(self, operation: Callable[[], Outcome]) -> Outcome:
        """Apply an operation and make it undoable; a `UserError` leaves the stack as it was."""
        outcome = operation()
        self.stack.push(OperationCommand(outcome, self))
        return outcome

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def clear(self) -> None:
        self.stack.clear()

    def report_failure(self, exc: BaseException) -> None:
        self.failed.emit(exc)
        QTimer.singleShot(0, self.stack.clear)  # not from inside the command being run

    def make_actions(self, parent: QObject) -> tuple[QAction, QAction]:
        """Edit → Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z, Ctrl+Y), named after the next step."""
        undo = self.stack.createUndoAction(parent, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.stack.createRedoAction(parent, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        return undo, redo
