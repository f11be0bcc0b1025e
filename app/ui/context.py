"""What every screen is given: the open workspace and the shared app services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from app.storage.workspace import Workspace
from app.ui.tasks import TaskRunner
from app.ui.undo import WorkspaceEvents, WorkspaceUndo


@dataclass(frozen=True)
class ScreenContext:
    """workspace: the open workspace (owned by the GUI thread).
    events: `changed(Change)` after every operation/undo/redo; screens refresh from it.
    undo: run operations through `undo.run(...)` so they can be undone.
    tasks: the background runner for long work.
    status: show a short message in the status bar.
    window: parent for dialogs and message boxes.
    """

    workspace: Workspace
    events: WorkspaceEvents
    undo: WorkspaceUndo
    tasks: TaskRunner
    status: Callable[[str], None]
    window: QWidget | None = None
