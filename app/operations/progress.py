"""Progress reporting and cancellation for long work, without Qt.

Long work is a pure function `fn(progress, cancel) -> result` (STYLE rule 4). It calls
`progress(fraction, message)` now and then (fraction in [0, 1]) and checks `cancel` often enough
to stop within a fraction of a second. The GUI runner (`app/ui/tasks.py`) supplies both; the
command line and the tests can pass `no_progress` and a fresh `CancelToken()`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

ProgressCallback = Callable[[float, str], None]
"""`progress(fraction, message)`: fraction done in [0, 1] and what is being done."""

T_co = TypeVar("T_co", covariant=True)


class Cancelled(Exception):
    """Raised inside long work when its cancel token was set; the runner discards it quietly."""


class CancelToken:
    """A flag the caller sets and the worker reads; safe to share between threads."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Stop the work here (raises `Cancelled`) when the token was set."""
        if self._event.is_set():
            raise Cancelled


class LongWork(Protocol[T_co]):
    """The shape of a function the runner accepts."""

    def __call__(self, progress: ProgressCallback, cancel: CancelToken) -> T_co: ...


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores every report (command line, tests)."""
