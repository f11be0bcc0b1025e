"""Re-evaluate the open scenario as the user edits it, off the GUI thread.

`LiveEvaluator.schedule()` (called after each change) waits `debounce_ms` so a burst of edits
(holding an arrow key, several undos) costs one evaluation, reads the stored scenario on the
GUI thread, and runs `reports.dashboard.dashboard_content` through the task runner with few
Monte Carlo draws. A newer edit cancels a run still going; its result is never shown.
`full_precision()` re-runs with the full number of draws (progress and Cancel in the status
bar after half a second). `evaluated(DashboardContent)` delivers results on the GUI thread.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.engine.efficiency import EfficiencyTable
from app.errors import UserError
from app.operations.live_eval import EDITING_DRAWS, FULL_DRAWS, SizingCache
from app.operations.site_efficiency import workspace_efficiency
from app.reports.dashboard import DashboardContent, dashboard_content
from app.storage import calibration_store, scenario_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.tasks import TaskHandle

DEBOUNCE_MS = 10  # fields commit on Enter/leave: this only merges bursts (undo held down)


class LiveEvaluator(QObject):
    """evaluated(DashboardContent): results for the scenario as it is now.
    failed(str): the evaluation could not run (an internal error, shown by the runner).
    """

    evaluated = Signal(object)
    cancelled = Signal()

    def __init__(self, ctx: ScreenContext, parent: QObject | None = None,
                 debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cache = SizingCache()
        self.scenario_id: int | None = None
        self.workload = -1  # the first LLM workload
        self.handle: TaskHandle | None = None
        self.draws = EDITING_DRAWS
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(debounce_ms)
        self.timer.timeout.connect(self._start)
        self.requested_at = 0.0
        self.last: DashboardContent | None = None
        self.last_latency_s = 0.0
        self._efficiency: tuple[EfficiencyTable, dict[str, str]] | None = None
        self._efficiency_rows: object = None

    def set_scenario(self, scenario_id: int | None) -> None:
        self.scenario_id = scenario_id
        self.last = None
        self.schedule()

    def schedule(self, draws: int = EDITING_DRAWS) -> None:
        """Evaluate now when idle, else soon (debounced: a burst of edits costs one run); a
        run in progress is replaced."""
        self.draws = draws
        if not self.requested_at:
            self.requested_at = time.perf_counter()
        if not self.running and not self.timer.isActive():
            QTimer.singleShot(0, self, self._start_if_idle)  # after this event's handlers
            self.timer.start()
            return
        self.timer.start()

    def _start_if_idle(self) -> None:
        if self.timer.isActive() and not self.running:
            self.timer.stop()
            self._start()

    def stop(self) -> None:
        """No more evaluations (the window is closing): pending and running ones end."""
        self.timer.stop()
        self.scenario_id = None
        if self.handle is not None and self.handle.running:
            self.handle.cancel()

    def full_precision(self) -> None:
        self.timer.stop()
        self.draws = FULL_DRAWS
        self.requested_at = time.perf_counter()
        self._start()

    @property
    def running(self) -> bool:
        return self.handle is not None and self.handle.running

    def _start(self) -> None:
        if self.handle is not None and self.handle.running:
            self.handle.cancel()
        self.handle = None
        if self.scenario_id is None:
            self.requested_at = 0.0
            return
        try:
            data = scenario_store.get(self.ctx.workspace.db, self.scenario_id)
        except (UserError, sqlite3.Error):  # deleted meanwhile, or the workspace was closed
            self.requested_at = 0.0
            return
        catalog = self.ctx.workspace.catalog
        efficiency, aliases = self.efficiency()
        draws, workload, cache = self.draws, self.workload, self.cache
        name = str(data.get("name", ""))

        def work(progress: Any, cancel: Any) -> DashboardContent:
            return dashboard_content(data, catalog, draws=draws, workload=workload, cache=cache,
                                     efficiency=efficiency, aliases=aliases,
                                     progress=progress, cancel=cancel)

        full = draws > EDITING_DRAWS
        title = (messages.DASHBOARD_FULL_TASK.format(name=name, draws=f"{draws:,}") if full
                 else messages.DASHBOARD_EVALUATING.format(name=name))
        handle = self.ctx.tasks.run(work, title, on_done=self._done, quiet_cancel=not full)
        handle.cancelled.connect(self._cancelled)
        self.handle = handle
        self.draws = EDITING_DRAWS  # the next edit goes back to quick draws

    def efficiency(self) -> tuple[EfficiencyTable, dict[str, str]]:
        """The workspace's efficiency factors (shipped + site refits), read on the GUI thread
        and reused while the site refits stay the same (one table object keeps sizing cached)."""
        rows = calibration_store.factor_rows(self.ctx.workspace.db)
        if self._efficiency is None or rows != self._efficiency_rows:
            self._efficiency = workspace_efficiency(self.ctx.workspace.db)
            self._efficiency_rows = rows
        return self._efficiency

    def _cancelled(self) -> None:
        self.cancelled.emit()

    def _done(self, content: DashboardContent) -> None:
        if self.requested_at:
            self.last_latency_s = time.perf_counter() - self.requested_at
        self.requested_at = 0.0
        self.last = content
        self.evaluated.emit(content)
