"""The background runner: results and errors come back on the GUI thread, progress appears only
after the delay, Cancel stops the work and discards a late result, and no traceback escapes."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.errors import UserError
from app.operations.progress import CancelToken, ProgressCallback
from app.ui import messages
from app.ui.tasks import TaskRunner
from tests.ui.conftest import take_message


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def runner(parent: QWidget) -> TaskRunner:
    tasks = TaskRunner(parent, show_after_ms=300)
    yield tasks  # type: ignore[misc]
    tasks.shutdown()


def test_result_is_delivered_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    threads: list[object] = []

    def work(progress: ProgressCallback, cancel: CancelToken) -> int:
        threads.append(QThread.currentThread())
        progress(1.0, "done")
        return 42

    got: list[object] = []
    handle = runner.run(work, "Adding up", on_done=lambda r: got.append(
        (r, QThread.currentThread())))
    with qtbot.waitSignal(handle.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == [42]
    assert got == [(42, QApplication.instance().thread())]  # type: ignore[union-attr]
    assert threads and threads[0] is not QApplication.instance().thread()  # type: ignore[union-attr]
    assert runner.indicator.isHidden()
    assert runner.active == []


def test_a_user_error_is_shown_as_its_message(qtbot: QtBot, runner: TaskRunner,
                                              parent: QWidget) -> None:
    def work(progress: ProgressCallback, cancel: CancelToken) -> None:
        raise UserError("pack.csv: row 3: gpu_slots: must be a whole number")

    handle = runner.run(work, "Reading pack.csv")
    with qtbot.waitSignal(handle.failed, timeout=5000):
        pass
    box = take_message(qtbot, parent)
    assert box.windowTitle() == messages.TASK_FAILED_TITLE.format(title="Reading pack.csv")
    assert box.text() == "pack.csv: row 3: gpu_slots: must be a whole number"
    assert box.detailedText() == ""
    box.close()


def test_a_bug_is_reported_without_a_traceback_in_view(qtbot: QtBot, runner: TaskRunner,
                                                       parent: QWidget) -> None:
    def work(progress: ProgressCallback, cancel: CancelToken) -> None:
        raise ZeroDivisionError("division by zero")

    handle = runner.run(work, "Sweeping")
    with qtbot.waitSignal(handle.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], ZeroDivisionError)
    box = take_message(qtbot, parent)
    assert box.windowTitle() == messages.INTERNAL_ERROR_TITLE
    assert box.text() == messages.INTERNAL_ERROR_TEXT.format(doing="sweeping")
    assert "Traceback" not in box.text() + box.informativeText()
    assert "ZeroDivisionError: division by zero" in box.informativeText()
    assert "Traceback" in box.detailedText()  # there, but collapsed behind Show Details…
    box.close()


def test_cancel_stops_a_long_task_and_discards_its_result(qtbot: QtBot,
                                                          runner: TaskRunner) -> None:
    started = threading.Event()
    stopped = threading.Event()

    def long_work(progress: ProgressCallback, cancel: CancelToken) -> str:
        started.set()
        for step in range(100_000):
            if cancel.cancelled:
                stopped.set()
                return "partial result that must be discarded"
            progress(step / 100_000, f"step {step}")
            time.sleep(0.001)
        return "finished"

    results: list[object] = []
    handle = runner.run(long_work, "Monte Carlo", on_done=results.append)
    qtbot.waitUntil(lambda: not runner.indicator.isHidden(), timeout=5000)
    assert runner.indicator.handle is handle
    assert started.is_set()
    with qtbot.waitSignal(handle.cancelled, timeout=1000):
        runner.indicator.cancel_button.click()
    assert runner.indicator.isHidden()
    assert stopped.wait(5)
    with qtbot.waitSignal(handle.returned, timeout=5000):
        pass
    assert results == []
    assert handle.state == "cancelled"


def test_progress_appears_only_after_the_delay(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()

    def slow(progress: ProgressCallback, cancel: CancelToken) -> str:
        progress(0.25, "a quarter")
        release.wait(10)
        return "ok"

    start = time.monotonic()
    handle = runner.run(slow, "Slow work")
    assert runner.indicator.isHidden()
    qtbot.waitUntil(lambda: not runner.indicator.isHidden(), timeout=5000)
    assert time.monotonic() - start >= runner.show_after_ms / 1000 - 0.02
    qtbot.waitUntil(lambda: runner.indicator.bar.value() == 250, timeout=5000)
    assert runner.indicator.label.text() == "Slow work: a quarter"
    with qtbot.waitSignal(handle.finished, timeout=5000):
        release.set()
    assert runner.indicator.isHidden()


def test_quick_work_never_shows_progress(qtbot: QtBot, runner: TaskRunner) -> None:
    shown: list[bool] = []
    handle = runner.run(lambda progress, cancel: "quick", "Quick")
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    qtbot.wait(runner.show_after_ms + 100)  # past the moment it would have appeared
    shown.append(not runner.indicator.isHidden())
    assert shown == [False]


def test_no_message_box_for_a_cancelled_task(qtbot: QtBot, runner: TaskRunner,
                                            parent: QWidget) -> None:
    def work(progress: ProgressCallback, cancel: CancelToken) -> None:
        while not cancel.cancelled:
            time.sleep(0.001)
        cancel.raise_if_cancelled()

    handle = runner.run(work, "Stoppable")
    handle.cancel()
    with qtbot.waitSignal(handle.returned, timeout=5000):
        pass
    assert parent.findChildren(QMessageBox) == []
