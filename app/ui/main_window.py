"""The main window: navigation on the left, one screen at a time on the right.

It owns the app-wide services (change hub, undo history, background runner, settings) and the
open workspace. Opening another workspace rebuilds the screens on it and clears the undo
history; a file that cannot be opened is reported and the current workspace stays open, and a
damaged one is offered its recovery options (restore a backup, open read-only, salvage).
The File menu also restores the open workspace from a backup (then reopens it), runs a full
integrity check and shows the audit log.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.operations import workspace_maintenance
from app.operations.workspace_ops import open_workspace, save_copy
from app.paths import user_data_dir
from app.storage import catalog_store
from app.storage.backups import BackupInfo
from app.storage.errors import DamagedWorkspaceError
from app.storage.settings import (
    Settings,
    load_settings,
    save_settings,
    with_recent_workspace,
    without_recent_workspace,
)
from app.storage.workspace import Workspace
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.dialogs.about_dialog import AboutDialog
from app.ui.dialogs.alerts import show_internal_error, show_message
from app.ui.dialogs.audit_log_dialog import AuditLogDialog
from app.ui.dialogs.recovery_dialog import RecoveryDialog, recover
from app.ui.dialogs.restore_dialog import RestoreBackupDialog
from app.ui.escaping import plain_label, tooltip
from app.ui.tasks import TaskRunner
from app.ui.undo import WorkspaceEvents, WorkspaceUndo
from app.ui.views.catalog_view import CatalogView
from app.ui.views.compare_view import CompareView
from app.ui.views.dashboard_view import DashboardView
from app.ui.views.explorer_view import ExplorerView
from app.ui.views.report_view import ReportView
from app.ui.views.scenarios_view import ScenariosView
from app.ui.views.unreadable_screen import UnreadableScreen
from app.ui.views.validation_view import ValidationView

SCREENS: tuple[Any, ...] = (ScenariosView, DashboardView, CompareView, ExplorerView, CatalogView,
                            ValidationView, ReportView)
"""Screen classes in navigation order; screen N is on Ctrl+N."""
STATUS_MESSAGE_MS = 8000
PATH_LABEL_MAX_PX = 420


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else load_settings()
        self.events = WorkspaceEvents(self)
        self.undo = WorkspaceUndo(self.events, self)
        self.undo.failed.connect(self._undo_failed)
        self.undo.undone.connect(lambda change: self.show_status(
            messages.STATUS_UNDONE.format(what=change.description)))
        self.undo.redone.connect(lambda change: self.show_status(
            messages.STATUS_REDONE.format(what=change.description)))
        self.tasks = TaskRunner(self)
        self.tasks.status_message = self.show_status
        self.resize(1280, 800)
        self.setMinimumSize(1024, 640)
        self.workspace = workspace
        self.screens: list[QWidget] = []
        self.workspace_dialogs: list[QWidget] = []  # closed when another workspace opens
        self.persist_layout = True  # False under --smoke: CI runs leave preferences alone

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack = QStackedWidget()
        sidebar = QFrame()
        sidebar.setObjectName("sidebar")
        sidebar.setFixedWidth(190)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 10)
        side.setSpacing(0)
        brand = QLabel(messages.APP_NAME)
        brand.setObjectName("brand")
        brand_sub = QLabel(messages.APP_SUBTITLE)
        brand_sub.setObjectName("brandSub")
        side.addWidget(brand)
        side.addWidget(brand_sub)
        side.addWidget(self.nav, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.path_label = plain_label()  # a file name can hold anything
        self.path_label.setObjectName("workspacePath")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.catalog_label = QLabel()
        self.offline_label = QLabel(messages.STATUS_OFFLINE)
        self.offline_label.setToolTip(messages.STATUS_OFFLINE_TIP)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("workspaceNotice")
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        status = self.statusBar()
        status.addWidget(self.notice_label, 1)
        status.addPermanentWidget(self.tasks.indicator)
        status.addPermanentWidget(self.path_label)
        status.addPermanentWidget(self.catalog_label)
        status.addPermanentWidget(self.offline_label)

        self._build_menus()
        self._install(workspace)
        self.events.changed.connect(lambda change: self._update_status())

    # --- menus ------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.new_action = self._menu_action(file_menu, "&New workspace…", "Ctrl+Shift+N",
                                            self.ask_new_workspace)
        self.open_action = self._menu_action(file_menu, "&Open workspace…", "Ctrl+O",
                                             self.ask_open_workspace)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        self.save_copy_action = self._menu_action(file_menu, "Save a &copy as…", "Ctrl+Shift+S",
                                                  self.ask_save_copy)
        file_menu.addSeparator()
        self.restore_action = self._menu_action(file_menu, "Restore from &backup…", "",
                                                self.ask_restore_backup)
        self.integrity_action = self._menu_action(file_menu, "Check &integrity", "",
                                                  self.check_integrity)
        self.audit_action = self._menu_action(file_menu, "&Audit log…", "", self.show_audit_log)
        file_menu.addSeparator()
        self.quit_action = self._menu_action(file_menu, "&Quit", "Ctrl+Q", self.close)
        edit_menu = menu.addMenu("&Edit")
        self.undo_action, self.redo_action = self.undo.make_actions(self)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.go_menu = menu.addMenu("&Go")
        self.screen_actions: list[QAction] = []
        for number, screen_type in enumerate(SCREENS, start=1):
            action = self._menu_action(self.go_menu, screen_type.title, f"Ctrl+{number}",
                                       functools.partial(self.nav.setCurrentRow, number - 1))
            self.screen_actions.append(action)
        help_menu = menu.addMenu("&Help")
        self.about_action = self._menu_action(help_menu, "&About Enclave", "", self.show_about)
        self._fill_recent_menu()

    def _menu_action(self, menu: QMenu, text: str, shortcut: str,
                     slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_workspaces
        if not recent:
            empty = self.recent_menu.addAction(messages.NO_RECENT_WORKSPACES)
            empty.setEnabled(False)
            return
        for number, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number} {path.replace('&', '&&')}")
            action.triggered.connect(lambda _checked=False, p=path: self.open_recent(p))
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction(messages.CLEAR_RECENT)
        clear.triggered.connect(self.clear_recent)

    # --- workspace --------------------------------------------------------------------------

    def _install(self, workspace: Workspace) -> None:
        """Build every screen on `workspace` (replacing those of the previous one)."""
        row = max(self.nav.currentRow(), 0)
        catalog = self._catalog_screen()
        kind = catalog.current_kind if catalog is not None else self.settings.catalog_kind
        # Remove the shown screen last: removing it first would show (and run the showEvent
        # of) the next old screen, whose workspace may already be closed.
        current = self.stack.currentWidget()
        for screen in sorted(self.screens, key=lambda s: s is current):
            stop = getattr(screen, "shutdown", None)
            if callable(stop):
                stop()
            self.stack.removeWidget(screen)
            screen.deleteLater()
        self.nav.clear()
        for dialog in self.workspace_dialogs:
            dialog.close()
        self.workspace_dialogs.clear()
        self.workspace = workspace
        ctx = ScreenContext(workspace=workspace, events=self.events, undo=self.undo,
                            tasks=self.tasks, status=self.show_status, window=self)
        self.screens = [self._build_screen(screen_type, ctx) for screen_type in SCREENS]
        scenarios = self._scenarios_screen()
        if scenarios is not None:
            scenarios.open_scenario.connect(self.open_scenario)
        for number, screen in enumerate(self.screens, start=1):
            item = QListWidgetItem(str(getattr(screen, "title", type(screen).__name__)))
            item.setToolTip(f"Ctrl+{number}")
            self.nav.addItem(item)
            self.stack.addWidget(screen)
        catalog = self._catalog_screen()
        if catalog is not None:
            catalog.set_kind(kind)
        self.nav.setCurrentRow(min(row, len(self.screens) - 1))
        title = messages.WINDOW_TITLE.format(workspace=workspace.path.name)
        if workspace.read_only:
            title += messages.WINDOW_TITLE_READ_ONLY
        self.setWindowTitle(title)
        self.restore_action.setEnabled(not workspace.read_only)
        # How the workspace was opened (read-only and why, a missed backup), from storage.
        notices = [workspace.notice] if workspace.notice else []
        refresh = workspace.catalog_refresh
        if refresh is not None and refresh.changed:
            notices.append(messages.CATALOG_REFRESHED.format(
                version=refresh.to_version or "—", updated=refresh.updated, added=refresh.added,
                kept=refresh.edits_kept))
        self.notice_label.setText("  ".join(notices))
        self.notice_label.setVisible(bool(notices))
        self._update_status()
        self._remember(workspace.path)
        self.events.workspace_opened.emit(workspace)

    def _update_status(self) -> None:
        path = str(self.workspace.path)
        text = messages.STATUS_WORKSPACE.format(path=path)
        metrics = self.path_label.fontMetrics()
        self.path_label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle,
                                                   PATH_LABEL_MAX_PX))
        self.path_label.setToolTip(tooltip(path))
        try:  # the meta table, not the whole catalog: a damaged catalog still shows a version
            version = catalog_store.catalog_version(self.workspace.db)
        except UserError:
            version = ""
        self.catalog_label.setText(messages.STATUS_CATALOG.format(version=version or "—"))

    def status_text(self) -> str:
        """The status bar's permanent texts, unelided (for tests)."""
        return "   ".join([messages.STATUS_WORKSPACE.format(path=self.workspace.path),
                           self.catalog_label.text(), self.offline_label.text()])

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def _remember(self, path: Path) -> None:
        updated = with_recent_workspace(self.settings, path)
        if updated != self.settings:
            self.settings = updated
            self._save_settings()

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError:
            pass  # preferences are a convenience; never block work on them

    def _switch_to(self, workspace: Workspace) -> None:
        old = self.workspace
        self.undo.clear()
        self._install(workspace)
        if old is not workspace:
            old.close()
        self.show_status(messages.STATUS_OPENED.format(path=workspace.path))

    def open_workspace_path(self, path: Path) -> bool:
        """Open an existing workspace file; on failure tell the user and keep the current one."""
        path = Path(path)
        if not path.exists():
            show_message(self, messages.OPEN_WORKSPACE_TITLE,
                         messages.WORKSPACE_MISSING.format(path=path))
            return False
        if path.resolve() == self.workspace.path.resolve():
            return True
        try:
            workspace = open_workspace(path)
        except DamagedWorkspaceError as exc:
            self.offer_recovery(path, exc)
            return False
        except UserError as exc:
            show_message(self, messages.OPEN_WORKSPACE_TITLE, str(exc))
            return False
        self._switch_to(workspace)
        return True

    def offer_recovery(self, path: Path, error: DamagedWorkspaceError) -> RecoveryDialog:
        """The recovery options for a damaged file; the choice is carried out and opened."""
        dialog = RecoveryDialog(path, error, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda action, backup: self.recover_workspace(path, action, backup))
        dialog.open()
        return dialog

    def recover_workspace(self, path: Path, action: str, backup: BackupInfo | None) -> bool:
        try:
            workspace, status = recover(Path(path), action, backup)
        except UserError as exc:
            show_message(self, messages.RECOVERY_FAILED_TITLE, str(exc))
            return False
        self._switch_to(workspace)
        self.show_status(status)
        return True

    def new_workspace_path(self, path: Path) -> bool:
        """Create a workspace (seeded with the shipped catalog, no demo scenarios) at a new
        path and open it."""
        path = Path(path)
        if path.exists():
            show_message(self, messages.NEW_WORKSPACE_TITLE,
                         messages.WORKSPACE_EXISTS.format(path=path))
            return False
        try:
            workspace = open_workspace(path, with_demos=False)
        except UserError as exc:
            show_message(self, messages.NEW_WORKSPACE_TITLE, str(exc))
            return False
        self._switch_to(workspace)
        return True

    def save_copy_to(self, path: Path) -> bool:
        try:
            target = save_copy(self.workspace, Path(path))
        except UserError as exc:
            show_message(self, messages.SAVE_COPY_TITLE, str(exc))
            return False
        self.show_status(messages.STATUS_COPY_SAVED.format(path=target))
        return True

    def open_recent(self, path: str) -> bool:
        if not Path(path).exists():
            self.settings = without_recent_workspace(self.settings, path)
            self._save_settings()
        return self.open_workspace_path(Path(path))

    def clear_recent(self) -> None:
        self.settings = dataclasses.replace(self.settings, recent_workspaces=())
        self._save_settings()

    def _start_folder(self) -> str:
        return str(self.workspace.path.parent if self.workspace.path.parent.is_dir()
                   else user_data_dir())

    def ask_open_workspace(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, messages.OPEN_DIALOG_TITLE, self._start_folder(),
                                              messages.WORKSPACE_FILE_FILTER)
        if name:
            self.open_workspace_path(Path(name))

    def ask_new_workspace(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, messages.NEW_DIALOG_TITLE, str(Path(self._start_folder()) / "new.enclave.sqlite"),
            messages.WORKSPACE_FILE_FILTER, options=QFileDialog.Option.DontConfirmOverwrite)
        if name:
            self.new_workspace_path(Path(name))

    def ask_save_copy(self) -> None:
        suggested = self.workspace.path.with_name(
            self.workspace.path.name.replace(".enclave.sqlite", "") + "-copy.enclave.sqlite")
        name, _ = QFileDialog.getSaveFileName(self, messages.SAVE_COPY_DIALOG_TITLE,
                                              str(suggested), messages.WORKSPACE_FILE_FILTER)
        if name:
            self.save_copy_to(Path(name))

    # --- workspace care: restore, integrity, audit log ---------------------------------------

    def ask_restore_backup(self) -> RestoreBackupDialog:
        dialog = RestoreBackupDialog(self.workspace.path,
                                     workspace_maintenance.list_backups(self.workspace.path), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restore_requested.connect(lambda info: self.confirm_restore(info, dialog))
        self._track(dialog)
        dialog.open()
        return dialog

    def confirm_restore(self, info: BackupInfo, dialog: QWidget | None = None) -> QMessageBox:
        """Ask before replacing the workspace's content; Restore does it and closes `dialog`."""
        box = QMessageBox(QMessageBox.Icon.Question, messages.RESTORE_CONFIRM_TITLE,
                          messages.RESTORE_CONFIRM_TEXT.format(path=self.workspace.path,
                                                               label=info.label),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          dialog or self)
        box.setObjectName("restoreConfirmation")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(messages.RESTORE_CONFIRM_DETAIL)
        box.button(QMessageBox.StandardButton.Yes).setText(messages.RESTORE_CONFIRM_BUTTON)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def clicked(button: object) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:  # type: ignore[arg-type]
                if self.restore_from(info) and dialog is not None:
                    dialog.close()

        box.buttonClicked.connect(clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def restore_from(self, info: BackupInfo) -> bool:
        """Restore the open workspace from a backup, then reopen it (screens rebuilt, undo
        history cleared)."""
        try:
            result = workspace_maintenance.restore_backup(self.workspace, info.path)
        except UserError as exc:
            show_message(self, messages.RESTORE_FAILED_TITLE, str(exc))
            return False
        self._reopen()
        self.show_status(messages.STATUS_RESTORED.format(label=info.label,
                                                         safety=result.safety_backup.name))
        return True

    def _reopen(self) -> None:
        """Close and open the current workspace file again."""
        path = self.workspace.path
        self.undo.clear()
        self.workspace.close()
        try:
            workspace = open_workspace(path)
        except UserError as exc:  # opened a moment ago; if it now fails, show it read-only
            show_message(self, messages.OPEN_WORKSPACE_TITLE, str(exc))
            workspace = open_workspace(path, read_only=True)
        self._install(workspace)

    def check_integrity(self) -> QMessageBox:
        """Run SQLite's full checks now and say what they found."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = workspace_maintenance.check_integrity(self.workspace)
        finally:
            QApplication.restoreOverrideCursor()
        if report.ok:
            return show_message(self, messages.INTEGRITY_TITLE, messages.INTEGRITY_OK.format(
                path=report.workspace, seconds=report.elapsed_s), QMessageBox.Icon.Information)
        problems = [*report.problems, *report.foreign_key_problems]
        listing = "\n".join(f"• {p}" for p in problems[:10])
        return show_message(self, messages.INTEGRITY_TITLE, messages.INTEGRITY_PROBLEMS.format(
            path=report.workspace, count=messages.count_noun(len(problems), "problem"),
            problems=listing))

    def show_audit_log(self) -> AuditLogDialog:
        dialog = AuditLogDialog(self.workspace, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._track(dialog)
        dialog.show()
        return dialog

    def _track(self, dialog: QWidget) -> None:
        """Close `dialog` when another workspace opens (it shows this one)."""
        self.workspace_dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_: self._forget(dialog))

    def _forget(self, dialog: QWidget) -> None:
        if dialog in self.workspace_dialogs:
            self.workspace_dialogs.remove(dialog)

    def _undo_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            show_message(self, messages.UNDO_FAILED_TITLE,
                         messages.UNDO_FAILED_TEXT.format(error=exc))
        else:
            show_internal_error(self, messages.DOING_UNDO, exc)

    # --- screens ----------------------------------------------------------------------------

    @staticmethod
    def _build_screen(screen_type: Callable[[ScreenContext], QWidget],
                      ctx: ScreenContext) -> QWidget:
        """The screen, or a stand-in saying why it cannot be read (a damaged workspace
        opened read-only can fail on some tables and not others)."""
        try:
            return screen_type(ctx)
        except UserError as exc:
            return UnreadableScreen(str(getattr(screen_type, "title", "")), str(exc))

    def _catalog_screen(self) -> CatalogView | None:
        return next((s for s in self.screens if isinstance(s, CatalogView)), None)

    def _scenarios_screen(self) -> ScenariosView | None:
        return next((s for s in self.screens if isinstance(s, ScenariosView)), None)

    def catalog_view(self) -> CatalogView:
        return next(s for s in self.screens if isinstance(s, CatalogView))

    def scenarios_view(self) -> ScenariosView:
        return next(s for s in self.screens if isinstance(s, ScenariosView))

    def dashboard_view(self) -> DashboardView:
        return next(s for s in self.screens if isinstance(s, DashboardView))

    def open_scenario(self, scenario_id: int) -> None:
        """Open a scenario in the Dashboard (editor and live results) and show it."""
        dashboard = self.dashboard_view()
        dashboard.open_scenario(scenario_id)
        self.nav.setCurrentRow(self.screens.index(dashboard))

    def show_screen(self, title: str) -> QWidget:
        for row, screen in enumerate(self.screens):
            if getattr(screen, "title", "") == title:
                self.nav.setCurrentRow(row)
                return screen
        raise KeyError(title)

    def current_screen(self) -> QWidget:
        return self.screens[self.stack.currentIndex()]

    def visit_all_screens(self, screenshots: Path | None) -> Iterator[str]:
        """Show each screen in turn (saving `NN-title.png` to `screenshots`)."""
        if screenshots:
            screenshots.mkdir(parents=True, exist_ok=True)
        for row, screen in enumerate(self.screens):
            self.nav.setCurrentRow(row)
            QCoreApplication.processEvents()
            settle = getattr(screen, "settle_for_screenshot", None)
            if callable(settle):
                settle()
            title = str(getattr(screen, "title", row))
            if screenshots:
                slug = title.lower().replace(" ", "-")
                self.grab().save(str(screenshots / f"{row + 1:02d}-{slug}.png"))
            yield title

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(catalog_store.catalog_version(self.workspace.db), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- layout and shutdown ----------------------------------------------------------------

    def restore_layout(self) -> None:
        """Window geometry and the last screen from the settings (not used by --smoke)."""
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray(base64.b64decode(self.settings.window_geometry)))
        if self.settings.window_state:
            self.restoreState(QByteArray(base64.b64decode(self.settings.window_state)))
        titles = [str(getattr(s, "title", "")) for s in self.screens]
        if self.settings.last_screen in titles:
            self.nav.setCurrentRow(titles.index(self.settings.last_screen))

    def closeEvent(self, event: QCloseEvent) -> None:
        for screen in self.screens:
            stop = getattr(screen, "shutdown", None)
            if callable(stop):
                stop()
        self.tasks.shutdown()
        if not self.persist_layout:
            super().closeEvent(event)
            return
        self.settings = dataclasses.replace(
            self.settings,
            window_geometry=base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii"),
            window_state=base64.b64encode(bytes(self.saveState().data())).decode("ascii"),
            last_screen=str(getattr(self.current_screen(), "title", "")),
            catalog_kind=getattr(self._catalog_screen(), "current_kind",
                                 self.settings.catalog_kind),
        )
        self._save_settings()
        super().closeEvent(event)
