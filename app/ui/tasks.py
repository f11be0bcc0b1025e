"""The one background runner (STYLE rule 4).

`TaskRunner.run(fn, title)` runs a pure function `fn(progress, cancel) -> result` on a worker
thread and delivers the result or the exception back on the GUI thread through the returned
`TaskHandle`'s signals. A progress indicator (label, bar and Cancel button in the status bar)
appears only when the task is still running after `show_after_ms` (500 ms), so quick work never
flickers. Cancel sets the task's `CancelToken`; the function stops at its next check, and any
result that still arrives is discarded.

Errors never escape as a traceback: a `UserError` is shown as its message, anything else as a
"something went wrong" dialog with the technical details collapsed, unless the caller passes
its own `on_error`. `Cancelled` raised by the function is a quiet cancel.

The worker gets plain data only: it must not touch the workspace's database (one thread owns
it, STYLE rule 5); do the writes in `on_done`, on the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from app.errors import UserError
from app.operations.progress import Cancelled, CancelToken, LongWork
from app.ui import messages
from app.ui.dialogs.alerts import show_internal_error, show_message
from app.ui.escaping import plain_label, tooltip

SHOW_AFTER_MS = 500
PROGRESS_INTERVAL_S = 0.05
LABEL_MAX_PX = 320  # at most ~20 progress signals a second per task
_QUEUED = Qt.ConnectionType.QueuedConnection


class TaskHandle(QObject):
    """One running task. Signals are delivered on the GUI thread; exactly one of
    `finished`, `failed` or `cancelled` is emitted."""

    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progressed = Signal(float, str)
    returned = Signal()  # the worker function has returned (after Cancel, possibly later)
    # Emitted from the worker thread, received (queued) on the GUI thread.
    _result_ready = Signal(object)
    _error_ready = Signal(object)
    _progress_ready = Signal(float, str)

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.token = CancelToken()
        self.state = "running"  # running | finished | failed | cancelled
        self.fraction = 0.0
        self.message = ""
        self.worker_returned = False
        self._result_ready.connect(self._on_result, _QUEUED)
        self._error_ready.connect(self._on_error, _QUEUED)
        self._progress_ready.connect(self._on_progress, _QUEUED)

    @property
    def running(self) -> bool:
        return self.state == "running"

    def cancel(self) -> None:
        """Ask the function to stop; the handle reports `cancelled` at once."""
        if not self.running:
            return
        self.token.cancel()
        self.state = "cancelled"
        self.cancelled.emit()

    @Slot(object)
    def _on_result(self, result: object) -> None:
        self.worker_returned = True
        if self.running:  # a result that arrives after Cancel is discarded
            self.state = "finished"
            self.finished.emit(result)
        self.returned.emit()

    @Slot(object)
    def _on_error(self, exc: object) -> None:
        self.worker_returned = True
        if self.running:
            if isinstance(exc, Cancelled):
                self.state = "cancelled"
                self.cancelled.emit()
            else:
                self.state = "failed"
                self.failed.emit(exc)
        self.returned.emit()

    @Slot(float, str)
    def _on_progress(self, fraction: float, message: str) -> None:
        if self.running:
            self.fraction, self.message = fraction, message
            self.progressed.emit(fraction, message)


class _Job(QRunnable):
    def __init__(self, fn: LongWork[Any], handle: TaskHandle) -> None:
        super().__init__()
        self._fn = fn
        self._handle = handle
        self._last_report = 0.0

    def _progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            try:
                self._handle._progress_ready.emit(min(max(float(fraction), 0.0), 1.0), message)
            except RuntimeError:
                pass

    def run(self) -> None:
        try:
            result = self._fn(self._progress, self._handle.token)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the GUI thread
            self._deliver(self._handle._error_ready, exc)
        else:
            self._deliver(self._handle._result_ready, result)

    @staticmethod
    def _deliver(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the window closed while the task ran: nobody to tell
            pass


class TaskIndicator(QWidget):
    """Status-bar widget: what is running, how far along, and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskIndicator")
        self.label = plain_label()  # task titles name the user's files
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(messages.TASK_CANCEL)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.handle: TaskHandle | None = None
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def show_task(self, handle: TaskHandle) -> None:
        self.handle = handle
        self._set_label(handle.title)
        self.cancel_button.setToolTip(tooltip(messages.TASK_CANCEL_TIP.format(title=handle.title)))
        self.update_progress(handle.fraction, handle.message)
        self.show()

    def update_progress(self, fraction: float, message: str) -> None:
        if fraction <= 0.0:
            self.bar.setRange(0, 0)  # busy indicator until the first report
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(fraction * 1000))
        if self.handle is not None:
            self._set_label(f"{self.handle.title}: {message}" if message else self.handle.title)

    def _set_label(self, text: str) -> None:
        metrics = self.label.fontMetrics()
        self.label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, LABEL_MAX_PX))
        self.label.setToolTip(tooltip(text))

    def clear(self) -> None:
        self.handle = None
        self.hide()

    def _cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()


class TaskRunner(QObject):
    """Runs long work off the GUI thread; see the module docstring."""

    def __init__(self, parent_widget: QWidget | None = None, *,
                 show_after_ms: int = SHOW_AFTER_MS) -> None:
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self.show_after_ms = show_after_ms
        self.pool = QThreadPool(self)
        self.indicator = TaskIndicator()
        self.active: list[TaskHandle] = []
        self.status_message: Callable[[str], None] = lambda text: None

    def run(self, fn: LongWork[Any], title: str, *,
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            quiet_cancel: bool = False) -> TaskHandle:
        """`quiet_cancel`: a cancel is not announced in the status bar (work replaced by newer
        work, such as a live re-evaluation after another edit)."""
        handle = TaskHandle(title, self)
        self.active.append(handle)
        if on_done is not None:
            handle.finished.connect(on_done)
        handle.failed.connect(on_error if on_error is not None else
                              (lambda exc: self.report_error(handle.title, exc)))
        if not quiet_cancel:
            handle.cancelled.connect(
                lambda: self.status_message(messages.STATUS_TASK_CANCELLED.format(title=title)))
        for signal in (handle.finished, handle.failed, handle.cancelled):
            signal.connect(lambda *_: self._ended(handle))
        # Deleted only once the worker has returned: it still holds the handle until then.
        handle.returned.connect(handle.deleteLater)
        handle.progressed.connect(self._progressed)
        QTimer.singleShot(self.show_after_ms, handle, lambda: self._reveal(handle))
        self.pool.start(_Job(fn, handle))
        return handle

    def report_error(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            show_message(self.parent_widget, messages.TASK_FAILED_TITLE.format(title=title),
                         str(exc))
        else:
            show_internal_error(self.parent_widget, title.lower(), exc)

    def _reveal(self, handle: TaskHandle) -> None:
        if handle.running:
            self.indicator.show_task(handle)

    def _progressed(self, fraction: float, message: str) -> None:
        if self.indicator.handle is not None and self.indicator.handle.running:
            self.indicator.update_progress(self.indicator.handle.fraction,
                                           self.indicator.handle.message)

    def _ended(self, handle: TaskHandle) -> None:
        if handle in self.active:
            self.active.remove(handle)
        if self.indicator.handle is handle:
            waiting = [h for h in self.active if h.running]
            if waiting:
                self.indicator.show_task(waiting[-1])
            else:
                self.indicator.clear()

    def shutdown(self, wait_ms: int = 3000) -> None:
        """Cancel everything and wait (bounded) for the workers to return."""
        for handle in list(self.active):
            handle.cancel()
        self.pool.waitForDone(wait_ms)
