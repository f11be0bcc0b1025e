"""The writer lock: one Enclave process at a time edits a workspace.

SQLite itself keeps concurrent writers from corrupting the file, but two Enclave windows editing
the same workspace would silently overwrite each other's work. The first process to open a
workspace takes an exclusive advisory lock on `<workspace>.lock`; any other opens it read-only
with a notice. The operating system drops the lock when the process ends, even when it is
killed, so a crash never leaves a workspace locked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.storage.files import USER_ONLY_FILE_MODE


def lock_path(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + ".lock")


class LockHeld(Exception):
    """Another process holds the writer lock; `holder` describes it (may be empty)."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


class WriterLock:
    """An exclusive, non-blocking, process-lifetime lock on `<workspace>.lock`.

    `acquire` raises `LockHeld` when another process holds it and `OSError` when the lock file
    cannot be created (a read-only folder).
    """

    def __init__(self, workspace: Path) -> None:
        self.path = lock_path(workspace)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, USER_ONLY_FILE_MODE)
        try:
            _lock(fd)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeld(holder) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        _write_holder(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)


def _write_holder(fd: int) -> None:
    text = f"pid {os.getpid()}\n".encode()
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, text)
    except OSError:
        pass  # the note is a courtesy; the lock is what matters


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 64).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.startswith("pid ") and text[4:].isdigit() else ""


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(str(exc)) from None

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
