"""Writing user files safely: atomically, durably, readable only by the user.

`write_atomic` is the one way Enclave writes a file a user keeps (exports, reports, bundles,
copies of a workspace): the content goes to a temporary file in the same folder, is flushed to
disk, and replaces the target in one `os.replace`; the folder is then flushed so the rename itself
survives a power cut. A crash or an exception at any point leaves either the old file or the new
one, never a mixture, and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

USER_ONLY_FILE_MODE = 0o600
USER_ONLY_DIR_MODE = 0o700
PARTIAL_SUFFIX = ".partial"
PROBE_SUFFIX = ".probe"  # a file created and removed to test that a folder is writable


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (renames, new files) to disk; a no-op where unsupported."""
    if sys.platform == "win32":  # Windows cannot open a folder for fsync; NTFS journals renames
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_dir(folder: Path) -> Path:
    """Create `folder` (and parents) if needed and make it readable by the user only."""
    folder.mkdir(parents=True, exist_ok=True, mode=USER_ONLY_DIR_MODE)
    if sys.platform != "win32":
        os.chmod(folder, USER_ONLY_DIR_MODE)
    return folder


@contextlib.contextmanager
def atomic_target(path: Path, mode: int = USER_ONLY_FILE_MODE) -> Iterator[Path]:
    """Yield a fresh temporary path beside `path`; on success it replaces `path` atomically.

    For writers that need a file name rather than bytes (SQLite's backup API). The temporary
    file exists (empty, with `mode`) when the block starts; if the block raises it is removed
    and `path` is left as it was.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX, dir=folder)
    os.close(fd)
    temp = Path(temp_name)
    try:
        os.chmod(temp, mode)
        yield temp
        _fsync_file(temp)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(folder)


def write_atomic(path: Path | str, content: bytes | str, mode: int = USER_ONLY_FILE_MODE,
                 encoding: str = "utf-8",
                 _before_replace: Callable[[Path], None] | None = None) -> Path:
    """Write `content` to `path` atomically with permissions `mode` (user-only by default).

    Text is encoded with `encoding` and written as is (no newline translation). Returns `path`.
    `_before_replace` is a test hook called with the finished temporary file.
    """
    target = Path(path)
    data = content.encode(encoding) if isinstance(content, str) else bytes(content)
    with atomic_target(target, mode) as temp:
        with open(temp, "wb") as handle:
            handle.write(data)
        if _before_replace is not None:
            _before_replace(temp)
    return target


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY if sys.platform != "win32" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_user_file(path: Path | str, content: bytes | str) -> Path:
    """`write_atomic` for files a user named: a failure is a `UserError` naming the file."""
    from app.errors import UserError

    try:
        return write_atomic(path, content)
    except OSError as exc:
        raise UserError(f"{path}: cannot be written ({exc.strerror or exc})") from None
