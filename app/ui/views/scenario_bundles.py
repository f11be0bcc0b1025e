"""Import… and Export… of scenario bundles, for the Scenarios screen.

Import reads and verifies the file off the GUI thread (`read_bundle_file`), then plans the
import on the workspace; when names clash it asks whether to rename, replace or skip those
scenarios, and runs the import as one undoable step. Export writes the selected scenarios as
a bundle (or one plain scenario file), atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.errors import UserError
from app.operations.bundle_format import JSON_SUFFIX, ZIP_SUFFIX, Bundle
from app.operations.bundles import BundleOutcome, export_scenarios, import_bundle, plan_import
from app.operations.bundles import read_bundle_file as read_bundle
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.dialogs.alerts import show_message

_FILTER_SUFFIX = {messages.BUNDLE_FILTER_ZIP: ZIP_SUFFIX, messages.BUNDLE_FILTER_JSON: JSON_SUFFIX,
                  messages.SCENARIO_FILE_FILTER: ".json"}


class ScenarioBundleActions(QObject):
    """Import and export of bundles on the open workspace; `selected` gives the scenario ids
    to export."""

    def __init__(self, ctx: ScreenContext, selected: Callable[[], Sequence[int]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.selected = selected
        self.last_outcome: BundleOutcome | None = None

    def _parent(self) -> QWidget | None:
        return self.ctx.window

    # --- import -----------------------------------------------------------------------------

    def ask_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self._parent(), messages.IMPORT_BUNDLE_TITLE,
                                              str(Path.home()), messages.IMPORT_BUNDLE_FILTER)
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Read and verify the file off the GUI thread, then import it."""
        title = messages.IMPORT_TASK_TITLE.format(name=path.name)

        def read(progress: Any, cancel: Any) -> Bundle:
            return read_bundle(path)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                show_message(self._parent(), messages.IMPORT_BUNDLE_FAILED_TITLE, str(exc))
            else:
                self.ctx.tasks.report_error(title, exc)

        def done(bundle: Bundle) -> None:
            self.bundle_read(bundle)

        self.ctx.tasks.run(read, title, on_done=done, on_error=failed)

    def bundle_read(self, bundle: Bundle) -> QMessageBox | None:
        """Import now, or first ask what to do with names already in use (returns that box)."""
        try:
            plan = plan_import(self.ctx.workspace, bundle)
        except UserError as exc:
            show_message(self._parent(), messages.IMPORT_BUNDLE_FAILED_TITLE, str(exc))
            return None
        if not plan.clashes:
            self.run_import(bundle, "rename")
            return None
        return self._ask_clash(bundle, plan.clashes)

    def _ask_clash(self, bundle: Bundle, clashes: Sequence[str]) -> QMessageBox:
        shown = "\n".join(f"• {name}" for name in clashes[:12])
        if len(clashes) > 12:
            shown += "\n" + messages.CLASH_MORE.format(count=len(clashes) - 12)
        box = QMessageBox(QMessageBox.Icon.Question, messages.CLASH_TITLE,
                          messages.CLASH_TEXT.format(count=messages.count_noun(
                              len(clashes), "scenario"), name=bundle.source_name),
                          QMessageBox.StandardButton.NoButton, self._parent())
        box.setObjectName("clashQuestion")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(shown)
        choices = {
            box.addButton(messages.CLASH_RENAME, QMessageBox.ButtonRole.AcceptRole): "rename",
            box.addButton(messages.CLASH_REPLACE, QMessageBox.ButtonRole.DestructiveRole):
                "replace",
            box.addButton(messages.CLASH_SKIP, QMessageBox.ButtonRole.ActionRole): "skip",
        }
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(next(iter(choices)))

        def clicked(button: Any) -> None:
            choice = choices.get(button)
            if choice is not None:
                self.run_import(bundle, choice)

        box.buttonClicked.connect(clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def run_import(self, bundle: Bundle, on_clash: str) -> BundleOutcome | None:
        """Import as one undoable step; tell the user what happened."""
        try:
            outcome = self.ctx.undo.run(lambda: import_bundle(self.ctx.workspace, bundle,
                                                              on_clash))
        except UserError as exc:
            show_message(self._parent(), messages.IMPORT_BUNDLE_FAILED_TITLE, str(exc))
            return None
        assert isinstance(outcome, BundleOutcome)
        self.last_outcome = outcome
        plan = outcome.plan
        self.ctx.status(messages.STATUS_IMPORTED.format(count=plan.summary(),
                                                        name=bundle.source_name))
        if plan.warnings:
            show_message(self._parent(), messages.IMPORT_BUNDLE_WARNINGS_TITLE,
                         "\n\n".join(plan.warnings), QMessageBox.Icon.Information)
        return outcome

    # --- export -----------------------------------------------------------------------------

    def ask_export(self) -> None:
        ids = list(self.selected())
        if not ids:
            return
        suggested = Path.home() / f"enclave-scenarios{ZIP_SUFFIX}"
        name, chosen = QFileDialog.getSaveFileName(
            self._parent(), messages.EXPORT_BUNDLE_TITLE, str(suggested),
            ";;".join(_FILTER_SUFFIX))
        if name:
            path = Path(name)
            suffix = _FILTER_SUFFIX.get(chosen, "")
            if suffix and not path.name.lower().endswith(suffix):
                path = path.with_name(path.name + suffix)
            self.export_to(path, ids)

    def export_to(self, path: Path, ids: Sequence[int] | None = None) -> bool:
        try:
            result = export_scenarios(self.ctx.workspace, list(ids or self.selected()), path)
        except UserError as exc:
            show_message(self._parent(), messages.EXPORT_BUNDLE_FAILED_TITLE, str(exc))
            return False
        self.ctx.status(messages.STATUS_EXPORTED.format(
            count=messages.count_noun(len(result.scenarios), "scenario"), path=result.path))
        return True
